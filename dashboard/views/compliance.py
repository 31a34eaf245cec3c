from django import forms
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.visibility import visible_accounts
from checks.compliance import FRAMEWORKS
from checks.compliance.rollup import Rollup
from dashboard import compliance
from dashboard.exports.scope import ScopeError, parse_as_of
from dashboard.forms import AccountSelect
from dashboard.htmx import page_or_fragment, vary_on_htmx
from dashboard.permissions import VIEWER, role_required

DEFAULT_FRAMEWORK = "pci-dss-4.0"


class ComplianceForm(forms.Form):
    framework = forms.ChoiceField(choices=[(slug, each.name) for slug, each in FRAMEWORKS.items()], required=False)
    as_of = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label="As of")
    account = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="All accounts", to_field_name="account_id", widget=AccountSelect
    )

    def __init__(self, data, user):
        super().__init__(data)
        self.fields["account"].queryset = visible_accounts(user).only("account_id", "name").order_by("name")

    def clean_as_of(self):
        day = self.cleaned_data.get("as_of")
        try:
            return parse_as_of(day) if day else None
        except ScopeError as refused:
            raise forms.ValidationError(str(refused)) from None

    def choice(self, name, default=None):
        return (self.cleaned_data.get(name) if self.is_valid() else None) or default


def chosen(request):
    """(form, framework, accounts in view, as-of moment or None) from the query string."""
    form = ComplianceForm(request.GET or None, request.user)
    framework = FRAMEWORKS[form.choice("framework", DEFAULT_FRAMEWORK)]
    account = form.choice("account")
    accounts = [account] if account else list(form.fields["account"].queryset)
    return form, framework, accounts, form.choice("as_of")


@require_GET
@role_required(VIEWER)
def compliance_page(request):
    form, framework, accounts, at = chosen(request)
    rows = compliance.page_rows(framework, accounts, at)
    context = {
        "form": form,
        "framework": framework,
        "accounts": accounts,
        "at": at,
        "rows": rows,
        "totals": [(Rollup(status), count) for status, count in compliance.totals(rows).items()],
        "Rollup": Rollup,
        "accounts_listed": compliance.ACCOUNTS_LISTED,
    }
    template = page_or_fragment(request, "dashboard/compliance.html", "compliance-table")
    return vary_on_htmx(render(request, template, context))


@require_GET
@role_required(VIEWER)
def requirement_failing(request):
    form, framework, accounts, at = chosen(request)
    try:
        requirement = framework.requirement(request.GET.get("requirement", ""))
    except StopIteration:
        raise Http404("No such requirement in this framework.") from None
    findings = compliance.failing_findings(requirement, [account.pk for account in accounts], at)
    context = {"requirement": requirement, "findings": findings, "limit": compliance.FAILING_LIMIT}
    return render(request, "dashboard/compliance_failing.html", context)
