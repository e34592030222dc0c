"""Celery tasks of the pricing app (keyword arguments only, idempotent, acks_late)."""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task

from . import conf, services
from .adapters import PriceNotPublishedError, SourceError
from .adapters.base import market_date
from .areas import zone as find_zone

logger = logging.getLogger(__name__)


def retry_countdown(retries: int) -> int:
    """Exponential backoff: base, 2×base, 4×base ... capped."""
    return min(conf.PRICING_FETCH_RETRY_BASE_SECONDS * 2**retries, conf.PRICING_FETCH_RETRY_MAX_SECONDS)


@shared_task(bind=True, acks_late=True, max_retries=None, ignore_result=True)
def fetch_day_ahead_prices(
    self, *, delivery_date: str | None = None, days_ahead: int = 1, areas: list[str] | None = None
) -> dict:
    """Fetches the day-ahead prices of `delivery_date` (default: today + `days_ahead`, market time).

    Areas already stored with final prices are skipped, so running it again changes nothing.
    While some areas are not published yet, the task retries for those areas only, with backoff,
    at most PRICING_FETCH_MAX_RETRIES times.
    """
    if delivery_date:
        day = dt.date.fromisoformat(delivery_date)
    else:
        day = market_date(dt.datetime.now(dt.UTC)) + dt.timedelta(days=days_ahead)
    pending, stored = [], []
    for area in areas or conf.FETCH_AREAS:
        zone = find_zone(area)
        try:
            services.fetch_day(zone=zone, day=day)
            stored.append(zone.code)
        except (PriceNotPublishedError, SourceError) as exc:
            logger.info("Spot prices of %s %s not available yet: %s", zone.code, day, exc)
            pending.append(zone.code)
    if pending:
        if self.request.retries >= conf.PRICING_FETCH_MAX_RETRIES:
            logger.error("Gave up fetching spot prices of %s for %s", day, pending)
        else:
            raise self.retry(
                kwargs={"delivery_date": day.isoformat(), "areas": pending},
                countdown=retry_countdown(self.request.retries),
                max_retries=conf.PRICING_FETCH_MAX_RETRIES,
            )
    return {"delivery_date": day.isoformat(), "stored": stored, "pending": pending}
