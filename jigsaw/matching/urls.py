"""The matching app's pages, one module of views after another."""

from jigsaw.matching import merge_views, review_views

app_name = "matching"

urlpatterns = [*merge_views.urlpatterns, *review_views.urlpatterns]
