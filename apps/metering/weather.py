"""Weather observations behind an adapter (DESIGN.md §8), chosen by METERING_WEATHER_ADAPTER.

- `demo` (default): a deterministic synthetic climate per station (season, day and night, passing
  weather systems), so `make run` and the demo consumption need nothing outside.
- `file`: the observations documents of MET Norway's Frost API (`/observations/v0.jsonld`,
  element air_temperature, PT1H) read from METERING_WEATHER_DIR, one `<station code>.json` each;
  the tests use recorded documents of that format.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import orjson
from django.utils.dateparse import parse_datetime
from django.utils.module_loading import import_string

from . import conf

# A few real MET Norway stations, one per price area, with their climate for the demo adapter:
# (code, name, latitude, longitude, price area, annual mean °C, half the seasonal swing °C).
DEFAULT_STATIONS = [
    ("SN18700", "Oslo - Blindern", 59.9423, 10.72, "NO1", 6.3, 10.5),
    ("SN39040", "Kristiansand - Kjevik", 58.2, 8.0767, "NO2", 7.5, 8.5),
    ("SN68860", "Trondheim - Voll", 63.4107, 10.4538, "NO3", 5.5, 8.5),
    ("SN90450", "Tromsø", 69.6537, 18.9368, "NO4", 3.0, 7.5),
    ("SN50540", "Bergen - Florida", 60.3837, 5.3327, "NO5", 8.0, 6.5),
]
_CLIMATE = {code: (mean, swing) for code, _, _, _, _, mean, swing in DEFAULT_STATIONS}


def demo_temperature(code: str, moment: dt.datetime) -> float:
    """The demo climate: deterministic, smooth, coldest in late January, warmest mid-afternoon."""
    mean, swing = _CLIMATE.get(code, (6.0, 9.0))
    days = moment.timestamp() / 86400.0
    phase = sum(ord(ch) for ch in code) / 7.0
    season = -swing * math.cos(2 * math.pi * (days - 20.0) / 365.25)  # day 0 = 1 January 1970
    daily = 2.5 * math.cos(2 * math.pi * ((days % 1.0) * 24 - 14.0) / 24.0)
    systems = 2.5 * math.sin(2 * math.pi * days / 6.3 + phase) + 1.5 * math.sin(2 * math.pi * days / 2.9 + 2 * phase)
    return round(mean + season + daily + systems, 1)


class DemoWeatherAdapter:
    def hourly_temperatures(
        self, *, code: str, start: dt.datetime, end: dt.datetime
    ) -> list[tuple[dt.datetime, float]]:
        out = []
        moment = start.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)
        if moment < start:
            moment += dt.timedelta(hours=1)
        while moment < end:
            out.append((moment, demo_temperature(code, moment)))
            moment += dt.timedelta(hours=1)
        return out


class FileWeatherAdapter:
    """Reads Frost API observation documents: {"data": [{"sourceId", "referenceTime", "observations": [...]}]}."""

    def __init__(self, directory: str | Path | None = None):
        self.directory = Path(directory or conf.weather_dir())

    def hourly_temperatures(
        self, *, code: str, start: dt.datetime, end: dt.datetime
    ) -> list[tuple[dt.datetime, float]]:
        path = self.directory / f"{code}.json"
        if not path.is_file():
            return []
        document = orjson.loads(path.read_bytes())
        out = []
        for item in document.get("data", []):
            moment = parse_datetime(item["referenceTime"])
            if moment is None or not (start <= moment < end):
                continue
            for observation in item.get("observations", []):
                if observation.get("elementId") == "air_temperature":
                    out.append((moment.astimezone(dt.UTC), float(observation["value"])))
                    break
        return sorted(out)


ADAPTERS = {"demo": DemoWeatherAdapter, "file": FileWeatherAdapter}


def get_adapter():
    name = conf.weather_adapter()
    if name in ADAPTERS:
        return ADAPTERS[name]()
    return import_string(name)()
