"""Keys: every KMS key across accounts, what it protects, resources on unusable keys, and who holds the keys."""

from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.shortcuts import render
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_GET

from accounts.visibility import only_visible, sees_all_accounts, visible_accounts
from checks.catalog.base import KeyOwner
from checks.inventory import UNUSABLE_KEY_STATES, is_aws_managed_key
from checks.models import UNUSABLE_KEY_CHECK, Finding, OwnerCount, OwnerTotal, Resource
from dashboard import scoreboard
from dashboard.forms import KeyFilters
from dashboard.htmx import page_or_fragment, vary_on_htmx
from dashboard.permissions import VIEWER, role_required

KEYS_PER_PAGE = 50
UNUSABLE_SHOWN = 100
RESOURCES_SHOWN = 200
STATE_LABELS = {
    "PendingDeletion": "Pending deletion",
    "PendingReplicaDeletion": "Pending replica deletion",
    "PendingImport": "Pending import",
    "Unavailable": "Unavailable",
    "Creating": "Creating",
    "Updating": "Updating",
}


def key_class(evidence):
    """Who manages a key, by the inventory's rule (KeyManager AWS or an alias/aws/* alias)."""
    if is_aws_managed_key(evidence):
        return KeyOwner.AWS_MANAGED
    if evidence.get("key_manager") is None:  # DescribeKey failed: we cannot tell
        return KeyOwner.UNKNOWN
    return KeyOwner.CUSTOMER_MANAGED


def rotation_label(evidence, owner):
    if owner == KeyOwner.AWS_MANAGED:
        return "AWS rotates"
    enabled = evidence.get("rotation_enabled")
    if enabled is None:
        return "—"
    if not enabled:
        return "Off"
    days = evidence.get("rotation_period_days")
    return f"Every {days} days" if days else "On"


def moment(text):
    try:
        return parse_datetime(text) if isinstance(text, str) else None
    except ValueError:
        return None


def live_resources(user):
    """Live resources of the accounts `user` may see."""
    return only_visible(Resource.objects.live(), user)


def kms_keys(user, account_pk):
    """Current KMS keys in table order (one account's, or every account's the user sees)."""
    keys = live_resources(user).filter(type="kms.key").order_by("account__name", "account__account_id", "name", "id")
    return keys.filter(account_id=account_pk) if account_pk else keys


def key_page(user, account_pk, number):
    """A page of keys, each with the number of live resources it protects (any account's the user sees).

    The page's ids are picked from the small live-key index alone; only those keys' rows are read and
    counted, in the same query.
    """
    ids = kms_keys(user, account_pk).values_list("id", flat=True)
    page = Paginator(ids, KEYS_PER_PAGE).get_page(number)
    protected = (
        live_resources(user)
        .filter(kms_key_arn=OuterRef("uid"))
        .exclude(type="kms.key")
        .order_by()
        .values("kms_key_arn")
        .annotate(count=Count("id"))
        .values("count")
    )
    keys = (
        kms_keys(user, account_pk)
        .filter(id__in=page.object_list)
        .select_related("account")
        .annotate(protects=Coalesce(Subquery(protected, output_field=IntegerField()), Value(0)))
    )
    page.object_list = [describe(key) for key in keys]
    return page


def describe(key):
    evidence = key.evidence if isinstance(key.evidence, dict) else {}
    key.owner_class = key_class(evidence)
    key.state = evidence.get("state") or ""
    key.state_label = STATE_LABELS.get(key.state, key.state)
    key.is_unusable = key.state in UNUSABLE_KEY_STATES
    key.deletion_date = moment(evidence.get("deletion_date")) if key.state == "PendingDeletion" else None
    key.rotation = rotation_label(evidence, key.owner_class)
    key.aliases = [alias for alias in evidence.get("aliases") or () if alias != key.name]
    return key


UNUSABLE_ORDER = ("account__name", "resource__name", "id")


def unusable_findings(user, account_pk, size):
    """The first `size` resources (by account and name) whose data sits behind a disabled, pending-deletion or
    missing key: failing findings. One statement: their ids come first, from the check's small partial index
    and each one's resource name (looked up by key: a join made PostgreSQL hash every resource of the estate),
    and only those rows are read whole, not every failing one's before the sort."""
    failing = only_visible(Finding.objects.failing(), user).filter(check_id=UNUSABLE_KEY_CHECK)
    if account_pk:
        failing = failing.filter(account_id=account_pk)
    named = Resource.objects.filter(pk=OuterRef("resource_id")).values("name")
    first = failing.annotate(resource_name=Subquery(named)).order_by("account__name", "resource_name", "id")
    findings = Finding.objects.filter(id__in=first.values("id")[:size]).select_related("account", "resource")
    return list(findings.defer("resource__evidence", "resource__tags").order_by(*UNUSABLE_ORDER))


def attach_keys(user, findings):
    """Give each finding's resource its collected key (finding.key, None when missing), in one query."""
    arns = {finding.resource.kms_key_arn for finding in findings if finding.resource.kms_key_arn}
    # A key is collected in the account its ARN names: narrowing to those accounts lets the
    # (account, uid) unique index find the keys instead of reading every key of the estate.
    owners = {arn.split(":")[4] for arn in arns if arn.count(":") >= 5}
    collected = live_resources(user).filter(type="kms.key", uid__in=arns, account__account_id__in=owners)
    keys = {key.uid: describe(key) for key in collected} if arns else {}
    for finding in findings:
        finding.key = keys.get(finding.resource.kms_key_arn)


def ownership_rows(user, account_pk):
    """[(resource type, {key owner: count})] of live resources, for the stacked bars: from the counts recording
    keeps (checks.owner_counts), a few rows per account, not every resource; for a viewer who sees every
    account, their totals over every account (a few rows in all, not ~35 per account)."""
    if account_pk:
        return only_visible(OwnerCount.objects.filter(account_id=account_pk), user).count_by_key_owner()
    if sees_all_accounts(user):
        return OwnerTotal.objects.count_by_key_owner()
    return only_visible(OwnerCount.objects.all(), user).count_by_key_owner()


@require_GET
@role_required(VIEWER)
def keys(request):
    accounts = visible_accounts(request.user).order_by("name", "account_id").values_list("pk", "account_id", "name")
    filters = KeyFilters(request.GET, accounts=accounts)
    filters.is_valid()
    account_pk = filters.account_pk
    page = key_page(request.user, account_pk, request.GET.get("page"))
    unusable_rows = unusable_findings(request.user, account_pk, UNUSABLE_SHOWN + 1)
    attach_keys(request.user, unusable_rows)
    ownership = ownership_rows(request.user, account_pk)
    context = {
        "filters": filters,
        "page": page,
        "unusable": unusable_rows[:UNUSABLE_SHOWN],
        "unusable_more": len(unusable_rows) > UNUSABLE_SHOWN,
        "ownership": ownership,
        "ownership_totals": scoreboard.ownership_totals(ownership),
    }
    return vary_on_htmx(render(request, page_or_fragment(request, "dashboard/keys.html", "keys-results"), context))


@require_GET
@role_required(VIEWER)
def key_resources(request):
    """The live resources a key protects (expands a row of the keys table; a page of its own without htmx)."""
    arn = request.GET.get("key", "")[:2048]
    live = live_resources(request.user)
    key = live.filter(type="kms.key", uid=arn).select_related("account").first() if arn else None
    resources = (
        live.filter(kms_key_arn=arn)
        .exclude(type="kms.key")
        .select_related("account")
        .defer("evidence", "tags")
        .order_by("account__name", "type", "name")
    )
    shown = list(resources[: RESOURCES_SHOWN + 1]) if arn else []
    context = {
        "arn": arn,
        "key": describe(key) if key else None,
        "resources": shown[:RESOURCES_SHOWN],
        "more": len(shown) > RESOURCES_SHOWN,
        "resources_page": True,
    }
    template = page_or_fragment(request, "dashboard/keys.html", "key-resources")
    return vary_on_htmx(render(request, template, context))
