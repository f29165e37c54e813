from django.apps import AppConfig


class VoiceConfig(AppConfig):
    """The voice of children and families: their feedback on conferences and on our work
    with them, and whether parents had an advocate at conferences."""

    name = "jigsaw.voice"
    label = "voice"
    verbose_name = "The voice of children and families"
