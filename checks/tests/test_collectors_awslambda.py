"""Lambda collector against the moto server: environment key and variable count (never values), function policy."""

import io
import json
import zipfile

import pytest

from checks.catalog.policies import POLICY_EVIDENCE
from checks.collectors import awslambda
from checks.collectors.base import ScanContext
from checks.tests.stubs import ACCOUNT, stubbed
from conftest import deny

REGIONS = ("us-east-1", "eu-west-1")


def scan(aws, region="us-east-1"):
    ctx = ScanContext(aws.session, aws.account_id, REGIONS, "us-east-1")
    return ctx, awslambda.collect(ctx, region)


@pytest.fixture
def make_function(aws):
    role = aws.client("iam").create_role(RoleName="lambda-exec", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("index.py", "def handler(event, context):\n    return 1\n")

    def make(name, **options):
        return aws.client("lambda").create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=role,
            Handler="index.handler",
            Code={"ZipFile": archive.getvalue()},
            **options,
        )["FunctionArn"]

    return make


def test_functions_record_key_variable_count_and_description_never_values(aws, make_function):
    key_arn = aws.client("kms").create_key()["KeyMetadata"]["Arn"]
    secret = "hunter2-not-a-real-password"
    own = make_function(
        "orders",
        Environment={"Variables": {"DB_PASSWORD": secret, "STAGE": "prod"}},
        KMSKeyArn=key_arn,
        Description="Orders API",
    )
    default = make_function("reports", Environment={"Variables": {"BUCKET": "reports"}})
    bare = make_function("ping")

    ctx, collected = scan(aws)

    functions = {record.uid: record for record in collected.records}
    assert own == f"arn:aws:lambda:us-east-1:{aws.account_id}:function:orders"
    assert functions[own].type == "lambda.function"
    assert functions[own].key_arn == key_arn
    assert functions[own].evidence == {
        "environment_variable_count": 2,
        "environment_error": None,
        POLICY_EVIDENCE: [],
        "encrypted": True,
        "description": "Orders API",
    }
    assert secret not in json.dumps(functions[own].evidence) and "DB_PASSWORD" not in json.dumps(
        functions[own].evidence
    )
    assert functions[default].key_arn == "alias/aws/lambda"  # variables without a key: the AWS-managed key
    assert functions[bare].key_arn is None
    assert "encrypted" not in functions[bare].evidence  # nothing of its own to encrypt
    assert collected.errors == []
    assert sorted(call[2] for call in ctx.call_log.calls) == ["GetPolicy"] * 3 + ["ListFunctions"]
    assert ctx.call_log.repeated() == {}


def test_function_policy_keeps_only_statements_open_to_everyone(aws, make_function):
    arn = make_function("uploads")
    client = aws.client("lambda")
    client.add_permission(FunctionName="uploads", StatementId="public", Action="lambda:InvokeFunction", Principal="*")
    client.add_permission(
        FunctionName="uploads",
        StatementId="own-account",
        Action="lambda:InvokeFunction",
        Principal=aws.account_id,
    )
    client.add_permission(
        FunctionName="uploads",
        StatementId="bucket-events",
        Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com",
        SourceArn="arn:aws:s3:::uploads",
        SourceAccount=aws.account_id,
    )
    _ctx, collected = scan(aws)
    [record] = collected.records
    assert record.uid == arn
    statements = {statement["sid"]: statement for statement in record.evidence[POLICY_EVIDENCE]}
    assert set(statements) == {"public", "bucket-events"}
    assert statements["public"] == {"sid": "public", "actions": ["lambda:InvokeFunction"], "condition": {}}
    assert statements["bucket-events"]["principal"] == "s3.amazonaws.com"


def test_a_refused_policy_is_an_error_on_that_function(aws, make_function):
    arn = make_function("orders", Environment={"Variables": {"A": "b"}})
    deny(aws.session, "lambda", "GetPolicy")
    _ctx, collected = scan(aws)
    [error] = collected.errors
    assert (error.api, error.code, error.resource_uid) == ("lambda:GetPolicy", "AccessDenied", arn)
    [record] = collected.records
    assert record.evidence[POLICY_EVIDENCE] is None
    assert record.evidence["environment_variable_count"] == 1


def test_denied_listing_is_a_gap(aws):
    deny(aws.session, "lambda", "ListFunctions")
    _ctx, collected = scan(aws, "eu-west-1")
    [error] = collected.errors
    assert (error.api, error.region, error.resource_uid) == ("lambda:ListFunctions", "eu-west-1", "")
    assert collected.records == []


def function(name, **extra):
    return {"FunctionName": name, "FunctionArn": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{name}", **extra}


def test_functions_are_read_across_pages_and_an_environment_lambda_cannot_decrypt_is_kept():
    """moto ignores MaxItems on ListFunctions and never reports an environment error: the Stubber does both."""
    broken = function(
        "broken",
        Environment={"Error": {"ErrorCode": "KMSAccessDeniedException", "Message": "Lambda was unable to decrypt"}},
    )
    with stubbed("lambda") as (ctx, stubber):
        stubber.add_response("list_functions", {"Functions": [function("first")], "NextMarker": "2"}, {})
        stubber.add_response("list_functions", {"Functions": [broken]}, {"Marker": "2"})
        for name in ("first", "broken"):
            stubber.add_client_error(
                "get_policy",
                "ResourceNotFoundException",
                expected_params={"FunctionName": function(name)["FunctionArn"]},
            )
        collected = awslambda.collect(ctx, "us-east-1")
    first, kept = collected.records
    assert first.name == "first"
    assert kept.evidence["environment_error"] == "KMSAccessDeniedException"
    assert kept.key_arn == "alias/aws/lambda"
    assert collected.errors == []
