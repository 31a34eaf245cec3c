from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditEntry(models.Model):
    """Append-only record of what people did: who, when, from where, what. No update path in code."""

    class Action(models.TextChoices):
        SIGN_IN = "sign_in", "Signed in"
        SIGN_IN_FAILED = "sign_in_failed", "Failed sign-in"
        SIGN_OUT = "sign_out", "Signed out"
        SCAN_STARTED = "scan_started", "Started a scan"
        SCAN_CANCELLED = "scan_cancelled", "Cancelled a scan"
        MUTE = "mute", "Muted findings"
        UNMUTE = "unmute", "Unmuted findings"
        EXPORT = "export", "Exported"
        ACCOUNT_ADDED = "account_added", "Added an account"
        ACCOUNT_CHANGED = "account_changed", "Changed an account"
        ACCOUNTS_DISCOVERED = "accounts_discovered", "Discovered accounts"
        CONNECTION_TESTED = "connection_tested", "Tested a connection"
        USER_CHANGED = "user_changed", "Changed a user"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
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
