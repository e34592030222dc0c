"""The served schema says what the server does, as generated clients read it (docs/api-schema.md).

openapi-spec-validator passes, and guards over the whole schema keep each mechanism in place for
routes added later: decimals are numbers, request bodies hold no read-only property, a blank
string is `anyOf`, only Basic (and the invoice PDF's token) is advertised, header parameters are
components, bodies are application/json, every operation and parameter is described, and every
body's example validates against its schema.
"""

from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator
from openapi_schema_validator import OAS30ReadValidator, OAS30WriteValidator
from openapi_spec_validator import validate

from esmart.api.schema import AREA_PARAMETER


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _walk(node, path=""):
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{path}/{index}")


def _operations(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield f"{method.upper()} {path}", operation


def test_openapi_spec_validator_passes(schema):
    validate(schema)


def test_no_decimal_is_documented_as_a_string(schema):
    # The renderer writes every Decimal as a JSON number (COERCE_DECIMAL_TO_STRING is False).
    assert not [path for path, node in _walk(schema) if node.get("format") == "decimal"]


def _reached(node, components, seen):
    for _path, inner in _walk(node):
        ref = inner.get("$ref", "")
        name = ref.rsplit("/", 1)[-1]
        if ref.startswith("#/components/schemas/") and name not in seen:
            seen.add(name)
            _reached(components[name], components, seen)
    return seen


def test_request_bodies_hold_no_read_only_property(schema):
    components = schema["components"]["schemas"]
    bad = []
    for where, operation in _operations(schema):
        for name in _reached(operation.get("requestBody", {}), components, set()):
            read_only = [key for key, prop in components[name].get("properties", {}).items() if prop.get("readOnly")]
            if read_only:
                bad.append(f"{where}: {name} {read_only}")
    assert not bad, bad


def test_answers_keep_the_read_only_properties(schema):
    properties = schema["components"]["schemas"]["ElectricalVehicleDto"]["properties"]
    twin = schema["components"]["schemas"]["ElectricalVehicleDtoRequest"]["properties"]
    assert {"RowKey", "CustomerId", "ManufacturerLogo"} <= set(properties)
    assert not {"RowKey", "CustomerId", "ManufacturerLogo"} & set(twin)


def test_a_blank_string_is_any_of_not_one_of(schema):
    bad = [
        path
        for path, node in _walk(schema)
        if any(branch.get("maxLength") == 0 for branch in node.get("oneOf", []) if isinstance(branch, dict))
    ]
    assert not bad, bad


def test_only_basic_and_the_invoice_token_are_advertised(schema):
    assert set(schema["components"]["securitySchemes"]) == {"basicAuth", "invoicePdfToken"}
    for where, operation in _operations(schema):
        for requirement in operation.get("security", []):
            assert set(requirement) <= {"basicAuth", "invoicePdfToken"}, where


def test_header_parameters_are_components(schema):
    parameters = schema["components"]["parameters"]
    assert parameters["XArea"]["name"] == AREA_PARAMETER.name
    assert parameters["XArea"]["schema"] == {"$ref": "#/components/schemas/AreaEnum"}
    assert parameters["XContractId"]["name"] == "X-ContractId"
    inline = [
        where
        for where, operation in _operations(schema)
        for parameter in operation.get("parameters", [])
        if parameter.get("in") == "header"
    ]
    assert not inline, inline


def test_messages_routes_type_customer_id_as_a_string(schema):
    for path, operations in schema["paths"].items():
        if "/messages" in path:
            for operation in operations.values():
                (customer,) = [p for p in operation["parameters"] if p.get("name") == "customerId"]
                assert customer["schema"]["type"] == "string", path


def test_every_operation_and_parameter_says_what_it_is(schema):
    components = schema["components"]["parameters"]
    bad = []
    for where, operation in _operations(schema):
        if not operation.get("description", "").strip():
            bad.append(f"{where}: no description")
        for parameter in operation.get("parameters", []):
            parameter = components[parameter["$ref"].rsplit("/", 1)[-1]] if "$ref" in parameter else parameter
            if not parameter.get("description", "").strip():
                bad.append(f"{where}: {parameter['name']} has no description")
    assert not bad, bad


def test_no_operation_shows_a_base_class_text(schema):
    generic = [where for where, op in _operations(schema) if op.get("description", "").startswith("Views whose")]
    assert not generic, generic


def test_every_body_has_an_example_that_its_schema_accepts(schema):
    missing, invalid, count = [], [], 0
    for where, operation in _operations(schema):
        media = [("request", m) for m in operation.get("requestBody", {}).get("content", {}).values()]
        for code, response in operation["responses"].items():
            if code.startswith("2") and "application/json" in response.get("content", {}):
                media.append(("response", response["content"]["application/json"]))
        for direction, medium in media:
            if "example" not in medium:
                missing.append(f"{where} {direction}")
                continue
            count += 1
            validator = OAS30WriteValidator if direction == "request" else OAS30ReadValidator
            errors = list(
                validator({**medium["schema"], "components": schema["components"]}).iter_errors(medium["example"])
            )
            if errors:
                invalid.append(f"{where} {direction}: {errors[0].message}")
    assert not missing and not invalid, missing + invalid
    assert count > 200
