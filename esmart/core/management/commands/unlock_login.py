"""`manage.py unlock_login USERNAME`: ends a login's lockout after failed logins, from every client
network, and forgets its failed attempts (esmart.api.lockouts). The admin's user list has the same
action."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from esmart.api import lockouts


class Command(BaseCommand):
    help = "End the lockout of a login after failed login attempts (from every address)."

    def add_arguments(self, parser):
        parser.add_argument("username", help="The login's username, exactly as it is stored.")

    def handle(self, *args, username, **options):
        user_model = get_user_model()
        exists = user_model._default_manager.filter(**{user_model.USERNAME_FIELD: username}).exists()
        ended = lockouts.clear(username)
        if not exists and not ended:
            raise CommandError(f"There is no login named {username!r}, and no lockout of that name.")
        if ended:
            self.stdout.write(self.style.SUCCESS(f"Unlocked {username}: {ended} lockout(s) ended."))
        else:
            self.stdout.write(f"{username} was not locked out; its failed attempts are forgotten.")
