"""The battery-car catalogue for tests, restored cheaply (one query when it is there)."""

from apps.ev.catalogue import ensure_catalogue
from apps.ev.models import BatteryCar


def ensure_catalogue_for_test() -> None:
    if not BatteryCar.objects.exists():
        ensure_catalogue()
