"""How Posture's models appear in Django's admin."""


class ReadOnlyAdmin:
    """A ModelAdmin mixin: the admin shows these rows and changes none of them.

    Their changes belong to the dashboard's pages, which enforce the limits (a mute's expiry cap, one
    account's scope) and write the audit log; the admin would do neither.
    """

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
