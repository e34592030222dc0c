"""The grid tariff's capacity step that the wattmeter shows (selectors.wattmeter_v2).

The tariff is the pricing app's: it registers its rule here from PricingConfig.ready, so metering,
which pricing builds on, imports nothing of pricing (docs/architecture.md)."""

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured

_rule: Callable[[list[float]], float] | None = None


def register_capacity_rule(rule: Callable[[list[float]], float]) -> None:
    """`rule(daily_peaks)`: the capacity step's upper kW bound for a month's daily peak hours (kWh/h)."""
    global _rule
    _rule = rule


def capacity_step_kw(daily_peaks: list[float]) -> float:
    if _rule is None:
        raise ImproperlyConfigured("No app registered the grid tariff's capacity rule (apps.pricing does).")
    return _rule(daily_peaks)
