"""Every list of the assets app runs the same number of queries for one row as for many.

Each case names a list route of the graph world and how to grow it; the test reads it with one
row, grows it, and reads it again: more rows, the same queries. (The device lists, the flag
lists of substations and the hierarchy walks have theirs next to their other tests.)
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.assets.devices.components import publish_flag, raise_flag
from apps.assets.graph.services import relate
from apps.assets.models import (
    AssetType,
    ComponentEvent,
    ParticipantKind,
    RelationType,
)
from tests.assets.factories import (
    ParticipantFactory,
    ParticipantMembershipFactory,
    ParticipantTopNodeFactory,
    SearchFilterFactory,
)

from . import devices_world, graph_world

pytestmark = pytest.mark.django_db

GROWTH = 6
LOCATION, NET = RelationType.Location, RelationType.Network


def _participants(world):
    for n in range(GROWTH):
        participant = ParticipantFactory(name=f"Extra {n}", kind=ParticipantKind.Supplier)
        ParticipantMembershipFactory(participant=participant, user=world.owner.user)


def _top_nodes(world):
    for n in range(GROWTH):
        root = graph_world.asset(AssetType.Substation, f"Extra root {n}")
        ParticipantTopNodeFactory(participant=world.participant, asset=root, hierarchy=NET)
        region = graph_world.asset(AssetType.Region, f"Extra region {n}")
        ParticipantTopNodeFactory(participant=world.participant, asset=region, hierarchy=LOCATION)


def _sub_participants(world):
    parent = world.office
    for n in range(GROWTH):
        parent = ParticipantFactory(name=f"Desk {n}", kind=ParticipantKind.GridCompany, parent=parent)


def _one_measured(world):
    counter = graph_world.asset(AssetType.Counter, "First counter", world.transformer)
    relate(parent=world.meter, child=counter, relation_type=RelationType.Measures)


def _measured(world):
    for n in range(GROWTH):
        counter = graph_world.asset(AssetType.Counter, f"Counter {n}", world.transformer)
        relate(parent=world.meter, child=counter, relation_type=RelationType.Measures)


def _buildings(world):
    for n in range(GROWTH):
        graph_world.asset(AssetType.Building, f"Building {n}", world.region, LOCATION)


def _zones(world):
    for n in range(GROWTH):
        zone = SearchFilterFactory(name=f"Zone {n}", owner=world.participant)
        zone.assets.add(world.feeder if n % 2 else world.meter)


def _meter_flags(world, *, publish: bool):
    flags = []
    for n in range(GROWTH):
        meter = graph_world.asset(AssetType.Meter, f"Meter {n}", world.transformer)
        flags.append(raise_flag(asset=meter, event=ComponentEvent.Outage, by=world.owner.user))
    if publish:
        for flag in flags:
            publish_flag(flag=flag, by=world.owner.user)


def _one_meter_flag(world, *, publish: bool):
    flag = raise_flag(asset=world.meter, event=ComponentEvent.Outage, by=world.owner.user)
    if publish:
        publish_flag(flag=flag, by=world.owner.user)


CASES = {
    "participants": (lambda w: f"/api/Users/{w.owner.user.pk}/Participants", None, _participants),
    "obsolete-participants": (
        lambda w: f"/api/AssetRelations/GetParticipants?id={w.owner.user.pk}",
        None,
        _participants,
    ),
    "topnodes": (lambda w: f"/api/Users/{w.owner.user.pk}/topnodes", None, _top_nodes),
    "participant-hierarchy": (
        lambda w: f"/api/Users/{w.owner.user.pk}/participant/hierarchy",
        None,
        _sub_participants,
    ),
    "participant-network-children": (
        lambda w: f"/api/ParticipantRelations/{w.participant.pk}/children/network",
        None,
        _top_nodes,
    ),
    "participant-location-children": (
        lambda w: f"/api/ParticipantRelations/{w.participant.pk}/children/location",
        None,
        _top_nodes,
    ),
    "location-children": (lambda w: f"/api/AssetRelations/{w.region.pk}/children/location", None, _buildings),
    "typed-children": (
        lambda w: f"/api/assetrelations/{w.meter.pk}/children/Measures",
        _one_measured,
        _measured,
    ),
    "zones": (lambda w: f"/api/customers/{w.owner.customer.pk}/zones", None, _zones),
    "flagged-meters": (
        lambda w: "/api/componentinfo/meters/event/outage",
        lambda w: _one_meter_flag(w, publish=False),
        lambda w: _meter_flags(w, publish=False),
    ),
    "published-meters": (
        lambda w: "/api/componentinforestricted/meters/event/outage",
        lambda w: _one_meter_flag(w, publish=True),
        lambda w: _meter_flags(w, publish=True),
    ),
}


def _read(client, url) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(response.json()), len(queries)


@pytest.mark.parametrize("case", list(CASES))
def test_one_row_and_many_rows_take_the_same_queries(owner, case):
    world = devices_world.build(owner)
    url_of, seed_one, grow = CASES[case]
    if seed_one is not None:
        seed_one(world)
    client = owner.client()
    url = url_of(world)
    client.get(url)  # warm the credential cache
    rows, queries = _read(client, url)
    assert rows >= 1
    grow(world)
    more_rows, more_queries = _read(client, url)
    assert more_rows > rows
    assert more_queries == queries


PAGED = [
    "/api/assets/types/1",
    "/api/assets/{participant}/devices/1",
    "/api/assets/counters",
    "/api/assets/counters/categories/1",
    "/api/assets/chargers",
    "/api/assets/chargingstation",
    "/api/SimCard",
    "/api/ParticipantRelations/{participant}/children/location",
    "/api/ParticipantRelations/{participant}/children/network",
    "/api/AssetRelations/{substation}/children/location",
    "/api/AssetRelations/{substation}/children/network",
    "/api/assetrelations/{meter}/children/Measures",
    "/api/gateways/externalId/{external_id}/devices",
    "/api/gateways/active/serialnumber?participantId={participant}&",
    "/api/componentinfo/substations/event/outage",
    "/api/componentinfo/meters/event/outage",
    "/api/componentinforestricted/substations/event/outage",
    "/api/componentinforestricted/meters/event/outage",
]


@pytest.mark.parametrize("template", PAGED)
@pytest.mark.parametrize(("query", "key"), [("page=0", "Page"), ("pageSize=0", "PageSize"), ("pageSize=x", "PageSize")])
def test_bad_paging_is_400(owner, template, query, key):
    world = devices_world.build(owner)
    url = template.format(
        participant=world.participant.pk, substation=world.substation.pk, meter=world.meter.pk,
        external_id=world.external_id,
    )  # fmt: skip
    response = owner.client().get(f"{url}{'' if url.endswith('&') else '?'}{query}")
    assert response.status_code == 400, (url, response.content)
    assert key in response.json()["ModelState"]
