"""api/batterycars, api/evinfo/carvendors, api/chargers and the charger statistics."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from apps.assets.models import Asset, AssetType, Charger, ParticipantTopNode, RelationType
from apps.ev.models import BatteryCar, ChargerImport
from apps.metering.models import Resolution
from apps.metering.services import load_intervals
from apps.pricing import selectors as pricing
from tests.assets import graph_world

from . import world as ev_world

pytestmark = pytest.mark.django_db


def test_catalogue_is_seeded_and_served(owner):
    assert BatteryCar.objects.count() >= 20
    listed = owner.client().get("/api/batterycars")
    assert listed.status_code == 200
    tesla = next(c for c in listed.json() if c["Model"] == "Model Y" and c["Generation"] == "Long Range 2023")
    assert (tesla["GrossBatterySize"], tesla["NettBatterySize"], tesla["MaxAcChargePower"]) == (81, 75, 11)
    one = owner.client().get(f"/api/batterycars/{tesla['Id']}")
    assert one.json() == tesla
    assert owner.client().get("/api/batterycars/999999").status_code == 404
    manufacturers = owner.client().get("/api/batterycars/manufacturers").json()
    assert manufacturers == sorted(manufacturers) and "Tesla" in manufacturers


def test_car_vendors_with_their_models(owner, settings):
    settings.EV_VENDOR_ADAPTERS = {"Tesla": "tesla"}
    vendors = {v["Manufacturer"]: v for v in owner.client().get("/api/evinfo/carvendors").json()}
    assert vendors["Tesla"]["UseExternalApi"] is True and vendors["Nissan"]["UseExternalApi"] is False
    assert {m["Model"] for m in vendors["Tesla"]["Models"]} == {"Model 3", "Model Y"}


def test_catalogue_needs_credentials(anonymous):
    assert anonymous.get("/api/batterycars").status_code == 401


# --- api/chargers -----------------------------------------------------------------------------------


def test_find_a_charger_by_external_id(owner):
    world = ev_world.build(owner, with_request=False)
    response = owner.client().get("/api/chargers", {"externalId": world.charger.asset.external_id})
    assert response.status_code == 200
    assert response.json()["AssetId"] == world.charger.pk
    assert response.json()["MaxPower"] == 11


def test_unknown_charger_is_404_without_create(owner):
    assert owner.client().get("/api/chargers", {"externalId": "nope"}).status_code == 404
    assert not Charger.objects.exists()


def test_create_if_not_exists_creates_in_the_callers_reach(owner):
    graph_world.grant_professional(owner.user)  # creating chargers needs the import privilege
    response = owner.client().get(
        "/api/chargers", {"externalId": "EASEE-1", "createIfNotExists": "true", "importSource": "easee"}
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["ImportSource"] == "easee"
    charger = Charger.objects.select_related("asset").get(pk=data["AssetId"])
    assert charger.asset.delivery_point == owner.delivery_point
    assert ChargerImport.objects.get(charger=charger).imported_by == owner.user
    again = owner.client().get("/api/chargers", {"externalId": "EASEE-1", "createIfNotExists": "true"})
    assert again.status_code == 200 and again.json()["AssetId"] == charger.pk


def test_a_professional_creates_under_their_top_node(owner):
    graph = graph_world.build(owner)
    response = owner.client().get("/api/chargers", {"externalId": "PRO-1", "createIfNotExists": "TRUE"})
    assert response.status_code == 201
    top = ParticipantTopNode.objects.filter(participant=graph.participant, hierarchy=RelationType.Location).first()
    asset = Asset.objects.get(pk=response.json()["AssetId"])
    assert asset.parent_relations.filter(parent=top.asset, relation_type=RelationType.Location).exists()


def test_another_users_charger_is_not_found_and_not_taken_over(owner, other):
    graph_world.grant_professional(owner.user)  # creating chargers needs the import privilege
    theirs = ev_world.build(other, with_request=False)
    external_id = theirs.charger.asset.external_id
    assert owner.client().get("/api/chargers", {"externalId": external_id}).status_code == 404
    created = owner.client().get("/api/chargers", {"externalId": external_id, "createIfNotExists": "true"})
    assert created.status_code == 201 and created.json()["AssetId"] != theirs.charger.pk


@pytest.mark.parametrize("query", [{}, {"externalId": "x", "createIfNotExists": "yes"}, {"externalId": "x" * 101}])
def test_bad_charger_queries_are_400(owner, query):
    response = owner.client().get("/api/chargers", query)
    assert response.status_code == 400
    assert not Asset.objects.filter(asset_type=AssetType.Charger).exists()


# --- statistics ------------------------------------------------------------------------------------

OSLO = ZoneInfo("Europe/Oslo")


def load_march(meter):
    """Hourly intervals of March 2025: 0.05 kWh background, two charging sessions of 3 × 7 kWh."""
    start = dt.datetime(2025, 3, 1, tzinfo=OSLO).astimezone(dt.UTC)
    end = dt.datetime(2025, 4, 1, tzinfo=OSLO).astimezone(dt.UTC)
    sessions = {dt.datetime(2025, 3, d, h, tzinfo=OSLO).astimezone(dt.UTC) for d in (3, 10) for h in (20, 21, 22)}
    rows, moment = [], start
    while moment < end:
        value = Decimal("7") if moment in sessions else Decimal("0.05")
        rows.append((meter.pk, moment, 60, value, 0))
        moment += dt.timedelta(hours=1)
    load_intervals(rows=rows)
    return len(rows)


def stats_url(owner, charger_id, contract_no=None):
    contract_no = contract_no or owner.contract.contract_no
    return f"/api/evinfo/customers/{owner.customer.pk}/contracts/{contract_no}/chargers/{charger_id}/statistics"


def test_monthly_statistics_from_metering_and_pricing(owner):
    world = ev_world.build(owner, with_request=False)
    hours = load_march(owner.meter)
    response = owner.client().get(stats_url(owner, world.charger.pk), {"year": 2025, "month": 3})
    assert response.status_code == 200, response.content
    data = response.json()
    assert hours == 743  # DST
    assert data["EnergyCharged"] == pytest.approx(42 + 0.05 * 737)
    assert data["NumberOfSessions"] == 2
    assert data["PeakPower"] == 7
    start = dt.datetime(2025, 3, 1, tzinfo=OSLO).astimezone(dt.UTC)
    end = dt.datetime(2025, 4, 1, tzinfo=OSLO).astimezone(dt.UTC)
    costs = pricing.meter_costs(meter=owner.meter, from_time=start, to_time=end, resolution=Resolution.Month)
    assert data["Cost"] == costs["totals"]["value"] and data["Cost"] > 0
    assert data["FromTime"] == "2025-02-28T23:00:00"


@pytest.mark.parametrize(
    "query", [{}, {"year": 2025}, {"year": 2025, "month": 13}, {"year": 1999, "month": 1}, {"year": "x", "month": 1}]
)
def test_year_and_month_are_validated(owner, query):
    world = ev_world.build(owner, with_request=False)
    assert owner.client().get(stats_url(owner, world.charger.pk), query).status_code == 400


def test_statistics_of_others_or_of_the_wrong_contract_are_404(owner, other):
    world = ev_world.build(owner, with_request=False)
    theirs = ev_world.build(other, with_request=False)
    query = {"year": 2025, "month": 3}
    assert owner.client().get(stats_url(owner, theirs.charger.pk), query).status_code == 404
    assert owner.client().get(stats_url(owner, world.charger.pk, contract_no=999), query).status_code == 404


def test_a_charger_without_a_meter_is_404(owner):
    world = ev_world.build(owner, with_request=False)
    world.charger.asset.parent_relations.filter(relation_type=RelationType.Measures).delete()
    response = owner.client().get(stats_url(owner, world.charger.pk), {"year": 2025, "month": 3})
    assert response.status_code == 404
    assert "meter" in response.json()["Message"]
