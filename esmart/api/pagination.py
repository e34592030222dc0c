"""One paginator for every paged list: the seed's three parameter styles and one page-size policy.

The seed pages lists three ways: `page` + `pageSize` (messages, readings, assets), `pageNumber` +
`pageSize` (control plans) and `skip` + `take` (cimexportlogs). A view declares its query with the
serializer of its route's style (`page_query`, `page_number_query`, `skip_take_query`, each with the
route's documented default size; extend it with the route's other parameters), binds it with
`bind_query` like any query and pages its rows with `paginate(rows, query)`: a queryset (one LIMIT
and OFFSET) or a list. SQL that pages itself takes `window(query)`'s offset and limit.

Every size is 1 to `settings.API_MAX_PAGE_SIZE` (docs/api.md says why 10,000), every page number 1
to MAX_PAGE_NUMBER and every skip 0 to MAX_SKIP; anything else is a 400 naming the parameter.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from django.conf import settings
from rest_framework import serializers

# Bounds that keep an offset (page number x size) inside a 64-bit OFFSET on every backend.
MAX_PAGE_NUMBER = 1_000_000
MAX_SKIP = 1_000_000


class PageSizeField(serializers.IntegerField):
    """A page size: 1 to settings.API_MAX_PAGE_SIZE, read each time a query serializer is built
    (DRF rebuilds its fields per instance), so the maximum is the setting's current value."""

    def __init__(self, *, default: int, **kwargs):
        maximum = settings.API_MAX_PAGE_SIZE
        kwargs.setdefault("help_text", f"1-{maximum}, default {default}.")
        super().__init__(default=default, min_value=1, max_value=maximum, **kwargs)


def _page_number() -> serializers.IntegerField:
    return serializers.IntegerField(
        default=1, min_value=1, max_value=MAX_PAGE_NUMBER, help_text="The page, from 1 (default 1)."
    )


def page_query(*, default_size: int) -> type[serializers.Serializer]:
    """`page` (from 1) and `pageSize`: the messages', readings' and assets' style."""
    fields = {"page": _page_number(), "page_size": PageSizeField(default=default_size)}
    return type("PageQuery", (serializers.Serializer,), fields)


def page_number_query(*, default_size: int) -> type[serializers.Serializer]:
    """`pageNumber` (from 1) and `pageSize`: the control plans' style."""
    fields = {"page_number": _page_number(), "page_size": PageSizeField(default=default_size)}
    return type("PageNumberQuery", (serializers.Serializer,), fields)


def skip_take_query(*, default_take: int) -> type[serializers.Serializer]:
    """`skip` (items before the page) and `take` (its size): the CIM export logs' style."""
    fields = {
        "skip": serializers.IntegerField(
            default=0, min_value=0, max_value=MAX_SKIP, help_text="Items to skip (default 0)."
        ),
        "take": PageSizeField(default=default_take),
    }
    return type("SkipTakeQuery", (serializers.Serializer,), fields)


class Window(NamedTuple):
    """The rows a page holds: `limit` rows after the first `offset`."""

    offset: int
    limit: int

    def of(self, rows):
        return rows[self.offset : self.offset + self.limit]


def window(query: Mapping) -> Window:
    """The window a bound query names, in whichever of the three styles it is."""
    if "take" in query:
        return Window(offset=query["skip"], limit=query["take"])
    number = query["page_number"] if "page_number" in query else query["page"]
    return Window(offset=(number - 1) * query["page_size"], limit=query["page_size"])


def paginate(rows, query: Mapping):
    """The page of `rows` (a queryset, sliced in SQL, or a sequence) that a bound query names."""
    return window(query).of(rows)
