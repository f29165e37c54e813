from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "jigsaw.partners"
    label = "partners"
