"""CompiledReadSerializer: the same output as DRF's own representation, already in wire form."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from rest_framework import serializers

from esmart.api.casing import to_wire
from esmart.api.serializers import CompiledReadSerializer


class Inner(CompiledReadSerializer):
    street_name = serializers.CharField(source="street")


class Outer(CompiledReadSerializer):
    customer_id = serializers.IntegerField(source="id")
    created_at = serializers.DateTimeField()
    birth_date = serializers.DateField(allow_null=True)
    amount = serializers.DecimalField(max_digits=10, decimal_places=2)
    home = Inner(source="*")
    others = Inner(many=True)


def test_output_matches_drf_after_the_wire_walk():
    instance = SimpleNamespace(
        id=7,
        created_at=dt.datetime(2025, 3, 30, 1, 0, tzinfo=dt.timezone(dt.timedelta(hours=2))),
        birth_date=None,
        amount=Decimal("12.50"),
        street="Storgata",
        others=[SimpleNamespace(street="A"), SimpleNamespace(street="B")],
    )
    compiled = Outer(instance).data
    assert compiled == {
        "CustomerId": 7,
        "CreatedAt": "2025-03-29T23:00:00",
        "BirthDate": None,
        "Amount": 12.5,
        "Home": {"StreetName": "Storgata"},
        "Others": [{"StreetName": "A"}, {"StreetName": "B"}],
    }
    drf = to_wire(
        {
            "customer_id": 7,
            "created_at": instance.created_at,
            "birth_date": None,
            "amount": Decimal("12.50"),
            "home": {"street_name": "Storgata"},
            "others": [{"street_name": "A"}, {"street_name": "B"}],
        }
    )
    assert compiled == drf


def test_unsupported_fields_are_refused_when_the_plan_is_built():
    class WithMethod(CompiledReadSerializer):
        computed = serializers.SerializerMethodField()

        def get_computed(self, obj):
            return 1

    with pytest.raises(TypeError, match="SerializerMethodField"):
        WithMethod(SimpleNamespace()).data  # noqa: B018
