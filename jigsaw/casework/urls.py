from django.urls import path

from jigsaw.casework import views

app_name = "casework"

urlpatterns = [
    path("front-door", views.front_door, name="front_door"),
    path("people/<int:person_id>/contacts/new", views.new_contact, name="new_contact"),
    path("contacts/<int:pk>", views.contact, name="contact"),
    path("contacts/<int:pk>/authorise", views.authorise, name="authorise"),
]
