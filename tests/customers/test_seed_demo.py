"""manage.py seed_demo: deterministic, idempotent, --today for a fixed history, --json listing
every seeded login with its role and the ids to try it with."""

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Max, Min
from django.test import Client
from rest_framework.test import APIClient

from apps.assets.graph import demo as assets_demo
from apps.assets.models import Participant, ParticipantTopNode
from apps.assignments import demo as assignments_demo
from apps.assignments.models import CareTeam, NextOfKin
from apps.assignments.models import Client as CareClient
from apps.customers.demo import DEMO_TIME_ZONE, demo_now
from apps.customers.models import Contract, Customer, CustomerAccess, DeliveryPoint, Meter, User
from apps.flex.models import ControlPlan
from apps.metering.models import MeterDay
from apps.notifications.models import CustomerMessage
from apps.pricing.models import SpotPriceDay
from esmart.api.area import Area
from tests.conftest import basic
from tests.metering.helpers import stored_values

pytestmark = pytest.mark.django_db(transaction=False)

MODELS = [User, Customer, CustomerAccess, Contract, DeliveryPoint, Meter, Participant, CareTeam, CareClient]
# Not the test clock's day (tests/clock.py): the seeded history follows --today, not the clock.
TODAY = dt.date(2024, 11, 5)
ROLES = {"customer", "staff", "professional", "care staff", "next of kin"}


def seed(*args, today=TODAY, days=2):
    out, err = io.StringIO(), io.StringIO()
    call_command("seed_demo", "--days", str(days), "--today", today.isoformat(), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def snapshot():
    return {model.__name__: sorted(model.objects.values_list("pk", flat=True)) for model in MODELS}


def login(username, password=None):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=basic(username, password or f"{username}-password"))
    return api


@pytest.fixture
def at_the_seeded_day(time_machine):
    """The clock at seed_demo's now for TODAY, so what the API compares with now (an invitation's
    expiry) sees the seeded world as it was seeded."""
    time_machine.move_to(demo_now(TODAY), tick=True)


def test_creates_the_demo_logins_with_power_and_net_customers():
    out, _ = seed()
    assert "demo1 / demo1-password" in out and "admin / admin-password" in out
    # the other apps' logins too (their demo.py LOGINS), each of which can log in
    for username in ("grid1", "grid2", "nurse1", "nurse2", "nurse3", "kin1", "kin2"):
        assert f"{username} / {username}-password" in out
        assert User.objects.get(username=username).check_password(f"{username}-password")
    for username in ("demo1", "demo2"):
        user = User.objects.get(username=username)
        assert user.check_password(f"{username}-password")
        areas = sorted(user.customers.values_list("area", flat=True))
        assert areas == [Area.NET, Area.POWER]
        for customer in user.customers.all():
            assert customer.contracts.count() >= 1
            assert Meter.objects.filter(delivery_point__contract__customer=customer).exists()
    assert User.objects.get(username="admin").is_staff


def test_is_idempotent_and_deterministic():
    seed()
    first = snapshot()
    customer = Customer.objects.get(pk=100001)
    seed()
    assert snapshot() == first
    assert Customer.objects.get(pk=100001).email == customer.email


def test_a_database_seeded_before_the_second_tenants_gets_them_and_keeps_its_rows(monkeypatch):
    with monkeypatch.context() as m:  # the demo as it was: one grid company, one care team
        m.setattr(assets_demo, "SECOND_COMPANIES", [])
        m.setattr(assignments_demo, "TEAMS", assignments_demo.TEAMS[:1])
        seed()
    assert not User.objects.filter(username__in=["grid2", "nurse3"]).exists()
    before = snapshot()

    seed()
    after = snapshot()
    assert all(set(before[name]) <= set(after[name]) for name in before)  # nothing replaced
    assert Participant.objects.filter(name="Nordlys Nett AS", users__username="grid2").exists()
    assert CareClient.objects.filter(team__name="Hjemmetjenesten Nord", team__members__username="nurse3").exists()
    seed()
    assert snapshot() == after


@pytest.mark.parametrize("today", [dt.date(2024, 11, 5), dt.date(2025, 6, 20)])
def test_the_history_ends_on_the_day_given_as_today(today):
    out, _ = seed("--json", today=today, days=3)
    assert json.loads(out)["Today"] == today.isoformat()

    def local_day(moment):
        return moment.astimezone(DEMO_TIME_ZONE).date()

    tomorrow = today + dt.timedelta(days=1)
    # Consumption up to the seeding hour (12:00 in Oslo that day), back `--days` days.
    stored = stored_values()
    assert max(stored) == demo_now(today) - dt.timedelta(hours=1)
    assert local_day(min(stored)) == today - dt.timedelta(days=3)
    assert MeterDay.objects.aggregate(first=Min("day"), last=Max("day")) == {
        "first": today - dt.timedelta(days=3),
        "last": today,
    }
    # Spot prices to tomorrow, flex plans for today and tomorrow, messages sent that day.
    assert SpotPriceDay.objects.aggregate(last=Max("delivery_date"))["last"] == tomorrow
    assert local_day(ControlPlan.objects.aggregate(last=Max("start_at"))["last"]) == tomorrow
    assert local_day(CustomerMessage.objects.aggregate(last=Max("sent_at"))["last"]) == today


@pytest.mark.parametrize("value", ["2025-02-30", "yesterday", "20250115", "2025-1-5", ""])
def test_a_bad_today_is_refused_before_anything_is_written(value):
    with pytest.raises(CommandError, match="--today must be a date written YYYY-MM-DD"):
        call_command("seed_demo", "--today", value, stdout=io.StringIO(), stderr=io.StringIO())
    assert not User.objects.exists()


def test_json_lists_every_seeded_login_with_its_role_and_ids_that_work(at_the_seeded_day):
    out, err = seed("--json")
    data = json.loads(out)  # stdout is one JSON document; progress went to stderr
    assert "Seeding" in err
    users = {u["UserName"]: u for u in data["Users"]}
    assert set(users) == set(User.objects.values_list("username", flat=True))  # every login seed_demo made
    for name, entry in users.items():
        assert entry["Role"] in ROLES and entry["What"], name
        assert entry["UserId"] == User.objects.get(username=name).pk
        assert User.objects.get(username=name).check_password(entry["Password"]), name
    by_role = {role: [u for u in users.values() if u["Role"] == role] for role in ROLES}
    assert {u["UserName"] for u in by_role["professional"]} == {"grid1", "grid2"}
    assert {u["UserName"] for u in by_role["care staff"]} == {"nurse1", "nurse2", "nurse3"}
    assert {u["UserName"] for u in by_role["next of kin"]} == {"kin1", "kin2"}
    assert [u["UserName"] for u in by_role["staff"]] == ["admin"]

    for entry in by_role["customer"]:  # each customer, in its area
        api = login(entry["UserName"])
        assert {c["Area"] for c in entry["Customers"]} == {1, 2}
        for customer in entry["Customers"]:
            got = api.get(f"/api/customers/{customer['CustomerId']}", HTTP_X_AREA=str(customer["Area"]))
            assert got.status_code == 200, (entry["UserName"], customer)
            meter_ids = [m for c in customer["Contracts"] for m in c["MeterIds"]]
            assert Meter.objects.filter(meter_id__in=meter_ids).count() == len(meter_ids) > 0
    for entry in by_role["professional"]:  # their top nodes, as the API lists them, and each node
        api = login(entry["UserName"])
        (company,) = entry["GridCompanies"]
        listed = api.get(f"/api/Users/{entry['UserId']}/topnodes")
        assert listed.status_code == 200
        tops = [t["AssetId"] for t in company["TopNodes"]]
        assert tops and set(tops) <= set(ParticipantTopNode.objects.values_list("asset_id", flat=True))
        for asset_id in tops:
            assert api.get(f"/api/assetinfo/{asset_id}").status_code == 200, (entry["UserName"], asset_id)
    for entry in by_role["care staff"]:
        api = login(entry["UserName"])
        (team,) = entry["CareTeams"]
        assert team["Clients"]
        for client in team["Clients"]:
            assert api.get(f"/api/clients/{client['ClientId']}/assignments").status_code == 200
    kin1 = users["kin1"]
    (link,) = kin1["NextOfKin"]
    assert login("kin1").get(f"/api/nextofkin/{link['NextOfKinId']}/terms").json()["Accepted"] is True
    # kin2 claims Knut Berg with the listed code: then kin2 is his login.
    kin2 = users["kin2"]
    assert kin2["NextOfKin"] == []
    (invitation,) = kin2["Invitations"]
    claimed = login("kin2").get(f"/api/nextofkin/{invitation['NextOfKinId']}/usercode/{invitation['Code']}")
    assert claimed.status_code == 200, claimed.content
    assert NextOfKin.objects.get(pk=invitation["NextOfKinId"]).user.username == "kin2"
    # admin logs in to the admin site.
    browser = Client()
    assert browser.login(username="admin", password=users["admin"]["Password"])
    assert browser.get("/admin/").status_code == 200


def test_bench_sizing_creates_customers_with_meters():
    out, _ = seed("--customers", "30", "--meters", "3", "--json")
    bench = User.objects.get(username="bench")
    assert bench.customers.count() == 30
    assert Meter.objects.filter(delivery_point__contract__customer__accesses__user=bench).count() == 90
    (listed,) = [u for u in json.loads(out)["Users"] if u["UserName"] == "bench"]
    assert listed["Role"] == "customer" and len(listed["Customers"]) == 30


def test_new_rows_after_seeding_get_fresh_ids(owner):
    seed()
    created = Customer.objects.create(area=Area.POWER)
    assert created.pk > 100004
