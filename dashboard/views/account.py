from datetime import timedelta

from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from accounts.visibility import only_visible, visible_accounts
from checks import scanning
from checks.models import Scan
from dashboard import audit, scoreboard
from dashboard.htmx import page_or_fragment, vary_on_htmx
from dashboard.permissions import OPERATOR, VIEWER, has_role, role_required

TREND_RANGES = (30, 90, 365)


def trend_days(request):
    try:
        days = int(request.GET.get("days", 30))
    except ValueError:
        return 30
    return days if days in TREND_RANGES else 30


def area_cards(account, now):
    today = scoreboard.latest_scores([account.pk])[account.pk]
    week_ago = scoreboard.latest_scores([account.pk], at=now - timedelta(days=7))[account.pk]
    cards = []
    for area in scoreboard.AREAS:
        current, before = today.get(area), week_ago.get(area)
        score = current.score if current else None
        delta = None if score is None or not before or before.score is None else round(score - before.score, 1)
        cards.append({"area": area, "score": score, "delta": delta, "row": current, "account_scored": bool(today)})
    return cards


def trend_series(account, days, now):
    series = scoreboard.score_series([account.pk], now - timedelta(days=days))[account.pk]
    return [(area.label, series.get(area, [])) for area in scoreboard.AREAS]


def visible_scans(request):
    return only_visible(Scan.objects.select_related("account"), request.user)


@require_GET
@role_required(VIEWER)
def account(request, pk):
    account = get_object_or_404(visible_accounts(request.user).select_related("organization"), pk=pk)
    now, days = timezone.now(), trend_days(request)
    scans = list(Scan.objects.filter(account=account).order_by("-queued_at", "-id")[:10])
    finished = next((scan for scan in scans if scan.is_finished), None)
    active = next((scan for scan in scans if not scan.is_finished), None)
    changes = list(scoreboard.recent_changes(account))
    context = {
        "account": account,
        "days": days,
        "ranges": TREND_RANGES,
        "cards": area_cards(account, now),
        "series": trend_series(account, days, now),
        "ownership": scoreboard.key_ownership(account),
        "failing": scoreboard.failing_checks(account, now),
        "scans": scans,
        "changes": [(event, scoreboard.change_kind(event)) for event in changes],
        "last_finished": finished,
        "active_scan": active,
        "can_scan": has_role(request.user, OPERATOR),
    }
    template = page_or_fragment(request, "dashboard/account.html", "area-trends")
    return vary_on_htmx(render(request, template, context))


@require_POST
@role_required(OPERATOR)
def scan_now(request, pk):
    account = get_object_or_404(visible_accounts(request.user), pk=pk)
    scan = scanning.request_scan(account, Scan.Trigger.MANUAL)
    notice = ""
    if scan is None:
        scan = Scan.objects.filter(account=account, status__in=Scan.ACTIVE).first()
        notice = "A scan of this account is already queued or running."
    else:
        audit.record(request, audit.Action.SCAN_STARTED, account, scan=scan.pk)
    return render(
        request,
        "dashboard/account.html#scan-progress",
        {"account": account, "active_scan": scan, "notice": notice, "can_scan": True},
    )


@require_GET
@role_required(VIEWER)
def scan_progress(request, pk, scan_id):
    scan = get_object_or_404(visible_scans(request), pk=scan_id, account_id=pk)
    context = {"account": scan.account, "active_scan": scan, "can_scan": has_role(request.user, OPERATOR)}
    response = render(request, "dashboard/account.html#scan-progress", context)
    if scan.is_finished:
        response.status_code = 286  # htmx stops polling after swapping this
        trigger_client_event(response, "scan-finished")
    return response


@require_POST
@role_required(OPERATOR)
def scan_cancel(request, pk, scan_id):
    scan = get_object_or_404(visible_scans(request), pk=scan_id, account_id=pk)
    if scanning.cancel(scan):
        audit.record(request, audit.Action.SCAN_CANCELLED, scan.account, scan=scan.pk)
    scan.refresh_from_db()
    return render(
        request,
        "dashboard/account.html#scan-progress",
        {"account": scan.account, "active_scan": scan, "can_scan": True},
    )
