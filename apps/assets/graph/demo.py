"""Demo asset graph for `manage.py seed_demo` (apps/customers/management/commands/seed_demo.py).

A grid company ("Demo Nett AS", with a regional office below it) and its professional login
`grid1` / `grid1-password`; a second grid company ("Nordlys Nett AS", login `grid2`) with a small
network and location subtree of its own, so one professional's reach can be tried against the
other's ids; Demo Nett's network (2 substations → 2 feeders each → 2 transformers each →
the demo customers' meters) and a location hierarchy (Oslo region → municipality → buildings →
apartments → the same meters); an aggregation point, a zone over the first substation; then the
devices part (apps/assets/devices/demo.py). `--assets N` adds a bench substation with N
descendants (fixed id BENCH_SUBSTATION_ID) and a meter 20 location levels deep (BENCH_DEEP_METER_ID).

Deterministic and idempotent: every asset is found by its external id before it is created.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import Permission

from apps.customers import public as customers

from ..models import (
    AggregationPoint,
    Asset,
    AssetRelation,
    AssetType,
    Participant,
    ParticipantKind,
    ParticipantMembership,
    ParticipantTopNode,
    RelationType,
    SearchFilter,
)
from . import services

PROFESSIONAL_LOGIN = customers.DemoLogin("grid1", "grid1-password", "Grete", "Nettmann")


@dataclass(frozen=True)
class SecondCompany:
    """A grid company with a small graph of its own: substation → feeder → transformer, and
    region → municipality (external ids start with `prefix`)."""

    name: str
    organization_no: str
    login: customers.DemoLogin
    prefix: str
    region: str
    municipality: str
    latitude: float
    longitude: float


SECOND_COMPANIES = [
    SecondCompany(
        "Nordlys Nett AS",
        "912345678",
        customers.DemoLogin("grid2", "grid2-password", "Gunnar", "Nordlys"),
        "DEMO2",
        "Troms",
        "Tromsø kommune",
        69.65,
        18.96,
    ),
]
# Fixed ids, so `make bench` can name them in its paths (bench/pairs.py repeats them).
BENCH_SUBSTATION_ID = 9_000_000_001
BENCH_DEEP_METER_ID = 9_000_000_002
BENCH_DEPTH = 20
NET, LOCATION = RelationType.Network, RelationType.Location


def _asset(external_id: str, asset_type, name: str, parent: Asset | None = None, relation=NET, **fields) -> Asset:
    asset = Asset.objects.filter(external_id=external_id).first()
    if asset is None:
        asset = Asset.objects.create(external_id=external_id, asset_type=asset_type, name=name, **fields)
    if parent is not None and not AssetRelation.objects.filter(child=asset, relation_type=relation).exists():
        services.relate(parent=parent, child=asset, relation_type=relation)
    return asset


def _participant(name: str, org_no: str, parent: Participant | None = None) -> Participant:
    participant, _ = Participant.objects.get_or_create(
        organization_no=org_no, defaults={"name": name, "kind": ParticipantKind.GridCompany, "parent": parent}
    )
    return participant


def _professional(participant: Participant, login=PROFESSIONAL_LOGIN):
    user = customers.ensure_login(login)
    user.user_permissions.add(Permission.objects.get(codename="professional", content_type__app_label="customers"))
    ParticipantMembership.objects.get_or_create(user=user, participant=participant)
    return user


def _top(participant, asset, hierarchy) -> None:
    ParticipantTopNode.objects.get_or_create(participant=participant, asset=asset, hierarchy=hierarchy)


def grid_company_ids(user) -> dict:
    """The login's grid companies and their top nodes (seed_demo --json)."""
    memberships = ParticipantMembership.objects.filter(user=user).select_related("participant").order_by("id")
    return {
        "GridCompanies": [
            {
                "ParticipantId": m.participant.pk,
                "Name": m.participant.name,
                "TopNodes": [
                    {"AssetId": top.asset_id, "Name": top.asset.name, "Hierarchy": top.hierarchy}
                    for top in m.participant.top_nodes.select_related("asset").order_by("id")
                ],
            }
            for m in memberships
        ]
    }


TRY_IT = "the asset routes, e.g. api/Users/{UserId}/topnodes and api/assetinfo/{AssetId} of a top node"
LOGINS = [
    customers.SeededLogin(PROFESSIONAL_LOGIN, "professional", f"grid company Demo Nett AS: {TRY_IT}", grid_company_ids),
    *(
        customers.SeededLogin(c.login, "professional", f"grid company {c.name}: {TRY_IT}", grid_company_ids)
        for c in SECOND_COMPANIES
    ),
]


def seed_second_company(company: SecondCompany) -> None:
    participant = _participant(company.name, company.organization_no)
    _professional(participant, company.login)
    p = company.prefix
    substation = _asset(
        f"{p}-SS-1",
        AssetType.Substation,
        f"{company.name} substation 1",
        owner=participant,
        latitude=company.latitude,
        longitude=company.longitude,
    )
    _top(participant, substation, NET)
    feeder = _asset(f"{p}-FD-11", AssetType.Feeder, "Feeder 1.1", substation, owner=participant)
    _asset(f"{p}-TR-111", AssetType.Transformer, "Transformer 1.1.1", feeder, owner=participant)
    region = _asset(
        f"{p}-RG-1",
        AssetType.Region,
        company.region,
        owner=participant,
        latitude=company.latitude,
        longitude=company.longitude,
    )
    _top(participant, region, LOCATION)
    _asset(f"{p}-MU-1", AssetType.Municipality, company.municipality, region, LOCATION, owner=participant)


def seed(*, users, days: int = 0, progress=None, assets: int = 0, now: dt.datetime | None = None) -> None:
    company = _participant("Demo Nett AS", "987654321")
    _participant("Demo Nett Region Vest", "987654322", parent=company)
    professional = _professional(company)

    substations, transformers = [], []
    for s in (1, 2):
        substation = _asset(
            f"DEMO-SS-{s}",
            AssetType.Substation,
            f"Substation {s}",
            owner=company,
            latitude=59.9 + s / 100,
            longitude=10.7,
        )
        substations.append(substation)
        _top(company, substation, NET)
        for f in (1, 2):
            feeder = _asset(f"DEMO-FD-{s}{f}", AssetType.Feeder, f"Feeder {s}.{f}", substation, owner=company)
            for t in (1, 2):
                transformers.append(
                    _asset(
                        f"DEMO-TR-{s}{f}{t}", AssetType.Transformer, f"Transformer {s}.{f}.{t}", feeder, owner=company
                    )
                )
    region = _asset("DEMO-RG-OSLO", AssetType.Region, "Oslo", owner=company, latitude=59.91, longitude=10.75)
    _top(company, region, LOCATION)
    municipality = _asset("DEMO-MU-0301", AssetType.Municipality, "Oslo kommune", region, LOCATION, owner=company)
    buildings = [
        _asset(
            f"DEMO-BD-{b}",
            AssetType.Building,
            f"Building {b}",
            municipality,
            LOCATION,
            owner=company,
            latitude=59.92 + b / 1000,
            longitude=10.75,
        )
        for b in (1, 2)
    ]

    meters = list(
        Asset.objects.filter(meter__delivery_point__contract__customer__accesses__user__in=users[:2])
        .distinct()
        .order_by("id")
    )
    for index, meter in enumerate(meters):
        services.relate(parent=transformers[index % len(transformers)], child=meter, relation_type=NET)
        building = buildings[index % len(buildings)]
        apartment = _asset(f"DEMO-AP-{meter.name}", AssetType.Apartment, f"Apartment {index + 1}", building, LOCATION)
        services.relate(parent=apartment, child=meter, relation_type=LOCATION)
    aggregation_point = _asset(
        "DEMO-AGG-1", AssetType.AggregationPoint, "Aggregation point 1", substations[0], owner=company
    )
    AggregationPoint.objects.get_or_create(
        asset=aggregation_point,
        defaults={"bidding_zone": "NO1", "max_capacity_kw": 2500, "flexibility_enabled": True},
    )
    zone, _ = SearchFilter.objects.get_or_create(name="Zone Oslo Nord", defaults={"owner": company})
    zone.assets.add(substations[0])

    from ..devices.demo import seed_devices

    seed_devices(meters=meters, site=buildings[0], substations=substations, by=professional, now=now)
    for second in SECOND_COMPANIES:
        seed_second_company(second)
    if assets:
        seed_bench(participant=company, size=assets, progress=progress)


def seed_bench(*, participant: Participant, size: int, progress=None) -> None:
    """A substation with `size` descendants (feeders → transformers → meters, about 1:10:rest), and a
    meter BENCH_DEPTH location levels below a region, both under `participant`'s top nodes."""
    if not Asset.objects.filter(pk=BENCH_SUBSTATION_ID).exists():
        root = Asset.objects.create(
            pk=BENCH_SUBSTATION_ID, external_id="BENCH-SS", asset_type=AssetType.Substation, name="Bench substation"
        )
        _top(participant, root, NET)
        feeders = max(1, size // 1000)
        transformers = max(1, size // 100)
        layers = [(AssetType.Feeder, feeders), (AssetType.Transformer, transformers)]
        parents, done = [root], 0
        for asset_type, count in [*layers, (AssetType.Meter, max(0, size - feeders - transformers))]:
            rows = Asset.objects.bulk_create(
                [
                    Asset(asset_type=asset_type, name=f"Bench {asset_type.label} {i}", owner=participant)
                    for i in range(count)
                ],
                batch_size=2000,
            )
            AssetRelation.objects.bulk_create(
                [
                    AssetRelation(parent=parents[i % len(parents)], child=row, relation_type=NET)
                    for i, row in enumerate(rows)
                ],
                batch_size=2000,
            )
            parents = rows or parents
            done += count
            if progress is not None:
                progress(done, size)
    if not Asset.objects.filter(pk=BENCH_DEEP_METER_ID).exists():
        parent = _asset("BENCH-DEEP-0", AssetType.Region, "Bench region", owner=participant)
        _top(participant, parent, LOCATION)
        for level in range(1, BENCH_DEPTH):
            parent = _asset(f"BENCH-DEEP-{level}", AssetType.Building, f"Bench level {level}", parent, LOCATION)
        meter = Asset.objects.create(
            pk=BENCH_DEEP_METER_ID, external_id="BENCH-DEEP-METER", asset_type=AssetType.Meter, name="Bench deep meter"
        )
        services.relate(parent=parent, child=meter, relation_type=LOCATION)
