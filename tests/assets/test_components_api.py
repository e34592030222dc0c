"""api/componentinfo/* (professionals: every active flag they reach) and api/componentinforestricted/*
(only what was published to the web)."""

import pytest

from apps.assets.devices.components import clear_flag, publish_flag, raise_flag
from apps.assets.graph.services import relate
from apps.assets.models import AssetType, ComponentEvent, RelationType
from tests.assets.factories import AssetFactory

from ..conftest import make_owner
from .devices_world import build

pytestmark = pytest.mark.django_db


@pytest.fixture
def mine(owner):
    world = build(owner)
    by = owner.user
    world.outage = raise_flag(asset=world.substation, event=ComponentEvent.Outage, by=by, message="Internal: relay 3")
    world.meter_outage = raise_flag(asset=world.meter, event=ComponentEvent.Outage, by=by)
    world.published = publish_flag(flag=world.outage, by=by, web_message="Power cut, back by 14:00")
    return world


@pytest.fixture
def theirs(other):
    world = build(other)
    raise_flag(asset=world.substation, event=ComponentEvent.Outage, by=other.user)
    return world


def test_types_and_events(owner, mine):
    for prefix in ("componentinfo", "componentinforestricted"):
        types = owner.client().get(f"/api/{prefix}/types")
        assert types.status_code == 200
        assert types.json() == [{"Id": 10, "Name": "Substation"}, {"Id": 20, "Name": "Meter"}]
        events = owner.client().get(f"/api/{prefix}/events").json()
        assert events[0] == {"Id": 1, "Name": "Outage"}
        assert [e["Name"] for e in events] == [e.label for e in ComponentEvent]


def test_flagged_substations_and_meters_for_professionals(owner, mine, theirs):
    client = owner.client()
    substations = client.get("/api/componentinfo/substations/event/outage")
    assert substations.status_code == 200
    assert substations.json() == [
        {
            "AssetId": mine.substation.pk,
            "AssetKey": str(mine.substation.key),
            "Name": mine.substation.name,
            "ExternalId": "",
            "ComponentType": 10,
            "Latitude": 59.9,
            "Longitude": 10.7,
            "Event": 1,
            "State": 2,
            "WebMessage": "Power cut, back by 14:00",
            "RaisedDateTime": mine.outage.raised_at.strftime("%Y-%m-%dT%H:%M:%S"),
            "PublishedDateTime": mine.published.published_at.strftime("%Y-%m-%dT%H:%M:%S"),
            "Message": "Internal: relay 3",
        }
    ]
    meters = client.get("/api/componentinfo/meters/event/Outage").json()
    assert [(m["AssetId"], m["State"]) for m in meters] == [(mine.meter.pk, 1)]
    assert client.get("/api/componentinfo/meters/event/PlannedWork").json() == []
    assert client.get("/api/componentinfo/substations/event/1").json() == substations.json()


def test_restricted_lists_only_published_flags_without_internal_notes(owner, mine, theirs):
    client = owner.client()
    substations = client.get("/api/componentinforestricted/substations/event/outage").json()
    assert [s["AssetId"] for s in substations] == [mine.substation.pk]
    assert "Message" not in substations[0]
    assert substations[0]["WebMessage"] == "Power cut, back by 14:00"
    assert client.get("/api/componentinforestricted/meters/event/outage").json() == []  # raised, not published
    publish_flag(flag=mine.meter_outage, by=owner.user)
    assert [m["AssetId"] for m in client.get("/api/componentinforestricted/meters/event/outage").json()] == [
        mine.meter.pk
    ]


def test_cleared_flags_are_not_listed(owner, mine):
    clear_flag(flag=mine.published, by=owner.user)
    client = owner.client()
    assert client.get("/api/componentinfo/substations/event/outage").json() == []
    assert client.get("/api/componentinforestricted/substations/event/outage").json() == []


def test_a_customer_sees_published_substations_and_only_their_own_meters(db, owner, mine):
    customer = make_owner()  # a plain customer: no privilege, no participant
    client = customer.client()
    assert client.get("/api/componentinfo/substations/event/outage").status_code == 403
    assert client.get("/api/componentinfo/types").status_code == 403
    assert client.get("/api/componentinforestricted/types").status_code == 200
    published = client.get("/api/componentinforestricted/substations/event/outage").json()
    assert [s["AssetId"] for s in published] == [mine.substation.pk]  # published to the web: public
    publish_flag(flag=mine.meter_outage, by=owner.user)
    assert client.get("/api/componentinforestricted/meters/event/outage").json() == []  # not their meter
    own_meter = customer.meter.asset
    relate(parent=mine.transformer, child=own_meter, relation_type=RelationType.Network)
    raise_flag(asset=own_meter, event=ComponentEvent.Outage, by=owner.user)
    publish_flag(flag=own_meter.component_flags.get(), by=owner.user)
    assert [m["AssetId"] for m in client.get("/api/componentinforestricted/meters/event/outage").json()] == [
        own_meter.pk
    ]


def test_professionals_see_only_what_their_participants_manage(owner, mine, theirs, other):
    assert [s["AssetId"] for s in other.client().get("/api/componentinfo/substations/event/outage").json()] == [
        theirs.substation.pk
    ]


def test_unknown_event_is_404_and_no_credentials_401(owner, mine, anonymous):
    for prefix in ("componentinfo", "componentinforestricted"):
        response = owner.client().get(f"/api/{prefix}/substations/event/Tsunami")
        assert response.status_code == 404
        assert response.json() == {"Message": "Unknown event 'Tsunami'."}
        for route in ("types", "events", "substations/event/outage", "meters/event/outage"):
            assert anonymous.get(f"/api/{prefix}/{route}").status_code == 401


def test_paged_with_constant_queries(owner, mine, django_assert_num_queries):
    client = owner.client()
    url = "/api/componentinfo/substations/event/outage"
    client.get(url)
    for n in range(6):
        substation = AssetFactory(asset_type=AssetType.Substation, name=f"S{n}")
        relate(parent=mine.region, child=substation, relation_type=RelationType.Location)
        raise_flag(asset=substation, event=ComponentEvent.Outage, by=owner.user)
    with django_assert_num_queries(4):  # user, its two permission queries, flags with their assets
        listed = client.get(url).json()
    assert len(listed) == 7
    assert [s["AssetId"] for s in client.get(url, {"pageSize": 3, "page": 3}).json()] == [mine.substation.pk]
    assert client.get(url, {"pageSize": 0}).status_code == 400


def test_restricted_lists_have_constant_queries(db, owner, mine, django_assert_num_queries):
    customer = make_owner()
    client = customer.client()
    url = "/api/componentinforestricted/substations/event/outage"
    client.get(url)
    for n in range(4):
        substation = AssetFactory(asset_type=AssetType.Substation, name=f"P{n}")
        publish_flag(flag=raise_flag(asset=substation, event=ComponentEvent.Outage, by=owner.user), by=owner.user)
    with django_assert_num_queries(2):  # user, published flags with their assets
        assert len(client.get(url).json()) == 5
    with django_assert_num_queries(2):
        assert client.get("/api/componentinforestricted/meters/event/outage").json() == []
