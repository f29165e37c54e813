from jigsaw.quality.views import (
    audits,
    home,
    practice_reviews,
    recommendations,
    section11,
    supervision,
    training,
)

app_name = "quality"

# Each views module owns its URLs; the app's list is theirs joined.
urlpatterns = [
    *home.urlpatterns,
    *supervision.urlpatterns,
    *audits.urlpatterns,
    *section11.urlpatterns,
    *practice_reviews.urlpatterns,
    *recommendations.urlpatterns,
    *training.urlpatterns,
]
