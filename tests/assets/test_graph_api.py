"""The asset-graph endpoints: happy paths, 400 with nothing written, another organisation's ids 404,
no credentials 401, no professional privilege 403."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.assets.graph import services
from apps.assets.models import Asset, AssetRelation, AssetType, RelationType
from tests.assets.factories import AssetActivityRecordFactory, AssetRelationFactory, ParticipantTopNodeFactory
from tests.conftest import make_owner

from . import graph_world

pytestmark = pytest.mark.django_db

NET, LOCATION = RelationType.Network, RelationType.Location


@pytest.fixture
def world(owner):
    return graph_world.build(owner)


@pytest.fixture
def other_world(other):
    return graph_world.build(other)


@pytest.fixture
def layman():
    """A login with a customer but without the professional privilege."""
    return make_owner()


def client(world):
    return world.owner.client()


def count_queries(call) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = call()
    assert response.status_code == 200, response.content
    return len(queries)


# --- assets -----------------------------------------------------------------------------------------


class TestAssetsByType:
    def test_by_integer_or_name_only_in_reach(self, world, other_world):
        by_int = client(world).get(f"/api/assets/types/{int(AssetType.Substation)}").json()
        by_name = client(world).get("/api/assets/types/substation").json()
        assert [a["Id"] for a in by_int] == [a["Id"] for a in by_name] == [world.substation.pk]
        assert by_int[0]["ParentId"] is None

    def test_paged(self, world):
        services_children = [graph_world.asset(AssetType.Feeder, f"f{i}", world.substation) for i in range(3)]
        page = client(world).get("/api/assets/types/Feeder?page=2&pageSize=2").json()
        ids = sorted([world.feeder.pk, *(f.pk for f in services_children)])
        assert [a["Id"] for a in page] == ids[2:4]
        assert client(world).get("/api/assets/types/Feeder?pageSize=0").status_code == 400

    def test_unknown_type_is_404(self, world):
        assert client(world).get("/api/assets/types/Spaceship").status_code == 404
        assert client(world).get("/api/assets/types/999").status_code == 404

    def test_constant_queries(self, world):
        one = count_queries(lambda: client(world).get("/api/assets/types/Feeder"))
        for i in range(20):
            graph_world.asset(AssetType.Feeder, f"f{i}", world.substation)
        assert count_queries(lambda: client(world).get("/api/assets/types/Feeder")) == one


class TestTimeZone:
    def test_a_customer_reads_their_own_meter(self, owner):
        response = owner.client().get(f"/api/assets/{owner.meter.asset.pk}/timezone")
        assert response.status_code == 200 and response.json() == "Europe/Oslo"

    def test_a_professional_reads_assets_in_reach(self, world):
        Asset.objects.filter(pk=world.substation.pk).update(default_time_zone="Europe/Stockholm")
        assert client(world).get(f"/api/assets/{world.substation.pk}/timezone").json() == "Europe/Stockholm"

    def test_others_are_404_and_anonymous_401(self, world, other_world, layman, anonymous):
        assert client(world).get(f"/api/assets/{other_world.meter.pk}/timezone").status_code == 404
        assert layman.client().get(f"/api/assets/{world.substation.pk}/timezone").status_code == 404
        assert anonymous.get(f"/api/assets/{world.meter.pk}/timezone").status_code == 401


class TestZones:
    def test_zones_above_the_customers_assets(self, world, other_world):
        response = world.owner.client().get(f"/api/customers/{world.owner.customer.pk}/zones")
        assert response.status_code == 200
        assert [z["Id"] for z in response.json()] == [world.zone.pk]
        assert response.json()[0]["Key"] == str(world.zone.key)


class TestLabelAndInfo:
    def test_label_round_trip_is_logged(self, world):
        url = f"/api/assetinfo/{world.substation.pk}/label"
        assert client(world).get(url).json() == {"AssetId": world.substation.pk, "Label": ""}
        response = client(world).post(url, {"Label": "North"}, format="json")
        assert response.status_code == 200 and response.content == b""
        assert client(world).get(url).json()["Label"] == "North"
        info = client(world).get(f"/api/assetinfo/{world.substation.pk}").json()
        assert info["Label"] == "North" and info["Version"] == world.substation.version + 1
        assert info["AssetActivityRecords"][0]["Reason"] == "Label changed."

    def test_bad_label_is_400_and_nothing_changes(self, world):
        url = f"/api/assetinfo/{world.substation.pk}/label"
        assert client(world).post(url, {"Label": 7}, format="json").status_code == 400
        assert client(world).post(url, {"Label": "x" * 201}, format="json").status_code == 400
        version = world.substation.version
        world.substation.refresh_from_db()
        assert world.substation.label == "" and world.substation.version == version

    def test_info_has_constant_queries(self, world):
        url = f"/api/assetinfo/{world.substation.pk}"
        AssetActivityRecordFactory(asset=world.substation, reason="first")
        one = count_queries(lambda: client(world).get(url))
        for i in range(5):
            AssetActivityRecordFactory(asset=world.substation, reason=f"r{i}")
        assert count_queries(lambda: client(world).get(url)) == one


CREATE_ROUTES = [
    ("meters", AssetType.Meter),
    ("facilities", AssetType.Facility),
    ("aggregationpoint", AssetType.AggregationPoint),
    ("industries", AssetType.Industry),
]


@pytest.mark.parametrize(("route", "asset_type"), CREATE_ROUTES)
class TestCreateChildren:
    def test_creates_the_list(self, world, route, asset_type):
        response = client(world).post(
            f"/api/{route}/{world.building.pk}",
            [{"Name": "A", "ExternalId": "x-1"}, {"Name": "B", "RelationshipType": "Network"}],
            format="json",
        )
        assert response.status_code == 200, response.content
        body = response.json()
        assert [a["Name"] for a in body] == ["A", "B"] and {a["AssetType"] for a in body} == {int(asset_type)}
        relations = AssetRelation.objects.filter(parent=world.building).order_by("child_id")
        assert [r.relation_type for r in relations] == [LOCATION, LOCATION, NET]  # the apartment, then A and B

    def test_every_bad_item_is_reported_and_nothing_written(self, world, route, asset_type):
        before = Asset.objects.count()
        response = client(world).post(
            f"/api/{route}/{world.building.pk}",
            [{"Name": "Good"}, {"Description": "no name"}, {"Name": "Bad", "Latitude": 100}],
            format="json",
        )
        assert response.status_code == 400
        assert set(response.json()["ModelState"]) == {"[1].Name", "[2].Latitude"}
        assert client(world).post(f"/api/{route}/{world.building.pk}", [], format="json").status_code == 400
        assert client(world).post(f"/api/{route}/{world.building.pk}", {"Name": "x"}, format="json").status_code == 400
        assert Asset.objects.count() == before

    def test_another_organisations_asset_is_404(self, world, other_world, layman, anonymous, route, asset_type):
        url = f"/api/{route}/{other_world.building.pk}"
        assert client(world).post(url, [{"Name": "A"}], format="json").status_code == 404
        assert anonymous.post(url, [{"Name": "A"}], format="json").status_code == 401
        assert layman.client().post(url, [{"Name": "A"}], format="json").status_code == 403
        assert not Asset.objects.filter(name="A").exists()


class TestFacilities:
    def test_creates_a_list_each_under_its_parent(self, world):
        body = [{"Name": "Plant", "ParentId": world.region.pk}, {"Name": "Depot", "ParentId": world.building.pk}]
        response = client(world).post("/api/Facilities", body, format="json")
        assert response.status_code == 200, response.content
        created = response.json()
        assert [a["Name"] for a in created] == ["Plant", "Depot"]
        assert {a["AssetType"] for a in created} == {int(AssetType.Facility)}
        assert AssetRelation.objects.filter(parent=world.region, child_id=created[0]["Id"]).exists()
        assert AssetRelation.objects.filter(parent=world.building, child_id=created[1]["Id"]).exists()

    def test_every_bad_item_is_reported_and_nothing_written(self, world):
        before = Asset.objects.count()
        body = [{"Name": "Good", "ParentId": world.region.pk}, {"ParentId": world.region.pk}, {"Name": "No parent"}]
        response = client(world).post("/api/Facilities", body, format="json")
        assert response.status_code == 400
        assert set(response.json()["ModelState"]) == {"[1].Name", "[2].ParentId"}
        assert client(world).post("/api/Facilities", [], format="json").status_code == 400
        single = {"Name": "P", "ParentId": world.region.pk}
        assert client(world).post("/api/Facilities", single, format="json").status_code == 400  # a list at a time
        assert Asset.objects.count() == before

    def test_foreign_parent_unauthenticated_unprivileged(self, world, other_world, layman, anonymous):
        before = Asset.objects.count()
        mixed = [{"Name": "P", "ParentId": world.region.pk}, {"Name": "Q", "ParentId": other_world.region.pk}]
        assert client(world).post("/api/Facilities", mixed, format="json").status_code == 404
        assert anonymous.post("/api/Facilities", mixed, format="json").status_code == 401
        assert layman.client().post("/api/Facilities", mixed, format="json").status_code == 403
        assert Asset.objects.count() == before


# --- participants -----------------------------------------------------------------------------------


class TestParticipants:
    def test_participants_topnodes_and_hierarchy(self, world):
        user_id = world.owner.user.pk
        participants = client(world).get(f"/api/Users/{user_id}/Participants").json()
        assert [p["Id"] for p in participants] == [world.participant.pk]
        assert participants[0]["ParticipantType"] == 1
        obsolete = client(world).get(f"/api/AssetRelations/GetParticipants?id={user_id}").json()
        assert obsolete == participants
        top = client(world).get(f"/api/users/{user_id}/topnodes").json()
        assert {(t["AssetId"], t["RelationshipType"]) for t in top} == {
            (world.substation.pk, int(NET)),
            (world.region.pk, int(LOCATION)),
        }
        hierarchy = client(world).get(f"/api/Users/{user_id}/participant/hierarchy").json()
        assert [(p["Id"], p["Depth"], p["ParentId"]) for p in hierarchy] == [
            (world.participant.pk, 0, None),
            (world.office.pk, 1, world.participant.pk),
        ]

    def test_obsolete_route_needs_an_id(self, world):
        assert client(world).get("/api/AssetRelations/GetParticipants").status_code == 400
        assert client(world).get("/api/AssetRelations/GetParticipants?id=abc").status_code == 400

    def test_the_assets_of_participants_below_are_in_reach(self, world, other_world):
        depot = graph_world.asset(AssetType.Substation, "Office substation")
        ParticipantTopNodeFactory(participant=world.office, asset=depot, hierarchy=NET)
        assert client(world).get(f"/api/assetinfo/{depot.pk}").status_code == 200
        assert depot.pk in {
            t["AssetId"] for t in client(world).get(f"/api/Users/{world.owner.user.pk}/topnodes").json()
        }
        assert client(world).get(f"/api/ParticipantRelations/{world.office.pk}/children/network").json()[0]["Id"] == (
            depot.pk
        )
        assert client(other_world).get(f"/api/assetinfo/{depot.pk}").status_code == 404

    def test_participant_children(self, world, other_world):
        url = f"/api/ParticipantRelations/{world.participant.pk}/children"
        assert [a["Id"] for a in client(world).get(f"{url}/network").json()] == [world.substation.pk]
        assert [a["Id"] for a in client(world).get(f"{url}/location").json()] == [world.region.pk]
        # A participant below the user's own is in reach (it has no top nodes of its own here).
        assert client(world).get(f"/api/ParticipantRelations/{world.office.pk}/children/network").json() == []
        foreign = f"/api/ParticipantRelations/{other_world.participant.pk}/children/network"
        assert client(world).get(foreign).status_code == 404


# --- relations --------------------------------------------------------------------------------------


class TestHierarchyRoutes:
    def test_children_and_descendants(self, world):
        url = f"/api/AssetRelations/{world.substation.pk}/children/network"
        children = client(world).get(url).json()
        assert {a["Id"] for a in children} == {world.feeder.pk, world.aggregation_point.pk}
        assert {a["Depth"] for a in children} == {1}
        deep = client(world).get(f"{url}?depth=3").json()
        assert [a["Id"] for a in deep if a["Depth"] == 3] == [world.meter.pk]
        assert next(a for a in deep if a["Id"] == world.meter.pk)["ParentId"] == world.transformer.pk
        location = client(world).get(f"/api/AssetRelations/{world.region.pk}/children/location?depth=10").json()
        assert [a["Id"] for a in location][:3] == [world.building.pk, world.apartment.pk, world.meter.pk]

    def test_bad_paging_is_400(self, world):
        url = f"/api/AssetRelations/{world.substation.pk}/children/network"
        assert client(world).get(f"{url}?depth=0").status_code == 400
        assert client(world).get(f"{url}?pageSize=10001").status_code == 400

    def test_parent_key(self, world):
        url = f"/api/AssetRelations/{world.meter.pk}/parent/location"
        assert client(world).get(url).json() == str(world.apartment.key)
        assert client(world).get(f"{url}?assetKey={world.meter.key}").json() == str(world.apartment.key)
        assert client(world).get(f"{url}?assetKey={world.region.key}").status_code == 404
        assert client(world).get(f"{url}?assetKey=not-a-guid").status_code == 400
        assert client(world).get(f"/api/AssetRelations/{world.region.pk}/parent/location").json() is None

    def test_a_customer_does_not_see_the_parent_of_their_meter(self, owner):
        # The customer reaches their meter only; the professional-only route is 403 anyway.
        assert owner.client().get(f"/api/AssetRelations/{owner.meter.asset.pk}/parent/location").status_code == 403

    def test_typed_children(self, world):
        counter = graph_world.asset(AssetType.Counter, "Counter", world.transformer)
        services.relate(parent=world.meter, child=counter, relation_type=RelationType.Measures)
        url = f"/api/assetrelations/{world.meter.pk}/children"
        assert [a["Id"] for a in client(world).get(f"{url}/Measures").json()] == [counter.pk]
        assert [a["Id"] for a in client(world).get(f"{url}/{int(RelationType.Measures)}").json()] == [counter.pk]
        assert [a["Id"] for a in client(world).get(f"{url}/1").json()] == [world.smart_home_gateway.pk]
        assert client(world).get(f"{url}/Teleports").status_code == 404

    def test_typed_children_outside_reach_are_left_out(self, world, other_world):
        graph_world.asset(AssetType.Counter, "Theirs", None)
        AssetRelationFactory(parent=world.meter, child=other_world.substation, relation_type=RelationType.Measures)
        assert client(world).get(f"/api/assetrelations/{world.meter.pk}/children/Measures").json() == []

    def test_children_lists_have_constant_queries(self, world):
        url = f"/api/AssetRelations/{world.feeder.pk}/children/network?depth=5"
        one = count_queries(lambda: client(world).get(url))
        for i in range(10):
            transformer = graph_world.asset(AssetType.Transformer, f"t{i}", world.feeder)
            graph_world.asset(AssetType.Meter, f"m{i}", transformer)
        assert count_queries(lambda: client(world).get(url)) == one


class TestRelation:
    def test_typed_link(self, world):
        counter = graph_world.asset(AssetType.Counter, "Counter", world.substation)
        body = {"ParentId": world.meter.pk, "ChildId": counter.pk, "RelationshipType": "Measures"}
        response = client(world).post("/api/relation", body, format="json")
        assert response.status_code == 200, response.content
        assert response.json()["RelationshipType"] == int(RelationType.Measures)
        # Idempotent: the same link again changes nothing.
        assert client(world).post("/api/relation", body, format="json").json()["Id"] == response.json()["Id"]

    def test_moving_in_a_hierarchy(self, world):
        feeder2 = graph_world.asset(AssetType.Feeder, "Feeder 2", world.substation)
        body = {"ParentId": feeder2.pk, "ChildId": world.transformer.pk, "RelationshipType": int(NET)}
        assert client(world).post("/api/relation", body, format="json").status_code == 200
        parents = AssetRelation.objects.filter(child=world.transformer, relation_type=NET)
        assert [r.parent_id for r in parents] == [feeder2.pk]

    def test_a_cycle_is_409_and_nothing_changes(self, world):
        before = set(AssetRelation.objects.values_list("parent_id", "child_id", "relation_type"))
        body = {"ParentId": world.meter.pk, "ChildId": world.substation.pk, "RelationshipType": int(NET)}
        assert client(world).post("/api/relation", body, format="json").status_code == 409
        self_loop = {
            "ParentId": world.meter.pk,
            "ChildId": world.meter.pk,
            "RelationshipType": int(RelationType.Measures),
        }
        assert client(world).post("/api/relation", self_loop, format="json").status_code == 409
        assert set(AssetRelation.objects.values_list("parent_id", "child_id", "relation_type")) == before

    def test_bad_foreign_unauthenticated_unprivileged(self, world, other_world, layman, anonymous):
        before = AssetRelation.objects.count()
        bad = {"ParentId": world.meter.pk, "ChildId": world.substation.pk, "RelationshipType": 99}
        assert client(world).post("/api/relation", bad, format="json").status_code == 400
        foreign = {"ParentId": world.substation.pk, "ChildId": other_world.feeder.pk, "RelationshipType": 2}
        assert client(world).post("/api/relation", foreign, format="json").status_code == 404
        assert anonymous.post("/api/relation", foreign, format="json").status_code == 401
        assert layman.client().post("/api/relation", foreign, format="json").status_code == 403
        assert AssetRelation.objects.count() == before
