"""Changing one's own password: Django's view, plus an audit entry (the admin audits its own changes)."""

from django.contrib.auth import views as auth_views

from dashboard import audit


class PasswordChangeView(auth_views.PasswordChangeView):
    def form_valid(self, form):
        response = super().form_valid(form)
        audit.record(
            self.request,
            audit.Action.USER_CHANGED,
            target=f"user {self.request.user.get_username()}",
            change="password changed",
        )
        return response
