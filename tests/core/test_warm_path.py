"""The small authenticated GET's warm path: the user row read by one fixed statement, the anchor
query compiled once per view (esmart/api/compiled.py), routes narrowed by their first segment.
Whatever is compiled, a password change, a deactivation or a lost access counts on the next request."""

import re
from types import SimpleNamespace

import pytest
from django.contrib.auth.hashers import make_password
from django.urls import get_resolver
from django.urls.resolvers import URLResolver

from apps.customers.api.views import CustomerView
from apps.customers.models import Customer, CustomerAccess, User
from apps.customers.scopes import CustomerScope
from apps.metering.api.views import ConsumptionView
from esmart.api import authentication
from esmart.api.area import Area
from esmart.api.compiled import CompiledQuery, NotCompilableError
from esmart.api.routing import FirstSegmentResolver
from esmart.api.views import _COMPILED_ANCHORS, ApiView
from tests.conftest import basic
from tests.factories import CustomerAccessFactory

pytestmark = pytest.mark.django_db


def customer_url(owner) -> str:
    return f"/api/customers/{owner.customer.pk}"


def warm(owner):
    client = owner.client()
    assert client.get(customer_url(owner)).status_code == 200
    assert client.get(customer_url(owner)).status_code == 200  # the credential cache vouches now
    return client


# --- what must count on the next request ------------------------------------------------------------


def test_a_password_changed_behind_the_orm_counts_at_once(owner):
    client = warm(owner)
    User.objects.filter(pk=owner.user.pk).update(password=make_password("another password entirely"))
    assert client.get(customer_url(owner)).status_code == 401
    client.credentials(HTTP_AUTHORIZATION=basic(owner.user.username, "another password entirely"))
    assert client.get(customer_url(owner)).status_code == 200


def test_a_deactivation_behind_the_orm_counts_at_once(owner):
    client = warm(owner)
    User.objects.filter(pk=owner.user.pk).update(is_active=False)
    assert client.get(customer_url(owner)).status_code == 401


def test_a_lost_customer_access_counts_at_once(owner):
    client = warm(owner)
    meter_url = (
        f"/api/customers/{owner.customer.pk}/contracts/{owner.contract.contract_no}/meters/{owner.meter.meter_id}"
    )
    assert client.get(f"{meter_url}/wattmeter").status_code == 200
    CustomerAccess.objects.filter(user=owner.user, customer=owner.customer).delete()
    assert client.get(f"{meter_url}/wattmeter").status_code in (403, 404)
    response = client.get(customer_url(owner))
    assert response.status_code == 403  # no Power customer left: the scope's own answer
    CustomerAccessFactory(user=owner.user, customer=owner.customer)
    assert client.get(customer_url(owner)).status_code == 200


def test_another_users_customer_and_the_other_area_stay_out(owner, other):
    client = warm(owner)
    assert client.get(f"/api/customers/{other.customer.pk}").status_code == 404
    assert client.get(customer_url(owner), headers={"X-Area": str(int(Area.NET))}).status_code == 404
    assert client.get(f"/api/customers/{owner.net_customer.pk}", headers={"X-Area": "1"}).status_code == 200


# --- the user row ------------------------------------------------------------------------------------


def test_the_user_row_statement_reads_what_the_orm_reads(owner):
    owner.user.last_login = owner.user.date_joined
    owner.user.save()
    found = authentication._find_user(owner.user.username)
    expected = User.objects.get(pk=owner.user.pk)
    fields = [f.attname for f in User._meta.concrete_fields]
    assert {f: getattr(found, f) for f in fields} == {f: getattr(expected, f) for f in fields}
    assert found._state.adding is False and found._state.db == "default"
    assert authentication._find_user(owner.user.username.upper() + "-nobody") is None


def test_a_warm_request_is_two_queries(owner, django_assert_num_queries):
    client = warm(owner)
    with django_assert_num_queries(2):  # the user row, the scoped customer
        assert client.get(customer_url(owner)).status_code == 200


# --- the compiled anchor -----------------------------------------------------------------------------


def view_of(view_class, owner, **kwargs):
    view = view_class()
    view.kwargs = kwargs
    view.request = SimpleNamespace(user=owner.user, _esmart_area=Area.POWER)
    return view


def test_the_compiled_anchor_finds_what_the_orm_finds(owner, other):
    view = view_of(CustomerView, owner, customerId=owner.customer.pk)
    compiled = view._compile_anchor_query()
    for user, area, customer in [
        (owner.user, Area.POWER, owner.customer),
        (owner.user, Area.NET, owner.customer),
        (owner.user, Area.NET, owner.net_customer),
        (owner.user, Area.POWER, other.customer),
        (other.user, Area.POWER, other.customer),
    ]:
        orm = CustomerScope("").restrict(Customer.objects.all(), SimpleNamespace(user=user, _esmart_area=area))
        expected = orm.filter(pk=customer.pk).first()
        found = compiled.first([user.pk, int(area), customer.pk], using="default")
        assert found == expected
        if found is not None:
            assert found.__dict__.keys() == expected.__dict__.keys()
            assert {k: v for k, v in found.__dict__.items() if k != "_state"} == {
                k: v for k, v in expected.__dict__.items() if k != "_state"
            }


def test_select_related_comes_with_the_compiled_anchor(owner, django_assert_num_queries):
    view = view_of(
        ConsumptionView,
        owner,
        customerId=owner.customer.pk,
        contractNo=owner.contract.contract_no,
        meterId=owner.meter.meter_id,
    )
    compiled = view._compile_anchor_query()
    with django_assert_num_queries(1):
        meter = compiled.first(
            [owner.user.pk, int(Area.POWER), owner.customer.pk, owner.contract.contract_no, owner.meter.meter_id],
            using="default",
        )
        assert meter == owner.meter
        assert meter.delivery_point == owner.delivery_point  # no second query


class ReadsTheQuery(ApiView):
    anchor_model = Customer
    anchor_scope = CustomerScope("")
    anchor_lookups = {"customerId": "pk"}

    def refine_anchor(self, queryset):
        return queryset.filter(first_name=self.request.query_params.get("name", ""))


class WrapsTheValue(ApiView):
    anchor_model = Customer
    anchor_scope = CustomerScope("")
    anchor_lookups = {"customerId": "pk"}

    def refine_anchor(self, queryset):
        return queryset.filter(last_name__contains=self.kwargs["customerId"])


@pytest.mark.parametrize("view_class", [ReadsTheQuery, WrapsTheValue])
def test_a_query_that_is_not_only_its_values_is_not_compiled(owner, view_class):
    view = view_of(view_class, owner, customerId=owner.customer.pk)
    with pytest.raises(NotCompilableError):
        view._compile_anchor_query()
    _COMPILED_ANCHORS.clear()
    assert view._compiled_anchor_query() is None  # the view keeps the ORM


def test_a_value_written_into_the_sql_is_not_compiled(owner):
    def build(stand_ins):
        return Customer.objects.order_by("pk")[stand_ins[0] - 31_000 :]  # an OFFSET from a value

    with pytest.raises(NotCompilableError):
        CompiledQuery.first_of(build, [3])


# --- routes ------------------------------------------------------------------------------------------


SAMPLES = {
    "int": "7",
    "digits": "7",
    "str": "abc",
    "slug": "abc",
    "path": "a/b",
    "uuid": "00000000-0000-0000-0000-000000000001",
}


def sample_paths():
    """A path for every API route, its converters filled with sample values."""
    api = next(p for p in get_resolver().url_patterns if isinstance(p, FirstSegmentResolver))
    paths = []

    def walk(patterns, prefix):
        for entry in patterns:
            route = re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLES[m[1] or "str"], str(entry.pattern))
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, prefix + route)
            else:
                paths.append(prefix + route)

    walk(api.url_patterns, "api/")
    return api, paths


def test_narrowed_routes_resolve_as_the_full_list():
    api, paths = sample_paths()
    full = URLResolver(api.pattern, api.url_patterns)
    assert len(paths) > 100
    for path in paths:
        for variant in (path, path.upper().replace("API/", "api/"), path + "/"):
            try:
                expected = full.resolve(variant)
            except Exception as exc:  # the same error either way
                with pytest.raises(type(exc)):
                    api.resolve(variant)
                continue
            found = api.resolve(variant)
            assert (found.func, found.args, found.kwargs, found.url_name, found.route) == (
                expected.func,
                expected.args,
                expected.kwargs,
                expected.url_name,
                expected.route,
            ), variant
