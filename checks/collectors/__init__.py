"""Every collector, one module per AWS service. SCOPE "global" runs once; "regional" once per region."""

from checks.collectors import (
    athena,
    awslambda,
    backup,
    cloudfront,
    cloudtrail,
    config,
    dynamodb,
    ec2,
    ecr,
    efs,
    eks,
    elasticache,
    elbv2,
    firehose,
    glue,
    iam,
    kafka,
    kinesis,
    kms,
    logs,
    opensearch,
    proton,
    rds,
    redshift,
    s3,
    sagemaker,
    secretsmanager,
    sns,
    sqs,
    tagging,
)

COLLECTORS = [
    s3,
    kms,
    cloudtrail,
    iam,
    config,
    ec2,
    rds,
    redshift,
    dynamodb,
    sqs,
    sns,
    logs,
    secretsmanager,
    efs,
    elasticache,
    opensearch,
    kinesis,
    firehose,
    kafka,
    elbv2,
    cloudfront,
    proton,
    ecr,
    awslambda,
    eks,
    glue,
    athena,
    sagemaker,
    backup,
    tagging,
]


def client_services():
    """Every service a scan makes clients of: each collector's own and any other it names (ALSO_USES)."""
    return sorted(
        {module.SERVICE for module in COLLECTORS}
        | {name for module in COLLECTORS for name in getattr(module, "ALSO_USES", ())}
    )
