"""Every care endpoint on the contract harness (tests/api/harness.py): the happy path (200; reads
write nothing, writes change something), no credentials (401), another team's or another login's
ids (404), bad input (400) and, on the staff routes, a missing `care` privilege (403); none of the
refusals writes anything (every care table compared before and after). The table is checked
against the URLconf and the served schema, so a route added later must be listed here. Behaviour
in detail is in the topic files next to this one (assignments, people, equipment)."""

from __future__ import annotations

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from apps.assignments import services
from apps.assignments.api import urls as care_urls
from apps.assignments.states import TRANSITIONS, Action, State
from tests.api.harness import Bad, Endpoint, EndpointContract, World
from tests.assignments.factories import KitConnectionFactory
from tests.factories import UserFactory

from .conftest import make_team
from .factories import CareTermsFactory, ClientFactory, EquipmentKitFactory, NextOfKinFactory

A = "/api/assignments/{assignment}"
U = "/api/users/{nurse}"
KIN, GUEST = "kin", "guest"  # who calls besides care staff ("owner"): a linked next of kin, any login


def staff(method: str, path: str, body=None, *, reaches_kin: bool = False, **options) -> Endpoint:
    """A route care staff call: 403 without `care`; the client's next of kin and equipment reads
    also admit next of kin, so there a team member without the privilege is simply not reached (404)."""
    return Endpoint(method, path, body, privilege="care", refused_status=404 if reaches_kin else 403, **options)


class TestCareEndpoints(EndpointContract):
    apps = ("assignments", "assets")  # the care app and the assets kits are made of
    urlpatterns = care_urls.urlpatterns
    malformed_json = False
    endpoints = [
        staff("GET", U + "/assignments", bad=(Bad(path=U + "/assignments?state=9"),)),
        staff("GET", A),
        staff("GET", U + "/assignments/{assignment}"),
        staff(
            "GET", "/api/clients/{client}/assignments", bad=(Bad(path="/api/clients/{client}/assignments?pageSize=0"),)
        ),
        staff("GET", U + "/clients/{client}/assignments", bad=(Bad(path=U + "/clients/{client}/assignments?page=0"),)),
        staff(
            "PATCH",
            A + "/assign/{colleague}",
            {"Note": "over to you"},
            bad=(Bad(path=A + "/assign/{guest}", body={}),),  # not a collaborator
            writes=True,
        ),
        staff(
            "PATCH",
            A + "/action/accept",
            {"Note": "on my way"},
            bad=(Bad(path=A + "/action/fly", body={}),),
            writes=True,
        ),
        staff(
            "POST",
            A + "/comment",
            {"Text": "Door code 1234"},
            bad=(Bad({"Text": "x" * (services.MAX_NOTE_LENGTH + 1)}),),
            writes=True,
        ),
        staff("GET", U + "/collaborators"),
        staff("GET", U + "/client/{client}/collaborators"),
        staff("GET", "/api/client/{client}/collaborators", reaches_kin=True),
        staff("GET", "/api/clients/{kit_client}/equipmentinfo", reaches_kin=True),
        staff("GET", "/api/equipment", owned=False),
        staff("POST", "/api/clients/{client}/equipment/{spare}", writes=True),
        staff("POST", "/api/clients/{client}/equipment/{spare}/assignments/{assignment}", writes=True),
        staff("GET", "/api/clients/{kit_client}/equipment", reaches_kin=True),
        staff("DELETE", "/api/clients/{kit_client}/equipment/{connected}", writes=True),
        staff("GET", "/api/equipmentcontacts", owned=False),
        Endpoint("GET", "/api/nextofkin/{kin}/terms", login=KIN),
        # An unclaimed next of kin is found by any login holding its code (the code is the secret), so
        # there are no "other login's ids" here; once claimed it is 404 to others (test_people_api).
        Endpoint("GET", "/api/nextofkin/{invited}/usercode/{code}", writes=True, login=GUEST, owned=False),
        Endpoint(
            "POST",
            "/api/nextofkin/{kin}/acceptterms",
            {"Version": 1},
            bad=(Bad({"Version": "one"}),),
            writes=True,
            login=KIN,
        ),
    ]

    def world(self) -> World:
        """A care team (nurse, colleague) with a client and its new assignment for the nurse, a spare
        kit, a second client with a connected kit, a linked next of kin who has not accepted the terms
        yet and an invited one with a fresh code; a login outside the team (the guest)."""
        care = make_team()
        CareTermsFactory(version=1)
        kit_client = ClientFactory(team=care.team)
        connected = EquipmentKitFactory(team=care.team)
        KitConnectionFactory(kit=connected, client=kit_client, connected_at=timezone.now(), connected_by=care.nurse)
        kin = NextOfKinFactory(client=kit_client, user=UserFactory())
        invited = NextOfKinFactory(client=kit_client)
        guest = UserFactory()
        values = {
            "assignment": care.assignment.pk,
            "nurse": care.nurse.pk,
            "colleague": care.colleague.pk,
            "guest": guest.pk,
            "client": care.client.pk,
            "kit_client": kit_client.pk,
            "spare": EquipmentKitFactory(team=care.team).pk,
            "connected": connected.pk,
            "kin": kin.pk,
            "invited": invited.pk,
            "code": services.create_invitation(next_of_kin=invited, created_by=care.nurse),
        }
        return World(values, {"owner": care.nurse, KIN: kin.user, GUEST: guest})


def test_the_catalogue_gives_assignments_21_endpoints():
    assert len(TestCareEndpoints.endpoints) == 21


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
