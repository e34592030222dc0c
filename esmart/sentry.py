"""Error reporting to Sentry when SENTRY_DSN is set (docs/operations.md "Error reporting").

Errors of web requests (Django integration) and failed tasks (Celery integration) are sent, with
nothing secret in them:
- `send_default_pii=False`: no cookies, user ids, client addresses or request bodies;
- sentry-sdk's EventScrubber, recursive: values under credential-like keys (authorization,
  password, token, cookie...) anywhere in the event become "[Filtered]";
- `scrub_event` (before_send and before_breadcrumb): every text of the event loses credential
  query parameters (`userName`, `password`, `token`: the invoice PDF link, DESIGN.md §6) and
  Authorization header values, wherever they appear (URL, query string, messages, exception text).
No performance tracing: errors only.
"""

from __future__ import annotations

import logging

from esmart.logging import scrub

logger = logging.getLogger(__name__)


def _scrubbed(value):
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {key: _scrubbed(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_scrubbed(item) for item in value]
    return value


def scrub_event(event, hint=None):
    """before_send: the event with credentials taken out of every text."""
    return _scrubbed(event)


def scrub_breadcrumb(crumb, hint=None):
    return _scrubbed(crumb)


def init_sentry(dsn: str, *, environment: str, release: str, **options) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.logging import LoggingIntegration
    from sentry_sdk.scrubber import DEFAULT_DENYLIST, EventScrubber

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        integrations=[
            DjangoIntegration(),
            CeleryIntegration(),
            # Error log lines become events (an outage logged once, a failed publish), not breadcrumbs of INFO.
            LoggingIntegration(level=logging.WARNING, event_level=logging.ERROR),
        ],
        send_default_pii=False,
        event_scrubber=EventScrubber(denylist=DEFAULT_DENYLIST, recursive=True),
        before_send=scrub_event,
        before_breadcrumb=scrub_breadcrumb,
        max_request_body_size="never",
        include_local_variables=False,
        traces_sample_rate=0.0,
        **options,
    )
