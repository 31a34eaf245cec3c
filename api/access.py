"""Who may use the API: Bearer tokens (DRF authentication), the pages' roles (a permission), a per-token rate."""

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission
from rest_framework.throttling import SimpleRateThrottle

from api import tokens
from dashboard.permissions import ROLES, VIEWER
from dashboard.signin import client_address


class BearerToken(BaseAuthentication):
    """`Authorization: Bearer pst_…`; request.user is the owner, request.auth the ApiToken. No sessions, so no CSRF."""

    keyword = "Bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Send the token as: Authorization: Bearer <token>.")
        try:
            token = tokens.check(parts[1].decode("ascii"))
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("The token holds characters a token never has.") from None
        except tokens.TokenRefused as refused:
            raise exceptions.AuthenticationFailed(str(refused)) from None
        tokens.record_use(token, client_address(request._request))
        return token.user, token

    def authenticate_header(self, request):
        return f'{self.keyword} realm="api"'


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI document names the Bearer token."""

    target_class = BearerToken
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "An API token from your profile page (pst_…)."}


class RoleRequired(BasePermission):
    """The role a page needs, held by the token (the lower of its owner's role and its own)."""

    role = VIEWER

    def has_permission(self, request, view):
        held = tokens.token_role(request.auth) if request.auth is not None else None
        if held is None or ROLES.index(held) < ROLES.index(self.role):
            self.message = f"This needs the {self.role} role; this token holds {held or 'none'}."
            return False
        return True


def role_permission(role):
    return type(f"{role.title()}Required", (RoleRequired,), {"role": role})


class TokenRate(SimpleRateThrottle):
    """POSTURE_API_RATE_LIMIT requests per token (e.g. "600/minute"), counted in the cache all workers share."""

    scope = "token"

    def get_rate(self):
        return settings.API_RATE_LIMIT

    def get_cache_key(self, request, view):
        if request.auth is not None:
            return self.cache_format % {"scope": self.scope, "ident": f"token-{request.auth.pk}"}
        return self.cache_format % {"scope": self.scope, "ident": client_address(request._request) or "unknown"}
