import datetime as dt

import pytest
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from esmart.api.query import AspNetBooleanField, bind_query, query_parameters


class Query(serializers.Serializer):
    include_watt_meter = AspNetBooleanField(required=False, default=False)
    from_time_utc = serializers.DateTimeField()
    page_size = serializers.IntegerField(required=False, default=10, min_value=1, max_value=100)


def bind(query_string: str) -> dict:
    return bind_query(Request(APIRequestFactory().get(f"/x?{query_string}")), Query)


@pytest.mark.parametrize(("text", "value"), [("true", True), ("TRUE", True), (" False ", False), ("fAlSe", False)])
def test_booleans_parse_as_bool_parse(text, value):
    assert bind(f"includeWattMeter={text}&fromTimeUtc=2025-01-01T00:00:00")["include_watt_meter"] is value


@pytest.mark.parametrize("text", ["1", "yes", "", "on", "truee"])
def test_anything_else_is_a_400_naming_the_parameter(text):
    with pytest.raises(ValidationError) as error:
        bind(f"includeWattMeter={text}&fromTimeUtc=2025-01-01T00:00:00")
    assert list(error.value.detail) == ["includeWattMeter"]


def test_names_match_in_any_case_and_defaults_apply():
    data = bind("FROMTIMEUTC=2025-01-01T01:00:00%2B01:00")
    assert data == {
        "from_time_utc": dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
        "include_watt_meter": False,
        "page_size": 10,
    }


def test_missing_required_parameter_is_400():
    with pytest.raises(ValidationError) as error:
        bind("pageSize=5")
    assert list(error.value.detail) == ["fromTimeUtc"]


def test_schema_parameters_use_the_wire_names():
    names = {p.name: p for p in query_parameters(Query)}
    assert set(names) == {"includeWattMeter", "fromTimeUtc", "pageSize"}
    assert names["fromTimeUtc"].required is True
    assert names["pageSize"].default == 10
