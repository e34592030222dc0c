from django.apps import AppConfig


class PricingConfig(AppConfig):
    """Spot prices, contract prices, costs and invoices."""

    name = "apps.pricing"
    label = "pricing"

    # The path parameters of this app's routes (esmart/api/tenancy.py): ids of things a user owns,
    # resolved through a scope, and free values.
    owned_path_parameters = frozenset(
        {
            "customerId",
            "contractNo",
            "meterId",
            "invoiceNo",
        }
    )
    free_path_parameters = frozenset(
        {
            "year",
        }
    )

    def ready(self):
        from apps.metering.public import register_capacity_rule
        from esmart.metrics import register_state_gauge

        from . import metrics, rules

        register_state_gauge(metrics.newest_spot_price_days)
        register_capacity_rule(rules.default_capacity_step_kw)  # the wattmeter's subscribed power
