"""Every admin list can be searched by the keys support staff are quoted (docs/operations.md)."""

import pytest
from django.contrib import admin

from tests.factories import UserFactory

# Lists whose rows have no key a caller would quote; each is reached another way.
NO_NATURAL_KEY = {
    "pricing.exchangerate": "one row per delivery day: the date drill-down finds it",
}
LISTS = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label_lower)


@pytest.mark.parametrize(("model", "model_admin"), LISTS, ids=[m._meta.label_lower for m, _ in LISTS])
def test_every_list_with_a_natural_key_has_search(model, model_admin):
    label = model._meta.label_lower
    assert bool(model_admin.search_fields) != (label in NO_NATURAL_KEY), label


@pytest.fixture
def staff(client, db):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize(("model", "model_admin"), LISTS, ids=[m._meta.label_lower for m, _ in LISTS])
def test_every_search_runs(staff, model, model_admin):
    """A word, a number and a UUID-like text are each a valid search on every list (no 500 from a
    search field that cannot take them)."""
    url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    for term in ["kari", "100001", "2026-03-11", "3f2b9c1e-8d4a-4c8e-9a57-0d6c2e1f4b7a"]:
        response = staff.get(url, {"q": term})
        assert response.status_code == 200, (url, term, response.status_code)
