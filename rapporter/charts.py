"""Charts as server-rendered SVG, the same markup on the report page and in the PDF.

Hand-made rather than a charting library: two simple charts, no script, no inline style (the
page's Content-Security-Policy allows neither), colours as presentation attributes, and text that a
screen reader and pdftotext can read. Every chart names its figures in words (<title>, <desc>)
and stands beside a table of the same numbers.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from kvalitet.scoring import TRACKS

from . import reasons

COLOURS = ["green", "yellow", "red", "none"]
FILL = {"green": "#1b7a34", "yellow": "#f2c200", "red": "#b3261e", "none": "#8a8a8a"}
TEXT_ON = {"green": "#ffffff", "yellow": "#1a1a1a", "red": "#ffffff", "none": "#1a1a1a"}
MIN_SEGMENT = 26
SERIES = [
    ("hours_delivered_pct", "#1f4e79", "", "circle"),
    ("progress_reports_submitted_pct", "#7a3e00", "6 4", "square"),
]


def colour_words() -> dict[str, str]:
    return {"green": _("Green"), "yellow": _("Yellow"), "red": _("Red"), "none": _("No colour")}


def series_labels() -> dict[str, str]:
    return {
        "hours_delivered_pct": _("Hours delivered"),
        "progress_reports_submitted_pct": _("Progression reports submitted"),
    }


def colour_counts(rows: list[dict]) -> dict[str, Counter]:
    return {track: Counter(row["tracks"][track]["colour"] for row in rows) for track in TRACKS}


def colour_distribution(rows: list[dict]) -> dict:
    """One stacked bar per track: providers per colour, each segment labelled with its count."""
    counts = colour_counts(rows)
    words, labels = colour_words(), reasons.track_labels()
    left, width, row_height = 170, 420, 34
    total = len(rows) or 1
    bars, described = [], []
    for index, track in enumerate(TRACKS):
        x, segments = left, []
        present = [colour for colour in COLOURS if counts[track].get(colour, 0)]
        # Every colour present gets room for its count, so that none is told by colour alone.
        spare = width - MIN_SEGMENT * len(present)
        for colour in present:
            n = counts[track][colour]
            w = MIN_SEGMENT + spare * n / total
            segments.append(
                {
                    "x": round(x, 1),
                    "width": round(w, 1),
                    "mid": round(x + w / 2, 1),
                    "fill": FILL[colour],
                    "text": TEXT_ON[colour],
                    "count": n,
                    "title": f"{labels[track]}: {n} {words[colour].lower()}",
                }
            )
            x += w
        y = 10 + index * row_height
        bars.append({"label": capfirst(labels[track]), "y": y, "text_y": y + 16, "segments": segments})
        described.append(
            f"{capfirst(labels[track])}: " + ", ".join(f"{counts[track].get(c, 0)} {words[c].lower()}" for c in COLOURS)
        )
    legend_y = 10 + len(TRACKS) * row_height + 8
    legend = [
        {"x": left + i * 110, "fill": FILL[colour], "word": words[colour], "text_x": left + i * 110 + 18}
        for i, colour in enumerate(COLOURS)
    ]
    return {
        "id": "chart-colours",
        "title": _("Colour distribution per track (providers)"),
        "desc": "; ".join(described) + ".",
        "width": left + width + 10,
        "height": legend_y + 24,
        "bar_height": 22,
        "left": left,
        "label_x": left - 8,
        "bars": bars,
        "legend": legend,
        "legend_y": legend_y,
        "legend_text_y": legend_y + 12,
    }


def _plotted(value) -> bool:
    """A number to draw; a withheld figure ("<5", rapporter.suppression) is named in the
    description but never drawn, as its height would tell the number."""
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def key_figure_trend(trend: list[dict], *, chart_id: str = "chart-trend", title: str = "") -> dict:
    """Key figures per year as lines with different markers and dashes (not colour alone), each
    point labelled with its value."""
    labels = series_labels()
    values = [row[key] for row in trend for key, *_rest in SERIES if _plotted(row[key])]
    left, top, plot_w, plot_h, inset = 56, 16, 520, 170, 40
    low = Decimal(0)
    if values:
        low = max(Decimal(0), (Decimal(str(min(values))) - 5) // 10 * 10)
    high = Decimal(100)
    years = [row["year"] for row in trend]
    step = (plot_w - 2 * inset) / max(len(years) - 1, 1)

    def x_of(i: int) -> float:
        return round(left + inset + (i * step if len(years) > 1 else (plot_w - 2 * inset) / 2), 1)

    def y_of(value) -> float:
        return round(top + plot_h - float((Decimal(str(value)) - low) / (high - low)) * plot_h, 1)

    gridlines = []
    tick = low
    while tick <= high:
        gridlines.append({"y": y_of(tick), "label": number_format(tick, 0) + "\u00a0%"})
        tick += 10 if high - low > 30 else 5
    lines = []
    for n, (key, colour, dash, marker) in enumerate(SERIES):
        points = [(x_of(i), y_of(row[key]), row[key]) for i, row in enumerate(trend) if _plotted(row[key])]
        lines.append(
            {
                "label": labels[key],
                "colour": colour,
                "dash": dash,
                "marker": marker,
                "points": " ".join(f"{x},{y}" for x, y, _v in points),
                "markers": [
                    {
                        "x": x,
                        "y": y,
                        "sx": round(x - 4, 1),
                        "sy": round(y - 4, 1),
                        "label": reasons.percentage(v),
                        "label_y": round(y - 8 if n == 0 else y + 17, 1),
                    }
                    for x, y, v in points
                ],
            }
        )
    axis_y = top + plot_h
    legend_y = axis_y + 40
    described = [
        f"{row['year']}{' *' if row['partial'] else ''}: "
        + ", ".join(
            f"{labels[key].lower()} {reasons.percentage(row[key]) if row[key] is not None else '–'}"
            for key, *_r in SERIES
        )
        for row in trend
    ]
    return {
        "id": chart_id,
        "title": title or _("Key figures over the years"),
        "desc": "; ".join(described) + "." if trend else _("No delivery data yet."),
        "empty": not trend,
        "width": left + plot_w + 40,
        "height": legend_y + 22 * len(SERIES),
        "left": left,
        "label_x": left - 6,
        "right": left + plot_w,
        "axis_y": axis_y,
        "gridlines": gridlines,
        "years": [
            {"x": x_of(i), "label": f"{row['year']}{'*' if row['partial'] else ''}"} for i, row in enumerate(trend)
        ],
        "year_label_y": axis_y + 18,
        "lines": lines,
        "legend": [
            {
                "y": legend_y + 22 * i,
                "text_y": legend_y + 22 * i + 4,
                "x1": left,
                "x2": left + 36,
                "mid": left + 18,
                "sx": left + 14,
                "sy": legend_y + 22 * i - 4,
                "tx": left + 44,
                **line,
            }
            for i, line in enumerate(lines)
        ],
        "partial_note": any(row["partial"] for row in trend),
    }
