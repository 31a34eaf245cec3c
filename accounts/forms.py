from django import forms

from accounts.models import AwsAccount
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
