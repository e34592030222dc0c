"""Input read as Json.NET read it, output written exactly (DESIGN.md §4, contract.md conventions).

The rules on a route of every app are the tables of test_wire_rules.py; these are the details of
single rules: unknown enum members, required nulls, Resolution 0, the strict fields, the forms of
a date, wattmeter v2's casing and the JSON depth bound.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission

from apps.customers.models import Customer
from apps.metering.services import load_intervals
from tests.factories import PASSWORD

from .test_wire_rules import SERIES, customer_url, days_ago, meter_url, readings_url, send

pytestmark = pytest.mark.django_db


# --- enums: an unknown member ---------------------------------------------------------------------


@pytest.mark.parametrize("area", ["Gas", "", 3, True, "1.5"])
def test_an_unknown_member_is_400_naming_the_property(owner, anonymous, area):
    body = {"UserName": owner.user.username, "Password": PASSWORD, "Area": area}
    response = send(anonymous, "POST", "/api/Authenticate", body)
    assert response.status_code == 400
    assert list(response.json()["ModelState"]) == ["Area"]


# --- null means "not given" ----------------------------------------------------------------------


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
    load_intervals(rows=[(owner.meter.pk, start, minutes, Decimal("0.5"), 0)])
    response = send(owner.client(), "POST", meter_url(owner, "consumption"), {**SERIES, "Resolution": 0})
    assert response.status_code == 200, response.content
    assert response.json()["Resolution"] == resolution and len(response.json()["Values"]) == values


# --- booleans and numbers sent as text ------------------------------------------------------------


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


def test_cim_logs_range_is_bound_in_any_case(owner):
    owner.user.user_permissions.add(Permission.objects.get(codename="cim_export"))
    response = owner.client().get("/api/cimexportlogs", {"FROM": "2025-03-02", "TO": "2025-03-01"})
    assert response.status_code == 400
    assert list(response.json()["ModelState"]) == ["To"]
    assert owner.client().get("/api/cimexportlogs", {"Take": 0}).status_code == 400


# --- calendar dates are .NET DateTimes ---------------------------------------------------------------


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
