import orjson
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser

from .casing import from_wire


class WireJSONParser(BaseParser):
    """Parses JSON with orjson and turns the wire's PascalCase keys into snake_case."""

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read() if stream is not None else b""
        if not raw.strip():
            return {}
        try:
            return from_wire(orjson.loads(raw))
        except orjson.JSONDecodeError as exc:
            raise ParseError(f"The request body is not valid JSON: {exc}") from None
