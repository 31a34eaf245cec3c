"""The check catalog: importing a module registers its checks (see base.check)."""

from checks.catalog import s3, ebs, rds, dynamodb, sqs, sns, logs, secretsmanager, efs, kms, cloudtrail, vpc, config, elbv2, cloudfront, iam, hygiene, proton  # noqa: F401
from checks.catalog.base import CATALOG, Check, check  # noqa: F401
