"""manage.py seed_demo: deterministic, idempotent, --json for scripts."""

import io
import json

import pytest
from django.core.management import call_command

from apps.customers.models import Contract, Customer, CustomerAccess, DeliveryPoint, Meter, User
from esmart.api.area import Area

pytestmark = pytest.mark.django_db(transaction=False)

MODELS = [User, Customer, CustomerAccess, Contract, DeliveryPoint, Meter]


def seed(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("seed_demo", "--days", "2", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def snapshot():
    return {model.__name__: sorted(model.objects.values_list("pk", flat=True)) for model in MODELS}


def test_creates_the_demo_logins_with_power_and_net_customers():
    out, _ = seed()
    assert "demo1 / demo1-password" in out and "admin / admin-password" in out
    # the other apps' logins too (their demo.py LOGINS), each of which can log in
    for username in ("grid1", "nurse1", "nurse2", "kin1"):
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


def test_json_describes_logins_and_ids():
    out, err = seed("--json")
    data = json.loads(out)  # stdout is one JSON document; progress went to stderr
    assert "Seeding" in err
    users = {u["UserName"]: u for u in data["Users"]}
    assert set(users) == {"demo1", "demo2"}
    demo1 = users["demo1"]
    assert demo1["Password"] == "demo1-password"
    assert demo1["UserId"] == User.objects.get(username="demo1").pk
    assert {c["Area"] for c in demo1["Customers"]} == {1, 2}
    contract = demo1["Customers"][0]["Contracts"][0]
    assert set(contract) == {"ContractNo", "MeterIds", "DeliveryPointIds"}
    assert Meter.objects.filter(meter_id__in=contract["MeterIds"]).count() == len(contract["MeterIds"]) > 0


def test_bench_sizing_creates_customers_with_meters():
    _, _ = seed("--customers", "30", "--meters", "3")
    bench = User.objects.get(username="bench")
    assert bench.customers.count() == 30
    assert Meter.objects.filter(delivery_point__contract__customer__accesses__user=bench).count() == 90


def test_new_rows_after_seeding_get_fresh_ids(owner):
    seed()
    created = Customer.objects.create(area=Area.POWER)
    assert created.pk > 100004
