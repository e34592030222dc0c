"""Every fast path renders what its serializer renders (esmart/api/output.py).

The seeded demo is walked through every operation of the served schema (schema_world.py) by a
customer and a grid professional, and a few reads that need query parameters are asked; each
answer that took a serializer's fast producer is asked again with API_FAST_OUTPUT off (the
serializer rendering the instance) and must be the same JSON. Every serializer that names a
fast producer must have been compared on some route.
"""

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from esmart.api.output import fast_serializers

from . import schema_world

pytestmark = pytest.mark.django_db

# Reads the walk cannot fill in (required query parameters, bodies whose example is not a
# useful range), asked by the customer: (method, path with the customer's values, body).
DAY = schema_world.TODAY
METER = "/api/customers/{customerId}/contracts/{contractNo}/meters/{meterId}"
SERIES = {"FromTime": "2024-10-28T23:00:00", "ToTime": f"{DAY}T00:00:00", "TimeZone": "Europe/Oslo"}
QUERIED_READS = [
    ("get", f"/api/spotprices?priceArea=NO1&fromTimeUtc={DAY}T00:00:00&toTimeUtc={DAY}T23:00:00", None),
    ("get", f"/api/spotprices?priceArea=NO2&fromTimeUtc={DAY}T00:00:00&includePreliminary=true", None),
    ("post", f"{METER}/consumption", {**SERIES, "Resolution": 7, "IncludeLastYear": True, "IncludeWeather": True}),
    ("post", f"{METER}/consumption", {**SERIES, "Resolution": 20}),
    ("post", f"{METER}/comparedwithothers", {**SERIES, "Resolution": 20}),
    ("post", "/api/meters/{meterId}/temperatures", {**SERIES, "Resolution": 7}),
    ("post", "/api/meters/{meterId}/temperatures", {**SERIES, "Resolution": 30}),
]


class AskedTwice(APIClient):
    """Asks again, with the fast path off, whatever was answered by a fast producer."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.compared: list[tuple[str, str, type, int]] = []
        self.differences: list[str] = []

    def generic(self, method, path, *args, **kwargs):
        fast = super().generic(method, path, *args, **kwargs)
        serializer = getattr(fast, "fast_output_of", None)
        if serializer is not None:
            with override_settings(API_FAST_OUTPUT=False):
                plain = super().generic(method, path, *args, **kwargs)
            assert not hasattr(plain, "fast_output_of")
            self.compared.append((method, path, serializer, fast.status_code))
            if (plain.status_code, plain.json()) != (fast.status_code, fast.json()):
                self.differences.append(f"{method} {path} ({serializer.__name__}): fast and plain answers differ")
        return fast


def test_every_fast_answer_equals_its_serializer_rendering_the_instance(time_machine, monkeypatch):
    time_machine.move_to(f"{schema_world.TODAY}T12:00:00Z", tick=False)
    schema_world.seed()
    schema = schema_world.served_schema()
    clients, logged_in = [], schema_world.client_for

    def client_for(username):
        api = AskedTwice()
        api.credentials(**logged_in(username)._credentials)
        clients.append(api)
        return api

    monkeypatch.setattr(schema_world, "client_for", client_for)
    for username in ("demo1", "grid1"):
        schema_world.walk(schema, username)
    customer = client_for("demo1")
    values = schema_world.seeded_values("demo1")
    for method, path, body in QUERIED_READS:
        url = path.format(**values)
        response = customer.get(url) if method == "get" else customer.post(url, body, format="json")
        assert response.status_code == 200, url
        assert any(isinstance(v, list) and v for v in response.json().values()), url  # not an empty series
    compared = [entry for api in clients for entry in api.compared]
    differences = [difference for api in clients for difference in api.differences]
    assert not differences, "\n".join(differences)
    assert {serializer for _method, _path, serializer, status in compared if status == 200} == fast_serializers()
