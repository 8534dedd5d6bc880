"""Bar charts as inline SVG, drawn on the server: no chart library, no script, no CDN.

The page's CSP allows no inline ``style`` attribute, so colours are SVG presentation attributes
(``fill=``). Bar lengths and positions are percentages of the chart's width and the text is
never scaled, so one drawing reads the same on a 360 px phone and on a laptop. Every chart
carries a ``<title>`` and a ``<desc>`` listing its figures, and each bar has a text label.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

INK = "#1c1b1f"
MUTED = "#5f5b66"
TRACK = "#ece6f0"
BAR = "#1f5fa8"
PACE = "#1c1b1f"
FONT_SIZE = 14
ROW = 46  # a label line and a bar under it
LABEL_CHARS = 34  # what fits on one line of a 360 px phone, figure included


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    maximum: float
    text: str  # the value as people read it, e.g. "12 / 30 (40%)"


@dataclass(frozen=True)
class Segment:
    key: str
    label: str
    colour: str


@dataclass(frozen=True)
class Stack:
    label: str
    values: dict[str, int]
    text: str


def number(value: float) -> str:
    """A whole number the Vietnamese way: 1.000 for a thousand."""
    return f"{round(value):,}".replace(",", ".")


def percent(part: float, whole: float) -> str:
    return f"{round(100 * part / whole)}%" if whole else "—"


def _markup(svg: str) -> Markup:
    # Every piece of text that goes into a drawing passes through escape() first.
    return Markup(svg)  # noqa: S704


def _pct(part: float, whole: float) -> float:
    return max(0.0, min(100.0, 100 * part / whole)) if whole > 0 else 0.0


def _fit(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(limit - 1, 1)].rstrip() + "…"


def _open(chart_id: str, title: str, description: str, height: int) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{escape(chart_id)}" width="100%" '
        f'height="{height}" role="img" aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" '
        f'font-size="{FONT_SIZE}" fill="{INK}">'
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
        f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>'
    )


def _label_line(y: int, label: str, text: str) -> str:
    # One flowing line, the figure right after its label: two texts placed left and right
    # would overlap on a narrow phone, since SVG cannot measure text before drawing it.
    room = max(LABEL_CHARS - len(text) - 1, 8)
    return (
        f'<text x="0" y="{y}">{escape(_fit(label, room))}'
        f'<tspan dx="8" font-weight="700">{escape(text)}</tspan></text>'
    )


def bars(chart_id: str, title: str, rows: Sequence[Bar], empty: str, colour: str = BAR) -> Markup:
    """One horizontal bar per row, the label and value above it."""
    if not rows:
        return _markup(f'<p class="muted">{escape(empty)}</p>')
    description = "; ".join(f"{row.label}: {row.text}" for row in rows)
    parts = [_open(chart_id, title, description, ROW * len(rows))]
    for i, row in enumerate(rows):
        top = i * ROW
        parts.append(
            f"<g><title>{escape(row.label)}: {escape(row.text)}</title>"
            f"{_label_line(top + 17, row.label, row.text)}"
            f'<rect x="0" y="{top + 25}" width="100%" height="14" rx="3" fill="{TRACK}"/>'
            f'<rect x="0" y="{top + 25}" width="{_pct(row.value, row.maximum):.2f}%" height="14" rx="3" '
            f'fill="{colour}"/></g>'
        )
    parts.append("</svg>")
    return _markup("".join(parts))


def stacked(
    chart_id: str,
    title: str,
    rows: Sequence[Stack],
    segments: Sequence[Segment],
    empty: str,
    scale: float | None = None,
) -> Markup:
    """One bar per row split into coloured segments, with a legend above (two to a line).

    The full width stands for ``scale`` (by default the longest row)."""
    if not rows:
        return _markup(f'<p class="muted">{escape(empty)}</p>')
    scale = scale or max(sum(row.values.values()) for row in rows) or 1
    legend_lines = (len(segments) + 1) // 2
    legend_height = legend_lines * 22 + 6
    description = "; ".join(
        f"{row.label}: " + ", ".join(f"{s.label} {row.values.get(s.key, 0)}" for s in segments)
        for row in rows
    )
    parts = [_open(chart_id, title, description, legend_height + ROW * len(rows))]
    for i, segment in enumerate(segments):
        x, y = 50 * (i % 2), 22 * (i // 2)
        parts.append(
            f'<rect x="{x}%" y="{y + 4}" width="14" height="14" rx="2" fill="{segment.colour}"/>'
            f'<text x="{x}%" dx="20" y="{y + 16}" fill="{MUTED}">{escape(segment.label)}</text>'
        )
    for i, row in enumerate(rows):
        top = legend_height + i * ROW
        bar_y = top + 25
        detail = ", ".join(f"{s.label} {row.values.get(s.key, 0)}" for s in segments)
        parts.append(
            f"<g><title>{escape(row.label)}: {escape(detail)}</title>"
            f"{_label_line(top + 17, row.label, row.text)}"
            f'<rect x="0" y="{bar_y}" width="100%" height="14" rx="3" fill="{TRACK}"/>'
        )
        left = 0.0
        for segment in segments:
            width = _pct(row.values.get(segment.key, 0), scale)
            if width > 0:
                parts.append(
                    f'<rect x="{left:.2f}%" y="{bar_y}" width="{width:.2f}%" height="14" '
                    f'fill="{segment.colour}"/>'
                )
            left += width
        parts.append("</g>")
    parts.append("</svg>")
    return _markup("".join(parts))


def columns(
    chart_id: str, title: str, points: Sequence[tuple[str, int]], peak_label: str, colour: str = BAR
) -> Markup:
    """A column per point (e.g. per day), the highest value marked, first and last labels below."""
    if not points:
        return _markup("")
    height, top, bottom = 150, 20, 118
    peak = max(value for _, value in points)
    slot = 100 / len(points)
    description = "; ".join(f"{label}: {value}" for label, value in points if value)
    parts = [_open(chart_id, title, description or title, height)]
    parts.append(
        f'<text x="0" y="13" fill="{MUTED}">{escape(peak_label)}: {number(peak)}</text>'
        f'<line x1="0" x2="100%" y1="{bottom}" y2="{bottom}" stroke="{MUTED}" stroke-width="1"/>'
    )
    for i, (label, value) in enumerate(points):
        if value <= 0:
            continue
        bar = max(2.0, (bottom - top) * value / peak)
        parts.append(
            f'<rect x="{i * slot + slot * 0.15:.3f}%" y="{bottom - bar:.1f}" width="{slot * 0.7:.3f}%" '
            f'height="{bar:.1f}" fill="{colour}"><title>{escape(label)}: {value}</title></rect>'
        )
    parts.append(
        f'<text x="0" y="{height - 8}" fill="{MUTED}">{escape(points[0][0])}</text>'
        f'<text x="100%" y="{height - 8}" text-anchor="end" fill="{MUTED}">{escape(points[-1][0])}</text>'
        "</svg>"
    )
    return _markup("".join(parts))


def progress(
    chart_id: str,
    title: str,
    value: int,
    target: int,
    colour: str,
    pace: float | None = None,
    pace_label: str = "",
) -> Markup:
    """Progress against a target; ``pace`` marks where the count should be by today."""
    text = f"{number(value)} / {number(target)} ({percent(value, target)})"
    description = f"{title}: {text}" + (f"; {pace_label}" if pace is not None and pace_label else "")
    height = 70 if pace is not None and target else 46
    parts = [
        _open(chart_id, title, description, height),
        _label_line(17, title, text),
        f'<rect x="0" y="25" width="100%" height="16" rx="3" fill="{TRACK}"/>',
        f'<rect x="0" y="25" width="{_pct(value, target):.2f}%" height="16" rx="3" fill="{colour}"/>',
    ]
    if pace is not None and target:
        at = _pct(pace, target)
        anchor = "end" if at > 60 else "start"
        parts.append(
            f'<line x1="{at:.2f}%" x2="{at:.2f}%" y1="21" y2="45" stroke="{PACE}" stroke-width="2"/>'
            f'<text x="{at:.2f}%" y="62" text-anchor="{anchor}" fill="{MUTED}">{escape(pace_label)}</text>'
        )
    parts.append("</svg>")
    return _markup("".join(parts))
