"""Every care endpoint, table-driven: the happy path (200; reads write nothing, writes change
something), no credentials (401), another team's or another login's ids (404), bad input (400)
and, on the staff routes, a missing `care` privilege (403); none of the refusals writes anything
(every care table compared before and after). The table is checked against the URLconf and the
served schema, so a route added later must be listed here. Behaviour in detail is in the topic
files next to this one (assignments, people, equipment)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.urls import resolve
from django.utils import timezone
from rest_framework.test import APIClient

from apps.assignments import services
from apps.assignments.api import urls as care_urls
from apps.assignments.models import (
    KitConnection,
)
from apps.assignments.states import TRANSITIONS, Action, State
from tests.db_rows import app_rows
from tests.factories import UserFactory

from .conftest import client_for, make_team
from .factories import CareTermsFactory, ClientFactory, EquipmentKitFactory, NextOfKinFactory

pytestmark = pytest.mark.django_db

Spec = dict  # {"path": str, "data": dict | None}
STAFF, KIN, GUEST = "staff", "kin", "guest"  # who calls: care staff, a linked next of kin, any login


@dataclass(frozen=True)
class Endpoint:
    method: str
    request: Callable[[SimpleNamespace], Spec]
    bad: Callable[[SimpleNamespace], Spec] | None = None  # None: nothing to get wrong but ids (404)
    writes: bool = False
    caller: str = STAFF
    # Staff-only routes are 403 without `care`; the client's next of kin and equipment reads also
    # admit next of kin, so there a team member without the privilege is simply not reached (404).
    privilege: bool = True
    owned: bool = True  # takes ids another team or login must not reach

    def __str__(self):
        return f"{self.method.upper()} {self.request(SAMPLE)['path']}"


def spec(path: str, data: dict | None = None) -> Spec:
    return {"path": path, "data": data}


def a(w) -> str:
    return f"/api/assignments/{w.assignment.pk}"


def u(w) -> str:
    return f"/api/users/{w.nurse.pk}"


ENDPOINTS = [
    Endpoint("get", lambda w: spec(f"{u(w)}/assignments"), bad=lambda w: spec(f"{u(w)}/assignments?state=9")),
    Endpoint("get", lambda w: spec(a(w))),
    Endpoint("get", lambda w: spec(f"{u(w)}/assignments/{w.assignment.pk}")),
    Endpoint(
        "get",
        lambda w: spec(f"/api/clients/{w.client.pk}/assignments"),
        bad=lambda w: spec(f"/api/clients/{w.client.pk}/assignments?pageSize=0"),
    ),
    Endpoint(
        "get",
        lambda w: spec(f"{u(w)}/clients/{w.client.pk}/assignments"),
        bad=lambda w: spec(f"{u(w)}/clients/{w.client.pk}/assignments?page=0"),
    ),
    Endpoint(
        "patch",
        lambda w: spec(f"{a(w)}/assign/{w.colleague.pk}", {"Note": "over to you"}),
        bad=lambda w: spec(f"{a(w)}/assign/{w.guest.pk}", {}),  # not a collaborator
        writes=True,
    ),
    Endpoint(
        "patch",
        lambda w: spec(f"{a(w)}/action/accept", {"Note": "on my way"}),
        bad=lambda w: spec(f"{a(w)}/action/fly", {}),
        writes=True,
    ),
    Endpoint(
        "post",
        lambda w: spec(f"{a(w)}/comment", {"Text": "Door code 1234"}),
        bad=lambda w: spec(f"{a(w)}/comment", {"Text": "x" * (services.MAX_NOTE_LENGTH + 1)}),
        writes=True,
    ),
    Endpoint("get", lambda w: spec(f"{u(w)}/collaborators")),
    Endpoint("get", lambda w: spec(f"{u(w)}/client/{w.client.pk}/collaborators")),
    Endpoint("get", lambda w: spec(f"/api/client/{w.client.pk}/collaborators"), privilege=False),
    Endpoint("get", lambda w: spec(f"/api/clients/{w.kit_client.pk}/equipmentinfo"), privilege=False),
    Endpoint("get", lambda w: spec("/api/equipment"), owned=False),
    Endpoint("post", lambda w: spec(f"/api/clients/{w.client.pk}/equipment/{w.spare.pk}"), writes=True),
    Endpoint(
        "post",
        lambda w: spec(f"/api/clients/{w.client.pk}/equipment/{w.spare.pk}/assignments/{w.assignment.pk}"),
        writes=True,
    ),
    Endpoint("get", lambda w: spec(f"/api/clients/{w.kit_client.pk}/equipment"), privilege=False),
    Endpoint("delete", lambda w: spec(f"/api/clients/{w.kit_client.pk}/equipment/{w.connected.pk}"), writes=True),
    Endpoint("get", lambda w: spec("/api/equipmentcontacts"), owned=False),
    Endpoint("get", lambda w: spec(f"/api/nextofkin/{w.kin.pk}/terms"), caller=KIN, privilege=False),
    # An unclaimed next of kin is found by any login holding its code (the code is the secret), so
    # there are no "other login's ids" here; once claimed it is 404 to others (test_people_api).
    Endpoint(
        "get",
        lambda w: spec(f"/api/nextofkin/{w.invited.pk}/usercode/{w.code}"),
        writes=True,
        caller=GUEST,
        privilege=False,
        owned=False,
    ),
    Endpoint(
        "post",
        lambda w: spec(f"/api/nextofkin/{w.kin.pk}/acceptterms", {"Version": 1}),
        bad=lambda w: spec(f"/api/nextofkin/{w.kin.pk}/acceptterms", {"Version": "one"}),
        writes=True,
        caller=KIN,
        privilege=False,
    ),
]

SAMPLE = SimpleNamespace(  # ids for naming the cases and resolving the table's routes
    assignment=SimpleNamespace(pk=1),
    nurse=SimpleNamespace(pk=2),
    colleague=SimpleNamespace(pk=3),
    guest=SimpleNamespace(pk=4),
    client=SimpleNamespace(pk=5),
    kit_client=SimpleNamespace(pk=6),
    spare=SimpleNamespace(pk=7),
    connected=SimpleNamespace(pk=8),
    kin=SimpleNamespace(pk=9),
    invited=SimpleNamespace(pk=10),
    code="ABCDEFGHJK",
)


def world() -> SimpleNamespace:
    """A care team (nurse, colleague) with a client and its new assignment for the nurse, a spare kit,
    a second client with a connected kit, a linked next of kin who has not accepted the terms yet and
    an invited one with a fresh code; a login outside the team (the guest)."""
    care = make_team()
    CareTermsFactory(version=1)
    kit_client = ClientFactory(team=care.team)
    connected = EquipmentKitFactory(team=care.team)
    KitConnection.objects.create(kit=connected, client=kit_client, connected_at=timezone.now(), connected_by=care.nurse)
    kin = NextOfKinFactory(client=kit_client, user=UserFactory())
    invited = NextOfKinFactory(client=kit_client)
    return SimpleNamespace(
        team=care.team,
        nurse=care.nurse,
        colleague=care.colleague,
        client=care.client,
        assignment=care.assignment,
        kit_client=kit_client,
        spare=EquipmentKitFactory(team=care.team),
        connected=connected,
        kin=kin,
        invited=invited,
        code=services.create_invitation(next_of_kin=invited, created_by=care.nurse),
        guest=UserFactory(),
    )


def caller(w, endpoint: Endpoint) -> APIClient:
    return client_for({STAFF: w.nurse, KIN: w.kin.user, GUEST: w.guest}[endpoint.caller])


def snapshot() -> dict[str, list]:
    """Every row of the care app (and the assets kits are made of)."""
    return app_rows("assignments", "assets")


def send(client: APIClient, endpoint: Endpoint, request: Spec):
    if endpoint.method == "get":
        return client.get(request["path"])
    return getattr(client, endpoint.method)(request["path"], request["data"], format="json")


def test_the_table_lists_every_care_route_and_method():
    routed = {
        (method, pattern.callback.view_class)
        for pattern in care_urls.urlpatterns
        for method in ("get", "post", "put", "patch", "delete")
        if hasattr(pattern.callback.view_class, method)
    }
    listed = {(e.method, resolve(e.request(SAMPLE)["path"].split("?")[0]).func.view_class) for e in ENDPOINTS}
    assert listed == routed  # resolved through the project's URLconf
    assert len(ENDPOINTS) == len(routed) == 21  # the catalogue gives `assignments` 21 endpoints


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    return response.json()


def test_every_endpoint_is_in_the_served_schema(schema):
    served = {(method, path) for path, operations in schema["paths"].items() for method in operations}
    for pattern in care_urls.urlpatterns:
        # The URL pattern as the schema writes it: /api/...{name}, without converters.
        path = "/api/" + str(pattern.pattern).replace("<int:", "{").replace("<str:", "{").replace(">", "}")
        for method in ("get", "post", "patch", "delete"):
            if hasattr(pattern.callback.view_class, method):
                assert (method, path) in served, f"{method.upper()} {path} is routed but not in the schema"


def test_the_schema_documents_the_state_machine(schema):
    operations = schema["paths"]
    action = operations["/api/assignments/{assignmentId}/action/{type}"]["patch"]["description"]
    assign = operations["/api/assignments/{assignmentId}/assign/{toUserId}"]["patch"]["description"]
    for (state, move), target in TRANSITIONS.items():
        if move == Action.ASSIGN:
            assert state.label in assign
        else:
            assert f"{state.label} --{move.label}--> {target.label}" in action
    assert schema["components"]["schemas"]["AssignmentState"]["x-enum-varnames"] == [s.label for s in State]


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_happy_path(endpoint):
    w = world()
    before = snapshot()
    response = send(caller(w, endpoint), endpoint, endpoint.request(w))
    assert response.status_code == 200, response.content
    assert (snapshot() != before) is endpoint.writes


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_no_credentials_is_401_and_writes_nothing(endpoint, anonymous):
    w = world()
    before = snapshot()
    response = send(anonymous, endpoint, endpoint.request(w))
    assert response.status_code == 401, response.content
    assert response["WWW-Authenticate"].startswith("Basic")
    assert snapshot() == before


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e.owned], ids=str)
def test_another_teams_ids_are_404_and_write_nothing(endpoint):
    w = world()
    intruder = world()  # care staff of a team of their own, with their own next of kin login
    before = snapshot()
    response = send(caller(intruder, endpoint), endpoint, endpoint.request(w))
    assert response.status_code == 404, response.content
    assert snapshot() == before


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e.bad], ids=str)
def test_bad_input_is_400_and_writes_nothing(endpoint):
    w = world()
    before = snapshot()
    response = send(caller(w, endpoint), endpoint, endpoint.bad(w))
    assert response.status_code == 400, response.content
    assert set(response.json()) == {"Message", "ModelState"}
    assert snapshot() == before


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e.caller == STAFF], ids=str)
def test_a_team_member_without_the_care_privilege_is_refused_and_writes_nothing(endpoint):
    w = world()
    w.nurse.user_permissions.clear()
    before = snapshot()
    response = send(caller(w, endpoint), endpoint, endpoint.request(w))
    assert response.status_code == (403 if endpoint.privilege else 404), response.content
    assert snapshot() == before
