"""The PDF audit report: HTML from templates/reports/report.html, laid out by WeasyPrint with pdf.css.

Sections are capped (a 50-account estate can hold a hundred thousand findings); a capped section says
how many rows it left out and points at findings.csv, which always holds them all.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from checks.catalog import CATALOG
from checks.catalog.base import SEVERITY_WEIGHT, Area, Severity, Status, checks_by_area
from checks.compliance.rollup import Rollup
from dashboard import charts, compliance, scoreboard

CSS = Path(__file__).with_name("pdf.css")
TREND_DAYS = 30
PER_CHECK_ROWS = 10  # resources listed under one failing check
SEVERITY_ROWS = 120  # resources listed across one severity
MUTED_ROWS = 100
DETAIL_ACCOUNTS = 10  # accounts (the lowest-scoring) that get a full trend chart
TOP_CHECKS = 10


@dataclass
class CheckGroup:
    """One failing check within a severity: its catalog entry, how many resources fail, the first few."""

    check_id: str
    check: object
    count: int = 0
    accounts: set = field(default_factory=set)
    rows: list = field(default_factory=list)

    @property
    def remediation(self):
        steps, marker, cli = (self.check.remediation if self.check else "").partition(" CLI: ")
        return {"steps": steps.strip(), "cli": cli.strip() if marker else ""}

    @property
    def hidden(self):
        return self.count - len(self.rows)


@dataclass
class MuteGroup:
    """The findings one suppression (one accepted risk) muted: who accepted it, why, until when."""

    suppression: object
    count: int = 0
    rows: list = field(default_factory=list)

    @property
    def check(self):
        return CATALOG.get(self.suppression.check_id)

    @property
    def hidden(self):
        return self.count - len(self.rows)


@dataclass
class Tallies:
    """What one pass over the scoped findings learns."""

    statuses: Counter = field(default_factory=Counter)
    failing: dict = field(default_factory=lambda: defaultdict(dict))  # severity → check id → CheckGroup
    failing_by_account: dict = field(default_factory=lambda: defaultdict(Counter))  # account pk → severity
    muted: dict = field(default_factory=dict)  # suppression id → MuteGroup
    muted_count: int = 0
    muted_failing: int = 0
    listed: Counter = field(default_factory=Counter)  # rows listed per severity (for the cap)

    def add(self, finding, at):
        status = finding.status_then
        self.statuses[status] += 1
        if finding.is_muted_at(at):
            self.muted_count += 1
            self.muted_failing += status == Status.FAIL
            group = self.muted.setdefault(finding.suppression_id, MuteGroup(finding.suppression))
            group.count += 1
            if len(group.rows) < PER_CHECK_ROWS and self.listed["muted"] < MUTED_ROWS:
                group.rows.append(finding)
                self.listed["muted"] += 1
            return
        if status != Status.FAIL:
            return
        self.failing_by_account[finding.account_id][finding.severity] += 1
        group = self.failing[finding.severity].get(finding.check_id)
        if group is None:
            group = self.failing[finding.severity][finding.check_id] = CheckGroup(
                finding.check_id, CATALOG.get(finding.check_id)
            )
        group.count += 1
        group.accounts.add(finding.account_id)
        if len(group.rows) < PER_CHECK_ROWS and self.listed[finding.severity] < SEVERITY_ROWS:
            group.rows.append(finding)
            self.listed[finding.severity] += 1


def tally(findings, at):
    tallies = Tallies()
    rows = findings.select_related("suppression__created_by", "suppression__account").defer(
        "resource__evidence", "resource__tags"
    )
    for finding in rows.iterator(chunk_size=2000):
        tallies.add(finding, at)
    return tallies


def severity_sections(tallies):
    sections = []
    for severity in Severity:
        groups = sorted(tallies.failing.get(severity, {}).values(), key=lambda g: (-g.count, g.check_id))
        if groups:
            count = sum(group.count for group in groups)
            sections.append(
                {
                    "severity": severity,
                    "label": severity.label,
                    "groups": groups,
                    "count": count,
                    "hidden": count - sum(len(group.rows) for group in groups),
                }
            )
    return sections


def top_checks(tallies):
    groups = [group for by_check in tallies.failing.values() for group in by_check.values()]
    return sorted(
        groups,
        key=lambda g: (-SEVERITY_WEIGHT.get(g.check.severity if g.check else "", 0) * g.count, -g.count, g.check_id),
    )[:TOP_CHECKS]


def account_sections(accounts, areas, scores, series, failing_by_account, at):
    sections = []
    daily = scoreboard.daily_overall([account.pk for account in accounts], TREND_DAYS, at, areas)
    for account in accounts:
        by_area = scores.get(account.pk, {})
        scored = [row for row in by_area.values() if row.area in areas]
        area_series = {area: points for area, points in series.get(account.pk, {}).items() if area in areas}
        sections.append(
            {
                "account": account,
                "cells": [{"area": area, "row": by_area.get(area)} for area in areas],
                "overall": scoreboard.overall(row.score for row in scored),
                "passed": sum(row.passed for row in scored),
                "failed": sum(row.failed for row in scored),
                "errors": sum(row.errors for row in scored),
                "scored_at": max((row.at for row in scored), default=None),
                "failing": failing_by_account.get(account.pk, Counter()),
                "series": [(area.label, area_series.get(area, [])) for area in areas],
                "sparkline": charts.sparkline(daily[account.pk], width=90, height=20),
            }
        )
    return sections


def detail_charts(sections, at):
    """Full trend charts for the lowest-scoring accounts (a chart per account would make a 50-account
    report 20 pages longer and slow to lay out); the table shows every account's sparkline."""
    scored = sorted((s for s in sections if s["overall"] is not None), key=lambda s: (s["overall"], s["account"].name))
    for section in scored[:DETAIL_ACCOUNTS]:
        section["chart"] = charts.trend_chart(
            section["series"],
            days=TREND_DAYS,
            end=at,
            width=660,
            height=110,
            title=f"{section['account'].name}: score by area, {TREND_DAYS} days to the as-of date",
        )
    return scored[:DETAIL_ACCOUNTS]


def estate_trend(areas, sections, at):
    """One line per area: the mean over accounts of each day's last score (carried forward), to `at`."""
    start = (at - timedelta(days=TREND_DAYS - 1)).date()
    ids = [section["account"].pk for section in sections]
    by_area_day = defaultdict(lambda: defaultdict(list))  # area → day offset → each account's value
    for (_, area), values in scoreboard.daily_overall(ids, TREND_DAYS, at, areas, per_area=True).items():
        for offset, value in enumerate(values):
            if value is not None:
                by_area_day[area][offset].append(value)
    noon = [charts.as_datetime(start + timedelta(days=offset)) + timedelta(hours=12) for offset in range(TREND_DAYS)]
    lines = [
        (area.label, [(noon[offset], sum(v) / len(v)) for offset, v in sorted(by_area_day[area].items())])
        for area in areas
    ]
    return charts.trend_chart(
        lines,
        days=TREND_DAYS,
        end=at,
        width=660,
        height=150,
        title=f"Estate score by area (mean over accounts), {TREND_DAYS} days to the as-of date",
    )


def area_summary(areas, sections):
    rows = []
    for area in areas:
        cells = [cell["row"] for section in sections for cell in section["cells"] if cell["area"] == area]
        recorded = [row for row in cells if row is not None]
        rows.append(
            {
                "area": area,
                "score": scoreboard.overall(row.score for row in recorded),
                "passed": sum(row.passed for row in recorded),
                "failed": sum(row.failed for row in recorded),
                "errors": sum(row.errors for row in recorded),
                # An account whose scan judged nothing in the area has a row but no score.
                "accounts": sum(row.score is not None for row in recorded),
            }
        )
    return rows


def catalog_by_area(areas):
    """Every area of the scope with its checks, most severe first (an area without checks says so)."""
    return [
        {"area": area, "checks": sorted(checks, key=lambda check: (list(Severity).index(check.severity), check.id))}
        for area, checks in checks_by_area()
        if area in areas
    ]


def report_context(scope, generated_by):
    at = scope.at
    areas = [Area(area) for area in scope.areas] or list(Area)
    accounts = list(scope.account_rows())
    ids = [account.pk for account in accounts]
    tallies = tally(scope.findings(), at)
    scores = scoreboard.latest_scores(ids, at)
    series = scoreboard.score_series(ids, at - timedelta(days=TREND_DAYS))
    sections = account_sections(accounts, areas, scores, series, tallies.failing_by_account, at)
    detail = detail_charts(sections, at)
    ownership = scope.resources().count_by_key_owner()
    failing = severity_sections(tallies)
    severity_counts = {section["severity"]: section["count"] for section in failing}
    return {
        "scope": scope,
        "scope_lines": scope.sentences(),
        "at": at,
        "generated_at": timezone.now(),
        "generated_by": generated_by,
        "version": settings.POSTURE_VERSION,
        "retention_days": settings.HISTORY_RETENTION_DAYS,
        "accounts": sections,
        "detail_accounts": detail,
        "other_accounts": len(sections) - len(detail),
        "estate_trend": estate_trend(areas, sections, at),
        "areas": areas,
        "area_headings": [scoreboard.SHORT_LABELS[area] for area in areas],  # the matrix: every area in one row
        "area_summary": area_summary(areas, sections),
        "overall": scoreboard.overall(section["overall"] for section in sections),
        "unscored": [section["account"] for section in sections if not section["scored_at"]],
        "statuses": {status: tallies.statuses.get(status, 0) for status in Status},
        "finding_count": sum(tallies.statuses.values()),
        "failing_count": sum(severity_counts.values()),
        "severity_counts": [(severity, severity_counts.get(severity, 0)) for severity in Severity],
        "severity_chart": charts.stacked_bars(
            [("Failing, not muted", {severity: severity_counts.get(severity, 0) for severity in Severity})],
            width=660,
            title="Failing findings by severity",
        ),
        "failing": failing,
        "top_checks": top_checks(tallies),
        "muted": sorted(tallies.muted.values(), key=lambda g: (g.suppression.check_id, g.suppression.expires_at)),
        "muted_count": tallies.muted_count,
        "muted_failing": tallies.muted_failing,
        "ownership": ownership,
        "ownership_totals": scoreboard.ownership_totals(ownership),
        "ownership_chart": charts.stacked_bars(ownership, width=660, title="Resources by key owner")
        if ownership
        else None,
        "resource_count": scope.resources().count(),
        "weights": [(severity.label, SEVERITY_WEIGHT[severity]) for severity in Severity],
        "catalog": catalog_by_area(areas),
        "compliance": compliance_section(scope),
        "caps": {"per_check": PER_CHECK_ROWS, "severity": SEVERITY_ROWS, "muted": MUTED_ROWS},
    }


def compliance_section(scope):
    """The chosen framework's requirements for the PDF (None when the scope names no framework): each with
    its status across the accounts and, per status, the accounts in it."""
    if not scope.framework:
        return None
    framework = compliance.report(scope)[0]
    names = {account["account_id"]: account["name"] for account in framework["accounts"]}
    for requirement in framework["requirements"]:
        by_status = {}
        for account_id, status in requirement["accounts"].items():
            by_status.setdefault(Rollup(status).label, []).append(f"{names[account_id]} ({account_id})")
        requirement["by_status"] = list(by_status.items())
        requirement["status_label"] = Rollup(requirement["status"]).label
    return framework


def render_html(scope, generated_by):
    return render_to_string("reports/report.html", report_context(scope, generated_by))


def render(scope, generated_by):
    """The report of `scope` as PDF bytes."""
    return html_to_pdf(render_html(scope, generated_by))


def html_to_pdf(html):
    """Lay out report HTML; WeasyPrint may load Posture's static files and nothing else (pdf_fetcher)."""
    from weasyprint import CSS as Stylesheet  # imported here: WeasyPrint loads pango, which the web tier rarely needs
    from weasyprint import HTML

    from dashboard.exports.pdf_fetcher import StaticFilesOnly

    fetcher = StaticFilesOnly()
    stylesheet = Stylesheet(filename=str(CSS), url_fetcher=fetcher)
    base_url = (settings.BASE_DIR / "static").as_uri() + "/"
    return HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf(stylesheets=[stylesheet])
