"""Assignments: reads, the action endpoint (every illegal move), hand-over, comments, reach."""

import itertools

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.assignments.models import Assignment, AssignmentLogEntry, LogKind
from apps.assignments.states import TRANSITIONS, Action, State
from tests.factories import UserFactory

from .conftest import client_for
from .factories import ClientFactory, make_assignment, staff_member

pytestmark = pytest.mark.django_db


def url(assignment, suffix=""):
    return f"/api/assignments/{assignment.pk}{suffix}"


# --- reading ---------------------------------------------------------------------------------


def test_an_assignment_with_its_log(care):
    body = client_for(care.nurse).get(url(care.assignment)).json()
    assert body["AssignmentId"] == care.assignment.pk and body["ClientId"] == care.client.pk
    assert body["ClientName"] == str(care.client)
    assert body["State"] == 1 and body["AssignedUserId"] == care.nurse.pk
    assert body["AllowedActions"] == [1, 2, 5]  # Accept, Reject, Cancel (Assign has its own route)
    assert body["EquipmentId"] is None
    (created,) = body["Log"]
    assert created["Kind"] == LogKind.CREATED and created["ToState"] == 1 and created["UserId"] == care.colleague.pk
    assert created["Time"].count(":") == 2 and "+" not in created["Time"]


def test_another_teams_assignment_is_404_and_without_care_403_and_anonymous_401(care, other_care, anonymous):
    assert client_for(care.nurse).get(url(other_care.assignment)).status_code == 404
    outsider = UserFactory()
    assert client_for(outsider).get(url(care.assignment)).status_code == 403
    uncared = staff_member(care.team, care=False)  # in the team but without the privilege
    assert client_for(uncared).get(url(care.assignment)).status_code == 403
    response = anonymous.get(url(care.assignment))
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Basic")


def test_the_users_assignments_newest_first_paged_and_filtered(care):
    second = make_assignment(care.client, assignee=care.nurse, title="Evening visit")
    make_assignment(care.client, assignee=care.colleague, title="Not the nurse's")
    api = client_for(care.nurse)
    body = api.get(f"/api/users/{care.nurse.pk}/assignments").json()
    assert [a["AssignmentId"] for a in body] == [second.pk, care.assignment.pk]
    page2 = api.get(f"/api/users/{care.nurse.pk}/assignments?pageSize=1&page=2").json()
    assert [a["AssignmentId"] for a in page2] == [care.assignment.pk]
    api.patch(url(second, "/action/accept"))
    for state in ("2", "Accepted", "accepted"):
        filtered = api.get(f"/api/users/{care.nurse.pk}/assignments?state={state}").json()
        assert [a["AssignmentId"] for a in filtered] == [second.pk]


@pytest.mark.parametrize(
    "query", ["state=9", "state=open", "pageSize=0", f"pageSize={settings.API_MAX_PAGE_SIZE + 1}", "page=0", "page=x"]
)
def test_bad_list_parameters_are_400(care, query):
    response = client_for(care.nurse).get(f"/api/users/{care.nurse.pk}/assignments?{query}")
    assert response.status_code == 400
    assert set(response.json()) == {"Message", "ModelState"}


def test_another_users_list_is_404(care, other_care):
    api = client_for(care.nurse)
    assert api.get(f"/api/users/{care.colleague.pk}/assignments").status_code == 404
    assert api.get(f"/api/users/{other_care.nurse.pk}/assignments").status_code == 404


def test_user_assignment_route(care, other_care):
    api = client_for(care.nurse)
    body = api.get(f"/api/users/{care.nurse.pk}/assignments/{care.assignment.pk}").json()
    assert body["AssignmentId"] == care.assignment.pk and body["Log"]
    assert api.get(f"/api/users/{care.nurse.pk}/assignments/{other_care.assignment.pk}").status_code == 404
    assert api.get(f"/api/users/{care.colleague.pk}/assignments/{care.assignment.pk}").status_code == 404


def test_client_assignment_lists(care, other_care):
    mine = make_assignment(care.client, assignee=care.colleague)
    api = client_for(care.nurse)
    paths = [
        f"/api/clients/{care.client.pk}/assignments",
        f"/api/users/{care.nurse.pk}/clients/{care.client.pk}/assignments",
    ]
    for path in paths:
        assert [a["AssignmentId"] for a in api.get(path).json()] == [mine.pk, care.assignment.pk]
    assert api.get(f"/api/clients/{other_care.client.pk}/assignments").status_code == 404
    assert api.get(f"/api/users/{care.nurse.pk}/clients/{other_care.client.pk}/assignments").status_code == 404
    assert api.get(f"/api/users/{care.colleague.pk}/clients/{care.client.pk}/assignments").status_code == 404


LISTS = [
    lambda care: f"/api/users/{care.nurse.pk}/assignments",
    lambda care: f"/api/clients/{care.client.pk}/assignments",
    lambda care: f"/api/users/{care.nurse.pk}/clients/{care.client.pk}/assignments",
]


@pytest.mark.parametrize("path", LISTS, ids=["user", "client", "user-client"])
def test_lists_run_a_constant_number_of_queries(care, path):
    api = client_for(care.nurse)
    api.get(path(care))  # warm the credential cache

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert api.get(path(care)).status_code == 200
        return len(queries)

    few = count()
    for i in range(6):
        extra = make_assignment(care.client, assignee=care.nurse, title=f"Visit {i}")
        client_for(care.nurse).patch(url(extra, "/action/1"))
        client_for(care.nurse).post(url(extra, "/comment"), {"Text": "ok"}, format="json")
    assert count() == few


# --- actions ---------------------------------------------------------------------------------


def test_accept_start_complete_each_logged_with_who_from_to_and_note(care):
    api = client_for(care.nurse)
    for action, state in (("1", 2), ("Start", 3), ("COMPLETE", 4)):
        response = api.patch(url(care.assignment, f"/action/{action}"), {"Note": f"did {action}"}, format="json")
        assert response.status_code == 200, response.content
        assert response.json()["State"] == state
    log = response.json()["Log"]
    assert [(e["Kind"], e["Action"], e["FromState"], e["ToState"]) for e in log[1:]] == [
        (LogKind.ACTION, 1, 1, 2),
        (LogKind.ACTION, 3, 2, 3),
        (LogKind.ACTION, 4, 3, 4),
    ]
    assert {e["UserId"] for e in log[1:]} == {care.nurse.pk}
    assert log[-1]["Note"] == "did COMPLETE"
    assert response.json()["AllowedActions"] == []


ILLEGAL = [
    (state, action)
    for state, action in itertools.product(State, Action)
    if (state, action) not in TRANSITIONS and action != Action.ASSIGN
]


@pytest.mark.parametrize(("state", "action"), ILLEGAL, ids=lambda v: v.label)
def test_every_illegal_move_is_409_naming_the_state_and_changes_nothing(care, state, action):
    Assignment.objects.filter(pk=care.assignment.pk).update(state=state)
    response = client_for(care.nurse).patch(url(care.assignment, f"/action/{int(action)}"))
    assert response.status_code == 409
    assert state.label in response.json()["Message"]
    assert Assignment.objects.get(pk=care.assignment.pk).state == state
    assert AssignmentLogEntry.objects.filter(assignment=care.assignment).count() == 1


@pytest.mark.parametrize("action", ["0", "8", "Assign", "7", "fly", "-1"])
def test_unknown_actions_are_400(care, action):
    response = client_for(care.nurse).patch(url(care.assignment, f"/action/{action}"))
    assert response.status_code == 400 and "Type" in response.json()["ModelState"]
    assert Assignment.objects.get(pk=care.assignment.pk).state == State.NEW


@pytest.mark.parametrize("body", [{"Note": "x" * 1001}, {"Note": 5}])
def test_a_bad_note_is_400_and_nothing_moves(care, body):
    response = client_for(care.nurse).patch(url(care.assignment, "/action/1"), body, format="json")
    assert response.status_code == 400 and "Note" in response.json()["ModelState"]
    assert Assignment.objects.get(pk=care.assignment.pk).state == State.NEW
    assert AssignmentLogEntry.objects.count() == 1


def test_actions_on_another_teams_assignment_are_404(care, other_care):
    response = client_for(care.nurse).patch(url(other_care.assignment, "/action/1"))
    assert response.status_code == 404
    assert Assignment.objects.get(pk=other_care.assignment.pk).state == State.NEW


# --- hand-over -------------------------------------------------------------------------------


def test_assign_to_a_colleague_makes_it_new_for_them_and_is_logged(care):
    api = client_for(care.nurse)
    api.patch(url(care.assignment, "/action/accept"))
    response = api.patch(url(care.assignment, f"/assign/{care.colleague.pk}"), {"Note": "over to you"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["AssignedUserId"] == care.colleague.pk and body["State"] == State.NEW
    entry = body["Log"][-1]
    assert (entry["Kind"], entry["FromUserId"], entry["ToUserId"], entry["FromState"], entry["ToState"]) == (
        LogKind.ASSIGNED,
        care.nurse.pk,
        care.colleague.pk,
        State.ACCEPTED,
        State.NEW,
    )
    assert entry["Note"] == "over to you" and entry["UserId"] == care.nurse.pk


def test_assign_to_someone_who_is_not_a_collaborator_is_400_naming_them(care, other_care):
    for stranger in (other_care.nurse, UserFactory(), care.nurse):  # another team, no team, oneself
        response = client_for(care.nurse).patch(url(care.assignment, f"/assign/{stranger.pk}"))
        assert response.status_code == 400
        assert str(stranger.pk) in response.json()["ModelState"]["ToUserId"][0]
    assert Assignment.objects.get(pk=care.assignment.pk).assignee == care.nurse
    assert AssignmentLogEntry.objects.filter(assignment=care.assignment).count() == 1


def test_assign_to_an_unknown_user_is_404(care):
    response = client_for(care.nurse).patch(url(care.assignment, "/assign/987654"))
    assert response.status_code == 404 and "987654" in response.json()["Message"]


NO_HAND_OVER = [state for state in State if (state, Action.ASSIGN) not in TRANSITIONS]


@pytest.mark.parametrize("state", NO_HAND_OVER, ids=lambda v: v.label)
def test_every_illegal_hand_over_is_409_naming_the_state_and_changes_nothing(care, state):
    Assignment.objects.filter(pk=care.assignment.pk).update(state=state)
    response = client_for(care.nurse).patch(url(care.assignment, f"/assign/{care.colleague.pk}"))
    assert response.status_code == 409 and state.label in response.json()["Message"]
    assignment = Assignment.objects.get(pk=care.assignment.pk)
    assert (assignment.state, assignment.assignee) == (state, care.nurse)
    assert AssignmentLogEntry.objects.filter(assignment=care.assignment).count() == 1


def test_a_colleague_of_another_client_of_my_teams_is_not_a_collaborator_for_this_client(care):
    # The nurse is in a second team; its member is a collaborator, but not for care.client.
    from .factories import CareTeamFactory

    night = CareTeamFactory()
    staff_member(night, care.nurse)
    night_nurse = staff_member(night)
    ClientFactory(team=night)
    response = client_for(care.nurse).patch(url(care.assignment, f"/assign/{night_nurse.pk}"))
    assert response.status_code == 400


# --- comments --------------------------------------------------------------------------------


def test_a_comment_is_logged_with_author_and_time(care):
    response = client_for(care.colleague).post(
        url(care.assignment, "/comment"), {"text": "Door code 1234"}, format="json"
    )
    assert response.status_code == 200
    entry = response.json()["Log"][-1]
    assert (entry["Kind"], entry["Note"], entry["UserId"]) == (LogKind.COMMENT, "Door code 1234", care.colleague.pk)
    assert entry["Time"]


@pytest.mark.parametrize("body", [{}, {"Text": ""}, {"Text": "x" * 1001}, {"Text": 12}, {"Text": None}])
def test_bad_comments_are_400_and_nothing_is_written(care, body):
    response = client_for(care.nurse).post(url(care.assignment, "/comment"), body, format="json")
    assert response.status_code == 400 and set(response.json()) == {"Message", "ModelState"}
    assert AssignmentLogEntry.objects.count() == 1


def test_comments_on_another_teams_assignment_are_404(care, other_care):
    response = client_for(care.nurse).post(url(other_care.assignment, "/comment"), {"Text": "hi"}, format="json")
    assert response.status_code == 404
    assert AssignmentLogEntry.objects.filter(assignment=other_care.assignment).count() == 1


@pytest.mark.parametrize("to_user", ["99999999999999999999", "9223372036854775808"])
def test_an_impossible_colleague_id_is_404(care, to_user):
    response = client_for(care.nurse).patch(url(care.assignment, f"/assign/{to_user}"))
    assert response.status_code == 404


def test_support_staff_with_the_care_privilege_read_another_users_assignments(care):
    from django.contrib.auth.models import Permission

    from .factories import grant_care

    supporter = grant_care(UserFactory(is_staff=True))
    api = client_for(supporter)
    assert api.get(f"/api/users/{care.nurse.pk}/assignments").status_code == 404  # staff alone is not enough
    supporter.user_permissions.add(Permission.objects.get(codename="support", content_type__app_label="customers"))
    body = api.get(f"/api/users/{care.nurse.pk}/assignments").json()
    assert [a["AssignmentId"] for a in body] == [care.assignment.pk]
    path = f"/api/users/{care.nurse.pk}/clients/{care.client.pk}/assignments"
    assert [a["AssignmentId"] for a in api.get(path).json()] == [care.assignment.pk]
