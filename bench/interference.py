"""How much CPU other processes took while a measurement ran.

On a shared machine (other test runs, builds) a figure can drop by half without any change in the
code. The runner snapshots every process's CPU time around each measurement and reports the share
of the machine used by processes that are neither part of the bench (the runner's own process
group: load generator; the servers' groups) nor the services it loads (PostgreSQL, Redis).
"""

from __future__ import annotations

import os

SERVICES = frozenset({"postgres", "redis-server"})
TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")

Snapshot = dict[int, tuple[int, int]]  # pid -> (process group, CPU ticks)


def snapshot() -> Snapshot:
    processes: Snapshot = {}
    try:
        entries = [entry.name for entry in os.scandir("/proc") if entry.name.isdigit()]
    except OSError:
        return processes
    for pid in entries:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                data = stat.read()
        except OSError:
            continue  # exited meanwhile
        name = data[data.index("(") + 1 : data.rindex(")")]
        if name in SERVICES:
            continue
        fields = data[data.rindex(")") + 2 :].split()  # fields[0] is the state (field 3 of proc(5))
        processes[int(pid)] = (int(fields[2]), int(fields[11]) + int(fields[12]))
    return processes


def foreign_share(before: Snapshot, after: Snapshot, *, seconds: float, own_groups: set[int]) -> float | None:
    """The share of all CPUs that processes outside `own_groups` (and the services) used in between."""
    if not before or not after or seconds <= 0:
        return None
    ticks = sum(
        total - before.get(pid, (group, 0))[1] for pid, (group, total) in after.items() if group not in own_groups
    )
    return max(0.0, ticks / TICKS_PER_SECOND / seconds / (os.cpu_count() or 1))
