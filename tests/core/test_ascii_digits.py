"""Phone numbers and digit identifiers are ASCII digits (issue 20, item 5).

Python's isdigit(), int() and regex \\d accept Arabic-Indic "٠١٢", fullwidth "１２" and
superscript "²": one phone validator (esmart.core.validators) serves every model field and every
serializer that takes a phone number, and identifiers are checked with [0-9] / is_ascii_digits.
"""

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models

from apps.customers.models import Customer
from apps.metering.models import MeterSettings
from esmart.core.validators import is_ascii_digits, validate_phone_number

pytestmark = pytest.mark.django_db

NOT_ASCII_DIGITS = [
    "\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668",  # Arabic-Indic ٠١٢٣٤٥٦٧٨
    "\u06f1\u06f2\u06f3\u06f4\u06f5\u06f6\u06f7\u06f8",  # Extended Arabic-Indic (Persian)
    "\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18",  # fullwidth １２３４５６７８
    "1234567\u00b2",  # a superscript two
]
# (A body's " 123\n" is trimmed by the serializer before it is validated; a model field is not.)
NOT_A_PHONE_NUMBER = [*NOT_ASCII_DIGITS, "12345678\n"]  # `$` would match before a final newline


def test_every_model_field_holding_a_phone_number_uses_the_one_validator():
    phone_fields = [
        field
        for model in apps.get_models()
        if model.__module__.startswith("apps.")
        for field in model._meta.get_fields()
        if isinstance(field, models.CharField) and ("phone" in field.name or "mobile" in field.name)
    ]
    assert {f"{f.model._meta.label}.{f.name}" for f in phone_fields} >= {
        "customers.Customer.phone_number",
        "customers.Customer.mobile_number",
        "assignments.NextOfKin.phone_number",
        "assignments.Client.phone_number",
    }
    for field in phone_fields:
        assert validate_phone_number in field.validators, field
        for value in NOT_A_PHONE_NUMBER:
            with pytest.raises(ValidationError):
                field.run_validators(value)
        field.run_validators("98765432")


@pytest.mark.parametrize("value", NOT_ASCII_DIGITS)
@pytest.mark.parametrize("field", ["PhoneNumber", "MobileNumber"])
def test_customers_patch_refuses_non_ascii_digits_and_writes_nothing(owner, value, field):
    before = Customer.objects.values().get(pk=owner.customer.pk)
    response = owner.client().patch(f"/api/customers/{owner.customer.pk}", {field: value}, format="json")
    assert response.status_code == 400
    assert list(response.json()["ModelState"]) == [field]
    assert Customer.objects.values().get(pk=owner.customer.pk) == before


@pytest.mark.parametrize("value", NOT_ASCII_DIGITS)
def test_metering_settings_post_refuses_non_ascii_digits_and_writes_nothing(owner, value):
    before = Customer.objects.values().get(pk=owner.customer.pk)
    path = f"/api/customers/{owner.customer.pk}/contracts/{owner.contract.contract_no}/meters/{owner.meter.meter_id}"
    response = owner.client().post(f"{path}/settings", {"Residents": 2, "MobileNumber": value}, format="json")
    assert response.status_code == 400
    assert list(response.json()["ModelState"]) == ["MobileNumber"]
    assert Customer.objects.values().get(pk=owner.customer.pk) == before
    assert not MeterSettings.objects.exists()


def test_ascii_phone_numbers_are_still_stored(owner):
    response = owner.client().patch(
        f"/api/customers/{owner.customer.pk}", {"PhoneNumber": "22334455", "MobileNumber": ""}, format="json"
    )
    assert response.status_code == 200
    assert Customer.objects.values_list("phone_number", "mobile_number").get(pk=owner.customer.pk) == ("22334455", "")


@pytest.mark.parametrize(
    ("model", "field", "good"),
    [
        ("customers.DeliveryPoint", "metering_point_id", "707057500000000011"),
        ("customers.DeliveryPoint", "municipality_no", "0301"),
        ("assets.SimCard", "iccid", "8947000000000000001"),
        ("assets.SimCard", "msisdn", "4791234567"),
        ("assets.SimCard", "imsi", "242010000000001"),
    ],
)
def test_digit_identifiers_take_ascii_digits_only(model, field, good):
    model_field = apps.get_model(model)._meta.get_field(field)
    model_field.run_validators(good)
    arabic = good.translate(str.maketrans("0123456789", "\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669"))
    for bad in (arabic, f"{good}\n"):
        with pytest.raises(ValidationError):
            model_field.run_validators(bad)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0123456789", True), ("", False), ("-1", False), ("\u0661", False), ("\uff11", False), ("\u00b2", False)],
)
def test_is_ascii_digits(text, expected):
    assert is_ascii_digits(text) is expected
