from jigsaw.performance.views import annex_a, board_report, dashboards, forecast, home, returns

app_name = "performance"

# Each views module owns its URLs; the app's list is theirs joined.
urlpatterns = [
    *home.urlpatterns,
    *board_report.urlpatterns,
    *dashboards.urlpatterns,
    *forecast.urlpatterns,
    *returns.urlpatterns,
    *annex_a.urlpatterns,
]
