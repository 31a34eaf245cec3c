"""Verbs over one demo account: create, break and fix AWS resources in the moto estate.

Each takes an `estate.Account` (anything with `client(service, region)` and a `keys` dict) and
makes real API calls, so the scans see exactly what a real account would show. The estate's
profiles build with them; a history backfill can call the same verbs between scans.
"""

import io
import json
import zipfile

from botocore.exceptions import ClientError

HOME = "us-east-1"
MODERN_TLS = "ELBSecurityPolicy-TLS13-1-2-2021-06"
LEGACY_TLS = "ELBSecurityPolicy-2016-08"  # still allows TLS 1.0 and 1.1
AWS_OWNED = "aws-owned"  # service default encryption: no key id at all
AWS_MANAGED = "aws-managed"  # the service's alias/aws/<service> key
# moto accepts any value; these are no one's credentials.
DEMO_PASSWORD = "Demo-only-Passw0rd!"  # noqa: S105

STRONG_PASSWORD_POLICY = {
    "MinimumPasswordLength": 14,
    "RequireSymbols": True,
    "RequireNumbers": True,
    "RequireUppercaseCharacters": True,
    "RequireLowercaseCharacters": True,
    "AllowUsersToChangePassword": True,
    "MaxPasswordAge": 90,
    "PasswordReusePrevention": 24,
}
WEAK_PASSWORD_POLICY = {
    "MinimumPasswordLength": 6,
    "RequireSymbols": False,
    "RequireNumbers": False,
    "RequireUppercaseCharacters": False,
    "RequireLowercaseCharacters": True,
    "AllowUsersToChangePassword": True,
}


def tag_list(tags, key="Key", value="Value"):
    return [{key: k, value: v} for k, v in (tags or {}).items()]


def region_of(arn):
    return arn.split(":")[3]


# --- KMS ----------------------------------------------------------------------------------------


def key_policy(account, *statements):
    root = {
        "Sid": "AccountAdministers",
        "Effect": "Allow",
        "Action": "kms:*",
        "Resource": "*",
        "Principal": {"AWS": f"arn:aws:iam::{account.account_id}:root"},
    }
    return {"Version": "2012-10-17", "Statement": [root, *statements]}


def organization_may_use(organization_id):
    # A wildcard principal narrowed to the organization: shared, yet not public.
    return {
        "Sid": "OrganizationUses",
        "Effect": "Allow",
        "Principal": {"AWS": "*"},
        "Action": ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"],
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:PrincipalOrgID": organization_id}},
    }


ANYONE_MAY_DECRYPT = {
    "Sid": "AnyoneDecrypts",
    "Effect": "Allow",
    "Principal": "*",
    "Action": ["kms:Decrypt", "kms:DescribeKey"],
    "Resource": "*",
}


def create_key(account, region, alias, *, rotation=True, policy=None):
    kms = account.client("kms", region)
    options = {"Policy": json.dumps(policy)} if policy else {}
    key = kms.create_key(Description=f"{alias} data key", **options)["KeyMetadata"]
    kms.create_alias(AliasName=f"alias/{alias}", TargetKeyId=key["KeyId"])
    if rotation:
        kms.enable_key_rotation(KeyId=key["KeyId"])
    account.keys[region, alias] = key["Arn"]
    return key["Arn"]


def key_id(key_arn):
    return key_arn.rsplit("/", 1)[-1]  # moto's ScheduleKeyDeletion wants the id, not the ARN


def disable_key(account, key_arn):
    account.client("kms", region_of(key_arn)).disable_key(KeyId=key_id(key_arn))


def schedule_key_deletion(account, key_arn, days=7):
    account.client("kms", region_of(key_arn)).schedule_key_deletion(KeyId=key_id(key_arn), PendingWindowInDays=days)


def cancel_key_deletion(account, key_arn):
    account.client("kms", region_of(key_arn)).cancel_key_deletion(KeyId=key_id(key_arn))


def enable_key(account, key_arn):
    # A key whose deletion was cancelled is left disabled (in AWS and in moto): enable it again.
    account.client("kms", region_of(key_arn)).enable_key(KeyId=key_id(key_arn))


def set_key_rotation(account, key_arn, enabled):
    kms = account.client("kms", region_of(key_arn))
    (kms.enable_key_rotation if enabled else kms.disable_key_rotation)(KeyId=key_id(key_arn))


# --- S3 -----------------------------------------------------------------------------------------


def bucket_arn(bucket):
    return f"arn:aws:s3:::{bucket}"


def deny_insecure_transport(bucket, principal=None):
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": principal or {"AWS": "*"},
        "Action": "s3:*",
        "Resource": [bucket_arn(bucket), f"{bucket_arn(bucket)}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def deny_tls_below_12(bucket):
    return {
        "Sid": "DenyTlsBelow12",
        "Effect": "Deny",
        "Principal": {"AWS": "*"},
        "Action": "s3:*",
        "Resource": [bucket_arn(bucket), f"{bucket_arn(bucket)}/*"],
        "Condition": {"NumericLessThan": {"s3:TlsVersion": "1.2"}},
    }


def log_delivery(bucket):
    # Service principals, never a bare "*": moto's PutBucketLogging fails on a bare "*" target policy.
    def allow(sid, service, action, resource):
        return {
            "Sid": sid,
            "Effect": "Allow",
            "Principal": {"Service": service},
            "Action": action,
            "Resource": resource,
        }

    return [
        allow("ServerAccessLogs", "logging.s3.amazonaws.com", "s3:PutObject", f"{bucket_arn(bucket)}/*"),
        allow("CloudTrailAclCheck", "cloudtrail.amazonaws.com", "s3:GetBucketAcl", bucket_arn(bucket)),
        allow("CloudTrailWrite", "cloudtrail.amazonaws.com", "s3:PutObject", f"{bucket_arn(bucket)}/AWSLogs/*"),
    ]


def bucket_name(account, region, purpose):
    return f"{account.name}-{purpose}-{region}"


def create_bucket(account, region, purpose, tags=None):
    name = bucket_name(account, region, purpose)
    s3 = account.client("s3", region)
    location = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    s3.create_bucket(Bucket=name, **location)
    if tags:
        s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": tag_list(tags)})
    return name


def encrypt_bucket(account, bucket, key_arn=None):
    """SSE-KMS with `key_arn`, or SSE-S3 without one (set explicitly: moto leaves buckets unencrypted)."""
    default = {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_arn} if key_arn else {"SSEAlgorithm": "AES256"}
    account.client("s3").put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": default, "BucketKeyEnabled": bool(key_arn)}]
        },
    )


def delete_bucket(account, bucket):
    """Delete an (empty: the demo never writes objects) bucket."""
    account.client("s3").delete_bucket(Bucket=bucket)


def put_bucket_policy(account, bucket, statements):
    policy = {"Version": "2012-10-17", "Statement": list(statements)}
    account.client("s3").put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))


def block_public_access(account, bucket):
    account.client("s3").put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )


def public_read(bucket):
    """A bucket policy statement that lets anyone on the internet read every object."""
    return {
        "Sid": "PublicRead",
        "Effect": "Allow",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": f"{bucket_arn(bucket)}/*",
    }


def grant_public_read_acl(account, bucket):
    """The canned public-read ACL: AllUsers may list the bucket (AWS refuses it under BlockPublicAcls)."""
    account.client("s3").put_bucket_acl(Bucket=bucket, ACL="public-read")


def log_access(account, bucket, target):
    account.client("s3").put_bucket_logging(
        Bucket=bucket, BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": target, "TargetPrefix": f"s3/{bucket}/"}}
    )


def tls_statements(bucket):
    return [deny_insecure_transport(bucket), deny_tls_below_12(bucket)]


def bucket_policy_statements(account, bucket):
    try:
        policy = account.client("s3").get_bucket_policy(Bucket=bucket)["Policy"]
    except ClientError as error:
        if error.response["Error"]["Code"] != "NoSuchBucketPolicy":
            raise
        return []
    return json.loads(policy)["Statement"]


def break_tls_policy(account, bucket):
    """Drop the TLS statements from a bucket's policy, keeping the rest (or deleting an empty policy)."""
    tls_sids = {statement["Sid"] for statement in tls_statements(bucket)}
    kept = [
        statement for statement in bucket_policy_statements(account, bucket) if statement.get("Sid") not in tls_sids
    ]
    if kept:
        put_bucket_policy(account, bucket, kept)
    else:
        account.client("s3").delete_bucket_policy(Bucket=bucket)


def fix_tls_policy(account, bucket):
    break_tls_policy(account, bucket)  # no duplicate statements when the policy is already right
    put_bucket_policy(account, bucket, [*bucket_policy_statements(account, bucket), *tls_statements(bucket)])


def log_bucket(account, region, key_arn=None, private=True):
    bucket = create_bucket(account, region, "logs")
    encrypt_bucket(account, bucket, key_arn)
    put_bucket_policy(account, bucket, [*log_delivery(bucket), *tls_statements(bucket)])
    if private:
        block_public_access(account, bucket)
    return bucket


def secure_bucket(account, region, purpose, key_arn, logs):
    bucket = create_bucket(account, region, purpose)
    encrypt_bucket(account, bucket, key_arn)
    put_bucket_policy(account, bucket, tls_statements(bucket))
    block_public_access(account, bucket)
    log_access(account, bucket, logs)
    return bucket


# --- CloudTrail, Config, VPC flow logs, CloudWatch Logs ---------------------------------------


def create_trail(account, name, bucket, *, multi_region=True, validation=True, key_arn=None, logging=True):
    options = {"KmsKeyId": key_arn} if key_arn else {}
    trail = account.client("cloudtrail").create_trail(
        Name=name,
        S3BucketName=bucket,
        IsMultiRegionTrail=multi_region,
        IncludeGlobalServiceEvents=multi_region,
        EnableLogFileValidation=validation,
        **options,
    )
    if logging:
        start_trail(account, trail["TrailARN"])
    return trail["TrailARN"]


def trail_arn(account, name, region=HOME):
    return f"arn:aws:cloudtrail:{region}:{account.account_id}:trail/{name}"


def start_trail(account, trail_arn):
    account.client("cloudtrail", region_of(trail_arn)).start_logging(Name=trail_arn)


def stop_trail(account, trail_arn):
    account.client("cloudtrail", region_of(trail_arn)).stop_logging(Name=trail_arn)


def enable_config(account, region, bucket, recording=True):
    config = account.client("config", region)
    config.put_configuration_recorder(
        ConfigurationRecorder={
            "name": "default",
            "roleARN": f"arn:aws:iam::{account.account_id}:role/aws-config-recorder",
            "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": region == HOME},
        }
    )
    config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": bucket})
    if recording:
        config.start_configuration_recorder(ConfigurationRecorderName="default")


def create_log_group(account, region, name, *, key_arn=None, retention_days=None):
    logs = account.client("logs", region)
    logs.create_log_group(logGroupName=name, **({"kmsKeyId": key_arn} if key_arn else {}))
    if retention_days:
        logs.put_retention_policy(logGroupName=name, retentionInDays=retention_days)
    return name


def enable_flow_logs(account, region, key_arn=None):
    """Flow logs for every VPC in the region, into CloudWatch Logs (moto rejects S3 ARNs with a prefix)."""
    ec2 = account.client("ec2", region)
    group = create_log_group(account, region, "/vpc/flow-logs", key_arn=key_arn, retention_days=400)
    vpcs = [vpc["VpcId"] for vpc in ec2.describe_vpcs()["Vpcs"]]
    ec2.create_flow_logs(
        ResourceIds=vpcs,
        ResourceType="VPC",
        TrafficType="ALL",
        LogDestinationType="cloud-watch-logs",
        LogGroupName=group,
        DeliverLogsPermissionArn=f"arn:aws:iam::{account.account_id}:role/vpc-flow-logs",
    )


# --- IAM ----------------------------------------------------------------------------------------


def set_password_policy(account, policy):
    account.client("iam").update_account_password_policy(**policy)


def create_user(account, name, *, console=False, mfa=False, access_keys=0, tags=None):
    iam = account.client("iam")
    iam.create_user(UserName=name, Tags=tag_list(tags))
    if console:
        iam.create_login_profile(UserName=name, Password=DEMO_PASSWORD, PasswordResetRequired=False)
    if mfa:
        fix_mfa(account, name)
    for _ in range(access_keys):
        iam.create_access_key(UserName=name)
    return name


def fix_mfa(account, user):
    iam = account.client("iam")
    serial = iam.create_virtual_mfa_device(VirtualMFADeviceName=user)["VirtualMFADevice"]["SerialNumber"]
    iam.enable_mfa_device(
        UserName=user, SerialNumber=serial, AuthenticationCode1="123456", AuthenticationCode2="654321"
    )


def create_policy(account, name, actions, resource="*", attach_to=None):
    iam = account.client("iam")
    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": resource}]}
    arn = iam.create_policy(PolicyName=name, PolicyDocument=json.dumps(document))["Policy"]["Arn"]
    if attach_to:
        iam.attach_user_policy(UserName=attach_to, PolicyArn=arn)
    return arn


# --- EC2, RDS, Redshift, EFS, ELBv2 ---------------------------------------------------------------------


def set_ebs_encryption_by_default(account, region, enabled):
    ec2 = account.client("ec2", region)
    (ec2.enable_ebs_encryption_by_default if enabled else ec2.disable_ebs_encryption_by_default)()


def create_volume(account, region, name, *, encrypted=False, key_arn=None):
    options = {"KmsKeyId": key_arn} if key_arn else {}
    return account.client("ec2", region).create_volume(
        AvailabilityZone=f"{region}a",
        Size=20,
        VolumeType="gp3",
        Encrypted=encrypted or bool(key_arn),
        TagSpecifications=[{"ResourceType": "volume", "Tags": [{"Key": "Name", "Value": name}]}],
        **options,
    )["VolumeId"]


def volume_named(account, region, name):
    """The id of the volume tagged Name=`name` (the estate names every volume it makes)."""
    volumes = account.client("ec2", region).describe_volumes(Filters=[{"Name": "tag:Name", "Values": [name]}])
    [volume] = volumes["Volumes"]
    return volume["VolumeId"]


def delete_volume(account, region, name):
    account.client("ec2", region).delete_volume(VolumeId=volume_named(account, region, name))


def create_database(account, region, name, *, encrypted, key_arn=None, public=False, parameter_group=None):
    options = {"KmsKeyId": key_arn} if key_arn else {}
    if parameter_group:
        options["DBParameterGroupName"] = parameter_group
    account.client("rds", region).create_db_instance(
        DBInstanceIdentifier=name,
        Engine="postgres",
        DBInstanceClass="db.t3.micro",
        AllocatedStorage=20,
        MasterUsername="app",
        MasterUserPassword=DEMO_PASSWORD,
        StorageEncrypted=encrypted,
        PubliclyAccessible=public,
        **options,
    )
    return name


def create_tls_parameter_group(account, region, name):
    """A PostgreSQL parameter group that refuses connections without TLS (rds.force_ssl = 1)."""
    rds = account.client("rds", region)
    rds.create_db_parameter_group(
        DBParameterGroupName=name, DBParameterGroupFamily="postgres15", Description="PostgreSQL, TLS connections only"
    )
    rds.modify_db_parameter_group(
        DBParameterGroupName=name,
        Parameters=[{"ParameterName": "rds.force_ssl", "ParameterValue": "1", "ApplyMethod": "pending-reboot"}],
    )
    return name


def snapshot_database(account, region, database, name, *, share_with=()):
    """A manual DB snapshot; `share_with` holds account ids, or "all" to make it public."""
    rds = account.client("rds", region)
    rds.create_db_snapshot(DBSnapshotIdentifier=name, DBInstanceIdentifier=database)
    if share_with:
        rds.modify_db_snapshot_attribute(
            DBSnapshotIdentifier=name, AttributeName="restore", ValuesToAdd=list(share_with)
        )
    return name


def snapshot_volume(account, region, volume, name, *, description="", public=False):
    """An EBS snapshot of the volume tagged Name=`volume`; public: shared with every AWS account."""
    ec2 = account.client("ec2", region)
    snapshot_id = ec2.create_snapshot(
        VolumeId=volume_named(account, region, volume),
        Description=description,
        TagSpecifications=[{"ResourceType": "snapshot", "Tags": [{"Key": "Name", "Value": name}]}],
    )["SnapshotId"]
    if public:
        ec2.modify_snapshot_attribute(
            SnapshotId=snapshot_id, Attribute="createVolumePermission", OperationType="add", GroupNames=["all"]
        )
    return snapshot_id


def create_warehouse(account, region, name, *, encrypted, key_arn=None, public=False):
    """A single-node Redshift cluster."""
    options = {"KmsKeyId": key_arn} if key_arn else {}
    account.client("redshift", region).create_cluster(
        ClusterIdentifier=name,
        NodeType="ra3.xlplus",
        ClusterType="single-node",
        MasterUsername="warehouse",
        MasterUserPassword=DEMO_PASSWORD,
        Encrypted=encrypted,
        PubliclyAccessible=public,
        **options,
    )
    return name


def create_file_system(account, region, name, *, encrypted, key_arn=None):
    options = {"KmsKeyId": key_arn} if key_arn else {}
    return account.client("efs", region).create_file_system(
        CreationToken=name, Encrypted=encrypted, Tags=[{"Key": "Name", "Value": name}], **options
    )["FileSystemId"]


def default_network(account, region):
    ec2 = account.client("ec2", region)
    subnets = ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"]
    return subnets[0]["VpcId"], [subnet["SubnetId"] for subnet in subnets[:2]]


def create_load_balancer(account, region, name, *, tls_policy=None, http=None, logs_bucket=None):
    """An application load balancer: HTTPS with `tls_policy`, HTTP that "redirect"s or "forward"s."""
    elb = account.client("elbv2", region)
    vpc, subnets = default_network(account, region)
    balancer = elb.create_load_balancer(Name=name, Subnets=subnets, Scheme="internet-facing", Type="application")[
        "LoadBalancers"
    ][0]["LoadBalancerArn"]
    group = elb.create_target_group(Name=f"{name}-app", Protocol="HTTP", Port=8080, VpcId=vpc)["TargetGroups"][0][
        "TargetGroupArn"
    ]
    forward = [{"Type": "forward", "TargetGroupArn": group}]
    if tls_policy:
        certificate = account.client("acm", region).request_certificate(DomainName=f"{name}.example.com")
        elb.create_listener(
            LoadBalancerArn=balancer,
            Protocol="HTTPS",
            Port=443,
            SslPolicy=tls_policy,
            Certificates=[{"CertificateArn": certificate["CertificateArn"]}],
            DefaultActions=forward,
        )
    if http:
        redirect = [
            {"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}
        ]
        elb.create_listener(
            LoadBalancerArn=balancer,
            Protocol="HTTP",
            Port=80,
            DefaultActions=redirect if http == "redirect" else forward,
        )
    if logs_bucket:
        elb.modify_load_balancer_attributes(
            LoadBalancerArn=balancer,
            Attributes=[
                {"Key": "access_logs.s3.enabled", "Value": "true"},
                {"Key": "access_logs.s3.bucket", "Value": logs_bucket},
            ],
        )
    return balancer


# --- DynamoDB, SQS, SNS, Secrets Manager --------------------------------------------------------


def create_table(account, region, name, key=AWS_OWNED):
    """`key`: AWS_OWNED (the default), AWS_MANAGED (alias/aws/dynamodb) or a customer key ARN."""
    sse = {"Enabled": False} if key == AWS_OWNED else {"Enabled": True, "SSEType": "KMS"}
    if key not in (AWS_OWNED, AWS_MANAGED):
        sse["KMSMasterKeyId"] = key
    account.client("dynamodb", region).create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        SSESpecification=sse,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
    )
    return name


def create_queue(account, region, name, key=AWS_OWNED, tags=None):
    """`key`: AWS_OWNED (SSE-SQS), None (unencrypted) or a KMS key ARN."""
    if key == AWS_OWNED:
        attributes = {"SqsManagedSseEnabled": "true"}
    else:
        attributes = {"KmsMasterKeyId": key} if key else {"SqsManagedSseEnabled": "false"}
    options = {"tags": tags} if tags else {}
    return account.client("sqs", region).create_queue(QueueName=name, Attributes=attributes, **options)["QueueUrl"]


def open_queue_to_everyone(account, region, queue_url):
    """A queue policy that lets any principal of any account send and receive: public."""
    statement = {
        "Sid": "AnyAccountMayUse",
        "Effect": "Allow",
        "Principal": {"AWS": "*"},
        "Action": ["sqs:SendMessage", "sqs:ReceiveMessage"],
        "Resource": "*",
    }
    policy = {"Version": "2012-10-17", "Statement": [statement]}
    account.client("sqs", region).set_queue_attributes(QueueUrl=queue_url, Attributes={"Policy": json.dumps(policy)})


def delete_queue(account, region, name):
    sqs = account.client("sqs", region)
    sqs.delete_queue(QueueUrl=sqs.get_queue_url(QueueName=name)["QueueUrl"])


def create_topic(account, region, name, key_arn=None, subscriber=None):
    sns = account.client("sns", region)
    topic = sns.create_topic(Name=name, Attributes={"KmsMasterKeyId": key_arn} if key_arn else {})["TopicArn"]
    if subscriber:
        sns.subscribe(TopicArn=topic, Protocol="https", Endpoint=subscriber)
    return topic


def create_secret(account, region, name, key_arn=None):
    options = {"KmsKeyId": key_arn} if key_arn else {}
    return account.client("secretsmanager", region).create_secret(
        Name=name, SecretString=json.dumps({"note": "demo value"}), **options
    )["ARN"]


# --- ElastiCache, OpenSearch, Kinesis, Firehose -------------------------------------------------
# (No MSK cluster: moto names clusters with uuid4, not its seeded ids, so a rebuilt estate would not match.)

SEARCH_TLS_10 = "Policy-Min-TLS-1-0-2019-07"  # still accepts TLS 1.0 and 1.1
SEARCH_TLS_12 = "Policy-Min-TLS-1-2-PFS-2023-10"


def create_cache(account, region, name, *, key=AWS_OWNED, transit="required", description=""):
    """A Valkey replication group. `key`: None (unencrypted at rest), AWS_OWNED (ElastiCache's default) or a
    key ARN; `transit`: None (off), "preferred" (TLS and plain text) or "required"."""
    options = {"AtRestEncryptionEnabled": key is not None, "TransitEncryptionEnabled": transit is not None}
    if key not in (None, AWS_OWNED):
        options["KmsKeyId"] = key
    if transit:
        options["TransitEncryptionMode"] = transit
    return account.client("elasticache", region).create_replication_group(
        ReplicationGroupId=name, ReplicationGroupDescription=description or name, Engine="valkey", **options
    )["ReplicationGroup"]["ARN"]


def search_access_policy(account, open_to):
    """The domain's access policy: the account itself, everyone ("anyone"), or everyone from one CIDR range."""
    statement = {"Effect": "Allow", "Action": "es:*", "Resource": "*", "Principal": {"AWS": "*"}}
    if open_to is None:
        statement["Principal"] = {"AWS": f"arn:aws:iam::{account.account_id}:root"}
    elif open_to != "anyone":
        statement["Condition"] = {"IpAddress": {"aws:SourceIp": open_to}}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def create_search_domain(account, region, name, *, key=AWS_MANAGED, tls_policy=SEARCH_TLS_12, https=True, open_to=None):
    """An OpenSearch domain. `key`: None (unencrypted), AWS_MANAGED (aws/es) or a key ARN."""
    encryption = {"Enabled": key is not None}
    if key not in (None, AWS_MANAGED):
        encryption["KmsKeyId"] = key
    return account.client("opensearch", region).create_domain(
        DomainName=name,
        EncryptionAtRestOptions=encryption,
        NodeToNodeEncryptionOptions={"Enabled": key is not None},
        DomainEndpointOptions={"EnforceHTTPS": https, "TLSSecurityPolicy": tls_policy},
        AccessPolicies=search_access_policy(account, open_to),
    )["DomainStatus"]["ARN"]


def create_stream(account, region, name, key=None):
    """A Kinesis data stream. `key`: None (no server-side encryption), AWS_MANAGED (aws/kinesis) or a key ARN."""
    kinesis = account.client("kinesis", region)
    kinesis.create_stream(StreamName=name, ShardCount=1)
    if key:
        kinesis.start_stream_encryption(
            StreamName=name, EncryptionType="KMS", KeyId="alias/aws/kinesis" if key == AWS_MANAGED else key
        )
    return name


def create_delivery_stream(account, region, name, bucket, key=None):
    """A Direct PUT Firehose stream into `bucket`. `key`: None (no SSE), AWS_OWNED or a customer key ARN."""
    firehose = account.client("firehose", region)
    destination = {"RoleARN": f"arn:aws:iam::{account.account_id}:role/firehose", "BucketARN": bucket_arn(bucket)}
    firehose.create_delivery_stream(DeliveryStreamName=name, ExtendedS3DestinationConfiguration=destination)
    if key:
        encryption = (
            {"KeyType": "AWS_OWNED_CMK"} if key == AWS_OWNED else {"KeyType": "CUSTOMER_MANAGED_CMK", "KeyARN": key}
        )
        firehose.start_delivery_stream_encryption(
            DeliveryStreamName=name, DeliveryStreamEncryptionConfigurationInput=encryption
        )
    return name


# --- ECR, Lambda, EKS, Glue, Athena, SageMaker, Backup -------------------------------------------


def open_to_everyone(sid, actions):
    return {
        "Version": "2012-10-17",
        "Statement": [{"Sid": sid, "Effect": "Allow", "Principal": "*", "Action": actions}],
    }


def create_repository(account, region, name, *, key_arn=None, public=False):
    """An ECR repository: ECR's AES-256 default, or KMS with `key_arn`; `public` lets every AWS account pull."""
    ecr = account.client("ecr", region)
    options = {"encryptionConfiguration": {"encryptionType": "KMS", "kmsKey": key_arn}} if key_arn else {}
    ecr.create_repository(repositoryName=name, **options)
    if public:
        policy = open_to_everyone("AnyonePulls", ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"])
        ecr.set_repository_policy(repositoryName=name, policyText=json.dumps(policy))
    return name


def function_role(account):
    iam = account.client("iam")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    try:
        return iam.get_role(RoleName="lambda-execution")["Role"]["Arn"]
    except ClientError:
        return iam.create_role(RoleName="lambda-execution", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]


def function_code():
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("handler.py", "def handle(event, context):\n    return {'ok': True}\n")
    return archive.getvalue()


def create_function(account, region, name, *, variables=None, key_arn=None, public=False, description=""):
    """A Lambda function; `variables` are encrypted with `key_arn`, else the AWS-managed aws/lambda key."""
    client = account.client("lambda", region)
    options = {"Environment": {"Variables": variables}} if variables else {}
    if key_arn:
        options["KMSKeyArn"] = key_arn
    client.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=function_role(account),
        Handler="handler.handle",
        Code={"ZipFile": function_code()},
        Description=description,
        **options,
    )
    if public:  # anyone may invoke it, e.g. a webhook someone wired up in a hurry
        client.add_permission(
            FunctionName=name, StatementId="AnyoneInvokes", Action="lambda:InvokeFunction", Principal="*"
        )
    return name


def create_cluster(account, region, name, key_arn=None):
    """An EKS cluster; with `key_arn` its Kubernetes secrets are envelope-encrypted with that key."""
    options = {"encryptionConfig": [{"resources": ["secrets"], "provider": {"keyArn": key_arn}}]} if key_arn else {}
    _vpc, subnets = default_network(account, region)
    account.client("eks", region).create_cluster(
        name=name,
        roleArn=f"arn:aws:iam::{account.account_id}:role/eks-cluster",
        resourcesVpcConfig={"subnetIds": subnets},
        **options,
    )
    return name


def encrypt_catalog(account, region, key_arn=None):
    """Turn on the region's Glue Data Catalog metadata encryption (the AWS-managed aws/glue key without `key_arn`)."""
    at_rest = {"CatalogEncryptionMode": "SSE-KMS", **({"SseAwsKmsKeyId": key_arn} if key_arn else {})}
    account.client("glue", region).put_data_catalog_encryption_settings(
        DataCatalogEncryptionSettings={"EncryptionAtRest": at_rest}
    )


def create_workgroup(account, region, name, results_bucket, *, key_arn=None, enforced=True):
    """An Athena workgroup writing SSE-KMS (with `key_arn`) or SSE-S3 results; `enforced` overrides clients."""
    encryption = {"EncryptionOption": "SSE_KMS", "KmsKey": key_arn} if key_arn else {"EncryptionOption": "SSE_S3"}
    account.client("athena", region).create_work_group(
        Name=name,
        Configuration={
            "ResultConfiguration": {
                "OutputLocation": f"s3://{results_bucket}/athena/{name}/",
                "EncryptionConfiguration": encryption,
            },
            "EnforceWorkGroupConfiguration": enforced,
        },
    )
    return name


def create_notebook(account, region, name, key_arn=None):
    options = {"KmsKeyId": key_arn} if key_arn else {}
    account.client("sagemaker", region).create_notebook_instance(
        NotebookInstanceName=name,
        InstanceType="ml.t3.medium",
        RoleArn=f"arn:aws:iam::{account.account_id}:role/sagemaker-notebooks",
        **options,
    )
    return name


def create_vault(account, region, name, key_arn=None):
    """A backup vault; without `key_arn` AWS Backup uses the AWS-managed aws/backup key."""
    options = {"EncryptionKeyArn": key_arn} if key_arn else {}
    return account.client("backup", region).create_backup_vault(BackupVaultName=name, **options)["BackupVaultArn"]
