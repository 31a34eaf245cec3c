"""Which accounts a person may see: the one place every page, fragment, export, notification and API answer asks.

Admins (and superusers) and members of the "all accounts" group see every account; everyone else sees the
accounts of their teams (accounts.Team); nobody signed in sees none. Roles say what a person may do, this says
where.
"""

from django.contrib.auth.models import Group

from accounts.models import AwsAccount, Team
from dashboard.permissions import ADMIN, group_names

ALL_ACCOUNTS = "all accounts"  # a Django group: its members see every account whatever their teams


def sees_all_accounts(user):
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    names = group_names(user)
    return ADMIN in names or ALL_ACCOUNTS in names


def visible_accounts(user):
    """The AwsAccount queryset `user` may see (lazy: it adds no query of its own)."""
    if not getattr(user, "is_authenticated", False):
        return AwsAccount.objects.none()
    if sees_all_accounts(user):
        return AwsAccount.objects.all()
    return AwsAccount.objects.filter(pk__in=visible_account_ids(user))


def visible_account_ids(user):
    """The primary keys of the accounts `user` may see, as a subquery (`account_id__in=...`)."""
    if not getattr(user, "is_authenticated", False):
        return AwsAccount.objects.none().values("pk")
    if sees_all_accounts(user):
        return AwsAccount.objects.values("pk")
    return Team.accounts.through.objects.filter(team__members=user).values("awsaccount_id")


def only_visible(queryset, user, field="account"):
    """`queryset` narrowed to rows whose `field` (an AwsAccount foreign key) `user` may see.

    Left whole for people who see every account, so their queries carry no subquery.
    """
    if getattr(user, "is_authenticated", False) and sees_all_accounts(user):
        return queryset
    return queryset.filter(**{f"{field}__in": visible_account_ids(user)})


def narrowed_accounts(user):
    """None when `user` sees every account (nothing to narrow), else the queryset of the accounts they see."""
    if getattr(user, "is_authenticated", False) and sees_all_accounts(user):
        return None
    return visible_accounts(user)


def may_see(user, account):
    """Whether `user` may see `account` (an AwsAccount)."""
    return sees_all_accounts(user) or visible_accounts(user).filter(pk=account.pk).exists()


def set_sees_all_accounts(user, on):
    group, _ = Group.objects.get_or_create(name=ALL_ACCOUNTS)
    if on:
        user.groups.add(group)
    else:
        user.groups.remove(group)
    user.__dict__.pop("_posture_groups", None)
    user.__dict__.pop("_posture_role", None)
