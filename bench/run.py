"""`make bench`: the API against bare-Django baselines (and the app's bulk load against raw COPY), in one run.

Needs PostgreSQL and Redis (DATABASE_URL, REDIS_URL; defaults below). The runner creates the
database if it is missing, migrates and seeds it, starts two gunicorn servers on 127.0.0.1 (the
real app with its production code path, and the bare baseline of bench/bare_wsgi.py), checks that
each pair answers alike (same bytes, or the same JSON), then measures baseline and real endpoint
alternately and reports medians and ratios (DESIGN.md §9). Then it runs the in-process figures
(bench/inprocess.py) in a child process. What is measured is listed in bench/pairs.py.

Results: a table on stdout (requests/s, ratio, and p50/p95/p99 latency of each side from wrk's
latency distribution) and bench/results/latest.json, kept as bench/results/bench-<time>.json too;
server logs in bench/results/*.log.

Knobs (environment): BENCH_SECONDS (6), BENCH_WARMUP (2), BENCH_CONNECTIONS (8; a pair may set
fewer), BENCH_THREADS (2), BENCH_ROUNDS (2), BENCH_WORKERS (gunicorn workers per server, 2; each
with GUNICORN_THREADS threads, gunicorn.conf.py), BENCH_FLOOD_CONNECTIONS (32), BENCH_CUSTOMERS
(bench customers to seed, 200), BENCH_ASSETS (descendants of the bench substation, 10000),
BENCH_LOAD_ROWS (rows of the bulk-load figure, 1000000), BENCH_PAIRS (comma-separated names to
run), BENCH_LOADGEN=python (skip wrk), BENCH_STRICT=1 (exit 1 when a goal is missed),
BENCH_RESET_DB=1 (drop and recreate the bench database first).
"""

from __future__ import annotations

import base64
import datetime as dt
import http.client
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import environ  # noqa: E402
import orjson  # noqa: E402
import psycopg  # noqa: E402
import redis  # noqa: E402
from psycopg import sql  # noqa: E402

from bench import inprocess, interference, loadgen  # noqa: E402
from bench.flood import Flood  # noqa: E402
from bench.pairs import PAIRS, TIMED, Pair, Timed  # noqa: E402

RESULTS = ROOT / "bench" / "results"
DEFAULT_DATABASE_NAME = "esmart_bench"  # disposable: recreated when its migration history breaks
DEFAULT_DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DEFAULT_DATABASE_NAME}"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/1"
HOST = loadgen.HOST  # the servers bind to loopback only, and the load only ever goes there
WATCHDOG_SECONDS = 480  # a hard stop, whatever hangs
DISTURBED = 0.1  # a measurement during which other processes used more of the CPUs than this is flagged

START_HINT = (
    "start them with:\n"
    "  pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\n"
    '  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no'
)


class BenchError(Exception):
    pass


class PairError(BenchError):
    """One pair cannot be measured (wrong status, error); the others still are."""


def log(message: str = "") -> None:
    print(message, flush=True)


def setting(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


# --- services and data -----------------------------------------------------------------------


def _server_connection(url: str):
    """An autocommit connection to the `postgres` database of the server in `url`, and the database name."""
    config = environ.Env.db_url_config(url)
    if "postgresql" not in config["ENGINE"]:
        raise BenchError(f"DATABASE_URL must point at PostgreSQL, not {config['ENGINE']}")
    params = {
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
    }
    try:
        connection = psycopg.connect(dbname="postgres", autocommit=True, connect_timeout=5, **params)
    except psycopg.OperationalError as exc:
        raise BenchError(f"PostgreSQL is not reachable ({exc}).\nIt is required; {START_HINT}") from exc
    return connection, config["NAME"]


def ensure_database(url: str, *, recreate: bool = False) -> str:
    """Creates the database of `url` when it is missing (drops it first if `recreate`); returns the version."""
    connection, name = _server_connection(url)
    with connection:
        version = connection.execute("SHOW server_version").fetchone()[0]
        if recreate:
            log(f"dropping database {name}")
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            log(f"creating database {name}")
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return version


def migrate(env: dict[str, str], database_url: str) -> None:
    """Migrates the bench database; when its history no longer matches the migrations (they were
    rewritten during development), the default bench database is recreated, others only on request."""
    try:
        manage(env, "migrate", "--noinput")
    except BenchError as exc:
        name = environ.Env.db_url_config(database_url)["NAME"]
        if name != DEFAULT_DATABASE_NAME and os.environ.get("BENCH_RESET_DB") != "1":
            raise BenchError(f"{exc}\nSet BENCH_RESET_DB=1 to drop and recreate the database {name}.") from exc
        log(f"migrate failed on the existing {name} ({str(exc).strip().splitlines()[-1][:120]}); recreating it")
        ensure_database(database_url, recreate=True)
        manage(env, "migrate", "--noinput")


def ensure_redis(url: str) -> None:
    try:
        redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3).ping()
    except redis.RedisError as exc:
        raise BenchError(f"Redis is not reachable at {url} ({exc}).\nIt is required; {START_HINT}") from exc


def app_environment(database_url: str, redis_url: str) -> dict[str, str]:
    """The caller's environment, pointed at the bench services, with the default (real) settings."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "DJANGO_SETTINGS_MODULE": "esmart.settings.local",
        "DJANGO_DEBUG": "false",
        "PYTHONUNBUFFERED": "1",
    }


def manage(env: dict[str, str], *args: str, timeout: int = 180) -> None:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if done.returncode != 0:
        raise BenchError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")


# --- servers ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def request(port: int, path: str, *, method: str = "GET", headers=None, body=None, timeout: float = 10):
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


class Server:
    """A gunicorn server on 127.0.0.1 in its own process group, stopped with the whole group."""

    def __init__(self, name: str, app: str, env: dict[str, str], *, workers: int, ready_path: str):
        self.name, self.app, self.env, self.workers, self.ready_path = name, app, env, workers, ready_path
        self.port = free_port()
        self.log_path = RESULTS / f"gunicorn-{name}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = [
            sys.executable, "-m", "gunicorn", self.app,
            "--bind", f"{HOST}:{self.port}",
            "--workers", str(self.workers),  # gthread workers and their threads: gunicorn.conf.py
            "--chdir", str(ROOT),
            "--timeout", "30",
            "--no-control-socket",  # two arbiters would otherwise share ~/.gunicorn/gunicorn.ctl
            "--error-logfile", "-",
        ]  # fmt: skip
        with open(self.log_path, "w") as output:  # no --access-logfile: access logging stays off
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
            )

    def wait_ready(self, timeout: float = 45) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"gunicorn ({self.name}) exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                status, _ = request(self.port, self.ready_path, timeout=5)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise BenchError(f"gunicorn ({self.name}) did not answer {self.ready_path} in {timeout} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text().splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)
        except ProcessLookupError:
            pass


# --- measuring -------------------------------------------------------------------------------


def request_headers(pair: Pair) -> dict[str, str]:
    headers = dict(pair.headers)
    if pair.auth:
        token = base64.b64encode(f"{pair.auth[0]}:{pair.auth[1]}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    if pair.body is not None:
        headers.setdefault("Content-Type", "application/json")
    return headers


def _missing(value) -> bool:
    return isinstance(value, dict) and value.get("Status") == 4000 and value.get("Value") is None


def json_difference(real: bytes, bare: bytes, *, except_missing: bool = False) -> tuple[str | None, int]:
    """Where two JSON bodies differ once parsed (None when equal), and how many missing buckets
    (Status 4000, Value null) of the real body's "Values" were set aside when `except_missing`."""
    try:
        a, b = orjson.loads(real), orjson.loads(bare)
    except orjson.JSONDecodeError as exc:
        return f"not JSON: {exc}", 0
    dropped = 0
    if except_missing and isinstance(a, dict) and isinstance(a.get("Values"), list):
        kept = [value for value in a["Values"] if not _missing(value)]
        dropped, a["Values"] = len(a["Values"]) - len(kept), kept
    path = "$"
    while a != b:
        if isinstance(a, dict) and isinstance(b, dict):
            if a.keys() != b.keys():
                return f"{path}: keys {sorted(a)} vs {sorted(b)}", dropped
            key = next(k for k in a if a[k] != b[k])
            path, a, b = f"{path}.{key}", a[key], b[key]
        elif isinstance(a, list) and isinstance(b, list):
            if len(a) != len(b):
                return f"{path}: {len(a)} items vs {len(b)}", dropped
            i = next(i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y)
            path, a, b = f"{path}[{i}]", a[i], b[i]
        else:
            return f"{path}: {a!r} vs {b!r}", dropped
    return None, dropped


def check_pair(pair: Pair, real: Server, bare: Server | None, warnings: list[str]) -> str | None:
    """Both sides answer 2xx, alike (pair.compare); the first real request also warms the caches.

    Returns what the check found, for latest.json."""
    headers = request_headers(pair)
    baseline = (real if pair.baseline_on == "real" else bare) if pair.bare_path is not None else None
    try:
        status, body = request(
            real.port, pair.real_path, method=pair.method, headers=headers, body=pair.body, timeout=30
        )
        if baseline is not None:
            bare_method, bare_body_sent = (pair.method, pair.body) if pair.baseline_on == "bare" else ("GET", None)
            bare_status, bare_body = request(
                baseline.port, pair.bare_path, method=bare_method, headers=headers, body=bare_body_sent, timeout=30
            )
    except (OSError, http.client.HTTPException) as exc:
        raise PairError(f"{pair.name}: no answer ({type(exc).__name__}: {exc})") from exc
    if not 200 <= status < 300:
        raise PairError(f"{pair.name}: the real app answered {pair.real_path} with {status}: {body[:300]!r}")
    if baseline is None:
        return None
    if not 200 <= bare_status < 300:
        raise PairError(f"{pair.name}: the baseline answered {pair.bare_path} with {bare_status}: {bare_body[:300]!r}")
    if pair.compare is None:
        found = f"real {len(body)} bytes, baseline {pair.bare_path} {len(bare_body)} bytes (not compared)"
        log(f"  {pair.name}: {found}")
        return found
    if bare_status != status:
        raise PairError(f"{pair.name}: the baseline answered {bare_status}, the real app {status}: {bare_body[:300]!r}")
    if pair.compare in ("json", "json-except-missing"):
        difference, dropped = json_difference(body, bare_body, except_missing=pair.compare == "json-except-missing")
        if difference is not None:
            warnings.append(f"{pair.name}: the baseline's JSON differs from the real app's at {difference[:300]}")
            log(f"WARNING: {warnings[-1]}")
            return f"JSON differs at {difference[:300]}"
        parsed = orjson.loads(body)
        count = len(parsed["Values"]) if isinstance(parsed, dict) and "Values" in parsed else None
        values = f"{count} values, " if count is not None else ""
        found = f"equal JSON ({values}{len(body)} and {len(bare_body)} bytes)"
        if dropped:
            found += (
                f", except {dropped} missing bucket(s) of the real series (Status 4000, Value null: hours "
                "without data), which the baseline leaves out"
            )
        log(f"  {pair.name}: real and baseline bodies are {found}")
        return found
    if bare_body != body:
        at = next(
            (i for i, (a, b) in enumerate(zip(body, bare_body, strict=False)) if a != b), min(len(body), len(bare_body))
        )
        warnings.append(
            f"{pair.name}: the baseline's body differs from the real app's (first difference at byte {at}):\n"
            f"  real: {body[max(0, at - 40) : at + 80]!r}\n  bare: {bare_body[max(0, at - 40) : at + 80]!r}"
        )
        log(f"WARNING: {warnings[-1]}")
        return f"bytes differ at {at}"
    log(f"  {pair.name}: real and baseline bodies are identical ({len(body)} bytes)")
    return f"identical bytes ({len(body)})"


def measure(
    pair: Pair, server: Server, path: str, *, wrk: str | None, knobs: dict, own_groups: set[int], baseline: bool
) -> loadgen.Measurement:
    other_endpoint = baseline and pair.baseline_on == "real"  # e.g. the app's ping: a plain GET
    connections = min(pair.connections or knobs["connections"], knobs["connections"])
    spec = {
        "port": server.port,
        "path": path,
        "headers": request_headers(pair),
        "method": "GET" if other_endpoint else pair.method,
        "body": None if other_endpoint else pair.body,
        "connections": connections,
        "threads": min(knobs["threads"], connections),
    }
    if wrk:
        run = lambda seconds: loadgen.run_wrk(wrk, seconds=seconds, **spec)  # noqa: E731
    else:
        run = lambda seconds: loadgen.run_python(seconds=seconds, **spec)  # noqa: E731
    flood = None
    if pair.flood_connections and not baseline:  # the flood runs through warm-up and measurement
        flood = Flood(server.port, pair.real_path.split("?", 1)[0], connections=pair.flood_connections).__enter__()
    try:
        if knobs["warmup"]:
            run(knobs["warmup"])
        before, started = interference.snapshot(), time.monotonic()
        result = run(knobs["seconds"])
        after, elapsed = interference.snapshot(), time.monotonic() - started
    finally:
        if flood is not None:
            flood.__exit__(None, None, None)
            FLOOD_COUNTS.setdefault(pair.name, []).append(flood.counts)
    # The flood's own process is "ours" only as load; its CPU is not interference.
    result.foreign_cpu = interference.foreign_share(before, after, seconds=elapsed, own_groups=own_groups)
    return result


FLOOD_COUNTS: dict[str, list[dict]] = {}  # per pair, per round: how the server answered the flood


UNIT_LABELS = {"requests": "req/s"}


def _verdict(goal: float | None, ratio: float | None) -> bool | None:
    return (ratio >= goal) if (goal is not None and ratio is not None) else None


def latency_summary(runs: list) -> dict | None:
    """The median over the rounds of each latency percentile (ms), e.g. {"p50": 41.2, "p95": 60.3, "p99": 75.0}."""
    summary = {}
    for name in ("p50", "p95", "p99"):
        values = [getattr(m, f"{name}_ms") for m in runs if getattr(m, f"{name}_ms") is not None]
        if values:
            summary[name] = round(statistics.median(values), 2)
    return summary or None


def latency_text(latency: dict | None) -> str:
    if not latency:
        return "-"
    return "/".join(f"{latency[name]:.0f}" if latency[name] >= 10 else f"{latency[name]:.1f}" for name in latency)


def summarise(pair: Pair, real_runs: list, bare_runs: list, error: str | None = None, check: str | None = None) -> dict:
    """An HTTP figure: median requests/s of each side and their ratio."""
    entry = {
        "name": pair.name,
        "kind": "http",
        "description": pair.description,
        "unit": "requests",
        "method": pair.method,
        "real_path": pair.real_path,
        "baseline_on": pair.baseline_on if pair.bare_path else None,
        "bare_path": pair.bare_path,
        "connections": pair.connections,
        "check": check,
        "goal": pair.goal,
    }
    if error is not None:
        empty = {"per_second": None, "baseline_per_second": None, "ratio": None, "goal_met": None}
        return {**entry, "error": error, **empty}
    real_rps = statistics.median(m.requests_per_second for m in real_runs)
    bare_rps = statistics.median(m.requests_per_second for m in bare_runs) if bare_runs else None
    ratio = real_rps / bare_rps if bare_rps else None
    if pair.goal_on == "p95":  # baseline p95 / real p95: >= goal means the real p95 is within 1/goal
        real_p95 = (latency_summary(real_runs) or {}).get("p95")
        bare_p95 = (latency_summary(bare_runs) or {}).get("p95")
        ratio = bare_p95 / real_p95 if real_p95 and bare_p95 else None
        entry["goal_on"] = "p95 latency: baseline p95 / real p95"
    if pair.flood_connections:
        entry["flood"] = {"connections": pair.flood_connections, "answers_per_round": FLOOD_COUNTS.get(pair.name, [])}
    return {
        **entry,
        "per_second": round(real_rps, 1),
        "baseline_per_second": round(bare_rps, 1) if bare_rps else None,
        "latency_ms": latency_summary(real_runs),
        "baseline_latency_ms": latency_summary(bare_runs),
        "ratio": round(ratio, 3) if ratio is not None else None,
        "goal_met": _verdict(pair.goal, ratio),
        # each round's real/bare, measured back to back: a check on the ratio of the medians
        "round_ratios": [
            round(r.requests_per_second / b.requests_per_second, 3)
            for r, b in zip(real_runs, bare_runs, strict=False)
            if b.requests_per_second
        ],
        "rounds": {"real": [m.as_dict() for m in real_runs], "baseline": [m.as_dict() for m in bare_runs]},
    }


def summarise_timed(timed: Timed, runs: dict | None, error: str | None = None) -> dict:
    """An in-process figure: median seconds and items/s of each side, their ratio (throughput) and time ratio."""
    entry = {
        "name": timed.name,
        "kind": "in-process",
        "description": timed.description,
        "unit": timed.unit,
        "size": timed.size,
        "real_code": timed.real,
        "baseline_code": timed.baseline,
        "goal": timed.goal,
    }
    if error is not None or not runs or not runs["real"] or not runs["baseline"]:
        return {
            **entry,
            "error": error or "no runs",
            "per_second": None,
            "baseline_per_second": None,
            "ratio": None,
            "goal_met": None,
        }
    seconds = statistics.median(r["seconds"] for r in runs["real"])
    baseline_seconds = statistics.median(r["seconds"] for r in runs["baseline"])
    rate = statistics.median(r["per_second"] for r in runs["real"])
    baseline_rate = statistics.median(r["per_second"] for r in runs["baseline"])
    ratio = rate / baseline_rate if baseline_rate else None
    return {
        **entry,
        "per_second": round(rate, 1),
        "baseline_per_second": round(baseline_rate, 1),
        "ratio": round(ratio, 3) if ratio is not None else None,
        "goal_met": _verdict(timed.goal, ratio),
        "seconds": round(seconds, 3),
        "baseline_seconds": round(baseline_seconds, 3),
        "time_ratio": round(seconds / baseline_seconds, 3) if baseline_seconds else None,  # real/baseline time
        "round_ratios": [
            round(r["per_second"] / b["per_second"], 3)
            for r, b in zip(runs["real"], runs["baseline"], strict=False)
            if b["per_second"]
        ],
        "rounds": runs,
    }


def _short(path: str | None) -> str:
    return path if not path or "?" not in path else path.split("?", 1)[0] + "?…"


def label(result: dict, width: int = 0) -> str:
    name = result["name"].ljust(width)
    if result["kind"] == "in-process":
        return f"{name}  {result['real_code']}, {result['size']:,} {result['unit']}"
    text = f"{name}  {result['method']:<4} {_short(result['real_path'])}"
    if result.get("baseline_on") == "real":
        text += f"  (vs GET {_short(result['bare_path'])})"
    return text


def table(results: list[dict]) -> str:
    header = ("figure", "real", "baseline", "ratio", "goal", "real p50/p95/p99 ms", "baseline p50/p95/p99 ms", "")
    rows = [header]
    name_width = max((len(r["name"]) for r in results), default=0)
    for r in results:
        verdict = "ERROR (not measured)" if r.get("error") else {True: "met", False: "MISSED", None: ""}[r["goal_met"]]
        unit = UNIT_LABELS.get(r["unit"], f"{r['unit']}/s")
        digits = 1 if r["kind"] == "http" else 0
        rows.append(
            (
                label(r, name_width),
                f"{r['per_second']:,.{digits}f} {unit}" if r["per_second"] is not None else "-",
                f"{r['baseline_per_second']:,.{digits}f} {unit}" if r["baseline_per_second"] else "-",
                f"{r['ratio']:.2f}" if r["ratio"] is not None else "-",
                f">= {r['goal']:.2f}" if r["goal"] is not None else "—",
                latency_text(r.get("latency_ms")),
                latency_text(r.get("baseline_latency_ms")),
                verdict,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = []
    for n, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])] + [
            cell.rjust(width) for cell, width in zip(row[1:7], widths[1:7], strict=True)
        ]
        lines.append("  ".join([*cells, row[7]]).rstrip())
        if n == 0:
            lines.append("-" * len(lines[0]))
    for r in results:  # the in-process figures in seconds as well
        if r["kind"] == "in-process" and not r.get("error"):
            goal = f" (goal <= {1 / r['goal']:.2f}x)" if r["goal"] else ""
            lines.append(
                f"  {r['name']}: {r['real_code']} {r['seconds']:.2f} s, {r['baseline_code']} "
                f"{r['baseline_seconds']:.2f} s (medians of {len(r['rounds']['real'])}); "
                f"time app/raw {r['time_ratio']:.2f}x{goal}"
            )
    return "\n".join(lines)


def cpu_busy(seconds: float = 1.0) -> float | None:
    """The share of all CPUs busy over `seconds` (from /proc/stat), to flag a machine that is not idle."""

    def sample():
        with open("/proc/stat") as stat:
            values = [int(v) for v in stat.readline().split()[1:]]
        idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
        return sum(values), idle

    try:
        total0, idle0 = sample()
        time.sleep(seconds)
        total1, idle1 = sample()
    except OSError:
        return None
    return 1 - (idle1 - idle0) / max(1, total1 - total0)


def git_commit() -> str | None:
    try:
        done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    except OSError:
        return None
    return done.stdout.strip() or None


# --- main ------------------------------------------------------------------------------------


def _interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def _watchdog(signum, frame):
    raise TimeoutError(f"the bench ran for more than {WATCHDOG_SECONDS} s; stopping")


def main() -> int:
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGALRM, _watchdog)
    signal.alarm(WATCHDOG_SECONDS)
    started = time.monotonic()
    RESULTS.mkdir(parents=True, exist_ok=True)

    knobs = {
        "seconds": setting("BENCH_SECONDS", 6),
        "warmup": setting("BENCH_WARMUP", 2),
        "connections": setting("BENCH_CONNECTIONS", 8),
        "threads": setting("BENCH_THREADS", 2),
        "rounds": setting("BENCH_ROUNDS", 2),
        "workers": setting("BENCH_WORKERS", 2),
    }
    selected = {name.strip() for name in os.environ.get("BENCH_PAIRS", "").split(",") if name.strip()}
    pairs = [pair for pair in PAIRS if not selected or pair.name in selected]
    timed = [figure for figure in TIMED if not selected or figure.name in selected]
    if not pairs and not timed:
        names = [figure.name for figure in [*PAIRS, *TIMED]]
        raise BenchError(f"BENCH_PAIRS={os.environ['BENCH_PAIRS']} names none of {names}")
    database_url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    redis_url = os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL

    log(f"database {environ.Env.db_url_config(database_url)['NAME']}, redis {redis_url}")
    postgres_version = ensure_database(database_url, recreate=os.environ.get("BENCH_RESET_DB") == "1")
    ensure_redis(redis_url)
    env = app_environment(database_url, redis_url)
    customers = setting("BENCH_CUSTOMERS", 200)
    log(f"migrating and seeding (seed_demo --customers {customers})...")
    migrate(env, database_url)
    manage(env, "seed_demo", "--customers", str(customers), "--assets", str(setting("BENCH_ASSETS", 10_000)))
    # the bare side's json_agg reads a table of one row per reading (bench/baseline_rows.py)
    done = subprocess.run([sys.executable, "-m", "bench.baseline_rows"], cwd=ROOT, env=env, timeout=600, check=False)
    if done.returncode != 0:
        raise BenchError("python -m bench.baseline_rows failed (its error is above)")
    log(f"  done in {time.monotonic() - started:.1f} s")

    wrk = loadgen.ensure_wrk(log=log)
    generator = f"wrk ({wrk})" if wrk else "python (http.client threads; wrk not available)"
    log(f"load generator: {generator}")

    bare_env = {k: v for k, v in env.items() if k != "DJANGO_SETTINGS_MODULE"}
    real = Server("real", "esmart.wsgi:application", env, workers=knobs["workers"], ready_path="/api/ping")
    bare = Server("bare", "bench.bare_wsgi:application", bare_env, workers=knobs["workers"], ready_path="/bare/ready")
    warnings: list[str] = []
    busy_before = None
    disturbed = 0
    failed: dict[str, str] = {}
    runs: dict[str, dict[str, list]] = {pair.name: {"real": [], "bare": []} for pair in pairs}
    timed_runs: dict[str, dict] = {}
    checks: dict[str, str | None] = {}
    try:
        if pairs:
            real.start()
            bare.start()
            real.wait_ready()
            bare.wait_ready()
            log(
                f"servers: real on {HOST}:{real.port}, baseline on {HOST}:{bare.port}, "
                f"{knobs['workers']} gthread workers each (gunicorn.conf.py)"
            )
            for pair in pairs:
                try:
                    checks[pair.name] = check_pair(pair, real, bare, warnings)
                except PairError as exc:
                    failed[pair.name] = str(exc)
                    log(f"ERROR: {exc}\n  (this pair is not measured; the real app's log: {real.log_path})")
        busy_before = cpu_busy()
        if busy_before is not None and busy_before > 0.25:
            warnings.append(
                f"the machine was {busy_before:.0%} busy before the load started (other processes): "
                "figures will be noisy and lower than on an idle machine"
            )
            log(f"WARNING: {warnings[-1]}")

        if pairs:
            own_groups = {os.getpgid(0), real.process.pid, bare.process.pid}  # runner + load generator, servers
            log(
                f"measuring: {knobs['rounds']} rounds, each {knobs['warmup']} s warm-up + {knobs['seconds']} s "
                f"at {knobs['connections']} connections (or the pair's fewer), {knobs['threads']} threads"
            )
        for round_no in range(1, knobs["rounds"] + 1):
            for pair in [pair for pair in pairs if pair.name not in failed]:
                baseline = real if pair.baseline_on == "real" else bare
                sides = [("bare", baseline, pair.bare_path)] if pair.bare_path else []
                for side, server, path in [*sides, ("real", real, pair.real_path)]:
                    result = measure(
                        pair, server, path, wrk=wrk, knobs=knobs, own_groups=own_groups, baseline=side == "bare"
                    )
                    runs[pair.name][side].append(result)
                    note = ""
                    if result.non_2xx or result.errors:
                        note = f"  ({result.non_2xx} non-2xx, {result.errors} errors)"
                        warnings.append(f"{pair.name} {side} round {round_no}:{note.strip()}")
                    if result.foreign_cpu is not None and result.foreign_cpu > DISTURBED:
                        note += f"  (disturbed: other processes used {result.foreign_cpu:.0%} of the CPUs)"
                        disturbed += 1
                    spread = latency_text(latency_summary([result]))
                    log(
                        f"  round {round_no}  {pair.name:<17} {side:<4} {result.requests_per_second:9.1f} req/s"
                        f"  p50/p95/p99 {spread} ms{note}"
                    )
        for server in (real, bare):
            server.stop()

        for figure in timed:  # once the servers are stopped: nothing else of the bench runs meanwhile
            log(f"in-process: {figure.name} ({figure.real} vs {figure.baseline}), {knobs['rounds']} rounds")
            try:
                timed_runs[figure.name] = inprocess.run(
                    figure, env=env, rounds=knobs["rounds"], timeout=WATCHDOG_SECONDS
                )
            except (RuntimeError, ValueError) as exc:
                failed[figure.name] = str(exc)
                log(f"ERROR: {figure.name}: {exc}")
                continue
            except TimeoutError as exc:  # the watchdog: keep the HTTP figures measured so far
                for rest in timed[timed.index(figure) :]:
                    failed[rest.name] = str(exc)
                log(f"ERROR: {figure.name}: {exc}")
                break
            every_run = [*timed_runs[figure.name]["real"], *timed_runs[figure.name]["baseline"]]
            disturbed += sum(1 for r in every_run if (r.get("foreign_cpu") or 0) > DISTURBED)
    finally:
        for server in (real, bare):
            server.stop()
        signal.alarm(0)

    if disturbed:
        warnings.append(
            f"{disturbed} measurement(s) ran while other processes used more than {DISTURBED:.0%} of the CPUs: "
            "their figures are low; run again on a quiet machine"
        )
    results = [
        summarise(
            pair,
            runs[pair.name]["real"],
            runs[pair.name]["bare"],
            error=failed.get(pair.name),
            check=checks.get(pair.name),
        )
        for pair in pairs
    ] + [summarise_timed(figure, timed_runs.get(figure.name), error=failed.get(figure.name)) for figure in timed]
    busy_after = cpu_busy()
    if busy_after is not None and busy_after > 0.25:
        warnings.append(f"the machine was {busy_after:.0%} busy right after the load stopped (other processes)")
    report = {
        "finished_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S"),
        "git_commit": git_commit(),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
        "postgres": postgres_version,
        "load_generator": "wrk" if wrk else "python",
        "cpu_busy_before": round(busy_before, 3) if busy_before is not None else None,
        "cpu_busy_after": round(busy_after, 3) if busy_after is not None else None,
        "load_average": os.getloadavg(),
        "settings": {**knobs, "real_settings": "esmart.settings.local (DJANGO_DEBUG=false)"},
        "results": results,
        "warnings": warnings,
        "seconds": round(time.monotonic() - started, 1),
    }
    text = json.dumps(report, indent=2) + "\n"
    (RESULTS / "latest.json").write_text(text)
    kept = RESULTS / f"bench-{report['finished_at'].replace(':', '')}.json"  # every run's figures stay
    kept.write_text(text)

    log()
    log(table(results))
    log()
    for warning in warnings:
        log(f"WARNING: {warning.splitlines()[0]}")
    log(f"load generator: {generator}; {os.cpu_count()} CPUs; took {report['seconds']} s")
    log(f"written: {(RESULTS / 'latest.json').relative_to(ROOT)} and {kept.relative_to(ROOT)}")
    for name, error in failed.items():
        log(f"ERROR: {name} was not measured: {error.splitlines()[0]}")
    missed = [r["name"] for r in results if r["goal_met"] is False]
    if failed or (missed and os.environ.get("BENCH_STRICT") == "1"):
        return 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("bench: interrupted; servers stopped", file=sys.stderr)
        sys.exit(130)
