"""JSON bodies read as Json.NET read them (DESIGN.md §4): `application/json` and `text/json`.

The document is checked against `API_JSON_MAX_DEPTH` before anything walks it, so a deeply
nested body is a 400, never a RecursionError; objects become `WireBody` (names in any case,
nulls "not given").
"""

import orjson
from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser

from .casing import JSONTooDeepError, read_body

DEFAULT_MAX_DEPTH = 64
# The bound may be raised, but not so far that reading a document could exhaust the stack.
HIGHEST_MAX_DEPTH = 256


def max_depth() -> int:
    return max(1, min(getattr(settings, "API_JSON_MAX_DEPTH", DEFAULT_MAX_DEPTH), HIGHEST_MAX_DEPTH))


def unreadable(message: str) -> ParseError:
    # ModelState names the body, as ASP.NET Web API reported a body it could not read.
    return ParseError({"Body": [message]})


class _WireJSONReader(BaseParser):
    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read() if stream is not None else b""
        if not raw.strip():
            return {}
        try:
            return read_body(orjson.loads(raw), max_depth())
        except orjson.JSONDecodeError as exc:
            raise unreadable(f"The request body is not valid JSON: {exc}") from None
        except JSONTooDeepError as exc:
            raise unreadable(str(exc)) from None


class WireJSONParser(_WireJSONReader):
    media_type = "application/json"


class TextJSONParser(_WireJSONReader):
    """`text/json`, which the original listed beside application/json for every request. Read, but
    not documented (SPECTACULAR_SETTINGS' PARSER_WHITELIST): generators warn about it on every
    body. Not a subclass of WireJSONParser, which the whitelist would match."""

    media_type = "text/json"
