from django.apps import AppConfig


class VulnerableFamiliesConfig(AppConfig):
    """Vulnerable families meetings: a health visiting team and a GP practice's regular
    meeting about the families they are worried about."""

    name = "jigsaw.vulnerable_families"
    label = "vulnerable_families"
    verbose_name = "Vulnerable families meetings"
