"""Small trend charts drawn on the server as SVG, for the board report's page and its PDF
(WeasyPrint runs no JavaScript, so Chart.js cannot draw there).

matplotlib's object API drawing straight on its SVG canvas (what savefig as SVG uses
under the Agg backend too), never pyplot: pyplot keeps global figure state, which is not
thread-safe. One style for every chart, sized to be read at A4: a line of the monthly
figures, the target dashed.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import matplotlib
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from matplotlib.typing import RcKeyType

# GOV.UK colours: blue for the figure, black dashes for the target.
LINE = "#1d70b8"
TARGET = "#0b0c0c"
GRID = "#b1b4b6"
TEXT = "#0b0c0c"

# One style, so every chart in a report looks the same. Text stays text in the SVG
# ("none"): smaller files, sharper print, and the PDF's own font draws it.
STYLE: dict[RcKeyType, Any] = {  # Any: each setting has its own type
    "font.family": "sans-serif",
    "font.size": 8.5,
    "axes.edgecolor": GRID,
    "axes.labelcolor": TEXT,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.color": TEXT,
    "ytick.color": TEXT,
    "svg.fonttype": "none",
    "svg.hashsalt": "jigsaw-board-report",  # the same chart gives the same SVG
}

# 9 cm by 4 cm at A4: two fit side by side with room for the figures.
WIDTH_INCHES = 3.6
HEIGHT_INCHES = 1.6


def trend_svg(
    *,
    labels: Sequence[str],
    values: Sequence[Decimal | float | None],
    target: Decimal | float | None = None,
    percent: bool = False,
) -> bytes:
    """A line of `values` (one per label, oldest first; None is a gap) with the target
    dashed across it, as SVG bytes."""
    if len(labels) != len(values):
        raise ValueError("A chart needs one label per value.")
    ys = [math.nan if v is None else float(v) for v in values]
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(WIDTH_INCHES, HEIGHT_INCHES))
        FigureCanvasSVG(figure)
        axes = figure.add_axes((0.11, 0.2, 0.87, 0.75))
        xs = list(range(len(ys)))
        axes.plot(xs, ys, color=LINE, linewidth=1.6, marker="o", markersize=3.5)
        if target is not None:
            axes.axhline(float(target), color=TARGET, linewidth=1.0, linestyle=(0, (4, 3)))
        known = [y for y in ys if not math.isnan(y)] + ([float(target)] if target is not None else [])
        top = max(known, default=1.0)
        if percent and top <= 100:
            # A share reads against the whole: 0 to 100, with room for a point at 100.
            axes.set_ylim(0, 105)
            axes.set_yticks([0, 50, 100])
        else:
            axes.set_ylim(0, top * 1.15 or 1.0)
            axes.yaxis.set_major_locator(MaxNLocator(nbins=3, integer=not percent))
        axes.grid(axis="y", color=GRID, linewidth=0.5)
        # Every other month named, so the labels do not collide at this width.
        axes.set_xticks(xs[::2], [labels[i] for i in xs[::2]])
        axes.set_xlim(-0.4, max(len(xs) - 0.6, 0.6))
        axes.tick_params(length=2, pad=2)
        out = io.BytesIO()
        figure.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    return out.getvalue()


def data_uri(svg: bytes) -> str:
    """The SVG as an <img> source: each chart stays its own document, so the element ids
    matplotlib writes cannot clash between the charts of one page."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")
