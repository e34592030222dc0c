"""hvakosterstrommen.no: a free JSON API of Norwegian day-ahead prices in NOK and EUR per kWh.

GET {url}/YYYY/MM-DD_NO1.json → [{"NOK_per_kWh", "EUR_per_kWh", "EXR", "time_start", "time_end"}];
404 until the day's prices are published. Only NO1–NO5.
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.request
from decimal import Decimal, InvalidOperation

from ..areas import BiddingZone
from .base import DayPrices, IntervalPrice, PriceNotPublishedError, SourceError

NAME = "hvakosterstrommen"


def _moment(text) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(str(text))
    except ValueError:
        raise SourceError(f"Bad time {text!r}.") from None
    if moment.tzinfo is None:
        raise SourceError(f"Time without offset {text!r}.")
    return moment.astimezone(dt.UTC)


def parse_prices(content: bytes, *, zone: BiddingZone, day: dt.date) -> DayPrices:
    try:
        rows = json.loads(content)
    except ValueError as exc:
        raise SourceError(f"Not JSON: {exc}") from None
    if not isinstance(rows, list):
        raise SourceError("Expected a list of prices.")
    intervals = []
    for row in rows:
        try:
            eur_per_kwh = Decimal(str(row["EUR_per_kWh"]))
            intervals.append(
                IntervalPrice(
                    start_at=_moment(row["time_start"]),
                    end_at=_moment(row["time_end"]),
                    eur_per_mwh=(eur_per_kwh * 1000).quantize(Decimal("0.0001")),
                    nok_per_kwh=Decimal(str(row["NOK_per_kWh"])).quantize(Decimal("0.000001")),
                    exchange_rate=Decimal(str(row["EXR"])).quantize(Decimal("0.000001")),
                )
            )
        except (KeyError, TypeError, InvalidOperation):
            raise SourceError("A price row lacks NOK_per_kWh, EUR_per_kWh, EXR, time_start or time_end.") from None
    intervals.sort(key=lambda p: p.start_at)
    return DayPrices(zone.eic, day, intervals, NAME, preliminary=False)


class HvaKosterStrommenSource:
    name = NAME

    def __init__(self, *, url: str, timeout: float):
        self.url = url.rstrip("/")
        self.timeout = timeout

    def request_url(self, *, zone: BiddingZone, day: dt.date) -> str:
        return f"{self.url}/{day:%Y}/{day:%m-%d}_{zone.code}.json"

    def download(self, url: str) -> bytes:
        try:
            with urllib.request.urlopen(url, timeout=self.timeout) as response:
                return response.read()
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                raise PriceNotPublishedError(f"{url} is not published yet.") from None
            raise SourceError(f"hvakosterstrommen answered HTTP {exc.code}.") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise SourceError(f"hvakosterstrommen is unreachable: {exc}") from None

    def fetch_day(self, *, zone: BiddingZone, day: dt.date) -> DayPrices:
        if not zone.is_norwegian:
            raise SourceError(f"hvakosterstrommen has Norwegian areas only, not {zone.code}.")
        return parse_prices(self.download(self.request_url(zone=zone, day=day)), zone=zone, day=day)
