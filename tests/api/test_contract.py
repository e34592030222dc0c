"""The served OpenAPI schema against docs/contract/contract.md, and guards for the wire rules.

The contract walk: for each endpoint contract.md documents, the operation is in the schema with
the documented status codes, its request and 200 bodies are the documented DTOs (by component
name), and every property of every documented DTO the schema has exists with its documented
wire name and type. DTO properties are read from contract.md itself; the endpoint list below
only spells out the paths contract.md abbreviates. An endpoint whose route is not in the URLconf
yet (an app still being built) is skipped, naming it; once its route exists it is checked.

The guards walk the whole schema, so a new app that writes a date-only property, names an enum
`…Enum` or a body `Patched…`/`…V2`, or leaves an integer enum unnamed, fails here.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from django.urls import Resolver404, resolve

from esmart.api.schema import WIRE_DATE_PATTERN, WIRE_DATETIME_PATTERN

CONTRACT = Path(__file__).resolve().parents[2] / "docs" / "contract" / "contract.md"
M = "api/customers/{customerId}/contracts/{contractNo}/meters/{meterId}"

# (method, path, request DTO, 200 DTO (a list as [Name]), documented status codes)
ENDPOINTS = [
    ("POST", "api/Authenticate", "LoginRequestSimple", "LoginResponseExtended", ["200", "401", "410"]),
    ("GET", "api/customers/{customerId}", None, "CustomerResponse", ["200"]),
    ("PATCH", "api/customers/{customerId}", "CustomerResponse", None, ["200"]),
    ("GET", "api/customers/{customerId}/contracts/{contractNo}", None, "ContractResponse", ["200"]),
    ("GET", "api/customers/{customerId}/contracts", None, "[ContractResponse]", ["200"]),
    ("POST", "api/customers/{customerId}/apps/{appshortname}/terms", "TermsRequest", None, ["200"]),
    ("POST", "api/customers/{customerId}/tracking", "TrackingRequest", None, ["200"]),
    ("GET", "api/customers/{customerId}/invoices", None, "[InvoiceResponse]", ["200"]),
    ("GET", "api/customers/{customerId}/invoices/{invoiceNo}", None, "InvoiceResponse", ["200"]),
    ("GET", "api/customers/{customerId}/contracts/{contractNo}/invoices/{year}", None, "[InvoiceResponse]", ["200"]),
    ("POST", f"{M}/comparedwithothers", "ConsumptionRequest", "AssetCompareModel", ["200"]),
    ("POST", f"{M}/consumption", "ConsumptionRequest", None, ["200"]),
    ("GET", f"{M}/wattmeter", None, "WattMeterAndMaxEffect", ["200"]),
    ("GET", f"{M}/wattmeter/v2", None, "WattMeterResponse", ["200"]),
    ("POST", f"{M}/settings/building", "Building", None, ["200"]),
    (
        "POST",
        "api/customers/{customerId}/deliverypoints/{deliveryPointId}/readings",
        "ReadingsRequest",
        "Reading",
        ["200"],
    ),
    ("GET", "api/customers/{customerId}/deliverypoints/{deliveryPointId}/readings", None, "[Reading]", ["200"]),
    ("GET", "api/controlplanrequests/zones/{zoneId}/tstypes/{tsTypeId}", None, "ControlPlanRequestTs", ["200"]),
    ("GET", "api/customers/{customerId}/messages", None, "[MessageResponse]", ["200"]),
    ("GET", "api/customers/{customerId}/messages/count", None, None, ["200"]),
    (
        "PUT",
        "api/customers/{customerId}/push/{appShortName}/{registrationId}",
        "DeviceRegistrationRequest",
        None,
        ["200", "410"],
    ),
    ("PUT", "api/apps/{appShortName}/push/{registrationId}", "PushRegistrationRequest", None, ["200", "410"]),
    ("POST", "api/customers/{customerId}/push/{appShortName}/send", "PushEnvelope", None, ["200"]),
    ("POST", "api/apps/{appShortName}/push/send", "PushTagEnvelope", None, ["200"]),
    (
        "PATCH",
        "api/customers/{customerId}/evchargingrequests/{evChargingRequestId}",
        "EvChargingRequestPatch",
        None,
        ["200"],
    ),
    ("POST", "api/evinfo/external/authorize", "EvLoginCredentials", "EvAuthorization", ["200"]),
    (
        "POST",
        "api/evinfo/external/authandimport/customers/{customerId}",
        "EvLoginCredentials",
        "IntegratedCarsDtoResponse",
        ["200"],
    ),
    (
        "POST",
        "api/evinfo/external/customers/{customerId}/cars/{vehicleId}/charge",
        "EvLoginCredentials",
        "BatteryLevelResponse",
        ["200"],
    ),
]

# Names contract.md gives that end in "Enum", and the original's own misspelling.
ORIGINAL_ENUM_NAMES = {"AreaEnum", "InvoiceStatusEnum", "PushCategoryEnum", "EvChargingModeEnum"}
SAMPLE_VALUES = {"evChargingRequestId": "0f8fad5b-d9cb-469f-a165-70867728950e"}


# --- contract.md ----------------------------------------------------------------------------------


def _balanced(text: str, start: int) -> str:
    depth = 0
    for index in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[index], 0)
        if depth == 0:
            return text[start + 1 : index]
    raise ValueError("unbalanced braces in contract.md")


def _split_top_level(body: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in body:
        depth += {"{": 1, "}": -1, "[": 1, "]": -1, "(": 1, ")": -1}.get(char, 0)
        if char == ";" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return [*parts, current]


@cache
def documented_dtos() -> dict[str, dict[str, str]]:
    """DTO name → {property: documented type text} of every `Name` {…} in contract.md."""
    text = CONTRACT.read_text()
    dtos: dict[str, dict[str, str]] = {}
    for match in re.finditer(r"`(\w+)` \{", text):
        properties = {}
        for item in _split_top_level(_balanced(text, match.end() - 1)):
            name, sep, kind = item.strip().partition(":")
            if sep and re.fullmatch(r"\w+", name.strip()):
                properties[name.strip()] = kind.strip()
        dtos.setdefault(match.group(1), {}).update(properties)
    return dtos


def test_contract_md_is_read():
    dtos = documented_dtos()
    assert {"UserName", "Password", "Area"} <= set(dtos["LoginRequestSimple"])
    assert dtos["CustomerResponse"]["BirthDate"] == "date"
    assert len(dtos["ElwAddress"]) == 11 and len(dtos["InvoiceResponse"]) == 17


# --- the served schema ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from rest_framework.test import APIClient

    with django_db_blocker.unblock():
        response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    return response.json()


def _ref_name(node: dict) -> str | None:
    for candidate in [node, *node.get("allOf", []), *node.get("oneOf", []), *node.get("anyOf", [])]:
        if "$ref" in candidate:
            return candidate["$ref"].rsplit("/", 1)[-1]
    return None


def _operation(schema, method: str, path: str):
    wanted = "/" + path.lower()
    for served, operations in schema["paths"].items():
        if served.lower() == wanted:
            return operations.get(method.lower())
    return None


def _route_exists(path: str) -> bool:
    sample = re.sub(r"\{(\w+)\}", lambda m: SAMPLE_VALUES.get(m.group(1), "1"), path)
    try:
        resolve("/" + sample)
    except Resolver404:
        return False
    return True


def _body_ref(content: dict) -> str | None:
    body = content.get("application/json", {}).get("schema", {})
    if body.get("type") == "array":
        name = _ref_name(body.get("items", {}))
        return f"[{name}]" if name else None
    return _ref_name(body)


def _check_type(schema, component: str, prop: str, node: dict, documented: str) -> list[str]:
    """What is wrong with property `prop` of `component` against its documented type text."""
    components = schema["components"]["schemas"]
    kind = re.split(r"[ ,(]", documented.strip(), maxsplit=1)[0]
    ref = _ref_name(node)
    target = components.get(ref, {}) if ref else node
    where = f"{component}.{prop} (documented {documented!r})"
    if kind.startswith("["):
        item = kind.strip("[]")
        if node.get("type") != "array":
            return [f"{where}: not an array"]
        return _check_type(schema, component, prop, node.get("items", {}), item)
    if kind in documented_dtos() and kind not in ("ResponseStatus",):
        return [] if ref == kind else [f"{where}: is {ref or node.get('type')}, not the component {kind}"]
    expected = {"string": "string", "integer": "integer", "boolean": "boolean", "decimal": "number"}.get(kind)
    if kind == "date":
        if target.get("type") != "string" or target.get("pattern") not in (WIRE_DATETIME_PATTERN, WIRE_DATE_PATTERN):
            return [f"{where}: not a wire date/datetime string"]
        return []
    if kind.endswith("Enum") or kind in (
        "ConsumptionSeriesResolution",
        "WattmeterType",
        "MessageState",
        "MessagePriority",
    ):
        if ref != kind:
            return [f"{where}: is {ref or node.get('type')}, not the enum component {kind}"]
        return []
    if expected is None:
        return []  # GUID, time span, object, an undocumented enum: existence is all contract.md says
    if target.get("type") != expected:
        return [f"{where}: type {target.get('type')}, expected {expected}"]
    return []


def _dto_problems(schema, name: str) -> list[str]:
    components = schema["components"]["schemas"]
    if name not in components:
        return [f"no component {name}"]
    properties = components[name].get("properties", {})
    problems = []
    for prop, documented in documented_dtos().get(name, {}).items():
        if prop not in properties:
            problems.append(f"{name}.{prop} is missing (has {sorted(properties)})")
        else:
            problems += _check_type(schema, name, prop, properties[prop], documented)
    return problems


@pytest.mark.parametrize(
    ("method", "path", "request_dto", "response_dto", "codes"), ENDPOINTS, ids=[f"{e[0]} {e[1]}" for e in ENDPOINTS]
)
def test_documented_endpoint_matches_the_served_schema(schema, method, path, request_dto, response_dto, codes):
    operation = _operation(schema, method, path)
    if operation is None:
        if _route_exists(path):
            pytest.fail(f"{method} {path} is routed but not in the schema")
        pytest.skip(f"{method} {path}: no route yet (its app is being built)")
    problems = [f"status {code} is not documented" for code in codes if code not in operation["responses"]]
    if request_dto:
        served = _body_ref(operation.get("requestBody", {}).get("content", {}))
        if served != request_dto:
            problems.append(f"request body is {served}, not {request_dto}")
        problems += _dto_problems(schema, request_dto)
    if response_dto:
        served = _body_ref(operation["responses"].get("200", {}).get("content", {}))
        if served != response_dto:
            problems.append(f"200 body is {served}, not {response_dto}")
        problems += _dto_problems(schema, response_dto.strip("[]"))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    "name", ["ElwAddress", "TimeSerieValue", "SubscribedPowerWatmetter", "ConsumptionTimeSerieValue"]
)
def test_nested_documented_types_match(schema, name):
    assert not _dto_problems(schema, name)


def test_wattmeter_v2_casing_in_the_schema(schema):
    components = schema["components"]["schemas"]
    assert set(components["WattMeterResponse"]["properties"]) == {
        "wattmeterDisplayType",
        "maxMonthWattmeter",
        "subscribedPowerWattmeter",
    }
    assert set(components["WattMeterAndMaxEffect"]["properties"]) == {"Last", "ThisMonthMax", "Max"}
    assert set(components["TimeSerieValue"]["properties"]) == {"ValueTime", "Value", "TimeSeriesType"}
    assert set(components["SubscribedPowerWatmetter"]["properties"]) == {"subscribedPower", "sections"}


# Smallest members as contract.md reads them off the original's samples.
SMALLEST = {
    "ConsumptionSeriesResolution": 0,
    "InvoiceStatusEnum": 0,
    "TimeSeriesType": 0,
    "PushIdentifierTypes": 0,
    "MessageState": 0,
    "MessageCategory": 0,
    "MessagePriority": 0,
    "CommunicationType": 0,
    "EvChargingModeEnum": 0,
    "TimeSeriesResolution": 0,
    "IoTStatus": 0,
    "ActivitySeverity": 0,  # AssetActivityRecord.Severity
    "AreaEnum": 1,
    "WattmeterType": 1,
    "PushCategoryEnum": 1,
    "DeviceType": 1,
    "TimeSeriesTypeClass": 1,
}


def test_contract_md_smallest_members_are_the_ones_tested():
    text = " ".join(CONTRACT.read_text().split())
    for name in set(SMALLEST) - {"ActivitySeverity"}:
        assert name in text, name
    assert "AssetActivityRecord.Severity" in text
    assert "smallest member 0 for ConsumptionSeriesResolution" in text
    assert "smallest member 1 (no 0) for AreaEnum, WattmeterType" in text


@pytest.mark.parametrize("name", sorted(SMALLEST))
def test_enum_smallest_member_is_the_originals(schema, name):
    components = schema["components"]["schemas"]
    if name not in components:
        pytest.skip(f"{name} is not served yet")
    assert min(components[name]["enum"]) == SMALLEST[name]


def test_auth_type_travels_as_its_name(schema):
    # contract.md: AuthType travels as a string and its smallest member is Bearer.
    auth_type = schema["components"]["schemas"]["AuthType"]
    assert auth_type["type"] == "string" and auth_type["enum"][0] == "Bearer"


# --- guards over the whole schema -------------------------------------------------------------------


def _walk(node, path=""):
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{path}/{index}")


def test_no_date_only_or_offset_demanding_formats(schema):
    bad = [path for path, node in _walk(schema) if node.get("format") in ("date", "date-time")]
    assert not bad, bad


def test_component_names_are_the_originals_style(schema):
    names = set(schema["components"]["schemas"])
    bad = sorted(
        name
        for name in names
        if name.startswith("Patched")
        or re.search(r"V\d+$", name)
        or (name.endswith("Enum") and name not in ORIGINAL_ENUM_NAMES)
    )
    assert not bad, f"not the original's style of DTO name: {bad}"


def test_every_integer_enum_names_its_members(schema):
    bad = []
    for path, node in _walk(schema):
        if node.get("type") == "integer" and "enum" in node:
            names = node.get("x-enum-varnames")
            if not names or len(names) != len(node["enum"]):
                bad.append(path)
    assert not bad, bad


def test_request_bodies_document_application_json_only(schema):
    # text/json is still read (tests/api/test_wire_rules.py), but generators warn about it on
    # every body, so the schema documents application/json (docs/api-schema.md).
    bad = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "text/json" in content:
                bad.append(f"{method.upper()} {path}")
    assert not bad, bad
