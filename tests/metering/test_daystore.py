"""The pure core of meter-day storage (apps/metering/daystore.py): layouts, codecs, merges, aggregation.

No database and no clock: every day and moment is spelled out.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.metering import daystore as ds
from apps.metering.daystore import ESTIMATED, MEASURED, MISSING

UTC = dt.UTC
LATER_CODE = 4711  # a status code this module has never heard of


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


# --- Layout ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "minutes", "count", "start", "end"),
    [
        (dt.date(2025, 3, 30), 60, 23, utc(2025, 3, 29, 23), utc(2025, 3, 30, 22)),  # spring forward
        (dt.date(2025, 3, 30), 15, 92, utc(2025, 3, 29, 23), utc(2025, 3, 30, 22)),
        (dt.date(2025, 10, 26), 60, 25, utc(2025, 10, 25, 22), utc(2025, 10, 26, 23)),  # fall back
        (dt.date(2025, 10, 26), 15, 100, utc(2025, 10, 25, 22), utc(2025, 10, 26, 23)),
        (dt.date(2025, 6, 1), 60, 24, utc(2025, 5, 31, 22), utc(2025, 6, 1, 22)),  # summer time
        (dt.date(2025, 1, 15), 15, 96, utc(2025, 1, 14, 23), utc(2025, 1, 15, 23)),  # winter time
        (dt.date(2024, 3, 31), 60, 23, utc(2024, 3, 30, 23), utc(2024, 3, 31, 22)),
        (dt.date(2024, 10, 27), 15, 100, utc(2024, 10, 26, 22), utc(2024, 10, 27, 23)),
    ],
)
def test_day_layout(day, minutes, count, start, end):
    layout = ds.day_layout(day, minutes)
    assert (layout.count, layout.start, layout.end) == (count, start, end)
    starts = layout.starts()
    assert len(starts) == count
    assert starts[0] == start and starts[-1] + layout.step == end
    assert all(b - a == dt.timedelta(minutes=minutes) for a, b in zip(starts, starts[1:], strict=False))


def test_fall_back_day_has_two_local_two_oclocks():
    layout = ds.day_layout(dt.date(2025, 10, 26), 60)
    local = [s.astimezone(ds.OSLO).strftime("%H") for s in layout.starts()]
    assert local[:5] == ["00", "01", "02", "02", "03"]
    assert [ds.local_day(s) for s in (layout.starts()[0], layout.starts()[-1])] == [layout.day] * 2


def test_spring_forward_day_skips_two_oclock():
    local = [s.astimezone(ds.OSLO).strftime("%H") for s in ds.day_layout(dt.date(2025, 3, 30), 60).starts()]
    assert local[:3] == ["00", "01", "03"]


def test_index_of():
    layout = ds.day_layout(dt.date(2025, 10, 26), 15)
    assert layout.index_of(utc(2025, 10, 25, 22)) == 0
    assert layout.index_of(utc(2025, 10, 26, 1, 15)) == 13  # 02:15 CET (the second two o'clock)
    assert layout.index_of(utc(2025, 10, 26, 22, 45)) == 99
    assert layout.start_of(13) == utc(2025, 10, 26, 1, 15)
    for off_grid in (utc(2025, 10, 25, 21, 45), utc(2025, 10, 26, 23), utc(2025, 10, 26, 1, 5)):
        with pytest.raises(ds.DayStoreError):
            layout.index_of(off_grid)
    with pytest.raises(IndexError):
        layout.start_of(100)


def test_other_zone_and_bad_minutes():
    layout = ds.day_layout(dt.date(2025, 3, 9), 60, ZoneInfo("America/New_York"))
    assert (layout.count, layout.start) == (23, utc(2025, 3, 9, 5))
    with pytest.raises(ds.DayStoreError):
        ds.day_layout(dt.date(2025, 1, 1), 30)


# --- Codecs ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "size"),
    [
        ([0, 1, 999, 123_456], 16),
        ([None, 5, None], 12),
        ([2**31 - 1, -(2**31) + 1], 8),  # the int32 range, its smallest value being the absent mark
        ([2**31, 1], 16),  # one value past int32: the day goes int64
        ([-(2**31), 1], 16),
        ([99_999_999_999_999, None], 16),  # the old column's largest value (99,999,999,999.999 kWh)
        ([-500, 0], 8),  # production (negative consumption) is a value like any other
    ],
)
def test_values_round_trip(values, size):
    blob = ds.pack_values(values)
    assert len(blob) == size
    assert ds.unpack_values(blob, len(values)) == values


def test_values_are_little_endian_int32():
    assert ds.pack_values([1, None, 258]) == b"\x01\x00\x00\x00" + b"\x00\x00\x00\x80" + b"\x02\x01\x00\x00"


def test_values_length_must_match_the_day():
    with pytest.raises(ds.DayStoreError):
        ds.unpack_values(b"\x00" * 12, 24)


@pytest.mark.parametrize(
    ("statuses", "packed"),
    [
        ([0] * 24, None),
        ([0, 0, 1, 0], bytes([2, 1, 0, 3, 0, 0])),
        ([4000] * 3, bytes([0, 0xA0, 0x0F])),
        ([0, 0, 4000, 4000], bytes([2, 0xA0, 0x0F])),  # a missing tail costs 3 bytes
        ([1, LATER_CODE, 0], bytes([0, 1, 0, 1, 0x67, 0x12, 2, 0, 0])),
        ([0] * 99 + [65535], bytes([99, 0xFF, 0xFF])),
    ],
)
def test_statuses_round_trip(statuses, packed):
    assert ds.pack_statuses(statuses) == packed
    assert ds.unpack_statuses(packed, len(statuses)) == statuses


@pytest.mark.parametrize("bad", [[-1], [65536]])
def test_statuses_out_of_range(bad):
    with pytest.raises(ds.DayStoreError):
        ds.pack_statuses(bad)


@pytest.mark.parametrize(
    "blob",
    [
        b"\x00\x01",  # not whole change points
        bytes([5, 1, 0, 3, 0, 0]),  # out of order
        bytes([3, 1, 0, 3, 0, 0]),  # the same interval twice
        bytes([24, 1, 0]),  # past the day's end
    ],
)
def test_statuses_corrupt(blob):
    with pytest.raises(ds.DayStoreError):
        ds.unpack_statuses(blob, 24)


# --- A day -----------------------------------------------------------------------------------------


def test_encode_all_measured_day():
    stored = ds.encode_day(list(range(24)))
    assert (len(stored.values), stored.statuses, stored.total) == (96, None, 276)


def test_value_without_reading_is_missing_and_not_counted():
    stored = ds.encode_day([100, None, 300, 7], [MEASURED, ESTIMATED, ESTIMATED, LATER_CODE])
    assert ds.decode_day(stored, 4) == ([100, None, 300, 7], [MEASURED, MISSING, ESTIMATED, LATER_CODE])
    assert stored.total == 400  # 7 has a status above 3999: kept, not counted


def test_total_of_nothing_is_none():
    assert ds.encode_day([None] * 3).total is None
    assert ds.empty_day(23) == ds.encode_day([None] * 23, [MISSING] * 23)


def test_exact_to_the_wh():
    # 1.001 kWh + 2.002 kWh: no float ever touches a value
    stored = ds.encode_day([1001, 2002, 999_999_999])
    assert stored.total == 1_000_003_002
    assert ds.decode_day((stored.values, stored.statuses), 3)[0] == [1001, 2002, 999_999_999]


# --- Merge -----------------------------------------------------------------------------------------


def test_day_in_pieces():
    first = ds.merge_day(None, 24, {i: (100, MEASURED) for i in range(12)})
    assert first.total == 1200
    assert ds.decode_day(first, 24)[1] == [MEASURED] * 12 + [MISSING] * 12
    whole = ds.merge_day(first, 24, {i: (100, MEASURED) for i in range(12, 24)})
    assert whole == ds.encode_day([100] * 24)
    assert whole.statuses is None


def test_correction_changes_only_its_interval():
    day = ds.encode_day([100] * 24, [MEASURED] * 5 + [ESTIMATED] + [MEASURED] * 18)
    corrected = ds.merge_day(day, 24, {5: (130, MEASURED)})
    values, statuses = ds.decode_day(corrected, 24)
    assert values == [100] * 5 + [130] + [100] * 18
    assert statuses == [MEASURED] * 24 and corrected.statuses is None
    assert ds.merge_day(corrected, 24, {5: (130, MEASURED)}) == corrected  # idempotent
    assert corrected.total == 2430


def test_merge_refuses_an_interval_off_the_day():
    with pytest.raises(ds.DayStoreError):
        ds.merge_day(None, 23, {23: (1, MEASURED)})


def test_piece_of_and_split_by_day():
    layout = ds.day_layout(dt.date(2025, 3, 30), 60)
    assert ds.piece_of(layout, [(utc(2025, 3, 30, 1), 5, 0)]) == {2: (5, 0)}  # 03:00 CEST is the third hour
    pieces = ds.split_by_day([(utc(2025, 3, 29, 22), 1, 0), (utc(2025, 3, 29, 23), 2, 1)], 60)
    assert pieces == {dt.date(2025, 3, 29): {23: (1, 0)}, dt.date(2025, 3, 30): {0: (2, 1)}}


# Wall-clock limits fail these pure tests on a loaded machine (CI shares its cores): no deadline, and
# no health check on how long generating an input took.
UNTIMED = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

status_codes = st.sampled_from([MEASURED, ESTIMATED, MISSING, LATER_CODE, 2, 65535])
wh = st.integers(min_value=-(2**40), max_value=2**40)
reading = st.tuples(st.one_of(st.none(), wh), status_codes)


@st.composite
def day_and_pieces(draw):
    count = draw(st.sampled_from([23, 24, 25, 92, 96, 100]))
    pieces = draw(st.lists(st.dictionaries(st.integers(0, count - 1), reading, max_size=count), max_size=4))
    return count, pieces


@UNTIMED
@given(day_and_pieces())
def test_merge_is_idempotent(case):
    count, pieces = case
    stored = None
    for piece in pieces:
        stored = ds.merge_day(stored, count, piece)
        assert ds.merge_day(stored, count, piece) == stored


@UNTIMED
@given(day_and_pieces(), st.randoms(use_true_random=False))
def test_disjoint_pieces_merge_in_any_order(case, rnd):
    count, pieces = case
    taken: set[int] = set()
    disjoint = []
    for piece in pieces:
        disjoint.append({i: r for i, r in piece.items() if i not in taken})
        taken |= piece.keys()
    shuffled = disjoint[:]
    rnd.shuffle(shuffled)
    a = b = None
    for piece in disjoint:
        a = ds.merge_day(a, count, piece)
    for piece in shuffled:
        b = ds.merge_day(b, count, piece)
    assert a == b or not disjoint


@UNTIMED
@given(st.lists(reading, min_size=1, max_size=100))
def test_round_trip_keeps_every_value_and_status(readings):
    values = [v for v, _ in readings]
    statuses = [s for _, s in readings]
    stored = ds.encode_day(values, statuses)
    got_values, got_statuses = ds.decode_day(stored, len(readings))
    assert got_values == values
    assert got_statuses == [s if v is not None or s >= MISSING else MISSING for v, s in readings]
    counted = [v for v, s in zip(got_values, got_statuses, strict=True) if v is not None and s < MISSING]
    assert stored.total == (sum(counted) if counted else None)
    assert ds.encode_day(got_values, got_statuses) == stored  # one encoding per day


@UNTIMED
@given(st.lists(status_codes, min_size=1, max_size=100))
def test_statuses_take_three_bytes_a_change(statuses):
    packed = ds.pack_statuses(statuses)
    changes = sum(1 for a, b in zip([MEASURED, *statuses], statuses, strict=False) if a != b)
    assert (len(packed) if packed else 0) == 3 * changes
    assert ds.unpack_statuses(packed, len(statuses)) == statuses


# --- Aggregation -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("quarters", "statuses", "hour", "hour_status"),
    [
        ([1, 2, 3, 4], [0, 0, 0, 0], 10, MEASURED),
        ([1, 2, 3, 4], [0, 1, 0, 0], 10, ESTIMATED),
        ([1, 2, 3, None], [0, 0, 0, MISSING], 6, ESTIMATED),  # not fully covered
        ([1, 2, 3, 4], [0, 0, 0, LATER_CODE], 6, ESTIMATED),  # a bad value is not counted
        ([None] * 4, [MISSING] * 4, None, MISSING),
        ([5, 5, 5, 5], [2, 0, 0, 0], 20, ESTIMATED),  # any code 1..3999 makes the hour estimated
    ],
)
def test_hours_from_quarters(quarters, statuses, hour, hour_status):
    assert ds.hours_from_quarters(quarters, statuses) == ([hour], [hour_status])


def test_hours_from_quarters_of_a_fall_back_day():
    values, statuses = ds.hours_from_quarters([1] * 100, [0] * 100)
    assert (values, statuses) == ([4] * 25, [0] * 25)


def test_quarters_from_hours_in_tenths_of_wh():
    values, statuses = ds.quarters_from_hours([1, 1001, -3, None], [0, 1, 0, MISSING])
    # 1 Wh / 4 = 0.25 → 0.3 (tenths, half away from zero), 1001 / 4 = 250.25 → 250.3, -3 / 4 = -0.75 → -0.8
    assert values == [3] * 4 + [2503] * 4 + [-8] * 4 + [None] * 4
    assert statuses == [ESTIMATED] * 12 + [MISSING] * 4


@pytest.mark.parametrize(
    ("statuses", "quality"),
    [
        ([0] * 24, MEASURED),
        ([0] * 23 + [1], ESTIMATED),
        ([0] * 23 + [MISSING], ESTIMATED),
        ([MISSING] * 24, MISSING),
        ([LATER_CODE] * 24, MISSING),
    ],
)
def test_day_quality_from_statuses_alone(statuses, quality):
    assert ds.day_quality(ds.pack_statuses(statuses), 24) == quality


def test_calendar_buckets_from_day_totals():
    days = [ds.DaySummary(dt.date(2025, 1, 1) + dt.timedelta(days=n), 1000, MEASURED) for n in range(59)]
    days[40] = ds.DaySummary(days[40].day, 500, ESTIMATED)  # 10 February
    months = ds.calendar_buckets(days, dt.date(2025, 1, 1), dt.date(2025, 3, 31))
    assert months == [
        (dt.date(2025, 1, 1), 31_000, MEASURED),
        (dt.date(2025, 2, 1), 27_500, ESTIMATED),
        (dt.date(2025, 3, 1), None, MISSING),
    ]
    years = ds.calendar_buckets(days, dt.date(2025, 1, 1), dt.date(2025, 12, 31), ds.year_start)
    assert years == [(dt.date(2025, 1, 1), 58_500, ESTIMATED)]  # incomplete: most of the year is not stored
    weeks = ds.calendar_buckets(days[:12], dt.date(2025, 1, 1), dt.date(2025, 1, 12), ds.week_start)
    assert weeks[0] == (dt.date(2024, 12, 30), 5000, ESTIMATED)  # the week began before the data
    assert weeks[1] == (dt.date(2025, 1, 6), 7000, MEASURED)


def test_summarize_reads_no_values():
    assert ds.summarize(dt.date(2025, 3, 30), None, None, 23) == ds.DaySummary(dt.date(2025, 3, 30), None, MISSING)
    packed = ds.pack_statuses([0] * 22 + [1])
    assert ds.summarize(dt.date(2025, 3, 30), 5, packed, 23).quality == ESTIMATED


def test_hourly_series_over_dst_and_gaps():
    spring, fall = dt.date(2025, 3, 30), dt.date(2025, 10, 26)
    quarters = ds.encode_day([250] * 92)
    hours = ds.encode_day([1000] * 25, [0] * 24 + [LATER_CODE])
    rows = [(spring, 15, quarters.values, quarters.statuses), (fall, 60, hours.values, hours.statuses)]
    starts, values, statuses = ds.hourly_series(rows, spring, spring)
    assert (len(starts), values, statuses) == (23, [1000] * 23, [0] * 23)
    starts, values, statuses = ds.hourly_series(rows, dt.date(2025, 10, 25), fall)
    assert len(starts) == 24 + 25
    assert values == [None] * 24 + [1000] * 24 + [None]
    assert statuses == [MISSING] * 24 + [MEASURED] * 24 + [MISSING]
    assert starts[24] == utc(2025, 10, 25, 22)


def test_hourly_series_joins_plain_days_and_reads_them_as_each_day_alone():
    """Consecutive plain days (hourly, all measured, 4-byte values) are unpacked together; the series is
    the days' own values in order, across a day that is not plain (8-byte values, a status, a gap)."""
    first = dt.date(2025, 10, 24)  # 24, 25 (plain), 26 (25 hours, a status), 27 (absent), 28 (8-byte values)
    plain1, plain2 = ds.encode_day(list(range(24))), ds.encode_day(list(range(100, 124)))
    fall = ds.encode_day([7] * 25, [0] * 24 + [ESTIMATED])
    wide = ds.encode_day([2**40] * 24)
    rows = [
        (first, 60, plain1.values, plain1.statuses),
        (first + dt.timedelta(days=1), 60, plain2.values, plain2.statuses),
        (first + dt.timedelta(days=2), 60, fall.values, fall.statuses),
        (first + dt.timedelta(days=4), 60, wide.values, wide.statuses),
    ]
    starts, values, statuses = ds.hourly_series(rows, first, first + dt.timedelta(days=4))
    assert len(starts) == len(values) == len(statuses) == 24 + 24 + 25 + 24 + 24
    assert values == [*range(24), *range(100, 124), *[7] * 25, *[None] * 24, *[2**40] * 24]
    assert statuses == [0] * 48 + [0] * 24 + [ESTIMATED] + [MISSING] * 24 + [0] * 24
    # bytes not written by encode_day (an absent value without a status) read as unpack_values reads them
    odd = ds.pack_values([5, None, *[5] * 22])
    _, values, statuses = ds.hourly_series([(first, 60, odd, None)], first, first)
    assert values == [5, None, *[5] * 22] and statuses == [0] * 24


@UNTIMED
@given(st.lists(st.integers(0, 10**7), min_size=96, max_size=96))
def test_hours_from_quarters_keep_the_day_total(quarters):
    stored = ds.encode_day(quarters)
    hours, _ = ds.hours_from_quarters(*ds.decode_day(stored, 96))
    assert sum(hours) == stored.total == sum(quarters)
