"""Deterministic sample control plans for api/mock: never the real ones, the same for a device and day
whenever they are asked for (the plan id and prices are drawn from a hash of both)."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid

from .models import IntervalSource


def sample_plans(*, asset_id: int, count: int, first: dt.date) -> list[dict]:
    """Sample day plans for a device: on in the four cheapest-looking night hours, a grid hour at 17."""
    plans = []
    for n in range(count):
        day = first - dt.timedelta(days=n)
        start = dt.datetime.combine(day, dt.time(), dt.UTC)
        seed = hashlib.sha256(f"{asset_id}:{day}".encode()).digest()
        plans.append(
            {
                "control_plan_id": uuid.UUID(bytes=seed[:16], version=4),
                "asset_id": asset_id,
                "search_filter_id": None,
                "start_time": start,
                "end_time": start + dt.timedelta(days=1),
                "created": start - dt.timedelta(hours=10),
                "version": 1,
                "is_declined": False,
                "declined_at": None,
                "decline_reason": None,
                "intervals": [
                    {
                        "start_time": start + dt.timedelta(hours=h),
                        "end_time": start + dt.timedelta(hours=h + 1),
                        "is_on": h in (1, 2, 3, 4),
                        "power_limit_kw": 2 if h in (1, 2, 3, 4) else 0,
                        "source": IntervalSource.Grid if h == 17 else IntervalSource.Price,
                        "price": round(0.5 + seed[h] / 255, 5),
                        "is_declined": False,
                        "baseline": None,
                        "measured": None,
                        "delivered_flexibility": None,
                    }
                    for h in range(24)
                ],
            }
        )
    return plans


# The newest sample day: the mock answers the same plans whatever day it is asked on.
MOCK_FIRST_DAY = dt.date(2025, 1, 31)
MOCK_PLANS = 30  # one a day, back from MOCK_FIRST_DAY
