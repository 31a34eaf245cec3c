"""The findings table (filters, sort, keyset pages, bulk mute, CSV export) and one finding's page."""

import json
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import push_url, trigger_client_event

from accounts.visibility import only_visible, visible_accounts
from checks.catalog import CATALOG
from checks.models import Finding, FindingEvent, Resource
from dashboard import audit, findings_table, reports, suppressions
from dashboard.exports.scope import Scope
from dashboard.forms import CLOSED, DEFAULT_SORT, BulkMuteForm, FindingFilters, MuteForm, catalog_resource_types
from dashboard.htmx import page_or_fragment, vary_on_htmx
from dashboard.models import ReportJob
from dashboard.permissions import AUDITOR, OPERATOR, VIEWER, has_role, role_required
from dashboard.views.reports import stream_response

PAGE = "dashboard/findings.html"
FINDING_PAGE = "dashboard/finding.html"
CURSORS = ("after", "before")


# --- the table ---------------------------------------------------------------------------------------


def picker_accounts(accounts):
    """What the account filter and the keyset plan read of each account (pk, account id, name), by name.

    An admin's picker holds every account: plain rows, not model instances (~30 ms saved at 2,000 accounts)."""
    return accounts.order_by("name", "account_id").values_list("pk", "account_id", "name", named=True)


def parse_filters(request):
    filters = FindingFilters(request.GET, accounts=picker_accounts(visible_accounts(request.user)))
    filters.is_valid()  # invalid fields are dropped from cleaned_data and listed in filters.ignored
    return filters


def filter_query(values, **extra):
    """The canonical query string of the valid, non-empty filters (for links, pushes and the export)."""
    values = {**values, **extra}
    if values.get("sort") == DEFAULT_SORT:
        values["sort"] = ""
    pairs = [
        (name, value.isoformat() if hasattr(value, "isoformat") else value) for name, value in values.items() if value
    ]
    return urlencode(pairs)


def findings_url(values, **extra):
    query = filter_query(values, **extra)
    return reverse("dashboard:findings") + (f"?{query}" if query else "")


def table_rows(filters, user):
    """The filtered findings `user` may see, with what a table row shows, without the bulky evidence."""
    return (
        filters.apply(only_visible(Finding.objects.all(), user))
        .select_related("account", "resource", "suppression")
        .defer("resource__evidence", "resource__tags", "reason")
    )


def check_severity(values):
    """A check has one severity, and scans keep current rows in step with it: only its bucket can hold rows."""
    check = CATALOG.get(values["check"] or "")
    return check.severity if check and values["status"] != CLOSED else ""


def table_plan(filters):
    """How findings_table walks the rows for this sort under these filters."""
    values = filters.values
    account_pks = {account.account_id: account.pk for account in filters.accounts}
    fixed = {
        # "closed" pins no status bucket: closed rows keep the status they had.
        "status": values["status"] if values["status"] != CLOSED else "",
        "severity": values["severity"] or check_severity(values),
        "check": values["check"],
        "account_pk": account_pks.get(values["account"]),
        "region": values["region"],
        "resource_type": values["resource_type"],
    }
    return findings_table.plan_for(filters.sort_key, fixed, list(account_pks.values()))


def table_context(request, filters, bulk_form=None, notice=""):
    page = findings_table.page_of(
        table_rows(filters, request.user),
        table_plan(filters),
        after=request.GET.get("after"),
        before=request.GET.get("before"),
    )
    now = timezone.now()
    for finding in page.rows:
        finding.check = CATALOG.get(finding.check_id)
        finding.muted_now = finding.is_muted_at(now)
    query = filter_query(filters.values)
    can_mute = has_role(request.user, OPERATOR)
    return {
        "filters": filters,
        "page": page,
        "query": query,
        "columns": header_columns(filters),
        "links": page_links(filters, page),
        "selected": set(
            bulk_form.cleaned_data.get("finding", [])
            if bulk_form and bulk_form.is_bound and hasattr(bulk_form, "cleaned_data")
            else []
        ),
        "can_mute": can_mute,
        "can_export": has_role(request.user, AUDITOR),
        "bulk_form": bulk_form or (BulkMuteForm() if can_mute else None),
        "notice": notice,
        "resource_types": catalog_resource_types(),
    }


# (label, sort key) of the table's columns; "since" toggles between newest and oldest first.
COLUMNS = [
    ("Severity", "severity"),
    ("Status", "status"),
    ("Check", "check"),
    ("Resource", None),
    ("Account", "account"),
    ("Key owner", None),
    ("Since", "since"),
]
DIRECTIONS = {
    "severity": "descending",
    "status": "descending",
    "check": "ascending",
    "account": "ascending",
    "-status_since": "descending",
    "status_since": "ascending",
}


def header_columns(filters):
    """Each column's label, the URL that sorts by it (keeping the filters) and its aria-sort state."""
    current = filters.sort_key
    columns = []
    for label, key in COLUMNS:
        active = [key] if key != "since" else ["-status_since", "status_since"]
        if key == "since":
            key = "status_since" if current == "-status_since" else "-status_since"
        url = findings_url(filters.values, sort=key) if key else None
        columns.append({"label": label, "url": url, "aria_sort": DIRECTIONS[current] if current in active else ""})
    return columns


def page_links(filters, page):
    return {
        "next": findings_url(filters.values, after=page.next_cursor),
        "previous": findings_url(filters.values, before=page.previous_cursor),
        "first": findings_url(filters.values),
    }


def respond(request, context, status=200):
    response = render(request, page_or_fragment(request, PAGE, "findings-results"), context, status=status)
    if request.htmx:
        # The pushed URL is the canonical one: no empty parameters, no rejected values, no cursor on page one.
        cursors = {} if context["page"].is_first else {name: request.GET.get(name) for name in CURSORS}
        push_url(response, findings_url(context["filters"].values, **cursors))
    return vary_on_htmx(response)


@require_GET
@role_required(VIEWER)
def findings(request):
    filters = parse_filters(request)
    return respond(request, table_context(request, filters))


@require_POST
@role_required(OPERATOR)
def findings_bulk_mute(request):
    """Mute the selected findings; the table keeps its filters (they ride in the action's query string)."""
    filters = parse_filters(request)
    form = BulkMuteForm(request.POST)
    if not form.is_valid():
        return respond(request, table_context(request, filters, bulk_form=form))
    chosen = set(form.cleaned_data["finding"])
    visible = only_visible(Finding.objects.filter(pk__in=chosen), request.user)
    if len(chosen) != visible.count():
        raise Http404("No such finding.")  # another team's finding: not found, like its page
    selected = Finding.objects.current().filter(pk__in=chosen)
    created = suppressions.mute_many(
        selected, by=request.user, justification=form.cleaned_data["justification"], expires_at=form.expires_at
    )
    until = form.cleaned_data["expires_on"]
    audit.record(
        request,
        audit.Action.MUTE,
        target=f"{len(created)} findings",
        findings=form.cleaned_data["finding"][:100],
        until=until.isoformat(),
    )
    notice = f"Muted {len(created)} finding{pluralize(len(created))} through {until:%-d %b %Y}."
    if not request.htmx:
        messages.success(request, notice)
        return redirect(findings_url(filters.values))
    response = respond(request, table_context(request, filters, notice=notice))
    return trigger_client_event(response, "findings-changed")


@require_http_methods(["GET", "POST"])
@role_required(AUDITOR)
def findings_export(request):
    """CSV of exactly the rows the table shows for the same query string (all pages). Up to the Reports page's
    limit it streams at once (GET); beyond, the page offers a background job of the same rows (POST)."""
    filters = parse_filters(request)
    scope = Scope.for_user(request.user, findings_filter=filter_query(filters.values, sort=""))
    if request.method == "POST":
        return export_job(request, scope)
    if reports.should_stream(ReportJob.Format.CSV, scope):
        return stream_response(request, ReportJob.Format.CSV, scope)
    context = {
        "count": f"{scope.findings().count():,}",
        "limit": f"{reports.STREAM_LIMIT:,}",
        "query": scope.findings_filter,
    }
    return render(request, "dashboard/findings_export.html", context)


def export_job(request, scope):
    job = reports.request_job(request.user, ReportJob.Format.CSV, scope)
    reports.record_export(request, job.format, scope, target=f"report job {job.pk}", job=job.pk, delivery="background")
    messages.success(request, f"Report {job.pk} is being built; it appears below with a download link when ready.")
    return redirect(reverse("dashboard:reports") + f"#job-{job.pk}")


# --- one finding -------------------------------------------------------------------------------------


def finding_or_404(request, pk):
    findings = Finding.objects.select_related("account", "resource", "suppression", "suppression__created_by")
    return get_object_or_404(only_visible(findings.select_related("last_scan"), request.user), pk=pk)


def evidence_text(evidence):
    return json.dumps(evidence, indent=2, sort_keys=True, ensure_ascii=False, default=str)


def split_remediation(text):
    """The catalog writes "Console: … CLI: command"; the command reads best as a code block."""
    steps, marker, cli = text.partition(" CLI: ")
    return {"steps": steps.strip(), "cli": cli.strip()} if marker else {"steps": text.strip(), "cli": ""}


def mute_context(request, finding, form=None, notice=""):
    return {
        "finding": finding,
        "mute_state": suppressions.state(finding),
        "mute_last_day": suppressions.last_day(finding.suppression) if finding.suppression else None,
        "mute_form": form or MuteForm(),
        "can_mute": has_role(request.user, OPERATOR),
        "mute_notice": notice,
    }


def finding_context(request, finding, form=None):
    resource = finding.resource
    check = CATALOG.get(finding.check_id)
    key = (
        Resource.objects.filter(account=finding.account, uid=resource.kms_key_arn, type="kms.key")
        .only("id", "account_id", "name", "uid", "evidence")
        .first()
        if resource.kms_key_arn
        else None
    )
    return {
        **mute_context(request, finding, form=form),
        "check": check,
        "remediation": split_remediation(check.remediation) if check else None,
        "now": timezone.now(),
        "resource": resource,
        "kms_key": key,
        "evidence": evidence_text(resource.evidence),
        "tags": sorted(resource.tags.items()) if isinstance(resource.tags, dict) else [],
        "events": FindingEvent.objects.filter(finding=finding).select_related("scan").order_by("-at", "-id"),
        "mute_history": suppressions.history_for(finding),
    }


@require_GET
@role_required(VIEWER)
def finding(request, pk):
    return vary_on_htmx(render(request, FINDING_PAGE, finding_context(request, finding_or_404(request, pk))))


def after_mute_action(request, finding, notice, in_panel=True):
    """Redirect (no JavaScript) or the refreshed mute panel and badges, telling other regions findings changed."""
    if not request.htmx:
        messages.success(request, notice)
        return redirect("dashboard:finding", pk=finding.pk)
    finding = finding_or_404(request, finding.pk)
    context = mute_context(request, finding, notice=notice if in_panel else "")
    response = render(request, f"{FINDING_PAGE}#mute-result", context)
    return trigger_client_event(response, "findings-changed")


@require_POST
@role_required(OPERATOR)
def finding_mute(request, pk):
    finding = finding_or_404(request, pk)
    form = MuteForm(request.POST)
    if not form.is_valid():  # 200 with the errors: htmx 2 does not swap 4xx answers
        if request.htmx:
            return render(request, f"{FINDING_PAGE}#mute-panel", mute_context(request, finding, form=form))
        return render(request, FINDING_PAGE, finding_context(request, finding, form=form))
    suppression = suppressions.mute(
        finding,
        by=request.user,
        justification=form.cleaned_data["justification"],
        expires_at=form.expires_at,
        scope=form.cleaned_data["scope"],
    )
    audit.record(
        request,
        audit.Action.MUTE,
        target=f"{finding.check_id} {finding.resource.uid}",
        suppression=suppression.pk,
        scope=form.cleaned_data["scope"],
        until=form.cleaned_data["expires_on"].isoformat(),
    )
    notice = f"Muted through {form.cleaned_data['expires_on']:%-d %b %Y}."
    return after_mute_action(request, finding, notice, in_panel=False)  # the panel itself says until when


@require_POST
@role_required(OPERATOR)
def finding_unmute(request, pk):
    finding = finding_or_404(request, pk)
    suppression = finding.suppression
    if suppression is None or suppression.is_revoked():
        return after_mute_action(request, finding, "This finding was not muted.")
    released = suppressions.unmute(suppression, by=request.user)
    audit.record(
        request,
        audit.Action.UNMUTE,
        target=f"{finding.check_id} {finding.resource.uid}",
        suppression=suppression.pk,
        released=released,
    )
    return after_mute_action(request, finding, "Unmuted." if released <= 1 else f"Unmuted {released} findings.")
