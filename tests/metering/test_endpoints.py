"""Every metering endpoint on the contract harness (tests/api/harness.py): the happy path, no
credentials → 401, another customer's ids → 404, bad input → 400, the operator's privileges
(live_values, cim_export) → 403 without them, and none of the refusals writes anything (every
metering and customers row compared). The behaviour in detail is in the other files of tests/metering.

A GET without query or body values (settings, exists, the wattmeters, a user's meters) has no bad
input of its own: its path values are ints by route or the caller's own strings, so a wrong one is
a 404, covered by the 404 cases.
"""

from __future__ import annotations

import datetime as dt

import pytest

from apps.metering import cim
from apps.metering.api import urls as metering_urls
from apps.metering.models import CimExportLog
from tests.api.harness import Bad, Endpoint, EndpointContract, World, grant
from tests.conftest import make_owner
from tests.factories import UserFactory

from .helpers import load_hours, oslo_midnight

METER = "/api/customers/{customer}/contracts/{contract}/meters/{meter}"
READINGS = "/api/customers/{customer}/deliverypoints/{delivery_point}/readings"
CIM = "/api/cimexportlogs"
DAY = dt.date(2025, 3, 30)  # the 23-hour day, before the frozen clock's today
SERIES = {"FromTime": "2025-03-29T23:00:00", "ToTime": "2025-03-30T22:00:00", "Resolution": 7}
COMPARED = {"FromTime": "2025-01-31T23:00:00", "ToTime": "2025-02-02T23:00:00", "Resolution": 20}
SPRING_DAY = "fromTimeUtc=2025-03-29T23:00:00&toTimeUtc=2025-03-30T22:00:00"
LIVE = [{"ValueTime": "2025-03-30T10:00:05Z", "Value": 3.2}]
FILE = {"CorrelationId": "{correlation}", "FileName": "MeterReadings_20250330_0001.xml"}
FORGED = "forged-token"


@pytest.fixture(autouse=True)
def cim_dir(settings, tmp_path):
    settings.METERING_CIM_DIR = str(tmp_path / "cim")


class TestMeteringEndpoints(EndpointContract):
    apps = ("metering", "customers")  # the obsolete settings POST writes the customer's contact too
    urlpatterns = metering_urls.urlpatterns
    parent_keys = ("customer", "contract")
    object_keys = ("meter", "asset", "delivery_point")
    endpoints = [
        Endpoint(
            "POST",
            METER + "/consumption",
            SERIES,
            bad=(Bad({**SERIES, "Resolution": "Fortnight"}, named="Resolution"),),
        ),
        Endpoint(
            "GET",
            f"{METER}/consumption/export?{SPRING_DAY}",
            bad=(Bad(path=METER + "/consumption/export?fromTimeUtc=soon&toTimeUtc=2025-03-30T22:00:00"),),
        ),
        Endpoint(
            "GET",
            f"/api/customers/{{customer}}/consumption/export?{SPRING_DAY}",
            bad=(Bad(path="/api/customers/{customer}/consumption/export?fromTimeUtc=2025-03-30T22:00:00"),),
        ),
        Endpoint(
            "POST",
            "/api/customers/{customer}/asset/{asset}/consumption",
            SERIES,
            bad=(Bad({**SERIES, "ToTime": "2025-03-01T00:00:00"}, named="ToTime"),),
        ),
        Endpoint(
            "POST",
            METER + "/comparedwithothers",
            COMPARED,
            bad=(Bad({**COMPARED, "Resolution": "Fortnight"}, named="Resolution"),),
        ),
        Endpoint("GET", METER + "/settings"),
        Endpoint(
            "POST",
            METER + "/settings",
            {"Name": "Home", "Residents": 2, "MobileNumber": "98765432"},
            bad=(Bad({"Residents": 2, "PhoneNumber": "call me"}, named="PhoneNumber"),),
            writes=True,
        ),
        Endpoint(
            "POST",
            METER + "/settings/building",
            {"Name": "Cabin", "BuildingYear": 1978},
            bad=(Bad({"BuildingYear": 1200}, named="BuildingYear"), Bad({"Residents": 51}, named="Residents")),
            writes=True,
        ),
        Endpoint("GET", METER + "/exists"),
        Endpoint("GET", "/api/Users/{user}/meters"),
        Endpoint("GET", READINGS, bad=(Bad(path=READINGS + "?pageSize=0"),)),
        Endpoint(
            "POST",
            READINGS,
            {"ReadingDate": "2025-03-29", "Value": 12450},
            bad=(Bad({"ReadingDate": "soon", "Value": 2000}, named="ReadingDate"), Bad({"ReadingDate": "2025-03-29"})),
            writes=True,
        ),
        Endpoint(
            "POST",
            "/api/meters/{meter}/temperatures",
            {**SERIES, "Resolution": 20},
            bad=(Bad({**SERIES, "Resolution": 8}),),
        ),
        Endpoint("GET", METER + "/wattmeter"),
        Endpoint("GET", METER + "/wattmeter/v2"),
        Endpoint(
            "POST",
            "/api/signalr/timeseries/objectkey/{meter}/type/2",
            LIVE,
            bad=(
                Bad([]),
                Bad([{"ValueTime": "later", "Value": 1}]),
                Bad(path="/api/signalr/timeseries/objectkey/x/type/9"),
            ),
            owned=False,
            privilege="live_values",
            login="operator",
            writes=True,
        ),
        Endpoint(
            "GET",
            CIM + "?from=2025-03-01&to=2025-04-01",
            bad=(Bad(path=CIM + "?take=0"), Bad(path=CIM + "?from=2025-04-01&to=2025-03-01")),
            owned=False,
            privilege="cim_export",
            login="operator",
        ),
        Endpoint(
            "GET",
            CIM + "/files?token={token}",
            bad=(Bad(path=CIM + "/files"),),
            owned=False,
            login=None,
            anonymous_status=403,  # the signed token is the credential: a forged one is refused
        ),
        Endpoint(
            "POST",
            CIM + "/datafileurl",
            FILE,
            bad=(Bad({"FileName": "x.xml"}, named="CorrelationId"), Bad({**FILE, "CorrelationId": "nope"})),
            owned=False,
            privilege="cim_export",
            login="operator",
        ),
        Endpoint(
            "POST",
            CIM + "/logfileurl",
            {**FILE, "LogType": 3},
            bad=(Bad({**FILE, "LogType": 7}, named="LogType"),),
            owned=False,
            privilege="cim_export",
            login="operator",
        ),
        Endpoint(
            "GET",
            CIM + "/subexportlogs/statistics?from=2025-03-01T00:00:00Z",
            bad=(Bad(path=CIM + "/subexportlogs/statistics?from=soon"),),
            owned=False,
            privilege="cim_export",
            login="operator",
        ),
        Endpoint("GET", CIM + "/{correlation}", owned=False, privilege="cim_export", login="operator"),
    ]

    def world(self) -> World:
        owner = make_owner()
        owner.meter.has_wattmeter = True  # .../wattmeter/v2 answers only a meter with one
        owner.meter.save()
        load_hours(owner.meter, oslo_midnight(2025, 3, 30), oslo_midnight(2025, 3, 31), value="0.5")
        log = CimExportLog.objects.filter(export_date=DAY).first() or cim.export_day(day=DAY)
        operator = UserFactory()  # the head-end's integration account and the CIM exporter
        for privilege in ("live_values", "cim_export"):
            grant(operator, privilege)
        values = {
            "customer": owner.customer.pk,
            "contract": owner.contract.contract_no,
            "meter": owner.meter.meter_id,
            "asset": owner.meter.asset.pk,
            "delivery_point": owner.delivery_point.pk,
            "user": owner.user.pk,
            "correlation": str(log.correlation_id),
            "token": _token(log),
        }
        return World(values, {"owner": owner.user, "operator": operator}, extra=owner)

    def send(self, client, endpoint, values, *, body=None, path=None, headers=None, credentials=True):
        if endpoint.login is None and not credentials:  # the signed download without its signature
            values = {**values, "token": FORGED}
        return super().send(client, endpoint, values, body=body, path=path, headers=headers, credentials=credentials)


def _token(log: CimExportLog) -> str:
    """The download token of the log's first file, as a .../datafileurl answer carries it."""
    return cim.sign_path(cim.file_path(log.sub_exports.order_by("sequence_no").first()))
