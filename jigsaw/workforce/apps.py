from django.apps import AppConfig


class WorkforceConfig(AppConfig):
    name = "jigsaw.workforce"
    label = "workforce"
