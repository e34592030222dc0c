"""OpenAPI schema in wire terms: PascalCase property names, X-Area, Basic auth, error bodies."""

from __future__ import annotations

import re

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from .area import Area
from .casing import CAMEL, PASCAL, to_camel, to_pascal
from .fields import enum_schema


class ErrorSerializer(serializers.Serializer):
    """ASP.NET Web API's error body."""

    message = serializers.CharField()
    model_state = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Only for validation errors: field path → messages.",
    )


class BasicAuthScheme(OpenApiAuthenticationExtension):
    target_class = "esmart.api.authentication.CachedBasicAuthentication"
    name = "basicAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "basic"}


AREA_PARAMETER = OpenApiParameter(
    name="X-Area",
    type=enum_schema(Area),
    location=OpenApiParameter.HEADER,
    required=False,
    description="1 = Net, 2 = Power. Absent means Power; any other value is 400.",
)

_ERROR_DESCRIPTIONS = {
    "400": "Invalid input: the body names each invalid field in ModelState.",
    "401": "Missing or wrong credentials.",
    "403": "Authenticated, but not allowed (no customer in the selected area, or a missing privilege).",
    "404": "Unknown, or not the caller's.",
    "413": "The request body is larger than the route accepts (API_MAX_BODY_BYTES).",
    "429": "Too many failed logins from this address: try again after Retry-After seconds.",
}


class WireAutoSchema(AutoSchema):
    def get_tags(self):
        module = type(self.view).__module__
        parts = module.split(".")
        return [parts[1] if parts[0] == "apps" else "core"]

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        scope = getattr(self.view, "anchor_scope", None)
        if scope is not None and scope.uses_area:
            parameters.append(AREA_PARAMETER)
        return parameters

    def _has_query_parameters(self) -> bool:
        return any(
            isinstance(p, OpenApiParameter) and p.location == OpenApiParameter.QUERY
            for p in self.get_override_parameters()  # with extend_schema's own parameters
        )

    def _error_codes(self) -> list[str]:
        codes = []
        has_input = (
            self.method in ("POST", "PUT", "PATCH")
            or bool(self._get_filter_parameters())
            or self._has_query_parameters()
            or bool(getattr(self.view, "query_serializer_class", None))
            # `path_input`: the view reads a path value beyond its type (a list of weekdays): a bad one is a 400
            or getattr(self.view, "path_input", False)
        )
        scope = getattr(self.view, "anchor_scope", None)
        if has_input or (scope is not None and scope.uses_area):
            codes.append("400")
        if self.method in ("POST", "PUT", "PATCH"):
            codes.append("413")  # bodies are capped before they are parsed
        if self.view.get_authenticators():
            codes += ["401", "429"]
        # privilege_required() marks its permission classes: a missing privilege is a 403.
        needs_privilege = any(getattr(p, "privilege", None) for p in self.view.get_permissions())
        if (scope is not None and scope.uses_area) or needs_privilege:
            codes.append("403")
        # A path value that names nothing (an unknown app, an id not the caller's) is a 404.
        if scope is not None or re.search(r"{\w+}", self.path):
            codes.append("404")
        return codes

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        error_ref = self.resolve_serializer(ErrorSerializer, direction).ref
        for code in self._error_codes():
            responses.setdefault(
                code,
                {
                    "description": _ERROR_DESCRIPTIONS[code],
                    "content": {"application/json": {"schema": error_ref}},
                },
            )
        return responses


# JSON Schema's "date-time" demands an offset; the wire writes UTC without one (DESIGN.md §4).
WIRE_DATETIME_PATTERN = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$"
WIRE_DATETIME_NOTE = "UTC, written 2013-09-17T22:39:30 (input also accepts Z or an offset)."
# A calendar date is a .NET DateTime at midnight on the wire; input may leave the time out.
WIRE_DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?)?$"
WIRE_DATE_NOTE = "A calendar date, written 2013-09-17T00:00:00 (input also accepts 2013-09-17)."
_WIRE_TIMES = {
    "date-time": (WIRE_DATETIME_PATTERN, "2013-09-17T22:39:30", WIRE_DATETIME_NOTE),
    "date": (WIRE_DATE_PATTERN, "2013-09-17T00:00:00", WIRE_DATE_NOTE),
}


def _describe_wire_datetimes(node):
    if isinstance(node, dict):
        if node.get("format") in _WIRE_TIMES and node.get("type") == "string":
            pattern, example, note = _WIRE_TIMES[node.pop("format")]
            node["pattern"] = pattern
            node.setdefault("example", example)
            node["description"] = f"{node.get('description', '')} {note}".strip()
        for value in node.values():
            _describe_wire_datetimes(value)
    elif isinstance(node, list):
        for value in node:
            _describe_wire_datetimes(value)


# A request serializer whose field names are already its wire names, whatever their case.
AS_DECLARED = "as_declared"
_CHOICE_LINE = re.compile(r"^\* `(?P<value>[^`]*)` - (?P<name>.+)$", re.MULTILINE)


def _rename_properties(schema, convert):
    if isinstance(schema, dict):
        if isinstance(schema.get("properties"), dict):
            schema["properties"] = {convert(k): v for k, v in schema["properties"].items()}
            if "required" in schema:
                schema["required"] = [convert(k) for k in schema["required"]]
        for value in schema.values():
            _rename_properties(value, convert)
    elif isinstance(schema, list):
        for value in schema:
            _rename_properties(value, convert)


def _component_cases(generator) -> dict[str, str]:
    cases = {}
    for component in generator.registry._components.values():
        if component.type != "schemas" or component.object is None:
            continue
        serializer = getattr(component.object, "child", component.object)
        cases[component.name] = getattr(serializer, "wire_case", PASCAL)
    return cases


def wire_names_hook(result, generator, request, public):
    """Shows the wire names of properties and datetimes, and names each value of integer enums."""
    _describe_wire_datetimes(result)
    schemas = result.get("components", {}).get("schemas", {})
    cases = _component_cases(generator)
    for name, schema in schemas.items():
        if cases.get(name) == AS_DECLARED:
            continue  # the serializer's field names are the wire names (EvLoginCredentials' lowercase)
        convert = to_camel if cases.get(name) == CAMEL else to_pascal
        _rename_properties(schema, convert)
        if "enum" in schema and schema.get("type") == "integer" and "description" in schema:
            names = [m.group("name").strip() for m in _CHOICE_LINE.finditer(schema["description"])]
            if len(names) == len(schema["enum"]):
                schema["x-enum-varnames"] = names
    return result


def optional_properties_are_nullable(result, generator, request, public):
    """Bodies are read as Json.NET read them: `null` for an optional property means "not given"
    (DESIGN.md §4), so the schema says every property that is not required may be null."""
    for component in result.get("components", {}).get("schemas", {}).values():
        required = set(component.get("required", ()))
        for name, prop in component.get("properties", {}).items():
            if name not in required and "$ref" not in prop and not prop.get("readOnly"):
                prop["nullable"] = True
    return result
