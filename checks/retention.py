"""History is kept for HISTORY_RETENTION_DAYS (default 400) and pruned daily, in small batches.

Pruned, when older than the cut-off (now − the window): finding events, their day and week counts and the
check and requirement statuses they summarize, area scores, finished scans, closed findings and resources that
went away. Apps above this one prune their own tables with every prune: each registers a function here
(register), and dashboard registers its report jobs and files and its audit log (kept longer,
AUDIT_RETENTION_DAYS: who did what outlives what the estate looked like).

The posture at the cut-off itself must stay reconstructable, so for every finding the latest event at or
before the cut-off is kept as its baseline (findings_as_of(t) for any t ≥ cut-off still finds the status
then), and for every account the scores of its latest scan before the cut-off are kept (trend charts and
"scores as of" still have a starting point). An as-of request before oldest_reconstructable() is refused.

Each batch deletes at most BATCH rows in its own transaction, so pruning years of history never holds one
giant transaction or lock.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from checks.models import (
    AreaScore,
    CheckStatus,
    DayChange,
    Finding,
    FindingEvent,
    RequirementStatus,
    Resource,
    Scan,
    WeekChange,
    month_of,
)

logger = logging.getLogger(__name__)

BATCH = 5000
# name → prune(now, cut) -> {what: rows deleted}: the tables of apps above this one, pruned by their owners.
PRUNERS = {}


class BeyondRetention(ValueError):
    """An as-of moment older than the history Posture keeps."""


def oldest_reconstructable(now=None):
    """The earliest moment whose posture can be rebuilt: history before it may have been pruned."""
    return (now or timezone.now()) - timedelta(days=settings.HISTORY_RETENTION_DAYS)


def ensure_reconstructable(at, now=None):
    """Raise BeyondRetention, with a message for people, when `at` is older than the kept history."""
    oldest = oldest_reconstructable(now)
    if at < oldest:
        raise BeyondRetention(
            f"Posture keeps {settings.HISTORY_RETENTION_DAYS} days of history; the oldest date that can be "
            f"reported is {oldest:%Y-%m-%d}."
        )
    return at


def delete_in_batches(queryset):
    """Delete every row of `queryset`, BATCH primary keys at a time; returns how many rows went."""
    model, total = queryset.model, 0
    while True:
        ids = list(queryset.values_list("pk", flat=True)[:BATCH])
        if not ids:
            return total
        model.objects.filter(pk__in=ids).delete()
        total += len(ids)


def register(name, prune):
    """Run `prune(now, cut)`, which returns {what: rows deleted}, with every prune (once per name)."""
    PRUNERS[name] = prune


def prune(now=None):
    """Delete history older than the retention window; returns {what: rows deleted}."""
    now = now or timezone.now()
    cut = oldest_reconstructable(now)
    counts = {}
    # Closed findings first: their events and baselines go with them (the finding did not exist at the cut).
    counts["findings"] = delete_in_batches(Finding.objects.filter(closed_at__lt=cut))
    newest_before_cut = (
        FindingEvent.objects.filter(finding=OuterRef("finding"), at__lte=cut).order_by("-at", "-id").values("pk")[:1]
    )
    counts["events"] = delete_in_batches(
        FindingEvent.objects.filter(at__lt=cut).exclude(pk=Subquery(newest_before_cut))
    )
    # The Changes page reads no day at or before the cut's (a window starts at the end of a kept day).
    counts["day changes"] = delete_in_batches(DayChange.objects.filter(day__lte=cut.date()))
    # Nor any week that starts on or before it (a window reads only the whole weeks after its start day).
    counts["week changes"] = delete_in_batches(WeekChange.objects.filter(week__lte=cut.date()))
    # A check's status at any kept moment is in a span ending after the cut (its month at or after the cut's).
    counts["check statuses"] = delete_in_batches(CheckStatus.objects.filter(month__lte=month_of(cut), until__lte=cut))
    counts["requirement statuses"] = delete_in_batches(
        RequirementStatus.objects.filter(month__lte=month_of(cut), until__lte=cut)
    )
    newest_score_before_cut = (
        AreaScore.objects.filter(account=OuterRef("account"), at__lt=cut).order_by("-at").values("at")[:1]
    )
    counts["scores"] = delete_in_batches(
        AreaScore.objects.filter(at__lt=cut).exclude(at=Subquery(newest_score_before_cut))
    )
    counts["scans"] = delete_in_batches(
        Scan.objects.filter(queued_at__lt=cut)
        .exclude(status__in=Scan.ACTIVE)
        .exclude(pk__in=AreaScore.objects.values("scan"))
    )
    counts["resources"] = delete_in_batches(Resource.objects.filter(gone_at__lt=cut, findings__isnull=True))
    for pruner in PRUNERS.values():
        counts.update(pruner(now, cut))
    logger.info("pruned history older than %s: %s", f"{cut:%Y-%m-%d}", counts)
    return counts
