"""Every area appears wherever areas do — overview, account, findings filter, reports, exports, PDF, XLSX,
catalog — and an area nothing was judged in (Public access, before its checks run) shows a dash, never
0% or 100%.

The estate: three accounts with 30 days of scores; the Public access area was scanned but judged nothing
(rows with no score) on two of them, and the third was last scanned before the area existed (no row).
"""

import json
import re
import shutil
import subprocess
from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from accounts.tests.factories import AwsAccountFactory
from checks.catalog.base import Area, checks_by_area
from checks.models import AreaScore, Finding
from dashboard import scoreboard
from dashboard.exports import pdf, xlsx
from dashboard.exports.scope import Scope
from dashboard.tests.factories import FindingFactory
from dashboard.tests.report_estate import seed_estate

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
DASH = "—"
UNSCORED = Area.ACCESS


@pytest.fixture
def estate(time_machine):
    time_machine.move_to(NOW, tick=False)
    accounts = seed_estate(NOW, accounts=3, resources=1)
    # Judged nothing: the seed gives every registered check findings, the area's own checks included.
    Finding.objects.filter(area=UNSCORED).delete()
    AreaScore.objects.filter(area=UNSCORED).update(passed=0, failed=0, errors=0, score=None)
    AreaScore.objects.filter(area=UNSCORED, account=accounts[2]).delete()
    return accounts


@pytest.fixture
def access_finding(estate):
    """One failing finding in the area (a check other helpers are adding), beside the estate's others."""
    return FindingFactory(
        resource__account=estate[0],
        resource__name="public-exports",
        check_id="s3.bucket_public_access_blocked",
        area=Area.ACCESS,
        reason="Block Public Access is off for the bucket and the account.",
    )


def cells(html, area):
    return re.findall(rf'<td class="num" data-area="{area}">(.*?)</td>', html, re.S)


# --- overview ------------------------------------------------------------------------------------------------


def test_overview_has_a_column_for_every_area_with_its_short_label(client_as, estate):
    html = client_as("viewer").get(reverse("dashboard:overview")).text
    for area in Area:
        assert f'<th class="num" title="{area.label}">{scoreboard.SHORT_LABELS[area]}</th>' in html
        assert len(cells(html, area)) == len(estate)
    assert (
        html.index('title="Encryption in transit"')
        < html.index('title="Public access"')
        < html.index('title="Logging"')
    )


def test_overview_shows_a_dash_for_an_area_nothing_was_judged_in(client_as, estate):
    html = client_as("viewer").get(reverse("dashboard:overview")).text
    unscored = cells(html, UNSCORED)
    assert len(unscored) == 3
    for cell in unscored:
        assert f'<span class="score-value">{DASH}</span>' in cell
        assert "%" not in cell and "pts" not in cell
    assert all("%" in cell for cell in cells(html, Area.AT_REST))


def test_overview_overall_leaves_out_an_area_without_a_score(client_as, estate):
    response = client_as("viewer").get(reverse("dashboard:overview"))
    for row in response.context["rows"]:
        scored = [cell["score"] for cell in row["cells"] if cell["area"] != UNSCORED]
        assert row["overall"] == round(sum(scored) / len(scored), 1)


def test_overview_with_no_account_spans_every_column(client_as):
    html = client_as("viewer").get(reverse("dashboard:overview")).text
    assert f'colspan="{len(Area) + 4}"' in html


# --- account page --------------------------------------------------------------------------------------------


def area_card(html, area):
    return re.search(rf'id="area-card-{area}">(.*?)(?=<div class="card area-card"|</section>)', html, re.S).group(1)


def test_account_page_has_a_card_and_a_trend_line_for_every_area(client_as, estate):
    html = client_as("viewer").get(reverse("dashboard:account", args=[estate[0].pk])).text
    for area in Area:
        assert area.label in area_card(html, area)
        assert f"<title>{area.label}: " in html  # its line in the trend chart's legend
    assert f"<title>{UNSCORED.label}: no data</title>" in html


@pytest.mark.parametrize(
    ("index", "note"),
    [(0, "Nothing passed or failed yet"), (2, "Scored from the next scan")],
)
def test_account_card_of_an_unscored_area_shows_a_dash_and_says_why(client_as, estate, index, note):
    html = client_as("viewer").get(reverse("dashboard:account", args=[estate[index].pk])).text
    card = area_card(html, UNSCORED)
    assert f'<span class="score-value">{DASH}</span>' in card
    assert "%" not in card and "0 passed" not in card
    assert note in card


def test_account_never_scanned_says_so_on_every_card(client_as):
    account = AwsAccountFactory(name="fresh")
    html = client_as("viewer").get(reverse("dashboard:account", args=[account.pk])).text
    for area in Area:
        assert "Not scanned yet" in area_card(html, area)


# --- findings, reports and the export command ------------------------------------------------------------------


def test_findings_filter_offers_every_area_and_narrows_to_public_access(client_as, access_finding):
    client = client_as("viewer")
    html = client.get(reverse("dashboard:findings")).text
    for area in Area:
        assert f'<option value="{area.value}">{area.label}</option>' in html
    response = client.get(reverse("dashboard:findings"), {"area": "access", "status": ""})
    shown = set(re.findall(r'id="finding-(\d+)"', response.text))
    assert shown == {str(access_finding.pk)}


def test_reports_form_offers_every_area_and_builds_a_public_access_export(client_as, access_finding):
    client = client_as("auditor")
    html = client.get(reverse("dashboard:reports")).text
    for area in Area:
        assert re.search(rf'value="{area.value}"[^>]*>\s*{area.label}', html), area
    response = client.post(
        reverse("dashboard:report_build"), {"format": "json", "muted": "include", "areas": ["access"]}
    )
    rows = json.loads(b"".join(response.streaming_content))
    assert [row["resource_name"] for row in rows] == ["public-exports"]
    assert rows[0]["area"] == "access"


def test_export_command_takes_area_access(access_finding, tmp_path):
    path = tmp_path / "access.json"
    call_command("export", "--format", "json", "--area", "access", "-o", str(path), stdout=StringIO())
    rows = json.loads(path.read_text())
    assert {row["check_id"] for row in rows} == {"s3.bucket_public_access_blocked"}
    assert Finding.objects.exclude(area="access").exists()  # the others were left out, not absent


# --- PDF and XLSX ----------------------------------------------------------------------------------------------


def pdf_layout_text(scope, tmp_path):
    if not shutil.which("pdftotext"):
        pytest.fail("poppler-utils is not installed (apt-get install -y poppler-utils)")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf.render(scope, "auditor"))
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_pdf_scores_every_area_and_dashes_the_unscored_one(estate, tmp_path):
    text = pdf_layout_text(Scope(), tmp_path)
    summary = text[text.index("Scores by area") : text.index("Checks that matter most")]
    lines = {area: next(line for line in summary.splitlines() if line.strip().startswith(area.label)) for area in Area}
    assert lines[UNSCORED].split()[2:] == [DASH, "0", "0", "0", "0", "of", "3"]
    assert "%" in lines[Area.AT_REST] and "3 of 3" in lines[Area.AT_REST]
    appendix = " ".join(text[text.index("Appendix: check catalog") :].split())
    for area, checks in checks_by_area():
        assert area.label in appendix
        assert checks or f"{area.label} No checks in this area yet." in appendix


def test_pdf_account_matrix_has_a_column_per_area_and_dashes_the_unscored_one(estate):
    html = pdf.render_html(Scope(), "auditor")
    matrix = re.search(r'<table class="data matrix">(.*?)</table>', html, re.S).group(1)
    headings = re.findall(r'<th class="num">([^<]*)</th>', matrix)
    assert headings == [scoreboard.SHORT_LABELS[area] for area in Area] + ["Overall"]
    rows = re.findall(r'<span class="account-name">.*?</tr>', matrix, re.S)
    assert len(rows) == len(estate)
    for row in rows:
        scores = re.findall(r'<td class="num">(.*?)</td>', row, re.S)[: len(Area)]
        assert scores[list(Area).index(UNSCORED)] == f'<span class="score-none">{DASH}</span>'
        assert all("%" in score for area, score in zip(Area, scores, strict=True) if area != UNSCORED)
    assert f"<title>{UNSCORED.label}: no data</title>" in html  # the estate trend's legend


def test_pdf_of_the_public_access_area_alone(access_finding, tmp_path):
    text = " ".join(pdf_layout_text(Scope(areas=("access",)), tmp_path).split())
    assert "AREAS Public access" in text  # the cover's scope table (its headings are in capitals)
    assert "public-exports" in text
    assert "Encryption at rest" not in text


def test_xlsx_summary_has_a_column_per_area_and_leaves_an_unscored_one_empty(estate, tmp_path):
    path = tmp_path / "report.xlsx"
    xlsx.write(Scope(), path)
    summary = load_workbook(path)["Summary"]
    header = [cell.value for cell in summary[1]]
    assert header == ["account_id", "account_name", *[area.label for area in Area], "overall", "scored_at"]
    column = header.index(UNSCORED.label)
    for row in summary.iter_rows(min_row=2, values_only=True):
        assert row[column] is None
        scored = [value for value in row[2 : 2 + len(Area)] if value is not None]
        assert len(scored) == len(Area) - 1
        assert row[header.index("overall")] == round(sum(scored) / len(scored), 1)


# --- the catalog -------------------------------------------------------------------------------------------------


def test_catalog_page_lists_every_area_even_one_without_checks(client_as):
    html = client_as("viewer").get(reverse("dashboard:checks")).text
    for area, checks in checks_by_area():
        group = re.search(rf'<tbody aria-labelledby="area-{area.value}">(.*?)</tbody>', html, re.S).group(1)
        assert f'id="area-{area.value}">{area.label} ' in group
        assert all(check.id in group for check in checks)
        assert bool(checks) != ("No checks in this area yet." in group)


def test_catalog_command_lists_every_area_with_its_checks():
    out = StringIO()
    call_command("catalog", stdout=out)
    text = out.getvalue()
    headings = [text.index(f"== {area.label} ({area.value}): ") for area in Area]
    assert headings == sorted(headings)
    for (area, checks), start in zip(checks_by_area(), headings, strict=True):
        following = text[start:].split("\n== ", 1)[0]
        assert all(f"{check.id}  [{area.value} · " in following for check in checks)
        assert checks or "no checks yet" in following
    assert text.rstrip().endswith(f"checks in {len(Area)} areas.")
