"""Collaborators, the client's next of kin, next-of-kin user codes and terms."""

import datetime as dt

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone

from apps.assignments import services
from apps.assignments.models import NextOfKin, NextOfKinInvitation, NextOfKinTermsAcceptance
from tests.factories import UserFactory

from .conftest import client_for
from .factories import (
    CareTeamFactory,
    CareTermsFactory,
    ClientFactory,
    NextOfKinFactory,
    accepted_next_of_kin,
    staff_member,
)

pytestmark = pytest.mark.django_db


# --- collaborators ---------------------------------------------------------------------------


def test_collaborators_are_the_members_of_my_teams_but_me(care, other_care):
    night = CareTeamFactory()
    staff_member(night, care.nurse)
    night_nurse = staff_member(night)
    night_client = ClientFactory(team=night)
    api = client_for(care.nurse)
    everyone = api.get(f"/api/users/{care.nurse.pk}/collaborators").json()
    assert sorted(c["UserId"] for c in everyone) == sorted([care.colleague.pk, night_nurse.pk])
    assert set(everyone[0]) == {"UserId", "UserName", "FirstName", "LastName", "Email"}
    for_client = api.get(f"/api/users/{care.nurse.pk}/client/{care.client.pk}/collaborators").json()
    assert [c["UserId"] for c in for_client] == [care.colleague.pk]
    for_night = api.get(f"/api/users/{care.nurse.pk}/client/{night_client.pk}/collaborators").json()
    assert [c["UserId"] for c in for_night] == [night_nurse.pk]


def test_collaborator_routes_are_scoped(care, other_care, anonymous):
    api = client_for(care.nurse)
    assert api.get(f"/api/users/{care.colleague.pk}/collaborators").status_code == 404
    assert api.get(f"/api/users/{care.nurse.pk}/client/{other_care.client.pk}/collaborators").status_code == 404
    assert client_for(UserFactory()).get(f"/api/users/{care.nurse.pk}/collaborators").status_code == 403
    assert anonymous.get(f"/api/users/{care.nurse.pk}/collaborators").status_code == 401


def test_the_clients_next_of_kin_for_staff_and_for_accepted_next_of_kin_only(care, other_care, terms):
    kin = accepted_next_of_kin(care.client)
    unlinked = NextOfKinFactory(client=care.client)
    NextOfKinFactory(client=other_care.client)
    path = f"/api/client/{care.client.pk}/collaborators"
    body = client_for(care.nurse).get(path).json()
    assert sorted(k["Id"] for k in body) == sorted([kin.pk, unlinked.pk])
    assert {k["ClientId"] for k in body} == {care.client.pk}
    assert client_for(kin.user).get(path).status_code == 200
    # The next of kin reaches their own client only; a new terms version hides it until accepted.
    assert client_for(kin.user).get(f"/api/client/{other_care.client.pk}/collaborators").status_code == 404
    CareTermsFactory(version=2)
    assert client_for(kin.user).get(path).status_code == 404
    assert client_for(other_care.nurse).get(path).status_code == 404
    assert client_for(UserFactory()).get(path).status_code == 404


# --- user codes ------------------------------------------------------------------------------


def code_url(kin, code):
    return f"/api/nextofkin/{kin.pk}/usercode/{code}"


def test_a_user_code_links_the_login_once(care, terms):
    kin = NextOfKinFactory(client=care.client)
    code = services.create_invitation(next_of_kin=kin, created_by=care.nurse)
    assert len(code) == 10 and not NextOfKinInvitation.objects.filter(code_hash=code).exists()  # stored hashed
    login = UserFactory()
    response = client_for(login).get(code_url(kin, code.lower()))
    assert response.status_code == 200, response.content
    assert response.json() == {
        "NextOfKinId": kin.pk,
        "ClientId": care.client.pk,
        "ClientFirstName": care.client.first_name,
        "FirstName": kin.first_name,
        "LastName": kin.last_name,
        "Relation": kin.relation,
    }
    assert NextOfKin.objects.get(pk=kin.pk).user == login
    invitation = NextOfKinInvitation.objects.get()
    assert invitation.used_by == login and invitation.used_at is not None
    # Used: 410 for the same login; for anyone else the next of kin is no longer reachable.
    assert client_for(login).get(code_url(kin, code)).status_code == 410
    assert client_for(UserFactory()).get(code_url(kin, code)).status_code == 404


def test_an_expired_code_is_410_and_links_nobody(care):
    kin = NextOfKinFactory(client=care.client)
    code = services.create_invitation(next_of_kin=kin, valid_for=dt.timedelta(hours=1))
    NextOfKinInvitation.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = client_for(UserFactory()).get(code_url(kin, code))
    assert response.status_code == 410 and "expired" in response.json()["Message"]
    assert NextOfKin.objects.get(pk=kin.pk).user is None


def test_a_code_of_another_next_of_kin_is_404(care):
    kin, sibling = NextOfKinFactory(client=care.client), NextOfKinFactory(client=care.client)
    code = services.create_invitation(next_of_kin=sibling)
    assert client_for(UserFactory()).get(code_url(kin, code)).status_code == 404
    assert NextOfKin.objects.filter(user__isnull=False).count() == 0


def test_codes_are_random():
    kin = NextOfKinFactory()
    codes = {services.create_invitation(next_of_kin=kin) for _ in range(50)}
    assert len(codes) == 50 and all(set(c) <= set(services.CODE_ALPHABET) for c in codes)


@override_settings(ASSIGNMENTS_CODE_ATTEMPTS=3)
def test_guessing_is_limited_per_client_address(care):
    kin = NextOfKinFactory(client=care.client)
    code = services.create_invitation(next_of_kin=kin)
    guesser = client_for(UserFactory())
    statuses = [guesser.get(code_url(kin, f"WRONG{i}")).status_code for i in range(2)]
    statuses.append(guesser.get(f"/api/nextofkin/{kin.pk + 1000}/usercode/WRONG").status_code)  # probing ids counts
    assert statuses == [404, 404, 404]
    locked = guesser.get(code_url(kin, code))  # even the right code, from that address
    assert locked.status_code == 429 and int(locked["Retry-After"]) > 0
    assert NextOfKin.objects.get(pk=kin.pk).user is None
    elsewhere = client_for(UserFactory())
    assert elsewhere.get(code_url(kin, code), REMOTE_ADDR="10.1.2.3").status_code == 200


CODE_CLOCK = dt.datetime(2025, 3, 12, 9, 17, 5, tzinfo=dt.UTC)


@override_settings(ASSIGNMENTS_CODE_ATTEMPTS=3, ASSIGNMENTS_CODE_BURST_SECONDS=60)
def test_an_address_is_held_back_for_a_burst_window_only(care):
    """One client's wrong codes hold back the others behind the same address for about a minute,
    not for the next of kin's 15 minutes."""
    kin = NextOfKinFactory(client=care.client)
    code = services.create_invitation(next_of_kin=kin)
    neighbour_user = UserFactory()
    guesser, neighbour = client_for(UserFactory()), client_for(neighbour_user)
    with time_machine.travel(CODE_CLOCK, tick=False) as clock:
        assert [guesser.get(code_url(kin, f"WRONG{i}")).status_code for i in range(3)] == [404, 404, 404]
        held = neighbour.get(code_url(kin, code))  # the same address (the test client's 127.0.0.1)
        assert held.status_code == 429 and 0 < int(held["Retry-After"]) <= 60
        clock.shift(59)
        assert neighbour.get(code_url(kin, code)).status_code == 429
        clock.shift(2)
        assert neighbour.get(code_url(kin, code)).status_code == 200
    assert NextOfKin.objects.get(pk=kin.pk).user_id == neighbour_user.pk


@override_settings(ASSIGNMENTS_CODE_ATTEMPTS=100, ASSIGNMENTS_INVITATION_CODE_ATTEMPTS=3)
def test_wrong_codes_for_one_next_of_kin_lock_its_codes_from_every_address(care):
    kin = NextOfKinFactory(client=care.client)
    other_kin = NextOfKinFactory(client=care.client)
    code = services.create_invitation(next_of_kin=kin)
    other_code = services.create_invitation(next_of_kin=other_kin)
    guesser, invited = client_for(UserFactory()), client_for(UserFactory())
    with time_machine.travel(CODE_CLOCK, tick=False) as clock:
        for i in range(3):  # a guesser rotating addresses
            assert guesser.get(code_url(kin, f"WRONG{i}"), REMOTE_ADDR=f"10.7.0.{i + 1}").status_code == 404
        locked = invited.get(code_url(kin, code), REMOTE_ADDR="10.7.1.1")  # even the right code
        assert locked.status_code == 429 and 0 < int(locked["Retry-After"]) <= 900
        assert locked.json()["Message"].startswith("Too many wrong user codes for this next of kin.")
        assert NextOfKin.objects.get(pk=kin.pk).user is None
        assert not NextOfKinInvitation.objects.filter(next_of_kin=kin, used_at__isnull=False).exists()
        # Another next of kin's code still works from the guesser's addresses.
        other_invited = client_for(UserFactory())
        assert other_invited.get(code_url(other_kin, other_code), REMOTE_ADDR="10.7.0.1").status_code == 200
        clock.shift(899)
        assert invited.get(code_url(kin, code), REMOTE_ADDR="10.7.1.1").status_code == 429
        clock.shift(2)
        assert invited.get(code_url(kin, code), REMOTE_ADDR="10.7.1.1").status_code == 200


# --- terms -----------------------------------------------------------------------------------


def test_terms_then_acceptance_then_a_new_version_needs_it_again(care, terms):
    kin = NextOfKinFactory(client=care.client, user=UserFactory())
    api = client_for(kin.user)
    body = api.get(f"/api/nextofkin/{kin.pk}/terms").json()
    assert body == {
        "Version": 1,
        "Text": terms.text,
        "PublishedAt": body["PublishedAt"],
        "Accepted": False,
        "AcceptedAt": None,
    }
    assert api.get(f"/api/clients/{care.client.pk}/equipment").status_code == 404  # not before accepting
    accepted = api.post(f"/api/nextofkin/{kin.pk}/acceptterms", {"Version": 1}, format="json")
    assert accepted.status_code == 200 and accepted.json()["Accepted"] is True
    (row,) = NextOfKinTermsAcceptance.objects.all()
    assert (row.terms.version, row.user) == (1, kin.user) and row.accepted_at is not None
    assert api.get(f"/api/clients/{care.client.pk}/equipment").status_code == 204  # reachable, no kit yet
    CareTermsFactory(version=2)
    assert api.get(f"/api/nextofkin/{kin.pk}/terms").json()["Accepted"] is False
    stale = api.post(f"/api/nextofkin/{kin.pk}/acceptterms", {"Version": 1}, format="json")
    assert stale.status_code == 409 and "2" in stale.json()["Message"]
    assert api.post(f"/api/nextofkin/{kin.pk}/acceptterms").json()["Version"] == 2
    assert NextOfKinTermsAcceptance.objects.count() == 2


@pytest.mark.parametrize("body", [{"Version": "one"}, {"Version": 1.5}, {"Version": True}])
def test_bad_accept_bodies_are_400_and_nothing_is_written(care, terms, body):
    kin = NextOfKinFactory(client=care.client, user=UserFactory())
    response = client_for(kin.user).post(f"/api/nextofkin/{kin.pk}/acceptterms", body, format="json")
    assert response.status_code == 400 and "Version" in response.json()["ModelState"]
    assert NextOfKinTermsAcceptance.objects.count() == 0


def test_terms_routes_are_for_the_linked_login_only(care, terms, anonymous):
    kin = NextOfKinFactory(client=care.client, user=UserFactory())
    for api in (client_for(UserFactory()), client_for(care.nurse)):
        assert api.get(f"/api/nextofkin/{kin.pk}/terms").status_code == 404
        assert api.post(f"/api/nextofkin/{kin.pk}/acceptterms").status_code == 404
    assert anonymous.get(f"/api/nextofkin/{kin.pk}/terms").status_code == 401
    assert NextOfKinTermsAcceptance.objects.count() == 0


def test_no_published_terms_is_404(care):
    kin = NextOfKinFactory(client=care.client, user=UserFactory())
    assert client_for(kin.user).get(f"/api/nextofkin/{kin.pk}/terms").status_code == 404
    assert client_for(kin.user).post(f"/api/nextofkin/{kin.pk}/acceptterms").status_code == 404


def test_people_lists_run_a_constant_number_of_queries(care, terms):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    paths = [
        f"/api/users/{care.nurse.pk}/collaborators",
        f"/api/users/{care.nurse.pk}/client/{care.client.pk}/collaborators",
        f"/api/client/{care.client.pk}/collaborators",
    ]
    api = client_for(care.nurse)
    api.get(paths[0])

    def counts():
        result = []
        for path in paths:
            with CaptureQueriesContext(connection) as queries:
                assert api.get(path).status_code == 200
            result.append(len(queries))
        return result

    few = counts()
    for _ in range(4):
        staff_member(care.team)
        accepted_next_of_kin(care.client)
        NextOfKinFactory(client=care.client)
    assert counts() == few


def test_an_ipv6_guesser_cannot_rotate_addresses_within_its_64(care):
    kin = NextOfKinFactory(client=care.client)
    guesser = client_for(UserFactory())
    with override_settings(ASSIGNMENTS_CODE_ATTEMPTS=2):
        for suffix in ("1", "2"):
            guesser.get(code_url(kin, "WRONG"), REMOTE_ADDR=f"2001:db8:1:2::{suffix}")
        assert guesser.get(code_url(kin, "WRONG"), REMOTE_ADDR="2001:db8:1:2::99").status_code == 429
        assert guesser.get(code_url(kin, "WRONG"), REMOTE_ADDR="2001:db8:9:9::1").status_code == 404
