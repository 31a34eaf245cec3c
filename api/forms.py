from django import forms

from accounts.visibility import visible_accounts
from api import tokens


class TokenForm(forms.Form):
    """A new token: a name, how long it lasts, and optionally a lower role or fewer accounts than its owner's."""

    name = forms.CharField(max_length=100, help_text="What uses it, e.g. “SIEM export” or “nightly report”.")
    expires_days = forms.IntegerField(
        label="Expires after (days)", min_value=1, max_value=tokens.MAX_DAYS, initial=tokens.DEFAULT_DAYS
    )
    role = forms.ChoiceField(required=False, help_text="A lower role than yours narrows what the token may do.")
    accounts = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        to_field_name="account_id",
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text="None chosen: every account you see. Ctrl/⌘-click to choose several.",
    )
    teams = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only these teams' accounts (with any accounts chosen above). None ticked: no narrowing by team.",
    )

    def __init__(self, user, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["role"].choices = [("", "Same as mine")] + [(r, r.title()) for r in tokens.roles_up_to(user)]
        self.fields["accounts"].queryset = visible_accounts(user).order_by("name", "account_id")
        self.fields["accounts"].label_from_instance = lambda a: f"{a.name} ({a.account_id})"
        self.fields["teams"].queryset = tokens.owner_teams(user)

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Give the token a name.")
        return name

    def issue(self):
        """(token, secret) from the valid form; the secret is shown once and never stored."""
        data = self.cleaned_data
        return tokens.issue(
            self.user, data["name"], data["expires_days"], data["role"], data["accounts"], data["teams"]
        )
