import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from apps.metering import partitions
from apps.metering.models import MeterDay
from apps.metering.services import STORAGE_TZ


class Command(BaseCommand):
    help = (
        "Removes stored meter days older than the retention: on PostgreSQL each whole month before it is "
        "detached from metering_meterday and then dropped (a month is removed only when all of it is older); "
        "on SQLite (one plain table) the older days are deleted. --dry-run lists what would go."
    )

    def add_arguments(self, parser):
        parser.add_argument("--keep-months", type=int, required=True, help="Months kept before the current one.")
        parser.add_argument("--dry-run", action="store_true", help="List what would be removed; change nothing.")

    def handle(self, *args, keep_months, dry_run, **options):
        if keep_months < 0:
            raise CommandError("--keep-months must be 0 or more")
        month = partitions.month_start(timezone.now().astimezone(STORAGE_TZ).date())
        for _ in range(keep_months):
            month = (month - dt.timedelta(days=1)).replace(day=1)
        prefix = "would remove" if dry_run else "removed"
        if connection.vendor != "postgresql":
            old = MeterDay.objects.filter(day__lt=month)
            count = old.count()
            if not dry_run:
                old.delete()
            self.stdout.write(f"{prefix} {count} meter days before {month}")
            return
        names = partitions.expired_partitions(month)
        if not dry_run:
            partitions.drop_partitions(names)
        for name in names:
            self.stdout.write(f"{prefix} {name}")
        self.stdout.write(f"{prefix} {len(names)} partitions before {month}")
