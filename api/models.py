"""API tokens: made by a person, scoped like them or narrower, stored only as a hash."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import AwsAccount, Team
from dashboard.permissions import ROLES


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, at=None):
        """Neither revoked nor expired at `at` (now)."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=at or timezone.now())


class ApiToken(models.Model):
    """A machine's key to /api/v1/. Only the SHA-256 of the secret is kept; the secret is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    # The first characters of the secret ("pst_Ab3dE6gH"), to tell tokens apart in lists and logs.
    prefix = models.CharField(max_length=16)
    secret_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    # Narrower than the owner: a lower role ("" = the owner's own), and only the accounts of some of their teams
    # and/or some of their accounts (neither named = all the owner sees).
    role = models.CharField(max_length=16, choices=[(role, role) for role in ROLES], blank=True)
    teams = models.ManyToManyField(Team, blank=True, related_name="+")
    accounts = models.ManyToManyField(AwsAccount, blank=True, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_used_from = models.GenericIPAddressField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    def is_expired(self, at=None):
        return self.expires_at <= (at or timezone.now())

    def is_revoked(self):
        return self.revoked_at is not None

    @property
    def state(self):
        if self.is_revoked():
            return "revoked"
        return "expired" if self.is_expired() else "active"
