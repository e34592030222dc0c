"""Keeping credentials out of logs and error reports (DESIGN.md §6, §10).

Basic credentials travel in the Authorization header, which Django's reporter filter already
hides; `esmart.api.middleware.QueryCredentialsMiddleware` takes credentials out of query strings
before anything can log them. This module is the second line:

- `StripQueryStringFilter`: Django's request log lines carry paths only;
- `GunicornLogger` (named by ./gunicorn.conf.py): gunicorn logs the request before Django sees it,
  so its error log carries paths only and every access-log field (request line, query string,
  Referer, environ variables...) loses credential parameters, whatever format is configured.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import unquote_plus

from gunicorn.glogging import Logger

_QUERY_STRING = re.compile(r"\?[^\s\"']*")
# key=value pairs of a query string (or of a URL inside a header); the key is judged decoded.
_QUERY_PAIR = re.compile(r"(?P<lead>^|[?&;])(?P<key>[^=&;?#\s\"']*)=(?P<value>[^&;#\s\"']*)")
# Keys that carry credentials, compared case-folded after percent-decoding (`PassWord`, `pass%77ord`).
CREDENTIAL_KEYS = frozenset({"username", "password", "token"})


def strip_query_string(text: str) -> str:
    return _QUERY_STRING.sub("", text)


def is_credential_key(key: str) -> bool:
    return unquote_plus(key).strip().casefold() in CREDENTIAL_KEYS


def strip_credentials(text: str) -> str:
    """`text` with every credential key=value pair removed; other parameters are kept."""
    if "=" not in text:
        return text
    return _QUERY_PAIR.sub(lambda m: m["lead"] if is_credential_key(m["key"]) else m[0], text)


class StripQueryStringFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = strip_query_string(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(strip_query_string(a) if isinstance(a, str) else a for a in record.args)
        return True


class _ScrubbedAtoms(dict):
    """Gunicorn's access-log atoms with credentials removed from every text value."""

    def __init__(self, atoms: dict):
        super().__init__({k: strip_credentials(v) if isinstance(v, str) else v for k, v in atoms.items()})
        self["r"] = strip_query_string(self.get("r", "-"))  # the request line: path only


class GunicornLogger(Logger):
    def setup(self, cfg):
        super().setup(cfg)
        # "Error handling request /path?query" and the like: paths only.
        if not any(isinstance(f, StripQueryStringFilter) for f in self.error_log.filters):
            self.error_log.addFilter(StripQueryStringFilter())

    def atoms(self, resp, req, environ, request_time):
        return _ScrubbedAtoms(super().atoms(resp, req, environ, request_time))
