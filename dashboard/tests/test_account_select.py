"""The Keys page's account filter renders its options in Python (forms.AccountSelect) for speed; it must
write exactly what Django's own Select writes, escaping included."""

import pytest
from django import forms

from dashboard.forms import AccountSelect

CHOICES = [
    ("", "All accounts"),
    ("111122223333", "payments-prod"),
    ("444455556666", "<script>alert(\"x\")</script> & 'quoted'"),
    ("777788889999", "Zürich ✓"),
]


@pytest.mark.parametrize("value", [None, "", "111122223333", "444455556666", "not-an-account", "<x>"])
@pytest.mark.parametrize("attrs", [None, {"class": "select", "hx-get": "/keys/?a=1&b=2", "required": True}])
def test_account_select_writes_the_same_html_as_djangos_select(value, attrs):
    ours = AccountSelect(choices=CHOICES).render("account", value, attrs=attrs)
    django = forms.Select(choices=CHOICES).render("account", value, attrs=attrs)

    assert str(ours) == str(django)
    assert "<script>" not in str(ours)
    # No value means the blank choice, as in Django; an unknown value selects nothing.
    assert ("selected" in str(ours)) is ((value or "") in {choice for choice, _ in CHOICES})
