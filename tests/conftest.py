import base64
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from apps.customers.models import Contract, Customer, DeliveryPoint, Meter, User
from esmart.api.area import Area

from .factories import (
    PASSWORD,
    ContractFactory,
    CustomerAccessFactory,
    CustomerFactory,
    DeliveryPointFactory,
    MeterFactory,
    UserFactory,
)


def basic(username: str, password: str = PASSWORD) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


@dataclass
class Owner:
    """A login with one full chain in each area: customer → contract → delivery point → meter."""

    user: User
    customer: Customer  # the Power customer
    contract: Contract
    delivery_point: DeliveryPoint
    meter: Meter
    net_customer: Customer

    def client(self, area: Area | None = None) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=basic(self.user.username))
        if area is not None:
            client.defaults["HTTP_X_AREA"] = str(int(area))
        return client


def make_owner() -> Owner:
    user = UserFactory()
    customer = CustomerFactory(area=Area.POWER)
    net_customer = CustomerFactory(area=Area.NET)
    CustomerAccessFactory(user=user, customer=customer)
    CustomerAccessFactory(user=user, customer=net_customer)
    contract = ContractFactory(customer=customer)
    ContractFactory(customer=net_customer, product=Contract.Product.NET)
    delivery_point = DeliveryPointFactory(contract=contract)
    meter = MeterFactory(delivery_point=delivery_point)
    return Owner(user, customer, contract, delivery_point, meter, net_customer)


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def owner(db) -> Owner:
    return make_owner()


@pytest.fixture
def other(db) -> Owner:
    """Another login with its own chains: its ids must be 404 for `owner`."""
    return make_owner()


@pytest.fixture
def anonymous() -> APIClient:
    return APIClient()
