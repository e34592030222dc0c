"""Schemathesis over the whole OpenAPI schema (DESIGN.md §10).

Bounded and reproducible: a fixed number of examples per operation and a derandomised
generator. About half of the generated cases use the path ids of a seeded login, so the
generated bodies and parameters reach the handlers instead of stopping at a 404.
Checks: no server error, documented status codes, content types and response schemas,
and negative (schema-violating) data is rejected.
"""

import hypothesis.strategies as st
import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from apps.customers import demo

DEMO = demo.DEMO_LOGINS[0]
# Credentials through schemathesis' own auth config: it then never generates a "negative"
# Authorization header that a fixed header would silently repair.
schema = schemathesis.openapi.from_wsgi(
    "/api/schema/?format=json",
    get_wsgi_application(),
    config=schemathesis.Config.from_dict({"auth": {"basic": {"username": DEMO.username, "password": DEMO.password}}}),
)
SEEDED_IDS: dict[str, object] = {}


def negative_data_rejected(ctx, response, case):
    """schemathesis' negative-data check, where a 413 also counts as a refusal: a body over the
    route's cap is refused before it is parsed (DESIGN.md §4 "Limits")."""
    if response.status_code == 413:
        return None
    return negative_data_rejection(ctx, response, case)


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejected,
]


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    path_parameters = path_parameters or {}
    # Only where the generated value has the seeded value's type: a negative case (a string where
    # the schema says integer) stays negative.
    seeded = {
        name: SEEDED_IDS[name]
        for name, value in path_parameters.items()
        if name in SEEDED_IDS and type(value) is type(SEEDED_IDS[name])
    }
    return st.sampled_from([path_parameters, {**path_parameters, **seeded}])


@pytest.fixture(autouse=True)
def _twilio_configured(settings):
    """Tokens are generated locally; with settings they are answers, not the designed 503."""
    settings.TWILIO_ACCOUNT_SID = "AC" + "0" * 32
    settings.TWILIO_API_KEY = "SK" + "0" * 32
    settings.TWILIO_API_SECRET = "test-secret-" + "x" * 32  # HS256 wants at least 32 bytes


@pytest.fixture
def seeded_login(db, in_process_requests):
    (demo1, _demo2) = demo.seed()
    customer = demo1.customers.filter(area=2).prefetch_related("contracts__delivery_points__meters").get()
    contract = customer.contracts.all()[0]
    point = contract.delivery_points.all()[0]
    SEEDED_IDS.update(
        userId=demo1.pk,
        customerId=customer.pk,
        contractNo=contract.contract_no,
        deliveryPointId=point.pk,
        meterId=point.meters.all()[0].meter_id,
    )
    return DEMO


@schema.parametrize()
@settings(
    max_examples=20,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case, seeded_login):
    case.call_and_validate(checks=CHECKS)
