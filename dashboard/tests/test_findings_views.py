"""The findings table: filters, sorting, keyset pages, bulk mute and the CSV export."""

import csv
import io
import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import AwsAccountFactory
from checks.catalog.base import Area, KeyOwner, Severity, Status
from checks.models import Finding, Suppression
from dashboard import findings_table
from dashboard.tests.factories import FindingFactory, ResourceFactory, SuppressionFactory

pytestmark = pytest.mark.django_db

URL = reverse("dashboard:findings")
EXPORT = reverse("dashboard:findings_export")
BULK_MUTE = reverse("dashboard:findings_bulk_mute")
HTMX = {"HX-Request": "true"}


@pytest.fixture
def estate():
    """25 accounts, each with a failing, an erroring and a passing finding of different severities."""
    accounts = AwsAccountFactory.create_batch(25)
    severities = list(Severity)
    for index, account in enumerate(accounts):
        FindingFactory(resource__account=account, status=Status.FAIL, severity=severities[index % 5])
        FindingFactory(
            resource__account=account,
            status=Status.ERROR,
            severity=Severity.LOW,
            check_id="s3.bucket_secure_transport",
            area=Area.IN_TRANSIT,
        )
        FindingFactory(
            resource__account=account,
            status=Status.PASS,
            severity=Severity.CRITICAL,
            resource__type="ebs.volume",
            resource__region="eu-west-1",
            check_id="ebs.volume_encrypted",
            key_owner=KeyOwner.CUSTOMER_MANAGED,
        )
    return accounts


def shown_ids(response):
    return [finding.pk for finding in response.context["page"].rows]


def test_default_order_is_failing_first_by_severity(client_as, estate, django_assert_max_num_queries):
    client = client_as("viewer")
    with django_assert_max_num_queries(30) as queries:
        response = client.get(URL)
    assert response.status_code == 200
    rows = response.context["page"].rows
    assert len(rows) == 50
    ranks = [
        (findings_table.STATUS_ORDER.index(f.status), findings_table.SEVERITY_ORDER.index(f.severity)) for f in rows
    ]
    assert ranks == sorted(ranks)
    assert rows[0].status == Status.FAIL
    assert rows[0].severity == Severity.CRITICAL
    assert not any("COUNT(" in query["sql"].upper() for query in queries.captured_queries)


def test_buckets_are_walked_on_their_sort_keys_and_only_the_page_is_joined(client_as, estate):
    """Each bucket reads ids (and sort values) alone; the page's rows are then loaded with their account,
    resource and mute in one statement. Joining in every bucket made the database join all of a team's
    thousands of failures before its LIMIT."""
    with CaptureQueriesContext(connection) as queries:
        rows = client_as("viewer").get(URL).context["page"].rows
    joined = [query["sql"] for query in queries.captured_queries if '"checks_resource"' in query["sql"]]
    assert len(rows) == 50 and len(joined) == 1 and '"checks_finding"."id" IN (' in joined[0]


def test_htmx_request_gets_only_the_results_fragment(client_as, estate, django_assert_max_num_queries):
    client = client_as("viewer")
    with django_assert_max_num_queries(30):
        response = client.get(URL, {"severity": "high", "status": "FAIL"}, headers=HTMX)
    text = response.content.decode()
    assert 'id="findings-results"' in text
    assert "<html" not in text
    assert response["HX-Push-Url"] == f"{URL}?severity=high&status=FAIL"
    assert "HX-Request" in response["Vary"]


def test_closed_findings_are_hidden_unless_asked_for(client_as):
    current = FindingFactory()
    closed = FindingFactory(closed_at=timezone.now())
    client = client_as("viewer")
    assert shown_ids(client.get(URL)) == [current.pk]
    assert shown_ids(client.get(URL, {"status": "closed"})) == [closed.pk]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"severity": "critical"}, lambda f: f.severity == "critical"),
        ({"status": "ERROR"}, lambda f: f.status == "ERROR"),
        ({"area": "in_transit"}, lambda f: f.area == "in_transit"),
        ({"check": "ebs.volume_encrypted"}, lambda f: f.check_id == "ebs.volume_encrypted"),
        ({"resource_type": "ebs.volume"}, lambda f: f.resource_type == "ebs.volume"),
        ({"region": "eu-west-1"}, lambda f: f.region == "eu-west-1"),
        ({"key_owner": "customer_managed"}, lambda f: f.key_owner == "customer_managed"),
    ],
)
def test_each_filter_narrows_the_table(client_as, estate, query, expected):
    client = client_as("viewer")
    rows = client.get(URL, {**query, "sort": "account"}).context["page"].rows
    everything = Finding.objects.current()
    wanted = [f for f in everything if expected(f)]
    assert rows
    assert len(rows) == min(len(wanted), 50)
    assert all(expected(f) for f in rows)


def test_account_filter_uses_the_account_number(client_as, estate):
    account = estate[3]
    rows = client_as("viewer").get(URL, {"account": account.account_id}).context["page"].rows
    assert {f.account_id for f in rows} == {account.pk}
    assert len(rows) == 3


def test_changed_since_keeps_findings_whose_status_changed_on_or_after_the_day(client_as):
    old = FindingFactory(status_since=timezone.now() - timedelta(days=20))
    recent = FindingFactory(status_since=timezone.now() - timedelta(days=2))
    day = (timezone.now() - timedelta(days=5)).date().isoformat()
    client = client_as("viewer")
    assert shown_ids(client.get(URL, {"changed_since": day})) == [recent.pk]
    assert old.pk in shown_ids(client.get(URL))


def test_muted_filter_counts_only_unexpired_unrevoked_mutes(client_as):
    active = FindingFactory(suppression=SuppressionFactory())
    expired = FindingFactory(suppression=SuppressionFactory(expires_at=timezone.now() - timedelta(hours=1)))
    plain = FindingFactory()
    client = client_as("viewer")
    assert shown_ids(client.get(URL, {"muted": "yes"})) == [active.pk]
    assert set(shown_ids(client.get(URL, {"muted": "no"}))) == {expired.pk, plain.pk}


@pytest.mark.parametrize(
    "query",
    [
        "severity=catastrophic",
        "page=abc",
        "changed_since=2026-13-45",
        "status=<script>",
        "sort=password",
        "account=999",
        "after=!!!",
        "before=bm90LWpzb24",
        "after=WzAsWyJ4Il1d",
        "region=../../etc",
        "resource_type=%00",
        "muted=maybe&check=nope",
        "changed_since=99999-01-01",
    ],
)
def test_bad_query_strings_are_ignored_with_a_notice_not_an_error(client_as, estate, query):
    response = client_as("viewer").get(f"{URL}?{query}")
    assert response.status_code == 200
    assert len(response.context["page"].rows) == 50  # the unfiltered first page


def test_rejected_filter_is_named_in_the_notice(client_as):
    response = client_as("viewer").get(URL, {"severity": "catastrophic", "changed_since": "yesterday"})
    text = response.content.decode()
    assert "Some filters were ignored" in text
    assert "Severity:" in text
    assert "Changed since:" in text


def walk_pages(client, query):
    """Every row id following Next links, and the pages' first ids."""
    seen, response = [], client.get(URL, query)
    pages = [response.context["page"]]
    seen += shown_ids(response)
    while response.context["page"].has_next:
        response = client.get(response.context["links"]["next"])
        pages.append(response.context["page"])
        seen += shown_ids(response)
    return seen, pages, response


@pytest.mark.parametrize("sort", findings_table.SORT_KEYS)
def test_pages_cover_every_row_once_in_every_sort(client_as, estate, monkeypatch, sort):
    monkeypatch.setattr(findings_table, "PAGE_SIZE", 16)
    client = client_as("viewer")
    seen, pages, last = walk_pages(client, {"sort": sort})
    assert sorted(seen) == sorted(Finding.objects.values_list("pk", flat=True))
    assert len(pages) == 5  # 75 rows, 16 a page
    # Previous from the last page gives the page before it, and back to page one eventually.
    back = client.get(last.context["links"]["previous"])
    assert [f.pk for f in back.context["page"].rows] == [f.pk for f in pages[-2].rows]


@pytest.mark.parametrize("sort", ["status", "severity"])
def test_pages_with_an_unindexed_filter_use_one_ranked_scan(client_as, estate, monkeypatch, sort):
    monkeypatch.setattr(findings_table, "PAGE_SIZE", 10)
    client = client_as("viewer")
    seen, pages, _ = walk_pages(client, {"sort": sort, "region": "us-east-1"})
    assert sorted(seen) == sorted(Finding.objects.filter(region="us-east-1").values_list("pk", flat=True))
    assert len(pages) == 5
    ranks = [
        (findings_table.STATUS_ORDER.index(f.status), findings_table.SEVERITY_ORDER.index(f.severity))
        for page in pages
        for f in page.rows
    ]
    assert ranks == (sorted(ranks) if sort == "status" else sorted(ranks, key=lambda r: (r[1], r[0])))


@pytest.mark.parametrize("sort", ["status", "severity"])
def test_one_accounts_pages_are_one_ranked_scan_each(client_as, estate, monkeypatch, sort):
    """One account's table sorts its few rows in one statement instead of a statement per status × severity."""
    monkeypatch.setattr(findings_table, "PAGE_SIZE", 4)
    account = estate[0]
    statuses, severities = list(Status), list(Severity)
    for n in range(20):
        FindingFactory(resource__account=account, status=statuses[n % 4], severity=severities[n % 5], area=Area.AT_REST)
    client = client_as("viewer")
    query = {"sort": sort, "account": account.account_id, "area": Area.AT_REST}

    with CaptureQueriesContext(connection) as queries:
        client.get(URL, query)
    walked = [sql for sql in (q["sql"] for q in queries.captured_queries) if sql.startswith("SELECT CASE WHEN")]
    seen, pages, _ = walk_pages(client, query)

    assert len(walked) == 1
    expected = Finding.objects.filter(account=account, area=Area.AT_REST)
    assert sorted(seen) == sorted(expected.values_list("pk", flat=True)) and len(seen) == len(set(seen))
    ranks = [
        (findings_table.STATUS_ORDER.index(f.status), findings_table.SEVERITY_ORDER.index(f.severity), -f.pk)
        for page in pages
        for f in page.rows
    ]
    assert ranks == (sorted(ranks) if sort == "status" else sorted(ranks, key=lambda r: (r[1], r[0], r[2])))


def test_account_sort_is_by_account_name(client_as):
    for name in ("zulu", "alpha", "mike"):
        FindingFactory(resource__account=AwsAccountFactory(name=name))
    rows = client_as("viewer").get(URL, {"sort": "account"}).context["page"].rows
    assert [f.account.name for f in rows] == ["alpha", "mike", "zulu"]


def test_check_sort_is_by_check_id_then_status(client_as):
    passing = FindingFactory(check_id="ebs.volume_encrypted", status=Status.PASS)
    failing = FindingFactory(check_id="ebs.volume_encrypted", status=Status.FAIL)
    retired = FindingFactory(check_id="aa.retired_check")
    rows = shown_ids(client_as("viewer").get(URL, {"sort": "check"}))
    assert rows == [retired.pk, failing.pk, passing.pk]


def test_account_and_check_sorts_walk_a_bounded_number_of_queries(client_as, django_assert_max_num_queries):
    accounts = AwsAccountFactory.create_batch(40)
    FindingFactory(resource__account=accounts[-1], check_id="s3.bucket_default_encryption")
    client = client_as("viewer")
    for sort in ("account", "check"):
        with django_assert_max_num_queries(20):  # sparse rows: every chunk is visited, about ten of them
            assert len(shown_ids(client.get(URL, {"sort": sort}))) == 1


def test_previous_from_page_two_is_a_full_first_page(client_as, estate, monkeypatch):
    monkeypatch.setattr(findings_table, "PAGE_SIZE", 10)
    client = client_as("viewer")
    first = client.get(URL)
    second = client.get(first.context["links"]["next"])
    back = client.get(second.context["links"]["previous"])
    assert shown_ids(back) == shown_ids(first)
    assert not back.context["page"].has_previous
    pushed = client.get(second.context["links"]["previous"], headers=HTMX)["HX-Push-Url"]
    assert pushed == URL  # page one has no cursor in its address


def test_default_sort_is_left_out_of_links(client_as, estate):
    response = client_as("viewer").get(URL, {"sort": "status", "severity": "low"}, headers=HTMX)
    assert response["HX-Push-Url"] == f"{URL}?severity=low"


def test_sorting_keeps_the_filters(client_as, estate):
    response = client_as("viewer").get(URL, {"severity": "low", "sort": "check"})
    columns = {column["label"]: column for column in response.context["columns"]}
    assert columns["Check"]["aria_sort"] == "ascending"
    assert "severity=low" in columns["Account"]["url"]
    assert "sort=account" in columns["Account"]["url"]
    rows = response.context["page"].rows
    assert [f.check_id for f in rows] == sorted(f.check_id for f in rows)


def test_hostile_resource_name_renders_escaped(client_as):
    FindingFactory(resource__name="<script>alert(1)</script>")
    text = client_as("viewer").get(URL).content.decode()
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_viewer_sees_no_selection_or_export_and_operator_does(client_as):
    FindingFactory()
    viewer_text = client_as("viewer").get(URL).content.decode()
    assert 'name="finding"' not in viewer_text
    assert "Export CSV" not in viewer_text


def test_operator_sees_selection_and_export(client_as):
    FindingFactory()
    text = client_as("operator").get(URL).content.decode()
    assert 'name="finding"' in text
    assert 'form="bulk-mute"' in text
    assert "Export CSV" in text


# --- bulk mute ------------------------------------------------------------------------------------


def future_day(days=30):
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def test_operator_bulk_mutes_the_selected_findings(client_as, estate, django_assert_max_num_queries):
    chosen = list(Finding.objects.filter(status=Status.FAIL)[:3])
    other = Finding.objects.filter(status=Status.FAIL).exclude(pk__in=[f.pk for f in chosen]).first()
    client = client_as("operator")
    with django_assert_max_num_queries(40):
        response = client.post(
            f"{BULK_MUTE}?status=FAIL",
            {
                "finding": [f.pk for f in chosen],
                "justification": "Decommissioning next sprint, accepted.",
                "expires_on": future_day(),
            },
            headers=HTMX,
        )
    assert response.status_code == 200
    assert "findings-changed" in json.loads(response["HX-Trigger"])
    text = response.content.decode()
    assert 'id="findings-results"' in text
    assert "<html" not in text
    assert "Muted 3 findings" in text
    assert set(Finding.objects.muted().values_list("pk", flat=True)) == {f.pk for f in chosen}
    assert not Finding.objects.get(pk=other.pk).is_muted
    assert Suppression.objects.filter(created_by=client.user).count() == 3
    assert response.context["filters"].values["status"] == "FAIL"  # the table kept its filters


def test_bulk_mute_without_javascript_redirects_back_to_the_filtered_table(client_as):
    finding = FindingFactory()
    response = client_as("operator").post(
        f"{BULK_MUTE}?severity=high",
        {"finding": [finding.pk], "justification": "Known and accepted by the team.", "expires_on": future_day()},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{URL}?severity=high"
    assert Finding.objects.get(pk=finding.pk).is_muted


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"justification": "too short", "expires_on": future_day()}, "at least 10"),
        ({"justification": "A perfectly good reason.", "expires_on": "2000-01-01"}, "in the future"),
        ({"justification": "A perfectly good reason.", "expires_on": future_day(400)}, "at most 365"),
    ],
)
def test_invalid_bulk_mute_rerenders_with_errors_and_mutes_nothing(client_as, data, error):
    finding = FindingFactory()
    response = client_as("operator").post(BULK_MUTE, {"finding": [finding.pk], **data}, headers=HTMX)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Suppression.objects.exists()


def test_bulk_mute_needs_a_selection(client_as):
    FindingFactory()
    response = client_as("operator").post(
        BULK_MUTE, {"justification": "A perfectly good reason.", "expires_on": future_day()}, headers=HTMX
    )
    assert "Select at least one finding" in response.content.decode()
    assert not Suppression.objects.exists()


@pytest.mark.parametrize("role", ["viewer", "auditor"])
def test_bulk_mute_is_refused_below_operator(client_as, role):
    finding = FindingFactory()
    response = client_as(role).post(
        BULK_MUTE, {"finding": [finding.pk], "justification": "A good reason here.", "expires_on": future_day()}
    )
    assert response.status_code == 403
    assert not Suppression.objects.exists()


def test_bulk_mute_refuses_get(client_as):
    assert client_as("operator").get(BULK_MUTE).status_code == 405


# --- export -------------------------------------------------------------------------------------------


def exported(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_export_holds_exactly_the_filtered_rows(client_as, estate, django_assert_max_num_queries):
    client = client_as("auditor")
    with django_assert_max_num_queries(10):
        response = client.get(EXPORT, {"status": "FAIL", "severity": "high"})
        rows = exported(response)
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    expected = Finding.objects.filter(status=Status.FAIL, severity=Severity.HIGH)
    assert {(r["account_id"], r["resource_uid"]) for r in rows} == {
        (f.account.account_id, f.resource.uid) for f in expected
    }
    assert {r["status"] for r in rows} == {"FAIL"}


def test_export_link_carries_the_table_filters(client_as):
    FindingFactory()
    text = client_as("auditor").get(URL, {"severity": "high", "region": "us-east-1"}).content.decode()
    assert f'{EXPORT}?severity=high&amp;region=us-east-1"' in text


def test_export_neutralises_formula_looking_resource_names(client_as):
    FindingFactory(resource__name='=HYPERLINK("http://evil.example","x")', resource__uid="arn:aws:s3:::evil")
    [row] = exported(client_as("auditor").get(EXPORT))
    assert row["resource_name"].startswith("'=")


def test_export_honours_the_muted_filter(client_as):
    muted = FindingFactory(suppression=SuppressionFactory())
    FindingFactory()
    rows = exported(client_as("auditor").get(EXPORT, {"muted": "yes"}))
    assert [r["resource_uid"] for r in rows] == [muted.resource.uid]
    assert rows[0]["muted"] == "true"


def test_viewer_cannot_export(client_as):
    assert client_as("viewer").get(EXPORT).status_code == 403


def test_user_without_a_role_cannot_read_findings(client_as):
    ResourceFactory()
    assert client_as(None).get(URL).status_code == 403
