from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.validation import (
    role_arn_account,
    validate_account_id,
    validate_external_id,
    validate_regions,
    validate_role_arn,
    validate_team_name,
    validate_webhook_url,
    without_nul,
)


def default_regions():
    return list(settings.AWS_DEFAULT_REGIONS)


def default_interval():
    return settings.DEFAULT_SCAN_INTERVAL_MINUTES


class Organization(models.Model):
    org_id = models.CharField(max_length=64, unique=True)
    management_account_id = models.CharField(max_length=12, validators=[validate_account_id])
    role_name = models.CharField(max_length=64)
    external_id = models.CharField(max_length=1224, blank=True, validators=[validate_external_id])
    discovered_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return self.org_id


class AwsAccountQuerySet(models.QuerySet):
    def enabled(self):
        return self.filter(is_enabled=True)

    def due(self, now):
        """Accounts whose last scan started longer ago than their interval (or never scanned)."""
        never = Q(last_scan_started_at__isnull=True)
        accounts = [
            account.pk
            for account in self.filter(last_scan_started_at__isnull=False).only(
                "pk", "last_scan_started_at", "scan_interval_minutes"
            )
            if account.last_scan_started_at + timedelta(minutes=account.scan_interval_minutes) <= now
        ]
        return self.filter(never | Q(pk__in=accounts))


class AwsAccount(models.Model):
    class Connection(models.TextChoices):
        UNKNOWN = "unknown", "Not tested"
        OK = "ok", "Connected"
        ERROR = "error", "Cannot connect"

    account_id = models.CharField(max_length=12, unique=True, validators=[validate_account_id])
    name = models.CharField(max_length=128)
    role_arn = models.CharField(
        max_length=2048,
        blank=True,
        validators=[validate_role_arn],
        help_text="Blank: use the dashboard's own credentials.",
    )
    external_id = models.CharField(max_length=1224, blank=True, validators=[validate_external_id])
    regions = models.JSONField(default=default_regions, validators=[validate_regions])
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="accounts"
    )
    parent_id = models.CharField(max_length=64, blank=True)
    labels = models.JSONField(default=dict, blank=True)
    scan_interval_minutes = models.PositiveIntegerField(default=default_interval)
    is_enabled = models.BooleanField(default=True)
    connection_status = models.CharField(max_length=16, choices=Connection, default=Connection.UNKNOWN)
    last_error = models.TextField(blank=True)
    last_tested_at = models.DateTimeField(null=True, blank=True)
    last_scan_started_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = AwsAccountQuerySet.as_manager()

    class Meta:
        ordering = ["name", "account_id"]

    def __str__(self):
        return f"{self.name} ({self.account_id})"

    def clean(self):
        if self.role_arn and role_arn_account(self.role_arn) != self.account_id:
            raise ValidationError({"role_arn": "The role ARN must be in the same account as the account id."})
        if self.scan_interval_minutes is not None and self.scan_interval_minutes < 5:
            raise ValidationError({"scan_interval_minutes": "Scan at most every 5 minutes."})

    @property
    def home_region(self):
        return self.regions[0] if self.regions else settings.AWS_HOME_REGION

    def record_connection(self, error=""):
        self.connection_status = self.Connection.ERROR if error else self.Connection.OK
        self.last_error = without_nul(error)
        self.last_tested_at = timezone.now()
        self.save(update_fields=["connection_status", "last_error", "last_tested_at"])


class Team(models.Model):
    """A set of accounts and the people who see them (accounts.visibility turns a person into accounts)."""

    name = models.CharField(max_length=64, unique=True, validators=[validate_team_name])
    accounts = models.ManyToManyField(AwsAccount, blank=True, related_name="teams")
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="teams")
    webhook_url = models.URLField(
        max_length=2048,
        blank=True,
        validators=[validate_webhook_url],
        help_text="Scan notifications for this team's accounts only (https://). Blank: none.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name
