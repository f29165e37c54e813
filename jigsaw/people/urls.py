from django.urls import path

from jigsaw.people import views

app_name = "people"

urlpatterns = [
    path("", views.search, name="search"),
    path("new", views.create, name="create"),
    path("<int:pk>", views.detail, name="detail"),
    path("<int:pk>/edit", views.edit, name="edit"),
    path("<int:pk>/names/new", views.add_name, name="add_name"),
    path("<int:pk>/identifiers/new", views.add_identifier, name="add_identifier"),
    path("<int:pk>/addresses/new", views.record_move, name="record_move"),
    path("<int:pk>/relationships/new", views.add_relationship, name="add_relationship"),
    path("<int:pk>/household/new", views.add_household_member, name="add_household_member"),
]
