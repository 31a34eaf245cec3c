"""A three-account AWS Organization on the moto server whose every verdict is known in advance.

`build(aws)` creates the estate and returns an `Estate` holding the truth table: for each
(account, check id, resource uid) the status a correct scan reports and the key owner the export shows.
The end-to-end tests scan it with `manage.py scan --all --wait`, export JSON and compare every row.

The organization (management account 123456789012, moto's default):
- "master" (management): no trail, no password policy, root MFA on, a customer key it shares with "prod"
  from an account "prod" does not trust (not in TRUSTED_ACCOUNT_IDS).
- "prod" (member): the real estate — every service, each resource chosen to give one verdict.
- "keys" (member): the trusted central key account (TRUSTED_ACCOUNT_IDS); its key is shared with "prod"
  by key policy. Root access keys present, a weak password policy, a trail that is not logging.
Regions us-east-1 and eu-west-1 in every account.

Truth rules (explicit entries first; a finding matching neither is a test failure):
- Every resource is registered with its type, its key owner (the owner its encryption check reports; ""
  for things that cannot be encrypted) and its hygiene verdict. Default rule: hygiene.no_sensitive_identifiers
  is PASS on every registered resource with a free-form field unless it is listed as FAIL; resources with no
  free-form field (listeners, unnamed distributions) have no hygiene finding.
- A finding's key owner is its check's key owner for key-aware checks, else its resource's key owner (the
  export falls back to the resource's).
- kms.key_in_use_unusable / kms.external_account_key follow from the key a resource names (`uses`): its own
  account's enabled key PASS, disabled / pending deletion / missing FAIL, another account's key NOT_APPLICABLE
  (state not visible) with external_account_key PASS for a trusted account and FAIL otherwise.
- The *_customer_managed_key checks PASS on another account's key whether or not that account is trusted:
  trust is judged once, by kms.external_account_key (prod-untrusted-key: PASS there, FAIL in external_account_key).
  A key that could not be described (owner "unknown": prod-lost-key names a deleted key) is ERROR there, never
  PASS or FAIL; kms.key_in_use_unusable FAILs the missing key.

Where moto differs from AWS (see /work/shared/NOTES.md), the estate avoids the gap or the truth says why:
- GetEbsDefaultKmsKeyId is not implemented: the region with EBS encryption by default on PASSes with key
  owner "unknown" (AWS would name alias/aws/ebs, aws_managed).
- GetAccountSummary has no API to set root MFA or root access keys: the builder sets moto's own flags
  in-process (the server runs in this process), as AWS reports them after a root user enables MFA in the console.
- Access keys are always created "now": an old key is created with moto's clock set back 120 days.
- moto has no Proton: every account/region gets proton.template_customer_managed_key NOT_APPLICABLE.
- Encrypted RDS instances and EFS file systems are created with an explicit key (moto records no key or a
  placeholder otherwise; AWS names the aws/rds or aws/elasticfilesystem key).
- ScheduleKeyDeletion in moto needs the bare key id (an ARN is a server error).
- An OpenSearch domain encrypted with the default key, and an MSK cluster created without one, come back from
  moto with no key at all (AWS names the aws/es or aws/kafka key's ARN): the collectors name alias/aws/es and
  alias/aws/kafka for them, AWS-managed either way. moto keeps MSK EncryptionInfo only from CreateCluster (not
  CreateClusterV2's provisioned form), and a Firehose encryption configuration only with a Status when set by
  StartDeliveryStreamEncryption.
- ECR repositories are given their KMS key: moto invents a key ARN for KMS without one (AWS names aws/ecr).
- A Backup vault created without a key: moto's ListBackupVaults names no key, AWS names its aws/backup key's ARN;
  both read as the AWS-managed aws/backup key.
- Every region has a Glue Data Catalog (settings DISABLED by default) and Athena's "primary" workgroup (no results
  encryption), in moto as in AWS: one finding each per account and region.
- A snapshot taken of an encrypted EBS volume names no key in moto (AWS names the volume's): encrypted EBS snapshots
  are copies made with an explicit key. GetSnapshotBlockPublicAccessState is not implemented: the region holding
  the public snapshot records that gap (estate.gaps), and its public snapshot is judged on its permission.
- moto refuses alias/aws/* aliases, so an RDS resource on the AWS-managed aws/rds key cannot be made (the catalog
  tests cover it); DocumentDB clusters are refused too (the collector's Stubber test covers them).
- moto holds one parameter list for every Redshift parameter group and cannot change it: the builder sets
  require_ssl in moto's own list for prod's eu-west-1 (redshift_requires_ssl), as AWS reports a group setting it.
"""

import io
import json
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import timedelta
from unittest import mock

from botocore.config import Config

from checks.catalog.base import KeyOwner, Status
from checks.collectors import s3 as s3_collector
from checks.inventory import account_uid, region_uid

HOME, EU = REGIONS = ("us-east-1", "eu-west-1")
FAR = "ap-southeast-2"  # a region the accounts are not scanned in
ROLE = "OrganizationAccountAccessRole"
MANAGEMENT = "123456789012"

PASS, FAIL, ERROR, NA = Status.PASS, Status.FAIL, Status.ERROR, Status.NOT_APPLICABLE
AWS_OWNED, AWS_MANAGED, CUSTOMER = KeyOwner.AWS_OWNED, KeyOwner.AWS_MANAGED, KeyOwner.CUSTOMER_MANAGED
EXTERNAL, UNENCRYPTED, UNKNOWN = KeyOwner.EXTERNAL, KeyOwner.UNENCRYPTED, KeyOwner.UNKNOWN

HYGIENE = "hygiene.no_sensitive_identifiers"
IN_USE = "kms.key_in_use_unusable"
EXTERNAL_KEY = "kms.external_account_key"

# The verdicts each check can give on this estate (the test asserts the export shows exactly these).
# Not reachable on moto without a fault: ERROR (the fault tests cover it), except s3.bucket_customer_managed_key
# on a bucket naming a deleted key (its owner is unknown) and ebs.snapshot_not_public on the region whose block
# public access state moto cannot answer. Otherwise missing, and why:
# - iam.root_access_keys_absent / iam.root_mfa_enabled: both verdicts, through moto's flags (see above).
# - proton.*: moto has no Proton, so NOT_APPLICABLE only (the Proton collector tests cover the rest).
VERDICTS = {
    "s3.bucket_default_encryption": {PASS, FAIL},
    "s3.bucket_customer_managed_key": {PASS, FAIL, ERROR},
    "s3.bucket_secure_transport": {PASS, FAIL},
    "s3.bucket_min_tls_12": {PASS, FAIL},
    "s3.bucket_server_access_logging": {PASS, FAIL},
    "s3.bucket_public_access_blocked": {PASS, FAIL},
    "s3.bucket_not_public": {PASS, FAIL},
    "ebs.encryption_by_default": {PASS, FAIL},
    "ebs.volume_encrypted": {PASS, FAIL},
    "rds.instance_storage_encrypted": {PASS, FAIL},
    "rds.cluster_storage_encrypted": {PASS, FAIL},
    "rds.snapshot_encrypted": {PASS, FAIL},
    "rds.snapshot_not_public": {PASS, FAIL},
    "rds.instance_not_publicly_accessible": {PASS, FAIL},
    "rds.instance_tls_enforced": {PASS, FAIL, NA},
    "ebs.snapshot_encrypted": {PASS, FAIL},
    "ebs.snapshot_not_public": {PASS, FAIL, ERROR},
    "redshift.cluster_encrypted": {PASS, FAIL},
    "redshift.cluster_require_ssl": {PASS, FAIL},
    "redshift.cluster_not_publicly_accessible": {PASS, FAIL},
    "dynamodb.table_customer_managed_key": {PASS, FAIL},
    "sqs.queue_encrypted": {PASS, FAIL},
    "sqs.queue_policy_not_public": {PASS, FAIL},
    "sns.topic_encrypted": {PASS, FAIL},
    "sns.topic_policy_not_public": {PASS, FAIL},
    "sns.subscription_https": {PASS, FAIL},
    "logs.log_group_kms_encrypted": {PASS, FAIL},
    "logs.log_group_retention_adequate": {PASS, FAIL},
    "secretsmanager.secret_customer_managed_key": {PASS, FAIL},
    "secretsmanager.secret_policy_not_public": {PASS, FAIL},
    "efs.file_system_encrypted": {PASS, FAIL},
    "elasticache.replication_group_at_rest_encrypted": {PASS, FAIL},
    "elasticache.replication_group_in_transit_encrypted": {PASS, FAIL},
    "opensearch.domain_at_rest_encrypted": {PASS, FAIL},
    "opensearch.domain_https_tls12": {PASS, FAIL},
    "opensearch.domain_node_to_node_encrypted": {PASS, FAIL},
    "opensearch.domain_not_public": {PASS, FAIL},
    "kinesis.stream_encrypted": {PASS, FAIL},
    "firehose.delivery_stream_encrypted": {PASS, FAIL, NA},  # NA: a stream reading from Kinesis
    "kafka.cluster_customer_managed_key": {PASS, FAIL, ERROR},  # ERROR: a cluster naming a deleted key
    "kafka.cluster_in_transit_tls": {PASS, FAIL},
    "kms.key_rotation_enabled": {PASS, FAIL, NA},
    "kms.key_in_use_unusable": {PASS, FAIL, NA},
    "kms.key_pending_deletion": {PASS, FAIL},
    "kms.key_policy_not_public": {PASS, FAIL},
    "kms.external_account_key": {PASS, FAIL},
    "cloudtrail.multi_region_logging": {PASS, FAIL},
    "cloudtrail.log_file_validation": {PASS, FAIL},
    "cloudtrail.kms_encrypted": {PASS, FAIL},
    "cloudtrail.bucket_not_public": {PASS, FAIL, NA},
    "vpc.flow_logs_enabled": {PASS, FAIL},
    "config.recorder_enabled": {PASS, FAIL},
    "elbv2.listener_tls12": {PASS, FAIL},
    "elbv2.listener_https_only": {PASS, FAIL},
    "elbv2.access_logs_enabled": {PASS, FAIL, NA},
    "cloudfront.distribution_tls12": {PASS, FAIL},
    "iam.root_mfa_enabled": {PASS, FAIL},
    "iam.root_access_keys_absent": {PASS, FAIL},
    "iam.user_console_mfa": {PASS, FAIL, NA},
    "iam.access_keys_rotated_90d": {PASS, FAIL, NA},
    "iam.password_policy_strong": {PASS, FAIL},
    "iam.no_full_admin_custom_policies": {PASS, FAIL},
    "hygiene.no_credentials_in_urls": {PASS, FAIL},
    "hygiene.no_sensitive_identifiers": {PASS, FAIL},
    "proton.template_customer_managed_key": {NA},
    "ecr.repository_kms_encrypted": {PASS, FAIL},
    "ecr.repository_policy_not_public": {PASS, FAIL},
    "lambda.environment_customer_managed_key": {PASS, FAIL, NA},
    "lambda.function_policy_not_public": {PASS, FAIL},
    "eks.cluster_secrets_encrypted": {PASS, FAIL},
    "glue.data_catalog_encrypted": {PASS, FAIL},
    "athena.workgroup_results_encrypted": {PASS, FAIL},
    "sagemaker.notebook_kms_encrypted": {PASS, FAIL},
    # ERROR: a vault on the deleted key, whose owner no scan can know.
    "backup.vault_customer_managed_key": {PASS, FAIL, ERROR},
}
# Which key owner classes the export must show (each on at least one finding).
KEY_OWNERS = {AWS_OWNED, AWS_MANAGED, CUSTOMER, EXTERNAL, UNENCRYPTED}

PASSWORD = "A-long-passw0rd!"  # noqa: S105 - a moto user's console password
TLS_ONLY_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": ["arn:aws:s3:::{bucket}", "arn:aws:s3:::{bucket}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
        {
            "Sid": "DenyOldTls",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": ["arn:aws:s3:::{bucket}", "arn:aws:s3:::{bucket}/*"],
            "Condition": {"NumericLessThan": {"s3:TlsVersion": "1.2"}},
        },
    ],
}
BLOCK_ALL = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}
REDIRECT = {"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}
CERTIFICATE_DOMAIN = "shop.example.com"


@dataclass(frozen=True)
class Expected:
    status: str
    key_owner: str


@dataclass(frozen=True)
class Resource:
    type: str
    owner: str
    hygiene: str | None


@dataclass(frozen=True)
class Key:
    """A KMS key a resource names: whose it is and whether AWS can use it."""

    account: str
    arn: str
    state: str = "Enabled"  # Enabled, Disabled, PendingDeletion, or Missing (no such key)
    aws_managed: bool = False

    @property
    def key_id(self):
        return self.arn.rsplit("/", 1)[-1]

    @property
    def owner(self):
        if self.aws_managed:
            return AWS_MANAGED
        return UNKNOWN if self.state == "Missing" else CUSTOMER


class Truth:
    """Expected findings, keyed (account id, check id, resource uid)."""

    def __init__(self, trusted):
        self.trusted = frozenset(trusted)
        self.resources = {}
        self.entries = {}

    def resource(self, account, uid, type_, owner="", hygiene=PASS):
        assert (account, uid) not in self.resources, f"{uid} registered twice"
        self.resources[(account, uid)] = Resource(type_, owner, hygiene)
        return uid

    def expect(self, account, check_id, uid, status, key_owner=None):
        """`key_owner` None: the resource's own key owner (what the export shows for checks without one)."""
        key = (account, check_id, uid)
        assert key not in self.entries, f"{key} expected twice"
        self.entries[key] = (status, key_owner)

    def override(self, account, check_id, uid, status, key_owner=None):
        self.entries[(account, check_id, uid)] = (status, key_owner)

    def uses(self, account, uid, key):
        """The key checks of a resource encrypted with `key`."""
        if key.account != account:
            self.expect(account, IN_USE, uid, NA, EXTERNAL)
            self.expect(account, EXTERNAL_KEY, uid, PASS if key.account in self.trusted else FAIL, EXTERNAL)
        else:
            self.expect(account, IN_USE, uid, PASS if key.state == "Enabled" else FAIL, key.owner)

    def table(self):
        """{(account, check id, uid): Expected} with the default rules applied."""
        table = {}
        for (account, check_id, uid), (status, owner) in self.entries.items():
            assert (account, uid) in self.resources, f"{uid} has expectations but is not a registered resource"
            resource_owner = self.resources[(account, uid)].owner
            table[(account, check_id, uid)] = Expected(status, resource_owner if owner is None else owner)
        for (account, uid), resource in self.resources.items():
            if resource.hygiene and (account, HYGIENE, uid) not in table:
                table[(account, HYGIENE, uid)] = Expected(resource.hygiene, resource.owner)
        return table

    def change_owner(self, account, uid, owner):
        self.resources[(account, uid)] = replace(self.resources[(account, uid)], owner=owner)

    def forget(self, account, uid):
        """The resource is gone: no finding of it may remain."""
        del self.resources[(account, uid)]
        self.entries = {key: value for key, value in self.entries.items() if (key[0], key[2]) != (account, uid)}

    def uids(self, account, type_):
        return sorted(
            uid for (owner, uid), resource in self.resources.items() if owner == account and resource.type == type_
        )


@dataclass
class Estate:
    aws: object
    management: str = MANAGEMENT
    prod: str = ""
    keys: str = ""
    sessions: dict = field(default_factory=dict)
    truth: Truth = None
    handles: dict = field(default_factory=dict)  # things the history tests change
    gaps: dict = field(
        default_factory=dict
    )  # account → [(api, unavailable, region)] moto cannot answer, beyond KNOWN_GAPS
    clients: dict = field(default_factory=dict)

    @property
    def accounts(self):
        return (self.management, self.prod, self.keys)

    @property
    def trusted(self):
        return (self.keys,)

    def client(self, account, service, region=HOME, **config):
        """One client per account, service and region (making clients is slow: botocore loads the model)."""
        key = (account, service, region, tuple(sorted(config.items())))
        if key not in self.clients:
            self.clients[key] = self.sessions[account].client(
                service, region_name=region, config=Config(**config) if config else None
            )
        return self.clients[key]

    def table(self):
        return self.truth.table()


def register(estate):
    """Register the organization's accounts the way an operator does: discovery from the management account."""
    from accounts import organizations

    return organizations.discover(MANAGEMENT, ROLE, regions=list(REGIONS))


# ---- changes between scans (each keeps the truth in step) ------------------------------------------------------


def fix_plain_bucket(estate):
    """Turn on SSE-S3 for the bucket that had no default encryption: bucket_default_encryption FAIL -> PASS."""
    uid = estate.handles["plain_bucket"]
    name = uid.rsplit(":", 1)[-1]
    estate.client(estate.prod, "s3").put_bucket_encryption(
        Bucket=name,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )
    truth = estate.truth
    truth.change_owner(estate.prod, uid, AWS_OWNED)
    truth.override(estate.prod, "s3.bucket_default_encryption", uid, PASS)
    return uid


def disable_report_key(estate):
    """Disable the key one log group is encrypted with: the group's data becomes unreadable."""
    key = estate.handles["report_key"]
    estate.client(estate.prod, "kms").disable_key(KeyId=key.key_id)
    truth = estate.truth
    truth.override(estate.prod, IN_USE, estate.handles["report_log_group"], FAIL, CUSTOMER)
    # Rotation is judged only while a key is enabled.
    truth.override(estate.prod, "kms.key_rotation_enabled", key.arn, NA, CUSTOMER)
    return key


def delete_plain_volume(estate):
    uid, volume_id = estate.handles["plain_volume"]
    estate.client(estate.prod, "ec2", EU).delete_volume(VolumeId=volume_id)
    estate.truth.forget(estate.prod, uid)
    return uid


def build(aws):
    """Create the organization and every resource; returns the Estate with its truth table."""
    estate = Estate(aws)
    organization(estate)
    estate.truth = Truth(estate.trusted)
    for account in estate.accounts:
        account_baseline(estate, account)
    keys = build_keys(estate)
    build_storage(estate, keys)
    build_compute(estate, keys)
    build_databases(estate, keys)
    build_snapshots(estate, keys)
    build_warehouses(estate, keys)
    build_messaging(estate, keys)
    build_data_services(estate, keys)
    build_logging(estate, keys)
    build_network(estate)
    build_identity(estate)
    build_trails(estate, keys)
    build_analytics_and_compute(estate, keys)
    build_sensitive_tags(estate)
    for account in estate.accounts:
        service_default_keys(estate, account)
        default_vpcs(estate, account)
        account_roles(estate, account)
    return estate


# ---- the organization -------------------------------------------------------------------------------------


def organization(estate):
    aws = estate.aws
    org = aws.client("organizations")
    org.create_organization(FeatureSet="ALL")
    estate.prod = org.create_account(AccountName="prod", Email="aws-prod@example.com")["CreateAccountStatus"][
        "AccountId"
    ]
    estate.keys = org.create_account(AccountName="keys", Email="aws-keys@example.com")["CreateAccountStatus"][
        "AccountId"
    ]
    estate.sessions = {
        estate.management: aws.session,
        estate.prod: aws.session_in(estate.prod, ROLE),
        estate.keys: aws.session_in(estate.keys, ROLE),
    }
    # One model loader for every builder session: botocore parses each service's model once, not per account.
    loader = aws.session._session.get_component("data_loader")
    for session in estate.sessions.values():
        session._session.register_component("data_loader", loader)


def account_baseline(estate, account):
    """The account and region records: what every account gets whatever it holds."""
    truth = estate.truth
    truth.resource(account, account_uid(account), "account", hygiene=None)
    ebs_default_on = {(estate.prod, HOME)}
    for region in REGIONS:
        on = (account, region) in ebs_default_on
        # A region is a settings scope, not an encrypted resource: it has no key owner of its own.
        uid = truth.resource(account, region_uid(account, region), "region", "", hygiene=None)
        # moto does not implement GetEbsDefaultKmsKeyId, so an enabled default's key is "unknown".
        truth.expect(account, "ebs.encryption_by_default", uid, PASS if on else FAIL, UNKNOWN if on else UNENCRYPTED)
        truth.expect(account, "proton.template_customer_managed_key", uid, NA)
        if on:
            estate.client(account, "ec2", region).enable_ebs_encryption_by_default()
        # Every region has a Glue Data Catalog and Athena's "primary" workgroup; by default neither encrypts.
        # (prod's are encrypted in build_catalogs, which overrides these.)
        catalog = truth.resource(account, glue_catalog_uid(account, region), "glue.data_catalog", UNENCRYPTED, None)
        truth.expect(account, "glue.data_catalog_encrypted", catalog, FAIL)
        primary = truth.resource(account, workgroup_uid(account, region, "primary"), "athena.workgroup", UNENCRYPTED)
        truth.expect(account, "athena.workgroup_results_encrypted", primary, FAIL)


def glue_catalog_uid(account, region):
    return f"arn:aws:glue:{region}:{account}:catalog"


def workgroup_uid(account, region, name):
    return f"arn:aws:athena:{region}:{account}:workgroup/{name}"


# ---- KMS ----------------------------------------------------------------------------------------------------


def key_policy(owner, *statements):
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "KeyAdministration",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{owner}:root"},
                    "Action": "kms:*",
                    "Resource": "*",
                },
                *statements,
            ],
        }
    )


def share_with(account):
    return {
        "Sid": "UseFromAnotherAccount",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
        "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
        "Resource": "*",
    }


def customer_key(
    estate,
    account,
    name,
    region=HOME,
    *,
    rotation=None,
    state="Enabled",
    policy=None,
    description="",
    tags=None,
    spec=None,
    checks=None,
):
    """Create a customer key and its expected kms.* findings. `checks` overrides verdicts by check id."""
    kms = estate.client(account, "kms", region)
    options = {"Description": description, "Policy": policy or key_policy(account)}
    if tags:
        options["Tags"] = [{"TagKey": k, "TagValue": v} for k, v in tags.items()]
    if spec:
        options.update(KeySpec=spec, KeyUsage="SIGN_VERIFY")
    metadata = kms.create_key(**options)["KeyMetadata"]
    kms.create_alias(AliasName=f"alias/{name}", TargetKeyId=metadata["KeyId"])
    if rotation:
        kms.enable_key_rotation(KeyId=metadata["KeyId"])
    if state == "Disabled":
        kms.disable_key(KeyId=metadata["KeyId"])
    elif state == "PendingDeletion":
        kms.schedule_key_deletion(KeyId=metadata["KeyId"], PendingWindowInDays=30)
    key = Key(account, metadata["Arn"], state)
    truth = estate.truth
    verdicts = {
        "kms.key_rotation_enabled": (PASS if rotation else FAIL) if state == "Enabled" and not spec else NA,
        "kms.key_pending_deletion": FAIL if state == "PendingDeletion" else PASS,
        "kms.key_policy_not_public": PASS,
        **(checks or {}),
    }
    truth.resource(account, key.arn, "kms.key", hygiene=(checks or {}).get(HYGIENE, PASS))
    for check_id, status in verdicts.items():
        if check_id != HYGIENE:
            truth.expect(account, check_id, key.arn, status, CUSTOMER)
    return key


def build_keys(estate):
    prod, keys, management = estate.prod, estate.keys, estate.management
    found = {
        "prod-data": customer_key(estate, prod, "prod-data", rotation=True),
        "prod-eu": customer_key(estate, prod, "prod-eu", EU, rotation=True),
        "prod-reports": customer_key(estate, prod, "prod-reports", rotation=True),
        "prod-logs": customer_key(
            estate,
            prod,
            "prod-logs",
            # Open to every principal, narrowed to the organization: not public.
            policy=key_policy(
                prod,
                {
                    "Sid": "OrganizationUse",
                    "Effect": "Allow",
                    "Principal": {"AWS": "*"},
                    "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                    "Resource": "*",
                    "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-exampleorg"}},
                },
            ),
        ),
        "prod-public": customer_key(
            estate,
            prod,
            "prod-public",
            rotation=True,
            policy=key_policy(
                prod, {"Sid": "Anyone", "Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"}
            ),
            checks={"kms.key_policy_not_public": FAIL},
        ),
        "prod-retired": customer_key(estate, prod, "prod-retired", state="Disabled"),
        "prod-doomed": customer_key(estate, prod, "prod-doomed", rotation=True, state="PendingDeletion"),
        "prod-signing": customer_key(
            estate,
            prod,
            "prod-signing",
            spec="RSA_2048",
            description="Release signing key; questions to sec-team@example.com",
            checks={HYGIENE: FAIL},
        ),
        "keys-central": customer_key(
            estate,
            keys,
            "central-data",
            rotation=True,
            policy=key_policy(keys, share_with(prod)),
            tags={"legacy-credential": "AKIAIOSFODNN7EXAMPLE"},
            checks={HYGIENE: FAIL},
        ),
        "master-shared": customer_key(
            estate, management, "master-shared", policy=key_policy(management, share_with(prod))
        ),
        # A key the prod account used to have: deleted, yet a bucket still names it.
        "prod-deleted": Key(prod, f"arn:aws:kms:{HOME}:{prod}:key/0b0e1f2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b", "Missing"),
    }
    for service in ("s3", "sqs", "secretsmanager", "kinesis", "es", "kafka", "lambda", "glue", "backup"):
        # Named by alias only (S3 SSE-KMS without a key id, SQS alias/aws/sqs, Secrets Manager's default, a
        # Kinesis stream on alias/aws/kinesis; OpenSearch and MSK defaults, which moto reports without a key;
        # Lambda's, Glue's and Backup's defaults).
        found[f"aws/{service}"] = Key(prod, f"alias/aws/{service}", aws_managed=True)
    estate.handles["report_key"] = found["prod-reports"]
    return found


def service_default_keys(estate, account):
    """AWS creates alias/aws/<service> keys on first use (moto does too): AWS-managed, no kms.* findings."""
    for region in REGIONS:
        kms = estate.client(account, "kms", region)
        listed = {key["KeyArn"] for page in kms.get_paginator("list_keys").paginate() for key in page["Keys"]}
        aliases = {
            alias["TargetKeyId"]: alias["AliasName"]
            for page in kms.get_paginator("list_aliases").paginate()
            for alias in page["Aliases"]
            if alias.get("TargetKeyId")
        }
        for arn in sorted(listed):
            if (account, arn) in estate.truth.resources:
                continue
            alias = aliases.get(arn.rsplit("/", 1)[-1], "")
            assert alias.startswith("alias/aws/"), f"unexpected key {arn} in the estate"
            estate.truth.resource(account, arn, "kms.key")


# ---- S3, EBS, RDS, DynamoDB, EFS ------------------------------------------------------------------------------


def put_policy(s3, bucket, document):
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(document).replace("{bucket}", bucket))


def bucket(
    estate,
    account,
    name,
    *,
    region=HOME,
    sse=None,
    key=None,
    policy=None,
    logs_to=None,
    block=False,
    acl=None,
    opened=False,
    tags=None,
    hygiene=PASS,
):
    """A bucket and its seven s3.* expectations. `sse`: None (moto's default: none), "AES256" or "aws:kms".

    `acl`: a canned ACL ("public-read"); `opened`: its policy or ACL opens it to everyone, unless Block Public
    Access (`block` on the bucket, or the account's in estate.handles["blocked_accounts"]) neutralises it.
    """
    s3 = estate.client(account, "s3", region)
    options = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    s3.create_bucket(Bucket=name, **options)
    if sse:
        default = {"SSEAlgorithm": sse}
        if key and not key.arn.startswith("alias/aws/"):
            default["KMSMasterKeyID"] = key.arn
        s3.put_bucket_encryption(
            Bucket=name, ServerSideEncryptionConfiguration={"Rules": [{"ApplyServerSideEncryptionByDefault": default}]}
        )
    if policy:
        put_policy(s3, name, policy)
    if acl:
        s3.put_bucket_acl(Bucket=name, ACL=acl)
    if logs_to:
        s3.put_bucket_logging(
            Bucket=name, BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": logs_to, "TargetPrefix": f"{name}/"}}
        )
    if block:
        s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=BLOCK_ALL)
    if tags:
        s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": [{"Key": k, "Value": v} for k, v in tags.items()]})
    uid = f"arn:aws:s3:::{name}"
    owner = (
        UNENCRYPTED
        if not sse
        else AWS_OWNED
        if sse == "AES256"
        else (EXTERNAL if key.account != account else key.owner)
    )
    truth = estate.truth
    truth.resource(account, uid, "s3.bucket", owner, hygiene)
    truth.expect(account, "s3.bucket_default_encryption", uid, PASS if sse else FAIL)
    # A customer-managed key of this account or of any other passes (trust is kms.external_account_key's to
    # judge); SSE-S3, aws/s3 or no encryption fails; a key that no longer exists has no known owner: ERROR.
    customer = PASS if owner in (CUSTOMER, EXTERNAL) else ERROR if owner == UNKNOWN else FAIL
    truth.expect(account, "s3.bucket_customer_managed_key", uid, customer)
    statements = {s["Sid"] for s in (policy or {}).get("Statement", [])}
    truth.expect(account, "s3.bucket_secure_transport", uid, PASS if "DenyInsecureTransport" in statements else FAIL)
    truth.expect(account, "s3.bucket_min_tls_12", uid, PASS if "DenyOldTls" in statements else FAIL)
    truth.expect(account, "s3.bucket_server_access_logging", uid, PASS if logs_to else FAIL)
    # Set before Block Public Access, as in AWS (where BlockPublicAcls/BlockPublicPolicy refuse new public grants).
    blocked = block or account in estate.handles.get("blocked_accounts", ())
    truth.expect(account, "s3.bucket_public_access_blocked", uid, PASS if blocked else FAIL)
    truth.expect(account, "s3.bucket_not_public", uid, FAIL if opened and not blocked else PASS)
    if sse == "aws:kms":
        truth.uses(account, uid, key)
    return uid


def log_delivery_policy(bucket_name):
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "S3ServerAccessLogs",
                "Effect": "Allow",
                "Principal": {"Service": "logging.s3.amazonaws.com"},
                "Action": "s3:PutObject",
                "Resource": f"arn:aws:s3:::{bucket_name}/*",
            }
        ],
    }


# Denies plain HTTP but not TLS 1.0/1.1: s3.bucket_secure_transport PASS, s3.bucket_min_tls_12 FAIL.
SECURE_TRANSPORT_ONLY_POLICY = {"Version": "2012-10-17", "Statement": [TLS_ONLY_POLICY["Statement"][0]]}


PUBLIC_READ_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "PublicRead",
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::{bucket}/*",
        }
    ],
}


def account_block(estate, account):
    """All four Block Public Access settings on for the whole account (one s3control call)."""
    control = estate.client(account, "s3control", inject_host_prefix=False)
    control.meta.events.register("before-sign.s3-control", s3_collector.drop_account_label_on_local_endpoint)
    control.put_public_access_block(AccountId=account, PublicAccessBlockConfiguration=BLOCK_ALL)
    estate.handles.setdefault("blocked_accounts", set()).add(account)


def build_storage(estate, keys):
    prod, central = estate.prod, estate.keys
    account_block(estate, central)
    bucket(estate, prod, "prod-access-logs", sse="AES256", policy=log_delivery_policy("prod-access-logs"))
    bucket(estate, prod, "prod-sse-s3", sse="AES256", policy=TLS_ONLY_POLICY, logs_to="prod-access-logs")
    bucket(estate, prod, "prod-sse-kms-default", sse="aws:kms", key=keys["aws/s3"])
    bucket(
        estate,
        prod,
        "prod-cmk",
        sse="aws:kms",
        key=keys["prod-data"],
        policy=SECURE_TRANSPORT_ONLY_POLICY,
        logs_to="prod-access-logs",
    )
    bucket(estate, prod, "prod-central-key", sse="aws:kms", key=keys["keys-central"])
    bucket(estate, prod, "prod-untrusted-key", sse="aws:kms", key=keys["master-shared"])
    bucket(estate, prod, "prod-lost-key", sse="aws:kms", key=keys["prod-deleted"])
    estate.handles["plain_bucket"] = bucket(
        estate, prod, "prod-plain", tags={"owner": "jane.doe@example.com"}, hygiene=FAIL
    )
    bucket(estate, prod, "prod-eu-data", region=EU, sse="aws:kms", key=keys["prod-eu"], policy=TLS_ONLY_POLICY)
    # In a region no scan covers: the tagging API is not called there, so its tags come from s3:GetBucketTagging.
    bucket(estate, prod, "prod-sydney-archive", region=FAR, tags={"copied-from": f"account {central}"}, hygiene=FAIL)
    # Trail buckets: blocked at bucket level (prod), at account level (keys), not at all (prod's eu trail).
    bucket(estate, prod, "prod-trail-logs", sse="AES256", block=True)
    bucket(estate, prod, "prod-eu-trail", region=EU, sse="AES256")
    bucket(estate, central, "keys-trail-logs")
    # Open to everyone by policy and ACL; the same, neutralised by the bucket's Block Public Access.
    bucket(estate, prod, "prod-public-site", sse="AES256", policy=PUBLIC_READ_POLICY, acl="public-read", opened=True)
    bucket(
        estate,
        prod,
        "prod-public-blocked",
        sse="AES256",
        policy=PUBLIC_READ_POLICY,
        acl="public-read",
        opened=True,
        block=True,
    )


def volume(estate, account, name, region, *, encrypted, key=None, tags=None, hygiene=PASS):
    ec2 = estate.client(account, "ec2", region)
    options = {"Encrypted": encrypted}
    if key:
        options["KmsKeyId"] = key.arn
    tag_set = [{"Key": "Name", "Value": name}, *[{"Key": k, "Value": v} for k, v in (tags or {}).items()]]
    made = ec2.create_volume(
        AvailabilityZone=f"{region}a",
        Size=8,
        TagSpecifications=[{"ResourceType": "volume", "Tags": tag_set}],
        **options,
    )
    uid = f"arn:aws:ec2:{region}:{account}:volume/{made['VolumeId']}"
    if encrypted and key is None:
        # EBS encrypts with the account's AWS-managed aws/ebs key when none is named (created on first use).
        key = Key(account, made["KmsKeyId"], aws_managed=True)
    owner = UNENCRYPTED if not encrypted else (EXTERNAL if key.account != account else key.owner)
    estate.truth.resource(account, uid, "ec2.volume", owner, hygiene)
    estate.truth.expect(account, "ebs.volume_encrypted", uid, PASS if encrypted else FAIL)
    if encrypted:
        estate.truth.uses(account, uid, key)
    return uid, made["VolumeId"]


def build_compute(estate, keys):
    prod = estate.prod
    volume(estate, prod, "data-cmk", HOME, encrypted=True, key=keys["prod-data"])
    volume(estate, prod, "data-default", HOME, encrypted=True)
    volume(
        estate,
        prod,
        "data-central",
        HOME,
        encrypted=True,
        key=keys["keys-central"],
        tags={"peer-account": estate.keys},
        hygiene=FAIL,
    )
    estate.handles["plain_volume"] = volume(estate, prod, "scratch", EU, encrypted=False)
    dynamodb = estate.client(prod, "dynamodb")
    tables = (
        ("orders", None, FAIL, AWS_OWNED),
        ("orders-cmk", keys["prod-data"], PASS, CUSTOMER),
        ("orders-aws-key", "aws", FAIL, AWS_MANAGED),
        ("orders-central", keys["keys-central"], PASS, EXTERNAL),
    )
    for name, key, status, owner in tables:
        options = {}
        if key:
            options["SSESpecification"] = {
                "Enabled": True,
                "SSEType": "KMS",
                **({"KMSMasterKeyId": key.arn} if key != "aws" else {}),
            }
        table = dynamodb.create_table(
            TableName=name,
            BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            **options,
        )["TableDescription"]
        uid = estate.truth.resource(prod, table["TableArn"], "dynamodb.table", owner)
        estate.truth.expect(prod, "dynamodb.table_customer_managed_key", uid, status)
        if key == "aws":
            key = Key(prod, table["SSEDescription"]["KMSMasterKeyArn"], aws_managed=True)
        if key:
            estate.truth.uses(prod, uid, key)
    efs = estate.client(prod, "efs")
    for name, key in (("shared-fs", keys["prod-data"]), ("scratch-fs", None)):
        options = {"Encrypted": True, "KmsKeyId": key.arn} if key else {"Encrypted": False}
        made = efs.create_file_system(CreationToken=name, Tags=[{"Key": "Name", "Value": name}], **options)
        uid = estate.truth.resource(prod, made["FileSystemArn"], "efs.file_system", CUSTOMER if key else UNENCRYPTED)
        estate.truth.expect(prod, "efs.file_system_encrypted", uid, PASS if key else FAIL)
        if key:
            estate.truth.uses(prod, uid, key)


# ---- RDS: instances, clusters, parameter groups, manual snapshots ----------------------------------------------


def encrypted_with(options, key, encrypted_field):
    return {**options, encrypted_field: True, "KmsKeyId": key.arn} if key else {**options, encrypted_field: False}


def key_owner_of(account, key):
    """The key owner a resource of `account` encrypted with `key` (None: unencrypted) reports."""
    return UNENCRYPTED if key is None else EXTERNAL if key.account != account else key.owner


def db_instance(estate, name, *, tls, engine="postgres", key=None, public=False, **options):
    """A DB instance and its rds.instance_* expectations; `tls` is its rds.instance_tls_enforced verdict.

    A cluster member (DBClusterIdentifier in `options`) takes its storage, key and credentials from the cluster."""
    prod, truth = estate.prod, estate.truth
    if "DBClusterIdentifier" not in options:
        storage = {"AllocatedStorage": 20, "MasterUsername": "app", "MasterUserPassword": PASSWORD}
        options = encrypted_with({**options, **storage}, key, "StorageEncrypted")
    made = estate.client(prod, "rds").create_db_instance(
        DBInstanceIdentifier=name, Engine=engine, DBInstanceClass="db.r6g.large", PubliclyAccessible=public, **options
    )["DBInstance"]
    uid = truth.resource(prod, made["DBInstanceArn"], "rds.db_instance", key_owner_of(prod, key))
    truth.expect(prod, "rds.instance_storage_encrypted", uid, PASS if key else FAIL)
    truth.expect(prod, "rds.instance_not_publicly_accessible", uid, FAIL if public else PASS)
    truth.expect(prod, "rds.instance_tls_enforced", uid, tls)
    if key:
        truth.uses(prod, uid, key)
    return uid


def rds_snapshot(estate, name, source, *, cluster=False, key=None, restore=(), public=False):
    prod, truth = estate.prod, estate.truth
    rds = estate.client(prod, "rds")
    if cluster:
        made = rds.create_db_cluster_snapshot(DBClusterSnapshotIdentifier=name, DBClusterIdentifier=source)
        uid, type_ = made["DBClusterSnapshot"]["DBClusterSnapshotArn"], "rds.db_cluster_snapshot"
        share = rds.modify_db_cluster_snapshot_attribute
        share_options = {"DBClusterSnapshotIdentifier": name}
    else:
        made = rds.create_db_snapshot(DBSnapshotIdentifier=name, DBInstanceIdentifier=source)
        uid, type_ = made["DBSnapshot"]["DBSnapshotArn"], "rds.db_snapshot"
        share = rds.modify_db_snapshot_attribute
        share_options = {"DBSnapshotIdentifier": name}
    values = [*restore, *(["all"] if public else [])]
    if values:
        share(AttributeName="restore", ValuesToAdd=values, **share_options)
    truth.resource(prod, uid, type_, key_owner_of(prod, key))
    truth.expect(prod, "rds.snapshot_encrypted", uid, PASS if key else FAIL)
    truth.expect(prod, "rds.snapshot_not_public", uid, FAIL if public else PASS)
    if key:
        truth.uses(prod, uid, key)  # a snapshot keeps its source's key


def build_databases(estate, keys):
    """prod, us-east-1: PostgreSQL (TLS forced / default group), Oracle (TLS not judged), an Aurora MySQL cluster with
    a TLS-only cluster parameter group, an unencrypted Aurora PostgreSQL cluster, and manual snapshots."""
    prod, truth = estate.prod, estate.truth
    rds = estate.client(prod, "rds")
    rds.create_db_parameter_group(
        DBParameterGroupName="prod-postgres-tls",
        DBParameterGroupFamily="postgres15",
        Description="PostgreSQL, TLS only",
    )
    rds.modify_db_parameter_group(
        DBParameterGroupName="prod-postgres-tls",
        Parameters=[{"ParameterName": "rds.force_ssl", "ParameterValue": "1", "ApplyMethod": "immediate"}],
    )
    rds.create_db_cluster_parameter_group(
        DBClusterParameterGroupName="ledger-tls",
        DBParameterGroupFamily="aurora-mysql8.0",
        Description="Aurora MySQL, TLS only; questions to dba@example.com",
    )
    rds.modify_db_cluster_parameter_group(
        DBClusterParameterGroupName="ledger-tls",
        Parameters=[{"ParameterName": "require_secure_transport", "ParameterValue": "ON", "ApplyMethod": "immediate"}],
    )
    db_instance(estate, "orders-db", key=keys["prod-data"], tls=PASS, DBParameterGroupName="prod-postgres-tls")
    # moto's default group for its PostgreSQL 9.3 sets nothing: rds.force_ssl keeps the engine default, off.
    db_instance(estate, "legacy-db", public=True, tls=FAIL)
    db_instance(estate, "erp-db", engine="oracle-ee", tls=NA, LicenseModel="bring-your-own-license")
    for name, engine, key, group in (
        ("ledger", "aurora-mysql", keys["keys-central"], "ledger-tls"),
        ("reports", "aurora-postgresql", None, None),
    ):
        options = encrypted_with({"DBClusterParameterGroupName": group} if group else {}, key, "StorageEncrypted")
        made = rds.create_db_cluster(
            DBClusterIdentifier=name, Engine=engine, MasterUsername="app", MasterUserPassword=PASSWORD, **options
        )["DBCluster"]
        uid = truth.resource(prod, made["DBClusterArn"], "rds.db_cluster", key_owner_of(prod, key))
        truth.expect(prod, "rds.cluster_storage_encrypted", uid, PASS if key else FAIL)
        if key:
            truth.uses(prod, uid, key)
    # A member of the Aurora cluster: storage and key from the cluster, TLS from the cluster's parameter group.
    db_instance(
        estate, "ledger-1", engine="aurora-mysql", key=keys["keys-central"], tls=PASS, DBClusterIdentifier="ledger"
    )
    rds_snapshot(estate, "orders-db-before-upgrade", "orders-db", key=keys["prod-data"], restore=[estate.keys])
    rds_snapshot(estate, "legacy-db-export", "legacy-db", public=True)
    rds_snapshot(estate, "ledger-before-migration", "ledger", cluster=True, key=keys["keys-central"])
    # Parameter groups are resources too (names and descriptions are judged by hygiene): the ones above and the
    # defaults moto made for the instances that named none.
    for group in rds.describe_db_parameter_groups()["DBParameterGroups"]:
        truth.resource(prod, group["DBParameterGroupArn"], "rds.db_parameter_group")
    for group in rds.describe_db_cluster_parameter_groups()["DBClusterParameterGroups"]:
        hygiene = FAIL if group["DBClusterParameterGroupName"] == "ledger-tls" else PASS
        truth.resource(prod, group["DBClusterParameterGroupArn"], "rds.db_cluster_parameter_group", hygiene=hygiene)


# ---- EBS snapshots ---------------------------------------------------------------------------------------------


def build_snapshots(estate, keys):
    """prod: a public, unencrypted snapshot of the eu-west-1 scratch volume, and encrypted copies of it in us-east-1
    (customer key, the AWS-managed aws/ebs key shared with the keys account, the trusted central key)."""
    prod, truth = estate.prod, estate.truth
    ec2_eu, ec2 = estate.client(prod, "ec2", EU), estate.client(prod, "ec2")
    _uid, scratch = estate.handles["plain_volume"]
    source = ec2_eu.create_snapshot(
        VolumeId=scratch,
        Description="Scratch disk export",
        TagSpecifications=[{"ResourceType": "snapshot", "Tags": [{"Key": "Name", "Value": "scratch-export"}]}],
    )["SnapshotId"]
    ec2_eu.modify_snapshot_attribute(
        SnapshotId=source, Attribute="createVolumePermission", OperationType="add", GroupNames=["all"]
    )
    uid = truth.resource(prod, f"arn:aws:ec2:{EU}:{prod}:snapshot/{source}", "ec2.snapshot", UNENCRYPTED)
    truth.expect(prod, "ebs.snapshot_encrypted", uid, FAIL)
    truth.expect(prod, "ebs.snapshot_not_public", uid, FAIL)
    # moto does not answer GetSnapshotBlockPublicAccessState, read because this snapshot is shared with all: the
    # snapshot is judged on its permission, and the region shows the gap as this check's ERROR.
    estate.gaps.setdefault(prod, []).append(("ec2:GetSnapshotBlockPublicAccessState", False, EU))
    truth.expect(prod, "ebs.snapshot_not_public", region_uid(prod, EU), ERROR)
    [default_volume] = ec2.describe_volumes(Filters=[{"Name": "tag:Name", "Values": ["data-default"]}])["Volumes"]
    aws_ebs = Key(prod, default_volume["KmsKeyId"], aws_managed=True)
    for key, shared_with, description, hygiene in (
        (keys["prod-data"], None, "Nightly copy", PASS),
        (aws_ebs, estate.keys, "Weekly copy for the keys account", PASS),
        (keys["keys-central"], None, f"Copy requested by account {MANAGEMENT}", FAIL),
    ):
        # moto records no key on a snapshot of an encrypted volume (AWS names the volume's key): copies carry theirs.
        copy = ec2.copy_snapshot(
            SourceSnapshotId=source, SourceRegion=EU, Encrypted=True, KmsKeyId=key.arn, Description=description
        )["SnapshotId"]
        if shared_with:
            ec2.modify_snapshot_attribute(
                SnapshotId=copy, Attribute="createVolumePermission", OperationType="add", UserIds=[shared_with]
            )
        uid = truth.resource(
            prod, f"arn:aws:ec2:{HOME}:{prod}:snapshot/{copy}", "ec2.snapshot", key_owner_of(prod, key), hygiene
        )
        truth.expect(prod, "ebs.snapshot_encrypted", uid, PASS)
        truth.expect(prod, "ebs.snapshot_not_public", uid, PASS)
        truth.uses(prod, uid, key)


# ---- Redshift ------------------------------------------------------------------------------------------------------


def redshift_requires_ssl(account, region):
    """moto holds one parameter list for every cluster parameter group (require_ssl false) and cannot modify it:
    the builder sets moto's own list in-process for one account and region, as AWS reports a group with
    require_ssl=true."""
    from moto.redshift.models import redshift_backends

    redshift_backends[account][region].default_params["require_ssl"] = "true"


def warehouse(estate, name, region, *, key=None, encrypted=True, public=False, group=None, require_ssl):
    prod, truth = estate.prod, estate.truth
    options = {"Encrypted": encrypted, "PubliclyAccessible": public}
    if key:
        options["KmsKeyId"] = key.arn
    if group:
        options["ClusterParameterGroupName"] = group
    estate.client(prod, "redshift", region).create_cluster(
        ClusterIdentifier=name,
        NodeType="ra3.xlplus",
        ClusterType="single-node",
        MasterUsername="admin",
        MasterUserPassword=PASSWORD,
        **options,
    )
    # Redshift's own default key (no key chosen) is AWS-owned.
    owner = key_owner_of(prod, key) if key or not encrypted else AWS_OWNED
    uid = truth.resource(prod, f"arn:aws:redshift:{region}:{prod}:cluster:{name}", "redshift.cluster", owner)
    truth.expect(prod, "redshift.cluster_encrypted", uid, PASS if encrypted else FAIL)
    truth.expect(prod, "redshift.cluster_not_publicly_accessible", uid, FAIL if public else PASS)
    truth.expect(prod, "redshift.cluster_require_ssl", uid, PASS if require_ssl else FAIL)
    if key:
        truth.uses(prod, uid, key)


def build_warehouses(estate, keys):
    """prod: an unencrypted, public warehouse on the default group in us-east-1; in eu-west-1, where every group
    requires SSL, one cluster on a customer key and its own group, one on Redshift's AWS-owned default key."""
    prod, truth = estate.prod, estate.truth
    estate.client(prod, "redshift", EU).create_cluster_parameter_group(
        ParameterGroupName="analytics-tls", ParameterGroupFamily="redshift-1.0", Description="Analytics, TLS only"
    )
    redshift_requires_ssl(prod, EU)
    warehouse(estate, "warehouse-legacy", HOME, encrypted=False, public=True, require_ssl=False)
    warehouse(estate, "analytics", EU, key=keys["prod-eu"], group="analytics-tls", require_ssl=True)
    warehouse(estate, "events", EU, require_ssl=True)
    for region, names in ((HOME, ("default.redshift-1.0",)), (EU, ("default.redshift-1.0", "analytics-tls"))):
        for name in names:
            truth.resource(prod, f"arn:aws:redshift:{region}:{prod}:parametergroup:{name}", "redshift.parameter_group")


# ---- SQS, SNS, Secrets Manager ---------------------------------------------------------------------------------


def resource_policy(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def anyone_may(actions, sid="Anyone", condition=None):
    """An Allow for every principal; public unless `condition` narrows it."""
    statement = {"Sid": sid, "Effect": "Allow", "Principal": "*", "Action": actions, "Resource": "*"}
    return {**statement, "Condition": condition} if condition else statement


def build_messaging(estate, keys):
    prod, truth = estate.prod, estate.truth
    topic = f"arn:aws:sns:{HOME}:{prod}:alerts"
    # Open to every principal but narrowed to the alerts topic (SNS's documented queue policy): not public.
    from_alerts = resource_policy(anyone_may("sqs:SendMessage", "FromAlerts", {"ArnEquals": {"aws:SourceArn": topic}}))
    sqs = estate.client(prod, "sqs")
    queues = (
        ("jobs", {}, None, AWS_OWNED, PASS, PASS),  # SSE-SQS is the default for new queues
        ("jobs-plain", {"SqsManagedSseEnabled": "false"}, None, UNENCRYPTED, FAIL, PASS),
        ("jobs-cmk", {"Policy": from_alerts}, keys["prod-data"], CUSTOMER, PASS, PASS),
        ("jobs-aws-key", {}, keys["aws/sqs"], AWS_MANAGED, PASS, PASS),
        ("jobs-retired-key", {}, keys["prod-retired"], CUSTOMER, PASS, PASS),
        (
            "jobs-public",
            {"Policy": resource_policy(anyone_may(["sqs:SendMessage", "sqs:ReceiveMessage"]))},
            None,
            AWS_OWNED,
            PASS,
            FAIL,
        ),
    )
    for name, attributes, key, owner, status, policy_status in queues:
        if key:
            attributes = {**attributes, "KmsMasterKeyId": key.arn}
        url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        uid = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        truth.resource(prod, uid, "sqs.queue", owner)
        truth.expect(prod, "sqs.queue_encrypted", uid, status)
        truth.expect(prod, "sqs.queue_policy_not_public", uid, policy_status)
        if key:
            truth.uses(prod, uid, key)
    sns = estate.client(prod, "sns")
    topics = (
        ("alerts", None),
        ("alerts-cmk", keys["prod-data"]),
        ("alerts-doomed-key", keys["prod-doomed"]),
        ("alerts-public", None),
    )
    for name, key in topics:
        arn = sns.create_topic(Name=name, Attributes={"KmsMasterKeyId": key.arn} if key else {})["TopicArn"]
        # SNS gives every topic a policy open to {"AWS": "*"} narrowed by AWS:SourceOwner: not public.
        public = name == "alerts-public"
        if public:
            policy = resource_policy(anyone_may(["sns:Publish", "sns:Subscribe"]))
            sns.set_topic_attributes(TopicArn=arn, AttributeName="Policy", AttributeValue=policy)
        truth.resource(prod, arn, "sns.topic", CUSTOMER if key else UNENCRYPTED)
        truth.expect(prod, "sns.topic_encrypted", arn, PASS if key else FAIL)
        truth.expect(prod, "sns.topic_policy_not_public", arn, FAIL if public else PASS)
        if key:
            truth.uses(prod, arn, key)
    # (protocol, endpoint, hygiene.no_credentials_in_urls, sns.subscription_https); None: no finding.
    endpoints = (
        ("https", "https://hooks.example.com/posture", PASS, PASS),
        ("https", "https://deploy:s3cret@hooks.example.com/legacy", FAIL, PASS),
        ("http", "http://status.example.com/sns", PASS, FAIL),
        ("email", "oncall@example.com", None, None),  # e-mail endpoints hold no URL (and are not kept)
        ("sqs", f"arn:aws:sqs:{HOME}:{prod}:jobs-cmk", None, None),
    )
    for protocol, endpoint, _credentials, _https in endpoints:
        sns.subscribe(TopicArn=topic, Protocol=protocol, Endpoint=endpoint)
    for subscription in sns.list_subscriptions()["Subscriptions"]:
        [(credentials, https)] = [(c, h) for _p, e, c, h in endpoints if e == subscription["Endpoint"]]
        arn = truth.resource(prod, subscription["SubscriptionArn"], "sns.subscription")
        if credentials:
            truth.expect(prod, "hygiene.no_credentials_in_urls", arn, credentials)
        if https:
            truth.expect(prod, "sns.subscription_https", arn, https)
    secrets = estate.client(prod, "secretsmanager")
    organization_reads = anyone_may(
        "secretsmanager:GetSecretValue", "OrganizationReads", {"StringEquals": {"aws:PrincipalOrgID": "o-exampleorg"}}
    )
    for name, key, options, hygiene, policy in (
        ("db-password", keys["prod-data"], {}, PASS, None),
        (
            "api-token",
            keys["aws/secretsmanager"],
            {"Description": "Rotated by ops@example.com"},
            FAIL,
            organization_reads,
        ),
        ("partner-feed", keys["prod-data"], {}, PASS, anyone_may("secretsmanager:GetSecretValue")),
    ):
        if not key.aws_managed:
            options = {**options, "KmsKeyId": key.arn}
        arn = secrets.create_secret(Name=name, SecretString="not-a-real-secret", **options)["ARN"]
        if policy:
            secrets.put_resource_policy(SecretId=arn, ResourcePolicy=resource_policy(policy))
        truth.resource(prod, arn, "secretsmanager.secret", key.owner, hygiene)
        truth.expect(prod, "secretsmanager.secret_customer_managed_key", arn, PASS if key.owner == CUSTOMER else FAIL)
        public = policy is not None and "Condition" not in policy
        truth.expect(prod, "secretsmanager.secret_policy_not_public", arn, FAIL if public else PASS)
        truth.uses(prod, arn, key)


# ---- ElastiCache, OpenSearch, Kinesis, Firehose, MSK ----------------------------------------------------------------


def build_data_services(estate, keys):
    replication_groups(estate, keys)
    search_domains(estate, keys)
    streams(estate, keys)
    delivery_streams(estate, keys)
    kafka_clusters(estate, keys)


def replication_groups(estate, keys):
    prod, truth = estate.prod, estate.truth
    elasticache = estate.client(prod, "elasticache")
    groups = (
        # name, at-rest key ("default": ElastiCache's own), transit mode (False: off), description, hygiene
        ("sessions-plain", None, False, "Sessions; page oncall@example.com", FAIL),
        ("sessions-default", "default", "preferred", "Carts", PASS),  # preferred still accepts plain text
        ("sessions-cmk", keys["prod-data"], "required", "Checkout", PASS),
        ("sessions-central", keys["keys-central"], None, "Quotes", PASS),  # TLS on, no mode reported
    )
    for name, key, mode, description, hygiene in groups:
        options = {"AtRestEncryptionEnabled": bool(key), "TransitEncryptionEnabled": mode is not False}
        if key and key != "default":
            options["KmsKeyId"] = key.arn
        if mode:
            options["TransitEncryptionMode"] = mode
        arn = elasticache.create_replication_group(
            ReplicationGroupId=name, ReplicationGroupDescription=description, **options
        )["ReplicationGroup"]["ARN"]
        owner = UNENCRYPTED if not key else AWS_OWNED if key == "default" else key_owner_of(prod, key)
        truth.resource(prod, arn, "elasticache.replication_group", owner, hygiene)
        truth.expect(prod, "elasticache.replication_group_at_rest_encrypted", arn, PASS if key else FAIL)
        in_transit = PASS if mode in (None, "required") else FAIL
        truth.expect(prod, "elasticache.replication_group_in_transit_encrypted", arn, in_transit)
        if key and key != "default":
            truth.uses(prod, arn, key)


def domain_policy(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def search_domains(estate, keys):
    prod, truth = estate.prod, estate.truth
    opensearch = estate.client(prod, "opensearch")
    anyone = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "es:*", "Resource": "*"}
    office = {**anyone, "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}
    reader = {**anyone, "Principal": {"AWS": f"arn:aws:iam::{prod}:role/search-reader"}}
    domains = (
        # name, key, TLS policy (None: HTTPS not enforced), node-to-node, in a VPC, access policy, public verdict
        ("search-legacy", None, None, False, False, anyone, FAIL),
        ("search-tls10", keys["aws/es"], "Policy-Min-TLS-1-0-2019-07", True, False, office, PASS),
        ("search-private", keys["prod-data"], "Policy-Min-TLS-1-2-PFS-2023-10", True, True, anyone, PASS),
        ("search-central", keys["keys-central"], "Policy-Min-TLS-1-2-2019-07", True, False, reader, PASS),
    )
    for name, key, tls, node_to_node, vpc, statement, public in domains:
        options = {
            "EncryptionAtRestOptions": {"Enabled": bool(key)},
            "NodeToNodeEncryptionOptions": {"Enabled": node_to_node},
            "DomainEndpointOptions": {
                "EnforceHTTPS": bool(tls),
                "TLSSecurityPolicy": tls or "Policy-Min-TLS-1-0-2019-07",
            },
            "AccessPolicies": domain_policy(statement),
        }
        if key and not key.aws_managed:
            options["EncryptionAtRestOptions"]["KmsKeyId"] = key.arn
        if vpc:
            options["VPCOptions"] = {"SubnetIds": ["subnet-0a1b2c3d4e5f60001"], "SecurityGroupIds": ["sg-0a1b2c3d"]}
        arn = opensearch.create_domain(DomainName=name, **options)["DomainStatus"]["ARN"]
        truth.resource(prod, arn, "opensearch.domain", key_owner_of(prod, key) if key else UNENCRYPTED)
        truth.expect(prod, "opensearch.domain_at_rest_encrypted", arn, PASS if key else FAIL)
        tls12 = PASS if tls and not tls.startswith("Policy-Min-TLS-1-0") else FAIL
        truth.expect(prod, "opensearch.domain_https_tls12", arn, tls12)
        truth.expect(prod, "opensearch.domain_node_to_node_encrypted", arn, PASS if node_to_node else FAIL)
        truth.expect(prod, "opensearch.domain_not_public", arn, public)
        if key:
            truth.uses(prod, arn, key)


def streams(estate, keys):
    prod, truth = estate.prod, estate.truth
    for name, key, region in (
        ("clicks-plain", None, HOME),
        ("clicks-aws-key", keys["aws/kinesis"], HOME),
        ("clicks-eu", keys["prod-eu"], EU),
        ("clicks-central", keys["keys-central"], HOME),
    ):
        kinesis = estate.client(prod, "kinesis", region)
        kinesis.create_stream(StreamName=name, ShardCount=1)
        if key:
            kinesis.start_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId=key.arn)
        arn = f"arn:aws:kinesis:{region}:{prod}:stream/{name}"
        truth.resource(prod, arn, "kinesis.stream", key_owner_of(prod, key) if key else UNENCRYPTED)
        truth.expect(prod, "kinesis.stream_encrypted", arn, PASS if key else FAIL)
        if key:
            truth.uses(prod, arn, key)


def delivery_streams(estate, keys):
    prod, truth = estate.prod, estate.truth
    firehose = estate.client(prod, "firehose")
    destination = {"RoleARN": f"arn:aws:iam::{prod}:role/firehose", "BucketARN": "arn:aws:s3:::prod-access-logs"}
    for name, key in (("to-lake-plain", None), ("to-lake-owned", "aws-owned"), ("to-lake-cmk", keys["prod-data"])):
        firehose.create_delivery_stream(DeliveryStreamName=name, ExtendedS3DestinationConfiguration=destination)
        if key:
            # moto keeps an encryption configuration given at creation without a Status; Start… sets ENABLED.
            encryption = (
                {"KeyType": "AWS_OWNED_CMK"}
                if key == "aws-owned"
                else {
                    "KeyType": "CUSTOMER_MANAGED_CMK",
                    "KeyARN": key.arn,
                }
            )
            firehose.start_delivery_stream_encryption(
                DeliveryStreamName=name, DeliveryStreamEncryptionConfigurationInput=encryption
            )
        arn = f"arn:aws:firehose:{HOME}:{prod}:deliverystream/{name}"
        owner = UNENCRYPTED if not key else AWS_OWNED if key == "aws-owned" else key.owner
        truth.resource(prod, arn, "firehose.delivery_stream", owner)
        truth.expect(prod, "firehose.delivery_stream_encrypted", arn, PASS if key else FAIL)
        if key and key != "aws-owned":
            truth.uses(prod, arn, key)
    # Reads from a Kinesis stream: the records rest there, so Firehose's own encryption does not apply.
    source = {
        "KinesisStreamARN": f"arn:aws:kinesis:{HOME}:{prod}:stream/clicks-plain",
        "RoleARN": destination["RoleARN"],
    }
    firehose.create_delivery_stream(
        DeliveryStreamName="from-clicks",
        DeliveryStreamType="KinesisStreamAsSource",
        KinesisStreamSourceConfiguration=source,
        ExtendedS3DestinationConfiguration=destination,
    )
    arn = truth.resource(prod, f"arn:aws:firehose:{HOME}:{prod}:deliverystream/from-clicks", "firehose.delivery_stream")
    truth.expect(prod, "firehose.delivery_stream_encrypted", arn, NA)


def kafka_clusters(estate, keys):
    prod, truth = estate.prod, estate.truth
    kafka = estate.client(prod, "kafka")
    brokers = {
        "InstanceType": "kafka.m5.large",
        "ClientSubnets": ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"],
    }
    clusters = (
        # name, key (None: MSK's aws/kafka default), client-broker, in-cluster
        ("events-cmk", keys["prod-data"], "TLS", True),
        ("events-default", None, "TLS_PLAINTEXT", True),
        ("events-central", keys["keys-central"], "TLS", False),
        ("events-lost-key", keys["prod-deleted"], "TLS", True),
    )
    for name, key, client_broker, in_cluster in clusters:
        encryption = {"EncryptionInTransit": {"ClientBroker": client_broker, "InCluster": in_cluster}}
        if key:
            encryption["EncryptionAtRest"] = {"DataVolumeKMSKeyId": key.arn}
        arn = kafka.create_cluster(
            ClusterName=name,
            KafkaVersion="3.6.0",
            NumberOfBrokerNodes=2,
            BrokerNodeGroupInfo=brokers,
            EncryptionInfo=encryption,
        )["ClusterArn"]
        key = key or keys["aws/kafka"]
        owner = key_owner_of(prod, key)
        truth.resource(prod, arn, "kafka.cluster", owner)
        # Another account's key counts; aws/kafka fails; a key that no longer exists has no known owner: ERROR.
        customer = PASS if owner in (CUSTOMER, EXTERNAL) else ERROR if owner == UNKNOWN else FAIL
        truth.expect(prod, "kafka.cluster_customer_managed_key", arn, customer)
        tls_only = client_broker == "TLS" and in_cluster
        truth.expect(prod, "kafka.cluster_in_transit_tls", arn, PASS if tls_only else FAIL)
        truth.uses(prod, arn, key)
    serverless = {"VpcConfigs": [{"SubnetIds": ["subnet-0a1b2c3d4e5f60001"]}]}
    arn = kafka.create_cluster_v2(ClusterName="events-burst", Serverless=serverless)["ClusterArn"]
    truth.resource(prod, arn, "kafka.cluster", AWS_OWNED)  # MSK Serverless: a key the service owns
    truth.expect(prod, "kafka.cluster_customer_managed_key", arn, FAIL)
    truth.expect(prod, "kafka.cluster_in_transit_tls", arn, PASS)


# ---- CloudWatch Logs, Config --------------------------------------------------------------------------------------


def log_group(estate, account, name, *, key=None, retention=None, region=HOME):
    logs = estate.client(account, "logs", region)
    logs.create_log_group(logGroupName=name, **({"kmsKeyId": key.arn} if key else {}))
    if retention:
        logs.put_retention_policy(logGroupName=name, retentionInDays=retention)
    uid = f"arn:aws:logs:{region}:{account}:log-group:{name}"
    truth = estate.truth
    truth.resource(account, uid, "logs.log_group", key.owner if key else AWS_OWNED)
    truth.expect(account, "logs.log_group_kms_encrypted", uid, PASS if key else FAIL)
    truth.expect(
        account, "logs.log_group_retention_adequate", uid, PASS if retention is None or retention >= 365 else FAIL
    )
    if key:
        truth.uses(account, uid, key)
    return uid


def build_logging(estate, keys):
    prod = estate.prod
    log_group(estate, prod, "/app/orders", key=keys["prod-logs"], retention=400)
    log_group(estate, prod, "/app/debug", retention=30)
    log_group(estate, prod, "/app/audit")  # never expires
    log_group(estate, prod, "/vpc/flow-logs", retention=365)
    estate.handles["report_log_group"] = log_group(
        estate, prod, "/app/reports", key=keys["prod-reports"], retention=731
    )
    for region, recording in ((HOME, True), (EU, False)):
        config = estate.client(prod, "config", region)
        config.put_configuration_recorder(
            ConfigurationRecorder={
                "name": "default",
                "roleARN": f"arn:aws:iam::{prod}:role/aws-config",
                "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": region == HOME},
            }
        )
        if recording:
            config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": "prod-access-logs"})
            config.start_configuration_recorder(ConfigurationRecorderName="default")
    for account in estate.accounts:
        for region in REGIONS:
            status = PASS if (account, region) == (prod, HOME) else FAIL
            estate.truth.expect(account, "config.recorder_enabled", region_uid(account, region), status)


# ---- VPC, ELBv2, CloudFront -------------------------------------------------------------------------------------


def default_vpcs(estate, account):
    """Every region has a default VPC (moto makes it when EC2 is first used there): no flow logs."""
    for region in REGIONS:
        ec2 = estate.client(account, "ec2", region)
        for vpc in ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]:
            uid = estate.truth.resource(account, f"arn:aws:ec2:{region}:{account}:vpc/{vpc['VpcId']}", "ec2.vpc")
            estate.truth.expect(account, "vpc.flow_logs_enabled", uid, FAIL)


def build_network(estate):
    prod, truth = estate.prod, estate.truth
    ec2 = estate.client(prod, "ec2")
    vpc = ec2.create_vpc(
        CidrBlock="10.20.0.0/16",
        TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": "prod-vpc"}]}],
    )["Vpc"]["VpcId"]
    ec2.create_flow_logs(
        ResourceIds=[vpc],
        ResourceType="VPC",
        TrafficType="ALL",
        LogGroupName="/vpc/flow-logs",
        DeliverLogsPermissionArn=f"arn:aws:iam::{prod}:role/flow-logs",
    )
    uid = truth.resource(prod, f"arn:aws:ec2:{HOME}:{prod}:vpc/{vpc}", "ec2.vpc")
    truth.expect(prod, "vpc.flow_logs_enabled", uid, PASS)
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.20.{n}.0/24", AvailabilityZone=f"{HOME}{zone}")["Subnet"][
            "SubnetId"
        ]
        for n, zone in ((1, "a"), (2, "b"))
    ]
    load_balancers(estate, vpc, subnets)
    distributions(estate)


def load_balancers(estate, vpc, subnets):
    prod, truth = estate.prod, estate.truth
    elbv2 = estate.client(prod, "elbv2")
    certificate = estate.client(prod, "acm").request_certificate(DomainName=CERTIFICATE_DOMAIN)["CertificateArn"]

    def listener(lb, protocol, port, actions, policy=None):
        options = {"SslPolicy": policy, "Certificates": [{"CertificateArn": certificate}]} if policy else {}
        made = elbv2.create_listener(
            LoadBalancerArn=lb, Protocol=protocol, Port=port, DefaultActions=actions, **options
        )["Listeners"][0]
        # Listener names are derived ("web:443") and they carry no tags: no hygiene finding.
        return truth.resource(prod, made["ListenerArn"], "elbv2.listener", hygiene=None)

    def load_balancer(name, kind="application", logs=False):
        lb = elbv2.create_load_balancer(Name=name, Subnets=subnets, Type=kind)["LoadBalancers"][0]["LoadBalancerArn"]
        if logs:
            elbv2.modify_load_balancer_attributes(
                LoadBalancerArn=lb,
                Attributes=[
                    {"Key": "access_logs.s3.enabled", "Value": "true"},
                    {"Key": "access_logs.s3.bucket", "Value": "prod-access-logs"},
                ],
            )
        truth.resource(prod, lb, "elbv2.load_balancer")
        return lb

    group = elbv2.create_target_group(Name="app", Protocol="HTTP", Port=80, VpcId=vpc)["TargetGroups"][0]
    forward = [{"Type": "forward", "TargetGroupArn": group["TargetGroupArn"]}]
    web = load_balancer("web", logs=True)
    truth.expect(prod, "elbv2.access_logs_enabled", web, PASS)
    truth.expect(prod, "elbv2.listener_https_only", listener(web, "HTTP", 80, [REDIRECT]), PASS)
    truth.expect(
        prod, "elbv2.listener_tls12", listener(web, "HTTPS", 443, forward, "ELBSecurityPolicy-TLS13-1-2-2021-06"), PASS
    )
    legacy = load_balancer("legacy")
    truth.expect(prod, "elbv2.access_logs_enabled", legacy, FAIL)
    truth.expect(prod, "elbv2.listener_https_only", listener(legacy, "HTTP", 80, forward), FAIL)
    truth.expect(
        prod, "elbv2.listener_tls12", listener(legacy, "HTTPS", 443, forward, "ELBSecurityPolicy-2016-08"), FAIL
    )
    group_tcp = elbv2.create_target_group(Name="tcp", Protocol="TCP", Port=5432, VpcId=vpc)["TargetGroups"][0]
    edge = load_balancer("edge", kind="network")
    listener(edge, "TCP", 5432, [{"Type": "forward", "TargetGroupArn": group_tcp["TargetGroupArn"]}])
    truth.expect(prod, "elbv2.access_logs_enabled", edge, NA)  # NLBs log only TLS connections


def distribution_config(reference, comment, policy, certificate=None):
    behavior = {
        "TargetOriginId": "site",
        "ViewerProtocolPolicy": policy,
        "MinTTL": 0,
        "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
        "TrustedSigners": {"Enabled": False, "Quantity": 0},
    }
    config = {
        "CallerReference": reference,
        "Comment": comment,
        "Enabled": True,
        "DefaultCacheBehavior": behavior,
        "Origins": {
            "Quantity": 1,
            "Items": [
                {
                    "Id": "site",
                    "DomainName": "origin.example.com",
                    "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only"},
                }
            ],
        },
    }
    if certificate:
        config["ViewerCertificate"] = certificate
    return config


def distributions(estate):
    prod, truth = estate.prod, estate.truth
    cloudfront = estate.client(prod, "cloudfront")
    certificate_arn = f"arn:aws:acm:us-east-1:{prod}:certificate/0b9c7e3a-0000-4000-8000-000000000001"
    certificate = {
        "ACMCertificateArn": certificate_arn,
        "SSLSupportMethod": "sni-only",
        "MinimumProtocolVersion": "TLSv1.2_2021",
    }
    for reference, comment, policy, cert, status, hygiene in (
        ("site", "Marketing site", "redirect-to-https", certificate, PASS, PASS),
        ("legacy", "Old shop; test card 4111 1111 1111 1111", "allow-all", None, FAIL, FAIL),
    ):
        made = cloudfront.create_distribution(DistributionConfig=distribution_config(reference, comment, policy, cert))
        arn = made["Distribution"]["ARN"]
        truth.resource(prod, arn, "cloudfront.distribution", hygiene=hygiene)
        truth.expect(prod, "cloudfront.distribution_tls12", arn, status)


# ---- IAM -----------------------------------------------------------------------------------------------------------


@contextmanager
def moto_clock_back(days):
    """moto stamps new IAM access keys with its clock: set it back to create a key that is `days` old."""
    import moto.iam.models

    then = moto.iam.models.utcnow() - timedelta(days=days)
    with mock.patch.object(moto.iam.models, "utcnow", return_value=then):
        yield


def root_flags(account, mfa, access_keys):
    """GetAccountSummary's root flags, which no API sets (moto keeps them on its in-process backend)."""
    from moto.iam.models import iam_backends

    summary = iam_backends[account]["aws"].account_summary
    summary._account_mfa_enabled = int(mfa)
    summary._account_access_keys_present = int(access_keys)


def user(estate, account, name, *, console=False, mfa=False, key_age_days=None, hygiene=PASS):
    iam = estate.client(account, "iam")
    arn = iam.create_user(UserName=name)["User"]["Arn"]
    if console:
        iam.create_login_profile(UserName=name, Password=PASSWORD)
    if mfa:
        device = iam.create_virtual_mfa_device(VirtualMFADeviceName=name.replace("@", "-"))["VirtualMFADevice"]
        iam.enable_mfa_device(
            UserName=name,
            SerialNumber=device["SerialNumber"],
            AuthenticationCode1="123456",
            AuthenticationCode2="654321",
        )
    if key_age_days is not None:
        with moto_clock_back(key_age_days):
            iam.create_access_key(UserName=name)
    truth = estate.truth
    truth.resource(account, arn, "iam.user", hygiene=hygiene)
    truth.expect(account, "iam.user_console_mfa", arn, NA if not console else PASS if mfa else FAIL)
    truth.expect(
        account, "iam.access_keys_rotated_90d", arn, NA if key_age_days is None else PASS if key_age_days < 90 else FAIL
    )
    return arn


def build_identity(estate):
    prod, central, management, truth = estate.prod, estate.keys, estate.management, estate.truth
    user(estate, prod, "alice", console=True, mfa=True)
    user(estate, prod, "bob", console=True, key_age_days=10)
    user(estate, prod, "ci-bot", key_age_days=120)
    user(estate, prod, "dev@example.com", hygiene=FAIL)  # an e-mail address as a user name
    iam = estate.client(prod, "iam")
    for name, action, resource, status in (("ReadOnlyOps", "s3:Get*", "*", PASS), ("BreakGlass", "*", "*", FAIL)):
        document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]}
        arn = iam.create_policy(PolicyName=name, PolicyDocument=json.dumps(document))["Policy"]["Arn"]
        truth.resource(prod, arn, "iam.policy")
        truth.expect(prod, "iam.no_full_admin_custom_policies", arn, status)
    iam.update_account_password_policy(
        MinimumPasswordLength=16,
        RequireSymbols=True,
        RequireNumbers=True,
        RequireUppercaseCharacters=True,
        RequireLowercaseCharacters=True,
        PasswordReusePrevention=24,
    )
    estate.client(central, "iam").update_account_password_policy(MinimumPasswordLength=8)
    root_flags(management, mfa=True, access_keys=False)
    root_flags(central, mfa=False, access_keys=True)
    for account, mfa, keys, password in (
        (management, PASS, PASS, FAIL),
        (prod, FAIL, PASS, PASS),
        (central, FAIL, FAIL, FAIL),
    ):
        uid = account_uid(account)
        truth.expect(account, "iam.root_mfa_enabled", uid, mfa)
        truth.expect(account, "iam.root_access_keys_absent", uid, keys)
        truth.expect(account, "iam.password_policy_strong", uid, password)


def account_roles(estate, account):
    """Every role the account holds (the organization's access role included): hygiene judges each one."""
    iam = estate.client(account, "iam")
    for role in iam.get_paginator("list_roles").paginate().build_full_result()["Roles"]:
        if (account, role["Arn"]) not in estate.truth.resources:
            estate.truth.resource(account, role["Arn"], "iam.role")


# ---- tags that hold sensitive identifiers, on many kinds of resource --------------------------------------------


def build_sensitive_tags(estate):
    """Tags read through the tagging API (queue, table, topic, log group) or IAM (user, role, policy) fail hygiene
    when they hold an account number, an e-mail address or an access key id; so does such a role description."""
    prod, truth = estate.prod, estate.truth
    sqs = estate.client(prod, "sqs")
    queue = f"arn:aws:sqs:{HOME}:{prod}:jobs-plain"
    sqs.tag_queue(QueueUrl=sqs.get_queue_url(QueueName="jobs-plain")["QueueUrl"], Tags={"owner": "jobs@example.com"})
    [table] = [uid for uid in truth.uids(prod, "dynamodb.table") if uid.endswith("/orders")]
    estate.client(prod, "dynamodb").tag_resource(
        ResourceArn=table, Tags=[{"Key": "billing", "Value": f"{estate.keys}"}]
    )
    topic = f"arn:aws:sns:{HOME}:{prod}:alerts-cmk"
    estate.client(prod, "sns").tag_resource(
        ResourceArn=topic, Tags=[{"Key": "pager-key", "Value": "AKIAIOSFODNN7EXAMPLE"}]
    )
    group = f"arn:aws:logs:{HOME}:{prod}:log-group:/app/audit"
    estate.client(prod, "logs").tag_resource(resourceArn=group, tags={"retained-for": "auditor@example.com"})
    iam = estate.client(prod, "iam")
    iam.tag_user(UserName="bob", Tags=[{"Key": "manager", "Value": "carol@example.com"}])
    trust = json.dumps({"Version": "2012-10-17", "Statement": []})
    for name, options in (
        ("deployer", {"Tags": [{"Key": "deploys-to", "Value": f"prod_{prod}"}]}),
        ("reporting", {"Description": "Questions: data-team@example.com"}),
        ("reader", {"Description": "Reads reports", "Tags": [{"Key": "team", "Value": "data"}]}),
    ):
        arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust, **options)["Role"]["Arn"]
        truth.resource(prod, arn, "iam.role", hygiene=PASS if name == "reader" else FAIL)
    [read_only] = [uid for uid in truth.uids(prod, "iam.policy") if uid.endswith("/ReadOnlyOps")]
    iam.tag_policy(PolicyArn=read_only, Tags=[{"Key": "approved-by", "Value": "ciso@example.com"}])
    for uid in (queue, table, topic, group, f"arn:aws:iam::{prod}:user/bob", read_only):
        truth.override(prod, HYGIENE, uid, FAIL)


# ---- CloudTrail ------------------------------------------------------------------------------------------------------


def trail(
    estate,
    account,
    name,
    bucket_name,
    *,
    region=HOME,
    multi_region=False,
    logging=True,
    validation=False,
    key=None,
    bucket_verdict,
):
    cloudtrail = estate.client(account, "cloudtrail", region)
    options = {"IsMultiRegionTrail": multi_region, "EnableLogFileValidation": validation}
    if key:
        options["KmsKeyId"] = key.arn
    arn = cloudtrail.create_trail(Name=name, S3BucketName=bucket_name, **options)["TrailARN"]
    if logging:
        cloudtrail.start_logging(Name=arn)
    truth = estate.truth
    truth.resource(account, arn, "cloudtrail.trail", key.owner if key else AWS_OWNED)
    truth.expect(account, "cloudtrail.log_file_validation", arn, PASS if validation else FAIL)
    truth.expect(account, "cloudtrail.kms_encrypted", arn, PASS if key else FAIL)
    truth.expect(account, "cloudtrail.bucket_not_public", arn, bucket_verdict)
    if key:
        truth.uses(account, arn, key)
    return arn


def build_trails(estate, keys):
    prod, central, management, truth = estate.prod, estate.keys, estate.management, estate.truth
    trail(
        estate,
        prod,
        "org-audit",
        "prod-trail-logs",
        multi_region=True,
        validation=True,
        key=keys["prod-data"],
        bucket_verdict=PASS,
    )
    trail(estate, prod, "eu-local", "prod-eu-trail", region=EU, bucket_verdict=FAIL)
    # Multi-region but stopped; its bucket is protected by the account-level Block Public Access.
    trail(
        estate,
        central,
        "keys-trail",
        "keys-trail-logs",
        multi_region=True,
        logging=False,
        validation=True,
        bucket_verdict=PASS,
    )
    # Delivers to prod's bucket (a central log archive): not this account's bucket to judge.
    trail(estate, central, "keys-eu-feed", "prod-trail-logs", region=EU, bucket_verdict=NA)
    truth.expect(prod, "cloudtrail.multi_region_logging", account_uid(prod), PASS)
    truth.expect(central, "cloudtrail.multi_region_logging", account_uid(central), FAIL)  # not logging
    truth.expect(management, "cloudtrail.multi_region_logging", account_uid(management), FAIL)  # no trail at all


# ---- ECR, Lambda, EKS, Glue, Athena, SageMaker, Backup ----------------------------------------------------------


def open_policy(sid, action, condition=None):
    statement = {"Sid": sid, "Effect": "Allow", "Principal": "*", "Action": action}
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def owner_of(key, account):
    return EXTERNAL if key.account != account else key.owner


def build_analytics_and_compute(estate, keys):
    build_repositories(estate, keys)
    build_functions(estate, keys)
    build_clusters(estate, keys)
    build_catalogs(estate, keys)
    build_workgroups(estate, keys)
    build_notebooks(estate, keys)
    build_vaults(estate, keys)


def build_repositories(estate, keys):
    prod, truth = estate.prod, estate.truth
    ecr = estate.client(prod, "ecr")
    organization_only = {"StringEquals": {"aws:PrincipalOrgID": "o-exampleorg"}}
    repositories = (
        # name, key (None: the AES-256 default), repository policy, policy verdict
        ("web", None, open_policy("AnyonePulls", "ecr:BatchGetImage"), FAIL),
        ("payments/api", keys["prod-data"], None, PASS),
        ("shared/base", keys["keys-central"], open_policy("OrgPulls", "ecr:BatchGetImage", organization_only), PASS),
    )
    for name, key, policy, policy_status in repositories:
        options = {"encryptionConfiguration": {"encryptionType": "KMS", "kmsKey": key.arn}} if key else {}
        arn = ecr.create_repository(repositoryName=name, **options)["repository"]["repositoryArn"]
        if policy:
            ecr.set_repository_policy(repositoryName=name, policyText=policy)
        truth.resource(prod, arn, "ecr.repository", owner_of(key, prod) if key else AWS_OWNED)
        truth.expect(prod, "ecr.repository_kms_encrypted", arn, PASS if key else FAIL)
        truth.expect(prod, "ecr.repository_policy_not_public", arn, policy_status)
        if key:
            truth.uses(prod, arn, key)


def function_code():
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("index.py", "def handler(event, context):\n    return {}\n")
    return archive.getvalue()


def build_functions(estate, keys):
    prod, truth = estate.prod, estate.truth
    role = estate.client(prod, "iam").create_role(RoleName="lambda-exec", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    client = estate.client(prod, "lambda")
    code = function_code()
    variables = {"Variables": {"TABLE": "orders", "STAGE": "prod"}}
    functions = (
        # name, environment, key, description, grant, verdicts (environment, policy, hygiene)
        ("orders-api", variables, keys["prod-data"], "Orders API", None, (PASS, PASS, PASS)),
        (
            "thumbnailer",
            variables,
            keys["aws/lambda"],
            "Resizes uploads; pager ops-oncall@example.com",
            {"Principal": "*"},
            (FAIL, FAIL, FAIL),
        ),
        # Invoked by S3 for a bucket named by ARN only: any account owning a bucket of that name could invoke it.
        (
            "s3-indexer",
            variables,
            keys["keys-central"],
            "",
            {"Principal": "s3.amazonaws.com", "SourceArn": "arn:aws:s3:::prod-uploads"},
            (PASS, FAIL, PASS),
        ),
        (
            "healthcheck",
            None,
            None,
            "",
            {"Principal": "s3.amazonaws.com", "SourceArn": "arn:aws:s3:::prod-uploads", "SourceAccount": prod},
            (NA, PASS, PASS),
        ),
    )
    for name, environment, key, description, grant, (environment_status, policy_status, hygiene) in functions:
        options = {"Environment": environment} if environment else {}
        if key and not key.aws_managed:
            options["KMSKeyArn"] = key.arn
        arn = client.create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=role,
            Handler="index.handler",
            Code={"ZipFile": code},
            Description=description,
            **options,
        )["FunctionArn"]
        if grant:
            client.add_permission(FunctionName=name, StatementId="invoke", Action="lambda:InvokeFunction", **grant)
        truth.resource(prod, arn, "lambda.function", owner_of(key, prod) if key else "", hygiene)
        truth.expect(prod, "lambda.environment_customer_managed_key", arn, environment_status)
        truth.expect(prod, "lambda.function_policy_not_public", arn, policy_status)
        if key:
            truth.uses(prod, arn, key)


def build_clusters(estate, keys):
    prod, truth = estate.prod, estate.truth
    eks = estate.client(prod, "eks")
    network = {"subnetIds": ["subnet-0a1b2c3d", "subnet-4e5f6a7b"]}
    for name, key in (("apps", keys["prod-data"]), ("legacy", None)):
        options = {"encryptionConfig": [{"resources": ["secrets"], "provider": {"keyArn": key.arn}}]} if key else {}
        arn = eks.create_cluster(
            name=name, roleArn=f"arn:aws:iam::{prod}:role/eks-cluster", resourcesVpcConfig=network, **options
        )["cluster"]["arn"]
        # Without a key of yours, EKS's own (AWS-owned) envelope key or none at all: the check says which.
        truth.resource(prod, arn, "eks.cluster", key.owner if key else AWS_OWNED)
        truth.expect(prod, "eks.cluster_secrets_encrypted", arn, PASS if key else FAIL)
        if key:
            truth.uses(prod, arn, key)


def build_catalogs(estate, keys):
    """prod encrypts its catalogs: with its own key at home, with the AWS-managed aws/glue key in Europe."""
    prod, truth = estate.prod, estate.truth
    for region, key in ((HOME, keys["prod-data"]), (EU, keys["aws/glue"])):
        at_rest = {"CatalogEncryptionMode": "SSE-KMS"}
        if not key.aws_managed:
            at_rest["SseAwsKmsKeyId"] = key.arn
        estate.client(prod, "glue", region).put_data_catalog_encryption_settings(
            DataCatalogEncryptionSettings={"EncryptionAtRest": at_rest}
        )
        uid = glue_catalog_uid(prod, region)
        truth.change_owner(prod, uid, key.owner)
        truth.override(prod, "glue.data_catalog_encrypted", uid, PASS)
        truth.uses(prod, uid, key)


def build_workgroups(estate, keys):
    prod, truth = estate.prod, estate.truth
    athena = estate.client(prod, "athena")
    output = "s3://prod-access-logs/athena/"
    workgroups = (
        # name, encryption, enforced, verdict
        ("analysts", {"EncryptionOption": "SSE_KMS", "KmsKey": keys["prod-data"].arn}, True, PASS, CUSTOMER),
        ("adhoc", {"EncryptionOption": "SSE_S3"}, False, FAIL, AWS_OWNED),  # clients may override it
    )
    for name, encryption, enforced, status, owner in workgroups:
        athena.create_work_group(
            Name=name,
            Configuration={
                "ResultConfiguration": {"OutputLocation": output, "EncryptionConfiguration": encryption},
                "EnforceWorkGroupConfiguration": enforced,
            },
        )
        uid = truth.resource(prod, workgroup_uid(prod, HOME, name), "athena.workgroup", owner)
        truth.expect(prod, "athena.workgroup_results_encrypted", uid, status)
    truth.uses(prod, workgroup_uid(prod, HOME, "analysts"), keys["prod-data"])


def build_notebooks(estate, keys):
    prod, truth = estate.prod, estate.truth
    sagemaker = estate.client(prod, "sagemaker")
    for name, key in (("research", keys["prod-data"]), ("scratch", None)):
        arn = sagemaker.create_notebook_instance(
            NotebookInstanceName=name,
            InstanceType="ml.t3.medium",
            RoleArn=f"arn:aws:iam::{prod}:role/sagemaker",
            **({"KmsKeyId": key.arn} if key else {}),
        )["NotebookInstanceArn"]
        truth.resource(prod, arn, "sagemaker.notebook_instance", key.owner if key else AWS_OWNED)
        truth.expect(prod, "sagemaker.notebook_kms_encrypted", arn, PASS if key else FAIL)
        if key:
            truth.uses(prod, arn, key)


def build_vaults(estate, keys):
    prod, truth = estate.prod, estate.truth
    backup = estate.client(prod, "backup")
    vaults = (
        ("prod-backups", keys["prod-data"], PASS),
        ("Default", keys["aws/backup"], FAIL),  # AWS Backup's default: the AWS-managed aws/backup key
        ("dr-central", keys["keys-central"], PASS),
        ("legacy-vault", keys["prod-deleted"], ERROR),  # names a deleted key: whose it was, nobody can say
    )
    for name, key, status in vaults:
        options = {} if key.aws_managed else {"EncryptionKeyArn": key.arn}
        arn = backup.create_backup_vault(BackupVaultName=name, **options)["BackupVaultArn"]
        truth.resource(prod, arn, "backup.vault", owner_of(key, prod))
        truth.expect(prod, "backup.vault_customer_managed_key", arn, status)
        truth.uses(prod, arn, key)
