from dashboard.permissions import ADMIN, has_role

NAVIGATION = [
    ("dashboard:overview", "Overview"),
    ("dashboard:findings", "Findings"),
    ("dashboard:keys", "Keys"),
    ("dashboard:checks", "Checks"),
    ("dashboard:changes", "Changes"),
    ("dashboard:compliance", "Compliance"),
    ("accounts:list", "Accounts"),
    ("dashboard:reports", "Reports"),
]


ADMIN_NAVIGATION = [("dashboard:audit_log", "Audit log")]


def navigation(request):
    user = getattr(request, "user", None)
    if user is not None and has_role(user, ADMIN):
        return {"navigation": NAVIGATION + ADMIN_NAVIGATION}
    return {"navigation": NAVIGATION}
