"""The demo's single sign-on: "Sign in with Demo SSO", through demo/sso_provider.py on its own port.

The provider approves one person, Dana, at once (there is no password to type): an operator in the payments
team, so she sees payments-prod only. The launcher (demo/run.py) writes the provider's configuration under
var/, starts it before the web server, and gives every Posture process the POSTURE_OIDC_* variables below,
unless the user set POSTURE_OIDC_ISSUER themselves.
"""

import json

PROVIDER_NAME = "Demo SSO"
CLIENT_ID = "posture-demo"
PERSON = {
    "sub": "demo-sso-0001",
    "email": "dana@example.com",
    "name": "Dana Ortiz",
    "given_name": "Dana",
    "family_name": "Ortiz",
    "preferred_username": "dana",
    "groups": ["posture-operators", "payments-engineers"],
}
GROUP_ROLES = "posture-admins=admin,posture-operators=operator,posture-auditors=auditor,posture-viewers=viewer"
GROUP_TEAMS = {"payments-engineers": "payments", "data-engineers": "data"}
ALL_ACCOUNTS_GROUPS = "posture-security"


def issuer(sso_port):
    return f"http://127.0.0.1:{sso_port}"


def provider_config(sso_port, web_port, client_secret, person=PERSON):
    """The provider's configuration file: Posture as its one client, reachable as 127.0.0.1 or localhost."""
    return {
        "issuer": issuer(sso_port),
        "client_id": CLIENT_ID,
        "client_secret": client_secret,
        "redirect_uris": [f"http://{host}:{web_port}/oidc/callback/" for host in ("127.0.0.1", "localhost")],
        "person": person,
        "sign_with_unpublished_key": False,
    }


def write_provider_config(path, sso_port, web_port, client_secret):
    path.write_text(json.dumps(provider_config(sso_port, web_port, client_secret), indent=2) + "\n")


def environment(sso_port, client_secret):
    """Posture's POSTURE_OIDC_* variables for the demo provider (plain http: the demo runs with DEBUG)."""
    return {
        "POSTURE_OIDC_ISSUER": issuer(sso_port),
        "POSTURE_OIDC_CLIENT_ID": CLIENT_ID,
        "POSTURE_OIDC_CLIENT_SECRET": client_secret,
        "POSTURE_OIDC_PROVIDER_NAME": PROVIDER_NAME,
        "POSTURE_OIDC_SCOPES": "openid email profile groups",
        "POSTURE_OIDC_GROUP_ROLES": GROUP_ROLES,
        "POSTURE_OIDC_GROUP_TEAMS": ",".join(f"{group}={team}" for group, team in GROUP_TEAMS.items()),
        "POSTURE_OIDC_ALL_ACCOUNTS_GROUPS": ALL_ACCOUNTS_GROUPS,
    }


def give_teams_their_accounts():
    """The mapped teams hold the accounts labelled with their name (team=payments), so that Dana sees
    payments-prod. Idempotent; needs django.setup()."""
    from accounts.models import AwsAccount, Team

    for name in GROUP_TEAMS.values():
        team, _ = Team.objects.get_or_create(name=name)
        team.accounts.add(*AwsAccount.objects.filter(labels__team=name))


def who():
    """One line for the banner: who "Sign in with Demo SSO" signs in as."""
    return f"{PERSON['email']} (operator, team payments: sees payments-prod only)"
