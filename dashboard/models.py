from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditEntry(models.Model):
    """Append-only record of what people did: who, when, from where, what. No update path in code."""

    class Action(models.TextChoices):
        SIGN_IN = "sign_in", "Signed in"
        SIGN_IN_FAILED = "sign_in_failed", "Failed sign-in"
        SIGN_IN_LOCKED_OUT = "sign_in_locked_out", "Locked out of sign-in"
        SIGN_IN_UNLOCKED = "sign_in_unlocked", "Unlocked sign-in"
        SIGN_OUT = "sign_out", "Signed out"
        SCAN_STARTED = "scan_started", "Started a scan"
        SCAN_CANCELLED = "scan_cancelled", "Cancelled a scan"
        MUTE = "mute", "Muted findings"
        UNMUTE = "unmute", "Unmuted findings"
        EXPORT = "export", "Exported"
        ACCOUNT_ADDED = "account_added", "Added an account"
        ACCOUNT_CHANGED = "account_changed", "Changed an account"
        ACCOUNT_DELETED = "account_deleted", "Deleted an account"
        ACCOUNTS_DISCOVERED = "accounts_discovered", "Discovered accounts"
        CONNECTION_TESTED = "connection_tested", "Tested a connection"
        USER_CHANGED = "user_changed", "Changed a user"
        TOKEN_CREATED = "token_created", "Created an API token"
        TOKEN_REVOKED = "token_revoked", "Revoked an API token"
        TEAM_ADDED = "team_added", "Added a team"
        TEAM_CHANGED = "team_changed", "Changed a team"
        TEAM_DELETED = "team_deleted", "Deleted a team"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(max_length=150, blank=True)
    address = models.GenericIPAddressField(null=True, blank=True)
    action = models.CharField(max_length=32, choices=Action)
    target = models.CharField(max_length=512, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["action", "-at"]), models.Index(fields=["username", "-at"])]
        verbose_name_plural = "audit entries"

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username or '-'} {self.action} {self.target}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Audit entries are append-only.")
        super().save(*args, **kwargs)


class ReportJob(models.Model):
    """A report built in the background (PDF, XLSX, evidence packs, large CSV/JSON), and its file."""

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        JSON = "json", "JSON"
        XLSX = "xlsx", "Excel workbook (XLSX)"
        PDF = "pdf", "PDF report"
        EVIDENCE = "evidence", "Evidence pack (ZIP)"
        OCSF = "ocsf", "OCSF Detection Findings (JSON lines, for SIEMs)"

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Building"
        SUCCEEDED = "succeeded", "Ready"
        FAILED = "failed", "Failed"

    FINISHED = (State.SUCCEEDED, State.FAILED)
    # A job still building after this long lost its worker (build_report's hard time limit is shorter).
    STALL_AFTER = timedelta(hours=1)

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    format = models.CharField(max_length=16, choices=Format)
    scope = models.JSONField(default=dict)
    status = models.CharField(max_length=16, choices=State, default=State.QUEUED)
    # The broker refused the task: the job waits, nothing is lost; it can be queued again or built in the web process.
    queue_unavailable = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    stage = models.CharField(max_length=64, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    file_name = models.CharField(max_length=255, blank=True)
    file_size = models.BigIntegerField(null=True, blank=True)
    row_count = models.PositiveIntegerField(null=True, blank=True)
    error_message = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["requested_by", "-created_at"])]

    def __str__(self):
        return f"Report {self.pk} ({self.format}, {self.status})"

    @property
    def is_finished(self):
        return self.status in self.FINISHED

    @property
    def is_stalled(self):
        return (
            self.status == self.State.RUNNING
            and self.started_at is not None
            and self.started_at < timezone.now() - self.STALL_AFTER
        )

    @property
    def can_be_built(self):
        """Queued (the queue is down, or no worker came) or stalled: a person may build it."""
        return self.status == self.State.QUEUED or self.is_stalled

    @property
    def progress_percent(self):
        if not self.progress_total:
            return 0
        return min(100, round(100 * self.progress_done / self.progress_total))


class SsoIdentity(models.Model):
    """Who a user is at the identity provider: its issuer and subject (`sub`), which never change, unlike an
    e-mail address or a user name. A sign-in through the provider finds its user by this pair only."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sso_identity")
    issuer = models.CharField(max_length=255)
    subject = models.CharField(max_length=255)
    created_at = models.DateTimeField(default=timezone.now)
    last_sign_in_at = models.DateTimeField(null=True, blank=True)
    groups = models.JSONField(default=list, blank=True)  # the groups claim at the last sign-in, as sent

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issuer", "subject"], name="sso_identity_unique_subject")]
        verbose_name_plural = "SSO identities"

    def __str__(self):
        return f"{self.subject} at {self.issuer}"
