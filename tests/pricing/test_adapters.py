"""The spot price sources: recorded ENTSO-E A44 and hvakosterstrommen documents, and the demo source."""

import datetime as dt
import io
import urllib.error
from decimal import Decimal

import pytest

from apps.pricing.adapters import PriceNotPublishedError, SourceError, entsoe, get_source, hvakosterstrommen
from apps.pricing.adapters.base import market_day_bounds
from apps.pricing.adapters.demo import DemoSource
from apps.pricing.areas import zone

from .conftest import fixture_bytes

UTC = dt.UTC
RATE = Decimal("11.5")


def day(name, area, date, rate=RATE):
    return entsoe.day_from_document(fixture_bytes(name), zone=zone(area), day=date, exchange_rate=rate)


class TestEntsoeDocument:
    def test_quarter_hour_day_has_96_values_with_omitted_positions_filled_forward(self):
        prices = day("entsoe_A44_NO1_2025-10-02_PT15M.xml", "NO1", dt.date(2025, 10, 2))
        assert prices.resolution_minutes == 15
        assert len(prices.intervals) == 96
        assert prices.intervals[0].start_at == dt.datetime(2025, 10, 1, 22, tzinfo=UTC)
        assert prices.intervals[-1].end_at == dt.datetime(2025, 10, 2, 22, tzinfo=UTC)
        eur = [p.eur_per_mwh for p in prices.intervals]
        # positions 3, 6 and 7 are not in the document: they repeat positions 2 and 5
        assert eur[:8] == [Decimal(v) for v in ("57.11", "60.28", "60.28", "59.67", "63.14", "63.14", "63.14", "62.33")]
        assert sum(eur) == Decimal("7390.66")
        assert not prices.preliminary

    def test_nok_per_kwh_uses_the_exchange_rate(self):
        first = day("entsoe_A44_NO1_2025-10-02_PT15M.xml", "NO1", dt.date(2025, 10, 2)).intervals[0]
        assert first.exchange_rate == RATE
        assert first.nok_per_kwh == Decimal("0.656765")  # 57.11 EUR/MWh × 11.5 / 1000

    def test_hourly_day_has_24_values(self):
        prices = day("entsoe_A44_NO2_2025-03-15_PT60M.xml", "NO2", dt.date(2025, 3, 15))
        assert prices.resolution_minutes == 60
        assert len(prices.intervals) == 24
        assert prices.intervals[2].eur_per_mwh == prices.intervals[1].eur_per_mwh == Decimal("74.15")
        assert sum(p.eur_per_mwh for p in prices.intervals) == Decimal("1833.19")

    def test_autumn_dst_day_has_100_quarter_hours(self):
        prices = day("entsoe_A44_NO5_2025-10-26_PT15M.xml", "NO5", dt.date(2025, 10, 26))
        assert len(prices.intervals) == 100
        assert prices.intervals[-1].end_at == dt.datetime(2025, 10, 26, 23, tzinfo=UTC)
        assert sum(p.eur_per_mwh for p in prices.intervals) == Decimal("6453.95")

    def test_spring_dst_day_has_23_hours(self):
        prices = day("entsoe_A44_NO1_2025-03-30_PT60M.xml", "NO1", dt.date(2025, 3, 30))
        assert len(prices.intervals) == 23
        assert prices.intervals[0].start_at == dt.datetime(2025, 3, 29, 23, tzinfo=UTC)
        assert prices.intervals[1].eur_per_mwh == prices.intervals[0].eur_per_mwh == Decimal("31.83")
        assert sum(p.eur_per_mwh for p in prices.intervals) == Decimal("837.51")

    def test_other_areas_series_are_ignored(self):
        with pytest.raises(PriceNotPublishedError):
            day("entsoe_A44_NO1_2025-10-02_PT15M.xml", "NO2", dt.date(2025, 10, 2))

    def test_a_day_outside_the_document_is_not_published(self):
        with pytest.raises(PriceNotPublishedError):
            day("entsoe_A44_NO1_2025-10-02_PT15M.xml", "NO1", dt.date(2025, 10, 3))

    def test_no_data_acknowledgement_means_not_published(self):
        with pytest.raises(PriceNotPublishedError, match="No matching data"):
            entsoe.parse_document(fixture_bytes("entsoe_acknowledgement_no_data.xml"))

    def test_intermediate_document_is_preliminary(self):
        content = fixture_bytes("entsoe_A44_NO2_2025-03-15_PT60M.xml").replace(
            b"<type>A44</type>", b"<type>A44</type>\n  <docStatus><value>A01</value></docStatus>"
        )
        _, preliminary = entsoe.parse_document(content)
        assert preliminary

    @pytest.mark.parametrize(
        "content",
        [b"not xml", b"<Other/>", b"<Publication_MarketDocument><type>A65</type></Publication_MarketDocument>"],
    )
    def test_garbage_is_a_source_error(self, content):
        with pytest.raises(SourceError):
            entsoe.parse_document(content)

    def test_missing_first_position_is_a_source_error(self):
        content = fixture_bytes("entsoe_A44_NO2_2025-03-15_PT60M.xml").replace(
            b"<position>1</position>", b"<position>0</position>"
        )
        with pytest.raises(SourceError):
            entsoe.parse_document(content)


class FakeResponse(io.BytesIO):
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class TestEntsoeHttp:
    def test_requests_the_market_day_and_parses_the_answer(self, monkeypatch):
        seen = []

        def urlopen(url, timeout):
            seen.append(url)
            return FakeResponse(fixture_bytes("entsoe_A44_NO1_2025-10-02_PT15M.xml"))

        monkeypatch.setattr(entsoe.urllib.request, "urlopen", urlopen)
        source = entsoe.EntsoeSource(token="tok", url="https://example.invalid/api", timeout=1, exchange_rate=RATE)
        prices = source.fetch_day(zone=zone("NO1"), day=dt.date(2025, 10, 2))
        assert len(prices.intervals) == 96
        assert "documentType=A44" in seen[0]
        assert "in_Domain=10YNO-1--------2" in seen[0]
        assert "periodStart=202510012200&periodEnd=202510022200" in seen[0]

    def test_http_400_with_acknowledgement_is_not_published(self, monkeypatch):
        def urlopen(url, timeout):
            body = io.BytesIO(fixture_bytes("entsoe_acknowledgement_no_data.xml"))
            raise urllib.error.HTTPError(url, 400, "Bad Request", {}, body)

        monkeypatch.setattr(entsoe.urllib.request, "urlopen", urlopen)
        source = entsoe.EntsoeSource(token="tok", url="https://example.invalid/api", timeout=1)
        with pytest.raises(PriceNotPublishedError):
            source.fetch_day(zone=zone("NO1"), day=dt.date(2025, 10, 3))

    def test_without_token_it_refuses(self):
        with pytest.raises(SourceError, match="ENTSOE_API_TOKEN"):
            entsoe.EntsoeSource(token="", url="x", timeout=1).fetch_day(zone=zone("NO1"), day=dt.date(2025, 1, 1))


class TestHvaKosterStrommen:
    def test_quarter_hour_day(self):
        prices = hvakosterstrommen.parse_prices(
            fixture_bytes("hvakosterstrommen_2025-10-02_NO1.json"), zone=zone("NO1"), day=dt.date(2025, 10, 2)
        )
        assert len(prices.intervals) == 96
        first = prices.intervals[0]
        assert first.start_at == dt.datetime(2025, 10, 1, 22, tzinfo=UTC)
        assert first.nok_per_kwh == Decimal("0.73875")
        assert first.eur_per_mwh == Decimal("62.97")
        assert first.exchange_rate == Decimal("11.7317")

    def test_autumn_dst_hourly_day_has_25_hours(self):
        prices = hvakosterstrommen.parse_prices(
            fixture_bytes("hvakosterstrommen_2024-10-27_NO1.json"), zone=zone("NO1"), day=dt.date(2024, 10, 27)
        )
        assert prices.resolution_minutes == 60
        assert len(prices.intervals) == 25

    def test_404_is_not_published(self, monkeypatch):
        def urlopen(url, timeout):
            raise urllib.error.HTTPError(url, 404, "Not Found", {}, io.BytesIO(b""))

        monkeypatch.setattr(hvakosterstrommen.urllib.request, "urlopen", urlopen)
        source = hvakosterstrommen.HvaKosterStrommenSource(url="https://example.invalid/prices", timeout=1)
        assert source.request_url(zone=zone("NO5"), day=dt.date(2025, 1, 2)).endswith("/2025/01-02_NO5.json")
        with pytest.raises(PriceNotPublishedError):
            source.fetch_day(zone=zone("NO5"), day=dt.date(2025, 1, 2))

    def test_non_norwegian_area_is_refused(self):
        source = hvakosterstrommen.HvaKosterStrommenSource(url="https://example.invalid", timeout=1)
        with pytest.raises(SourceError):
            source.fetch_day(zone=zone("SE3"), day=dt.date(2025, 1, 2))

    def test_truncated_day_is_a_source_error(self):
        import json

        rows = json.loads(fixture_bytes("hvakosterstrommen_2025-10-02_NO1.json"))[:-1]
        with pytest.raises(SourceError, match="Incomplete"):
            hvakosterstrommen.parse_prices(json.dumps(rows).encode(), zone=zone("NO1"), day=dt.date(2025, 10, 2))


class TestDemoSource:
    @pytest.mark.parametrize(
        ("date", "count", "minutes"),
        [
            (dt.date(2025, 9, 30), 24, 60),
            (dt.date(2025, 10, 1), 96, 15),
            (dt.date(2025, 3, 30), 23, 60),
            (dt.date(2024, 10, 27), 25, 60),
            (dt.date(2026, 3, 29), 92, 15),
            (dt.date(2025, 10, 26), 100, 15),
        ],
    )
    def test_resolution_and_dst(self, date, count, minutes):
        prices = DemoSource().fetch_day(zone=zone("NO1"), day=date, today=date)
        assert len(prices.intervals) == count
        assert prices.resolution_minutes == minutes
        assert (prices.intervals[0].start_at, prices.intervals[-1].end_at) == market_day_bounds(date)

    def test_deterministic_per_zone_and_day(self):
        a = DemoSource().fetch_day(zone=zone("NO2"), day=dt.date(2025, 1, 5), today=dt.date(2025, 1, 5))
        b = DemoSource().fetch_day(zone=zone("10YNO-2--------T"), day=dt.date(2025, 1, 5), today=dt.date(2025, 1, 5))
        c = DemoSource().fetch_day(zone=zone("NO4"), day=dt.date(2025, 1, 5), today=dt.date(2025, 1, 5))
        assert a.intervals == b.intervals
        assert a.intervals != c.intervals
        assert all(p.eur_per_mwh > 0 for p in a.intervals)

    def test_days_after_tomorrow_are_preliminary(self):
        today = dt.date(2025, 5, 1)
        assert not DemoSource().fetch_day(zone=zone("NO1"), day=today + dt.timedelta(days=1), today=today).preliminary
        assert DemoSource().fetch_day(zone=zone("NO1"), day=today + dt.timedelta(days=2), today=today).preliminary

    def test_demo_is_the_default_source(self):
        assert get_source().name == "demo"

    def test_unknown_source_is_an_error(self):
        with pytest.raises(SourceError):
            get_source("nope")
