"""The hierarchy selectors: one query per walk, any depth, on either database."""

import pytest

from apps.assets.graph import selectors
from apps.assets.models import (
    Asset,
    AssetRelation,
    AssetType,
    ParticipantKind,
    RelationType,
)
from tests.assets.factories import ParticipantFactory, ParticipantMembershipFactory, ParticipantTopNodeFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NET = RelationType.Network


def chain(length, relation_type=NET):
    """A straight line of `length` assets, root first."""
    assets = Asset.objects.bulk_create([Asset(asset_type=AssetType.Feeder, name=f"n{i}") for i in range(length)])
    AssetRelation.objects.bulk_create(
        [
            AssetRelation(parent=a, child=b, relation_type=relation_type)
            for a, b in zip(assets, assets[1:], strict=False)
        ]
    )
    return assets


def test_children_and_ancestors_of_a_deep_chain(django_assert_num_queries):
    nodes = chain(50)
    with django_assert_num_queries(1):
        below = selectors.children(asset_id=nodes[0].pk, relation_types=[NET], depth=100, limit=100)
    assert [a.id for a in below] == [n.pk for n in nodes[1:]]
    assert below[-1].tree_depth == 49 and below[-1].tree_parent_id == nodes[-2].pk
    with django_assert_num_queries(1):
        path = selectors.ancestors(asset_id=nodes[-1].pk, relation_type=NET)
    assert [a.pk for a in path] == [n.pk for n in nodes[:-1]]


def test_would_cycle():
    a, b, c = chain(3)
    assert selectors.would_cycle(parent_id=c.pk, child_id=a.pk, relation_type=NET)
    assert selectors.would_cycle(parent_id=a.pk, child_id=a.pk, relation_type=NET)
    assert not selectors.would_cycle(parent_id=a.pk, child_id=c.pk, relation_type=NET)
    # Another hierarchy has its own edges.
    assert not selectors.would_cycle(parent_id=c.pk, child_id=a.pk, relation_type=RelationType.Location)


def test_reach_follows_top_nodes_downwards():
    user = UserFactory()
    grid = ParticipantFactory(name="Grid", kind=ParticipantKind.GridCompany)
    ParticipantMembershipFactory(participant=grid, user=user)
    nodes = chain(5)
    ParticipantTopNodeFactory(participant=grid, asset=nodes[2], hierarchy=NET)
    seen = set(Asset.objects.filter(selectors.reachable(user=user)).values_list("pk", flat=True))
    assert seen == {n.pk for n in nodes[2:]}
    assert set(selectors.visible_assets(user=user).values_list("pk", flat=True)) == seen
    assert set(selectors.subtree(root_ids=[nodes[3].pk]).values_list("pk", flat=True)) == {nodes[3].pk, nodes[4].pk}
