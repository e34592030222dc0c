"""With SENTRY_DSN set, errors and failed tasks reach Sentry, and nothing secret does: a local HTTP
server stands in for Sentry and receives what the SDK sends (docs/operations.md)."""

import gzip
import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from .sentry_probe import BASIC, SECRET

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.real_clock  # the probe runs in a subprocess, on the real clock


class Collector(BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":
            import brotli

            body = brotli.decompress(body)
        type(self).received.append(body)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format, *args):
        pass


@pytest.fixture
def sentry_server():
    Collector.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Collector)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()


def _events(envelopes: list[bytes]) -> list[dict]:
    events = []
    for envelope in envelopes:
        lines = envelope.split(b"\n")
        for header, payload in zip(lines[1::2], lines[2::2], strict=False):
            if json.loads(header).get("type") == "event":
                events.append(json.loads(payload))
    return events


def test_errors_and_failed_tasks_arrive_without_secrets(sentry_server, tmp_path):
    port = sentry_server.server_address[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SENTRY_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="esmart.settings.test",
        SENTRY_DSN=f"http://publickey@127.0.0.1:{port}/1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'probe.sqlite3'}",
    )
    env.pop("REDIS_URL", None)
    run = subprocess.run(
        [sys.executable, "-m", "tests.ops.sentry_probe"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr[-3000:]

    raw = b"\n".join(Collector.received)
    events = _events(Collector.received)
    request_error = [e for e in events if e.get("transaction") == "/ops-test/fails"]
    task_error = [e for e in events if e.get("transaction") == "esmart.core.tasks.record_worker_heartbeat"]
    assert len(request_error) == 1, [e.get("transaction") for e in events]
    assert task_error, [e.get("transaction") for e in events]

    request = request_error[0]["request"]
    assert "page=2" in request["query_string"]  # other parameters stay
    assert request["headers"]["X-Request-Id"] == "sentry-probe-1"
    assert request["headers"]["Authorization"] == "[Filtered]"
    assert request_error[0]["exception"]["values"][-1]["type"] == "RuntimeError"
    # Nothing secret arrived: not the password, not the Basic credentials, not the cookies.
    for secret in (SECRET, BASIC):
        assert secret.encode() not in raw
    assert b"password=" not in raw.lower()
    assert "cookies" not in request or not request["cookies"]
    assert "Basic [Filtered]" in json.dumps(task_error[0]["exception"])  # the task's message, scrubbed
