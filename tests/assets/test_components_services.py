"""Raising, publishing and clearing component flags: history, conflicts and the notification hook."""

import pytest

from apps.assets.devices import components
from apps.assets.devices.components import InvalidTransitionError, clear_flag, publish_flag, raise_flag
from apps.assets.models import AssetType, ComponentEvent, ComponentFlag, FlagAction, FlagState

from .devices_world import build

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(owner):
    return build(owner)


@pytest.fixture
def heard():
    calls = []

    def receiver(sender, *, flag, action, by, **kwargs):
        calls.append((flag.pk, FlagAction(action), by.pk if by else None))

    components.component_flag_changed.connect(receiver)
    yield calls
    components.component_flag_changed.disconnect(receiver)


def test_raise_publish_clear_with_history(world, owner):
    user = owner.user
    flag = raise_flag(asset=world.substation, event=ComponentEvent.Outage, by=user, message="Breaker tripped")
    assert (flag.state, flag.raised_by, flag.message) == (FlagState.Raised, user, "Breaker tripped")
    flag = publish_flag(flag=flag, by=user, web_message="Power cut in Grünerløkka")
    assert flag.state == FlagState.Published and flag.published_by == user and flag.published_at
    flag = clear_flag(flag=flag, by=user, note="Restored")
    assert flag.state == FlagState.Cleared and flag.cleared_at >= flag.published_at >= flag.raised_at
    history = list(flag.history.values_list("action", "from_state", "to_state", "by", "note"))
    assert history == [
        (FlagAction.Raise, None, FlagState.Raised, user.pk, "Breaker tripped"),
        (FlagAction.Publish, FlagState.Raised, FlagState.Published, user.pk, "Power cut in Grünerløkka"),
        (FlagAction.Clear, FlagState.Published, FlagState.Cleared, user.pk, "Restored"),
    ]


def test_one_active_flag_per_asset_and_event(world, owner):
    first = raise_flag(asset=world.substation, event=ComponentEvent.Outage, by=owner.user)
    with pytest.raises(InvalidTransitionError):
        raise_flag(asset=world.substation, event=ComponentEvent.Outage, by=owner.user)
    # Another event, or the same event on another asset, is a flag of its own.
    raise_flag(asset=world.substation, event=ComponentEvent.Overload, by=owner.user)
    raise_flag(asset=world.meter, event=ComponentEvent.Outage, by=owner.user)
    clear_flag(flag=first, by=owner.user)
    again = raise_flag(asset=world.substation, event=ComponentEvent.Outage, by=owner.user)
    assert again.pk != first.pk
    assert ComponentFlag.objects.filter(asset=world.substation, event=ComponentEvent.Outage).count() == 2


def test_refused_transitions_change_nothing(world, owner):
    flag = raise_flag(asset=world.substation, event=ComponentEvent.PlannedWork, by=owner.user)
    clear_flag(flag=flag, by=owner.user)
    for action in (publish_flag, clear_flag):
        with pytest.raises(InvalidTransitionError):
            action(flag=flag, by=owner.user)
    flag.refresh_from_db()
    assert flag.state == FlagState.Cleared
    assert flag.history.count() == 2


def test_only_substations_and_meters_are_flagged(world, owner):
    assert set(components.COMPONENT_TYPES) == {AssetType.Substation, AssetType.Meter}
    with pytest.raises(InvalidTransitionError):
        raise_flag(asset=world.feeder, event=ComponentEvent.Outage, by=owner.user)
    assert not ComponentFlag.objects.exists()


def test_the_hook_fires_after_commit_only(world, owner, heard, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as pending:
        flag = raise_flag(asset=world.substation, event=ComponentEvent.Outage, by=owner.user)
    assert heard == []  # nothing before the commit
    for callback in pending:
        callback()
    assert heard == [(flag.pk, FlagAction.Raise, owner.user.pk)]
    with django_capture_on_commit_callbacks(execute=True):
        publish_flag(flag=flag, by=owner.user)
        clear_flag(flag=flag, by=owner.user)
    assert [action for _, action, _ in heard] == [FlagAction.Raise, FlagAction.Publish, FlagAction.Clear]


def test_a_failing_receiver_neither_fails_nor_undoes_the_change(world, owner, django_capture_on_commit_callbacks):
    def broken(sender, **kwargs):
        raise RuntimeError("mail server down")

    components.component_flag_changed.connect(broken)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            flag = raise_flag(asset=world.substation, event=ComponentEvent.Outage, by=owner.user)
    finally:
        components.component_flag_changed.disconnect(broken)
    assert ComponentFlag.objects.get(pk=flag.pk).state == FlagState.Raised


def test_publishing_without_a_text_keeps_the_one_on_the_flag(world, owner):
    flag = raise_flag(asset=world.substation, event=ComponentEvent.Outage, by=owner.user)
    ComponentFlag.objects.filter(pk=flag.pk).update(web_message="Written in the admin")
    assert publish_flag(flag=flag, by=owner.user).web_message == "Written in the admin"
