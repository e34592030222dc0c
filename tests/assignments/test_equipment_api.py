"""Equipment kits: available kits, connect (409 when elsewhere), connect with an assignment,
disconnect into the history, equipment info and contacts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.assets.models import AssetType
from apps.assignments.models import Assignment, AssignmentLogEntry, KitConnection, LogKind
from apps.assignments.states import State
from tests.factories import UserFactory

from .conftest import client_for
from .factories import ClientFactory, EquipmentKitFactory, accepted_next_of_kin, make_assignment

pytestmark = pytest.mark.django_db

DEVICES = [(AssetType.SmartHomeGateway, "Gateway"), (AssetType.SmartHomeDevice, "Fall sensor")]


@pytest.fixture
def kit(care):
    return EquipmentKitFactory(team=care.team, devices=DEVICES)


def connect(api, client, kit, suffix=""):
    return api.post(f"/api/clients/{client.pk}/equipment/{kit.pk}{suffix}")


def test_available_kits_are_my_teams_unconnected_kits(care, other_care, kit):
    EquipmentKitFactory(team=other_care.team)
    connected = EquipmentKitFactory(team=care.team)
    api = client_for(care.nurse)
    connect(api, ClientFactory(team=care.team), connected)
    body = api.get("/api/equipment").json()
    assert [k["EquipmentId"] for k in body] == [kit.pk]
    assert [(d["AssetType"], d["Name"].split()[0]) for d in body[0]["Devices"]] == [(60, "Gateway"), (61, "Fall")]
    assert body[0]["Devices"][0]["AssetId"] == kit.devices.order_by("pk").first().pk


def test_connect_shows_the_kit_and_its_history(care, kit):
    api = client_for(care.nurse)
    response = connect(api, care.client, kit)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["ClientId"] == care.client.pk and body["Equipment"]["EquipmentId"] == kit.pk
    (entry,) = body["History"]
    assert entry["ConnectedByUserId"] == care.nurse.pk and entry["DisconnectedAt"] is None
    assert api.get(f"/api/clients/{care.client.pk}/equipment").json()["EquipmentId"] == kit.pk
    assert api.get(f"/api/clients/{care.client.pk}/equipmentinfo").json() == body
    assert connect(api, care.client, kit).status_code == 200  # again: nothing new
    assert KitConnection.objects.count() == 1


def test_a_kit_connected_elsewhere_is_409_and_a_client_has_one_kit(care, kit):
    api = client_for(care.nurse)
    neighbour = ClientFactory(team=care.team)
    connect(api, neighbour, kit)
    response = connect(api, care.client, kit)
    assert response.status_code == 409 and "another client" in response.json()["Message"]
    second = EquipmentKitFactory(team=care.team)
    assert connect(api, neighbour, second).status_code == 409
    assert KitConnection.objects.count() == 1


def test_disconnect_keeps_the_history_and_frees_the_kit(care, kit):
    api = client_for(care.nurse)
    connect(api, care.client, kit)
    response = api.delete(f"/api/clients/{care.client.pk}/equipment/{kit.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["Equipment"] is None
    assert body["History"][0]["DisconnectedByUserId"] == care.nurse.pk and body["History"][0]["DisconnectedAt"]
    assert api.get(f"/api/clients/{care.client.pk}/equipment").status_code == 204
    assert [k["EquipmentId"] for k in api.get("/api/equipment").json()] == [kit.pk]
    assert api.delete(f"/api/clients/{care.client.pk}/equipment/{kit.pk}").status_code == 404
    neighbour = ClientFactory(team=care.team)
    assert connect(api, neighbour, kit).status_code == 200
    assert KitConnection.objects.count() == 2


def test_connect_with_an_assignment_records_it_in_one_transaction(care, kit):
    api = client_for(care.nurse)
    response = connect(api, care.client, kit, f"/assignments/{care.assignment.pk}")
    assert response.status_code == 200
    assignment = api.get(f"/api/assignments/{care.assignment.pk}").json()
    assert assignment["EquipmentId"] == kit.pk and assignment["Log"][-1]["Kind"] == LogKind.EQUIPMENT
    assert KitConnection.objects.get().assignment_id == care.assignment.pk


def test_connect_with_a_final_assignment_is_409_and_connects_nothing(care, kit):
    Assignment.objects.filter(pk=care.assignment.pk).update(state=State.COMPLETED)
    response = connect(client_for(care.nurse), care.client, kit, f"/assignments/{care.assignment.pk}")
    assert response.status_code == 409
    assert KitConnection.objects.count() == 0  # the connection made first was rolled back
    assert Assignment.objects.get(pk=care.assignment.pk).equipment is None


def test_equipment_routes_are_scoped(care, other_care, kit, anonymous):
    foreign_kit = EquipmentKitFactory(team=other_care.team)
    api = client_for(care.nurse)
    assert connect(api, other_care.client, kit).status_code == 404
    assert connect(api, care.client, foreign_kit).status_code == 404
    assert connect(api, care.client, kit, f"/assignments/{other_care.assignment.pk}").status_code == 404
    assert api.get(f"/api/clients/{other_care.client.pk}/equipmentinfo").status_code == 404
    assert api.delete(f"/api/clients/{other_care.client.pk}/equipment/{foreign_kit.pk}").status_code == 404
    assert client_for(UserFactory()).get("/api/equipment").status_code == 403
    assert client_for(UserFactory()).post(f"/api/clients/{care.client.pk}/equipment/{kit.pk}").status_code == 403
    assert anonymous.get("/api/equipmentcontacts").status_code == 401
    assert KitConnection.objects.count() == 0


def test_next_of_kin_see_the_equipment_but_cannot_connect(care, kit, terms):
    kin = accepted_next_of_kin(care.client)
    connect(client_for(care.nurse), care.client, kit)
    api = client_for(kin.user)
    assert api.get(f"/api/clients/{care.client.pk}/equipment").json()["EquipmentId"] == kit.pk
    assert api.get(f"/api/clients/{care.client.pk}/equipmentinfo").status_code == 200
    assert api.delete(f"/api/clients/{care.client.pk}/equipment/{kit.pk}").status_code == 403
    assert KitConnection.objects.get().disconnected_at is None


def test_equipment_contacts(care, other_care, kit, terms):
    kin = accepted_next_of_kin(care.client)
    connect(client_for(care.nurse), care.client, kit)
    other_kit = EquipmentKitFactory(team=other_care.team)
    connect(client_for(other_care.nurse), other_care.client, other_kit)
    body = client_for(care.colleague).get("/api/equipmentcontacts").json()
    assert sorted((c["EquipmentId"], c["ContactType"], c["UserId"]) for c in body) == [
        (kit.pk, 1, care.nurse.pk),  # assigned to the client's open assignment
        (kit.pk, 2, kin.user.pk),
    ]
    assert {c["ClientId"] for c in body} == {care.client.pk}


def _queries(api, path):
    with CaptureQueriesContext(connection) as queries:
        assert api.get(path).status_code == 200
    return len(queries)


@pytest.mark.parametrize("path", ["/api/equipment", "/api/equipmentcontacts"])
def test_equipment_lists_run_a_constant_number_of_queries(care, path, terms):
    api = client_for(care.nurse)
    api.get(path)
    EquipmentKitFactory(team=care.team)
    connect(api, care.client, EquipmentKitFactory(team=care.team, devices=DEVICES))
    accepted_next_of_kin(care.client)
    few = _queries(api, path)
    for _ in range(4):
        client = ClientFactory(team=care.team)
        make_assignment(client, assignee=care.colleague)
        accepted_next_of_kin(client)
        connect(api, client, EquipmentKitFactory(team=care.team, devices=DEVICES))
        EquipmentKitFactory(team=care.team, devices=DEVICES)
    assert _queries(api, path) == few


def test_equipment_info_runs_a_constant_number_of_queries(care):
    api = client_for(care.nurse)
    path = f"/api/clients/{care.client.pk}/equipmentinfo"
    api.get(path)
    kit = EquipmentKitFactory(team=care.team)
    connect(api, care.client, kit)
    few = _queries(api, path)
    for _ in range(3):
        api.delete(f"/api/clients/{care.client.pk}/equipment/{kit.pk}")
        kit = EquipmentKitFactory(team=care.team, devices=DEVICES)
        connect(api, care.client, kit)
    assert _queries(api, path) == few
    assert AssignmentLogEntry.objects.count() == 1
