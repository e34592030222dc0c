"""Tenancy: which rows a caller may reach, declared once and applied by the kernel.

- A `Scope` restricts a queryset to what the request's user may see (NetBox's `restrict()`).
- An `Anchor` is a named way of reaching rows: a scope, and when a route's path names one row, the
  model and how each path parameter maps to a lookup. The app that owns the model declares its
  anchors once, in `apps/<app>/scopes.py`.
- Every authenticated API view sets `tenancy`: the anchor it resolves its path through and restricts
  its lists with, or `NotTenantScoped("why")`. `ApiView` resolves the anchor before any handler runs
  and `ApiView.restrict()` applies it to a list; views never filter by user themselves.
  tests/api/test_tenancy_matrix.py walks the URLconf and fails for a route with neither.

What the path parameters of API routes mean for tenancy: every path parameter of an API route is
either an *owned* id (it names something that belongs to a user, so the view must resolve it
through its anchor) or a *free* value (an app name, a year). Each app declares the parameters of
its own routes on its AppConfig (`owned_path_parameters`, `free_path_parameters`); the kernel only
collects them (`path_parameters()`). The scoped base view refuses a route whose parameters it
cannot account for, and the tenancy matrix test classifies every route with the same sets, so a new
route is covered, or flagged, without anyone remembering to add it.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from rest_framework import exceptions


class Scope:
    """Restricts a queryset of some model to what the request's user may see."""

    uses_area = False
    # True when restrict() reads nothing of the request but its user and area: the view's anchor
    # query is then built and compiled once and run with each request's values (esmart/api/compiled.py).
    reads_user_and_area = False

    def restrict(self, queryset, request):
        raise NotImplementedError

    def on_miss(self, request) -> exceptions.APIException:
        """What to raise when the anchor is not in scope (404 unless the scope knows better)."""
        return exceptions.NotFound()


@dataclass(frozen=True, eq=False)
class Anchor:
    """A named way of reaching rows: `scope` restricts them; `model` and `lookups` (path parameter →
    lookup on the model) let a route's path name one row. `model` may be "app_label.Model"."""

    name: str
    scope: Scope
    model: type | str | None = None
    lookups: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self):
        object.__setattr__(self, "lookups", MappingProxyType(dict(self.lookups)))

    def resolved_model(self):
        return apps.get_model(self.model) if isinstance(self.model, str) else self.model

    def restrict(self, queryset, request):
        return self.scope.restrict(queryset, request)

    def __repr__(self):
        return f"Anchor({self.name!r})"


@dataclass(frozen=True)
class NotTenantScoped:
    """What an authenticated view declares when it reaches nothing owned by a tenant, and why."""

    reason: str

    def __post_init__(self):
        if not self.reason.strip():
            raise ValueError("NotTenantScoped needs a reason.")


@functools.cache
def path_parameters() -> tuple[frozenset[str], frozenset[str]]:
    """(owned, free): the path parameters the installed apps declare."""
    configs = apps.get_app_configs()
    owned = frozenset().union(*(getattr(config, "owned_path_parameters", ()) for config in configs))
    free = frozenset().union(*(getattr(config, "free_path_parameters", ()) for config in configs))
    if owned & free:
        raise ImproperlyConfigured(f"Path parameters {sorted(owned & free)} are declared both owned and free.")
    return owned, free


def owned_path_parameters() -> frozenset[str]:
    return path_parameters()[0]


def free_path_parameters() -> frozenset[str]:
    return path_parameters()[1]
