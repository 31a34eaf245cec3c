"""The check catalog: every check with pass/fail counts across accounts, and one check with its failing resources."""

from urllib.parse import urlencode

from django.db.models import Count, Sum
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from accounts.visibility import only_visible, sees_all_accounts, visible_accounts
from checks.catalog import CATALOG
from checks.catalog.base import Area, Status, checks_by_area
from checks.models import CheckCount, CheckTotal, Finding
from dashboard import findings_table
from dashboard.htmx import page_or_fragment, vary_on_htmx
from dashboard.permissions import VIEWER, role_required
from dashboard.views.findings import split_remediation

FAILING_PER_PAGE = 50


def check_tallies(user, check_id=None):
    """[(check id, status, current findings, accounts with any)] of the accounts `user` sees (of one check),
    in one query: the totals over every account for a viewer who sees them all (a few hundred rows), else
    summed from their accounts' counts (CheckCount: a few rows per account and check)."""
    if sees_all_accounts(user):
        rows = CheckTotal.objects.values_list("check_id", "status", "count", "accounts")
    else:
        counts = only_visible(CheckCount.objects.all(), user).order_by().values_list("check_id", "status")
        rows = counts.annotate(total=Sum("count"), accounts=Count("*"))
    return list(rows.filter(check_id=check_id) if check_id else rows)


def status_counts(tallies):
    """{check id: {status: count}} of check_tallies' rows."""
    totals = {}
    for check_id, status, count, _accounts in tallies:
        totals.setdefault(check_id, {})[status] = count
    return totals


def failing_accounts(tallies):
    """{check id: number of accounts where it fails} of check_tallies' rows."""
    return {check_id: accounts for check_id, status, _count, accounts in tallies if status == Status.FAIL}


def tally_of(counts):
    return {
        "passed": counts.get(Status.PASS, 0),
        "failed": counts.get(Status.FAIL, 0),
        "errors": counts.get(Status.ERROR, 0),
        "not_applicable": counts.get(Status.NOT_APPLICABLE, 0),
    }


def catalog_row(check, counts, accounts):
    return {
        "check": check,
        "types": ["every resource" if kind == "*" else kind for kind in resource_types(check)],
        **tally_of(counts.get(check.id, {})),
        "failing_accounts": accounts.get(check.id, 0),
    }


def catalog_by_area(counts, accounts):
    """[(label, area, [row, ...])] for every area in Area order, one without checks too."""
    return [
        (area.label, area.value, [catalog_row(check, counts, accounts) for check in checks])
        for area, checks in checks_by_area()
    ]


@require_GET
@role_required(VIEWER)
def checks(request):
    tallies = check_tallies(request.user)
    totals_by_check = status_counts(tallies)
    groups = catalog_by_area(totals_by_check, failing_accounts(tallies))
    totals = {status: sum(tally.get(status, 0) for tally in totals_by_check.values()) for status in Status}
    return vary_on_htmx(
        render(request, "dashboard/checks.html", {"groups": groups, "totals": totals, "check_count": len(CATALOG)})
    )


def check_or_404(check_id):
    check = CATALOG.get(check_id)
    if check is None:
        raise Http404("No check has this id.")
    return check


def resource_types(check):
    return check.resource_type if isinstance(check.resource_type, tuple) else (check.resource_type,)


def check_page_links(check, page):
    url = reverse("dashboard:check", args=[check.id])
    return {
        "next": f"{url}?{urlencode({'after': page.next_cursor})}" if page.next_cursor else "",
        "previous": f"{url}?{urlencode({'before': page.previous_cursor})}" if page.previous_cursor else "",
        "first": url,
    }


@require_GET
@role_required(VIEWER)
def check(request, check_id):
    check = check_or_404(check_id)
    findings = only_visible(Finding.objects.filter(check_id=check.id), request.user)
    tallies = check_tallies(request.user, check.id)
    failing = (
        findings.failing()
        .select_related("account", "resource", "suppression")
        .defer("resource__evidence", "resource__tags")
    )
    # Keyset pages by account name, like the findings table: no COUNT, no sort of every failing row.
    account_pks = list(visible_accounts(request.user).order_by("name", "account_id").values_list("pk", flat=True))
    plan = findings_table.plan_for("account", {}, account_pks)
    page = findings_table.page_of(
        failing, plan, after=request.GET.get("after"), before=request.GET.get("before"), size=FAILING_PER_PAGE
    )
    for finding in page.rows:
        finding.muted_now = finding.is_muted
    context = {
        "check": check,
        "area_label": Area(check.area).label,
        "resource_types": resource_types(check),
        "remediation": split_remediation(check.remediation),
        "tally": tally_of(status_counts(tallies).get(check.id, {})),
        "failing_accounts": failing_accounts(tallies).get(check.id, 0),
        "page": page,
        "links": check_page_links(check, page),
    }
    template = page_or_fragment(request, "dashboard/check.html", "check-failing")
    return vary_on_htmx(render(request, template, context))
