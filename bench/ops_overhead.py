"""The per-request cost of the operations middleware (request id, metrics, CORS, admin locale),
timed in-process: the same `GET /api/ping` through Django's test client with the project's
middleware and with those four taken out, interleaved, best of several rounds.

    DJANGO_SETTINGS_MODULE=esmart.settings.test .venv/bin/python bench/ops_overhead.py [--requests 2000]
    PROMETHEUS_MULTIPROC_DIR=/tmp/esmart-metrics ...   # the same in multiprocess mode (as in the image)
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "esmart.settings.test")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings, setup_test_environment  # noqa: E402

OPS_MIDDLEWARE = {
    "esmart.request_id.RequestIdMiddleware",
    "esmart.metrics.MetricsMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "esmart.core.middleware.AdminLocaleMiddleware",
}


def per_request(client: Client, requests: int) -> float:
    started = time.perf_counter()
    for _ in range(requests):
        client.get("/api/ping")
    return (time.perf_counter() - started) / requests


def middleware_alone(requests: int, rounds: int) -> float:
    """The request id and metrics middleware around a view that does nothing (one resolved route):
    their own cost, without the rest of Django's noise."""
    from django.http import HttpResponse
    from django.test import RequestFactory
    from django.urls import resolve

    from esmart.metrics import MetricsMiddleware
    from esmart.request_id import RequestIdMiddleware

    match = resolve("/api/ping")

    def view(request):
        request.resolver_match = match
        return HttpResponse(b"{}")

    chain = RequestIdMiddleware(MetricsMiddleware(view))
    request = RequestFactory().get("/api/ping")
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(requests):
            chain(request)
        best = min(best, (time.perf_counter() - started) / requests)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    setup_test_environment()
    without = [m for m in settings.MIDDLEWARE if m not in OPS_MIDDLEWARE]
    best = {"with": float("inf"), "without": float("inf")}
    for _ in range(args.rounds):
        for name, middleware in (("with", settings.MIDDLEWARE), ("without", without)):
            with override_settings(MIDDLEWARE=middleware):
                client = Client()
                client.get("/api/ping")
                best[name] = min(best[name], per_request(client, args.requests))
    mode = "multiprocess" if os.environ.get("PROMETHEUS_MULTIPROC_DIR") else "single process"
    print(
        f"GET /api/ping, best of {args.rounds} x {args.requests} ({mode}): "
        f"{best['without'] * 1e6:.0f} us without, {best['with'] * 1e6:.0f} us with the operations "
        f"middleware: +{(best['with'] - best['without']) * 1e6:.0f} us per request"
    )
    alone = middleware_alone(args.requests * 10, args.rounds)
    print(f"request id + metrics middleware around an empty view ({mode}): {alone * 1e6:.1f} us per request")


if __name__ == "__main__":
    main()
