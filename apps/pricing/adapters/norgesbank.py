"""Norges Bank's exchange rates (data.norges-bank.no, SDMX-JSON): daily EUR/NOK on business days.

GET {url}?format=sdmx-json&startPeriod=YYYY-MM-DD&endPeriod=YYYY-MM-DD&locale=en, with `url` the series
EXR/B.EUR.NOK.SP (business-day frequency, base EUR, quote NOK, spot). The document lists the series'
observations by index into `data.structure.dimensions.observation[TIME_PERIOD].values` (the dates);
each observation's first element is the rate as text. UNIT_MULT (a series attribute) says per how
many units of the base currency the rate is quoted (0: per 1 EUR). Weekends and holidays have no
observation: the caller takes the last business day's rate.
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.parse
import urllib.request
from decimal import Decimal, InvalidOperation

from .base import SourceError

NAME = "norgesbank"


def _values_of(items: list, wanted: str) -> tuple[int, list] | None:
    for position, item in enumerate(items or []):
        if item.get("id") == wanted:
            return position, item.get("values") or []
    return None


def parse_rates(content: bytes) -> dict[dt.date, Decimal]:
    """{business day: NOK per 1 unit of the base currency} from an SDMX-JSON data message."""
    try:
        doc = json.loads(content)
        data = doc["data"]
        structure = data["structure"]
        times = _values_of(structure["dimensions"]["observation"], "TIME_PERIOD")
        if times is None:
            raise SourceError("The document has no TIME_PERIOD dimension.")
        dates = [dt.date.fromisoformat(value["id"][:10]) for value in times[1]]
        series_attributes = structure.get("attributes", {}).get("series", [])
        multiplier = _values_of(series_attributes, "UNIT_MULT")
        out: dict[dt.date, Decimal] = {}
        for dataset in data["dataSets"]:
            for series in dataset.get("series", {}).values():
                scale = Decimal(1)
                if multiplier is not None:
                    index = series.get("attributes", [])[multiplier[0]]
                    if index is not None:
                        scale = Decimal(10) ** int(multiplier[1][index]["id"])
                for index, observation in series.get("observations", {}).items():
                    if observation and observation[0] not in (None, ""):
                        out[dates[int(index)]] = Decimal(str(observation[0])) / scale
    except SourceError:
        raise
    except (ValueError, KeyError, IndexError, TypeError, InvalidOperation) as exc:
        raise SourceError(f"Not a Norges Bank SDMX-JSON exchange-rate document: {exc!r}") from None
    return out


def rate_on_or_before(rates: dict[dt.date, Decimal], day: dt.date) -> tuple[dt.date, Decimal]:
    """The last business day's rate on or before `day` (weekends and holidays take the day before)."""
    days = [observed for observed in rates if observed <= day]
    if not days:
        raise SourceError(f"Norges Bank has no EUR/NOK rate on or before {day}.")
    observed = max(days)
    return observed, rates[observed]


class NorgesBankRates:
    name = NAME

    def __init__(self, *, url: str, timeout: float):
        self.url = url
        self.timeout = timeout

    def request_url(self, *, start: dt.date, end: dt.date) -> str:
        query = {"format": "sdmx-json", "startPeriod": start.isoformat(), "endPeriod": end.isoformat(), "locale": "en"}
        return f"{self.url}?{urllib.parse.urlencode(query)}"

    def download(self, url: str) -> bytes:
        try:
            with urllib.request.urlopen(url, timeout=self.timeout) as response:
                return response.read()
        except urllib.error.HTTPError as exc:
            raise SourceError(f"Norges Bank answered HTTP {exc.code}.") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise SourceError(f"Norges Bank is unreachable: {exc}") from None

    def rate_for(self, day: dt.date) -> tuple[dt.date, Decimal]:
        """(the business day it is from, NOK per EUR) for delivery day `day`; ten days back cover Easter."""
        content = self.download(self.request_url(start=day - dt.timedelta(days=10), end=day))
        return rate_on_or_before(parse_rates(content), day)
