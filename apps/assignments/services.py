"""Writes of the care side: assignment moves (row-locked and logged), next-of-kin codes and terms."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from rest_framework.exceptions import NotFound, Throttled, ValidationError

from esmart.api.exceptions import Conflict, Gone
from esmart.api.limits import client_network

from . import conf, selectors, states
from .models import (
    Assignment,
    AssignmentLogEntry,
    Client,
    EquipmentKit,
    KitConnection,
    LogKind,
    NextOfKin,
    NextOfKinInvitation,
    NextOfKinTermsAcceptance,
)
from .states import Action, IllegalMoveError, State

User = get_user_model()
MAX_NOTE_LENGTH = 1000
# Unambiguous characters (no 0/O, 1/I/L): 31^10, about 8e14 codes.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10
WRONG_CODE_MESSAGE = "Unknown user code."


def _log(assignment: Assignment, *, user, kind: LogKind, **fields) -> AssignmentLogEntry:
    return AssignmentLogEntry.objects.create(assignment=assignment, at=timezone.now(), user=user, kind=kind, **fields)


def _locked(assignment_id: int) -> Assignment:
    # The row lock serialises concurrent moves: the second waits and sees the first's state.
    return Assignment.objects.select_for_update().get(pk=assignment_id)


def _move(assignment: Assignment, action: Action) -> State:
    try:
        return states.apply(assignment.state, action)
    except IllegalMoveError as exc:
        raise Conflict(f"{exc} The assignment is {exc.state.label} ({int(exc.state)}).") from None


def create_assignment(
    *, client: Client, title: str, description: str = "", assignee=None, created_by=None, scheduled_at=None
) -> Assignment:
    with transaction.atomic():
        assignment = Assignment.objects.create(
            client=client,
            title=title,
            description=description,
            assignee=assignee,
            created_by=created_by,
            scheduled_at=scheduled_at,
        )
        _log(assignment, user=created_by, kind=LogKind.CREATED, to_state=State.NEW, to_user=assignee)
    return assignment


def act(*, assignment_id: int, action: Action, user, note: str = "") -> Assignment:
    """Apply a state-machine action; an illegal move is a 409 naming the current state."""
    if action == Action.ASSIGN:
        raise ValidationError({"type": ["Assign takes the colleague: use PATCH .../assign/{toUserId}."]})
    with transaction.atomic():
        assignment = _locked(assignment_id)
        before = assignment.state
        assignment.state = _move(assignment, action)
        assignment.save(update_fields=["state", "updated_at"])
        _log(
            assignment,
            user=user,
            kind=LogKind.ACTION,
            action=action,
            from_state=before,
            to_state=assignment.state,
            note=note,
        )
    return assignment


def assign(*, assignment_id: int, to_user_id: int, user, note: str = "") -> Assignment:
    """Hand the assignment to a collaborator of `user` for its client (400 otherwise, 404 unknown user)."""
    to_user = User.objects.filter(pk=to_user_id, is_active=True).first()
    if to_user is None:
        raise NotFound(f"There is no user {to_user_id}.")
    with transaction.atomic():
        assignment = Assignment.objects.select_for_update().select_related("client").get(pk=assignment_id)
        if not selectors.is_collaborator(user=user, other_id=to_user.pk, client=assignment.client):
            raise ValidationError({"toUserId": [f"User {to_user_id} is not a collaborator for this client."]})
        before_state, before_user = assignment.state, assignment.assignee_id
        assignment.state = _move(assignment, Action.ASSIGN)
        assignment.assignee = to_user
        assignment.save(update_fields=["state", "assignee", "updated_at"])
        _log(
            assignment,
            user=user,
            kind=LogKind.ASSIGNED,
            action=Action.ASSIGN,
            from_state=before_state,
            to_state=assignment.state,
            from_user_id=before_user,
            to_user=to_user,
            note=note,
        )
    return assignment


def comment(*, assignment_id: int, user, text: str) -> AssignmentLogEntry:
    with transaction.atomic():
        assignment = _locked(assignment_id)
        assignment.save(update_fields=["updated_at"])
        return _log(assignment, user=user, kind=LogKind.COMMENT, note=text)


# --- equipment kits ------------------------------------------------------------------------


def connect_kit(*, client: Client, kit_id: int, user, assignment_id: int | None = None) -> KitConnection:
    """Connect a kit of the client's team to the client (409 when it is connected elsewhere, or the
    client has another kit); with `assignment_id` the kit is also recorded on that assignment."""
    with transaction.atomic():
        # Client, then kit, then assignment: one lock order, so concurrent connects cannot deadlock.
        Client.objects.select_for_update().get(pk=client.pk)
        kit = EquipmentKit.objects.select_for_update().get(pk=kit_id, team_id=client.team_id)
        active = KitConnection.objects.filter(disconnected_at__isnull=True)
        connection = active.filter(kit=kit).first()
        if connection is not None and connection.client_id != client.pk:
            raise Conflict(f"The equipment kit {kit.pk} is connected to another client.")
        other_kit = active.filter(client=client).exclude(kit=kit).first()
        if other_kit is not None:
            raise Conflict(f"The client already has the equipment kit {other_kit.kit_id} connected.")
        if connection is None:
            connection = KitConnection.objects.create(
                kit=kit, client=client, connected_at=timezone.now(), connected_by=user
            )
        if assignment_id is not None:
            assignment = _locked(assignment_id)
            if assignment.state in states.FINAL_STATES:
                raise Conflict(f"The assignment is {State(assignment.state).label}: its equipment cannot change.")
            assignment.equipment = kit
            assignment.save(update_fields=["equipment", "updated_at"])
            _log(assignment, user=user, kind=LogKind.EQUIPMENT, note=f"Connected equipment kit {kit}.")
            if connection.assignment_id is None:
                connection.assignment = assignment
                connection.save(update_fields=["assignment"])
    return connection


def disconnect_kit(*, client: Client, kit_id: int, user) -> KitConnection:
    """End the kit's connection to the client; the row stays as history."""
    with transaction.atomic():
        connection = (
            KitConnection.objects.select_for_update()
            .filter(client=client, kit_id=kit_id, disconnected_at__isnull=True)
            .first()
        )
        if connection is None:
            raise NotFound(f"The equipment kit {kit_id} is not connected to the client.")
        connection.disconnected_at = timezone.now()
        connection.disconnected_by = user
        connection.save(update_fields=["disconnected_at", "disconnected_by"])
    return connection


# --- next of kin: one-time user codes and terms ----------------------------------------------


def code_hash(code: str) -> str:
    """Codes are stored as an HMAC, so a database dump does not give them away."""
    normalized = code.strip().upper()
    return hmac.new(settings.SECRET_KEY.encode(), f"nextofkin:{normalized}".encode(), hashlib.sha256).hexdigest()


def create_invitation(*, next_of_kin: NextOfKin, created_by=None, valid_for=None) -> str:
    """A new one-time user code for `next_of_kin`; the plain code is returned once, never stored."""
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    NextOfKinInvitation.objects.create(
        next_of_kin=next_of_kin,
        code_hash=code_hash(code),
        created_by=created_by,
        expires_at=timezone.now() + (valid_for or conf.invitation_valid_for()),
    )
    return code


def _count_failure(key: str, *, window: int, attempts: int) -> None:
    """One more failure under `key` in a fixed window; after `attempts` of them `key` is locked until
    the window's length has passed (`_locked_for`)."""
    now = time.time()
    # Fixed windows of the clock (not only the cache's TTL), so both cache backends agree with it.
    fail_key, lock_key = f"{key}:fail:{int(now // window)}", f"{key}:lock"
    cache.add(fail_key, 0, timeout=window)
    try:
        failures = cache.incr(fail_key)
    except ValueError:  # expired between add and incr
        cache.set(fail_key, 1, timeout=window)
        failures = 1
    if failures >= attempts:
        cache.set(lock_key, now + window, timeout=window)


def _locked_for(key: str) -> float | None:
    locked_until = cache.get(f"{key}:lock")
    now = time.time()
    return None if locked_until is None or locked_until <= now else max(1.0, locked_until - now)


def _address_key(ident: str) -> str:
    # Counted per client network (an IPv4 address or an IPv6 /64), as the kernel's hasher limit is.
    return f"care:code:address:{hashlib.sha256(client_network(ident).encode()).hexdigest()[:32]}"


def _next_of_kin_key(next_of_kin_id: int) -> str:
    return f"care:code:nextofkin:{next_of_kin_id}"


def code_lockout_wait(*, ident: str) -> float | None:
    """Seconds until `ident` may look up user codes again (its burst limit), or None when it may now."""
    return _locked_for(_address_key(ident))


def record_wrong_code(*, ident: str, next_of_kin_id: int | None = None) -> None:
    """Count a failed lookup: against the client address (a burst limit, ASSIGNMENTS_CODE_ATTEMPTS per
    ASSIGNMENTS_CODE_BURST_SECONDS, so a NAT's other users wait a minute at most), and against the next
    of kin whose code was guessed (ASSIGNMENTS_INVITATION_CODE_ATTEMPTS per ASSIGNMENTS_CODE_WINDOW_SECONDS,
    then its codes are refused from every address for that long)."""
    _count_failure(_address_key(ident), window=conf.code_burst_seconds(), attempts=conf.code_attempts())
    if next_of_kin_id is not None:
        _count_failure(
            _next_of_kin_key(next_of_kin_id),
            window=conf.code_window_seconds(),
            attempts=conf.invitation_code_attempts(),
        )


def redeem_code(*, next_of_kin: NextOfKin, code: str, user, ident: str) -> NextOfKin:
    """Link `user` to the next of kin through a one-time code: a wrong code is a 404 counted against
    the client address and the next of kin (record_wrong_code), a used or expired one a 410, and a
    next of kin locked by wrong codes a 429 for any code until its window has passed."""
    wait = _locked_for(_next_of_kin_key(next_of_kin.pk))
    if wait is not None:
        raise Throttled(wait=wait, detail="Too many wrong user codes for this next of kin.")
    with transaction.atomic():
        invitation = (
            NextOfKinInvitation.objects.select_for_update()
            .filter(next_of_kin=next_of_kin, code_hash=code_hash(code))
            .first()
        )
        if invitation is None:
            record_wrong_code(ident=ident, next_of_kin_id=next_of_kin.pk)
            raise NotFound(WRONG_CODE_MESSAGE)
        if invitation.used_at is not None:
            raise Gone("The user code has been used.")
        if invitation.expires_at <= timezone.now():
            raise Gone("The user code has expired.")
        linked = NextOfKin.objects.select_for_update().get(pk=next_of_kin.pk)
        if linked.user_id not in (None, user.pk):
            raise Gone("The user code has been used.")
        if NextOfKin.objects.filter(client_id=linked.client_id, user=user).exclude(pk=linked.pk).exists():
            raise Conflict("This login is already next of kin of the client.")
        invitation.used_at = timezone.now()
        invitation.used_by = user
        invitation.save(update_fields=["used_at", "used_by"])
        linked.user = user
        linked.save(update_fields=["user"])
    return linked


def accept_terms(*, next_of_kin: NextOfKin, user, version: int | None = None) -> NextOfKinTermsAcceptance:
    """Record acceptance of the current terms (idempotent); a stale `version` is a 409."""
    terms = selectors.current_terms()
    if terms is None:
        raise NotFound("No terms have been published.")
    if version is not None and version != terms.version:
        raise Conflict(f"Version {version} is not the current terms; the current version is {terms.version}.")
    acceptance, _ = NextOfKinTermsAcceptance.objects.get_or_create(
        next_of_kin=next_of_kin, terms=terms, defaults={"user": user, "accepted_at": timezone.now()}
    )
    return acceptance
