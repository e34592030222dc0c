"""Bad input is never a 500 (DESIGN.md §4, §10; issue 8, item 2), for every operation of the schema.

Generated from the OpenAPI schema, so an operation added later is covered without editing this
file. For each operation and each kind of hostile value — a NUL byte, a very long string, an
integer beyond 64 bits, the years 1 and 9999 — the value goes (a) into each path parameter, and
(b) into every query parameter and every property of the JSON body at once, with the caller's
own ids in the path so the values reach the handler. Every answer must be below 500 (or a 5xx
the operation documents, such as a 503 for an outside service that is not configured). Bounded
and deterministic (at most a dozen requests per operation), so it runs in CI on every backend;
schemathesis (test_schemathesis.py) explores the schema's own shapes on top of it.
"""

from __future__ import annotations

import importlib
import re

import pytest
from django.conf import settings
from django.db import transaction
from drf_spectacular.generators import SchemaGenerator

from . import test_tenancy_matrix as tenancy_matrix
from .test_tenancy_matrix import FREE_SAMPLES

pytestmark = pytest.mark.django_db

NUL = "ab\x00cd"
LONG = "x" * 5000
HUGE = 2**70
KINDS = ["nul", "long", "huge", "year1", "year9999"]
_DATE_PATTERN = re.compile(r"\\d\{4\}-")


def _schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


SCHEMA = _schema()
OPERATIONS = [
    (path, method, operation)
    for path, item in SCHEMA["paths"].items()
    for method, operation in item.items()
    if method in ("get", "post", "put", "patch", "delete")
]


def _resolve(schema: dict) -> dict:
    while "$ref" in schema:
        schema = SCHEMA["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return _resolve(schema["allOf"][0])
    return schema


def _is_date(schema: dict) -> bool:
    return schema.get("format") in ("date", "date-time") or bool(_DATE_PATTERN.search(schema.get("pattern", "")))


def hostile(schema: dict, kind: str, depth: int = 0):
    """A hostile value of `kind` shaped like `schema` where the kind allows (else the raw value)."""
    schema = _resolve(schema or {})
    kind_type = schema.get("type")
    if kind_type == "object" or "properties" in schema:
        if depth > 2:
            return {}
        return {name: hostile(prop, kind, depth + 1) for name, prop in schema.get("properties", {}).items()}
    if kind_type == "array":
        return [hostile(schema.get("items", {}), kind, depth + 1)]
    if kind in ("year1", "year9999"):
        year = "0001-01-01T00:00:00" if kind == "year1" else "9999-12-31T23:59:59"
        if _is_date(schema) or kind_type == "string":
            return year
        return 1 if kind == "year1" else 9999
    if kind == "huge":
        return HUGE if kind_type in ("integer", "number") else str(HUGE)
    return NUL if kind == "nul" else LONG


def _body_content_type(operation) -> tuple[str, dict] | None:
    content = (operation.get("requestBody") or {}).get("content", {})
    if "application/json" in content:
        return "application/json", content["application/json"].get("schema", {})
    return None


@pytest.fixture
def ids(owner):
    values = {
        **FREE_SAMPLES,
        "userId": owner.user.pk,
        "customerId": owner.customer.pk,
        "contractNo": owner.contract.contract_no,
        "deliveryPointId": owner.delivery_point.pk,
        "meterId": owner.meter.meter_id,
    }
    # Each app's own ids (tests/<app>/tenancy.py, as the tenancy matrix uses them) where its hook
    # works; an app whose hook is broken mid-change is still checked, with placeholder ids.
    for app in settings.INSTALLED_APPS:
        module_name = f"tests.{app.split('.')[-1]}.tenancy"
        if not (app.startswith("apps.") and tenancy_matrix._module_exists(module_name)):
            continue
        try:
            with transaction.atomic():
                values.update(importlib.import_module(module_name).owned_values(owner))
        except Exception:
            continue
    return values


def _url(path: str, values: dict) -> str:
    return re.sub(r"\{([^}]+)\}", lambda m: str(values.get(m.group(1), 1)), path)


def _send(client, method, path, path_values, query, body):
    from urllib.parse import quote

    url = _url(path, {k: quote(str(v), safe="") for k, v in path_values.items()})
    if method == "get" or method == "delete":
        return getattr(client, method)(url, query)
    if query:
        from urllib.parse import urlencode

        url = f"{url}?{urlencode(query)}"
    return getattr(client, method)(url, body if body is not None else {}, format="json")


def _is_server_error(response, operation) -> bool:
    """A 5xx the operation does not document (a documented 503, "not configured", is an answer)."""
    return response.status_code >= 500 and str(response.status_code) not in operation.get("responses", {})


def _check_operation(client, ids, path, method, operation) -> list:
    parameters = operation.get("parameters", [])
    path_parameters = [p for p in parameters if p.get("in") == "path"]  # a $ref is a shared header
    query_parameters = [p for p in parameters if p.get("in") == "query" and p["name"] != "format"]
    body_schema = _body_content_type(operation)
    failures = []
    for kind in KINDS:
        # (a) each path parameter hostile, the rest the caller's own.
        for parameter in path_parameters:
            values = {**ids, parameter["name"]: hostile(parameter.get("schema", {}), kind)}
            response = _send(client, method, path, values, {}, None)
            if _is_server_error(response, operation):
                failures.append((kind, f"path {parameter['name']}", response.status_code, response.content[:200]))
        # (b) every query parameter and body property hostile, the path the caller's own.
        if query_parameters or body_schema:
            query = {p["name"]: str(hostile(p.get("schema", {}), kind)) for p in query_parameters}
            body = hostile(body_schema[1], kind) if body_schema else None
            response = _send(client, method, path, ids, query, body)
            if _is_server_error(response, operation):
                failures.append((kind, "query/body", response.status_code, response.content[:200]))
    return [(method.upper(), path, *failure) for failure in failures]


def test_hostile_values_are_never_a_server_error(owner, ids):
    # One test over every operation (one set of ids): per-operation tests cost a fixture each.
    client = owner.client()
    failures = []
    for path, method, operation in OPERATIONS:
        failures += _check_operation(client, ids, path, method, operation)
    assert not failures, "\n".join(map(str, failures))


def test_the_generated_check_sees_every_app():
    apps = {path.split("/")[2].lower() for path, _, _ in OPERATIONS}
    assert {"customers", "spotprices", "ping", "users"} <= apps


def test_spot_prices_in_year_9999_or_1_are_a_400(owner):
    for from_time, to_time in [
        ("9999-12-30T00:00:00", "9999-12-31T23:59:59"),
        ("0001-01-01T00:00:00", "0001-01-02T00:00:00"),
    ]:
        response = owner.client().get(
            "/api/spotprices", {"priceArea": "NO1", "fromTimeUtc": from_time, "toTimeUtc": to_time}
        )
        assert response.status_code == 400, response.content
        assert "Message" in response.json()
