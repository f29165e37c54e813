from django.apps import AppConfig


class PartnershipConfig(AppConfig):
    """The partnership's own business: its board, and the guidance it issues."""

    name = "jigsaw.partnership"
    label = "partnership"
    verbose_name = "The partnership"
