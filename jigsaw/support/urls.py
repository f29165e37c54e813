from jigsaw.support.views import report, tasks

app_name = "support"

# Each views module owns its URLs; the app's list is theirs joined.
urlpatterns = [*tasks.urlpatterns, *report.urlpatterns]
