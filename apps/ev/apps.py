from django.apps import AppConfig


class EvConfig(AppConfig):
    """EV charging requests, cars and vendor integrations."""

    name = "apps.ev"
    label = "ev"

    def ready(self):
        from django.db.models.signals import post_save

        from apps.pricing.public import SpotPriceDay

        from . import tasks

        # New (or final) prices of a day: open requests are re-planned on them.
        post_save.connect(tasks.on_prices_stored, sender=SpotPriceDay, dispatch_uid="ev-replan-on-prices")
