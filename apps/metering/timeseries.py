"""Bucket arithmetic of consumption series: UTC hours and quarters, local calendar days and longer.

A series is cut into buckets: QuarterHour and Hour buckets are UTC-aligned (they are the local
hours of every whole-hour-offset zone, and stay unambiguous across DST); Day, Week (ISO, Monday),
Month and Year start at local midnight in the series' time zone, so a DST day is 23 or 25 hours
long. Every datetime here is timezone-aware; bucket starts are returned in UTC.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from .models import Resolution

UTC = dt.UTC

SUB_DAY_STEPS = {Resolution.QuarterHour: dt.timedelta(minutes=15), Resolution.Hour: dt.timedelta(hours=1)}
# Nominal lengths, for sizing a request before running it.
NOMINAL_SECONDS = {
    Resolution.QuarterHour: 900,
    Resolution.Hour: 3600,
    Resolution.Day: 86400,
    Resolution.Week: 7 * 86400,
    Resolution.Month: 28 * 86400,
    Resolution.Year: 365 * 86400,
}
# The PostgreSQL interval of one step, and the date_trunc unit of the calendar resolutions.
SQL_STEP = {
    Resolution.QuarterHour: "15 minutes",
    Resolution.Hour: "1 hour",
    Resolution.Day: "1 day",
    Resolution.Week: "7 days",
    Resolution.Month: "1 month",
    Resolution.Year: "1 year",
}
SQL_TRUNC_UNIT = {Resolution.Day: "day", Resolution.Week: "week", Resolution.Month: "month", Resolution.Year: "year"}


def is_calendar(resolution: Resolution) -> bool:
    return resolution not in SUB_DAY_STEPS


def _local_floor(local: dt.datetime, resolution: Resolution) -> dt.date:
    day = local.date()
    if resolution == Resolution.Day:
        return day
    if resolution == Resolution.Week:
        return day - dt.timedelta(days=day.weekday())
    if resolution == Resolution.Month:
        return day.replace(day=1)
    return day.replace(month=1, day=1)


def _next_local(day: dt.date, resolution: Resolution) -> dt.date:
    if resolution == Resolution.Day:
        return day + dt.timedelta(days=1)
    if resolution == Resolution.Week:
        return day + dt.timedelta(days=7)
    if resolution == Resolution.Month:
        return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return dt.date(day.year + 1, 1, 1)


def _midnight(day: dt.date, tz: ZoneInfo) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC)


def bucket_floor(moment: dt.datetime, resolution: Resolution, tz: ZoneInfo) -> dt.datetime:
    """The UTC start of the bucket that contains `moment`."""
    moment = moment.astimezone(UTC)
    if resolution == Resolution.Hour:
        return moment.replace(minute=0, second=0, microsecond=0)
    if resolution == Resolution.QuarterHour:
        return moment.replace(minute=moment.minute - moment.minute % 15, second=0, microsecond=0)
    return _midnight(_local_floor(moment.astimezone(tz), resolution), tz)


@dataclass(frozen=True)
class Window:
    """The whole buckets covering [from_time, to_time): `start` is the first bucket's start, `end` the last one's end.

    `local_first`/`local_last` are the wall-clock starts of the first and last bucket in `bucket_tz`
    (UTC for sub-day resolutions), which is what PostgreSQL's generate_series steps through.
    """

    resolution: Resolution
    tz: ZoneInfo
    start: dt.datetime
    end: dt.datetime
    local_first: dt.datetime
    local_last: dt.datetime

    @property
    def bucket_tz(self) -> str:
        return self.tz.key if is_calendar(self.resolution) else "UTC"

    def starts(self) -> list[dt.datetime]:
        """The UTC start of every bucket, in order (the Python path; PostgreSQL generates its own)."""
        out = []
        if not is_calendar(self.resolution):
            step = SUB_DAY_STEPS[self.resolution]
            moment = self.start
            while moment < self.end:
                out.append(moment)
                moment += step
            return out
        day = self.local_first.date()
        while True:
            moment = _midnight(day, self.tz)
            if moment >= self.end:
                return out
            out.append(moment)
            day = _next_local(day, self.resolution)


def window(from_time: dt.datetime, to_time: dt.datetime, resolution: Resolution, tz: ZoneInfo) -> Window:
    """Widens [from_time, to_time) outward to whole buckets."""
    start = bucket_floor(from_time, resolution, tz)
    last = bucket_floor(to_time - dt.timedelta(microseconds=1), resolution, tz)
    if is_calendar(resolution):
        last_day = last.astimezone(tz).date()
        end = _midnight(_next_local(last_day, resolution), tz)
        local_first = start.astimezone(tz).replace(tzinfo=None)
        local_last = last.astimezone(tz).replace(tzinfo=None)
    else:
        end = last + SUB_DAY_STEPS[resolution]
        local_first = start.replace(tzinfo=None)
        local_last = last.replace(tzinfo=None)
    return Window(resolution, tz, start, end, local_first, local_last)


def estimated_points(from_time: dt.datetime, to_time: dt.datetime, resolution: Resolution) -> int:
    """About how many buckets [from_time, to_time) has (exact for sub-day resolutions)."""
    span = (to_time - from_time).total_seconds()
    return int(-(-span // NOMINAL_SECONDS[resolution])) + 1


def one_year_earlier(moment: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    """The same local wall-clock time a year before (29 February becomes the 28th)."""
    local = moment.astimezone(tz)
    try:
        earlier = local.replace(year=local.year - 1)
    except ValueError:
        earlier = local.replace(year=local.year - 1, day=28)
    return earlier.replace(tzinfo=None).replace(tzinfo=tz).astimezone(UTC)
