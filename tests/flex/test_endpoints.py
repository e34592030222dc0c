"""Every flex endpoint, table-driven: the happy path (200; reads and the api/mock routes write
nothing, writes change something), no credentials (401), another customer's or organisation's
ids (404, nothing written), bad input (400, nothing written) and, where the route needs it,
the demand_response privilege (403, nothing written). Behaviour in detail is in test_api.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from rest_framework.test import APIClient

from apps.flex.models import (
    DayOfWeek,
    EtProfile,
)
from tests.conftest import make_owner
from tests.db_rows import app_rows

from .tenancy import SAMPLE_GUID
from .world import build

pytestmark = pytest.mark.django_db

Spec = dict  # {"path": str, "data": dict | None, "headers": dict}


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    request: Callable[[SimpleNamespace], Spec]
    bad: Callable[[SimpleNamespace], Spec] | None = None  # None: the route takes no input
    writes: bool = False
    privilege: bool = False  # needs demand_response
    owned: bool = True  # takes ids (path, header or body) that another login must not reach

    def __str__(self):
        return self.name


def spec(path: str, data: dict | None = None, **headers) -> Spec:
    return {"path": path, "data": data, "headers": headers}


def plans(w, mock=False) -> str:
    return f"/api/{'mock/' if mock else ''}customers/{w.owner.customer.pk}/devices/{w.device.pk}/controlplans"


def plan_path(w, mock=False, zone=None, end=None) -> str:
    plan = SAMPLE_GUID if mock else w.future_plan.pk
    zone = w.zone.pk if zone is None else zone
    end = w.future_plan.end_at.date().isoformat() if end is None else end
    return f"{plans(w, mock)}/{plan}/{zone}/{end}/decline"


def settings_path(w) -> str:
    return f"/api/demandandcontrol/customers/{w.owner.customer.pk}/sites/{w.owner.delivery_point.pk}/settings"


def request_body(w, **changes) -> dict:
    return {"ZoneId": w.zone.pk, "TsTypeId": 1, "Values": [{"Time": "2030-01-01T10:00:00Z", "Value": 5}], **changes}


ET_BODY = {"Profiles": [{"Weekday": "Monday", "FromHour": 6, "ToHour": 22}]}
CONTROLS = {"ValueCategory": 4, "Plan": [{"ValueTime": "", "Value": 1}]}

ENDPOINTS = [
    Endpoint("plans", "get", lambda w: spec(plans(w)), bad=lambda w: spec(plans(w) + "?pageSize=0")),
    Endpoint(
        "decline",
        "post",
        lambda w: spec(f"{plans(w)}/{w.future_plan.pk}/decline", {"Reason": "Guests"}),
        bad=lambda w: spec(f"{plans(w)}/{w.future_plan.pk}/decline", {"Reason": "x" * 501}),
        writes=True,
    ),
    Endpoint(
        "decline-by-zone-and-end-date",
        "post",
        lambda w: spec(plan_path(w), {}),
        bad=lambda w: spec(plan_path(w, end="2030-13-45"), {}),
        writes=True,
    ),
    Endpoint(
        "mock-plans", "get", lambda w: spec(plans(w, mock=True)), bad=lambda w: spec(plans(w, True) + "?pageNumber=0")
    ),
    Endpoint(
        "mock-decline",
        "post",
        lambda w: spec(f"{plans(w, mock=True)}/{SAMPLE_GUID}/decline", {"Reason": "Guests"}),
        bad=lambda w: spec(f"{plans(w, mock=True)}/not-a-guid/decline", {}),
    ),
    Endpoint(
        "mock-decline-by-zone-and-end-date",
        "post",
        lambda w: spec(plan_path(w, mock=True), {}),
        bad=lambda w: spec(plan_path(w, mock=True, zone="zone"), {}),
    ),
    Endpoint("tstypes", "get", lambda w: spec("/api/controlplanrequests/tstypes"), privilege=True, owned=False),
    Endpoint(
        "contract-zones",
        "get",
        lambda w: spec("/api/controlplanrequests/zones", HTTP_X_CONTRACTID=str(w.contract.pk)),
        bad=lambda w: spec("/api/controlplanrequests/zones", HTTP_X_CONTRACTID="first"),
        privilege=True,
    ),
    Endpoint(
        "zone-requests",
        "get",
        lambda w: spec(f"/api/controlplanrequests/zones/{w.zone.pk}/tstypes/1"),
        bad=lambda w: spec(f"/api/controlplanrequests/zones/{w.zone.pk}/tstypes/1?fromDate=yesterday"),
        privilege=True,
    ),
    Endpoint(
        "post-request",
        "post",
        lambda w: spec("/api/controlplanrequests", request_body(w)),
        bad=lambda w: spec(
            "/api/controlplanrequests", request_body(w, Values=[{"Time": "2030-01-01T10:20:00Z", "Value": 5}])
        ),
        writes=True,
        privilege=True,
    ),
    Endpoint("sites", "get", lambda w: spec(f"/api/demandandcontrol/customers/{w.owner.customer.pk}/sites")),
    Endpoint("site-devices", "get", lambda w: spec(settings_path(w).replace("/settings", "/devices"))),
    Endpoint("get-settings", "get", lambda w: spec(settings_path(w))),
    Endpoint(
        "put-settings",
        "put",
        lambda w: spec(settings_path(w), {"ThresholdKw": 7, "DeviceOrder": [w.device.pk]}),
        bad=lambda w: spec(settings_path(w), {"ThresholdKw": -1, "DeviceOrder": [w.device.pk]}),
        writes=True,
    ),
    Endpoint(
        "post-settings",
        "post",
        lambda w: spec(settings_path(w), {"ThresholdKw": 6}),
        bad=lambda w: spec(settings_path(w), {"ThresholdKw": 6, "DeviceOrder": ["heater"]}),
        writes=True,
    ),
    Endpoint("delete-settings", "delete", lambda w: spec(settings_path(w)), writes=True),
    Endpoint("get-etconfig", "get", lambda w: spec(f"/api/etconfig/{w.device.pk}")),
    Endpoint(
        "post-etconfig",
        "post",
        lambda w: spec(f"/api/etconfig/{w.device.pk}", ET_BODY),
        bad=lambda w: spec(f"/api/etconfig/{w.device.pk}", {"Profiles": [{"Weekday": 9, "FromHour": 6, "ToHour": 22}]}),
        writes=True,
    ),
    Endpoint("delete-etconfig", "delete", lambda w: spec(f"/api/etconfig/{w.device.pk}/delete"), writes=True),
    Endpoint(
        "delete-et-weekdays",
        "delete",
        lambda w: spec(f"/api/etconfig/{w.device.pk}/delete/Monday,5"),
        bad=lambda w: spec(f"/api/etconfig/{w.device.pk}/delete/Monday,Funday"),
        writes=True,
    ),
    Endpoint("get-baseline", "get", lambda w: spec(f"/api/baseline/{w.device.pk}")),
    Endpoint(
        "post-baseline",
        "post",
        lambda w: spec(f"/api/baseline/{w.device.pk}", {"Method": "AverageOfSimilarDays", "Days": 5}),
        bad=lambda w: spec(f"/api/baseline/{w.device.pk}", {"Method": "AverageOfSimilarDays", "Days": 0}),
        writes=True,
        privilege=True,
    ),
    Endpoint("delete-baseline", "delete", lambda w: spec(f"/api/baseline/{w.device.pk}"), writes=True, privilege=True),
    Endpoint(
        "seqcontrol",
        "post",
        lambda w: spec(f"/api/poc/devices/{w.device.pk}/seqcontrol", CONTROLS),
        bad=lambda w: spec(f"/api/poc/devices/{w.device.pk}/seqcontrol", {**CONTROLS, "Plan": CONTROLS["Plan"] * 2}),
        writes=True,
    ),
]


def test_the_table_covers_every_flex_route():
    from tests.api.test_tenancy_matrix import ROUTES

    flex = [(r.route, m) for r in ROUTES if r.view_class.__module__ == "apps.flex.api.views" for m in r.methods]
    assert len(flex) == len(ENDPOINTS) == 24


def world_of(owner) -> SimpleNamespace:
    """The flex world, with an ET profile per weekday (so deleting them writes something)."""
    w = build(owner)
    EtProfile.objects.bulk_create(
        [EtProfile(asset=w.device.asset, weekday=day, from_hour=0, to_hour=24) for day in DayOfWeek]
    )
    return w


def state() -> dict[str, list]:
    """Every row of the flex app."""
    return app_rows("flex")


def send(client: APIClient, method: str, request: Spec):
    call = getattr(client, method)
    if method == "get":
        return call(request["path"], **request["headers"])
    return call(request["path"], request["data"], format="json", **request["headers"])


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_happy_path(endpoint, owner):
    w = world_of(owner)
    before = state()
    response = send(owner.client(), endpoint.method, endpoint.request(w))
    assert response.status_code == 200, response.content
    assert (state() != before) is endpoint.writes


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_no_credentials_is_401(endpoint, owner, anonymous):
    w = world_of(owner)
    before = state()
    assert send(anonymous, endpoint.method, endpoint.request(w)).status_code == 401
    assert state() == before


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e.owned], ids=str)
def test_another_customers_ids_are_404(endpoint, owner):
    w = world_of(owner)
    intruder = make_owner()
    world_of(intruder)  # with objects and the privilege of their own
    before = state()
    response = send(intruder.client(), endpoint.method, endpoint.request(w))
    assert response.status_code == 404, response.content
    assert state() == before


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e.bad], ids=str)
def test_bad_input_is_400_and_writes_nothing(endpoint, owner):
    w = world_of(owner)
    before = state()
    response = send(owner.client(), endpoint.method, endpoint.bad(w))
    assert response.status_code == 400, response.content
    assert "ModelState" in response.json()
    assert state() == before


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e.privilege], ids=str)
def test_without_the_privilege_is_403(endpoint, owner):
    w = world_of(owner)
    owner.user.user_permissions.clear()
    before = state()
    response = send(owner.client(), endpoint.method, endpoint.request(w))
    assert response.status_code == 403, response.content
    assert state() == before
