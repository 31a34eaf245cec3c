import datetime
import functools

from django import forms
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.models import AwsAccount
from accounts.visibility import narrowed_accounts, visible_accounts
from checks.history import BeyondRetention, ensure_reconstructable
from dashboard import changes as net
from dashboard.forms import AccountSelect, PlainChoices, blank
from dashboard.htmx import page_or_fragment, vary_on_htmx
from dashboard.permissions import VIEWER, role_required


class ChangesForm(forms.Form):
    start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label="From")
    end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label="To")
    account = forms.ModelChoiceField(
        queryset=AwsAccount.objects.none(),  # the accounts the person sees (__init__)
        required=False,
        empty_label="All accounts",
        to_field_name="account_id",
        widget=AccountSelect,
    )

    def __init__(self, data, user):
        super().__init__(data)
        accounts = visible_accounts(user)
        self.fields["account"].queryset = accounts.only("account_id", "name")
        # The options from (account id, name) tuples, as the field would write them: its own iterator makes a
        # model instance per account (2,000 of them: ~50 ms). Lazy: read only when rendered (not by the API).
        # Validating a choice still asks the queryset. Built once: Django reads the first choice before rendering.
        rows = accounts.order_by("name", "account_id").values_list("account_id", "name")
        self.fields["account"].widget.choices = functools.cache(
            lambda: PlainChoices(blank([(aid, f"{name} ({aid})") for aid, name in rows], "All accounts"))
        )

    def clean(self):
        data = super().clean()
        today = timezone.now().date()
        start, end = data.get("start"), data.get("end")
        if end and end > today:
            self.add_error("end", "The end date is in the future.")
        if start and end and start >= end:
            self.add_error("start", "The start date must be before the end date.")
        if start:
            try:
                ensure_reconstructable(net.end_of(start))
            except BeyondRetention as refused:
                self.add_error("start", str(refused))
        return data

    def window(self):
        """(first, last): the window is the days after `first` up to `last` (UTC); by default the last 7 days."""
        today = timezone.now().date()
        data = self.cleaned_data if self.is_valid() else {}
        last = data.get("end") or today
        return data.get("start") or last - datetime.timedelta(days=7), last


def seen_accounts(user):
    """The accounts to look in: None (every account) for those who see all, else the list of theirs."""
    narrowed = narrowed_accounts(user)
    return None if narrowed is None else list(narrowed)


@require_GET
@role_required(VIEWER)
def changes(request):
    form = ChangesForm(request.GET or None, request.user)
    first, last = form.window()
    account = form.cleaned_data.get("account") if form.is_valid() else None
    grouped, totals = net.net_changes(first, last, [account] if account else seen_accounts(request.user))
    sections = [(kind, accounts, totals[kind]) for kind, accounts in grouped.items()]
    start, end = net.moments(first, last)
    context = {
        "form": form,
        "start": start,
        "end": end,
        "sections": sections,
        "totals": totals,
        "limit": net.LIMIT,
    }
    template = page_or_fragment(request, "dashboard/changes.html", "changes-list")
    return vary_on_htmx(render(request, template, context))
