"""Celery tasks of the flex app (keyword arguments only, idempotent, acks_late)."""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from apps.pricing.public import market_date

from . import services
from .adapters import device_adapter
from .models import SiteSettings

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, ignore_result=True)
def send_device_commands(*, command_ids: list[int]) -> int:
    """Sends queued commands; a command already sent is skipped, so a redelivery sends nothing twice."""
    adapter = device_adapter()
    return sum(services.send_command(command_id=pk, adapter=adapter) for pk in command_ids)


@shared_task(acks_late=True, ignore_result=True)
def plan_tomorrow(*, day: str | None = None) -> dict:
    """Plans tomorrow (market time) for every enrolled device once its prices are published.

    Beat runs it every hour in the afternoon; a device already planned is unchanged (idempotent),
    one whose area has no prices yet is skipped and planned on a later run."""
    target = dt.date.fromisoformat(day) if day else market_date(timezone.now()) + dt.timedelta(days=1)
    counts = services.plan_day(day=target)
    logger.info("Planned %s: %s", target, counts)
    return counts


@shared_task(acks_late=True)
def evaluate_sites(*, site_ids: list[int] | None = None) -> int:
    """Evaluates the load of every site with settings (or `site_ids`) and sheds or restores devices."""
    sites = SiteSettings.objects.select_related("site").order_by("pk")
    if site_ids is not None:
        sites = sites.filter(site_id__in=site_ids)
    changed = 0
    for site_settings in sites:
        with transaction.atomic():
            shed, restored = services.evaluate_site(site_settings=site_settings)
        changed += len(shed) + len(restored)
    return changed
