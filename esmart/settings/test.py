"""Tests: the database and Redis given in the environment (PostgreSQL and Redis in CI)."""

import os
import re

from .base import *  # noqa: F403
from .base import CACHES, DATABASES, REDIS_URL, env

DEBUG = False
# The hasher's real cost is measured by `make bench`; tests only need its behaviour.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Tests clear the cache between cases: give them their own Redis database, never the app's, and one
# per parallel test process (`pytest -n 2`: PYTEST_XDIST_WORKER is gw0, gw1...). The broker databases
# 7–13 of tests/celery_worker.py are left out.
PARALLEL_TEST_DBS = [15, 14, 6, 5, 4, 3, 2, 1]
TEST_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0")[2:])
if REDIS_URL:
    test_db = env.int("REDIS_TEST_DB", default=PARALLEL_TEST_DBS[TEST_WORKER % len(PARALLEL_TEST_DBS)])
    CACHES["default"]["LOCATION"] = re.sub(r"(/\d+)?$", f"/{test_db}", REDIS_URL.rstrip("/"), count=1)
CACHES["default"]["KEY_PREFIX"] = "esmart-test"

# Tasks run in-process unless a test starts a real worker (tests/core/test_worker.py).
CELERY_TASK_ALWAYS_EAGER = True

# With DATABASE_REPLICA_URL set, the replica is the primary's test database (Django's test mirror):
# ordinary tests need no replica, and the router reads a mirror through the primary's connection
# (esmart/replica.py). tests/core/test_replica.py runs a real one.
if "replica" in DATABASES:
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
