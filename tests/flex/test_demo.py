"""seed_demo's flex data: enrolled demo devices with plans (history, today, tomorrow), evening
reduction requests for the grid company's zone, demo1's site settings; idempotent."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from apps.assets.models import DeviceType, SmartHomeDevice
from apps.customers.demo import demo_now
from apps.flex import demo
from apps.flex.models import (
    ControllableDevice,
    ControlPlan,
    ControlPlanInterval,
    ControlPlanRequest,
    DeviceCommand,
    FlexContract,
    IntervalSource,
    SiteSettings,
)
from tests.conftest import basic

pytestmark = pytest.mark.django_db
DAYS = 8
OSLO = ZoneInfo("Europe/Oslo")
TODAY = dt.date(2024, 11, 5)


def seed_demo():
    call_command(
        "seed_demo", "--days", str(DAYS), "--today", TODAY.isoformat(), stdout=io.StringIO(), stderr=io.StringIO()
    )


def snapshot():
    return {
        "devices": sorted(ControllableDevice.objects.values_list("pk", flat=True)),
        "plans": sorted(ControlPlan.objects.values_list("pk", "version")),
        "intervals": ControlPlanInterval.objects.count(),
        "requests": sorted(ControlPlanRequest.objects.values_list("pk", flat=True)),
        "sites": sorted(SiteSettings.objects.values_list("pk", "threshold_kw")),
        "contracts": sorted(FlexContract.objects.values_list("pk", flat=True)),
        "commands": DeviceCommand.objects.count(),
    }


def client(username):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=basic(username, f"{username}-password"))
    return api


def test_seed_demo_enrols_plans_requests_and_a_site_idempotently(time_machine):
    # The clock at the seeded moment: the API's "now" (what is past) is the seeded world's.
    time_machine.move_to(demo_now(TODAY), tick=True)
    seed_demo()
    first = snapshot()
    seed_demo()
    assert snapshot() == first

    demo_devices = SmartHomeDevice.objects.filter(
        asset__external_id__startswith="DEMO-DV-",
        asset__delivery_point__contract__customer__accesses__user__username__in=["demo1", "demo2"],
    ).distinct()
    assert sorted(first["devices"]) == sorted(demo_devices.values_list("pk", flat=True)) and first["devices"]

    today = TODAY
    days = [today + dt.timedelta(days=n) for n in range(-demo.HISTORY_DAYS, 2)]
    for flex in ControllableDevice.objects.all():
        starts = sorted(flex.plans.values_list("start_at", flat=True))
        assert [s.astimezone(OSLO).date() for s in starts] == days, flex
    # Tomorrow's evening hours are the grid's: off whatever their price.
    heater = ControllableDevice.objects.filter(device__device_type=DeviceType.LightsAndHeating).first()
    tomorrow = heater.plans.order_by("-start_at").first()
    evening = [i for i in tomorrow.intervals.all() if i.start_at.astimezone(OSLO).hour in demo.REQUEST_HOURS]
    assert evening and all(i.source == IntervalSource.Grid and not i.is_on for i in evening)
    assert sum(i.is_on for i in tomorrow.intervals.all()) > 0
    # The history is stored, not sent: commands only for today's and tomorrow's plans.
    sent_days = {c.plan.start_at.astimezone(OSLO).date() for c in DeviceCommand.objects.select_related("plan")}
    assert sent_days == {today, today + dt.timedelta(days=1)}

    # demo1 sees a past plan with delivered flexibility computed from the metering history.
    owner_customer = heater.device.asset.delivery_point.contract.customer
    user = owner_customer.accesses.first().user.username
    url = f"/api/customers/{owner_customer.pk}/devices/{heater.pk}/controlplans?pageSize=10"
    plans = client(user).get(url).json()
    now = timezone.now().astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")
    yesterday = next(p for p in plans if p["EndTime"] <= now)
    assert all(i["Measured"] is not None for i in yesterday["Intervals"])
    known = [i for i in yesterday["Intervals"] if i["Baseline"] is not None and i["Measured"] is not None]
    assert known and all(
        i["DeliveredFlexibility"] == pytest.approx(i["Baseline"] - i["Measured"], abs=1e-4) for i in known
    )

    # demo1's Power site sheds the charger first.
    (site,) = SiteSettings.objects.all()
    order = list(site.devices.order_by("position").values_list("device__device_type", flat=True))
    assert order[0] == DeviceType.EvCharger and site.threshold_kw == demo.SITE_THRESHOLD_KW

    # grid1 reads the zone of the contract and its requests for tomorrow.
    contract = FlexContract.objects.get()
    zones = client("grid1").get("/api/controlplanrequests/zones", HTTP_X_CONTRACTID=str(contract.pk)).json()
    assert [z["Name"] for z in zones] == [demo.ZONE_NAME]
    start = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), OSLO).astimezone(dt.UTC)
    requested = client("grid1").get(
        f"/api/controlplanrequests/zones/{zones[0]['Id']}/tstypes/1",
        {"fromDate": start.strftime("%Y-%m-%dT%H:%M:%S"), "toDate": (start + dt.timedelta(days=1)).isoformat()},
    )
    assert requested.status_code == 200, requested.content
    assert [v["Value"] for v in requested.json()["Values"]] == [float(demo.REQUEST_KW)] * len(demo.REQUEST_HOURS)


def test_seed_without_the_demo_logins_or_the_grid_company_does_nothing(owner):
    demo.seed(users=[owner.user], days=2)
    owner.user.username = "demo1"
    owner.user.save()
    demo.seed(users=[owner.user], days=2)  # no "Zone Oslo Nord" of Demo Nett AS yet
    assert not ControllableDevice.objects.exists() and not ControlPlanRequest.objects.exists()
