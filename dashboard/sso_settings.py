"""Single sign-on's settings, read from the environment by posture/settings.py and checked at start-up.

Pure: a mapping of variables in, a dict of Django settings out (mozilla-django-oidc's OIDC_* names and
Posture's SSO_* names), or ImproperlyConfigured naming the variable that is wrong. See README "Single sign-on".
"""

from urllib.parse import urlparse

from django.core.exceptions import ImproperlyConfigured

from dashboard.permissions import ROLES

SIGNING_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
ENDPOINTS = {  # variable -> mozilla-django-oidc setting; each is read from the discovery document when unset
    "POSTURE_OIDC_AUTHORIZATION_ENDPOINT": "OIDC_OP_AUTHORIZATION_ENDPOINT",
    "POSTURE_OIDC_TOKEN_ENDPOINT": "OIDC_OP_TOKEN_ENDPOINT",
    "POSTURE_OIDC_USERINFO_ENDPOINT": "OIDC_OP_USER_ENDPOINT",
    "POSTURE_OIDC_JWKS_URI": "OIDC_OP_JWKS_ENDPOINT",
}
VARIABLES = (  # every variable read() reads: README and .env.example document each (tests/test_settings.py)
    "POSTURE_LOCAL_PASSWORDS",
    "POSTURE_OIDC_ISSUER",
    "POSTURE_OIDC_CLIENT_ID",
    "POSTURE_OIDC_CLIENT_SECRET",
    "POSTURE_OIDC_PROVIDER_NAME",
    "POSTURE_OIDC_SCOPES",
    "POSTURE_OIDC_GROUPS_CLAIM",
    "POSTURE_OIDC_USERNAME_CLAIM",
    "POSTURE_OIDC_GROUP_ROLES",
    "POSTURE_OIDC_GROUP_TEAMS",
    "POSTURE_OIDC_ALL_ACCOUNTS_GROUPS",
    "POSTURE_OIDC_SUPERUSER_GROUPS",
    "POSTURE_OIDC_DEFAULT_ROLE",
    "POSTURE_OIDC_REDIRECT_URI",
    "POSTURE_OIDC_SIGNING_ALGORITHM",
    *ENDPOINTS,
)
THROTTLE = "dashboard.signin.SignInThrottle"
PASSWORDS = "django.contrib.auth.backends.ModelBackend"
SSO_BACKEND = "dashboard.sso.IdentityProviderBackend"


def sign_in_backends(sso_enabled, local_passwords):
    """AUTHENTICATION_BACKENDS: the provider's first (it answers only its own callback, so its sign-ins never
    meet the password throttle), then the throttle, then the password check unless local passwords are off
    (the throttle stays: django-axes expects it, and a flood at a password form is still limited)."""
    return [*([SSO_BACKEND] if sso_enabled else []), THROTTLE, *([PASSWORDS] if local_passwords else [])]


def group_mapping(name, text, allowed=None):
    """'group=value,group=value' as {group: [values]}; a group may be named more than once."""
    mapping = {}
    for item in (part.strip() for part in text.split(",")):
        if not item:
            if text.strip():
                raise ImproperlyConfigured(f"{name} has an empty item; write group=value pairs separated by commas.")
            continue
        group, separator, value = (part.strip() for part in item.partition("="))
        if not separator or not group or not value:
            raise ImproperlyConfigured(f"{name}: {item!r} is not group=value (for example posture-admins=admin).")
        if allowed is not None and value not in allowed:
            raise ImproperlyConfigured(f"{name}: {value!r} is not one of {', '.join(allowed)} (in {item!r}).")
        mapping.setdefault(group, [])
        if value not in mapping[group]:
            mapping[group].append(value)
    return mapping


def group_list(name, text):
    """'group,group' as a list of names; empty text is an empty list."""
    groups = [group.strip() for group in text.split(",")] if text.strip() else []
    if any(not group for group in groups):
        raise ImproperlyConfigured(f"{name} must be group names separated by commas, not {text!r}.")
    return groups


def team_mapping(text):
    """POSTURE_OIDC_GROUP_TEAMS, whose team names must be valid ones (accounts.validation)."""
    from django.core.exceptions import ValidationError

    from accounts.validation import validate_team_name

    mapping = group_mapping("POSTURE_OIDC_GROUP_TEAMS", text)
    for team in (team for teams in mapping.values() for team in teams):
        try:
            validate_team_name(team)
        except ValidationError as error:
            raise ImproperlyConfigured(f"POSTURE_OIDC_GROUP_TEAMS: {error.messages[0]}") from None
    return mapping


def checked_url(name, value, require_https):
    parsed = urlparse(value)
    if parsed.scheme not in ("https", "http") or not parsed.netloc:
        raise ImproperlyConfigured(f"{name} must be an https:// URL, not {value!r}.")
    if require_https and parsed.scheme != "https":
        raise ImproperlyConfigured(f"{name} must use https:// (plain http:// only with DEBUG=true), not {value!r}.")
    if parsed.username or parsed.password:
        raise ImproperlyConfigured(f"{name} must not carry a user name or password.")
    return value


def read(environ, debug):
    """The sign-in settings from `environ`; SSO is on when POSTURE_OIDC_ISSUER is set."""

    def get(name):
        return environ.get(name, "").strip()

    def groups(name):
        return group_list(name, get(name))

    require_https = not debug
    issuer = get("POSTURE_OIDC_ISSUER")  # as the provider writes it: tokens must name it exactly
    local_passwords = (get("POSTURE_LOCAL_PASSWORDS") or "true").lower()  # empty (.env.example) is the default
    if local_passwords not in ("true", "false"):
        raise ImproperlyConfigured(f"POSTURE_LOCAL_PASSWORDS must be true or false, not {local_passwords!r}.")
    local_passwords = local_passwords == "true"
    if not issuer and not local_passwords:
        raise ImproperlyConfigured(
            "POSTURE_LOCAL_PASSWORDS=false needs single sign-on: set POSTURE_OIDC_ISSUER "
            "(and the client id and secret), or nobody could sign in."
        )
    settings = {
        "SSO_ENABLED": bool(issuer),
        "LOCAL_PASSWORDS": local_passwords,
        "AUTHENTICATION_BACKENDS": sign_in_backends(bool(issuer), local_passwords),
        "SSO_ISSUER": checked_url("POSTURE_OIDC_ISSUER", issuer, require_https) if issuer else "",
        "SSO_REQUIRE_HTTPS": require_https,
        "SSO_PROVIDER_NAME": get("POSTURE_OIDC_PROVIDER_NAME") or "single sign-on",
        "SSO_GROUPS_CLAIM": get("POSTURE_OIDC_GROUPS_CLAIM") or "groups",
        "SSO_USERNAME_CLAIM": get("POSTURE_OIDC_USERNAME_CLAIM") or "email",
        "SSO_GROUP_ROLES": group_mapping("POSTURE_OIDC_GROUP_ROLES", get("POSTURE_OIDC_GROUP_ROLES"), ROLES),
        "SSO_GROUP_TEAMS": team_mapping(get("POSTURE_OIDC_GROUP_TEAMS")),
        "SSO_ALL_ACCOUNTS_GROUPS": groups("POSTURE_OIDC_ALL_ACCOUNTS_GROUPS"),
        "SSO_SUPERUSER_GROUPS": groups("POSTURE_OIDC_SUPERUSER_GROUPS"),
        "SSO_DEFAULT_ROLE": get("POSTURE_OIDC_DEFAULT_ROLE"),
        "SSO_REDIRECT_URI": get("POSTURE_OIDC_REDIRECT_URI"),
        "OIDC_RP_CLIENT_ID": get("POSTURE_OIDC_CLIENT_ID"),
        "OIDC_RP_CLIENT_SECRET": environ.get("POSTURE_OIDC_CLIENT_SECRET", ""),
        "OIDC_RP_SCOPES": " ".join((get("POSTURE_OIDC_SCOPES") or "openid email profile").split()),
        "OIDC_RP_SIGN_ALGO": get("POSTURE_OIDC_SIGNING_ALGORITHM") or "RS256",
        "OIDC_TIMEOUT": 10,
        # The library's defaults, written out because security rests on them: state and nonce are checked,
        # PKCE (S256) binds the code to this browser's session, signatures are verified against the JWKS.
        "OIDC_USE_NONCE": True,
        "OIDC_USE_PKCE": True,
        "OIDC_VERIFY_SSL": True,
        "OIDC_ALLOW_UNSECURED_JWT": False,
        "OIDC_CREATE_USER": True,
        "LOGIN_REDIRECT_URL_FAILURE": "login",
    }
    for variable, setting in ENDPOINTS.items():
        value = get(variable)
        settings[setting] = checked_url(variable, value, require_https) if value else ""
    if issuer and (not settings["OIDC_RP_CLIENT_ID"] or not settings["OIDC_RP_CLIENT_SECRET"]):
        raise ImproperlyConfigured("POSTURE_OIDC_CLIENT_ID and POSTURE_OIDC_CLIENT_SECRET are required with SSO.")
    if "openid" not in settings["OIDC_RP_SCOPES"].split():
        raise ImproperlyConfigured("POSTURE_OIDC_SCOPES must include openid.")
    if settings["OIDC_RP_SIGN_ALGO"] not in SIGNING_ALGORITHMS:
        raise ImproperlyConfigured(
            f"POSTURE_OIDC_SIGNING_ALGORITHM must be one of {', '.join(SIGNING_ALGORITHMS)} "
            f"(signatures are checked against the provider's published keys), not {settings['OIDC_RP_SIGN_ALGO']!r}."
        )
    if settings["SSO_DEFAULT_ROLE"] and settings["SSO_DEFAULT_ROLE"] not in ROLES:
        raise ImproperlyConfigured(
            f"POSTURE_OIDC_DEFAULT_ROLE must be empty (refuse people without a mapped group) or one of "
            f"{', '.join(ROLES)}, not {settings['SSO_DEFAULT_ROLE']!r}."
        )
    if settings["SSO_REDIRECT_URI"]:
        checked_url("POSTURE_OIDC_REDIRECT_URI", settings["SSO_REDIRECT_URI"], require_https)
        if not urlparse(settings["SSO_REDIRECT_URI"]).path.endswith("/oidc/callback/"):
            raise ImproperlyConfigured("POSTURE_OIDC_REDIRECT_URI must be Posture's callback, ending /oidc/callback/.")
    return settings
