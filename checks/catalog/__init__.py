"""The check catalog: importing a module registers its checks (see base.check)."""

from checks.catalog import (  # noqa: F401 - importing a module registers its checks
    cloudfront,
    cloudtrail,
    config,
    dynamodb,
    ebs,
    efs,
    elasticache,
    elbv2,
    firehose,
    hygiene,
    iam,
    kafka,
    kinesis,
    kms,
    logs,
    opensearch,
    proton,
    rds,
    s3,
    s3_access,
    secretsmanager,
    sns,
    sqs,
    vpc,
)
from checks.catalog.base import CATALOG, Check, check  # noqa: F401
