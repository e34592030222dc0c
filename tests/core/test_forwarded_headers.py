"""gunicorn believes forwarded headers only as far as the Django settings do (issue 20).

gunicorn's default forwarded_allow_ips trusts X-Forwarded-Proto from 127.0.0.1, so under the
production start a local request claiming HTTPS skipped the HTTPS redirect although
DJANGO_TRUST_X_FORWARDED_PROTO was off. gunicorn.conf.py derives gunicorn's trust from the settings
(esmart.serving.forwarded_trust).
"""

from esmart.serving import forwarded_trust

from .gunicorn_server import get, production_server

PATH = "/api/customers/1"  # any path the HTTPS redirect covers (api/ping is exempt)
CLAIMS_HTTPS = {"X-Forwarded-Proto": "https", "X-Forwarded-Ssl": "on", "X-Forwarded-Protocol": "ssl"}


def test_with_trust_off_a_forwarded_https_claim_is_still_redirected(tmp_path):
    with production_server(tmp_path, WEB_CONCURRENCY="1") as port:
        for headers in ({}, {"X-Forwarded-Proto": "https"}, CLAIMS_HTTPS):
            response = get(port, PATH, headers=headers)
            assert response.status == 301, (headers, response.status, response.data[:200])
            assert response.getheader("Location") == f"https://127.0.0.1:{port}{PATH}"


def test_with_trust_on_the_proxy_header_is_believed(tmp_path):
    with production_server(tmp_path, WEB_CONCURRENCY="1", DJANGO_TRUST_X_FORWARDED_PROTO="true") as port:
        response = get(port, PATH, headers={"X-Forwarded-Proto": "https"})
        assert response.status == 401, response.data[:200]  # served (no credentials), not redirected
        assert "Strict-Transport-Security" in response.headers  # answered as HTTPS
        assert get(port, PATH).status == 301  # without the header: plain HTTP
        assert get(port, PATH, headers={"X-Forwarded-Ssl": "on"}).status == 301  # only the one header


def test_settings_without_a_trusted_proxy_trust_nobody():
    assert forwarded_trust("esmart.settings.test") == {
        "forwarded_allow_ips": "",
        "secure_scheme_headers": {},
        "forwarder_headers": "",
    }
