from django.apps import AppConfig


class EvConfig(AppConfig):
    """EV charging requests, cars and vendor integrations."""

    name = "apps.ev"
    label = "ev"
