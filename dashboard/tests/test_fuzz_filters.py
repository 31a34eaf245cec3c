"""Query strings never produce a 500: hypothesis throws arbitrary dicts of each page's filter keys (plus
paging, cursors and keys it does not know) at the findings, overview, changes, checks, keys, account and
audit pages. Values include NUL bytes (PostgreSQL refuses them in text), huge strings, markup, RTL
overrides, SQL, negative and enormous numbers and impossible dates.
"""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.tests.factories import AreaScoreFactory, FindingEventFactory, FindingFactory, KmsKeyFactory

pytestmark = pytest.mark.django_db

HOSTILE = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "x" * 100_000,
    "<script>alert(1)</script>",
    "\u202egnp.exe",
    "' OR 1=1 --",
    "%",
    "_",
    "*",
    "\\",
    "-1",
    "0",
    "99999999999999999999999",
    "1e309",
    "NaN",
    "2026-02-30",
    "2026-13-01",
    "0000-00-00",
    "9999-12-31",
    "1900-01-01",
    "../../etc/passwd",
    "s3.bucket",
    "us-east-1",
    "123456789012",
    "arn:aws:kms:us-east-1:123456789012:key/x",
    "true",
    "false",
    "[]",
    "{}",
    "None",
]
VALUES = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40),
    st.integers().map(str),
)
COMMON = ["page", "sort", "after", "before", "cursor", "q", "format", "unknown"]

PAGES = {
    "dashboard:findings": [
        "account",
        "area",
        "check",
        "severity",
        "status",
        "muted",
        "resource_type",
        "region",
        "key_owner",
        "changed_since",
    ],
    "dashboard:overview": ["label", "organization"],
    "dashboard:changes": ["start", "end", "account"],
    "dashboard:checks": ["area", "severity", "account", "status"],
    "dashboard:keys": ["account", "owner", "state"],
    "dashboard:key_resources": ["key", "account"],
    "dashboard:audit_log": ["action", "user", "start", "end"],
}


def query_for(keys):
    return st.dictionaries(st.sampled_from(keys + COMMON), st.one_of(VALUES, st.lists(VALUES, max_size=3)), max_size=6)


@pytest.fixture
def estate(db):
    findings = FindingFactory.create_batch(6)
    for finding in findings:
        FindingEventFactory(finding=finding)
    AreaScoreFactory(account=findings[0].account)
    KmsKeyFactory(account=findings[0].account)
    return findings


FUZZ = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def fuzz(client, url, keys, headers=None):
    @FUZZ
    @given(query_for(keys), st.booleans())
    def run(query, htmx):
        response = client.get(url, query, headers={"HX-Request": "true"} if htmx else {})
        assert response.status_code < 500, (url, query)
        assert response.status_code in (200, 286, 302, 400, 404), (url, query, response.status_code)

    run()


@pytest.mark.parametrize("name", sorted(PAGES))
def test_filters_never_produce_a_500(client_as, estate, name):
    client = client_as("admin")
    fuzz(client, reverse(name), PAGES[name])


def test_the_account_page_survives_any_query(client_as, estate):
    client = client_as("viewer")
    fuzz(client, reverse("dashboard:account", args=[estate[0].account.pk]), ["days"])


def test_the_finding_page_survives_any_query(client_as, estate):
    client = client_as("viewer")
    fuzz(client, reverse("dashboard:finding", args=[estate[0].pk]), ["tab", "days"])
