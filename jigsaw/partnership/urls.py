from jigsaw.partnership.views import board, guidance

app_name = "partnership"

# Each views module owns its URLs; the app's list is theirs joined.
urlpatterns = [*board.urlpatterns, *guidance.urlpatterns]
