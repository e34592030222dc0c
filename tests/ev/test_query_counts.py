"""The EV lists run a constant number of queries: the same with one row as with many."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.assets.devices import services as devices
from apps.assets.graph.services import relate
from apps.assets.models import RelationType
from apps.ev import services
from apps.ev.models import BatteryCar, Car
from tests.ev.factories import CarFactory

from . import world as ev_world
from .world import next_hour

pytestmark = pytest.mark.django_db


def queries_of(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def assert_constant(client, url, add_rows, django_assert_num_queries):
    client.get(url)  # warm: the credential cache
    with_one = queries_of(client, url)
    add_rows()
    with django_assert_num_queries(with_one):
        response = client.get(url)
    assert len(response.json()) > 1


def test_charging_requests_list(owner, django_assert_num_queries):
    world = ev_world.build(owner)  # one request, with its slots

    def add_rows():
        for hours in (2, 3, 4):
            services.create_charging_request(
                customer=owner.customer,
                asset_id=world.charger.pk,
                start_at=next_hour(hours),
                end_at=next_hour(hours + 5),
                charging_demand_kwh=Decimal("25"),
                car_id=world.car.row_key,
            )

    url = f"/api/customers/{owner.customer.pk}/evchargingrequests"
    assert_constant(owner.client(), url, add_rows, django_assert_num_queries)


def test_cars_list(owner, django_assert_num_queries):
    world = ev_world.build(owner, with_request=False)
    model = BatteryCar.objects.order_by("id").first()

    def add_rows():
        Car.objects.bulk_create(
            [
                Car(customer=owner.customer, manufacturer=model.manufacturer, model=model.model, battery_car=model)
                for _ in range(5)
            ]
        )

    assert world.car.battery_car is None  # with and without a catalogue model
    url = f"/api/evinfo/customers/{owner.customer.pk}/cars"
    assert_constant(owner.client(), url, add_rows, django_assert_num_queries)


def test_battery_cars_list(owner, django_assert_num_queries):
    kept = BatteryCar.objects.order_by("id").first()
    removed = list(BatteryCar.objects.exclude(pk=kept.pk))
    BatteryCar.objects.exclude(pk=kept.pk).delete()

    def add_rows():
        BatteryCar.objects.bulk_create(removed)

    assert_constant(owner.client(), "/api/batterycars", add_rows, django_assert_num_queries)


def test_car_vendors_list(owner, django_assert_num_queries):
    kept = BatteryCar.objects.order_by("id").first()
    removed = list(BatteryCar.objects.exclude(pk=kept.pk))
    BatteryCar.objects.exclude(pk=kept.pk).delete()

    def add_rows():
        BatteryCar.objects.bulk_create(removed)

    assert_constant(owner.client(), "/api/evinfo/carvendors", add_rows, django_assert_num_queries)


def test_gateway_devices_and_cars(owner, django_assert_num_queries):
    world = ev_world.build(owner)  # a charger behind the gateway, its car and an open request

    def add_rows():
        for n in range(3):
            charger = devices.create_charger(
                max_power_kw=Decimal("22"),
                name=f"Charger {n}",
                external_id=f"EV-EXTRA-{n}",
                delivery_point_id=owner.delivery_point.pk,
            )
            relate(parent=world.gateway.asset, child=charger.asset, relation_type=RelationType.Controls)
            CarFactory(customer=owner.customer, manufacturer="demo", connected_asset=charger.asset)
            services.create_charging_request(
                customer=owner.customer,
                asset_id=charger.pk,
                start_at=next_hour(1),
                end_at=next_hour(1) + dt.timedelta(hours=n + 2),
                charging_demand_kwh=Decimal("10"),
            )

    url = f"/api/evinfo/customers/{owner.customer.pk}/gateways/{world.gateway.pk}/evchargingdevicesandcars"
    client = owner.client()
    client.get(url)  # warm: the credential cache
    with_one = queries_of(client, url)
    add_rows()
    with django_assert_num_queries(with_one):
        response = client.get(url)
    assert len(response.json()["Devices"]) == 4 and len(response.json()["Cars"]) == 4
