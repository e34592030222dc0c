"""Municipality numbers → the counties the pricing rules name, and the tiltakssone.

Source: SSB, «Standard for kommuneinndeling» (classification 131), the versions valid 2019, 2020–2023
and from 2024-01-01; the 2024 numbers cross-checked against NAV's list of the 2024 municipalities
(navikt, Dolly `Kor2024NyeKommuner`). CIS data carries every generation of numbers, so all are listed:

- Nordland: 18xx in every generation.
- Troms: 19xx before 2020, 55xx from 2024. Finnmark: 20xx before 2020, 56xx from 2024.
- «Troms og Finnmark» 2020–2023: 54xx for both counties, so each municipality is listed explicitly.

Tiltakssonen (Stortingets vedtak om avgift på elektrisk kraft, the exemption for households and
public administration in the tiltakssone; Skatteetaten «Avgift på elektrisk kraft»): all of Finnmark
and the Nord-Troms municipalities Karlsøy, Kvænangen, Kåfjord, Lyngen, Nordreisa, Skjervøy and Storfjord.
"""

from __future__ import annotations

import enum

from esmart.core.validators import is_ascii_digits


class County(enum.Enum):
    NORDLAND = "Nordland"
    TROMS = "Troms"
    FINNMARK = "Finnmark"


# «Troms og Finnmark» (2020–2023): number → (county the municipality belongs to today, name).
TROMS_OG_FINNMARK_2020 = {
    "5401": (County.TROMS, "Tromsø"),
    "5402": (County.TROMS, "Harstad"),
    "5403": (County.FINNMARK, "Alta"),
    "5404": (County.FINNMARK, "Vardø"),
    "5405": (County.FINNMARK, "Vadsø"),
    "5406": (County.FINNMARK, "Hammerfest"),
    "5411": (County.TROMS, "Kvæfjord"),
    "5412": (County.TROMS, "Tjeldsund"),
    "5413": (County.TROMS, "Ibestad"),
    "5414": (County.TROMS, "Gratangen"),
    "5415": (County.TROMS, "Lavangen"),
    "5416": (County.TROMS, "Bardu"),
    "5417": (County.TROMS, "Salangen"),
    "5418": (County.TROMS, "Målselv"),
    "5419": (County.TROMS, "Sørreisa"),
    "5420": (County.TROMS, "Dyrøy"),
    "5421": (County.TROMS, "Senja"),
    "5422": (County.TROMS, "Balsfjord"),
    "5423": (County.TROMS, "Karlsøy"),
    "5424": (County.TROMS, "Lyngen"),
    "5425": (County.TROMS, "Storfjord"),
    "5426": (County.TROMS, "Kåfjord"),
    "5427": (County.TROMS, "Skjervøy"),
    "5428": (County.TROMS, "Nordreisa"),
    "5429": (County.TROMS, "Kvænangen"),
    "5430": (County.FINNMARK, "Kautokeino"),
    "5432": (County.FINNMARK, "Loppa"),
    "5433": (County.FINNMARK, "Hasvik"),
    "5434": (County.FINNMARK, "Måsøy"),
    "5435": (County.FINNMARK, "Nordkapp"),
    "5436": (County.FINNMARK, "Porsanger"),
    "5437": (County.FINNMARK, "Karasjok"),
    "5438": (County.FINNMARK, "Lebesby"),
    "5439": (County.FINNMARK, "Gamvik"),
    "5440": (County.FINNMARK, "Berlevåg"),
    "5441": (County.FINNMARK, "Tana"),
    "5442": (County.FINNMARK, "Nesseby"),
    "5443": (County.FINNMARK, "Båtsfjord"),
    "5444": (County.FINNMARK, "Sør-Varanger"),
}

# The Nord-Troms municipalities of the tiltakssone, in each generation: (before 2020, 2020–2023, from 2024).
NORD_TROMS_TILTAKSSONE = {
    "Karlsøy": ("1936", "5423", "5534"),
    "Lyngen": ("1938", "5424", "5536"),
    "Storfjord": ("1939", "5425", "5538"),
    "Kåfjord": ("1940", "5426", "5540"),
    "Skjervøy": ("1941", "5427", "5542"),
    "Nordreisa": ("1942", "5428", "5544"),
    "Kvænangen": ("1943", "5429", "5546"),
}
_NORD_TROMS_NUMBERS = frozenset(number for numbers in NORD_TROMS_TILTAKSSONE.values() for number in numbers)
_BY_PREFIX = {
    "18": County.NORDLAND,
    "19": County.TROMS,
    "55": County.TROMS,
    "20": County.FINNMARK,
    "56": County.FINNMARK,
}


def county_of(municipality_no: str) -> County | None:
    """The northern county of a municipality number, None for the rest of Norway (or no number)."""
    number = (municipality_no or "").strip()
    if len(number) != 4 or not is_ascii_digits(number):
        return None
    if number.startswith("54"):
        entry = TROMS_OG_FINNMARK_2020.get(number)
        return entry[0] if entry else None
    return _BY_PREFIX.get(number[:2])


def in_north_norway(municipality_no: str) -> bool:
    """Nordland, Troms or Finnmark: where households pay no VAT on electricity and grid rent."""
    return county_of(municipality_no) is not None


def in_tiltakssone(municipality_no: str) -> bool:
    """Finnmark or one of the seven Nord-Troms municipalities."""
    number = (municipality_no or "").strip()
    return county_of(number) is County.FINNMARK or number in _NORD_TROMS_NUMBERS
