"""Anchor queries built and compiled once per view, run with each request's values.

Building a scoped anchor query with the ORM and compiling it to SQL was two thirds of the Python
work of a small authenticated GET, and the SQL is the same for every request but its values. A
scope that restricts by the request's user and area alone says so (`Scope.reads_user_and_area`);
ApiView then builds the view's anchor query with *stand-ins* for those values and for every path
value, twice with different stand-ins, and compiles both: the SQL must be the same, and the
parameters that differ must be exactly the stand-ins, which tells where each value goes. A request
runs that statement with its own values in those places and turns the row into the model (with its
select_related objects, prefetches and annotations) as the ORM would. Nothing is cached but the
statement: each request still queries, so a lost access is a 404 on the next request.

A query in which a value does not come out as a parameter of its own (a `contains` lookup that
wraps it in %...%, a value turned into text or written into the SQL, one out of a column's range)
is not compiled: such a view keeps the ORM on every request. So does a refine_anchor() that reads
the request (the stand-in request has nothing else to read).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from types import SimpleNamespace

from django.db import connections
from django.db.models import prefetch_related_objects
from django.db.models.query import get_related_populators

# Two sets of stand-ins, within every integer column's range (a positive small integer's too); the
# text ones have both cases and inner spaces, so a transformed stand-in differs from both sets.
_INT_STAND_INS = (31_001, 32_001)
_MAX_VALUES = 500

logger = logging.getLogger(__name__)


class NotCompilableError(Exception):
    pass


def stand_in(value, k: int, which: int):
    """The k-th stand-in of set `which` (0 or 1) for a value of this type."""
    if isinstance(value, bool) or not isinstance(value, int | str) or k >= _MAX_VALUES:
        raise NotCompilableError(f"no stand-in for a {type(value).__name__}")
    return _INT_STAND_INS[which] + k if isinstance(value, int) else f"\x01Stand-In {'AB'[which]} {k} Xy\x01"


def stand_in_request(user_model, user_stand_in: int, area_stand_in: int):
    """What a scope that reads only the user and the area gets to read (esmart.api.area caches the
    area on the request as `_esmart_area`); reading anything else is an AttributeError."""
    return SimpleNamespace(user=user_model(pk=user_stand_in), _esmart_area=area_stand_in)


def _statement(queryset):
    """The queryset, compiler, SQL and parameters of `queryset.first()`."""
    query = (queryset if queryset.ordered else queryset.order_by("pk"))[:1]
    if query._known_related_objects or query.query.extra or query._fields is not None:
        raise NotCompilableError("related objects known in advance, extra() or values()")
    compiler = query.query.get_compiler(using=query.db)
    try:
        sql, params = compiler.as_sql()
    except Exception as exc:  # EmptyResultSet (a stand-in out of a column's range), FullResultSet...
        raise NotCompilableError(type(exc).__name__) from exc
    if compiler.has_extra_select or compiler.col_count != len(compiler.select):
        raise NotCompilableError("extra select columns")
    return query, compiler, sql, list(params)


def _is(param, value) -> bool:
    """Whether `param` is `value`, or `value` in a driver's wrapper of its type (psycopg's Int2)."""
    return isinstance(param, type(value)) and param == value


def _slots(params: list, other_params: list, stand_ins: list[list]) -> list[tuple[int, int, type]]:
    """(parameter position, value number, parameter type) of each parameter that is a value; the
    others must be the same in both statements (constants of the query)."""
    slots = []
    for position, (a, b) in enumerate(zip(params, other_params, strict=True)):
        if type(a) is type(b) and a == b:
            continue
        k = next((k for k, s in enumerate(stand_ins[0]) if _is(a, s)), None)
        if k is None or type(b) is not type(a) or not _is(b, stand_ins[1][k]):
            raise NotCompilableError(f"a value was transformed: {a!r}")
        slots.append((position, k, type(a)))
    return slots


@dataclass(frozen=True)
class CompiledQuery:
    sql: str
    params: tuple
    slots: tuple[tuple[int, int, type], ...]  # (parameter position, value number, parameter type)
    model: type
    fields: slice  # the model's columns in the row
    init_list: tuple[str, ...]
    related_populators: tuple
    converters: tuple  # (column, converters, expression)
    annotations: tuple[tuple[str, int], ...]
    prefetch: tuple

    @classmethod
    def first_of(cls, build, values: list) -> CompiledQuery:
        """The statement of `build(stand_ins).first()`, with a slot for each of `values` (in order)."""
        stand_ins = [[stand_in(value, k, which) for k, value in enumerate(values)] for which in (0, 1)]
        query, compiler, sql, params = _statement(build(stand_ins[0]))
        _, _, other_sql, other_params = _statement(build(stand_ins[1]))
        if other_sql != sql or len(other_params) != len(params):
            raise NotCompilableError("a value is written into the SQL")
        slots = _slots(params, other_params, stand_ins)
        select, klass_info = compiler.select, compiler.klass_info
        first, last = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        converters = compiler.get_converters([s[0] for s in select])
        return cls(
            sql=sql,
            params=tuple(params),
            slots=tuple(slots),
            model=klass_info["model"],
            fields=slice(first, last),
            init_list=tuple(f[0].target.attname for f in select[first:last]),
            related_populators=tuple(get_related_populators(klass_info, select, query.db)),
            converters=tuple((i, tuple(convs), expression) for i, (convs, expression) in converters.items()),
            annotations=tuple(compiler.annotation_col_map.items()),
            prefetch=tuple(query._prefetch_related_lookups),
        )

    def first(self, values: list, *, using: str):
        """The first row with `values` in their places, as the ORM would build it; or None."""
        params = list(self.params)
        for position, k, kind in self.slots:
            value = values[k]
            params[position] = value if type(value) is kind else kind(value)
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            row = cursor.fetchone()
        if row is None:
            return None
        if self.converters:
            row = list(row)
            for i, convs, expression in self.converters:
                for convert in convs:
                    row[i] = convert(row[i], expression, connection)
        obj = self.model.from_db(using, self.init_list, row[self.fields])
        for populator in self.related_populators:
            populator.populate(row, obj)
        for name, position in self.annotations:
            setattr(obj, name, row[position])
        if self.prefetch:
            prefetch_related_objects([obj], *self.prefetch)
        return obj


class CompiledQueries:
    """Compiled statements by key, or None for a key that cannot be compiled (it keeps the ORM,
    and says so once in the log: the key, e.g. the view, and why)."""

    def __init__(self):
        self._found: dict = {}
        self._lock = threading.Lock()

    def get(self, key, build):
        try:
            return self._found[key]
        except KeyError:
            pass
        compiled, reason = None, None
        try:
            compiled = build()
        except NotCompilableError as exc:
            reason = str(exc)
        with self._lock:
            if reason is not None and key not in self._found:
                owner = key[0] if isinstance(key, tuple) else key  # the view
                logger.warning("%s: the anchor query is not compiled, it goes through the ORM (%s)", owner, reason)
            return self._found.setdefault(key, compiled)

    def clear(self):
        with self._lock:
            self._found.clear()
