"""`manage.py rotate_ev_keys`: re-encrypts the stored vendor credentials and tokens under the newest key.

The rotation procedure (docs/apps/ev.md, "Key rotation"): put a new key first in EV_CREDENTIAL_KEYS and keep the old
ones after it, deploy, run this command, then drop the old keys. It is idempotent: a second run
rotates nothing. `--check` only counts, and exits with status 1 while any value is not yet under
the newest key, so a script can check before the old key is dropped.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from apps.ev import crypto


class Command(BaseCommand):
    help = "Re-encrypts every stored EV credential and token with the newest key of EV_CREDENTIAL_KEYS."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500, help="Rows locked and rewritten per transaction.")
        parser.add_argument(
            "--check",
            action="store_true",
            help="Change nothing; exit 1 when a value is not under the newest key.",
        )

    def handle(self, *args, batch_size: int, check: bool, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        keys = crypto.configured_keys()
        self.stdout.write(f"{len(keys)} key(s) configured; the newest encrypts.")
        stale = unreadable = 0
        for model, fields in crypto.encrypted_models():
            label = f"{model._meta.label} ({', '.join(fields)})"
            if check:
                result = crypto.rotate_stored(model, fields, batch_size=batch_size, dry_run=True)
                self.stdout.write(
                    f"{label}: {result.rows} rows, {result.current} values under the newest key, "
                    f"{result.rotated} under an older key, {result.unreadable} under no configured key"
                )
            else:

                def progress(result, label=label):
                    self.stdout.write(f"{label}: {result.rows} rows done, {result.rotated} values re-encrypted")

                result = crypto.rotate_stored(model, fields, batch_size=batch_size, progress=progress)
                self.stdout.write(
                    f"{label}: {result.rows} rows, {result.rotated} values re-encrypted, "
                    f"{result.current} already under the newest key, {result.unreadable} under no configured key"
                )
            stale += result.rotated
            unreadable += result.unreadable
        if unreadable:
            # Not an error: such values read as empty (the user logs in again); a missing old key is the usual cause.
            self.stderr.write(
                f"{unreadable} value(s) are readable under no configured key and were left as they are: "
                "was an old key dropped before it was rotated away?"
            )
        if check and stale:
            raise CommandError(f"{stale} value(s) are still under an older key: run rotate_ev_keys first.")
        self.stdout.write(self.style.SUCCESS("Done." if not check else "Every value is under the newest key."))
