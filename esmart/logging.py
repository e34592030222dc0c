"""Keeping credentials out of logs and error reports (DESIGN.md §6).

Basic credentials travel in the Authorization header, which Django's reporter filter already
hides; `esmart.api.middleware.QueryCredentialsMiddleware` takes credentials out of query strings
before anything can log them. This filter is the second line: log messages carry paths only.
"""

import logging
import re

_QUERY_STRING = re.compile(r"\?[^\s\"']*")


def strip_query_string(text: str) -> str:
    return _QUERY_STRING.sub("", text)


class StripQueryStringFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = strip_query_string(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(strip_query_string(a) if isinstance(a, str) else a for a in record.args)
        return True
