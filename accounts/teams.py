"""Teams: set a team's accounts and members (the Teams page and `manage.py team` share this), and the
discovery rule that puts an account into teams from its Organizations OU or its `team` label."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import AwsAccount, Team

TEAM_LABEL = "team"


class TeamError(ValueError):
    """A team change that cannot be made as asked (unknown accounts or people, an invalid name)."""


def find_accounts(account_ids):
    """The AwsAccount rows of `account_ids` (12-digit ids), or TeamError naming every unknown one."""
    wanted = list(dict.fromkeys(account_ids))
    found = {account.account_id: account for account in AwsAccount.objects.filter(account_id__in=wanted)}
    unknown = [account_id for account_id in wanted if account_id not in found]
    if unknown:
        raise TeamError(f"Unknown account id(s): {', '.join(unknown)} (add them first: manage.py add_account).")
    return [found[account_id] for account_id in wanted]


def find_people(usernames):
    """The users named `usernames`, or TeamError naming every unknown one."""
    wanted = list(dict.fromkeys(usernames))
    user_model = get_user_model()
    found = {user.get_username(): user for user in user_model.objects.filter(**{"username__in": wanted})}
    unknown = [name for name in wanted if name not in found]
    if unknown:
        raise TeamError(f"Unknown user(s): {', '.join(unknown)}.")
    return [found[name] for name in wanted]


@transaction.atomic
def save_team(name, account_ids, usernames=None):
    """Create or update team `name` with exactly these accounts (and members, when given). Everything is
    checked before anything is written: on an error nothing changes. Returns (team, created)."""
    accounts = find_accounts(account_ids)
    people = find_people(usernames) if usernames is not None else None
    team = Team.objects.filter(name=name).first()
    created = team is None
    if created:
        team = Team(name=name)
        try:
            team.full_clean()
        except ValidationError as error:
            raise TeamError("; ".join(m for messages in error.message_dict.values() for m in messages)) from None
        team.save()
    team.accounts.set(accounts)
    if people is not None:
        team.members.set(people)
    return team, created


def delete_team(name):
    deleted, _ = Team.objects.filter(name=name).delete()
    if not deleted:
        raise TeamError(f"No team is named {name!r}.")


# --- discovery -----------------------------------------------------------------------------------------


def teams_for(account, ou_names=(), teams=None):
    """The teams an account joins at discovery: the team named by its `team` label, and any team named like
    one of the organizational units it sits in (its parent OU and the OUs above it). Names match exactly,
    ignoring case. Teams are never created here, only joined: an admin decides which teams exist."""
    names = {name.casefold() for name in ou_names if name}
    label = (account.labels or {}).get(TEAM_LABEL) if isinstance(account.labels, dict) else None
    if isinstance(label, str) and label.strip():
        names.add(label.strip().casefold())
    if not names:
        return []
    return [team for team in (Team.objects.all() if teams is None else teams) if team.name.casefold() in names]


def join_discovered(account, ou_names=(), teams=None):
    """Add `account` to the teams discovery finds for it (never removes it from any: hand-made
    memberships stay). `teams`: every Team, read once by the caller. Returns the teams it joined."""
    teams = teams_for(account, ou_names, teams)
    for team in teams:
        team.accounts.add(account)
    return teams
