"""The README's production start (`gunicorn esmart.wsgi:application`, no flags, production settings)
as a subprocess on a free port, with a private redis-server and its own SQLite file."""

from __future__ import annotations

import contextlib
import http.client
import os
import subprocess
import sys
import time
from pathlib import Path

from .redis_server import PrivateRedis, free_port

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
SECRET_KEY = "a-production-like-secret-key-for-these-tests-only-0123456789-abcdefghij"


def get(port: int, path: str, *, headers: dict | None = None, timeout: float = 10) -> http.client.HTTPResponse:
    """One GET on a fresh connection; the response is read (its body in `.data`)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        response.data = response.read()
        return response
    finally:
        connection.close()


@contextlib.contextmanager
def production_server(tmp_path: Path, *, migrate: bool = False, **environment: str):
    """Yields the port of a running production start; `environment` adds or overrides variables;
    `migrate` creates its database's tables first (for tests whose requests reach the database)."""
    redis = PrivateRedis()
    redis.start()
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "GUNICORN_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="esmart.settings.production",
        DJANGO_SECRET_KEY=SECRET_KEY,
        DATABASE_URL=f"sqlite:///{tmp_path / 'production.sqlite3'}",
        REDIS_URL=redis.url,
        GUNICORN_BIND=f"127.0.0.1:{port}",
        XDG_RUNTIME_DIR=str(tmp_path),  # its own control socket, not ~/.gunicorn's
        **environment,
    )
    for key in ("WEB_CONCURRENCY", "CELERY_BROKER_URL", "FORWARDED_ALLOW_IPS"):
        env.pop(key, None)
        if key in environment:
            env[key] = environment[key]
    if migrate:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True, timeout=300
        )
    log = tmp_path / f"gunicorn-{port}.log"
    with open(log, "w") as output:
        server = subprocess.Popen(
            [str(GUNICORN), "esmart.wsgi:application"], cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, f"gunicorn exited:\n{log.read_text()}"
            try:
                if get(port, "/api/ping", timeout=5).status == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, f"gunicorn did not answer:\n{log.read_text()}"
            time.sleep(0.1)
        yield port
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        redis.stop()
