"""Planning a day from stored prices (idempotent, grid requests win) and load shedding through a real worker."""

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings

from apps.flex import services, tasks
from apps.flex.models import ControlPlan, ControlPlanRequest, ControlPlanRequestValue, IntervalSource, SheddingAction
from apps.flex.planner import PriceInterval
from apps.metering.models import LiveValue, TimeSeriesType

from .world import build

pytestmark = pytest.mark.django_db
DAY = dt.date(2030, 1, 7)
START = dt.datetime(2030, 1, 6, 23, tzinfo=dt.UTC)  # Oslo midnight


def _prices():
    return [
        PriceInterval(START + dt.timedelta(hours=h), START + dt.timedelta(hours=h + 1), Decimal(24 - h) / 10)
        for h in range(24)
    ]


def test_plan_day_is_idempotent_and_follows_grid_requests(owner):
    w = build(owner)
    request = ControlPlanRequest.objects.create(
        zone=w.zone,
        ts_type=1,
        requested_by=owner.user,
        start_at=START + dt.timedelta(hours=23),
        end_at=START + dt.timedelta(hours=24),
    )
    ControlPlanRequestValue.objects.create(request=request, time=START + dt.timedelta(hours=23), value=3)
    area = w.device.asset.delivery_point.price_area
    counts = services.plan_day(day=DAY, devices=[w.flex], prices_by_area={area: _prices()})
    assert counts["created"] == 1
    plan = ControlPlan.objects.get(device=w.flex, start_at=START)
    on = [int((i.start_at - START).total_seconds() // 3600) for i in plan.intervals.all() if i.is_on]
    assert on == [21, 22]  # need 4 kWh at 2 kW: the two cheapest hours not reduced by the grid
    assert plan.intervals.get(start_at=START + dt.timedelta(hours=23)).source == IntervalSource.Grid
    again = services.plan_day(day=DAY, devices=[w.flex], prices_by_area={area: _prices()})
    assert again == {"created": 0, "updated": 0, "unchanged": 1, "skipped": 0}
    assert services.plan_day(day=DAY, devices=[w.flex], prices_by_area={area: []})["skipped"] == 1


@pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis for a real worker")
@pytest.mark.django_db(transaction=True)
def test_load_shedding_through_a_real_worker(owner):
    from tests.celery_worker import running_worker

    w = build(owner)
    LiveValue.objects.create(
        object_key=owner.meter.meter_id, type=TimeSeriesType.ActivePower, value_time=START, value=9.0
    )
    with running_worker(broker_db=13, results=True):  # 13: flex
        assert tasks.evaluate_sites.delay(site_ids=[owner.delivery_point.pk]).get(timeout=30) == 1
        shed = SheddingAction.objects.get()
        assert shed.action == SheddingAction.Action.SHED and shed.device_id == w.device.pk and shed.power_kw == 9.0
        LiveValue.objects.filter(object_key=owner.meter.meter_id).update(value=1.0)
        assert tasks.evaluate_sites.delay(site_ids=[owner.delivery_point.pk]).get(timeout=30) == 1
    assert list(SheddingAction.objects.order_by("id").values_list("action", flat=True)) == ["SHED", "RESTORE"]
