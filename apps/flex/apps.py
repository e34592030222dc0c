from django.apps import AppConfig


class FlexConfig(AppConfig):
    """Demand response: control plans, demand and control, ET config and baselines."""

    name = "apps.flex"
    label = "flex"
