"""Monthly partitions of metering_meterday on PostgreSQL (SQLite has one plain table).

`ensure_partitions(first, last)` creates any missing month covering [first, last]; the import calls
it before writing days, migration 0004 for the existing data's range, and the beat job ahead of time.
There is no DEFAULT partition: a row in it would block creating its month later (PostgreSQL refuses
to attach a range the default already holds rows of), so every writer creates the month first, and a
write that bypasses the service fails loudly ("no partition of relation found") rather than landing
somewhere the next month's creation trips over (docs/meter-storage.md, "Built").
"""

from __future__ import annotations

import datetime as dt

from django.db import connections, transaction

TABLE = "metering_meterday"
_LOCK = "metering_meterday partitions"


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def months(first: dt.date, last: dt.date) -> list[dt.date]:
    """The first day of every month from `first`'s to `last`'s."""
    out = []
    month = month_start(first)
    while month <= last:
        out.append(month)
        month = next_month(month)
    return out


def partition_name(month: dt.date) -> str:
    return f"{TABLE}_{month:%Y%m}"


def partition_ddl(month: dt.date) -> str:
    return (
        f"CREATE TABLE IF NOT EXISTS {partition_name(month)} PARTITION OF {TABLE} "
        f"FOR VALUES FROM ('{month.isoformat()}') TO ('{next_month(month).isoformat()}')"
    )


def existing_partitions(using: str = "default") -> list[str]:
    """The names of the table's partitions, in order (empty on SQLite)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass ORDER BY c.relname",
            [TABLE],
        )
        return [row[0] for row in cursor.fetchall()]


def ensure_partitions(first: dt.date, last: dt.date, using: str = "default") -> list[str]:
    """Creates the missing monthly partitions covering [first, last]; returns the names created.

    Cheap when they exist (one catalog query). Creating takes a transaction-scoped advisory lock, so
    two importers needing the same new month do not race on it.
    """
    connection = connections[using]
    if connection.vendor != "postgresql" or last < first:
        return []
    wanted = {partition_name(month): month for month in months(first, last)}
    if set(wanted) <= set(existing_partitions(using)):
        return []
    created = []
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [_LOCK])
        present = set(existing_partitions(using))
        for name, month in sorted(wanted.items()):
            if name not in present:
                cursor.execute(partition_ddl(month))
                created.append(name)
    return created


def partition_month(name: str) -> dt.date | None:
    """The month a partition's name stands for (None for a name not of this table's pattern)."""
    suffix = name.removeprefix(f"{TABLE}_")
    if len(suffix) != 6 or not suffix.isdigit() or suffix == name:
        return None
    return dt.date(int(suffix[:4]), int(suffix[4:]), 1)


def expired_partitions(before: dt.date, using: str = "default") -> list[str]:
    """The partitions whose whole month lies before `before` (its month's start), oldest first."""
    cutoff = month_start(before)
    return [
        name
        for name in existing_partitions(using)
        if (month := partition_month(name)) is not None and next_month(month) <= cutoff
    ]


def drop_partitions(names: list[str], using: str = "default") -> None:
    """Detaches each partition from the table, then drops it (one transaction per partition)."""
    connection = connections[using]
    for name in names:
        if partition_month(name) is None:
            raise ValueError(f"{name} is not a partition of {TABLE}")
        with transaction.atomic(using=using), connection.cursor() as cursor:
            # The foreign key is deferred: rows written earlier in the same transaction leave pending
            # checks, which PostgreSQL runs now rather than refusing to drop their table.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {TABLE} DETACH PARTITION {name}")
            cursor.execute(f"DROP TABLE {name}")
