"""Forms of the findings, finding and keys pages: query-string filters and the mute forms."""

import html
import re
from datetime import datetime, time, timedelta

from django import forms
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.choices import BaseChoiceIterator
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from accounts.models import AwsAccount
from checks.catalog import CATALOG
from checks.catalog.base import Area, KeyOwner, Severity, Status

CLOSED = "closed"
STATUS_CHOICES = [("", "Current (any status)"), *Status.choices, (CLOSED, "Closed (resource gone)")]
MUTED_CHOICES = [("", "Muted or not"), ("no", "Not muted"), ("yes", "Muted")]
SORT_CHOICES = [
    ("status", "Failing first"),
    ("severity", "Severity, then status"),
    ("-status_since", "Recently changed"),
    ("status_since", "Oldest status first"),
    ("account", "Account"),
    ("check", "Check"),
]
DEFAULT_SORT = "status"
MUTE_MAX_DAYS = 365
MUTE_DEFAULT_DAYS = 90
BULK_MUTE_LIMIT = 500

resource_type_validator = RegexValidator(r"^[a-z0-9-]+(\.[a-z0-9_]+)?$", "Not a resource type (like s3.bucket).")
region_validator = RegexValidator(r"^[a-z0-9-]{2,32}$", "Not a region name (like eu-west-1).")


def blank(choices, label):
    return [("", label), *choices]


class PlainChoices(BaseChoiceIterator):
    """Choices already in Django's canonical form, (value, label) pairs, kept as given. Django normalizes a list
    of choices pair by pair on every assignment, to the field and again to its widget (~15 ms for an admin's
    2,000 accounts); an iterator of choices it leaves alone."""

    def __init__(self, pairs):
        self.pairs = pairs

    def __iter__(self):
        return iter(self.pairs)


def account_choices(accounts):
    return blank([(a.account_id, f"{a.name} ({a.account_id})") for a in accounts], "All accounts")


def check_choices():
    return blank([(check_id, check_id) for check_id in sorted(CATALOG)], "All checks")


def catalog_resource_types():
    """The resource types the catalog judges (a datalist for the type filter; any type is accepted)."""
    types = {"account", "region"}
    for check in CATALOG.values():
        kinds = check.resource_type if isinstance(check.resource_type, tuple) else (check.resource_type,)
        types.update(kind for kind in kinds if kind != "*")
    return sorted(types)


class AccountSelect(forms.Select):
    """Django's Select, same HTML, rendered in plain Python: one template include per option made the
    hundreds of accounts a quarter of the Keys page's time, and Django's option dicts and format_html per
    option still cost ~100 ms at 2,000 accounts. Flat choices only (no optgroups)."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen, found, options = set(self.format_value(value)), False, []
        for option_value, label in self.choices:
            option_value = "" if option_value is None else str(option_value)
            selected = not found and option_value in chosen  # as Django: only the first match is selected
            found |= selected
            mark = " selected" if selected else ""
            options.append(f'\n  <option value="{escaped(option_value)}"{mark}>{escaped(label)}</option>\n')
        attrs = html_attrs(self.build_attrs(self.attrs, attrs))
        return format_html('<select name="{}"{}>{}\n</select>', name, attrs, mark_safe("".join(options)))  # noqa: S308


def escaped(text):
    """conditional_escape without its lazy-string wrapper (it runs twice per option)."""
    return text.__html__() if hasattr(text, "__html__") else html.escape(str(text))


def html_attrs(attrs):
    """Attributes as Django's attrs.html writes them: in order, True bare, False left out."""
    return format_html_join(
        "",
        " {}{}",
        (
            (name, "" if value is True else format_html('="{}"', value))
            for name, value in attrs.items()
            if value is not False
        ),
    )


class FindingFilters(forms.Form):
    """The findings table's query string. Invalid values are dropped (and reported), never a 500."""

    account = forms.ChoiceField(required=False, widget=AccountSelect)
    area = forms.ChoiceField(choices=blank(Area.choices, "All areas"), required=False)
    check = forms.ChoiceField(required=False)
    severity = forms.ChoiceField(choices=blank(Severity.choices, "All severities"), required=False)
    status = forms.ChoiceField(choices=STATUS_CHOICES, required=False)
    muted = forms.ChoiceField(choices=MUTED_CHOICES, required=False)
    resource_type = forms.CharField(
        required=False,
        max_length=64,
        validators=[resource_type_validator],
        label="Resource type",
        widget=forms.TextInput(attrs={"list": "resource-types", "placeholder": "s3.bucket"}),
    )
    region = forms.CharField(
        required=False,
        max_length=32,
        validators=[region_validator],
        widget=forms.TextInput(attrs={"placeholder": "eu-west-1"}),
    )
    key_owner = forms.ChoiceField(choices=blank(KeyOwner.choices, "Any key owner"), required=False, label="Key owner")
    changed_since = forms.DateField(
        required=False, label="Changed since", widget=forms.DateInput(attrs={"type": "date"})
    )
    sort = forms.ChoiceField(choices=SORT_CHOICES, required=False)

    def __init__(self, data=None, accounts=None, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(data, **kwargs)
        self.accounts = list(AwsAccount.objects.order_by("name", "account_id") if accounts is None else accounts)
        self.fields["account"].choices = PlainChoices(account_choices(self.accounts))
        self.fields["check"].choices = check_choices()

    @property
    def values(self):
        """The valid filters (the invalid ones are ignored); call after is_valid()."""
        cleaned = getattr(self, "cleaned_data", {})
        return {name: cleaned.get(name) for name in self.fields}

    @property
    def ignored(self):
        """One plain sentence per rejected parameter, for the notice above the table."""
        return [
            f"{self.fields[name].label or name.replace('_', ' ').capitalize()}: {' '.join(errors)}"
            for name, errors in self.errors.items()
        ]

    @property
    def sort_key(self):
        return self.values.get("sort") or DEFAULT_SORT

    @property
    def is_filtered(self):
        return any(value for name, value in self.values.items() if name != "sort")

    def apply(self, findings):
        """Narrow `findings` to the filters; closed findings only when asked for by status."""
        values = self.values
        status = values["status"]
        findings = findings.filter(closed_at__isnull=False) if status == CLOSED else findings.current()
        if status and status != CLOSED:
            findings = findings.filter(status=status)
        exact = {
            "account__account_id": values["account"],
            "area": values["area"],
            "check_id": values["check"],
            "severity": values["severity"],
            "resource_type": values["resource_type"],
            "region": values["region"],
            "key_owner": values["key_owner"],
        }
        findings = findings.filter(**{field: value for field, value in exact.items() if value})
        if values["muted"] == "yes":
            findings = findings.muted()
        elif values["muted"] == "no":
            findings = findings.unmuted()
        if values["changed_since"]:
            start = timezone.make_aware(datetime.combine(values["changed_since"], time.min))
            findings = findings.filter(status_since__gte=start)
        return findings


class MuteForm(forms.Form):
    """Why a finding is an accepted risk, until when, and how widely the mute applies."""

    RESOURCE, CHECK = "resource", "check"
    SCOPES = [(RESOURCE, "This resource only"), (CHECK, "Every resource of this check in this account")]

    justification = forms.CharField(
        min_length=10,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why this is an accepted risk (shown to everyone who sees the finding).",
    )
    expires_on = forms.DateField(
        label="Mute until",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=f"At most {MUTE_MAX_DAYS} days ahead. The finding shows again after.",
    )
    scope = forms.ChoiceField(choices=SCOPES, initial=RESOURCE, widget=forms.RadioSelect)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "initial", {"expires_on": timezone.localdate() + timedelta(days=MUTE_DEFAULT_DAYS), "scope": self.RESOURCE}
        )
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["expires_on"].widget.attrs.update(
            min=(today + timedelta(days=1)).isoformat(), max=(today + timedelta(days=MUTE_MAX_DAYS)).isoformat()
        )

    def clean_justification(self):
        text = self.cleaned_data["justification"].strip()
        if len(text) < 10:
            raise forms.ValidationError("Say why in at least 10 characters.")
        return text

    def clean_expires_on(self):
        day = self.cleaned_data["expires_on"]
        today = timezone.localdate()
        if day <= today:
            raise forms.ValidationError("Pick a day in the future.")
        if day > today + timedelta(days=MUTE_MAX_DAYS):
            raise forms.ValidationError(f"A mute lasts at most {MUTE_MAX_DAYS} days; review it then.")
        return day

    @property
    def expires_at(self):
        """The end of the chosen day: the mute holds through it."""
        day = self.cleaned_data["expires_on"] + timedelta(days=1)
        return timezone.make_aware(datetime.combine(day, time.min))


class FindingIdsField(forms.Field):
    """Selected finding ids (checkbox values); anything that is not a positive integer is dropped."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {"required": "Select at least one finding."}

    def to_python(self, value):
        if not value:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        return list(dict.fromkeys(selected_ids(str(item) for item in values)))

    def validate(self, value):
        super().validate(value)
        if len(value) > BULK_MUTE_LIMIT:
            raise forms.ValidationError(f"Mute at most {BULK_MUTE_LIMIT} findings at once.")


class BulkMuteForm(MuteForm):
    """The same mute for several selected findings (each muted on its own resource)."""

    finding = FindingIdsField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["scope"]


def selected_ids(values):
    """Positive integers from strings, ignoring the rest."""
    return [int(value) for value in values if re.fullmatch(r"[1-9]\d{0,17}", value)]


class KeyFilters(forms.Form):
    account = forms.ChoiceField(required=False, widget=AccountSelect)

    def __init__(self, data=None, accounts=None, **kwargs):
        """`accounts`: (pk, account id, name) rows in the order shown (tuples: 2,000 model instances cost ~50 ms)."""
        kwargs.setdefault("label_suffix", "")
        super().__init__(data, **kwargs)
        if accounts is None:
            accounts = AwsAccount.objects.order_by("name", "account_id").values_list("pk", "account_id", "name")
        rows = list(accounts)
        self.account_pks = {account_id: pk for pk, account_id, _ in rows}
        self.fields["account"].choices = PlainChoices(
            blank([(aid, f"{name} ({aid})") for _, aid, name in rows], "All accounts")
        )

    @property
    def account_id(self):
        return getattr(self, "cleaned_data", {}).get("account") or ""

    @property
    def account_pk(self):
        """The chosen account's primary key, or None for every account."""
        return self.account_pks.get(self.account_id)
