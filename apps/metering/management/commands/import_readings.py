import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.metering import services
from apps.metering.daystore import DayStoreError


class Command(BaseCommand):
    help = (
        "Loads interval data from a CSV file (columns meter_id, start_at, value[, status][, minutes]). "
        "The whole file is validated first: a malformed row is reported with its line number and nothing "
        "of the file is loaded. A valid file goes in as meter days (PostgreSQL: COPY), in one transaction; "
        "each meter day is merged with what is stored (an interval that exists already is replaced, the "
        "others are kept)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The CSV file, or - for standard input.")

    def handle(self, *args, file, **options):
        started = time.monotonic()
        if file == "-":
            readings = self._parse(sys.stdin)
        else:
            path = Path(file)
            if not path.is_file():
                raise CommandError(f"{file}: no such file")
            with path.open(newline="", encoding="utf-8-sig") as handle:
                readings = self._parse(handle)
        self.stdout.write(f"{readings.count} valid rows in {len(readings.pieces)} meter days; loading...")

        def progress(done, total):
            self.stdout.write(f"  loaded {done}/{total}")

        try:
            loaded = services.load_readings(readings, progress=progress)
        except DayStoreError as refused:
            raise CommandError(f"The file was refused, nothing was loaded: {refused}") from None
        seconds = time.monotonic() - started
        rate = loaded / seconds if seconds else 0
        self.stdout.write(self.style.SUCCESS(f"Loaded {loaded} intervals in {seconds:.1f} s ({rate:,.0f}/s)."))

    def _parse(self, handle):
        self.stdout.write("Validating...")
        try:
            return services.parse_interval_csv(handle)
        except services.CsvRefusedError as problems:
            raise CommandError(f"The file was refused, nothing was loaded:\n{problems}") from None
