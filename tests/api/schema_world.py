"""The seeded demo, walked through the served schema by each kind of login (tests/api/test_schema_*.py).

`seed()` runs `seed_demo` with a fixed day. `walk(login)` calls every operation of the schema as
that login: path values are the login's own, harvested from its answers (a `CustomerId` in an
answer fills a `{customerId}`), reads first (again while they teach new values), then writes with
the body's documented example, deletes last. Each answer is checked by `answer_problems`: its
status is documented, and a JSON body validates against the documented schema *strictly* (formats
asserted, no property the schema does not name), as a strict generated decoder reads it.
"""

from __future__ import annotations

import base64
import copy
import io
import json
import re
from dataclasses import dataclass, field
from functools import cache

from django.core.management import call_command
from openapi_schema_validator import OAS30ReadValidator
from openapi_schema_validator._format import oas30_format_checker
from rest_framework.test import APIClient

from apps.customers.demo import customer_ids
from apps.customers.models import User
from esmart.api.area import Area

TODAY = "2024-11-05"
# (kind of login, username); each password is "<username>-password" (apps/*/demo.py).
LOGINS = [
    ("customer", "demo1"),
    ("grid professional", "grid1"),
    ("care staff", "nurse1"),
    ("next of kin", "kin1"),
]
# Values no answer carries: the demo's app short names.
GIVEN = {"appShortName": "smartliv", "appshortname": "smartliv"}
# Path names the seed spells differently from the answers' properties.
ALIASES = {"custId": "customerId", "siteId": "deliveryPointId", "id": "assetId"}
METHOD_ORDER = {"get": 0, "post": 1, "put": 1, "patch": 1, "delete": 2}
_PATH_NAMES = re.compile(r"{(\w+)}")


def seed() -> None:
    call_command("seed_demo", "--days", "0", "--today", TODAY, stdout=io.StringIO(), stderr=io.StringIO())


def client_for(username: str) -> APIClient:
    api = APIClient()
    token = base64.b64encode(f"{username}:{username}-password".encode()).decode()
    api.credentials(HTTP_AUTHORIZATION=f"Basic {token}")
    return api


def served_schema() -> dict:
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    return response.json()


def _closed(node):
    """The schema with every object that names its properties closed to others.

    `{"allOf": [ref], "nullable": true}` (drf-spectacular's nullable reference in OpenAPI 3.0) is
    read as generators read it (openapi-python-client: `None | Model`): the reference, or null.
    openapi-schema-validator reads OpenAPI 3.0.3 to the letter, where `nullable` without `type`
    allows nothing more."""
    if isinstance(node, dict):
        node = {key: _closed(value) for key, value in node.items()}
        if "properties" in node and "additionalProperties" not in node:
            node["additionalProperties"] = False
        if node.get("nullable") is True and "type" not in node and "allOf" in node:
            nullable = {"type": "object", "nullable": True, "enum": [None]}
            branches = node.pop("allOf")
            node["anyOf"] = [{"allOf": branches}, nullable]
        return node
    if isinstance(node, list):
        return [_closed(value) for value in node]
    return node


@cache
def _validator(schema_json: str, keys: tuple) -> OAS30ReadValidator:
    document = json.loads(schema_json)
    node = document
    for key in keys:
        node = node[key]
    strict = _closed({**copy.deepcopy(node), "components": document["components"]})
    return OAS30ReadValidator(strict, format_checker=oas30_format_checker)


def answer_problems(schema: dict, schema_json: str, path: str, method: str, response) -> list[str]:
    operation = schema["paths"][path][method]
    status = str(response.status_code)
    where = f"{method.upper()} {path} → {status}"
    documented = operation["responses"].get(status)
    if documented is None:
        return [f"{where}: status not documented"]
    content = documented.get("content", {})
    body = response.content
    if not content:
        return [] if not body else [f"{where}: a body where none is documented"]
    media = response["Content-Type"].split(";")[0].strip() if body else None
    if media is None:
        return [f"{where}: no body, but {sorted(content)} documented"]
    if media not in content:
        return [f"{where}: {media} not documented ({sorted(content)})"]
    if media != "application/json":
        return []
    validator = _validator(schema_json, ("paths", path, method, "responses", status, "content", media, "schema"))
    errors = sorted(validator.iter_errors(json.loads(body)), key=lambda e: list(e.absolute_path))
    return [f"{where}: {list(e.absolute_path)}: {e.message[:200]}" for e in errors[:3]]


def harvest(value, known: dict) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, (int, str)) and not isinstance(item, bool) and item not in ("", None):
                name = key[:1].lower() + key[1:]
                if name.endswith(("Id", "No", "Number")) or name in ("code",):
                    known.setdefault(name, item)
            else:
                harvest(item, known)
    elif isinstance(value, list):
        for item in value[:3]:
            harvest(item, known)


def _fill(path: str, known: dict) -> str | None:
    values = {}
    for name in _PATH_NAMES.findall(path):
        value = known.get(name, known.get(ALIASES.get(name, ""), GIVEN.get(name)))
        if value is None:
            return None
        values[name] = value
    return _PATH_NAMES.sub(lambda m: str(values[m.group(1)]), path)


@dataclass
class Walk:
    answers: int = 0
    statuses: dict = field(default_factory=dict)  # status → count
    problems: list = field(default_factory=list)
    operations: set = field(default_factory=set)
    unreached: list = field(default_factory=list)  # operations whose path values were never learnt


def seeded_values(username: str) -> dict:
    """A customer login's Power customer and its chain (the default area is Power), so the first
    customer an answer names (maybe the Net one) does not stand for all."""
    user = User.objects.get(username=username)
    for customer in customer_ids(user)["Customers"]:
        if customer["Area"] == Area.POWER and customer["Contracts"]:
            contract = customer["Contracts"][0]
            return {
                "customerId": customer["CustomerId"],
                "contractNo": contract["ContractNo"],
                "deliveryPointId": contract["DeliveryPointIds"][0],
                "meterId": contract["MeterIds"][0],
            }
    return {}


def walk(schema: dict, username: str, on_answer=None) -> Walk:
    """Calls every operation as `username` (see the module's docstring)."""
    schema_json = json.dumps(schema)
    api = client_for(username)
    known: dict = seeded_values(username)
    result = Walk()
    operations = sorted(
        ((path, method, op) for path, ops in schema["paths"].items() for method, op in ops.items()),
        key=lambda item: (METHOD_ORDER[item[1]], item[0].count("{"), item[0]),
    )
    pending = list(operations)
    for _round in range(4):  # reads teach values to the reads after them
        progress, still = False, []
        for path, method, operation in pending:
            url = _fill(path, known)
            if url is None:
                still.append((path, method, operation))
                continue
            progress = True
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("example")
            if method == "get":
                response = api.get(url)
            elif "application/x-www-form-urlencoded" in operation.get("requestBody", {}).get("content", {}):
                response = getattr(api, method)(url, "", content_type="application/x-www-form-urlencoded")
            else:
                response = getattr(api, method)(url, body if body is not None else {}, format="json")
            result.answers += 1
            result.operations.add((method, path))
            result.statuses[response.status_code] = result.statuses.get(response.status_code, 0) + 1
            result.problems += answer_problems(schema, schema_json, path, method, response)
            if method == "get" and response.status_code == 200 and response.content[:1] in (b"{", b"["):
                harvest(response.json(), known)
            if on_answer is not None:
                on_answer(path, method, response)
        pending = still
        if not progress:
            break
    # Operations whose values no answer taught: called with stand-ins (a 404 or 400 is an answer too).
    for path, method, _operation in pending:
        url = _PATH_NAMES.sub("1", path)
        response = getattr(api, method)(url, {}, format="json") if method != "get" else api.get(url)
        result.answers += 1
        result.operations.add((method, path))
        result.unreached.append(f"{method.upper()} {path}")
        result.statuses[response.status_code] = result.statuses.get(response.status_code, 0) + 1
        result.problems += answer_problems(schema, schema_json, path, method, response)
    return result
