"""JSON responses carrying personal data are `Cache-Control: no-store` (errors included)."""

import pytest

from ..conftest import basic

pytestmark = pytest.mark.django_db


def test_personal_data_is_not_stored(owner):
    response = owner.client().get(f"/api/customers/{owner.customer.pk}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Cache-Control"] == "no-store"


def test_errors_and_logins_are_not_stored_either(owner, other, anonymous):
    assert owner.client().get(f"/api/customers/{other.customer.pk}")["Cache-Control"] == "no-store"  # 404
    assert anonymous.get(f"/api/customers/{owner.customer.pk}")["Cache-Control"] == "no-store"  # 401
    wrong = anonymous.get("/api/ping", HTTP_AUTHORIZATION=basic(owner.user.username, "wrong"))
    assert wrong["Cache-Control"] == "no-store"
    response = anonymous.post(
        "/api/Authenticate", {"UserName": owner.user.username, "Password": "wrong", "Area": 2}, format="json"
    )
    assert response["Cache-Control"] == "no-store"


def test_a_view_that_sets_its_own_cache_control_keeps_it(owner, rf):
    from django.http import HttpResponse

    from esmart.core.middleware import NoStoreApiResponsesMiddleware

    def public(request):
        response = HttpResponse("{}")
        response["Cache-Control"] = "public, max-age=60"
        return response

    assert NoStoreApiResponsesMiddleware(public)(rf.get("/api/spotprices"))["Cache-Control"] == "public, max-age=60"
    assert not NoStoreApiResponsesMiddleware(lambda r: HttpResponse())(rf.get("/admin/")).has_header("Cache-Control")
