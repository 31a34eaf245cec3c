"""The data stores catalog v2 judges, for bench/scan's `--estate wide`: made through the AWS APIs like the rest.

The narrow estate (bench/scan.KINDS) holds only the eight kinds Posture judged before catalog v2, so every
service added since costs its listings in every region and adds no resource: a figure per resource from it
says what an account without those services costs. The wide estate spreads the same number of resources over
those kinds and seven more (EBS snapshots, RDS instances, Kinesis streams, ECR repositories, Lambda
functions, Backup vaults, Athena workgroups), half of each well configured, like an account that uses them.
"""

import io
import zipfile

WIDE_KINDS = ("snapshot", "rds", "kinesis", "ecr", "lambda", "backup", "athena")


def handler_zip():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handle(event, context):\n    return event\n")
    return buffer.getvalue()


def make_snapshots(session, region, count, key):
    ec2 = session.client("ec2", region_name=region)
    volume = ec2.create_volume(AvailabilityZone=f"{region}a", Size=1, Encrypted=False)["VolumeId"]
    for index in range(count):
        snapshot = ec2.create_snapshot(VolumeId=volume, Description=f"bench {index}")["SnapshotId"]
        if index % 4 == 1:  # a few shared with everyone: the public-snapshot check's failures
            ec2.modify_snapshot_attribute(
                SnapshotId=snapshot, Attribute="createVolumePermission", OperationType="add", GroupNames=["all"]
            )


def make_databases(session, region, count, key):
    rds = session.client("rds", region_name=region)
    for index in range(count):
        encrypted = {"StorageEncrypted": True, "KmsKeyId": key} if key and index % 2 == 0 else {}
        rds.create_db_instance(
            DBInstanceIdentifier=f"bench-{index}",
            Engine="postgres",
            DBInstanceClass="db.t3.micro",
            AllocatedStorage=20,
            MasterUsername="bench",
            MasterUserPassword="not-a-password-1",
            **encrypted,
        )


def make_streams(session, region, count, key):
    kinesis = session.client("kinesis", region_name=region)
    for index in range(count):
        kinesis.create_stream(StreamName=f"bench-{index}", ShardCount=1)
        if key and index % 2 == 0:
            kinesis.start_stream_encryption(StreamName=f"bench-{index}", EncryptionType="KMS", KeyId=key)


def make_repositories(session, region, count, key):
    ecr = session.client("ecr", region_name=region)
    for index in range(count):
        encryption = (
            {"encryptionType": "KMS", "kmsKey": key} if key and index % 2 == 0 else {"encryptionType": "AES256"}
        )
        ecr.create_repository(repositoryName=f"bench-{index}", encryptionConfiguration=encryption)


def make_functions(session, region, count, key):
    role = session.client("iam").create_role(
        RoleName=f"bench-lambda-{region}",
        AssumeRolePolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
        '"Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}',
    )["Role"]["Arn"]
    functions = session.client("lambda", region_name=region)
    code = handler_zip()
    for index in range(count):
        encrypted = {"KMSKeyArn": key} if key and index % 2 == 0 else {}
        functions.create_function(
            FunctionName=f"bench-{index}",
            Runtime="python3.12",
            Role=role,
            Handler="handler.handle",
            Code={"ZipFile": code},
            Environment={"Variables": {"STAGE": "bench"}},
            **encrypted,
        )


def make_vaults(session, region, count, key):
    backup = session.client("backup", region_name=region)
    for index in range(count):
        encrypted = {"EncryptionKeyArn": key} if key and index % 2 == 0 else {}
        backup.create_backup_vault(BackupVaultName=f"bench-{index}", **encrypted)


def make_workgroups(session, region, count, key):
    athena = session.client("athena", region_name=region)
    for index in range(count):
        encryption = (
            {"EncryptionOption": "SSE_KMS", "KmsKey": key} if key and index % 2 == 0 else {"EncryptionOption": "SSE_S3"}
        )
        athena.create_work_group(
            Name=f"bench-{index}",
            Configuration={"ResultConfiguration": {"EncryptionConfiguration": encryption}},
        )


MAKERS = {
    "snapshot": make_snapshots,
    "rds": make_databases,
    "kinesis": make_streams,
    "ecr": make_repositories,
    "lambda": make_functions,
    "backup": make_vaults,
    "athena": make_workgroups,
}


def fill_wide(session, region, made, key):
    """Make the wide kinds' share of a region (`made`: bench/scan.share over narrow and wide kinds)."""
    for kind in WIDE_KINDS:
        if made.get(kind):
            MAKERS[kind](session, region, made[kind], key)
