import datetime as dt
from pathlib import Path

import pytest

from apps.pricing import adapters
from apps.pricing.adapters import PriceNotPublishedError
from apps.pricing.adapters.demo import DemoSource

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "pricing"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


class CountingSource:
    """The demo source behind a counter; days in `unpublished` are not out yet."""

    name = "counting"

    def __init__(self):
        self.calls: list[tuple[str, dt.date]] = []
        self.unpublished: set[dt.date] = set()
        self.delay = 0.0
        self.fail_first = 0  # the first calls answer "not published"

    def fetch_day(self, *, zone, day):
        import time

        self.calls.append((zone.code, day))
        if self.delay:
            time.sleep(self.delay)
        if day in self.unpublished or len(self.calls) <= self.fail_first:
            raise PriceNotPublishedError(f"{day} not yet")
        prices = DemoSource().fetch_day(zone=zone, day=day, today=dt.date(2030, 1, 1))
        prices.source = self.name
        return prices


@pytest.fixture
def source(monkeypatch, settings):
    counting = CountingSource()
    monkeypatch.setitem(adapters.SOURCES, "counting", lambda: counting)
    settings.SPOT_PRICE_SOURCE = "counting"
    return counting


def in_threads(function, count: int, *, timeout: float = 60) -> list:
    """Runs `function` in `count` threads at once, each on its own database connection; their results.

    A thread's exception is raised here with its traceback, and a thread that has not finished after
    `timeout` seconds fails this test, instead of surfacing later in another one."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    def run():
        try:
            return function()
        finally:
            connection.close()

    pool = ThreadPoolExecutor(count)
    try:
        futures = [pool.submit(run) for _ in range(count)]
        return [future.result(timeout=timeout) for future in futures]
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
