"""The sign-in page: a local password (Django's view, throttled by django-axes), single sign-on, or both."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render

from dashboard import audit


def sign_in_options():
    return {
        "local_passwords": settings.LOCAL_PASSWORDS,
        "sso_enabled": settings.SSO_ENABLED,
        "sso_provider": settings.SSO_PROVIDER_NAME,
    }


@login_not_required
def login(request):
    """With POSTURE_LOCAL_PASSWORDS=false the page offers only single sign-on and a posted password is
    refused here (and by every other form: no password backend is configured)."""
    if settings.LOCAL_PASSWORDS:
        return auth_views.LoginView.as_view(extra_context=sign_in_options())(request)
    context = {**sign_in_options(), "next": request.GET.get("next", "")}
    if request.method == "POST":
        audit.record(
            request,
            audit.Action.SIGN_IN_FAILED,
            username=str(request.POST.get("username", ""))[:150],
            method="password",
            reason="local passwords are turned off",
        )
        context["password_refused"] = True
        return render(request, "registration/login.html", context, status=403)
    return render(request, "registration/login.html", context)
