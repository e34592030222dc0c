"""Owned path values of the flex routes, for the tenancy matrix (tests/api/test_tenancy_matrix.py)."""

from __future__ import annotations

from . import world as flex_world

SAMPLE_GUID = "00000000-0000-4000-8000-000000000001"


def owned_values(owner, route: str | None = None) -> dict[str, object]:
    lowered = (route or "").lower()
    flex_routes = ("controlplan", "etconfig/", "baseline/", "demandandcontrol/", "poc/devices/")
    if not any(part in lowered for part in flex_routes):
        return {}
    world = flex_world.build(owner)
    plan = world.future_plan
    values: dict[str, object] = {
        "custId": owner.customer.pk,
        "siteId": owner.delivery_point.pk,
        "deviceAssetId": world.device.pk,
        "controlPlanId": plan.pk,
        "controlPlanGuidAsString": plan.pk,
        "sampleControlPlanId": SAMPLE_GUID,
        "sampleControlPlanGuid": SAMPLE_GUID,
        "searchFilterId": world.zone.pk,
        "endDate": plan.end_at.date().isoformat(),
        "zoneId": world.zone.pk,
    }
    if "devices/" in lowered and "controlplans" in lowered:
        values["assetId"] = world.device.pk
    if lowered.startswith(("api/etconfig/", "api/baseline/")):
        values["id"] = world.device.pk
    return values
