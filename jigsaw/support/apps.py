from django.apps import AppConfig


class SupportConfig(AppConfig):
    """Administrative work delegated off social workers to business support and social
    work assistants: the requests, the team's queue, and how much was delegated."""

    name = "jigsaw.support"
    label = "support"
    verbose_name = "Business support"
