"""The one place where Python's snake_case meets the wire's PascalCase (DESIGN.md §4).

Serializers and services speak snake_case; the renderer and parser convert keys on the way out
and in. A serializer whose documented DTO uses another spelling (the camelCase wattmeter v2
response) sets `wire_case = CAMEL`; the renderer and the schema hook both read that attribute.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import lru_cache

PASCAL = "pascal"
CAMEL = "camel"
PRESERVE = "preserve"


class WireDict(dict):
    """A body already in wire form (keys and values): rendered as it is, without a walk."""

    wire_case = PRESERVE


# Names whose wire spelling is not the mechanical PascalCase of their Python name.
IRREGULAR_WIRE_NAMES = {
    "po_box": "POBox",
}
_IRREGULAR_PYTHON_NAMES = {wire.lower(): py for py, wire in IRREGULAR_WIRE_NAMES.items()}


@lru_cache(maxsize=4096)
def to_pascal(name: str) -> str:
    if name in IRREGULAR_WIRE_NAMES:
        return IRREGULAR_WIRE_NAMES[name]
    if "_" not in name and name[:1].isupper():
        return name  # already a wire name
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


@lru_cache(maxsize=4096)
def to_camel(name: str) -> str:
    pascal = to_pascal(name)
    return pascal[:1].lower() + pascal[1:]


@lru_cache(maxsize=4096)
def to_snake(name: str) -> str:
    """`PhoneNumber` → `phone_number`, `POBox` → `po_box`, `customerIds` → `customer_ids`."""
    if name.lower() in _IRREGULAR_PYTHON_NAMES:
        return _IRREGULAR_PYTHON_NAMES[name.lower()]
    out = []
    for i, ch in enumerate(name):
        if ch.isupper():
            prev_lower = i > 0 and (name[i - 1].islower() or name[i - 1].isdigit())
            next_lower = i + 1 < len(name) and name[i + 1].islower()
            prev_upper = i > 0 and name[i - 1].isupper()
            if i > 0 and (prev_lower or (prev_upper and next_lower)):
                out.append("_")
            out.append(ch.lower())
        else:
            out.append(ch)
    return "".join(out)


_KEY_FUNCTIONS = {PASCAL: to_pascal, CAMEL: to_camel}


def utc_text(value: dt.datetime) -> str:
    """The wire form of a datetime: UTC, no offset, no fraction (`2013-09-17T22:39:30`)."""
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.isoformat(timespec="seconds")


def to_wire(data, case: str = PASCAL):
    """Returns `data` with dict keys in the wire case and datetimes as UTC text."""
    convert_key = _KEY_FUNCTIONS[case]

    def walk(value):
        if isinstance(value, dict):
            return {convert_key(k) if isinstance(k, str) else k: walk(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [walk(v) for v in value]
        if isinstance(value, dt.datetime):
            return utc_text(value)
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, Decimal):
            return float(value)
        return value

    return walk(data)


def from_wire(data):
    """Returns `data` with dict keys in snake_case, whatever case the client sent."""
    if isinstance(data, dict):
        return {to_snake(k) if isinstance(k, str) else k: from_wire(v) for k, v in data.items()}
    if isinstance(data, list):
        return [from_wire(v) for v in data]
    return data
