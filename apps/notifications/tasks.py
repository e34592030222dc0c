"""Celery tasks of the notifications app (keyword arguments only, idempotent, acks_late)."""

from __future__ import annotations

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.utils import timezone

from esmart.celery import publish

from . import services
from .adapters import ProviderUnavailableError, push_provider
from .models import PushMessage

SEND_RETRIES = 5


@shared_task(acks_late=True, ignore_result=True)
def fan_out(*, message_id: int) -> int:
    """Splits the message's registrations into chunks and queues one send per chunk. A rerun queues
    the chunks again; their claims make that harmless."""
    message = PushMessage.objects.get(pk=message_id)
    chunks = services.chunks_of(message=message)
    for registration_ids in chunks:
        publish(send_chunk, message_id=message_id, registration_ids=registration_ids)
    PushMessage.objects.filter(pk=message_id, fanned_out_at__isnull=True).update(fanned_out_at=timezone.now())
    return len(chunks)


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=SEND_RETRIES)
def send_chunk(self, *, message_id: int, registration_ids: list[str]) -> int:
    """Sends one chunk; each (message, registration) at most once, even when redelivered. A provider
    outage retries the unsent rest with exponential backoff (5 s up to 5 min, jittered), bounded:
    after the last try the rest is stored as FAILED."""
    final = self.request.retries >= self.max_retries
    try:
        return services.send_chunk(
            message_id=message_id, registration_ids=registration_ids, provider=push_provider(), final=final
        )
    except ProviderUnavailableError as exc:
        if final:
            return 0
        countdown = get_exponential_backoff_interval(5, self.request.retries, 300, full_jitter=True)
        raise self.retry(exc=exc, countdown=countdown) from exc


@shared_task(acks_late=True, ignore_result=True)
def retry_stale_deliveries() -> int:
    """Beat: deliveries whose worker died after claiming them are attempted again after the timeout."""
    try:
        return services.retry_stale_claims(provider=push_provider())
    except ProviderUnavailableError:
        return 0  # released back to CLAIMED: the next sweep tries again, attempts bounded


@shared_task(acks_late=True, ignore_result=True, max_retries=3, retry_backoff=10, autoretry_for=(OSError,))
def send_flag_alerts(*, change_id: int) -> int:
    return services.send_flag_alerts(change_id=change_id)
