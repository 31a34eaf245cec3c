"""The rows every export shares: one flat dict per finding, in a stable column order."""

from django.utils import timezone

from checks import history
from checks.models import Finding

COLUMNS = [
    "account_id", "account_name", "region", "check_id", "area", "severity", "status", "muted",
    "resource_uid", "resource_type", "resource_name", "key_owner", "kms_key_arn", "reason",
    "first_seen", "last_seen", "status_since", "scan_id",
]


def scoped_findings(accounts=None, as_of=None, areas=None, severities=None, include_muted=True):
    findings = Finding.objects.all()
    if accounts:
        findings = findings.filter(account__account_id__in=accounts)
    if areas:
        findings = findings.filter(area__in=areas)
    if severities:
        findings = findings.filter(severity__in=severities)
    rows = history.findings_as_of(as_of, findings) if as_of else history.current_findings(findings)
    if not include_muted:
        rows = rows.unmuted(as_of or timezone.now())
    return (rows.select_related("account", "resource", "suppression")
            .order_by("account__account_id", "check_id", "resource__uid"))


def iso(value):
    return value.isoformat() if value else ""


def as_row(finding, at):
    resource = finding.resource
    suppression = finding.suppression
    return {
        "account_id": finding.account.account_id,
        "account_name": finding.account.name,
        "region": finding.region,
        "check_id": finding.check_id,
        "area": finding.area,
        "severity": finding.severity,
        "status": finding.status_then,
        "muted": bool(suppression and suppression.is_active(at)),
        "resource_uid": resource.uid,
        "resource_type": finding.resource_type,
        "resource_name": resource.name,
        "key_owner": finding.key_owner or resource.key_owner,
        "kms_key_arn": resource.kms_key_arn,
        "reason": finding.reason_then,
        "first_seen": iso(finding.first_seen),
        "last_seen": iso(finding.last_seen),
        "status_since": iso(finding.since_then),
        "scan_id": finding.scan_then,
    }


def iter_rows(findings, at=None, chunk_size=2000):
    at = at or timezone.now()
    for finding in findings.iterator(chunk_size=chunk_size):
        yield as_row(finding, at)
