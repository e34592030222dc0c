"""Settings of the metering app, read at call time so tests can override them."""

from django.conf import settings


def weather_adapter() -> str:
    """`demo` (default), `file`, or the dotted path of an adapter class."""
    return getattr(settings, "METERING_WEATHER_ADAPTER", "demo")


def weather_dir() -> str:
    return getattr(settings, "METERING_WEATHER_DIR", str(settings.BASE_DIR / "var" / "weather"))


def max_series_points() -> int:
    """The most buckets one series request may ask for: a leap year of quarter hours, or 4 years hourly."""
    return getattr(settings, "METERING_MAX_SERIES_POINTS", 36_000)


def cim_dir() -> str:
    """Where CIM export files are written (a directory; mount shared storage here in production)."""
    return getattr(settings, "METERING_CIM_DIR", str(settings.BASE_DIR / "var" / "cim"))


def cim_meters_per_file() -> int:
    return getattr(settings, "METERING_CIM_METERS_PER_FILE", 500)


def cim_time_zone() -> str:
    """The calendar of export days."""
    return getattr(settings, "METERING_CIM_TIME_ZONE", "Europe/Oslo")


def cim_url_seconds() -> int:
    """How long a signed download link of an export file stays valid."""
    return getattr(settings, "METERING_CIM_URL_SECONDS", 300)


def compare_min_group() -> int:
    """The fewest meters any average of comparedwithothers may rest on (per bucket, too)."""
    return getattr(settings, "METERING_COMPARE_MIN_GROUP", 20)


def compare_size_step() -> int:
    """ReferenceGroupSize is rounded down to a multiple of this."""
    return getattr(settings, "METERING_COMPARE_SIZE_STEP", 10)


def compare_max_group() -> int:
    """The most meters of a cohort compared (the first by id): bounds the rows one request aggregates."""
    return getattr(settings, "METERING_COMPARE_MAX_GROUP", 100)


def compare_max_days(*, hourly: bool) -> int:
    """The longest range of one comparison, in days: every meter of the cohort is aggregated per bucket,
    so a day of hourly buckets costs as much as a year of monthly ones (100 meters × 31 days × 24 hours)."""
    if hourly:
        return getattr(settings, "METERING_COMPARE_MAX_HOURLY_DAYS", 31)
    return getattr(settings, "METERING_COMPARE_MAX_DAYS", 366)


def wire_templates() -> bool:
    """Whether hourly and quarter-hour series are written to JSON by templates (series.Series.wire_json);
    off, the same bytes come from orjson over wire dicts (slower)."""
    return getattr(settings, "METERING_WIRE_TEMPLATES", True)


def export_max_days() -> int:
    """The longest range of one consumption export, in days (a leap year): it streams, so this bounds the
    time a request holds a worker thread, not memory (docs/export.md)."""
    return getattr(settings, "METERING_EXPORT_MAX_DAYS", 366)


def export_max_meter_days() -> int:
    """The most meter-days (meters × days of the range) one customer-wide export archive may hold."""
    return getattr(settings, "METERING_EXPORT_MAX_METER_DAYS", 50 * 366)
