"""The X-Area header: which side of the customer web the request is about (DESIGN.md §4)."""

from django.db import models
from rest_framework.exceptions import ValidationError

AREA_HEADER = "HTTP_X_AREA"


class Area(models.IntegerChoices):
    NET = 1, "Net"
    POWER = 2, "Power"


DEFAULT_AREA = Area.POWER


def request_area(request) -> Area:
    """The area selected by the request's X-Area header; absent means Power, anything else is 400."""
    cached = getattr(request, "_esmart_area", None)
    if cached is not None:
        return cached
    raw = request.META.get(AREA_HEADER)
    if raw is None:
        request._esmart_area = DEFAULT_AREA
        return DEFAULT_AREA
    return select_area(request, raw, source="X-Area")


def select_area(request, raw: str, *, source: str) -> Area:
    """Selects the request's area from `raw` (1 or 2); `source` names it in the 400 otherwise.

    For endpoints that take the area elsewhere than in X-Area (the invoice PDF's `?area=`).
    """
    try:
        area = Area(int(raw.strip()))
    except ValueError:
        raise ValidationError(
            {source: [f"{source} must be {Area.NET.value} (Net) or {Area.POWER.value} (Power)."]}
        ) from None
    request._esmart_area = area
    return area
