from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import organizations
from accounts.forms import AwsAccountForm, DiscoverForm, TeamForm
from accounts.models import AwsAccount, Team
from accounts.visibility import visible_accounts
from dashboard import audit
from dashboard.htmx import page_or_fragment
from dashboard.permissions import ADMIN, role_required

TEMPLATE_PATH = Path(__file__).resolve().parent / "cloudformation" / "audit-role.yaml"


@require_GET
@role_required(ADMIN)
def account_list(request):
    accounts = visible_accounts(request.user).select_related("organization").prefetch_related("teams")
    return render(request, "accounts/list.html", {"accounts": accounts, "discover_form": DiscoverForm()})


@require_http_methods(["GET", "POST"])
@role_required(ADMIN)
def account_add(request):
    return edit(request, AwsAccount(), audit.Action.ACCOUNT_ADDED)


@require_http_methods(["GET", "POST"])
@role_required(ADMIN)
def account_edit(request, pk):
    return edit(request, get_object_or_404(visible_accounts(request.user), pk=pk), audit.Action.ACCOUNT_CHANGED)


def edit(request, account, action):
    form = AwsAccountForm(request.POST or None, instance=account)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        audit.record(request, action, saved, changed=form.changed_data)
        messages.success(request, f"Saved {saved}.")
        return redirect("accounts:list")
    return render(request, "accounts/form.html", {"form": form, "account": account})


@require_POST
@role_required(ADMIN)
def account_toggle(request, pk):
    account = get_object_or_404(visible_accounts(request.user), pk=pk)
    account.is_enabled = not account.is_enabled
    account.save(update_fields=["is_enabled"])
    audit.record(request, audit.Action.ACCOUNT_CHANGED, account, enabled=account.is_enabled)
    return render_row(request, account)


@require_POST
@role_required(ADMIN)
def account_test(request, pk):
    account = get_object_or_404(visible_accounts(request.user), pk=pk)
    organizations.test_connection(account)
    audit.record(request, audit.Action.CONNECTION_TESTED, account, status=account.connection_status)
    return render_row(request, account)


def render_row(request, account):
    if request.htmx:
        return render(request, "accounts/list.html#account-row", {"account": account})
    messages.info(request, f"{account}: {account.get_connection_status_display()}. {account.last_error}")
    return redirect("accounts:list")


@require_POST
@role_required(ADMIN)
def discover(request):
    form = DiscoverForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            found = organizations.discover(data["management_account_id"], data["role_name"], data["external_id"])
        except (ClientError, BotoCoreError, ValidationError) as error:
            form.add_error(None, f"Discovery failed: {organizations.describe_error(error)}")
        else:
            audit.record(
                request,
                audit.Action.ACCOUNTS_DISCOVERED,
                found.organization,
                created=len(found.created),
                disabled=len(found.disabled),
            )
            messages.success(
                request,
                f"Organization {found.organization}: {len(found.created)} added, "
                f"{len(found.updated)} updated, {len(found.disabled)} disabled.",
            )
            return redirect("accounts:list")
    accounts = visible_accounts(request.user).select_related("organization").prefetch_related("teams")
    template = page_or_fragment(request, "accounts/list.html", "discover-form")
    return render(request, template, {"accounts": accounts, "discover_form": form})


@require_GET
@role_required(ADMIN)
def cloudformation_template(request):
    return FileResponse(
        TEMPLATE_PATH.open("rb"),
        as_attachment=True,
        filename="posture-audit-role.yaml",
        content_type="application/x-yaml",
    )


# --- teams -------------------------------------------------------------------------------------------------


@require_GET
@role_required(ADMIN)
def team_list(request):
    teams = Team.objects.prefetch_related("accounts", "members")
    return render(request, "accounts/teams.html", {"teams": teams})


@require_http_methods(["GET", "POST"])
@role_required(ADMIN)
def team_add(request):
    return edit_team(request, Team(), audit.Action.TEAM_ADDED)


@require_http_methods(["GET", "POST"])
@role_required(ADMIN)
def team_edit(request, pk):
    return edit_team(request, get_object_or_404(Team, pk=pk), audit.Action.TEAM_CHANGED)


def edit_team(request, team, action):
    accounts = visible_accounts(request.user).order_by("name", "account_id")
    form = TeamForm(request.POST or None, instance=team, accounts=accounts)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        audit.record(
            request,
            action,
            f"team {saved.name}",
            changed=form.changed_data,
            accounts=sorted(saved.accounts.values_list("account_id", flat=True)),
            members=sorted(saved.members.values_list("username", flat=True)),
        )
        messages.success(request, f"Saved team {saved.name}.")
        return redirect("accounts:teams")
    return render(request, "accounts/team_form.html", {"form": form, "team": team})


@require_POST
@role_required(ADMIN)
def team_delete(request, pk):
    team = get_object_or_404(Team, pk=pk)
    name = team.name
    team.delete()
    audit.record(request, audit.Action.TEAM_DELETED, f"team {name}")
    messages.success(request, f"Deleted team {name}; its accounts stay.")
    return redirect("accounts:teams")
