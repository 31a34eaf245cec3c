"""The Compliance page: a framework's requirements with their status in each visible account, now or as
of a date, opening to their failing resources."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import AwsAccountFactory
from dashboard.tests.factories import FindingEventFactory, FindingFactory

pytestmark = pytest.mark.django_db

URL = reverse("dashboard:compliance")


def finding(account, check_id, status, name, days_ago=20, then=None):
    """A finding with status `status` now; `then`: (days ago, earlier status) it had before."""
    row = FindingFactory(resource__account=account, resource__name=name, check_id=check_id, status=status)
    now = timezone.now()
    first = then[1] if then else status
    FindingEventFactory(finding=row, at=now - timedelta(days=days_ago), new_status=first)
    if then:
        FindingEventFactory(finding=row, at=now - timedelta(days=then[0]), old_status=first, new_status=status)
    return row


def cell(text, requirement_id, account_id):
    """The status shown for `requirement_id` in `account_id` (the data-status of its account span)."""
    row = text[text.index(f'data-requirement="{requirement_id}"') :]
    row = row[: row.index("</tr>")]
    span = row[row.index(f'data-account="{account_id}"') :]
    return span.split('data-status="', 1)[1].split('"', 1)[0]


def test_pci_requirements_show_per_account_status_with_few_queries(client_as, django_assert_max_num_queries):
    accounts = AwsAccountFactory.create_batch(22)
    for account in accounts:
        finding(account, "kms.key_rotation_enabled", "PASS", f"key-{account.pk}")
    failing = accounts[0]
    finding(failing, "kms.key_rotation_enabled", "FAIL", "stale-key")
    client = client_as("viewer")
    with django_assert_max_num_queries(10):
        response = client.get(URL, {"framework": "pci-dss-4.0"})
    assert response.status_code == 200
    text = response.text
    assert cell(text, "3.7.4", failing.account_id) == "failing"
    assert cell(text, "3.7.4", accounts[1].account_id) == "passing"
    assert cell(text, "4.2.1", accounts[1].account_id) == "no_data"  # no finding at all: never a pass
    assert 'data-requirement="10.4.1"' in text and "Not covered by Posture" in text


def test_the_default_framework_is_pci_and_htmx_gets_the_table_only(client_as):
    client = client_as("viewer")
    page = client.get(URL)
    assert "PCI DSS v4.0" in page.text and 'href="/compliance/"' in page.text  # in the navigation
    fragment = client.get(URL, {"framework": "nist-800-53-r5"}, headers={"HX-Request": "true"})
    assert 'id="compliance-table"' in fragment.text and "<html" not in fragment.text
    assert 'data-requirement="SC-28"' in fragment.text


def test_as_of_a_date_reads_the_history(client_as):
    account = AwsAccountFactory()
    finding(account, "kms.key_rotation_enabled", "PASS", "key", days_ago=30, then=(5, "FAIL"))
    client = client_as("viewer")
    ten_days_ago = (timezone.now() - timedelta(days=10)).date().isoformat()
    assert cell(client.get(URL, {"as_of": ten_days_ago}).text, "3.7.4", account.account_id) == "failing"
    assert cell(client.get(URL).text, "3.7.4", account.account_id) == "passing"


def test_a_bad_date_or_framework_says_so(client_as):
    client = client_as("viewer")
    response = client.get(URL, {"as_of": "2999-01-01", "framework": "pci-3.2"})
    assert response.status_code == 200
    assert "future" in response.text and "not one of the available choices" in response.text


def test_a_requirement_opens_to_its_failing_resources(client_as):
    account, other = AwsAccountFactory.create_batch(2)
    finding(account, "kms.key_rotation_enabled", "FAIL", "<b>stale-key</b>")
    finding(other, "kms.key_rotation_enabled", "PASS", "fresh-key")
    client = client_as("viewer")
    url = reverse("dashboard:compliance_failing")
    response = client.get(url, {"framework": "pci-dss-4.0", "requirement": "3.7.4"})
    assert "&lt;b&gt;stale-key&lt;/b&gt;" in response.text and "fresh-key" not in response.text
    only_other = client.get(url, {"framework": "pci-dss-4.0", "requirement": "3.7.4", "account": other.account_id})
    assert "stale-key" not in only_other.text and "Nothing fails 3.7.4" in only_other.text
    assert client.get(url, {"framework": "pci-dss-4.0", "requirement": "99.9"}).status_code == 404


def test_only_signed_in_viewers_see_it(client, client_as):
    assert client.get(URL).status_code in (302, 403)
    assert client_as(None).get(URL).status_code == 403
