"""One finding's page: evidence, rationale, timeline, and mute/unmute with an expiry."""

import json
from datetime import datetime, time, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import AwsAccountFactory
from checks.catalog import CATALOG
from checks.catalog.base import Status
from checks.models import Finding, Suppression
from dashboard.models import AuditEntry
from dashboard.tests.factories import (
    FindingEventFactory,
    FindingFactory,
    KmsKeyFactory,
    ResourceFactory,
    SuppressionFactory,
)

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
CHECK = "s3.bucket_default_encryption"


def page_url(finding):
    return reverse("dashboard:finding", args=[finding.pk])


def mute_url(finding):
    return reverse("dashboard:finding_mute", args=[finding.pk])


def unmute_url(finding):
    return reverse("dashboard:finding_unmute", args=[finding.pk])


def future_day(days=30):
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def mute_data(**overrides):
    return {
        "justification": "Legacy bucket, data is public anyway.",
        "expires_on": future_day(),
        "scope": "resource",
        **overrides,
    }


@pytest.fixture
def finding():
    """A failing finding on a bucket encrypted with a KMS key, with a history, among 25 accounts' findings."""
    for account in AwsAccountFactory.create_batch(25):
        FindingFactory(resource__account=account)
    key = KmsKeyFactory()
    finding = FindingFactory(
        resource__account=key.account,
        resource__kms_key_arn=key.uid,
        resource__evidence={"encrypted": True, "sse_algorithm": "aws:kms", "kms_key": key.uid},
        resource__tags={"team": "payments"},
        check_id=CHECK,
    )
    for days, (old, new) in enumerate([("", Status.PASS), (Status.PASS, Status.FAIL)]):
        FindingEventFactory(
            finding=finding, old_status=old, new_status=new, at=timezone.now() - timedelta(days=10 - days)
        )
    return finding


def test_page_shows_evidence_rationale_timeline_and_key(client_as, finding, django_assert_max_num_queries):
    client = client_as("viewer")
    with django_assert_max_num_queries(12):
        response = client.get(page_url(finding))
    assert response.status_code == 200
    text = response.content.decode()
    assert "&quot;sse_algorithm&quot;: &quot;aws:kms&quot;" in text  # pretty-printed JSON, escaped
    if CHECK in CATALOG:
        assert CATALOG[CHECK].title in text
    assert finding.resource.kms_key_arn in text
    assert "team=payments" in text
    assert len(response.context["events"]) == 2
    assert 'id="mute-panel"' in text


def test_viewer_sees_the_mute_state_but_no_form(client_as, finding):
    text = client_as("viewer").get(page_url(finding)).content.decode()
    assert "Not muted" in text
    assert 'name="justification"' not in text


def test_unknown_finding_is_404(client_as):
    assert client_as("viewer").get(reverse("dashboard:finding", args=[999999])).status_code == 404


def test_hostile_resource_name_and_tag_render_escaped(client_as):
    finding = FindingFactory(
        resource__name="<script>alert(1)</script>",
        resource__tags={"<img src=x onerror=alert(2)>": "<b>bold</b>"},
        resource__evidence={"description": "</pre><script>alert(3)</script>"},
    )
    text = client_as("viewer").get(page_url(finding)).content.decode()
    for hostile in ("<script>alert(1)</script>", "<img src=x", "<b>bold</b>", "</pre><script>alert(3)"):
        assert hostile not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "&lt;img src=x onerror=alert(2)&gt;" in text


def test_operator_mutes_one_resource_with_htmx(client_as, finding, django_assert_max_num_queries):
    neighbour = FindingFactory(resource__account=finding.account, check_id=CHECK)
    client = client_as("operator")
    with django_assert_max_num_queries(20):
        response = client.post(mute_url(finding), mute_data(), headers=HTMX)
    assert response.status_code == 200
    assert "findings-changed" in json.loads(response["HX-Trigger"])
    text = response.content.decode()
    assert 'id="mute-panel"' in text
    assert "<html" not in text
    assert 'id="finding-badges" class="row" hx-swap-oob="true"' in text
    assert "Unmute" in text
    finding.refresh_from_db()
    assert finding.is_muted
    suppression = finding.suppression
    assert suppression.created_by == client.user
    assert suppression.account == finding.account
    assert suppression.justification == "Legacy bucket, data is public anyway."
    # The mute holds through the chosen day: it ends when the next one starts.
    assert suppression.expires_at == timezone.make_aware(
        datetime.combine(timezone.localdate() + timedelta(days=31), time.min)
    )
    assert not Finding.objects.get(pk=neighbour.pk).is_muted
    assert AuditEntry.objects.filter(action="mute", user=client.user).exists()


def test_mute_scoped_to_the_check_covers_the_account_only(client_as, finding):
    same_account = FindingFactory(resource__account=finding.account, check_id=CHECK)
    other_check = FindingFactory(resource__account=finding.account, check_id="s3.bucket_secure_transport")
    other_account = FindingFactory(check_id=CHECK)
    client_as("operator").post(mute_url(finding), mute_data(scope="check"), headers=HTMX)
    muted = set(Finding.objects.muted().values_list("pk", flat=True))
    assert muted == {finding.pk, same_account.pk}
    assert other_check.pk not in muted
    assert other_account.pk not in muted
    assert Suppression.objects.get().resource_pattern == "*"


def test_mute_without_javascript_redirects_to_the_finding(client_as, finding):
    response = client_as("operator").post(mute_url(finding), mute_data())
    assert response.status_code == 302
    assert response["Location"] == page_url(finding)


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"justification": "because"}, "at least 10"),
        ({"justification": "          "}, "This field is required"),
        ({"expires_on": "2001-02-03"}, "in the future"),
        ({"expires_on": "today"}, "Enter a valid date"),
        ({"expires_on": future_day(366)}, "at most 365"),
        ({"scope": "everything"}, "Select a valid choice"),
    ],
)
def test_invalid_mute_rerenders_the_form_with_200_and_mutes_nothing(client_as, finding, overrides, error):
    response = client_as("operator").post(mute_url(finding), mute_data(**overrides), headers=HTMX)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert "HX-Trigger" not in response
    assert not Suppression.objects.exists()


def test_mute_today_is_refused(client_as, finding):
    response = client_as("operator").post(
        mute_url(finding), mute_data(expires_on=timezone.localdate().isoformat()), headers=HTMX
    )
    assert "in the future" in response.content.decode()


def test_invalid_mute_without_javascript_shows_the_page_with_errors(client_as, finding):
    response = client_as("operator").post(mute_url(finding), mute_data(justification="short"))
    assert response.status_code == 200
    assert "<html" in response.content.decode()
    assert "at least 10" in response.content.decode()


@pytest.mark.parametrize("role", ["viewer", "auditor"])
def test_mute_and_unmute_are_refused_below_operator(client_as, finding, role):
    finding.suppression = SuppressionFactory(account=finding.account)
    finding.save()
    client = client_as(role)
    assert client.post(mute_url(finding), mute_data(), headers=HTMX).status_code == 403
    assert client.post(unmute_url(finding), headers=HTMX).status_code == 403
    assert Suppression.objects.count() == 1
    assert Finding.objects.get(pk=finding.pk).is_muted


def test_mute_needs_the_csrf_token(finding, client_as):
    user = client_as("operator").user
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    assert strict.post(mute_url(finding), mute_data(), headers=HTMX).status_code == 403
    assert not Suppression.objects.exists()


def test_mute_refuses_get(client_as, finding):
    assert client_as("operator").get(mute_url(finding)).status_code == 405


def test_unmute_revokes_the_mute_for_every_finding_it_covered(client_as, finding, django_assert_max_num_queries):
    suppression = SuppressionFactory(account=finding.account, check_id=CHECK)
    sibling = FindingFactory(resource__account=finding.account, check_id=CHECK, suppression=suppression)
    finding.suppression = suppression
    finding.save()
    client = client_as("operator")
    with django_assert_max_num_queries(20):
        response = client.post(unmute_url(finding), headers=HTMX)
    assert response.status_code == 200
    assert "findings-changed" in json.loads(response["HX-Trigger"])
    assert "Unmuted 2 findings" in response.content.decode()
    suppression.refresh_from_db()
    assert suppression.revoked_by == client.user
    assert suppression.revoked_at is not None
    assert not Finding.objects.muted().filter(pk__in=[finding.pk, sibling.pk]).exists()
    assert AuditEntry.objects.filter(action="unmute").exists()


def test_expired_mute_no_longer_mutes_and_says_so(client_as, finding):
    finding.suppression = SuppressionFactory(account=finding.account, expires_at=timezone.now() - timedelta(days=2))
    finding.save()
    finding.refresh_from_db()
    assert not finding.is_muted
    assert not Finding.objects.muted().filter(pk=finding.pk).exists()
    assert Finding.objects.unmuted().filter(pk=finding.pk).exists()
    client = client_as("operator")
    text = client.get(page_url(finding)).content.decode()
    expired_on = finding.suppression.expires_at
    assert f"Mute expired on {expired_on:%-d %b %Y}" in text
    assert 'name="justification"' in text  # it can be muted again
    listed = client.get(reverse("dashboard:findings"), {"muted": "no"}).context["page"].rows
    assert finding.pk in [row.pk for row in listed]


def test_a_mute_made_in_the_past_expires_without_anything_running(client_as, time_machine, finding):
    client_as("operator").post(mute_url(finding), mute_data(expires_on=future_day(3)), headers=HTMX)
    assert Finding.objects.get(pk=finding.pk).is_muted
    time_machine.move_to(timezone.now() + timedelta(days=5))
    assert not Finding.objects.get(pk=finding.pk).is_muted
    assert not Finding.objects.muted().exists()


def test_missing_key_is_explained(client_as):
    finding = FindingFactory(resource__kms_key_arn="arn:aws:kms:us-east-1:999999999999:key/gone")
    text = client_as("viewer").get(page_url(finding)).content.decode()
    assert "Not in the inventory" in text


def test_resource_without_a_kms_key_needs_no_key_query(client_as, django_assert_max_num_queries):
    finding = FindingFactory(resource=ResourceFactory(kms_key_arn=""))
    client = client_as("viewer")
    with django_assert_max_num_queries(8):
        assert client.get(page_url(finding)).status_code == 200
