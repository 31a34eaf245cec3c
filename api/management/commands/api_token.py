import getpass
import socket

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from api import tokens
from dashboard import audit
from dashboard.permissions import ROLES


def days(text):
    try:
        number = int(text)
    except ValueError:
        raise CommandError(f"--expires-days must be a whole number of days, not {text!r}.") from None
    if not 1 <= number <= tokens.MAX_DAYS:
        raise CommandError(f"--expires-days must be between 1 and {tokens.MAX_DAYS}, not {number}.")
    return number


class Command(BaseCommand):
    help = "Create an API token for USER and print it (once: only its hash is kept). Audited."

    def add_arguments(self, parser):
        parser.add_argument("user", metavar="USER", help="The user name the token acts as.")
        parser.add_argument("--name", default="", help="What uses the token (default: 'manage.py api_token').")
        parser.add_argument("--expires-days", default=str(tokens.DEFAULT_DAYS), metavar="N")
        parser.add_argument("--role", default="", choices=["", *ROLES], help="A lower role than the user's.")

    def handle(self, *args, **options):
        expires = days(options["expires_days"])
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"No user named {options['user']!r}.")
        if not user.is_active:
            raise CommandError(f"The user {user.username!r} is inactive.")
        name = options["name"].strip() or "manage.py api_token"
        try:
            token, secret = tokens.issue(user, name[:100], expires, options["role"])
        except tokens.TokenError as error:
            raise CommandError(str(error)) from None
        operator = f"{getpass.getuser()}@{socket.gethostname()}"
        audit.record(
            None,
            audit.Action.TOKEN_CREATED,
            target=str(token),
            user=user,
            token=token.pk,
            expires_at=token.expires_at.isoformat(),
            via=f"manage.py api_token by {operator}",
        )
        self.stderr.write(f"Token {token.prefix}… for {user.username}, expires {token.expires_at:%Y-%m-%d}:")
        self.stdout.write(secret)
