from jigsaw.partners.views import alerts, concerns, conferences, feeds, flags, inbox, network

app_name = "partners"

# Each views module owns its URLs; the app's list is theirs joined.
urlpatterns = [
    *alerts.urlpatterns,
    *concerns.urlpatterns,
    *conferences.urlpatterns,
    *feeds.urlpatterns,
    *flags.urlpatterns,
    *inbox.urlpatterns,
    *network.urlpatterns,
]
