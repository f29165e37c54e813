from django.contrib import admin

from jigsaw.access.admin import PolicyAdmin
from jigsaw.partners.models import Agency, Practitioner


@admin.register(Agency)
class AgencyAdmin(PolicyAdmin[Agency]):
    list_display = ["name", "kind", "phone", "secure_email"]
    list_filter = ["kind"]
    search_fields = ["name"]


@admin.register(Practitioner)
class PractitionerAdmin(PolicyAdmin[Practitioner]):
    list_display = ["full_name", "agency", "team", "role", "job_title", "preferred_contact"]
    list_filter = ["role", "agency__kind"]
    search_fields = ["full_name", "secure_email"]
    raw_id_fields = ["user"]
