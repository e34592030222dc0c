"""Customer and system feedback, app tracking, and app configuration."""

import datetime as dt

import pytest

from apps.customers.models import AppUsage, ContractProduct, Feedback
from esmart.api.area import Area
from tests.factories import ContractFactory

from .factories import AppConfigParameterFactory, AppFactory

pytestmark = pytest.mark.django_db

FEEDBACK = {"AppName": "smartliv", "AppVersion": "3.2.1", "Platform": "ios", "Rating": 4, "Message": "Nice app."}


# --- customer feedback ----------------------------------------------------------------------


def test_customer_feedback_is_stored(owner):
    response = owner.client().post(f"/api/customers/{owner.customer.pk}/customerfeedback", FEEDBACK, format="json")
    assert response.status_code == 200 and response.content == b""
    (feedback,) = Feedback.objects.all()
    assert (feedback.kind, feedback.customer, feedback.user) == (Feedback.Kind.CUSTOMER, owner.customer, owner.user)
    assert (feedback.rating, feedback.message, feedback.app_version) == (4, "Nice app.", "3.2.1")


def test_customer_feedback_needs_only_a_message(owner):
    url = f"/api/customers/{owner.customer.pk}/customerfeedback"
    assert owner.client().post(url, {"Message": "Hi"}, format="json").status_code == 200
    assert Feedback.objects.get().rating is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**FEEDBACK, "Rating": 0}, "Rating"),
        ({**FEEDBACK, "Rating": 6}, "Rating"),
        ({**FEEDBACK, "Rating": "5.0"}, "Rating"),
        ({**FEEDBACK, "Message": ""}, "Message"),
        ({**FEEDBACK, "Message": "x" * 4001}, "Message"),
        ({**FEEDBACK, "Message": 0}, "Message"),
        ({**FEEDBACK, "AppName": "a" * 51}, "AppName"),
        ({**FEEDBACK, "Subject": "s" * 201}, "Subject"),
        ({"Rating": 3}, "Message"),
    ],
)
def test_bad_customer_feedback_is_400_and_writes_nothing(owner, body, field):
    response = owner.client().post(f"/api/customers/{owner.customer.pk}/customerfeedback", body, format="json")
    assert response.status_code == 400
    assert list(response.json()["ModelState"]) == [field]
    assert Feedback.objects.count() == 0


def test_customer_feedback_for_another_users_customer_is_404(owner, other):
    response = owner.client().post(f"/api/customers/{other.customer.pk}/customerfeedback", FEEDBACK, format="json")
    assert response.status_code == 404
    assert Feedback.objects.count() == 0


def test_customer_feedback_needs_credentials(owner, anonymous):
    url = f"/api/customers/{owner.customer.pk}/customerfeedback"
    assert anonymous.post(url, FEEDBACK, format="json").status_code == 401
    assert owner.client().post(url, FEEDBACK, format="json", HTTP_X_AREA="0").status_code == 400
    assert Feedback.objects.count() == 0


# --- system feedback ------------------------------------------------------------------------


def test_system_feedback_is_stored_with_or_without_a_customer(owner):
    client = owner.client()
    assert client.post("/api/customersystemfeedback", FEEDBACK, format="json").status_code == 200
    with_customer = {**FEEDBACK, "CustomerId": owner.net_customer.pk}  # any of the user's customers, any area
    assert client.post("/api/customersystemfeedback", with_customer, format="json").status_code == 200
    assert list(Feedback.objects.order_by("id").values_list("kind", "customer_id", "user_id")) == [
        (Feedback.Kind.SYSTEM, None, owner.user.pk),
        (Feedback.Kind.SYSTEM, owner.net_customer.pk, owner.user.pk),
    ]


def test_system_feedback_about_another_users_customer_is_404(owner, other):
    body = {**FEEDBACK, "CustomerId": other.customer.pk}
    assert owner.client().post("/api/customersystemfeedback", body, format="json").status_code == 404
    assert Feedback.objects.count() == 0


@pytest.mark.parametrize("body", [{**FEEDBACK, "Rating": 9}, {**FEEDBACK, "CustomerId": "x"}, {"AppName": "smartliv"}])
def test_bad_system_feedback_is_400_and_writes_nothing(owner, body):
    assert owner.client().post("/api/customersystemfeedback", body, format="json").status_code == 400
    assert Feedback.objects.count() == 0


def test_system_feedback_needs_credentials(anonymous, db):
    assert anonymous.post("/api/customersystemfeedback", FEEDBACK, format="json").status_code == 401
    assert Feedback.objects.count() == 0


# --- tracking -------------------------------------------------------------------------------


@pytest.fixture
def smartliv(db):
    return AppFactory(short_name="smartliv", product_code="SMARTLIV")


def test_tracking_adds_the_apps_product_to_each_current_contract_once(owner, smartliv):
    second = ContractFactory(customer=owner.customer)
    ended = ContractFactory(customer=owner.customer, start_date=dt.date(2018, 1, 1), end_date=dt.date(2019, 1, 1))
    url = f"/api/customers/{owner.customer.pk}/tracking"
    client = owner.client()
    response = client.post(url, {"AppName": "SmartLiv", "Event": "LoggedIn"}, format="json")
    assert response.status_code == 200 and response.content == b""
    products = set(ContractProduct.objects.values_list("contract_id", "product_code", "added_by"))
    assert products == {(owner.contract.pk, "SMARTLIV", owner.user.pk), (second.pk, "SMARTLIV", owner.user.pk)}
    assert not ContractProduct.objects.filter(contract=ended).exists()
    usage = AppUsage.objects.get()
    assert (usage.user, usage.customer, usage.app, usage.first_event) == (
        owner.user,
        owner.customer,
        smartliv,
        "LoggedIn",
    )
    # Repeating changes nothing.
    before = list(ContractProduct.objects.values_list("pk", "added_at")), list(AppUsage.objects.values())
    assert client.post(url, {"AppName": "smartliv", "Event": "Opened"}, format="json").status_code == 200
    assert (list(ContractProduct.objects.values_list("pk", "added_at")), list(AppUsage.objects.values())) == before
    # The Net customer's contracts are not touched by a Power customer's tracking.
    assert not ContractProduct.objects.filter(contract__customer=owner.net_customer).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"AppName": "unknown", "Event": "LoggedIn"}, "AppName"),
        ({"Event": "LoggedIn"}, "AppName"),
        ({"AppName": "smartliv"}, "Event"),
        ({"AppName": "smartliv", "Event": ""}, "Event"),
        ({"AppName": "smartliv", "Event": "e" * 51}, "Event"),
        ({"AppName": 7, "Event": "LoggedIn"}, "AppName"),
    ],
)
def test_bad_tracking_is_400_and_writes_nothing(owner, smartliv, body, field):
    response = owner.client().post(f"/api/customers/{owner.customer.pk}/tracking", body, format="json")
    assert response.status_code == 400
    assert list(response.json()["ModelState"]) == [field]
    assert not AppUsage.objects.exists() and not ContractProduct.objects.exists()


def test_tracking_for_another_users_customer_is_404(owner, other, smartliv):
    body = {"AppName": "smartliv", "Event": "LoggedIn"}
    assert owner.client().post(f"/api/customers/{other.customer.pk}/tracking", body, format="json").status_code == 404
    assert not AppUsage.objects.exists() and not ContractProduct.objects.exists()


def test_tracking_needs_credentials(owner, anonymous, smartliv):
    body = {"AppName": "smartliv", "Event": "LoggedIn"}
    assert anonymous.post(f"/api/customers/{owner.customer.pk}/tracking", body, format="json").status_code == 401
    net = owner.client(Area.NET).post(f"/api/customers/{owner.customer.pk}/tracking", body, format="json")
    assert net.status_code == 404
    assert not AppUsage.objects.exists()


def test_tracking_runs_a_constant_number_of_queries(owner, smartliv, django_assert_num_queries):
    url = f"/api/customers/{owner.customer.pk}/tracking"
    client = owner.client()
    client.get(f"/api/customers/{owner.customer.pk}")  # warm the credential cache
    body = {"AppName": "smartliv", "Event": "LoggedIn"}
    with django_assert_num_queries(11):
        client.post(url, body, format="json")
    for _ in range(5):
        ContractFactory(customer=owner.customer)
    AppUsage.objects.all().delete()
    with django_assert_num_queries(11):
        client.post(url, body, format="json")
    assert ContractProduct.objects.count() == 6


# --- app configuration ----------------------------------------------------------------------


@pytest.fixture
def configured(db):
    app = AppFactory(short_name="smartliv")
    for company, build, key, value in [
        ("", "", "theme", "default"),
        ("", "", "support_phone", "12345678"),
        ("", "", "feature_x", "off"),
        ("lyse", "", "theme", "lyse"),
        ("lyse", "", "feature_x", "beta"),
        ("", "200", "feature_x", "on"),
        ("lyse", "200", "support_phone", "87654321"),
        ("tafjord", "", "theme", "tafjord"),
    ]:
        AppConfigParameterFactory(app=app, company_short_name=company, build=build, key=key, value=value)
    return app


def config(client, company, build, app="smartliv"):
    response = client.get(f"/api/appconfigs/{app}/{company}/{build}")
    assert response.status_code == 200
    body = response.json()
    return {p["Key"]: p["Value"] for p in body["Parameters"]}, body


def test_app_config_most_specific_value_wins(owner, configured):
    client = owner.client()
    values, body = config(client, "Lyse", "200")
    assert values == {"feature_x": "on", "support_phone": "87654321", "theme": "lyse"}
    assert (body["AppShortName"], body["CompanyShortName"], body["Build"]) == ("smartliv", "Lyse", "200")
    assert [p["Key"] for p in body["Parameters"]] == ["feature_x", "support_phone", "theme"]
    assert config(client, "lyse", "199")[0] == {"feature_x": "beta", "support_phone": "12345678", "theme": "lyse"}
    assert config(client, "other", "200")[0] == {"feature_x": "on", "support_phone": "12345678", "theme": "default"}
    assert config(client, "other", "1", app="SMARTLIV")[0] == {
        "feature_x": "off",
        "support_phone": "12345678",
        "theme": "default",
    }


def test_app_without_parameters_answers_an_empty_list(owner):
    AppFactory(short_name="rknett")
    assert config(owner.client(), "any", "1", app="rknett")[0] == {}


def test_unknown_app_config_is_404(owner, configured):
    assert owner.client().get("/api/appconfigs/nosuchapp/lyse/200").status_code == 404


def test_app_config_needs_credentials(anonymous, configured):
    assert anonymous.get("/api/appconfigs/smartliv/lyse/200").status_code == 401


def test_app_config_runs_a_constant_number_of_queries(owner, configured, django_assert_num_queries):
    client = owner.client()
    client.get("/api/appconfigs/smartliv/lyse/200")
    with django_assert_num_queries(2):
        client.get("/api/appconfigs/smartliv/lyse/200")
    for n in range(10):
        AppConfigParameterFactory(app=configured, key=f"extra{n}", build="200")
    with django_assert_num_queries(2):
        assert len(config(client, "lyse", "200")[0]) == 13
