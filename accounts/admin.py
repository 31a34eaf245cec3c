from django.contrib import admin

from accounts.models import AwsAccount, Organization


@admin.register(AwsAccount)
class AwsAccountAdmin(admin.ModelAdmin):
    list_display = ("name", "account_id", "organization", "is_enabled", "connection_status", "last_scan_started_at")
    list_filter = ("is_enabled", "connection_status", "organization")
    search_fields = ("name", "account_id")


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("org_id", "management_account_id", "role_name", "discovered_at")
