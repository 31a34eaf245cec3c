"""NUL in AWS text: PostgreSQL refuses it in text and jsonb, so it becomes U+FFFD before any row is written.

One resource with a NUL in its name must not fail the recording of the whole scan; these run on both
databases (SQLite accepts NUL, PostgreSQL does not).
"""

from datetime import timedelta
from unittest import mock

import pytest

from accounts.tests.factories import AwsAccountFactory
from checks import scanning
from checks.catalog.base import CATALOG, Area, Severity, Status, check, failed, passed
from checks.inventory import Collected, CollectionError, Record
from checks.models import Finding, FindingEvent, Resource, Scan
from checks.tests.builders import NOW

pytestmark = pytest.mark.django_db

NUL, MARK = "\x00", "\ufffd"


def bucket(name, encrypted=True, **evidence):
    return Record(
        uid=f"arn:aws:s3:::{name}",
        type="s3.bucket",
        region="us-east-1",
        name=name,
        evidence={"encrypted": encrypted, **evidence},
        tags={"team": "data"},
    )


def odd_bucket():
    """A bucket whose AWS text carries NUL everywhere: uid, name, key ARN, tags and nested evidence."""
    return Record(
        uid=f"arn:aws:s3:::odd{NUL}name",
        type="s3.bucket",
        region="us-east-1",
        name=f"odd{NUL}name",
        evidence={
            "encrypted": False,
            "policy": {"Statement": [{"Sid": f"a{NUL}b", f"Key{NUL}": [f"x{NUL}", 1, None]}]},
        },
        key_arn=f"arn:aws:kms:us-east-1:111111111111:key/k{NUL}1",
        tags={f"own{NUL}er": f"te{NUL}am", "env": "prod"},
    )


@pytest.fixture(autouse=True)
def catalog():
    """One check whose reason quotes the bucket's name and a policy Sid, as real reasons quote evidence."""

    def bucket_encrypted(record, inventory):
        if record.evidence["encrypted"]:
            return passed(f"Bucket {record.name} is encrypted.")
        sids = [statement["Sid"] for statement in record.evidence.get("policy", {}).get("Statement", [])]
        return failed(f"Bucket {record.name} is not encrypted (policy {sids}).")

    with mock.patch.dict(CATALOG, clear=True):
        check(
            "test.bucket_encrypted",
            title="t",
            area=Area.AT_REST,
            severity=Severity.HIGH,
            resource_type="s3.bucket",
            needs=("s3:GetBucketEncryption",),
            rationale="r",
            remediation="m",
        )(bucket_encrypted)
        yield


def collector(records, errors=()):
    """A collector module without AWS that hands back `records` and `errors`."""

    class Fake:
        SERVICE = "s3"
        SCOPE = "global"

        @staticmethod
        def collect(ctx, region):
            collected = Collected("s3", region)
            collected.records.extend(records)
            collected.errors.extend(errors)
            return collected

    return Fake


def scan(account, monkeypatch, records, errors=(), at=NOW):
    monkeypatch.setattr(scanning.sessions, "for_account", lambda account: object())
    queued = Scan.queue(account, Scan.Trigger.CLI)
    scanning.run_scan(queued, at=at, collectors=[collector(records, errors)])
    queued.refresh_from_db()
    return queued


def test_nul_in_a_resource_becomes_the_replacement_character_and_the_scan_succeeds(monkeypatch):
    account = AwsAccountFactory()
    done = scan(account, monkeypatch, [bucket("plain"), odd_bucket(), bucket("open", encrypted=False)])
    assert done.status == Scan.State.SUCCEEDED, done.error_message
    odd = Resource.objects.get(uid=f"arn:aws:s3:::odd{MARK}name")
    assert odd.name == f"odd{MARK}name"
    assert odd.tags == {f"own{MARK}er": f"te{MARK}am", "env": "prod"}
    assert odd.evidence["policy"] == {"Statement": [{"Sid": f"a{MARK}b", f"Key{MARK}": [f"x{MARK}", 1, None]}]}
    assert odd.kms_key_arn == f"arn:aws:kms:us-east-1:111111111111:key/k{MARK}1"
    finding = Finding.objects.get(resource=odd)
    assert finding.status == Status.FAIL
    assert finding.reason == f"Bucket odd{MARK}name is not encrypted (policy ['a{MARK}b'])."
    assert FindingEvent.objects.get(finding=finding).reason == finding.reason
    # The rest of the scan is recorded as if the odd bucket were not there.
    others = Finding.objects.filter(resource__name__in=["plain", "open"]).values_list("resource__name", "status")
    assert dict(others) == {"plain": Status.PASS, "open": Status.FAIL}
    assert Resource.objects.get(name="plain").tags == {"team": "data"}
    assert Resource.objects.filter(account=account).count() == 5  # 3 buckets, the account and its region


def test_an_unchanged_rescan_of_a_resource_with_nul_changes_nothing(monkeypatch):
    account = AwsAccountFactory()

    def rows():
        return list(Resource.objects.order_by("id").values_list("id", "uid", "name", "evidence", "tags", "gone_at"))

    scan(account, monkeypatch, [odd_bucket(), bucket("plain")])
    before = rows()
    again = scan(account, monkeypatch, [odd_bucket(), bucket("plain")], at=NOW + timedelta(days=1))
    assert again.status == Scan.State.SUCCEEDED, again.error_message
    assert rows() == before
    assert FindingEvent.objects.filter(scan=again).count() == 0


def test_nul_in_an_aws_error_message_reaches_the_gap_finding_and_the_scan_as_the_replacement_character(
    monkeypatch,
):
    account = AwsAccountFactory()
    denied = CollectionError("s3", "global", "s3:GetBucketEncryption", "AccessDenied", f"not for odd{NUL}name")
    done = scan(account, monkeypatch, [bucket("plain")], errors=[denied])
    assert done.status == Scan.State.PARTIAL, done.error_message
    assert done.collection_errors[0]["message"] == f"not for odd{MARK}name"
    gap = Finding.objects.get(resource__type="account")
    assert gap.status == Status.ERROR
    assert f"not for odd{MARK}name" in gap.reason


def test_a_reason_with_nul_is_stored_with_the_replacement_character():
    assert failed(f"Name is a{NUL}b.").reason == f"Name is a{MARK}b."
    assert passed("Plain.").reason == "Plain."


def test_records_without_nul_keep_their_values():
    record = bucket("plain", tags_seen=["a", "b"])
    assert record.uid == "arn:aws:s3:::plain"
    assert record.evidence == {"encrypted": True, "tags_seen": ["a", "b"]}
    assert record.key_arn is None
