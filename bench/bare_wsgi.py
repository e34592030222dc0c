"""The baseline server: Django with the app's database settings and nothing else.

No middleware, no DRF, no sessions or auth machinery in the request path: a URLconf of plain
function views (bench/bare_urls.py) that run the same queries as the real endpoints and return
the same bytes. Run as `gunicorn bench.bare_wsgi:application` from the repository root with
DATABASE_URL set.
"""

import environ
from django.conf import settings

env = environ.Env()

# The same DATABASES as esmart/settings/base.py: persistent connections, health checks, and the
# per-request transaction, so that the difference measured is the framework and not the database.
database = env.db("DATABASE_URL")
database["ATOMIC_REQUESTS"] = env.bool("BARE_ATOMIC_REQUESTS", default=True)
database.setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
database["CONN_HEALTH_CHECKS"] = env.bool("BARE_CONN_HEALTH_CHECKS", default=True)

settings.configure(
    DEBUG=False,
    SECRET_KEY="bench-bare-django-baseline",
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF="bench.bare_urls",
    MIDDLEWARE=[],
    # Only what the ORM needs to know the tables; the models are the app's own.
    INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "apps.customers"],
    AUTH_USER_MODEL="customers.User",
    DATABASES={"default": database},
    DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
    TIME_ZONE="UTC",
    USE_TZ=True,
)

from django.core.wsgi import get_wsgi_application  # noqa: E402  (after settings.configure)

application = get_wsgi_application()
