"""EULA and terms per app: GET/POST .../eula, GET/POST .../terms, PATCH .../resetterms."""

import pytest

from apps.customers.models import TermsAcceptance, TermsType
from esmart.api.area import Area
from tests.factories import DeliveryPointFactory, MeterFactory

from .factories import AppFactory, TermsVersionFactory

pytestmark = pytest.mark.django_db


def url(owner_or_id, app="smartliv", what="terms"):
    customer_id = getattr(getattr(owner_or_id, "customer", None), "pk", owner_or_id)
    return f"/api/customers/{customer_id}/apps/{app}/{what}"


# --- EULA -----------------------------------------------------------------------------------


def test_eula_is_false_until_accepted_for_every_meter_then_true(owner, app):
    second = MeterFactory(delivery_point=DeliveryPointFactory(contract=owner.contract))
    client = owner.client()
    assert client.get(url(owner, what="eula")).json() is False
    response = client.post(url(owner, what="eula"))
    assert response.status_code == 200 and response.content == b""
    assert client.get(url(owner, what="eula")).json() is True
    accepted = TermsAcceptance.objects.filter(customer=owner.customer, terms_version__terms_type=TermsType.EULA)
    assert sorted(accepted.values_list("meter_id", flat=True)) == sorted([owner.meter.pk, second.pk])
    assert set(accepted.values_list("accepted_by", flat=True)) == {owner.user.pk}
    # A meter added later has no acceptance yet.
    MeterFactory(delivery_point=owner.delivery_point)
    assert client.get(url(owner, what="eula")).json() is False


def test_eula_post_is_idempotent(owner, app):
    client = owner.client()
    client.post(url(owner, what="eula"))
    client.post(url(owner, what="eula"))
    assert TermsAcceptance.objects.filter(customer=owner.customer).count() == 1


def test_a_new_eula_version_makes_the_acceptance_stale(owner, app):
    client = owner.client()
    client.post(url(owner, what="eula"))
    TermsVersionFactory(app=app, terms_type=TermsType.EULA, version=2)
    assert client.get(url(owner, what="eula")).json() is False


def test_app_names_match_in_any_case_and_unknown_apps_are_404(owner, app):
    client = owner.client()
    assert client.get(url(owner, app="SmartLiv", what="eula")).status_code == 200
    response = client.post(url(owner, app="nosuchapp", what="eula"))
    assert response.status_code == 404
    assert TermsAcceptance.objects.count() == 0


# --- terms (version 2) ----------------------------------------------------------------------


def test_terms_list_each_type_with_its_current_version(owner, app):
    TermsVersionFactory(app=app, terms_type=TermsType.GENERAL, version=2, title="General v2")
    body = owner.client().get(url(owner)).json()
    assert body["Accepted"] is False
    assert [(t["TermsType"], t["Version"], t["Accepted"]) for t in body["Terms"]] == [(1, 2, False), (2, 1, False)]
    assert body["Terms"][0]["Title"] == "General v2"
    assert body["Terms"][0]["AcceptedAt"] is None and body["Terms"][0]["AcceptedBy"] is None


def test_accepting_terms_records_who_when_and_which_version(owner, app):
    client = owner.client()
    response = client.post(url(owner), {"AcceptGeneralTerms": True, "AcceptAdditionalTerms": False}, format="json")
    assert response.status_code == 200 and response.content == b""
    (acceptance,) = TermsAcceptance.objects.filter(customer=owner.customer)
    assert acceptance.accepted_by == owner.user
    assert (acceptance.terms_version.terms_type, acceptance.terms_version.version) == (TermsType.GENERAL, 1)
    assert acceptance.meter is None and acceptance.reset_at is None
    body = client.get(url(owner)).json()
    assert [t["Accepted"] for t in body["Terms"]] == [True, False] and body["Accepted"] is False
    assert body["Terms"][0]["AcceptedBy"] == owner.user.username
    assert body["Terms"][0]["AcceptedAt"] == acceptance.accepted_at.strftime("%Y-%m-%dT%H:%M:%S")

    client.post(url(owner), {"AcceptGeneralTerms": True, "AcceptAdditionalTerms": True}, format="json")
    assert TermsAcceptance.objects.filter(customer=owner.customer).count() == 2  # general not recorded twice
    assert client.get(url(owner)).json()["Accepted"] is True


def test_a_new_terms_version_makes_earlier_acceptances_stale(owner, app):
    client = owner.client()
    client.post(url(owner), {"AcceptGeneralTerms": True, "AcceptAdditionalTerms": True}, format="json")
    TermsVersionFactory(app=app, terms_type=TermsType.ADDITIONAL, version=2)
    body = client.get(url(owner)).json()
    assert [(t["Version"], t["Accepted"]) for t in body["Terms"]] == [(1, True), (2, False)]
    client.post(url(owner), {"AcceptAdditionalTerms": True}, format="json")
    assert client.get(url(owner)).json()["Accepted"] is True


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"AcceptGeneralTerms": False, "AcceptAdditionalTerms": False},
        {"AcceptGeneralTerms": "yes"},
        {"AcceptGeneralTerms": 1},
    ],
)
def test_bad_terms_request_is_400_and_writes_nothing(owner, app, body):
    response = owner.client().post(url(owner), body, format="json")
    assert response.status_code == 400
    assert TermsAcceptance.objects.count() == 0


def test_accepting_terms_the_app_does_not_have_is_400_naming_them(owner):
    app = AppFactory(short_name="rknett")
    TermsVersionFactory(app=app, terms_type=TermsType.GENERAL)
    response = owner.client().post(
        url(owner, app="rknett"), {"AcceptGeneralTerms": True, "AcceptAdditionalTerms": True}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["ModelState"]) == ["AcceptAdditionalTerms"]
    assert TermsAcceptance.objects.count() == 0


def test_terms_are_per_customer_and_area(owner, app):
    owner.client().post(url(owner), {"AcceptGeneralTerms": True}, format="json")
    net = owner.client(Area.NET).get(url(owner.net_customer.pk)).json()
    assert net["Terms"][0]["Accepted"] is False


# --- reset ----------------------------------------------------------------------------------


def test_resetterms_makes_acceptances_stale_but_keeps_them(owner, app):
    client = owner.client()
    client.post(url(owner), {"AcceptGeneralTerms": True, "AcceptAdditionalTerms": True}, format="json")
    client.post(url(owner, what="eula"))
    other_app = AppFactory(short_name="rknett")
    TermsVersionFactory(app=other_app)
    client.post(url(owner, app="rknett"), {"AcceptGeneralTerms": True}, format="json")

    response = client.patch(url(owner, what="resetterms"))
    assert response.status_code == 200 and response.content == b""
    assert client.get(url(owner)).json()["Accepted"] is False
    assert client.get(url(owner, what="eula")).json() is False
    assert TermsAcceptance.objects.filter(reset_at__isnull=False, reset_by=owner.user).count() == 3
    # Another app's acceptance is untouched.
    assert client.get(url(owner, app="rknett")).json()["Accepted"] is True
    # Accepting again works after a reset.
    client.post(url(owner), {"AcceptGeneralTerms": True, "AcceptAdditionalTerms": True}, format="json")
    assert client.get(url(owner)).json()["Accepted"] is True


# --- tenancy, credentials, queries ----------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "what"),
    [("get", "eula"), ("post", "eula"), ("get", "terms"), ("post", "terms"), ("patch", "resetterms")],
)
def test_another_users_customer_is_404_and_nothing_is_written(owner, other, app, method, what):
    other.client().post(url(other), {"AcceptGeneralTerms": True}, format="json")
    before = list(TermsAcceptance.objects.values_list("pk", "reset_at"))
    response = getattr(owner.client(), method)(url(other, what=what), {"AcceptGeneralTerms": True}, format="json")
    assert response.status_code == 404
    assert list(TermsAcceptance.objects.values_list("pk", "reset_at")) == before


@pytest.mark.parametrize(
    ("method", "what"),
    [("get", "eula"), ("post", "eula"), ("get", "terms"), ("post", "terms"), ("patch", "resetterms")],
)
def test_no_credentials_is_401_and_a_bad_area_400(owner, anonymous, app, method, what):
    assert getattr(anonymous, method)(url(owner, what=what), {}, format="json").status_code == 401
    response = getattr(owner.client(), method)(
        url(owner, what=what), {"AcceptGeneralTerms": True}, format="json", HTTP_X_AREA="9"
    )
    assert response.status_code == 400
    assert TermsAcceptance.objects.count() == 0


def test_eula_and_terms_run_a_constant_number_of_queries(owner, app, django_assert_num_queries):
    client = owner.client()
    client.get(url(owner, what="eula"))
    client.get(url(owner))
    with django_assert_num_queries(5):
        client.get(url(owner, what="eula"))
    with django_assert_num_queries(5):
        client.get(url(owner))
    for _ in range(5):
        MeterFactory(delivery_point=DeliveryPointFactory(contract=owner.contract))
    client.post(url(owner, what="eula"))
    client.post(url(owner), {"AcceptGeneralTerms": True, "AcceptAdditionalTerms": True}, format="json")
    with django_assert_num_queries(5):
        assert client.get(url(owner, what="eula")).json() is True
    with django_assert_num_queries(5):
        assert client.get(url(owner)).json()["Accepted"] is True
