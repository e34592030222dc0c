import sys

import orjson
from django.core.management.base import BaseCommand
from django.db import transaction

from apps.customers import demo


class Command(BaseCommand):
    help = (
        "Creates deterministic demo data (idempotent): logins demo1 and demo2, each with a Power and a "
        "Net customer, contracts, delivery points and meters, and the staff login admin."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Print what was seeded as one JSON object.")
        parser.add_argument(
            "--customers", type=int, default=0, help="Also create this many customers for the 'bench' login."
        )
        parser.add_argument("--meters", type=int, default=1, help="Meters per bench customer (default 1).")

    def handle(self, *args, json=False, customers=0, meters=1, **options):
        # Progress goes to stderr when --json is asked for, so stdout stays one JSON document.
        out = sys.stderr if json else self.stdout

        def progress(done, total):
            out.write(f"  bench customers: {done}/{total}\n")

        if customers < 0 or meters < 1:
            self.stderr.write("--customers must be >= 0 and --meters >= 1")
            sys.exit(2)
        out.write("Seeding demo data...\n")
        with transaction.atomic():
            users = demo.seed(bench_customers=customers, bench_meters=meters, progress=progress)
        if json:
            sys.stdout.write(orjson.dumps(demo.describe(users)).decode() + "\n")
            return
        out.write("Demo logins (HTTP Basic, and the admin at /admin/):\n")
        for login in [*demo.DEMO_LOGINS, demo.STAFF_LOGIN]:
            role = "staff, admin" if login.is_staff else "customer, Power + Net"
            out.write(f"  {login.username} / {login.password}  ({role})\n")
