"""The wire bytes of spot-price series: each stored day rendered once, a request's body spliced from them.

A day's values are rendered to JSON once (`render_day`) and cached beside its rows (spotprices.py
keys and drops both together), so a request for cached days costs one cache round trip and a few
byte slices, not the rows turned into dicts and serialised again. `series_bytes` writes the very
bytes the renderer would write for the same series (orjson, compact, keys in this order).

Pure and free of models: the bench's bare baseline imports it to read the same cache entries.
"""

from __future__ import annotations

from bisect import bisect_left
from typing import NamedTuple

import orjson

WIRE_VERSION = 1
QUARTER_HOUR, HOUR = 5, 7  # apps.metering.models.Resolution, not imported: this module stays model-free


class DayWire(NamedTuple):
    """One day's values as wire JSON: `blob` holds the entries joined by commas; entry i ends at ends[i]."""

    blob: bytes
    epochs: tuple[int, ...]  # start of each interval (UTC epoch seconds), ascending
    ends: tuple[int, ...]
    minutes: tuple[int, ...]
    preliminary: tuple[bool, ...]

    def start(self, i: int) -> int:
        return self.ends[i - 1] + 1 if i else 0


def wire_cache_key(area: str, day) -> str:
    return f"pricing:wire:{WIRE_VERSION}:{area}:{day.isoformat()}"


def value_entry(row: tuple) -> dict:
    """SpotPriceValue of one stored row (spotprices.Row)."""
    return {
        "ValueTime": row[1],
        "Value": row[2],
        "Status": 0,
        "EurPerMwh": row[3],
        "ExchangeRate": row[4],
        "Preliminary": row[5],
    }


def render_day(rows: list[tuple]) -> DayWire:
    """The wire form of a day's rows (in time order)."""
    entries = [orjson.dumps(value_entry(row)) for row in rows]
    ends, end = [], -1
    for entry in entries:
        end += 1 + len(entry)  # the comma before it, then the entry
        ends.append(end)
    return DayWire(
        blob=b",".join(entries),
        epochs=tuple(row[0] for row in rows),
        ends=tuple(ends),
        minutes=tuple(row[6] for row in rows),
        preliminary=tuple(row[5] for row in rows),
    )


def _pieces(day: DayWire, lo: float, hi: float, include_preliminary: bool) -> tuple[list[bytes], int | None]:
    """The byte runs of `day` whose interval starts in [lo, hi), and their finest resolution in minutes."""
    a, b = bisect_left(day.epochs, lo), bisect_left(day.epochs, hi)
    if a >= b:
        return [], None
    if include_preliminary or not any(day.preliminary[a:b]):
        return [day.blob[day.start(a) : day.ends[b - 1]]], min(day.minutes[a:b])
    kept = [i for i in range(a, b) if not day.preliminary[i]]
    pieces = [day.blob[day.start(i) : day.ends[i]] for i in kept]
    return pieces, min((day.minutes[i] for i in kept), default=None)


def series_bytes(
    *, code: str, eic: str, days: list[DayWire], lo: float, hi: float, include_preliminary: bool, default_minutes: int
) -> bytes:
    """SpotPriceSeries of the intervals of `days` (in day order) that start in [lo, hi), as wire bytes.

    Resolution is the finest of the included intervals (`default_minutes` when there are none)."""
    pieces, finest = [], None
    for day in days:
        found, minutes = _pieces(day, lo, hi, include_preliminary)
        pieces += found
        if minutes is not None:
            finest = minutes if finest is None else min(finest, minutes)
    minutes = default_minutes if finest is None else finest
    head = {
        "PriceArea": code,
        "Eic": eic,
        "Currency": "NOK",
        "Unit": "NOK/kWh",
        "Resolution": QUARTER_HOUR if minutes < 60 else HOUR,
    }
    return b"".join((orjson.dumps(head)[:-1], b',"Values":[', b",".join(pieces), b"]}"))
