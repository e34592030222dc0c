"""Component events: the flag state machine, the services that raise, publish and clear flags, and
the hook other apps (notifications) use to hear about it.

State machine (pure, `next_state`): nothing --Raise--> Raised --Publish--> Published;
Raised or Published --Clear--> Cleared. Anything else is an `InvalidTransitionError`. A cleared flag
stays as history; raising the same event again on the asset starts a new flag.

Hook: `component_flag_changed` (a Django signal) is sent once the transaction that changed a
flag has committed, with `flag`, `action` (FlagAction) and `by` (the user). Receivers run with
`send_robust`, so a failing receiver is logged and never undoes or fails the change:

    from apps.assets.components import component_flag_changed

    @receiver(component_flag_changed)
    def notify(sender, *, flag, action, by, **kwargs): ...
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from esmart.api.fields import EnumField

from ..models.components import (
    ACTIVE_STATES,
    ComponentEvent,
    ComponentFlag,
    ComponentFlagChange,
    FlagAction,
    FlagState,
)
from ..models.graph import Asset, AssetType

logger = logging.getLogger(__name__)

component_flag_changed = Signal()

# The component types this API flags and lists (api/componentinfo/types).
COMPONENT_TYPES = (AssetType.Substation, AssetType.Meter)

_TRANSITIONS = {
    (None, FlagAction.Raise): FlagState.Raised,
    (FlagState.Raised, FlagAction.Publish): FlagState.Published,
    (FlagState.Raised, FlagAction.Clear): FlagState.Cleared,
    (FlagState.Published, FlagAction.Clear): FlagState.Cleared,
}


class InvalidTransitionError(ValueError):
    """The action is not allowed in the flag's state (a 409 on the API, an error in the admin)."""


def next_state(state: FlagState | None, action: FlagAction) -> FlagState:
    """The state a flag in `state` (None: no active flag) moves to on `action`."""
    key = (None if state is None else FlagState(state), FlagAction(action))
    if key not in _TRANSITIONS:
        current = "no active flag" if state is None else FlagState(state).label
        raise InvalidTransitionError(f"Cannot {FlagAction(action).label.lower()} a flag in state {current}.")
    return _TRANSITIONS[key]


def event_by_name(name: str) -> ComponentEvent | None:
    """The event a path names: its member name in any case ("outage", "PlannedWork") or its value."""
    try:
        return EnumField(ComponentEvent).to_internal_value(name)
    except ValidationError:
        return None


def active_flags(*, event: ComponentEvent, asset_type: AssetType, published_only: bool = False):
    """Raised or published flags of `event` on assets of `asset_type` (only published ones for the
    web), newest first, with their asset. Restrict with AssetScope("asset")."""
    states = [FlagState.Published] if published_only else list(ACTIVE_STATES)
    return (
        ComponentFlag.objects.filter(event=event, state__in=states, asset__asset_type=asset_type)
        .select_related("asset")
        .order_by("-raised_at", "-id")
    )


def _record(*, flag: ComponentFlag, action: FlagAction, from_state, by, at, note: str) -> None:
    ComponentFlagChange.objects.create(
        flag=flag, action=action, from_state=from_state, to_state=flag.state, by=by, at=at, note=note
    )
    transaction.on_commit(lambda: _announce(flag=flag, action=action, by=by))


def _announce(*, flag: ComponentFlag, action: FlagAction, by) -> None:
    for receiver, result in component_flag_changed.send_robust(ComponentFlag, flag=flag, action=action, by=by):
        if isinstance(result, Exception):
            logger.error("component_flag_changed receiver %r failed", receiver, exc_info=result)


@transaction.atomic
def raise_flag(*, asset: Asset, event: ComponentEvent, by, message: str = "") -> ComponentFlag:
    """Raises `event` on `asset`; InvalidTransitionError when the asset already has it active."""
    if asset.asset_type not in COMPONENT_TYPES:
        raise InvalidTransitionError(f"Events are flagged on {', '.join(t.label for t in COMPONENT_TYPES)} only.")
    # Lock the asset row so two concurrent raises of one event cannot both pass the check.
    Asset.objects.select_for_update().filter(pk=asset.pk).first()
    active = ComponentFlag.objects.filter(asset=asset, event=event, state__in=ACTIVE_STATES).first()
    state = next_state(None if active is None else active.state, FlagAction.Raise)
    now = timezone.now()
    flag = ComponentFlag.objects.create(
        asset=asset, event=event, state=state, message=message, raised_at=now, raised_by=by
    )
    _record(flag=flag, action=FlagAction.Raise, from_state=None, by=by, at=now, note=message)
    return flag


def _advance(*, flag: ComponentFlag, action: FlagAction, by, note: str, **fields) -> ComponentFlag:
    locked = ComponentFlag.objects.select_for_update().get(pk=flag.pk)
    from_state = locked.state
    locked.state = next_state(from_state, action)
    now = timezone.now()
    stamp = {FlagAction.Publish: "published", FlagAction.Clear: "cleared"}[action]
    fields.update({f"{stamp}_at": now, f"{stamp}_by": by})
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.save(update_fields=["state", *fields])
    _record(flag=locked, action=action, from_state=from_state, by=by, at=now, note=note)
    return locked


@transaction.atomic
def publish_flag(*, flag: ComponentFlag, by, web_message: str | None = None) -> ComponentFlag:
    """Publishes a raised flag to the web (what api/componentinforestricted lists), with
    `web_message` as its public text (None keeps the text already on the flag)."""
    text = {} if web_message is None else {"web_message": web_message}
    return _advance(flag=flag, action=FlagAction.Publish, by=by, note=web_message or "", **text)


@transaction.atomic
def clear_flag(*, flag: ComponentFlag, by, note: str = "") -> ComponentFlag:
    """Clears a raised or published flag; it stays in the history."""
    return _advance(flag=flag, action=FlagAction.Clear, by=by, note=note)
