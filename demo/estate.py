"""The demo estate: an AWS Organization in a moto server with good and bad configuration.

Five accounts, one per profile: shared-security (the management account, good), payments-prod
(mostly good), analytics-prod (mixed, with a key pending deletion that is still in use),
platform-staging (weak) and sandbox-dev (bad), in us-east-1 and eu-west-1. Everything is made
through the AWS APIs (see resources.py), so the dashboard scans it as it would scan real accounts.

Account ids are the same on every run: the demo database outlives the in-memory moto server.
"""

import json
import time
import zlib
from dataclasses import dataclass, field

import boto3
import requests

from demo import resources as r
from demo.resources import AWS_MANAGED, AWS_OWNED, HOME, LEGACY_TLS, MODERN_TLS

REGIONS = ("us-east-1", "eu-west-1")
OTHER = "eu-west-1"
ROLE_NAME = "OrganizationAccountAccessRole"
MANAGEMENT_NAME = "shared-security"


@dataclass(eq=False)
class Account:
    """One account of the estate and the session that acts in it."""

    name: str
    account_id: str
    profile: str
    session: boto3.session.Session = field(repr=False)  # shared: its loader caches the service models
    endpoint_url: str = field(repr=False)
    credentials: dict = field(default_factory=dict, repr=False)  # empty: the session's own
    keys: dict = field(default_factory=dict, repr=False)  # (region, alias) -> key ARN
    _clients: dict = field(default_factory=dict, repr=False)

    def client(self, service, region=HOME):
        # Making a boto3 client costs milliseconds; the estate makes hundreds of calls.
        if (service, region) not in self._clients:
            self._clients[service, region] = self.session.client(
                service, region_name=region, endpoint_url=self.endpoint_url, **self.credentials
            )
        return self._clients[service, region]

    def key(self, alias, region=HOME):
        return self.keys[region, alias]


@dataclass(eq=False)
class Estate:
    endpoint_url: str
    organization_id: str
    management: Account
    members: list = field(default_factory=list)
    regions: tuple = REGIONS

    @property
    def management_account_id(self):
        return self.management.account_id

    @property
    def accounts(self):
        return [self.management, *self.members]

    def account(self, name):
        return next(account for account in self.accounts if account.name == name)


# --- the organization ---------------------------------------------------------------------------


def seed_ids(endpoint_url, text):
    """Make moto's next random ids depend only on `text`."""
    seed = zlib.crc32(text.encode())
    requests.post(f"{endpoint_url}/moto-api/seed", params={"a": seed}, timeout=10).raise_for_status()


def create_organization(endpoint_url, session):
    sts = session.client("sts", region_name=HOME, endpoint_url=endpoint_url)
    management = Account(MANAGEMENT_NAME, sts.get_caller_identity()["Account"], "good", session, endpoint_url)
    seed_ids(endpoint_url, "organization")
    organization = management.client("organizations").create_organization(FeatureSet="ALL")["Organization"]
    # Organizations gives members this role; in the management account an administrator creates
    # it, so the dashboard reaches every account the same way.
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{management.account_id}:root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    management.client("iam").create_role(RoleName=ROLE_NAME, AssumeRolePolicyDocument=json.dumps(trust))
    return Estate(endpoint_url, organization["Id"], management)


def join_account(estate, name, profile):
    """Create a member account (its id depends only on its name) and a session acting in it."""
    seed_ids(estate.endpoint_url, name)
    status = estate.management.client("organizations").create_account(
        AccountName=name, Email=f"aws+{name}@example.com"
    )["CreateAccountStatus"]
    credentials = estate.management.client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{status['AccountId']}:role/{ROLE_NAME}", RoleSessionName="demo-estate"
    )["Credentials"]
    account = Account(
        name,
        status["AccountId"],
        profile,
        estate.management.session,
        estate.endpoint_url,
        {
            "aws_access_key_id": credentials["AccessKeyId"],
            "aws_secret_access_key": credentials["SecretAccessKey"],
            "aws_session_token": credentials["SessionToken"],
        },
    )
    estate.members.append(account)
    return account


# --- profiles: what each account holds ----------------------------------------------------------


def baseline(account, region, *, config=True):
    """The landing-zone baseline of a well-run account in one region; returns its key and log bucket."""
    key = r.create_key(account, region, f"{account.name}-data")
    logs = r.log_bucket(account, region, key)
    r.set_ebs_encryption_by_default(account, region, True)
    r.enable_flow_logs(account, region, key)
    if config:
        r.enable_config(account, region, logs)
    return key, logs


def good(account, estate):
    """shared-security: the security team's own account; everything as the guidance asks."""
    for region in estate.regions:
        key, logs = baseline(account, region)
        r.secure_bucket(account, region, "evidence", key, logs)
        r.create_volume(account, region, "siem-data", key_arn=key)
        r.create_log_group(account, region, "/security/audit", key_arn=key, retention_days=400)
    key, logs = account.key(f"{account.name}-data"), f"{account.name}-logs-{HOME}"
    r.create_key(
        account,
        HOME,
        "organization-shared",
        policy=r.key_policy(account, r.organization_may_use(estate.organization_id)),
    )
    r.create_trail(account, "organization-trail", logs, key_arn=key)
    r.set_password_policy(account, r.STRONG_PASSWORD_POLICY)
    r.create_user(account, "security-lead", console=True, mfa=True)
    r.create_user(account, "evidence-exporter", access_keys=1)
    r.create_policy(
        account,
        "EvidenceReadOnly",
        ["s3:GetObject", "s3:ListBucket"],
        "arn:aws:s3:::*-evidence-*",
        attach_to="evidence-exporter",
    )
    r.create_table(account, HOME, "finding-archive", key)
    r.create_queue(account, HOME, "security-alerts", key)
    r.create_topic(account, HOME, "security-notifications", key, "https://hooks.example.com/services/security")
    r.create_secret(account, HOME, "siem/ingest-token", key)
    r.create_file_system(account, HOME, "forensics", encrypted=True, key_arn=key)
    r.create_tls_parameter_group(account, HOME, "postgres-tls-only")
    r.create_database(
        account, HOME, "security-metrics", encrypted=True, key_arn=key, parameter_group="postgres-tls-only"
    )
    r.create_load_balancer(account, HOME, "security-portal", tls_policy=MODERN_TLS, http="redirect", logs_bucket=logs)
    r.create_stream(account, HOME, "security-events", key)
    r.create_delivery_stream(account, HOME, "security-events-archive", logs, key)
    for region in estate.regions:
        r.encrypt_catalog(account, region, account.key(f"{account.name}-data", region))
    r.create_workgroup(account, HOME, "threat-hunting", logs, key_arn=key)
    r.create_vault(account, HOME, "security-backups", key)


def mostly_good(account, estate):
    """payments-prod: a careful team with a few lapses (legacy TLS, one user without MFA, no TLS version)."""
    key, logs = baseline(account, HOME)
    other_key, other_logs = baseline(account, OTHER, config=False)  # Config never enabled in eu-west-1
    r.secure_bucket(account, HOME, "ledger", key, logs)
    r.secure_bucket(account, OTHER, "ledger-replica", other_key, other_logs)
    # The archive is encrypted with the security team's shared key: another (trusted) account's key.
    r.secure_bucket(account, HOME, "archive", estate.management.key("organization-shared"), logs)
    exports = r.create_bucket(account, HOME, "exports")
    r.encrypt_bucket(account, exports)
    r.put_bucket_policy(account, exports, [r.deny_insecure_transport(exports, principal="*")])  # no TLS version
    r.block_public_access(account, exports)
    r.log_access(account, exports, logs)
    r.create_trail(account, "payments-trail", logs, key_arn=key)
    r.set_password_policy(account, r.STRONG_PASSWORD_POLICY)
    r.create_user(account, "payments-admin", console=True, mfa=True)
    r.create_user(account, "oncall-engineer", console=True)
    r.create_user(account, "settlement-batch", access_keys=1)
    r.create_volume(account, HOME, "ledger-db-data", key_arn=key)
    r.create_tls_parameter_group(account, HOME, "ledger-tls-only")
    r.create_database(account, HOME, "ledger", encrypted=True, key_arn=key, parameter_group="ledger-tls-only")
    # Encrypted with the team's key and private, but its parameter group still accepts plain connections.
    r.create_warehouse(account, HOME, "settlements-warehouse", encrypted=True, key_arn=key)
    r.create_table(account, HOME, "payment-intents", key)
    r.create_queue(account, HOME, "settlements", key)
    r.create_queue(account, OTHER, "settlements-eu", other_key)
    r.create_topic(account, HOME, "payment-events", key)
    r.create_log_group(account, HOME, "/payments/api", key_arn=key, retention_days=30)
    r.create_secret(account, HOME, "ledger/db-credentials", key)
    r.create_file_system(account, HOME, "statements", encrypted=True, key_arn=key)
    r.create_load_balancer(account, HOME, "payments-api", tls_policy=LEGACY_TLS, http="redirect", logs_bucket=logs)
    # Half-way through moving the checkout cache to TLS: "preferred" still accepts plain-text clients.
    r.create_cache(account, HOME, "checkout-sessions", key=key, transit="preferred", description="Checkout sessions")
    r.create_repository(account, HOME, "payments/api", key_arn=key)
    r.create_function(
        account, HOME, "settlement-worker", variables={"LEDGER_TABLE": "ledger", "STAGE": "prod"}, key_arn=key
    )
    r.encrypt_catalog(account, HOME, key)
    r.create_vault(account, HOME, "payments-backups", key)


def mixed(account, estate):
    """analytics-prod: good bones, loose habits, a key due for deletion that data still needs, an open warehouse; a
    once-public bucket that Block Public Access now keeps private."""
    key, logs = baseline(account, HOME)
    other_key = r.create_key(account, OTHER, "analytics-eu", rotation=False)
    r.set_ebs_encryption_by_default(account, OTHER, False)
    r.enable_config(account, OTHER, logs)
    warehouse = r.create_key(account, HOME, "analytics-warehouse", rotation=False)
    r.create_table(account, HOME, "clickstream-events", warehouse)
    r.create_volume(account, HOME, "warehouse-scratch", key_arn=warehouse)
    # Someone tidied up "unused" keys: the table and the volume above still need this one.
    r.schedule_key_deletion(account, warehouse, days=30)
    raw = r.create_bucket(account, HOME, "raw")
    r.encrypt_bucket(account, raw, key)
    r.block_public_access(account, raw)
    r.secure_bucket(account, HOME, "curated", None, logs)
    # Published to the world by policy and ACL once; Block Public Access on the bucket now neutralises both.
    published = r.create_bucket(account, HOME, "published")
    r.encrypt_bucket(account, published)
    r.put_bucket_policy(account, published, [r.public_read(published), *r.tls_statements(published)])
    r.grant_public_read_acl(account, published)
    r.block_public_access(account, published)
    eu_raw = r.create_bucket(account, OTHER, "raw")
    r.encrypt_bucket(account, eu_raw, other_key)
    r.create_volume(account, OTHER, "notebook-home")
    r.create_trail(account, "analytics-trail", logs)
    r.set_password_policy(account, r.STRONG_PASSWORD_POLICY)
    r.create_user(account, "data-scientist", console=True, mfa=True)
    r.create_user(account, "etl-runner", access_keys=1)
    r.create_database(account, HOME, "reporting", encrypted=False)
    # Shared with one partner account: not public, but a copy of the data all the same.
    r.snapshot_database(account, HOME, "reporting", "reporting-for-partner", share_with=["210987654321"])
    # Stood up for a dashboard trial and never locked down: unencrypted and reachable from the internet.
    r.create_warehouse(account, HOME, "clickstream-warehouse", encrypted=False, public=True)
    r.create_table(account, HOME, "sessions", AWS_MANAGED)
    r.create_queue(account, HOME, "ingest", AWS_OWNED)
    r.create_topic(account, HOME, "pipeline-events")
    r.create_log_group(account, HOME, "/analytics/etl")
    r.create_secret(account, HOME, "warehouse/readonly")
    r.create_file_system(account, HOME, "notebooks", encrypted=True)
    r.create_load_balancer(account, HOME, "analytics-dashboards", tls_policy=MODERN_TLS, http="forward")
    # Search for the dashboards, opened to the office range, and still on the TLS 1.0 policy.
    r.create_search_domain(account, HOME, "analytics-search", tls_policy=r.SEARCH_TLS_10, open_to="203.0.113.0/24")
    r.create_stream(account, HOME, "clickstream", AWS_MANAGED)
    r.create_delivery_stream(account, HOME, "clickstream-to-lake", raw, AWS_OWNED)
    r.encrypt_catalog(account, HOME, key)
    r.create_cluster(account, HOME, "etl", key)
    r.create_workgroup(account, HOME, "analysts", logs, enforced=False)  # SSE-S3, and clients may turn it off
    r.create_notebook(account, HOME, "research")  # SageMaker's own key: none of the team's
    r.create_repository(account, HOME, "analytics/jobs")  # ECR's AES-256 default


def weak(account, estate):
    """platform-staging: "only staging": weak passwords, a disabled key still in use, a stopped trail, a public
    bucket ACL and a queue any account may use."""
    key = r.create_key(account, HOME, "staging-data", rotation=False)
    secrets_key = r.create_key(account, HOME, "staging-secrets")
    r.create_secret(account, HOME, "staging/db-password", secrets_key)
    r.create_queue(account, HOME, "deploy-events", secrets_key)
    r.disable_key(account, secrets_key)  # "to save cost", while the secret and queue depend on it
    logs = r.create_bucket(account, HOME, "logs")
    r.encrypt_bucket(account, logs)
    r.put_bucket_policy(account, logs, r.log_delivery(logs))
    artifacts = r.create_bucket(account, HOME, "artifacts")
    r.encrypt_bucket(account, artifacts)
    r.put_bucket_policy(account, artifacts, [r.deny_insecure_transport(artifacts)])
    r.grant_public_read_acl(account, artifacts)  # "so build agents can list it without credentials"
    r.encrypt_bucket(account, r.create_bucket(account, OTHER, "assets"))
    trail = r.create_trail(account, "staging-trail", logs, multi_region=False, validation=False)
    r.stop_trail(account, trail)
    r.set_password_policy(account, r.WEAK_PASSWORD_POLICY)
    r.create_user(account, "deploy-bot", console=True, access_keys=1)
    r.create_policy(account, "platform-admin", "*", attach_to="deploy-bot")
    for region in estate.regions:
        r.set_ebs_encryption_by_default(account, region, False)
        r.create_volume(account, region, "build-cache")
    r.create_volume(account, HOME, "staging-db-backup", key_arn=key)
    r.create_database(account, HOME, "staging-db", encrypted=False)
    r.create_table(account, HOME, "feature-flags")
    # "Any runner may post": a queue policy open to every principal of every account.
    r.open_queue_to_everyone(account, HOME, r.create_queue(account, HOME, "build-queue", AWS_OWNED))
    r.create_topic(
        account, HOME, "build-notifications", subscriber="https://deploy:Winter2026@hooks.example.net/build-events"
    )
    r.create_log_group(account, HOME, "/staging/app", retention_days=30)
    r.create_file_system(account, HOME, "shared-home", encrypted=False)
    r.enable_config(account, HOME, logs, recording=False)
    r.create_load_balancer(account, HOME, "staging-web", tls_policy=LEGACY_TLS, http="forward")
    r.create_cache(account, HOME, "staging-cache", transit=None)
    r.create_cluster(account, HOME, "staging")  # Kubernetes secrets without a KMS key of the team's
    r.create_function(account, HOME, "deploy-hook", variables={"DEPLOY_TOKEN_PARAM": "/staging/deploy-token"})
    r.create_vault(account, HOME, "Default")  # the AWS-managed aws/backup key


def bad(account, estate):
    """sandbox-dev: nobody's job. No policies or encryption, a public key policy, personal tags, public copies."""
    open_key = r.create_key(
        account, HOME, "sandbox-open", rotation=False, policy=r.key_policy(account, r.ANYONE_MAY_DECRYPT)
    )
    r.create_bucket(account, HOME, "scratch", tags={"owner": "jane.doe@example.com"})
    r.encrypt_bucket(account, r.create_bucket(account, HOME, "shared"), open_key)
    r.create_bucket(account, OTHER, "scratch")
    trail_bucket = r.create_bucket(account, HOME, "trail")
    r.put_bucket_policy(account, trail_bucket, r.log_delivery(trail_bucket))
    trail = r.create_trail(account, "sandbox-trail", trail_bucket, multi_region=False, validation=False)
    r.stop_trail(account, trail)
    r.create_user(account, "intern", console=True, tags={"manager": "sam.lee@example.com"})
    r.create_user(account, "old-automation", access_keys=2)
    r.create_policy(account, "do-anything", "*", attach_to="old-automation")
    for region in estate.regions:
        r.create_volume(account, region, "scratch")
        r.create_queue(account, region, "test-queue", None)
    # Tags nobody read before Posture used the tagging API: a queue's owner, by e-mail address.
    r.create_queue(account, HOME, "signup-events", tags={"owner": "growth-team@example.com"})
    r.create_volume(account, HOME, f"copy of prod disk from {estate.management_account_id}")
    # A copy of analytics data, still encrypted with analytics-prod's key: an untrusted external key.
    r.create_volume(
        account, HOME, "analytics-sample", key_arn=estate.account("analytics-prod").key("analytics-prod-data")
    )
    r.create_database(account, HOME, "experiments", encrypted=False, public=True)
    r.snapshot_database(account, HOME, "experiments", "experiments-for-vendor", share_with=["all"])
    r.snapshot_volume(
        account, HOME, "scratch", "scratch-for-vendor", description="Disk copy for the vendor", public=True
    )
    r.create_table(account, HOME, "experiments")
    r.create_topic(account, HOME, "alerts")
    r.create_log_group(account, HOME, "/sandbox/lambda")
    r.create_secret(account, HOME, "sandbox/api-key")
    r.create_file_system(account, HOME, "scratch", encrypted=False)
    r.create_load_balancer(account, HOME, "sandbox-demo", http="forward")
    # A search demo anyone on the internet can query, over plain HTTP, with nothing encrypted.
    r.create_search_domain(
        account, HOME, "sandbox-search", key=None, tls_policy=r.SEARCH_TLS_10, https=False, open_to="anyone"
    )
    r.create_stream(account, HOME, "sandbox-events")
    r.create_delivery_stream(account, HOME, "sandbox-events-to-s3", trail_bucket)
    # A webhook anyone on the internet may invoke, its variables under the AWS-managed key.
    r.create_function(account, HOME, "sandbox-webhook", variables={"SLACK_WEBHOOK_PATH": "/services/demo"}, public=True)
    r.create_repository(account, HOME, "sandbox/app", public=True)  # AES-256 default, pullable by every account


PROFILES = {"good": good, "mostly good": mostly_good, "mixed": mixed, "weak": weak, "bad": bad}
MEMBERS = (
    ("payments-prod", "mostly good"),
    ("analytics-prod", "mixed"),
    ("platform-staging", "weak"),
    ("sandbox-dev", "bad"),
)


def build_profile(estate, account):
    """Create the account's resources as its profile says; the same ids on every run."""
    seed_ids(estate.endpoint_url, f"{account.name}/resources")
    PROFILES[account.profile](account, estate)


def build_estate(endpoint_url, log=print, members=MEMBERS):
    """Create the organization, its member accounts and their resources in the moto server.

    `members`: (name, profile) pairs from MEMBERS; the history leaves out those that join later.
    """
    started = time.monotonic()
    estate = create_organization(endpoint_url, boto3.session.Session(region_name=HOME))
    log(f"organization {estate.organization_id}, management account {estate.management_account_id}")
    for name, profile in members:
        join_account(estate, name, profile)
    for account in estate.accounts:  # in order: later profiles use keys the earlier ones made
        build_profile(estate, account)
        log(f"  {account.name:<17} {account.account_id}  {account.profile}")
    log(f"estate built in {time.monotonic() - started:.1f}s")
    return estate
