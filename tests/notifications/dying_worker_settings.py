"""Settings of the worker subprocess that test_worker.py kills: the test settings, tasks through the
broker, the dying provider, small chunks and batches (the database and broker come from the env)."""

from esmart.settings.test import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = False
NOTIFICATIONS_PUSH_PROVIDER = "tests.notifications.providers.DyingProvider"
NOTIFICATIONS_PUSH_CHUNK_SIZE = 200
NOTIFICATIONS_PUSH_SEND_BATCH = 50
# The key prefix tests/celery_worker.py gives this test process's brokers (pytest -n).
CELERY_BROKER_TRANSPORT_OPTIONS = {**CELERY_BROKER_TRANSPORT_OPTIONS, "global_keyprefix": f"test-{TEST_WORKER}:"}  # noqa: F405
