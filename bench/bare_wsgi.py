"""The baseline server: Django with the app's database settings and nothing else.

No middleware, no DRF, no sessions or auth machinery in the request path: a URLconf of plain
function views (bench/bare_urls.py) that run the same queries as the real endpoints and return
the same bytes. Run as `gunicorn bench.bare_wsgi:application` from the repository root with
DATABASE_URL set.
"""

import copy

from django.conf import settings

# The very DATABASES of the real settings (DATABASE_URL through django-environ, persistent
# connections, health checks), so that what differs is the framework, not the database access.
# Importing the module only evaluates it; Django is configured below, with nothing else from it.
from esmart.settings import base

settings.configure(
    DEBUG=False,
    # The app's key and cache: the spot-price baseline reads the app's credential and price entries.
    SECRET_KEY=base.SECRET_KEY,
    CACHES=copy.deepcopy(base.CACHES),
    AUTH_CREDENTIAL_CACHE_SECONDS=base.AUTH_CREDENTIAL_CACHE_SECONDS,
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF="bench.bare_urls",
    MIDDLEWARE=[],
    # Only what the ORM needs to know the tables; the models are the app's own.
    INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "apps.customers"],
    AUTH_USER_MODEL=base.AUTH_USER_MODEL,
    DATABASES=copy.deepcopy(base.DATABASES),
    DEFAULT_AUTO_FIELD=base.DEFAULT_AUTO_FIELD,
    TIME_ZONE=base.TIME_ZONE,
    USE_TZ=base.USE_TZ,
)

from django.core.wsgi import get_wsgi_application  # noqa: E402  (after settings.configure)

application = get_wsgi_application()
