"""GET api/spotprices and the contract/meter hourprices endpoints."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache

from apps.customers.models import Contract
from apps.pricing import services
from apps.pricing.areas import zone
from apps.pricing.models import PricePlan, SpotPrice, SpotPriceDay
from tests.factories import DeliveryPointFactory, MeterFactory
from tests.pricing.factories import PricePlanFactory

pytestmark = pytest.mark.django_db

DAY_START = "2025-10-01T22:00:00"  # market day 2025-10-02 (96 quarter hours)
DAY_END = "2025-10-02T22:00:00"


def spot(client, **params):
    query = {"priceArea": "NO1", "fromTimeUtc": DAY_START, "toTimeUtc": DAY_END, **params}
    return client.get("/api/spotprices", query)


class TestSpotPrices:
    def test_one_quarter_hour_day(self, owner, source):
        response = spot(owner.client())
        assert response.status_code == 200
        body = response.json()
        assert {k: body[k] for k in ("PriceArea", "Eic", "Currency", "Unit", "Resolution")} == {
            "PriceArea": "NO1",
            "Eic": "10YNO-1--------2",
            "Currency": "NOK",
            "Unit": "NOK/kWh",
            "Resolution": 5,
        }
        assert len(body["Values"]) == 96
        first = body["Values"][0]
        assert set(first) == {"ValueTime", "Value", "Status", "EurPerMwh", "ExchangeRate", "Preliminary"}
        assert first["ValueTime"] == DAY_START
        stored = SpotPrice.objects.get(area=zone("NO1").eic, start_at=dt.datetime(2025, 10, 1, 22, tzinfo=dt.UTC))
        assert first["Value"] == float(stored.nok_per_kwh)
        assert first["EurPerMwh"] == float(stored.eur_per_mwh)
        assert abs(first["EurPerMwh"] * first["ExchangeRate"] / 1000 - first["Value"]) < 1e-6

    def test_hourly_day_before_october_2025(self, owner, source):
        body = spot(owner.client(), fromTimeUtc="2025-03-14T23:00:00", toTimeUtc="2025-03-15T23:00:00").json()
        assert body["Resolution"] == 7
        assert len(body["Values"]) == 24

    def test_eic_code_and_lower_case_names_work(self, owner, source):
        response = owner.client().get(
            "/api/spotprices",
            {"pricearea": "10Y1001A1001A48H", "FROMTIMEUTC": "2025-10-02T00:00:00+02:00", "totimeutc": DAY_END},
        )
        assert response.status_code == 200
        assert response.json()["PriceArea"] == "NO5"
        assert len(response.json()["Values"]) == 96

    def test_dst_day_has_100_quarter_hours(self, owner, source):
        body = spot(owner.client(), fromTimeUtc="2025-10-25T22:00:00", toTimeUtc="2025-10-26T23:00:00").json()
        assert len(body["Values"]) == 100

    def test_second_request_is_served_from_the_cache(self, owner, source, django_assert_max_num_queries):
        client = owner.client()
        assert spot(client).status_code == 200
        with django_assert_max_num_queries(1):  # the user row of Basic auth; prices come from the cache
            assert len(spot(client).json()["Values"]) == 96
        assert len(source.calls) == 1

    def test_use_cache_false_reads_the_database(self, owner, source):
        client = owner.client()
        spot(client)
        SpotPrice.objects.update(nok_per_kwh=Decimal("2.5"))
        assert spot(client).json()["Values"][0]["Value"] != 2.5
        assert {v["Value"] for v in spot(client, useCache="false").json()["Values"]} == {2.5}

    def test_preliminary_prices_only_when_asked(self, owner, source):
        services.fetch_day(zone=zone("NO1"), day=dt.date(2025, 10, 2))
        SpotPrice.objects.update(preliminary=True)
        SpotPriceDay.objects.update(preliminary=True)
        cache.clear()
        assert spot(owner.client()).json()["Values"] == []
        values = spot(owner.client(), includePreliminary="true").json()["Values"]
        assert len(values) == 96 and all(v["Preliminary"] for v in values)

    def test_unpublished_day_is_an_empty_series(self, owner, source):
        source.unpublished.add(dt.date(2025, 10, 2))
        response = spot(owner.client())
        assert response.status_code == 200
        assert response.json()["Values"] == []

    def test_default_range_is_the_current_market_day(self, owner, source):
        response = owner.client().get("/api/spotprices", {"priceArea": "NO3"})
        assert response.status_code == 200
        assert len(response.json()["Values"]) in (92, 96, 100)

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"priceArea": "NO9"}, "PriceArea"),
            ({"priceArea": "10YXX-NOTHING--X"}, "PriceArea"),
            ({"priceArea": ""}, "PriceArea"),
            ({"fromTimeUtc": DAY_END, "toTimeUtc": DAY_START}, "ToTimeUtc"),
            ({"toTimeUtc": DAY_START}, "ToTimeUtc"),
            ({"toTimeUtc": "2025-11-05T00:00:00"}, "ToTimeUtc"),
            ({"fromTimeUtc": "yesterday"}, "FromTimeUtc"),
            ({"useCache": "maybe"}, "UseCache"),
        ],
    )
    def test_bad_parameters_are_400_and_nothing_is_fetched(self, owner, source, params, field):
        response = spot(owner.client(), **params)
        assert response.status_code == 400
        assert field in response.json()["ModelState"]
        assert source.calls == []
        assert not SpotPrice.objects.exists()

    def test_missing_area_is_400(self, owner, source):
        response = owner.client().get("/api/spotprices")
        assert response.status_code == 400
        assert "PriceArea" in response.json()["ModelState"]

    def test_no_credentials_401(self, anonymous, source):
        response = spot(anonymous)
        assert response.status_code == 401
        assert source.calls == []


def hourprices(client, owner, contract=None, **params):
    contract = contract or owner.contract
    query = {"fromTimeUtc": DAY_START, "toTimeUtc": DAY_END, **params}
    return client.get(f"/api/customers/{contract.customer_id}/contracts/{contract.contract_no}/hourprices", query)


class TestContractHourPrices:
    def test_spot_contract_is_spot_plus_markup_plus_vat(self, owner, source):
        response = hourprices(owner.client(), owner)
        assert response.status_code == 200
        body = response.json()
        assert body["ContractNo"] == owner.contract.contract_no
        assert (body["PriceArea"], body["ProductType"], body["VatRate"], body["Resolution"]) == ("NO1", 1, 0.25, 7)
        assert len(body["Values"]) == 24
        assert body["CapacitySteps"] == []
        quarters = SpotPrice.objects.filter(start_at__lt=dt.datetime(2025, 10, 1, 23, tzinfo=dt.UTC))
        spot_hour = sum(q.nok_per_kwh for q in quarters) / 4
        first = body["Values"][0]
        assert first["SpotPrice"] == pytest.approx(float(spot_hour), abs=1e-6)
        assert first["Markup"] == 0.049
        assert first["Grid"] == first["Taxes"] == first["Subsidy"] == 0
        assert first["Vat"] == pytest.approx((first["Energy"] + 0.049) * 0.25, abs=1e-5)
        assert first["Value"] == pytest.approx((first["Energy"] + 0.049) * 1.25, abs=1e-5)

    def test_fixed_price_and_norgespris_keeps_the_supply_price(self, owner, source):
        plan = PricePlanFactory(
            contract=owner.contract, product_type=PricePlan.ProductType.Fixed, fixed_price_nok_per_kwh=Decimal("0.8")
        )
        values = hourprices(owner.client(), owner).json()["Values"]
        assert {(v["Energy"], v["Markup"], v["Value"]) for v in values} == {(0.8, 0.0, 1.0)}
        # Norgespris is settled by the grid side: the supply contract still pays spot and its markup.
        plan.product_type = PricePlan.ProductType.Norgespris
        plan.save()
        values = hourprices(owner.client(), owner).json()["Values"]
        assert all(v["Markup"] == 0.049 and v["Norgespris"] == 0 for v in values)
        assert [v["Energy"] for v in values] == pytest.approx([v["SpotPrice"] for v in values], abs=1e-5)

    def test_norgespris_on_the_net_contract_settles_to_40_ore(self, owner, source):
        contract = Contract.objects.get(customer=owner.net_customer)
        PricePlanFactory(contract=contract, product_type=PricePlan.ProductType.Norgespris)
        values = hourprices(owner.client(area=1), owner, contract=contract).json()["Values"]
        for v in values:
            # The grid side bills no energy; its settlement (0.40 − spot) × 1.25 brings the supplier's spot
            # to Norgespris (research table 4.9): (grid + taxes) × 1.25 + (0.40 − spot) × 1.25.
            assert v["Energy"] == v["Markup"] == 0
            assert v["Norgespris"] == pytest.approx((0.40 - v["SpotPrice"]) * 1.25, abs=2e-5)
            assert v["Subsidy"] == 0
            assert v["Value"] == pytest.approx((0.40 - v["SpotPrice"] + v["Grid"] + v["Taxes"]) * 1.25, abs=5e-5)

    def test_norgespris_is_not_offered_before_october_2025(self, owner, source):
        contract = Contract.objects.get(customer=owner.net_customer)
        PricePlanFactory(contract=contract, product_type=PricePlan.ProductType.Norgespris)
        values = hourprices(
            owner.client(area=1),
            owner,
            contract=contract,
            fromTimeUtc="2025-09-29T22:00:00",
            toTimeUtc="2025-09-30T22:00:00",
        ).json()["Values"]
        assert len(values) == 24
        assert {v["Norgespris"] for v in values} == {0}  # the subsidy applies instead (0 below its threshold)

    def test_vat_by_municipality_and_consumer_not_by_zone(self, owner, source):
        # A household in Bindal (1811, southern Nordland) lies in NO3 and pays no VAT ...
        owner.delivery_point.price_area = "NO3"
        owner.delivery_point.municipality_no = "1811"
        owner.delivery_point.save()
        body = hourprices(owner.client(), owner).json()
        assert body["VatRate"] == 0 and all(v["Vat"] == 0 for v in body["Values"])
        # ... a business in Tromsø (5501, NO4) pays 25 %.
        owner.delivery_point.price_area = "NO4"
        owner.delivery_point.municipality_no = "5501"
        owner.delivery_point.consumer_kind = "BUSINESS"
        owner.delivery_point.save()
        body = hourprices(owner.client(), owner).json()
        assert body["VatRate"] == 0.25 and all(v["Vat"] > 0 for v in body["Values"])

    def test_net_contract_adds_grid_taxes_and_capacity(self, owner, source):
        contract = Contract.objects.get(customer=owner.net_customer)
        point = DeliveryPointFactory(contract=contract, price_area="NO1")
        body = hourprices(owner.client(area=1), owner, contract=contract).json()
        night, day = body["Values"][0], body["Values"][10]  # Thursday 2025-10-02 00:00 and 12:00 Oslo
        # Elvia's household rates 2025-04-01 – 2026-06-30 (research table 6.7), working-day calendar (6.2)
        assert night["Grid"] == 0.1299 and day["Grid"] == 0.2099
        assert night["Energy"] == night["Markup"] == 0  # the supplier bills the energy
        assert night["Taxes"] == pytest.approx(0.1253 + 0.01)  # from 2025-10-01
        total = sum(night[k] for k in ("Energy", "Markup", "Grid", "Taxes", "Subsidy", "Norgespris", "Vat"))
        assert night["Value"] == pytest.approx(total, abs=1e-5)
        [step] = body["CapacitySteps"]
        assert step["Month"][:10] == "2025-10-01"
        assert {k: v for k, v in step.items() if k != "Month"} == {
            "MeteringPointId": point.metering_point_id,
            "AveragePeakKw": None,
            "FromKw": 0.0,
            "ToKw": 2.0,
            "NokPerMonth": 100.0,  # Elvia 0–2 kW (research table 7.4): 100 ex VAT, 125 incl
            "NokPerMonthInclVat": 125.0,
        }

    def test_subsidy_above_the_threshold_includes_vat_compensation(self, owner, source):
        contract = Contract.objects.get(customer=owner.net_customer)
        hourprices(owner.client(area=1), owner, contract=contract)
        SpotPrice.objects.update(nok_per_kwh=Decimal("1.75"))
        values = hourprices(owner.client(area=1), owner, contract=contract, useCache="false").json()["Values"]
        assert values[0]["Subsidy"] == pytest.approx(-0.9 * (1.75 - 0.75) * 1.25)  # 2025 threshold 75 øre
        assert values[0]["Vat"] == pytest.approx(
            0.25 * (values[0]["Energy"] + values[0]["Markup"] + values[0]["Grid"] + values[0]["Taxes"]), abs=1e-5
        )

    def test_a_business_gets_no_subsidy_and_no_per_kwh_enova_fee(self, owner, source):
        contract = Contract.objects.get(customer=owner.net_customer)
        DeliveryPointFactory(contract=contract, price_area="NO1", consumer_kind="BUSINESS")
        hourprices(owner.client(area=1), owner, contract=contract)
        SpotPrice.objects.update(nok_per_kwh=Decimal("1.75"))
        values = hourprices(owner.client(area=1), owner, contract=contract, useCache="false").json()["Values"]
        assert values[0]["Subsidy"] == 0
        assert values[0]["Taxes"] == pytest.approx(0.1253)

    def test_fixed_price_net_household_without_spot_is_not_priced(self, owner, source):
        contract = Contract.objects.get(customer=owner.net_customer)
        PricePlanFactory(
            contract=contract, product_type=PricePlan.ProductType.Fixed, fixed_price_nok_per_kwh=Decimal("0.8")
        )
        source.unpublished.add(dt.date(2025, 10, 2))
        values = hourprices(owner.client(area=1), owner, contract=contract).json()["Values"]
        assert {(v["Status"], v["Value"], v["Subsidy"]) for v in values} == {(4000, None, None)}

    def test_hours_without_published_rates_are_not_priced(self, owner, settings, source):
        settings.PRICING_FIRST_PRICE_DAY = "2023-01-01"
        values = hourprices(
            owner.client(), owner, fromTimeUtc="2023-06-01T00:00:00", toTimeUtc="2023-06-01T03:00:00"
        ).json()["Values"]
        assert {(v["Status"], v["Value"]) for v in values} == {(4000, None)}

    def test_missing_spot_hours_are_marked_missing(self, owner, source):
        source.unpublished.add(dt.date(2025, 10, 2))
        values = hourprices(owner.client(), owner).json()["Values"]
        assert len(values) == 24
        assert {(v["Status"], v["Value"]) for v in values} == {(4000, None)}

    def test_reversed_range_is_400(self, owner, source):
        response = hourprices(owner.client(), owner, fromTimeUtc=DAY_END, toTimeUtc=DAY_START)
        assert response.status_code == 400
        assert source.calls == []

    def test_another_users_contract_is_404(self, owner, other, source):
        assert hourprices(owner.client(), owner, contract=other.contract).status_code == 404
        assert source.calls == []

    def test_no_credentials_401(self, anonymous, owner):
        assert hourprices(anonymous, owner).status_code == 401


class TestMeterHourPrices:
    def url(self, owner, meter=None):
        meter = meter or owner.meter
        contract = meter.delivery_point.contract
        return (
            f"/api/customers/{contract.customer_id}/contracts/{contract.contract_no}/meter/{meter.meter_id}/hourprices"
        )

    def test_uses_the_meters_price_area(self, owner, source):
        point = DeliveryPointFactory(contract=owner.contract, price_area="NO3")
        meter = MeterFactory(delivery_point=point)
        response = owner.client().get(self.url(owner, meter), {"fromTimeUtc": DAY_START, "toTimeUtc": DAY_END})
        assert response.status_code == 200
        assert response.json()["PriceArea"] == "NO3"
        assert ("NO3", dt.date(2025, 10, 2)) in source.calls

    def test_another_users_meter_is_404(self, owner, other, source):
        response = owner.client().get(self.url(owner, other.meter), {"fromTimeUtc": DAY_START})
        assert response.status_code == 404

    def test_too_long_range_is_400(self, owner, source):
        response = owner.client().get(self.url(owner), {"fromTimeUtc": DAY_START, "toTimeUtc": "2026-01-01T00:00:00"})
        assert response.status_code == 400

    def test_no_credentials_401(self, anonymous, owner):
        assert anonymous.get(self.url(owner)).status_code == 401


class TestCapacityStep:
    def test_average_of_the_three_highest_daily_peaks(self, owner, source):
        from apps.metering.services import load_intervals

        contract = Contract.objects.get(customer=owner.net_customer)
        point = DeliveryPointFactory(contract=contract, price_area="NO1")
        meter = MeterFactory(delivery_point=point)
        base = dt.datetime(2025, 10, 1, 22, tzinfo=dt.UTC)  # 2025-10-02 00:00 Oslo
        peaks = [9.0, 6.0, 4.5, 3.0]  # one peak a day; the top three average 6.5 kW
        rows = []
        for day, peak in enumerate(peaks):
            for hour in range(24):
                value = peak if hour == 18 else 1.0
                rows.append((meter.pk, base + dt.timedelta(days=day, hours=hour), 60, Decimal(value), 0))
        load_intervals(rows=rows)
        body = hourprices(owner.client(area=1), owner, contract=contract).json()
        [step] = body["CapacitySteps"]
        assert step["Month"][:10] == "2025-10-01"
        assert (step["MeteringPointId"], step["AveragePeakKw"], step["FromKw"], step["ToKw"]) == (
            point.metering_point_id,
            6.5,
            5.0,
            10.0,
        )
        # Elvia's step 5–10 kW (research table 7.4): 240 NOK ex VAT, 300 incl.
        assert (step["NokPerMonth"], step["NokPerMonthInclVat"]) == (240.0, 300.0)
