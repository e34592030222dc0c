"""The graph's admin: a node's ancestors and children as links; relations refuse cycles."""

import pytest
from django.urls import reverse

from apps.assets.models import AssetRelation, RelationType
from tests.factories import UserFactory

from . import graph_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_asset_page_links_ancestors_and_children(staff_client, owner):
    world = graph_world.build(owner)
    page = staff_client.get(reverse("admin:assets_asset_change", args=[world.feeder.pk])).content.decode()
    assert reverse("admin:assets_asset_change", args=[world.substation.pk]) in page  # its ancestor
    assert reverse("admin:assets_asset_change", args=[world.transformer.pk]) in page  # its child


def test_participant_page_and_lists(staff_client, owner):
    world = graph_world.build(owner)
    page = staff_client.get(reverse("admin:assets_participant_change", args=[world.participant.pk])).content.decode()
    assert reverse("admin:assets_participant_change", args=[world.office.pk]) in page
    for name in ("asset", "assetrelation", "participant", "participantmembership", "searchfilter"):
        assert staff_client.get(reverse(f"admin:assets_{name}_changelist")).status_code == 200


def test_a_cycle_is_refused_in_the_admin(staff_client, owner):
    world = graph_world.build(owner)
    before = AssetRelation.objects.count()
    response = staff_client.post(
        reverse("admin:assets_assetrelation_add"),
        {"parent": world.meter.pk, "child": world.substation.pk, "relation_type": int(RelationType.Network)},
    )
    assert response.status_code == 200 and b"cycle" in response.content
    assert AssetRelation.objects.count() == before
    ok = staff_client.post(
        reverse("admin:assets_assetrelation_add"),
        {"parent": world.meter.pk, "child": world.substation.pk, "relation_type": int(RelationType.Measures)},
    )
    assert ok.status_code == 302
    assert AssetRelation.objects.count() == before + 1
