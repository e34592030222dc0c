"""/metrics: Prometheus text, scraped and parsed here (docs/operations.md "Metrics")."""

import datetime as dt
import io
import uuid

import pytest
from django.core.management import call_command
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from esmart.core.tasks import record_worker_heartbeat
from tests.notifications.factories import PushChunkFactory, PushMessageFactory
from tests.notifications.world import smartliv
from tests.pricing.factories import SpotPriceDayFactory

from .conftest import lock_out

TOKEN = "a-metrics-token-for-these-tests"
pytestmark = pytest.mark.django_db


def scrape(client, **headers) -> dict[tuple[str, tuple], float]:
    """Every sample of one scrape, by (name, sorted labels)."""
    response = client.get("/metrics", **headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=")
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples, name, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


# --- who may read them --------------------------------------------------------------------------


def test_loopback_callers_may_read_them(client):
    scrape(client)  # the test client's REMOTE_ADDR is 127.0.0.1


@pytest.mark.parametrize(
    "headers",
    [
        {"REMOTE_ADDR": "203.0.113.9"},
        {"REMOTE_ADDR": "10.0.0.2"},
        # a proxy on this machine relays everyone from 127.0.0.1: relayed requests are not local
        {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.9"},
        {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_REAL_IP": "203.0.113.9"},
        {"REMOTE_ADDR": "203.0.113.9", "HTTP_AUTHORIZATION": "Bearer wrong-token"},
        {"REMOTE_ADDR": "203.0.113.9", "HTTP_AUTHORIZATION": f"Basic {TOKEN}"},
        {"REMOTE_ADDR": "203.0.113.9", "HTTP_AUTHORIZATION": "Bearer "},
    ],
)
def test_anyone_else_gets_a_404(client, settings, headers):
    settings.METRICS_TOKEN = TOKEN
    response = client.get("/metrics", **headers)
    assert response.status_code == 404
    assert b"esmart_" not in response.content


def test_no_token_is_accepted_when_none_is_set(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer ").status_code == 404


def test_the_token_opens_them_from_anywhere(client, settings):
    settings.METRICS_TOKEN = TOKEN
    scrape(client, REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.1", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")


def test_only_get_reads_them(client):
    assert client.post("/metrics").status_code == 404


# --- what they count ----------------------------------------------------------------------------


def test_request_latency_by_route_template_and_status(owner, client):
    route = "api/customers/<int:customerId>"
    before = scrape(client)
    for _ in range(3):
        assert owner.client().get(f"/api/customers/{owner.customer.pk}").status_code == 200
    assert owner.client().get("/api/customers/999999999").status_code == 404
    assert client.get("/api/no-such-route").status_code == 404
    after = scrape(client)

    def delta(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    ok = {"method": "GET", "route": route, "status": "200"}
    assert delta("esmart_http_request_duration_seconds_count", **ok) == 3
    assert delta("esmart_http_request_duration_seconds_bucket", **ok, le="+Inf") == 3
    assert delta("esmart_http_request_duration_seconds_sum", **ok) > 0
    assert delta("esmart_http_request_duration_seconds_count", method="GET", route=route, status="404") == 1
    assert delta("esmart_http_request_duration_seconds_count", method="GET", route="<unrouted>", status="404") == 1
    # no label carries a path's own values
    assert not any(("route", f"api/customers/{owner.customer.pk}") in labels for _, labels in after)
    assert delta("esmart_db_queries_total", route=route) >= 4  # at least the user and the customer, each time


def test_task_outcomes_and_durations(client):
    task = record_worker_heartbeat.name
    before = scrape(client)
    record_worker_heartbeat.delay()
    record_worker_heartbeat.delay()
    after = scrape(client)
    assert (
        value(after, "esmart_celery_tasks_total", task=task, outcome="success")
        - value(before, "esmart_celery_tasks_total", task=task, outcome="success")
        == 2
    )
    assert (
        value(after, "esmart_celery_task_duration_seconds_count", task=task)
        - value(before, "esmart_celery_task_duration_seconds_count", task=task)
        == 2
    )


def test_a_failed_task_is_counted_as_a_failure(client, monkeypatch):
    from esmart.core import tasks

    def broken(*args, **kwargs):
        raise RuntimeError("the cache is gone")

    monkeypatch.setattr(tasks.cache, "set", broken)
    before = scrape(client)
    # As a worker runs it: the failure is the task's outcome, not raised to a caller.
    result = record_worker_heartbeat.apply(throw=False)
    assert result.failed()
    monkeypatch.undo()
    after = scrape(client)
    name = record_worker_heartbeat.name
    assert (
        value(after, "esmart_celery_tasks_total", task=name, outcome="failure")
        - value(before, "esmart_celery_tasks_total", task=name, outcome="failure")
        == 1
    )


def test_open_push_chunks(owner, client):
    message = PushMessageFactory(app=smartliv(), customer=owner.customer, text="x", meter_ids=[])
    now = timezone.now()
    for seq, state in enumerate(["PENDING", "PENDING", "SENDING", "DONE"]):
        PushChunkFactory(message=message, seq=seq, state=state, touched_at=now, claim=uuid.uuid4())
    samples = scrape(client)
    assert value(samples, "esmart_push_chunks_open", state="pending") == 2
    assert value(samples, "esmart_push_chunks_open", state="sending") == 1


def test_newest_spot_price_day_per_area(client, db):
    now = timezone.now()
    for area, day in [
        ("10YNO-1--------2", "2026-03-11"),
        ("10YNO-1--------2", "2026-03-12"),
        ("10YNO-4--------9", "2026-03-10"),
    ]:
        SpotPriceDayFactory(
            area=area, delivery_date=day, resolution_minutes=15, intervals=96, source="demo", fetched_at=now
        )
    samples = scrape(client)
    midnight = dt.datetime(2026, 3, 12, tzinfo=dt.UTC).timestamp()
    assert value(samples, "esmart_spot_price_newest_day_timestamp_seconds", area="NO1") == midnight
    assert value(samples, "esmart_spot_price_newest_day_timestamp_seconds", area="NO4") == midnight - 2 * 86400
    assert ("esmart_spot_price_newest_day_timestamp_seconds", (("area", "NO2"),)) not in samples


def test_active_lockouts(owner, other, client):
    assert value(scrape(client), "esmart_login_lockouts_active") == 0
    lock_out(owner, "203.0.113.1")
    lock_out(owner, "198.51.100.1")
    lock_out(other, "203.0.113.1")
    assert value(scrape(client), "esmart_login_lockouts_active") == 3
    call_command("unlock_login", owner.user.username, stdout=io.StringIO())
    assert value(scrape(client), "esmart_login_lockouts_active") == 1


def test_a_database_outage_leaves_the_database_gauges_out(client, monkeypatch):
    from django.db import OperationalError
    from django.db.models import QuerySet

    def unreachable(self):
        raise OperationalError("connection refused")

    monkeypatch.setattr(QuerySet, "__iter__", unreachable)
    samples = scrape(client)
    assert value(samples, "esmart_state_up") == 0
    assert not any(name.startswith("esmart_push_chunks_open") for name, _ in samples)
    assert ("esmart_login_lockouts_active", ()) in samples
