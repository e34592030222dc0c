from django.apps import AppConfig


class PricingConfig(AppConfig):
    """Spot prices, contract prices, costs and invoices."""

    name = "apps.pricing"
    label = "pricing"

    def ready(self):
        from esmart.metrics import register_state_gauge

        from . import metrics

        register_state_gauge(metrics.newest_spot_price_days)
