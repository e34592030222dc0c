"""The connection to the assets app's component-event hook: raised or published flags e-mail the
users whose alert configuration covers the asset (apps.assets.components.component_flag_changed)."""

from django.dispatch import receiver

from apps.assets.public import FlagAction, component_flag_changed
from esmart.celery import publish

ALERTED_ACTIONS = (FlagAction.Raise, FlagAction.Publish)


@receiver(component_flag_changed, dispatch_uid="notifications.flag_alerts")
def queue_flag_alerts(sender, *, flag, action, by, **kwargs):
    if action not in ALERTED_ACTIONS:
        return
    change = flag.history.filter(action=action).order_by("-at", "-id").first()
    if change is not None:
        from .tasks import send_flag_alerts

        publish(send_flag_alerts, change_id=change.pk)  # the hook runs after commit already
