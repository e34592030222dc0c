"""The pricing rules as pure functions, on the dates and customers where each one bites."""

import datetime as dt
from decimal import Decimal

import pytest

from apps.pricing import municipalities, rates, rules
from apps.pricing.municipalities import County

D = Decimal
OSLO = rules.Consumer(kind=rules.HOUSEHOLD, municipality_no="0301")
BINDAL_HOME = rules.Consumer(kind=rules.HOUSEHOLD, municipality_no="1811")  # southern Nordland, NO3
TROMSO_BUSINESS = rules.Consumer(kind=rules.BUSINESS, municipality_no="5501")  # NO4
ALTA_HOME = rules.Consumer(kind=rules.HOUSEHOLD, municipality_no="5601")  # Finnmark
ALTA_BUSINESS = rules.Consumer(kind=rules.BUSINESS, municipality_no="5601")
LYNGEN_PUBLIC = rules.Consumer(kind=rules.PUBLIC_ADMINISTRATION, municipality_no="5536")
TROMSO_HOME = rules.Consumer(kind=rules.HOUSEHOLD, municipality_no="5501")  # Troms, not the tiltakssone
CABIN = rules.Consumer(kind=rules.HOLIDAY_HOME, municipality_no="3405")


class TestRateTables:
    @pytest.mark.parametrize(
        ("day", "rate"),
        [
            (dt.date(2025, 2, 15), D("0.0979")),  # February 2025: the January–March rate
            (dt.date(2025, 3, 31), D("0.0979")),
            (dt.date(2025, 4, 1), D("0.1693")),
            (dt.date(2025, 6, 15), D("0.1693")),  # June 2025
            (dt.date(2025, 9, 30), D("0.1693")),
            (dt.date(2025, 10, 1), D("0.1253")),
            (dt.date(2025, 11, 15), D("0.1253")),  # November 2025
            (dt.date(2026, 1, 1), D("0.0713")),  # 2026: one rate, no winter rate
            (dt.date(2026, 12, 31), D("0.0713")),
        ],
    )
    def test_electricity_tax_by_date(self, day, rate):
        assert rates.rate_on(rates.ELECTRICITY_TAX, day) == rate
        assert rules.electricity_tax(OSLO, day) == rate

    @pytest.mark.parametrize("day", [dt.date(2023, 12, 31), dt.date(2027, 1, 1), dt.date(1, 1, 1)])
    def test_days_outside_the_known_years_are_refused(self, day):
        with pytest.raises(rates.RateUnknownError, match="rates.py"):
            rates.rate_on(rates.ELECTRICITY_TAX, day)

    def test_every_row_names_its_source(self):
        tables = [*rates.PRICED_TABLES, rates.SUBSIDY_SHARE, rates.NORGESPRIS]
        for table in tables:
            for row in table.rows:
                assert len(row.source) > 20, (table.name, row.valid_from)

    def test_rows_out_of_order_are_a_configuration_error(self):
        rows = (rates.Rate(dt.date(2025, 2, 1), D(1), "x"), rates.Rate(dt.date(2025, 1, 1), D(2), "y"))
        with pytest.raises(ValueError):
            rates.RateTable("bad", rows, known_until=2025)

    def test_subsidy_thresholds(self):
        assert [rates.rate_on(rates.SUBSIDY_THRESHOLD, dt.date(y, 6, 1)) for y in (2024, 2025, 2026)] == [
            D("0.73"),
            D("0.75"),
            D("0.77"),
        ]

    def test_known_days(self):
        assert rates.known_days(*rates.PRICED_TABLES) == (dt.date(2024, 1, 1), dt.date(2026, 12, 31))


class TestMunicipalities:
    @pytest.mark.parametrize(
        ("number", "county"),
        [
            ("1804", County.NORDLAND),
            ("1811", County.NORDLAND),
            ("1902", County.TROMS),
            ("5401", County.TROMS),
            ("5403", County.FINNMARK),  # Alta in «Troms og Finnmark»
            ("5444", County.FINNMARK),
            ("5501", County.TROMS),
            ("5605", County.FINNMARK),
            ("2030", County.FINNMARK),
            ("0301", None),
            ("5001", None),  # Trondheim
            ("5499", None),  # not a number of 2020–2023
            ("", None),
            ("18", None),
        ],
    )
    def test_county_of_every_generation(self, number, county):
        assert municipalities.county_of(number) is county

    @pytest.mark.parametrize("number", ["5534", "5423", "1936", "5546", "5429", "1943", "5544", "5601", "2012"])
    def test_tiltakssone(self, number):
        assert municipalities.in_tiltakssone(number)

    @pytest.mark.parametrize("number", ["5532", "5501", "5422", "1933", "1804", "0301"])  # Balsfjord, Tromsø ...
    def test_outside_tiltakssone(self, number):
        assert not municipalities.in_tiltakssone(number)


class TestVat:
    def test_household_in_nordland_in_no3_pays_none(self):
        assert rules.vat_rate(BINDAL_HOME, dt.date(2025, 6, 1)) == 0

    def test_business_in_no4_pays_25(self):
        assert rules.vat_rate(TROMSO_BUSINESS, dt.date(2025, 6, 1)) == D("0.25")

    def test_household_in_finnmark_and_the_south(self):
        assert rules.vat_rate(ALTA_HOME, dt.date(2026, 1, 1)) == 0
        assert rules.vat_rate(OSLO, dt.date(2026, 1, 1)) == D("0.25")


class TestElectricityTaxAndEnova:
    def test_tiltakssone_households_and_public_administration_pay_no_tax(self):
        """Research table 1.12: no tax for households and public administration in the action zone."""
        day = dt.date(2025, 11, 1)
        assert rules.electricity_tax(ALTA_HOME, day) == 0
        assert rules.electricity_tax(LYNGEN_PUBLIC, day) == 0
        assert rules.electricity_tax(TROMSO_HOME, day) == D("0.1253")  # table 1.6; Tromsø is outside the zone

    @pytest.mark.parametrize(
        ("day", "reduced"),
        [
            (dt.date(2024, 6, 1), D("0.0058")),  # table 1.3
            (dt.date(2025, 11, 1), D("0.0060")),  # table 1.11: unconfirmed, 0.58 indexed 3 % (S4)
            (dt.date(2026, 3, 1), D("0.0060")),  # table 1.10
        ],
    )
    def test_businesses_in_the_action_zone_pay_the_reduced_rate(self, day, reduced):
        """Research table 1.13: business activity in the action zone pays the reduced rate, not the general."""
        assert rules.electricity_tax(ALTA_BUSINESS, day) == reduced
        assert rules.electricity_tax(TROMSO_BUSINESS, day) == rates.rate_on(rates.ELECTRICITY_TAX, day)

    def test_enova_per_kwh_for_households_per_year_for_others(self):
        day = dt.date(2025, 6, 1)
        assert (rules.enova_fee_per_kwh(OSLO, day), rules.enova_fee_per_year(OSLO, day)) == (D("0.01"), 0)
        assert (rules.enova_fee_per_kwh(TROMSO_BUSINESS, day), rules.enova_fee_per_year(TROMSO_BUSINESS, day)) == (
            0,
            D("800"),
        )


class TestSubsidy:
    def test_ninety_percent_above_the_years_threshold(self):
        assert rules.subsidy_per_kwh(OSLO, D("1.75"), dt.date(2025, 2, 1)) == D("0.9") * D("1.00")
        assert rules.subsidy_per_kwh(OSLO, D("1.75"), dt.date(2026, 2, 1)) == D("0.9") * D("0.98")
        assert rules.subsidy_per_kwh(OSLO, D("0.70"), dt.date(2025, 2, 1)) == 0

    def test_households_only(self):
        assert rules.subsidy_per_kwh(TROMSO_BUSINESS, D("2"), dt.date(2025, 2, 1)) == 0
        assert rules.subsidy_per_kwh(CABIN, D("2"), dt.date(2025, 2, 1)) == 0

    def test_monthly_cap(self):
        assert rules.capped_kwh(kwh=D(3), used=D(4998), cap=D(5000)) == 2
        assert rules.capped_kwh(kwh=D(3), used=D(5000), cap=D(5000)) == 0
        assert rules.capped_kwh(kwh=D(3), used=D(10), cap=D(5000)) == 3


class TestNorgespris:
    def test_from_delivery_day_2025_10_01(self):
        assert rules.norgespris_price(dt.date(2025, 9, 30)) is None
        assert rules.norgespris_price(dt.date(2025, 10, 1)) == D("0.40")
        assert rules.norgespris_settlement_per_kwh(D("1.10"), dt.date(2025, 10, 1)) == D("-0.70")
        assert rules.norgespris_settlement_per_kwh(D("0.10"), dt.date(2025, 10, 1)) == D("0.30")

    def test_caps_by_kind(self):
        assert rules.norgespris_cap_kwh(OSLO) == 5000
        assert rules.norgespris_cap_kwh(CABIN) == 1000
        assert rules.norgespris_cap_kwh(TROMSO_BUSINESS) is None


class TestGridCalendar:
    @pytest.mark.parametrize(
        ("local", "day_rate"),
        [
            (dt.datetime(2025, 4, 16, 12), True),  # Wednesday before Easter
            (dt.datetime(2025, 4, 17, 12), False),  # Maundy Thursday, a holiday on a weekday
            (dt.datetime(2025, 4, 21, 12), False),  # Easter Monday
            (dt.datetime(2025, 5, 1, 12), False),  # Labour Day (Thursday)
            (dt.datetime(2025, 5, 17, 12), False),  # Constitution Day (Saturday)
            (dt.datetime(2025, 6, 14, 12), False),  # Saturday
            (dt.datetime(2025, 6, 16, 5), False),  # Monday before 06
            (dt.datetime(2025, 6, 16, 6), True),
            (dt.datetime(2025, 6, 16, 21), True),
            (dt.datetime(2025, 6, 16, 22), False),
            (dt.datetime(2026, 12, 25, 12), False),  # Christmas Day 2026 (Friday)
        ],
    )
    def test_day_rate_on_working_days_only(self, local, day_rate):
        """Elvia and BKK (research table 6.2, 6.3): day rate 06–22 on working days; holidays from `holidays`."""
        assert rules.grid_day_rate_applies(local, calendar=rules.WORKING_DAYS, starts_hour=6, ends_hour=22) is day_rate

    @pytest.mark.parametrize(
        ("local", "calendar", "day_rate"),
        [
            (dt.datetime(2025, 6, 14, 12), rules.EVERY_DAY, True),  # Saturday: Tensio, Glitre (table 6.4, 6.5)
            (dt.datetime(2025, 5, 17, 12), rules.EVERY_DAY, True),  # a holiday: still the day rate
            (dt.datetime(2025, 6, 16, 22), rules.EVERY_DAY, False),  # night 22–06
            (dt.datetime(2025, 6, 16, 12), rules.FLAT, False),  # Lede: one rate (table 6.6)
        ],
    )
    def test_the_calendar_belongs_to_the_tariff(self, local, calendar, day_rate):
        assert rules.grid_day_rate_applies(local, calendar=calendar, starts_hour=6, ends_hour=22) is day_rate

    def test_an_unknown_calendar_is_an_error(self):
        with pytest.raises(ValueError, match="calendar"):
            rules.grid_day_rate_applies(dt.datetime(2025, 6, 16, 12), calendar="SUNDAYS", starts_hour=6, ends_hour=22)


class TestCapacity:
    STEPS = [[0, 2, 104], [2, 5, 152], [5, 10, 244], [10, None, 384]]

    def test_a_value_on_a_boundary_belongs_to_the_higher_step(self):
        assert rules.capacity_step(self.STEPS, 5.0)[:2] == (5, 10)
        assert rules.capacity_step(self.STEPS, 4.9999)[:2] == (2, 5)
        assert rules.capacity_step(self.STEPS, 10.0)[:2] == (10, None)
        assert rules.capacity_step(self.STEPS, None)[:2] == (0, 2)

    def test_no_rounding_before_comparing(self):
        average = rules.average_of_top_daily_peaks([4.9999, 4.9999, 4.9999, 1.0])
        assert rules.capacity_step(self.STEPS, average)[:2] == (2, 5)  # rounded to 3 decimals it would be 5.0


def test_consumer_kind_from_the_point_or_the_customer():
    assert rules.consumer_kind(point_kind="", customer_type="PRIVATE") == rules.HOUSEHOLD
    assert rules.consumer_kind(point_kind="", customer_type="BUSINESS") == rules.BUSINESS
    assert rules.consumer_kind(point_kind="HOLIDAY_HOME", customer_type="PRIVATE") == rules.HOLIDAY_HOME
    with pytest.raises(ValueError):
        rules.Consumer(kind="CASTLE")
