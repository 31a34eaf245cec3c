"""Muting findings: a mute is a Suppression (check, account, resource pattern, justification, expiry).

A finding is muted at a moment when its suppression was active then: created by then, not expired
and not revoked (checks.models.active_at; Finding.is_muted, FindingQuerySet.muted()). Nothing has to
run when a mute expires, and a revoked mute stays linked to its findings, so a report as of a day it
was in force still shows them muted. Scans attach active suppressions to the findings they create
(checks.recording), and these functions attach them to existing ones.
"""

import glob
import re
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from checks.models import Finding, Suppression

RESOURCE, CHECK = "resource", "check"


def pattern_for(resource_uid):
    """A shell pattern matching exactly this ARN, even if it holds *, ? or [ (fnmatch has no escape)."""
    return glob.escape(resource_uid)


def matching_findings(suppression):
    """Current findings the suppression covers (exact ARNs are looked up, other patterns matched here)."""
    findings = Finding.objects.current().filter(check_id=suppression.check_id)
    if suppression.account_id is not None:
        findings = findings.filter(account_id=suppression.account_id)
    pattern = suppression.resource_pattern
    if pattern == "*":
        return findings
    literal = literal_of(pattern)
    if literal is not None:  # one ARN: an indexed lookup rather than matching every finding in Python
        return findings.filter(resource__uid=literal)
    ids = [
        pk
        for pk, account_pk, uid in findings.values_list("pk", "account_id", "resource__uid")
        if suppression.matches_uid(account_pk, uid)
    ]
    return Finding.objects.filter(pk__in=ids)


def literal_of(pattern):
    """The one string a pattern matches, or None when it has wildcards."""
    text = re.sub(r"\[([*?\[])\]", r"\1", pattern)
    return text if glob.escape(text) == pattern else None


@transaction.atomic
def mute(finding, *, by, justification, expires_at, scope=RESOURCE):
    """Mute `finding` (or, with scope CHECK, every resource of its check in its account) until `expires_at`."""
    pattern = "*" if scope == CHECK else pattern_for(finding.resource.uid)
    suppression = Suppression.objects.create(
        check_id=finding.check_id,
        account=finding.account,
        resource_pattern=pattern,
        justification=justification,
        expires_at=expires_at,
        created_by=by,
    )
    matching_findings(suppression).update(suppression=suppression)
    return suppression


@transaction.atomic
def mute_many(findings, *, by, justification, expires_at):
    """Mute each of `findings` on its own resource with the same justification and expiry."""
    findings = list(findings.select_related("resource"))
    suppressions = Suppression.objects.bulk_create(
        [
            Suppression(
                check_id=f.check_id,
                account_id=f.account_id,
                resource_pattern=pattern_for(f.resource.uid),
                justification=justification,
                expires_at=expires_at,
                created_by=by,
            )
            for f in findings
        ]
    )
    for finding, suppression in zip(findings, suppressions, strict=True):
        finding.suppression = suppression
    Finding.objects.bulk_update(findings, ["suppression"], batch_size=500)
    return suppressions


def unmute(suppression, *, by):
    """Revoke a mute from now on: every finding it muted shows again (and keeps the link, for as-of
    reports of the days it was in force). Returns how many findings it released."""
    suppression.revoked_at = timezone.now()
    suppression.revoked_by = by
    suppression.save(update_fields=["revoked_at", "revoked_by"])
    return Finding.objects.filter(suppression=suppression).count()


def history_for(finding):
    """Every mute ever made that covers this finding's resource, newest first (including revoked ones)."""
    candidates = (
        Suppression.objects.filter(
            Q(account__isnull=True) | Q(account_id=finding.account_id), check_id=finding.check_id
        )
        .select_related("created_by", "revoked_by")
        .order_by("-created_at", "-id")
    )
    return [s for s in candidates if s.matches_uid(finding.account_id, finding.resource.uid)]


def last_day(suppression):
    """The last local day a mute holds (it ends at the start of the next: MuteForm.expires_at)."""
    return timezone.localtime(suppression.expires_at - timedelta(microseconds=1)).date()


def state(finding, at=None):
    """'active', 'expired' or '' for the finding's current suppression, as the page shows it."""
    suppression = finding.suppression
    if suppression is None or suppression.is_revoked(at):
        return ""
    return "active" if suppression.is_active(at) else "expired"
