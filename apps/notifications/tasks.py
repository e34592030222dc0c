"""Celery tasks of the notifications app (keyword arguments only, idempotent, acks_late)."""

from __future__ import annotations

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval

from esmart.celery import publish

from . import services
from .adapters import ProviderUnavailableError, push_provider

SEND_RETRIES = 5


@shared_task(acks_late=True, ignore_result=True)
def fan_out(*, message_id: int) -> int:
    """Cuts the message's registrations into chunks (once) and queues a send per pending chunk. A
    rerun queues the pending ones again; a chunk claimed by one run is skipped by the others."""
    chunk_ids = services.make_chunks(message_id=message_id, provider=push_provider())
    for chunk_id in chunk_ids:
        publish(send_chunk, chunk_id=chunk_id)
    return len(chunk_ids)


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=SEND_RETRIES)
def send_chunk(self, *, chunk_id: int) -> int:
    """Sends one chunk; each (message, registration) at most once, even when redelivered. A provider
    outage retries the unsent rest with exponential backoff (5 s up to 5 min, jittered), bounded:
    after the last try the rest is stored as FAILED."""
    final = self.request.retries >= self.max_retries
    try:
        return services.send_chunk(chunk_id=chunk_id, provider=push_provider(), final=final)
    except ProviderUnavailableError as exc:
        if final:
            return 0
        countdown = get_exponential_backoff_interval(5, self.request.retries, 300, full_jitter=True)
        raise self.retry(exc=exc, countdown=countdown) from exc


@shared_task(acks_late=True, ignore_result=True)
def retry_stale_deliveries() -> int:
    """Beat: chunks untouched for the claim timeout are queued again, a dead run's in-flight batch
    stored as UNKNOWN first (services.stale_chunks); messages never fanned out by then (their
    fan-out was not queued: the broker was down at send time) are fanned out here and their chunks
    queued (services.stale_messages). Returns how many chunks were queued."""
    chunk_ids = services.stale_chunks()
    stale_messages = services.stale_messages()
    if stale_messages:
        provider = push_provider()
        for message_id in stale_messages:
            chunk_ids += services.make_chunks(message_id=message_id, provider=provider)
    chunk_ids = list(dict.fromkeys(chunk_ids))
    for chunk_id in chunk_ids:
        publish(send_chunk, chunk_id=chunk_id)
    return len(chunk_ids)


@shared_task(acks_late=True, ignore_result=True, max_retries=3, retry_backoff=10, autoretry_for=(OSError,))
def send_flag_alerts(*, change_id: int) -> int:
    return services.send_flag_alerts(change_id=change_id)
