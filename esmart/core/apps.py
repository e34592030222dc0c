from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Project-wide endpoints (ping) that belong to no business app."""

    name = "esmart.core"
    label = "core"

    def ready(self):
        from esmart import replica

        replica.install()
