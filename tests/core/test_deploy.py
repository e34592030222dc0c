"""The production settings pass Django's deployment checks."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_check_deploy_is_clean_with_production_settings():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "esmart.settings.production",
        "DJANGO_SECRET_KEY": "a-production-like-secret-key-that-is-long-and-random-0123456789-abcdefghij",
        "REDIS_URL": "redis://127.0.0.1:1/0",  # required; the checks do not connect
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
