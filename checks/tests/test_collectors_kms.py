"""The KMS collector against a moto server over HTTP."""

import json

import pytest
from botocore.exceptions import ClientError

from checks.collectors import kms
from checks.collectors.base import ScanContext
from conftest import deny

REGION = "us-east-1"
PUBLIC_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "Admin",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
            "Action": "kms:*",
            "Resource": "*",
        },
        {"Sid": "Anyone", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["kms:Decrypt"], "Resource": "*"},
        {
            "Sid": "Org",
            "Effect": "Allow",
            "Principal": "*",
            "Action": "kms:Encrypt",
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc"}},
        },
        {"Effect": "Deny", "Principal": "*", "Action": "kms:ScheduleKeyDeletion", "Resource": "*"},
    ],
}


def scan_context(aws):
    return ScanContext(aws.session, aws.account_id, (REGION, "eu-west-1"), REGION)


def collect(aws, region=REGION):
    ctx = scan_context(aws)
    return ctx, kms.collect(ctx, region)


def by_name(collected):
    return {record.name: record for record in collected.records}


def calls(ctx, operation):
    return [key for key in ctx.call_log.calls if key[2] == operation]


@pytest.fixture
def create_key(aws):
    """create_key(alias=None, region=REGION, **create_key_options) -> KeyMetadata, with one client per region."""
    clients = {}

    def create(alias=None, region=REGION, **options):
        if region not in clients:
            clients[region] = aws.client("kms", region)
        key = clients[region].create_key(**options)["KeyMetadata"]
        if alias:
            clients[region].create_alias(AliasName=alias, TargetKeyId=key["KeyId"])
        return key

    return create


def aws_managed_dynamodb_key(aws):
    """moto creates alias/aws/dynamodb the way AWS does: on the first table encrypted with KMS but no key id."""
    aws.client("dynamodb").create_table(
        TableName="orders",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        SSESpecification={"Enabled": True, "SSEType": "KMS"},
    )
    return aws.client("kms").describe_key(KeyId="alias/aws/dynamodb")["KeyMetadata"]


def test_customer_key_evidence(aws, create_key):
    key = create_key(
        "alias/app",
        Description="Application data",
        KeyUsage="ENCRYPT_DECRYPT",
        Tags=[{"TagKey": "team", "TagValue": "payments"}],
    )
    aws.client("kms").enable_key_rotation(KeyId=key["KeyId"])
    ctx, collected = collect(aws)
    record = by_name(collected)["alias/app"]
    assert record.uid == key["Arn"]
    assert record.type == "kms.key"
    assert record.region == REGION
    assert record.key_arn is None
    assert record.tags == {}  # tags come from the tagging API (collectors/tagging.py), not a call per key
    assert calls(ctx, "ListResourceTags") == []
    evidence = dict(record.evidence)
    evidence.pop("rotation_period_days", None)  # AWS answers it; this moto version may not
    assert evidence == {
        "aliases": ["alias/app"],
        "key_manager": "CUSTOMER",
        "state": "Enabled",
        "key_spec": "SYMMETRIC_DEFAULT",
        "key_usage": "ENCRYPT_DECRYPT",
        "origin": "AWS_KMS",
        "multi_region": False,
        "deletion_date": None,
        "description": "Application data",
        "rotation_enabled": True,
        "policy_public_statements": [],  # moto's default policy names the account root only
    }
    assert collected.errors == []
    assert ctx.call_log.repeated() == {}


def test_key_without_alias_is_named_by_its_id_and_rotation_off_is_false(aws, create_key):
    key = create_key()
    _, collected = collect(aws)
    record = by_name(collected)[key["KeyId"]]
    assert record.evidence["aliases"] == []
    assert record.evidence["rotation_enabled"] is False


def test_public_statements_keep_only_allows_open_to_everyone(aws, create_key):
    create_key("alias/open", Policy=json.dumps(PUBLIC_POLICY))
    _, collected = collect(aws)
    statements = by_name(collected)["alias/open"].evidence["policy_public_statements"]
    assert statements == [
        {"sid": "Anyone", "actions": ["kms:Decrypt"], "condition": {}},
        {"sid": "Org", "actions": ["kms:Encrypt"], "condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}},
    ]


def test_pending_deletion_key_has_its_date_and_rotation_is_not_asked(aws, create_key):
    key = create_key("alias/doomed")
    aws.client("kms").schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
    ctx, collected = collect(aws)
    evidence = by_name(collected)["alias/doomed"].evidence
    assert evidence["state"] == "PendingDeletion"
    assert evidence["deletion_date"].startswith("20")
    assert evidence["rotation_enabled"] is None
    assert calls(ctx, "GetKeyRotationStatus") == []


def test_rotation_is_not_asked_for_disabled_or_asymmetric_keys(aws, create_key):
    disabled = create_key("alias/off")
    aws.client("kms").disable_key(KeyId=disabled["KeyId"])
    create_key("alias/signing", KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")
    ctx, collected = collect(aws)
    records = by_name(collected)
    assert records["alias/off"].evidence["state"] == "Disabled"
    assert records["alias/signing"].evidence["key_spec"] == "RSA_2048"
    assert records["alias/signing"].evidence["key_usage"] == "SIGN_VERIFY"
    assert [records[name].evidence["rotation_enabled"] for name in ("alias/off", "alias/signing")] == [None, None]
    assert calls(ctx, "GetKeyRotationStatus") == []
    assert len(calls(ctx, "GetKeyPolicy")) == 2  # policies are still read: a disabled key can be re-enabled


def test_aws_managed_key_named_by_its_alias_is_not_described_nor_its_policy_and_rotation_read(aws, create_key):
    key = aws_managed_dynamodb_key(aws)
    create_key("alias/mine")
    ctx, collected = collect(aws)
    record = by_name(collected)["alias/aws/dynamodb"]
    assert record.uid == key["Arn"]
    assert record.evidence["aliases"] == ["alias/aws/dynamodb"]
    # What AWS documents of its managed keys (moto's DescribeKey says KeyManager CUSTOMER; AWS says AWS).
    assert record.evidence["key_manager"] == "AWS"
    assert record.evidence["state"] == "Enabled"
    assert record.evidence["rotation_enabled"] is None
    assert record.evidence["policy_public_statements"] is None
    for operation in ("GetKeyRotationStatus", "GetKeyPolicy"):
        assert len(calls(ctx, operation)) == 1  # the customer key's only
    [described] = calls(ctx, "DescribeKey")
    assert key["KeyId"] not in described[3]
    assert ctx.call_log.repeated() == {}


def test_a_region_without_keys_lists_no_aliases(aws, create_key):
    create_key("alias/us")
    ctx, collected = collect(aws, "eu-west-1")
    assert collected.records == []
    assert collected.errors == []
    assert calls(ctx, "ListAliases") == []
    assert len(calls(ctx, "ListKeys")) == 1


def test_many_keys_each_described_once_and_aliases_listed_once(aws, create_key):
    for index in range(12):
        create_key(f"alias/k{index:02}")
    ctx, collected = collect(aws)
    assert sorted(by_name(collected)) == [f"alias/k{index:02}" for index in range(12)]
    assert len(calls(ctx, "ListAliases")) == 1
    assert len(calls(ctx, "DescribeKey")) == 12
    assert ctx.call_log.repeated() == {}


def test_keys_are_collected_per_region(aws, create_key):
    create_key("alias/eu", region="eu-west-1")
    create_key("alias/us")
    _, collected = collect(aws, "eu-west-1")
    assert [(record.name, record.region) for record in collected.records] == [("alias/eu", "eu-west-1")]
    assert ":eu-west-1:" in collected.records[0].uid


def refuse_for_key(session, operation, key_arn):
    """Deny `operation` for one key only (the way a key policy can deny the audit role)."""

    def refuse(params, **kwargs):
        if params.get("KeyId") == key_arn:
            raise ClientError(
                {
                    "Error": {"Code": "AccessDeniedException", "Message": "Denied by key policy"},
                    "ResponseMetadata": {"HTTPStatusCode": 400},
                },
                operation,
            )

    # before-parameter-build sees the API parameters (before-call sees the serialized request).
    session.events.register(f"before-parameter-build.kms.{operation}", refuse)


def test_key_policy_denied_for_one_key_is_a_per_resource_error(aws, create_key):
    locked = create_key("alias/locked")
    create_key("alias/open", Policy=json.dumps(PUBLIC_POLICY))
    refuse_for_key(aws.session, "GetKeyPolicy", locked["Arn"])
    _, collected = collect(aws)
    [error] = collected.errors
    assert (error.api, error.code, error.resource_uid, error.region) == (
        "kms:GetKeyPolicy",
        "AccessDeniedException",
        locked["Arn"],
        REGION,
    )
    records = by_name(collected)
    assert records["alias/locked"].evidence["policy_public_statements"] is None
    assert records["alias/locked"].evidence["rotation_enabled"] is False  # the rest of the key was still read
    assert len(records["alias/open"].evidence["policy_public_statements"]) == 2


def test_describe_denied_leaves_a_listed_key_with_unknown_evidence(aws, create_key):
    key = create_key("alias/hidden")
    refuse_for_key(aws.session, "DescribeKey", key["Arn"])
    ctx, collected = collect(aws)
    [record] = collected.records
    assert record.evidence["key_manager"] is None
    assert record.evidence["state"] is None
    assert [(error.api, error.resource_uid) for error in collected.errors] == [("kms:DescribeKey", key["Arn"])]
    assert calls(ctx, "GetKeyPolicy") == []


def test_list_keys_denied_is_a_gap_for_the_region(aws, create_key):
    create_key("alias/app")
    deny(aws.session, "kms", "ListKeys")
    _, collected = collect(aws)
    assert collected.records == []
    [error] = collected.errors
    assert (error.api, error.code, error.resource_uid, error.region) == ("kms:ListKeys", "AccessDenied", "", REGION)


def test_list_aliases_denied_is_a_gap_but_keys_are_still_collected(aws, create_key):
    key = create_key("alias/app")
    deny(aws.session, "kms", "ListAliases")
    _, collected = collect(aws)
    [record] = collected.records
    assert record.name == key["KeyId"]
    assert record.evidence["state"] == "Enabled"
    assert [(error.api, error.resource_uid) for error in collected.errors] == [("kms:ListAliases", "")]


@pytest.mark.parametrize("operation", sorted(kms.IAM_ACTIONS))
def test_iam_actions_name_real_operations(operation):
    import botocore.session

    model = botocore.session.get_session().get_service_model("kms")
    assert operation in model.operation_names
    assert kms.IAM_ACTIONS[operation] == f"kms:{operation}"


def test_collected_keys_read_as_the_key_checks_expect(aws, create_key):
    """Collector evidence and checks agree: the contract between them, end to end."""
    from datetime import UTC, datetime

    from checks.catalog import CATALOG
    from checks.catalog.base import KeyOwner, Status
    from checks.evaluation import evaluate_check
    from checks.inventory import Inventory, Record

    aws_key = aws_managed_dynamodb_key(aws)
    create_key("alias/unrotated")
    doomed = create_key("alias/doomed")
    kms_client = aws.client("kms")
    kms_client.schedule_key_deletion(KeyId=doomed["KeyId"], PendingWindowInDays=7)
    create_key("alias/open", Policy=json.dumps(PUBLIC_POLICY))
    _, collected = collect(aws)
    inventory = Inventory(aws.account_id, (REGION,), datetime.now(UTC), collected.records, collected.errors)

    def statuses(check_id):
        return {e.record.name: e.result.status for e in evaluate_check(CATALOG[check_id], inventory)}

    assert inventory.key_owner(aws_key["Arn"], REGION) == KeyOwner.AWS_MANAGED
    # A resource on the undescribed AWS-managed key: its key is usable, as DescribeKey would have said.
    table = Record("arn:aws:dynamodb:us-east-1:1:table/t", "dynamodb.table", REGION, "t", key_arn=aws_key["Arn"])
    with_table = Inventory(aws.account_id, (REGION,), datetime.now(UTC), [*collected.records, table], [])
    [usable] = evaluate_check(CATALOG["kms.key_in_use_unusable"], with_table)
    assert (usable.record.name, usable.result.status) == ("t", Status.PASS)
    assert statuses("kms.key_pending_deletion").get("alias/aws/dynamodb") is None
    assert statuses("kms.key_rotation_enabled") == {
        "alias/unrotated": Status.FAIL,
        "alias/doomed": Status.NOT_APPLICABLE,
        "alias/open": Status.FAIL,
    }
    assert statuses("kms.key_pending_deletion")["alias/doomed"] == Status.FAIL
    assert statuses("kms.key_policy_not_public") == {
        "alias/unrotated": Status.PASS,
        "alias/doomed": Status.PASS,
        "alias/open": Status.FAIL,
    }
