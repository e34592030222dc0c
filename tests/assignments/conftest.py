from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from apps.customers.models import User
from tests.conftest import basic

from .factories import CareTeamFactory, CareTermsFactory, ClientFactory, make_assignment, staff_member


@dataclass
class Team:
    """A care team with two staff logins and one client with a new assignment for `nurse`."""

    team: object
    nurse: User
    colleague: User
    client: object
    assignment: object


def client_for(user) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=basic(user.username))
    return api


def make_team() -> Team:
    team = CareTeamFactory()
    nurse, colleague = staff_member(team), staff_member(team)
    client = ClientFactory(team=team)
    return Team(team, nurse, colleague, client, make_assignment(client, assignee=nurse, created_by=colleague))


@pytest.fixture
def care(db) -> Team:
    return make_team()


@pytest.fixture
def other_care(db) -> Team:
    """Another team: its ids are 404 for `care`."""
    return make_team()


@pytest.fixture
def terms(db):
    return CareTermsFactory(version=1)
