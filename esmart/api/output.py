"""How a view answers: the serializer it names is what is sent.

A view answers with `respond(SomeSerializer, instance)` (or `respond_many` for a list), naming the
same serializer its `@extend_schema(responses=...)` documents; the body is that serializer's
representation of the instance, so the schema and the wire cannot say different things. An answer
without a body is `no_body()` (200, or the status given); one whose schema is a bare OpenAPI type
(true, a count, a string, a list of strings) is `respond_value(value)`.

A fast path is an optional renderer of the same serializer: a serializer may set `fast_output`, a
function of the same instance that returns the body already in wire form (JSON bytes built by
the database or spliced from a cache, or a `WireDict`/`WireList`), or None when it cannot (e.g.
off PostgreSQL). Such an instance is usually a `Read`: the arguments of the read, which the fast
producer turns into wire bytes and the plain path into objects (`Read.result()`). The kernel uses
the fast producer only while the setting API_FAST_OUTPUT is on (the default); off, or when it
returns None, the serializer renders the instance. tests/api/test_fast_output.py answers every
read of the schema both ways and requires the same JSON.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

FastOutput = Callable[[Any], Any]


class Read:
    """The arguments of a read whose result a serializer with a fast producer renders. The fast
    producer takes the read itself and builds the body in wire form; the plain path renders
    `result()`, the same data as Python objects."""

    def result(self):
        raise NotImplementedError


__all__ = ["Read", "no_body", "plain_output", "respond", "respond_many", "respond_value"]


def plain_output(serializer_class: type[BaseSerializer], instance, *, many: bool = False, context=None):
    """The serializer's own representation of `instance` (what the fast path must equal)."""
    if isinstance(instance, Read):
        instance = instance.result()
    return serializer_class(instance, many=many, context=context or {}).data


def respond(
    serializer_class: type[BaseSerializer],
    instance,
    *,
    many: bool = False,
    status: int = 200,
    headers: dict | None = None,
    context: dict | None = None,
) -> Response:
    """`instance` (a list of them with many=True) as `serializer_class` renders it: by its fast
    producer when it has one and API_FAST_OUTPUT is on, else by the serializer itself."""
    fast: FastOutput | None = getattr(serializer_class, "fast_output", None)
    if fast is not None and settings.API_FAST_OUTPUT:
        body = fast(instance)
        if body is not None:
            response = Response(body, status=status, headers=headers)
            response.fast_output_of = serializer_class  # which answers took the fast path (tests/api)
            return response
    return Response(
        plain_output(serializer_class, instance, many=many, context=context), status=status, headers=headers
    )


def respond_many(serializer_class: type[BaseSerializer], instances, **options) -> Response:
    return respond(serializer_class, instances, many=True, **options)


def respond_value(value: bool | int | str | list[str] | None) -> Response:
    """A bare JSON value (true, a count, a time zone's name, a list of strings): what the original
    sent for operations whose schema is an OpenAPI type rather than a component."""
    if not (value is None or isinstance(value, bool | int | str | list)):
        raise TypeError(f"respond_value takes a JSON scalar or a list of them, not a {type(value).__name__}")
    return Response(b"null" if value is None else value)  # DRF would send None as an empty body


def fast_serializers() -> set[type[BaseSerializer]]:
    """Every serializer class (among those imported) that names a fast producer."""
    found, pending = set(), [BaseSerializer]
    while pending:
        cls = pending.pop()
        pending += cls.__subclasses__()
        if cls.__dict__.get("fast_output") is not None:
            found.add(cls)
    return found


def no_body(status: int = 200, headers: dict | None = None) -> Response:
    """An answer with a status and no body (the original's `Ok()`, 204 No Content...)."""
    return Response(status=status, headers=headers)
