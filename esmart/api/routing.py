"""Case-insensitive routes, as ASP.NET's were (DESIGN.md §4).

`api/Users/7/meters` and `api/users/7/meters` reach the same view; captured values keep their
case. The pattern compiles its regex with re.IGNORECASE and an optional trailing slash; the
pattern text is unchanged, so reverse() keeps working.
"""

import re
from functools import partial

from django.urls.conf import _path
from django.urls.resolvers import RoutePattern


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


class CaseInsensitiveRoutePattern(RoutePattern):
    regex = _CaseInsensitiveRegex()


api_path = partial(_path, Pattern=CaseInsensitiveRoutePattern)
