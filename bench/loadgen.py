"""Load generation against 127.0.0.1 only: wrk when it is installed, else a Python fallback.

Both return a `Measurement`. The Python generator (processes × threads of keep-alive
http.client connections) is slower than wrk and shares the CPU with the servers, so its figures
are only comparable within one run; the runner says which generator it used.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass

HOST = "127.0.0.1"


@dataclass
class Measurement:
    requests_per_second: float
    requests: int
    seconds: float
    non_2xx: int = 0
    errors: int = 0
    latency_ms: float | None = None
    foreign_cpu: float | None = None  # share of the machine other processes used meanwhile

    def as_dict(self) -> dict:
        return {key: round(value, 3) if isinstance(value, float) else value for key, value in asdict(self).items()}


def ensure_wrk(*, log=print) -> str | None:
    """The wrk binary, installing it with apt-get when possible (root, Debian/Ubuntu); else None."""
    if os.environ.get("BENCH_LOADGEN") == "python":
        return None
    found = shutil.which("wrk")
    if found or os.geteuid() != 0 or not shutil.which("apt-get"):
        return found
    log("wrk is not installed; trying `apt-get install -y wrk`...")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install, update = ["apt-get", "install", "-y", "-q", "wrk"], ["apt-get", "update", "-q"]
    for commands in ([install], [update, install]):  # without, then with a fresh package index
        for command in commands:
            try:
                subprocess.run(command, env=env, capture_output=True, timeout=90, check=False)
            except subprocess.TimeoutExpired:
                return shutil.which("wrk")
        if shutil.which("wrk"):
            break
    return shutil.which("wrk")


# --- wrk -------------------------------------------------------------------------------------

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _lua_string(value: str | bytes) -> str:
    text = value.decode() if isinstance(value, bytes) else value
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def parse_wrk(output: str, seconds: float) -> Measurement:
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total = re.search(r"(\d+) requests in", output)
    if not rps or not total:
        raise RuntimeError(f"could not read wrk's output:\n{output}")
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    latency = re.search(r"Latency\s+([\d.]+)(us|ms|s|m)\b", output)
    return Measurement(
        requests_per_second=float(rps.group(1)),
        requests=int(total.group(1)),
        seconds=seconds,
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        # gunicorn's sync workers close every connection, so wrk's "read" errors are not failures.
        errors=(int(errors.group(1)) + int(errors.group(3)) + int(errors.group(4))) if errors else 0,
        latency_ms=float(latency.group(1)) * _UNITS_MS[latency.group(2)] if latency else None,
    )


def run_wrk(
    wrk: str,
    *,
    port: int,
    path: str,
    headers: dict[str, str],
    method: str,
    body: bytes | None,
    seconds: float,
    connections: int,
    threads: int,
) -> Measurement:
    command = [wrk, f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "5s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    script = None
    if method != "GET" or body is not None:
        script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)  # noqa: SIM115
        script.write(f"wrk.method = {_lua_string(method)}\n")
        if body is not None:
            script.write(f"wrk.body = {_lua_string(body)}\n")
        script.close()
        command += ["-s", script.name]
    command.append(f"http://{HOST}:{port}{path}")
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30, check=False)
    finally:
        if script is not None:
            os.unlink(script.name)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    return parse_wrk(done.stdout, seconds)


# --- Python fallback -------------------------------------------------------------------------


def _connection_loop(port, path, headers, method, body, deadline, totals, lock):
    done = bad = errors = 0
    busy = 0.0
    connection = http.client.HTTPConnection(HOST, port, timeout=5)
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            if response.will_close:
                connection.close()  # gunicorn's sync workers close after each response
        except (OSError, http.client.HTTPException):
            errors += 1
            connection.close()
            continue
        busy += time.monotonic() - started
        done += 1
        if not 200 <= response.status < 400:
            bad += 1
    connection.close()
    with lock:
        totals[0] += done
        totals[1] += bad
        totals[2] += errors
        totals[3] += busy


def _process(port, path, headers, method, body, seconds, connections):
    totals, lock = [0, 0, 0, 0.0], threading.Lock()
    started = time.monotonic()
    deadline = started + seconds
    workers = [
        threading.Thread(target=_connection_loop, args=(port, path, headers, method, body, deadline, totals, lock))
        for _ in range(connections)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return [*totals, time.monotonic() - started]


def run_python(
    *,
    port: int,
    path: str,
    headers: dict[str, str],
    method: str,
    body: bytes | None,
    seconds: float,
    connections: int,
    threads: int,
) -> Measurement:
    """`threads` processes sharing `connections` keep-alive connections, each in its own thread."""
    processes = max(1, min(threads, connections))
    shares = [connections // processes + (1 if i < connections % processes else 0) for i in range(processes)]
    with ProcessPoolExecutor(max_workers=processes) as pool:
        futures = [pool.submit(_process, port, path, headers, method, body, seconds, n) for n in shares]
        results = [future.result(timeout=seconds + 30) for future in futures]
    done = sum(r[0] for r in results)
    return Measurement(
        # each process's own rate over the time it actually ran, summed
        requests_per_second=sum(r[0] / r[4] for r in results if r[4]),
        requests=done,
        seconds=max(r[4] for r in results),
        non_2xx=sum(r[1] for r in results),
        errors=sum(r[2] for r in results),
        latency_ms=1000 * sum(r[3] for r in results) / done if done else None,
    )
