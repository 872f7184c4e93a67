"""Bar charts as inline SVG, drawn from the data: no script, no fonts or files fetched,
so a report opens, prints and travels by e-mail as one file.

Each chart is ``<svg class="chart" role="img">`` with a ``<title>`` for screen readers;
every bar is a ``<rect class="bar ...">`` carrying its value in ``data-value``, and is
labelled with its figure in text beside it, so nothing depends on colour alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from markupsafe import Markup

WIDTH = 640
ROW = 26  # height of one horizontal bar's row
LABEL_WIDTH = 230
VALUE_GAP = 6
FONT = "font-family:'DejaVu Sans',Arial,sans-serif;font-size:12px"

COLOURS = {
    "count": "#1f5f9e",
    "within": "#2e7d32",
    "late": "#c62828",
    "unknown": "#9e9e9e",
}


@dataclass(frozen=True)
class Segment:
    """A part of a stacked bar."""

    kind: str  # within | late | unknown
    value: int
    label: str  # for the legend and the title


def _svg(title: str, height: int, body: list[str]) -> Markup:
    head = (
        f'<svg class="chart" role="img" xmlns="http://www.w3.org/2000/svg" '
        f'width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" style="{FONT}">'
        f"<title>{escape(title)}</title>"
    )
    return Markup(head + "".join(body) + "</svg>")


def _clip(label: str, limit: int = 34) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def horizontal_bars(title: str, items: Sequence[tuple[str, int]]) -> Markup:
    """One bar per item, longest value full width; zero values keep their row."""
    top = max((value for _, value in items), default=0)
    room = WIDTH - LABEL_WIDTH - 50
    body: list[str] = []
    for i, (label, value) in enumerate(items):
        y = i * ROW + 4
        width = round(room * value / top) if top else 0
        body.append(
            f'<text x="{LABEL_WIDTH - VALUE_GAP}" y="{y + 15}" text-anchor="end">'
            f"<title>{escape(label)}</title>{escape(_clip(label))}</text>"
            f'<rect class="bar count" x="{LABEL_WIDTH}" y="{y}" width="{width}" height="{ROW - 8}"'
            f' fill="{COLOURS["count"]}" data-label={quoteattr(label)} data-value="{value}"/>'
            f'<text x="{LABEL_WIDTH + width + VALUE_GAP}" y="{y + 15}">{value}</text>'
        )
    return _svg(title, max(len(items), 1) * ROW + 8, body)


def columns(title: str, items: Sequence[tuple[str, int]]) -> Markup:
    """Vertical bars (one per week, say) with their labels underneath."""
    height = 220
    base = height - 40
    top = max((value for _, value in items), default=0)
    slot = (WIDTH - 40) / max(len(items), 1)
    bar = min(60.0, slot * 0.6)
    body = [f'<line x1="20" y1="{base}" x2="{WIDTH - 20}" y2="{base}" stroke="#555"/>']
    for i, (label, value) in enumerate(items):
        h = round((base - 30) * value / top) if top else 0
        x = 20 + slot * i + (slot - bar) / 2
        centre = x + bar / 2
        body.append(
            f'<rect class="bar count" x="{x:.1f}" y="{base - h}" width="{bar:.1f}" height="{h}"'
            f' fill="{COLOURS["count"]}" data-label={quoteattr(label)} data-value="{value}"/>'
            f'<text x="{centre:.1f}" y="{base - h - 6}" text-anchor="middle">{value}</text>'
            f'<text x="{centre:.1f}" y="{base + 18}" text-anchor="middle">{escape(label)}</text>'
        )
    return _svg(title, height, body)


def stacked_bars(title: str, rows: Sequence[tuple[str, Sequence[Segment]]]) -> Markup:
    """One bar per row, split into its segments, each row's bar full width when it has
    any value (the shares are what matter); a legend at the bottom."""
    room = WIDTH - LABEL_WIDTH - 60
    body: list[str] = []
    kinds: dict[str, str] = {}
    for i, (label, segments) in enumerate(rows):
        y = i * ROW + 4
        total = sum(s.value for s in segments)
        body.append(
            f'<text x="{LABEL_WIDTH - VALUE_GAP}" y="{y + 15}" text-anchor="end">'
            f"<title>{escape(label)}</title>{escape(_clip(label))}</text>"
        )
        x = float(LABEL_WIDTH)
        for segment in segments:
            if not segment.value:
                continue
            kinds.setdefault(segment.kind, segment.label)
            width = room * segment.value / total
            body.append(
                f'<rect class="bar {segment.kind}" x="{x:.1f}" y="{y}" width="{width:.1f}"'
                f' height="{ROW - 8}" fill="{COLOURS[segment.kind]}"'
                f" data-label={quoteattr(f'{label}: {segment.label}')}"
                f' data-value="{segment.value}"><title>{escape(segment.label)}: '
                f"{segment.value}</title></rect>"
            )
            x += width
        within = next((s.value for s in segments if s.kind == "within"), 0)
        judged = sum(s.value for s in segments if s.kind in ("within", "late"))
        figure = f"{round(100 * within / judged)}%" if judged else "–"
        body.append(f'<text x="{LABEL_WIDTH + room + VALUE_GAP}" y="{y + 15}">{figure}</text>')
    legend_y = len(rows) * ROW + 14
    x = LABEL_WIDTH
    for kind, label in kinds.items():
        body.append(
            f'<rect class="legend {kind}" x="{x}" y="{legend_y}" width="12" height="12"'
            f' fill="{COLOURS[kind]}"/>'
            f'<text x="{x + 16}" y="{legend_y + 11}">{escape(label)}</text>'
        )
        x += 28 + 7 * len(label)
    return _svg(title, legend_y + 24, body)
