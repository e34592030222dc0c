"""Tests: the same database and cache as configured (PostgreSQL and Redis in CI), fast hashing."""

from .base import *  # noqa: F403
from .base import CACHES

DEBUG = False
# The hasher's real cost is measured by `make bench`; tests only need its behaviour.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES["default"]["KEY_PREFIX"] = "esmart-test"
