import json
from urllib.parse import urlsplit

from botocore.config import Config

from checks.collectors import s3
from checks.collectors.base import ScanContext
from checks.inventory import account_uid
from checks.tests.collecting import inventory_of
from conftest import deny

REGIONS = ("us-east-1", "eu-west-1")
BLOCK_ALL = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}


def scan(aws):
    ctx = ScanContext(aws.session, aws.account_id, REGIONS, "us-east-1")
    return ctx, s3.collect(ctx, "global")


def buckets_of(collected):
    return {record.name: record for record in collected.records if record.type == "s3.bucket"}


def make_bucket(aws, name, region="us-east-1"):
    client = aws.client("s3", region)
    if region == "us-east-1":
        client.create_bucket(Bucket=name)
    else:
        client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
    return client


def test_bucket_with_customer_key_records_sse_kms_and_key_arn(aws):
    key_arn = aws.client("kms").create_key(Description="bucket key")["KeyMetadata"]["Arn"]
    client = make_bucket(aws, "secure-data")
    client.put_bucket_encryption(
        Bucket="secure-data",
        ServerSideEncryptionConfiguration={
            "Rules": [
                {
                    "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_arn},
                    "BucketKeyEnabled": True,
                }
            ]
        },
    )

    ctx, collected = scan(aws)

    bucket = buckets_of(collected)["secure-data"]
    assert bucket.uid == "arn:aws:s3:::secure-data"
    assert bucket.region == "us-east-1"
    assert bucket.key_arn == key_arn
    assert bucket.evidence["sse_algorithm"] == "aws:kms"
    assert bucket.evidence["encrypted"] is True
    assert bucket.evidence["bucket_key_enabled"] is True
    assert collected.errors == []
    assert ctx.call_log.repeated() == {}


def test_sse_s3_bucket_has_no_key_and_sse_kms_without_key_uses_aws_managed_s3_key(aws):
    client = make_bucket(aws, "sse-s3")
    client.put_bucket_encryption(
        Bucket="sse-s3",
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )
    make_bucket(aws, "sse-kms-default")
    client.put_bucket_encryption(
        Bucket="sse-kms-default",
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]
        },
    )

    _, collected = scan(aws)

    buckets = buckets_of(collected)
    assert buckets["sse-s3"].evidence["sse_algorithm"] == "AES256"
    assert buckets["sse-s3"].key_arn is None
    assert buckets["sse-kms-default"].key_arn == "alias/aws/s3"
    assert buckets["sse-kms-default"].evidence["kms_key_id"] is None


def test_bucket_without_default_encryption_is_recorded_unencrypted(aws):
    # moto creates buckets with no default encryption (AWS applies SSE-S3); the absence is data, not an error.
    make_bucket(aws, "plain")

    _, collected = scan(aws)

    bucket = buckets_of(collected)["plain"]
    assert bucket.evidence["encrypted"] is False
    assert bucket.evidence["sse_algorithm"] is None
    assert bucket.evidence["has_bucket_policy"] is False
    assert bucket.evidence["public_access_block"] is None
    assert bucket.evidence["logging_target_bucket"] is None
    assert bucket.tags == {}
    assert collected.errors == []


def test_bucket_in_eu_west_1_is_read_through_a_client_in_its_region(aws):
    make_bucket(aws, "eu-data", "eu-west-1")

    ctx, collected = scan(aws)

    assert buckets_of(collected)["eu-data"].region == "eu-west-1"
    regions_by_operation = {(region, operation) for (_, region, operation, _) in ctx.call_log.calls}
    assert ("eu-west-1", "GetBucketEncryption") in regions_by_operation
    assert ("us-east-1", "GetBucketEncryption") not in regions_by_operation
    assert ctx.call_log.repeated() == {}


def test_legacy_locations_mean_us_east_1_and_eu_west_1():
    class Answers:
        def __init__(self, constraint):
            self.constraint = constraint

        def get_bucket_location(self, Bucket):  # noqa: N803 - boto3's parameter name
            return {"LocationConstraint": self.constraint}

    assert s3.bucket_region(Answers(None), "b") == "us-east-1"
    assert s3.bucket_region(Answers("EU"), "b") == "eu-west-1"
    assert s3.bucket_region(Answers("ap-south-1"), "b") == "ap-south-1"


def test_policy_keeps_deny_statements_only(aws):
    client = make_bucket(aws, "with-policy")
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "TlsOnly",
                "Effect": "Deny",
                "Principal": {"AWS": "*"},
                "Action": "s3:*",
                "Resource": ["arn:aws:s3:::with-policy", "arn:aws:s3:::with-policy/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
            {
                "Sid": "Reader",
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::with-policy/*",
            },
        ],
    }
    client.put_bucket_policy(Bucket="with-policy", Policy=json.dumps(policy))

    _, collected = scan(aws)

    evidence = buckets_of(collected)["with-policy"].evidence
    assert evidence["has_bucket_policy"] is True
    assert [statement["Sid"] for statement in evidence["policy_deny_statements"]] == ["TlsOnly"]
    assert evidence["policy_deny_statements"][0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_malformed_policy_is_a_collection_error_on_that_bucket(aws):
    make_bucket(aws, "odd-policy").put_bucket_policy(
        Bucket="odd-policy",
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::odd-policy/*"}
                ],
            }
        ),
    )

    def garble(parsed, **kwargs):
        parsed["Policy"] = '{"Statement": "not a statement"}'

    aws.session.events.register("after-call.s3.GetBucketPolicy", garble)
    _, collected = scan(aws)

    [error] = collected.errors
    assert (error.api, error.code, error.resource_uid) == (
        "s3:GetBucketPolicy",
        "MalformedResponse",
        "arn:aws:s3:::odd-policy",
    )
    assert buckets_of(collected)["odd-policy"].evidence["has_bucket_policy"] is None


def test_block_public_access_and_logging_are_collected(aws):
    client = make_bucket(aws, "logs-target")
    client.put_bucket_policy(
        Bucket="logs-target",
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "logging.s3.amazonaws.com"},
                        "Action": "s3:PutObject",
                        "Resource": "arn:aws:s3:::logs-target/*",
                    }
                ],
            }
        ),
    )
    make_bucket(aws, "app-data")
    client.put_bucket_logging(
        Bucket="app-data",
        BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": "logs-target", "TargetPrefix": "app-data/"}},
    )
    client.put_public_access_block(
        Bucket="app-data", PublicAccessBlockConfiguration={**BLOCK_ALL, "RestrictPublicBuckets": False}
    )
    control = aws.session.client("s3control", region_name="us-east-1", config=Config(inject_host_prefix=False))
    control.meta.events.register("before-sign.s3-control", s3.drop_account_label_on_local_endpoint)
    # One setting off at the account, so the bucket's own settings still matter (and are read).
    control.put_public_access_block(
        AccountId=aws.account_id, PublicAccessBlockConfiguration={**BLOCK_ALL, "BlockPublicPolicy": False}
    )

    ctx, collected = scan(aws)

    bucket = buckets_of(collected)["app-data"]
    assert bucket.evidence["logging_target_bucket"] == "logs-target"
    assert bucket.evidence["logging_target_prefix"] == "app-data/"
    assert bucket.evidence["public_access_block"] == {
        "block_public_acls": True,
        "ignore_public_acls": True,
        "block_public_policy": True,
        "restrict_public_buckets": False,
    }
    [account] = [record for record in collected.records if record.type == "account"]
    assert account.uid == account_uid(aws.account_id)
    assert account.evidence["s3_account_public_access_block"] == {
        "block_public_acls": True,
        "ignore_public_acls": True,
        "block_public_policy": False,
        "restrict_public_buckets": True,
    }
    assert collected.errors == []
    assert ctx.call_log.repeated() == {}


def test_account_without_block_public_access_records_none(aws):
    _, collected = scan(aws)

    [account] = collected.records
    assert account.evidence == {"s3_account_public_access_block": None}
    assert collected.errors == []


def test_several_buckets_are_all_collected_once(aws):
    names = [f"bucket-{index}" for index in range(7)]
    for name in names:
        make_bucket(aws, name)

    ctx, collected = scan(aws)

    assert sorted(buckets_of(collected)) == names
    assert ctx.call_log.repeated() == {}


def by_region(params):
    """A ListBuckets request filtered to one region (see test_one_listing_per_region_locates_many_buckets)."""
    return "bucket-region" in params.get("query_string", {})


def test_list_buckets_follows_continuation_tokens(aws):
    # moto answers ListBuckets in one page and ignores ContinuationToken; split its answer in two
    # to prove the collector follows the token (AWS pages accounts with many buckets).
    for name in ("page-a", "page-b", "page-c"):
        make_bucket(aws, name)
    seen_tokens = []

    filtered = []  # per ListBuckets call: was it one region's listing (collectors/s3.py with_listed_regions)?

    def note_token(params, **kwargs):
        filtered.append(by_region(params))
        if not filtered[-1]:
            seen_tokens.append(params.get("query_string", {}).get("continuation-token"))

    def split(parsed, **kwargs):
        if filtered[-1]:
            return
        if seen_tokens[-1] is None:
            parsed["Buckets"], parsed["ContinuationToken"] = parsed["Buckets"][:2], "page-2"
        else:
            parsed["Buckets"] = parsed["Buckets"][2:]

    aws.session.events.register("before-call.s3.ListBuckets", note_token)
    aws.session.events.register("after-call.s3.ListBuckets", split)
    _, collected = scan(aws)

    assert seen_tokens == [None, "page-2"]
    assert sorted(buckets_of(collected)) == ["page-a", "page-b", "page-c"]


def test_denied_bucket_policy_is_an_error_on_that_bucket_only(aws):
    deny(aws.session, "s3", "GetBucketPolicy")
    key_arn = aws.client("kms").create_key()["KeyMetadata"]["Arn"]
    client = make_bucket(aws, "guarded")
    client.put_bucket_encryption(
        Bucket="guarded",
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_arn}}]
        },
    )

    ctx, collected = scan(aws)

    [error] = collected.errors
    assert (error.api, error.code, error.resource_uid) == ("s3:GetBucketPolicy", "AccessDenied", "arn:aws:s3:::guarded")
    bucket = buckets_of(collected)["guarded"]
    assert bucket.evidence["has_bucket_policy"] is None
    assert bucket.key_arn == key_arn
    assert bucket.evidence["encrypted"] is True
    assert ctx.call_log.repeated() == {}


def test_denied_list_buckets_is_a_scope_gap(aws):
    deny(aws.session, "s3", "ListBuckets")
    make_bucket(aws, "hidden")

    _, collected = scan(aws)

    [error] = collected.errors
    assert (error.api, error.code, error.resource_uid, error.region) == ("s3:ListBuckets", "AccessDenied", "", "global")
    assert buckets_of(collected) == {}
    # The account-level setting does not depend on the listing.
    assert [record.type for record in collected.records] == ["account"]


def test_denied_account_block_public_access_is_an_account_error_not_a_bucket_one(aws):
    deny(aws.session, "s3-control", "GetPublicAccessBlock")
    make_bucket(aws, "fine")

    _, collected = scan(aws)

    [error] = collected.errors
    assert (error.api, error.resource_uid) == ("s3control:GetPublicAccessBlock", account_uid(aws.account_id))
    assert "fine" in buckets_of(collected)
    assert not [record for record in collected.records if record.type == "account"]


def test_account_label_is_dropped_only_in_front_of_a_local_endpoint():
    class Request:
        def __init__(self, url):
            self.url = url

    local, aws_host = (
        Request("http://123456789012.127.0.0.1:5000/v20180820/x"),
        Request("https://123456789012.s3-control.us-east-1.amazonaws.com/v20180820/x"),
    )
    s3.drop_account_label_on_local_endpoint(local)
    s3.drop_account_label_on_local_endpoint(aws_host)

    assert local.url == "http://127.0.0.1:5000/v20180820/x"
    assert aws_host.url == "https://123456789012.s3-control.us-east-1.amazonaws.com/v20180820/x"


def test_tags_of_buckets_in_scanned_regions_come_from_the_tagging_api(aws):
    for name, region in (("us-data", "us-east-1"), ("eu-data", "eu-west-1"), ("bare", "eu-west-1")):
        client = make_bucket(aws, name, region)
        if name != "bare":
            client.put_bucket_tagging(Bucket=name, Tagging={"TagSet": [{"Key": "owner", "Value": f"{name}-team"}]})
    ctx = ScanContext(aws.session, aws.account_id, REGIONS, "us-east-1")

    inventory = inventory_of(ctx, s3)

    tags = {record.name: record.tags for record in inventory.by_type("s3.bucket")}
    assert tags == {"us-data": {"owner": "us-data-team"}, "eu-data": {"owner": "eu-data-team"}, "bare": {}}
    assert "GetBucketTagging" not in {op for (_, _, op, _) in ctx.call_log.calls}
    assert inventory.errors == []


def test_a_bucket_outside_the_scanned_regions_is_asked_for_its_tags(aws):
    # The tagging API lists a bucket only in its own region, which this scan does not call.
    client = make_bucket(aws, "far-away", "ap-southeast-2")
    client.put_bucket_tagging(Bucket="far-away", Tagging={"TagSet": [{"Key": "owner", "Value": "ops"}]})
    make_bucket(aws, "near")

    ctx, collected = scan(aws)

    assert buckets_of(collected)["far-away"].tags == {"owner": "ops"}
    tagging_calls = [
        json.loads(request)["url"] for (_, _, op, request) in ctx.call_log.calls if op == "GetBucketTagging"
    ]
    assert [urlsplit(url).path for url in tagging_calls] == ["/far-away"]


def test_tags_of_a_bucket_outside_the_scanned_regions_that_cannot_be_read_are_its_error(aws):
    deny(aws.session, "s3", "GetBucketTagging")
    make_bucket(aws, "far-away", "ap-southeast-2")

    _, collected = scan(aws)

    [error] = collected.errors
    assert (error.api, error.resource_uid) == ("s3:GetBucketTagging", "arn:aws:s3:::far-away")


def test_every_call_made_has_its_iam_action_listed(aws):
    client = make_bucket(aws, "audited", "ap-southeast-2")
    client.put_bucket_tagging(Bucket="audited", Tagging={"TagSet": [{"Key": "a", "Value": "b"}]})

    ctx, _ = scan(aws)

    called = {op if service == "s3" else f"{service}:{op}" for (service, _, op, _) in ctx.call_log.calls}
    assert called == set(s3.IAM_ACTIONS)


def test_bucket_region_from_the_listing_spares_get_bucket_location(aws):
    # AWS's ListBuckets may carry BucketRegion (moto's never does): then no GetBucketLocation is needed.
    make_bucket(aws, "eu-listed", "eu-west-1")

    def add_region(parsed, **kwargs):
        for bucket in parsed["Buckets"]:
            bucket["BucketRegion"] = "eu-west-1"

    aws.session.events.register("after-call.s3.ListBuckets", add_region)
    ctx, collected = scan(aws)

    assert buckets_of(collected)["eu-listed"].region == "eu-west-1"
    assert "GetBucketLocation" not in {op for (_, _, op, _) in ctx.call_log.calls}


def test_listing_asks_for_pages_so_aws_names_each_buckets_region(aws):
    # AWS adds BucketRegion only when ListBuckets has a parameter; without one a bucket costs a GetBucketLocation.
    make_bucket(aws, "eu-listed", "eu-west-1")
    ctx, _ = scan(aws)
    [listing] = [request for (_, _, op, request) in ctx.call_log.calls if op == "ListBuckets"]
    assert json.loads(listing)["query_string"] == {"max-buckets": 10000}


def test_listing_that_fails_on_a_later_page_keeps_the_buckets_already_listed(aws):
    for name in ("first-a", "first-b", "later-c"):
        make_bucket(aws, name)
    calls = []

    def page_then_fail(parsed, **kwargs):
        calls.append(1)
        parsed["Buckets"], parsed["ContinuationToken"] = parsed["Buckets"][:2], "page-2"

    def refuse_second_page(params, **kwargs):
        if calls and not by_region(params):
            from botocore.exceptions import ClientError

            raise ClientError({"Error": {"Code": "SlowDown", "Message": "injected"}}, "ListBuckets")

    aws.session.events.register("before-call.s3.ListBuckets", refuse_second_page)
    aws.session.events.register("after-call.s3.ListBuckets", page_then_fail)
    _, collected = scan(aws)

    assert sorted(buckets_of(collected)) == ["first-a", "first-b"]
    [error] = collected.errors
    assert (error.api, error.code, error.resource_uid) == ("s3:ListBuckets", "SlowDown", "")


# ---- public access: the open part of the policy, the public ACL grants, and when the ACL is not read ----


def put_account_block(aws, configuration):
    control = aws.session.client("s3control", region_name="us-east-1", config=Config(inject_host_prefix=False))
    control.meta.events.register("before-sign.s3-control", s3.drop_account_label_on_local_endpoint)
    control.put_public_access_block(AccountId=aws.account_id, PublicAccessBlockConfiguration=configuration)


def test_public_policy_statements_and_public_acl_grants_are_collected(aws):
    client = make_bucket(aws, "website")
    client.put_bucket_acl(Bucket="website", ACL="public-read")
    statement = {
        "Sid": "PublicRead",
        "Effect": "Allow",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::website/*",
    }
    client.put_bucket_policy(Bucket="website", Policy=json.dumps({"Version": "2012-10-17", "Statement": [statement]}))
    make_bucket(aws, "private")

    ctx, collected = scan(aws)

    buckets = buckets_of(collected)
    website, private = buckets["website"].evidence, buckets["private"].evidence
    assert website["policy_public_statements"] == [{"sid": "PublicRead", "actions": ["s3:GetObject"], "condition": {}}]
    assert website["acl_public_grants"] == [{"grantee": "AllUsers", "permission": "READ"}]
    assert (private["policy_public_statements"], private["acl_public_grants"]) == ([], [])
    assert collected.errors == []
    assert ctx.call_log.repeated() == {}


def acl_reads(ctx):
    """The buckets whose ACL was read (the call log holds each request: its URL ends in "/BUCKET?acl")."""
    calls = ctx.call_log.calls
    urls = [json.loads(request)["url"] for (_, _, operation, request) in calls if operation == "GetBucketAcl"]
    return sorted(url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1] for url in urls)


def test_acl_is_not_read_where_ignore_public_acls_makes_it_moot(aws):
    # S3 answers GetBucketAcl with the ACL it enforces: under IgnorePublicAcls no public grant ever shows.
    client = make_bucket(aws, "ignoring")
    client.put_public_access_block(Bucket="ignoring", PublicAccessBlockConfiguration={"IgnorePublicAcls": True})
    make_bucket(aws, "plain")

    ctx, collected = scan(aws)

    assert acl_reads(ctx) == ["plain"]
    assert buckets_of(collected)["ignoring"].evidence["acl_public_grants"] is None
    assert buckets_of(collected)["plain"].evidence["acl_public_grants"] == []

    put_account_block(aws, {"IgnorePublicAcls": True})
    ctx, _ = scan(aws)
    assert acl_reads(ctx) == []  # the account's setting covers every bucket: not one ACL call


def test_acl_is_read_when_the_account_settings_could_not_be(aws):
    deny(aws.session, "s3-control", "GetPublicAccessBlock")
    make_bucket(aws, "unsure")

    ctx, _ = scan(aws)

    assert acl_reads(ctx) == ["unsure"]
    assert [op for (service, _, op, _) in ctx.call_log.calls if service == "s3control"] == ["GetPublicAccessBlock"]


def test_denied_acl_is_an_error_on_that_bucket_only(aws):
    deny(aws.session, "s3", "GetBucketAcl")
    make_bucket(aws, "guarded")

    _, collected = scan(aws)

    [error] = collected.errors
    assert (error.api, error.code, error.resource_uid) == ("s3:GetBucketAcl", "AccessDenied", "arn:aws:s3:::guarded")
    evidence = buckets_of(collected)["guarded"].evidence
    assert evidence["acl_public_grants"] is None
    assert evidence["policy_public_statements"] == []


def test_account_block_public_access_is_read_once_per_scan_not_per_bucket(aws):
    for index in range(3):
        make_bucket(aws, f"many-{index}")

    ctx, _ = scan(aws)

    counts = {}
    for (service, _, operation, _), count in ctx.call_log.calls.items():
        counts[service, operation] = counts.get((service, operation), 0) + count
    assert counts["s3control", "GetPublicAccessBlock"] == 1
    assert counts["s3", "GetPublicAccessBlock"] == 3
    assert counts["s3", "GetBucketAcl"] == 3


def test_a_transport_error_on_the_listing_is_a_gap_of_the_listing_only(aws):
    from botocore.exceptions import EndpointConnectionError

    def unreachable(**kwargs):
        raise EndpointConnectionError(endpoint_url="https://s3.amazonaws.com")

    aws.session.events.register("before-call.s3.ListBuckets", unreachable)
    _, collected = scan(aws)

    [error] = collected.errors
    # Named "s3:ListBuckets", not "s3:*": a service-wide gap would also cover hygiene's s3:GetBucketTagging.
    assert (error.api, error.code, error.resource_uid) == ("s3:ListBuckets", "EndpointConnectionError", "")


def test_one_listing_per_region_locates_many_buckets(aws):
    # moto's ListBuckets names no region; with more such buckets than scanned regions, one listing filtered by
    # region (AWS's BucketRegion parameter, sent to that region's endpoint) per scanned region locates them.
    for index in range(3):
        make_bucket(aws, f"us-{index}")
        make_bucket(aws, f"eu-{index}", "eu-west-1")
    make_bucket(aws, "sydney", "ap-southeast-2")  # outside the scanned regions: located by its own call

    ctx, collected = scan(aws)

    regions = {name: record.region for name, record in buckets_of(collected).items()}
    assert regions == {
        **{f"us-{index}": "us-east-1" for index in range(3)},
        **{f"eu-{index}": "eu-west-1" for index in range(3)},
        "sydney": "ap-southeast-2",
    }
    listings = sorted(
        (region, json.loads(request)["query_string"].get("bucket-region", ""))
        for (_, region, op, request) in ctx.call_log.calls
        if op == "ListBuckets"
    )
    assert listings == [("eu-west-1", "eu-west-1"), ("us-east-1", ""), ("us-east-1", "us-east-1")]
    located = [json.loads(request)["url"] for (_, _, op, request) in ctx.call_log.calls if op == "GetBucketLocation"]
    assert [urlsplit(url).path.strip("/") for url in located] == ["sydney"]
    assert collected.errors == []
    assert ctx.call_log.repeated() == {}


def test_a_few_buckets_are_located_one_by_one(aws):
    make_bucket(aws, "only", "eu-west-1")  # one bucket: one GetBucketLocation is cheaper than a listing per region

    ctx, collected = scan(aws)

    assert buckets_of(collected)["only"].region == "eu-west-1"
    operations = [op for (_, _, op, _) in ctx.call_log.calls]
    assert (operations.count("ListBuckets"), operations.count("GetBucketLocation")) == (1, 1)


def test_a_region_listing_that_fails_leaves_its_buckets_to_be_located_one_by_one(aws):
    for index in range(3):
        make_bucket(aws, f"eu-{index}", "eu-west-1")

    def refuse_filtered(params, **kwargs):
        if by_region(params):
            from botocore.exceptions import ClientError

            raise ClientError({"Error": {"Code": "AccessDenied", "Message": "injected"}}, "ListBuckets")

    aws.session.events.register("before-call.s3.ListBuckets", refuse_filtered)
    ctx, collected = scan(aws)

    assert {record.region for record in buckets_of(collected).values()} == {"eu-west-1"}
    assert [op for (_, _, op, _) in ctx.call_log.calls].count("GetBucketLocation") == 3
    assert collected.errors == []


def test_bucket_settings_are_not_read_when_the_account_blocks_all_four(aws):
    """S3 applies the account's settings to every bucket: with all four on there, a bucket's own change no verdict."""
    from checks.catalog import CATALOG
    from checks.catalog.base import Status
    from checks.evaluation import evaluate_check

    client = make_bucket(aws, "website")
    client.put_bucket_acl(Bucket="website", ACL="public-read")
    statement = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::website/*"}
    client.put_bucket_policy(Bucket="website", Policy=json.dumps({"Version": "2012-10-17", "Statement": [statement]}))
    client.put_public_access_block(Bucket="website", PublicAccessBlockConfiguration={"BlockPublicAcls": True})
    make_bucket(aws, "plain")

    def verdicts(ctx):
        inventory = inventory_of(ctx, s3)
        checks = ("s3.bucket_public_access_blocked", "s3.bucket_not_public")
        return {
            (check_id, e.record.name): e.result.status
            for check_id in checks
            for e in evaluate_check(CATALOG[check_id], inventory)
        }

    put_account_block(aws, {**BLOCK_ALL, "RestrictPublicBuckets": False})
    ctx, _ = scan(aws)
    before = verdicts(ctx)
    assert [op for (service, _, op, _) in ctx.call_log.calls if service == "s3"].count("GetPublicAccessBlock") == 2

    put_account_block(aws, BLOCK_ALL)
    ctx, collected = scan(aws)
    after = verdicts(ctx)

    operations = [op for (service, _, op, _) in ctx.call_log.calls if service == "s3"]
    assert "GetPublicAccessBlock" not in operations
    assert "GetBucketAcl" not in operations
    assert buckets_of(collected)["website"].evidence["public_access_block"] is None
    assert after == {
        ("s3.bucket_public_access_blocked", "website"): Status.PASS,
        ("s3.bucket_public_access_blocked", "plain"): Status.PASS,
        ("s3.bucket_not_public", "website"): Status.PASS,
        ("s3.bucket_not_public", "plain"): Status.PASS,
    }
    assert before[("s3.bucket_not_public", "website")] == Status.FAIL  # the policy is open while Restrict is off
