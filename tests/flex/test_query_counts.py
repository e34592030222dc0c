"""The flex lists run a constant number of queries: plans (with intervals, declines and delivered
flexibility), control-plan requests and contract zones, sites and site devices, 1 row vs many."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.assets.devices import services as devices
from apps.assets.models import DeviceType, SearchFilter, TimeSeriesTypeClass, ValueSubCategory, ValueUnit
from apps.flex import services
from apps.metering.services import load_intervals
from tests.assets import devices_world
from tests.factories import DeliveryPointFactory, MeterFactory
from tests.flex.factories import SiteSettingsFactory

from .world import build, make_plan

pytestmark = pytest.mark.django_db
MANY = 12


def queries(client, path, **headers) -> int:
    client.get(path, **headers)  # warm the credential cache, so both counts see the same
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, **headers)
    assert response.status_code == 200, response.content
    return len(captured)


def test_plans_list(owner):
    w = build(owner)
    client = owner.client()
    url = f"/api/customers/{owner.customer.pk}/devices/{w.device.pk}/controlplans?pageSize=100"
    start = w.past_plan.start_at
    load_intervals(rows=[(owner.meter.pk, start + dt.timedelta(hours=h), 60, "1.000", 0) for h in range(4)])
    few = queries(client, url)
    past = [make_plan(w.flex, start=start - dt.timedelta(days=n)) for n in range(1, MANY)]
    services.decline_plan(plan=past[0], user=owner.user)
    load_intervals(
        rows=[(owner.meter.pk, p.start_at + dt.timedelta(hours=h), 60, "1.500", 0) for p in past for h in range(4)]
    )
    assert len(client.get(url).json()) == MANY + 1
    assert queries(client, url) == few


def test_zone_requests_and_contract_zones(owner):
    w = build(owner)
    client = owner.client()
    first = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    url = f"/api/controlplanrequests/zones/{w.zone.pk}/tstypes/1?fromDate=2030-01-01T00:00:00&toDate=2030-01-02"
    services.create_control_plan_request(user=owner.user, zone=w.zone, ts_type=1, values=[(first, Decimal(1))])
    few = queries(client, url)
    for hour in range(1, MANY):
        services.create_control_plan_request(
            user=owner.user, zone=w.zone, ts_type=1, values=[(first + dt.timedelta(hours=hour), Decimal(hour))]
        )
    assert len(client.get(url).json()["Values"]) == MANY
    assert queries(client, url) == few

    header = {"HTTP_X_CONTRACTID": str(w.contract.pk)}
    few = queries(client, "/api/controlplanrequests/zones", **header)
    w.contract.zones.add(
        *SearchFilter.objects.bulk_create(
            [SearchFilter(name=f"Zone {n}", owner=w.graph.participant) for n in range(MANY)]
        )
    )
    assert queries(client, "/api/controlplanrequests/zones", **header) == few


def test_sites_and_site_devices(owner):
    build(owner)
    client = owner.client()
    sites = f"/api/demandandcontrol/customers/{owner.customer.pk}/sites"
    few = queries(client, sites)
    for _ in range(MANY):
        point = DeliveryPointFactory(contract=owner.contract)
        MeterFactory(delivery_point=point)
        SiteSettingsFactory(site=point, threshold_kw=4)
    assert len(client.get(sites).json()) == MANY + 1
    assert queries(client, sites) == few

    site_devices = f"{sites}/{owner.delivery_point.pk}/devices"
    few = queries(client, site_devices)
    at = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    for n in range(MANY):
        device = devices.create_device(
            device_type=DeviceType.HeatPump,
            gateway=devices_world.build(owner).gateway,
            name=f"Pump {n}",
            delivery_point=owner.delivery_point,
        )
        devices.record_device_values(
            device=device, values=[(TimeSeriesTypeClass.Power, ValueSubCategory.Actual, ValueUnit.KW, at, Decimal(n))]
        )
    assert len(client.get(site_devices).json()) == MANY + 1
    assert queries(client, site_devices) == few
