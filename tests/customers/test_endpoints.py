"""Every customers endpoint on the contract harness (tests/api/harness.py): the happy path (and
whether it writes), no credentials → 401, another login's user or customer ids → 404, bad input →
400; none of the refusals writes a customers row. Behaviour in detail is in the topic files next to
this one (foundation, contracts, terms, feedback and tracking, import)."""

from __future__ import annotations

from pathlib import Path

import pytest

from apps.customers import services
from apps.customers.api import urls as customers_urls
from apps.customers.models import AppConfigParameter, TermsType
from tests.api.harness import Bad, Endpoint, EndpointContract, World
from tests.conftest import make_owner
from tests.factories import PASSWORD

from .factories import AppFactory, TermsVersionFactory

CIS = Path(__file__).resolve().parent.parent / "fixtures" / "customers" / "cis"
C = "/api/customers/{customer}"
APP = C + "/apps/smartliv"
LOGIN = {"UserName": "{username}", "Password": PASSWORD, "Area": 1}
FEEDBACK = {"AppName": "smartliv", "AppVersion": "3.2.1", "Platform": "ios", "Rating": 4, "Message": "Nice app."}
TRACKING = {"AppName": "smartliv", "Event": "LoggedIn"}


class TestCustomersEndpoints(EndpointContract):
    apps = ("customers",)
    urlpatterns = customers_urls.urlpatterns
    parent_keys = ("customer",)
    object_keys = ("contract",)
    endpoints = [
        # The login itself: credentials in the body, so there is no "no credentials" case.
        Endpoint(
            "POST",
            "/api/Authenticate",
            LOGIN,
            bad=(Bad({**LOGIN, "Area": 7}), Bad({"UserName": "{username}"})),
            owned=False,
            login=None,
            anonymous_status=None,
        ),
        Endpoint("GET", "/api/users/{user}"),
        Endpoint("GET", "/api/users/{user}/privileges"),
        Endpoint("GET", C),
        Endpoint(
            "PATCH",
            C,
            {"PhoneNumber": "22334455"},
            bad=(Bad({"PhoneNumber": "12ab"}), Bad({"Email": "not-an-address"})),
            writes=True,
        ),
        Endpoint("GET", C + "/contracts"),
        Endpoint("GET", C + "/contracts/{contract}"),
        Endpoint(
            "GET",
            C + "/contractdeliverypoints?includeWattMeter=true",
            bad=(Bad(path=C + "/contractdeliverypoints?includeWattMeter=maybe"),),
        ),
        Endpoint("GET", C + "/deliverypoints"),
        Endpoint("GET", C + "/associates"),
        Endpoint("GET", C + "/import"),  # a customer the CIS does not know: found nothing, wrote nothing
        Endpoint("GET", APP + "/eula"),
        Endpoint("POST", APP + "/eula", writes=True),
        Endpoint("GET", APP + "/terms"),
        Endpoint(
            "POST",
            APP + "/terms",
            {"AcceptAdditionalTerms": True},
            bad=(Bad({"AcceptAdditionalTerms": "perhaps"}),),
            writes=True,
        ),
        Endpoint("PATCH", APP + "/resetterms", writes=True),
        Endpoint(
            "POST",
            C + "/customerfeedback",
            FEEDBACK,
            bad=(Bad({**FEEDBACK, "Rating": 9}), Bad({"AppName": "smartliv"})),
            writes=True,
        ),
        Endpoint(
            "POST",
            "/api/customersystemfeedback",
            {**FEEDBACK, "CustomerId": "{customer}"},
            bad=(Bad({**FEEDBACK, "Rating": 9}), Bad({**FEEDBACK, "CustomerId": "x"}), Bad({"AppName": "smartliv"})),
            writes=True,
        ),
        Endpoint("POST", C + "/tracking", TRACKING, bad=(Bad({"AppName": "smartliv"}),), writes=True),
        Endpoint("GET", "/api/appconfigs/smartliv/lyse/200", owned=False),
    ]

    @pytest.fixture(autouse=True)
    def _cis(self, settings):
        settings.CUSTOMERS_CIS_DIRECTORY = str(CIS)

    def world(self) -> World:
        """An Owner who has accepted the general terms of the smartliv app (so a reset writes), the
        app publishing general, additional and EULA terms and a configuration parameter."""
        owner = make_owner()
        app = AppFactory(short_name="smartliv", product_code="SMARTLIV")
        for terms_type in TermsType:
            TermsVersionFactory(app=app, terms_type=terms_type, version=1)
        AppConfigParameter.objects.get_or_create(app=app, company_short_name="lyse", key="theme", value="lyse")
        services.accept_terms(customer=owner.customer, app=app, user=owner.user, general=True, additional=False)
        values = {
            "customer": owner.customer.pk,
            "contract": owner.contract.contract_no,
            "user": owner.user.pk,
            "username": owner.user.username,
        }
        return World(values, {"owner": owner.user}, extra=owner)
