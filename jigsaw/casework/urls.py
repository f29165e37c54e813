from jigsaw.casework.views import front_door

app_name = "casework"

# Each views module owns its URLs; the app's list is theirs joined.
urlpatterns = [*front_door.urlpatterns]
