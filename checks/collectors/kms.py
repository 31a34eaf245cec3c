"""KMS keys of one region: who manages each key, its state, rotation, aliases and the public part of its policy."""

from checks.catalog.policies import POLICY_EVIDENCE, open_statements
from checks.collectors.base import Collected, each, pages
from checks.inventory import Record, is_aws_managed_key

SERVICE = "kms"
SCOPE = "regional"
IAM_ACTIONS = {
    "ListKeys": "kms:ListKeys",
    "ListAliases": "kms:ListAliases",
    "DescribeKey": "kms:DescribeKey",
    "GetKeyRotationStatus": "kms:GetKeyRotationStatus",
    "GetKeyPolicy": "kms:GetKeyPolicy",
}
SYMMETRIC = "SYMMETRIC_DEFAULT"
# AWS reserves alias/aws/* for its AWS-managed keys (no one else can create such an alias), and documents what
# DescribeKey would say of them: managed by AWS, permanently enabled for the services that use them (they cannot
# be disabled or scheduled for deletion), symmetric, KMS-made material, rotated by AWS. So a key the alias
# listing names alias/aws/* is not described, and (as before) neither its rotation nor its policy is read.
AWS_MANAGED_ALIAS = "alias/aws/"
AWS_MANAGED_EVIDENCE = {
    "key_manager": "AWS",
    "state": "Enabled",
    "key_spec": SYMMETRIC,
    "key_usage": "ENCRYPT_DECRYPT",
    "origin": "AWS_KMS",
    "multi_region": False,
}


def collect(ctx, region):
    kms = ctx.client(SERVICE, region)
    collected = Collected(SERVICE, region)
    keys = []
    with collected.capture():
        keys = list(pages(kms, "list_keys", "Keys"))
    aliases = {}
    # Without aliases we still judge keys (KeyManager is AWS's own answer); the gap is recorded. A region
    # without keys has no alias to name one: the listing is skipped there.
    with collected.capture():
        aliases = aliases_by_key(kms) if keys else {}
    for record in each(
        keys, lambda key: key_record(kms, collected, region, key["KeyArn"], aliases.get(key["KeyId"], []))
    ):
        collected.add(record)
    return collected


def aliases_by_key(kms):
    """{key id: ["alias/…", …]} from one ListAliases walk (AWS lists alias/aws/* without a target until first use)."""
    found = {}
    for alias in pages(kms, "list_aliases", "Aliases"):
        if alias.get("TargetKeyId"):
            found.setdefault(alias["TargetKeyId"], []).append(alias["AliasName"])
    return {key_id: sorted(names) for key_id, names in found.items()}


def key_record(kms, collected, region, arn, aliases):
    evidence = {
        "aliases": aliases,
        "key_manager": None,
        "state": None,
        "key_spec": None,
        "key_usage": None,
        "origin": None,
        "multi_region": None,
        "deletion_date": None,
        "description": "",
        "rotation_enabled": None,
        POLICY_EVIDENCE: None,
    }
    if any(alias.startswith(AWS_MANAGED_ALIAS) for alias in aliases):
        evidence.update(AWS_MANAGED_EVIDENCE)
        return key_of(arn, region, aliases, evidence)
    described = False
    with collected.capture(resource_uid=arn):
        evidence.update(metadata_evidence(kms.describe_key(KeyId=arn)["KeyMetadata"]))
        described = True
    # AWS manages (and rotates) its own keys: their rotation and policy are not ours to judge. Tags come
    # from the tagging API (collectors/tagging.py).
    if described and not is_aws_managed_key(evidence):
        read_customer_key(kms, collected, arn, evidence)
    return key_of(arn, region, aliases, evidence)


def key_of(arn, region, aliases, evidence):
    name = aliases[0] if aliases else arn.rsplit("/", 1)[-1]
    return Record(uid=arn, type="kms.key", region=region, name=name, evidence=evidence)


def read_customer_key(kms, collected, arn, evidence):
    """Rotation and the public part of the policy into `evidence`."""
    if rotates_automatically(evidence):
        with collected.capture(resource_uid=arn):
            evidence.update(rotation_evidence(kms.get_key_rotation_status(KeyId=arn)))
    with collected.capture(resource_uid=arn, api="kms:GetKeyPolicy"):
        policy = kms.get_key_policy(KeyId=arn, PolicyName="default")["Policy"]
        evidence[POLICY_EVIDENCE] = open_statements(policy)


def metadata_evidence(metadata):
    deletion = metadata.get("DeletionDate")
    return {
        "key_manager": metadata.get("KeyManager"),
        "state": metadata.get("KeyState"),
        "key_spec": metadata.get("KeySpec") or metadata.get("CustomerMasterKeySpec"),
        "key_usage": metadata.get("KeyUsage"),
        "origin": metadata.get("Origin"),
        "multi_region": metadata.get("MultiRegion", False),
        "deletion_date": deletion.isoformat() if deletion else None,
        "description": metadata.get("Description") or "",
    }


def rotates_automatically(evidence):
    """Only enabled symmetric keys with KMS-generated material can rotate automatically (AWS answers otherwise)."""
    return evidence["state"] == "Enabled" and evidence["key_spec"] == SYMMETRIC and evidence["origin"] == "AWS_KMS"


def rotation_evidence(response):
    evidence = {"rotation_enabled": bool(response.get("KeyRotationEnabled"))}
    if response.get("RotationPeriodInDays"):
        evidence["rotation_period_days"] = response["RotationPeriodInDays"]
    return evidence
