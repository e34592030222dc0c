"""seed_demo's care data (idempotent, usable logins) and the care admin pages."""

import pytest
from django.test import Client
from django.urls import reverse

from apps.assignments import demo
from apps.assignments.models import (
    Assignment,
    AssignmentLogEntry,
    CareTeam,
    EquipmentKit,
    KitConnection,
    NextOfKin,
    NextOfKinInvitation,
)
from apps.assignments.models import (
    Client as CareClient,
)
from apps.assignments.states import State
from apps.customers.models import User
from tests.conftest import basic
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
MODELS = [CareTeam, CareClient, Assignment, AssignmentLogEntry, EquipmentKit, KitConnection, NextOfKin]


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def test_seed_makes_a_team_with_two_staff_a_next_of_kin_and_assignments_in_several_states():
    reports = []
    demo.seed(users=[], days=3, progress=lambda done, total: reports.append((done, total)))
    first = counts()
    demo.seed(users=[], days=3, progress=lambda *a: None)
    assert counts() == first
    assert reports[-1] == (4, 4)  # the first team's three clients and the second team's one
    assert {State(s) for s in Assignment.objects.values_list("state", flat=True)} == {
        State.NEW,
        State.ACCEPTED,
        State.STARTED,
        State.COMPLETED,
        State.CANCELLED,
        State.REJECTED,
    }
    # Two kits connected and two spare in the first team, one connected in the second.
    assert KitConnection.objects.filter(disconnected_at__isnull=True).count() == 3
    assert EquipmentKit.objects.count() == 5

    from rest_framework.test import APIClient

    def login(name):
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=basic(name, f"{name}-password"))
        return api

    nurse = User.objects.get(username="nurse1")
    mine = login("nurse1").get(f"/api/users/{nurse.pk}/assignments").json()
    assert mine and all(a["AssignedUserId"] == nurse.pk for a in mine)
    assert len(login("nurse2").get("/api/equipment").json()) == 2
    kin = NextOfKin.objects.get(user__username="kin1")
    assert login("kin1").get(f"/api/clients/{kin.client_id}/equipment").status_code == 200
    assert login("kin1").get(f"/api/nextofkin/{kin.pk}/terms").json()["Accepted"] is True


def test_admin_pages_and_the_invitation_action(care, terms):
    from .factories import EquipmentKitFactory, NextOfKinFactory

    admin = UserFactory(is_staff=True, is_superuser=True)
    kin = NextOfKinFactory(client=care.client)
    kit = EquipmentKitFactory(team=care.team)
    api = Client()
    api.force_login(admin)
    for name, obj in [
        ("careteam", care.team),
        ("client", care.client),
        ("assignment", care.assignment),
        ("equipmentkit", kit),
        ("nextofkin", kin),
        ("careterms", terms),
    ]:
        assert api.get(reverse(f"admin:assignments_{name}_changelist")).status_code == 200
        assert api.get(reverse(f"admin:assignments_{name}_change", args=[obj.pk])).status_code == 200
    change = reverse("admin:assignments_assignment_change", args=[care.assignment.pk])
    page = api.get(change).content.decode()
    assert "Created" in page  # the log inline
    # A hand-over is logged by the API only: the admin's change form cannot move the assignee.
    form = {"title": "Renamed", "description": "", "assignee": care.colleague.pk}
    form.update({"log-TOTAL_FORMS": 0, "log-INITIAL_FORMS": 0})  # the log inline's (empty) formset
    assert api.post(change, form).status_code == 302
    care.assignment.refresh_from_db()
    assert (care.assignment.title, care.assignment.assignee) == ("Renamed", care.nurse)
    assert care.assignment.log.count() == 1
    response = api.post(
        reverse("admin:assignments_nextofkin_changelist"),
        {"action": "invite", "_selected_action": [kin.pk]},
        follow=True,
    )
    assert response.status_code == 200 and "User code for" in response.content.decode()
    assert NextOfKinInvitation.objects.filter(next_of_kin=kin).count() == 1
    assert api.get(reverse("admin:assignments_nextofkininvitation_changelist")).status_code == 200
