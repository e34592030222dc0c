"""Baselines (what a site would have used without control) and delivered flexibility: pure functions.

For one interval at local hour h on day d, the *similar days* are the previous days of the same
kind (working day Monday-Friday, or weekend) with a measured value at hour h, newest first:
- AverageOfSimilarDays(N): the mean of hour h over the last N similar days;
- HighXOfY(X, Y): the mean of the X highest values of hour h among the last Y similar days.
Delivered flexibility = baseline − measured (positive: the load was reduced). Without enough
history (no similar day with a value) the baseline is unknown and so is the flexibility.

What is shown adds up: `flexibility` rounds baseline and measured to the kWh places the wire shows
(`KWH_PLACES`) and derives the delivered flexibility from those rounded values, never from the
unrounded ones (an average of similar days, or an hourly reading spread over quarter hours, has
more places than are shown; rounded separately the three could disagree by 0.0001).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_EVEN, Decimal

from .models import BaselineMethod

DEFAULT_METHOD = BaselineMethod.AverageOfSimilarDays
DEFAULT_DAYS = 10
MAX_LOOKBACK_DAYS = 60
KWH_PLACES = 4  # baseline, measured and delivered flexibility are shown in kWh to 4 places
_KWH_QUANTUM = Decimal(1).scaleb(-KWH_PLACES)


def similar(day: dt.date, other: dt.date) -> bool:
    return (day.weekday() >= 5) == (other.weekday() >= 5)


def baseline_value(
    *,
    method: int,
    days: int,
    high_count: int | None,
    day: dt.date,
    history: dict[dt.date, Decimal],
) -> Decimal | None:
    """The baseline of one hour of `day` from `history` (the same hour's value per earlier day)."""
    values = [
        history[d] for d in sorted(history, reverse=True) if d < day and similar(day, d) and history[d] is not None
    ][:days]
    if not values:
        return None
    if method == BaselineMethod.HighXOfY:
        values = sorted(values, reverse=True)[: high_count or 1]
    return sum(values, Decimal(0)) / len(values)


def delivered(baseline: Decimal | None, measured: Decimal | None) -> Decimal | None:
    if baseline is None or measured is None:
        return None
    return baseline - measured


def shown(value: Decimal | None) -> Decimal | None:
    """`value` (kWh) as it is shown: `KWH_PLACES` places, half to even (as DRF's DecimalField rounds)."""
    return None if value is None else value.quantize(_KWH_QUANTUM, rounding=ROUND_HALF_EVEN)


def flexibility(baseline: Decimal | None, measured: Decimal | None) -> tuple[Decimal | None, ...]:
    """(baseline, measured, delivered) as shown: delivered is the difference of the shown two."""
    baseline, measured = shown(baseline), shown(measured)
    return baseline, measured, delivered(baseline, measured)
