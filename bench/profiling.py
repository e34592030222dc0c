"""Profiles one endpoint in process with cProfile: where a request's time goes, top functions first.

    DATABASE_URL=... REDIS_URL=... .venv/bin/python bench/profiling.py [--path /api/customers/100001] [-n 2000]
    ... bench/profiling.py --pair consumption -n 50     # the request of a bench pair (POST with its body)

Runs the real app (esmart.settings.local, DEBUG off, the whole middleware stack) through Django's
WSGI handler with the demo login, after warm-up requests (so the credential cache is warm, as in
`make bench`'s customer pair), against a database seeded by `make bench` (seed_demo). Prints the
functions with the most own time and the most cumulative time over `-n` requests.
"""

from __future__ import annotations

import argparse
import base64
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.pairs import DEMO_LOGIN, DEMO_POWER_CUSTOMER_ID, PAIRS  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", default=f"/api/customers/{DEMO_POWER_CUSTOMER_ID}")
    parser.add_argument("-n", "--requests", type=int, default=2000)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--pair", help="profile the request of this bench pair (bench/pairs.py) instead of --path")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "esmart.settings.local")
    os.environ.setdefault("DJANGO_DEBUG", "false")
    import django

    django.setup()
    from django.test import Client

    pair = next(p for p in PAIRS if p.name == args.pair) if args.pair else None
    token = base64.b64encode(":".join((pair and pair.auth) or DEMO_LOGIN).encode()).decode()  # the pair's login
    client = Client(HTTP_AUTHORIZATION=f"Basic {token}", HTTP_HOST="127.0.0.1")
    if pair:
        args.path = pair.real_path

        def send():
            return client.generic(pair.method, pair.real_path, pair.body or b"", content_type="application/json")
    else:

        def send():
            return client.get(args.path)

    for _ in range(20):  # warm: credential cache, connections, imports
        response = send()
    if response.status_code != 200:
        print(f"GET {args.path} answered {response.status_code}: {response.content[:200]!r}", file=sys.stderr)
        return 1

    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for _ in range(args.requests):
        send()
    profiler.disable()
    elapsed = time.perf_counter() - started
    print(f"{args.path}: {args.requests} requests in {elapsed:.2f} s under cProfile "
          f"({1000 * elapsed / args.requests:.2f} ms each, profiler overhead included)")  # fmt: skip
    # The count does not depend on how busy the machine is: a figure to compare on a loaded one.
    print(f"{pstats.Stats(profiler).total_calls / args.requests:.0f} Python function calls per request")
    for order, title in (("tottime", "own time"), ("cumulative", "cumulative time")):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(args.top)
        print(f"\n--- top {args.top} by {title} ---")
        text = out.getvalue()
        print(text[text.index("   ncalls") :] if "   ncalls" in text else text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
