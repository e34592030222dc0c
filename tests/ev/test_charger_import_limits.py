"""GET api/chargers?createIfNotExists=true (issue 20): only callers with the import privilege
(professional) create, one charger per (import source, external id), at most
EV_CHARGER_IMPORTS_PER_USER per user."""

import threading

import pytest
from django.db import connection

from apps.assets.models import Asset, AssetType, Charger
from apps.ev.models import ChargerImport
from tests.assets.graph_world import grant_professional
from tests.db_rows import app_rows

pytestmark = pytest.mark.django_db


def create(client, external_id, source="easee"):
    return client.get("/api/chargers", {"externalId": external_id, "createIfNotExists": "true", "importSource": source})


def test_a_customer_without_the_privilege_gets_not_found_and_nothing_is_created(owner):
    response = create(owner.client(), "EASEE-9")
    assert response.status_code == 404
    assert response.json()["Message"] == "No charger with external id EASEE-9."
    assert not Charger.objects.exists() and not ChargerImport.objects.exists()
    assert not Asset.objects.filter(asset_type=AssetType.Charger).exists()


def test_no_credentials_is_401_and_nothing_is_created(anonymous):
    assert create(anonymous, "EASEE-9").status_code == 401
    assert not ChargerImport.objects.exists()


def test_the_same_source_and_external_id_is_one_charger(owner, other):
    grant_professional(owner.user)
    grant_professional(other.user)
    first = create(owner.client(), "EASEE-1")
    assert first.status_code == 201
    assert create(owner.client(), "EASEE-1").json()["AssetId"] == first.json()["AssetId"]  # found, not created
    # Another user cannot create a second charger with that source and id (nor reach the first).
    before = app_rows("assets", "ev")
    taken = create(other.client(), "EASEE-1")
    assert taken.status_code == 409
    assert app_rows("assets", "ev") == before
    # Another source may use the same external id.
    assert create(other.client(), "EASEE-1", source="zaptec").status_code == 201
    assert ChargerImport.objects.count() == 2


def test_a_user_creates_at_most_the_cap(owner, settings):
    settings.EV_CHARGER_IMPORTS_PER_USER = 2
    grant_professional(owner.user)
    assert [create(owner.client(), f"C-{n}").status_code for n in range(2)] == [201, 201]
    response = create(owner.client(), "C-2")
    assert response.status_code == 403
    assert response.json()["Message"] == "A user can create at most 2 chargers; this user has reached that limit."
    assert ChargerImport.objects.count() == 2
    assert create(owner.client(), "C-1").status_code == 200  # finding one is not creating


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL and real concurrency")
def test_two_concurrent_creations_of_one_external_id_give_one_row(owner):
    grant_professional(owner.user)
    client = owner.client()
    assert client.get(f"/api/users/{owner.user.pk}").status_code == 200  # warm credentials: no hashing race
    barrier, answers = threading.Barrier(2), []

    def run():
        barrier.wait()
        try:
            answers.append(create(owner.client(), "RACE-1"))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(a.status_code for a in answers) in ([200, 201], [201, 201])
    assert len({a.json()["AssetId"] for a in answers}) == 1
    assert ChargerImport.objects.filter(external_id="RACE-1").count() == 1
