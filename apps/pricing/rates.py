"""Dated rate tables of the Norwegian rules: electricity tax, Enova fee, subsidy, Norgespris, VAT.

Each table lists `(valid_from, value, source)` rows and the last year whose rates are known.
`rate_on(table, day)` refuses a day before the first row or after `known_until` (RateUnknownError)
instead of reusing the nearest row: a year without published rates is a configuration step (add
its rows here, with their source, and raise `known_until`; README "Pricing rules").

The 2024 figures and the Enova fee are corroborated by the grid companies' pages named beside them,
the 2025 subsidy threshold by press coverage of that year's budget; the 2025 and 2026 electricity
tax and the 2026 threshold are those of the issue's public sources and could not be re-checked here
(no network access): re-check them against Skatteetaten's and Lovdata's live pages named beside
each row before relying on them.
All amounts are NOK ex VAT.
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
SKATTEETATEN_ELAVGIFT = "Skatteetaten, «Avgift på elektrisk kraft», satser {year} (Stortingets avgiftsvedtak {year})"

# Electricity tax (forbruksavgift på elektrisk kraft), general rate, NOK/kWh.
ELECTRICITY_TAX = RateTable(
    "electricity tax",
    (
        Rate(
            dt.date(2024, 1, 1),
            _D("0.0951"),
            SKATTEETATEN_ELAVGIFT.format(year=2024)
            + ", January–March rate; as NorgesNett publishes it (norgesnett.no «Avgifter på nettleien 2024»: 9,51 øre)",
        ),
        Rate(
            dt.date(2024, 4, 1),
            _D("0.1644"),
            SKATTEETATEN_ELAVGIFT.format(year=2024) + ", from 1 April; NorgesNett, same page: 16,44 øre",
        ),
        Rate(dt.date(2025, 1, 1), _D("0.0979"), SKATTEETATEN_ELAVGIFT.format(year=2025) + ", January–March rate"),
        Rate(dt.date(2025, 4, 1), _D("0.1693"), SKATTEETATEN_ELAVGIFT.format(year=2025) + ", from 1 April"),
        Rate(
            dt.date(2025, 10, 1),
            _D("0.1253"),
            SKATTEETATEN_ELAVGIFT.format(year=2025) + ", reduced from 1 October (revised budget 2025)",
        ),
        Rate(
            dt.date(2026, 1, 1),
            _D("0.0713"),
            SKATTEETATEN_ELAVGIFT.format(year=2026) + ", one rate for the whole year (no winter rate)",
        ),
    ),
    known_until=2026,
)

# Enova fee (påslag på nettariffen til Enova), energiloven § 4-4 and forskrift om påslag på nettariffen.
ENOVA_FEE_HOUSEHOLD = RateTable(
    "Enova fee for households",
    (
        Rate(
            dt.date(2024, 1, 1),
            _D("0.0100"),
            "Energiloven § 4-4; Enova «Påslag på nettariffen»: 1 øre/kWh, households and holiday homes "
            "(as sykkylven-energi.no publishes it)",
        ),
    ),
    known_until=2026,
)
ENOVA_FEE_OTHERS_PER_YEAR = RateTable(
    "Enova fee per metering point and year (non-households)",
    (
        Rate(
            dt.date(2024, 1, 1),
            _D("800"),
            "Forskrift om innbetaling av påslag på nettariffen til Energifondet (from 2013-01-01): NOK 800 per "
            "metering point and year for non-households; as grid companies publish it (bkk.no/nett/enovaavgiften, "
            "aenett.no «Endring i innbetaling til Enova»)",
        ),
    ),
    known_until=2026,
)

# Electricity subsidy (strømstønad til husholdninger): threshold ex VAT and the share above it.
STROMSTONAD = "Forskrift om strømstønad til husholdninger § {par} (lovdata.no)"
SUBSIDY_THRESHOLD = RateTable(
    "electricity subsidy threshold",
    (
        Rate(
            dt.date(2024, 1, 1),
            _D("0.7300"),
            STROMSTONAD.format(par="5")
            + ", 2024: 73 øre ex VAT (linja.no/straumstotte: «frå 1. januar 2024 … 73 øre/kWh»)",
        ),
        Rate(
            dt.date(2025, 1, 1),
            _D("0.7500"),
            STROMSTONAD.format(par="5")
            + ", 2025: 75 øre ex VAT (the 2025 budget, as reported by Finansavisen 2024-10-07: «slår inn når "
            "strømprisen overstiger 75 øre per kilowattime fra 1. januar»)",
        ),
        Rate(dt.date(2026, 1, 1), _D("0.7700"), STROMSTONAD.format(par="5") + ", from 2026-01-01: 77 øre ex VAT"),
    ),
    known_until=2026,
)
SUBSIDY_SHARE = RateTable(
    "electricity subsidy share",
    (Rate(dt.date(2024, 1, 1), _D("0.90"), STROMSTONAD.format(par="5") + ": 90 % of the hourly price above it"),),
    known_until=2026,
)
# kWh per metering point and month that earn subsidy (households; § 5 second paragraph).
SUBSIDY_MONTHLY_CAP_KWH = Decimal(5000)

# Norgespris (forskrift om norgespris): fixed price per kWh ex VAT, settled by the grid
# company as spot − price per hour and metering point; first agreement period 2025-10-01 to 2026-12-31.
NORGESPRIS = RateTable(
    "Norgespris",
    (
        Rate(
            dt.date(2025, 10, 1),
            _D("0.40"),
            "Norgespris-forskriften § 3; regjeringen.no «Norgespris»: 40 øre/kWh ex VAT from delivery day 2025-10-01",
        ),
    ),
    known_until=2026,
)
NORGESPRIS_AGREEMENT_ENDS = dt.date(2026, 12, 31)
# kWh per metering point and month at Norgespris; above it the spot price applies (forskriften § 4).
NORGESPRIS_MONTHLY_CAP_KWH = {"home": Decimal(5000), "holiday_home": Decimal(1000)}

# VAT (merverdiavgiftsloven § 5-1 general rate; § 6-0: households in Nordland, Troms and Finnmark are exempt).
VAT = RateTable(
    "VAT",
    (Rate(dt.date(2024, 1, 1), _D("0.25"), "Merverdiavgiftsloven § 5-1: general rate 25 %"),),
    known_until=2026,
)
VAT_NORTH_SOURCE = "Merverdiavgiftsloven § 6-0: electricity and grid rent for households in Nordland, Troms, Finnmark"

# The tables every priced hour needs: their common span is what the API can price.
PRICED_TABLES = (ELECTRICITY_TAX, ENOVA_FEE_HOUSEHOLD, ENOVA_FEE_OTHERS_PER_YEAR, SUBSIDY_THRESHOLD, VAT)
