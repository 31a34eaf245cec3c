"""The compliance mapping: each framework's data-protection requirements and the checks behind each.

The framework modules are data reviewed like code (see base.py); tests/test_compliance_mapping.py holds
them honest and to a checked-in snapshot. rollup.py turns check results into a requirement's status.
"""

from checks.compliance import cis_aws_3_0, cis_aws_5_0, iso_27001_2022, nist_800_53_r5, pci_dss_4_0, soc2_2017
from checks.compliance.base import Framework, Requirement  # noqa: F401

FRAMEWORKS = {
    module.FRAMEWORK.slug: module.FRAMEWORK
    for module in (cis_aws_3_0, cis_aws_5_0, nist_800_53_r5, pci_dss_4_0, iso_27001_2022, soc2_2017)
}


class UnknownFramework(ValueError):
    def __init__(self, slug):
        super().__init__(f"Unknown framework {slug!r}; choose one of: {', '.join(FRAMEWORKS)}.")


def framework(slug):
    """The framework named by `slug`, or UnknownFramework saying which ones exist."""
    try:
        return FRAMEWORKS[slug]
    except KeyError:
        raise UnknownFramework(slug) from None


def mapping_for(check_id):
    """{framework slug: [requirement ids]} the check gives evidence for (frameworks it serves only)."""
    mapping = {}
    for slug, each in FRAMEWORKS.items():
        ids = [requirement.id for requirement in each.requirements if check_id in requirement.checks]
        if ids:
            mapping[slug] = ids
    return mapping


def catalog_entries():
    """Every check with its compliance mapping, in catalog order (`manage.py catalog --format json`, the API)."""
    from checks.catalog import CATALOG

    return [{**check.as_dict(), "compliance": mapping_for(check.id)} for check in CATALOG.values()]


def snapshot():
    """Every framework as plain data: what the checked-in snapshot (compliance_snapshot.json) holds."""
    return {slug: each.as_dict() for slug, each in FRAMEWORKS.items()}
