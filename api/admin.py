from django.contrib import admin, messages

from api import tokens
from api.models import ApiToken
from dashboard import audit
from posture.admin import ReadOnlyAdmin


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """Everyone's API tokens, read-only (never their hash); an admin can revoke them (audited)."""

    list_display = ("name", "user", "prefix", "state", "created_at", "expires_at", "last_used_at", "last_used_from")
    list_filter = ("revoked_at", "expires_at")
    search_fields = ("name", "prefix", "user__username")
    exclude = ("secret_hash",)
    actions = ["revoke"]

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        revoked = [token for token in queryset.select_related("user") if tokens.revoke(token)]
        for token in revoked:
            audit.record(
                request, audit.Action.TOKEN_REVOKED, target=str(token), token=token.pk, owner=token.user.username
            )
        messages.success(request, f"Revoked {len(revoked)} token(s).")
