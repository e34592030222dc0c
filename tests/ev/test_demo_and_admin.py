"""seed_demo's EV data for demo1, and the admin (catalogue, chargers, requests with schedules, cars,
vendor accounts without credentials)."""

import pytest
from django.contrib.auth import get_user_model

from apps.ev import demo
from apps.ev.models import BatteryCar, Car, EvChargingRequest, VendorAccount
from tests.ev.factories import ChargerImportFactory, VendorAccountFactory

from . import world as ev_world

pytestmark = pytest.mark.django_db


def test_demo_seeds_a_car_a_charger_and_a_request_for_demo1_idempotently(owner):
    owner.user.username = "demo1"
    owner.user.save()
    ev_world.store_prices(area=owner.delivery_point.price_area)
    demo.seed(users=[owner.user], days=0)
    demo.seed(users=[owner.user], days=0)
    (car,) = Car.objects.filter(customer=owner.customer)
    assert car.battery_car is not None and car.net_battery_kwh == car.battery_car.net_battery_kwh
    (request,) = EvChargingRequest.objects.filter(customer=owner.customer)
    assert request.charger.asset.delivery_point == owner.delivery_point
    assert car.connected_asset_id == request.charger.pk
    assert request.slots.exists() and request.estimated_cost is not None


def test_demo_skips_other_users(owner):
    demo.seed(users=[owner.user], days=0)
    assert not Car.objects.exists()


@pytest.fixture
def admin_client(client):
    admin = get_user_model().objects.create_superuser("ev-admin", "ev-admin@example.no", "pw-123456")
    client.force_login(admin)
    return client


def test_admin_pages(admin_client, owner):
    world = ev_world.build(owner)
    ChargerImportFactory(charger=world.charger, import_source="easee")
    VendorAccountFactory(
        user=owner.user,
        manufacturer="demo",
        username="kari@example.no",
        password="hemmelig",
        access_token="tok-SECRET",
        handle_digest="e" * 64,
    )
    pages = [
        "/admin/ev/batterycar/",
        f"/admin/ev/batterycar/{BatteryCar.objects.first().pk}/change/",
        "/admin/ev/batterycar/add/",
        "/admin/ev/chargerimport/",
        "/admin/ev/evchargingrequest/",
        f"/admin/ev/evchargingrequest/{world.request.pk}/change/",
        "/admin/ev/car/",
        f"/admin/ev/car/{world.car.pk}/change/",
        "/admin/ev/vendoraccount/",
        f"/admin/ev/vendoraccount/{VendorAccount.objects.get().pk}/change/",
    ]
    for page in pages:
        response = admin_client.get(page)
        assert response.status_code == 200, page
        body = response.content.decode()
        assert "hemmelig" not in body and "tok-SECRET" not in body and "gAAAAA" not in body, page
    schedule = admin_client.get(f"/admin/ev/evchargingrequest/{world.request.pk}/change/").content.decode()
    assert str(world.request.slots.first().energy_kwh) in schedule
