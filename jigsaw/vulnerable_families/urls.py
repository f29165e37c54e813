from jigsaw.vulnerable_families import views

app_name = "vulnerable_families"

urlpatterns = views.urlpatterns
