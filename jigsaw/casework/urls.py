from jigsaw.casework.views import chronology, episodes, front_door, missing, protection, worklists

app_name = "casework"

# Each views module owns its URLs; the app's list is theirs joined.
urlpatterns = [
    *chronology.urlpatterns,
    *episodes.urlpatterns,
    *front_door.urlpatterns,
    *missing.urlpatterns,
    *protection.urlpatterns,
    *worklists.urlpatterns,
]
