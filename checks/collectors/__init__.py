"""Every collector, one module per AWS service. SCOPE "global" runs once; "regional" once per region."""

from checks.collectors import s3, kms, cloudtrail, iam, config, ec2, rds, dynamodb, sqs, sns, logs, secretsmanager, efs, elbv2, cloudfront, proton

COLLECTORS = [s3, kms, cloudtrail, iam, config, ec2, rds, dynamodb, sqs, sns, logs, secretsmanager, efs, elbv2, cloudfront, proton]
