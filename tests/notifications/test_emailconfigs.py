"""E-mail alert configuration (flat, tree, admin list) and one e-mail per (flag change, user)."""

import pytest
from django.core import mail

from apps.notifications import services

from .world import grant

pytestmark = pytest.mark.django_db


def test_email_config_and_alert_once(owner, django_capture_on_commit_callbacks):
    from apps.assets.devices.components import raise_flag
    from apps.assets.models import Asset, AssetType, ComponentEvent

    asset = Asset.objects.get(meter=owner.meter)
    owner.user.email = "o@example.com"
    owner.user.save()
    client = owner.client()
    url = f"/api/emailconfigs/{owner.user.pk}"
    assert client.post(url, {"AssetIds": [asset.pk]}, format="json").json()["AssetIds"] == [asset.pk]
    assert client.post(url, {"AssetIds": [asset.pk + 999]}, format="json").status_code == 400
    tree = client.get(f"/api/emailconfigs/tree/{owner.user.pk}").json()
    assert tree == [
        {
            "AssetId": asset.pk,
            "ParentAssetId": None,
            "Name": asset.name,
            "AssetType": int(AssetType.Meter),
            "AlertsOn": True,
        }
    ]
    with django_capture_on_commit_callbacks(execute=True):
        flag = raise_flag(asset=asset, event=ComponentEvent.Outage, by=owner.user)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["o@example.com"]
    change = flag.history.get()
    assert services.send_flag_alerts(change_id=change.pk) == 0
    assert len(mail.outbox) == 1
    grant(owner.user, "support")  # the admin list needs it
    admin = owner.client().get(f"/api/emailconfigs/admin/{owner.user.pk}").json()
    assert admin[0]["AssetIds"] == [asset.pk]
