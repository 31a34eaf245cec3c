from django import forms
from django.contrib.auth import get_user_model

from accounts.models import AwsAccount, Team
from accounts.validation import known_regions, validate_account_id, validate_external_id


def region_choices():
    return [(region, region) for region in sorted(known_regions())]


class AwsAccountForm(forms.ModelForm):
    regions = forms.MultipleChoiceField(
        choices=region_choices,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text="Regions to scan; the first is the account's home region.",
    )
    labels = forms.CharField(required=False, help_text="Comma-separated key=value pairs, e.g. env=prod,team=payments")
    teams = forms.ModelMultipleChoiceField(
        queryset=Team.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Members of these teams see the account (admins and people with 'all accounts' see every one).",
    )

    class Meta:
        model = AwsAccount
        fields = [
            "account_id",
            "name",
            "role_arn",
            "external_id",
            "regions",
            "labels",
            "scan_interval_minutes",
            "is_enabled",
        ]
        labels = {
            "role_arn": "Audit role ARN",
            "external_id": "ExternalId",
            "scan_interval_minutes": "Scan every (minutes)",
            "is_enabled": "Scan this account",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["account_id"].disabled = True
            self.initial["labels"] = ",".join(f"{k}={v}" for k, v in (self.instance.labels or {}).items())
            self.initial["teams"] = list(self.instance.teams.all())

    def save(self, commit=True):
        account = super().save(commit=commit)
        if commit:
            account.teams.set(self.cleaned_data["teams"])
        return account

    def clean_labels(self):
        labels = {}
        for pair in filter(None, (part.strip() for part in self.cleaned_data["labels"].split(","))):
            key, sep, value = pair.partition("=")
            if not sep or not key.strip():
                raise forms.ValidationError(f"{pair!r} is not key=value.")
            labels[key.strip()[:64]] = value.strip()[:128]
        return labels


class DiscoverForm(forms.Form):
    management_account_id = forms.CharField(label="Management account id", validators=[validate_account_id])
    role_name = forms.RegexField(
        regex=r"^[\w+=,.@-]{1,64}$",
        initial="PostureAudit",
        error_messages={"invalid": "A role name is 1–64 letters, digits and +=,.@-_."},
    )
    external_id = forms.CharField(required=False, validators=[validate_external_id], label="ExternalId")


class TeamForm(forms.ModelForm):
    webhook_url = forms.URLField(
        required=False,
        max_length=2048,
        assume_scheme="https",
        label="Team webhook URL",
        help_text="Scan notifications for this team's accounts only (https://). Blank: none.",
    )

    class Meta:
        model = Team
        fields = ["name", "accounts", "members", "webhook_url"]
        widgets = {"accounts": forms.CheckboxSelectMultiple, "members": forms.CheckboxSelectMultiple}
        help_texts = {"members": "People who see this team's accounts."}

    def __init__(self, *args, accounts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accounts"].queryset = accounts
        self.fields["members"].queryset = get_user_model().objects.filter(is_active=True).order_by("username")
        self.fields["members"].label_from_instance = lambda user: user.get_username()
