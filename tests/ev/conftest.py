import pytest

from tests.ev.catalogue_fixture import ensure_catalogue_for_test


@pytest.fixture(autouse=True)
def _battery_car_catalogue(request):
    """The migration's catalogue, back after another process-mate's transactional test flushed it."""
    if request.node.get_closest_marker("django_db"):
        ensure_catalogue_for_test()
