"""Single sign-on through the company's identity provider over OpenID Connect, by mozilla-django-oidc.

The library runs the authorization code flow (state, nonce and PKCE kept in the session and checked);
this module adds what Posture needs around it: endpoints from the provider's discovery document, an ID
token checked for issuer, audience and expiry as well as its signature, people found by the provider's
subject (never by e-mail address), roles and teams set from the groups claim at every sign-in, an audit
entry for every sign-in and refusal, and a clear message instead of an error page when anything fails.
Settings: dashboard/sso_settings.py (POSTURE_OIDC_*).
"""

import logging

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from accounts.models import Team
from accounts.visibility import set_sees_all_accounts
from dashboard import audit
from dashboard.models import SsoIdentity
from dashboard.permissions import ROLES
from dashboard.signin import client_address

log = logging.getLogger(__name__)

DISCOVERY_CACHE_SECONDS = 3600
CLOCK_SKEW_SECONDS = 60
REQUIRED_TOKEN_CLAIMS = ["iss", "aud", "sub", "exp", "iat"]


class Refused(Exception):
    """A sign-in through the provider that Posture refuses; the message is shown to the person."""


def provider_name():
    return settings.SSO_PROVIDER_NAME


# --- the groups claim: pure rules -------------------------------------------------------------------


def groups_of(claims):
    """The groups claim as a list of names; [] when the provider sent none."""
    value = claims.get(settings.SSO_GROUPS_CLAIM, [])
    if isinstance(value, str):
        value = [value]  # some providers send a single group as a string
    if not isinstance(value, list) or not all(isinstance(group, str) for group in value):
        raise Refused(f"the {settings.SSO_GROUPS_CLAIM!r} claim is not a list of group names.")
    return value


def roles_for(groups):
    """The roles the mapping gives these groups (POSTURE_OIDC_GROUP_ROLES), lowest first; the default role
    (POSTURE_OIDC_DEFAULT_ROLE) when none does; [] when there is no default either."""
    roles = {role for group in groups for role in settings.SSO_GROUP_ROLES.get(group, ())}
    if not roles and settings.SSO_DEFAULT_ROLE:
        roles = {settings.SSO_DEFAULT_ROLE}
    return [role for role in ROLES if role in roles]


def teams_for(groups):
    """The team names the mapping gives these groups (POSTURE_OIDC_GROUP_TEAMS), sorted."""
    return sorted({team for group in groups for team in settings.SSO_GROUP_TEAMS.get(group, ())})


def no_role_reason(claims):
    if settings.SSO_GROUPS_CLAIM not in claims:
        return (
            f"{provider_name()} sent no {settings.SSO_GROUPS_CLAIM!r} claim, so Posture cannot tell your role. "
            "Ask an administrator to have the provider send it."
        )
    return "you are in no group that gives a Posture role. Ask an administrator for access."


# --- the provider's discovery document --------------------------------------------------------------


def discovery():
    """The provider's /.well-known/openid-configuration, cached for an hour; it must name our issuer."""
    issuer = settings.SSO_ISSUER
    key = f"sso-discovery:{issuer}"
    document = cache.get(key)
    if document is None:
        url = f"{issuer.rstrip('/')}/.well-known/openid-configuration"
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
        if not isinstance(document, dict) or document.get("issuer") != issuer:
            raise Refused(f"{provider_name()}'s discovery document does not name the configured issuer {issuer}.")
        cache.set(key, document, DISCOVERY_CACHE_SECONDS)
    return document


def endpoint(setting, field):
    """An endpoint from its variable (POSTURE_OIDC_*_ENDPOINT) or else from the discovery document."""
    url = getattr(settings, setting) or discovery().get(field)
    if not isinstance(url, str) or not url:
        raise Refused(f"{provider_name()} publishes no {field}.")
    if settings.SSO_REQUIRE_HTTPS and not url.startswith("https://"):
        raise Refused(f"{provider_name()}'s {field} is not https://; Posture will not send secrets to it.")
    return url


# Google documents that its ID tokens name their issuer with or without the scheme.
ISSUER_ALIASES = {"https://accounts.google.com": "accounts.google.com"}


def token_issuers(issuer):
    """The `iss` values an ID token of this provider may carry: its issuer, exactly (and Google's alias)."""
    return [issuer, *([ISSUER_ALIASES[issuer]] if issuer in ISSUER_ALIASES else [])]


def fixed_redirect_uri():
    return {"redirect_uri": settings.SSO_REDIRECT_URI} if settings.SSO_REDIRECT_URI else {}


# --- sign-in: the backend ---------------------------------------------------------------------------


def forget_groups(user):
    for cached in ("_posture_groups", "_posture_role"):  # dashboard.permissions reads groups once per user object
        user.__dict__.pop(cached, None)


def set_roles(user, roles):
    """The user's role groups become exactly `roles`; other groups are left alone."""
    held = user.groups.filter(name__in=ROLES)
    user.groups.remove(*held.exclude(name__in=roles))
    user.groups.add(*(Group.objects.get_or_create(name=role)[0] for role in roles))
    forget_groups(user)


def set_teams(user, teams):
    """Membership of the teams the mapping names becomes exactly `teams` (a team not there yet is created,
    empty, for an administrator to give accounts); teams the mapping does not name are left alone."""
    managed = {team for values in settings.SSO_GROUP_TEAMS.values() for team in values}
    if not managed:
        return
    user.teams.remove(*user.teams.filter(name__in=managed).exclude(name__in=teams))
    user.teams.add(*(Team.objects.get_or_create(name=name)[0] for name in teams))


def in_superuser_group(groups):
    return any(group in settings.SSO_SUPERUSER_GROUPS for group in groups)


def set_superuser(user, groups):
    """With POSTURE_OIDC_SUPERUSER_GROUPS, Django's admin (staff and superuser) follows those groups."""
    if not settings.SSO_SUPERUSER_GROUPS:
        return None
    user.is_staff = user.is_superuser = in_superuser_group(groups)
    user.save(update_fields=["is_staff", "is_superuser"])
    forget_groups(user)
    return user.is_superuser


def set_all_accounts(user, groups):
    """With POSTURE_OIDC_ALL_ACCOUNTS_GROUPS, whether the person sees every account follows those groups."""
    if not settings.SSO_ALL_ACCOUNTS_GROUPS:
        return None
    sees_all = any(group in settings.SSO_ALL_ACCOUNTS_GROUPS for group in groups)
    set_sees_all_accounts(user, sees_all)
    return sees_all


class IdentityProviderBackend(OIDCAuthenticationBackend):
    """Answers only the provider's callback (a password sign-in is never its business)."""

    def authenticate(self, request, **kwargs):
        if request is None or not settings.SSO_ENABLED or "username" in kwargs or "password" in kwargs:
            return None
        self.OIDC_OP_TOKEN_ENDPOINT = endpoint("OIDC_OP_TOKEN_ENDPOINT", "token_endpoint")
        self.OIDC_OP_USER_ENDPOINT = endpoint("OIDC_OP_USER_ENDPOINT", "userinfo_endpoint")
        self.OIDC_OP_JWKS_ENDPOINT = endpoint("OIDC_OP_JWKS_ENDPOINT", "jwks_uri")
        return super().authenticate(request, **kwargs)

    def get_user(self, user_id):
        """The user of a session this backend opened: none once deactivated (the library's would keep them)."""
        user = super().get_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

    def get_token(self, payload):
        payload.update(fixed_redirect_uri())
        try:
            return super().get_token(payload)
        except requests.HTTPError as error:
            status = error.response.status_code if error.response is not None else "no answer"
            raise Refused(f"{provider_name()} did not accept the sign-in (token endpoint: {status}).") from error

    def retrieve_matching_jwk(self, token):
        try:
            return super().retrieve_matching_jwk(token)
        except (SuspiciousOperation, KeyError, ValueError, jwt.PyJWTError) as error:
            raise Refused(f"the token's signing key is not among {provider_name()}'s published keys.") from error

    def get_payload_data(self, token, key):
        """The token's claims, once its signature, algorithm, issuer, audience and lifetime are checked
        (the library itself checks only the signature and the nonce)."""
        try:
            return jwt.decode(
                token,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=token_issuers(settings.SSO_ISSUER),
                leeway=CLOCK_SKEW_SECONDS,
                options={"require": REQUIRED_TOKEN_CLAIMS},
            )
        except jwt.InvalidSignatureError as error:
            raise Refused(f"the token's signature does not match {provider_name()}'s published keys.") from error
        except jwt.PyJWTError as error:
            raise Refused(f"the token from {provider_name()} is not valid ({error}).") from error

    def get_userinfo(self, access_token, id_token, payload):
        """The ID token's claims with the userinfo endpoint's on top; both must be about the same subject."""
        try:
            userinfo = super().get_userinfo(access_token, id_token, payload)
        except requests.HTTPError as error:
            raise Refused(f"{provider_name()} would not say who you are (userinfo endpoint).") from error
        if not isinstance(userinfo, dict) or userinfo.get("sub") != payload.get("sub"):
            raise Refused(f"{provider_name()}'s userinfo is about someone other than its token.")
        return {**payload, **userinfo}

    def verify_claims(self, claims):
        for name in ("sub", settings.SSO_USERNAME_CLAIM):
            if not isinstance(claims.get(name), str) or not claims[name].strip():
                raise Refused(f"{provider_name()} sent no {name!r} claim.")
        return True

    def filter_users_by_claims(self, claims):
        return get_user_model().objects.filter(
            sso_identity__issuer=settings.SSO_ISSUER, sso_identity__subject=claims["sub"]
        )

    def create_user(self, claims):
        groups = groups_of(claims)
        if not roles_for(groups) and not in_superuser_group(groups):
            raise Refused(no_role_reason(claims))
        username = claims[settings.SSO_USERNAME_CLAIM].strip()[:150]
        users = get_user_model().objects
        if users.filter(username__iexact=username).exists():
            raise Refused(
                f"a Posture user named {username!r} already exists and was not made by {provider_name()}; "
                "an administrator must rename or remove it first."
            )
        with transaction.atomic():
            user = users.create_user(username)  # no usable password: this person signs in only through SSO
            SsoIdentity.objects.create(user=user, issuer=settings.SSO_ISSUER, subject=claims["sub"])
        return self.update_user(user, claims, created=True)

    def update_user(self, user, claims, created=False):
        """Roles and teams from the groups claim (a role whose group is gone is taken away), e-mail and name
        from the claims. Refuses a deactivated user, and one left without a role (after taking it away)."""
        if not user.is_active:
            raise Refused("your Posture user is deactivated.")
        groups = groups_of(claims)
        roles, teams = roles_for(groups), teams_for(groups)
        held = set(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
        roles_were = [role for role in ROLES if role in held]
        with transaction.atomic():
            set_roles(user, roles)
            set_teams(user, teams)
            sees_all = set_all_accounts(user, groups)
            superuser = set_superuser(user, groups)
            user.email = claims.get("email", user.email) or ""
            user.first_name = str(claims.get("given_name", user.first_name) or "")[:150]
            user.last_name = str(claims.get("family_name", user.last_name) or "")[:150]
            user.save(update_fields=["email", "first_name", "last_name"])
            SsoIdentity.objects.filter(user=user).update(last_sign_in_at=timezone.now(), groups=groups)
        if not roles and not superuser:
            raise Refused(no_role_reason(claims))
        user.sign_in_details = {"method": "sso", "provider": provider_name(), "roles": roles, "teams": teams}
        if sees_all is not None:
            user.sign_in_details["all_accounts"] = sees_all
        if superuser is not None:
            user.sign_in_details["superuser"] = superuser
        if created:
            user.sign_in_details["created"] = True
        elif roles_were != roles:
            user.sign_in_details["roles_were"] = roles_were
        return user


# --- sign-in: the views -----------------------------------------------------------------------------


def worth_auditing(request):
    """True for the first POSTURE_SIGNIN_MAX_FAILURES_PER_ADDRESS refusals from one address in the lockout window:
    anyone can call the callback, and a flood of forged ones must not fill the audit log (the password forms'
    rule, dashboard.signin). Counted in the cache, shared by every web worker when POSTURE_CACHE_URL is set."""
    key = f"sso-refusals:{client_address(request)}"
    cache.add(key, 0, timeout=settings.SIGNIN_LOCKOUT_MINUTES * 60)
    try:
        return cache.incr(key) <= settings.SIGNIN_MAX_FAILURES_PER_ADDRESS
    except ValueError:  # expired between add and incr
        return True


def refuse(request, reason, detail=""):
    """Back to the sign-in page with the reason; the refusal is audited (up to a limit per address)."""
    if worth_auditing(request):
        audit.record(request, audit.Action.SIGN_IN_FAILED, method="sso", reason=reason, detail=detail[:500])
    else:
        log.warning("SSO sign-in refused (not audited: too many from this address): %s", reason)
    messages.error(request, f"Sign-in with {provider_name()} failed: {reason}")
    return redirect(settings.LOGIN_URL)


class SignInStart(OIDCAuthenticationRequestView):
    """Sends the browser to the provider with a fresh state, nonce and PKCE challenge."""

    def get(self, request):
        if not settings.SSO_ENABLED:
            raise Http404("Single sign-on is not configured.")
        try:
            self.OIDC_OP_AUTH_ENDPOINT = endpoint("OIDC_OP_AUTHORIZATION_ENDPOINT", "authorization_endpoint")
        except Refused as refused:
            return refuse(request, str(refused))
        except (requests.RequestException, ValueError) as error:
            return refuse(request, f"{provider_name()} could not be reached. Try again in a minute.", repr(error))
        return super().get(request)

    def get_extra_params(self, request):
        return {**super().get_extra_params(request), **fixed_redirect_uri()}


class SignInCallback(OIDCAuthenticationCallbackView):
    """Where the provider sends the browser back: the library checks state, nonce and PKCE; failures of
    any kind become a message on the sign-in page, never an error page."""

    def get(self, request):
        if not settings.SSO_ENABLED:
            raise Http404("Single sign-on is not configured.")
        try:
            return super().get(request)
        except Refused as refused:
            return refuse(request, str(refused))
        except SuspiciousOperation as error:
            log.warning("SSO sign-in refused: %s", error)
            reason = "the answer could not be verified (it expired, was used already or was tampered with)."
            return refuse(request, f"{reason} Please start again.", str(error))
        except (requests.RequestException, ValueError) as error:
            log.warning("SSO provider unreachable: %r", error)
            return refuse(request, f"{provider_name()} could not be reached. Try again in a minute.", repr(error))

    def login_failure(self):
        error = self.request.GET.get("error")
        if error:
            description = self.request.GET.get("error_description", "")[:200]
            said = f"{error}: {description}" if description else error
            return refuse(self.request, f"{provider_name()} answered {said}.")
        return refuse(self.request, "this sign-in expired or was started in another browser. Please start again.")


sign_in_start = login_not_required(SignInStart.as_view())
sign_in_callback = login_not_required(SignInCallback.as_view())
