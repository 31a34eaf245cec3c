"""Pages, exports and the PDF read one seeded estate and must tell the same story: the same failing counts,
the same key ownership, the same mute state — now, and as of a day when a since-unmuted finding was muted.

Each fact they share is written once (the mute rule, live resources, key-ownership counts); this test is
what keeps a second copy from drifting back in.
"""

import csv
import io
import json
import re
import shutil
import subprocess
from collections import Counter
from datetime import UTC, datetime, timedelta
from itertools import zip_longest

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from accounts.tests.factories import AwsAccountFactory
from checks.catalog import CATALOG
from checks.catalog.base import Area, KeyOwner, Status
from dashboard.tests.factories import (
    AreaScoreFactory,
    FindingEventFactory,
    FindingFactory,
    KmsKeyFactory,
    ResourceFactory,
    ScanFactory,
    SuppressionFactory,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 7, 10, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
AS_OF = "2026-07-06"  # the muted-then-unmuted finding was muted all that day
FIRST_SCAN = NOW - 10 * DAY


def finding(resource, check_id, status=Status.FAIL, suppression=None):
    check = CATALOG[check_id]
    made = FindingFactory(
        resource=resource,
        check_id=check_id,
        status=status,
        severity=check.severity,
        area=check.area,
        key_owner=resource.key_owner,
        reason=f"{resource.name}: {status.lower()} {check_id}.",
        first_seen=FIRST_SCAN,
        status_since=FIRST_SCAN,
        suppression=suppression,
    )
    FindingEventFactory(finding=made, at=FIRST_SCAN, new_status=status)
    return made


def scored(account):
    for at in (FIRST_SCAN, NOW - DAY):
        scan = ScanFactory(account=account, queued_at=at, started_at=at, finished_at=at)
        for area in Area:
            AreaScoreFactory(scan=scan, area=area, score=70.0)


@pytest.fixture
def estate(time_machine):
    time_machine.move_to(NOW, tick=False)
    alpha = AwsAccountFactory(account_id="111111111111", name="alpha")
    beta = AwsAccountFactory(account_id="222222222222", name="beta")
    at = {"first_seen": FIRST_SCAN}

    def bucket(account, name, owner):
        return ResourceFactory(account=account, name=name, uid=f"arn:aws:s3:::{name}", key_owner=owner, **at)

    key = KmsKeyFactory(
        account=alpha, name="import-pending", evidence={"key_manager": "CUSTOMER", "state": "PendingImport"}
    )
    volume = ResourceFactory(
        account=alpha,
        type="ec2.volume",
        name="orders-volume",
        kms_key_arn=key.uid,
        key_owner=KeyOwner.CUSTOMER_MANAGED,
        **at,
    )
    ResourceFactory(account=alpha, name="gone-bucket", key_owner=KeyOwner.EXTERNAL, gone_at=NOW - 2 * DAY, **at)

    was_muted = SuppressionFactory(
        account=alpha, check_id="s3.bucket_default_encryption", created_at=NOW - 6 * DAY, revoked_at=NOW - 2 * DAY
    )
    muted = SuppressionFactory(account=alpha, check_id="kms.key_policy_not_public", created_at=NOW - 8 * DAY)
    lapsed = SuppressionFactory(
        account=alpha, check_id="s3.bucket_customer_managed_key", created_at=NOW - 20 * DAY, expires_at=NOW - 5 * DAY
    )

    findings = {
        "was-muted": finding(
            bucket(alpha, "was-muted-bucket", KeyOwner.UNENCRYPTED),
            "s3.bucket_default_encryption",
            suppression=was_muted,
        ),
        "muted": finding(key, "kms.key_policy_not_public", suppression=muted),
        "lapsed": finding(
            bucket(alpha, "lapsed-bucket", KeyOwner.AWS_OWNED), "s3.bucket_customer_managed_key", suppression=lapsed
        ),
        "unusable": finding(volume, "kms.key_in_use_unusable"),
        "passing": finding(
            bucket(alpha, "fine-bucket", KeyOwner.CUSTOMER_MANAGED), "s3.bucket_default_encryption", Status.PASS
        ),
        "beta-high": finding(bucket(beta, "beta-plain", KeyOwner.UNENCRYPTED), "s3.bucket_default_encryption"),
        "beta-medium": finding(bucket(beta, "beta-sse", KeyOwner.AWS_MANAGED), "s3.bucket_customer_managed_key"),
    }
    scored(alpha)
    scored(beta)
    return {"alpha": alpha, "beta": beta, "findings": findings, "key": key}


@pytest.fixture
def poppler():
    if not shutil.which("pdftotext"):
        pytest.fail(
            "poppler-utils is not installed (apt-get install -y poppler-utils); scripts/test-prerequisites installs it"
        )


def export(tmp_path, fmt, *options):
    path = tmp_path / f"out-{fmt}-{len(list(tmp_path.iterdir()))}.{fmt}"
    call_command("export", "--format", fmt, "-o", str(path), *options, stdout=io.StringIO())
    return path


def exported_rows(tmp_path, *options):
    """The rows of the CSV, JSON and XLSX exports, each as {resource name: (account id, severity, status, muted)}."""
    with export(tmp_path, "csv", *options).open(newline="", encoding="utf-8-sig") as text:
        from_csv = [{**row, "muted": row["muted"] == "true"} for row in csv.DictReader(text)]
    from_json = json.loads(export(tmp_path, "json", *options).read_text())
    sheet = load_workbook(export(tmp_path, "xlsx", *options), read_only=True)["Findings"]
    header, *values = list(sheet.values)
    from_xlsx = [dict(zip_longest(header, row)) for row in values]  # read-only rows end at their last value

    def keyed(rows):
        return {row["resource_name"]: (row["account_id"], row["severity"], row["status"], row["muted"]) for row in rows}

    return keyed(from_csv), keyed(from_json), keyed(from_xlsx)


def open_failures(rows):
    """{(account id, severity): count} of failing, unmuted rows."""
    return Counter(
        (account, severity) for account, severity, status, muted in rows.values() if status == Status.FAIL and not muted
    )


def pdf_text(tmp_path, *options):
    path = export(tmp_path, "pdf", *options)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def chapter(text, title, next_title):
    """The text of one chapter of the PDF (from its heading to the next chapter's heading)."""
    start = text.index(f"\n{title}\n", text.index("Contents") + 200)
    return text[start : text.index(f"\n{next_title}\n", start)]


def test_now_pages_exports_and_pdf_agree_on_failing_counts_mutes_and_key_ownership(
    estate, client_as, tmp_path, poppler
):
    alpha, beta = estate["alpha"], estate["beta"]
    from_csv, from_json, from_xlsx = exported_rows(tmp_path)
    assert from_csv == from_json == from_xlsx
    failures = open_failures(from_csv)
    # What the estate holds: the unmuted-since finding counts again, the lapsed mute no longer hides one.
    assert failures == {
        ("111111111111", "critical"): 1,
        ("111111111111", "high"): 1,
        ("111111111111", "medium"): 1,
        ("222222222222", "high"): 1,
        ("222222222222", "medium"): 1,
    }
    assert from_csv["was-muted-bucket"][3] is False and from_csv["import-pending"][3] is True

    client = client_as("viewer")
    overview = {
        row["account"].account_id: row["failures"] for row in client.get(reverse("dashboard:overview")).context["rows"]
    }
    for account in ("111111111111", "222222222222"):
        assert overview[account] == {"critical": failures[(account, "critical")], "high": failures[(account, "high")]}

    for account in (alpha, beta):
        page = client.get(reverse("dashboard:account", args=[account.pk])).context
        by_severity = Counter()
        for row in page["failing"]:
            by_severity[(account.account_id, row["severity"])] += row["count"]
        assert by_severity == Counter({key: count for key, count in failures.items() if key[0] == account.account_id})
        keys_page = client.get(reverse("dashboard:keys"), {"account": account.account_id}).context
        assert page["ownership"] == keys_page["ownership"]

    keys_page = client.get(reverse("dashboard:keys")).context
    assert [finding.resource.name for finding in keys_page["unusable"]] == ["orders-volume"]
    [key] = [key for key in keys_page["page"] if key.pk == estate["key"].pk]
    assert key.is_unusable  # the same verdict as kms.key_in_use_unusable's failing finding
    totals = {total["label"]: (total["count"], total["share"]) for total in keys_page["ownership_totals"]}
    assert (
        "Another account's" not in totals and sum(count for count, _ in totals.values()) == 6
    )  # the gone bucket is not live

    text = pdf_text(tmp_path)
    summary = re.sub(r"\s+", " ", chapter(text, "Executive summary", "Scores by area"))
    assert f"{sum(failures.values())} are open and 1 muted as accepted risk" in summary
    for label, (count, share) in totals.items():
        assert re.search(rf"{re.escape(label)}\s+{count}\s+{share:g}%", text), label
    accounts = chapter(text, "Scores by account", "Key ownership")
    for name, account in (("alpha", "111111111111"), ("beta", "222222222222")):  # critical / high failing
        critical, high = failures[(account, "critical")], failures[(account, "high")]
        assert re.search(rf"\n{name} .*\s{critical}\s*/\s*{high}\n", accounts), name
    assert "was-muted-bucket" in chapter(text, "Failing findings by severity", "Muted findings")
    assert "was-muted-bucket" not in text[text.index("\nMuted findings\n", text.index("Contents") + 200) :]


def test_as_of_a_day_the_finding_was_muted_every_export_and_the_pdf_say_so(estate, tmp_path, poppler):
    from_csv, from_json, from_xlsx = exported_rows(tmp_path, "--as-of", AS_OF)
    assert from_csv == from_json == from_xlsx
    assert from_csv["was-muted-bucket"] == ("111111111111", "high", "FAIL", True)
    assert from_csv["lapsed-bucket"][3] is False  # that mute had expired by then
    assert "gone-bucket" not in from_csv  # it had no finding; but it did exist then:
    failures = open_failures(from_csv)
    assert failures[("111111111111", "high")] == 0

    text = pdf_text(tmp_path, "--as-of", AS_OF)
    muted = text[text.index("\nMuted findings\n", text.index("Contents") + 200) :]
    assert "was-muted-bucket" in muted
    assert "was-muted-bucket" not in chapter(text, "Failing findings by severity", "Muted findings")
    summary = re.sub(r"\s+", " ", chapter(text, "Executive summary", "Scores by area"))
    assert f"{sum(failures.values())} are open and 2 muted as accepted risks" in summary
    assert re.search(r"Another account's\s+1\b", text)  # the bucket that went away later still existed then
