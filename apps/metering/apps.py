from django.apps import AppConfig


class MeteringConfig(AppConfig):
    """Interval data, consumption series, readings and CIM exports."""

    name = "apps.metering"
    label = "metering"
