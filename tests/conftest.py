import base64
from dataclasses import dataclass

import pytest
import time_machine
from django.core.cache import cache
from rest_framework.test import APIClient

from apps.customers.models import Contract, Customer, DeliveryPoint, Meter, User
from esmart.api.area import Area

from . import self_contained
from .clock import TEST_NOW
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


# --- No test reads a file outside the repository (tests/self_contained.py) --------------------------
# Installed when this file is imported, so reads at collection are seen too. Each process (each
# pytest-xdist worker) records its own reads; the test during which, or before which, a read
# happened fails at teardown, naming the paths.
OUTSIDE_READS = self_contained.start(self_contained.OutsideReads())


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    result = yield
    self_contained.fail_on_outside_reads(OUTSIDE_READS, "during this test, or before it at collection")
    return result


def pytest_sessionfinish(session, exitstatus):
    paths = OUTSIDE_READS.take()
    if paths:  # after the last test (fails a run without xdist; a worker's status is not used by xdist)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        print("\nread outside the repository after the last test: " + ", ".join(paths))


# --- One instant for every test (tests/clock.py) ---------------------------------------------------
# Collection and module- or session-scoped fixtures run at the instant too; each test starts at it
# again. A test marked `real_clock` runs on the real clock, and so does a test marked `worker`: a
# real Celery worker is another process, on the real clock, and the test must agree with it.
_SESSION_CLOCK = time_machine.travel(TEST_NOW, tick=True)
_SESSION_CLOCK.start()


def pytest_unconfigure(config):
    if time_machine.traveller_stack:
        _SESSION_CLOCK.stop()


@pytest.fixture(autouse=True)
def _fixed_clock(request):
    if request.node.get_closest_marker("real_clock") or request.node.get_closest_marker("worker"):
        _SESSION_CLOCK.stop()
        try:
            yield None
        finally:
            _SESSION_CLOCK.start()
        return
    with time_machine.travel(TEST_NOW, tick=True) as traveller:
        yield traveller


# The Celery settings tests change (a broker, a worker, tasks queued instead of run eagerly).
_CELERY_TEST_KEYS = ("broker_url", "result_backend", "task_always_eager", "broker_transport_options")


@pytest.fixture(autouse=True)
def _celery_as_configured():
    """Every test starts with Celery as the settings configure it (eager tasks): a test that
    changed the app's configuration or closed a broker pool cannot leave it to the tests after it
    in the same process."""
    from kombu import pools

    from esmart.celery import app

    if any(key in app.conf.changes for key in _CELERY_TEST_KEYS):
        for key in _CELERY_TEST_KEYS:
            app.conf.changes.pop(key, None)
        pools.reset()
        app._pool = None
        app.amqp._producer_pool = None
    yield


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
