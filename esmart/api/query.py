"""Query parameters bound as ASP.NET Web API bound them.

A view declares its query parameters as a DRF serializer with snake_case fields; on the wire
they are the seed's camelCase names (`fromTimeUtc`, `includeWattMeter`, `pageSize`), matched in
any case. A name that is a Python keyword gets a trailing underscore and a `source`
(`from_ = DateTimeField(source="from_time")` is the parameter `from`, validated as `from_time`).
Booleans parse as bool.Parse did: "true"/"false" in any case, nothing else. Invalid
values are a 400 whose ModelState names the parameter. `query_parameters()` documents the same
names in the OpenAPI schema, so the binder and the schema cannot drift apart.
"""

from __future__ import annotations

import functools

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from .casing import to_camel, wire_key
from .fields import EnumField, enum_schema


class AspNetBooleanField(serializers.BooleanField):
    """true/false in any case, surrounding spaces allowed; 1, yes, on or empty are invalid."""

    default_error_messages = {"invalid": "The value '{input}' is not valid: use true or false."}

    def to_internal_value(self, data):
        if isinstance(data, bool):
            return data
        text = str(data).strip().lower()
        if text in ("true", "false"):
            return text == "true"
        self.fail("invalid", input=data)


def _wire_name(name: str) -> str:
    return name if name == "non_field_errors" else to_camel(name)


@functools.cache
def _names_by_wire_key(serializer_class: type[serializers.Serializer]) -> dict[str, str]:
    # Once per class: building a serializer's fields deep-copies every declared field.
    return {wire_key(name): name for name in serializer_class().fields}


def bind_query(request, serializer_class: type[serializers.Serializer]) -> dict:
    """The validated query parameters of `request` (snake_case keys), or a 400 naming the bad ones."""
    by_key = _names_by_wire_key(serializer_class)
    data = {}
    for key, values in request.query_params.lists():
        name = by_key.get(wire_key(key))
        if name is not None:
            data[name] = values[-1]
    bound = serializer_class(data=data)
    if not bound.is_valid():
        raise ValidationError({_wire_name(name): errors for name, errors in bound.errors.items()})
    return bound.validated_data


_OPENAPI_TYPES = [
    (serializers.BooleanField, OpenApiTypes.BOOL),
    (serializers.IntegerField, OpenApiTypes.INT),
    (serializers.DateTimeField, OpenApiTypes.DATETIME),
    (serializers.DateField, OpenApiTypes.DATE),
    (serializers.DecimalField, OpenApiTypes.NUMBER),
    (serializers.FloatField, OpenApiTypes.NUMBER),
    (serializers.UUIDField, OpenApiTypes.UUID),
]


def query_parameters(serializer_class: type[serializers.Serializer]) -> list[OpenApiParameter]:
    """OpenAPI query parameters with the wire names `bind_query` accepts."""
    parameters = []
    for name, field in serializer_class().fields.items():
        openapi_type = next((t for cls, t in _OPENAPI_TYPES if isinstance(field, cls)), OpenApiTypes.STR)
        enum = list(field.choices) if isinstance(field, serializers.ChoiceField) else None
        if isinstance(field, EnumField):
            openapi_type, enum = enum_schema(field.enum), None  # each value named, as in bodies
        parameters.append(
            OpenApiParameter(
                name=to_camel(name),
                type=openapi_type,
                location=OpenApiParameter.QUERY,
                required=field.required,
                enum=enum,
                default=None if field.default is serializers.empty else field.default,
                description=str(field.help_text or ""),
            )
        )
    return parameters
