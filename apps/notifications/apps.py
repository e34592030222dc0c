from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Push registrations, messages and communication tokens."""

    name = "apps.notifications"
    label = "notifications"
