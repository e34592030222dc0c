"""Every assets route that needs the `professional` privilege: 403 without it (and nothing written),
401 without credentials, and not a 403 for a professional. The routes are read from the URLconf,
so a professional route added later is covered here without editing this file."""

from __future__ import annotations

import re

import pytest

from apps.assets.api import urls
from apps.assets.models import Asset, AssetActivityRecord, AssetRelation
from tests.conftest import make_owner

from . import devices_world

pytestmark = pytest.mark.django_db

_PARAMETER = re.compile(r"<(?:[^>:]+:)?(?P<name>[^>]+)>")
METHODS = ("get", "post", "put")


def _needs_professional(view) -> bool:
    return any(getattr(permission, "privilege", None) == "professional" for permission in view.permission_classes)


PROFESSIONAL_ROUTES = [
    (str(pattern.pattern), method)
    for pattern in urls.urlpatterns
    if _needs_professional(pattern.callback.view_class)
    for method in METHODS
    if hasattr(pattern.callback.view_class, method)
]

# Well-formed bodies, so that a 403 cannot be a validation error in disguise.
BODIES = {
    "businessobject/": {"Name": "X", "Version": 1, "SerialNumber": "S", "Device": {"DeviceType": 1}},
    "assetinfo/": {"Label": "x"},
    "relation": {"ParentId": 1, "ChildId": 2, "RelationshipType": 10},
    "Facilities": [{"Name": "X", "ParentId": 1}],
    "": [{"Name": "X"}],  # meters/, facilities/, aggregationpoint/, industries/
}
QUERIES = {"GetParticipants": "?id={userId}", "gateways/active": "?participantId={participantId}"}


def _url(route: str, world) -> str:
    values = {
        "assetId": world.meter.pk,
        "id": world.aggregation_point.pk if "aggregationpoint" in route else world.smart_home_gateway.pk,
        "participantId": world.participant.pk,
        "userId": world.owner.user.pk,
        "type": "1",
        "category": "1",
        "eventName": "outage",
        "relationshipType": "Measures",
    }
    if "smarthomedevice" in route:
        values["id"] = world.smart_home_device.pk
    path = _PARAMETER.sub(lambda match: str(values[match["name"]]), route)
    query = next((q for prefix, q in QUERIES.items() if prefix in route), "")
    return f"/api/{path}{query.format(**values)}"


def _body(route: str):
    return next(body for prefix, body in BODIES.items() if route.startswith(prefix))  # "" last: the rest


def _written():
    return (Asset.objects.count(), AssetRelation.objects.count(), AssetActivityRecord.objects.count())


def test_the_professional_routes_are_found():
    # The catalogue's professional side: business objects, the graph, devices lists, component info.
    assert len(PROFESSIONAL_ROUTES) >= 30
    assert ("assets/types/<str:type>", "get") in PROFESSIONAL_ROUTES
    assert ("businessobject/smarthomegateway/<int:id>", "put") in PROFESSIONAL_ROUTES


@pytest.mark.parametrize(("route", "method"), PROFESSIONAL_ROUTES)
def test_without_the_privilege_403_and_nothing_written(owner, anonymous, route, method):
    world = devices_world.build(owner)
    layman = make_owner()  # a customer login: authenticated, no professional privilege
    url = _url(route, world)
    body = None if method == "get" else _body(route)
    before = _written()
    refused = getattr(layman.client(), method)(url, body, format="json")
    assert refused.status_code == 403, (url, refused.content)
    assert refused.json() == {"Message": "The professional privilege is required."}
    assert getattr(anonymous, method)(url, body, format="json").status_code == 401
    assert _written() == before
    assert getattr(owner.client(), method)(url, body, format="json").status_code != 403
