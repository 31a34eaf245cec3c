"""Secrets Manager collector against the moto server: the key of every secret (from ListSecrets) and the open part
of its resource policy (GetResourcePolicy, one call per secret)."""

import json

from checks.collectors import secretsmanager
from checks.collectors.base import ScanContext
from conftest import deny

REGIONS = ("us-east-1", "eu-west-1")


def scan(aws, region="us-east-1"):
    ctx = ScanContext(aws.session, aws.account_id, REGIONS, "us-east-1")
    return ctx, secretsmanager.collect(ctx, region)


def test_secrets_record_their_key_description_and_tags(aws):
    client = aws.client("secretsmanager")
    key_arn = aws.client("kms").create_key()["KeyMetadata"]["Arn"]
    own = client.create_secret(
        Name="db-password",
        SecretString="x",
        KmsKeyId=key_arn,
        Description="Orders DB",
        Tags=[{"Key": "team", "Value": "payments"}],
    )["ARN"]
    default = client.create_secret(Name="api-token", SecretString="y")["ARN"]
    ctx, collected = scan(aws)
    secrets = {record.uid: record for record in collected.records}
    assert secrets[own].type == "secretsmanager.secret"
    assert secrets[own].name == "db-password"
    assert secrets[own].key_arn == key_arn
    assert secrets[own].evidence == {"encrypted": True, "description": "Orders DB", "policy_public_statements": []}
    assert secrets[own].tags == {"team": "payments"}
    # No KmsKeyId: Secrets Manager's AWS-managed key.
    assert secrets[default].key_arn == "alias/aws/secretsmanager"
    assert secrets[default].evidence == {"encrypted": True, "policy_public_statements": []}
    assert sorted(key[2] for key in ctx.call_log.calls) == ["GetResourcePolicy"] * 2 + ["ListSecrets"]
    assert ctx.call_log.repeated() == {}


def test_secrets_are_read_across_pages(aws):
    client = aws.client("secretsmanager")
    for number in range(5):
        client.create_secret(Name=f"secret-{number}", SecretString="x")
    aws.session.events.register(
        "provide-client-params.secrets-manager.ListSecrets", lambda params, **kwargs: params.update(MaxResults=2)
    )
    ctx, collected = scan(aws)
    assert sorted(record.name for record in collected.records) == [f"secret-{number}" for number in range(5)]
    assert len([key for key in ctx.call_log.calls if key[2] == "ListSecrets"]) == 3
    assert ctx.call_log.repeated() == {}


def test_denied_listing_is_a_gap(aws):
    deny(aws.session, "secrets-manager", "ListSecrets")
    ctx, collected = scan(aws, "eu-west-1")
    [error] = collected.errors
    assert (error.api, error.region, error.resource_uid) == ("secretsmanager:ListSecrets", "eu-west-1", "")
    assert collected.records == []


def test_resource_policy_keeps_only_what_is_open_to_everyone(aws):
    client = aws.client("secretsmanager")
    opened = client.create_secret(Name="shared-token", SecretString="x")["ARN"]
    statements = [
        {
            "Sid": "Anyone",
            "Effect": "Allow",
            "Principal": "*",
            "Action": "secretsmanager:GetSecretValue",
            "Resource": "*",
        },
        {
            "Sid": "Reader",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{aws.account_id}:role/reader"},
            "Action": "secretsmanager:GetSecretValue",
            "Resource": "*",
        },
    ]
    client.put_resource_policy(
        SecretId=opened, ResourcePolicy=json.dumps({"Version": "2012-10-17", "Statement": statements})
    )

    _, collected = scan(aws)

    [secret] = collected.records
    assert secret.evidence["policy_public_statements"] == [
        {"sid": "Anyone", "actions": ["secretsmanager:GetSecretValue"], "condition": {}}
    ]
    assert collected.errors == []


def test_denied_resource_policy_is_an_error_on_that_secret_only(aws):
    deny(aws.session, "secrets-manager", "GetResourcePolicy")
    arn = aws.client("secretsmanager").create_secret(Name="guarded", SecretString="x")["ARN"]

    _, collected = scan(aws)

    [error] = collected.errors
    assert (error.api, error.code, error.resource_uid) == ("secretsmanager:GetResourcePolicy", "AccessDenied", arn)
    [secret] = collected.records
    assert secret.evidence["policy_public_statements"] is None
    assert secret.key_arn == "alias/aws/secretsmanager"  # the listing's facts stay


def test_every_call_made_has_its_iam_action_listed(aws):
    aws.client("secretsmanager").create_secret(Name="audited", SecretString="x")

    ctx, _ = scan(aws)

    assert {key[2] for key in ctx.call_log.calls} == set(secretsmanager.IAM_ACTIONS)
