"""OCSF export: each finding as an OCSF 1.x Detection Finding (class_uid 2004), one JSON object per line.

Built with py-ocsf-models (pydantic models of the OCSF schema), so every line is an event the model validates,
never a hand-built dictionary. Input is the export rows every format shares (rows.COLUMNS).
"""

from datetime import datetime

from py_ocsf_models.events.findings.activity_id import ActivityID
from py_ocsf_models.events.findings.detection_finding import DetectionFinding
from py_ocsf_models.events.findings.detection_finding_type_id import DetectionFindingTypeID
from py_ocsf_models.events.findings.severity_id import SeverityID
from py_ocsf_models.events.findings.status_id import StatusID
from py_ocsf_models.objects.account import Account, TypeID
from py_ocsf_models.objects.analytic import Analytic
from py_ocsf_models.objects.cloud import Cloud
from py_ocsf_models.objects.finding_info import FindingInformation
from py_ocsf_models.objects.metadata import Metadata
from py_ocsf_models.objects.product import Product
from py_ocsf_models.objects.remediation import Remediation
from py_ocsf_models.objects.resource_details import ResourceDetails

from checks.catalog import CATALOG
from checks.catalog.base import Severity, Status

SEVERITIES = {
    Severity.CRITICAL: SeverityID.Critical,
    Severity.HIGH: SeverityID.High,
    Severity.MEDIUM: SeverityID.Medium,
    Severity.LOW: SeverityID.Low,
    Severity.INFORMATIONAL: SeverityID.Informational,
}
# A muted finding is Suppressed whatever its status; an ERROR or NOT_APPLICABLE is no detection verdict.
STATUSES = {Status.FAIL: StatusID.New, Status.PASS: StatusID.Resolved}
ANALYTIC_RULE = 1  # OCSF analytic type_id 1: Rule


def moment(text):
    return datetime.fromisoformat(text) if text else None


def epoch_ms(when):
    return int(when.timestamp() * 1000) if when else None


def partition(uid):
    """The AWS partition of an ARN ("aws", "aws-cn", "aws-us-gov"), or None for a synthetic id."""
    parts = uid.split(":")
    return parts[1] if uid.startswith("arn:") and len(parts) > 2 and parts[1] else None


def status_of(row):
    if row["muted"]:
        return StatusID.Suppressed
    return STATUSES.get(row["status"], StatusID.Other)


def detection_finding(row, version):
    """The Detection Finding of one export row (rows.COLUMNS); `version` is Posture's own."""
    check = CATALOG.get(row["check_id"])
    first, last = moment(row["first_seen"]), moment(row["last_seen"])
    severity = SEVERITIES.get(row["severity"], SeverityID.Unknown)
    return DetectionFinding(
        metadata=Metadata(
            product=Product(name="Posture", vendor_name="Posture", version=version),
            profiles=["cloud"],
            event_code=row["check_id"],
        ),
        activity_id=ActivityID.Create,
        activity_name="Create",
        type_uid=DetectionFindingTypeID.Create,
        type_name="Detection Finding: Create",
        severity_id=severity,
        severity=severity.name,
        status_id=status_of(row),
        status=status_of(row).name,
        status_code=row["status"],
        status_detail=row["reason"],
        message=row["reason"],
        time=epoch_ms(last),
        time_dt=last,
        finding_info=FindingInformation(
            uid=f"posture:{row['account_id']}:{row['check_id']}:{row['resource_uid']}",
            title=check.title if check else row["check_id"],
            desc=row["reason"],
            types=[row["area"]],
            first_seen_time=epoch_ms(first),
            first_seen_time_dt=first,
            last_seen_time=epoch_ms(last),
            last_seen_time_dt=last,
            analytic=Analytic(uid=row["check_id"], name=row["check_id"], type_id=ANALYTIC_RULE, type="Rule"),
        ),
        cloud=Cloud(
            provider="AWS",
            region=row["region"] or None,
            account=Account(
                uid=row["account_id"], name=row["account_name"], type_id=TypeID.AWS_Account, type="AWS Account"
            ),
        ),
        resources=[
            ResourceDetails(
                uid=row["resource_uid"],
                name=row["resource_name"] or None,
                type=row["resource_type"],
                region=row["region"] or None,
                cloud_partition=partition(row["resource_uid"]),
                data={"key_owner": row["key_owner"], "kms_key_arn": row["kms_key_arn"]},
            )
        ],
        remediation=Remediation(desc=check.remediation) if check else None,
        unmapped={
            "muted": row["muted"],
            "area": row["area"],
            "status_since": row["status_since"],
            "scan_id": row["scan_id"],
        },
    )


def lines(rows, version):
    """One JSON text per finding, each ending in a newline."""
    for row in rows:
        yield detection_finding(row, version).model_dump_json(exclude_none=True) + "\n"


def write(rows, out, version):
    """Write the JSON lines of `rows` to the text stream `out`; returns the count."""
    count = 0
    for line in lines(rows, version):
        out.write(line)
        count += 1
    return count
