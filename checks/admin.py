from django.contrib import admin

from checks.models import Scan, Suppression
from posture.admin import ReadOnlyAdmin


@admin.register(Scan)
class ScanAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """Read-only: scans are started and cancelled on the account page, and are history."""

    list_display = (
        "id",
        "account",
        "trigger",
        "status",
        "queued_at",
        "finished_at",
        "resource_count",
        "api_call_count",
    )
    list_filter = ("status", "trigger")
    raw_id_fields = ("account",)


@admin.register(Suppression)
class SuppressionAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """Read-only: mutes are made and revoked on the Findings pages, which cap the expiry and audit them."""

    list_display = ("check_id", "account", "resource_pattern", "expires_at", "created_by", "revoked_at")
    list_filter = ("check_id",)
    raw_id_fields = ("account",)
