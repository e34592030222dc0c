"""The one paginator (esmart/api/pagination.py): its three parameter styles and its one maximum,
then one paged route of every app that pages, through HTTP: the route's documented default size,
a page beyond the end (empty), a size over API_MAX_PAGE_SIZE and page 0 (400s naming the parameter)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import override_settings
from django.utils import timezone
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from apps.assets.models import Asset, AssetRelation, AssetType, RelationType
from apps.metering.services import record_reading
from apps.notifications.models import CustomerMessage
from esmart.api.pagination import (
    MAX_PAGE_NUMBER,
    Window,
    page_number_query,
    page_query,
    paginate,
    skip_take_query,
    window,
)
from esmart.api.query import bind_query, query_parameters
from tests.assets import graph_world
from tests.assignments.conftest import client_for, make_team
from tests.assignments.factories import make_assignment
from tests.clock import TEST_NOW
from tests.flex import world as flex_world

PageQuery = page_query(default_size=10)
PageNumberQuery = page_number_query(default_size=20)
SkipTakeQuery = skip_take_query(default_take=50)


def bind(serializer_class, query_string: str = "") -> dict:
    return bind_query(Request(APIRequestFactory().get(f"/x?{query_string}")), serializer_class)


def refused(serializer_class, query_string: str) -> list[str]:
    """The wire names of the parameters a 400 names."""
    with pytest.raises(ValidationError) as error:
        bind(serializer_class, query_string)
    return list(error.value.detail)


# --- the kernel paginator -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("serializer_class", "query_string", "expected"),
    [
        (PageQuery, "", Window(offset=0, limit=10)),
        (PageQuery, "page=3&pageSize=7", Window(offset=14, limit=7)),
        (PageNumberQuery, "", Window(offset=0, limit=20)),
        (PageNumberQuery, "PAGENUMBER=2&pagesize=5", Window(offset=5, limit=5)),
        (SkipTakeQuery, "", Window(offset=0, limit=50)),
        (SkipTakeQuery, "skip=3&take=4", Window(offset=3, limit=4)),
    ],
)
def test_each_style_names_its_window(serializer_class, query_string, expected):
    assert window(bind(serializer_class, query_string)) == expected


@pytest.mark.parametrize(
    ("serializer_class", "query_string", "named"),
    [
        (PageQuery, "page=0", "page"),
        (PageQuery, f"page={MAX_PAGE_NUMBER + 1}", "page"),
        (PageQuery, "pageSize=0", "pageSize"),
        (PageQuery, "pageSize=x", "pageSize"),
        (PageQuery, f"pageSize={settings.API_MAX_PAGE_SIZE + 1}", "pageSize"),
        (PageNumberQuery, "pageNumber=0", "pageNumber"),
        (PageNumberQuery, f"pageSize={settings.API_MAX_PAGE_SIZE + 1}", "pageSize"),
        (SkipTakeQuery, "skip=-1", "skip"),
        (SkipTakeQuery, "take=0", "take"),
        (SkipTakeQuery, f"take={settings.API_MAX_PAGE_SIZE + 1}", "take"),
    ],
)
def test_a_bad_value_is_a_400_naming_the_parameter(serializer_class, query_string, named):
    assert refused(serializer_class, query_string) == [named]


def test_the_maximum_is_the_setting_for_every_style():
    largest = settings.API_MAX_PAGE_SIZE
    assert bind(PageQuery, f"pageSize={largest}")["page_size"] == largest
    assert bind(PageNumberQuery, f"pageSize={largest}")["page_size"] == largest
    assert bind(SkipTakeQuery, f"take={largest}")["take"] == largest
    with override_settings(API_MAX_PAGE_SIZE=5):
        assert refused(PageQuery, "pageSize=6") == ["pageSize"]
        assert refused(SkipTakeQuery, "take=6") == ["take"]


def test_the_schema_documents_the_seed_names_and_the_route_default():
    assert {p.name: p.default for p in query_parameters(PageQuery)} == {"page": 1, "pageSize": 10}
    assert {p.name: p.default for p in query_parameters(PageNumberQuery)} == {"pageNumber": 1, "pageSize": 20}
    assert {p.name: p.default for p in query_parameters(SkipTakeQuery)} == {"skip": 0, "take": 50}


def test_a_list_is_sliced_and_a_page_beyond_the_end_is_empty():
    rows = list(range(25))
    assert paginate(rows, {"page": 3, "page_size": 10}) == [20, 21, 22, 23, 24]
    assert paginate(rows, {"page_number": 4, "page_size": 10}) == []
    assert paginate(rows, {"skip": 24, "take": 5}) == [24]


@pytest.mark.django_db
def test_a_queryset_is_paged_in_one_query(django_assert_num_queries):
    users = get_user_model().objects.bulk_create(get_user_model()(username=f"pager{n}") for n in range(5))
    ordered = get_user_model().objects.filter(username__startswith="pager").order_by("username")
    with django_assert_num_queries(1):
        page = list(paginate(ordered, {"skip": 1, "take": 2}))
    assert [user.username for user in page] == [users[1].username, users[2].username]


# --- one paged route of every app that pages ----------------------------------------------------


@dataclass(frozen=True)
class PagedRoute:
    app: str
    default_size: int
    page_parameter: str  # the page number's wire name
    size_parameter: str
    build: Callable  # (owner, rows) -> (client, url) with `rows` rows on the route's list


def assets_children(owner, rows):
    substation = graph_world.build(owner).substation
    new = Asset.objects.bulk_create(Asset(asset_type=AssetType.Feeder, name=f"f{n}") for n in range(rows))
    AssetRelation.objects.bulk_create(
        AssetRelation(parent=substation, child=child, relation_type=RelationType.Network) for child in new
    )
    return owner.client(), f"/api/AssetRelations/{substation.pk}/children/network"


def metering_readings(owner, rows):
    today = TEST_NOW.date()
    for n in range(rows):
        record_reading(delivery_point=owner.delivery_point, reading_date=today - dt.timedelta(days=rows - n), value=n)
    return owner.client(), f"/api/customers/{owner.customer.pk}/deliverypoints/{owner.delivery_point.pk}/readings"


def notifications_messages(owner, rows):
    now = timezone.now()
    CustomerMessage.objects.bulk_create(
        CustomerMessage(customer=owner.customer, text=f"m{n}", sent_at=now) for n in range(rows)
    )
    return owner.client(), f"/api/customers/{owner.customer.pk}/messages"


def flex_sample_plans(owner, rows):
    device = flex_world.build(owner).device  # the sample route has 30 plans of its own
    return owner.client(), f"/api/mock/customers/{owner.customer.pk}/devices/{device.pk}/controlplans"


def assignments_of_nurse(owner, rows):
    care = make_team()  # with one assignment for the nurse
    for _ in range(rows - 1):
        make_assignment(care.client, assignee=care.nurse)
    return client_for(care.nurse), f"/api/users/{care.nurse.pk}/assignments"


PAGED_ROUTES = [
    PagedRoute("assets", 100, "page", "pageSize", assets_children),
    PagedRoute("metering", 10, "page", "pageSize", metering_readings),
    PagedRoute("notifications", 10, "page", "pageSize", notifications_messages),
    PagedRoute("flex", 20, "pageNumber", "pageSize", flex_sample_plans),
    PagedRoute("assignments", 20, "page", "pageSize", assignments_of_nurse),
]


@pytest.mark.django_db
@pytest.mark.parametrize("route", PAGED_ROUTES, ids=lambda route: route.app)
def test_a_paged_route_of_every_app(owner, route):
    client, url = route.build(owner, route.default_size + 1)
    assert len(client.get(url).json()) == route.default_size
    assert client.get(url, {route.page_parameter: MAX_PAGE_NUMBER}).json() == []
    for bad, named in [
        ({route.size_parameter: settings.API_MAX_PAGE_SIZE + 1}, route.size_parameter),
        ({route.page_parameter: 0}, route.page_parameter),
    ]:
        response = client.get(url, bad)
        assert response.status_code == 400, (route.app, bad)
        assert response.json()["Message"]
        assert {key.lower() for key in response.json()["ModelState"]} == {named.lower()}
