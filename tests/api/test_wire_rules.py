"""The input and output rules of DESIGN.md §4 (issue 9), each on a route of every app.

Each rule is one table, `{app: case}`, and one test parametrized over it; a case is
`case(owner)`: it builds what its route needs, makes the call and asserts what the rule means
there. `test_every_app_has_a_row_for_every_rule` fails when an app in INSTALLED_APPS has no row
in a table, so a new app is checked by the same tests as soon as it is installed. An app that
has no input of a rule's kind says so with `absent(...)`, and the schema is checked to agree.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import orjson
import pytest
from django.conf import settings
from django.utils import timezone

from apps.assets.models import Asset, AssetRelation
from apps.assignments.models import NextOfKinTermsAcceptance
from apps.customers.models import App, Customer, TermsAcceptance, TermsType
from apps.ev.models import Car
from apps.flex.models import SiteSettings
from apps.metering.models import MeterSettings
from apps.metering.services import record_reading
from apps.notifications.models import CustomerMessage, MessageState, PushRegistration
from apps.pricing.adapters.base import market_day_bounds
from apps.pricing.models import PricePlan
from tests.assets import graph_world
from tests.assignments.conftest import client_for, make_team
from tests.assignments.factories import CareTermsFactory, NextOfKinFactory
from tests.clock import TEST_NOW
from tests.customers.factories import AppFactory, TermsVersionFactory
from tests.ev import world as ev_world
from tests.factories import PASSWORD, UserFactory
from tests.flex import world as flex_world
from tests.metering.factories import MeterSettingsFactory
from tests.notifications.factories import CustomerMessageFactory
from tests.pricing.conftest import source  # noqa: F401  (the pricing app's spot-price source fixture)
from tests.pricing.factories import PricePlanFactory

pytestmark = pytest.mark.django_db

OCTOBER = {"FromTime": "2025-09-30T22:00:00", "ToTime": "2025-10-31T23:00:00"}
SERIES = {"FromTime": "2025-03-29T23:00:00", "ToTime": "2025-03-30T22:00:00"}
WIRE_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")
MEDIA_ACCEPTS = [
    "text/json",
    "text/html",
    "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "application/xml",
]


def send(client, method, url, body, content_type="application/json"):
    return client.generic(method, url, orjson.dumps(body), content_type=content_type)


def ok(response):
    assert response.status_code == 200, response.content
    return response.json() if response.content else None


def days_ago(n):
    return TEST_NOW.date() - dt.timedelta(days=n)


class absent:  # noqa: N801  (reads as a row of the table)
    """A row for an app that has no input of the rule's kind: the schema must agree (`check`)."""

    def __init__(self, reason: str, check):
        self.reason, self.check = reason, check


# --- routes of each app -----------------------------------------------------------------------------


def customer_url(owner):
    return f"/api/customers/{owner.customer.pk}"


def meter_url(owner, tail):
    contract = f"/api/customers/{owner.customer.pk}/contracts/{owner.contract.contract_no}"
    return f"{contract}/meters/{owner.meter.meter_id}/{tail}"


def readings_url(owner):
    return f"/api/customers/{owner.customer.pk}/deliverypoints/{owner.delivery_point.pk}/readings"


def overview_url(owner):
    return f"/api/customers/{owner.customer.pk}/contracts/{owner.contract.contract_no}/expenseoverview"


def priced(owner):
    PricePlanFactory(
        contract=owner.contract, product_type=PricePlan.ProductType.Fixed, fixed_price_nok_per_kwh=Decimal("1.00")
    )
    return owner


def facility(owner, **properties):
    """POST api/Facilities with one facility under the owner's building; (response, building)."""
    building = graph_world.build(owner).building
    return send(owner.client(), "POST", "/api/Facilities", [{"ParentId": building.pk, **properties}]), building


def site_settings_url(owner):
    flex_world.build(owner)
    return f"/api/demandandcontrol/customers/{owner.customer.pk}/sites/{owner.delivery_point.pk}/settings"


def baseline_url(owner):
    return f"/api/baseline/{flex_world.build(owner).device.asset_id}"


def plans_url(owner):
    w = flex_world.build(owner)
    return f"/api/customers/{owner.customer.pk}/devices/{w.device.pk}/controlplans"


def message(owner, **fields):
    return CustomerMessageFactory(customer=owner.customer, text="t", sent_at=timezone.now(), **fields)


def message_url(owner, msg):
    return f"/api/customers/{owner.customer.pk}/messages/{msg.pk}"


def app_registration(owner):
    App.objects.get_or_create(short_name="smartliv", defaults={"name": "Smartliv"})
    registration = ok(owner.client().post("/api/apps/smartliv/push"))["RegistrationId"]
    return f"/api/apps/smartliv/push/{registration}", registration


def car_url(owner, car):
    return f"/api/evinfo/customers/{owner.customer.pk}/cars/{car.row_key}"


def ev_car(owner):
    return ev_world.build(owner, with_request=False).car


def action_url(care, action="accept"):
    return f"/api/assignments/{care.assignment.pk}/action/{action}"


def kin_with_login():
    care = make_team()
    CareTermsFactory(version=1)
    user = UserFactory()
    return NextOfKinFactory(client=care.client, user=user), client_for(user)


# --- property names match in any case ------------------------------------------------------------


def customers_any_case(owner):
    ok(send(owner.client(), "PATCH", customer_url(owner), {"Phonenumber": "98765432", "eMAIL": "kari@example.no"}))
    customer = Customer.objects.get(pk=owner.customer.pk)
    assert (customer.phone_number, customer.email) == ("98765432", "kari@example.no")
    login = {"username": owner.user.username, "PASSWORD": PASSWORD, "area": 2}
    assert ok(send(owner.client(), "POST", "/api/Authenticate", login))["CustomerIds"] == [owner.customer.pk]


def metering_any_case(owner):
    ok(send(owner.client(), "POST", meter_url(owner, "settings/building"), {"name": "Hytta", "BUILDINGYEAR": 1990}))
    settings_ = MeterSettings.objects.get(meter=owner.meter)
    assert (settings_.name, settings_.building_year) == ("Hytta", 1990)


def pricing_any_case(owner):
    body = {"fromtime": OCTOBER["FromTime"], "TOTIME": OCTOBER["ToTime"]}
    assert ok(send(priced(owner).client(), "POST", overview_url(owner), body))["Months"][0]["ValueTime"] == (
        "2025-09-30T22:00:00"
    )


def assets_any_case(owner):
    response, _ = facility(owner, nAME="Bakeri")
    assert [node["Name"] for node in ok(response)] == ["Bakeri"]


def flex_any_case(owner):
    device = flex_world.build(owner).device
    body = {"thresholdkw": 7, "DEVICEORDER": [device.pk]}
    assert ok(send(owner.client(), "POST", site_settings_url(owner), body))["ThresholdKw"] == 7


def notifications_any_case(owner):
    msg = message(owner)
    ok(send(owner.client(), "PATCH", message_url(owner, msg), {"sTATE": int(MessageState.Read)}))
    assert CustomerMessage.objects.get(pk=msg.pk).state == MessageState.Read


def ev_any_case(owner):
    car = ev_car(owner)
    assert ok(send(owner.client(), "PATCH", car_url(owner, car), {"displayname": "Bilen"}))["DisplayName"] == "Bilen"


def assignments_any_case(owner):
    care = make_team()
    body = ok(send(client_for(care.nurse), "PATCH", action_url(care), {"NOTE": "On my way"}))
    assert body["Log"][-1]["Note"] == "On my way"


ANY_CASE_NAMES = {
    "customers": customers_any_case,
    "metering": metering_any_case,
    "pricing": pricing_any_case,
    "assets": assets_any_case,
    "flex": flex_any_case,
    "notifications": notifications_any_case,
    "ev": ev_any_case,
    "assignments": assignments_any_case,
}


# --- enums by integer or member name ---------------------------------------------------------------


def customers_enum_name(owner):
    login = {"UserName": owner.user.username, "Password": PASSWORD, "Area": "net"}
    assert ok(send(owner.client(), "POST", "/api/Authenticate", login))["CustomerIds"] == [owner.net_customer.pk]


def metering_enum_name(owner):
    body = ok(send(owner.client(), "POST", meter_url(owner, "consumption"), {**SERIES, "Resolution": "Hour"}))
    assert body["Resolution"] == 7 and len(body["Values"]) == 23  # the spring DST day
    compared = send(owner.client(), "POST", meter_url(owner, "comparedwithothers"), {**SERIES, "Resolution": " DAY "})
    assert len(ok(compared)["MeterAverage"]) == 1


def pricing_enum_name(owner):
    body = ok(send(priced(owner).client(), "POST", meter_url(owner, "costs"), {**OCTOBER, "Resolution": "month"}))
    assert body["Resolution"] == 40 and len(body["Values"]) == 1


def assets_enum_name(owner):
    w = graph_world.build(owner)
    body = {"ParentId": w.meter.pk, "ChildId": w.smart_home_gateway.pk, "RelationshipType": "measures"}
    assert ok(send(owner.client(), "POST", "/api/relation", body))["RelationshipType"] == 10
    assert AssetRelation.objects.filter(parent=w.meter, child=w.smart_home_gateway, relation_type=10).exists()


def flex_enum_name(owner):
    body = ok(send(owner.client(), "POST", baseline_url(owner), {"Method": "HighXOfY", "Days": 10, "HighCount": 3}))
    assert body["Method"] == 2


def notifications_enum_name(owner):
    msg = message(owner)
    assert ok(send(owner.client(), "PATCH", message_url(owner, msg), {"State": "Read"}))["State"] == 2


def assignments_enum_name(owner):
    care = make_team()
    url = f"/api/users/{care.nurse.pk}/assignments"
    assert len(ok(client_for(care.nurse).get(url, {"state": "New"}))) == 1
    assert ok(client_for(care.nurse).get(url, {"state": "Started"})) == []


def no_enum_input(app):
    """The app's request bodies and query parameters take no enum (checked in the schema)."""

    def check(schema):
        components = schema["components"]["schemas"]
        for operation in _operations_of(schema, app):
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query":  # a $ref is a shared header (X-Area)
                    assert "enum" not in parameter["schema"], parameter
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            for name in _components_reached(body, components):
                assert "enum" not in components[name], f"{app} takes the enum {name} in a body"

    return check


ENUM_NAMES = {
    "customers": customers_enum_name,
    "metering": metering_enum_name,
    "pricing": pricing_enum_name,
    "assets": assets_enum_name,
    "flex": flex_enum_name,
    "notifications": notifications_enum_name,
    "ev": absent("no body or query parameter of the ev routes is an enum", no_enum_input("ev")),
    "assignments": assignments_enum_name,
}


# --- null means "not given" (it never clears a stored value) ------------------------------------------


def customers_null(owner):
    Customer.objects.filter(pk=owner.customer.pk).update(email="kari@example.no", phone_number="111")
    body = {"Email": None, "PhoneNumber": None, "MobileNumber": "22"}
    ok(send(owner.client(), "PATCH", customer_url(owner), body))
    customer = Customer.objects.get(pk=owner.customer.pk)
    assert (customer.email, customer.phone_number, customer.mobile_number) == ("kari@example.no", "111", "22")


def metering_null(owner):
    MeterSettingsFactory(meter=owner.meter, name="Hytta", residents=2)
    ok(send(owner.client(), "POST", meter_url(owner, "settings/building"), {"Name": None, "Residents": 3}))
    settings_ = MeterSettings.objects.get(meter=owner.meter)
    assert (settings_.name, settings_.residents) == ("Hytta", 3)


def pricing_null(owner):
    body = {**OCTOBER, "TimeZone": None, "ContractNo": None}
    assert ok(send(priced(owner).client(), "POST", overview_url(owner), body))["TimeZone"] == "Europe/Oslo"


def assets_null(owner):
    response, _ = facility(owner, Name="Bakeri", Description=None, InstallationDate=None, Latitude=None)
    [node] = ok(response)
    created = Asset.objects.get(pk=node["Id"])
    assert (created.description, created.installation_date, created.latitude) == ("", None, None)


def flex_null(owner):
    url = site_settings_url(owner)
    SiteSettings.objects.filter(site=owner.delivery_point).update(hysteresis_kw=Decimal("1.5"))
    device = flex_world.build(owner).device
    body = ok(send(owner.client(), "POST", url, {"ThresholdKw": 6, "HysteresisKw": None, "DeviceOrder": [device.pk]}))
    assert (body["ThresholdKw"], body["HysteresisKw"]) == (6, 1.5)


def notifications_null(owner):
    url, registration = app_registration(owner)
    body = {"Platform": "fcm", "Handle": "h", "Tags": None, "NotificationTemplateVersion": None}
    ok(send(owner.client(), "PUT", url, body))
    assert PushRegistration.objects.get(pk=registration).template_version == 1


def ev_null(owner):
    car = ev_car(owner)
    Car.objects.filter(pk=car.pk).update(display_name="Bilen")
    body = ok(send(owner.client(), "PATCH", car_url(owner, car), {"DisplayName": None, "Model": "Model 3"}))
    assert (body["DisplayName"], body["Model"]) == ("Bilen", "Model 3")


def assignments_null(owner):
    care = make_team()
    body = ok(send(client_for(care.nurse), "PATCH", action_url(care), {"Note": None}))
    assert body["State"] == 2 and body["Log"][-1]["Note"] == ""


NULL_IS_NOT_GIVEN = {
    "customers": customers_null,
    "metering": metering_null,
    "pricing": pricing_null,
    "assets": assets_null,
    "flex": flex_null,
    "notifications": notifications_null,
    "ev": ev_null,
    "assignments": assignments_null,
}


# --- booleans and numbers sent as text ------------------------------------------------------------


def customers_text_values(owner):
    app = AppFactory(short_name="smartliv")
    general = TermsVersionFactory(app=app, terms_type=TermsType.GENERAL, version=1)
    body = {"AcceptGeneralTerms": "true", "AcceptAdditionalTerms": "False"}
    ok(send(owner.client(), "POST", f"{customer_url(owner)}/apps/smartliv/terms", body))
    assert list(TermsAcceptance.objects.filter(customer=owner.customer).values_list("terms_version", flat=True)) == [
        general.pk
    ]


def metering_text_values(owner):
    body = {**SERIES, "Resolution": "7", "IncludeLastYear": "true"}
    assert "LastYear" in ok(send(owner.client(), "POST", meter_url(owner, "consumption"), body))
    ok(send(owner.client(), "POST", meter_url(owner, "settings/building"), {"Residents": "4", "HeatingArea": " 120 "}))
    settings_ = MeterSettings.objects.get(meter=owner.meter)
    assert (settings_.residents, settings_.heating_area) == (4, 120)


def pricing_text_values(owner):
    ok(send(priced(owner).client(), "POST", overview_url(owner), {**OCTOBER, "ContractNo": "12"}))


def assets_text_values(owner):
    building = graph_world.build(owner).building
    response, _ = facility(owner, ParentId=str(building.pk), Name="Bakeri", Latitude="59.9")
    [node] = ok(response)
    assert Asset.objects.get(pk=node["Id"]).latitude == 59.9


def flex_text_values(owner):
    body = ok(send(owner.client(), "POST", baseline_url(owner), {"Method": "2", "Days": "10", "HighCount": " 3 "}))
    assert (body["Days"], body["HighCount"]) == (10, 3)


def notifications_text_values(owner):
    url, registration = app_registration(owner)
    ok(send(owner.client(), "PUT", url, {"Platform": "fcm", "Handle": "h", "NotificationTemplateVersion": "2"}))
    assert PushRegistration.objects.get(pk=registration).template_version == 2


def ev_text_values(owner):
    car = ev_car(owner)
    body = ok(send(owner.client(), "PATCH", car_url(owner, car), {"UseExternalApi": "FALSE"}))
    assert body["UseExternalApi"] is False and Car.objects.get(pk=car.pk).use_external_api is False


def assignments_text_values(owner):
    kin, api = kin_with_login()
    ok(send(api, "POST", f"/api/nextofkin/{kin.pk}/acceptterms", {"Version": "1"}))
    assert NextOfKinTermsAcceptance.objects.filter(next_of_kin=kin, terms__version=1).exists()


TEXT_VALUES = {
    "customers": customers_text_values,
    "metering": metering_text_values,
    "pricing": pricing_text_values,
    "assets": assets_text_values,
    "flex": flex_text_values,
    "notifications": notifications_text_values,
    "ev": ev_text_values,
    "assignments": assignments_text_values,
}


# --- query parameters in any case (bind_query) ---------------------------------------------------------


def customers_query(owner):
    url = f"{customer_url(owner)}/contractdeliverypoints"
    [contract] = ok(owner.client().get(url, {"INCLUDEWATTMETER": "TRUE"}))
    assert contract["DeliveryPoints"][0]["WattMeters"] == [] and contract["DeliveryPoints"][0]["WaterMeters"] is None
    assert owner.client().get(url, {"includewattmeter": "yes"}).status_code == 400


def metering_query(owner):
    for n in range(3):
        record_reading(delivery_point=owner.delivery_point, reading_date=days_ago(10 - n), value=n)
    page = ok(owner.client().get(readings_url(owner), {"PAGESIZE": 2, "Page": 2}))
    assert [reading["Value"] for reading in page] == [0]
    assert owner.client().get(readings_url(owner), {"pagesize": 0}).status_code == 400
    # The signed CIM download link: its token is read in any case (a forged one is 403, a missing one 400).
    assert owner.client().get("/api/cimexportlogs/files", {"TOKEN": "forged"}).status_code == 403
    assert owner.client().get("/api/cimexportlogs/files", {"other": "x"}).status_code == 400


def pricing_query(owner):
    # A market day ten days before the tests' instant (spot prices exist only up to tomorrow).
    start, end = (moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S") for moment in market_day_bounds(days_ago(10)))
    query = {"PRICEAREA": "NO1", "fromtimeutc": start, "TOTIMEUTC": end}
    assert ok(priced(owner).client().get("/api/spotprices", query))["PriceArea"] == "NO1"


def assets_query(owner):
    w = graph_world.build(owner)
    url = f"/api/AssetRelations/{w.substation.pk}/children/network"
    names = {node["Name"] for node in ok(owner.client().get(url, {"DEPTH": 3}))}
    assert {w.feeder.name, w.transformer.name, w.meter.name} <= names
    assert owner.client().get(url, {"pagesize": 0}).status_code == 400


def flex_query(owner):
    assert len(ok(owner.client().get(plans_url(owner), {"PAGESIZE": 1}))) == 1
    assert owner.client().get(plans_url(owner), {"pagesize": 0}).status_code == 400


def notifications_query(owner):
    for _ in range(3):
        message(owner)
    url = f"{customer_url(owner)}/messages"
    assert len(ok(owner.client().get(url, {"PAGESIZE": 2, "PAGE": 2}))) == 1
    message(owner, state=MessageState.Read)
    assert ok(owner.client().get(f"{url}/count", {"STATE": "unread"})) == 3


def ev_query(owner):
    charger = ev_world.build(owner, with_request=False).charger
    body = ok(owner.client().get("/api/chargers", {"EXTERNALID": charger.asset.external_id}))
    assert body["AssetId"] == charger.pk
    assert owner.client().get("/api/chargers", {"external": "x"}).status_code == 400


def assignments_query(owner):
    care = make_team()
    url = f"/api/users/{care.nurse.pk}/assignments"
    assert len(ok(client_for(care.nurse).get(url, {"PAGESIZE": 1, "page": 1}))) == 1
    assert ok(client_for(care.nurse).get(url, {"PAGE": 2})) == []


QUERY_ANY_CASE = {
    "customers": customers_query,
    "metering": metering_query,
    "pricing": pricing_query,
    "assets": assets_query,
    "flex": flex_query,
    "notifications": notifications_query,
    "ev": ev_query,
    "assignments": assignments_query,
}


# --- media types: a GET per app for Accept, a write per app for Content-Type: text/json ---------------


def assignment_get(owner):
    care = make_team()
    return client_for(care.nurse), f"/api/assignments/{care.assignment.pk}"


ACCEPT_ROUTES = {
    "customers": lambda owner: (owner.client(), customer_url(owner)),
    "metering": lambda owner: (owner.client(), meter_url(owner, "wattmeter")),
    "pricing": lambda owner: (owner.client(), f"{customer_url(owner)}/invoices"),
    "assets": lambda owner: (owner.client(), f"/api/assetinfo/{graph_world.build(owner).building.pk}"),
    "flex": lambda owner: (owner.client(), site_settings_url(owner)),
    "notifications": lambda owner: (owner.client(), f"{customer_url(owner)}/messages"),
    "ev": lambda owner: (owner.client(), f"/api/evinfo/customers/{ev_car(owner).customer_id}/cars"),
    "assignments": assignment_get,
}


def assignment_comment(owner):
    care = make_team()
    return client_for(care.nurse), "POST", f"/api/assignments/{care.assignment.pk}/comment", {"Text": "Hei"}


TEXT_JSON_WRITES = {
    "customers": lambda owner: (owner.client(), "PATCH", customer_url(owner), {"PhoneNumber": "555"}),
    "metering": lambda owner: (owner.client(), "POST", meter_url(owner, "consumption"), {**SERIES, "Resolution": 20}),
    "pricing": lambda owner: (priced(owner).client(), "POST", overview_url(owner), OCTOBER),
    "assets": lambda owner: (
        owner.client(),
        "POST",
        "/api/Facilities",
        [{"ParentId": graph_world.build(owner).building.pk, "Name": "Bakeri"}],
    ),
    "flex": lambda owner: (owner.client(), "POST", baseline_url(owner), {"Method": 1, "Days": 5}),
    "notifications": lambda owner: (owner.client(), "PATCH", message_url(owner, message(owner)), {"State": 2}),
    "ev": lambda owner: (owner.client(), "PATCH", car_url(owner, ev_car(owner)), {"DisplayName": "Bilen"}),
    "assignments": assignment_comment,
}


# --- dates: calendar dates written as .NET DateTimes, read in both forms; datetimes in wire form -------


def customers_dates(owner):
    Customer.objects.filter(pk=owner.customer.pk).update(birth_date=dt.date(1980, 5, 17))
    assert ok(owner.client().get(customer_url(owner)))["BirthDate"] == "1980-05-17T00:00:00"
    contract = ok(owner.client().get(f"{customer_url(owner)}/contracts/{owner.contract.contract_no}"))
    assert contract["StartDate"] == f"{owner.contract.start_date.isoformat()}T00:00:00"


def metering_dates(owner):
    for n, text in enumerate(["DAY", "DAYT00:00:00"]):
        day = days_ago(3 - n)
        body = {"ReadingDate": text.replace("DAY", day.isoformat()), "Value": 5 + n}
        assert ok(send(owner.client(), "POST", readings_url(owner), body))["ReadingDate"] == f"{day}T00:00:00"


def pricing_dates(owner):
    month = ok(send(priced(owner).client(), "POST", overview_url(owner), OCTOBER))["Months"][0]
    assert month["Month"] == "2025-10-01T00:00:00"


def assets_dates(owner):
    response, _ = facility(owner, Name="Bakeri", InstallationDate="2013-09-17", InServiceDate="2013-09-18T00:00:00")
    [node] = ok(response)
    body = ok(owner.client().get(f"/api/assetinfo/{node['Id']}"))
    assert (body["InstallationDate"], body["InServiceDate"]) == ("2013-09-17T00:00:00", "2013-09-18T00:00:00")


def flex_dates(owner):
    [plan] = ok(owner.client().get(plans_url(owner), {"pageSize": 1}))
    assert WIRE_DATETIME.match(plan["StartTime"]) and WIRE_DATETIME.match(plan["Intervals"][0]["StartTime"])
    # A datetime parameter may leave the time out (midnight UTC).
    zone = flex_world.build(owner).zone
    url = f"/api/controlplanrequests/zones/{zone.pk}/tstypes/1"
    assert ok(owner.client().get(url, {"fromDate": "2030-01-01", "toDate": "2030-01-02T00:00:00"}))["Values"] == []


def notifications_dates(owner):
    sent = dt.datetime(2013, 9, 17, 22, 39, 30, 123456, tzinfo=dt.UTC)
    CustomerMessage.objects.filter(pk=message(owner).pk).update(sent_at=sent)
    [listed] = ok(owner.client().get(f"{customer_url(owner)}/messages"))
    assert listed["SentDateTime"] == "2013-09-17T22:39:30"


def ev_dates(owner):
    request = ev_world.build(owner).request
    body = ok(owner.client().get(f"{customer_url(owner)}/evchargingrequests/{request.pk}"))
    assert body["StartTime"] == request.start_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")
    assert WIRE_DATETIME.match(body["Created"])


def assignments_dates(owner):
    api, url = assignment_get(owner)
    body = ok(api.get(url))
    assert WIRE_DATETIME.match(body["CreatedAt"]) and WIRE_DATETIME.match(body["Log"][0]["Time"])


DATES = {
    "customers": customers_dates,
    "metering": metering_dates,
    "pricing": pricing_dates,
    "assets": assets_dates,
    "flex": flex_dates,
    "notifications": notifications_dates,
    "ev": ev_dates,
    "assignments": assignments_dates,
}


# --- the tests ---------------------------------------------------------------------------------------

RULES = {
    "property names in any case": ANY_CASE_NAMES,
    "enums by integer or name": ENUM_NAMES,
    "null is not given": NULL_IS_NOT_GIVEN,
    "booleans and numbers as text": TEXT_VALUES,
    "query parameters in any case": QUERY_ANY_CASE,
    "any Accept gets JSON": ACCEPT_ROUTES,
    "text/json bodies": TEXT_JSON_WRITES,
    "dates": DATES,
}


def installed_apps() -> set[str]:
    return {name.split(".")[1] for name in settings.INSTALLED_APPS if name.startswith("apps.")}


@pytest.mark.parametrize("rule", sorted(RULES))
def test_every_app_has_a_row_for_every_rule(rule):
    assert set(RULES[rule]) == installed_apps()


def rows(table):
    return [pytest.param(case, id=app) for app, case in table.items()]


@pytest.fixture
def run(owner, request, source):  # noqa: F811
    """Runs a row: a case with the owner, or the schema check of an `absent` row."""

    def run_case(case):
        if isinstance(case, absent):
            case.check(request.getfixturevalue("served_schema"))
        else:
            case(owner)

    return run_case


@pytest.fixture
def served_schema(anonymous):
    return anonymous.get("/api/schema/", HTTP_ACCEPT="application/json").json()


@pytest.mark.parametrize("case", rows(ANY_CASE_NAMES))
def test_property_names_match_in_any_case(run, case):
    run(case)


@pytest.mark.parametrize("case", rows(ENUM_NAMES))
def test_enums_arrive_as_member_names(run, case):
    run(case)


@pytest.mark.parametrize("case", rows(NULL_IS_NOT_GIVEN))
def test_null_is_not_given(run, case):
    run(case)


@pytest.mark.parametrize("case", rows(TEXT_VALUES))
def test_booleans_and_numbers_are_read_from_text(run, case):
    run(case)


@pytest.mark.parametrize("case", rows(QUERY_ANY_CASE))
def test_query_parameters_are_bound_in_any_case(run, case):
    run(case)


@pytest.mark.parametrize("case", rows(DATES))
def test_dates_are_written_as_dotnet_datetimes(run, case):
    run(case)


@pytest.mark.parametrize("route", rows(ACCEPT_ROUTES))
def test_any_accept_gets_json(owner, source, route):  # noqa: F811
    client, url = route(owner)
    for accept in MEDIA_ACCEPTS:
        response = client.get(url, HTTP_ACCEPT=accept)
        assert response.status_code == 200, (accept, response.content)
        assert response["Content-Type"] == ("text/json" if accept == "text/json" else "application/json"), accept
        assert orjson.loads(response.content) is not None


@pytest.mark.parametrize("write", rows(TEXT_JSON_WRITES))
def test_text_json_bodies_are_json(owner, source, write):  # noqa: F811
    client, method, url, body = write(owner)
    ok(send(client, method, url, body, content_type="text/json; charset=utf-8"))


def test_views_read_query_parameters_only_through_bind_query():
    # A view reading request.query_params by hand would match names case-sensitively and leave them
    # out of the schema; bind_query does neither.
    api_modules = sorted(Path(settings.BASE_DIR, "apps").glob("*/api/*.py"))
    assert api_modules
    bad = [str(path) for path in api_modules if re.search(r"query_params|request\.GET", path.read_text())]
    assert not bad, bad


def test_an_absent_row_is_checked_against_the_schema(served_schema):
    # The check of an `absent` row can fail: the assets app does take an enum in a body.
    with pytest.raises(AssertionError):
        no_enum_input("assets")(served_schema)


# --- schema helpers -----------------------------------------------------------------------------------


def _operations_of(schema, app):
    found = [
        operation
        for operations in schema["paths"].values()
        for method, operation in operations.items()
        if method in ("get", "post", "put", "patch", "delete") and app in operation.get("tags", [])
    ]
    assert found, f"no operation is tagged {app}"
    return found


def _components_reached(node, components, seen=None) -> set[str]:
    seen = set() if seen is None else seen
    if isinstance(node, dict):
        ref = node.get("$ref")
        if ref:
            name = ref.rsplit("/", 1)[-1]
            if name not in seen:
                seen.add(name)
                _components_reached(components[name], components, seen)
        for value in node.values():
            _components_reached(value, components, seen)
    elif isinstance(node, list):
        for value in node:
            _components_reached(value, components, seen)
    return seen
