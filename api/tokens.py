"""Issue, check, record and revoke API tokens; what a token may see and do.

A token acts as its owner, narrowed: its role is the lower of the owner's and its own, and its accounts are
the owner's visible accounts (accounts.visibility, the one rule), cut down to the token's own list if it has one.
"""

import hashlib
import secrets
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from accounts.models import AwsAccount, Team
from accounts.visibility import only_visible, sees_all_accounts, visible_accounts
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


def owner_teams(user):
    """The teams a token of `user` may be narrowed to: their own, or any team for people who see every account."""
    return Team.objects.all() if sees_all_accounts(user) else Team.objects.filter(members=user)


def issue(user, name, days=DEFAULT_DAYS, role="", accounts=(), teams=()):
    """A new token for `user`; returns (token, secret). The secret exists only in this return value."""
    if not 1 <= days <= MAX_DAYS:
        raise TokenError(f"A token lasts 1 to {MAX_DAYS} days, not {days}.")
    if role and role not in roles_up_to(user):
        raise TokenError(f"A token cannot hold the {role} role: its owner holds {role_of(user) or 'no role'}.")
    accounts, teams = list(accounts), list(teams)
    visible = set(visible_accounts(user).filter(pk__in=[a.pk for a in accounts]).values_list("pk", flat=True))
    if len(visible) != len({a.pk for a in accounts}):
        raise TokenError("A token can only be narrowed to accounts its owner can see.")
    if owner_teams(user).filter(pk__in=[t.pk for t in teams]).count() != len({t.pk for t in teams}):
        raise TokenError("A token can only be narrowed to its owner's teams.")
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
    token.teams.set(teams)
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


def narrowing(token):
    """Q over AwsAccount for the accounts a token names (its accounts and its teams' accounts), or None if it
    names none (it sees all its owner sees). Read once per token object."""
    if not hasattr(token, "_narrowing"):
        named = Q(pk__in=token.accounts.values("pk")) | Q(
            pk__in=Team.accounts.through.objects.filter(team__in=token.teams.values("pk")).values("awsaccount_id")
        )
        token._narrowing = named if token.accounts.exists() or token.teams.exists() else None
    return token._narrowing


def token_accounts(token):
    """The AwsAccount queryset the token may see: its owner's (accounts.visibility), narrowed to what it names."""
    accounts = visible_accounts(token.user)
    named = narrowing(token)
    return accounts if named is None else accounts.filter(named)


def only_tokens(queryset, token, field="account"):
    """`queryset` narrowed to rows whose `field` (an AwsAccount foreign key) the token may see."""
    rows = only_visible(queryset, token.user, field)
    named = narrowing(token)
    return rows if named is None else rows.filter(**{f"{field}__in": AwsAccount.objects.filter(named).values("pk")})
