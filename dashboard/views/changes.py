import datetime

from django import forms
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.models import AwsAccount
from checks.history import BeyondRetention, ensure_reconstructable
from dashboard import changes as net
from dashboard.htmx import page_or_fragment, vary_on_htmx
from dashboard.permissions import VIEWER, role_required


class ChangesForm(forms.Form):
    start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label="From")
    end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label="To")
    account = forms.ModelChoiceField(
        queryset=AwsAccount.objects.all(), required=False, empty_label="All accounts", to_field_name="account_id"
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
                ensure_reconstructable(end_of(start))
            except BeyondRetention as refused:
                self.add_error("start", str(refused))
        return data

    def window(self):
        """(start, end) as aware datetimes: the ends of the chosen days; default 7 days ago → now."""
        now = timezone.now()
        data = self.cleaned_data if self.is_valid() else {}
        end = end_of(data["end"]) if data.get("end") else now
        start = end_of(data["start"]) if data.get("start") else end - datetime.timedelta(days=7)
        return start, min(end, now)


def end_of(day):
    return datetime.datetime.combine(day, datetime.time.max, tzinfo=datetime.UTC)


@require_GET
@role_required(VIEWER)
def changes(request):
    form = ChangesForm(request.GET or None)
    start, end = form.window()
    account = form.cleaned_data.get("account") if form.is_valid() else None
    grouped, totals = net.net_changes(start, end, [account] if account else None)
    sections = [(kind, accounts, totals[kind]) for kind, accounts in grouped.items()]
    context = {"form": form, "start": start, "end": end, "sections": sections, "totals": totals, "limit": net.LIMIT}
    template = page_or_fragment(request, "dashboard/changes.html", "changes-list")
    return vary_on_htmx(render(request, template, context))
