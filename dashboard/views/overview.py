from datetime import timedelta

from django import forms
from django.core.paginator import Paginator
from django.db.models.fields.json import KeyTransform
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.models import Organization
from accounts.visibility import visible_accounts
from dashboard import score_grid, scoreboard
from dashboard.htmx import page_or_fragment, vary_on_htmx
from dashboard.permissions import VIEWER, role_required

PAGE_SIZE = 50


class OverviewFilters(forms.Form):
    label = forms.RegexField(
        regex=r"^[\w.-]{1,64}=[^,]{0,128}$",
        required=False,
        error_messages={"invalid": "Write a label as key=value, e.g. env=prod."},
    )
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.all(), required=False, empty_label="All organizations"
    )
    # Name first: a plain visit is in name order, so the select must say so (it shows the first choice).
    # "Worst first" ranks the rows of the page shown.
    sort = forms.ChoiceField(choices=[("name", "Name"), ("worst", "Worst first (this page)")], required=False)

    def __init__(self, data, user):
        super().__init__(data)
        # Only the organizations of accounts the person sees: another team's organization stays unnamed.
        self.fields["organization"].queryset = Organization.objects.filter(
            accounts__in=visible_accounts(user)
        ).distinct()

    def apply(self, accounts):
        if not self.is_valid():
            return accounts
        if self.cleaned_data["label"]:
            key, _, value = self.cleaned_data["label"].partition("=")
            accounts = with_label(accounts, key, value)
        if self.cleaned_data["organization"]:
            accounts = accounts.filter(organization=self.cleaned_data["organization"])
        return accounts


def with_label(accounts, key, value):
    """Accounts whose label `key` is exactly `value`. The key is one literal JSON key: a `__` in it is part
    of the name, never an ORM lookup (`env__regex` would otherwise run a regular expression in the database)."""
    return accounts.alias(label_value=KeyTransform(key, "labels")).filter(label_value=value)


# What a grid cell shows of an area's score: reading the rest (times, tallies) cost ~2 ms of parsing a page.
GRID_FIELDS = ("score", "errors")


def grid_rows(accounts, now):
    ids = [account.pk for account in accounts]
    today = scoreboard.latest_scores(ids, fields=GRID_FIELDS)
    week_ago = scoreboard.latest_scores(ids, at=now - timedelta(days=7), fields=GRID_FIELDS)
    sparklines = scoreboard.daily_overall(ids, 30, now)
    failures = scoreboard.open_failures(ids, now)
    rows = []
    for account in accounts:
        cells = []
        for area in scoreboard.AREAS:
            current, before = today[account.pk].get(area), week_ago[account.pk].get(area)
            score = current.score if current else None
            delta = None if score is None or before is None or before.score is None else round(score - before.score, 1)
            cells.append({"area": area, "score": score, "delta": delta, "errors": current.errors if current else 0})
        rows.append(
            {
                "account": account,
                "cells": cells,
                "failures": failures[account.pk],
                "overall": scoreboard.overall(cell["score"] for cell in cells),
                "spark": sparklines[account.pk],
                "stands_out": account.last_scan_status == "failed" or account.connection_status == "error",
            }
        )
    return rows


@require_GET
@role_required(VIEWER)
def overview(request):
    filters = OverviewFilters(request.GET or None, request.user)
    accounts = scoreboard.last_scans(filters.apply(visible_accounts(request.user).select_related("organization")))
    page = Paginator(accounts.order_by("name", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = grid_rows(list(page), timezone.now())
    if filters.is_valid() and filters.cleaned_data["sort"] == "worst":
        rows.sort(key=lambda row: (not row["stands_out"], row["overall"] if row["overall"] is not None else 101))
    template = page_or_fragment(request, "dashboard/overview.html", "score-grid")
    areas = [(area, scoreboard.SHORT_LABELS[area]) for area in scoreboard.AREAS]
    context = {"filters": filters, "page": page, "rows": rows, "grid": score_grid.rows_html(rows), "areas": areas}
    return vary_on_htmx(render(request, template, context))
