"""The X-Area header: which side of the customer web the request is about (DESIGN.md §4)."""

from django.db import models
from rest_framework.exceptions import ValidationError

AREA_HEADER = "HTTP_X_AREA"


class Area(models.IntegerChoices):
    NET = 1, "Net"
    POWER = 2, "Power"


DEFAULT_AREA = Area.POWER
_AREAS_BY_TEXT = {str(area.value): area for area in Area}


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
    """Selects the request's area from `raw`: exactly the ASCII digit 1 or 2 (HTTP's optional
    whitespace around a header value aside); `source` names it in the 400 otherwise, so `01`, `+1`,
    `2.0`, `1_0` or an Arabic-Indic `١` are refused rather than read by int().

    For endpoints that take the area elsewhere than in X-Area (the invoice PDF's `?area=`).
    """
    area = _AREAS_BY_TEXT.get(raw.strip(" \t"))
    if area is None:
        raise ValidationError({source: [f"{source} must be {Area.NET.value} (Net) or {Area.POWER.value} (Power)."]})
    request._esmart_area = area
    return area
