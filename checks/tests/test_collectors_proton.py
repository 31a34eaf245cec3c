"""Proton collector: botocore Stubber for Proton's answers (moto has no Proton), and the moto server itself
for "the endpoint does not serve Proton", which must read NOT_APPLICABLE, never ERROR or a crash."""

from datetime import UTC, datetime

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError
from botocore.stub import Stubber

from checks.catalog import CATALOG
from checks.catalog.base import KeyOwner, Status
from checks.collectors import proton
from checks.collectors.base import ScanContext
from checks.evaluation import evaluate, evaluate_check
from checks.inventory import Inventory, region_uid
from checks.tests.builders import NOW, make_key

ACCOUNT = "123456789012"
REGIONS = ("us-east-1", "eu-west-1")
CHECK = "proton.template_customer_managed_key"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
PAGE = "page-2"
CREATED = datetime(2024, 1, 1, tzinfo=UTC)


def arn(kind, name):
    return f"arn:aws:proton:us-east-1:{ACCOUNT}:{kind}/{name}"


def summary(kind, name, **extra):
    return {"arn": arn(kind, name), "name": name, "createdAt": CREATED, "lastModifiedAt": CREATED, **extra}


class StubbedContext(ScanContext):
    """A scan context whose Proton client answers from a Stubber (the test's seam; collectors call ctx.client)."""

    def __init__(self, client):
        super().__init__(session=None, account_id=ACCOUNT, regions=REGIONS, home_region="us-east-1")
        self.proton = client
        client.meta.events.register("before-call.*.*", self.call_log.hook("proton", "us-east-1"))

    def client(self, service, region=None, **config):
        assert service == "proton"
        return self.proton


@pytest.fixture
def stubbed():
    client = boto3.session.Session(region_name="us-east-1").client(
        "proton", region_name="us-east-1", endpoint_url="http://127.0.0.1:1"
    )
    ctx = StubbedContext(client)  # registers the call counter before the Stubber's own handler
    with Stubber(client) as stubber:
        yield ctx, stubber
        stubber.assert_no_pending_responses()


def expect_templates(stubber, environment=(), service=(), paged=False):
    """Queue the list and get answers for templates given as (name, encryption key or None)."""
    for kind, items, list_operation, get_operation, answer_key in (
        (
            "environment-template",
            environment,
            "list_environment_templates",
            "get_environment_template",
            "environmentTemplate",
        ),
        ("service-template", service, "list_service_templates", "get_service_template", "serviceTemplate"),
    ):
        first, rest = (items[:1], items[1:]) if paged and kind == "environment-template" else (items, ())
        stubber.add_response(
            list_operation,
            {"templates": [summary(kind, name) for name, _key in first], **({"nextToken": PAGE} if rest else {})},
        )
        if rest:
            stubber.add_response(
                list_operation, {"templates": [summary(kind, name) for name, _key in rest]}, {"nextToken": PAGE}
            )
        for name, key in items:
            detail = summary(kind, name, **({"encryptionKey": key} if key else {}))
            stubber.add_response(get_operation, {answer_key: detail}, {"name": name})


def test_templates_carry_their_encryption_key_and_repositories_their_location(stubbed):
    ctx, stubber = stubbed
    expect_templates(stubber, environment=[("vpc", KEY), ("db", None)], service=[("api", None)], paged=True)
    stubber.add_response(
        "list_repositories",
        {
            "repositories": [
                {
                    "arn": arn("repository", "github/org/app"),
                    "name": "org/app",
                    "provider": "GITHUB",
                    "connectionArn": f"arn:aws:codestar-connections:us-east-1:{ACCOUNT}:connection/c1",
                },
                {
                    "arn": arn("repository", "bitbucket/x"),
                    "name": "alice:s3cret@git.example.com/org/app",
                    "provider": "BITBUCKET",
                    "connectionArn": f"arn:aws:codestar-connections:us-east-1:{ACCOUNT}:connection/c2",
                },
            ]
        },
    )
    collected = proton.collect(ctx, "us-east-1")
    assert collected.errors == []
    templates = {record.name: record for record in collected.records if record.type == "proton.template"}
    assert templates["vpc"].uid == arn("environment-template", "vpc")
    assert templates["vpc"].key_arn == KEY
    assert templates["vpc"].evidence["encryption_key"] == KEY
    assert templates["vpc"].evidence["template_kind"] == "environment"
    assert templates["db"].key_arn is None
    assert templates["db"].evidence["encryption_key"] is None
    assert templates["api"].evidence["template_kind"] == "service"
    repositories = {
        record.evidence["provider"]: record for record in collected.records if record.type == "proton.repository"
    }
    assert repositories["GITHUB"].evidence["urls"] == {"repository name": "org/app"}
    assert repositories["BITBUCKET"].name == "alice:****@git.example.com/org/app"
    assert "s3cret" not in str(repositories["BITBUCKET"].evidence)
    assert {operation for (_, _, operation, _) in ctx.call_log.calls} == set(proton.IAM_ACTIONS)
    assert ctx.call_log.repeated() == {}

    # The account's KMS collector describes the template's key as customer-managed (without it the key
    # is one the scan could not describe: ERROR, tested in test_catalog_proton).
    key = make_key(KEY.rsplit("/", 1)[1], account=ACCOUNT)
    assert key.uid == KEY
    inventory = Inventory(ACCOUNT, ("us-east-1",), NOW, [*collected.records, key], collected.errors)
    results = {e.record.name: e.result for e in evaluate_check(CATALOG[CHECK], inventory)}
    assert {name: result.status for name, result in results.items()} == {
        "vpc": Status.PASS,
        "db": Status.FAIL,
        "api": Status.FAIL,
    }
    assert results["db"].key_owner == KeyOwner.AWS_OWNED
    urls = {
        e.record.evidence["provider"]: e.result.status
        for e in evaluate_check(CATALOG["hygiene.no_credentials_in_urls"], inventory)
    }
    assert urls == {"GITHUB": Status.PASS, "BITBUCKET": Status.FAIL}


def test_template_deleted_between_list_and_get_is_skipped(stubbed):
    ctx, stubber = stubbed
    stubber.add_response("list_environment_templates", {"templates": [summary("environment-template", "gone")]})
    stubber.add_client_error(
        "get_environment_template", "ResourceNotFoundException", "gone", 404, expected_params={"name": "gone"}
    )
    stubber.add_response("list_service_templates", {"templates": []})
    stubber.add_response("list_repositories", {"repositories": []})
    collected = proton.collect(ctx, "us-east-1")
    assert collected.records == []
    assert collected.errors == []


def test_denied_get_leaves_the_template_listed_as_an_error(stubbed):
    ctx, stubber = stubbed
    stubber.add_response("list_environment_templates", {"templates": [summary("environment-template", "vpc")]})
    stubber.add_client_error(
        "get_environment_template", "AccessDeniedException", "no", 403, expected_params={"name": "vpc"}
    )
    stubber.add_response("list_service_templates", {"templates": []})
    stubber.add_response("list_repositories", {"repositories": []})
    collected = proton.collect(ctx, "us-east-1")
    [record] = collected.records
    assert "encryption_key" not in record.evidence
    [error] = collected.errors
    assert (error.api, error.resource_uid, error.unavailable) == ("proton:GetEnvironmentTemplate", record.uid, False)
    inventory = Inventory(ACCOUNT, ("us-east-1",), NOW, collected.records, collected.errors)
    [evaluation] = evaluate_check(CATALOG[CHECK], inventory)
    assert evaluation.result.status == Status.ERROR


def test_access_denied_listing_stays_a_real_error(stubbed):
    ctx, stubber = stubbed
    stubber.add_client_error("list_environment_templates", "AccessDeniedException", "not authorized", 403)
    stubber.add_response("list_service_templates", {"templates": []})
    stubber.add_response("list_repositories", {"repositories": []})
    collected = proton.collect(ctx, "us-east-1")
    [error] = collected.errors
    assert (error.api, error.code, error.unavailable) == (
        "proton:ListEnvironmentTemplates",
        "AccessDeniedException",
        False,
    )
    inventory = Inventory(ACCOUNT, ("us-east-1",), NOW, collected.records, collected.errors)
    [gap] = evaluate_check(CATALOG[CHECK], inventory)
    assert gap.result.status == Status.ERROR


@pytest.mark.parametrize(
    ("code", "status", "message"),
    [
        ("UnknownOperationException", 400, ""),
        ("UnrecognizedClientException", 400, "The security token included in the request is invalid."),
        ("ServiceUnavailableException", 503, "AWS Proton has reached end of support."),
        ("AccessDeniedException", 403, "AWS Proton is no longer available to this account."),
        ("SubscriptionRequiredException", 400, "The AWS Access Key Id needs a subscription for the service"),
        ("ValidationException", 400, "This operation is not supported."),
        ("404", 404, "<html>Not Found</html>"),
        ("501", 501, ""),
    ],
)
def test_answers_meaning_no_proton_are_one_unavailable_gap_and_no_further_calls(stubbed, code, status, message):
    ctx, stubber = stubbed
    stubber.add_client_error("list_environment_templates", code, message, status)
    collected = proton.collect(ctx, "us-east-1")
    assert collected.records == []
    [error] = collected.errors
    assert (error.api, error.code, error.unavailable) == ("proton:*", code, True)
    assert "end of support" in error.message
    assert ctx.call_log.total == 1


@pytest.mark.parametrize(
    ("code", "status"), [("InternalServerException", 500), ("ThrottlingException", 400), ("AccessDenied", 403)]
)
def test_real_service_errors_are_not_unavailable(code, status):
    error = ClientError(
        {"Error": {"Code": code, "Message": "x"}, "ResponseMetadata": {"HTTPStatusCode": status}},
        "ListEnvironmentTemplates",
    )
    assert proton.unavailable_reason(error) is None


def test_unreachable_endpoint_is_unavailable():
    error = EndpointConnectionError(endpoint_url="https://proton.eu-south-2.amazonaws.com/")
    assert "cannot be reached" in proton.unavailable_reason(error)


def test_refused_connection_is_an_unavailable_gap():
    class RefusingContext(ScanContext):
        def client(self, service, region=None, **config):
            return boto3.session.Session(region_name=region).client(
                service,
                region_name=region,
                endpoint_url="http://127.0.0.1:1",
                config=Config(retries={"max_attempts": 1}, connect_timeout=1),
            )

    collected = proton.collect(RefusingContext(None, ACCOUNT, REGIONS), "eu-west-1")
    [error] = collected.errors
    assert (error.api, error.code, error.region, error.unavailable) == (
        "proton:*",
        "EndpointConnectionError",
        "eu-west-1",
        True,
    )


def test_moto_server_without_proton_makes_the_check_not_applicable(aws):
    ctx = ScanContext(aws.session, aws.account_id, REGIONS, "us-east-1")
    collected = proton.collect(ctx, "us-east-1")
    assert collected.records == []
    [error] = collected.errors
    assert (error.api, error.region, error.unavailable) == ("proton:*", "us-east-1", True)
    assert len(ctx.call_log.calls) == 1  # stopped after the first call
    assert ctx.call_log.repeated() == {}

    inventory = Inventory(aws.account_id, ("us-east-1",), NOW, collected.records, collected.errors)
    evaluations = evaluate(inventory)
    proton_results = [e for e in evaluations if e.check_id == CHECK]
    [evaluation] = proton_results
    assert evaluation.record.uid == region_uid(aws.account_id, "us-east-1")
    assert evaluation.result.status == Status.NOT_APPLICABLE
    assert "end of support" in evaluation.result.reason
    assert [e.check_id for e in evaluations if "Proton" in e.result.reason] == [CHECK]  # no other check touched


def test_templates_on_pages_before_a_failure_are_kept(stubbed):
    ctx, stubber = stubbed
    stubber.add_response(
        "list_environment_templates", {"templates": [summary("environment-template", "vpc")], "nextToken": PAGE}
    )
    stubber.add_client_error(
        "list_environment_templates", "ThrottlingException", "slow down", 400, expected_params={"nextToken": PAGE}
    )
    stubber.add_response(
        "get_environment_template", {"environmentTemplate": summary("environment-template", "vpc")}, {"name": "vpc"}
    )
    stubber.add_response("list_service_templates", {"templates": []})
    stubber.add_response("list_repositories", {"repositories": []})
    collected = proton.collect(ctx, "us-east-1")
    assert [record.name for record in collected.records] == ["vpc"]
    [error] = collected.errors
    assert (error.api, error.code, error.unavailable) == (
        "proton:ListEnvironmentTemplates",
        "ThrottlingException",
        False,
    )
