import datetime as dt
import importlib
import importlib.util
import inspect
import re

import orjson
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from apps.customers import demo
from apps.customers.models import User


def app_demo_modules():
    """The demo.py of every other app that has one, in INSTALLED_APPS order: (app name, module)."""
    for app_module in settings.INSTALLED_APPS:
        name = f"{app_module}.demo"
        if app_module.startswith("apps.") and app_module != "apps.customers" and importlib.util.find_spec(name):
            yield app_module.split(".")[-1], importlib.import_module(name)


def app_seeders():
    """`seed(users=, days=, now=, progress=)` of every other app that has a demo.py, in INSTALLED_APPS order."""
    for app_name, module in app_demo_modules():
        if hasattr(module, "seed"):
            yield app_name, module.seed


def seeded_logins():
    """Every login the demo declares (`LOGINS` of each app's demo.py, customers first) that exists:
    (SeededLogin, user). The bench login exists only once `--customers` created it."""
    declared = [*demo.LOGINS, *(s for _, module in app_demo_modules() for s in getattr(module, "LOGINS", ()))]
    users = User.objects.in_bulk([s.login.username for s in declared], field_name="username")
    return [(s, users[s.login.username]) for s in declared if s.login.username in users]


def describe(today: dt.date) -> dict:
    """The --json document: every seeded login with its role and the ids to try it with."""
    return {
        "Today": today.isoformat(),
        "Users": [
            {
                "UserName": user.username,
                "Password": seeded.login.password,
                "UserId": user.pk,
                "Role": seeded.role,
                "What": seeded.what,
                **seeded.ids(user),
            }
            for seeded, user in seeded_logins()
        ],
    }


def parse_today(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--today must be a date written YYYY-MM-DD (e.g. 2025-03-12), not {value!r}.") from None


class Command(BaseCommand):
    help = (
        "Creates deterministic demo data (idempotent): customer logins demo1 and demo2, each with a Power "
        "and a Net customer, contracts, delivery points and meters, and the staff login admin. Other apps "
        "add their data and logins (history, prices, grid companies, care teams...) through their demo.py. "
        "Existing logins are never changed; refused under the production settings."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--json", action="store_true", help="Print every seeded login, its role and its ids as one JSON object."
        )
        parser.add_argument(
            "--customers", type=int, default=0, help="Also create this many customers for the 'bench' login."
        )
        parser.add_argument("--meters", type=int, default=1, help="Meters per bench customer (default 1).")
        parser.add_argument(
            "--days", type=int, default=400, help="Days of history up to today for the apps that keep history."
        )
        parser.add_argument(
            "--today",
            default=None,
            help="The day the seeders treat as today, YYYY-MM-DD: they seed as if it were 12:00 (Oslo) that "
            "day, so a history is the same whenever it is seeded (default: the clock's now).",
        )
        parser.add_argument(
            "--assets",
            type=int,
            default=0,
            help="Also create a bench substation with this many descendants (and a meter 20 levels deep).",
        )

    def handle(self, *args, json=False, customers=0, meters=1, days=400, today=None, assets=0, **options):
        if not getattr(settings, "DEMO_DATA_ALLOWED", True):
            raise CommandError(
                "seed_demo is refused under these settings (DEMO_DATA_ALLOWED is off, as in production): "
                "it creates logins with published passwords."
            )
        if customers < 0 or meters < 1 or days < 0 or assets < 0:
            raise CommandError("--customers, --days and --assets must be >= 0, --meters >= 1.")
        now = demo.demo_now(parse_today(today))
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
                seed(users=users, days=days, now=now, progress=progress(app_name), **extra)

        if json:
            self.stdout.write(orjson.dumps(describe(now.astimezone(demo.DEMO_TIME_ZONE).date())).decode())
            return
        out.write("Demo logins (HTTP Basic for the API, and the admin at /admin/):")
        for seeded, _ in seeded_logins():
            out.write(f"  {seeded.login.username} / {seeded.login.password}  ({seeded.role}: {seeded.what})")
        out.write("`seed_demo --json` lists the ids to try each login with.")
