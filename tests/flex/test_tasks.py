"""Planning a day from stored prices (idempotent, grid requests win) and load shedding through a real worker."""

import datetime as dt
import json
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from apps.flex import selectors, services, tasks
from apps.flex.models import (
    ControllableDevice,
    ControlPlan,
    ControlPlanInterval,
    DeviceCommand,
    IntervalSource,
    SheddingAction,
)
from apps.flex.planner import PriceInterval
from apps.metering.models import LiveValue, TimeSeriesType
from apps.pricing import adapters
from apps.pricing.adapters import PriceNotPublishedError
from apps.pricing.adapters.base import market_date
from esmart.celery import app
from tests.clock import TEST_NOW
from tests.conftest import make_owner
from tests.ev.world import store_prices
from tests.flex.factories import ControlPlanRequestFactory, ControlPlanRequestValueFactory
from tests.metering.factories import LiveValueFactory

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
    request = ControlPlanRequestFactory(
        zone=w.zone,
        ts_type=1,
        requested_by=owner.user,
        start_at=START + dt.timedelta(hours=23),
        end_at=START + dt.timedelta(hours=24),
    )
    ControlPlanRequestValueFactory(request=request, time=START + dt.timedelta(hours=23), value=3)
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


def test_a_new_grid_request_replans_as_the_next_version(owner, django_capture_on_commit_callbacks):
    w = build(owner)
    area = w.device.asset.delivery_point.price_area
    services.plan_day(day=DAY, devices=[w.flex], prices_by_area={area: _prices()})
    plan = ControlPlan.objects.get(device=w.flex, start_at=START)
    services.create_control_plan_request(
        user=owner.user, zone=w.zone, ts_type=1, values=[(START + dt.timedelta(hours=22), Decimal(4))]
    )
    with django_capture_on_commit_callbacks(execute=True):
        counts = services.plan_day(day=DAY, devices=[w.flex], prices_by_area={area: _prices()})
    assert counts == {"created": 0, "updated": 1, "unchanged": 0, "skipped": 0}
    plan.refresh_from_db()
    on = [int((i.start_at - START).total_seconds() // 3600) for i in plan.intervals.all() if i.is_on]
    assert plan.version == 2 and on == [21, 23] and plan.intervals.count() == 24
    assert plan.intervals.get(start_at=START + dt.timedelta(hours=22)).source == IntervalSource.Grid
    assert list(DeviceCommand.objects.filter(plan=plan).values_list("plan_version", "status")) == [
        (2, DeviceCommand.Status.SENT),
        (1, DeviceCommand.Status.SUPERSEDED),  # still queued when version 2 came: never sent
    ]


class NotPublishedYet:
    """A price source before the day-ahead auction: every day is not out yet."""

    name = "not-published"

    def fetch_day(self, *, zone, day):
        raise PriceNotPublishedError(f"{day} not yet")


def test_the_beat_job_plans_tomorrow_for_every_enrolled_device_once_prices_are_published(
    owner, django_capture_on_commit_callbacks, monkeypatch, settings
):
    monkeypatch.setitem(adapters.SOURCES, NotPublishedYet.name, NotPublishedYet)
    settings.SPOT_PRICE_SOURCE = NotPublishedYet.name
    assert app.conf.beat_schedule["flex-plan-tomorrow"]["task"] == "apps.flex.tasks.plan_tomorrow"
    w = build(owner)
    unenrolled = build(make_owner()).flex
    ControllableDevice.objects.filter(pk=unenrolled.pk).update(enrolled=False)
    start, end = selectors.local_day_bounds(market_date(TEST_NOW) + dt.timedelta(days=1), ZoneInfo("Europe/Oslo"))

    assert tasks.plan_tomorrow() == {"created": 0, "updated": 0, "unchanged": 0, "skipped": 1}  # no prices yet
    assert not ControlPlan.objects.filter(start_at=start).exists()

    # published: hourly prices falling through the (UTC) day
    store_prices(area=owner.delivery_point.price_area, price_of=lambda moment: Decimal(24 - moment.hour) / 10)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.plan_tomorrow()["created"] == 1
    plan = ControlPlan.objects.get(start_at=start)
    assert plan.device_id == w.flex.pk and plan.end_at == end
    intervals = list(plan.intervals.all())
    assert len(intervals) == (end - start) // dt.timedelta(hours=1)
    on = sorted(i.start_at.hour for i in intervals if i.is_on)
    assert on == [22, 23]  # 4 kWh at 2 kW: the two cheapest (latest UTC) hours
    assert DeviceCommand.objects.get(plan=plan).status == DeviceCommand.Status.SENT

    def state():
        return (
            list(ControlPlan.objects.order_by("pk").values_list("pk", "version", "updated_at")),
            list(ControlPlanInterval.objects.order_by("pk").values_list("pk", "is_on")),
            DeviceCommand.objects.count(),
        )

    before = state()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert tasks.plan_tomorrow() == {"created": 0, "updated": 0, "unchanged": 1, "skipped": 0}
    assert state() == before and not callbacks


@pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis for a real worker")
@pytest.mark.real_clock  # the worker process reads the real clock
@pytest.mark.django_db(transaction=True)
def test_load_shedding_through_a_real_worker(owner):
    from tests.celery_worker import running_worker

    w = build(owner)
    LiveValueFactory(object_key=owner.meter.meter_id, type=TimeSeriesType.ActivePower, value_time=START, value=9.0)
    with running_worker(broker_db=13, results=True):  # 13: flex
        assert tasks.evaluate_sites.delay(site_ids=[owner.delivery_point.pk]).get(timeout=30) == 1
        shed = SheddingAction.objects.get()
        assert shed.action == SheddingAction.Action.SHED and shed.device_id == w.device.pk and shed.power_kw == 9.0
        LiveValue.objects.filter(object_key=owner.meter.meter_id).update(value=1.0)
        assert tasks.evaluate_sites.delay(site_ids=[owner.delivery_point.pk]).get(timeout=30) == 1
    assert list(SheddingAction.objects.order_by("id").values_list("action", flat=True)) == ["SHED", "RESTORE"]


def test_a_plan_version_goes_to_the_device_once_through_the_file_adapter(
    owner, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.FLEX_DEVICE_ADAPTER, settings.FLEX_DEVICE_DIR = "file", str(tmp_path)
    w = build(owner)
    area = w.device.asset.delivery_point.price_area
    with django_capture_on_commit_callbacks(execute=True):
        services.plan_day(day=DAY, devices=[w.flex], prices_by_area={area: _prices()})
    plan = ControlPlan.objects.get(device=w.flex, start_at=START)
    (line,) = (tmp_path / "commands.jsonl").read_text().splitlines()
    sent = json.loads(line)
    assert sent["DeviceAssetId"] == w.device.pk and sent["Controls"]["ValueCategory"] == 2  # Power
    assert len(sent["Controls"]["Plan"]) == 24
    assert [v for v in sent["Controls"]["Plan"] if v["Value"]] == [  # the two cheapest hours, at 2 kW
        {"ValueTime": "2030-01-07T21:00:00", "Value": 2.0},
        {"ValueTime": "2030-01-07T22:00:00", "Value": 2.0},
    ]
    command = DeviceCommand.objects.get(plan=plan)
    # a redelivered task and a second queueing of the same version send nothing more
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_device_commands(command_ids=[command.pk]) == 0
        services.queue_plan_sends(plans=[plan])
    assert len((tmp_path / "commands.jsonl").read_text().splitlines()) == 1
    assert DeviceCommand.objects.filter(plan=plan).count() == 1
