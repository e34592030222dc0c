"""The assignment state machine: states, actions and the one table of legal moves.

A pure module (no database): the service locks the row, calls `apply()` and logs the move.

    New ──accept──> Accepted ──start──> Started ──complete──> Completed
     │ └─reject─┐     │ └─reject─┐        │
     │          v     │          v        │
     │       Rejected <──────────┘        │
     │          └──reopen──> New          │
     └──cancel──> Cancelled <──cancel─────┘  (also from Accepted)

`assign` hands an open assignment (New, Accepted, Rejected) to a colleague; the new assignee
has to accept it, so it is New again. Completed and Cancelled are final.
"""

from __future__ import annotations

from django.db import models


class AssignmentState(models.IntegerChoices):
    NEW = 1, "New"
    ACCEPTED = 2, "Accepted"
    STARTED = 3, "Started"
    COMPLETED = 4, "Completed"
    CANCELLED = 5, "Cancelled"
    REJECTED = 6, "Rejected"


class AssignmentAction(models.IntegerChoices):
    ACCEPT = 1, "Accept"
    REJECT = 2, "Reject"
    START = 3, "Start"
    COMPLETE = 4, "Complete"
    CANCEL = 5, "Cancel"
    REOPEN = 6, "Reopen"
    ASSIGN = 7, "Assign"


# Short names inside the app; the classes' own names are the schema's component names.
State, Action = AssignmentState, AssignmentAction


TRANSITIONS: dict[tuple[State, Action], State] = {
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

FINAL_STATES = frozenset({State.COMPLETED, State.CANCELLED})
OPEN_STATES = frozenset(State) - FINAL_STATES


class IllegalMoveError(Exception):
    """The action is not allowed in the current state."""

    def __init__(self, state: State, action: Action):
        self.state = State(state)
        self.action = Action(action)
        super().__init__(f"The action {self.action.label} is not allowed in the state {self.state.label}.")


def apply(state: State | int, action: Action | int) -> State:
    """The state after `action` in `state`, or IllegalMoveError."""
    try:
        return TRANSITIONS[(State(state), Action(action))]
    except KeyError:
        raise IllegalMoveError(state, action) from None


def allowed_actions(state: State | int) -> list[Action]:
    """The actions `apply()` accepts in `state`, in enum order."""
    return [action for action in Action if (State(state), action) in TRANSITIONS]
