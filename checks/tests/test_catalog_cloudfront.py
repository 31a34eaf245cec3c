"""cloudfront.distribution_tls12: HTTPS-only viewers and a TLS 1.2+ minimum protocol."""

import pytest

from checks.catalog.base import Status
from checks.tests.builders import make_record, run_check

CHECK = "cloudfront.distribution_tls12"


def distribution(http_allowed_paths=(), minimum="TLSv1.2_2021", default_certificate=False, **evidence):
    return make_record(
        "cloudfront.distribution",
        name="E123",
        region="global",
        viewer_protocol_policy="redirect-to-https",
        http_allowed_paths=list(http_allowed_paths) if http_allowed_paths is not None else None,
        minimum_protocol_version=minimum,
        uses_default_certificate=default_certificate,
        **evidence,
    )


@pytest.mark.parametrize("minimum", ["TLSv1.2_2018", "TLSv1.2_2019", "TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025"])
def test_https_only_distribution_with_tls12_minimum_passes(minimum):
    result = run_check(CHECK, distribution(minimum=minimum))
    assert result.status == Status.PASS
    assert minimum in result.reason


@pytest.mark.parametrize("minimum", ["SSLv3", "TLSv1", "TLSv1_2016", "TLSv1.1_2016", "", None])
def test_minimum_protocol_below_tls12_fails(minimum):
    result = run_check(CHECK, distribution(minimum=minimum))
    assert result.status == Status.FAIL
    assert "minimum viewer protocol" in result.reason


def test_default_certificate_fails_because_it_forces_tlsv1():
    result = run_check(CHECK, distribution(minimum="TLSv1", default_certificate=True))
    assert result.status == Status.FAIL
    assert "default CloudFront certificate" in result.reason


def test_cache_behavior_allowing_http_fails_naming_the_path():
    result = run_check(CHECK, distribution(http_allowed_paths=["/api/*"]))
    assert result.status == Status.FAIL
    assert "/api/*" in result.reason
    assert "minimum" not in result.reason


def test_both_problems_are_reported_in_one_reason():
    result = run_check(
        CHECK, distribution(http_allowed_paths=["Default (*)"], default_certificate=True, minimum="TLSv1")
    )
    assert result.status == Status.FAIL
    assert "Default (*)" in result.reason
    assert "TLSv1" in result.reason


def test_missing_behavior_evidence_never_passes():
    assert run_check(CHECK, distribution(http_allowed_paths=None)).status == Status.FAIL
