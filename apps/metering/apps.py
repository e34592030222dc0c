from django.apps import AppConfig


class MeteringConfig(AppConfig):
    """Interval data, consumption series, readings and CIM exports."""

    name = "apps.metering"
    label = "metering"

    # The path parameters of this app's routes (esmart/api/tenancy.py): ids of things a user owns,
    # resolved through a scope, and free values.
    owned_path_parameters = frozenset(
        {
            "userId",
            "customerId",
            "contractNo",
            "deliveryPointId",
            "meterId",
            "assetId",
        }
    )
    free_path_parameters = frozenset(
        {
            "type",
            "correlationId",
            "objectKey",
        }
    )
