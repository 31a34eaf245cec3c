"""/api/v1/: what each endpoint answers, scoped to the token's accounts, and its bad-input answers."""

import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from openapi_spec_validator import validate

from accounts.tests.factories import AwsAccountFactory, TeamFactory
from api import tokens
from api.tests.conftest import make_user
from checks.catalog.base import Area, Severity, Status
from dashboard import reports
from dashboard.models import ReportJob
from dashboard.tests.factories import AreaScoreFactory, FindingEventFactory, FindingFactory, ScanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def estate():
    """Two accounts, each with a scored scan and findings; `ours` is what a narrowed token sees."""
    ours = AwsAccountFactory(account_id="111111111111", name="payments")
    theirs = AwsAccountFactory(account_id="222222222222", name="hr")
    for account, score in ((ours, 80.0), (theirs, 40.0)):
        scan = ScanFactory(account=account)
        AreaScoreFactory(scan=scan, area=Area.AT_REST, score=score)
        AreaScoreFactory(scan=scan, area=Area.LOGGING, score=100.0)
    high = FindingFactory(resource__account=ours, resource__name="pay-bucket", severity=Severity.HIGH)
    low = FindingFactory(
        resource__account=ours,
        resource__name="pay-logs",
        severity=Severity.LOW,
        check_id="s3.bucket_server_access_logging",
    )
    passing = FindingFactory(
        resource__account=ours, resource__name="pay-ok", status=Status.PASS, severity=Severity.MEDIUM
    )
    hidden = FindingFactory(resource__account=theirs, resource__name="hr-salaries", severity=Severity.HIGH)
    for finding in (high, low, passing, hidden):
        FindingEventFactory(finding=finding, at=timezone.now() - timedelta(days=2), new_status=finding.status)
    return {"ours": ours, "theirs": theirs, "high": high, "low": low, "passing": passing, "hidden": hidden}


def team_of(*accounts):
    team = TeamFactory()
    team.accounts.add(*accounts)
    return team


@pytest.fixture
def narrowed(api_as, estate):
    """A viewer token narrowed to the `ours` account."""
    return api_as("viewer", accounts=[estate["ours"]])


def test_accounts_list_only_the_tokens_accounts_with_latest_scores(narrowed, estate):
    [account] = narrowed.get("/api/v1/accounts/").json()["results"]
    assert account["account_id"] == "111111111111" and account["name"] == "payments"
    assert account["scores"]["areas"]["at_rest"] == 80.0 and account["scores"]["areas"]["keys"] is None
    assert account["scores"]["overall"] == 90.0


def test_a_token_sees_its_owners_teams_accounts_only(api_as, estate):
    """The API asks accounts.visibility: a member of the payments team never sees HR's account or findings."""
    client = api_as("auditor", teams=[team_of(estate["ours"])])
    assert [a["account_id"] for a in client.get("/api/v1/accounts/").json()["results"]] == ["111111111111"]
    assert client.get("/api/v1/accounts/222222222222/").status_code == 404
    assert client.get(f"/api/v1/findings/{estate['hidden'].pk}/").status_code == 404
    text = client.get("/api/v1/findings/").text + client.get("/api/v1/changes/").text
    assert "hr-salaries" not in text and "222222222222" not in text and "pay-bucket" in text
    refused = client.post(
        "/api/v1/reports/", {"format": "csv", "accounts": ["222222222222"]}, content_type="application/json"
    )
    assert refused.status_code == 404


def test_a_token_narrowed_to_a_team_sees_that_teams_accounts(api_as, estate):
    """An admin (who sees everything) narrows a token to the payments team: the token sees payments only."""
    client = api_as("admin", teams=[], team_scope=[team_of(estate["ours"])])
    assert [a["account_id"] for a in client.get("/api/v1/accounts/").json()["results"]] == ["111111111111"]
    assert client.get(f"/api/v1/findings/{estate['hidden'].pk}/").status_code == 404
    names = {f["resource"]["name"] for f in client.get("/api/v1/findings/").json()["results"]}
    assert names == {"pay-bucket", "pay-logs", "pay-ok"}


def test_a_token_cannot_be_narrowed_to_someone_elses_team(estate):
    owner = make_user("payments-lead", "viewer", teams=[team_of(estate["ours"])])
    with pytest.raises(tokens.TokenError, match="its owner's teams"):
        tokens.issue(owner, "x", teams=[team_of(estate["theirs"])])


def test_a_token_cannot_be_narrowed_to_an_account_its_owner_cannot_see(estate):
    owner = make_user("payments-lead", "viewer", teams=[team_of(estate["ours"])])
    with pytest.raises(tokens.TokenError, match="accounts its owner can see"):
        tokens.issue(owner, "x", accounts=[estate["theirs"]])


def test_account_detail_has_trends_and_foreign_accounts_are_404(narrowed, estate):
    body = narrowed.get("/api/v1/accounts/111111111111/").json()
    assert [point["score"] for point in body["trends"]["at_rest"]] == [80.0]
    for missing in ("222222222222", "999999999999", "nonsense"):
        response = narrowed.get(f"/api/v1/accounts/{missing}/")
        assert response.status_code == 404 and response.json() == {"detail": "No such account."}
    assert narrowed.get("/api/v1/accounts/111111111111/", {"days": "0"}).status_code == 400


@pytest.mark.parametrize("count", [3, 30])
def test_account_list_queries_do_not_grow_with_accounts(api_as, django_assert_max_num_queries, count):
    for _ in range(count):
        AreaScoreFactory(scan=ScanFactory(account=AwsAccountFactory()))
    client = api_as("viewer")
    with django_assert_max_num_queries(7):
        assert len(client.get("/api/v1/accounts/").json()["results"]) == count


def test_account_list_pages_by_name_following_next(api_as):
    """A bounded page at a time, by name then id (two accounts share a name), each account once."""
    for number in range(7):
        AwsAccountFactory(account_id=f"{number + 1:012d}", name=f"team-{number // 2}")
    client = api_as("viewer")
    seen, after = [], None
    for _ in range(4):
        body = client.get("/api/v1/accounts/", {"size": "2", **({"after": after} if after else {})}).json()
        seen += [(a["name"], a["account_id"]) for a in body["results"]]
        after = body["next"]
        if after is None:
            break
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == 7
    whole = client.get("/api/v1/accounts/").json()
    assert [(a["name"], a["account_id"]) for a in whole["results"]] == seen and whole["next"] is None


@pytest.mark.parametrize(
    ("params", "field"),
    [({"size": "0"}, "size"), ({"size": "201"}, "size"), ({"size": "ten"}, "size"), ({"after": "nonsense"}, "after")],
)
def test_bad_account_list_paging_is_400_json_naming_the_field(narrowed, params, field):
    response = narrowed.get("/api/v1/accounts/", params)
    assert response.status_code == 400
    assert field in response.json()["errors"] and response.json()["detail"]


def test_findings_use_the_findings_pages_filters(narrowed, estate, client_as):
    body = narrowed.get("/api/v1/findings/", {"severity": "high"}).json()
    assert [f["id"] for f in body["results"]] == [estate["high"].pk]
    page = client_as("viewer").get("/findings/", {"severity": "high", "account": "111111111111"})
    assert [f.pk for f in page.context["page"].rows] == [f["id"] for f in body["results"]]
    statuses = {f["status"] for f in narrowed.get("/api/v1/findings/", {"status": "PASS"}).json()["results"]}
    assert statuses == {"PASS"}
    first = body["results"][0]
    assert first["account_id"] == "111111111111" and first["resource"]["name"] == "pay-bucket"
    assert first["muted"] is False


def test_findings_pages_follow_the_keyset_cursor(narrowed, estate):
    first = narrowed.get("/api/v1/findings/", {"size": "2", "sort": "severity"}).json()
    assert len(first["results"]) == 2 and first["next"] and first["previous"] is None
    second = narrowed.get("/api/v1/findings/", {"size": "2", "sort": "severity", "after": first["next"]}).json()
    ids = [f["id"] for f in first["results"] + second["results"]]
    assert sorted(ids) == sorted(estate[n].pk for n in ("high", "low", "passing")) and second["next"] is None
    back = narrowed.get("/api/v1/findings/", {"size": "2", "sort": "severity", "before": second["previous"]}).json()
    assert [f["id"] for f in back["results"]] == [f["id"] for f in first["results"]]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"severity": "urgent"}, "severity"),
        ({"account": "222222222222"}, "account"),  # a foreign account is no valid choice: nothing is revealed
        ({"changed_since": "yesterday"}, "changed_since"),
        ({"region": "<script>"}, "region"),
        ({"after": "not-a-cursor"}, "after"),
        ({"size": "1000"}, "size"),
        ({"severty": "high"}, "severty"),
    ],
)
def test_bad_finding_filters_are_400_json_naming_the_field(narrowed, estate, params, field):
    response = narrowed.get("/api/v1/findings/", params)
    assert response.status_code == 400
    assert field in response.json()["errors"] and response.json()["detail"]


@pytest.mark.parametrize("count", [2, 20])
def test_finding_list_queries_do_not_grow_with_accounts(api_as, django_assert_max_num_queries, count):
    for _ in range(count):
        FindingFactory(resource__account=AwsAccountFactory())
    client = api_as("viewer")
    with django_assert_max_num_queries(10):
        assert len(client.get("/api/v1/findings/", {"status": "FAIL", "severity": "high"}).json()["results"]) == count


def test_a_finding_has_its_events_and_advice(narrowed, estate):
    body = narrowed.get(f"/api/v1/findings/{estate['high'].pk}/").json()
    assert body["check_id"] == "s3.bucket_default_encryption" and "default encryption" in body["title"].lower()
    assert "CLI:" in body["remediation"]
    assert [(e["old_status"], e["new_status"]) for e in body["events"]] == [("", "FAIL")]


def test_foreign_or_missing_findings_are_404_json(narrowed, estate):
    for pk in (estate["hidden"].pk, 987654321):
        response = narrowed.get(f"/api/v1/findings/{pk}/")
        assert response.status_code == 404 and response.json() == {"detail": "No such finding."}


def test_changes_between_two_dates(narrowed, estate):
    today = timezone.now().date()
    body = narrowed.get("/api/v1/changes/", {"start": str(today - timedelta(days=5)), "end": str(today)}).json()
    appeared = {f["id"] for f in body["changes"]["appeared"]}
    assert appeared == {estate[n].pk for n in ("high", "low", "passing")} and body["totals"]["appeared"] == 3
    bad = narrowed.get("/api/v1/changes/", {"start": str(today), "end": str(today - timedelta(days=1))})
    assert bad.status_code == 400 and "start" in bad.json()["errors"]
    assert narrowed.get("/api/v1/changes/", {"account": "222222222222"}).status_code == 400


def test_catalog_is_the_catalog_commands_json(narrowed, capsys):
    call_command("catalog", "--format", "json")
    assert narrowed.get("/api/v1/catalog/").json()["results"] == json.loads(capsys.readouterr().out)


def test_report_jobs_need_the_auditor_role(api_as, estate):
    response = api_as("viewer").post("/api/v1/reports/", {"format": "csv"}, content_type="application/json")
    assert response.status_code == 403 and "auditor" in response.json()["detail"]
    auditor_as_viewer = api_as("auditor", role="viewer")
    assert auditor_as_viewer.get("/api/v1/reports/").status_code == 403


def test_report_job_create_poll_download(api_as, estate, settings, tmp_path):
    settings.REPORTS_DIR = tmp_path
    client = api_as("auditor", accounts=[estate["ours"]])
    created = client.post("/api/v1/reports/", {"format": "json"}, content_type="application/json")
    assert created.status_code == 202 and created.json()["status"] == "queued"
    job = ReportJob.objects.get(pk=created.json()["id"])
    assert job.scope["accounts"] == ["111111111111"]  # the token's accounts, never "all"
    reports.run_job(job)
    polled = client.get(f"/api/v1/reports/{job.pk}/").json()
    assert polled["status"] == "succeeded" and polled["download"].endswith(f"/api/v1/reports/{job.pk}/download/")
    download = client.get(f"/api/v1/reports/{job.pk}/download/")
    rows = json.loads(b"".join(download.streaming_content))
    assert {row["resource_name"] for row in rows} == {"pay-bucket", "pay-logs", "pay-ok"}
    assert [j["id"] for j in client.get("/api/v1/reports/").json()["results"]] == [job.pk]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"format": "exe"}, 400, "format"),
        ({"format": "csv", "colour": "red"}, 400, "colour"),
        ({"format": "csv", "as_of": "2001-01-01"}, 400, "scope"),
        ({"format": "csv", "framework": "nope"}, 400, "scope"),
        ({"format": "csv", "accounts": ["222222222222"]}, 404, None),
    ],
)
def test_bad_report_requests_are_4xx_json(api_as, estate, body, status, field):
    client = api_as("auditor", accounts=[estate["ours"]])
    response = client.post("/api/v1/reports/", body, content_type="application/json")
    assert response.status_code == status
    assert response.json()["detail"] and (field is None or field in response.json()["errors"])
    assert not ReportJob.objects.exists()


def test_jobs_over_other_accounts_are_not_the_tokens(api_as, estate):
    client = api_as("auditor", accounts=[estate["ours"]])
    other = ReportJob.objects.create(requested_by=client.user, format="csv", scope={"accounts": ["222222222222"]})
    everything = ReportJob.objects.create(requested_by=client.user, format="csv", scope={"accounts": []})
    assert client.get("/api/v1/reports/").json()["results"] == []
    for job in (other, everything):
        assert client.get(f"/api/v1/reports/{job.pk}/").status_code == 404


def test_unknown_api_paths_are_404_json(narrowed):
    response = narrowed.get("/api/v1/nothing-here/")
    assert response.status_code == 404 and response.json() == {"detail": "No such API endpoint."}
    slashless = narrowed.get("/api/v1/findings")
    assert slashless.status_code == 404 and "/api/v1/findings/ (with the trailing slash)" in slashless.json()["detail"]
    assert narrowed.get("/api/v1/findings/", {"format": "api"}).status_code == 400  # no browsable API


def test_openapi_document_is_served_and_valid(narrowed, client):
    response = narrowed.get("/api/v1/openapi.json")
    document = response.json()
    validate(document)
    assert {"/api/v1/findings/", "/api/v1/reports/{id}/download/"} <= set(document["paths"])
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert client.get("/api/v1/openapi.json").status_code == 401


@pytest.mark.parametrize("count", [2, 20])
def test_unfiltered_finding_pages_cost_the_same_at_any_account_count(api_as, django_assert_max_num_queries, count):
    """Failing first: one query per status × severity bucket at most (20), then one for the rows shown, whatever
    the number of accounts."""
    for _ in range(count):
        FindingFactory(resource__account=AwsAccountFactory())
    client = api_as("viewer")
    with django_assert_max_num_queries(27):
        body = client.get("/api/v1/findings/", {"size": "10"}).json()
    assert len(body["results"]) == min(count, 10) and (body["next"] is not None) == (count > 10)
