from django import forms
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.visibility import sees_all_accounts, visible_accounts
from checks.compliance import FRAMEWORKS
from checks.compliance.rollup import Rollup
from dashboard import compliance
from dashboard.exports.scope import ScopeError, parse_as_of
from dashboard.forms import AccountSelect, account_choices
from dashboard.htmx import page_or_fragment, vary_on_htmx
from dashboard.permissions import VIEWER, role_required

DEFAULT_FRAMEWORK = "pci-dss-4.0"


class ComplianceForm(forms.Form):
    framework = forms.ChoiceField(choices=[(slug, each.name) for slug, each in FRAMEWORKS.items()], required=False)
    as_of = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label="As of")
    account = forms.ChoiceField(required=False, widget=AccountSelect)

    def __init__(self, data, accounts):
        super().__init__(data)
        # Choices from the accounts the page reads anyway: a ModelChoiceField would read them all again.
        self.fields["account"].choices = account_choices(accounts)

    def clean_as_of(self):
        day = self.cleaned_data.get("as_of")
        try:
            return parse_as_of(day) if day else None
        except ScopeError as refused:
            raise forms.ValidationError(str(refused)) from None

    def choice(self, name, default=None):
        return (self.cleaned_data.get(name) if self.is_valid() else None) or default


def chosen(request):
    """(form, framework, accounts in view, as-of moment or None, the same accounts as a queryset or None)
    from the query string."""
    visible = visible_accounts(request.user).order_by("name")
    # (pk, account_id, name) rows, not model instances: 2,000 of those cost ~30 ms.
    accounts = list(visible.values_list("pk", "account_id", "name", named=True))
    form = ComplianceForm(request.GET or None, accounts)
    framework = FRAMEWORKS[form.choice("framework", DEFAULT_FRAMEWORK)]
    account_id = form.choice("account")
    among = compliance.EVERY_ACCOUNT if sees_all_accounts(request.user) else visible
    if account_id:
        accounts, among = [account for account in accounts if account.account_id == account_id], None
    return form, framework, accounts, form.choice("as_of"), among


@require_GET
@role_required(VIEWER)
def compliance_page(request):
    form, framework, accounts, at, among = chosen(request)
    rows = compliance.page_rows(framework, accounts, at, among)
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
    form, framework, accounts, at, _ = chosen(request)
    try:
        requirement = framework.requirement(request.GET.get("requirement", ""))
    except StopIteration:
        raise Http404("No such requirement in this framework.") from None
    findings = compliance.failing_findings(requirement, [account.pk for account in accounts], at)
    context = {"requirement": requirement, "findings": findings, "limit": compliance.FAILING_LIMIT}
    return render(request, "dashboard/compliance_failing.html", context)
