"""Logging an outage once: the failure that starts it (with its traceback), nothing while it lasts,
one line when it ends.

A subsystem that is down fails every call that needs it; logging each failure with its traceback
buries the log (a public health check polled every few seconds writes one per poll). The state is
per process and per subsystem address: another broker or database is another outage.
"""

from __future__ import annotations

import logging
import threading


class OutageLog:
    def __init__(self, logger: logging.Logger, what: str):
        self.logger = logger
        self.what = what
        self.down = False
        self._lock = threading.Lock()

    def failed(self, exc: BaseException) -> bool:
        """Records a failure; True (and logged, with the traceback) when it starts an outage."""
        with self._lock:
            started, self.down = not self.down, True
        if started:
            self.logger.error(
                "%s is unreachable (%s); logged again when it answers", self.what, type(exc).__name__, exc_info=exc
            )
        return started

    def answered(self) -> bool:
        """Records a success; True (and logged) when it ends an outage."""
        if not self.down:  # the common case: no lock
            return False
        with self._lock:
            ended, self.down = self.down, False
        if ended:
            self.logger.warning("%s answers again", self.what)
        return ended


_logs: dict[tuple[str, str, str], OutageLog] = {}
_logs_lock = threading.Lock()


def outage_log(logger: logging.Logger, what: str, address: str = "") -> OutageLog:
    """The process's OutageLog of `what` at `address` (e.g. a broker URL without its password)."""
    key = (logger.name, what, address)
    with _logs_lock:
        log = _logs.get(key)
        if log is None:
            log = _logs[key] = OutageLog(logger, what)
        return log
