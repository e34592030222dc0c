"""JSON out, in the wire format (casing.py), whatever a client's Accept header asks for.

ASP.NET Web API never answered 406: a request whose Accept names nothing it could write (a
browser's `text/html`, `application/xml`) got its first formatter, JSON. `text/json` is answered
as text/json, as the original listed it for every response.
"""

import orjson
from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer

from .casing import PASCAL, PRESERVE, to_wire


def _serializer_of(data):
    return getattr(data, "serializer", None)


class WireJSONRenderer(BaseRenderer):
    """orjson-backed JSON: each serializer's keys in its wire case, dates as .NET DateTimes."""

    media_type = "application/json"
    format = "json"
    charset = None  # JSON is UTF-8 by definition; no charset parameter, as the original sent it

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if isinstance(data, bytes):
            return data  # already wire JSON (a body built by the database or spliced from a cache)
        if getattr(data, "wire_case", None) == PRESERVE:
            return orjson.dumps(data)  # already in wire form (WireDict)
        return orjson.dumps(to_wire(data, PASCAL, _serializer_of(data)))


class TextJSONRenderer(WireJSONRenderer):
    media_type = "text/json"
    format = "json"  # one format: the schema then documents no `format` query parameter (the original had none)


class WireContentNegotiation(DefaultContentNegotiation):
    """Falls back to the first renderer (JSON) instead of a 406."""

    def select_renderer(self, request, renderers, format_suffix=None):
        # What nearly every client sends (no Accept, */*, application/json) picks the first renderer,
        # as the full negotiation would; it is decided here without parsing the header.
        accept = request.META.get("HTTP_ACCEPT", "*/*")
        first = renderers[0] if renderers else None
        if (
            first is not None
            and not format_suffix
            and (accept == "*/*" or accept == first.media_type)
            and self.settings.URL_FORMAT_OVERRIDE not in request.query_params
        ):
            return first, first.media_type
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except NotAcceptable:
            if format_suffix or request.query_params.get(self.settings.URL_FORMAT_OVERRIDE):
                raise  # an explicit ?format= that does not exist stays an error
            renderer = renderers[0]
            return renderer, renderer.media_type
