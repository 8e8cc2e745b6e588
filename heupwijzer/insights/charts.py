"""The insights charts as SVG text (matplotlib, nothing from the internet). A hidden count ("< 5")
is drawn as 0; the table beside the chart says "< 5"."""

from __future__ import annotations

import io
from typing import Any, Dict

import matplotlib
from matplotlib.figure import Figure

COLOURS = ["#0b5d7a", "#e07b39", "#5a9e6f", "#8e6bb8", "#c44e52"]
matplotlib.rcParams.update(
    {"svg.fonttype": "none", "font.size": 10, "axes.spines.top": False, "axes.spines.right": False}
)


def svg(chart: Dict[str, Any]) -> str:
    """'' for a section without a chart or without any number to draw. No title: the section's
    heading stands above it."""
    labels, series = chart.get("labels") or [], chart.get("series") or {}
    if not labels or not any(any(values) for values in series.values()):
        return ""
    kind = chart["kind"]
    if kind == "stacked":
        fig = Figure(figsize=(7, 3.2))  # not pyplot: the web server draws in several threads
        ax = fig.subplots()
        bottom = [0] * len(labels)
        for colour, (name, values) in zip(COLOURS * 3, series.items(), strict=False):
            ax.bar(labels, values, bottom=bottom, label=name, color=colour)
            bottom = [b + v for b, v in zip(bottom, values, strict=False)]
        ax.tick_params(axis="x", labelrotation=45, labelsize=8)
        ax.legend(fontsize=8, frameon=False)
    else:
        fig = Figure(figsize=(7, max(2.2, 0.32 * len(labels) + 1)))
        ax = fig.subplots()
        height = 0.8 / len(series)
        for index, (colour, (name, values)) in enumerate(zip(COLOURS, series.items(), strict=False)):
            positions = [i + index * height for i in range(len(labels))]
            ax.barh(positions, values, height=height, label=name, color=colour)
        ax.set_yticks([i + height * (len(series) - 1) / 2 for i in range(len(labels))], labels)
        ax.invert_yaxis()
        if len(series) > 1:
            ax.legend(fontsize=8, frameon=False)
    fig.tight_layout()
    out = io.StringIO()
    fig.savefig(out, format="svg")
    text = out.getvalue()
    return text[text.index("<svg") :]  # without the XML prolog and doctype, to sit inside HTML
