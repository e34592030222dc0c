"""Under gunicorn with several workers: /metrics adds up every worker's counts (prometheus-client's
multiprocess mode), and LOG_FORMAT=json makes every line of the server's output a JSON object,
the access lines with the request id the app answered (docs/operations.md)."""

import json

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.core.gunicorn_server import get, production_server

pytestmark = pytest.mark.real_clock  # a gunicorn subprocess serves the metrics: its clock is the real one

REQUESTS = 24


def test_two_workers_count_together_and_log_json_lines(tmp_path):
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    (metrics_dir / "counter_99999.db").write_bytes(b"stale")  # a previous run's file: emptied at start
    with production_server(
        tmp_path, PROMETHEUS_MULTIPROC_DIR=str(metrics_dir), WEB_CONCURRENCY="2", LOG_FORMAT="json"
    ) as port:
        answered_ids = set()
        for i in range(REQUESTS):  # a fresh connection each: both workers take some
            response = get(port, "/api/ping-no-such-route", headers={"X-Request-ID": f"gunicorn-test-{i}"})
            assert response.status == 404
            answered_ids.add(response.getheader("X-Request-ID"))
        scraped = get(port, "/metrics")
        assert scraped.status == 200
        pids = {path.stem.rsplit("_", 1)[1] for path in metrics_dir.glob("*.db")}
    assert answered_ids == {f"gunicorn-test-{i}" for i in range(REQUESTS)}

    counts = {}
    for family in text_string_to_metric_families(scraped.data.decode()):
        for sample in family.samples:
            if sample.name == "esmart_http_request_duration_seconds_count":
                counts[(sample.labels["route"], sample.labels["status"])] = sample.value
    assert counts[("<unrouted>", "404")] == REQUESTS
    assert "99999" not in pids and len(pids) >= 1

    lines = [line for line in (tmp_path.glob("gunicorn-*.log").__next__()).read_text().splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    access = [r for r in records if r.get("logger") == "gunicorn.access" and r.get("path") == "/api/ping-no-such-route"]
    assert {r["request_id"] for r in access} == answered_ids
    assert all(r["status"] == 404 and r["method"] == "GET" for r in access)
