"""The rules applied to costs and invoices, on the dates and customers where they bite, with prices
stored by hand so every figure can be worked out on paper."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from apps.customers.models import Contract
from apps.metering.services import load_intervals
from apps.pricing import selectors, services
from apps.pricing.adapters.base import market_day_bounds
from apps.pricing.areas import zone
from apps.pricing.models import PricePlan, SpotPrice
from tests.factories import DeliveryPointFactory, MeterFactory
from tests.pricing.factories import PricePlanFactory, SpotPriceDayFactory

pytestmark = pytest.mark.django_db

OSLO = ZoneInfo("Europe/Oslo")
UTC = dt.UTC
D = Decimal


def local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=OSLO).astimezone(UTC)


def store_prices(*, area="NO1", first: dt.date, last: dt.date, price) -> None:
    """Hourly spot prices for the market days [first, last]: `price(local datetime)` NOK/kWh ex VAT."""
    eic = zone(area).eic
    day = first
    while day <= last:
        start, end = market_day_bounds(day)
        rows = []
        moment = start
        while moment < end:
            nok = D(price(moment.astimezone(OSLO)))
            rows.append(
                SpotPrice(
                    area=eic,
                    start_at=moment,
                    end_at=moment + dt.timedelta(hours=1),
                    delivery_date=day,
                    eur_per_mwh=nok * 1000 / D("11.5"),
                    nok_per_kwh=nok,
                    exchange_rate=D("11.5"),
                )
            )
            moment += dt.timedelta(hours=1)
        SpotPrice.objects.bulk_create(rows)
        SpotPriceDayFactory(
            area=eic,
            delivery_date=day,
            resolution_minutes=60,
            intervals=len(rows),
            source="test",
            fetched_at=dt.datetime(2025, 1, 1, tzinfo=UTC),
        )
        day += dt.timedelta(days=1)


def load(meter, *, start: dt.datetime, end: dt.datetime, kwh, minutes=60) -> None:
    """Intervals of `minutes` from start to end; `kwh(local datetime)` each."""
    rows, moment = [], start
    while moment < end:
        rows.append((meter.pk, moment, minutes, D(kwh(moment.astimezone(OSLO))), 0))
        moment += dt.timedelta(minutes=minutes)
    load_intervals(rows=rows)


def net_point(owner, **point):
    contract = Contract.objects.get(customer=owner.net_customer)
    meter = MeterFactory(delivery_point=DeliveryPointFactory(contract=contract, price_area="NO1", **point))
    return contract, meter


def month_costs(meter, first: dt.date, nxt: dt.date) -> dict:
    return selectors.meter_costs(
        meter=meter,
        from_time=local(first.year, first.month, first.day),
        to_time=local(nxt.year, nxt.month, nxt.day),
        resolution=40,
    )["totals"]


class TestMonthlyCaps:
    def test_norgespris_above_5000_kwh_in_a_month(self, owner):
        # November 2025, 10 kWh every hour: 720 h × 10 = 7,200 kWh; spot 1.00. The settlement
        # (0.40 − 1.00) × 1.25 = −0.75 per kWh runs for the first 5,000 kWh; above them spot applies.
        contract, meter = net_point(owner)
        PricePlanFactory(contract=contract, product_type=PricePlan.ProductType.Norgespris)
        store_prices(first=dt.date(2025, 11, 1), last=dt.date(2025, 11, 30), price=lambda t: "1.00")
        load(meter, start=local(2025, 11, 1), end=local(2025, 12, 1), kwh=lambda t: "10")
        totals = month_costs(meter, dt.date(2025, 11, 1), dt.date(2025, 12, 1))
        assert totals["consumption"] == 7200
        assert totals["norgespris"] == -3750.0
        assert totals["subsidy"] == 0
        # the supplier's spot price and markup stay, on the supplier's contract (research table 4.10)
        assert totals["energy"] == totals["markup"] == 0
        # the running kWh counts from the start of the month: from 21 November only 200 kWh are left
        late = selectors.meter_costs(
            meter=meter, from_time=local(2025, 11, 21), to_time=local(2025, 12, 1), resolution=20
        )
        assert late["totals"]["norgespris"] == -150.0

    def test_norgespris_holiday_home_cap_is_1000_kwh(self, owner):
        contract, meter = net_point(owner, consumer_kind="HOLIDAY_HOME")
        PricePlanFactory(contract=contract, product_type=PricePlan.ProductType.Norgespris)
        store_prices(first=dt.date(2025, 11, 1), last=dt.date(2025, 11, 30), price=lambda t: "1.00")
        load(meter, start=local(2025, 11, 1), end=local(2025, 12, 1), kwh=lambda t: "10")
        assert month_costs(meter, dt.date(2025, 11, 1), dt.date(2025, 12, 1))["norgespris"] == -750.0

    def test_subsidy_stops_at_5000_kwh_in_2026(self, owner):
        # January 2026, 10 kWh every hour (7,440 kWh), spot 1.77: 0.9 × (1.77 − 0.77) × 1.25 = 1.125 per kWh
        # for 5,000 kWh = 5,625.00. Taxes 2026: 0.0713 + 0.01 per kWh.
        contract, meter = net_point(owner)
        store_prices(first=dt.date(2026, 1, 1), last=dt.date(2026, 1, 31), price=lambda t: "1.77")
        load(meter, start=local(2026, 1, 1), end=local(2026, 2, 1), kwh=lambda t: "10")
        totals = month_costs(meter, dt.date(2026, 1, 1), dt.date(2026, 2, 1))
        assert totals["subsidy"] == -5625.0
        assert totals["taxes"] == pytest.approx(7440 * 0.0813, abs=0.006)

    def test_a_holiday_home_gets_no_subsidy(self, owner):
        contract, meter = net_point(owner, consumer_kind="HOLIDAY_HOME")
        store_prices(first=dt.date(2026, 1, 1), last=dt.date(2026, 1, 1), price=lambda t: "1.77")
        load(meter, start=local(2026, 1, 1), end=local(2026, 1, 2), kwh=lambda t: "10")
        assert month_costs(meter, dt.date(2026, 1, 1), dt.date(2026, 1, 2))["subsidy"] == 0


class TestWhereTheCustomerIs:
    def test_household_in_finnmark_pays_no_vat_and_no_electricity_tax(self, owner):
        # Alta (5601), November 2025, 1 kWh an hour for a day at spot 1.75: taxes are Enova's 0.01 only,
        # no VAT, and the subsidy has no VAT compensation: 0.9 × (1.75 − 0.75) = 0.90 per kWh.
        contract, meter = net_point(owner, municipality_no="5601")
        store_prices(first=dt.date(2025, 11, 3), last=dt.date(2025, 11, 3), price=lambda t: "1.75")
        load(meter, start=local(2025, 11, 3), end=local(2025, 11, 4), kwh=lambda t: "1")
        totals = selectors.meter_costs(
            meter=meter, from_time=local(2025, 11, 3), to_time=local(2025, 11, 4), resolution=20
        )["totals"]
        assert (totals["taxes"], totals["vat"], totals["subsidy"]) == (0.24, 0.0, -21.6)

    def test_business_in_no4_pays_vat_and_a_yearly_enova_fee(self, owner):
        # Tromsø (5501) business, June 2025: 25 % VAT, electricity tax 0.1693 per kWh (outside the action
        # zone: the general rate, research table 1.5), and Enova's 800 NOK a year (table 2.2), a twelfth a
        # month spread over June's 720 hours, instead of 1 øre/kWh; no subsidy.
        contract, meter = net_point(owner, municipality_no="5501", consumer_kind="BUSINESS")
        store_prices(area="NO1", first=dt.date(2025, 6, 2), last=dt.date(2025, 6, 2), price=lambda t: "1.75")
        load(meter, start=local(2025, 6, 2), end=local(2025, 6, 3), kwh=lambda t: "1")
        totals = selectors.meter_costs(
            meter=meter, from_time=local(2025, 6, 2), to_time=local(2025, 6, 3), resolution=20
        )["totals"]
        assert totals["subsidy"] == 0
        assert totals["taxes"] == pytest.approx(24 * 0.1693 + 24 * 800 / 12 / 720, abs=0.006)
        assert totals["vat"] > 0


class TestCapacityPerMeteringPoint:
    def test_two_meters_on_one_contract_each_pay_their_own_step(self, owner):
        """June 2025: 1 kWh an hour, the 18–19 hour a peak: point A exactly 5.0 kW (on a boundary: step
        5–10, 240 NOK; research table 7.2, 7.4), point B 3.0 kW (2–5, 152). Summed (8 kW) they would pay
        one step of 240. Elvia's energy part (table 6.7): day 0.2099 06–22 on working days, else 0.1299.

        20 working days (21 weekdays less Whit Monday 9 June), 10 days at the low rate all day.
        A: working day 20 kWh × 0.2099 + 8 × 0.1299 = 5.2372, other day 28 × 0.1299 = 3.6372;
           20 × 5.2372 + 10 × 3.6372 = 141.116, + 240 = 381.116 → 381.12.
        B: working day 18 × 0.2099 + 8 × 0.1299 = 4.8174, other day 26 × 0.1299 = 3.3774;
           96.348 + 33.774 = 130.122, + 152 = 282.122 → 282.12. Contract: 663.24.
        """
        contract = Contract.objects.get(customer=owner.net_customer)
        meters = [MeterFactory(delivery_point=DeliveryPointFactory(contract=contract, price_area="NO1")) for _ in "ab"]
        store_prices(first=dt.date(2025, 6, 1), last=dt.date(2025, 6, 30), price=lambda t: "0.50")
        for meter, peak in zip(meters, ("5.0", "3.0"), strict=True):
            load(
                meter, start=local(2025, 6, 1), end=local(2025, 7, 1), kwh=lambda t, p=peak: p if t.hour == 18 else "1"
            )
        grids = [month_costs(m, dt.date(2025, 6, 1), dt.date(2025, 7, 1))["grid"] for m in meters]
        assert grids == [381.12, 282.12]
        costs = selectors.contract_costs(
            contract=contract, from_time=local(2025, 6, 1), to_time=local(2025, 7, 1), resolution=40
        )
        assert costs["totals"]["grid"] == D("663.24")
        steps = selectors.contract_hour_prices(
            contract=contract, from_time=local(2025, 6, 1), to_time=local(2025, 6, 2)
        )["capacity_steps"]
        assert [(s["metering_point_id"], s["average_peak_kw"], s["from_kw"], s["nok_per_month"]) for s in steps] == [
            (meters[0].delivery_point.metering_point_id, 5.0, 5, 240.0),
            (meters[1].delivery_point.metering_point_id, 3.0, 2, 152.0),
        ]


class TestCalendar:
    def test_a_holiday_on_a_weekday_takes_the_low_grid_rate(self, owner):
        # Thursday 2025-05-01 (Labour Day) against Friday 2025-05-02, 12:00 local.
        contract, meter = net_point(owner)
        store_prices(first=dt.date(2025, 5, 1), last=dt.date(2025, 5, 2), price=lambda t: "0.50")
        values = selectors.contract_hour_prices(
            contract=contract, from_time=local(2025, 5, 1), to_time=local(2025, 5, 3)
        )["values"]
        assert values[12]["grid"] == 0.1299 and values[36]["grid"] == 0.2099  # research table 6.2, 6.7

    @pytest.mark.parametrize(
        ("day", "tax"),
        [
            (dt.date(2025, 2, 10), 0.0979),
            (dt.date(2025, 6, 10), 0.1693),
            (dt.date(2025, 11, 10), 0.1253),
            (dt.date(2026, 6, 10), 0.0713),
        ],
    )
    def test_electricity_tax_of_the_day(self, owner, day, tax):
        contract, meter = net_point(owner)
        store_prices(first=day, last=day, price=lambda t: "0.50")
        start = local(day.year, day.month, day.day)
        values = selectors.contract_hour_prices(
            contract=contract, from_time=start, to_time=start + dt.timedelta(hours=1)
        )["values"]
        assert values[0]["taxes"] == pytest.approx(tax + 0.01)


class TestSettlementResolution:
    """Research table 8.2: an hourly-settled point pays each hour's mean of the quarter prices; only a
    quarter-settled point pays each quarter's price. 2025-10-02 (quarter-hour market): 0.1, 0.2, 0.3,
    0.4 kWh in the quarters of each hour, on the supplier's (Power) contract."""

    def _costs(self, owner, resolution_minutes):
        point = owner.delivery_point
        point.settlement_resolution = resolution_minutes
        point.save()
        start = local(2025, 10, 2)
        load(
            owner.meter,
            start=start,
            end=start + dt.timedelta(hours=2),
            kwh=lambda t: str(0.1 * (t.minute // 15 + 1)),
            minutes=15,
        )
        services.fetch_missing_spot_days(price_areas=[point.price_area], from_time=start, to_time=local(2025, 10, 3))
        body = selectors.meter_costs(
            meter=owner.meter, from_time=start, to_time=start + dt.timedelta(hours=1), resolution=7
        )
        quarters = list(
            SpotPrice.objects.filter(
                area=zone(point.price_area).eic, start_at__gte=start, start_at__lt=start + dt.timedelta(hours=1)
            ).order_by("start_at")
        )
        assert len(quarters) == 4 and len({q.nok_per_kwh for q in quarters}) > 1
        return body["values"][0], quarters

    def test_a_quarter_settled_point_pays_each_quarters_price(self, owner, source):
        value, quarters = self._costs(owner, 15)
        expected = sum(q.nok_per_kwh * D(str(0.1 * (k + 1))) for k, q in enumerate(quarters))
        assert value["energy"] == float(expected.quantize(D("0.01")))
        assert value["consumption"] == 1.0

    def test_an_hourly_settled_point_pays_the_hours_mean(self, owner, source):
        value, quarters = self._costs(owner, 60)
        mean = sum(float(q.nok_per_kwh) for q in quarters) / 4
        assert value["energy"] == round(1.0 * round(mean, 6), 2)
        assert value["consumption"] == 1.0


def test_billing_refuses_a_period_without_published_rates(owner):
    from apps.pricing.rates import RateUnknownError

    with pytest.raises(RateUnknownError):
        services.run_billing(contract=owner.contract, period_start=dt.date(2027, 1, 1), period_end=dt.date(2027, 2, 1))
