"""Swagger UI at api/docs/ works without internet: every file it loads is the project's own
(drf-spectacular-sidecar's static files, collected and served by WhiteNoise), none comes from a CDN."""

import re
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db

URL_ATTRIBUTES = {"src", "href"}


class _References(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.urls.extend(value for name, value in attrs if name in URL_ATTRIBUTES and value)


@pytest.fixture
def served_static(settings, tmp_path):
    """collectstatic into a fresh STATIC_ROOT, as `make run` and the Docker image do; a new Client
    builds its own WhiteNoise, which indexes that directory."""
    settings.STATIC_ROOT = tmp_path / "staticfiles"
    # Copied, not compressed as well (the compressing storage takes most of a minute on the bundles).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("collectstatic", "--noinput", verbosity=0)
    return Client()


def test_the_docs_page_loads_only_files_the_app_serves(served_static):
    page = served_static.get("/api/docs/")
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    html = page.content.decode()
    # Neither a CDN address nor any other host, in an attribute or in the inline script.
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", html, re.I), re.findall(r"https?://\S+", html)
    assert "cdn.jsdelivr" not in html and "validator.swagger.io" not in html

    parser = _References()
    parser.feed(html)
    assets = [url for url in parser.urls if url.startswith("/static/")]
    # The bundle, the standalone preset, the stylesheet and the favicon, nothing left to fetch elsewhere.
    assert {url.rsplit("/", 1)[-1] for url in assets} >= {
        "swagger-ui-bundle.js",
        "swagger-ui-standalone-preset.js",
        "swagger-ui.css",
        "favicon-32x32.png",
    }
    assert set(parser.urls) == set(assets)
    for url in assets:
        response = served_static.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert len(body) > 100, url
    # The schema the page reads is the app's own, too.
    schema_url = re.search(r'url: "([^"]+)"', html).group(1)
    assert schema_url == "/api/schema"
    assert served_static.get(schema_url).status_code == 200
