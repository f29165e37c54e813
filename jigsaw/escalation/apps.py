from django.apps import AppConfig


class EscalationConfig(AppConfig):
    name = "jigsaw.escalation"
    label = "escalation"
