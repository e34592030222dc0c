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
