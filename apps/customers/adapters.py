"""The customer information system (CIS) behind `GET api/customers/{customerId}/import`.

An adapter returns the CIS's document for one customer as a `CisCustomer` (or None when the CIS
does not know the customer). The default `FileCisAdapter` reads `<customerId>.json` from a
directory (settings/env `CUSTOMERS_CIS_DIRECTORY`); another system plugs in by naming its class in
`CUSTOMERS_CIS_ADAPTER`. Document format (PascalCase, as the CIS exports it)::

    {"CustomerId": 100001,
     "Contracts": [{"ContractNo": 1000011, "LedgerNo": 100001, "Product": "POWER",
                    "StartDate": "2020-01-01", "EndDate": null,
                    "DeliveryPoints": [{"MeteringPointId": "707057500000000018", "Name": "Home",
                                        "PriceArea": "NO1", "MunicipalityNo": "0301",
                                        "Address": {ElwAddress},
                                        "Meters": [{"MeterId": "...", "MeterNo": "...",
                                                    "Kind": "ELECTRICITY", "HasWattMeter": true}]}]}]}
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import orjson
from django.utils.module_loading import import_string

from esmart.api.casing import from_wire

from . import conf


class CisError(Exception):
    """The CIS could not be read, or its document is not in the expected form."""


@dataclass(frozen=True)
class CisMeter:
    meter_id: str
    meter_no: str = ""
    kind: str = "ELECTRICITY"
    has_wattmeter: bool = False


@dataclass(frozen=True)
class CisDeliveryPoint:
    metering_point_id: str
    name: str = ""
    price_area: str = "NO1"
    municipality_no: str = ""
    address: dict = field(default_factory=dict)
    meters: tuple[CisMeter, ...] = ()


@dataclass(frozen=True)
class CisContract:
    contract_no: int
    product: str
    start_date: dt.date
    ledger_no: int | None = None
    end_date: dt.date | None = None
    delivery_points: tuple[CisDeliveryPoint, ...] = ()


@dataclass(frozen=True)
class CisCustomer:
    customer_id: int
    contracts: tuple[CisContract, ...] = ()


ADDRESS_KEYS = {
    "address_text",
    "co_address",
    "house_no",
    "house_letter",
    "entrance",
    "floor",
    "po_box",
    "zip_code",
    "city",
    "country_code",
}


def _date(value, what: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise CisError(f"{what} is not a date: {value!r}") from None


def parse_document(raw: bytes) -> CisCustomer:
    """Parses one CIS customer document (JSON, PascalCase keys)."""
    try:
        doc = from_wire(orjson.loads(raw))
        contracts = tuple(
            CisContract(
                contract_no=int(c["contract_no"]),
                product=str(c["product"]).upper(),
                start_date=_date(c["start_date"], "StartDate"),
                ledger_no=int(c["ledger_no"]) if c.get("ledger_no") is not None else None,
                end_date=_date(c.get("end_date"), "EndDate"),
                delivery_points=tuple(
                    CisDeliveryPoint(
                        metering_point_id=str(p["metering_point_id"]),
                        name=str(p.get("name") or ""),
                        price_area=str(p.get("price_area") or "NO1").upper(),
                        municipality_no=str(p.get("municipality_no") or "").strip(),
                        address={k: v for k, v in (p.get("address") or {}).items() if k in ADDRESS_KEYS},
                        meters=tuple(
                            CisMeter(
                                meter_id=str(m["meter_id"]),
                                meter_no=str(m.get("meter_no") or ""),
                                kind=str(m.get("kind") or "ELECTRICITY").upper(),
                                has_wattmeter=bool(m.get("has_watt_meter", False)),
                            )
                            for m in p.get("meters") or ()
                        ),
                    )
                    for p in c.get("delivery_points") or ()
                ),
            )
            for c in doc.get("contracts") or ()
        )
        return CisCustomer(customer_id=int(doc["customer_id"]), contracts=contracts)
    except CisError:
        raise
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise CisError(f"The CIS document is not valid: {exc!r}") from None


class FileCisAdapter:
    """Reads `<customerId>.json` from a directory: the local stand-in for the CIS."""

    def __init__(self, directory=None):
        self.directory = directory if directory is not None else conf.cis_directory()

    def fetch_customer(self, *, customer_id: int) -> CisCustomer | None:
        path = self.directory / f"{int(customer_id)}.json"
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise CisError(f"Cannot read {path.name}: {exc.strerror}") from None
        document = parse_document(raw)
        if document.customer_id != customer_id:
            raise CisError(f"{path.name} describes customer {document.customer_id}.")
        return document


ADAPTERS = {"file": FileCisAdapter}


def get_cis_adapter():
    name = conf.cis_adapter()
    cls = ADAPTERS.get(name) or import_string(name)
    return cls()
