"""Athena: workgroups, how they encrypt query results, and whether clients can override that."""

from checks.collectors.base import Collected, token_pages
from checks.inventory import Record

SERVICE = "athena"
SCOPE = "regional"
IAM_ACTIONS = {"ListWorkGroups": "athena:ListWorkGroups", "GetWorkGroup": "athena:GetWorkGroup"}
SSE_S3 = "SSE_S3"


def workgroup_arn(account_id, region, name):
    return f"arn:aws:athena:{region}:{account_id}:workgroup/{name}"


def collect(ctx, region):
    collected = Collected(SERVICE, region)
    athena = ctx.client(SERVICE, region)
    listed = []
    # ListWorkGroups has no boto3 paginator; it pages with NextToken.
    with collected.capture(api="athena:ListWorkGroups"):
        listed = list(token_pages(athena.list_work_groups, "WorkGroups"))
    for summary in listed:
        arn = workgroup_arn(ctx.account_id, region, summary["Name"])
        workgroup = None
        with collected.capture(resource_uid=arn, api="athena:GetWorkGroup"):
            workgroup = athena.get_work_group(WorkGroup=summary["Name"])["WorkGroup"]
        # A workgroup whose configuration failed is still listed, so its check shows ERROR rather than vanish.
        collected.add(workgroup_record(arn, region, summary, workgroup))
    return collected


def results_encryption(configuration):
    """(encrypted, option, key) of where the workgroup writes query results: Athena-managed storage or S3."""
    managed = configuration.get("ManagedQueryResultsConfiguration") or {}
    if managed.get("Enabled"):
        # Managed query results are always encrypted: with the KmsKey given, else with an Athena-owned key.
        key = (managed.get("EncryptionConfiguration") or {}).get("KmsKey") or None
        return True, "MANAGED_SSE_KMS" if key else "MANAGED", key
    encryption = (configuration.get("ResultConfiguration") or {}).get("EncryptionConfiguration") or {}
    option = encryption.get("EncryptionOption")
    key = None if option in (None, SSE_S3) else encryption.get("KmsKey") or None
    return option is not None, option, key


def workgroup_record(arn, region, summary, workgroup):
    name = summary["Name"]
    evidence = {}
    if summary.get("Description"):
        evidence["description"] = summary["Description"]
    if workgroup is None:
        return Record(uid=arn, type="athena.workgroup", region=region, name=name, evidence=evidence)
    configuration = workgroup.get("Configuration") or {}
    encrypted, option, key = results_encryption(configuration)
    evidence.update(
        encrypted=encrypted,
        results_encryption=option,
        enforce_workgroup_configuration=bool(configuration.get("EnforceWorkGroupConfiguration")),
        minimum_encryption_enforced=bool(configuration.get("EnableMinimumEncryptionConfiguration")),
        state=workgroup.get("State"),
    )
    return Record(uid=arn, type="athena.workgroup", region=region, name=name, evidence=evidence, key_arn=key)
