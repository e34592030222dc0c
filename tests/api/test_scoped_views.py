"""The scoped base view: sealed, atomic writes, path parameters accounted for."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate

from apps.customers.models import Customer
from apps.customers.scopes import CustomerScope, UserScope
from esmart.api.views import Anchor, ApiView, NotTenantScoped

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("method", ["dispatch", "initial", "get_queryset", "get_object"])
def test_a_subclass_cannot_bypass_the_scope(method):
    with pytest.raises(TypeError, match="scoping lives in ApiView"):
        type("Sneaky", (ApiView,), {method: lambda self, *a, **k: None, "__module__": "apps.sneaky"})


class WritesThenFails(ApiView):
    anchor_model = Customer
    anchor_scope = CustomerScope(customer_path="")
    anchor_lookups = {"customerId": "pk"}

    def patch(self, request, customerId):
        Customer.objects.filter(pk=self.anchor.pk).update(first_name="half-written")
        raise exceptions.ValidationError({"first_name": ["fails after the write"]})


class UnscopedParameter(ApiView):
    def get(self, request, customerId):
        return Response({})


def call(view_class, user, method="patch", **kwargs):
    request = getattr(APIRequestFactory(), method)("/x", {}, format="json")
    force_authenticate(request, user=user)
    return view_class.as_view()(request, **kwargs)


def test_a_write_that_fails_is_rolled_back(owner):
    response = call(WritesThenFails, owner.user, customerId=owner.customer.pk)
    assert response.status_code == 400
    assert response.data["ModelState"] == {"FirstName": ["fails after the write"]}
    assert Customer.objects.get(pk=owner.customer.pk).first_name == owner.customer.first_name


def test_the_anchor_is_resolved_before_the_handler(owner, other):
    response = call(WritesThenFails, owner.user, customerId=other.customer.pk)
    assert response.status_code == 404
    assert Customer.objects.get(pk=other.customer.pk).first_name == other.customer.first_name


def test_an_owned_parameter_without_a_scope_is_refused(owner):
    with pytest.raises(ImproperlyConfigured, match="customerId"):
        call(UnscopedParameter, owner.user, method="get", customerId=owner.customer.pk)


class ReadOnlyPost(WritesThenFails):
    read_only = True


def test_read_only_posts_run_without_a_request_transaction(owner):
    # A POST that only carries parameters: what it stores on the way commits on its own.
    response = call(ReadOnlyPost, owner.user, customerId=owner.customer.pk)
    assert response.status_code == 400
    assert Customer.objects.get(pk=owner.customer.pk).first_name == "half-written"


# --- tenancy declarations (docs/tenancy.md) -------------------------------------------------------

CUSTOMERS_IN_AREA = Anchor("customers in reach", CustomerScope(customer_path=""))
OTHER_ANCHOR = Anchor("users", UserScope())


class ListsCustomers(ApiView):
    tenancy = CUSTOMERS_IN_AREA

    def get(self, request):
        return Response(sorted(self.restrict(Customer.objects.all()).values_list("pk", flat=True)))


class RestrictsThroughAnUndeclaredAnchor(ListsCustomers):
    def get(self, request):
        return Response(list(self.restrict(Customer.objects.all(), through=OTHER_ANCHOR)))


def test_a_list_is_restricted_through_the_declared_anchor(owner, other):
    response = call(ListsCustomers, owner.user, method="get")
    assert response.status_code == 200
    assert response.data == [owner.customer.pk]


def test_a_view_restricts_only_through_anchors_it_declares(owner):
    with pytest.raises(ImproperlyConfigured, match="not its tenancy"):
        call(RestrictsThroughAnUndeclaredAnchor, owner.user, method="get")


def test_an_anchor_names_the_view_s_model_scope_and_lookups():
    class Named(ApiView):
        tenancy = Anchor("customer", CustomerScope(customer_path=""), Customer, {"customerId": "pk"})

    assert (Named.anchor_model, Named.anchor_scope, Named.anchor_lookups) == (
        Customer,
        Named.tenancy.scope,
        {"customerId": "pk"},
    )


def test_an_anchor_with_a_model_must_map_a_path_parameter():
    with pytest.raises(TypeError, match="maps no path parameter"):
        type("NoLookups", (ApiView,), {"tenancy": Anchor("x", UserScope(), Customer), "__module__": "apps.x"})


def test_not_tenant_scoped_needs_a_reason():
    with pytest.raises(ValueError, match="reason"):
        NotTenantScoped(" ")
