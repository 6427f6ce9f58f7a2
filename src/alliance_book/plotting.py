"""One house style for every figure, and the drawing primitives the chapters share.

The chapters' figure functions (in ``alliance_book.chapters``) take DataFrames and return a
``Figure``; they never read files. Every figure carries a source line under the plot, so an
image saved on its own still says where its numbers come from.
"""

from __future__ import annotations

import textwrap

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.layout_engine import ConstrainedLayoutEngine  # noqa: E402

# Okabe & Ito (2008): distinguishable with the common forms of colour-vision deficiency.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
PHASE_SHADES = ["#f2f2f2", "#e0e0e0"]

STYLE = {
    "figure.figsize": (9.0, 4.8),
    "figure.dpi": 110,
    "savefig.dpi": 110,
    "font.size": 11,
    "axes.titlesize": 13,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
    "axes.grid": True,
    "axes.grid.axis": "y",
    "grid.color": "#d9d9d9",
    "grid.linewidth": 0.6,
    "legend.frameon": False,
    # Fixed ids and no dates, so the same data give the same image bytes.
    "svg.hashsalt": "alliance-book",
    "svg.fonttype": "none",
}


def setup() -> None:
    """Apply the house style (call once at the top of a notebook)."""
    plt.rcParams.update(STYLE)
    try:
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        # SVG shown in the book (sharp at any zoom), PNG kept for downloads; no dates, fixed ids
        # (svg.hashsalt), so the same data give the same files.
        set_matplotlib_formats("svg", "png", metadata={"Date": None, "Creator": None})
    except ImportError:  # outside IPython there is no inline backend to configure
        pass


def thousands(value: float, _pos: int | None = None) -> str:
    """Axis tick label with a thousands separator."""
    return f"{value:,.0f}"


def add_source(fig: Figure, text: str, width: int = 120) -> None:
    """Write the source line under the plot (below the axes of a constrained layout, which makes no room)."""
    wrapped = "\n".join(textwrap.wrap(f"Source: {text}", width))
    if isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine):
        fig.text(0.01, 0.0, wrapped, ha="left", va="top", fontsize=8, color="#444444")
        return
    n_lines = wrapped.count("\n") + 1
    fig.subplots_adjust(bottom=0.12 + 0.045 * n_lines)
    fig.text(0.01, 0.01, wrapped, ha="left", va="bottom", fontsize=8, color="#444444")


def shade_phases(ax: plt.Axes, phases: pd.DataFrame, start: int, end: int, label: bool = True) -> None:
    """Shade each phase's span of years on ``ax``; label it at the top when it is wide enough."""
    for i, row in enumerate(phases.sort_values("start_year").itertuples()):
        first = max(int(row.start_year), start)
        last = end if pd.isna(row.end_year) else min(int(row.end_year), end)
        if first > last:
            continue
        ax.axvspan(first - 0.5, last + 0.5, color=PHASE_SHADES[i % 2], zorder=0, lw=0)
        if label and (last - first) >= 0.06 * (end - start + 1):
            ax.text(
                (first + last) / 2,
                1.0,
                textwrap.fill(str(row.phase), 14),
                transform=ax.get_xaxis_transform(),
                ha="center",
                va="bottom",
                fontsize=8,
                color="#333333",
            )


def year_position(date: str, at: str = "middle") -> float:
    """A date of any precision (``1998``, ``1998-06``, ``1998-06-25``) as a fractional year.

    ``at="middle"`` puts it in the middle of its span (a point for a date known to the year or
    month); ``at="start"`` at the start (where a bar begins).
    """
    offset = 0.5 if at == "middle" else 0.0
    parts = [int(x) for x in date.split("-")]
    if len(parts) == 1:
        return parts[0] + offset
    if len(parts) == 2:
        return parts[0] + (parts[1] - 1 + offset) / 12
    return parts[0] + (pd.Timestamp(date).day_of_year - 1 + offset) / 365.25


def short(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters with an ellipsis, for a label."""
    return text if len(text) <= width else text[: width - 1].rstrip() + "\u2026"


MARKERS = ["o", "s", "D", "^", "v", "P", "X", "h"]
# Organisation colours: the palette without its yellow, which is too light for small markers.
ORG_PALETTE = [c for c in PALETTE if c != "#F0E442"] + ["#999999"]


def consecutive_lines(ax: plt.Axes, years: list[int], values: list[float], **style: object) -> None:
    """Join points only where the years are consecutive: a missing year stays a gap."""
    for a in range(len(years) - 1):
        if years[a + 1] - years[a] == 1:
            ax.plot(years[a:a + 2], values[a:a + 2], **style)


def message_figure(title: str, message: str, source: str) -> Figure:
    """A figure that says why it has nothing to draw (an empty selection), with its title and source."""
    fig, ax = plt.subplots(figsize=(9.0, 2.0))
    ax.axis("off")
    ax.text(0.0, 0.5, message, fontsize=11, va="center")
    ax.set_title(title)
    add_source(fig, source)
    return fig
