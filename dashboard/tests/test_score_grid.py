"""The overview's score grid rows written in Python (dashboard.score_grid) against the template loop they replace."""

from datetime import timedelta

import pytest
from django.template import Context, Template
from django.utils import timezone

from accounts.models import AwsAccount
from accounts.tests.factories import AwsAccountFactory
from checks.catalog.base import Area
from checks.models import Scan
from dashboard import score_grid, scoreboard
from dashboard.tests.factories import AreaScoreFactory, FindingFactory, ScanFactory
from dashboard.views.overview import grid_rows

HOSTILE = "<script>alert(1)</script>"

# What templates/dashboard/overview.html wrote for the rows before score_grid: the old truth, kept verbatim.
LOOP = """{% load posture %}{% for row in rows %}
      <tr class="{% if row.stands_out %}stands-out{% endif %}">
        <td class="account-cell">
          <a href="{% url 'dashboard:account' row.account.pk %}">{{ row.account.name }}</a>
          <div class="muted small mono">{{ row.account.account_id }}</div>
          {% if row.account.connection_status == "error" %}<div class="error small">Cannot connect: {{ row.account.last_error|truncatechars:70 }}</div>{% endif %}
        </td>
        {% for cell in row.cells %}<td class="num" data-area="{{ cell.area }}">{% score_cell cell.score cell.delta %}{% if cell.errors %}<div class="small muted">{{ cell.errors }} unverified</div>{% endif %}</td>{% endfor %}
        <td>{% sparkline row.spark width=90 %}</td>
        <td class="num">
          <a href="{% url 'dashboard:findings' %}?account={{ row.account.account_id }}&amp;status=FAIL&amp;severity=critical">{{ row.failures.critical }}</a> /
          <a href="{% url 'dashboard:findings' %}?account={{ row.account.account_id }}&amp;status=FAIL&amp;severity=high">{{ row.failures.high }}</a>
        </td>
        <td>{% if row.account.last_scan_status %}{% scan_badge row.account.last_scan_status %} <span class="small muted nowrap">{{ row.account.last_scan_at|ago }}</span>{% else %}<span class="muted">Never scanned</span>{% endif %}</td>
      </tr>
    {% endfor %}"""  # noqa: E501


def old_rows(rows):
    return Template(LOOP).render(Context({"rows": rows}))


def account(pk, name, last_scan_status=None, last_scan_at=None, **fields):
    """An unsaved account as scoreboard.last_scans annotates it."""
    defaults = {"account_id": f"{100000000000 + pk:012d}", "connection_status": "ok", "last_error": ""}
    row = AwsAccount(pk=pk, name=name, **{**defaults, **fields})
    row.last_scan_status, row.last_scan_at = last_scan_status, last_scan_at
    return row


def cells(*specs):
    """(score, delta, errors) per area, in area order."""
    return [
        {"area": area, "score": score, "delta": delta, "errors": errors}
        for area, (score, delta, errors) in zip(Area, specs, strict=True)
    ]


def row(account, cells, spark, stands_out=False, critical=0, high=0):
    return {
        "account": account,
        "cells": cells,
        "failures": {"critical": critical, "high": high},
        "overall": None,
        "spark": spark,
        "stands_out": stands_out,
    }


def every_kind_of_row():
    now = timezone.now()
    spark = [None] * 10 + [70.0, 72.5, None, 90.0] + [88.25] * 16
    return [
        row(
            account(1, HOSTILE, last_scan_status="succeeded", last_scan_at=now - timedelta(days=3)),
            cells(
                (None, None, 0),  # nothing scored
                (91.0, 5.5, 0),  # up
                (68.4, -3.25, 2),  # down, with areas it could not read
                (75.0, 0.0, 0),  # no change
                (100.0, None, 1),  # scored with errors, nothing a week ago
                (0.0, -100.0, 0),
                (89.96, 0.04, 0),  # a change that rounds to nothing
            ),
            spark,
            critical=3,
            high=12,
        ),
        row(
            account(
                2,
                "R&D \"prod\" 'eu'",
                account_id="1234&5678<9>",
                connection_status="error",
                last_error=f"AccessDenied: {HOSTILE} & a long explanation that runs past seventy characters, surely",
                last_scan_status="failed",
                last_scan_at=now - timedelta(minutes=5),
            ),
            cells(*[(None, None, 0)] * 7),
            [None] * 30,  # no data at all
            stands_out=True,
        ),
        row(
            account(3, "never-scanned", connection_status="error", last_error=None),
            cells(*[(50.0, None, 0)] * 7),
            [],  # an empty sparkline
            stands_out=True,
        ),
        row(
            account(4, "one point & odd status", last_scan_status=HOSTILE, last_scan_at=now - timedelta(days=40)),
            cells(*[(99.9, 0.1, 3)] * 7),
            [None] * 29 + [42.0],
        ),
    ]


def test_rows_are_what_the_template_loop_wrote_for_every_kind_of_cell():
    rows = every_kind_of_row()
    ours = "".join(score_grid.rows_html(rows))
    assert ours == old_rows(rows)
    assert "&lt;script&gt;" in ours and "<script>" not in ours
    assert "R&amp;D &quot;prod&quot; &#x27;eu&#x27;" in ours and "1234&amp;5678&lt;9&gt;" in ours


def test_rows_cover_every_kind_they_claim_to():
    """The fixture above must keep showing each cell kind, or the comparison proves less than it says."""
    html = "".join(score_grid.rows_html(every_kind_of_row()))
    for piece in (
        "score-none",
        "delta-up",
        "delta-down",
        "delta-flat",
        "2 unverified",
        'class="stands-out"',
        "Cannot connect: AccessDenied",
        "No data",
        "Never scanned",
        "<circle cx=",  # a sparkline of one point
        "<polyline",
    ):
        assert piece in html, piece


@pytest.mark.django_db
def test_rows_of_a_seeded_estate_are_what_the_template_loop_wrote():
    now = timezone.now()
    accounts = []
    for index in range(6):
        owner = AwsAccountFactory(name=f"{HOSTILE} & {index}")
        if index % 3 == 0:
            owner.record_connection(f"denied <{index}>")
        for days_ago, score in ((9, 50.0 + index), (1, 60.0 - index)):
            scan = ScanFactory(account=owner, queued_at=now - timedelta(days=days_ago))
            for area in list(Area)[index:]:
                AreaScoreFactory(scan=scan, area=area, score=score, at=scan.queued_at, errors=index % 2)
        if index == 4:
            ScanFactory(account=owner, status=Scan.State.FAILED)
        FindingFactory.create_batch(index, resource__account=owner, severity="critical")
        accounts.append(owner.pk)
    listed = list(scoreboard.last_scans(AwsAccount.objects.filter(pk__in=accounts)).order_by("name", "pk"))
    rows = grid_rows(listed, now)
    assert "".join(score_grid.rows_html(rows)) == old_rows(rows)
