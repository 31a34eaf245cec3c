"""Every collector, one module per AWS service. SCOPE "global" runs once; "regional" once per region."""

from checks.collectors import (
    cloudfront,
    cloudtrail,
    config,
    dynamodb,
    ec2,
    efs,
    elbv2,
    iam,
    kms,
    logs,
    proton,
    rds,
    s3,
    secretsmanager,
    sns,
    sqs,
)

COLLECTORS = [
    s3,
    kms,
    cloudtrail,
    iam,
    config,
    ec2,
    rds,
    dynamodb,
    sqs,
    sns,
    logs,
    secretsmanager,
    efs,
    elbv2,
    cloudfront,
    proton,
]
