"""Reads of the notifications app."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import CharField, Func, Q
from django.utils import timezone

from apps.assets.public import HIERARCHIES, ancestors

from .models import (
    CustomerMessage,
    EmailAlertConfig,
    MessageStateFilter,
    PushChunk,
    PushDelivery,
    PushMessage,
    PushRegistration,
    PushTag,
)


def is_gone(*, registration: PushRegistration, now=None) -> bool:
    now = now or timezone.now()
    return registration.deleted_at is not None or registration.gone_at is not None or registration.expires_at <= now


def _live(now) -> Q:
    return Q(deleted_at__isnull=True, gone_at__isnull=True, expires_at__gt=now) & ~Q(handle="")


def live_registrations(*, now=None):
    """Registrations a send may reach: not deleted, not rejected, not expired, with a device."""
    return PushRegistration.objects.filter(_live(now or timezone.now()))


@dataclass(frozen=True)
class SendTarget:
    """What a push provider needs of a registration (read as plain values: thousands per chunk).
    The id is text, as the database writes it: it goes back in the delivery rows as text."""

    pk: str
    handle: str
    platform: str
    template_version: int


class UuidText(Func):
    """A UUID column as its canonical text (`8-4-4-4-12` hex), written by the database: a cast;
    on SQLite, which stores 32 hex digits, the digits with their dashes."""

    output_field = CharField()

    def as_sql(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        return f"CAST({column} AS text)", params

    def as_sqlite(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        spans = ((1, 8), (9, 4), (13, 4), (17, 4), (21, 12))
        parts = [f"substr({column}, {start}, {length})" for start, length in spans]
        return " || '-' || ".join(parts), params * len(parts)


def send_targets(registrations) -> dict[str, SendTarget]:
    """The registrations of a queryset as SendTargets, by their id."""
    rows = registrations.values_list(UuidText("pk"), "handle", "platform", "template_version")
    return {row[0]: SendTarget(*row) for row in rows}


def id_ranges(count: int) -> list[tuple[uuid.UUID | None, uuid.UUID | None]]:
    """`count` slices [first, end) of the whole UUID space, open at both ends (None). Registration
    ids are random (uuid4), so each slice holds about the same share of any set of them."""
    cuts = [uuid.UUID(int=(n << 128) // count) for n in range(1, count)]
    return list(zip([None, *cuts], [*cuts, None], strict=True))


def chunk_ranges(*, message: PushMessage, size: int) -> list[tuple[uuid.UUID | None, uuid.UUID | None]]:
    """The id ranges of the message's chunks, about `size` registrations each. Their number comes
    from counting the matching tags (one index-only count, no ids read: the chunks read their
    own); tags of registrations no longer live make it an upper bound, which only sizes the ranges."""
    count = _matching_tags(message=message).count()
    return id_ranges(-(-count // size)) if count else []


def _in_chunk(registrations, *, chunk: PushChunk, after, through=None):
    if chunk.first_pk is not None:
        registrations = registrations.filter(pk__gte=chunk.first_pk)
    if chunk.end_pk is not None:
        registrations = registrations.filter(pk__lt=chunk.end_pk)
    if after is not None:
        registrations = registrations.filter(pk__gt=after)
    if through is not None:
        registrations = registrations.filter(pk__lte=through)
    return registrations


def chunk_targets(*, chunk: PushChunk) -> list[SendTarget]:
    """The live registrations of the chunk not sent yet (after `sent_through`), in id order."""
    registrations = _in_chunk(matching_registrations(message=chunk.message), chunk=chunk, after=chunk.sent_through)
    return list(send_targets(registrations).values())


def in_flight_ids(*, chunk: PushChunk) -> list[str]:
    """The batch a stopped run had at the provider: the chunk's registrations after `sent_through`
    up to `in_flight_through`, as its run read them (made before `read_at`, whatever they became
    since; only a registration whose tags changed in between is missed, and it is not resent
    either)."""
    if chunk.in_flight_through is None:
        return []
    registrations = _in_chunk(
        tagged_registrations(message=chunk.message).filter(created_at__lte=chunk.read_at),
        chunk=chunk,
        after=chunk.sent_through,
        through=chunk.in_flight_through,
    )
    return [str(pk) for pk in registrations.values_list("pk", flat=True)]


def _matching_tags(*, message: PushMessage):
    if message.customer_id is not None:
        return PushTag.objects.filter(identifier_type=0, identifier_value__in=message.meter_ids)
    match = Q(pk__in=[])
    for kind, value in message.tags:
        match |= Q(identifier_type=kind, identifier_value=value)
    return PushTag.objects.filter(match)


def tagged_registrations(*, message: PushMessage):
    """The registrations of the message's app tagged with one of its meter ids or tags, live or not."""
    registrations = PushRegistration.objects.filter(app_id=message.app_id)
    if message.customer_id is not None:
        registrations = registrations.filter(customer_id=message.customer_id)
    tagged = _matching_tags(message=message).values("registration_id")
    return registrations.filter(pk__in=tagged).order_by("pk")


def matching_registrations(*, message: PushMessage):
    """The live registrations a send of the message reaches, in id order."""
    return tagged_registrations(message=message).filter(_live(timezone.now()))


@dataclass(frozen=True)
class DeliveryResult:
    registration_id: str
    state: str
    attempt: int
    result: str


def delivery_results(*, message_id: int, registration_id: str | None = None) -> list[DeliveryResult]:
    """Each registration's outcome for the message (or only `registration_id`'s), from the rows
    that hold them in batches."""
    rows = PushDelivery.objects.filter(message_id=message_id).order_by("pk")
    if registration_id is not None:
        rows = rows.filter(registration_ids__icontains=registration_id)
    return [
        DeliveryResult(pk, state, attempt, result)
        for ids, state, attempt, result in rows.values_list("registration_ids", "state", "attempt", "result")
        for pk in ids
        if registration_id is None or pk == registration_id
    ]


def messages_of(*, customer_id: int):
    return CustomerMessage.objects.filter(customer_id=customer_id).order_by("-sent_at", "-id")


def message_count(*, customer_id: int, state: MessageStateFilter) -> int:
    messages = messages_of(customer_id=customer_id)
    if state != MessageStateFilter.All:
        messages = messages.filter(state=state)
    return messages.count()


def alert_recipients(*, asset_id: int):
    """Users (with an e-mail) whose configuration covers the asset or any ancestor of it."""
    covering = {asset_id}
    for relation_type in HIERARCHIES:
        covering.update(asset.pk for asset in ancestors(asset_id=asset_id, relation_type=relation_type))
    users = EmailAlertConfig.objects.filter(asset_id__in=covering).values("user_id")
    return get_user_model().objects.filter(pk__in=users, is_active=True).exclude(email="").order_by("pk")


def email_config_asset_ids(*, user) -> list[int]:
    return sorted(EmailAlertConfig.objects.filter(user=user).values_list("asset_id", flat=True))


def email_config_tree(*, user) -> list[dict]:
    """The assets the user reaches, each with its parent among them (location before network) and
    whether alerts are on: three queries whatever the size."""
    from apps.assets.public import AssetRelation, RelationType, visible_assets

    assets = list(visible_assets(user=user).order_by("pk").values("pk", "name", "asset_type"))
    ids = {asset["pk"] for asset in assets}
    parents: dict[int, int] = {}
    relations = AssetRelation.objects.filter(child_id__in=ids, parent_id__in=ids, relation_type__in=HIERARCHIES)
    for child_id, parent_id, relation_type in relations.values_list("child_id", "parent_id", "relation_type"):
        if child_id not in parents or relation_type == RelationType.Location:
            parents[child_id] = parent_id
    on = set(EmailAlertConfig.objects.filter(user=user, asset_id__in=ids).values_list("asset_id", flat=True))
    return [
        {
            "asset_id": asset["pk"],
            "parent_asset_id": parents.get(asset["pk"]),
            "name": asset["name"],
            "asset_type": asset["asset_type"],
            "alerts_on": asset["pk"] in on,
        }
        for asset in assets
    ]


def managed_users(*, user):
    """The users who work for the participants `user` acts for (user included), for the admin list."""
    from apps.assets.public import ParticipantMembership, user_participants

    members = ParticipantMembership.objects.filter(participant__in=user_participants(user=user)).values("user_id")
    return get_user_model().objects.filter(Q(pk__in=members) | Q(pk=user.pk)).order_by("pk")


def email_configs_of(*, users) -> dict[int, list[int]]:
    configs: dict[int, list[int]] = {}
    rows = EmailAlertConfig.objects.filter(user__in=users).order_by("asset_id").values_list("user_id", "asset_id")
    for user_id, asset_id in rows:
        configs.setdefault(user_id, []).append(asset_id)
    return configs
