from jigsaw.voice.views import case, family, report

app_name = "voice"

# Each views module owns its URLs; the app's list is theirs joined.
urlpatterns = [*case.urlpatterns, *family.urlpatterns, *report.urlpatterns]
