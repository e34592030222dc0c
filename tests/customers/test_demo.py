"""seed_demo's customers part adds apps, terms, app configs, associations, devices and feedback, idempotently."""

import pytest

from apps.customers import demo
from apps.customers.models import (
    App,
    AppConfigParameter,
    CustomerAssociation,
    Device,
    Feedback,
    TermsVersion,
)

pytestmark = pytest.mark.django_db

MODELS = [App, AppConfigParameter, TermsVersion, CustomerAssociation, Device, Feedback]


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def test_seed_adds_terms_configs_and_feedback_and_is_idempotent():
    demo.seed()
    first = counts()
    assert all(first.values()), first
    assert Feedback.objects.exclude(answer="").count() == 1
    demo.seed()
    assert counts() == first


def test_seeded_demo_login_sees_its_terms_and_config(client):
    from rest_framework.test import APIClient

    from tests.conftest import basic

    demo.seed()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=basic("demo1", "demo1-password"))
    terms = api.get("/api/customers/100001/apps/smartliv/terms").json()
    assert [(t["TermsType"], t["Version"]) for t in terms["Terms"]] == [(1, 2), (2, 1)]
    config = api.get("/api/appconfigs/smartliv/demo/100").json()
    values = {p["Key"]: p["Value"] for p in config["Parameters"]}
    assert values["theme"] == "demo-green" and values["show_spot_prices"] == "false"
    associates = api.get("/api/customers/100001/associates").json()
    assert [a["CustomerId"] for a in associates] == [100002]


def test_demo_delivery_points_carry_their_municipality_and_the_rules_read_it():
    """The municipality, not the zone, decides VAT: demo2's Tromsø household pays none, Oslo's pays 25 %."""
    import datetime as dt

    from apps.customers.models import DeliveryPoint
    from apps.pricing import rates, rules, selectors

    demo.seed()
    points = DeliveryPoint.objects.filter(contract__customer__accesses__user__username__in=["demo1", "demo2"])
    assert points.exists() and not points.filter(municipality_no="").exists()
    by_city = {point.city: point for point in points}
    day = dt.date(2026, 1, 15)

    def vat(point):
        return rules.vat_rate(selectors.consumer_of(contract=point.contract, point=point), day)

    assert vat(by_city["Tromsø"]) == 0
    assert vat(by_city["Kristiansand"]) == rates.rate_on(rates.VAT, day) > 0


def test_seed_fills_a_missing_municipality_of_an_older_demo_database():
    from apps.customers.models import DeliveryPoint

    demo.seed()
    DeliveryPoint.objects.update(municipality_no="")
    demo.seed()
    assert set(DeliveryPoint.objects.values_list("municipality_no", flat=True)) == {"4204", "5001", "5501", "4601"}
