"""The audit log of user actions (sign-in, scans, mutes, exports, account and user changes)."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from checks.retention import delete_in_batches
from dashboard.models import AuditEntry

Action = AuditEntry.Action


def client_address(request):
    # Behind a TLS proxy (BEHIND_TLS_PROXY) the proxy's address is what REMOTE_ADDR holds; we record
    # REMOTE_ADDR only, since X-Forwarded-For is client-controlled unless the proxy rewrites it.
    return request.META.get("REMOTE_ADDR") if request is not None else None


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
    record(request, Action.SIGN_IN, user=user)


@receiver(user_logged_out)
def on_sign_out(sender, request, user, **kwargs):
    if user is not None:
        record(request, Action.SIGN_OUT, user=user)


@receiver(user_login_failed)
def on_sign_in_failed(sender, credentials, request=None, **kwargs):
    record(request, Action.SIGN_IN_FAILED, username=str(credentials.get("username", ""))[:150])


def prune(now, cut):
    """Entries older than AUDIT_RETENTION_DAYS, never shorter than the history window (checks.retention hook)."""
    oldest = now - timedelta(days=settings.AUDIT_RETENTION_DAYS)
    return {"audit_entries": delete_in_batches(AuditEntry.objects.filter(at__lt=oldest))}
