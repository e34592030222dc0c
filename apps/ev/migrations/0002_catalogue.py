from django.db import migrations


def seed(apps, schema_editor):
    from apps.ev.catalogue import ensure_catalogue

    ensure_catalogue(apps.get_model("ev", "BatteryCar"))


class Migration(migrations.Migration):
    dependencies = [("ev", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
