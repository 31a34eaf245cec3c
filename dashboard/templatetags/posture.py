"""Template tags for Posture's pages and reports: badges, scores, identifiers, times and charts.

Everything returns escaped HTML built with format_html: account names, tags and labels come from
AWS and may hold markup. The charts themselves live in dashboard/charts.py (pure SVG builders the
PDF report can call directly); the tags here only expose them to templates.
"""

from urllib.parse import quote

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from checks.catalog.base import KeyOwner, Severity, Status
from checks.compliance.rollup import Rollup
from checks.models import Scan
from dashboard import charts
from dashboard.charts import as_datetime, css_token, markup, number
from dashboard.forms import escaped

register = template.Library()

EMPTY = "—"


def _label(choices, value):
    try:
        return choices(value).label
    except ValueError:
        return str(value)


# --- badges -------------------------------------------------------------------------------

STATUS_MARKS = {Status.PASS: "✓", Status.FAIL: "✕", Status.ERROR: "!", Status.NOT_APPLICABLE: "–"}


def _badge(prefix, value, choices, mark=""):
    if value in (None, ""):
        return format_html('<span class="badge {}-none">{}</span>', prefix, EMPTY)
    label = _label(choices, value)
    if mark:
        return format_html(
            '<span class="badge {}-{}"><span class="badge-mark" aria-hidden="true">{}</span>{}</span>',
            prefix,
            css_token(value),
            mark,
            label,
        )
    return format_html('<span class="badge {}-{}">{}</span>', prefix, css_token(value), label)


@register.simple_tag
def status_badge(status):
    return _badge("status", status, Status, STATUS_MARKS.get(status, ""))


ROLLUP_COLOURS = {"passing": "green", "failing": "red", "error": "amber", "no_data": "amber"}


@register.simple_tag
def rollup_badge(status):
    """A compliance status (checks.compliance.rollup.Rollup) as a badge: colour plus the words."""
    label = _label(Rollup, status)
    return format_html(
        '<span class="badge rollup-{} {}">{}</span>', css_token(status), ROLLUP_COLOURS.get(status, ""), label
    )


@register.simple_tag
def severity_badge(severity):
    return _badge("sev", severity, Severity)


@register.simple_tag
def owner_badge(owner):
    return _badge("owner", owner, KeyOwner)


@register.simple_tag
def scan_badge(state):
    return _badge("scan", state, Scan.State)


# --- scores -------------------------------------------------------------------------------


def score_band(score):
    """good ≥ 90, fair ≥ 70, poor below; none when there is nothing to score."""
    if score is None:
        return "none"
    return "good" if score >= 90 else "fair" if score >= 70 else "poor"


def _delta(delta):
    if delta is None:
        return ""
    if round(delta, 1) == 0:
        return markup(' <span class="delta delta-flat">{}</span>', "no change")
    direction, arrow, word = ("up", "▲", "Up") if delta > 0 else ("down", "▼", "Down")
    points = number(abs(delta))
    return markup(
        ' <span class="delta delta-{}" title="{} {} points since the previous scan">'
        '<span aria-hidden="true">{}</span> {} pts</span>',
        direction,
        word,
        points,
        arrow,
        points,
    )


# A score is passed ÷ (passed + failed): with neither, there is no score (not 0%, not 100%).
NOT_SCORED = "Not scored: nothing in this area passed or failed"


@register.simple_tag
def score_cell(score, delta=None):
    """A score in percent (0–100) with its band and the change since the previous scan in points."""
    if score is None:  # a change to or from "nothing scored" has no size
        return markup(
            '<span class="score score-none" title="{}"><span class="score-value">{}</span></span>', NOT_SCORED, EMPTY
        )
    return markup(
        '<span class="score score-{}"><span class="score-value">{}</span>{}</span>',
        score_band(score),
        f"{number(score)}%",
        _delta(delta),
    )


# --- text filters -------------------------------------------------------------------------


@register.filter
def mask_middle(value, keep=4):
    """Show only the ends of an identifier: 123456789012 → 1234••••9012."""
    text = "" if value is None else str(value)
    keep = min(int(keep), max(len(text) // 4, 1))
    if len(text) <= 2 * keep:
        return "•" * len(text)
    return text[:keep] + "•" * (len(text) - 2 * keep) + text[-keep:]


@register.filter
def truncate_middle(value, length=48):
    """Keep the start and the end of a long ARN, where its meaning is, and elide the middle."""
    text = "" if value is None else str(value)
    length = max(int(length), 5)
    if len(text) <= length:
        return text
    tail = (length - 1) // 2
    return text[: length - 1 - tail] + charts.ELLIPSIS + text[-tail:]


@register.simple_tag
def ident(value, length=48):
    """An id or ARN in monospace, middle-truncated, with the whole value as a tooltip."""
    if value in (None, ""):
        return format_html('<span class="muted">{}</span>', EMPTY)
    return format_html('<span class="mono ident" title="{}">{}</span>', value, truncate_middle(value, length))


def humanize_ago(moment, now):
    """'just now', '5 minutes ago', 'yesterday', 'in 3 days'; the date itself past a month."""
    if moment is None:
        return "never"
    moment = as_datetime(moment)
    if timezone.is_aware(now) and timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    seconds = (now - moment).total_seconds()
    future, seconds = seconds < 0, abs(seconds)
    if seconds < 45:
        return "just now"
    if seconds >= 30 * 86400:
        return f"{timezone.localtime(moment) if timezone.is_aware(moment) else moment:%Y-%m-%d}"
    if not future and 86400 <= seconds < 2 * 86400:
        return "yesterday"
    if seconds >= 86400:
        count, unit = int(seconds // 86400), "day"
    elif seconds >= 3600:
        count, unit = int(seconds // 3600), "hour"
    else:
        count, unit = max(round(seconds / 60), 1), "minute"
    phrase = f"{count} {unit}{'' if count == 1 else 's'}"
    return f"in {phrase}" if future else f"{phrase} ago"


@register.filter
def ago(value):
    return humanize_ago(value, timezone.now())


@register.simple_tag
def timestamp(value):
    """A <time> saying how long ago, with the exact moment as its tooltip."""
    if value is None:
        return format_html('<span class="muted">{}</span>', "never")
    moment = timezone.localtime(value) if timezone.is_aware(value) else value
    return format_html(
        '<time datetime="{}" title="{}">{}</time>', value.isoformat(), f"{moment:%Y-%m-%d %H:%M %Z}".strip(), ago(value)
    )


# --- forms ------------------------------------------------------------------------------


@register.filter
def select_options(field):
    """A select field's <option>s, its value selected, written in one pass: a template loop costs about 0.1 ms
    an option, and the Findings page's account filter has one per account a person sees (thousands)."""
    current = field.value()
    current = "" if current is None else current
    return mark_safe(  # noqa: S308 - every value and label is escaped here
        "".join(
            f'<option value="{escaped(value)}"{" selected" if value == current else ""}>{escaped(label)}</option>'
            for value, label in field.field.choices
        )
    )


# --- navigation ---------------------------------------------------------------------------


def is_current_section(path, href):
    """The overview ("/") is current only on itself; other sections own every path below them."""
    return path == href if href == "/" else path.startswith(href)


@register.simple_tag(takes_context=True)
def nav_link(context, url_name, label):
    href = reverse(url_name)
    request = context.get("request")
    if request is not None and is_current_section(request.path, href):
        return format_html('<a href="{}" class="active" aria-current="page">{}</a>', href, label)
    return format_html('<a href="{}">{}</a>', href, label)


# --- charts -------------------------------------------------------------------------------


@register.simple_tag
def sparkline(values, width=120, height=28):
    return charts.sparkline(values, width=width, height=height)


@register.simple_tag
def trend_chart(series, days=30, end=None, width=640, height=160, title=None):
    return charts.trend_chart(series, days=days, end=end, width=width, height=height, title=title)


@register.simple_tag
def stacked_bars(rows, width=640, title="Resources by key owner"):
    return charts.stacked_bars(rows, width=width, title=title)


# --- the keys page's rows -------------------------------------------------------------------
# Written in Python: the template's loops cost ~0.4 ms a row (a hundred rows on unusable keys, fifty keys),
# these ~0.05 ms. They write what the rows' markup wrote, escaped the same way (format_html).


def pk_urls(name):
    """pk → reverse(name, args=[pk]) for a URL whose one argument is an integer, at the cost of one reverse."""
    sample = 1234567890
    head, tail = reverse(name, args=[sample]).rsplit(str(sample), 1)
    return lambda pk: f"{head}{int(pk)}{tail}"


@register.simple_tag
def key_state(key):
    """A key's state as a badge (with its deletion date when pending deletion)."""
    if key.is_unusable:
        badge = format_html('<span class="badge red" title="{}">{}</span>', key.state, key.state_label)
        if not key.deletion_date:
            return badge
        deletes = date_format(timezone.template_localtime(key.deletion_date), "j M Y")
        return format_html('{}<div class="small muted">deletes {}</div>', badge, deletes)
    if key.state == "Enabled":
        return mark_safe('<span class="badge green">Enabled</span>')  # noqa: S308 - no data in it
    if key.state:
        return format_html('<span class="badge">{}</span>', key.state_label)
    return mark_safe('<span class="faint">Unknown</span>')  # noqa: S308 - no data in it


UNUSABLE_ROW = (
    '<tr>\n            <td class="cell-wrap"><a href="{}">{}</a><div class="small muted">{} · {}</div></td>\n'
    '            <td><a href="{}">{}</a><div class="small muted mono">{}</div></td>\n'
    "            <td>{}<div>{}</div></td>\n"
    '            <td class="cell-wrap small">{}</td>\n'
    '            <td class="nowrap">{}</td>\n          </tr>'
)


@register.simple_tag
def unusable_rows(findings):
    """The rows of the resources on unusable keys: findings with their resource, account and key (None: missing)."""
    finding_url, account_url = pk_urls("dashboard:finding"), pk_urls("dashboard:account")
    rows = (
        (
            finding_url(finding.pk),
            truncate_middle(finding.resource.name or finding.resource.uid, 60),
            finding.resource_type,
            finding.region,
            account_url(finding.account_id),
            finding.account.name,
            finding.account.account_id,
            unusable_key(finding.key),
            ident(finding.resource.kms_key_arn, 40),
            finding.reason,
            timestamp(finding.status_since),
        )
        for finding in findings
    )
    return format_html_join("\n          ", UNUSABLE_ROW, rows)


def unusable_key(key):
    if key is None:
        return mark_safe('<span class="badge red">Missing</span>')  # noqa: S308 - no data in it
    return format_html("{} {}", key.name, key_state(key))


KEY_ROW = (
    '<tr id="key-{}">\n            <td class="cell-wrap">\n              <div>{}</div>\n              {}\n'
    "              <div>{}</div>\n            </td>\n"
    '            <td><a href="{}">{}</a><div class="small muted mono">{} · {}</div></td>\n'
    "            <td>{}</td>\n            <td>{}</td>\n"
    '            <td class="nowrap">{}</td>\n            <td class="num">\n              {}\n            </td>\n'
    "          </tr>"
)


@register.simple_tag
def key_rows(keys):
    """The rows of the KMS keys table: keys as dashboard.views.keys.describe leaves them, with `protects`."""
    account_url, resources_url = pk_urls("dashboard:account"), reverse("dashboard:key_resources")
    rows = (
        (
            key.pk,
            key.name,
            format_html('<div class="small muted mono">{}</div>', ", ".join(key.aliases)) if key.aliases else "",
            ident(key.uid, 56),
            account_url(key.account_id),
            key.account.name,
            key.account.account_id,
            key.region,
            owner_badge(key.owner_class),
            key_state(key),
            key.rotation,
            protects(key, resources_url),
        )
        for key in keys
    )
    return format_html_join("\n          ", KEY_ROW, rows)


def protects(key, resources_url):
    if not key.protects:
        return mark_safe('<span class="faint">none</span>')  # noqa: S308 - no data in it
    plural = "" if key.protects == 1 else "s"
    url = f"{resources_url}?key={quote(key.uid, safe='/')}"
    return format_html('<a href="{}">{} resource{}</a>', url, key.protects, plural)


# --- the changes page's rows -----------------------------------------------------------------

# One row of the Changes page's tables, as its template loop wrote it (whitespace included): the page lists up to
# a few hundred rows, and the template loop spent ~0.15 ms of Python on each.
CHANGE_ROW = (
    '\n          <tr><td><a href="{}">{}</a></td><td>{}</td>\n'
    '            <td class="mono small" title="{}">{}</td>\n'
    "            <td>{}</td>\n"
    "            <td>{}</td></tr>\n        "
)
ABSENT = format_html('<span class="muted">{}</span>', "absent")
GONE = format_html('<span class="muted">{}</span>', "gone")


@register.simple_tag
def change_rows(findings):
    """The <tr>s of one account's findings under one kind of change (dashboard.changes rows: the finding with
    its status before and after)."""
    badges, finding_url = {}, pk_urls("dashboard:finding")

    def badge(tag, value):
        if (tag, value) not in badges:
            badges[tag, value] = tag(value)
        return badges[tag, value]

    return format_html_join(
        "",
        CHANGE_ROW,
        (
            (
                finding_url(finding.pk),
                finding.check_id,
                badge(severity_badge, finding.severity),
                finding.resource.uid,
                Truncator(finding.resource.name or finding.resource.uid).chars(60),
                badge(status_badge, finding.before) if finding.before else ABSENT,
                badge(status_badge, finding.after) if finding.after else GONE,
            )
            for finding in findings
        ),
    )
