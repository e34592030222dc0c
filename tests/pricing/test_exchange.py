"""Norges Bank's daily EUR/NOK stored per delivery day, and ENTSO-E documents with several TimeSeries."""

import datetime as dt
from decimal import Decimal

import pytest

from apps.pricing import exchange
from apps.pricing.adapters import SourceError, entsoe, get_source
from apps.pricing.adapters.norgesbank import NorgesBankRates, parse_rates, rate_on_or_before
from apps.pricing.areas import zone
from apps.pricing.models import ExchangeRate
from tests.pricing.factories import ExchangeRateFactory

from .conftest import fixture_bytes

NORGES_BANK = "norgesbank_EXR_B.EUR.NOK.SP_2025-04-12_2025-04-22.json"


class TestNorgesBankDocument:
    def test_business_days_and_rates(self):
        rates = parse_rates(fixture_bytes(NORGES_BANK))
        assert rates == {
            dt.date(2025, 4, 14): Decimal("11.8520"),
            dt.date(2025, 4, 15): Decimal("11.8875"),
            dt.date(2025, 4, 16): Decimal("11.9630"),
            dt.date(2025, 4, 22): Decimal("11.9340"),
        }

    @pytest.mark.parametrize(
        ("day", "observed"),
        [
            (dt.date(2025, 4, 16), dt.date(2025, 4, 16)),
            (dt.date(2025, 4, 17), dt.date(2025, 4, 16)),  # Maundy Thursday
            (dt.date(2025, 4, 19), dt.date(2025, 4, 16)),  # Saturday of Easter
            (dt.date(2025, 4, 21), dt.date(2025, 4, 16)),  # Easter Monday
            (dt.date(2025, 4, 22), dt.date(2025, 4, 22)),
        ],
    )
    def test_weekends_and_holidays_take_the_last_business_day(self, day, observed):
        assert rate_on_or_before(parse_rates(fixture_bytes(NORGES_BANK)), day)[0] == observed

    def test_unit_multiplier_is_applied(self):
        import json

        doc = json.loads(fixture_bytes(NORGES_BANK))
        doc["data"]["structure"]["attributes"]["series"][2]["values"][0]["id"] = "2"  # quoted per 100 units
        assert parse_rates(json.dumps(doc).encode())[dt.date(2025, 4, 14)] == Decimal("0.118520")

    @pytest.mark.parametrize("content", [b"<html/>", b"{}", b'{"data": {"dataSets": []}}'])
    def test_not_the_format_is_a_source_error(self, content):
        with pytest.raises(SourceError):
            parse_rates(content)

    def test_nothing_before_the_day_is_a_source_error(self):
        with pytest.raises(SourceError):
            rate_on_or_before(parse_rates(fixture_bytes(NORGES_BANK)), dt.date(2025, 4, 13))

    def test_request_url(self):
        url = NorgesBankRates(url="https://data.norges-bank.no/api/data/EXR/B.EUR.NOK.SP", timeout=5).request_url(
            start=dt.date(2025, 4, 9), end=dt.date(2025, 4, 19)
        )
        assert url == (
            "https://data.norges-bank.no/api/data/EXR/B.EUR.NOK.SP?format=sdmx-json&startPeriod=2025-04-09"
            "&endPeriod=2025-04-19&locale=en"
        )


@pytest.mark.django_db
class TestStoredRate:
    def test_norges_bank_by_default_or_a_fixed_rate(self, settings):
        from apps.pricing import conf

        assert conf.PRICING_EXCHANGE_RATE_SOURCE == "norgesbank"
        settings.PRICING_EXCHANGE_RATE_SOURCE = "fixed"
        assert exchange.eur_nok_for(dt.date(2025, 4, 19)) == Decimal("11.70")
        assert not ExchangeRate.objects.exists()

    def test_an_unknown_source_is_a_source_error(self, settings):
        settings.PRICING_EXCHANGE_RATE_SOURCE = "ecb"
        with pytest.raises(SourceError):
            exchange.eur_nok_for(dt.date(2025, 4, 19))

    def test_norges_bank_rate_is_stored_per_delivery_day(self, settings, monkeypatch):
        settings.PRICING_EXCHANGE_RATE_SOURCE = "norgesbank"
        urls = []

        def download(self, url):
            urls.append(url)
            return fixture_bytes(NORGES_BANK)

        monkeypatch.setattr(NorgesBankRates, "download", download)
        assert exchange.eur_nok_for(dt.date(2025, 4, 19)) == Decimal("11.9630")
        stored = ExchangeRate.objects.get(delivery_date=dt.date(2025, 4, 19))
        assert (stored.observed_on, stored.source) == (dt.date(2025, 4, 16), "norgesbank")
        assert exchange.eur_nok_for(dt.date(2025, 4, 19)) == Decimal("11.9630")
        assert len(urls) == 1  # the stored day is reused

    def test_entsoe_prices_use_the_days_rate(self, settings, monkeypatch):
        settings.ENTSOE_API_TOKEN = "token"
        settings.PRICING_EXCHANGE_RATE_SOURCE = "norgesbank"
        monkeypatch.setattr(NorgesBankRates, "download", lambda self, url: fixture_bytes(NORGES_BANK))
        ExchangeRateFactory(
            delivery_date=dt.date(2025, 3, 15),
            nok_per_eur=Decimal("11.6100"),
            observed_on=dt.date(2025, 3, 14),
            source="x",
        )
        source = get_source("entsoe")
        monkeypatch.setattr(
            type(source), "download", lambda self, url: fixture_bytes("entsoe_A44_NO2_2025-03-15_PT60M.xml")
        )
        prices = source.fetch_day(zone=zone("NO2"), day=dt.date(2025, 3, 15))
        assert {p.exchange_rate for p in prices.intervals} == {Decimal("11.6100")}
        first = prices.intervals[0]
        assert first.nok_per_kwh == (first.eur_per_mwh * Decimal("11.61") / 1000).quantize(Decimal("0.000001"))


class TestSeveralTimeSeries:
    def test_only_the_day_ahead_contract_and_the_first_sequence(self):
        prices = entsoe.day_from_document(
            fixture_bytes("entsoe_A44_DE-LU_2025-03-15_several_series.xml"),
            zone=zone("DE-LU"),
            day=dt.date(2025, 3, 15),
            exchange_rate=Decimal("11.5"),
        )
        eur = [p.eur_per_mwh for p in prices.intervals]
        assert len(eur) == 24
        assert eur == [Decimal(f"{80 + h * 1.5:.2f}") for h in range(24)]  # not 999 (sequence 2) nor 555 (A07)
