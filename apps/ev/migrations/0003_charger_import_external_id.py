"""One charger import per (import source, external id).

The external id is copied from the charger's asset. Rows that already share a source and an external
id are resolved deterministically and without deleting anything: the oldest (lowest charger id)
keeps the external id, every later one records "<external id>~<charger id>" (its asset is untouched).
"""

from django.db import migrations, models


def copy_external_ids(apps, schema_editor):
    ChargerImport = apps.get_model("ev", "ChargerImport")
    seen = set()
    for row in ChargerImport.objects.select_related("charger__asset").order_by("charger_id"):
        external_id = row.charger.asset.external_id
        if (row.import_source, external_id) in seen:
            external_id = f"{external_id}~{row.charger_id}"
        seen.add((row.import_source, external_id))
        row.external_id = external_id
        row.save(update_fields=["external_id"])


class Migration(migrations.Migration):
    dependencies = [("ev", "0002_catalogue")]

    operations = [
        migrations.AddField(
            model_name="chargerimport", name="external_id", field=models.CharField(default="", max_length=120)
        ),
        migrations.RunPython(copy_external_ids, migrations.RunPython.noop),
        migrations.AlterField(model_name="chargerimport", name="external_id", field=models.CharField(max_length=120)),
        migrations.AddConstraint(
            model_name="chargerimport",
            constraint=models.UniqueConstraint(
                fields=("import_source", "external_id"), name="ev_charger_import_unique_source_id"
            ),
        ),
    ]
