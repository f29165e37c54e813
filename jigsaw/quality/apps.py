from django.apps import AppConfig


class QualityConfig(AppConfig):
    """Oversight: how the partnership knows its work keeps children safe."""

    name = "jigsaw.quality"
    label = "quality"
    verbose_name = "Oversight"
