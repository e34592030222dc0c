"""Tests: the database and Redis given in the environment (PostgreSQL and Redis in CI)."""

import re

from .base import *  # noqa: F403
from .base import CACHES, REDIS_URL, env

DEBUG = False
# The hasher's real cost is measured by `make bench`; tests only need its behaviour.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Tests clear the cache between cases: give them their own Redis database, never the app's.
if REDIS_URL:
    test_db = env.int("REDIS_TEST_DB", default=15)
    CACHES["default"]["LOCATION"] = re.sub(r"(/\d+)?$", f"/{test_db}", REDIS_URL.rstrip("/"), count=1)
CACHES["default"]["KEY_PREFIX"] = "esmart-test"

# Tasks run in-process unless a test starts a real worker (tests/core/test_worker.py).
CELERY_TASK_ALWAYS_EAGER = True
