import importlib
import importlib.util
import inspect

import orjson
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from apps.customers import demo


def app_demo_modules():
    """The demo.py of every other app that has one, in INSTALLED_APPS order: (app name, module)."""
    for app_module in settings.INSTALLED_APPS:
        name = f"{app_module}.demo"
        if app_module.startswith("apps.") and app_module != "apps.customers" and importlib.util.find_spec(name):
            yield app_module.split(".")[-1], importlib.import_module(name)


def app_seeders():
    """`seed(users=, days=, progress=)` of every other app that has a demo.py, in INSTALLED_APPS order."""
    for app_name, module in app_demo_modules():
        if hasattr(module, "seed"):
            yield app_name, module.seed


def app_logins():
    """The logins other apps' demo.py declare (`LOGINS`: (login, what) pairs), for the printout."""
    for _, module in app_demo_modules():
        yield from getattr(module, "LOGINS", ())


class Command(BaseCommand):
    help = (
        "Creates deterministic demo data (idempotent): logins demo1 and demo2, each with a Power and a "
        "Net customer, contracts, delivery points and meters, and the staff login admin. Other apps add "
        "their data (history, prices, ...) through their demo.py. Existing logins are never changed; "
        "refused under the production settings."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Print what was seeded as one JSON object.")
        parser.add_argument(
            "--customers", type=int, default=0, help="Also create this many customers for the 'bench' login."
        )
        parser.add_argument("--meters", type=int, default=1, help="Meters per bench customer (default 1).")
        parser.add_argument(
            "--days", type=int, default=400, help="Days of history up to today for the apps that keep history."
        )
        parser.add_argument(
            "--assets",
            type=int,
            default=0,
            help="Also create a bench substation with this many descendants (and a meter 20 levels deep).",
        )

    def handle(self, *args, json=False, customers=0, meters=1, days=400, assets=0, **options):
        if not getattr(settings, "DEMO_DATA_ALLOWED", True):
            raise CommandError(
                "seed_demo is refused under these settings (DEMO_DATA_ALLOWED is off, as in production): "
                "it creates logins with published passwords."
            )
        if customers < 0 or meters < 1 or days < 0 or assets < 0:
            raise CommandError("--customers, --days and --assets must be >= 0, --meters >= 1.")
        # Progress goes to stderr with --json, so stdout stays one JSON document.
        self.stderr.style_func = None
        out = self.stderr if json else self.stdout

        def progress(what):
            def report(done, total):
                out.write(f"  {what}: {done}/{total}")
                out.flush()

            return report

        out.write("Seeding customers, contracts, delivery points and meters...")
        with transaction.atomic():
            users = demo.seed(bench_customers=customers, bench_meters=meters, progress=progress("bench customers"))
        for app_name, seed in app_seeders():
            out.write(f"Seeding {app_name}...")
            with transaction.atomic():
                # Options only some apps take (--assets) go to the seeders that name them.
                extra = {"assets": assets} if "assets" in inspect.signature(seed).parameters else {}
                seed(users=users, days=days, progress=progress(app_name), **extra)

        if json:
            self.stdout.write(orjson.dumps(demo.describe(users)).decode())
            return
        out.write("Demo logins (HTTP Basic for the API, and the admin at /admin/):")
        for login in [*demo.DEMO_LOGINS, demo.STAFF_LOGIN]:
            role = "staff, admin" if login.is_staff else "customer, Power + Net"
            out.write(f"  {login.username} / {login.password}  ({role})")
        for login, role in app_logins():
            out.write(f"  {login.username} / {login.password}  ({role})")
