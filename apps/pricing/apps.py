from django.apps import AppConfig


class PricingConfig(AppConfig):
    """Spot prices, contract prices, costs and invoices."""

    name = "apps.pricing"
    label = "pricing"
