from urllib.parse import parse_qsl, unquote_plus, urlencode

CREDENTIAL_QUERY_PARAMETERS = frozenset({"username", "password"})


class QueryCredentialsMiddleware:
    """Takes userName/password out of the query string before anything can log or report it.

    The invoice PDF link authenticates from its query string so a browser can open it
    (DESIGN.md §6). The credentials move to `request.query_credentials`; the rest of Django,
    error reports and log lines see a query string without them.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        request.query_credentials = None
        if query and "password" in unquote_plus(query).lower():  # also pass%77ord
            kept, credentials = [], {}
            for key, value in parse_qsl(query, keep_blank_values=True):
                if key.lower() in CREDENTIAL_QUERY_PARAMETERS:
                    credentials[key.lower()] = value
                else:
                    kept.append((key, value))
            request.META["QUERY_STRING"] = urlencode(kept)
            request.query_credentials = credentials
        return self.get_response(request)
