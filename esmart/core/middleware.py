"""API responses are not stored by browsers or shared caches (DESIGN.md §10); a database that
cannot be reached is a 503 to retry on every route, not a 500; the admin speaks its user's language
in Oslo time while the API stays English and UTC."""

import zoneinfo

from django.conf import settings
from django.db import connection
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control, patch_vary_headers

from esmart.api.exceptions import database_outage, database_unavailable, database_unavailable_response

API_PREFIX = "/api/"
ADMIN_PREFIX = "/admin/"


class NoStoreApiResponsesMiddleware:
    """`Cache-Control: no-store` on every API response that does not set its own.

    Nearly every API response carries personal data (profiles, consumption, invoices), errors
    included; a view whose answer is public and cacheable says so with its own Cache-Control.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path_info.startswith(API_PREFIX) and not response.has_header("Cache-Control"):
            patch_cache_control(response, no_store=True)
        return response


class DatabaseOutageMiddleware:
    """A view that cannot reach the database (down, restarting, refusing connections) answers 503
    with Retry-After and the API's error body, on every route: the admin, Django's own views, and
    API writes, whose transaction is opened before DRF's exception handler can see the failure (the
    handler answers the same for the rest: esmart.api.exceptions). Integrity and data errors are not
    outages and stay what they are.

    The outage is logged once (esmart/core/outages.py); the first request that uses the database
    again ends it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 503 and connection.connection is not None:
            database_outage().answered()  # a no-op unless an outage was logged
        return response

    def process_exception(self, request, exception):
        if database_unavailable(exception):
            return database_unavailable_response(exception)
        return None


class AdminLocaleMiddleware:
    """Admin pages in the language the browser asks for (Accept-Language, or the language cookie)
    among settings.LANGUAGES (`nb`: Norwegian bokmål, Django's own translation), with times shown
    and entered in ADMIN_TIME_ZONE (Europe/Oslo); the database keeps UTC.

    Only under /admin/: the API's messages are the contract's English ones whatever the caller's
    Accept-Language (Django's LocaleMiddleware would translate DRF's), and its times are UTC. The
    language and zone are put back after each admin request: a gthread thread serves API requests
    next, and activation is per thread."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.time_zone = zoneinfo.ZoneInfo(settings.ADMIN_TIME_ZONE)

    def __call__(self, request):
        if not request.path_info.startswith(ADMIN_PREFIX):
            return self.get_response(request)
        language = translation.get_language_from_request(request)
        translation.activate(language)
        timezone.activate(self.time_zone)
        request.LANGUAGE_CODE = translation.get_language()
        try:
            response = self.get_response(request)
        finally:
            translation.deactivate()
            timezone.deactivate()
        patch_vary_headers(response, ["Accept-Language"])
        response.headers.setdefault("Content-Language", language)
        return response
