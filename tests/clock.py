"""The one instant every test runs at (tests/conftest.py travels there before each test).

Wednesday 11 March 2026, 10:17 in Oslo (09:17 UTC): a working day, no holiday, weeks from a
daylight-saving change (29 March) and from a month's or year's end, and later than every dated
fixture (the recorded spot-price days of October 2025 must lie in the past: a market day after
tomorrow is refused). `time_machine.travel(...,
tick=True)`: the clock starts at the instant and runs on, so timeouts and sleeps still work.

`ESMART_TEST_NOW` (an ISO 8601 date-time with offset) moves the instant, to prove no test depends
on the day: `ESMART_TEST_NOW=2026-07-05T23:30:00+02:00 pytest`. A test that needs another day
travels itself (`time_machine.travel(...)` or the `time_machine` fixture's `move_to`); a test
whose processes read the real clock is marked `real_clock` and is not moved.
"""

import datetime as dt
import os

DEFAULT_TEST_NOW = "2026-03-11T10:17:00+01:00"


def fixed_instant() -> dt.datetime:
    """The instant, in UTC (a fixed offset: time_machine then leaves the process's TZ alone)."""
    return dt.datetime.fromisoformat(os.environ.get("ESMART_TEST_NOW") or DEFAULT_TEST_NOW).astimezone(dt.UTC)


TEST_NOW = fixed_instant()
