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
    latency_ms: float | None = None  # mean
    p50_ms: float | None = None  # latency percentiles (wrk's latency distribution, or the Python generator's)
    p95_ms: float | None = None
    p99_ms: float | None = None
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


# wrk's summary prints 50/75/90/99 %; this done() hook prints the percentiles the bench reports.
PERCENTILES = (50, 95, 99)
_LATENCY_HOOK = """
done = function(summary, latency, requests)
  for _, p in ipairs({PERCENTILES}) do
    io.write(string.format("percentile %d %d\\n", p, latency:percentile(p)))
  end
end
""".replace("PERCENTILES", ", ".join(str(p) for p in PERCENTILES))


def percentiles_ms(latencies: list[float]) -> dict[int, float]:
    """The PERCENTILES of latencies in seconds, in milliseconds (nearest rank)."""
    if not latencies:
        return {}
    ordered = sorted(latencies)
    return {p: 1000 * ordered[min(len(ordered) - 1, max(0, -(-p * len(ordered) // 100) - 1))] for p in PERCENTILES}


def parse_wrk(output: str, seconds: float) -> Measurement:
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total = re.search(r"(\d+) requests in", output)
    if not rps or not total:
        raise RuntimeError(f"could not read wrk's output:\n{output}")
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    latency = re.search(r"Latency\s+([\d.]+)(us|ms|s|m)\b", output)
    spread = {int(p): int(us) / 1000 for p, us in re.findall(r"^percentile (\d+) (\d+)$", output, re.MULTILINE)}
    return Measurement(
        requests_per_second=float(rps.group(1)),
        requests=int(total.group(1)),
        seconds=seconds,
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        # gunicorn's sync workers close every connection, so wrk's "read" errors are not failures.
        errors=(int(errors.group(1)) + int(errors.group(3)) + int(errors.group(4))) if errors else 0,
        latency_ms=float(latency.group(1)) * _UNITS_MS[latency.group(2)] if latency else None,
        p50_ms=spread.get(50),
        p95_ms=spread.get(95),
        p99_ms=spread.get(99),
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
    script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)  # noqa: SIM115
    script.write(f"wrk.method = {_lua_string(method)}\n")
    if body is not None:
        script.write(f"wrk.body = {_lua_string(body)}\n")
    script.write(_LATENCY_HOOK)
    script.close()
    command += ["-s", script.name, f"http://{HOST}:{port}{path}"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30, check=False)
    finally:
        os.unlink(script.name)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    return parse_wrk(done.stdout, seconds)


# --- Python fallback -------------------------------------------------------------------------


def _connection_loop(port, path, headers, method, body, deadline, totals, lock):
    done = bad = errors = 0
    latencies = []
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
        latencies.append(time.monotonic() - started)
        done += 1
        if not 200 <= response.status < 400:
            bad += 1
    connection.close()
    with lock:
        totals[0] += done
        totals[1] += bad
        totals[2] += errors
        totals[3].extend(latencies)


def _process(port, path, headers, method, body, seconds, connections):
    totals, lock = [0, 0, 0, []], threading.Lock()
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
    latencies = [latency for r in results for latency in r[3]]
    spread = percentiles_ms(latencies)
    return Measurement(
        # each process's own rate over the time it actually ran, summed
        requests_per_second=sum(r[0] / r[4] for r in results if r[4]),
        requests=done,
        seconds=max(r[4] for r in results),
        non_2xx=sum(r[1] for r in results),
        errors=sum(r[2] for r in results),
        latency_ms=1000 * sum(latencies) / done if done else None,
        p50_ms=spread.get(50),
        p95_ms=spread.get(95),
        p99_ms=spread.get(99),
    )
