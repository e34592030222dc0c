"""Writes of the notifications app (keyword-only). Views call these; tasks call the send side."""

from __future__ import annotations

import logging
import uuid

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from rest_framework import exceptions, status

from apps.assets.models import Asset
from apps.assets.selectors import reachable
from apps.customers.models import Customer, Meter

from . import conf, selectors
from .adapters import ProviderUnavailableError, Result
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


def _finish(deliveries: list[PushDelivery], outcomes: dict[int, tuple[Result, str]]) -> None:
    now = timezone.now()
    gone = []
    for delivery in deliveries:
        if delivery.pk in outcomes:
            result, detail = outcomes[delivery.pk]
            delivery.state = result.value
            delivery.result = detail[:500]
            delivery.finished_at = now
            if result is Result.GONE:
                gone.append(delivery.registration_id)
    PushDelivery.objects.bulk_update(
        [d for d in deliveries if d.pk in outcomes], ["state", "result", "finished_at"], batch_size=1000
    )
    if gone:
        PushRegistration.objects.filter(pk__in=gone, gone_at__isnull=True).update(gone_at=now)


def _deliver(*, message: PushMessage, deliveries: list[PushDelivery], provider) -> int:
    """Calls the provider for claimed deliveries and stores each outcome; an outage stores what was
    done and re-raises, so the task retries the rest (whose claims are released)."""
    outcomes: dict[int, tuple[Result, str]] = {}
    try:
        for delivery in deliveries:
            outcome = provider.send(registration=delivery.registration, message=message)
            outcomes[delivery.pk] = (outcome.result, outcome.detail)
    except ProviderUnavailableError:
        _finish(deliveries, outcomes)
        # Not sent: release the claims so the retry may claim them again.
        PushDelivery.objects.filter(
            pk__in=[d.pk for d in deliveries if d.pk not in outcomes], state=PushDelivery.State.CLAIMED
        ).delete()
        raise
    _finish(deliveries, outcomes)
    return sum(1 for result, _ in outcomes.values() if result is Result.SENT)


def send_chunk(*, message_id: int, registration_ids: list[str], provider) -> int:
    """Sends one chunk at most once per (message, registration): each pair is claimed (a unique
    row, committed) before the provider is called, so a redelivered chunk skips what is claimed."""
    message = PushMessage.objects.select_related("app").get(pk=message_id)
    claim = uuid.uuid4()
    now = timezone.now()
    live = selectors.live_registrations(now=now).filter(pk__in=registration_ids).values_list("pk", flat=True)
    PushDelivery.objects.bulk_create(
        [PushDelivery(message=message, registration_id=pk, claim=claim, claimed_at=now) for pk in live],
        ignore_conflicts=True,
        batch_size=1000,
    )
    deliveries = list(
        PushDelivery.objects.filter(message=message, claim=claim).select_related("registration").order_by("pk")
    )
    return _deliver(message=message, deliveries=deliveries, provider=provider)


def retry_stale_claims(*, provider, now=None) -> int:
    """At least attempted: deliveries claimed longer than the timeout ago and never finished (their
    worker died) are claimed again (a new claim id, one more attempt) and sent, up to max_attempts."""
    now = now or timezone.now()
    stale = PushDelivery.objects.filter(
        state=PushDelivery.State.CLAIMED, claimed_at__lt=now - conf.claim_timeout(), attempts__lt=conf.max_attempts()
    )
    sent = 0
    for message_id in stale.values_list("message_id", flat=True).distinct():
        claim = uuid.uuid4()
        # Re-claim with a conditional update so two sweeps never take the same row.
        for delivery in stale.filter(message_id=message_id).only("pk", "claim"):
            PushDelivery.objects.filter(pk=delivery.pk, claim=delivery.claim, state=PushDelivery.State.CLAIMED).update(
                claim=claim, claimed_at=now, attempts=F("attempts") + 1
            )
        deliveries = list(
            PushDelivery.objects.filter(message_id=message_id, claim=claim).select_related("registration")
        )
        message = PushMessage.objects.select_related("app").get(pk=message_id)
        sent += _deliver(message=message, deliveries=deliveries, provider=provider)
    PushDelivery.objects.filter(
        state=PushDelivery.State.CLAIMED, claimed_at__lt=now - conf.claim_timeout(), attempts__gte=conf.max_attempts()
    ).update(state=PushDelivery.State.FAILED, finished_at=now, result="Never finished; attempts exhausted.")
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
