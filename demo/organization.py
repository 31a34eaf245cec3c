"""The demo organization in Posture's database: its accounts discovered, named and labelled.

Import after django.setup(): the launcher configures Django in its own process first.
"""

from accounts.models import AwsAccount
from accounts.organizations import discover
from demo.estate import ROLE_NAME

ACCOUNT_LABELS = {
    "shared-security": {"env": "prod", "team": "security"},
    "payments-prod": {"env": "prod", "team": "payments"},
    "analytics-prod": {"env": "prod", "team": "data"},
    "platform-staging": {"env": "staging", "team": "platform"},
    "sandbox-dev": {"env": "dev", "team": "engineering"},
}


def register_accounts(estate, at=None):
    """Discover the organization's accounts (idempotent); rows it creates date from `at` when given."""
    found = discover(estate.management_account_id, ROLE_NAME, regions=list(estate.regions))
    # moto calls the management account "master"; the demo story calls it shared-security.
    AwsAccount.objects.filter(account_id=estate.management_account_id).update(name=estate.management.name)
    for account in estate.accounts:
        AwsAccount.objects.filter(account_id=account.account_id, labels={}).update(
            labels=ACCOUNT_LABELS.get(account.name, {})
        )
    if at is not None:  # the history discovers a joining account on the day it joined
        AwsAccount.objects.filter(pk__in=[row.pk for row in found.created]).update(created_at=at)
    return found


def registered(estate):
    """The estate's accounts that Posture knows and scans, in the estate's order."""
    rows = {row.account_id: row for row in AwsAccount.objects.enabled()}
    return [rows[account.account_id] for account in estate.accounts if account.account_id in rows]


def all_registered(estate):
    return len(registered(estate)) == len(estate.accounts)
