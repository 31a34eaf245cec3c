"""End to end: the truth estate (checks/tests/truth_estate.py) on the moto server, registered by Organizations
discovery, scanned with `manage.py scan --all --wait`, exported with `manage.py export --format json`, and
every exported finding held against the truth table — status and key owner, both ways round."""

import io
import json
from collections import Counter

import pytest
from django.core.management import call_command

from accounts import organizations, sessions
from accounts.models import AwsAccount
from checks.catalog import CATALOG
from checks.collectors.base import ScanContext
from checks.models import Scan
from checks.scanning import collect_all
from checks.tests import truth_estate
from checks.tests.truth_estate import KEY_OWNERS, VERDICTS

pytestmark = pytest.mark.django_db

# What moto cannot answer, in every account and region (see /work/shared/NOTES.md): recorded, never hidden.
KNOWN_GAPS = {("ec2:GetEbsDefaultKmsKeyId", False), ("proton:*", True)}  # (api, unavailable)


@pytest.fixture
def estate(aws, settings):
    built = truth_estate.build(aws)
    # The central key account is trusted; the management account (whose key prod also uses) is not.
    settings.TRUSTED_ACCOUNT_IDS = list(built.trusted)
    organizations.discover(truth_estate.MANAGEMENT, truth_estate.ROLE, regions=list(truth_estate.REGIONS))
    return built


def scan_all():
    call_command("scan", "--all", "--wait", stdout=io.StringIO(), stderr=io.StringIO())


def export(tmp_path, name="findings.json"):
    path = tmp_path / name
    call_command("export", "--format", "json", "-o", str(path), stdout=io.StringIO())
    return json.loads(path.read_text(encoding="utf-8"))


def by_key(rows):
    found = {}
    for row in rows:
        key = (row["account_id"], row["check_id"], row["resource_uid"])
        assert key not in found, f"exported twice: {key}"
        found[key] = row
    return found


def differences(rows, table):
    """Every way the export and the truth disagree, one line each (empty when they agree)."""
    exported = by_key(rows)
    lines = []
    for key in sorted(set(exported) | set(table)):
        row, expected = exported.get(key), table.get(key)
        if row is None:
            lines.append(f"missing   {key}: want {expected.status}/{expected.key_owner}")
        elif expected is None:
            lines.append(f"unexpected {key}: {row['status']}/{row['key_owner']} ({row['reason']})")
        elif (row["status"], row["key_owner"]) != (expected.status, expected.key_owner):
            lines.append(f"wrong     {key}: got {row['status']}/{row['key_owner']}, want "
                         f"{expected.status}/{expected.key_owner} ({row['reason']})")
    return lines


def test_every_exported_finding_matches_the_truth(estate, tmp_path):
    assert set(AwsAccount.objects.values_list("account_id", flat=True)) == set(estate.accounts)

    scan_all()
    rows = export(tmp_path)

    assert differences(rows, estate.table()) == []
    # Every check gives every verdict it can give on this estate, and only those.
    assert set(VERDICTS) == set(CATALOG)
    verdicts = {check_id: set() for check_id in CATALOG}
    for row in rows:
        verdicts[row["check_id"]].add(row["status"])
    assert verdicts == VERDICTS
    # Key owners: every class, with AWS-owned and AWS-managed never conflated.
    owners = Counter(row["key_owner"] for row in rows if row["area"] == "at_rest")
    assert KEY_OWNERS <= set(owners), owners
    exported = by_key(rows)
    sse_s3 = exported[(estate.prod, "s3.bucket_default_encryption", "arn:aws:s3:::prod-sse-s3")]
    sse_kms_default = exported[(estate.prod, "s3.bucket_default_encryption", "arn:aws:s3:::prod-sse-kms-default")]
    assert (sse_s3["key_owner"], sse_kms_default["key_owner"]) == ("aws_owned", "aws_managed")
    central = exported[(estate.prod, "s3.bucket_customer_managed_key", "arn:aws:s3:::prod-central-key")]
    assert central["key_owner"] == "external" and estate.keys in central["kms_key_arn"]
    # Nothing muted, every row from a scan of its own account.
    assert not [row for row in rows if row["muted"]]
    scans = {scan.account.account_id: scan for scan in Scan.objects.select_related("account")}
    assert {row["scan_id"] for row in rows} <= {scan.pk for scan in scans.values()}


def test_scans_record_their_calls_and_only_moto_s_known_gaps(estate):
    scan_all()

    scans = list(Scan.objects.select_related("account"))
    assert sorted(scan.account.account_id for scan in scans) == sorted(estate.accounts)
    for scan in scans:
        # Partial: moto answers two APIs with errors in every region, and the scan says so.
        assert scan.status == Scan.State.PARTIAL, scan.error_message
        assert scan.api_call_count > 0
        assert scan.resource_count > 0 and scan.finding_count > 0
        gaps = Counter((error["api"], error["unavailable"], error["region"]) for error in scan.collection_errors)
        assert gaps == Counter((api, unavailable, region) for api, unavailable in KNOWN_GAPS
                               for region in truth_estate.REGIONS), scan.collection_errors


def test_collecting_calls_no_api_twice(estate):
    for account in AwsAccount.objects.all():
        ctx = ScanContext(sessions.for_account(account), account.account_id, tuple(account.regions),
                          account.home_region)
        records, _errors = collect_all(ctx)
        assert records
        assert ctx.call_log.total > 0
        assert ctx.call_log.repeated() == {}
