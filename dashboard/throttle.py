"""Sign-in throttling: after SIGNIN_MAX_FAILURES failed sign-ins for one user name from one address within
SIGNIN_LOCKOUT_MINUTES, further attempts from there are refused until that many minutes pass without one.

Failures are counted from the audit log (which records every failed sign-in with its address), so every
web process agrees and nothing else is stored. A successful sign-in starts the count again. Per user name
and address, like django-axes' default: one attacker cannot lock a user out from everywhere.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from dashboard.audit import client_address
from dashboard.models import AuditEntry


def locked_message():
    return (
        f"Too many failed sign-ins for this user from your address. Try again in "
        f"{settings.SIGNIN_LOCKOUT_MINUTES} minutes."
    )


def recent_failures(username, address, now=None):
    since = (now or timezone.now()) - timedelta(minutes=settings.SIGNIN_LOCKOUT_MINUTES)
    mine = AuditEntry.objects.filter(username=username, address=address, at__gte=since)
    last_success = mine.filter(action=AuditEntry.Action.SIGN_IN).values_list("at", flat=True).first()
    failures = mine.filter(action=AuditEntry.Action.SIGN_IN_FAILED)
    if last_success:
        failures = failures.filter(at__gt=last_success)
    return failures.count()


def is_locked_out(username, address):
    return bool(username) and recent_failures(username, address) >= settings.SIGNIN_MAX_FAILURES


class SignInThrottle:
    """First in AUTHENTICATION_BACKENDS: refuses a locked-out pair before any password is checked.

    Raising PermissionDenied stops Django trying the other backends and sends user_login_failed, so the
    attempt is audited too (and keeps the lock on while someone keeps guessing). Covers every sign-in
    form, the admin's included.
    """

    def authenticate(self, request, username=None, **credentials):
        if request is not None and is_locked_out(username, client_address(request)):
            raise PermissionDenied(locked_message())
        return None

    # No get_user(): this backend never signs anyone in, and Django's test client (force_login) picks the
    # first backend that has one.


class SignInForm(AuthenticationForm):
    """The sign-in form, saying plainly when the address is locked out rather than "wrong password"."""

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            username = self.cleaned_data.get("username")
            if is_locked_out(username, client_address(self.request)):
                raise ValidationError(locked_message(), code="locked_out") from None
            raise
