"""The audit log of user actions (sign-in, scans, mutes, exports, account and user changes)."""

from datetime import timedelta

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from checks.retention import delete_in_batches
from dashboard.models import AuditEntry
from dashboard.signin import client_address, was_refused

Action = AuditEntry.Action


def record(request, action, target="", user=None, **details):
    user = user if user is not None else getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    return AuditEntry.objects.create(
        user=user if signed_in else None,
        username=user.get_username() if signed_in else details.pop("username", ""),
        address=client_address(request),
        action=action,
        target=str(target)[:512],
        details=details,
    )


@receiver(user_logged_in)
def on_sign_in(sender, request, user, **kwargs):
    # A sign-in through the identity provider says so, with the roles and teams its groups gave (dashboard.sso).
    record(request, Action.SIGN_IN, user=user, **getattr(user, "sign_in_details", {}))


@receiver(user_logged_out)
def on_sign_out(sender, request, user, **kwargs):
    if user is not None:
        record(request, Action.SIGN_OUT, user=user)


def attempted_name(credentials):
    return str((credentials or {}).get("username", ""))[:150]


@receiver(user_login_failed)
def on_sign_in_failed(sender, credentials, request=None, **kwargs):
    if was_refused(request):
        return  # refused unchecked while locked out: a flood of these writes no row each (the lockout has one)
    record(request, Action.SIGN_IN_FAILED, username=attempted_name(credentials))


@receiver(user_locked_out)
def on_locked_out(sender, request, username=None, **kwargs):
    # axes also announces every refused attempt during a lockout; only the failure that began it is recorded.
    if not was_refused(request):
        record(request, Action.SIGN_IN_LOCKED_OUT, username=str(username or "")[:150])


def prune(now, cut):
    """Entries older than AUDIT_RETENTION_DAYS, never shorter than the history window (checks.retention hook)."""
    oldest = now - timedelta(days=settings.AUDIT_RETENTION_DAYS)
    return {"audit_entries": delete_in_batches(AuditEntry.objects.filter(at__lt=oldest))}
