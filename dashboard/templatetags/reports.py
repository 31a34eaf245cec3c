"""Template tags of the PDF report and the Reports page: plain-text labels that print well on paper."""

from django import template
from django.utils.html import format_html

from checks.catalog.base import Area, Severity, Status
from dashboard.charts import css_token, number
from dashboard.templatetags.posture import score_band

register = template.Library()

EMPTY = "—"


def _label(choices, value):
    try:
        return choices(value).label
    except ValueError:
        return str(value or EMPTY)


@register.simple_tag
def score_text(score):
    """A score as "92%" in its band's colour, or a dash when nothing was scored (a missing row reads as "")."""
    if score in (None, ""):
        return format_html('<span class="score-none">{}</span>', EMPTY)
    return format_html('<span class="score-{}">{}%</span>', score_band(score), number(score))


@register.simple_tag
def score_class(score):
    return f"score-{score_band(None if score == '' else score)}"


@register.simple_tag
def sev_label(severity):
    return format_html('<span class="sev sev-{}">{}</span>', css_token(severity), _label(Severity, severity))


@register.simple_tag
def status_label(status):
    return format_html('<span class="status status-{}">{}</span>', css_token(status), _label(Status, status))


@register.filter
def area_label(area):
    return _label(Area, area)


@register.simple_tag
def resource_types(value):
    """A check's resource type(s) in words: "s3.bucket", "ebs.volume, rds.instance" or "every resource"."""
    kinds = value if isinstance(value, tuple) else (value,)
    return ", ".join("every resource" if kind == "*" else kind for kind in kinds)


@register.filter
def thousands(value):
    """12345 → "12,345" (django.contrib.humanize is not installed for one filter)."""
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return value
