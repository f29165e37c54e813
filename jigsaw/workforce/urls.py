from jigsaw.workforce import views

app_name = "workforce"

urlpatterns = views.urlpatterns
