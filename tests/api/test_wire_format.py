"""The wire contract of DESIGN.md §4: routing, casing, dates, X-Area, error bodies."""

import datetime as dt

import orjson
import pytest
from django.urls import resolve, reverse
from rest_framework import serializers

from esmart.api.casing import to_pascal, to_snake, to_wire
from esmart.api.renderers import WireJSONRenderer

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/Users/7", "/api/users/7", "/API/USERS/7", "/api/users/7/"])
def test_literal_segments_match_in_any_case(path):
    match = resolve(path)
    assert match.url_name == "user"
    assert match.kwargs == {"userId": 7}


def test_reverse_still_builds_the_canonical_path():
    assert reverse("customer", kwargs={"customerId": 5}) == "/api/customers/5"


def test_path_values_keep_their_case():
    from django.urls.resolvers import get_resolver

    from esmart.api.routing import api_path

    pattern = api_path("apps/<str:appShortName>", lambda r: None).pattern
    assert pattern.match("APPS/SmartLiv") == ("", (), {"appShortName": "SmartLiv"})
    assert get_resolver() is not None


def test_unknown_route_is_a_json_404(owner):
    response = owner.client().get("/api/nothing/here")
    assert response.status_code == 404
    assert response.json() == {"Message": "No resource was found that matches the request URI."}


@pytest.mark.parametrize(
    ("snake", "wire"),
    [("phone_number", "PhoneNumber"), ("po_box", "POBox"), ("customer_ids", "CustomerIds"), ("kid", "Kid")],
)
def test_names_convert_both_ways(snake, wire):
    assert to_pascal(snake) == wire
    assert to_snake(wire) == snake


def test_datetimes_are_written_in_utc_without_offset_or_fraction():
    oslo = dt.timezone(dt.timedelta(hours=2))
    body = to_wire({"start_time": dt.datetime(2013, 9, 18, 0, 39, 30, 123456, tzinfo=oslo)})
    assert body == {"StartTime": "2013-09-17T22:39:30"}


def test_years_before_1000_keep_four_digits():
    assert to_wire({"at": dt.datetime(70, 11, 25, tzinfo=dt.UTC), "on": dt.date(70, 11, 25)}) == {
        "At": "0070-11-25T00:00:00",
        "On": "0070-11-25T00:00:00",
    }


def test_schema_describes_wire_datetimes_with_a_pattern(client):
    import re

    from esmart.api.schema import WIRE_DATETIME_PATTERN

    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert '"date-time"' not in schema
    for text in ["2013-09-17T22:39:30", "2013-09-17T22:39:30Z", "2013-09-18T00:39:30+02:00"]:
        assert re.match(WIRE_DATETIME_PATTERN, text)


def test_serializer_datetimes_use_the_same_format():
    class Event(serializers.Serializer):
        value_time = serializers.DateTimeField()

    data = Event({"value_time": dt.datetime(2025, 1, 1, 0, 0, tzinfo=dt.UTC)}).data
    assert WireJSONRenderer().render(data) == b'{"ValueTime":"2025-01-01T00:00:00"}'


@pytest.mark.parametrize("text", ["2013-09-17T22:39:30", "2013-09-17T22:39:30Z", "2013-09-18T00:39:30+02:00"])
def test_datetime_input_accepts_naive_utc_z_and_offsets(text):
    field = serializers.DateTimeField()
    assert field.to_internal_value(text) == dt.datetime(2013, 9, 17, 22, 39, 30, tzinfo=dt.UTC)


def test_camel_case_serializers_render_in_camel_case():
    class WattMeter(serializers.Serializer):
        wire_case = "camel"
        wattmeter_display_type = serializers.IntegerField()

    data = WattMeter({"wattmeter_display_type": 2}).data
    assert WireJSONRenderer().render(data) == b'{"wattmeterDisplayType":2}'


def test_request_bodies_are_read_in_pascal_case(owner):
    response = owner.client().patch(f"/api/customers/{owner.customer.pk}", {"PhoneNumber": "12345678"}, format="json")
    assert response.status_code == 200
    assert response.json()["PhoneNumber"] == "12345678"


def test_malformed_json_is_400_not_500(owner):
    response = owner.client().generic(
        "PATCH", f"/api/customers/{owner.customer.pk}", b"{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert "Message" in response.json()


def test_enum_values_are_named_in_the_schema(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    area = schema["components"]["schemas"]["AreaEnum"]
    assert area["enum"] == [1, 2]
    assert area["x-enum-varnames"] == ["Net", "Power"]


def test_schema_shows_wire_names(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    customer = schema["components"]["schemas"]["CustomerResponse"]["properties"]
    assert {"CustomerId", "PhoneNumber", "IsNetCustomer", "Address"} <= set(customer)
    address = schema["components"]["schemas"]["ElwAddress"]["properties"]
    assert "POBox" in address and "IsEditable" in address
    login = schema["components"]["schemas"]["LoginRequestSimple"]
    assert set(login["required"]) == {"UserName", "Password", "Area"}


def test_casing_is_decided_per_serializer_nested_ones_included():
    class Inner(serializers.Serializer):
        value_time = serializers.DateTimeField()

    class CamelInner(serializers.Serializer):
        wire_case = "camel"
        sub_value = serializers.IntegerField()

    class Outer(serializers.Serializer):
        wire_case = "camel"
        inner_value = Inner()
        inner_list = Inner(many=True)
        camel_inner = CamelInner()
        free_form = serializers.DictField()

    moment = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    data = Outer(
        {
            "inner_value": {"value_time": moment},
            "inner_list": [{"value_time": moment}],
            "camel_inner": {"sub_value": 1},
            "free_form": {"some_key": 1},
        }
    ).data
    assert orjson.loads(WireJSONRenderer().render(data)) == {
        "innerValue": {"ValueTime": "2025-01-01T00:00:00"},
        "innerList": [{"ValueTime": "2025-01-01T00:00:00"}],
        "camelInner": {"subValue": 1},
        "freeForm": {"someKey": 1},  # a plain dict keeps its serializer's case
    }


def test_a_nested_serializers_data_from_a_method_field_keeps_its_case():
    class Inner(serializers.Serializer):
        first_name = serializers.CharField()

    class Outer(serializers.Serializer):
        wire_case = "camel"
        person = serializers.SerializerMethodField()

        def get_person(self, obj):
            return Inner(obj).data

    data = Outer({"first_name": "Kari"}).data
    assert WireJSONRenderer().render(data) == b'{"person":{"FirstName":"Kari"}}'


def test_dates_render_as_midnight_datetimes():
    class Contract(serializers.Serializer):
        start_date = serializers.DateField()
        end_date = serializers.DateField(allow_null=True)

    data = Contract({"start_date": dt.date(2013, 9, 17), "end_date": None}).data
    assert WireJSONRenderer().render(data) == b'{"StartDate":"2013-09-17T00:00:00","EndDate":null}'


def test_wire_body_matches_names_in_any_case_and_drops_nulls():
    from esmart.api.casing import read_body

    body = read_body({"Phonenumber": "1", "EMAIL": None, "Address": {"zipcode": "0150"}, "Items": [{"A": None}]}, 64)
    assert body["phone_number"] == "1" and body.get("PHONE_NUMBER") == "1" and "phoneNumber" in body
    assert "email" not in body and body.get("email", "absent") == "absent"
    assert body["address"].get("zip_code") == "0150"
    assert body["items"] == [{}]


def test_wire_body_serializer_reads_any_case():
    from esmart.api.casing import read_body

    class Login(serializers.Serializer):
        user_name = serializers.CharField()
        password = serializers.CharField()

    bound = Login(data=read_body({"USERNAME": "kari", "Password": "secret"}, 64))
    assert bound.is_valid(), bound.errors
    assert bound.validated_data == {"user_name": "kari", "password": "secret"}


def test_a_serializer_may_keep_its_field_names_as_declared():
    class Credentials(serializers.Serializer):
        wire_case = "as_declared"
        username = serializers.CharField()
        Manufacturer = serializers.CharField()

    data = Credentials({"username": "kari", "Manufacturer": "Tesla"}).data
    assert WireJSONRenderer().render(data) == b'{"username":"kari","Manufacturer":"Tesla"}'
