from django.contrib import admin

from checks.models import Scan, Suppression


@admin.register(Scan)
class ScanAdmin(admin.ModelAdmin):
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
class SuppressionAdmin(admin.ModelAdmin):
    list_display = ("check_id", "account", "resource_pattern", "expires_at", "created_by", "revoked_at")
    list_filter = ("check_id",)
    raw_id_fields = ("account",)
