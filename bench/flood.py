"""A client that floods bad Basic passwords from one address while a pair's real side is measured.

Used by the `flood` pair (bench/pairs.py): a legitimate user's warm GET is measured while this
floods from the same address (127.0.0.1) over `connections` keep-alive connections, each sending
its next request as soon as the answer to the previous one is in (closed loop: the flood is as
fast as the server lets it be). Every request has a fresh username and a wrong password, so each
would run the password hasher (~0.35 s of CPU) without the limiter of esmart/api/limits.py. It
runs in its own process and reports how the server answered (401: the hasher ran; 429: refused
before it) and how many connections the server closed.
"""

from __future__ import annotations

import base64
import http.client
import multiprocessing
import threading
from collections import Counter

HOST = "127.0.0.1"


def _flood(port: int, path: str, connections: int, stop, results) -> None:
    counts: Counter = Counter()
    lock = threading.Lock()

    def loop(offset: int) -> None:
        own: Counter = Counter()
        n = offset
        connection = None
        while not stop.is_set():
            credentials = base64.b64encode(f"flood-{n}:wrong-password".encode()).decode()
            n += connections
            try:
                if connection is None:
                    connection = http.client.HTTPConnection(HOST, port, timeout=30)
                connection.request("GET", path, headers={"Authorization": f"Basic {credentials}"})
                response = connection.getresponse()
                response.read()
                own[response.status] += 1
                if response.will_close:
                    own["closed by server"] += 1
                    connection.close()
                    connection = None
            except (OSError, http.client.HTTPException):
                own["error"] += 1
                if connection is not None:
                    connection.close()
                connection = None
        if connection is not None:
            connection.close()
        with lock:
            counts.update(own)

    workers = [threading.Thread(target=loop, args=(i,), daemon=True) for i in range(connections)]
    for worker in workers:
        worker.start()
    stop.wait()
    for worker in workers:
        worker.join(timeout=35)
    results.update({str(k): v for k, v in counts.items()})


class Flood:
    """`with Flood(port, path, connections=32):` floods for the duration of the block."""

    def __init__(self, port: int, path: str, *, connections: int):
        self.port, self.path, self.connections = port, path, connections
        self.counts: dict[str, int] = {}

    def __enter__(self):
        context = multiprocessing.get_context("spawn")
        self._manager = context.Manager()
        self._stop = self._manager.Event()
        self._results = self._manager.dict()
        self._process = context.Process(
            target=_flood, args=(self.port, self.path, self.connections, self._stop, self._results), daemon=True
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
