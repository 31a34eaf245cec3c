"""Secrets Manager collector against the moto server: the key of every secret, from ListSecrets alone."""

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
    assert secrets[own].evidence == {"encrypted": True, "description": "Orders DB"}
    assert secrets[own].tags == {"team": "payments"}
    # No KmsKeyId: Secrets Manager's AWS-managed key.
    assert secrets[default].key_arn == "alias/aws/secretsmanager"
    assert secrets[default].evidence == {"encrypted": True}
    assert [key[2] for key in ctx.call_log.calls] == ["ListSecrets"]  # no per-secret call
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
    assert len(ctx.call_log.calls) == 3
    assert ctx.call_log.repeated() == {}


def test_denied_listing_is_a_gap(aws):
    deny(aws.session, "secrets-manager", "ListSecrets")
    ctx, collected = scan(aws, "eu-west-1")
    [error] = collected.errors
    assert (error.api, error.region, error.resource_uid) == ("secretsmanager:ListSecrets", "eu-west-1", "")
    assert collected.records == []
