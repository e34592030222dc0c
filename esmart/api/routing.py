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
from functools import partial

from django.urls.conf import _path
from django.urls.resolvers import RoutePattern

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
