"""The day-ahead fetch task: idempotent, bounded retries with backoff, beat entry, a real worker."""

import datetime as dt
import os
import time

import pytest
from django.db import connection

from apps.pricing import schedule, tasks
from apps.pricing.adapters.base import market_date
from apps.pricing.models import SpotPriceDay
from tests.clock import TEST_NOW

from ..celery_worker import running_worker

pytestmark = pytest.mark.django_db

DAY = "2025-10-02"


def test_fetches_every_area_and_is_idempotent(source):
    result = tasks.fetch_day_ahead_prices.apply(kwargs={"delivery_date": DAY, "areas": ["NO1", "NO2"]}).get()
    assert result == {"delivery_date": DAY, "stored": ["NO1", "NO2"], "pending": []}
    tasks.fetch_day_ahead_prices.apply(kwargs={"delivery_date": DAY, "areas": ["NO1", "NO2"]}).get()
    assert len(source.calls) == 2
    assert SpotPriceDay.objects.count() == 2


def test_default_day_is_tomorrow_and_default_areas_are_no1_to_no5(source):
    tasks.fetch_day_ahead_prices.apply().get()
    tomorrow = market_date(TEST_NOW) + dt.timedelta(days=1)
    assert source.calls == [(f"NO{n}", tomorrow) for n in range(1, 6)]


def test_retries_only_the_pending_areas_and_gives_up_after_the_limit(source, settings):
    from celery.exceptions import Retry

    settings.PRICING_FETCH_MAX_RETRIES = 5
    settings.PRICING_FETCH_RETRY_BASE_SECONDS = 120
    source.fail_first = 1  # NO1 (asked first) is not published yet, NO2 is
    with pytest.raises(Retry) as retry:
        tasks.fetch_day_ahead_prices.apply(kwargs={"delivery_date": DAY, "areas": ["NO1", "NO2"]})
    assert retry.value.sig.kwargs == {"delivery_date": DAY, "areas": ["NO1"]}
    assert retry.value.when == 120
    assert list(SpotPriceDay.objects.values_list("area", flat=True)) == ["10YNO-2--------T"]

    pending = retry.value.sig.kwargs
    source.unpublished.add(dt.date(2025, 10, 2))
    with pytest.raises(Retry) as retry:
        tasks.fetch_day_ahead_prices.apply(kwargs=pending, retries=3)
    assert retry.value.when == 960
    last = tasks.fetch_day_ahead_prices.apply(kwargs=pending, retries=5).get()
    assert last == {"delivery_date": DAY, "stored": [], "pending": ["NO1"]}


def test_backoff_doubles_and_is_capped(settings):
    settings.PRICING_FETCH_RETRY_BASE_SECONDS = 120
    settings.PRICING_FETCH_RETRY_MAX_SECONDS = 1800
    assert [tasks.retry_countdown(n) for n in range(6)] == [120, 240, 480, 960, 1800, 1800]


def test_beat_schedule_names_a_registered_task():
    from esmart.celery import app

    app.loader.import_default_modules()
    for entry in schedule.BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks
    assert app.tasks[tasks.fetch_day_ahead_prices.name].acks_late


@pytest.mark.worker
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (REDIS_URL)")
@pytest.mark.django_db(transaction=True)
def test_beat_entry_runs_through_a_real_worker_and_retries(source, settings):
    settings.PRICING_FETCH_RETRY_BASE_SECONDS = 0
    source.fail_first = 5  # the first round finds nothing published: every area is retried once
    try:
        with running_worker(broker_db=11) as app:
            entry = schedule.BEAT_SCHEDULE["pricing-fetch-next-day"]
            app.send_task(entry["task"], kwargs=entry.get("kwargs", {}))
            deadline = time.monotonic() + 30
            while SpotPriceDay.objects.count() < 5 and time.monotonic() < deadline:
                time.sleep(0.1)
    finally:
        connection.close()
    tomorrow = market_date(dt.datetime.now(dt.UTC)) + dt.timedelta(days=1)
    assert sorted(SpotPriceDay.objects.values_list("delivery_date", flat=True)) == [tomorrow] * 5
    assert len(source.calls) == 10
