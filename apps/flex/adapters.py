"""Device adapters: how a command (the original's `Controls` body) reaches a device.

`FLEX_DEVICE_ADAPTER` picks one: `console` (default: logs what it would send) or `file` (appends
one JSON line per command to `FLEX_DEVICE_DIR/commands.jsonl`, default `var/flex`). A vendor's
adapter is a class with `send(*, device_id, controls) -> str` (the result kept in the log),
named by its dotted path.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class ConsoleDeviceAdapter:
    def send(self, *, device_id: int, controls: dict) -> str:
        # One line per command at INFO (seed_demo sends dozens); the whole payload at DEBUG.
        logger.info("Would send %s control values to device %s", len(controls.get("Plan") or []), device_id)
        logger.debug("Controls for device %s: %s", device_id, json.dumps(controls, sort_keys=True))
        return "logged"


class FileDeviceAdapter:
    def __init__(self, directory: str | None = None):
        self.directory = Path(directory or getattr(settings, "FLEX_DEVICE_DIR", "var/flex"))

    def send(self, *, device_id: int, controls: dict) -> str:
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / "commands.jsonl"
        with path.open("a", encoding="utf-8") as out:
            out.write(json.dumps({"DeviceAssetId": device_id, "Controls": controls}, sort_keys=True) + "\n")
        return f"written to {path.name}"


ADAPTERS = {"console": ConsoleDeviceAdapter, "file": FileDeviceAdapter}


def device_adapter():
    name = getattr(settings, "FLEX_DEVICE_ADAPTER", "console")
    return (ADAPTERS.get(name) or import_string(name))()
