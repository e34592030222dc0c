"""Writes of the notifications app (keyword-only). Views call these; tasks call the send side."""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict

from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from rest_framework import exceptions, status

from apps.assets.models import Asset
from apps.assets.selectors import reachable
from apps.customers.models import Customer, Meter

from . import conf, selectors
from .adapters import Outcome, ProviderUnavailableError, Result
from .models import (
    CustomerMessage,
    EmailAlert,
    EmailAlertConfig,
    MessageCategory,
    MessageState,
    PushCategoryEnum,
    PushDelivery,
    PushIdentifierTypes,
    PushMessage,
    PushRegistration,
    PushTag,
)

logger = logging.getLogger(__name__)
Claimed = selectors.ClaimedDelivery


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


def check_tags(*, user, customer: Customer | None, tags: list[tuple[int, str]], field: str) -> None:
    """Every tag must name something the caller may address: a 400 naming the first that is not.

    Customer registrations: meter ids of that customer. App registrations: the caller's own meters,
    customers, user id, or assets in the caller's reach."""
    wanted: dict[int, set[str]] = {}
    for kind, value in tags:
        wanted.setdefault(kind, set()).add(value)
    meters = Meter.objects.filter(delivery_point__contract__customer__accesses__user=user)
    if customer is not None:
        meters = meters.filter(delivery_point__contract__customer=customer)
    known = {
        PushIdentifierTypes.MeterId: lambda values: set(
            meters.filter(meter_id__in=values).values_list("meter_id", flat=True)
        ),
        PushIdentifierTypes.CustomerId: lambda values: {
            str(pk)
            for pk in Customer.objects.filter(
                pk__in=[v for v in values if v.isdigit() and len(v) < 19], accesses__user=user
            ).values_list("pk", flat=True)
        },
        PushIdentifierTypes.UserId: lambda values: {str(user.pk)} & values,
        PushIdentifierTypes.AssetId: lambda values: {
            str(pk)
            for pk in Asset.objects.filter(reachable(user=user))
            .filter(pk__in=[v for v in values if v.isdigit() and len(v) < 19])
            .values_list("pk", flat=True)
        },
    }
    for kind, values in wanted.items():
        if customer is not None and kind != PushIdentifierTypes.MeterId:
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
    meters = list(meter_ids) + [value for kind, value in tags if kind == PushIdentifierTypes.MeterId]
    rows = Meter.objects.filter(meter_id__in=meters).values_list("meter_id", "delivery_point__contract__customer_id")
    if customer is not None:
        rows = rows.filter(delivery_point__contract__customer=customer)
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


def chunks_of(*, message: PushMessage) -> list[list[str]]:
    ids = [str(pk) for pk in selectors.matching_registrations(message=message).values_list("pk", flat=True)]
    size = conf.chunk_size()
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def _finish(
    *, message_id: int, claim: uuid.UUID, claimed_at, batch: list[Claimed], outcomes: dict[int, Outcome]
) -> int:
    """Stores the outcomes of a batch: one UPDATE per distinct (result, detail), the commonest one
    by claim (this batch is the claim's only SENDING rows), so a provider that answers alike (the
    console) costs one short statement per batch. Returns how many were sent."""
    now = timezone.now()
    groups: dict[tuple[Result, str], list[int]] = defaultdict(list)
    for delivery in batch:
        if delivery.pk in outcomes:
            outcome = outcomes[delivery.pk]
            groups[outcome.result, outcome.detail[:500]].append(delivery.pk)
    unfinished = len(outcomes) < len(batch)  # an outage mid-batch: the rest is released by pk
    commonest = None if unfinished or not groups else max(groups, key=lambda key: len(groups[key]))
    for (result, detail), pks in groups.items():
        if (result, detail) == commonest:
            # claimed_at: the run's rows are one range of the unfinished index (not all the message's).
            rows = PushDelivery.objects.filter(
                message_id=message_id, claim=claim, claimed_at=claimed_at, state=PushDelivery.State.SENDING
            )
        else:
            rows = PushDelivery.objects.filter(pk__in=pks)
        rows.update(state=result.value, result=detail, finished_at=now)
    gone = [d.registration.pk for d in batch if d.pk in outcomes and outcomes[d.pk].result is Result.GONE]
    if gone:
        PushRegistration.objects.filter(pk__in=gone, gone_at__isnull=True).update(gone_at=now)
    return sum(len(pks) for (result, _), pks in groups.items() if result is Result.SENT)


def _hand_over(batch: list[Claimed], claim: uuid.UUID) -> list[Claimed]:
    """CLAIMED → SENDING for the rows still claimed by `claim` (a sweep may have re-claimed one of a
    slow run): only those go to the provider. One UPDATE; a second query only after a race."""
    pending = [d.pk for d in batch if d.state == PushDelivery.State.CLAIMED]
    if pending:
        taken = PushDelivery.objects.filter(pk__in=pending, claim=claim, state=PushDelivery.State.CLAIMED).update(
            state=PushDelivery.State.SENDING
        )
        if taken != len(pending):
            mine = set(
                PushDelivery.objects.filter(pk__in=pending, claim=claim, state=PushDelivery.State.SENDING).values_list(
                    "pk", flat=True
                )
            )
            batch = [d for d in batch if d.state == PushDelivery.State.SENDING or d.pk in mine]
    return batch


def _deliver(
    *, message: PushMessage, deliveries: list[Claimed], claim: uuid.UUID, claimed_at, provider, release
) -> int:
    """Sends claimed deliveries batch by batch: a batch is marked SENDING (committed) before the
    provider sees it, and its outcomes are stored after. So a dead worker leaves CLAIMED rows (never
    handed over: the sweep retries them) and at most one SENDING batch (maybe sent: never again).

    An outage stores what was done, hands the unsent rows to `release`, and re-raises."""
    sent = 0
    size = conf.send_batch_size(provider)
    for start in range(0, len(deliveries), size):
        batch = _hand_over(deliveries[start : start + size], claim)
        outcomes: dict[int, Outcome] = {}
        try:
            for delivery in batch:
                outcomes[delivery.pk] = provider.send(registration=delivery.registration, message=message)
        except ProviderUnavailableError:
            _finish(message_id=message.pk, claim=claim, claimed_at=claimed_at, batch=batch, outcomes=outcomes)
            release([d.pk for d in deliveries[start:] if d.pk not in outcomes])
            raise
        sent += _finish(message_id=message.pk, claim=claim, claimed_at=claimed_at, batch=batch, outcomes=outcomes)
    return sent


def _claim(*, message_id: int, live, claim: uuid.UUID, now, first: int) -> None:
    """Claims the live registrations of `live` in one INSERT … SELECT … ON CONFLICT DO NOTHING
    (what another run claimed is skipped), the first `first` of them straight as SENDING.
    PostgreSQL and SQLite (3.35+) both take window functions and this upsert."""
    field = PushDelivery._meta.get_field
    table = connection.ops.quote_name(PushDelivery._meta.db_table)
    registrations, params = live.order_by().values("pk").query.sql_with_params()
    sql = (
        f"INSERT INTO {table} (message_id, registration_id, state, claim, attempts, claimed_at, result) "
        "SELECT %s, live.pk, CASE WHEN ROW_NUMBER() OVER (ORDER BY live.pk) <= %s THEN %s ELSE %s END, %s, 1, %s, '' "
        f"FROM ({registrations}) live WHERE true "
        "ON CONFLICT (message_id, registration_id) DO NOTHING"
    )
    state = PushDelivery.State
    claim_value = field("claim").get_db_prep_value(claim, connection)
    claimed_at = field("claimed_at").get_db_prep_value(now, connection)
    head = [message_id, first, state.SENDING.value, state.CLAIMED.value, claim_value, claimed_at]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*head, *params])


def send_chunk(*, message_id: int, registration_ids: list[str], provider, final: bool = False) -> int:
    """Sends one chunk at most once per (message, registration): each pair is claimed (a unique row,
    committed) before the provider is called, so a redelivered chunk skips what is claimed. The first
    batch is claimed straight as SENDING (claim and hand-over in one statement).

    On an outage the unsent claims are deleted, so the task's retry claims them again; on its last
    try (`final`) they are stored as FAILED instead."""
    message = PushMessage.objects.select_related("app").get(pk=message_id)
    claim = uuid.uuid4()
    now = timezone.now()
    live = selectors.live_registrations(now=now).filter(selectors.registrations_in(registration_ids))
    _claim(message_id=message_id, live=live, claim=claim, now=now, first=conf.send_batch_size(provider))
    deliveries = selectors.claimed_deliveries(message_id=message_id, claim=claim, claimed_at=now)
    state = PushDelivery.State

    def release(pks):
        unsent = PushDelivery.objects.filter(pk__in=pks, claim=claim, state__in=[state.CLAIMED, state.SENDING])
        if final:
            unsent.update(state=state.FAILED, finished_at=timezone.now(), result="Provider unavailable; retries over.")
        else:
            unsent.delete()

    return _deliver(
        message=message, deliveries=deliveries, claim=claim, claimed_at=now, provider=provider, release=release
    )


def retry_stale_claims(*, provider, now=None) -> int:
    """The sweep, for deliveries whose worker died (older than the claim timeout):
    - CLAIMED ones were never handed to the provider: claimed again (a new claim id, one more
      attempt) and sent (at least attempted), up to max_attempts, then FAILED;
    - SENDING ones were handed over and may have been sent: never sent again (at most once), stored
      as UNKNOWN."""
    now = now or timezone.now()
    state = PushDelivery.State
    stale = PushDelivery.objects.filter(claimed_at__lt=now - conf.claim_timeout())
    stale.filter(state=state.SENDING).update(
        state=state.UNKNOWN, finished_at=now, result="The worker stopped during the provider call; not resent."
    )
    stale.filter(state=state.CLAIMED, attempts__gte=conf.max_attempts()).update(
        state=state.FAILED, finished_at=now, result="Never handed to the provider; attempts exhausted."
    )
    sent = 0
    retried = stale.filter(state=state.CLAIMED, attempts__lt=conf.max_attempts())
    for message_id in retried.values_list("message_id", flat=True).distinct().order_by("message_id"):
        claim = uuid.uuid4()
        # One conditional UPDATE: rows another sweep took meanwhile no longer match.
        retried.filter(message_id=message_id).update(claim=claim, claimed_at=now, attempts=F("attempts") + 1)
        deliveries = [
            d
            for d in selectors.claimed_deliveries(message_id=message_id, claim=claim, claimed_at=now)
            if d.state == state.CLAIMED
        ]
        message = PushMessage.objects.select_related("app").get(pk=message_id)

        def release(pks, claim=claim):  # an outage: back to CLAIMED, the next sweep tries again
            PushDelivery.objects.filter(pk__in=pks, claim=claim, state__in=[state.CLAIMED, state.SENDING]).update(
                state=state.CLAIMED
            )

        sent += _deliver(
            message=message, deliveries=deliveries, claim=claim, claimed_at=now, provider=provider, release=release
        )
    return sent


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
    from apps.assets.models import ComponentFlagChange

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
