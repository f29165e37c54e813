from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "jigsaw.people"
    label = "people"
