from decimal import Decimal

from django.db import migrations


def seed(apps, schema_editor):
    from apps.ev.catalogue import CATALOGUE

    BatteryCar = apps.get_model("ev", "BatteryCar")
    for manufacturer, model, generation, gross, net, ac, dc in CATALOGUE:
        BatteryCar.objects.get_or_create(
            manufacturer=manufacturer,
            model=model,
            generation=generation,
            defaults={
                "gross_battery_kwh": Decimal(gross),
                "net_battery_kwh": Decimal(net),
                "max_ac_kw": Decimal(ac),
                "max_dc_kw": Decimal(dc),
            },
        )


class Migration(migrations.Migration):
    dependencies = [("ev", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
