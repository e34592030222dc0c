"""The admin of component flags (raise through the add form, publish and clear as actions, history
inline) and of gateways (a new token is shown once, never stored in clear)."""

import pytest
from django.urls import reverse

from apps.assets.devices.components import raise_flag
from apps.assets.models import ComponentEvent, ComponentFlag, FlagAction, FlagState, SmartHomeGateway

from .devices_world import build

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(owner):
    return build(owner)


def test_raise_from_the_add_form_records_who_raised_it(admin_client, admin_user, world):
    url = reverse("admin:assets_componentflag_add")
    response = admin_client.post(url, {"asset": world.substation.pk, "event": ComponentEvent.Overload, "message": "T1"})
    assert response.status_code == 302, response.content
    flag = ComponentFlag.objects.get()
    assert (flag.state, flag.raised_by, flag.message) == (FlagState.Raised, admin_user, "T1")
    assert list(flag.history.values_list("action", "by")) == [(FlagAction.Raise, admin_user.pk)]


def test_the_add_form_refuses_a_second_active_flag_and_other_asset_types(admin_client, world, owner):
    raise_flag(asset=world.substation, event=ComponentEvent.Outage, by=owner.user)
    url = reverse("admin:assets_componentflag_add")
    again = admin_client.post(url, {"asset": world.substation.pk, "event": ComponentEvent.Outage})
    assert again.status_code == 200
    assert b"already has an active flag" in again.content
    feeder = admin_client.post(url, {"asset": world.feeder.pk, "event": ComponentEvent.Outage})
    assert b"substations and meters only" in feeder.content
    assert ComponentFlag.objects.count() == 1


def test_publish_and_clear_actions_with_history(admin_client, admin_user, world, owner):
    flag = raise_flag(asset=world.substation, event=ComponentEvent.Outage, by=owner.user, message="Cable fault")
    changelist = reverse("admin:assets_componentflag_changelist")
    response = admin_client.post(changelist, {"action": "publish", "_selected_action": [flag.pk]}, follow=True)
    assert b"1 flag(s) published" in response.content
    flag.refresh_from_db()
    assert (flag.state, flag.published_by, flag.web_message) == (FlagState.Published, admin_user, "Cable fault")
    # Publishing twice is refused with a message, and nothing changes.
    response = admin_client.post(changelist, {"action": "publish", "_selected_action": [flag.pk]}, follow=True)
    assert b"Cannot publish a flag in state Published" in response.content
    admin_client.post(changelist, {"action": "clear", "_selected_action": [flag.pk]})
    flag.refresh_from_db()
    assert flag.state == FlagState.Cleared and flag.cleared_by == admin_user
    page = admin_client.get(reverse("admin:assets_componentflag_change", args=[flag.pk]))
    assert page.status_code == 200
    assert list(flag.history.values_list("action", flat=True)) == [
        FlagAction.Raise,
        FlagAction.Publish,
        FlagAction.Clear,
    ]


def test_the_changelist_lists_and_filters_flags(admin_client, world, owner):
    raise_flag(asset=world.substation, event=ComponentEvent.Outage, by=owner.user)
    url = reverse("admin:assets_componentflag_changelist")
    assert world.substation.name.encode() in admin_client.get(url, {"state__exact": FlagState.Raised}).content
    assert world.substation.name.encode() not in admin_client.get(url, {"state__exact": FlagState.Cleared}).content


def test_gateway_token_is_shown_once_and_only_its_digest_is_kept(admin_client, world):
    gateway = world.gateway
    changelist = reverse("admin:assets_smarthomegateway_changelist")
    response = admin_client.post(changelist, {"action": "issue_token", "_selected_action": [gateway.pk]}, follow=True)
    text = response.content.decode()
    token = text.split("new token ", 1)[1].split("<", 1)[0].strip()
    stored = SmartHomeGateway.objects.get(pk=gateway.pk)
    assert token and token not in stored.token_digest
    page = admin_client.get(reverse("admin:assets_smarthomegateway_change", args=[gateway.pk])).content.decode()
    assert stored.token_digest not in page and token not in page


@pytest.mark.parametrize(
    "model", ["smarthomegateway", "smarthomedevice", "counter", "charger", "chargingstation", "simcard"]
)
def test_device_admin_pages_open(admin_client, world, model):
    response = admin_client.get(reverse(f"admin:assets_{model}_changelist"), {"q": "1"})
    assert response.status_code == 200
    detail = {
        "smarthomegateway": world.gateway,
        "smarthomedevice": world.device,
        "counter": world.counter,
        "charger": world.charger,
        "chargingstation": world.station,
        "simcard": world.sim,
    }[model]
    assert admin_client.get(reverse(f"admin:assets_{model}_change", args=[detail.pk])).status_code == 200
