"""The component-flag state machine and event names (pure functions, no database)."""

import pytest

from apps.assets.devices.components import InvalidTransitionError, event_by_name, next_state
from apps.assets.models.components import ComponentEvent, FlagAction, FlagState


@pytest.mark.parametrize(
    ("state", "action", "expected"),
    [
        (None, FlagAction.Raise, FlagState.Raised),
        (FlagState.Raised, FlagAction.Publish, FlagState.Published),
        (FlagState.Raised, FlagAction.Clear, FlagState.Cleared),
        (FlagState.Published, FlagAction.Clear, FlagState.Cleared),
    ],
)
def test_allowed_transitions(state, action, expected):
    assert next_state(state, action) == expected


@pytest.mark.parametrize(
    ("state", "action"),
    [
        (None, FlagAction.Publish),
        (None, FlagAction.Clear),
        (FlagState.Raised, FlagAction.Raise),
        (FlagState.Published, FlagAction.Raise),
        (FlagState.Published, FlagAction.Publish),
        (FlagState.Cleared, FlagAction.Raise),
        (FlagState.Cleared, FlagAction.Publish),
        (FlagState.Cleared, FlagAction.Clear),
    ],
)
def test_everything_else_is_refused(state, action):
    with pytest.raises(InvalidTransitionError):
        next_state(state, action)


def test_states_given_as_integers_work_like_members():
    assert next_state(1, 2) == FlagState.Published


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("outage", ComponentEvent.Outage),
        ("Outage", ComponentEvent.Outage),
        ("PLANNEDWORK", ComponentEvent.PlannedWork),
        (" EarthFault ", ComponentEvent.EarthFault),
        ("3", ComponentEvent.Overload),
        ("0", None),
        ("99", None),
        ("planned work", None),
        ("", None),
    ],
)
def test_event_names(name, expected):
    assert event_by_name(name) == expected
