"""One id space (DESIGN.md §5): every existing customers.Meter gets its asset."""

from django.db import migrations

METER = 20  # AssetType.Meter (the value is frozen here: migrations must not import the app's code)


def create_meter_assets(apps, schema_editor):
    Meter = apps.get_model("customers", "Meter")
    Asset = apps.get_model("assets", "Asset")
    missing = Meter.objects.filter(asset__isnull=True).values_list(
        "pk", "meter_id", "meter_no", "time_zone", "delivery_point_id"
    )
    batch = []
    for pk, meter_id, meter_no, time_zone, delivery_point_id in missing.iterator(chunk_size=2000):
        batch.append(
            Asset(
                asset_type=METER,
                meter_id=pk,
                delivery_point_id=delivery_point_id,
                name=meter_id,
                serial_number=meter_no,
                default_time_zone=time_zone,
            )
        )
        if len(batch) >= 2000:
            Asset.objects.bulk_create(batch)
            batch = []
    Asset.objects.bulk_create(batch)


def remove_meter_assets(apps, schema_editor):
    apps.get_model("assets", "Asset").objects.filter(meter__isnull=False).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("assets", "0002_devices_components"),
        ("customers", "0003_pricing_rule_fields"),
    ]

    operations = [migrations.RunPython(create_meter_assets, remove_meter_assets)]
