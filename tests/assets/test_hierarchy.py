"""Hierarchies at depth and width through the API: a 50-level chain, 10,000 children, cycle refusal;
and one id space (every meter is an asset)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.assets.graph import services
from apps.assets.models import Asset, AssetRelation, AssetType, RelationType
from apps.customers.models import Meter
from tests.factories import MeterFactory

from . import graph_world

pytestmark = pytest.mark.django_db

NET, LOCATION = RelationType.Network, RelationType.Location


@pytest.fixture
def world(owner):
    return graph_world.build(owner)


def hang(parent, count, *, relation_type=NET, chain=False, asset_type=AssetType.Feeder) -> list[Asset]:
    """`count` new assets below `parent`: all its children, or (chain) each the child of the last."""
    assets = Asset.objects.bulk_create([Asset(asset_type=asset_type, name=f"n{i}") for i in range(count)])
    parents = [parent, *assets[:-1]] if chain else [parent] * count
    AssetRelation.objects.bulk_create(
        [AssetRelation(parent=p, child=a, relation_type=relation_type) for p, a in zip(parents, assets, strict=True)]
    )
    return assets


def test_a_50_level_chain(world):
    chain = hang(world.region, 50, relation_type=LOCATION, chain=True, asset_type=AssetType.Building)
    client = world.owner.client()
    walk = client.get(f"/api/AssetRelations/{world.region.pk}/children/location?depth=1000&pageSize=1000").json()
    depths = {a["Id"]: a["Depth"] for a in walk}
    assert [depths[a.pk] for a in chain] == list(range(1, 51))
    # The deepest node is in reach (the walk up crosses 50 levels) and knows its parent.
    deepest = chain[-1]
    assert client.get(f"/api/assetinfo/{deepest.pk}").status_code == 200
    assert client.get(f"/api/AssetRelations/{deepest.pk}/parent/location").json() == str(chain[-2].key)


def test_a_cycle_through_50_levels_is_refused(world):
    chain = hang(world.region, 50, relation_type=LOCATION, chain=True, asset_type=AssetType.Building)
    body = {"ParentId": chain[-1].pk, "ChildId": chain[0].pk, "RelationshipType": int(LOCATION)}
    assert world.owner.client().post("/api/relation", body, format="json").status_code == 409
    assert AssetRelation.objects.filter(child=chain[0], relation_type=LOCATION).get().parent_id == world.region.pk


def test_10000_children(world):
    feeders = hang(world.substation, 10_000)
    client = world.owner.client()
    url = f"/api/AssetRelations/{world.substation.pk}/children/network"
    with CaptureQueriesContext(connection) as small:
        first = client.get(f"{url}?pageSize=10").json()
    with CaptureQueriesContext(connection) as large:
        everything = client.get(f"{url}?pageSize=10000").json()
    assert len(first) == 10 and len(everything) == 10_000
    assert len(small) == len(large)
    second = client.get(f"{url}?pageSize=5000&page=3").json()
    # Breadth first, by id: the feeder and aggregation point of the world come first.
    assert [a["Id"] for a in second] == [f.pk for f in feeders][-2:]


def test_every_meter_is_an_asset(owner):
    meter = MeterFactory(delivery_point=owner.delivery_point)
    asset = meter.asset
    assert asset.asset_type == AssetType.Meter and asset.delivery_point_id == owner.delivery_point.pk
    assert asset.name == meter.meter_id


def test_meters_made_in_bulk_get_their_assets(owner):
    Meter.objects.bulk_create([Meter(delivery_point=owner.delivery_point, meter_id=f"BULK{i}") for i in range(3)])
    assert services.ensure_meter_assets() == 3
    assert services.ensure_meter_assets() == 0
    assert Asset.objects.filter(meter__meter_id__startswith="BULK", asset_type=AssetType.Meter).count() == 3


def test_the_metering_route_takes_the_meters_asset_id(owner):
    asset_id = owner.meter.asset.pk
    listed = owner.client().get(f"/api/Users/{owner.user.pk}/meters").json()
    assert [m["AssetId"] for m in listed] == [asset_id]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the database builds the JSON on PostgreSQL only")
def test_the_database_built_page_is_the_python_page_byte_for_byte(world):
    import orjson

    from apps.assets.graph import selectors
    from apps.assets.graph.api.serializers import ChildrenWalk, _node_keys, children_page, node_rows

    odd = hang(world.feeder, 3, asset_type=AssetType.Transformer)
    Asset.objects.filter(pk=odd[0].pk).update(name='Trafo "Ø" \\ ✓', description="line\nbreak\ttab", latitude=59.922)
    Asset.objects.filter(pk=odd[1].pk).update(longitude=-0.1, owner=world.participant, external_id="</script>")
    walk = dict(asset_id=world.substation.pk, relation_types=[NET], depth=10, offset=0, limit=100)
    from_database = orjson.dumps(children_page(ChildrenWalk(**walk)))
    from_python = orjson.dumps(node_rows(selectors.children(**walk)))
    assert from_database == from_python
    assert len(orjson.loads(from_database)) == 7  # feeder, AP, transformer, meter and the three new ones
    empty = dict(walk, offset=100)
    assert orjson.dumps(children_page(ChildrenWalk(**empty))) == b"[]"
    assert selectors.children_json(names=_node_keys(), **empty) == ""
