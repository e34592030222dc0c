from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Push registrations and sends, customer messages, e-mail alerts and communication tokens."""

    name = "apps.notifications"
    label = "notifications"

    def ready(self):
        from . import receivers  # noqa: F401  (connects to the assets app's component-event hook)
