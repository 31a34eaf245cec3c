"""The posture template tags: structure, labels, escaping, and the charts' edge cases."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django import forms
from django.template import Context, Template
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy

from checks.catalog.base import Area
from dashboard import charts
from dashboard.templatetags import posture

NOW = datetime(2025, 6, 30, 12, 0, tzinfo=UTC)
HOSTILE = "<script>alert(1)</script>"


def render(source, **context):
    return Template("{% load posture %}" + source).render(Context(context))


def assert_escaped(html):
    assert "&lt;script&gt;" in html
    assert "<script>" not in html


# --- badges ---


@pytest.mark.parametrize(
    ("tag", "value", "css", "label"),
    [
        ("status_badge", "FAIL", "badge status-FAIL", "Fail"),
        ("status_badge", "NOT_APPLICABLE", "badge status-NOT_APPLICABLE", "Not applicable"),
        ("severity_badge", "critical", "badge sev-critical", "Critical"),
        ("owner_badge", "customer_managed", "badge owner-customer_managed", "Customer-managed"),
        ("owner_badge", "external", "badge owner-external", "Another account&#x27;s"),
        ("scan_badge", "failed", "badge scan-failed", "Failed"),
        ("scan_badge", "running", "badge scan-running", "Running"),
    ],
)
def test_badges_carry_a_class_and_a_text_label(tag, value, css, label):
    html = render(f"{{% {tag} value %}}", value=value)
    assert f'class="{css}"' in html
    assert label in html


def test_status_badge_adds_a_mark_hidden_from_screen_readers():
    html = posture.status_badge("PASS")
    assert '<span class="badge-mark" aria-hidden="true">✓</span>Pass' in html


def test_unknown_badge_value_is_escaped_and_kept_out_of_the_class():
    html = render("{% status_badge value %}", value=HOSTILE)
    assert_escaped(html)
    assert 'class="badge status-scriptalert1script"' in html


def test_missing_badge_value_shows_a_dash():
    assert posture.severity_badge(None) == '<span class="badge sev-none">—</span>'


# --- scores ---


@pytest.mark.parametrize(
    ("score", "band", "text"),
    [(95, "good", "95%"), (70, "fair", "70%"), (42.25, "poor", "42.2%"), (None, "none", "—")],
)
def test_score_cell_shows_percent_and_band(score, band, text):
    html = render("{% score_cell score %}", score=score)
    assert f'class="score score-{band}"' in html
    assert f'<span class="score-value">{text}</span>' in html
    assert "delta" not in html


def test_score_cell_without_a_score_has_no_change_to_show():
    assert "delta" not in posture.score_cell(None, 3)


def test_score_cell_without_a_score_says_why_it_is_a_dash():
    html = posture.score_cell(None)
    assert f'title="{posture.NOT_SCORED}"' in html
    assert "%" not in html


def test_score_cell_delta_has_arrow_and_words():
    up, down, flat = posture.score_cell(90, 3), posture.score_cell(80, -12.5), posture.score_cell(80, 0.01)
    assert 'class="delta delta-up"' in up
    assert "▲" in up
    assert "3 pts" in up
    assert "Up 3 points" in up
    assert 'class="delta delta-down"' in down
    assert "▼" in down
    assert "12.5 pts" in down
    assert "no change" in flat
    assert "▲" not in flat
    assert "▼" not in flat


# --- text filters ---


def test_mask_middle_keeps_only_the_ends():
    assert posture.mask_middle("123456789012") == "123••••••012"
    assert posture.mask_middle("123456789012", 4) == "123••••••012"  # short values keep at most a quarter
    assert posture.mask_middle("AKIAABCDEFGHIJKLMNOP") == "AKIA••••••••••••MNOP"
    assert posture.mask_middle("ab") == "••"
    assert posture.mask_middle(None) == ""


def test_truncate_middle_keeps_both_ends():
    arn = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    short = posture.truncate_middle(arn, 30)
    assert len(short) == 30
    assert short.startswith("arn:aws:kms:")
    assert short.endswith("890ab")
    assert "…" in short
    assert posture.truncate_middle("short", 30) == "short"


def test_ident_truncates_with_full_value_as_tooltip_and_escapes():
    long_name = HOSTILE + "x" * 80
    html = render("{% ident value 20 %}", value=long_name)
    assert html.startswith('<span class="mono ident" title="&lt;script&gt;alert(1)&lt;/script&gt;xxxx')
    assert_escaped(html)
    assert "…" in html


def test_truncate_middle_output_is_escaped_by_the_template():
    assert_escaped(render("{{ value|truncate_middle:200 }}", value=HOSTILE))


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (NOW - timedelta(seconds=10), "just now"),
        (NOW - timedelta(minutes=1), "1 minute ago"),
        (NOW - timedelta(minutes=5), "5 minutes ago"),
        (NOW - timedelta(hours=3, minutes=50), "3 hours ago"),
        (NOW - timedelta(hours=30), "yesterday"),
        (NOW - timedelta(days=6), "6 days ago"),
        (NOW + timedelta(days=2), "in 2 days"),
        (NOW - timedelta(days=45), "2025-05-16"),
        (None, "never"),
    ],
)
def test_humanize_ago(moment, expected, settings):
    settings.TIME_ZONE = "UTC"
    assert posture.humanize_ago(moment, NOW) == expected


def test_timestamp_is_a_time_element_with_the_exact_moment():
    html = posture.timestamp(NOW)
    assert html.startswith('<time datetime="2025-06-30T12:00:00+00:00" title="2025-06-30')
    assert posture.timestamp(None) == '<span class="muted">never</span>'


# --- forms ---

LOOP = (  # what the Findings page's filter form wrote before select_options: a template loop per option
    '{% with current=field.value|default_if_none:"" %}{% for value, label in field.field.choices %}'
    '<option value="{{ value }}"{% if value == current %} selected{% endif %}>{{ label }}</option>'
    "{% endfor %}{% endwith %}"
)


@pytest.mark.parametrize("data", [None, {}, {"pick": ""}, {"pick": "b&c"}, {"pick": HOSTILE}, {"pick": "nope"}])
def test_select_options_write_what_the_template_loop_wrote(data):
    choices = [("", "Any"), ("a", "Área ✓"), ("b&c", HOSTILE), (HOSTILE, "x"), ("n", Area.AT_REST.label)]
    field = type("Picker", (forms.Form,), {"pick": forms.ChoiceField(required=False, choices=choices)})(data)["pick"]
    ours = render("{{ field|select_options }}", field=field)
    assert ours == Template(LOOP).render(Context({"field": field}))
    assert_escaped(ours)
    if data and data["pick"] == "b&c":
        assert '<option value="b&amp;c" selected>&lt;script&gt;' in ours


# --- navigation ---


@pytest.mark.parametrize(
    ("path", "href", "current"),
    [
        ("/", "/", True),
        ("/findings/", "/", False),
        ("/findings/?status=FAIL", "/findings/", True),
        ("/findings/42/", "/findings/", True),
        ("/keys/", "/findings/", False),
    ],
)
def test_is_current_section(path, href, current):
    assert posture.is_current_section(path.split("?")[0], href) is current


def test_nav_link_marks_the_current_section(rf):
    html = render("{% nav_link 'dashboard:findings' 'Findings' %}", request=rf.get("/findings/7/"))
    assert html == '<a href="/findings/" class="active" aria-current="page">Findings</a>'
    assert "active" not in render("{% nav_link 'dashboard:keys' 'Keys' %}", request=rf.get("/findings/"))


# --- sparkline ---


def test_sparkline_splits_lines_at_none_gaps():
    html = render("{% sparkline values width=100 height=20 %}", values=[1, 2, None, 4, 5, 6, None, 3])
    assert html.count("<polyline") == 2  # [1,2] and [4,5,6]; the lone 3 is a dot
    assert html.count("<circle") == 2  # the lone point and the "last value" marker
    assert "<title>min 1, max 6, last 3</title>" in html
    assert 'width="100" height="20"' in html


def test_sparkline_without_values_says_so():
    for values in ([], [None, None], None):
        html = charts.sparkline(values)
        assert "<title>No data</title>" in html
        assert "<polyline" not in html


def test_sparkline_flat_series_draws_a_middle_line():
    html = charts.sparkline([5, 5, 5], width=30, height=10)
    assert 'points="3.0,5.0 15.0,5.0 27.0,5.0"' in html


# --- trend chart ---


def series_with_gap():
    days = [NOW - timedelta(days=d) for d in (20, 10, 5, 1)]
    return [
        ("At rest", [(days[0], 80), (days[1], 90), (days[2], None), (days[3], 95)]),
        ("Logging", [(days[0], 40), (days[3], 55)]),
    ]


def test_trend_chart_draws_axes_lines_and_a_text_legend():
    html = render("{% trend_chart series days=30 end=end %}", series=series_with_gap(), end=NOW)
    assert html.startswith('<svg xmlns="http://www.w3.org/2000/svg" class="chart trend-chart"')
    for label in (">0%<", ">50%<", ">100%<", ">May 31<", ">Jun 30<"):
        assert label in html
    assert html.count('class="chart-line"') == 2  # the gap drops one run; the lone 95 becomes a dot
    assert 'stroke-dasharray="none"' in html
    assert 'stroke-dasharray="6 3"' in html
    assert "At rest <tspan" in html
    assert ">95%</tspan>" in html
    assert ">55%</tspan>" in html
    assert "<desc>At rest: 95%; Logging: 55%</desc>" in html


def test_trend_chart_ignores_points_outside_the_window():
    series = [("Old", [(NOW - timedelta(days=90), 10)]), ("New", [(NOW - timedelta(days=1), 60)])]
    html = charts.trend_chart(series, days=30, end=NOW)
    assert "Old: no data" in html
    assert "New: 60%" in html


def test_trend_chart_with_empty_series_shows_a_frame_and_a_message():
    for series in ([], [("At rest", [])], None):
        html = render("{% trend_chart series %}", series=series)
        assert "No score history in this period" in html
        assert "<polyline" not in html
        assert ">100%<" in html


def test_trend_chart_escapes_labels():
    html = charts.trend_chart([(HOSTILE, [(NOW - timedelta(days=1), 50)])], end=NOW)
    assert_escaped(html)


def test_trend_chart_series_differ_in_colour_and_dash():
    styles = [charts.line_style(i) for i in range(12)]
    assert len(set(styles)) == 12


def test_every_area_has_a_trend_line_of_its_own_colour_and_dash():
    colours, dashes = zip(*(charts.line_style(index) for index in range(len(Area))), strict=True)
    assert len(set(colours)) == len(set(dashes)) == len(Area)


# --- stacked bars ---


def test_stacked_bars_write_counts_on_segments_in_key_owner_order():
    rows = [("prod", {"unencrypted": 3, "customer_managed": 40, "aws_owned": 20}), ("dev", {"aws_managed": 7})]
    html = render("{% stacked_bars rows %}", rows=rows)
    order = re.findall(r'class="bar-segment seg-(\w+)"', html)
    assert order == ["aws_owned", "customer_managed", "unencrypted", "aws_managed"]
    assert "<title>Customer-managed: 40</title>" in html
    assert ">40</text>" in html
    assert ">63</text>" in html
    assert "Customer-managed (40)" in html
    assert "AWS-managed (7)" in html


def test_stacked_bars_zero_total_rows_say_none():
    html = charts.stacked_bars([("empty", {"customer_managed": 0}), ("also empty", {})])
    assert html.count(">none</text>") == 2
    assert "<rect" not in html


def test_stacked_bars_without_rows_show_an_empty_message():
    assert "Nothing to show yet." in charts.stacked_bars([])


def test_stacked_bars_escape_labels():
    html = charts.stacked_bars([(HOSTILE, {"external": 2})])
    assert_escaped(html)
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt;</title>" in html


@pytest.mark.parametrize(
    "args",
    [
        (HOSTILE, "a & b", "'quoted' \"twice\""),
        (mark_safe("<b>kept</b>"), escape(HOSTILE), 92.5),
        (0, -1.25, None),
        (gettext_lazy("Keys & <more>"), Area.AT_REST, True),
    ],
)
def test_markup_writes_what_format_html_writes(args):
    template = '<span title="{}">{}</span>{}'
    assert charts.markup(template, *args) == format_html(template, *args)
    assert isinstance(charts.markup(template, *args), SafeString)


def test_join_safe_refuses_unescaped_text():
    with pytest.raises(TypeError):
        charts.join_safe([HOSTILE])


def test_charts_use_no_style_attributes_the_csp_would_block():
    html = (
        charts.trend_chart(series_with_gap(), end=NOW)
        + charts.stacked_bars([("prod", {"customer_managed": 4, "unencrypted": 1})])
        + charts.sparkline([1, None, 3])
    )
    assert "style=" not in html
    assert "<script" not in html
