"""In-process workload (bench/inprocess.py): the push fan-out through Celery vs a plain loop.

`size` app registrations of a bench app ("bench-push", no login reaches it), each tagged with the
bench user's id, created once with bulk_create and kept. Both sides send one message by that tag
with the `console` provider:

- real: what `POST api/apps/{app}/push/send` queues, to its end: `services.send_push` stores the
  message and publishes `fan_out` on commit; a real Celery worker (celery.contrib.testing's
  start_worker, threads pool with as many threads as CPUs, in this process, on the bench Redis)
  cuts the matching registrations into chunks (one row each) and runs `send_chunk` for each: the
  chunk claimed and its batch marked in flight (committed), the provider, the batch's outcome
  rows written. Timed until the task_postrun signals have counted every registration sent.
- baseline: the same console provider called in a plain loop over the same registrations, read
  with the same selector query and as the same plain values the chunks use
  (`selectors.send_targets(matching_registrations(...))`): no Celery, no delivery rows.

prepare() runs each side once untimed (the worker threads open their connections), then
freezes the garbage collector's view of the process's long-lived objects (Django, the worker, the
registrations), as a preloaded server does: without it a full collection landed in some rounds of
either side and made the figure bimodal. reset() deletes the bench app's messages (their outcome
rows and chunks with them) between runs.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import threading

from celery.signals import task_postrun
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from apps.customers.models import App
from apps.notifications import selectors, services
from apps.notifications.adapters import ConsolePushProvider
from apps.notifications.models import PushDelivery, PushIdentifierTypes, PushMessage, PushRegistration, PushTag
from apps.notifications.tasks import send_chunk

APP_SHORT_NAME = "bench-push"
USERNAME = "bench-push"
BROKER_DB = 3  # of the bench Redis: the app's own database stays untouched
WAIT_SECONDS = 120
# The worker's pool: threads, as a push worker runs (its tasks wait on the database and the
# provider), as many as the machine has CPUs.
CONCURRENCY = int(os.environ.get("BENCH_PUSH_CONCURRENCY", os.cpu_count() or 2))


class FanOut:
    def __init__(self, size: int, log):
        self.size, self.log = size, log
        self.app = self.user = None
        self.worker = None
        self.sent = 0
        self.sent_lock = threading.Lock()
        self.chunks_done = threading.Event()

    # --- untimed -------------------------------------------------------------------------------

    def _registrations(self) -> None:
        have = PushRegistration.objects.filter(app=self.app).count()
        if have >= self.size:
            return
        now = timezone.now()
        fresh = [
            PushRegistration(
                app=self.app,
                user=self.user,
                platform="fcm",
                handle=f"bench-token-{n}",
                refreshed_at=now,
                expires_at=now + dt.timedelta(days=3650),
            )
            for n in range(have, self.size)
        ]
        with transaction.atomic():
            PushRegistration.objects.bulk_create(fresh, batch_size=2000)
            PushTag.objects.bulk_create(
                [
                    PushTag(registration=r, identifier_type=PushIdentifierTypes.UserId, identifier_value=self.tag)
                    for r in fresh
                ],
                batch_size=2000,
            )
        # Statistics as autovacuum would have them on a live database: without them the planner
        # takes the 10,000 fresh rows for a handful and joins the tags in a nested loop.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {PushRegistration._meta.db_table}, {PushTag._meta.db_table}")

    def prepare(self) -> None:
        import re

        from celery.contrib.testing.worker import start_worker
        from django.conf import settings

        from esmart.celery import app as celery_app

        self.app, _ = App.objects.get_or_create(short_name=APP_SHORT_NAME, defaults={"name": "Bench push"})
        self.user, _ = get_user_model().objects.get_or_create(username=USERNAME, defaults={"is_active": False})
        self.tag = str(self.user.pk)
        self._registrations()
        broker = re.sub(r"(/\d+)?$", f"/{BROKER_DB}", settings.REDIS_URL.rstrip("/"), count=1)
        celery_app.conf.update(broker_url=broker, result_backend=None, task_always_eager=False)
        self.worker = start_worker(
            celery_app,
            pool="threads",
            concurrency=CONCURRENCY,
            perform_ping_check=False,
            loglevel="WARNING",
            shutdown_timeout=10,
        )
        self.worker.__enter__()
        task_postrun.connect(self._on_task_done, weak=False)
        self.log(f"  push-fanout: {self.size} registrations, worker on {broker}")
        # One untimed run of each side: the worker threads open their database connections and
        # PostgreSQL caches the plans, so the rounds time the steady state.
        self.reset()
        self.real()
        self.reset()
        self.baseline()
        gc.collect()
        gc.freeze()

    def reset(self) -> None:
        PushMessage.objects.filter(app=self.app).delete()
        self.sent = 0
        self.chunks_done.clear()

    def finish(self) -> None:
        try:
            self.reset()
        finally:
            if self.worker is not None:
                self.worker.__exit__(None, None, None)

    # --- timed ---------------------------------------------------------------------------------

    def real(self) -> int:
        with transaction.atomic():
            message = services.send_push(
                app=self.app, user=self.user, text="Bench", tags=[(PushIdentifierTypes.UserId, self.tag)]
            )
        # The worker runs in this process: its task_postrun signal says when the chunks are done
        # (no polling competing with it for the CPUs).
        if not self.chunks_done.wait(WAIT_SECONDS):
            raise RuntimeError(f"the worker did not finish the fan-out in {WAIT_SECONDS} s")
        sent = PushDelivery.objects.filter(message=message, state=PushDelivery.State.SENT)
        done = sent.aggregate(n=Sum("count"))["n"] or 0
        if done != self.size:
            raise RuntimeError(f"{done} deliveries sent of {self.size}")
        return done

    def _on_task_done(self, sender=None, retval=None, **kwargs) -> None:
        if sender is not None and sender.name == send_chunk.name:
            with self.sent_lock:
                self.sent += retval or 0
                if self.sent >= self.size:
                    self.chunks_done.set()

    def baseline(self) -> int:
        message = PushMessage.objects.create(
            app=self.app, text="Bench", tags=[[PushIdentifierTypes.UserId, self.tag]], sent_by=self.user
        )
        provider = ConsolePushProvider()
        sent = 0
        for target in selectors.send_targets(selectors.matching_registrations(message=message)).values():
            sent += provider.send(registration=target, message=message).result.value == "SENT"
        return sent
