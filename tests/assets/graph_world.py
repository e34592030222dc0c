"""A small asset graph per Owner for the graph tests and the tenancy matrix.

A grid company with the owner as a professional member, its network (substation → feeder →
transformer → the owner's meter) and location (region → building → apartment → the meter)
hierarchies, one business object of each kind, and a zone over the substation. Built through
the services; cached on the Owner so the matrix can ask twice.
"""

from __future__ import annotations

from types import SimpleNamespace

from django.contrib.auth.models import Permission

from apps.assets.graph import services
from apps.assets.models import (
    Asset,
    AssetType,
    ParticipantKind,
    RelationType,
)
from tests.assets.factories import (
    AggregationPointFactory,
    AssetFactory,
    ParticipantFactory,
    ParticipantMembershipFactory,
    ParticipantTopNodeFactory,
    SearchFilterFactory,
)

NET, LOCATION = RelationType.Network, RelationType.Location


def grant_professional(user) -> None:
    user.user_permissions.add(Permission.objects.get(codename="professional", content_type__app_label="customers"))


def asset(asset_type, name, parent=None, relation_type=NET, **fields) -> Asset:
    created = AssetFactory(asset_type=asset_type, name=name, **fields)
    if parent is not None:
        services.relate(parent=parent, child=created, relation_type=relation_type)
    return created


def build(owner, *, professional: bool = True) -> SimpleNamespace:
    cached = getattr(owner, "_graph_world", None)
    if cached is not None:
        return cached
    tag = str(owner.user.pk)
    if professional:
        grant_professional(owner.user)
    participant = ParticipantFactory(name=f"Grid {tag}", kind=ParticipantKind.GridCompany)
    ParticipantMembershipFactory(participant=participant, user=owner.user)
    office = ParticipantFactory(name=f"Office {tag}", kind=ParticipantKind.GridCompany, parent=participant)
    substation = asset(AssetType.Substation, f"Substation {tag}", owner=participant, latitude=59.9, longitude=10.7)
    feeder = asset(AssetType.Feeder, f"Feeder {tag}", substation)
    transformer = asset(AssetType.Transformer, f"Transformer {tag}", feeder)
    meter = owner.meter.asset
    services.relate(parent=transformer, child=meter, relation_type=NET)
    region = asset(AssetType.Region, f"Region {tag}", owner=participant)
    building = asset(AssetType.Building, f"Building {tag}", region, LOCATION)
    apartment = asset(AssetType.Apartment, f"Apartment {tag}", building, LOCATION)
    services.relate(parent=apartment, child=meter, relation_type=LOCATION)
    ParticipantTopNodeFactory(participant=participant, asset=substation, hierarchy=NET)
    ParticipantTopNodeFactory(participant=participant, asset=region, hierarchy=LOCATION)
    # The business objects; the aggregation point with its details (devices_world adds the gateway's
    # and the device's, so that the device tests build on these very assets).
    aggregation_point = asset(AssetType.AggregationPoint, f"AP {tag}", substation)
    AggregationPointFactory(asset=aggregation_point, bidding_zone="NO1", max_capacity_kw=500)
    smart_home_gateway = asset(AssetType.SmartHomeGateway, f"Gateway {tag}", meter, LOCATION)
    smart_home_device = asset(AssetType.SmartHomeDevice, f"Device {tag}", smart_home_gateway, LOCATION)
    zone = SearchFilterFactory(name=f"Zone {tag}", owner=participant)
    zone.assets.add(substation)
    world = SimpleNamespace(
        owner=owner,
        participant=participant,
        office=office,
        substation=substation,
        feeder=feeder,
        transformer=transformer,
        meter=meter,
        region=region,
        building=building,
        apartment=apartment,
        aggregation_point=aggregation_point,
        smart_home_gateway=smart_home_gateway,
        smart_home_device=smart_home_device,
        zone=zone,
    )
    owner._graph_world = world
    return world
