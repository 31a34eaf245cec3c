"""CloudFront collector against the moto server: viewer protocol policies, viewer TLS minimum; tags from the
tagging API in us-east-1."""

from checks.catalog import CATALOG
from checks.catalog.base import Status
from checks.collectors import cloudfront
from checks.collectors.base import ScanContext
from checks.evaluation import evaluate_check
from checks.inventory import Inventory
from checks.tests.builders import NOW
from checks.tests.collecting import inventory_of
from conftest import deny

REGIONS = ("us-east-1", "eu-west-1")
CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/0b9c7e3a-0000-4000-8000-000000000001"
TLS12 = {"ACMCertificateArn": CERTIFICATE, "SSLSupportMethod": "sni-only", "MinimumProtocolVersion": "TLSv1.2_2021"}


def behavior(policy, path=None):
    item = {
        "TargetOriginId": "site",
        "ViewerProtocolPolicy": policy,
        "MinTTL": 0,
        "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
        "TrustedSigners": {"Enabled": False, "Quantity": 0},
    }
    return {"PathPattern": path, **item} if path else item


def config(reference, policy="redirect-to-https", certificate=None, paths=(), comment=""):
    distribution = {
        "CallerReference": reference,
        "Comment": comment,
        "Enabled": True,
        "Origins": {
            "Quantity": 1,
            "Items": [
                {
                    "Id": "site",
                    "DomainName": "origin.example.com",
                    "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"},
                }
            ],
        },
        "DefaultCacheBehavior": behavior(policy),
    }
    if certificate:
        distribution["ViewerCertificate"] = certificate
    if paths:
        items = [behavior(path_policy, path) for path, path_policy in paths]
        distribution["CacheBehaviors"] = {"Quantity": len(items), "Items": items}
    return distribution


def scan(aws):
    ctx = ScanContext(aws.session, aws.account_id, REGIONS, "us-east-1")
    return ctx, cloudfront.collect(ctx, "global")


def by_comment(collected):
    return {record.evidence.get("description"): record for record in collected.records}


def estate(aws):
    client = aws.client("cloudfront")
    client.create_distribution(DistributionConfig=config("old", "allow-all", comment="old site"))
    client.create_distribution_with_tags(
        DistributionConfigWithTags={
            "DistributionConfig": config("api", certificate=TLS12, paths=[("/api/*", "allow-all")], comment="api"),
            "Tags": {"Items": [{"Key": "owner", "Value": "jane@example.com"}]},
        }
    )
    client.create_distribution(
        DistributionConfig=config("shop", certificate=TLS12, paths=[("/img/*", "https-only")], comment="shop")
    )


def test_distributions_record_viewer_policies_and_tls_minimum(aws):
    estate(aws)
    ctx, collected = scan(aws)
    assert collected.errors == []
    found = by_comment(collected)
    assert set(found) == {"old site", "api", "shop"}
    old = found["old site"]
    assert old.type == "cloudfront.distribution"
    assert old.region == "global"
    assert old.uid.startswith(f"arn:aws:cloudfront::{aws.account_id}:distribution/")
    assert old.name == old.uid.rsplit("/", 1)[1]
    assert old.evidence["viewer_protocol_policy"] == "allow-all"
    assert old.evidence["http_allowed_paths"] == ["Default (*)"]
    assert old.evidence["uses_default_certificate"] is True
    assert old.evidence["minimum_protocol_version"] == "TLSv1"
    assert old.evidence["http_only_origins"] == ["site"]
    assert found["api"].evidence["http_allowed_paths"] == ["/api/*"]
    assert found["api"].evidence["uses_default_certificate"] is False
    assert found["api"].evidence["minimum_protocol_version"] == "TLSv1.2_2021"
    assert found["shop"].evidence["http_allowed_paths"] == []
    assert {operation for (_, _, operation, _) in ctx.call_log.calls} == set(cloudfront.IAM_ACTIONS)
    assert ctx.call_log.repeated() == {}


def test_checks_judge_what_was_collected(aws):
    estate(aws)
    inventory = inventory_of(ScanContext(aws.session, aws.account_id, REGIONS, "us-east-1"), cloudfront)
    assert inventory.errors == []
    results = {
        e.record.evidence["description"]: e.result
        for e in evaluate_check(CATALOG["cloudfront.distribution_tls12"], inventory)
    }
    assert {name: result.status for name, result in results.items()} == {
        "old site": Status.FAIL,
        "api": Status.FAIL,
        "shop": Status.PASS,
    }
    assert "default CloudFront certificate" in results["old site"].reason
    assert "/api/*" in results["api"].reason
    hygiene = {
        e.record.evidence["description"]: e.result.status
        for e in evaluate_check(CATALOG["hygiene.no_sensitive_identifiers"], inventory)
    }
    assert hygiene == {"old site": Status.PASS, "api": Status.FAIL, "shop": Status.PASS}


def test_distributions_are_read_across_pages(aws):
    estate(aws)

    def one_per_page(params, **kwargs):
        params.setdefault("MaxItems", "1")

    aws.session.events.register("provide-client-params.cloudfront.ListDistributions", one_per_page)
    ctx, collected = scan(aws)
    assert len(collected.records) == 3
    assert len([key for key in ctx.call_log.calls if key[2] == "ListDistributions"]) == 3
    assert ctx.call_log.repeated() == {}


def test_denied_listing_is_a_global_gap(aws):
    deny(aws.session, "cloudfront", "ListDistributions")
    estate(aws)
    _ctx, collected = scan(aws)
    assert collected.records == []
    [error] = collected.errors
    assert (error.api, error.code, error.region, error.resource_uid) == (
        "cloudfront:ListDistributions",
        "AccessDenied",
        "global",
        "",
    )
    inventory = Inventory(aws.account_id, REGIONS, NOW, collected.records, collected.errors)
    [gap] = evaluate_check(CATALOG["cloudfront.distribution_tls12"], inventory)
    assert (gap.record.type, gap.result.status) == ("account", Status.ERROR)


def test_tags_unread_in_us_east_1_make_hygiene_error_and_tls_is_still_judged(aws):
    deny(aws.session, "resource-groups-tagging-api", "GetResources", region="us-east-1")
    estate(aws)
    inventory = inventory_of(ScanContext(aws.session, aws.account_id, REGIONS, "us-east-1"), cloudfront)
    assert {(error.api, error.region) for error in inventory.errors} == {
        ("resourcegroupstaggingapi:GetResources", "us-east-1")
    }
    tls = [e.result.status for e in evaluate_check(CATALOG["cloudfront.distribution_tls12"], inventory)]
    assert sorted(tls) == [Status.FAIL, Status.FAIL, Status.PASS]
    hygiene = [
        (e.record.type, e.result.status) for e in evaluate_check(CATALOG["hygiene.no_sensitive_identifiers"], inventory)
    ]
    # The region's gap on its region record, and each global distribution (tagged in us-east-1) ERROR.
    assert sorted(hygiene) == [("cloudfront.distribution", Status.ERROR)] * 3 + [("region", Status.ERROR)]


def test_tags_unread_in_another_region_leave_distributions_judged(aws):
    deny(aws.session, "resource-groups-tagging-api", "GetResources", region="eu-west-1")
    estate(aws)
    inventory = inventory_of(ScanContext(aws.session, aws.account_id, REGIONS, "us-east-1"), cloudfront)
    hygiene = {
        e.record.name: e.result.status
        for e in evaluate_check(CATALOG["hygiene.no_sensitive_identifiers"], inventory)
        if e.record.type == "cloudfront.distribution"
    }
    assert sorted(hygiene.values()) == [Status.FAIL, Status.PASS, Status.PASS]


def test_malformed_distribution_stays_listed_as_an_error():
    class FakeClient:
        def get_paginator(self, operation):
            return self

        def paginate(self):
            yield {"DistributionList": {"Items": [{"ARN": "arn:aws:cloudfront::1:distribution/E1", "Id": "E1"}]}}

    class FakeContext:
        def client(self, service, region):
            return FakeClient()

    collected = cloudfront.collect(FakeContext(), "global")
    [record] = collected.records
    assert record.name == "E1"
    [error] = collected.errors
    assert (error.code, error.resource_uid) == ("MalformedResponse", record.uid)
