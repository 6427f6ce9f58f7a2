"""One house style for every figure, and the figures of the chapters.

Figure functions take DataFrames and return a ``Figure``; they never read files. Every
figure carries a source line under the plot, so an image saved on its own still says where
its numbers come from.
"""

from __future__ import annotations

import textwrap

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

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

        set_matplotlib_formats("png", metadata={"Software": None})
    except ImportError:  # outside IPython there is no inline backend to configure
        pass


def thousands(value: float, _pos: int | None = None) -> str:
    """Axis tick label with a thousands separator."""
    return f"{value:,.0f}"


def add_source(fig: Figure, text: str, width: int = 120) -> None:
    """Write the source line under the plot."""
    wrapped = "\n".join(textwrap.wrap(f"Source: {text}", width))
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


def troops_figure(
    troops: pd.DataFrame,
    phases: pd.DataFrame,
    events: pd.DataFrame,
    host_country: str,
    start: int,
    end: int,
    source: str,
) -> Figure:
    """US active-duty count by year with phases shaded and key events marked.

    Years without a count stay empty: points are joined only between consecutive years.
    """
    fig, ax = plt.subplots()
    shade_phases(ax, phases, start, end)
    markers = {"dmdc_report": "o", "kane_2006": "s"}
    labels = {"dmdc_report": "DMDC report (September; June where none)", "kane_2006": "Kane (2006), no DMDC report"}
    for i, (series, group) in enumerate(troops.groupby("series", sort=True)):
        group = group.sort_values("year")
        years = group["year"].astype(int).tolist()
        counts = group["troops_active_duty"].astype(int).tolist()
        ax.plot(years, counts, linestyle="none", marker=markers.get(series, "D"), ms=4,
                color=PALETTE[i], label=labels.get(series, series), zorder=3)
        for a, b in zip(range(len(years) - 1), range(1, len(years))):
            if years[b] - years[a] == 1:
                ax.plot(years[a:b + 1], counts[a:b + 1], color=PALETTE[i], lw=1.2, zorder=2)
    top = troops["troops_active_duty"].max()
    for j, ev in enumerate(events.itertuples()):
        ax.axvline(ev.year, color="#555555", lw=0.8, ls=":", zorder=1)
        ax.annotate(
            textwrap.fill(ev.label, 18), xy=(ev.year, top * (0.92 - 0.14 * (j % 3))), xytext=(4, 0),
            textcoords="offset points", fontsize=8, va="top", color="#222222",
        )
    ax.set_xlim(start - 1, end + 1)
    ax.set_ylim(0, top * 1.05)
    ax.yaxis.set_major_formatter(FuncFormatter(thousands))
    ax.set_xlabel("Year")
    ax.set_ylabel("US active-duty personnel (persons)")
    ax.set_title(f"US active-duty personnel in {host_country}, {start}\u2013{end}", pad=28)
    ax.legend(loc="upper right", fontsize=9)
    add_source(fig, source)
    return fig


def timeline_figure(milestones: pd.DataFrame, phases: pd.DataFrame, start: int, end: int, source: str) -> Figure:
    """Milestones on a time axis, one row per category, with the phases shaded."""
    categories = list(dict.fromkeys(milestones.sort_values("year")["category"]))
    fig, ax = plt.subplots(figsize=(9.0, 0.9 + 0.42 * max(len(categories), 3)))
    shade_phases(ax, phases, start, end)
    for i, cat in enumerate(categories):
        rows = milestones[milestones["category"] == cat]
        exact = rows["date_precision"] == "day"
        frac = rows["date"].map(_year_fraction)
        ax.scatter(frac[exact], [i] * int(exact.sum()), color=PALETTE[i % len(PALETTE)], s=36, zorder=3)
        ax.scatter(frac[~exact], [i] * int((~exact).sum()), facecolor="white",
                   edgecolor=PALETTE[i % len(PALETTE)], s=36, zorder=3, linewidths=1.4)
    ax.set_yticks(range(len(categories)), [c.replace("_", " ") for c in categories])
    ax.set_ylim(len(categories) - 0.5, -0.5)
    ax.set_xlim(start - 1, end + 1)
    ax.grid(axis="x", color="#d9d9d9", lw=0.6)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel("Year (filled: exact day; hollow: month or year only)")
    ax.set_title("Milestones of the alliance by kind", pad=28)
    add_source(fig, source)
    return fig


def _year_fraction(date: str) -> float:
    """A date string of any precision as a fractional year, placed at the middle of its span."""
    parts = [int(x) for x in date.split("-")]
    if len(parts) == 1:
        return parts[0] + 0.5
    if len(parts) == 2:
        return parts[0] + (parts[1] - 0.5) / 12
    return parts[0] + (pd.Timestamp(date).dayofyear - 0.5) / 365.25
