"""Body fields that read values as Json.NET bound them to the original's DTOs (DESIGN.md §4).

- Strings must be JSON strings: DRF would turn 0 into "0", the schema says string.
- Integers are JSON integers, or text holding one (`"12"`), as Json.NET's int.Parse took it;
  never booleans, never fractions.
- Booleans are true/false, or the text "true"/"false" in any case (bool.Parse); not 1, "yes", "on".
- Enums (`EnumField`) are the integer value or the member's name in any case (`"Net"`, `"hour"`);
  the schema shows the enum as its own component, named as the original named it, with
  `x-enum-varnames`.

Calendar dates need no field of their own: every DRF DateField reads `2013-09-17` and
`2013-09-17T00:00:00` (REST_FRAMEWORK's DATE_INPUT_FORMATS) and is written as the latter
(casing.py).
"""

from __future__ import annotations

import re

from django.conf import settings
from django.utils.module_loading import import_string
from drf_spectacular.drainage import warn
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import serializers

from esmart.core.validators import validate_phone_number

_INTEGER_TEXT = re.compile(r"^\s*[+-]?[0-9]+\s*\Z")  # ASCII digits: int() also reads "١٢"


class StrictCharField(serializers.CharField):
    default_error_messages = {"invalid": "Not a valid string."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer, or a string holding one (Json.NET parsed "12" for an int property)."""

    def to_internal_value(self, data):
        if isinstance(data, str) and _INTEGER_TEXT.match(data):
            data = int(data)
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class PhoneNumberField(StrictCharField):
    """A phone number in a body: a JSON string of the ASCII digits 0-9, at most 14 (blank allowed),
    checked by the same validator as every model field that stores one (esmart.core.validators)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_blank", True)
        kwargs["validators"] = [*kwargs.get("validators", ()), validate_phone_number]
        super().__init__(**kwargs)


class StrictBooleanField(serializers.BooleanField):
    """JSON true/false, or the text "true"/"false" in any case; no 1, "yes" or "on"."""

    default_error_messages = {"invalid": "The value '{input}' is not valid: use true or false."}

    def to_internal_value(self, data):
        if isinstance(data, bool):
            return data
        if isinstance(data, str) and data.strip().lower() in ("true", "false"):
            return data.strip().lower() == "true"
        self.fail("invalid", input=data)


def enum_component_name(enum) -> str:
    """The original's name of `enum`: its SPECTACULAR_SETTINGS ENUM_NAME_OVERRIDES entry, else the class name."""
    for name, target in settings.SPECTACULAR_SETTINGS.get("ENUM_NAME_OVERRIDES", {}).items():
        if isinstance(target, str) and import_string(target) is enum:
            return name
    return enum.__name__


class EnumField(serializers.ChoiceField):
    """A Django Choices enum: written as its value, read as its value or its member's name."""

    default_error_messages = {"invalid_choice": "'{input}' is not a valid {enum}: use one of {names}."}

    def __init__(self, enum, **kwargs):
        self.enum = enum
        self.is_integer = all(isinstance(value, int) for value in enum.values)
        self._by_name = {}
        for member in enum:
            self._by_name[member.name.rstrip("_").lower()] = member
            self._by_name[str(member.label).lower()] = member
        if not self.is_integer:
            self._by_name.update({str(member.value).lower(): member for member in enum})
        super().__init__(choices=enum.choices, **kwargs)

    def to_internal_value(self, data):
        member = None
        if isinstance(data, str):
            text = data.strip()
            if self.is_integer and _INTEGER_TEXT.match(text):
                data = int(text)
            else:
                member = self._by_name.get(text.lower())
        if member is None and self.is_integer and isinstance(data, int) and not isinstance(data, bool):
            member = self.enum._value2member_map_.get(data)
        if member is None:
            names = ", ".join(f"{m.label} {m.value}" if self.is_integer else str(m.value) for m in self.enum)
            self.fail("invalid_choice", input=data, enum=enum_component_name(self.enum), names=names)
        return member

    def to_representation(self, value):
        if value in ("", None):
            return value
        return value.value if isinstance(value, self.enum) else value


def enum_schema(enum, members=None) -> dict:
    """The inline schema of `enum` (or of some of its `members`), each value named, for parameters."""
    members = list(enum) if members is None else [enum(member) for member in members]
    integer = all(isinstance(member.value, int) for member in members)
    schema = {"type": "integer" if integer else "string", "enum": [member.value for member in members]}
    if integer:
        schema["x-enum-varnames"] = [str(member.label) for member in members]
    return schema


class EnumFieldExtension(OpenApiSerializerFieldExtension):
    """An EnumField is a `$ref` to one component per enum, named as the original named it."""

    target_class = EnumField
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        enum = field.enum
        schema = {
            **enum_schema(enum),
            "description": "\n".join(f"* `{member.value}` - {member.label}" for member in enum),
        }
        component = ResolvedComponent(
            name=enum_component_name(enum), type=ResolvedComponent.SCHEMA, object=enum, schema=schema
        )
        known = auto_schema.registry._components.get(component.key)
        if known is not None and known.object is not enum:
            warn(f"Two enums are both named {component.name}: {known.object!r} and {enum!r}.")
        auto_schema.registry.register_on_missing(component)
        return component.ref
