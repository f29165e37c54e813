from django.contrib import admin

from jigsaw.access.admin import PolicyAdmin
from jigsaw.people.models import Address

# Person records are changed only through the person pages, which log every change and
# check edit conflicts; the admin lists addresses only, for tidying duplicates.


@admin.register(Address)
class AddressAdmin(PolicyAdmin[Address]):
    list_display = ["line_1", "town", "postcode"]
    search_fields = ["postcode", "line_1"]
