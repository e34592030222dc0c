"""Sends: push_send needed, the message stored and delivered once, a token the provider rejects marks its
registration gone, stale claims retried (in process; the real-worker cases are in test_worker.py)."""

import datetime as dt
import uuid
from itertools import pairwise

import pytest
from django.utils import timezone

from apps.notifications import conf, selectors, services, tasks
from apps.notifications.adapters import ConsolePushProvider
from apps.notifications.models import (
    CustomerMessage,
    PushChunk,
    PushDelivery,
    PushMessage,
    PushRegistration,
)
from tests.notifications.factories import PushMessageFactory

from .world import bulk_registrations, grant, register, send_all, smartliv

pytestmark = pytest.mark.django_db
CONSOLE = ConsolePushProvider()


def test_send_needs_privilege_stores_and_delivers_once(owner, django_capture_on_commit_callbacks):
    register(owner)
    url = f"/api/customers/{owner.customer.pk}/push/smartliv/send"
    body = {"MeterIds": [owner.meter.meter_id], "Message": "Power is back"}
    assert owner.client().post(url, body, format="json").status_code == 403
    grant(owner.user, "push_send")
    with django_capture_on_commit_callbacks(execute=True):
        response = owner.client().post(url, body, format="json")
    assert response.status_code == 200
    message = PushMessage.objects.get()
    assert PushDelivery.objects.filter(message=message, state="SENT").count() == 1
    assert CustomerMessage.objects.filter(customer=owner.customer, text="Power is back").count() == 1
    # a redelivered fan-out finds its chunks done, a redelivered chunk task sends nothing again
    (chunk,) = PushChunk.objects.filter(message=message)
    assert chunk.state == PushChunk.State.DONE
    assert services.make_chunks(message_id=message.pk, provider=CONSOLE) == []
    assert services.send_chunk(chunk_id=chunk.pk, provider=CONSOLE) == 0
    assert PushDelivery.objects.count() == 1


def test_bad_send_body_is_400_and_writes_nothing(owner):
    grant(owner.user, "push_send")
    smartliv()
    response = owner.client().post(
        f"/api/customers/{owner.customer.pk}/push/smartliv/send", {"Message": 1}, format="json"
    )
    assert response.status_code == 400 and "ModelState" in response.json()
    assert not PushMessage.objects.exists()


def test_gone_token_marks_registration(owner):
    from apps.notifications.adapters import Outcome, Result

    reg, _ = register(owner)
    message = PushMessageFactory(app=smartliv(), customer=owner.customer, text="x", meter_ids=[owner.meter.meter_id])

    class Rejecting:
        def send(self, *, registration, message):
            return Outcome(Result.GONE, "UNREGISTERED")

    send_all(message, Rejecting())
    assert PushRegistration.objects.get(pk=reg).gone_at is not None
    url = f"/api/customers/{owner.customer.pk}/push/smartliv/{reg}"
    assert owner.client().put(url, {"Platform": "gcm", "Handle": "y"}, format="json").status_code == 410


def _stale_chunk(owner, *, attempts=1, state=PushChunk.State.SENDING):
    """A message to the owner's registration whose one chunk was left by a run an hour ago."""
    reg, _ = register(owner)
    message = PushMessageFactory(app=smartliv(), customer=owner.customer, text="x", meter_ids=[owner.meter.meter_id])
    (chunk_id,) = services.make_chunks(message_id=message.pk, provider=CONSOLE)
    PushChunk.objects.filter(pk=chunk_id).update(
        state=state,
        claim=uuid.uuid4() if state == PushChunk.State.SENDING else None,
        attempts=attempts,
        touched_at=timezone.now() - dt.timedelta(hours=1),
    )
    return reg, chunk_id


def test_a_chunk_whose_run_died_before_the_provider_call_is_sent_by_the_sweep(owner):
    _stale_chunk(owner)
    assert tasks.retry_stale_deliveries() == 1  # queued (run at once: eager in tests)
    delivery = PushDelivery.objects.get()
    assert delivery.state == "SENT" and delivery.attempt == 2
    assert PushChunk.objects.get().state == PushChunk.State.DONE


def test_a_batch_in_flight_when_the_run_died_is_unknown_and_never_resent(owner):
    reg, chunk_id = _stale_chunk(owner)
    PushChunk.objects.filter(pk=chunk_id).update(in_flight_through=reg, read_at=timezone.now())
    assert tasks.retry_stale_deliveries() == 1
    delivery = PushDelivery.objects.get()
    assert delivery.state == "UNKNOWN" and delivery.result == services.UNKNOWN_DETAIL
    assert PushChunk.objects.get().state == PushChunk.State.DONE  # nothing left after the batch
    assert tasks.retry_stale_deliveries() == 0


def test_a_chunk_out_of_attempts_stores_the_rest_as_failed(owner):
    _stale_chunk(owner, attempts=3)
    assert tasks.retry_stale_deliveries() == 0
    delivery = PushDelivery.objects.get()
    assert delivery.state == "FAILED" and delivery.result == services.EXHAUSTED_DETAIL
    assert PushChunk.objects.get().state == PushChunk.State.DONE


def test_a_pending_chunk_whose_task_was_lost_is_queued_again(owner):
    _stale_chunk(owner, state=PushChunk.State.PENDING)
    assert tasks.retry_stale_deliveries() == 1
    assert PushDelivery.objects.get().state == "SENT"


def test_a_fresh_chunk_is_left_to_its_run(owner):
    reg, chunk_id = _stale_chunk(owner)
    PushChunk.objects.filter(pk=chunk_id).update(touched_at=timezone.now())
    assert tasks.retry_stale_deliveries() == 0
    assert not PushDelivery.objects.exists()


def _unsent_message(owner, *, age: dt.timedelta) -> PushMessage:
    """A message to the owner's registration stored `age` ago whose fan-out was never queued."""
    register(owner)
    message = PushMessageFactory(app=smartliv(), customer=owner.customer, text="x", meter_ids=[owner.meter.meter_id])
    PushMessage.objects.filter(pk=message.pk).update(created_at=timezone.now() - age)
    return message


def test_a_message_whose_fan_out_was_never_queued_is_fanned_out_by_the_sweep(owner):
    message = _unsent_message(owner, age=conf.claim_timeout() + dt.timedelta(seconds=1))
    assert tasks.retry_stale_deliveries() == 1  # its one chunk, queued (run at once: eager in tests)
    assert PushDelivery.objects.get(message=message).state == "SENT"
    assert PushMessage.objects.get(pk=message.pk).fanned_out_at is not None
    assert PushChunk.objects.get().state == PushChunk.State.DONE
    assert tasks.retry_stale_deliveries() == 0  # fanned out once
    assert PushDelivery.objects.count() == 1


def test_a_message_within_the_claim_timeout_is_left_to_its_fan_out_task(owner):
    message = _unsent_message(owner, age=conf.claim_timeout() - dt.timedelta(seconds=1))
    assert services.stale_messages() == []
    assert tasks.retry_stale_deliveries() == 0
    assert not PushChunk.objects.exists() and PushMessage.objects.get(pk=message.pk).fanned_out_at is None


def test_a_message_older_than_the_fan_out_age_limit_is_not_sent_late(owner):
    _unsent_message(owner, age=conf.fan_out_max_age() + dt.timedelta(seconds=1))
    assert tasks.retry_stale_deliveries() == 0
    assert not PushChunk.objects.exists() and not PushDelivery.objects.exists()


def test_the_sweep_does_not_fan_out_a_message_again_whose_task_ran_late(owner):
    message = _unsent_message(owner, age=conf.claim_timeout() + dt.timedelta(seconds=1))
    assert tasks.retry_stale_deliveries() == 1
    assert tasks.fan_out(message_id=message.pk) == 0  # the late task: its chunk done, nothing queued
    assert PushDelivery.objects.count() == 1 and PushChunk.objects.count() == 1


def test_a_run_that_lost_its_chunk_to_the_sweep_stops_and_writes_nothing(owner):
    from apps.notifications.adapters import Outcome, Result

    register(owner)
    message = PushMessageFactory(app=smartliv(), customer=owner.customer, text="x", meter_ids=[owner.meter.meter_id])
    (chunk_id,) = services.make_chunks(message_id=message.pk, provider=CONSOLE)

    class TakenOverMidCall:  # the sweep takes the chunk over while this run is at the provider
        def send(self, *, registration, message):
            chunk = PushChunk.objects.get(pk=chunk_id)
            assert services._take_over(chunk=chunk, now=timezone.now())
            return Outcome(Result.SENT, "late")

    assert services.send_chunk(chunk_id=chunk_id, provider=TakenOverMidCall()) == 0
    assert list(PushDelivery.objects.values_list("state", flat=True)) == ["UNKNOWN"]


def test_chunks_are_cut_once_and_cover_each_registration_once(owner, settings):
    from apps.notifications.models import PushIdentifierTypes

    settings.NOTIFICATIONS_PUSH_CHUNK_SIZE = 3
    tag = (PushIdentifierTypes.UserId, str(owner.user.pk))
    ids = bulk_registrations(app=smartliv(), user=owner.user, count=10, tag=tag)
    message = PushMessageFactory(app=smartliv(), text="x", tags=[list(tag)])
    first = services.make_chunks(message_id=message.pk, provider=CONSOLE)
    assert (
        len(first) == 4 and services.make_chunks(message_id=message.pk, provider=CONSOLE) == first
    )  # a rerun: the same
    late = bulk_registrations(app=smartliv(), user=owner.user, count=5, tag=tag)  # made after the cut
    assert send_all(message, CONSOLE) == 15
    results = selectors.delivery_results(message_id=message.pk)
    assert sorted(r.registration_id for r in results) == sorted(ids + late)
    assert {r.state for r in results} == {"SENT"}
    # A row per chunk that holds a registration (one batch each): random ids can leave a slice empty.
    slices = PushChunk.objects.filter(message=message).values_list("first_pk", "end_pk")
    holding = [
        (first, end)
        for first, end in slices
        if any(
            (first is None or uuid.UUID(str(i)) >= first) and (end is None or uuid.UUID(str(i)) < end)
            for i in ids + late
        )
    ]
    assert PushDelivery.objects.filter(message=message).count() == len(holding)


def test_id_ranges_split_the_whole_uuid_space():
    from apps.notifications.selectors import id_ranges

    assert id_ranges(1) == [(None, None)]
    ranges = id_ranges(4)
    assert [str(first) for first, _ in ranges[1:]] == [
        "40000000-0000-0000-0000-000000000000",
        "80000000-0000-0000-0000-000000000000",
        "c0000000-0000-0000-0000-000000000000",
    ]
    assert ranges[0][0] is None and ranges[-1][1] is None
    assert all(end == first for (_, end), (first, _) in pairwise(ranges))  # no gap, no overlap


def test_an_app_send_lands_in_the_messages_of_the_customers_and_meters_it_names(
    owner, other, django_capture_on_commit_callbacks
):
    from apps.notifications.models import PushIdentifierTypes as Kind

    grant(owner.user, "push_send")
    smartliv()
    body = {
        "Message": "Maintenance tonight",
        "Tags": [
            {"IdentifierType": Kind.CustomerId, "IdentifierValue": str(owner.customer.pk)},
            {"IdentifierType": Kind.UserId, "IdentifierValue": str(owner.user.pk)},
        ],
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = owner.client().post("/api/apps/smartliv/push/send", body, format="json")
    assert response.status_code == 200, response.content
    (landed,) = CustomerMessage.objects.filter(text="Maintenance tonight")
    assert landed.customer == owner.customer and landed.meter_id == ""  # the customer, no meter
    assert not CustomerMessage.objects.filter(customer=other.customer).exists()

    body["Tags"] = [{"IdentifierType": Kind.MeterId, "IdentifierValue": owner.meter.meter_id}] + body["Tags"][:1]
    body["Message"] = "Meter swap"
    with django_capture_on_commit_callbacks(execute=True):
        assert owner.client().post("/api/apps/smartliv/push/send", body, format="json").status_code == 200
    (landed,) = CustomerMessage.objects.filter(text="Meter swap")  # the meter's, not twice
    assert landed.meter_id == owner.meter.meter_id
