"""The audit log page: who did what, when, from where — for admins, filtered and paginated."""

from datetime import datetime, time, timedelta

from django import forms
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from dashboard.htmx import page_or_fragment, vary_on_htmx
from dashboard.models import AuditEntry
from dashboard.permissions import ADMIN, role_required

PER_PAGE = 50


class AuditFilters(forms.Form):
    action = forms.ChoiceField(required=False, choices=[("", "Any action"), *AuditEntry.Action.choices])
    user = forms.CharField(required=False, max_length=150, label="User name")
    start = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError("The start date is after the end date.")
        return data

    def apply(self, entries):
        """The entries matching the valid filters (an invalid form filters nothing and shows its errors)."""
        if not self.is_valid():
            return entries
        data = self.cleaned_data
        if data["action"]:
            entries = entries.filter(action=data["action"])
        if data["user"]:
            entries = entries.filter(username__iexact=data["user"].strip())
        if data["start"]:
            entries = entries.filter(at__gte=day_start(data["start"]))
        if data["end"]:
            entries = entries.filter(at__lt=day_start(data["end"] + timedelta(days=1)))
        return entries


def day_start(day):
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


@require_GET
@role_required(ADMIN)
def audit_log(request):
    filters = AuditFilters(request.GET)
    entries = filters.apply(AuditEntry.objects.order_by("-at", "-id"))
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    template = page_or_fragment(request, "dashboard/audit.html", "audit-table")
    return vary_on_htmx(render(request, template, {"filters": filters, "page": page}))
