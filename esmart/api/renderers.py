import orjson
from rest_framework.renderers import BaseRenderer

from .casing import PASCAL, PRESERVE, to_wire


def wire_case_of(data) -> str:
    """The wire case declared by the serializer that produced `data` (PascalCase by default)."""
    declared = getattr(data, "wire_case", None)
    if declared is not None:
        return declared
    serializer = getattr(data, "serializer", None)
    serializer = getattr(serializer, "child", serializer)
    return getattr(serializer, "wire_case", PASCAL)


class WireJSONRenderer(BaseRenderer):
    """orjson-backed JSON in the wire format: PascalCase keys, UTC datetimes without offset."""

    media_type = "application/json"
    format = "json"
    charset = None  # JSON is UTF-8 by definition; no charset parameter, as the original sent it

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        case = wire_case_of(data)
        if case == PRESERVE:
            return orjson.dumps(data)
        return orjson.dumps(to_wire(data, case))
