"""Overview and account pages: query budgets, fragments, roles, escaping, scan progress."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import AwsAccountFactory
from checks.catalog.base import Area
from checks.models import Scan
from dashboard.tests.factories import AreaScoreFactory, FindingEventFactory, FindingFactory, ScanFactory

pytestmark = pytest.mark.django_db


def seed_estate(accounts=25):
    now = timezone.now()
    rows = []
    for index in range(accounts):
        account = AwsAccountFactory(name=f"acct-{index:02d}", labels={"env": "prod" if index % 2 else "dev"})
        for days_ago, score in ((10, 50.0), (3, 60.0 + index)):
            scan = ScanFactory(account=account, queued_at=now - timedelta(days=days_ago))
            for area in Area:
                AreaScoreFactory(scan=scan, area=area, score=score)
        finding = FindingFactory(resource__account=account, severity="critical")
        FindingEventFactory(finding=finding)
        rows.append(account)
    return rows


def test_overview_grid_has_a_constant_query_budget(client_as, django_assert_max_num_queries):
    seed_estate(25)
    client = client_as("viewer")
    with django_assert_max_num_queries(12):
        response = client.get(reverse("dashboard:overview"))
    assert response.status_code == 200
    assert response.text.count('href="/account/') == 25
    assert "+10.0" in response.text or "▲" in response.text  # the 7-day delta is shown


def test_overview_filter_by_label_returns_only_the_grid_fragment(client_as):
    seed_estate(4)
    response = client_as("viewer").get(
        reverse("dashboard:overview"), {"label": "env=prod"}, headers={"HX-Request": "true"}
    )
    assert 'id="score-grid"' in response.text and "<html" not in response.text
    assert "acct-01" in response.text and "acct-00" not in response.text


def test_overview_bad_filter_is_a_message_not_an_error(client_as):
    response = client_as("viewer").get(reverse("dashboard:overview"), {"label": "no-equals", "page": "x"})
    assert response.status_code == 200 and "key=value" in response.text


def test_failed_last_scan_stands_out(client_as):
    account = AwsAccountFactory(name="broken")
    ScanFactory(account=account, status=Scan.State.FAILED)
    response = client_as("viewer").get(reverse("dashboard:overview"))
    assert 'class="stands-out"' in response.text


def test_account_page_query_budget_and_escaping(client_as, django_assert_max_num_queries):
    [account, *_] = seed_estate(25)
    for n in range(25):
        finding = FindingFactory(resource__account=account, resource__name=f"<script>x{n}</script>")
        FindingEventFactory(finding=finding)
    client = client_as("viewer")
    with django_assert_max_num_queries(16):
        response = client.get(reverse("dashboard:account", args=[account.pk]))
    assert response.status_code == 200
    assert "<script>x" not in response.text and "&lt;script&gt;x" in response.text
    assert "Scan now" not in response.text  # a viewer is not offered the button …


def test_viewer_cannot_scan_or_cancel(client_as):
    account = AwsAccountFactory()
    scan = Scan.queue(account, Scan.Trigger.MANUAL)
    client = client_as("viewer")
    assert client.post(reverse("dashboard:scan_now", args=[account.pk])).status_code == 403  # … nor allowed
    assert client.post(reverse("dashboard:scan_cancel", args=[account.pk, scan.pk])).status_code == 403


def test_trend_range_swaps_only_the_chart(client_as):
    [account] = seed_estate(1)
    response = client_as("viewer").get(
        reverse("dashboard:account", args=[account.pk]), {"days": "90"}, headers={"HX-Request": "true"}
    )
    assert 'id="area-trends"' in response.text and "<html" not in response.text


def test_scan_now_queues_and_progress_stops_polling_when_done(
    client_as, monkeypatch, django_capture_on_commit_callbacks
):
    from checks import tasks

    sent = []
    monkeypatch.setattr(tasks.scan_account, "apply_async", lambda args, **kw: sent.append(args[0]))
    account = AwsAccountFactory()
    client = client_as("operator")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("dashboard:scan_now", args=[account.pk]), headers={"HX-Request": "true"})
    scan = Scan.objects.get(account=account)
    assert sent == [scan.pk] and 'hx-trigger="every 2s"' in response.text
    again = client.post(reverse("dashboard:scan_now", args=[account.pk]), headers={"HX-Request": "true"})
    assert "already queued or running" in again.text
    progress = reverse("dashboard:scan_progress", args=[account.pk, scan.pk])
    assert client.get(progress, headers={"HX-Request": "true"}).status_code == 200
    scan.finish(Scan.State.SUCCEEDED)
    done = client.get(progress, headers={"HX-Request": "true"})
    assert done.status_code == 286 and "every 2s" not in done.text


def test_cancel_a_queued_scan_from_the_page(client_as):
    account = AwsAccountFactory()
    scan = Scan.queue(account, Scan.Trigger.MANUAL)
    response = client_as("operator").post(
        reverse("dashboard:scan_cancel", args=[account.pk, scan.pk]), headers={"HX-Request": "true"}
    )
    scan.refresh_from_db()
    assert scan.status == Scan.State.CANCELLED and "Cancelled" in response.text


def test_a_plain_visit_says_the_order_it_shows(client_as):
    seed_estate(3)
    response = client_as("viewer").get(reverse("dashboard:overview"))
    # The rows are in name order, and the sort select (no option selected: a browser shows the first) says so.
    assert response.text.index("acct-00") < response.text.index("acct-01") < response.text.index("acct-02")
    assert response.text.index('value="name"') < response.text.index('value="worst"')
