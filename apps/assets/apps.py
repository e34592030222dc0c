from django.apps import AppConfig


class AssetsConfig(AppConfig):
    """The asset hierarchy for grid-company professionals."""

    name = "apps.assets"
    label = "assets"
