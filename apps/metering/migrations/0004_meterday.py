"""MeterDay: one row per meter and local day, values packed (issue 21; docs/meter-storage.md).

On PostgreSQL the table is partitioned by month of `day` (declarative partitioning, which Django's
schema editor does not write): the parent, its primary key (meter_id, day), the foreign key to the
meter, a BRIN index on day (inherited by every partition) and the months of the existing interval
data up to three months ahead. On other databases (SQLite) the model's own plain table.
"""

import datetime as dt

import django.db.models.deletion
from django.db import migrations, models

from apps.metering.partitions import ensure_partitions

PARENT_DDL = [
    """CREATE TABLE metering_meterday (
        meter_id bigint NOT NULL REFERENCES customers_meter (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
        total bigint NULL,
        day date NOT NULL,
        minutes smallint NOT NULL CHECK (minutes >= 0),
        "values" bytea NOT NULL,
        statuses bytea NULL,
        CONSTRAINT metering_meterday_minutes CHECK (minutes IN (15, 60)),
        PRIMARY KEY (meter_id, day)
    ) PARTITION BY RANGE (day)""",
    "CREATE INDEX metering_meterday_day_brin ON metering_meterday USING brin (day)",
]


def create_table(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        schema_editor.create_model(apps.get_model("metering", "MeterDay"))
        return
    for statement in PARENT_DDL:
        schema_editor.execute(statement)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT min(start_at), max(start_at) FROM metering_interval")
        first, last = cursor.fetchone()
    today = dt.date.today()
    first = min(first.date() - dt.timedelta(days=1), today) if first else today
    last = max(last.date() + dt.timedelta(days=1), today) if last else today
    ensure_partitions(first, last + dt.timedelta(days=92), using=schema_editor.connection.alias)


def drop_table(apps, schema_editor):
    schema_editor.execute("DROP TABLE metering_meterday")


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0005_live_values_privilege"),
        ("metering", "0003_time_series_type_none"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="MeterDay",
                    fields=[
                        (
                            "pk",
                            models.CompositePrimaryKey(
                                "meter_id", "day", blank=True, editable=False, primary_key=True, serialize=False
                            ),
                        ),
                        ("total", models.BigIntegerField(null=True)),
                        ("day", models.DateField()),
                        ("minutes", models.PositiveSmallIntegerField()),
                        ("values", models.BinaryField()),
                        ("statuses", models.BinaryField(null=True)),
                        (
                            "meter",
                            models.ForeignKey(
                                db_index=False,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="customers.meter",
                            ),
                        ),
                    ],
                    options={
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("minutes__in", (15, 60))), name="metering_meterday_minutes"
                            )
                        ],
                    },
                ),
            ],
        ),
        # After the state: RunPython's apps then hold MeterDay (SQLite creates it from the model).
        migrations.RunPython(create_table, drop_table),
    ]
