"""Scans that tell the truth about themselves: a retired service that no longer answers (Proton) is expected,
so a healthy account's scan is succeeded; only a real gap makes it partial, and the account page says which.

"Real AWS" here is the moto server plus the one answer moto lacks: GetEbsDefaultKmsKeyId (moto answers it
with an HTML 500 page), given by a botocore before-call hook as AWS would give it. moto has no Proton, as
AWS has none since its end of support.
"""

import pytest
from botocore.awsrequest import AWSResponse
from django.urls import reverse

from accounts import sessions
from accounts.tests.factories import AwsAccountFactory
from checks import scanning
from checks.collectors import ec2, proton, sqs
from checks.models import Scan

pytestmark = pytest.mark.django_db

REGIONS = ["us-east-1", "eu-west-1"]
SOME = [ec2, sqs, proton]  # enough for the page tests; the healthy-account test runs every collector


@pytest.fixture
def account(aws, monkeypatch):
    monkeypatch.setattr(sessions, "own_session", lambda: aws.session)
    aws.client("sqs", "us-east-1").create_queue(QueueName="jobs")
    return AwsAccountFactory(account_id=aws.account_id, regions=REGIONS)


def answer_ebs_default_key_as_aws_does(session):
    """AWS answers GetEbsDefaultKmsKeyId with the region's default key (alias/aws/ebs unless changed)."""

    def answer(**kwargs):
        response = AWSResponse("https://ec2.amazonaws.com/", 200, {}, None)
        return response, {"KmsKeyId": "alias/aws/ebs", "ResponseMetadata": {"HTTPStatusCode": 200}}

    session.events.register("before-call.ec2.GetEbsDefaultKmsKeyId", answer)


def scanned(account, collectors=None):
    scan = scanning.run_scan(Scan.queue(account, Scan.Trigger.CLI), collectors=collectors)
    scan.refresh_from_db()
    return scan


def test_a_healthy_account_scan_succeeds_though_proton_no_longer_answers(aws, account):
    answer_ebs_default_key_as_aws_does(aws.session)

    scan = scanned(account)

    assert scan.status == Scan.State.SUCCEEDED, scan.collection_errors
    assert scan.gaps == []
    [proton] = scan.not_served
    assert (proton.service, proton.regions) == ("proton", tuple(sorted(REGIONS)))


def test_on_moto_the_missing_default_key_api_is_the_one_gap_and_the_scan_is_partial(aws, account):
    scan = scanned(account)  # every collector: this is the only gap moto leaves

    assert scan.status == Scan.State.PARTIAL
    [gap] = scan.gaps
    assert (gap.api, gap.regions) == ("ec2:GetEbsDefaultKmsKeyId", tuple(sorted(REGIONS)))
    assert gap.message == (
        "The endpoint answered with an HTML error page, not an AWS response: it does not serve this API."
    )


def test_the_account_page_names_the_gap_and_what_is_not_one(aws, account, client_as):
    scanned(account, SOME)

    text = client_as("viewer").get(reverse("dashboard:account", args=[account.pk])).text

    coverage = text[text.index('id="coverage"') : text.index("<h2>Scans</h2>")]
    assert "Partial:</strong> 1 API could not be read" in coverage
    assert "ec2:GetEbsDefaultKmsKeyId" in coverage and "eu-west-1, us-east-1" in coverage
    assert "an HTML error page, not an AWS response" in coverage
    assert "Not a gap: <strong>proton</strong> does not answer in eu-west-1, us-east-1" in coverage
    scans = text[text.index("<h2>Scans</h2>") :]
    assert "Could not read ec2:GetEbsDefaultKmsKeyId" in scans  # the scans table says why it is partial


def test_a_gap_names_the_checks_that_report_error_for_it(aws, account, client_as):
    from conftest import deny

    answer_ebs_default_key_as_aws_does(aws.session)
    deny(aws.session, "sqs", "ListQueues")

    scan = scanned(account, SOME)

    assert scan.status == Scan.State.PARTIAL
    [gap] = scan.gaps
    assert gap.api == "sqs:ListQueues" and gap.code == "AccessDenied"
    assert "sqs.queue_encrypted" in gap.checks
    text = client_as("viewer").get(reverse("dashboard:account", args=[account.pk])).text
    assert '<span class="mono">sqs.queue_encrypted</span>' in text[text.index('id="coverage"') :]


def test_a_resource_error_a_check_tolerates_is_not_said_to_make_it_err():
    from checks.catalog import CATALOG
    from checks.coverage import gaps
    from checks.inventory import CollectionError

    tolerant = next((check for check in CATALOG.values() if check.tolerates), None)
    assert tolerant is not None, "no check tolerates a failed call: nothing to test"
    api = tolerant.tolerates[0]
    service = api.split(":")[0]
    one_resource = CollectionError(service, "us-east-1", api, "AccessDenied", "no", resource_uid="arn:aws:x")
    whole_api = CollectionError(service, "us-east-1", api, "AccessDenied", "no")
    assert tolerant.id not in gaps([one_resource])[0].checks
    assert tolerant.id in gaps([whole_api])[0].checks
