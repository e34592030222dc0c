"""Case-insensitive routes, as ASP.NET's were (DESIGN.md §4), that only match values that can exist.

`api/Users/7/meters` and `api/users/7/meters` reach the same view; captured values keep their
case. The pattern compiles its regex with re.IGNORECASE and an optional trailing slash; the
pattern text is unchanged, so reverse() keeps working.

A captured value that no row can hold is no match, so the request is a 404 before any query, on
every database backend (DESIGN.md §4 "Limits"): an integer beyond the signed 64-bit range (SQLite
raises OverflowError for it, PostgreSQL compares it as numeric) or a string with a NUL byte (which
PostgreSQL refuses with a DataError). Narrower columns are checked against the anchor's own field
in `esmart.api.limits.path_value_can_exist`.
"""

import re
from functools import cached_property, partial

from django.urls import Resolver404, register_converter
from django.urls.conf import _path
from django.urls.converters import IntConverter
from django.urls.resolvers import RoutePattern, URLResolver

# The widest integer column any backend has (BigIntegerField/BigAutoField).
MAX_PATH_INT = 2**63 - 1


class _CaseInsensitiveRegex:
    def __get__(self, instance, cls=None):
        if instance is None:
            return self
        pattern = instance._regex
        if instance._is_endpoint and pattern.endswith(r"\Z"):
            pattern = pattern[: -len(r"\Z")] + r"/?\Z"
        compiled = re.compile(pattern, re.IGNORECASE)
        instance.__dict__["regex"] = compiled
        return compiled


def storable(value) -> bool:
    """Whether a captured path value could be stored in some column at all."""
    if isinstance(value, int):
        return -MAX_PATH_INT - 1 <= value <= MAX_PATH_INT
    if isinstance(value, str):
        return "\x00" not in value
    return True


class CaseInsensitiveRoutePattern(RoutePattern):
    regex = _CaseInsensitiveRegex()

    def match(self, path):
        matched = super().match(path)
        if matched is not None and not all(storable(value) for value in matched[2].values()):
            return None
        return matched


api_path = partial(_path, Pattern=CaseInsensitiveRoutePattern)


DYNAMIC = object()  # a route whose first segment is not a literal: a candidate for every path


def _first_segment(pattern) -> object:
    route = str(pattern) if isinstance(pattern, RoutePattern) else None
    if route is None:
        return DYNAMIC  # a regex pattern
    segment = route.split("/", 1)[0]
    return DYNAMIC if "<" in segment else segment.lower()


def _leaves(patterns):
    """The routes of `patterns` in order, with plain includes (route "", no namespace or kwargs) opened."""
    for entry in patterns:
        plain = isinstance(entry, URLResolver) and str(entry.pattern) == "" and not entry.default_kwargs
        if plain and entry.namespace is None and entry.app_name is None:
            yield from _leaves(entry.url_patterns)
        else:
            yield entry


class FirstSegmentResolver(URLResolver):
    """An include that tries only the routes whose first literal segment is the path's (in any case).

    Django tries routes in order: with every app's routes under api/, a path late in the list cost
    some 90 regex matches (a tenth of a cached spot-price answer). Routes keep their order within a
    segment; a route starting with a converter is tried for every path; a path no narrowed list
    matches goes through the full list, so what matches is what Django alone would match."""

    def resolve(self, path):
        matched = self.pattern.match(str(path))
        if matched:
            narrowed = self._by_segment.get(matched[0].split("/", 1)[0].lower())
            if narrowed is not None:
                try:
                    return narrowed.resolve(path)
                except Resolver404:
                    pass
        return super().resolve(path)

    @cached_property
    def _by_segment(self) -> dict[str, URLResolver]:
        keyed = [(_first_segment(entry.pattern), entry) for entry in _leaves(self.url_patterns)]
        segments = {key for key, _ in keyed if key is not DYNAMIC}
        return {
            segment: URLResolver(self.pattern, [entry for key, entry in keyed if key in (segment, DYNAMIC)])
            for segment in segments
        }


def api_include(route: str, patterns: list) -> FirstSegmentResolver:
    """include() of `patterns` under `route`, case-insensitive and narrowed by first segment."""
    return FirstSegmentResolver(CaseInsensitiveRoutePattern(route, is_endpoint=False), patterns)


class DigitsConverter(IntConverter):
    """`<digits:name>`: matched and passed on exactly as `<int:name>`, but documented as the string of
    digits the original typed it as (SPECTACULAR_SETTINGS' PATH_CONVERTER_OVERRIDES; contract.md)."""


register_converter(DigitsConverter, "digits")
