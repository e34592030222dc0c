from django.apps import AppConfig
from django.db.models.signals import post_save


class AssetsConfig(AppConfig):
    """The asset graph for grid-company professionals (and the customers' own meters and devices)."""

    name = "apps.assets"
    label = "assets"

    # The path parameters of this app's routes (esmart/api/tenancy.py): ids of things a user owns,
    # resolved through a scope, and free values.
    owned_path_parameters = frozenset(
        {
            "userId",
            "customerId",
            "id",
            "assetId",
            "participantId",
            "externalId",
            "serialNumber",
        }
    )
    free_path_parameters = frozenset(
        {
            "type",
            "category",
            "eventName",
            "relationshipType",
        }
    )

    def ready(self):
        from apps.customers.public import Meter, meters_bulk_created

        from .graph.services import on_meter_saved, on_meters_bulk_created

        # One id space (DESIGN.md §5): a meter made anywhere (CIS import, admin, tests) gets its asset.
        post_save.connect(on_meter_saved, sender=Meter, dispatch_uid="assets.meter_asset")
        meters_bulk_created.connect(on_meters_bulk_created, sender=Meter, dispatch_uid="assets.meter_assets")
