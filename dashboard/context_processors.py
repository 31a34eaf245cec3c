NAVIGATION = [
    ("dashboard:overview", "Overview"),
    ("dashboard:findings", "Findings"),
    ("dashboard:keys", "Keys"),
    ("dashboard:checks", "Checks"),
    ("dashboard:changes", "Changes"),
    ("accounts:list", "Accounts"),
    ("dashboard:reports", "Reports"),
]


def navigation(request):
    return {"navigation": NAVIGATION}
