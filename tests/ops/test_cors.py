"""CORS for browser apps on other origins: only CORS_ALLOWED_ORIGINS, none by default."""

import pytest

APP = "https://minside.example.no"


def preflight(client, origin=APP, headers="authorization,x-area,x-contractid"):
    return client.options(
        "/api/customers/1",
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS=headers,
    )


def test_no_origin_is_allowed_by_default(client):
    response = preflight(client)
    assert "Access-Control-Allow-Origin" not in response


def test_a_listed_origin_may_send_the_apis_headers(client, settings):
    settings.CORS_ALLOWED_ORIGINS = [APP]
    response = preflight(client)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == APP
    allowed = {h.strip() for h in response["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "x-area", "x-contractid"} <= allowed
    assert "GET" in response["Access-Control-Allow-Methods"]


@pytest.mark.parametrize(
    "origin", ["https://evil.example", "http://minside.example.no", "https://minside.example.no.evil"]
)
def test_other_origins_are_not_allowed(client, settings, origin):
    settings.CORS_ALLOWED_ORIGINS = [APP]
    assert "Access-Control-Allow-Origin" not in preflight(client, origin=origin)


def test_an_actual_request_may_read_the_request_id(owner, settings):
    settings.CORS_ALLOWED_ORIGINS = [APP]
    response = owner.client().get(f"/api/customers/{owner.customer.pk}", HTTP_ORIGIN=APP)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == APP
    assert "X-Request-ID" in response["Access-Control-Expose-Headers"]


def test_the_admin_is_not_shared_with_other_origins(client, settings, db):
    settings.CORS_ALLOWED_ORIGINS = [APP]
    assert "Access-Control-Allow-Origin" not in client.get("/admin/login/", HTTP_ORIGIN=APP)
