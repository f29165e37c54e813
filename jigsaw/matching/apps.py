from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "jigsaw.matching"
    label = "matching"
    verbose_name = "Identity resolution"

    def ready(self) -> None:
        from jigsaw.matching import signals

        signals.connect()
