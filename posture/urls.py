from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from dashboard import sso
from dashboard.views import health, password, signin

urlpatterns = [
    path("login/", signin.login, name="login"),
    # Single sign-on (dashboard/sso.py); the names are mozilla-django-oidc's, which it reverses itself.
    path("oidc/authenticate/", sso.sign_in_start, name="oidc_authentication_init"),
    path("oidc/callback/", sso.sign_in_callback, name="oidc_authentication_callback"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", password.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("healthz", health.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("profile/", include("api.profile_urls")),
    path("api/", include("api.urls")),
    path("", include("dashboard.urls")),
]
