from jigsaw.performance.views import home

app_name = "performance"

# Each views module owns its URLs; the app's list is theirs joined.
urlpatterns = [
    *home.urlpatterns,
]
