"""What `make bench` measures: one declarative entry per figure.

Each entry names a path on the real app and, when there is one, the path of its baseline on the
bare-Django server (`bench/bare_wsgi.py`, views in `bench/bare_urls.py`). The runner measures the
baseline and the real endpoint alternately, `BENCH_ROUNDS` times, and reports the median requests/s
of each and their ratio against `goal` (DESIGN.md §9). Before measuring, it checks that both servers
answer 2xx with the same body, so a baseline cannot drift from what the endpoint really returns.

To add a figure: add a view to bench/bare_urls.py that runs the same queries and returns the same
bytes (or leave `bare_path` as None for a figure without a baseline), then add a `Pair` here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# The demo login and its Power customer, created by `manage.py seed_demo` (apps/customers/demo.py).
DEMO_LOGIN = ("demo1", "demo1-password")
DEMO_POWER_CUSTOMER_ID = 100001


@dataclass(frozen=True)
class Pair:
    name: str
    real_path: str
    bare_path: str | None = None  # None: a figure of the real app alone
    goal: float | None = None  # the least acceptable real/bare ratio
    description: str = ""
    method: str = "GET"
    body: bytes | None = None  # sent as application/json when given
    auth: tuple[str, str] | None = None  # HTTP Basic (username, password), on both servers
    headers: dict[str, str] = field(default_factory=dict)
    same_body: bool = True  # the baseline must answer with the very same bytes


PAIRS: list[Pair] = [
    Pair(
        name="customer",
        description="GET api/customers/{id}, warm credential cache, vs bare Django running the same 2 queries",
        real_path=f"/api/customers/{DEMO_POWER_CUSTOMER_ID}",
        bare_path=f"/api/customers/{DEMO_POWER_CUSTOMER_ID}",
        auth=DEMO_LOGIN,
        goal=0.6,
    ),
    Pair(
        name="ping",
        description="GET api/ping, no authentication, no query",
        real_path="/api/ping",
    ),
]
