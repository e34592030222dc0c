"""A client that floods bad Basic passwords from one address while a pair's real side is measured.

Used by the `flood` pair (bench/pairs.py): a legitimate user's warm GET is measured while this
sends `rate` requests/s with fresh usernames and wrong passwords (every one would run the password
hasher, ~0.35 s of CPU, without the limiter of esmart/api/limits.py). It runs in its own process,
open loop (a fixed rate over a few threads, not as fast as answers come back), and reports how
the server answered (401: the hasher ran; 429: refused before it).
"""

from __future__ import annotations

import base64
import http.client
import multiprocessing
import threading
import time
from collections import Counter

HOST = "127.0.0.1"


def _flood(port: int, path: str, rate: float, threads: int, stop, results) -> None:
    counts: Counter = Counter()
    lock = threading.Lock()
    interval = threads / rate

    def loop(offset: int) -> None:
        n = offset
        next_at = time.monotonic() + offset * interval / threads
        while not stop.is_set():
            credentials = base64.b64encode(f"flood-{n}:wrong-password".encode()).decode()
            n += threads
            try:
                connection = http.client.HTTPConnection(HOST, port, timeout=30)
                connection.request("GET", path, headers={"Authorization": f"Basic {credentials}"})
                status = connection.getresponse().status
                connection.close()
            except (OSError, http.client.HTTPException):
                status = "error"
            with lock:
                counts[status] += 1
            next_at += interval
            time.sleep(max(0.0, next_at - time.monotonic()))

    workers = [threading.Thread(target=loop, args=(i,), daemon=True) for i in range(threads)]
    for worker in workers:
        worker.start()
    stop.wait()
    for worker in workers:
        worker.join(timeout=35)
    results.update({str(k): v for k, v in counts.items()})


class Flood:
    """`with Flood(port, path, rate=50):` floods for the duration of the block."""

    def __init__(self, port: int, path: str, *, rate: float, threads: int = 4):
        self.port, self.path, self.rate, self.threads = port, path, rate, threads
        self.counts: dict[str, int] = {}

    def __enter__(self):
        context = multiprocessing.get_context("spawn")
        self._manager = context.Manager()
        self._stop = self._manager.Event()
        self._results = self._manager.dict()
        self._process = context.Process(
            target=_flood, args=(self.port, self.path, self.rate, self.threads, self._stop, self._results), daemon=True
        )
        self._process.start()
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        self._process.join(timeout=40)
        if self._process.is_alive():
            self._process.terminate()
        self.counts = dict(self._results)
        self._manager.shutdown()
        return False
