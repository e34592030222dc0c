"""Background work of the EV app: re-planning open charging requests when prices are published."""

from __future__ import annotations

from celery import shared_task

from esmart.celery import enqueue_on_commit


@shared_task(acks_late=True, autoretry_for=(Exception,), max_retries=3, retry_backoff=True)
def replan_requests(*, area_eic: str) -> int:
    """Idempotent: the same prices give the same plans."""
    from . import services

    return services.replan_open_requests(area_eic=area_eic)


def on_prices_stored(sender, instance, **kwargs):
    area = instance.area
    enqueue_on_commit(replan_requests, area_eic=area)
