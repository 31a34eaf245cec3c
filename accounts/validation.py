"""Validators for what identifies an AWS account and how we reach it."""

import re
from functools import cache
from urllib.parse import urlsplit

import botocore.session
from django.conf import settings
from django.core.exceptions import ValidationError

ACCOUNT_ID = re.compile(r"\d{12}")
ROLE_ARN = re.compile(r"arn:(aws|aws-us-gov|aws-cn):iam::(\d{12}):role/[\w+=,.@/-]{1,512}")
EXTERNAL_ID = re.compile(r"[\w+=,.@:/-]{2,1224}")


def validate_account_id(value):
    if not ACCOUNT_ID.fullmatch(value or ""):
        raise ValidationError(f"An AWS account id is exactly 12 digits; {value!r} is not.", code="account_id")


def validate_role_arn(value):
    if not ROLE_ARN.fullmatch(value or ""):
        raise ValidationError(
            f"{value!r} is not an IAM role ARN (arn:aws:iam::123456789012:role/NAME).", code="role_arn"
        )


def role_arn_account(value):
    match = ROLE_ARN.fullmatch(value or "")
    return match.group(2) if match else None


def validate_external_id(value):
    if not EXTERNAL_ID.fullmatch(value or ""):
        raise ValidationError(
            "An ExternalId is 2 to 1224 characters of letters, digits and +=,.@:/-_ .", code="external_id"
        )


@cache
def known_regions(partition="aws"):
    session = botocore.session.get_session()
    regions = set()
    for service in ("ec2", "s3", "kms"):
        regions.update(session.get_available_regions(service, partition_name=partition))
    return frozenset(regions)


def validate_regions(values):
    if not values:
        raise ValidationError("Choose at least one region.", code="regions")
    unknown = sorted(set(values) - known_regions())
    if unknown:
        raise ValidationError(f"Unknown AWS region(s): {', '.join(unknown)}.", code="regions")


def without_nul(text):
    """`text` with NUL replaced by U+FFFD: PostgreSQL refuses NUL in text columns, and AWS-supplied text
    (account names, error messages) can hold anything. checks.inventory applies the same rule to records."""
    return text.replace("\x00", "\ufffd") if text and "\x00" in text else text


TEAM_NAME = re.compile(r"[\w][\w .@+-]{0,63}")


def validate_team_name(value):
    if not TEAM_NAME.fullmatch(value or "") or value != value.strip():
        raise ValidationError(
            f"A team name is 1 to 64 letters, digits, spaces and ._@+- (starting with a letter or digit); "
            f"{value!r} is not.",
            code="team_name",
        )


def validate_webhook_url(value):
    """https:// with a host (http:// only with POSTURE_WEBHOOK_ALLOW_PLAIN_HTTP), like POSTURE_WEBHOOK_URLS."""
    schemes = ("https", "http") if settings.WEBHOOK_ALLOW_PLAIN_HTTP else ("https",)
    parts = urlsplit(value or "")
    if parts.scheme not in schemes or not parts.hostname:
        raise ValidationError(
            "A webhook URL is an https:// URL (http:// only with POSTURE_WEBHOOK_ALLOW_PLAIN_HTTP=true).",
            code="webhook_url",
        )
