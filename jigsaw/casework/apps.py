from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "jigsaw.casework"
    label = "casework"
