"""Findings: the Findings page's filters, sort and keyset pages; one finding with its events."""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from api import tokens
from api.endpoints import endpoint, page_size, query
from api.serializers import FindingDetailSerializer, FindingPageSerializer
from checks.catalog import CATALOG
from checks.models import Finding, FindingEvent
from dashboard import findings_table
from dashboard.forms import FindingFilters
from dashboard.views.findings import picker_accounts, table_plan, table_rows

CURSORS = ("after", "before")
MAX_SIZE = 200


def filter_parameters():
    """The Findings page's filters, described from its own form (one source of truth)."""
    form = FindingFilters(accounts=[])
    parameters = []
    for name, field in form.fields.items():
        choices = [value for value, _ in getattr(field, "choices", []) if value]
        kind = OpenApiTypes.DATE if name == "changed_since" else str
        description = field.help_text or (field.label or name.replace("_", " ").capitalize())
        if name == "account":
            description, choices = "A 12-digit account id you may see.", None
        parameters.append(OpenApiParameter(name, kind, enum=choices or None, description=str(description)))
    return parameters + [
        OpenApiParameter("after", str, description="The `next` cursor of the previous answer."),
        OpenApiParameter("before", str, description="The `previous` cursor of the previous answer."),
        OpenApiParameter(
            "size", int, description=f"Rows per page, 1 to {MAX_SIZE} (default {findings_table.PAGE_SIZE})."
        ),
    ]


def valid_filters(request, params, accounts):
    filters = FindingFilters(params, accounts=accounts)
    if not filters.is_valid():  # the page drops a bad filter and says so; an API refuses it
        raise ValidationError(filters.errors)
    return filters


def cursors(params, plan):
    given = {name: params.get(name) for name in CURSORS if params.get(name)}
    for name, token in given.items():
        if findings_table.decode(token, plan) is None:
            raise ValidationError({name: ["Not a cursor of this query (use `next`/`previous` as given)."]})
    return given


def mark(findings, now):
    for finding in findings:
        finding.muted = finding.is_muted_at(now)
    return findings


@endpoint(
    ["GET"],
    GET={
        "responses": {200: FindingPageSerializer},
        "summary": "Findings, filtered and sorted like the Findings page, a keyset page at a time",
        "parameters": filter_parameters(),
    },
)
def finding_list(request):
    params = query(request, [*FindingFilters.base_fields, *CURSORS, "size"])
    filters = valid_filters(request, params, picker_accounts(tokens.token_accounts(request.auth)))
    plan = table_plan(filters)
    rows = tokens.only_tokens(table_rows(filters, request.user), request.auth)
    size = page_size(params, findings_table.PAGE_SIZE, MAX_SIZE)
    page = findings_table.page_of(rows, plan, size=size, **cursors(params, plan))
    data = {
        "results": mark(page.rows, timezone.now()),
        "next": page.next_cursor,
        "previous": page.previous_cursor if page.has_previous else None,
    }
    return Response(FindingPageSerializer(data).data)


def finding_or_404(request, pk):
    findings = tokens.only_tokens(Finding.objects.filter(pk=pk), request.auth)
    finding = findings.select_related("account", "resource", "suppression").first()
    if finding is None:
        raise NotFound("No such finding.")
    return finding


@endpoint(
    ["GET"],
    GET={"responses": {200: FindingDetailSerializer}, "summary": "One finding, its check's advice and its events"},
)
def finding_detail(request, pk):
    query(request, ())
    finding = mark([finding_or_404(request, pk)], timezone.now())[0]
    check = CATALOG.get(finding.check_id)
    finding.title = check.title if check else ""
    finding.remediation = check.remediation if check else ""
    finding.event_list = FindingEvent.objects.filter(finding=finding).order_by("-at", "-id")
    return Response(FindingDetailSerializer(finding).data)
