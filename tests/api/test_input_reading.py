"""Input read as Json.NET read it, output written exactly (DESIGN.md §4, contract.md conventions).

Each rule is one parametrized test with a row per app (customers, metering, pricing); a new app is
covered by adding its row. Rows are (app, request, check): `request(owner, client)` makes the call,
`check(owner, response)` asserts what the rule means on that route.
"""

import datetime as dt
from decimal import Decimal

import orjson
import pytest
from django.contrib.auth.models import Permission

from apps.customers.models import Customer
from apps.metering.models import Interval, MeterSettings
from apps.metering.services import record_reading
from apps.pricing.models import PricePlan
from tests.factories import PASSWORD
from tests.pricing.conftest import source  # noqa: F401  (the pricing apps' spot-price source fixture)

pytestmark = pytest.mark.django_db

OCTOBER = {"FromTime": "2025-09-30T22:00:00", "ToTime": "2025-10-31T23:00:00"}
SERIES = {"FromTime": "2025-03-29T23:00:00", "ToTime": "2025-03-30T22:00:00"}


def customer_url(owner):
    return f"/api/customers/{owner.customer.pk}"


def meter_url(owner, tail):
    contract = f"/api/customers/{owner.customer.pk}/contracts/{owner.contract.contract_no}"
    return f"{contract}/meters/{owner.meter.meter_id}/{tail}"


def readings_url(owner):
    return f"/api/customers/{owner.customer.pk}/deliverypoints/{owner.delivery_point.pk}/readings"


def overview_url(owner):
    return f"/api/customers/{owner.customer.pk}/contracts/{owner.contract.contract_no}/expenseoverview"


def send(client, method, url, body, content_type="application/json", **extra):
    return client.generic(method, url, orjson.dumps(body), content_type=content_type, **extra)


def days_ago(n):
    return dt.date.today() - dt.timedelta(days=n)


@pytest.fixture
def priced(owner, source):  # noqa: F811
    PricePlan.objects.create(
        contract=owner.contract, product_type=PricePlan.ProductType.Fixed, fixed_price_nok_per_kwh=Decimal("1.00")
    )
    return owner


# --- property names match in any case ------------------------------------------------------------


def login_lowercase(owner, client):
    return send(client, "POST", "/api/Authenticate", {"username": owner.user.username, "PASSWORD": PASSWORD, "area": 2})


def patch_odd_case(owner, client):
    return send(client, "PATCH", customer_url(owner), {"Phonenumber": "98765432", "eMAIL": "kari@example.no"})


def building_odd_case(owner, client):
    return send(client, "POST", meter_url(owner, "settings/building"), {"name": "Hytta", "BUILDINGYEAR": 1990})


def overview_odd_case(owner, client):
    return send(client, "POST", overview_url(owner), {"fromtime": OCTOBER["FromTime"], "TOTIME": OCTOBER["ToTime"]})


def check_logged_in(owner, response):
    assert response.status_code == 200, response.content
    assert response.json()["CustomerIds"] == [owner.customer.pk]


def check_patched(owner, response):
    assert response.status_code == 200, response.content
    customer = Customer.objects.get(pk=owner.customer.pk)
    assert (customer.phone_number, customer.email) == ("98765432", "kari@example.no")


def check_building(owner, response):
    assert response.status_code == 200, response.content
    settings = MeterSettings.objects.get(meter=owner.meter)
    assert (settings.name, settings.building_year) == ("Hytta", 1990)


def check_overview(owner, response):
    assert response.status_code == 200, response.content
    assert response.json()["Months"][0]["ValueTime"] == "2025-09-30T22:00:00"


@pytest.mark.parametrize(
    ("request_", "check"),
    [
        pytest.param(login_lowercase, check_logged_in, id="customers-authenticate"),
        pytest.param(patch_odd_case, check_patched, id="customers-patch"),
        pytest.param(building_odd_case, check_building, id="metering-building"),
        pytest.param(overview_odd_case, check_overview, id="pricing-expenseoverview"),
    ],
)
def test_property_names_match_in_any_case(priced, anonymous, request_, check):
    client = anonymous if request_ is login_lowercase else priced.client()
    check(priced, request_(priced, client))


# --- enums by integer or member name ---------------------------------------------------------------


def login_area_named(owner, client):
    return send(
        client, "POST", "/api/Authenticate", {"UserName": owner.user.username, "Password": PASSWORD, "Area": "net"}
    )


def consumption_named(owner, client):
    return send(client, "POST", meter_url(owner, "consumption"), {**SERIES, "Resolution": "Hour"})


def compare_named(owner, client):
    return send(client, "POST", meter_url(owner, "comparedwithothers"), {**SERIES, "Resolution": " DAY "})


def check_net_login(owner, response):
    assert response.status_code == 200, response.content
    assert response.json()["CustomerIds"] == [owner.net_customer.pk]


def check_hourly(owner, response):
    assert response.status_code == 200, response.content
    assert response.json()["Resolution"] == 7 and len(response.json()["Values"]) == 23  # the spring DST day


def check_compared(owner, response):
    assert response.status_code == 200, response.content
    assert len(response.json()["MeterAverage"]) == 1


@pytest.mark.parametrize(
    ("request_", "check"),
    [
        pytest.param(login_area_named, check_net_login, id="customers-authenticate-area"),
        pytest.param(consumption_named, check_hourly, id="metering-consumption-resolution"),
        pytest.param(compare_named, check_compared, id="metering-compare-resolution"),
    ],
)
def test_enums_arrive_as_member_names(owner, anonymous, request_, check):
    client = anonymous if request_ is login_area_named else owner.client()
    check(owner, request_(owner, client))


@pytest.mark.parametrize("area", ["Gas", "", 3, True, "1.5"])
def test_an_unknown_member_is_400_naming_the_property(owner, anonymous, area):
    body = {"UserName": owner.user.username, "Password": PASSWORD, "Area": area}
    response = send(anonymous, "POST", "/api/Authenticate", body)
    assert response.status_code == 400
    assert list(response.json()["ModelState"]) == ["Area"]


# --- null means "not given" ----------------------------------------------------------------------


def test_null_never_clears_a_customer_property(owner):
    Customer.objects.filter(pk=owner.customer.pk).update(email="kari@example.no", phone_number="111")
    response = send(
        owner.client(), "PATCH", customer_url(owner), {"Email": None, "PhoneNumber": None, "MobileNumber": "22"}
    )
    assert response.status_code == 200, response.content
    customer = Customer.objects.get(pk=owner.customer.pk)
    assert (customer.email, customer.phone_number, customer.mobile_number) == ("kari@example.no", "111", "22")


def test_null_keeps_the_building_name(owner):
    MeterSettings.objects.create(meter=owner.meter, name="Hytta", residents=2)
    response = send(owner.client(), "POST", meter_url(owner, "settings/building"), {"Name": None, "Residents": 3})
    assert response.status_code == 200, response.content
    settings = MeterSettings.objects.get(meter=owner.meter)
    assert (settings.name, settings.residents) == ("Hytta", 3)


def test_null_for_an_optional_pricing_property_is_its_default(priced):
    response = send(priced.client(), "POST", overview_url(priced), {**OCTOBER, "TimeZone": None, "ContractNo": None})
    assert response.status_code == 200, response.content
    assert response.json()["TimeZone"] == "Europe/Oslo"


def test_null_for_a_required_property_is_missing(owner, anonymous):
    response = send(
        anonymous, "POST", "/api/Authenticate", {"UserName": owner.user.username, "Password": None, "Area": 2}
    )
    assert response.status_code == 400
    assert list(response.json()["ModelState"]) == ["Password"]


# --- Resolution 0 is the meter's own interval length --------------------------------------------------


@pytest.mark.parametrize(("minutes", "resolution", "values"), [(60, 7, 23), (15, 5, 92)])
def test_resolution_none_is_the_meters_own_interval(owner, minutes, resolution, values):
    start = dt.datetime(2025, 3, 29, 23, tzinfo=dt.UTC)
    Interval.objects.create(meter=owner.meter, start_at=start, minutes=minutes, value=Decimal("0.5"))
    response = send(owner.client(), "POST", meter_url(owner, "consumption"), {**SERIES, "Resolution": 0})
    assert response.status_code == 200, response.content
    assert response.json()["Resolution"] == resolution and len(response.json()["Values"]) == values


# --- booleans and numbers sent as text ------------------------------------------------------------


def test_text_booleans_and_numbers_are_read(priced):
    client = priced.client()
    consumption = send(
        client, "POST", meter_url(priced, "consumption"), {**SERIES, "Resolution": "7", "IncludeLastYear": "true"}
    )
    assert consumption.status_code == 200, consumption.content
    assert "LastYear" in consumption.json()
    building = send(client, "POST", meter_url(priced, "settings/building"), {"Residents": "4", "HeatingArea": " 120 "})
    assert building.status_code == 200, building.content
    assert (MeterSettings.objects.get(meter=priced.meter).residents, MeterSettings.objects.get().heating_area) == (
        4,
        120,
    )
    overview = send(client, "POST", overview_url(priced), {**OCTOBER, "ContractNo": "12"})
    assert overview.status_code == 200, overview.content


def test_strict_fields_read_text_as_json_net_did(owner):
    from rest_framework.exceptions import ValidationError

    from esmart.api.fields import StrictBooleanField, StrictIntegerField

    assert StrictBooleanField().to_internal_value(" TRUE ") is True
    assert StrictBooleanField().to_internal_value("false") is False
    assert StrictIntegerField().to_internal_value("-12") == -12
    for field, value in [
        (StrictBooleanField(), "yes"),
        (StrictBooleanField(), 1),
        (StrictIntegerField(), "1.5"),
        (StrictIntegerField(), True),
    ]:
        with pytest.raises(ValidationError):
            field.to_internal_value(value)


# --- query parameters in any case ------------------------------------------------------------------


def test_readings_paging_is_bound_in_any_case(owner):
    for n in range(3):
        record_reading(delivery_point=owner.delivery_point, reading_date=days_ago(10 - n), value=n)
    body = owner.client().get(readings_url(owner), {"PAGESIZE": 2, "Page": 2}).json()
    assert [reading["Value"] for reading in body] == [0]
    assert owner.client().get(readings_url(owner), {"pagesize": 500}).status_code == 400


def test_cim_logs_range_is_bound_in_any_case(owner):
    owner.user.user_permissions.add(Permission.objects.get(codename="cim_export"))
    response = owner.client().get("/api/cimexportlogs", {"FROM": "2025-03-02", "TO": "2025-03-01"})
    assert response.status_code == 400
    assert list(response.json()["ModelState"]) == ["To"]
    assert owner.client().get("/api/cimexportlogs", {"Take": 0}).status_code == 400


def test_pricing_query_is_bound_in_any_case(priced):
    response = priced.client().get(
        "/api/spotprices",
        {"PRICEAREA": "NO1", "fromtimeutc": "2025-10-01T22:00:00", "TOTIMEUTC": "2025-10-02T22:00:00"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["PriceArea"] == "NO1"


# --- media types ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "accept",
    ["text/json", "text/html", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "application/xml"],
)
@pytest.mark.parametrize("app", ["customers", "metering", "pricing"])
def test_any_accept_gets_json(priced, accept, app):
    urls = {
        "customers": customer_url(priced),
        "metering": meter_url(priced, "wattmeter"),
        "pricing": f"/api/customers/{priced.customer.pk}/invoices",
    }
    response = priced.client().get(urls[app], HTTP_ACCEPT=accept)
    assert response.status_code == 200
    expected = "text/json" if accept == "text/json" else "application/json"
    assert response["Content-Type"] == expected
    assert orjson.loads(response.content) is not None


@pytest.mark.parametrize("app", ["customers", "metering", "pricing"])
def test_text_json_bodies_are_json(priced, app):
    client = priced.client()
    calls = {
        "customers": ("PATCH", customer_url(priced), {"PhoneNumber": "555"}),
        "metering": ("POST", meter_url(priced, "consumption"), {**SERIES, "Resolution": 20}),
        "pricing": ("POST", overview_url(priced), OCTOBER),
    }
    method, url, body = calls[app]
    response = send(client, method, url, body, content_type="text/json; charset=utf-8")
    assert response.status_code == 200, response.content


# --- calendar dates are .NET DateTimes ---------------------------------------------------------------


def test_dates_are_written_at_midnight_on_every_app(priced):
    Customer.objects.filter(pk=priced.customer.pk).update(birth_date=dt.date(1980, 5, 17))
    client = priced.client()
    assert client.get(customer_url(priced)).json()["BirthDate"] == "1980-05-17T00:00:00"
    contract = client.get(f"{customer_url(priced)}/contracts/{priced.contract.contract_no}").json()
    assert contract["StartDate"] == f"{priced.contract.start_date.isoformat()}T00:00:00"
    record_reading(delivery_point=priced.delivery_point, reading_date=days_ago(3), value=7)
    [reading] = client.get(readings_url(priced)).json()
    assert reading["ReadingDate"] == f"{days_ago(3).isoformat()}T00:00:00"
    month = send(client, "POST", overview_url(priced), OCTOBER).json()["Months"][0]
    assert month["Month"] == "2025-10-01T00:00:00"


@pytest.mark.parametrize("text", ["DAY", "DAYT00:00:00", "DAYT00:00:00.000", "DAYT10:45:00Z"])
def test_dates_are_read_with_or_without_a_time(owner, text):
    # (A time with an offset is the metering app's rule: its date in Norway, tests/metering.)
    day = days_ago(2)
    body = {"ReadingDate": text.replace("DAY", day.isoformat()), "Value": 5}
    response = send(owner.client(), "POST", readings_url(owner), body)
    assert response.status_code == 200, response.content
    assert response.json()["ReadingDate"] == f"{day.isoformat()}T00:00:00"


def test_plain_date_fields_read_both_forms():
    from rest_framework import serializers

    field = serializers.DateField()
    for text in ["2013-09-17", "2013-09-17T00:00:00", "2013-09-17T00:00:00Z", "2013-09-17T00:00:00.5+02:00"]:
        assert field.to_internal_value(text) == dt.date(2013, 9, 17)
    with pytest.raises(serializers.ValidationError):
        field.to_internal_value("17.09.2013")


# --- casing per serializer ------------------------------------------------------------------------


def test_wattmeter_v2_is_camel_case_only_where_the_original_was(owner):
    owner.meter.has_wattmeter = True
    owner.meter.save()
    body = owner.client().get(meter_url(owner, "wattmeter/v2")).json()
    assert set(body) == {"wattmeterDisplayType", "maxMonthWattmeter", "subscribedPowerWattmeter"}
    assert set(body["maxMonthWattmeter"]) == {"Last", "ThisMonthMax", "Max"}
    assert set(body["subscribedPowerWattmeter"]) == {"subscribedPower", "sections"}
    assert set(body["subscribedPowerWattmeter"]["sections"]) == {"firstSection", "secondSection", "thirdSection"}
    assert set(body["subscribedPowerWattmeter"]["sections"]["firstSection"]) == {"from", "to"}
    assert body["wattmeterDisplayType"] in (1, 2)


# --- JSON depth (issue 8) ----------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [65, 600, 5000])
def test_deep_json_is_a_400_not_a_recursion_error(anonymous, depth):
    raw = b'{"UserName":' * depth + b'"x"' + b"}" * depth
    response = anonymous.generic("POST", "/api/Authenticate", raw, content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"Message", "ModelState"} and list(body["ModelState"]) == ["Body"]


def test_the_depth_bound_is_a_setting(owner, settings):
    settings.API_JSON_MAX_DEPTH = 2
    ok = send(owner.client(), "PATCH", customer_url(owner), {"PhoneNumber": "1", "Address": {"City": "Oslo"}})
    assert ok.status_code == 200
    deep = send(owner.client(), "PATCH", customer_url(owner), {"Address": {"City": ["Oslo"]}})
    assert deep.status_code == 400
    assert Customer.objects.get(pk=owner.customer.pk).phone_number == "1"


def test_casing_walk_of_outside_documents_is_bounded():
    from esmart.api.casing import JSONTooDeepError, from_wire

    deep = current = {}
    for _ in range(2000):
        current["Child"] = current = {}
    with pytest.raises(JSONTooDeepError):
        from_wire(deep)
