from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "jigsaw.core"
    label = "core"
