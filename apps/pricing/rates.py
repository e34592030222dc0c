"""Dated rate tables of the Norwegian rules: electricity tax, Enova fee, subsidy, Norgespris, VAT.

Each table lists `(valid_from, value, source)` rows and the last year whose rates are known.
`rate_on(table, day)` refuses a day before the first row or after `known_until` (RateUnknownError)
instead of reusing the nearest row: a year without published rates is a configuration step (add
its rows here, with their source, and raise `known_until`; docs/pricing.md "New year, new rates").

Every figure is a row of docs/research/norwegian-pricing-rules.md (cited as "table 1.4" etc.), whose
sources S1–S42 are listed there with their addresses and confidence grades. All amounts are NOK ex VAT.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal


class RateUnknownError(LookupError):
    """No published rate for that day: before the table's first row or after its last known year."""


@dataclass(frozen=True)
class Rate:
    valid_from: dt.date
    value: Decimal
    source: str


@dataclass(frozen=True)
class RateTable:
    name: str
    rows: tuple[Rate, ...]
    known_until: int  # the last year whose rates are in the table

    def __post_init__(self):
        starts = [row.valid_from for row in self.rows]
        if not starts or starts != sorted(set(starts)):
            raise ValueError(f"{self.name}: rows must be given in date order, without repeats.")

    @property
    def first_day(self) -> dt.date:
        return self.rows[0].valid_from


def rate_on(table: RateTable, day: dt.date) -> Decimal:
    """The value of `table` in force on `day`; RateUnknownError outside the table's known years."""
    return row_on(table, day).value


def row_on(table: RateTable, day: dt.date) -> Rate:
    if day < table.first_day or day.year > table.known_until:
        raise RateUnknownError(
            f"No published {table.name} for {day.isoformat()} (known {table.first_day.isoformat()} to "
            f"{table.known_until}-12-31); add the year's rates to apps/pricing/rates.py."
        )
    found = table.rows[0]
    for row in table.rows:
        if row.valid_from <= day:
            found = row
    return found


def known_days(*tables: RateTable) -> tuple[dt.date, dt.date]:
    """The first and last day every one of `tables` has a rate for."""
    first = max(table.first_day for table in tables)
    last = dt.date(min(table.known_until for table in tables), 12, 31)
    return first, last


_D = Decimal

# Electricity tax (forbruksavgift på elektrisk kraft), general rate, NOK/kWh (table §1).
ELECTRICITY_TAX = RateTable(
    "electricity tax",
    (
        Rate(
            dt.date(2024, 1, 1),
            _D("0.0951"),
            "Table 1.1: 9.51 øre Jan–Mar 2024 (Skatteetaten S1, Norgesnett S2, Lede S3)",
        ),
        Rate(dt.date(2024, 4, 1), _D("0.1644"), "Table 1.2: 16.44 øre Apr–Dec 2024 (S1, S2, S3)"),
        Rate(dt.date(2025, 1, 1), _D("0.0979"), "Table 1.4: 9.79 øre Jan–Mar 2025 (S5; S4: excise duties +3.0 %)"),
        Rate(dt.date(2025, 4, 1), _D("0.1693"), "Table 1.5: 16.93 øre Apr–Sep 2025 (S5, S4, S9)"),
        Rate(
            dt.date(2025, 10, 1),
            _D("0.1253"),
            "Table 1.6/1.7: 12.53 øre from 1 October 2025, the Storting's decision of 2025-06-20 "
            "(lovdata STV/forskrift/2025-06-20-1183; S5, S6, S7, S8)",
        ),
        Rate(dt.date(2026, 1, 1), _D("0.0713"), "Table 1.8: 7.13 øre all of 2026, no winter rate (S10, S11, S5, S12)"),
    ),
    known_until=2026,
)

# The reduced rate (table 1.3, 1.10, 1.11): industry, mining, … and all business activity in the
# action zone (table 1.13). 2025 is not in the stored sources (table 1.11, unconfirmed): 0.60 øre is
# 2024's 0.58 indexed by the 3.0 % every excise duty rose for 2025 (S4; the general rate shows the same
# step, table 1.4/1.5: 0.58 × 1.03 = 0.597), and it is the 2026 figure. Re-check against Skatteetaten.
ELECTRICITY_TAX_REDUCED = RateTable(
    "reduced electricity tax",
    (
        Rate(dt.date(2024, 1, 1), _D("0.0058"), "Table 1.3: 0.58 øre, 2024 (S1, S2)"),
        Rate(
            dt.date(2025, 1, 1),
            _D("0.0060"),
            "Table 1.11 (unconfirmed): 0.58 øre × 1.03 (S4 indexation) ≈ 0.60 øre, the 2026 figure",
        ),
        Rate(dt.date(2026, 1, 1), _D("0.0060"), "Table 1.10: 0.60 øre, 2026 (S10, citing Skatteetaten)"),
    ),
    known_until=2026,
)

# Enova fee (påslag på nettariffen til Energifondet), forskrift FOR-2001-12-10-1377 § 3 (table §2).
ENOVA_FEE_HOUSEHOLD = RateTable(
    "Enova fee for households",
    (Rate(dt.date(2024, 1, 1), _D("0.0100"), "Table 2.1: 1 øre/kWh, household use (S17 § 3, S18, S19)"),),
    known_until=2026,
)
ENOVA_FEE_OTHERS_PER_YEAR = RateTable(
    "Enova fee per metering point and year (non-households)",
    (Rate(dt.date(2024, 1, 1), _D("800"), "Table 2.2: NOK 800 per metering point and year (S17 § 3, S18, S19)"),),
    known_until=2026,
)

# Electricity subsidy (strømstønad): threshold ex VAT and the share above it (table §3). Regulation:
# FOR-2022-01-21-103 until 2025-09-14, FOR-2025-09-08-1791 § 5 from 2025-09-15 (S22).
SUBSIDY_THRESHOLD = RateTable(
    "electricity subsidy threshold",
    (
        Rate(dt.date(2024, 1, 1), _D("0.7300"), "Table 3.1: 73 øre ex VAT, 2024 (FOR-2022-01-21-103; S20, S21)"),
        Rate(
            dt.date(2025, 1, 1),
            _D("0.7500"),
            "Table 3.2: 75 øre ex VAT, 2025 (FOR-2022-01-21-103 to 14.09, "
            "FOR-2025-09-08-1791 § 5 after; S20, S22, S23)",
        ),
        Rate(
            dt.date(2026, 1, 1),
            _D("0.7700"),
            "Table 3.3: 77 øre ex VAT, 2026 (FOR-2025-09-08-1791 § 5 as amended 18.12.2025; S22, S20)",
        ),
    ),
    known_until=2026,
)
SUBSIDY_SHARE = RateTable(
    "electricity subsidy share",
    (
        Rate(
            dt.date(2024, 1, 1),
            _D("0.90"),
            "Table 3.4: 90 % of the hourly spot price above the threshold (S20, S22 § 5)",
        ),
    ),
    known_until=2026,
)
# kWh per metering point and month that earn subsidy (table 3.7: per metering point, not per meter).
SUBSIDY_MONTHLY_CAP_KWH = Decimal(5000)

# Norgespris (LOV-2025-06-20-44): fixed price per kWh ex VAT, settled by the grid company as
# spot − price per hour and metering point (table 4.9); first agreement period to 2026-12-31 (table 4.2).
NORGESPRIS = RateTable(
    "Norgespris",
    (
        Rate(
            dt.date(2025, 10, 1), _D("0.40"), "Table 4.1/4.2: 40 øre/kWh ex VAT from delivery day 2025-10-01 (S20, S25)"
        ),
    ),
    known_until=2026,
)
NORGESPRIS_AGREEMENT_ENDS = dt.date(2026, 12, 31)
# kWh per metering point and month at Norgespris (table 4.5, 4.6); above it the spot price applies (4.8).
NORGESPRIS_MONTHLY_CAP_KWH = {"home": Decimal(5000), "holiday_home": Decimal(1000)}

# VAT: general rate (table 5.1); zero-rated household use in the north: mval. § 6-6 with FMVA § 6-6-1
# (table 5.2, 5.6; S32, S33).
VAT = RateTable(
    "VAT",
    (Rate(dt.date(2024, 1, 1), _D("0.25"), "Table 5.1: general rate 25 % (merverdiavgiftsloven § 5-1; S4)"),),
    known_until=2026,
)
VAT_NORTH_SOURCE = (
    "Table 5.2/5.6: merverdiavgiftsloven § 6-6 and merverdiavgiftsforskriften § 6-6-1: household electricity "
    "and grid rent in Nordland, Troms and Finnmark are zero-rated (S32, S33)"
)

# The tables every priced hour needs: their common span is what the API can price.
PRICED_TABLES = (
    ELECTRICITY_TAX,
    ELECTRICITY_TAX_REDUCED,
    ENOVA_FEE_HOUSEHOLD,
    ENOVA_FEE_OTHERS_PER_YEAR,
    SUBSIDY_THRESHOLD,
    VAT,
)
