"""The compliance mapping stays honest: real requirement ids, every check mapped, no check behind a
requirement of another topic, and the lists as reviewed (a checked-in snapshot).

compliance_framework_ids.json lists, per framework, the ids its public document defines in the sections
that concern data protection (CIS and ISO whole; NIST SP 800-53 rev. 5 families AC, AU, CM, IA, SC and
SI; PCI DSS v4.0 and the SOC 2 criteria as far as cloud configuration reaches).
"""

import json
from pathlib import Path

import pytest

from checks.catalog import CATALOG
from checks.compliance import FRAMEWORKS, UnknownFramework, framework, mapping_for, snapshot
from checks.tests.test_catalog_registry import DESIGN_IDS

HERE = Path(__file__).parent
FRAMEWORK_IDS = json.loads((HERE / "compliance_framework_ids.json").read_text())
SNAPSHOT = HERE / "compliance_snapshot.json"
REGENERATE = (
    ".venv/bin/python -c 'import json; from checks.compliance import snapshot; "
    "print(json.dumps(snapshot(), indent=1))' > checks/tests/compliance_snapshot.json"
)

# The area of each check DESIGN.md lists that is not registered yet (its module's name says it); a
# registered check's area is read from the catalog.
AREA_BY_SUFFIX = {
    "_not_public": "access",
    "_not_publicly_accessible": "access",
    "_public_access_blocked": "access",
    "_tls_enforced": "in_transit",
    "_require_ssl": "in_transit",
    ".subscription_https": "in_transit",
    "_encrypted": "at_rest",
    "_customer_managed_key": "at_rest",
}

REQUIREMENTS = [(slug, requirement) for slug, each in FRAMEWORKS.items() for requirement in each.requirements]


def area_of(check_id):
    if check_id in CATALOG:
        return CATALOG[check_id].area
    return next(area for suffix, area in AREA_BY_SUFFIX.items() if check_id.endswith(suffix))


def test_the_six_frameworks_are_mapped():
    assert set(FRAMEWORKS) == set(FRAMEWORK_IDS)
    assert {each.name for each in FRAMEWORKS.values()} >= {"PCI DSS v4.0", "NIST SP 800-53 rev. 5"}


@pytest.mark.parametrize("slug", sorted(FRAMEWORK_IDS))
def test_every_requirement_id_exists_in_its_framework(slug):
    ids = [requirement.id for requirement in FRAMEWORKS[slug].requirements]
    assert set(ids) <= set(FRAMEWORK_IDS[slug])
    assert len(ids) == len(set(ids)), "each requirement is listed once"
    assert all(requirement.title for requirement in FRAMEWORKS[slug].requirements)


@pytest.mark.parametrize("check_id", sorted(DESIGN_IDS | set(CATALOG)))
def test_every_check_gives_evidence_somewhere(check_id):
    assert mapping_for(check_id), f"{check_id} is behind no requirement"


def test_every_mapped_check_exists():
    mapped = {check_id for _, requirement in REQUIREMENTS for check_id in requirement.checks}
    assert mapped <= DESIGN_IDS | set(CATALOG)


@pytest.mark.parametrize(("slug", "requirement"), REQUIREMENTS, ids=lambda value: getattr(value, "id", value))
def test_no_requirement_is_covered_by_a_check_of_another_topic(slug, requirement):
    strangers = [check_id for check_id in requirement.checks if area_of(check_id) not in requirement.topics]
    assert not strangers, f"{slug} {requirement.id} admits {sorted(requirement.topics)}, not {strangers}"


def test_requirements_no_check_covers_stay_listed():
    pci = framework("pci-dss-4.0")
    assert not pci.requirement("10.4.1").covered
    assert pci.requirement("4.2.1").covered
    assert all(any(not r.covered for r in each.requirements) for each in FRAMEWORKS.values())


def test_the_mapping_matches_the_reviewed_snapshot():
    assert snapshot() == json.loads(SNAPSHOT.read_text()), f"the mapping changed: review it, then run {REGENERATE}"


def test_mapping_for_a_check_names_its_requirements_per_framework():
    mapping = mapping_for("s3.bucket_secure_transport")
    assert mapping["cis-aws-3.0"] == ["2.1.1"]
    assert "4.2.1" in mapping["pci-dss-4.0"] and "SC-8" in mapping["nist-800-53-r5"]
    assert mapping_for("no.such_check") == {}


def test_an_unknown_framework_is_a_clear_error():
    with pytest.raises(UnknownFramework, match="pci-dss-4.0"):
        framework("pci-3.2")


def test_catalog_json_carries_each_checks_mapping():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("catalog", "--format", "json", stdout=out)
    checks = {check["id"]: check for check in json.loads(out.getvalue())}
    assert checks["kms.key_rotation_enabled"]["compliance"]["pci-dss-4.0"] == ["3.7.4"]
    assert all(check["compliance"] for check in checks.values())
