"""Issue, check, record and revoke API tokens; what a token may see and do.

A token acts as its owner, narrowed: its role is the lower of the owner's and its own, and its accounts are
the owner's visible accounts (accounts.visibility, the one rule), cut down to the token's own list if it has one.
"""

import hashlib
import secrets
from datetime import timedelta

from django.utils import timezone

from accounts.visibility import visible_accounts
from api.models import ApiToken
from dashboard.permissions import ROLES, role_of

PREFIX = "pst_"
MAX_DAYS = 365
DEFAULT_DAYS = 90
SHOWN_CHARS = 12  # of the secret, kept in clear as ApiToken.prefix


class TokenError(ValueError):
    """A token that cannot be issued as asked (a role above the owner's, an account they cannot see …)."""


class TokenRefused(Exception):
    """A presented token that does not open the API: unknown, revoked, expired, or its owner is inactive."""


def digest(secret):
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret():
    return PREFIX + secrets.token_urlsafe(32)  # 256 random bits


def lower_role(first, second):
    """The lower of two roles ("" or None: no narrowing)."""
    held = [role for role in (first, second) if role]
    return min(held, key=ROLES.index) if held else None


def roles_up_to(user):
    """The roles a token of `user` may carry: theirs and below."""
    held = role_of(user)
    return ROLES[: ROLES.index(held) + 1] if held else ()


def issue(user, name, days=DEFAULT_DAYS, role="", accounts=()):
    """A new token for `user`; returns (token, secret). The secret exists only in this return value."""
    if not 1 <= days <= MAX_DAYS:
        raise TokenError(f"A token lasts 1 to {MAX_DAYS} days, not {days}.")
    if role and role not in roles_up_to(user):
        raise TokenError(f"A token cannot hold the {role} role: its owner holds {role_of(user) or 'no role'}.")
    accounts = list(accounts)
    visible = set(visible_accounts(user).filter(pk__in=[a.pk for a in accounts]).values_list("pk", flat=True))
    if len(visible) != len({a.pk for a in accounts}):
        raise TokenError("A token can only be narrowed to accounts its owner can see.")
    secret = new_secret()
    now = timezone.now()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=secret[:SHOWN_CHARS],
        secret_hash=digest(secret),
        created_at=now,
        expires_at=now + timedelta(days=days),
        role=role,
    )
    token.accounts.set(accounts)
    return token, secret


def check(secret, at=None):
    """The token whose secret this is, or TokenRefused saying why (unknown, revoked, expired, owner inactive)."""
    at = at or timezone.now()
    if not secret.startswith(PREFIX) or len(secret) > 200:
        raise TokenRefused("This is not a Posture API token (they start with pst_).")
    token = ApiToken.objects.select_related("user").filter(secret_hash=digest(secret)).first()
    if token is None:
        raise TokenRefused("Unknown API token.")
    if token.is_revoked():
        raise TokenRefused(f"This API token was revoked on {token.revoked_at:%Y-%m-%d}.")
    if token.is_expired(at):
        raise TokenRefused(f"This API token expired on {token.expires_at:%Y-%m-%d}.")
    if not token.user.is_active:
        raise TokenRefused("The owner of this API token is inactive.")
    return token


def record_use(token, address, at=None):
    """Every use is recorded: when, and from which address (dashboard.signin.client_address)."""
    at = at or timezone.now()
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=at, last_used_from=address)
    token.last_used_at, token.last_used_from = at, address


def revoke(token, at=None):
    """Revoke a token now; False when it already was."""
    at = at or timezone.now()
    done = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=at)
    token.refresh_from_db(fields=["revoked_at"])
    return bool(done)


def token_role(token):
    """What the token may do: the lower of its owner's role and its own."""
    return lower_role(role_of(token.user), token.role)


def token_accounts(token):
    """The AwsAccount queryset the token may see: its owner's, narrowed to the token's accounts if it names any."""
    accounts = visible_accounts(token.user)
    if token.accounts.exists():
        accounts = accounts.filter(pk__in=token.accounts.values("pk"))
    return accounts
