"""Consumption series: local calendar buckets, DST days, month totals, missing data, quarter hours."""

import datetime as dt
from decimal import Decimal

import pytest

from apps.metering.models import Resolution
from apps.metering.selectors import consumption_series
from apps.metering.timeseries import bucket_floor, one_year_earlier, window

from .helpers import OSLO, load_hours, load_quarters, oslo_midnight, utc

pytestmark = pytest.mark.django_db(transaction=False)


def series(meter, start, end, resolution, **kwargs):
    return consumption_series(meter=meter, from_time=start, to_time=end, resolution=resolution, **kwargs)


class TestDaylightSavingDays:
    def test_spring_forward_day_has_23_hours(self, owner):
        load_hours(owner.meter, utc(2025, 3, 28), utc(2025, 4, 1))
        rows = series(owner.meter, oslo_midnight(2025, 3, 29), oslo_midnight(2025, 4, 1), Resolution.Day)
        assert [(t, v, s) for t, v, s in rows] == [
            (utc(2025, 3, 28, 23), Decimal("24.000"), 0),
            (utc(2025, 3, 29, 23), Decimal("23.000"), 0),  # 30 March: 02:00 → 03:00
            (utc(2025, 3, 30, 22), Decimal("24.000"), 0),
        ]

    def test_fall_back_day_has_25_hours(self, owner):
        load_hours(owner.meter, utc(2025, 10, 24), utc(2025, 10, 29))
        rows = series(owner.meter, oslo_midnight(2025, 10, 25), oslo_midnight(2025, 10, 28), Resolution.Day)
        assert [(t, v) for t, v, _ in rows] == [
            (utc(2025, 10, 24, 22), Decimal("24.000")),
            (utc(2025, 10, 25, 22), Decimal("25.000")),  # 26 October: 03:00 → 02:00
            (utc(2025, 10, 26, 23), Decimal("24.000")),
        ]
        assert {s for _, _, s in rows} == {0}

    def test_hours_across_the_fall_back_night_are_all_there(self, owner):
        load_hours(owner.meter, utc(2025, 10, 25, 22), utc(2025, 10, 26, 23))
        rows = series(owner.meter, oslo_midnight(2025, 10, 26), oslo_midnight(2025, 10, 27), Resolution.Hour)
        assert len(rows) == 25
        assert rows[0][0] == utc(2025, 10, 25, 22) and rows[-1][0] == utc(2025, 10, 26, 22)
        assert all(v == 1 and s == 0 for _, v, s in rows)

    def test_another_time_zone_cuts_days_at_its_midnight(self, owner):
        load_hours(owner.meter, utc(2025, 3, 29), utc(2025, 3, 31))
        rows = series(owner.meter, utc(2025, 3, 30), utc(2025, 3, 31), Resolution.Day, time_zone="UTC")
        assert rows == [(utc(2025, 3, 30), Decimal("24.000"), 0)]


class TestCalendarTotals:
    def test_month_total_is_the_sum_of_its_days(self, owner):
        # Different values per hour so a misplaced hour would show.
        from apps.metering import services

        start, end = oslo_midnight(2025, 9, 30), oslo_midnight(2025, 11, 2)
        rows, moment, n = [], start, 0
        while moment < end:
            rows.append((owner.meter.pk, moment, 60, Decimal(n % 7) + Decimal("0.125"), 0))
            moment += dt.timedelta(hours=1)
            n += 1
        services.load_intervals(rows=rows)

        october = (oslo_midnight(2025, 10, 1), oslo_midnight(2025, 11, 1))
        months = series(owner.meter, *october, Resolution.Month)
        days = series(owner.meter, *october, Resolution.Day)
        assert len(months) == 1 and len(days) == 31
        assert months[0][0] == utc(2025, 9, 30, 22)
        assert months[0][1] == sum(v for _, v, _ in days)
        assert months[0][2] == 0
        hours = series(owner.meter, *october, Resolution.Hour)
        assert len(hours) == 31 * 24 + 1  # the 25-hour day
        assert months[0][1] == sum(v for _, v, _ in hours)

    def test_weeks_start_on_monday_and_years_on_new_year(self, owner):
        load_hours(owner.meter, utc(2025, 12, 28), utc(2026, 1, 10))
        weeks = series(owner.meter, utc(2026, 1, 1), utc(2026, 1, 8), Resolution.Week)
        assert [t for t, _, _ in weeks] == [oslo_midnight(2025, 12, 29), oslo_midnight(2026, 1, 5)]
        assert (weeks[0][1], weeks[0][2]) == (Decimal(7 * 24), 0)
        years = series(owner.meter, utc(2026, 1, 1), utc(2026, 1, 2), Resolution.Year)
        assert years[0][0] == oslo_midnight(2026, 1, 1)
        assert years[0][2] == 1  # a year with a few days of data is partly covered


class TestMissingData:
    def test_missing_hours_come_back_as_4000_with_no_value(self, owner):
        gap = {utc(2025, 1, 1, 5), utc(2025, 1, 1, 6)}
        load_hours(owner.meter, utc(2025, 1, 1), utc(2025, 1, 1, 12), skip=gap)
        rows = series(owner.meter, utc(2025, 1, 1), utc(2025, 1, 1, 12), Resolution.Hour)
        assert len(rows) == 12
        assert [(t, v, s) for t, v, s in rows if t in gap] == [(t, None, 4000) for t in sorted(gap)]
        assert all(v == 1 and s == 0 for t, v, s in rows if t not in gap)

    def test_partly_covered_day_is_estimated_and_empty_day_missing(self, owner):
        load_hours(owner.meter, oslo_midnight(2025, 2, 1), oslo_midnight(2025, 2, 1) + dt.timedelta(hours=10))
        rows = series(owner.meter, oslo_midnight(2025, 2, 1), oslo_midnight(2025, 2, 3), Resolution.Day)
        assert rows == [(oslo_midnight(2025, 2, 1), Decimal("10.000"), 1), (oslo_midnight(2025, 2, 2), None, 4000)]

    def test_estimated_intervals_mark_their_bucket(self, owner):
        load_hours(owner.meter, oslo_midnight(2025, 2, 1), oslo_midnight(2025, 2, 2))
        load_hours(owner.meter, utc(2025, 2, 1, 3), utc(2025, 2, 1, 4), value="2.5", status=1)  # a correction
        [(_, value, status)] = series(owner.meter, oslo_midnight(2025, 2, 1), oslo_midnight(2025, 2, 2), Resolution.Day)
        assert (value, status) == (Decimal("25.500"), 1)

    def test_stored_missing_rows_are_not_values(self, owner):
        load_hours(owner.meter, utc(2025, 2, 1), utc(2025, 2, 1, 2))
        from apps.metering import services

        services.load_intervals(rows=[(owner.meter.pk, utc(2025, 2, 1, 2), 60, None, 4000)])
        rows = series(owner.meter, utc(2025, 2, 1), utc(2025, 2, 1, 3), Resolution.Hour)
        assert [s for _, _, s in rows] == [0, 0, 4000]

    def test_nothing_at_all_is_all_missing(self, owner):
        rows = series(owner.meter, utc(2025, 2, 1), utc(2025, 2, 3), Resolution.Day, time_zone="UTC")
        assert rows == [(utc(2025, 2, 1), None, 4000), (utc(2025, 2, 2), None, 4000)]


class TestQuarterHours:
    def test_quarters_sum_to_hours(self, owner):
        load_quarters(owner.meter, utc(2025, 10, 1, 10), utc(2025, 10, 1, 12))
        rows = series(owner.meter, utc(2025, 10, 1, 10), utc(2025, 10, 1, 12), Resolution.Hour)
        assert rows == [(utc(2025, 10, 1, 10), Decimal("1.000"), 0), (utc(2025, 10, 1, 11), Decimal("1.000"), 0)]

    def test_hourly_data_is_spread_over_quarters_as_estimated(self, owner):
        load_hours(owner.meter, utc(2025, 9, 30, 10), utc(2025, 9, 30, 11), value="2.000")
        rows = series(owner.meter, utc(2025, 9, 30, 10), utc(2025, 9, 30, 10, 30), Resolution.QuarterHour)
        assert rows == [(utc(2025, 9, 30, 10), Decimal("0.5"), 1), (utc(2025, 9, 30, 10, 15), Decimal("0.5"), 1)]

    def test_a_change_of_resolution_at_midnight_makes_complete_days(self, owner):
        # A stored day has one interval length (docs/meter-storage.md: a day mixing them is refused,
        # tests/metering/test_meterday_store.py); a meter moving to quarter hours does so at midnight.
        day = oslo_midnight(2025, 10, 1)
        load_hours(owner.meter, day, day + dt.timedelta(hours=24))
        load_quarters(owner.meter, day + dt.timedelta(hours=24), day + dt.timedelta(hours=48))
        rows = series(owner.meter, day, day + dt.timedelta(days=2), Resolution.Day)
        assert [(value, status) for _, value, status in rows] == [(Decimal("24.000"), 0), (Decimal("24.000"), 0)]
        [(_, value, status)] = series(owner.meter, day, day + dt.timedelta(days=2), Resolution.Month)
        assert (value, status) == (Decimal("48.000"), 1)  # two days of October


class TestWindow:
    def test_range_is_widened_to_whole_buckets(self):
        win = window(utc(2025, 3, 30, 12), utc(2025, 3, 30, 13), Resolution.Day, OSLO)
        assert (win.start, win.end) == (utc(2025, 3, 29, 23), utc(2025, 3, 30, 22))
        assert win.starts() == [utc(2025, 3, 29, 23)]

    def test_bucket_floor_of_months(self):
        assert bucket_floor(utc(2025, 10, 31, 23, 30), Resolution.Month, OSLO) == utc(2025, 10, 31, 23)

    def test_one_year_earlier_keeps_local_wall_time(self):
        assert one_year_earlier(oslo_midnight(2025, 7, 1), OSLO) == oslo_midnight(2024, 7, 1)
        assert one_year_earlier(oslo_midnight(2024, 2, 29), OSLO) == oslo_midnight(2023, 2, 28)
