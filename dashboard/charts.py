"""Charts as server-rendered SVG: a sparkline, a score trend and horizontal stacked bars.

SVG built on the server needs no script under the strict CSP, and the PDF report draws the same
pictures. Colours are SVG presentation attributes, so a page without app.css (a PDF) still looks
right; app.css may refine them through the class names. Lines and series are told apart by dash
pattern as well as colour, and every chart carries a <title> and a text <desc>. All text passes
through format_html's escaping (markup): labels come from AWS (account names, tags) and may hold markup.
"""

import re
from datetime import datetime, time, timedelta
from operator import itemgetter

from django.conf import settings
from django.utils import timezone
from django.utils.safestring import SafeData, SafeString

from checks.catalog.base import KeyOwner, Severity, Status
from dashboard.forms import escaped

ELLIPSIS = "…"
FONT = "system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif"


def markup(template, *args):
    """format_html's result at a third of its cost: each argument escaped unless already safe
    (conditional_escape's rule, through `escaped`), then put in the template. format_html and mark_safe go
    through lazy-string wrappers (~5 µs a call), and a page of the overview makes ~1,600 calls (score cells,
    sparklines). The template is ours, never data; the formatted text is a new str, so SafeString is
    what mark_safe would return."""
    return SafeString(template.format(*[escaped(arg) for arg in args]))


def svg(template, *args):
    """format_html for SVG markup, with floats written as one-decimal coordinates."""
    return markup(template, *[f"{arg:.1f}" if isinstance(arg, float) else arg for arg in args])


def join_safe(parts):
    """Concatenate fragments that are each already escaped (format_html output)."""
    if not all(isinstance(part, SafeData) for part in parts):
        raise TypeError("only escaped fragments (format_html output) may be joined")
    return SafeString("".join(parts))  # every part is SafeData (checked above): what mark_safe would return


def css_token(value):
    """A value reduced to characters that are safe inside a class name."""
    return re.sub(r"[^A-Za-z0-9_-]", "", str(value)) or "unknown"


def number(value):
    """92.0 → "92", 92.456 → "92.5": scores read as whole numbers unless they are not."""
    rounded = round(float(value), 1)
    return f"{rounded:.0f}" if rounded == int(rounded) else f"{rounded:.1f}"


def _svg_root(css_class, width, height, title, description, parts):
    """An accessible inline <svg>: role img, named by its <title>, summarised in text by its <desc>."""
    desc = svg("<desc>{}</desc>", description) if description else ""
    return svg(
        '<svg xmlns="http://www.w3.org/2000/svg" class="{}" width="{}" height="{}" viewBox="0 0 {} {}" role="img" '
        'font-family="{}"><title>{}</title>{}{}</svg>',
        css_class,
        width,
        height,
        width,
        height,
        FONT,
        title,
        desc,
        join_safe(parts),
    )


def _clip(text, limit):
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


def _runs(points):
    """Split a list of points at None into runs of consecutive points (None = a gap)."""
    runs, current = [], []
    for point in points:
        if point is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append(point)
    if current:
        runs.append(current)
    return runs


def _polyline_points(run):
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in run)


# --- sparkline ----------------------------------------------------------------------------


def sparkline(values, width=120, height=28):
    """A tiny line of recent values; None leaves a gap. Its <title> states min, max and last."""
    values, pad = list(values or []), 3
    known = [value for value in values if value is not None]
    if not known:
        return _svg_root("sparkline", width, height, "No data", None, [])
    low, high = min(known), max(known)
    step = (width - 2 * pad) / max(len(values) - 1, 1)

    def y(value):
        return height / 2 if high == low else pad + (high - value) / (high - low) * (height - 2 * pad)

    runs = _runs([None if v is None else (pad + i * step, y(v)) for i, v in enumerate(values)])
    shapes = [_spark_shape(run) for run in runs]
    last_x, last_y = runs[-1][-1]
    shapes.append(svg('<circle class="spark-last" cx="{}" cy="{}" r="2" fill="#4f46e5"/>', last_x, last_y))
    title = f"min {number(low)}, max {number(high)}, last {number(known[-1])}"
    return _svg_root("sparkline", width, height, title, None, shapes)


def _spark_shape(run):
    if len(run) == 1:
        return svg('<circle cx="{}" cy="{}" r="1.5" fill="#4f46e5"/>', *run[0])
    return svg(
        '<polyline points="{}" fill="none" stroke="#4f46e5" stroke-width="1.5" '
        'stroke-linejoin="round" stroke-linecap="round"/>',
        _polyline_points(run),
    )


# --- trend chart --------------------------------------------------------------------------

# Colour *and* dash pattern tell the lines apart, so the chart also reads in greyscale: one style per
# area (a test holds that every area's line is unique), reused in turn past that.
LINE_STYLES = [
    ("#4f46e5", ""),
    ("#0891b2", "6 3"),
    ("#d97706", "2 3"),
    ("#db2777", "9 3 2 3"),
    ("#059669", "12 4"),
    ("#475569", "1 4"),
    ("#9a3412", "4 2 1 2 1 2"),
]
TEXT, MUTED, GRID, AXIS = "#111827", "#6b7280", "#e5e7eb", "#9ca3af"


def line_style(index):
    colour = LINE_STYLES[index % len(LINE_STYLES)][0]
    dash = LINE_STYLES[(index + index // len(LINE_STYLES)) % len(LINE_STYLES)][1]
    return colour, dash


def as_datetime(moment):
    if isinstance(moment, datetime):
        return moment
    combined = datetime.combine(moment, time())
    return timezone.make_aware(combined) if settings.USE_TZ else combined


class _Frame:
    """The plot area of a chart: maps time and 0–100 values to SVG coordinates."""

    left, right, top, axis = 40, 12, 12, 24

    def __init__(self, width, height, start, end):
        self.width, self.height, self.start, self.end = width, height, start, end
        self.plot_w, self.bottom = width - self.left - self.right, self.top + height
        self.span = end - start

    def x(self, moment):
        return self.left + (moment - self.start) / self.span * self.plot_w

    def y(self, value):
        return self.bottom - max(0.0, min(100.0, float(value))) / 100 * self.height


def _grid(frame):
    parts = []
    for value in (0, 50, 100):
        y = frame.y(value)
        parts.append(
            svg(
                '<line class="chart-grid" x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>'
                '<text class="chart-tick" x="{}" y="{}" text-anchor="end" font-size="11" fill="{}">{}%</text>',
                frame.left,
                y,
                frame.left + frame.plot_w,
                y,
                GRID if value else AXIS,
                frame.left - 6,
                y + 4,
                MUTED,
                value,
            )
        )
    return parts


def _date_ticks(frame, count=5):
    parts, span = [], frame.end - frame.start
    for i in range(count):
        moment = frame.start + span * i / (count - 1)
        local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
        anchor = "start" if i == 0 else "end" if i == count - 1 else "middle"
        parts.append(
            svg(
                '<text class="chart-tick" x="{}" y="{}" text-anchor="{}" font-size="11" fill="{}">{} {}</text>',
                frame.x(moment),
                frame.bottom + 16,
                anchor,
                MUTED,
                f"{local:%b}",
                local.day,
            )
        )
    return parts


def _series_points(frame, points):
    """Points inside the window, in time order, as coordinates; None values stay gaps. Each moment is
    converted once: a 365-day chart has ~2,600 points."""
    moments = ((as_datetime(m), v) for m, v in points)
    inside = sorted(((m, v) for m, v in moments if frame.start <= m <= frame.end), key=itemgetter(0))
    return [None if v is None else (frame.x(m), frame.y(v)) for m, v in inside], [v for _, v in inside]


def _series_lines(frame, index, coordinates):
    colour, dash = line_style(index)
    parts = []
    for run in _runs(coordinates):
        if len(run) == 1:
            parts.append(svg('<circle cx="{}" cy="{}" r="2.5" fill="{}"/>', *run[0], colour))
        else:
            parts.append(
                svg(
                    '<polyline class="chart-line" points="{}" fill="none" stroke="{}" stroke-width="2" '
                    'stroke-dasharray="{}" stroke-linejoin="round" stroke-linecap="round"/>',
                    _polyline_points(run),
                    colour,
                    dash or "none",
                )
            )
    return parts


def _latest(values):
    known = [value for value in values if value is not None]
    return f"{number(known[-1])}%" if known else "no data"


def _legend(frame, series, latest):
    """Legend rows under the axis: a line sample in the series' dash pattern, its label and latest value."""
    parts, x, y = [], frame.left, frame.bottom + frame.axis + 16
    # Columns as wide as the longest entry (about 6.5px a character at 12px), as many as fit.
    longest = max(
        (len(_clip(label, 24)) + len(value) for (label, _), value in zip(series, latest, strict=True)), default=0
    )
    item_w = 48 + 6.5 * longest
    per_row = max(int(frame.plot_w // item_w), 1)
    for index, (label, _points) in enumerate(series):
        if index and index % per_row == 0:
            x, y = frame.left, y + 20
        colour, dash = line_style(index)
        parts.append(
            svg(
                '<g class="chart-legend-item"><title>{}: {}</title>'
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="2" stroke-dasharray="{}"/>'
                '<text x="{}" y="{}" font-size="12" fill="{}">{} <tspan fill="{}">{}</tspan></text></g>',
                label,
                latest[index],
                x,
                y - 4,
                x + 24,
                y - 4,
                colour,
                dash or "none",
                x + 30,
                y,
                TEXT,
                _clip(label, 24),
                MUTED,
                latest[index],
            )
        )
        x += item_w
    rows = -(-len(series) // per_row) if series else 0
    return parts, rows


def trend_chart(series, days=30, end=None, width=640, height=160, title=None):
    """Scores (0–100) over the last `days` up to `end` (default now): one line per (label, [(when, value)])."""
    series = [(label, list(points or [])) for label, points in (series or [])]
    end = as_datetime(end) if end else timezone.now()
    frame = _Frame(width, height, end - timedelta(days=days), end)
    parts = _grid(frame) + _date_ticks(frame)
    plotted = [_series_points(frame, points) for _, points in series]
    latest = [_latest(values) for _, values in plotted]
    for index, (coordinates, _values) in enumerate(plotted):
        parts.extend(_series_lines(frame, index, coordinates))
    if all(value == "no data" for value in latest):
        parts.append(
            svg(
                '<text class="chart-empty" x="{}" y="{}" text-anchor="middle" font-size="13" fill="{}">{}</text>',
                frame.left + frame.plot_w / 2,
                frame.top + height / 2,
                MUTED,
                "No score history in this period",
            )
        )
    legend, rows = _legend(frame, series, latest)
    total_h = frame.bottom + frame.axis + rows * 20 + 8
    title = title or f"Score over the last {days} days"
    summary = "; ".join(f"{label}: {value}" for (label, _), value in zip(series, latest, strict=True))
    return _svg_root("chart trend-chart", width, total_h, title, summary or "No series", parts + legend)


# --- stacked bars -------------------------------------------------------------------------

# (fill, text colour on it). Key owners run from "ours" to "nobody's"; statuses and severities too.
SEGMENT_STYLES = {
    KeyOwner.CUSTOMER_MANAGED: ("#15803d", "#ffffff"),
    KeyOwner.AWS_MANAGED: ("#2563eb", "#ffffff"),
    KeyOwner.AWS_OWNED: ("#93c5fd", "#111827"),
    KeyOwner.EXTERNAL: ("#7c3aed", "#ffffff"),
    KeyOwner.UNENCRYPTED: ("#dc2626", "#ffffff"),
    KeyOwner.UNKNOWN: ("#9ca3af", "#111827"),
    Status.PASS: ("#15803d", "#ffffff"),
    Status.FAIL: ("#dc2626", "#ffffff"),
    Status.ERROR: ("#d97706", "#111827"),
    Status.NOT_APPLICABLE: ("#9ca3af", "#111827"),
    Severity.CRITICAL: ("#7f1d1d", "#ffffff"),
    Severity.HIGH: ("#dc2626", "#ffffff"),
    Severity.MEDIUM: ("#f59e0b", "#111827"),
    Severity.LOW: ("#3b82f6", "#ffffff"),
    Severity.INFORMATIONAL: ("#9ca3af", "#111827"),
}
SEGMENT_ORDER = [*KeyOwner, *Status, *Severity]


def segment_label(key):
    for choices in (KeyOwner, Status, Severity):
        if key in choices.values:
            return choices(key).label
    return str(key)


def _segment_keys(rows):
    """Segments present in any row: the vocabulary's order first, then any others as they come."""
    present = []
    for _label_text, counts in rows:
        present.extend(key for key, count in counts.items() if count and key not in present)
    known = [key for key in SEGMENT_ORDER if key in present]
    return known + [key for key in present if key not in SEGMENT_ORDER]


def _segment_style(key, position):
    return SEGMENT_STYLES.get(key) or (LINE_STYLES[position % len(LINE_STYLES)][0], "#ffffff")


def _bar_row(keys, label, counts, y, scale, label_w, bar_h):
    parts = [
        svg(
            '<text class="bar-label" x="0" y="{}" font-size="12" fill="{}"><title>{}</title>{}</text>',
            y + bar_h / 2 + 4,
            TEXT,
            label,
            _clip(label, 22),
        )
    ]
    x, total = float(label_w), sum(counts.get(key, 0) or 0 for key in keys)
    for position, key in enumerate(keys):
        count = counts.get(key, 0) or 0
        if not count:
            continue
        fill, ink = _segment_style(key, position)
        seg_w = count * scale
        text = (
            svg(
                '<text x="{}" y="{}" text-anchor="middle" font-size="11" fill="{}">{}</text>',
                x + seg_w / 2,
                y + bar_h / 2 + 4,
                ink,
                count,
            )
            if seg_w >= 10 + 7 * len(str(count))
            else ""
        )
        parts.append(
            svg(
                '<g class="bar-segment seg-{}"><title>{}: {}</title><rect x="{}" y="{}" width="{}" height="{}" '
                'fill="{}"/>{}</g>',
                css_token(key),
                segment_label(key),
                count,
                x,
                y,
                seg_w,
                bar_h,
                fill,
                text,
            )
        )
        x += seg_w
    parts.append(
        svg(
            '<text class="bar-total" x="{}" y="{}" font-size="12" fill="{}">{}</text>',
            x + 6,
            y + bar_h / 2 + 4,
            MUTED if total else AXIS,
            total if total else "none",
        )
    )
    return parts


def _bar_legend(keys, rows, y, width):
    """Swatch, label and total per segment, wrapped onto further lines; returns (parts, last line's y)."""
    parts, x = [], 0
    for position, key in enumerate(keys):
        fill, _ink = _segment_style(key, position)
        total = sum(counts.get(key, 0) or 0 for _, counts in rows)
        text = f"{segment_label(key)} ({total})"
        if x and x + 14 + 7 * len(text) > width:
            x, y = 0, y + 20
        parts.append(
            svg(
                '<g class="chart-legend-item"><rect x="{}" y="{}" width="10" height="10" rx="2" fill="{}"/>'
                '<text x="{}" y="{}" font-size="12" fill="{}">{}</text></g>',
                x,
                y - 9,
                fill,
                x + 14,
                y,
                TEXT,
                text,
            )
        )
        x += 24 + 7 * len(text)
    return parts, y


def stacked_bars(rows, width=640, title="Resources by key owner"):
    """Horizontal bars, one per (label, {segment: count}), on one scale, counts written on the segments."""
    rows = [(label, dict(counts or {})) for label, counts in (rows or [])]
    if not rows:
        return svg('<p class="chart-empty muted">{}</p>', "Nothing to show yet.")
    keys = _segment_keys(rows)
    label_w, bar_h, gap = 150, 20, 8
    most = max(sum(counts.get(key, 0) or 0 for key in keys) for _, counts in rows)
    scale = (width - label_w - 48) / max(most, 1)
    parts = []
    for index, (label, counts) in enumerate(rows):
        parts.extend(_bar_row(keys, label, counts, index * (bar_h + gap), scale, label_w, bar_h))
    legend_y = len(rows) * (bar_h + gap) + 14
    legend, last_y = _bar_legend(keys, rows, legend_y, width)
    parts.extend(legend)
    total_h = last_y + 8
    summary = "; ".join(
        f"{label}: " + ", ".join(f"{segment_label(k)} {counts.get(k, 0) or 0}" for k in keys) for label, counts in rows
    )
    return _svg_root("chart stacked-bars", width, total_h, title, summary, parts)
