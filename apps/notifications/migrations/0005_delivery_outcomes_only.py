from django.db import migrations, models
import django.db.models.deletion


def store_ids_uncompressed(apps, schema_editor):
    # Random ids barely compress: trying (pglz) cost more than writing the ~180 KB of a 5,000-id row.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE notifications_pushdelivery ALTER COLUMN registration_ids SET STORAGE EXTERNAL"
        )


class Migration(migrations.Migration):
    """The old per-row claim columns go, once 0004 moved their rows to outcomes (a separate
    migration: PostgreSQL cannot alter a table with the data migration's trigger events pending)."""

    dependencies = [
        ("notifications", "0004_delivery_chunks"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="pushdelivery",
            name="attempts",
        ),
        migrations.RemoveField(
            model_name="pushdelivery",
            name="claim",
        ),
        migrations.RemoveField(
            model_name="pushdelivery",
            name="claimed_at",
        ),
        migrations.RemoveField(
            model_name="pushdelivery",
            name="registration",
        ),
        migrations.AlterField(
            model_name="pushdelivery",
            name="finished_at",
            field=models.DateTimeField(),
        ),
        migrations.AlterField(
            model_name="pushdelivery",
            name="message",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="deliveries",
                to="notifications.pushmessage",
            ),
        ),
        migrations.AlterField(
            model_name="pushdelivery",
            name="state",
            field=models.CharField(
                choices=[
                    ("SENT", "Sent"),
                    ("GONE", "Token unregistered"),
                    ("FAILED", "Failed"),
                    ("UNKNOWN", "Worker stopped during the provider call (not resent)"),
                ],
                max_length=10,
            ),
        ),
        migrations.AlterModelOptions(
            name="pushdelivery",
            options={"ordering": ["message", "finished_at", "id"], "verbose_name_plural": "push deliveries"},
        ),
        migrations.RunPython(store_ids_uncompressed, migrations.RunPython.noop),
    ]
