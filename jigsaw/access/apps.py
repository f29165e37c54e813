from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "jigsaw.access"
    label = "access"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

        from jigsaw.access import signals

        user_logged_in.connect(signals.on_sign_in, dispatch_uid="jigsaw_sign_in")
        user_logged_out.connect(signals.on_sign_out, dispatch_uid="jigsaw_sign_out")
        user_login_failed.connect(signals.on_failed_sign_in, dispatch_uid="jigsaw_sign_in_failed")
