"""A person's API tokens: create (the secret is shown once), list, revoke. Their own tokens only."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET, require_POST

from api import tokens
from api.forms import TokenForm
from api.models import ApiToken
from dashboard import audit
from dashboard.permissions import VIEWER, role_required

PAGE = "api/tokens.html"


def page(request, form=None, secret=None, new_token=None, status=200):
    context = {
        "form": form or TokenForm(request.user),
        "tokens": ApiToken.objects.filter(user=request.user).prefetch_related("accounts", "teams"),
        "secret": secret,
        "new_token": new_token,
    }
    response = render(request, PAGE, context, status=status)
    add_never_cache_headers(response)  # the secret must not linger in a cache
    return response


@require_GET
@role_required(VIEWER)
def tokens_page(request):
    return page(request)


@require_POST
@role_required(VIEWER)
def token_create(request):
    form = TokenForm(request.user, request.POST)
    if not form.is_valid():
        return page(request, form=form)
    token, secret = form.issue()
    audit.record(
        request,
        audit.Action.TOKEN_CREATED,
        target=str(token),
        token=token.pk,
        expires_at=token.expires_at.isoformat(),
        role=token.role or "owner's",
        accounts=[a.account_id for a in form.cleaned_data["accounts"]] or "owner's",
        teams=[team.name for team in form.cleaned_data["teams"]] or "owner's",
    )
    return page(request, secret=secret, new_token=token)


@require_POST
@role_required(VIEWER)
def token_revoke(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    if tokens.revoke(token):
        audit.record(request, audit.Action.TOKEN_REVOKED, target=str(token), token=token.pk)
        messages.success(request, f"Revoked “{token.name}”. Requests with it are refused from now on.")
    else:
        messages.info(request, f"“{token.name}” was already revoked.")
    return redirect("profile:tokens")
