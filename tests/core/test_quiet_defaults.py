"""With no configuration (no DATABASE_URL, no REDIS_URL: SQLite, local cache, eager tasks) a
newcomer's commands print no warning that is not theirs to act on."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Queues a task the way app code does (esmart.celery.publish): eagerly, without a broker.
QUEUE_A_TASK = """
from celery.signals import task_postrun
from esmart.celery import publish
from esmart.core.tasks import record_worker_heartbeat
ran = []
task_postrun.connect(lambda sender=None, **kwargs: ran.append(sender.name), weak=False)
print("queued" if publish(record_worker_heartbeat) else "not queued")
print("ran " + " ".join(ran))
"""


def run_unconfigured(*args: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        # Only the SQLite file moves to a temporary folder; nothing else is configured.
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_queuing_a_task_without_a_broker_prints_no_warning(tmp_path):
    result = run_unconfigured("shell", "-c", QUEUE_A_TASK, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-2:] == ["queued", "ran esmart.core.tasks.record_worker_heartbeat"]
    output = result.stdout + result.stderr
    warnings = [line for line in output.splitlines() if "WARNING" in line or "Warning" in line]
    assert warnings == []
