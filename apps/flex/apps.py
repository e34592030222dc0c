from django.apps import AppConfig


class FlexConfig(AppConfig):
    """Demand response: control plans, demand and control, ET config and baselines."""

    name = "apps.flex"
    label = "flex"

    # The path parameters of this app's routes (esmart/api/tenancy.py): ids of things a user owns,
    # resolved through a scope, and free values.
    owned_path_parameters = frozenset(
        {
            "customerId",
            "custId",
            "id",
            "assetId",
            "deviceAssetId",
            "siteId",
            "controlPlanId",
            "controlPlanGuidAsString",
            "zoneId",
        }
    )
    free_path_parameters = frozenset(
        {
            "weekdays",
            "endDate",
            "searchFilterId",
            "tsTypeId",
            # the api/mock routes' plan ids name deterministic samples, never a stored plan
            "sampleControlPlanId",
            "sampleControlPlanGuid",
        }
    )
