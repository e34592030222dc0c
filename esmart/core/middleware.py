"""API responses are not stored by browsers or shared caches (DESIGN.md §10)."""

from django.utils.cache import patch_cache_control

API_PREFIX = "/api/"


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
