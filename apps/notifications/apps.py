from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Push registrations and sends, customer messages, e-mail alerts and communication tokens."""

    name = "apps.notifications"
    label = "notifications"

    # The path parameters of this app's routes (esmart/api/tenancy.py): ids of things a user owns,
    # resolved through a scope, and free values.
    owned_path_parameters = frozenset(
        {
            "userId",
            "customerId",
            "messageId",
            "registrationId",
        }
    )
    free_path_parameters = frozenset(
        {
            "appShortName",
        }
    )

    def ready(self):
        from esmart.metrics import register_state_gauge

        from . import metrics, receivers  # noqa: F401  (receivers connects to the assets app's component-event hook)

        register_state_gauge(metrics.push_chunks_open)
