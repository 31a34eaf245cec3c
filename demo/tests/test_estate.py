"""The demo estate, built in the test moto server: the same ids on every build, and its story holds.

A full build takes seconds, so one test builds it once and asserts each truth through a helper.
"""

import json
import re

import boto3

from accounts import sessions
from conftest import reset_moto
from demo.estate import REGIONS, build_estate, build_profile, create_organization, join_account

ACCOUNT_NUMBER = re.compile(r"\b\d{12}\b")


def quiet(line):
    pass


def volumes(account, region="us-east-1"):
    return account.client("ec2", region).describe_volumes()["Volumes"]


def keys(account, region="us-east-1"):
    kms = account.client("kms", region)
    return [kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"] for key in kms.list_keys()["Keys"]]


def ids(estate, built=None):
    """Account ids and the ids moto made for resources: what the demo database keeps between runs."""
    found = {"organization": estate.organization_id}
    for account in estate.accounts:
        found[account.name] = account.account_id
    for account in built or estate.accounts:
        for region in REGIONS:
            listed = account.client("kms", region).list_keys()["Keys"]
            found[account.name, region] = sorted(
                [volume["VolumeId"] for volume in volumes(account, region)] + [key["KeyArn"] for key in listed]
            )
    return found


def assert_every_account_is_a_member_reached_by_its_role(aws, estate):
    listed = aws.client("organizations").list_accounts()["Accounts"]
    assert {account["Id"] for account in listed} == {account.account_id for account in estate.accounts}
    assert {"payments-prod", "analytics-prod", "platform-staging", "sandbox-dev"} <= {a.name for a in estate.members}
    for account in estate.members:
        assert aws.session_in(account.account_id).client("sts").get_caller_identity()["Account"] == account.account_id


def assert_every_account_has_buckets_in_both_regions(estate):
    for account in estate.accounts:
        s3 = account.client("s3")
        buckets = [bucket["Name"] for bucket in s3.list_buckets()["Buckets"]]
        locations = {s3.get_bucket_location(Bucket=name)["LocationConstraint"] or "us-east-1" for name in buckets}
        assert locations == set(REGIONS), account.name


def assert_sandbox_has_unencrypted_volumes_and_identifiers_in_names(estate):
    sandbox = estate.account("sandbox-dev")
    for region in REGIONS:
        assert any(not volume["Encrypted"] for volume in volumes(sandbox, region)), region
    names = [tag["Value"] for volume in volumes(sandbox) for tag in volume.get("Tags", []) if tag["Key"] == "Name"]
    assert any(ACCOUNT_NUMBER.search(name) for name in names)
    tags = sandbox.client("s3").get_bucket_tagging(Bucket="sandbox-dev-scratch-us-east-1")["TagSet"]
    assert any("@" in tag["Value"] for tag in tags)
    policies = [
        json.loads(sandbox.client("kms").get_key_policy(KeyId=key["KeyId"], PolicyName="default")["Policy"])
        for key in keys(sandbox)
    ]
    assert any(statement["Principal"] == "*" for policy in policies for statement in policy["Statement"])


def assert_sandbox_has_a_function_and_a_repository_open_to_everyone(estate):
    sandbox = estate.account("sandbox-dev")
    policy = json.loads(sandbox.client("lambda").get_policy(FunctionName="sandbox-webhook")["Policy"])
    assert [statement["Principal"] for statement in policy["Statement"]] == ["*"]
    [repository] = sandbox.client("ecr").describe_repositories()["repositories"]
    assert repository["encryptionConfiguration"]["encryptionType"] == "AES256"
    text = sandbox.client("ecr").get_repository_policy(repositoryName=repository["repositoryName"])["policyText"]
    assert json.loads(text)["Statement"][0]["Principal"] == "*"


def assert_analytics_still_uses_a_key_pending_deletion(estate):
    analytics = estate.account("analytics-prod")
    pending = {key["Arn"] for key in keys(analytics) if key["KeyState"] == "PendingDeletion"}
    assert len(pending) == 1
    table = analytics.client("dynamodb").describe_table(TableName="clickstream-events")["Table"]
    assert table["SSEDescription"]["KMSMasterKeyArn"] in pending
    assert any(volume.get("KmsKeyId") in pending for volume in volumes(analytics))


def assert_staging_uses_a_disabled_key_and_a_url_with_credentials(estate):
    staging = estate.account("platform-staging")
    disabled = {key["Arn"] for key in keys(staging) if key["KeyState"] == "Disabled"}
    secret = staging.client("secretsmanager").describe_secret(SecretId="staging/db-password")
    assert secret["KmsKeyId"] in disabled
    endpoints = [sub["Endpoint"] for sub in staging.client("sns").list_subscriptions()["Subscriptions"]]
    assert any(re.match(r"https://[^/@]+:[^/@]+@", endpoint) for endpoint in endpoints)


def assert_staging_is_public_where_analytics_is_protected(estate):
    """Public access: staging's queue and artifacts bucket are open; analytics' published bucket is neutralised."""
    staging, analytics = estate.account("platform-staging"), estate.account("analytics-prod")
    sqs = staging.client("sqs")
    url = sqs.get_queue_url(QueueName="build-queue")["QueueUrl"]
    policy = json.loads(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"]["Policy"])
    assert [statement["Principal"] for statement in policy["Statement"]] == [{"AWS": "*"}]

    def everyone_may_read(account, bucket):
        grants = account.client("s3").get_bucket_acl(Bucket=bucket)["Grants"]
        return any(grant["Grantee"].get("URI", "").endswith("/AllUsers") for grant in grants)

    assert everyone_may_read(staging, "platform-staging-artifacts-us-east-1")
    published = "analytics-prod-published-us-east-1"
    assert everyone_may_read(analytics, published)  # moto shows the ACL as set; AWS shows the one it enforces
    block = analytics.client("s3").get_public_access_block(Bucket=published)["PublicAccessBlockConfiguration"]
    assert block["IgnorePublicAcls"] and block["RestrictPublicBuckets"]


def assert_payments_archive_uses_the_security_teams_key(estate):
    payments = estate.account("payments-prod")
    encryption = payments.client("s3").get_bucket_encryption(Bucket="payments-prod-archive-us-east-1")
    default = encryption["ServerSideEncryptionConfiguration"]["Rules"][0]["ApplyServerSideEncryptionByDefault"]
    assert default["KMSMasterKeyID"].split(":")[4] == estate.management_account_id


def assert_trails_and_tls_policies_differ_between_good_and_weak(estate):
    def trail_status(account):
        cloudtrail = account.client("cloudtrail")
        [trail] = cloudtrail.describe_trails()["trailList"]
        return trail, cloudtrail.get_trail_status(Name=trail["TrailARN"])["IsLogging"]

    good_trail, good_logging = trail_status(estate.management)
    assert (good_logging, good_trail["IsMultiRegionTrail"], good_trail["LogFileValidationEnabled"]) == (True,) * 3
    weak_trail, weak_logging = trail_status(estate.account("platform-staging"))
    assert (weak_logging, weak_trail["LogFileValidationEnabled"]) == (False, False)

    def tls_policies(account):
        elb = account.client("elbv2")
        [balancer] = elb.describe_load_balancers()["LoadBalancers"]
        listeners = elb.describe_listeners(LoadBalancerArn=balancer["LoadBalancerArn"])["Listeners"]
        return {listener.get("SslPolicy") for listener in listeners if listener["Protocol"] == "HTTPS"}

    assert tls_policies(estate.management) == {"ELBSecurityPolicy-TLS13-1-2-2021-06"}
    assert tls_policies(estate.account("payments-prod")) == {"ELBSecurityPolicy-2016-08"}


def assert_analytics_search_accepts_tls_10_and_sandbox_search_is_open_to_anyone(estate):
    def domain(account, name):
        [status] = account.client("opensearch").describe_domains(DomainNames=[name])["DomainStatusList"]
        return status

    analytics = domain(estate.account("analytics-prod"), "analytics-search")
    assert analytics["DomainEndpointOptions"] == {
        "EnforceHTTPS": True,
        "TLSSecurityPolicy": "Policy-Min-TLS-1-0-2019-07",
    }
    sandbox = domain(estate.account("sandbox-dev"), "sandbox-search")
    [statement] = json.loads(sandbox["AccessPolicies"])["Statement"]
    assert (statement["Principal"], "Condition" in statement) == ({"AWS": "*"}, False)
    assert sandbox["EncryptionAtRestOptions"]["Enabled"] is False


def assert_a_rebuild_after_a_reset_repeats_every_id(aws, estate):
    reset_moto(aws.url)  # as a later run's fresh moto server: nothing of the first build left
    sessions.forget_credentials()
    again = create_organization(aws.url, boto3.session.Session(region_name="us-east-1"))
    for account in estate.members:
        join_account(again, account.name, account.profile)
    build_profile(again, again.management)  # the other profiles are seeded the same way

    assert ids(again, built=[again.management]) == ids(estate, built=[estate.management])


def test_estate_holds_its_story_and_is_rebuilt_with_the_same_ids(aws):
    estate = build_estate(aws.url, log=quiet)

    assert len(estate.members) >= 4
    assert_every_account_is_a_member_reached_by_its_role(aws, estate)
    assert_every_account_has_buckets_in_both_regions(estate)
    assert_sandbox_has_unencrypted_volumes_and_identifiers_in_names(estate)
    assert_sandbox_has_a_function_and_a_repository_open_to_everyone(estate)
    assert_analytics_still_uses_a_key_pending_deletion(estate)
    assert_staging_uses_a_disabled_key_and_a_url_with_credentials(estate)
    assert_staging_is_public_where_analytics_is_protected(estate)
    assert_payments_archive_uses_the_security_teams_key(estate)
    assert_trails_and_tls_policies_differ_between_good_and_weak(estate)
    assert_analytics_search_accepts_tls_10_and_sandbox_search_is_open_to_anyone(estate)
    assert_a_rebuild_after_a_reset_repeats_every_id(aws, estate)
