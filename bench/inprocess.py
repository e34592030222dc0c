"""In-process figures (bench/pairs.py `TIMED`): the app's code path against a baseline, timed in one process.

The runner starts `python -m bench.inprocess <module:Class> --size N --rounds R` with the app's
environment (the bench database, the real settings); this module sets Django up, and drives the
workload class, which provides:

    Workload(size, log)   log(text) prints a progress line
    prepare()             untimed: builds the input in memory, creates what the runs need
    reset()               untimed: back to the same fresh state, before every timed run
    real() -> int         timed: the app's code path; returns how many items it handled
    baseline() -> int     timed: the baseline on the same input
    finish()              untimed, always: leaves the database as it was found

Each round runs both sides, each after its own reset(), baseline first in odd rounds and real
first in even ones (so that what one run leaves behind, e.g. a checkpoint, does not always fall on
the same side). The timings go to stdout as one JSON document; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import interference  # noqa: E402


def _log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def timed_run(function, *, own_groups: set[int]) -> dict:
    before, started = interference.snapshot(), time.perf_counter()
    items = function()
    seconds = time.perf_counter() - started
    after = interference.snapshot()
    return {
        "items": items,
        "seconds": round(seconds, 4),
        "per_second": round(items / seconds, 1) if seconds else None,
        "foreign_cpu": interference.foreign_share(before, after, seconds=seconds, own_groups=own_groups),
    }


def drive(workload_path: str, *, size: int, rounds: int, name: str, unit: str) -> dict:
    import django

    django.setup()
    module_name, _, class_name = workload_path.partition(":")
    workload = getattr(importlib.import_module(module_name), class_name)(size, _log)
    own_groups = {os.getpgid(0)}  # the runner's group: this process and the runner
    runs: dict[str, list[dict]] = {"real": [], "baseline": []}
    started = time.monotonic()
    workload.prepare()
    _log(f"  {name}: prepared in {time.monotonic() - started:.1f} s")
    try:
        for round_no in range(1, rounds + 1):
            sides = [("baseline", workload.baseline), ("real", workload.real)]
            for side, function in sides if round_no % 2 else sides[::-1]:
                workload.reset()
                result = timed_run(function, own_groups=own_groups)
                runs[side].append(result)
                note = ""
                if result["foreign_cpu"] is not None and result["foreign_cpu"] > 0.1:
                    note = f"  (disturbed: other processes used {result['foreign_cpu']:.0%} of the CPUs)"
                label = "bare" if side == "baseline" else side
                _log(
                    f"  round {round_no}  {name:<11} {label:<4} {result['per_second']:9.0f} {unit}/s  "
                    f"({result['items']} in {result['seconds']:.2f} s){note}"
                )
    finally:
        workload.finish()
    return runs


def run(timed, *, env: dict[str, str], rounds: int, timeout: float) -> dict:
    """Runs `timed` (a bench.pairs.Timed) in a child process; returns {"real": [...], "baseline": [...]}."""
    command = [
        sys.executable, "-m", "bench.inprocess", timed.workload,
        "--size", str(timed.size), "--rounds", str(rounds), "--name", timed.name, "--unit", timed.unit,
    ]  # fmt: skip
    done = subprocess.run(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=None, text=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{timed.workload} failed with exit status {done.returncode} (its error is above)")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workload", help="module:Class")
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--name", default="timed")
    parser.add_argument("--unit", default="items")
    args = parser.parse_args()
    runs = drive(args.workload, size=args.size, rounds=args.rounds, name=args.name, unit=args.unit)
    print(json.dumps(runs), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
