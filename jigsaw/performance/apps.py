from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    """Performance: indicators, dashboards, statutory returns, forecasts and the board report,
    all computed from the casework itself."""

    name = "jigsaw.performance"
    label = "performance"
    verbose_name = "Performance"
