"""Counted by the database, the accounts per requirement status agree with the per-account rule (rollup.py)."""

import random

import pytest
from django.urls import reverse

from accounts.tests.factories import AwsAccountFactory
from checks.catalog.base import Status
from checks.compliance import FRAMEWORKS
from checks.compliance.rollup import Rollup
from dashboard import compliance
from dashboard.tests.factories import FindingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def estate():
    """Accounts with findings of a random share of the frameworks' checks in every status mix; one with none."""
    rng = random.Random(5)
    check_ids = sorted({check for each in FRAMEWORKS.values() for r in each.requirements for check in r.checks})
    accounts = AwsAccountFactory.create_batch(5)
    statuses = [Status.PASS, Status.PASS, Status.FAIL, Status.ERROR, Status.NOT_APPLICABLE]
    for account in accounts[1:]:
        for check_id in rng.sample(check_ids, len(check_ids) * 2 // 3):
            for _ in range(rng.randint(1, 2)):
                FindingFactory(resource__account=account, check_id=check_id, status=rng.choice(statuses))
    return accounts


@pytest.mark.parametrize("slug", list(FRAMEWORKS))
def test_the_database_counts_what_the_rule_gives_each_account(estate, slug, django_assert_num_queries):
    framework = FRAMEWORKS[slug]
    expected = [row.counts for row in compliance.compliance_rows(framework, estate)]

    with django_assert_num_queries(1):
        rows = compliance.counted_rows(framework, estate)

    assert [row.counts for row in rows] == expected
    assert [row.worst for row in rows] == [row.worst for row in compliance.compliance_rows(framework, estate)]
    seen = {status for counts in expected for status, _ in counts}
    assert {Rollup.FAILING, Rollup.NO_DATA} <= seen


def test_many_accounts_are_counted_on_the_page(client_as, estate, monkeypatch, django_assert_max_num_queries):
    monkeypatch.setattr(compliance, "ACCOUNTS_LISTED", 3)
    client = client_as("viewer")

    with django_assert_max_num_queries(10):
        response = client.get(reverse("dashboard:compliance"), {"framework": "pci-dss-4.0"})

    assert response.status_code == 200
    assert 'class="account-count"' in response.text and 'class="account-status"' not in response.text
    assert "choose an account for its own" in response.text
