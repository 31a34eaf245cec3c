"""Which accounts a person may see: the one place every page, fragment, export, notification and API answer asks."""

from accounts.models import AwsAccount


def visible_accounts(user):
    """The AwsAccount queryset `user` may see; nobody signed in sees none.

    Every signed-in person sees every account until teams narrow it (issue 13): callers already go
    through here, so teams change this function and nothing else.
    """
    if not getattr(user, "is_authenticated", False):
        return AwsAccount.objects.none()
    return AwsAccount.objects.all()
