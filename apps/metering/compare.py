"""The rules of comparedwithothers, as pure functions: cohorts, aggregates and what may be shown.

Privacy (DESIGN.md §10): no value of the answer may be one household's.
- The group is a fixed cohort: the electricity meters of the caller's price area in the caller's
  heated-area band (fixed edges, "unknown" is a band of its own). Cohorts are disjoint, so the
  caller's own HeatingArea only chooses *which* cohort it sees; no edit can slide a window to put
  one neighbour in and out, and no two cohorts can be differenced into a household.
- Every average, of the whole period and of each bucket, needs at least `min_group` meters with
  data behind it (`METERING_COMPARE_MIN_GROUP`, default 20); else it is missing (Status 4000,
  Value null), the score and percentages 0.
- ReferenceGroupSize is rounded down to a multiple of `size_step` (`METERING_COMPARE_SIZE_STEP`,
  default 10), so two answers' sizes cannot be used to subtract one group from another.

The aggregates (`BucketStats`, `TotalStats`) are computed in PostgreSQL (selectors) or, on other
databases, by `aggregate()` here; `compare_body()` turns either into the wire DTO.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from .models import Quality

# Heated-area band edges (m²): [0, 60), [60, 90), ... [300, ∞); a meter without one is in band None.
HEATING_AREA_EDGES = (0, 60, 90, 120, 160, 220, 300)
THOUSANDTH = Decimal("0.001")


def heating_area_band(heating_area: int | None) -> tuple[int, int | None] | None:
    """The fixed band [low, high) that `heating_area` falls in (high None: no upper edge), or None."""
    if not heating_area:
        return None
    for low, high in zip(HEATING_AREA_EDGES, (*HEATING_AREA_EDGES[1:], None), strict=True):
        if high is None or heating_area < high:
            return low, high
    raise AssertionError("unreachable: the last band has no upper edge")


def efficient_count(group_count: int) -> int:
    """How many of the group make its efficient quarter (those with the lowest totals)."""
    return max(1, group_count // 4) if group_count else 0


def rounded_size(group_count: int, *, min_group: int, size_step: int) -> int:
    if group_count < min_group:
        return 0
    return group_count - group_count % size_step


@dataclass(frozen=True)
class BucketStats:
    """One bucket: the meter's own sum, and over the others with data in it: their mean and count,
    the mean and count of the efficient ones among them, and how many used more / the same."""

    start: dt.datetime
    mine: Decimal | None
    group_average: Decimal | None
    group_count: int
    efficient_average: Decimal | None
    efficient_count: int
    more: int
    same: int


@dataclass(frozen=True)
class TotalStats:
    """The whole period: the meter's total, and over the others with data: the mean of their totals
    and its count, the same for the efficient quarter, and how many totals were above / equal to the meter's."""

    mine: Decimal | None
    group_average: Decimal | None
    group_count: int
    efficient_average: Decimal | None
    efficient_count: int
    more: int
    same: int


def _mean(values: list[Decimal]) -> Decimal | None:
    return sum(values, Decimal(0)) / len(values) if values else None


def aggregate(
    *, starts: list[dt.datetime], sums: dict[int, dict[dt.datetime, Decimal]], me: int
) -> tuple[list[BucketStats], TotalStats]:
    """The aggregates from per-meter bucket sums (the Python path; PostgreSQL computes the same in SQL)."""
    mine = sums.get(me, {})
    others = {m: buckets for m, buckets in sums.items() if m != me and buckets}
    totals = {m: sum(buckets.values(), Decimal(0)) for m, buckets in others.items()}
    ranked = sorted(totals, key=lambda m: (totals[m], m))
    efficient = set(ranked[: efficient_count(len(ranked))])
    my_total = sum(mine.values(), Decimal(0)) if mine else None
    buckets = []
    for start in starts:
        present = [m for m in ranked if start in others[m]]
        own = mine.get(start)
        efficient_values = [others[m][start] for m in present if m in efficient]
        buckets.append(
            BucketStats(
                start=start,
                mine=own,
                group_average=_mean([others[m][start] for m in present]),
                group_count=len(present),
                efficient_average=_mean(efficient_values),
                efficient_count=len(efficient_values),
                more=0 if own is None else sum(1 for m in present if others[m][start] > own),
                same=0 if own is None else sum(1 for m in present if others[m][start] == own),
            )
        )
    total = TotalStats(
        mine=my_total,
        group_average=_mean(list(totals.values())),
        group_count=len(totals),
        efficient_average=_mean([totals[m] for m in efficient]),
        efficient_count=len(efficient),
        more=0 if my_total is None else sum(1 for t in totals.values() if t > my_total),
        same=0 if my_total is None else sum(1 for t in totals.values() if t == my_total),
    )
    return buckets, total


def _wire_time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")


def _point(start: dt.datetime, value: Decimal | None, shown: bool) -> dict:
    if value is None or not shown:
        return {"value_time": start, "value": None, "status": int(Quality.Missing)}
    return {"value_time": start, "value": float(value.quantize(THOUSANDTH, ROUND_HALF_EVEN)), "status": 0}


def _wire_point(point: dict) -> dict:
    return {"ValueTime": _wire_time(point["value_time"]), "Value": point["value"], "Status": point["status"]}


def _score(more: int, same: int, count: int) -> int:
    """0-100: the share of the others that used more than the meter (ties count half)."""
    return round(100 * (more + same / 2) / count)


def _percentage(mine: Decimal | None, average: Decimal | None, shown: bool) -> int:
    if not shown or mine is None or not average:
        return 0
    return round(100 * mine / average)


def compare_fields(*, buckets: list[BucketStats], total: TotalStats, min_group: int, size_step: int) -> dict:
    """AssetCompareModel's fields (datetimes, floats); every figure about others rests on at least
    `min_group` meters."""
    group_shown = total.group_count >= min_group
    efficient_shown = total.efficient_count >= min_group
    return {
        "meter_average": [_point(b.start, b.mine, True) for b in buckets],
        "reference_group_average": [
            _point(b.start, b.group_average, group_shown and b.group_count >= min_group) for b in buckets
        ],
        "efficients_average": [
            _point(b.start, b.efficient_average, efficient_shown and b.efficient_count >= min_group) for b in buckets
        ],
        "score": _score(total.more, total.same, total.group_count) if group_shown and total.mine is not None else 0,
        "efficient_comparison_percentage": _percentage(total.mine, total.efficient_average, efficient_shown),
        "reference_group_comparison_percentage": _percentage(total.mine, total.group_average, group_shown),
        "scores": [
            {"value_time": b.start, "score": _score(b.more, b.same, b.group_count)}
            for b in buckets
            if group_shown and b.mine is not None and b.group_count >= min_group
        ],
        "reference_group_size": rounded_size(total.group_count, min_group=min_group, size_step=size_step),
    }


def compare_body(*, buckets: list[BucketStats], total: TotalStats, min_group: int, size_step: int) -> dict:
    """compare_fields() in wire form (the fast producer of AssetCompareModelSerializer)."""
    fields = compare_fields(buckets=buckets, total=total, min_group=min_group, size_step=size_step)
    return {
        "MeterAverage": [_wire_point(p) for p in fields["meter_average"]],
        "ReferenceGroupAverage": [_wire_point(p) for p in fields["reference_group_average"]],
        "EfficientsAverage": [_wire_point(p) for p in fields["efficients_average"]],
        "Score": fields["score"],
        "EfficientComparisonPercentage": fields["efficient_comparison_percentage"],
        "ReferenceGroupComparisonPercentage": fields["reference_group_comparison_percentage"],
        "Scores": [{"ValueTime": _wire_time(s["value_time"]), "Score": s["score"]} for s in fields["scores"]],
        "ReferenceGroupSize": fields["reference_group_size"],
    }
