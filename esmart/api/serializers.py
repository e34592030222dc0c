"""Read serializers compiled once per class, for responses on hot paths.

A DRF serializer builds (deep-copies) its fields for every instance and walks them per object;
on a small GET that costs as much as the queries. A `CompiledReadSerializer` is declared like
any DRF serializer, so the OpenAPI schema is unchanged, but its representation is a plan built
once per class from the declared fields: (wire name, attribute getter, converter). The result is
already in wire form (PascalCase keys, UTC datetimes, dates at midnight), so the renderer dumps it without a walk.

Only plain fields are supported (strings, numbers, booleans, choices, dates, datetimes, and
nested compiled serializers, single or many); anything else raises TypeError when the plan is
built, so a serializer never silently falls back to the slow path.
"""

from __future__ import annotations

from decimal import Decimal
from operator import attrgetter

from rest_framework import serializers

from .casing import CAMEL, PASCAL, PRESERVE, date_text, to_camel, to_pascal, utc_text

_PASSTHROUGH = (
    serializers.CharField,
    serializers.IntegerField,
    serializers.BooleanField,
    serializers.FloatField,
    serializers.ChoiceField,
)


def _optional(convert):
    return lambda value: None if value is None else convert(value)


def _converter(field):
    if isinstance(field, serializers.ListSerializer) and isinstance(field.child, CompiledReadSerializer):
        represent = type(field.child).represent
        return lambda values: [represent(v) for v in (values.all() if hasattr(values, "all") else values)]
    if isinstance(field, CompiledReadSerializer):
        return _optional(type(field).represent)
    if isinstance(field, serializers.DateTimeField):
        return _optional(utc_text)
    if isinstance(field, serializers.DateField):
        return _optional(date_text)
    if isinstance(field, serializers.DecimalField):
        return _optional(lambda value: float(Decimal(value)))
    if isinstance(field, _PASSTHROUGH):
        return None
    raise TypeError(f"{type(field).__name__} is not supported by CompiledReadSerializer")


class CompiledReadSerializer(serializers.Serializer):
    # What the keys look like on the wire; the output itself is final (the renderer keeps it).
    key_case = PASCAL
    wire_case = PRESERVE

    @classmethod
    def _plan(cls):
        plan = cls.__dict__.get("_compiled_plan")
        if plan is None:
            rename = to_camel if cls.key_case == CAMEL else to_pascal
            plan = []
            for name, field in cls._declared_fields.items():
                source = field.source or name
                getter = (lambda instance: instance) if source == "*" else attrgetter(source)
                plan.append((rename(name), getter, _converter(field)))
            cls._compiled_plan = plan
        return plan

    @classmethod
    def represent(cls, instance) -> dict:
        out = {}
        for key, getter, convert in cls._plan():
            value = getter(instance)
            out[key] = value if convert is None else convert(value)
        return out

    def to_representation(self, instance):
        return self.represent(instance)

    @classmethod
    def many(cls, instances) -> list[dict]:
        represent = cls.represent
        return [represent(instance) for instance in instances]
