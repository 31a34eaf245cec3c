from django.contrib import admin

from accounts.models import AwsAccount, Organization
from dashboard import audit
from posture.admin import ReadOnlyAdmin


@admin.register(AwsAccount)
class AwsAccountAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """Read-only: accounts are added, changed, enabled and disabled on the Accounts pages (audited there).
    Deleting one (and its findings and history) is the admin's alone — no page does it — and is audited."""

    list_display = ("name", "account_id", "organization", "is_enabled", "connection_status", "last_scan_started_at")
    list_filter = ("is_enabled", "connection_status", "organization")
    search_fields = ("name", "account_id")

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def get_deleted_objects(self, objs, request):
        # Its scans, findings and mutes go with it (their own admin pages delete nothing): not a missing permission.
        deleted, counts, _needed, protected = super().get_deleted_objects(objs, request)
        return deleted, counts, set(), protected

    def log_deletions(self, request, queryset):
        for account in queryset:
            audit.record(request, audit.Action.ACCOUNT_DELETED, account, account_id=account.account_id)
        return super().log_deletions(request, queryset)

    # The totals over every account follow a deletion by themselves (checks/totals.py, on post_delete).


@admin.register(Organization)
class OrganizationAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("org_id", "management_account_id", "role_name", "discovered_at")
