"""A BRIN index on metering_interval.start_at (PostgreSQL): tiny, and right for an append-mostly time column."""

from django.db import migrations


def create_brin(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS metering_interval_start_brin ON metering_interval USING brin (start_at)"
        )


def drop_brin(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS metering_interval_start_brin")


class Migration(migrations.Migration):
    dependencies = [("metering", "0001_initial")]

    operations = [migrations.RunPython(create_brin, drop_brin, elidable=False)]
