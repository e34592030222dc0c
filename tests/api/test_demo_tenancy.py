"""On the seeded demo, a professional's and a nurse's reach stop at their own tenant: each grid
company's login gets 404 for the other company's top nodes, each care team's nurse 404 for the
other team's clients, while the same URLs answer their own login (so the ids are real)."""

import io

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from apps.assets.models import ParticipantTopNode
from apps.assignments.models import Client as CareClient
from tests.conftest import basic

pytestmark = pytest.mark.django_db


def login(username):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=basic(username, f"{username}-password"))
    return api


def _top_nodes(username):
    return list(
        ParticipantTopNode.objects.filter(participant__users__username=username).values_list("asset_id", flat=True)
    )


def _clients(username):
    return list(CareClient.objects.filter(team__members__username=username).values_list("pk", flat=True))


CASES = [
    # (caller, the other tenant's login, whose ids, route)
    ("grid1", "grid2", _top_nodes, "/api/assetinfo/{}"),
    ("grid2", "grid1", _top_nodes, "/api/assetinfo/{}"),
    ("grid1", "grid2", _top_nodes, "/api/assetinfo/{}/label"),
    ("nurse1", "nurse3", _clients, "/api/clients/{}/assignments"),
    ("nurse2", "nurse3", _clients, "/api/clients/{}/equipment"),
    ("nurse3", "nurse1", _clients, "/api/clients/{}/assignments"),
    ("nurse3", "nurse2", _clients, "/api/clients/{}/equipment"),
]


def test_a_login_gets_404_for_the_other_tenants_ids():
    # One seed for every case (a fixed --today, so it is the same seed on every run).
    call_command("seed_demo", "--days", "0", "--today", "2024-11-05", stdout=io.StringIO(), stderr=io.StringIO())
    for who, other, ids, url in CASES:
        theirs = ids(other)
        assert theirs and not set(theirs) & set(ids(who)), (who, other)
        for pk in theirs:
            # 204: a client with no kit connected
            assert login(other).get(url.format(pk)).status_code in (200, 204), (other, url, pk)
            assert login(who).get(url.format(pk)).status_code == 404, (who, url, pk)
