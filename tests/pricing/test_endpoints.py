"""Every pricing endpoint on the contract harness (tests/api/harness.py): the happy path (whether it
writes: a spot-price day missing from the store is fetched and stored by the price reads), no
credentials → 401, another customer's ids → 404, bad input → 400; none of the refusals writes a
pricing row. Prices come from the counting demo source (conftest.py). Behaviour in detail is in
test_api.py, test_costs.py, test_expense_overview.py and test_invoices_api.py."""

from __future__ import annotations

import pytest

from apps.pricing.api import urls as pricing_urls
from tests.api.harness import Bad, Endpoint, EndpointContract, World
from tests.conftest import make_owner

from .factories import make_invoice

DAY = "fromTimeUtc=2025-10-01T22:00:00&toTimeUtc=2025-10-02T22:00:00"
CONTRACT = "/api/customers/{customer}/contracts/{contract}"
HOURPRICES = CONTRACT + "/hourprices"
METER_HOURPRICES = CONTRACT + "/meter/{meter}/hourprices"
COSTS = CONTRACT + "/meters/{meter}/costs"
COSTS_BODY = {"FromTime": "2025-10-01T22:00:00", "ToTime": "2025-10-03T22:00:00", "Resolution": 20}
OVERVIEW = CONTRACT + "/expenseoverview"
OVERVIEW_BODY = {"FromTime": "2025-10-01T00:00:00", "ToTime": "2025-11-01T00:00:00"}
INVOICES = "/api/customers/{customer}/invoices"


class TestPricingEndpoints(EndpointContract):
    apps = ("pricing",)
    urlpatterns = pricing_urls.urlpatterns
    parent_keys = ("customer", "contract")
    object_keys = ("meter", "invoice")
    endpoints = [
        Endpoint(
            "GET",
            "/api/spotprices?priceArea=NO1&" + DAY,
            bad=(Bad(path="/api/spotprices?priceArea=NO9&" + DAY), Bad(path="/api/spotprices?fromTimeUtc=yesterday")),
            owned=False,
            writes=True,
        ),
        Endpoint("GET", f"{HOURPRICES}?{DAY}", bad=(Bad(path=HOURPRICES + "?fromTimeUtc=not-a-time"),), writes=True),
        Endpoint(
            "GET",
            f"{METER_HOURPRICES}?{DAY}",
            bad=(Bad(path=METER_HOURPRICES + "?toTimeUtc=2025-09-01T00:00:00&fromTimeUtc=2025-10-01T00:00:00"),),
            writes=True,
        ),
        Endpoint(
            "POST",
            COSTS,
            COSTS_BODY,
            bad=(
                Bad({**COSTS_BODY, "ToTime": "2025-09-01T00:00:00"}),
                Bad({**COSTS_BODY, "Resolution": 3}),
                Bad({**COSTS_BODY, "FromTime": "not a time"}),
            ),
            writes=True,  # the spot-price days it prices with are fetched and stored (issue 22 item 4)
        ),
        Endpoint(
            "POST",
            OVERVIEW,
            OVERVIEW_BODY,
            bad=(
                Bad({**OVERVIEW_BODY, "TimeZone": "Mars/Olympus"}, named="TimeZone"),
                Bad({**OVERVIEW_BODY, "FromTime": None}, named="FromTime"),
            ),
            writes=True,  # likewise
        ),
        Endpoint("GET", INVOICES),
        Endpoint("GET", INVOICES + "/2025/invoicepdfs"),
        Endpoint("GET", CONTRACT + "/invoices/2025"),
        Endpoint("GET", INVOICES + "/{invoice}"),
        Endpoint("GET", INVOICES + "/{invoice}/pdf"),
    ]

    @pytest.fixture(autouse=True)
    def _counting_source(self, source):
        """Prices from the demo source behind a counter, never from the network."""

    def world(self) -> World:
        owner = make_owner()
        invoice = make_invoice(contract=owner.contract)
        values = {
            "customer": owner.customer.pk,
            "contract": owner.contract.contract_no,
            "meter": owner.meter.meter_id,
            "invoice": invoice.invoice_no,
        }
        return World(values, {"owner": owner.user}, extra=owner)
