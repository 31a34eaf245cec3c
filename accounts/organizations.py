"""Discover an AWS Organization's accounts and keep their rows in step; test connections."""

import logging
from dataclasses import dataclass, field

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts import sessions
from accounts.models import AwsAccount, Organization, Team
from accounts.teams import join_discovered
from accounts.validation import without_nul

logger = logging.getLogger(__name__)


@dataclass
class Discovery:
    organization: Organization
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    disabled: list = field(default_factory=list)
    joined: dict = field(default_factory=dict)  # account id → names of the teams it joined


def role_arn(account_id, role_name):
    return f"arn:aws:iam::{account_id}:role/{role_name}"


def list_active_accounts(session):
    org = sessions.client(session, "organizations", settings.AWS_HOME_REGION)
    described = org.describe_organization()["Organization"]
    accounts = [
        account
        for page in org.get_paginator("list_accounts").paginate()
        for account in page["Accounts"]
        if account.get("Status", "ACTIVE") == "ACTIVE"
    ]
    return described, accounts


def management_session(management_account_id, role_name, external_id):
    """The dashboard's own credentials if they are the management account's, else its audit role."""
    own = sessions.own_session()
    identity = sessions.client(own, "sts", settings.AWS_HOME_REGION).get_caller_identity()
    if identity["Account"] == management_account_id:
        return own
    return sessions.assume_role_session(role_arn(management_account_id, role_name), external_id)


def discover(management_account_id, role_name, external_id="", regions=None):
    """Create or update a row for every ACTIVE account; disable (never delete) those that left."""
    session = management_session(management_account_id, role_name, external_id)
    described, accounts = list_active_accounts(session)
    # OUs are read only when there are teams to join: an estate without teams makes no extra calls.
    ous = organizational_units(session, accounts) if Team.objects.exists() else {}
    with transaction.atomic():
        organization, _ = Organization.objects.update_or_create(
            org_id=described["Id"],
            defaults={
                "management_account_id": described["MasterAccountId"],
                "role_name": role_name,
                "external_id": external_id,
                "discovered_at": timezone.now(),
            },
        )
        return sync_accounts(organization, accounts, role_name, external_id, regions, ous)


def organizational_units(session, accounts):
    """{account id: (parent id, [team names its OUs give, nearest first])}, each OU read once: the name of
    every OU it sits in, and the team POSTURE_TEAM_OUS names for any of those OUs' ids.

    An account whose OUs cannot be read (no organizations:ListParents or DescribeOrganizationalUnit) is
    discovered all the same and joins teams by its label only; the failure is logged.
    """
    org = sessions.client(session, "organizations", settings.AWS_HOME_REGION)
    above = {}  # OU id → names from it up to the root

    def names_from(ou_id):
        if ou_id not in above:
            name = org.describe_organizational_unit(OrganizationalUnitId=ou_id)["OrganizationalUnit"]["Name"]
            parent = parent_of(org, ou_id)
            mapped = [settings.TEAM_OUS[ou_id]] if ou_id in settings.TEAM_OUS else []
            above[ou_id] = [name, *mapped, *(names_from(parent["Id"]) if parent_is_ou(parent) else [])]
        return above[ou_id]

    found = {}
    for account in accounts:
        try:
            parent = parent_of(org, account["Id"])
            names = names_from(parent["Id"]) if parent_is_ou(parent) else []
        except (ClientError, BotoCoreError) as error:
            logger.warning("could not read the OUs of account %s: %s", account["Id"], describe_error(error))
            continue
        found[account["Id"]] = (parent["Id"] if parent else "", names)
    return found


def parent_of(org, child_id):
    parents = org.list_parents(ChildId=child_id)["Parents"]
    return parents[0] if parents else None


def parent_is_ou(parent):
    return parent is not None and parent.get("Type") == "ORGANIZATIONAL_UNIT"


def sync_accounts(organization, accounts, role_name, external_id, regions, ous=None):
    """Create or update the rows of `accounts`; each joins the teams accounts.teams finds for its OUs
    (`ous`: organizational_units()) and its `team` label."""
    ous = ous or {}
    teams = list(Team.objects.all())
    found = Discovery(organization)
    seen = set()
    existing = {
        row.account_id: row for row in AwsAccount.objects.filter(account_id__in=[account["Id"] for account in accounts])
    }
    for account in accounts:
        seen.add(account["Id"])
        row = existing.get(account["Id"])
        if row is None:
            row = AwsAccount(account_id=account["Id"], regions=list(regions or settings.AWS_DEFAULT_REGIONS))
            found.created.append(row)
        else:
            found.updated.append(row)
        row.name = without_nul(account.get("Name") or "")[:128] or account["Id"]
        row.organization = organization
        row.role_arn = role_arn(account["Id"], role_name)
        row.external_id = external_id
        row.is_enabled = True
        parent_id, ou_names = ous.get(account["Id"], (row.parent_id, []))
        row.parent_id = parent_id or ""
        row.full_clean()
        row.save()
        joined = join_discovered(row, ou_names, teams)
        if joined:
            found.joined[row.account_id] = [team.name for team in joined]
    left = AwsAccount.objects.filter(organization=organization, is_enabled=True).exclude(account_id__in=seen)
    found.disabled = list(left)
    left.update(is_enabled=False, last_error="The account is no longer an ACTIVE member of the organization.")
    return found


def describe_error(error):
    if isinstance(error, ClientError):
        info = error.response.get("Error", {})
        return f"{info.get('Code', 'Error')}: {info.get('Message', str(error))}"
    return f"{type(error).__name__}: {error}"


def test_connection(account):
    """Assume the audit role and ask STS who we are; record the outcome on the account."""
    try:
        session = sessions.for_account(account)
        identity = sessions.client(session, "sts", account.home_region).get_caller_identity()
        if identity["Account"] != account.account_id:
            raise ValueError(f"credentials belong to account {identity['Account']}, not {account.account_id}")
    except (ClientError, BotoCoreError, ValueError) as error:
        account.record_connection(describe_error(error))
        return False
    account.record_connection("")
    return True
