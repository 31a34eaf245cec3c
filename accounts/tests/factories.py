import factory
from django.contrib.auth.models import Group, User

from accounts.models import AwsAccount, Team
from accounts.visibility import ALL_ACCOUNTS


class AwsAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AwsAccount
        django_get_or_create = ("account_id",)

    account_id = factory.Sequence(lambda n: f"{100000000000 + n:012d}")
    name = factory.Sequence(lambda n: f"account-{n}")
    regions = factory.LazyFunction(lambda: ["us-east-1"])


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"team-{n}")


def make_user(username, role, teams=None):
    """A user holding `role` ("superuser" too); they see every account (the "all accounts" group) unless
    `teams` names the teams they belong to."""
    user = User.objects.create_user(username=username, password="a-long-test-password")  # noqa: S106
    if role == "superuser":
        user.is_superuser = True
        user.save()
    elif role:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    if teams is None:
        user.groups.add(Group.objects.get_or_create(name=ALL_ACCOUNTS)[0])
    for team in teams or ():
        team.members.add(user)
    return user
