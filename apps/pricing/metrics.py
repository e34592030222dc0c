"""The pricing app's gauge at /metrics (registered with esmart.metrics from PricingConfig.ready)."""

import calendar

from django.db.models import Max
from prometheus_client.core import GaugeMetricFamily

from .areas import BY_EIC
from .models import SpotPriceDay


def newest_spot_price_days() -> GaugeMetricFamily:
    newest = GaugeMetricFamily(
        "esmart_spot_price_newest_day_timestamp_seconds",
        "Start (00:00 UTC) of the newest delivery day with stored spot prices, per bidding zone.",
        labels=["area"],
    )
    days = SpotPriceDay.objects.order_by().values_list("area").annotate(newest=Max("delivery_date"))
    for eic, day in days:
        zone = BY_EIC.get(eic)
        newest.add_metric([zone.code if zone else eic], calendar.timegm(day.timetuple()))
    return newest
