from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import Group, User
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse

from dashboard import audit
from dashboard.models import AuditEntry, SsoIdentity
from posture.admin import ReadOnlyAdmin


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only."""

    list_display = ("at", "username", "action", "target", "address")
    list_filter = ("action", "at")
    search_fields = ("username", "target", "address")
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AuditedAdmin:
    """Users and roles (groups) changed in the admin go to the audit log with who, where and what changed."""

    def log_addition(self, request, obj, message):
        audit.record(
            request,
            audit.Action.USER_CHANGED,
            target=self.audit_target(obj),
            change="added",
            fields=self.changed_fields(message),
        )
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        audit.record(
            request,
            audit.Action.USER_CHANGED,
            target=self.audit_target(obj),
            change="changed",
            fields=self.changed_fields(message),
        )
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            audit.record(request, audit.Action.USER_CHANGED, target=self.audit_target(obj), change="deleted")
        return super().log_deletions(request, queryset)

    def audit_target(self, obj):
        return f"{obj._meta.verbose_name} {obj}"

    @staticmethod
    def changed_fields(message):
        # Django's change message: [{"changed": {"fields": [...]}}] (labels only, never values or hashes).
        fields = []
        for part in message if isinstance(message, list) else []:
            for entry in part.values():
                fields.extend(entry.get("fields", []) if isinstance(entry, dict) else [])
        return fields


admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class AuditedUserAdmin(AuditedAdmin, UserAdmin):
    pass


@admin.register(Group)
class AuditedGroupAdmin(AuditedAdmin, GroupAdmin):
    pass


@admin.register(AccessAttempt)
class AuditedAccessAttemptAdmin(AccessAttemptAdmin):
    """django-axes' failed sign-in counts (AXES_ENABLE_ADMIN is off so this one replaces axes' own page).
    Deleting a row unlocks its user name and address, and goes to the audit log."""

    def log_deletions(self, request, queryset):
        for attempt in queryset:
            target = f"user name {attempt.username or '-'} from {attempt.ip_address or '-'}"
            audit.record(request, audit.Action.SIGN_IN_UNLOCKED, target=target)
        return super().log_deletions(request, queryset)


@admin.register(SsoIdentity)
class SsoIdentityAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """Who each single sign-on user is at the provider: set by sign-ins only (dashboard.sso)."""

    list_display = ("user", "issuer", "subject", "last_sign_in_at")
    search_fields = ("user__username", "subject")
    list_select_related = ("user",)


admin_password_login = admin.site.login


@login_not_required
def admin_login(request, extra_context=None):
    """With POSTURE_LOCAL_PASSWORDS=false the admin's password form could never succeed: people sign in on
    Posture's sign-in page (single sign-on) and come back; superusers come from POSTURE_OIDC_SUPERUSER_GROUPS."""
    if not settings.LOCAL_PASSWORDS:
        return redirect_to_login(request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index"))
    return admin_password_login(request, extra_context)


admin.site.login = admin_login
