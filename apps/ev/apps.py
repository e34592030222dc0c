from django.apps import AppConfig


class EvConfig(AppConfig):
    """EV charging requests, cars and vendor integrations."""

    name = "apps.ev"
    label = "ev"

    # The path parameters of this app's routes (esmart/api/tenancy.py): ids of things a user owns,
    # resolved through a scope, and free values.
    owned_path_parameters = frozenset(
        {
            "customerId",
            "contractNo",
            "evChargingRequestId",
            "vehicleId",
            "carId",
            "gatewayAssetId",
            "chargerAssetId",
        }
    )
    free_path_parameters = frozenset(
        {
            # the battery-car catalogue is shared by everyone (the seed's api/batterycars/{id})
            "batteryCarId",
        }
    )

    def ready(self):
        from django.db.models.signals import post_save

        from apps.pricing.public import SpotPriceDay

        from . import tasks

        # New (or final) prices of a day: open requests are re-planned on them.
        post_save.connect(tasks.on_prices_stored, sender=SpotPriceDay, dispatch_uid="ev-replan-on-prices")
