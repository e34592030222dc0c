"""The one place where Python's snake_case meets the wire's PascalCase (DESIGN.md §4).

Out: serializers speak snake_case and the renderer writes their keys in the wire case of the
serializer that produced them, nested serializers included: a serializer whose documented DTO has
another spelling (the camelCase wattmeter v2 response) sets `wire_case = CAMEL`, and a PascalCase
serializer nested in it stays PascalCase. Calendar dates travel as .NET DateTimes at midnight
(`2013-09-17T00:00:00`), datetimes as UTC without offset.

In: bodies are read as Json.NET read them. `WireBody` matches property names in any case (and
with or without underscores, so a snake_case field finds `UserName`, `username` and `USERNAME`)
and drops `null` properties: an optional property sent as null is "not given".
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import lru_cache

from rest_framework.fields import DateField, DateTimeField
from rest_framework.serializers import BaseSerializer, ListSerializer

PASCAL = "pascal"
CAMEL = "camel"
PRESERVE = "preserve"
# Field names are already the wire names, whatever their case (EvLoginCredentials' `username`).
AS_DECLARED = "as_declared"


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


_KEY_FUNCTIONS = {PASCAL: to_pascal, CAMEL: to_camel, AS_DECLARED: str}


def date_text(value: dt.date) -> str:
    """The wire form of a calendar date: a .NET DateTime at midnight (`2013-09-17T00:00:00`)."""
    return f"{value.isoformat()}T00:00:00"


def utc_text(value: dt.datetime) -> str:
    """The wire form of a datetime: UTC, no offset, no fraction (`2013-09-17T22:39:30`)."""
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.isoformat(timespec="seconds")


def wire_case_of(serializer) -> str:
    """The wire case a serializer class declares: PascalCase unless it says otherwise, whatever
    serializer it is nested in (a plain dict without a serializer keeps its parent's case)."""
    return getattr(serializer, "wire_case", None) or PASCAL


def _child_serializer(field):
    if isinstance(field, ListSerializer):
        return field.child if isinstance(field.child, BaseSerializer) else None
    return field if isinstance(field, BaseSerializer) else None


_SCALARS = frozenset((str, int, float, bool, type(None)))


def _plan(serializer):
    """(case, {field name: (wire key, nested serializer, is a date field)}), once per serializer
    instance (a ListSerializer's child is one instance for all its items)."""
    plan = serializer.__dict__.get("_wire_plan")
    if plan is None:
        case = wire_case_of(serializer)
        if case == PRESERVE:
            plan = (case, None)
        else:
            convert = _KEY_FUNCTIONS[case]
            fields = {
                name: (convert(name), _child_serializer(field), _is_date_field(field))
                for name, field in serializer.fields.items()
            }
            plan = (case, fields)
        serializer.__dict__["_wire_plan"] = plan
    return plan


def to_wire(data, case: str = PASCAL, serializer=None):
    """Returns `data` in wire form: keys in the wire case of the serializer that produced each
    object (`case` where none is known), dates and datetimes as wire text, decimals as numbers.

    `serializer.data` results (ReturnDict/ReturnList) name their serializer, so a nested
    serializer's `.data` returned by a method field is cased by its own class too.
    """

    def walk(value, case, serializer):
        source = getattr(value, "serializer", None)
        if source is not None:
            serializer = source.child if isinstance(source, ListSerializer) else source
        if isinstance(value, dict):
            if getattr(value, "wire_case", None) == PRESERVE:
                return value
            fields = None
            if serializer is not None:
                case, fields = _plan(serializer)
                if fields is None:
                    return value  # already wire form (CompiledReadSerializer)
            convert_key = _KEY_FUNCTIONS[case]
            out = {}
            for key, item in value.items():
                entry = fields.get(key) if fields is not None else None
                if entry is None:
                    wire, child = (convert_key(key) if isinstance(key, str) else key), None
                else:
                    wire, child, is_date = entry
                    if is_date and isinstance(item, str):
                        item = _date_string_text(item)
                out[wire] = item if type(item) in _SCALARS else walk(item, case, child)
            return out
        if isinstance(value, (list, tuple)):
            return [item if type(item) in _SCALARS else walk(item, case, serializer) for item in value]
        if isinstance(value, dt.datetime):
            return utc_text(value)
        if isinstance(value, dt.date):
            return date_text(value)
        if isinstance(value, Decimal):
            return float(value)
        return value

    return walk(data, case, serializer)


def _is_date_field(field) -> bool:
    return isinstance(field, DateField) and not isinstance(field, DateTimeField)


def _date_string_text(text: str) -> str:
    # A DateField that formatted its date itself (a DATE_FORMAT setting): still a .NET DateTime.
    return f"{text}T00:00:00" if len(text) == 10 else text


class JSONTooDeepError(ValueError):
    """A JSON document nests deeper than the configured bound."""


def check_depth(data, max_depth: int) -> None:
    """Raises JSONTooDeepError when `data` nests objects/arrays deeper than `max_depth`.

    Iterative, so a hostile document cannot exhaust the interpreter's stack before it is refused.
    """
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > max_depth:
            raise JSONTooDeepError(f"The JSON nests deeper than {max_depth} levels.")
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))


def wire_key(name: str) -> str:
    """The form in which a property name matches: any case, with or without underscores."""
    return name.replace("_", "").lower()


class WireBody(dict):
    """A JSON object as the client sent it, read as Json.NET bound it (DESIGN.md §4).

    Keys keep the client's spelling; `get`, `[]` and `in` match them in any case, so every
    serializer's fields (snake_case) find `PhoneNumber`, `phonenumber` or `Phonenumber`. Properties
    sent as null are left out: an optional property that is null is "not given", and a required
    one is reported as missing. Of two spellings of one name the last wins, as in Json.NET.
    """

    __slots__ = ("_names",)

    def __init__(self, items=()):
        super().__init__(items)
        self._names = {wire_key(key): key for key in self if isinstance(key, str)}

    def _key(self, key):
        if dict.__contains__(self, key) or not isinstance(key, str):
            return key
        return self._names.get(wire_key(key), key)

    def __getitem__(self, key):
        return dict.__getitem__(self, self._key(key))

    def __contains__(self, key):
        return dict.__contains__(self, self._key(key))

    def get(self, key, default=None):
        return dict.get(self, self._key(key), default)


def read_body(data, max_depth: int):
    """A parsed JSON document as `WireBody` objects (nulls dropped), after its depth is checked."""
    check_depth(data, max_depth)
    return _read(data)


def _read(value):
    if isinstance(value, dict):
        return WireBody((key, _read(item)) for key, item in value.items() if item is not None)
    if isinstance(value, list):
        return [_read(item) for item in value]
    return value


def from_wire(data, max_depth: int = 256):
    """Returns `data` with dict keys in snake_case, whatever case the client sent (documents of
    outside systems read into snake_case dicts); too deep a document is a JSONTooDeepError."""
    check_depth(data, max_depth)
    return _snake(data)


def _snake(data):
    if isinstance(data, dict):
        return {to_snake(k) if isinstance(k, str) else k: _snake(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_snake(v) for v in data]
    return data
