"""The overview's label filter matches one label key exactly: `?label=env__regex=(.*)*X` must not become an ORM
lookup (a regular expression run by the database, or a 500 from another lookup)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.tests.factories import AwsAccountFactory
from dashboard.views.overview import OverviewFilters

pytestmark = pytest.mark.django_db

LABELS = {
    "prod": {"env": "prod", "team": "payments"},
    "dev": {"env": "dev"},
    "literal": {"env__regex": "(.*)*X", "env__contains": "ro"},
    "blank": {"env": ""},
    "none": {},
}
LOOKUPS = ["", "__regex", "__iregex", "__contains", "__startswith", "__in", "__isnull", "__gt", "__has_key", "__0"]


@pytest.fixture
def accounts(db):
    return {name: AwsAccountFactory(name=f"acct-{name}", labels=labels) for name, labels in LABELS.items()}


@pytest.fixture
def viewer(client_as):
    return client_as("viewer")


def shown(client, label):
    response = client.get(reverse("dashboard:overview"), {"label": label})
    assert response.status_code == 200, (label, response.status_code)
    return {row["account"].name.removeprefix("acct-") for row in response.context["rows"]}


def expected(label):
    """What an exact match means, computed in Python: every account when the filter is not valid."""
    if not OverviewFilters({"label": label}, AnonymousUser()).is_valid():  # the label alone decides
        return set(LABELS)
    key, _, value = label.partition("=")
    return {name for name, labels in LABELS.items() if labels.get(key) == value}


@pytest.mark.parametrize(
    ("label", "names"),
    [
        ("env=prod", {"prod"}),
        ("env=", {"blank"}),
        ("env__regex=(.*)*X", {"literal"}),  # the literal key, not a regular expression on env
        ("env__regex=p.*", set()),
        ("env__contains=ro", {"literal"}),
        ("env__startswith=d", set()),
        ("env__isnull=False", set()),
        ("env__in=prod", set()),
        ("env__has_key=x", set()),
    ],
)
def test_a_label_key_is_matched_exactly_never_as_a_lookup(viewer, accounts, label, names):
    assert shown(viewer, label) == names


KEYS = st.one_of(
    st.sampled_from(["env", "team", "env__regex", "env__contains", "missing"]),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz_.-", min_size=1, max_size=12),
).flatmap(lambda key: st.sampled_from(LOOKUPS).map(lambda lookup: key + lookup))
VALUES = st.one_of(
    st.sampled_from(["prod", "dev", "", "ro", "(.*)*X", "p.*", "True", "False", "%", "_", "prod,dev", '"prod"']),
    st.text(max_size=20),
)


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(key=KEYS, value=VALUES)
def test_any_label_filter_is_an_exact_match_or_no_filter(viewer, accounts, key, value):
    label = f"{key}={value}"
    assert shown(viewer, label) == expected(label)
