"""Server-side SVG charts for the admin dashboards: no JavaScript, no CDN, readable in a screenshot.

Every label goes through ``escape``; numbers are formatted here. The SVG carries a ``<title>`` per
bar (a tooltip on hover) and an ``aria-label`` summarising the chart for screen readers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

Number = int | float | Decimal
BAR = "#417690"  # the admin's header blue
GOOD = "#2e7d32"
BAD = "#c62828"
GRID = "#d9d9d9"
TEXT = "#333333"
EMPTY_MESSAGE = "Nothing in this period"


def _nice_max(value: float) -> float:
    """The axis top: 1, 2 or 5 times a power of ten, at or above ``value``."""
    if value <= 0:
        return 1.0
    magnitude = 1.0
    while magnitude * 10 <= value:
        magnitude *= 10
    while magnitude > value:
        magnitude /= 10
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def _ticks(top_value: float, fmt: Callable[[Number], str], *, whole: bool) -> list[tuple[float, str]]:
    """(fraction of the axis, label) for the grid: quarters of the top, or fifths, halves, the ends:
    the most lines whose labels all differ once formatted (a $0-$1 axis in quarters would read
    $0 $0 $1 $1 $1) and, for counts (``whole``), fall on whole numbers (no "1.25 refunds")."""
    for parts in (4, 5, 2, 1):
        values = [top_value * i / parts for i in range(parts + 1)]
        labels = [fmt(v if v % 1 else int(v)) for v in values]
        distinct = len(set(labels)) == len(labels)
        if parts == 1 or (distinct and (not whole or all(v % 1 == 0 for v in values))):
            return [(i / parts, label) for i, label in enumerate(labels)]
    raise AssertionError("unreachable: one part always returns")


def _plain(value: Number) -> str:
    number = float(value)
    if number.is_integer():
        return f"{int(number):,}"
    return f"{number:,.2f}"


def bar_chart(
    points: Sequence[tuple[str, Number]],
    *,
    title: str,
    fmt: Callable[[Number], str] = _plain,
    width: int = 560,
    height: int = 200,
    color: str = BAR,
) -> SafeString:
    """Vertical bars, one per (label, value); the value is printed on top of each bar."""
    left, right, top, bottom = 48, 8, 14, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = _nice_max(max((float(v) for _l, v in points), default=0.0))
    slot = plot_w / max(len(points), 1)
    bar_w = max(slot * 0.7, 2)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="staff-chart" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    empty = not any(float(v) for _l, v in points)
    whole = all(float(v).is_integer() for _l, v in points)
    ticks = [(0.0, fmt(0))] if empty else _ticks(top_value, fmt, whole=whole)
    for fraction, text in ticks:
        y = top + plot_h - plot_h * fraction
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="{TEXT}">'
            f"{escape(text)}</text>"
        )
    if empty:
        # A scale over nothing would be made up; say so instead.
        parts.append(
            f'<text x="{left + plot_w / 2:.1f}" y="{top + plot_h / 2:.1f}" text-anchor="middle" '
            f'font-size="12" fill="{TEXT}">{escape(EMPTY_MESSAGE)}</text>'
        )
    label_every = max(1, round(len(points) / 12))
    for i, (label, amount) in enumerate(points):
        value = float(amount)
        h = plot_h * float(value) / top_value
        x = left + i * slot + (slot - bar_w) / 2
        y = top + plot_h - h
        tip = f"{label}: {fmt(value)}"
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{color}">'
            f"<title>{escape(tip)}</title></rect>"
        )
        if float(value) and len(points) <= 16:
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle" font-size="10" '
                f'fill="{TEXT}">{escape(fmt(value))}</text>'
            )
        if i % label_every == 0:
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{height - bottom + 14}" text-anchor="middle" '
                f'font-size="10" fill="{TEXT}">{escape(label)}</text>'
            )
    parts.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="{TEXT}"/>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text node above is escaped


def share_bars(
    rows: Sequence[tuple[str, float | None, str]], *, title: str, width: int = 560, target: float = 0.95
) -> SafeString:
    """Horizontal 0-100 % bars (label, share or None, caption); green at or above ``target``."""
    label_w, right, row_h, top = 190, 130, 26, 6
    height = top * 2 + row_h * max(len(rows), 1)
    plot_w = width - label_w - right
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="staff-chart" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for i, (label, share, caption) in enumerate(rows):
        y = top + i * row_h
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 17}" text-anchor="end" font-size="12" fill="{TEXT}">'
            f"{escape(label)}</text>"
        )
        parts.append(
            f'<rect x="{label_w}" y="{y + 5}" width="{plot_w}" height="16" fill="#f0f0f0" stroke="{GRID}"/>'
        )
        if share is not None:
            color = GOOD if share >= target else BAD
            parts.append(
                f'<rect x="{label_w}" y="{y + 5}" width="{plot_w * share:.1f}" height="16" fill="{color}">'
                f"<title>{escape(label)}: {share:.0%}</title></rect>"
            )
        text = "no decisions" if share is None else f"{share:.0%} {caption}"
        parts.append(
            f'<text x="{label_w + plot_w + 8}" y="{y + 17}" font-size="12" fill="{TEXT}">'
            f"{escape(text)}</text>"
        )
    target_x = label_w + plot_w * target
    parts.append(
        f'<line x1="{target_x:.1f}" y1="{top}" x2="{target_x:.1f}" y2="{height - top}" stroke="{TEXT}" '
        f'stroke-dasharray="3,3"><title>target {target:.0%}</title></line>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text node above is escaped
