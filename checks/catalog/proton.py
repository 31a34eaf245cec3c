"""AWS Proton (end of support 2026-10-07): template encryption keys.

Where the Proton API no longer answers, the collector records an "unavailable" gap and the evaluator
reports this check NOT_APPLICABLE on the region, with the collector's explanation.
"""

from checks.catalog.base import (
    EXTERNAL_KEY_RATIONALE,
    UNKNOWN_KEY_RATIONALE,
    Area,
    KeyOwner,
    Severity,
    check,
    errored,
    errored_unknown_key,
    failed,
    passed,
    passed_external_key,
)


@check(
    "proton.template_customer_managed_key",
    title="Proton templates are encrypted with a customer-managed KMS key",
    area=Area.KEYS,
    severity=Severity.MEDIUM,
    resource_type="proton.template",
    needs=(
        "proton:ListEnvironmentTemplates",
        "proton:ListServiceTemplates",
        "proton:GetEnvironmentTemplate",
        "proton:GetServiceTemplate",
    ),
    rationale="AWS Proton data-protection guidance: all customer data is encrypted by default with a Proton-owned "
    "key; if you supply a customer owned and managed KMS key, all customer data is encrypted with it. "
    "Only a key you own lets you audit its use, restrict it by key policy and revoke access. "
    f"{EXTERNAL_KEY_RATIONALE} {UNKNOWN_KEY_RATIONALE}",
    remediation="The key is fixed when a template is created: create a customer-managed key (KMS › Create key), "
    "then recreate the template with it and move its versions, environments and services across. "
    "CLI: aws proton create-environment-template --name NAME --encryption-key KEY_ARN "
    "(or aws proton create-service-template --name NAME --encryption-key KEY_ARN).",
)
def template_customer_managed_key(template, inventory):
    evidence = template.evidence
    kind = evidence.get("template_kind", "Proton")
    if "encryption_key" not in evidence:
        return errored(f"The {kind} template's details were not read.")
    key = evidence["encryption_key"]
    if not key:
        return failed(
            f"The {kind} template uses the Proton-owned key (no encryptionKey).", key_owner=KeyOwner.AWS_OWNED
        )
    owner = inventory.key_owner(key, template.region)
    if owner == KeyOwner.AWS_MANAGED:
        return failed(f"The {kind} template uses the AWS-managed key {key}.", key_owner=owner)
    if owner == KeyOwner.UNKNOWN:
        return errored_unknown_key(f"The {kind} template is encrypted with {key}", key, template.region, inventory)
    if owner == KeyOwner.EXTERNAL:
        return passed_external_key(f"The {kind} template is encrypted with {key}", key, inventory)
    return passed(f"The {kind} template is encrypted with the customer-managed key {key}.", key_owner=owner)
