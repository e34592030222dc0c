from django.apps import AppConfig


class PricingConfig(AppConfig):
    """Spot prices, contract prices, costs and invoices."""

    name = "apps.pricing"
    label = "pricing"

    def ready(self):
        from apps.metering.public import register_capacity_rule
        from esmart.metrics import register_state_gauge

        from . import metrics, rules

        register_state_gauge(metrics.newest_spot_price_days)
        register_capacity_rule(rules.default_capacity_step_kw)  # the wattmeter's subscribed power
