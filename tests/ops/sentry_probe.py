"""Run by tests/ops/test_sentry.py in a process of its own (sentry_sdk.init is process-wide): with
SENTRY_DSN set by the test, one request fails with credentials in its query string, headers and
cookie (through the WSGI application, as gunicorn calls it), and one task fails as a worker runs
it; then the events are flushed to the test's server."""

import base64
import io
from wsgiref.util import setup_testing_defaults

import django

django.setup()

import sentry_sdk  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402

from esmart.core import tasks  # noqa: E402

SECRET = "hunter2-secret"
BASIC = base64.b64encode(f"demo1:{SECRET}".encode()).decode()


def failing_request() -> str:
    environ = {
        "PATH_INFO": "/ops-test/fails",
        "QUERY_STRING": f"password={SECRET}&userName=demo1&token={SECRET}&page=2",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_AUTHORIZATION": f"Basic {BASIC}",
        "HTTP_COOKIE": f"sessionid={SECRET}; csrftoken={SECRET}",
        "HTTP_X_REQUEST_ID": "sentry-probe-1",
        "wsgi.input": io.BytesIO(),
    }
    setup_testing_defaults(environ)
    statuses = []
    body = get_wsgi_application()(environ, lambda status, headers, exc_info=None: statuses.append(status))
    b"".join(body)
    return statuses[0]


def main() -> None:
    settings.ROOT_URLCONF = "tests.ops.urls"
    assert failing_request().startswith("500"), "the view should have failed"

    def broken(*args, **kwargs):
        raise RuntimeError(f"the cache refused Authorization: Basic {BASIC}")

    tasks.cache.set = broken
    result = tasks.record_worker_heartbeat.apply(throw=False)
    assert result.failed()
    sentry_sdk.flush(timeout=10)


if __name__ == "__main__":
    main()
