"""Sign-in throttling, by django-axes (settings: AXES_*), and the one rule for a request's client address.

Failed sign-ins are counted twice, in the database with atomic updates: per user name from every address
(POSTURE_SIGNIN_MAX_FAILURES) and per address for every user name (POSTURE_SIGNIN_MAX_FAILURES_PER_ADDRESS,
larger: an office shares one address). Reaching either limit refuses that user name, or that address, for
POSTURE_SIGNIN_LOCKOUT_MINUTES before any password is checked. Refused attempts are neither counted again
nor written to the audit log one by one: the lockout itself is audited once.
"""

import ipaddress

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from django.conf import settings
from django.db.models import Sum
from django.shortcuts import render


def parse_address(text):
    try:
        address = ipaddress.ip_address((text or "").strip())
    except ValueError:
        return None
    return getattr(address, "ipv4_mapped", None) or address  # ::ffff:10.0.0.1 is 10.0.0.1


def is_trusted_proxy(address):
    return address is not None and any(address in ipaddress.ip_network(net) for net in settings.TRUSTED_PROXIES)


def client_address(request):
    """Who sent `request`: the connection's address, or, only when that is a trusted proxy
    (POSTURE_TRUSTED_PROXIES), the right-most X-Forwarded-For entry that is not a trusted proxy itself.
    Entries left of it were written by the client and prove nothing."""
    if request is None:
        return None
    address = parse_address(request.META.get("REMOTE_ADDR"))
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    while hops and is_trusted_proxy(address):
        forwarded = parse_address(hops.pop())
        if forwarded is None:
            break  # the proxy passed on something that is no address: the proxy is all we know
        address = forwarded
    return str(address) if address is not None else None


class SignInThrottle(AxesStandaloneBackend):
    """Before the password check in AUTHENTICATION_BACKENDS (after single sign-on's backend, which answers only
    its own callback): refuses a locked-out user name or address before any password is
    checked (every sign-in form, the admin's included), and marks the request so the refusal is not audited."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        try:
            return super().authenticate(request, username=username, password=password, **kwargs)
        except AxesBackendPermissionDenied:
            request.sign_in_refused = True
            raise


def was_refused(request):
    """True when the throttle refused this attempt unchecked (the user name or address is locked out)."""
    return getattr(request, "sign_in_refused", False)


class SignInAttempts(AxesDatabaseHandler):
    """axes' database handler with a separate, larger limit per address.

    axes compares one number with one limit (AXES_FAILURE_LIMIT, the per-user-name limit); the failures of
    the address are scaled so that they reach it exactly when they reach the per-address limit.
    """

    def get_failures(self, request, credentials=None):
        by_name, by_address = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)  # AXES_LOCKOUT_PARAMETERS' order
        )
        limit = get_failure_limit(request, credentials)
        return max(by_name, by_address * limit // settings.SIGNIN_MAX_FAILURES_PER_ADDRESS)


def locked_out(request, original_response=None, credentials=None):
    """The answer to a locked-out sign-in (AXES_LOCKOUT_CALLABLE): it names no account and no address."""
    context = {"minutes": settings.SIGNIN_LOCKOUT_MINUTES}
    return render(request, "registration/locked_out.html", context, status=429)
