"""Settings of the customers app, read at call time so tests can override them."""

import os
from pathlib import Path

from django.conf import settings

DEFAULT_CIS_DIRECTORY = Path(settings.BASE_DIR) / "var" / "cis"


def cis_adapter() -> str:
    """`file` (default) or the dotted path of a class taking no arguments."""
    return getattr(settings, "CUSTOMERS_CIS_ADAPTER", None) or "file"


def cis_directory() -> Path:
    """Where the file adapter reads `<customerId>.json` documents (env CUSTOMERS_CIS_DIRECTORY)."""
    configured = getattr(settings, "CUSTOMERS_CIS_DIRECTORY", None) or os.environ.get("CUSTOMERS_CIS_DIRECTORY")
    return Path(configured) if configured else DEFAULT_CIS_DIRECTORY
