"""Every flex endpoint on the contract harness (tests/api/harness.py): the happy path (200; reads
and the api/mock routes write nothing, writes change something), no credentials (401), another
customer's or organisation's ids (404, nothing written), bad input (400, nothing written) and,
where the route needs it, the demand_response privilege (403, nothing written). Behaviour in
detail is in test_api.py."""

from __future__ import annotations

from apps.flex.api import urls as flex_urls
from apps.flex.models import DayOfWeek, EtProfile
from tests.api.harness import Bad, Endpoint, EndpointContract, World
from tests.conftest import make_owner

from .tenancy import SAMPLE_GUID
from .world import build

PLANS = "/api/customers/{customer}/devices/{device}/controlplans"
MOCK = "/api/mock/customers/{customer}/devices/{device}/controlplans"
DECLINE = "{plan}/{zone}/{end}/decline"
SETTINGS = "/api/demandandcontrol/customers/{customer}/sites/{site}/settings"
ETCONFIG = "/api/etconfig/{device}"
BASELINE = "/api/baseline/{device}"
SEQCONTROL = "/api/poc/devices/{device}/seqcontrol"
DR = "demand_response"
VALUES = [{"Time": "2030-01-01T10:00:00Z", "Value": 5}]
REQUEST = {"ZoneId": "{zone}", "TsTypeId": 1, "Values": VALUES}
ET_BODY = {"Profiles": [{"Weekday": "Monday", "FromHour": 6, "ToHour": 22}]}
CONTROLS = {"ValueCategory": 4, "Plan": [{"ValueTime": "", "Value": 1}]}
BASELINE_BODY = {"Method": "AverageOfSimilarDays", "Days": 5}


class TestFlexEndpoints(EndpointContract):
    apps = ("flex",)
    urlpatterns = flex_urls.urlpatterns
    malformed_json = False
    endpoints = [
        Endpoint("GET", PLANS, bad=(Bad(path=PLANS + "?pageSize=0"),)),
        Endpoint(
            "POST", PLANS + "/{plan}/decline", {"Reason": "Guests"}, bad=(Bad({"Reason": "x" * 501}),), writes=True
        ),
        Endpoint(
            "POST",
            f"{PLANS}/{DECLINE}",
            {},
            bad=(Bad(path=PLANS + "/{plan}/{zone}/2030-13-45/decline"),),
            writes=True,
        ),
        Endpoint("GET", MOCK, bad=(Bad(path=MOCK + "?pageNumber=0"),)),
        Endpoint(
            "POST", MOCK + "/{sample}/decline", {"Reason": "Guests"}, bad=(Bad(path=MOCK + "/not-a-guid/decline"),)
        ),
        Endpoint(
            "POST", MOCK + "/{sample}/{zone}/{end}/decline", {}, bad=(Bad(path=MOCK + "/{sample}/zone/{end}/decline"),)
        ),
        Endpoint("GET", "/api/controlplanrequests/tstypes", privilege=DR, owned=False),
        Endpoint(
            "GET",
            "/api/controlplanrequests/zones",
            headers={"HTTP_X_CONTRACTID": "{contract_text}"},
            bad=(Bad(headers={"HTTP_X_CONTRACTID": "first"}),),
            privilege=DR,
        ),
        Endpoint(
            "GET",
            "/api/controlplanrequests/zones/{zone}/tstypes/1",
            bad=(Bad(path="/api/controlplanrequests/zones/{zone}/tstypes/1?fromDate=yesterday"),),
            privilege=DR,
        ),
        Endpoint(
            "POST",
            "/api/controlplanrequests",
            REQUEST,
            bad=(Bad({**REQUEST, "Values": [{"Time": "2030-01-01T10:20:00Z", "Value": 5}]}),),
            writes=True,
            privilege=DR,
        ),
        Endpoint("GET", "/api/demandandcontrol/customers/{customer}/sites"),
        Endpoint("GET", "/api/demandandcontrol/customers/{customer}/sites/{site}/devices"),
        Endpoint("GET", SETTINGS),
        Endpoint(
            "PUT",
            SETTINGS,
            {"ThresholdKw": 7, "DeviceOrder": ["{device}"]},
            bad=(Bad({"ThresholdKw": -1, "DeviceOrder": ["{device}"]}),),
            writes=True,
        ),
        Endpoint(
            "POST",
            SETTINGS,
            {"ThresholdKw": 6},
            bad=(Bad({"ThresholdKw": 6, "DeviceOrder": ["heater"]}),),
            writes=True,
        ),
        Endpoint("DELETE", SETTINGS, writes=True),
        Endpoint("GET", ETCONFIG),
        Endpoint(
            "POST",
            ETCONFIG,
            ET_BODY,
            bad=(Bad({"Profiles": [{"Weekday": 9, "FromHour": 6, "ToHour": 22}]}),),
            writes=True,
        ),
        Endpoint("DELETE", ETCONFIG + "/delete", writes=True),
        Endpoint(
            "DELETE", ETCONFIG + "/delete/Monday,5", bad=(Bad(path=ETCONFIG + "/delete/Monday,Funday"),), writes=True
        ),
        Endpoint("GET", BASELINE),
        Endpoint("POST", BASELINE, BASELINE_BODY, bad=(Bad({**BASELINE_BODY, "Days": 0}),), writes=True, privilege=DR),
        Endpoint("DELETE", BASELINE, writes=True, privilege=DR),
        Endpoint("POST", SEQCONTROL, CONTROLS, bad=(Bad({**CONTROLS, "Plan": CONTROLS["Plan"] * 2}),), writes=True),
    ]

    def world(self) -> World:
        """An Owner's flex world, with an ET profile per weekday (so deleting them writes something)."""
        owner = make_owner()
        w = build(owner)
        EtProfile.objects.bulk_create(
            [EtProfile(asset=w.device.asset, weekday=day, from_hour=0, to_hour=24) for day in DayOfWeek]
        )
        values = {
            "customer": owner.customer.pk,
            "device": w.device.pk,
            "plan": w.future_plan.pk,
            "zone": w.zone.pk,
            "end": w.future_plan.end_at.date().isoformat(),
            "sample": SAMPLE_GUID,
            "contract_text": str(w.contract.pk),
            "site": owner.delivery_point.pk,
        }
        return World(values, {"owner": owner.user}, extra=w)
