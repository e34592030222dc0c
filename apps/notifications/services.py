"""Writes of the notifications app (keyword-only). Views call these; tasks call the send side."""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict

from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from rest_framework import exceptions, status

from apps.assets.public import Asset, reachable
from apps.customers.public import Customer, Meter
from esmart.core.validators import is_ascii_digits

from . import conf, selectors
from .adapters import Outcome, ProviderUnavailableError
from .models import (
    CustomerMessage,
    EmailAlert,
    EmailAlertConfig,
    MessageCategory,
    MessageState,
    PushCategoryEnum,
    PushChunk,
    PushDelivery,
    PushIdentifierTypes,
    PushMessage,
    PushRegistration,
    PushTag,
)

logger = logging.getLogger(__name__)


class Gone(exceptions.APIException):
    status_code = status.HTTP_410_GONE
    default_detail = "The registration has expired or was deleted."
    default_code = "gone"


# --- registrations ---------------------------------------------------------------------------


def create_registration(*, app, user, customer: Customer | None = None) -> PushRegistration:
    now = timezone.now()
    return PushRegistration.objects.create(
        app=app, user=user, customer=customer, refreshed_at=now, expires_at=now + conf.registration_ttl()
    )


def check_tags(
    *,
    tags: list[tuple[int, str]],
    field: str,
    meters: QuerySet[Meter],
    customers: QuerySet[Customer] | None = None,
    assets: QuerySet[Asset] | None = None,
    user_id: int | None = None,
) -> None:
    """Every tag must name something the caller may address: a 400 naming the first that is not.

    What may be addressed comes restricted by the view (its anchor, ApiView.restrict): `meters` for every
    registration; `customers`, `assets` and the caller's `user_id` for an app registration. Without
    `customers` (a customer registration) only meter ids are accepted."""
    wanted: dict[int, set[str]] = {}
    for kind, value in tags:
        wanted.setdefault(kind, set()).add(value)

    def ids(values: set[str]) -> list[str]:
        return [v for v in values if is_ascii_digits(v) and len(v) < 19]

    known = {
        PushIdentifierTypes.MeterId: lambda values: set(
            meters.filter(meter_id__in=values).values_list("meter_id", flat=True)
        ),
        PushIdentifierTypes.CustomerId: lambda values: {
            str(pk) for pk in customers.filter(pk__in=ids(values)).values_list("pk", flat=True)
        },
        PushIdentifierTypes.UserId: lambda values: {str(user_id)} & values,
        PushIdentifierTypes.AssetId: lambda values: {
            str(pk) for pk in assets.filter(pk__in=ids(values)).values_list("pk", flat=True)
        },
    }
    for kind, values in wanted.items():
        if customers is None and kind != PushIdentifierTypes.MeterId:
            raise exceptions.ValidationError({field: ["This registration only accepts meter ids."]})
        unknown = sorted(values - known[kind](values))
        if unknown:
            name = PushIdentifierTypes(kind).label
            raise exceptions.ValidationError({field: [f"{name} '{unknown[0]}' is not yours."]})


def put_registration(
    *, registration: PushRegistration, platform: str, handle: str, tags: list[tuple[int, str]], template_version: int
) -> PushRegistration:
    """Creates or updates the registration's device and tags; a gone or expired one is a 410."""
    now = timezone.now()
    if selectors.is_gone(registration=registration, now=now):
        raise Gone()
    registration.platform = platform
    registration.handle = handle
    registration.template_version = template_version
    registration.refreshed_at = now
    registration.expires_at = now + conf.registration_ttl()
    registration.save(update_fields=["platform", "handle", "template_version", "refreshed_at", "expires_at"])
    registration.tags.all().delete()
    PushTag.objects.bulk_create(
        PushTag(registration=registration, identifier_type=kind, identifier_value=value)
        for kind, value in dict.fromkeys(tags)
    )
    return registration


def delete_registration(*, registration: PushRegistration) -> None:
    if registration.deleted_at is None:
        registration.deleted_at = timezone.now()
        registration.save(update_fields=["deleted_at"])
        registration.tags.all().delete()


# --- sends -----------------------------------------------------------------------------------


def send_push(
    *,
    app,
    user,
    text: str,
    customer: Customer | None = None,
    meter_ids: list[str] = (),
    tags: list[tuple[int, str]] = (),
    category: int | None = None,
    external_id: str = "",
    sound: str = "",
) -> PushMessage:
    """Stores the message, lands it in the customers' messages, and queues the fan-out on commit."""
    from esmart.celery import enqueue_on_commit

    from .tasks import fan_out

    message = PushMessage.objects.create(
        app=app,
        customer=customer,
        text=text,
        category=category,
        external_id=external_id,
        sound=sound,
        meter_ids=list(meter_ids),
        tags=[list(tag) for tag in tags],
        sent_by=user,
    )
    # The customers' messages: one per meter named (meter ids, MeterId tags), and one per customer
    # named by a CustomerId tag that no meter already covers. UserId and AssetId tags address
    # people's and professionals' devices, not a customer: no customer message.
    meters = list(meter_ids) + [value for kind, value in tags if kind == PushIdentifierTypes.MeterId]
    rows = Meter.objects.filter(meter_id__in=meters).values_list("meter_id", "delivery_point__contract__customer_id")
    if customer is not None:
        rows = rows.filter(delivery_point__contract__customer=customer)
    rows = list(rows)
    named = {int(value) for kind, value in tags if kind == PushIdentifierTypes.CustomerId and is_ascii_digits(value)}
    rows += [("", pk) for pk in sorted(named - {customer_id for _, customer_id in rows})]
    message_category = {
        PushCategoryEnum.Outage: MessageCategory.Outage,
        PushCategoryEnum.Price: MessageCategory.Price,
        PushCategoryEnum.Invoice: MessageCategory.Invoice,
    }.get(category, MessageCategory.General)
    CustomerMessage.objects.bulk_create(
        CustomerMessage(
            customer_id=customer_id,
            meter_id=meter_id,
            push_message=message,
            subject=app.name,
            text=text,
            category=message_category,
            sent_at=message.created_at,
        )
        for meter_id, customer_id in rows
    )
    enqueue_on_commit(fan_out, message_id=message.pk)
    return message


def make_chunks(*, message_id: int, provider) -> list[int]:
    """The message's chunks (PENDING ones' ids), made the first time only: a rerun of the fan-out
    gets the same slices back, so no registration can be in two chunks, and the slices cover every
    id, so a registration made later is sent too. Marking the message fanned out comes first and
    locks its row until the chunks are committed: a redelivered fan-out running beside the first
    waits, then finds it marked and takes the chunks as they are."""
    now = timezone.now()
    with transaction.atomic():
        first = PushMessage.objects.filter(pk=message_id, fanned_out_at__isnull=True).update(fanned_out_at=now)
        if not first:
            return list(
                PushChunk.objects.filter(message_id=message_id, state=PushChunk.State.PENDING).values_list(
                    "pk", flat=True
                )
            )
        message = PushMessage.objects.get(pk=message_id)
        ranges = selectors.chunk_ranges(message=message, size=conf.chunk_size(provider))
        chunks = PushChunk.objects.bulk_create(
            PushChunk(message=message, seq=seq, first_pk=start, end_pk=end, touched_at=now)
            for seq, (start, end) in enumerate(ranges)
        )
    return [chunk.pk for chunk in chunks]


UNKNOWN_DETAIL = "The worker stopped during the provider call; not resent."
EXHAUSTED_DETAIL = "Never handed to the provider; attempts exhausted."
RETRIES_OVER_DETAIL = "Provider unavailable; retries over."


class Outcomes:
    """A batch's outcomes as they are stored: registration ids (text) by (state, detail)."""

    def __init__(self):
        self.groups: dict[tuple[str, str], list[str]] = defaultdict(list)
        self._last: Outcome | None = None
        self._ids: list[str] = []

    def add(self, pk: str, outcome: Outcome) -> None:
        # Thousands per batch, mostly the same answer: the same Outcome again skips the lookup.
        if outcome is not self._last:
            self._last, self._ids = outcome, self.groups[outcome.result.value, outcome.detail]
        self._ids.append(pk)

    def add_all(self, pks: list[str], state: str, detail: str) -> None:
        if pks:
            self.groups[state, detail].extend(pks)

    @property
    def done(self) -> int:
        return sum(len(ids) for ids in self.groups.values())

    def count(self, state: str) -> int:
        return sum(len(ids) for (group_state, _), ids in self.groups.items() if group_state == state)

    def write(self, *, message_id: int, attempt: int, now) -> None:
        """One PushDelivery per distinct (state, detail), in one statement; the registrations the
        provider rejected as unregistered are marked gone."""
        PushDelivery.objects.bulk_create(
            PushDelivery(
                message_id=message_id,
                state=state,
                attempt=attempt,
                finished_at=now,
                result=detail[:500],
                registration_ids=ids,
                count=len(ids),
            )
            for (state, detail), ids in self.groups.items()
        )
        gone = [pk for (state, _), ids in self.groups.items() if state == PushDelivery.State.GONE for pk in ids]
        if gone:
            PushRegistration.objects.filter(pk__in=gone, gone_at__isnull=True).update(gone_at=now)


def _hand_over(*, chunk_id: int, claim: uuid.UUID, through: str, read_at, first: bool) -> bool:
    """Marks the batch ending at `through` as in flight (committed before the provider sees it);
    the first batch claims the chunk (PENDING → SENDING). False: another run holds it."""
    rows = PushChunk.objects.filter(pk=chunk_id)
    rows = rows.filter(state=PushChunk.State.PENDING) if first else rows.filter(claim=claim)
    taken = rows.update(
        state=PushChunk.State.SENDING,
        claim=claim,
        in_flight_through=through,
        read_at=read_at,
        touched_at=timezone.now(),
    )
    return taken == 1


def _store(*, chunk: PushChunk, claim: uuid.UUID, outcomes: Outcomes, through, state: str) -> int:
    """Writes a batch's deliveries and moves the chunk past them, in one transaction: `state` is
    SENDING (more batches follow), DONE, or PENDING (released after an outage). Nothing is written
    when the run lost its claim: the sweep took the chunk over and stored this batch as UNKNOWN.
    Returns how many were sent."""
    now = timezone.now()
    done = state == PushChunk.State.DONE
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # This commit need not wait for the disk: lost in a database crash, the chunk is still
            # SENDING with this batch in flight, so the sweep stores it UNKNOWN and never resends
            # it. The hand-over before the provider call is what must be durable, and it is.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit = off")
        moved = PushChunk.objects.filter(pk=chunk.pk, claim=claim).update(
            state=state,
            claim=None if state != PushChunk.State.SENDING else claim,
            sent_through=through,
            in_flight_through=None,
            touched_at=now,
            finished_at=now if done else None,
        )
        if not moved:
            return 0
        outcomes.write(message_id=chunk.message_id, attempt=chunk.attempts, now=now)
    return outcomes.count(PushDelivery.State.SENT)


def send_chunk(*, chunk_id: int, provider, final: bool = False) -> int:
    """Sends a PENDING chunk batch by batch, each (message, registration) at most once: a batch is
    stored as in flight before the provider sees it, and its deliveries after, so a run that dies
    leaves at most that batch unknown. A chunk another run holds or finished is skipped (a
    redelivered task sends nothing).

    On an outage what was sent is stored and the chunk is released (PENDING) for the task's retry;
    on its last try (`final`) the rest is stored as FAILED instead. Returns how many were sent."""
    state = PushChunk.State
    chunk = PushChunk.objects.select_related("message__app").get(pk=chunk_id)
    if chunk.state != state.PENDING:
        return 0
    read_at = timezone.now()
    targets = selectors.chunk_targets(chunk=chunk)
    claim = uuid.uuid4()
    if not targets:
        PushChunk.objects.filter(pk=chunk_id, state=state.PENDING).update(
            state=state.DONE, touched_at=timezone.now(), finished_at=timezone.now()
        )
        return 0
    sent, size, through = 0, conf.send_batch_size(provider) or len(targets), chunk.sent_through
    for start in range(0, len(targets), size):
        batch = targets[start : start + size]
        if not _hand_over(chunk_id=chunk_id, claim=claim, through=batch[-1].pk, read_at=read_at, first=start == 0):
            return sent  # the sweep took the chunk over from this (too slow) run
        outcomes, message = Outcomes(), chunk.message
        try:
            for target in batch:
                outcomes.add(target.pk, provider.send(registration=target, message=message))
        except ProviderUnavailableError:
            if outcomes.done:
                through = batch[outcomes.done - 1].pk
            if final:
                rest = [target.pk for target in targets[start + outcomes.done :]]
                outcomes.add_all(rest, PushDelivery.State.FAILED, RETRIES_OVER_DETAIL)
                _store(chunk=chunk, claim=claim, outcomes=outcomes, through=targets[-1].pk, state=state.DONE)
            else:
                _store(chunk=chunk, claim=claim, outcomes=outcomes, through=through, state=state.PENDING)
            raise
        through = batch[-1].pk
        last = start + size >= len(targets)
        sent += _store(
            chunk=chunk, claim=claim, outcomes=outcomes, through=through, state=state.DONE if last else state.SENDING
        )
    return sent


def _take_over(*, chunk: PushChunk, now) -> bool:
    """A SENDING chunk whose run stopped: its in-flight batch may have been sent, so it is stored as
    UNKNOWN (never resent: at most once); the rest was never handed over and goes back to PENDING
    for one more attempt (at least attempted), or, attempts exhausted, is stored as FAILED."""
    in_flight = selectors.in_flight_ids(chunk=chunk)
    resume = chunk.in_flight_through or chunk.sent_through
    exhausted = chunk.attempts >= conf.max_attempts()
    state = PushChunk.State
    with transaction.atomic():
        # Only if untouched since read: a run that stored its batch meanwhile keeps the chunk.
        unchanged = PushChunk.objects.filter(
            pk=chunk.pk, claim=chunk.claim, state=state.SENDING, touched_at=chunk.touched_at
        )
        taken = unchanged.update(
            state=state.DONE if exhausted else state.PENDING,
            claim=None,
            in_flight_through=None,
            sent_through=resume,
            attempts=F("attempts") + (0 if exhausted else 1),
            touched_at=now,
            finished_at=now if exhausted else None,
        )
        if not taken:
            return False
        outcomes = Outcomes()
        outcomes.add_all(in_flight, PushDelivery.State.UNKNOWN, UNKNOWN_DETAIL)
        if exhausted:
            chunk.sent_through = resume
            rest = [target.pk for target in selectors.chunk_targets(chunk=chunk)]
            outcomes.add_all(rest, PushDelivery.State.FAILED, EXHAUSTED_DETAIL)
        outcomes.write(message_id=chunk.message_id, attempt=chunk.attempts, now=now)
    return not exhausted


def stale_chunks(*, now=None) -> list[int]:
    """The sweep: chunks untouched for the claim timeout. A SENDING one's run died (taken over, see
    `_take_over`); a PENDING one's task was lost or is late (queued again: a duplicate finds the
    chunk claimed and does nothing). Returns the ids to queue, each touched so the next sweep waits
    a timeout again."""
    now = now or timezone.now()
    state = PushChunk.State
    stale = PushChunk.objects.filter(
        state__in=[state.PENDING, state.SENDING], touched_at__lt=now - conf.claim_timeout()
    )
    queue = []
    for chunk in stale.order_by("pk"):
        if chunk.state == state.SENDING:
            if _take_over(chunk=chunk, now=now):
                queue.append(chunk.pk)
        elif PushChunk.objects.filter(pk=chunk.pk, state=state.PENDING, touched_at=chunk.touched_at).update(
            touched_at=now
        ):
            queue.append(chunk.pk)
    return queue


def stale_messages(*, now=None) -> list[int]:
    """The sweep's other half: messages stored more than the claim timeout ago and never fanned out.
    Their fan-out task was never queued (the broker was down when the send committed: the request
    answered 200 all the same, esmart.celery.publish) or was lost; the sweep fans them out itself
    (`make_chunks`: once, whoever comes first). Messages older than the fan-out age limit are left
    alone: a push is not sent days late."""
    now = now or timezone.now()
    return list(
        PushMessage.objects.filter(
            fanned_out_at__isnull=True,
            created_at__lt=now - conf.claim_timeout(),
            created_at__gte=now - conf.fan_out_max_age(),
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


# --- messages --------------------------------------------------------------------------------


def set_message_states(*, customer: Customer, message_ids: list[int], state: MessageState) -> int:
    """All or nothing: an id that is not the customer's is a 404 and nothing changes."""
    ids = set(message_ids)
    mine = CustomerMessage.objects.filter(customer=customer, pk__in=ids)
    if mine.count() != len(ids):
        raise exceptions.NotFound("A message id is not this customer's.")
    return mine.update(state=state, state_changed_at=timezone.now())


def set_message_state(*, message: CustomerMessage, state: MessageState) -> CustomerMessage:
    if message.state != state:
        message.state = state
        message.state_changed_at = timezone.now()
        message.save(update_fields=["state", "state_changed_at"])
    return message


# --- e-mail alerts ---------------------------------------------------------------------------


def save_email_config(*, user, asset_ids: list[int], field: str = "AssetIds") -> None:
    """Replaces the user's configuration; every asset must be in the user's reach (400 naming it)."""
    ids = set(asset_ids)
    found = set(Asset.objects.filter(reachable(user=user)).filter(pk__in=ids).values_list("pk", flat=True))
    missing = sorted(ids - found)
    if missing:
        raise exceptions.ValidationError({field: [f"Asset {missing[0]} is not in your reach."]})
    EmailAlertConfig.objects.filter(user=user).exclude(asset_id__in=ids).delete()
    EmailAlertConfig.objects.bulk_create(
        [EmailAlertConfig(user=user, asset_id=pk) for pk in ids], ignore_conflicts=True
    )


def send_flag_alerts(*, change_id: int) -> int:
    """One e-mail per user whose configuration covers the flag's asset or an ancestor, at most once
    per (change, user): the EmailAlert row is claimed before the mail is sent."""
    from apps.assets.public import ComponentFlagChange

    change = ComponentFlagChange.objects.select_related("flag__asset").get(pk=change_id)
    flag = change.flag
    sent = 0
    for user in selectors.alert_recipients(asset_id=flag.asset_id):
        try:
            with transaction.atomic():
                alert = EmailAlert.objects.create(change=change, user=user, email=user.email)
        except IntegrityError:
            continue  # already sent (or being sent) for this change
        subject = f"{flag.get_event_display()} {change.get_action_display().lower()}: {flag.asset.name}"
        body = flag.web_message or flag.message or subject
        send_mail(subject, body, conf.alert_from_email(), [user.email])
        alert.sent_at = timezone.now()
        alert.save(update_fields=["sent_at"])
        sent += 1
    return sent
