"""ENTSO-E Transparency Platform: day-ahead prices (document type A44, Publication_MarketDocument).

A Period lists Points by position; with curveType A03 a position whose price equals the previous
one may be left out, so the parser fills every missing position forward from the last one given.
"""

from __future__ import annotations

import datetime as dt
import re
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from decimal import Decimal, InvalidOperation

from ..areas import BiddingZone
from .base import (
    DayPrices,
    IntervalPrice,
    PriceNotPublishedError,
    SourceError,
    expected_resolution_minutes,
    market_day_bounds,
    nok_per_kwh,
)

NAME = "entsoe"
NO_DATA_REASON = "999"
DAY_AHEAD_CONTRACT = "A01"
# docStatus values that mean the document is not final.
PRELIMINARY_STATUSES = frozenset({"A01", "X01"})
_DURATION = re.compile(r"^PT(?:(?P<h>[0-9]+)H)?(?:(?P<m>[0-9]+)M)?\Z")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(element, name: str):
    for child in element:
        if _local(child.tag) == name:
            return child
    return None


def _children(element, name: str):
    return [child for child in element if _local(child.tag) == name]


def _text(element, *path: str) -> str | None:
    for name in path:
        if element is None:
            return None
        element = _child(element, name)
    return element.text.strip() if element is not None and element.text else None


def _time(text: str | None) -> dt.datetime:
    if not text:
        raise SourceError("A time interval is missing its start or end.")
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise SourceError(f"Bad time {text!r}.") from None
    return moment.astimezone(dt.UTC)


def _minutes(resolution: str | None) -> int:
    match = _DURATION.match(resolution or "")
    if not match or not (match["h"] or match["m"]):
        raise SourceError(f"Unsupported resolution {resolution!r}.")
    return int(match["h"] or 0) * 60 + int(match["m"] or 0)


def parse_document(content: bytes, *, area_eic: str | None = None) -> tuple[dict[int, dict], bool]:
    """Parses an A44 document into {resolution minutes: {start UTC: EUR/MWh}} and its preliminary flag.

    An Acknowledgement_MarketDocument with reason 999 ("No matching data found") raises
    PriceNotPublishedError; any other acknowledgement raises SourceError.
    """
    try:
        root = ET.fromstring(content)
    except ET.ParseError as exc:
        raise SourceError(f"Not XML: {exc}") from None
    kind = _local(root.tag)
    if kind == "Acknowledgement_MarketDocument":
        code = _text(root, "Reason", "code")
        text = _text(root, "Reason", "text") or ""
        if code == NO_DATA_REASON:
            raise PriceNotPublishedError(text or "No matching data found")
        raise SourceError(f"ENTSO-E refused the request ({code}): {text}")
    if kind != "Publication_MarketDocument":
        raise SourceError(f"Unexpected document {kind}.")
    if _text(root, "type") not in (None, "A44"):
        raise SourceError(f"Not a day-ahead price document (type {_text(root, 'type')}).")
    preliminary = _text(root, "docStatus", "value") in PRELIMINARY_STATUSES

    # Zones outside Norway can carry several TimeSeries for one zone (other auctions, intraday): keep
    # the day-ahead contract (A01) and, of those, the first classification sequence.
    candidates = []
    for series in _children(root, "TimeSeries"):
        domain = _text(series, "in_Domain.mRID")
        if area_eic and domain and domain != area_eic:
            continue
        if (_text(series, "contract_MarketAgreement.type") or DAY_AHEAD_CONTRACT) != DAY_AHEAD_CONTRACT:
            continue
        sequence = _text(series, "classificationSequence_AttributeInstanceComponent.position") or "1"
        try:
            candidates.append((int(sequence), series))
        except ValueError:
            raise SourceError(f"Bad classification sequence {sequence!r}.") from None
    first_sequence = min((sequence for sequence, _ in candidates), default=1)

    by_resolution: dict[int, dict[dt.datetime, Decimal]] = {}
    for sequence, series in candidates:
        if sequence != first_sequence:
            continue
        currency = _text(series, "currency_Unit.name") or "EUR"
        unit = _text(series, "price_Measure_Unit.name") or "MWH"
        if currency != "EUR" or unit != "MWH":
            raise SourceError(f"Unsupported price unit {currency}/{unit}.")
        for period in _children(series, "Period"):
            interval = _child(period, "timeInterval")
            start, end = _time(_text(interval, "start")), _time(_text(interval, "end"))
            minutes = _minutes(_text(period, "resolution"))
            count = int((end - start).total_seconds() // 60) // minutes
            given: dict[int, Decimal] = {}
            for point in _children(period, "Point"):
                try:
                    position = int(_text(point, "position") or "")
                    given[position] = Decimal(_text(point, "price.amount") or "")
                except (ValueError, InvalidOperation):
                    raise SourceError("A Point has a bad position or price.amount.") from None
            if 1 not in given:
                raise SourceError(f"Period starting {start:%Y-%m-%dT%H:%MZ} has no position 1.")
            prices = by_resolution.setdefault(minutes, {})
            step = dt.timedelta(minutes=minutes)
            current = given[1]
            for position in range(1, count + 1):
                current = given.get(position, current)  # omitted positions repeat the previous price
                prices[start + (position - 1) * step] = current
    if not by_resolution:
        raise PriceNotPublishedError("The document holds no time series for the area.")
    return by_resolution, preliminary


def day_from_document(
    content: bytes, *, zone: BiddingZone, day: dt.date, exchange_rate: Decimal, source: str = NAME
) -> DayPrices:
    """The prices of one market day of `zone` from an A44 document (the day's own resolution preferred)."""
    by_resolution, preliminary = parse_document(content, area_eic=zone.eic)
    start, end = market_day_bounds(day)
    preferred = expected_resolution_minutes(day)
    order = [preferred, *sorted(m for m in by_resolution if m != preferred)]
    for minutes in order:
        prices = by_resolution.get(minutes, {})
        step = dt.timedelta(minutes=minutes)
        intervals = [
            IntervalPrice(at, at + step, eur, nok_per_kwh(eur, exchange_rate), exchange_rate)
            for at, eur in sorted(prices.items())
            if start <= at < end
        ]
        if intervals:
            return DayPrices(zone.eic, day, intervals, source, preliminary)
    raise PriceNotPublishedError(f"No prices for {zone.code} {day} in the document.")


class EntsoeSource:
    name = NAME

    def __init__(
        self, *, token: str, url: str, timeout: float, exchange_rate: Decimal | None = None, rate_for_day=None
    ):
        self.token = token
        self.url = url
        self.timeout = timeout
        self.exchange_rate = exchange_rate
        self.rate_for_day = rate_for_day  # day → NOK per EUR (exchange.eur_nok_for)

    def request_url(self, *, zone: BiddingZone, day: dt.date) -> str:
        start, end = market_day_bounds(day)
        query = {
            "securityToken": self.token,
            "documentType": "A44",
            "in_Domain": zone.eic,
            "out_Domain": zone.eic,
            "periodStart": start.strftime("%Y%m%d%H%M"),
            "periodEnd": end.strftime("%Y%m%d%H%M"),
        }
        return f"{self.url}?{urllib.parse.urlencode(query)}"

    def download(self, url: str) -> bytes:
        try:
            with urllib.request.urlopen(url, timeout=self.timeout) as response:
                return response.read()
        except urllib.error.HTTPError as exc:
            body = exc.read() or b""
            if b"Acknowledgement_MarketDocument" in body:
                return body  # parsed below: "no data" is not an error
            raise SourceError(f"ENTSO-E answered HTTP {exc.code}.") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise SourceError(f"ENTSO-E is unreachable: {exc}") from None

    def fetch_day(self, *, zone: BiddingZone, day: dt.date) -> DayPrices:
        if not self.token:
            raise SourceError("ENTSOE_API_TOKEN is not set.")
        from .. import conf

        if self.exchange_rate:
            rate = self.exchange_rate
        elif self.rate_for_day is not None:
            rate = self.rate_for_day(day)
        else:
            rate = conf.PRICING_EUR_NOK_RATE
        content = self.download(self.request_url(zone=zone, day=day))
        return day_from_document(content, zone=zone, day=day, exchange_rate=rate)
