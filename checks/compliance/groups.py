"""Groups of checks that give evidence together, named once for the framework modules that share them."""

# Data stores encrypted at rest (whatever the key; DynamoDB tables always are, so only their key is checked).
ENCRYPTED_AT_REST = (
    "s3.bucket_default_encryption",
    "ebs.encryption_by_default",
    "ebs.volume_encrypted",
    "ebs.snapshot_encrypted",
    "rds.instance_storage_encrypted",
    "rds.cluster_storage_encrypted",
    "rds.snapshot_encrypted",
    "redshift.cluster_encrypted",
    "sqs.queue_encrypted",
    "sns.topic_encrypted",
    "logs.log_group_kms_encrypted",
    "efs.file_system_encrypted",
    "elasticache.replication_group_at_rest_encrypted",
    "opensearch.domain_at_rest_encrypted",
    "kinesis.stream_encrypted",
    "firehose.delivery_stream_encrypted",
    "ecr.repository_kms_encrypted",
    "eks.cluster_secrets_encrypted",
    "glue.data_catalog_encrypted",
    "athena.workgroup_results_encrypted",
    "sagemaker.notebook_kms_encrypted",
)

# Data encrypted with keys the customer manages (and can rotate, restrict and revoke).
CUSTOMER_MANAGED_KEYS = (
    "s3.bucket_customer_managed_key",
    "dynamodb.table_customer_managed_key",
    "secretsmanager.secret_customer_managed_key",
    "lambda.environment_customer_managed_key",
    "backup.vault_customer_managed_key",
    "kafka.cluster_customer_managed_key",
    "proton.template_customer_managed_key",
)

# The keys themselves: rotated, usable, not being deleted, not open to everyone, held by trusted accounts.
KEY_MANAGEMENT = (
    "kms.key_rotation_enabled",
    "kms.key_in_use_unusable",
    "kms.key_pending_deletion",
    "kms.key_policy_not_public",
    "kms.external_account_key",
)

# Endpoints that clients reach, possibly over public networks: TLS required, TLS 1.2 or later.
TLS_AT_THE_EDGE = (
    "s3.bucket_secure_transport",
    "s3.bucket_min_tls_12",
    "elbv2.listener_tls12",
    "elbv2.listener_https_only",
    "cloudfront.distribution_tls12",
    "opensearch.domain_https_tls12",
    "sns.subscription_https",
)

# Traffic inside a service or a VPC: between nodes, or from clients that usually sit in the same network.
TLS_INSIDE = (
    "elasticache.replication_group_in_transit_encrypted",
    "opensearch.domain_node_to_node_encrypted",
    "kafka.cluster_in_transit_tls",
    "rds.instance_tls_enforced",
    "redshift.cluster_require_ssl",
)

# Resources whose policy or setting could open them to anyone (not counting key policies: KEY_MANAGEMENT).
NOT_PUBLIC = (
    "s3.bucket_public_access_blocked",
    "s3.bucket_not_public",
    "ebs.snapshot_not_public",
    "rds.snapshot_not_public",
    "sqs.queue_policy_not_public",
    "sns.topic_policy_not_public",
    "secretsmanager.secret_policy_not_public",
    "ecr.repository_policy_not_public",
    "lambda.function_policy_not_public",
    "opensearch.domain_not_public",
    "rds.instance_not_publicly_accessible",
    "redshift.cluster_not_publicly_accessible",
)

# Data stores reachable from the internet when these fail (network endpoints, not resource policies).
NOT_PUBLICLY_REACHABLE = (
    "rds.instance_not_publicly_accessible",
    "redshift.cluster_not_publicly_accessible",
    "opensearch.domain_not_public",
)

# Records of activity being written.
ACTIVITY_LOGS = (
    "cloudtrail.multi_region_logging",
    "config.recorder_enabled",
    "s3.bucket_server_access_logging",
    "vpc.flow_logs_enabled",
    "elbv2.access_logs_enabled",
)

# The audit trail protected from readers and writers who should not touch it.
PROTECTED_AUDIT_TRAIL = (
    "cloudtrail.log_file_validation",
    "cloudtrail.kms_encrypted",
    "cloudtrail.bucket_not_public",
)

MULTI_FACTOR = ("iam.root_mfa_enabled", "iam.user_console_mfa")
