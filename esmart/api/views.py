"""The one base every API view derives from: tenancy is applied here, not remembered per view.

A view names the object its path points at (its *anchor*): the model, the scope that restricts
that model to what the caller may see, and how each path parameter maps to a lookup. Before any
handler runs, `initial()` resolves the whole path chain in one scoped query; a broken link, or an
id that belongs to someone else, is a 404 before the body is even parsed. Lists hang off the
anchor (`self.anchor.contracts.all()`), so they are scoped by construction.

Subclasses may not override `dispatch`, `initial`, `get_queryset` or `get_object` (checked at class
creation, as PostHog's routing does); they refine the anchor query with `refine_anchor()`.

Every view sets `tenancy` (esmart/api/tenancy.py): a named `Anchor` its app declared once, or
`NotTenantScoped("why")`. The anchor's model, scope and lookups become the view's `anchor_model`,
`anchor_scope` and `anchor_lookups` (a view may map its route's parameter names with its own
`anchor_lookups`); its lists are restricted with `self.restrict(queryset)`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from rest_framework import exceptions
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import SAFE_METHODS, AllowAny

from .area import request_area
from .authentication import WWW_AUTHENTICATE
from .compiled import CompiledQueries, CompiledQuery, NotCompilableError, stand_in_request
from .limits import check_body_size, path_value_can_exist
from .tenancy import Anchor, NotTenantScoped, Scope, path_parameters

_SEALED = ("dispatch", "initial", "get_queryset", "get_object")
_COMPILED_ANCHORS = CompiledQueries()


__all__ = ["Anchor", "ApiView", "NotTenantScoped", "PublicApiView", "Scope"]


class ApiView(GenericAPIView):
    # The named anchor the view resolves its path through and restricts its lists with, or
    # NotTenantScoped("why"); tests/api/test_tenancy_matrix.py requires one on every authenticated route.
    tenancy: Anchor | NotTenantScoped | None = None
    # Further anchors the view's lists are restricted with (a participant's devices: the devices' reach).
    also_restricts: tuple[Anchor, ...] = ()
    # The object the path names: its model, its scope and the path-parameter → lookup map (from `tenancy`).
    anchor_model = None
    anchor_scope: Scope | None = None
    anchor_lookups: dict[str, str] = {}
    # No OPTIONS introspection: the OpenAPI schema documents the API (OPTIONS is a 405).
    metadata_class = None
    # True for the seed's "POST to allow for complex parameters" reads: no request transaction,
    # so what they cache or store on the way (a fetched day of spot prices) commits on its own.
    read_only = False
    # Bodies larger than this are a 413 before they are read; None: the API_MAX_BODY_BYTES setting.
    max_body_bytes: int | None = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if not cls.__module__.startswith("esmart.api."):
            overridden = [name for name in _SEALED if name in cls.__dict__]
            if overridden:
                raise TypeError(
                    f"{cls.__qualname__} overrides {', '.join(overridden)}: scoping lives in ApiView; "
                    "use anchor_lookups and refine_anchor() instead."
                )
        tenancy = cls.__dict__.get("tenancy")
        if isinstance(tenancy, Anchor) and tenancy.model is not None:
            cls.anchor_model = tenancy.resolved_model()
            cls.anchor_scope = tenancy.scope
            if "anchor_lookups" not in cls.__dict__:
                cls.anchor_lookups = dict(tenancy.lookups)
            if not cls.anchor_lookups:
                raise TypeError(f"{cls.__qualname__}: {tenancy!r} names a model but maps no path parameter.")

    def dispatch(self, request, *args, **kwargs):
        # Writes run in one transaction and any error response rolls it back, so a failed request
        # leaves nothing half-written. Reads skip the BEGIN/COMMIT round trips.
        if request.method in SAFE_METHODS or self.read_only:
            return super().dispatch(request, *args, **kwargs)
        with transaction.atomic():
            response = super().dispatch(request, *args, **kwargs)
            if response.status_code >= 400:
                transaction.set_rollback(True)
            return response

    def initial(self, request, *args, **kwargs):
        check_body_size(request, self)  # before authentication, parsing or any query
        super().initial(request, *args, **kwargs)
        if self.anchor_scope is not None and self.anchor_scope.uses_area:
            request_area(request)  # a bad X-Area is a 400 before anything else happens
        self.anchor = self._resolve_anchor()

    def restrict(self, queryset, through: Anchor | None = None):
        """`queryset` restricted to what the caller reaches through the view's anchor (`tenancy`), or
        through `through`, one of the view's `also_restricts`."""
        anchor = through or self.tenancy
        if not isinstance(anchor, Anchor) or not (anchor is self.tenancy or anchor in self.also_restricts):
            raise ImproperlyConfigured(
                f"{type(self).__name__} restricts through {anchor!r}: not its tenancy nor in also_restricts."
            )
        return anchor.restrict(queryset, self.request)

    def refine_anchor(self, queryset):
        """Hook: add select_related/only to the scoped anchor query. Never widen it.

        Under a scope that reads only the user and the area, the anchor query is built once per view
        with stand-in values and compiled (esmart/api/compiled.py): build the same query whatever the
        path values are (no branching on them) and whenever (no value from the clock)."""
        return queryset

    def _resolve_anchor(self):
        self._check_path_parameters()
        if self.anchor_model is None:
            return None
        lookups = {lookup: self.kwargs[param] for param, lookup in self.anchor_lookups.items()}
        if not all(path_value_can_exist(self.anchor_model, lookup, value) for lookup, value in lookups.items()):
            raise exceptions.NotFound()  # out of the column's range or the wrong shape: no query
        compiled = self._compiled_anchor_query()
        if compiled is not None:
            values = [self.request.user.pk, int(request_area(self.request)), *self.kwargs.values()]
            anchor = compiled.first(values, using=self.anchor_model._default_manager.db)
        else:
            anchor = self._anchor_queryset(self.request, lookups).first()
        if anchor is None:
            raise self.anchor_scope.on_miss(self.request)
        return anchor

    def _anchor_queryset(self, request, lookups):
        queryset = self.anchor_scope.restrict(self.anchor_model._default_manager.all(), request)
        return self.refine_anchor(queryset.filter(**lookups))

    def _compiled_anchor_query(self) -> CompiledQuery | None:
        """The anchor statement of this view for path values of these types, or None (the ORM then)."""
        if not settings.API_COMPILED_ANCHORS:
            return None
        if not self.anchor_scope.reads_user_and_area or self.request.user.pk is None:
            return None
        kinds = tuple((name, type(value)) for name, value in self.kwargs.items())
        key = (type(self), self.anchor_model._default_manager.db, kinds)
        return _COMPILED_ANCHORS.get(key, self._compile_anchor_query)

    def _compile_anchor_query(self) -> CompiledQuery:
        """The anchor query built with stand-ins for the user, the area and each path value (in
        self.kwargs too, for a refine_anchor() that reads them), compiled."""
        request, kwargs = self.request, self.kwargs

        def build(stand_ins):
            self.request = stand_in_request(type(request.user), stand_ins[0], stand_ins[1])
            self.kwargs = dict(zip(kwargs, stand_ins[2:], strict=True))
            try:
                lookups = {lookup: self.kwargs[param] for param, lookup in self.anchor_lookups.items()}
                return self._anchor_queryset(self.request, lookups)
            except Exception as exc:  # reads more of the request (AttributeError), a stand-in no field takes
                raise NotCompilableError(f"{type(exc).__name__}: {exc}") from exc
            finally:
                self.request, self.kwargs = request, kwargs

        return CompiledQuery.first_of(build, [request.user.pk, int(request_area(request)), *kwargs.values()])

    def _check_path_parameters(self):
        owned_ids, free = path_parameters()
        unaccounted = [param for param in self.kwargs if param not in self.anchor_lookups and param not in free]
        owned = [param for param in self.kwargs if param in owned_ids]
        if unaccounted or (owned and (self.anchor_model is None or self.anchor_scope is None)):
            raise ImproperlyConfigured(
                f"{type(self).__name__}: path parameters {unaccounted or owned} are not resolved through a scope."
            )

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False) and self.anchor_model is not None:
            return self.anchor_model._default_manager.none()  # the schema generator's probe
        raise ImproperlyConfigured("API views use self.anchor and its relations, not get_queryset().")

    def get_object(self):
        return self.anchor


class PublicApiView(ApiView):
    """Endpoints that answer without credentials (ping, Authenticate)."""

    authentication_classes = []
    permission_classes = [AllowAny]

    def get_authenticate_header(self, request):
        # Wrong credentials in a body (POST api/Authenticate) are still a 401, not DRF's 403.
        return WWW_AUTHENTICATE
