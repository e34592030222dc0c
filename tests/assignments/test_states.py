"""The state machine on its own: every (state, action) pair is either in the table or illegal."""

import itertools

import pytest

from apps.assignments.states import (
    FINAL_STATES,
    TRANSITIONS,
    Action,
    IllegalMoveError,
    State,
    allowed_actions,
    apply,
)

EXPECTED = {
    (State.NEW, Action.ACCEPT): State.ACCEPTED,
    (State.NEW, Action.REJECT): State.REJECTED,
    (State.NEW, Action.CANCEL): State.CANCELLED,
    (State.NEW, Action.ASSIGN): State.NEW,
    (State.ACCEPTED, Action.START): State.STARTED,
    (State.ACCEPTED, Action.REJECT): State.REJECTED,
    (State.ACCEPTED, Action.CANCEL): State.CANCELLED,
    (State.ACCEPTED, Action.ASSIGN): State.NEW,
    (State.STARTED, Action.COMPLETE): State.COMPLETED,
    (State.STARTED, Action.CANCEL): State.CANCELLED,
    (State.REJECTED, Action.REOPEN): State.NEW,
    (State.REJECTED, Action.ASSIGN): State.NEW,
}
ILLEGAL = [pair for pair in itertools.product(State, Action) if pair not in EXPECTED]


def test_the_table_is_exactly_the_documented_one():
    assert TRANSITIONS == EXPECTED


@pytest.mark.parametrize(("state", "action"), list(EXPECTED), ids=lambda v: v.label)
def test_legal_moves(state, action):
    assert apply(state, action) == EXPECTED[(state, action)]
    assert apply(int(state), int(action)) == EXPECTED[(state, action)]  # plain integers too


@pytest.mark.parametrize(("state", "action"), ILLEGAL, ids=lambda v: v.label)
def test_every_other_move_is_illegal_and_names_the_state(state, action):
    with pytest.raises(IllegalMoveError) as raised:
        apply(state, action)
    assert raised.value.state == state and raised.value.action == action
    assert state.label in str(raised.value) and action.label in str(raised.value)


def test_final_states_allow_nothing():
    assert set(FINAL_STATES) == {State.COMPLETED, State.CANCELLED}
    for state in FINAL_STATES:
        assert allowed_actions(state) == []


def test_allowed_actions_follow_the_table():
    assert allowed_actions(State.NEW) == [Action.ACCEPT, Action.REJECT, Action.CANCEL, Action.ASSIGN]
    assert allowed_actions(State.STARTED) == [Action.COMPLETE, Action.CANCEL]
    for state in State:
        assert all((state, action) in TRANSITIONS for action in allowed_actions(state))


def test_enum_values_are_explicit_and_stable():
    assert {s.name: int(s) for s in State} == {
        "NEW": 1, "ACCEPTED": 2, "STARTED": 3, "COMPLETED": 4, "CANCELLED": 5, "REJECTED": 6,
    }  # fmt: skip
    assert {a.name: int(a) for a in Action} == {
        "ACCEPT": 1, "REJECT": 2, "START": 3, "COMPLETE": 4, "CANCEL": 5, "REOPEN": 6, "ASSIGN": 7,
    }  # fmt: skip


def test_unknown_values_are_value_errors():
    with pytest.raises(ValueError):
        apply(99, Action.ACCEPT)
