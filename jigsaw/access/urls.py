from django.urls import path

from jigsaw.access import views

app_name = "access"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("reviews/<int:pk>", views.review, name="review"),
    path("people/<int:pk>", views.history, name="history"),
    path("people/<int:pk>/history.csv", views.history_csv, name="history_csv"),
    path("people/<int:pk>/break-glass", views.break_glass, name="break_glass"),
    path("people/<int:pk>/restrict", views.restrict, name="restrict"),
    path("subject-access/new", views.new_subject_access_request, name="new_subject_access_request"),
    path("subject-access/<int:pk>.<str:fmt>", views.subject_access_export, name="subject_access_export"),
]
