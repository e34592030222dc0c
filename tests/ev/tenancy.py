"""Owned path values of the EV routes for the tenancy matrix (tests/api/test_tenancy_matrix.py)."""

from apps.ev.models import BatteryCar

from . import world as ev_world
from .catalogue_fixture import ensure_catalogue_for_test


def owned_values(owner) -> dict[str, object]:
    ensure_catalogue_for_test()  # a transactional test may have flushed the migration's rows
    world = ev_world.build(owner)
    catalogue_model = BatteryCar.objects.order_by("id").first()  # shared; a free value the matrix lacks
    return {
        "batteryCarId": catalogue_model.pk,
        "evChargingRequestId": str(world.request.pk),
        "carId": world.car.row_key,
        "vehicleId": world.car.vehicle_id,
        "gatewayAssetId": world.gateway.pk,
        "chargerAssetId": world.charger.pk,
    }
