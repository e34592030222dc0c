"""OpenAPI schema in wire terms: PascalCase property names, X-Area, Basic auth, error bodies."""

from __future__ import annotations

import inspect
import json
import re

from drf_spectacular.drainage import warn
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


def _own_docstring(obj) -> str:
    """The docstring `obj` itself was written with. A view's base class describes itself ("Views
    whose path ends at a customer..."), not the operation, so it is not inherited."""
    if obj is None:
        return ""
    doc = obj.__dict__.get("__doc__") if isinstance(obj, type) else getattr(obj, "__doc__", None)
    return inspect.cleandoc(doc) if doc else ""


class WireAutoSchema(AutoSchema):
    def get_description(self):
        """The handler's or the view's own docstring; else the summary, so every operation says
        what it is (docs/api-schema.md)."""
        handler = getattr(self.view, getattr(self.view, "action", None) or self.method.lower(), None)
        return _own_docstring(handler) or _own_docstring(type(self.view)) or self.get_summary() or ""

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
        """Whether the view reads query or header values of its own (X-ContractId): a bad one is a 400."""
        return any(
            isinstance(p, OpenApiParameter) and p.location in (OpenApiParameter.QUERY, OpenApiParameter.HEADER)
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


def blank_strings_are_any_of(result, generator, request, public):
    """A string that may also be blank (`allow_blank`) is `anyOf` [the string, the empty string],
    not drf-spectacular's `oneOf`: a blank value matches both branches (a format is not asserted,
    a pattern may allow it), which `oneOf` forbids. A default moves to the property itself, where
    the empty string it usually is satisfies the schema."""

    def walk(node):
        if isinstance(node, dict):
            branches = node.get("oneOf")
            if (
                isinstance(branches, list)
                and len(branches) == 2
                and all(b.get("type") == "string" for b in branches)
                and branches[1].get("maxLength") == 0
            ):
                node["anyOf"] = node.pop("oneOf")
                if "default" in branches[0]:
                    node["default"] = branches[0].pop("default")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(result)
    return result


_SCHEMA_REF = "#/components/schemas/"


def _component_refs(node):
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(_SCHEMA_REF):
            yield node
        for value in node.values():
            yield from _component_refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _component_refs(value)


def request_components_hold_what_the_server_reads(result, generator, request, public):
    """A request body refers to a component without the server's read-only properties.

    One serializer reads and writes most bodies, so its component marks what the server writes
    as `readOnly` (and required, for the answers). Generators take `required` literally and make
    a client send such values, which the server ignores. So a body whose component (or a component
    it holds) has read-only properties refers to `<Name>Request` instead: the same component
    without them. Answers keep the full component."""
    schemas = result.get("components", {}).get("schemas", {})
    twins: dict[str, str | None] = {}  # component → its request twin (None: it needs none)

    def twin(name: str) -> str | None:
        if name in twins:
            return twins[name]
        twins[name] = None  # a component that holds itself needs no twin for that reason
        schema = schemas[name]
        properties = schema.get("properties", {})
        read_only = {key for key, prop in properties.items() if prop.get("readOnly")}
        copy = {
            **schema,
            "properties": {key: prop for key, prop in properties.items() if key not in read_only},
        }
        if "required" in schema:
            copy["required"] = [key for key in schema["required"] if key not in read_only]
            if not copy["required"]:
                del copy["required"]
        copy = _deep_copy(copy)
        nested = False
        for node in _component_refs(copy):
            inner = twin(node["$ref"].removeprefix(_SCHEMA_REF))
            if inner is not None:
                node["$ref"] = _SCHEMA_REF + inner
                nested = True
        if not read_only and not nested:
            return None
        if not properties:
            return None
        twin_name = f"{name}Request"
        if twin_name in schemas:
            warn(f"{twin_name} exists: {name}'s request twin cannot take its name.")
            return None
        schemas[twin_name] = copy
        twins[name] = twin_name
        return twin_name

    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            body = operation.get("requestBody") if isinstance(operation, dict) else None
            if not body:
                continue
            for node in _component_refs(body):
                name = twin(node["$ref"].removeprefix(_SCHEMA_REF))
                if name is not None:
                    node["$ref"] = _SCHEMA_REF + name
    result["components"]["schemas"] = dict(sorted(schemas.items()))
    return result


def _deep_copy(node):
    if isinstance(node, dict):
        return {key: _deep_copy(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_deep_copy(value) for value in node]
    return node


def _parameter_component_name(name: str) -> str:
    return re.sub(r"[^0-9A-Za-z]", "", name)  # X-Area → XArea


def shared_header_parameters(result, generator, request, public):
    """A header parameter is one component under `components/parameters` (X-Area, X-ContractId),
    referred to by each operation that takes it, so a generated client has one copy of it (and of
    its enum) instead of one per operation. An enum schema that is a schema component is referred
    to rather than repeated."""
    enums = {
        json_key({k: v for k, v in schema.items() if k in ("type", "enum", "x-enum-varnames")}): name
        for name, schema in result.get("components", {}).get("schemas", {}).items()
        if "enum" in schema
    }
    shared: dict[str, dict] = {}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            for index, parameter in enumerate(operation.get("parameters", [])):
                if parameter.get("in") != "header":
                    continue
                name = _parameter_component_name(parameter["name"])
                schema = parameter.get("schema", {})
                enum = enums.get(
                    json_key({k: v for k, v in schema.items() if k in ("type", "enum", "x-enum-varnames")})
                )
                if enum is not None:
                    parameter = {**parameter, "schema": {"$ref": _SCHEMA_REF + enum}}
                known = shared.setdefault(name, parameter)
                if known != parameter:
                    warn(f"Header {parameter['name']} is declared differently on two operations.")
                    continue
                operation["parameters"][index] = {"$ref": f"#/components/parameters/{name}"}
    if shared:
        result["components"]["parameters"] = dict(sorted(shared.items()))
    return result


def json_key(node) -> str:
    return json.dumps(node, sort_keys=True)


# What each path and query parameter is, by name, where the view does not say (help_text or
# extend_schema). A name not listed is described from the path segment before it.
PARAMETER_NOTES = {
    "customerId": "The customer's id: one of the caller's customers in the selected area.",
    "custId": "The customer's id (the seed's name in the demandandcontrol routes).",
    "userId": "The user's id: the caller's own, or a user the caller may act for.",
    "contractNo": "The contract's number (ContractNo), of the customer in the path.",
    "deliveryPointId": "The delivery point's id, of the customer in the path.",
    "meterId": "The meter's id (MeterId), of the contract in the path.",
    "invoiceNo": "The invoice's number (InvoiceNo).",
    "assetId": "The asset's id: an asset in the caller's reach.",
    "deviceAssetId": "The device's asset id: a device in the caller's reach.",
    "chargerAssetId": "The charger's asset id.",
    "gatewayAssetId": "The gateway's asset id.",
    "siteId": "The site's id (a delivery point of the customer in the path).",
    "participantId": "The participant's id (a grid company or aggregator).",
    "appShortName": "The app's short name (e.g. smartliv).",
    "appshortname": "The app's short name (e.g. smartliv).",
    "companyShortName": "The company's short name, or empty for any.",
    "build": "The app build, or empty for any.",
    "registrationId": "The push registration's id (a GUID).",
    "messageId": "The message's id.",
    "clientId": "The care client's id: a client of the caller's team (or the caller's relative).",
    "assignmentId": "The assignment's id.",
    "equipmentId": "The equipment kit's id.",
    "serialNumber": "The serial number.",
    "externalId": "The id in the external system.",
    "carId": "The car's RowKey.",
    "vehicleId": "The vehicle's id at its vendor.",
    "evChargingRequestId": "The EV charging request's id (a GUID).",
    "controlPlanId": "The control plan's id (a GUID).",
    "controlPlanGuidAsString": "The control plan's id (a GUID), as text.",
    "searchFilterId": "The zone (search filter) id.",
    "zoneId": "The zone's id.",
    "tsTypeId": "The time series type's id.",
    "endDate": "The end date, written 2013-09-17 or 2013-09-17T00:00:00.",
    "weekdays": "Weekdays, as the route spells them.",
    "toUserId": "The user the assignment is handed to.",
    "page": "The page number, from 1.",
    "pageSize": "Items per page.",
    "year": "The year.",
    "month": "The month, 1-12.",
    "createIfNotExists": "true: create the charger when none has this external id (201).",
    "importSource": "Where the charger is imported from (with createIfNotExists).",
    "isCallCenterOperator": "true: the token of the call center's operator on duty.",
    "correlationId": "The export's correlation id.",
    "code": "The invitation code the next of kin was given.",
}


def _parameter_note(path: str, parameter: dict) -> str:
    name = parameter["name"]
    note = PARAMETER_NOTES.get(name)
    if note is not None:
        return note
    segments = [segment for segment in path.strip("/").split("/")]
    position = segments.index(f"{{{name}}}") if f"{{{name}}}" in segments else -1
    literal = next((s for s in reversed(segments[:position]) if not s.startswith("{")), "") if position > 0 else ""
    return f"Identifies the item of {literal} to act on." if literal else f"The {name}."


def every_parameter_is_described(result, generator, request, public):
    """Each path and query parameter says what it is: its own description, else PARAMETER_NOTES."""
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                if "$ref" not in parameter and not parameter.get("description"):
                    parameter["description"] = _parameter_note(path, parameter)
    return result


# --- examples -------------------------------------------------------------------------------------
# As the original's help pages did, a body's example is written from its types: each property with
# its own example, else the smallest member of an enum, else a value of its type within its bounds
# (a pattern's shortest match). Every request body and every JSON answer of a success has one.

_EXAMPLE_FORMATS = {
    "uuid": "0f8fad5b-d9cb-469f-a165-70867728950e",
    "email": "kari.nordmann@example.com",
    "uri": "https://example.com/",
}


def _shortest_match(pattern: str) -> str | None:
    """The shortest text `pattern` matches, taking the first choice of each set and branch."""
    parser = re._parser  # the standard library's own regex parser (no dependency at runtime)
    constants = re._constants

    def text(items) -> str:
        out = []
        for op, av in items:
            if op is constants.LITERAL:
                out.append(chr(av))
            elif op is constants.IN:
                out.append(text(av[:1]) if av[0][0] is not constants.NEGATE else "a")
            elif op is constants.RANGE:
                out.append(chr(av[0]))
            elif op is constants.CATEGORY:
                out.append({constants.CATEGORY_DIGIT: "0", constants.CATEGORY_SPACE: " "}.get(av, "a"))
            elif op in (constants.MAX_REPEAT, constants.MIN_REPEAT, constants.POSSESSIVE_REPEAT):
                out.append(text(av[2]) * av[0])
            elif op is constants.SUBPATTERN:
                out.append(text(av[3]))
            elif op is constants.BRANCH:
                out.append(text(av[1][0]))
            elif op is constants.ANY:
                out.append("a")
            elif op is not constants.AT:
                raise ValueError(op)
        return "".join(out)

    try:
        return text(parser.parse(pattern))
    except (ValueError, re.error, TypeError, IndexError):
        return None


def _example(node, components, direction, seen=()):
    if "$ref" in node:
        name = node["$ref"].removeprefix(_SCHEMA_REF)
        if name in seen:
            return None
        return _example(components[name], components, direction, (*seen, name))
    if "example" in node:
        return node["example"]
    if "enum" in node:
        values = [value for value in node["enum"] if value is not None]
        return min(values) if values and all(isinstance(v, int) for v in values) else values[0]
    for key in ("allOf", "anyOf", "oneOf"):
        if node.get(key):
            return _example(node[key][0], components, direction, seen)
    kind = node.get("type")
    if kind == "object" or "properties" in node:
        skip = "readOnly" if direction == "request" else "writeOnly"
        out = {}
        for name, prop in node.get("properties", {}).items():
            if prop.get(skip):
                continue
            value = _example(prop, components, direction, seen)
            if value is not None or prop.get("nullable"):
                out[name] = value
        extra = node.get("additionalProperties")
        if isinstance(extra, dict) and not out:
            out["key"] = _example(extra, components, direction, seen)
        return out
    if kind == "array":
        item = _example(node.get("items", {}), components, direction, seen)
        return [] if item is None else [item]
    if kind == "boolean":
        return True
    if kind in ("integer", "number"):
        low, high = node.get("minimum"), node.get("maximum")
        value = 1 if low is None or low <= 1 else low
        if node.get("exclusiveMinimum") and low is not None and value <= low:
            value = low + 1
        if high is not None and value > high:
            value = high
        return int(value) if kind == "integer" else float(value)
    if kind == "string":
        if node.get("format") in _EXAMPLE_FORMATS:
            return _EXAMPLE_FORMATS[node["format"]]
        if "pattern" in node:
            return _shortest_match(node["pattern"])
        return "string"[: node.get("maxLength", 6)].ljust(node.get("minLength", 0), "x")
    return None


def bodies_have_examples(result, generator, request, public):
    """Every request body and every JSON answer of a success carries an example (see above)."""
    components = result.get("components", {}).get("schemas", {})
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            media = [("request", m) for m in operation.get("requestBody", {}).get("content", {}).values()]
            for code, response in operation.get("responses", {}).items():
                if code.startswith("2"):
                    media += [("response", response.get("content", {}).get("application/json"))]
            for direction, medium in media:
                if medium and "schema" in medium and "example" not in medium and "examples" not in medium:
                    medium["example"] = _example(medium["schema"], components, direction)
    return result
