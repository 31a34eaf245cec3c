"""The alternative, measured on the same moto estate: Prowler, one process per account, only its matching checks.

Prowler pins its own boto3, so it lives in its own virtualenv, never committed (var/ is ignored):

    python3 -m venv var/prowler-venv && var/prowler-venv/bin/pip install prowler==5.46.0   # ~3 minutes

or point POSTURE_BENCH_PROWLER at another prowler executable. Each account is scanned the way Prowler scans an
account of an organization: `prowler aws --role arn:aws:iam::ID:role/OrganizationAccountAccessRole -f REGIONS
--scan-unused-services --checks ...`, with AWS_ENDPOINT_URL pointing its boto3 at the moto server. Its
requests are counted where Posture's are: in the moto server's request log.
"""

import csv
import os
import subprocess
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from bench import common

VERSION = "5.46.0"
VENV = common.ROOT / "var" / "prowler-venv"
INSTALL = f"python3 -m venv var/prowler-venv && var/prowler-venv/bin/pip install prowler=={VERSION}"

# Prowler's checks that judge what a Posture check judges: (Prowler check, Posture check id). Found in Prowler's
# installed package (prowler/providers/aws/services/*/<check>/). Several Prowler checks may cover one of ours.
MATCHED = (
    ("athena_workgroup_encryption", "athena.workgroup_results_encrypted"),
    ("athena_workgroup_enforce_configuration", "athena.workgroup_results_encrypted"),
    ("awslambda_function_env_vars_not_encrypted_with_cmk", "lambda.environment_customer_managed_key"),
    ("awslambda_function_not_publicly_accessible", "lambda.function_policy_not_public"),
    ("backup_vaults_encrypted", "backup.vault_customer_managed_key"),
    ("cloudfront_distributions_https_enabled", "cloudfront.distribution_tls12"),
    ("cloudfront_distributions_using_deprecated_ssl_protocols", "cloudfront.distribution_tls12"),
    ("s3_bucket_level_public_access_block", "s3.bucket_public_access_blocked"),
    ("s3_account_level_public_access_blocks", "s3.bucket_public_access_blocked"),
    ("s3_bucket_public_access", "s3.bucket_not_public"),
    ("cloudtrail_multi_region_enabled_logging_management_events", "cloudtrail.multi_region_logging"),
    ("cloudtrail_log_file_validation_enabled", "cloudtrail.log_file_validation"),
    ("cloudtrail_kms_encryption_enabled", "cloudtrail.kms_encrypted"),
    ("cloudtrail_logs_s3_bucket_is_not_publicly_accessible", "cloudtrail.bucket_not_public"),
    ("config_recorder_all_regions_enabled", "config.recorder_enabled"),
    ("dynamodb_tables_kms_cmk_encryption_enabled", "dynamodb.table_customer_managed_key"),
    ("ec2_ebs_default_encryption", "ebs.encryption_by_default"),
    ("ec2_ebs_volume_encryption", "ebs.volume_encrypted"),
    ("ec2_ebs_snapshots_encrypted", "ebs.snapshot_encrypted"),
    ("ec2_ebs_public_snapshot", "ebs.snapshot_not_public"),
    ("ecr_repositories_not_publicly_accessible", "ecr.repository_policy_not_public"),
    ("efs_encryption_at_rest_enabled", "efs.file_system_encrypted"),
    ("eks_cluster_kms_cmk_encryption_in_secrets_enabled", "eks.cluster_secrets_encrypted"),
    ("elasticache_redis_cluster_rest_encryption_enabled", "elasticache.replication_group_at_rest_encrypted"),
    ("elasticache_redis_cluster_in_transit_encryption_enabled", "elasticache.replication_group_in_transit_encrypted"),
    ("elbv2_insecure_ssl_ciphers", "elbv2.listener_tls12"),
    ("elbv2_ssl_listeners", "elbv2.listener_https_only"),
    ("elbv2_logging_enabled", "elbv2.access_logs_enabled"),
    ("firehose_stream_encrypted_at_rest", "firehose.delivery_stream_encrypted"),
    ("glue_data_catalogs_metadata_encryption_enabled", "glue.data_catalog_encrypted"),
    ("iam_root_mfa_enabled", "iam.root_mfa_enabled"),
    ("iam_no_root_access_key", "iam.root_access_keys_absent"),
    ("iam_user_mfa_enabled_console_access", "iam.user_console_mfa"),
    ("iam_rotate_access_key_90_days", "iam.access_keys_rotated_90d"),
    ("iam_password_policy_minimum_length_14", "iam.password_policy_strong"),
    ("iam_password_policy_lowercase", "iam.password_policy_strong"),
    ("iam_password_policy_uppercase", "iam.password_policy_strong"),
    ("iam_password_policy_number", "iam.password_policy_strong"),
    ("iam_password_policy_symbol", "iam.password_policy_strong"),
    ("iam_password_policy_reuse_24", "iam.password_policy_strong"),
    ("iam_customer_attached_policy_no_administrative_privileges", "iam.no_full_admin_custom_policies"),
    ("iam_customer_unattached_policy_no_administrative_privileges", "iam.no_full_admin_custom_policies"),
    ("kafka_cluster_encryption_at_rest_uses_cmk", "kafka.cluster_customer_managed_key"),
    ("kafka_cluster_in_transit_encryption_enabled", "kafka.cluster_in_transit_tls"),
    ("kinesis_stream_encrypted_at_rest", "kinesis.stream_encrypted"),
    ("kms_cmk_rotation_enabled", "kms.key_rotation_enabled"),
    ("kms_cmk_not_deleted_unintentionally", "kms.key_pending_deletion"),
    ("kms_key_not_publicly_accessible", "kms.key_policy_not_public"),
    ("cloudwatch_log_group_kms_encryption_enabled", "logs.log_group_kms_encrypted"),
    ("cloudwatch_log_group_retention_policy_specific_days_enabled", "logs.log_group_retention_adequate"),
    ("opensearch_service_domains_encryption_at_rest_enabled", "opensearch.domain_at_rest_encrypted"),
    ("opensearch_service_domains_https_communications_enforced", "opensearch.domain_https_tls12"),
    ("opensearch_service_domains_node_to_node_encryption_enabled", "opensearch.domain_node_to_node_encrypted"),
    ("opensearch_service_domains_not_publicly_accessible", "opensearch.domain_not_public"),
    ("rds_instance_storage_encrypted", "rds.instance_storage_encrypted"),
    ("rds_cluster_storage_encrypted", "rds.cluster_storage_encrypted"),
    ("rds_snapshots_encrypted", "rds.snapshot_encrypted"),
    ("rds_snapshots_public_access", "rds.snapshot_not_public"),
    ("rds_instance_no_public_access", "rds.instance_not_publicly_accessible"),
    ("rds_instance_transport_encrypted", "rds.instance_tls_enforced"),
    ("redshift_cluster_encrypted_at_rest", "redshift.cluster_encrypted"),
    ("redshift_cluster_in_transit_encryption_enabled", "redshift.cluster_require_ssl"),
    ("redshift_cluster_public_access", "redshift.cluster_not_publicly_accessible"),
    ("s3_bucket_default_encryption", "s3.bucket_default_encryption"),
    ("s3_bucket_kms_encryption", "s3.bucket_customer_managed_key"),
    ("s3_bucket_secure_transport_policy", "s3.bucket_secure_transport"),
    ("s3_bucket_server_access_logging_enabled", "s3.bucket_server_access_logging"),
    ("sagemaker_notebook_instance_encryption_enabled", "sagemaker.notebook_kms_encrypted"),
    ("secretsmanager_not_publicly_accessible", "secretsmanager.secret_policy_not_public"),
    ("sns_topics_kms_encryption_at_rest_enabled", "sns.topic_encrypted"),
    ("sns_topics_not_publicly_accessible", "sns.topic_policy_not_public"),
    ("sns_subscription_not_using_http_endpoints", "sns.subscription_https"),
    ("sqs_queues_server_side_encryption_enabled", "sqs.queue_encrypted"),
    ("sqs_queues_not_publicly_accessible", "sqs.queue_policy_not_public"),
    ("vpc_flow_logs_enabled", "vpc.flow_logs_enabled"),
)

# Posture checks Prowler has no check for (so nothing of Prowler's runs for them).
UNMATCHED = {
    "ecr.repository_kms_encrypted": "no Prowler check reads an ECR repository's encryption",
    "hygiene.no_credentials_in_urls": "no Prowler check looks for credentials in configured URLs",
    "hygiene.no_sensitive_identifiers": "no Prowler check judges names, descriptions and tags",
    "kms.key_in_use_unusable": "no Prowler check follows resources to a disabled or missing key",
    "kms.external_account_key": "no Prowler check judges whose account a resource's key belongs to",
    "proton.template_customer_managed_key": "Prowler has no Proton service",
    "s3.bucket_min_tls_12": "no Prowler check reads a bucket policy's aws:SecureTransport TLS version",
    "secretsmanager.secret_customer_managed_key": "no Prowler check reads a secret's KMS key",
}


def executable():
    """The prowler executable to run, or None when it is not installed."""
    configured = os.environ.get("POSTURE_BENCH_PROWLER")
    path = Path(configured) if configured else VENV / "bin" / "prowler"
    return path if path.exists() else None


def checks():
    return list(dict.fromkeys(check for check, _ in MATCHED))


@dataclass
class ProwlerRun:
    wall: float
    cpu: float  # CPU seconds of the Prowler processes
    peak_mb: float
    requests: int  # HTTP requests the moto server answered during the run
    failed: list  # account ids whose Prowler exited with an error
    statuses: Counter = field(default_factory=Counter)  # findings by status (PASS, FAIL, MANUAL)
    load: float = 0.0


def command(prowler, account_id, regions, role, folder):
    return [
        str(prowler),
        "aws",
        "--role",
        f"arn:aws:iam::{account_id}:role/{role}",
        "-f",
        *regions,
        "--scan-unused-services",
        "--no-banner",
        "--ignore-exit-code-3",
        "--output-formats",
        "csv",
        "--output-directory",
        str(folder),
        "--output-filename",
        f"prowler-{account_id}",
        "--checks",
        *checks(),
    ]


def environment(endpoint):
    """Prowler's process: the fake credentials moto accepts, its endpoint, nothing of Django's."""
    env = {name: value for name, value in os.environ.items() if not name.startswith(("DJANGO", "DB", "CELERY"))}
    env.update(
        {
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
        }
    )
    env.pop("AWS_SESSION_TOKEN", None)
    env.pop("AWS_PROFILE", None)
    return env


def statuses(folder):
    counted = Counter()
    for path in Path(folder).glob("prowler-*.csv"):
        with path.open(newline="", encoding="utf-8") as handle:
            counted.update(row.get("STATUS", "?") for row in csv.DictReader(handle, delimiter=";"))
    return counted


def run(account_ids, regions, role, moto, concurrency, folder):
    """Prowler over every account, `concurrency` processes at once (as Posture scans them); returns a ProwlerRun."""
    prowler = executable()
    env = environment(moto.url)
    Path(folder).mkdir(parents=True, exist_ok=True)
    failed = []

    def one(account_id):
        log = Path(folder) / f"prowler-{account_id}.log"
        with log.open("w") as output:
            code = subprocess.call(
                command(prowler, account_id, regions, role, folder), env=env, stdout=output, stderr=subprocess.STDOUT
            )
        if code != 0:
            failed.append(account_id)

    with common.PeakMemory(exclude=[moto.process.pid], roots=False) as memory:
        requests, cpu = moto.requests(), common.children_cpu_seconds()
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            list(pool.map(one, account_ids))
        wall = time.perf_counter() - started
        cpu = common.children_cpu_seconds() - cpu
        requests = moto.requests() - requests
    return ProwlerRun(wall, cpu, memory.peak_mb, requests, failed, statuses(folder), common.load_average())
