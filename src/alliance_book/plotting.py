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

        # SVG shown in the book (sharp at any zoom), PNG kept for downloads; no dates, fixed ids
        # (svg.hashsalt), so the same data give the same files.
        set_matplotlib_formats("svg", "png", metadata={"Date": None, "Creator": None})
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
        _consecutive_lines(ax, years, counts, color=PALETTE[i], lw=1.2, zorder=2)
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


MARKERS = ["o", "s", "D", "^", "v", "P", "X", "h"]
# Organisation colours: the palette without its yellow, which is too light for small markers.
ORG_PALETTE = [c for c in PALETTE if c != "#F0E442"] + ["#999999"]


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "\u2026"


def _consecutive_lines(ax: plt.Axes, years: list[int], values: list[float], **style: object) -> None:
    """Join points only where the years are consecutive: a missing year stays a gap."""
    for a in range(len(years) - 1):
        if years[a + 1] - years[a] == 1:
            ax.plot(years[a:a + 2], values[a:a + 2], **style)


def opinion_figure(
    df: pd.DataFrame,
    bound_rows: pd.DataFrame,
    title: str,
    source: str,
    start: int,
    end: int,
    topic_labels: dict[str, str] | None = None,
) -> Figure:
    """Survey shares by year, one panel per topic, one series per organisation, question and response.

    Colour is the organisation, marker shape the question. Points are never joined across
    organisations or questions, nor across missing years; bounds over a span of years are a
    band (lowest to highest) or a dashed floor line, not points.
    """
    labels = topic_labels or {}
    order = list(labels)
    counts = pd.concat([df["topic"], bound_rows["topic"]]).value_counts()
    # The fullest panels first; ties in the schema's order of topics.
    topics = sorted(counts.index, key=lambda t: (-counts[t], order.index(t) if t in order else len(order), t))
    organisations = list(dict.fromkeys(list(df["organisation"]) + list(bound_rows["organisation"])))
    by_org = len(organisations) > 1
    responses = list(dict.fromkeys(df["response"]))
    colours = {org: ORG_PALETTE[i % len(ORG_PALETTE)] for i, org in enumerate(organisations)}
    entries = [df[df["topic"] == t].groupby(["organisation", "measure", "response"]).ngroups
               + int((bound_rows["topic"] == t).sum()) for t in topics]
    heights = [1.7 + 0.24 * ((n + 1) // 2) for n in entries]
    key_height = 0.3 + 0.22 * ((len(organisations) + 1) // 2 if by_org else 1)
    fig, all_axes = plt.subplots(len(topics) + 1, 1, figsize=(9.0, sum(heights) + key_height + 1.2), squeeze=False,
                                 layout="constrained", height_ratios=[key_height, *heights])
    key, axes = all_axes[0, 0], all_axes[1:, :]
    for ax in axes[1:, 0]:
        ax.sharex(axes[0, 0])
    for ax, topic in zip(axes[:, 0], topics, strict=True):
        rows = df[df["topic"] == topic]
        one_question = rows["question"].nunique() == 1
        shapes: dict[str, int] = {}
        for (org, measure, response), g in rows.groupby(["organisation", "measure", "response"], sort=False):
            g = g.sort_values("year")
            marker = MARKERS[shapes.setdefault(f"{org}|{measure}|{response}", len(shapes)) % len(MARKERS)]
            colour = colours[org] if by_org else ORG_PALETTE[responses.index(response) % len(ORG_PALETTE)]
            years, values = g["year"].astype(int).tolist(), g["percent"].astype(float).tolist()
            answer = response.replace("_", " ")
            label = answer.capitalize() if one_question and not by_org else f"{_short(g['question'].iloc[-1], 44)} ({answer})"
            ax.plot(years, values, ls="none", marker=marker, color=colour, ms=5.5, label=label, zorder=3)
            _consecutive_lines(ax, years, values, color=colour, lw=1.2, zorder=2)
        for b in bound_rows[bound_rows["topic"] == topic].itertuples():
            x0, x1 = int(b.period_start) - 0.3, int(b.period_end) + 0.3
            span = f"{int(b.period_start)}\u2013{int(b.period_end)}"
            if pd.notna(b.low) and pd.notna(b.high):
                ax.fill_between([x0, x1], b.low, b.high, color=colours[b.organisation], alpha=0.3, lw=0,
                                label=f"{_short(b.question, 46)}: range {span}")
            else:
                level = b.low if pd.notna(b.low) else b.high
                word = "lowest" if pd.notna(b.low) else "highest"
                ax.plot([x0, x1], [level, level], color=colours[b.organisation], lw=2.2, ls="--",
                        label=f"{_short(b.question, 46)}: {word} {span}")
        ax.set_ylim(0, 105)
        ax.set_ylabel("Respondents (%)", fontsize=9)
        heading = labels.get(topic, topic.replace("_", " "))
        if one_question and not by_org:
            heading += f" \u2014 question: {rows['question'].iloc[0]}"
        ax.set_title(textwrap.fill(heading, 90), fontsize=10, loc="left")
        if ax is not axes[-1, 0]:
            ax.tick_params(labelbottom=False)
        ax.legend(loc="upper left", bbox_to_anchor=(0.0, -0.08 if ax is not axes[-1, 0] else -0.32), ncol=2,
                  fontsize=8, handlelength=1.6, columnspacing=1.2, frameon=False)
    axes[-1, 0].set_xlim(start - 1, end + 1)
    axes[-1, 0].set_xlabel("Year of fieldwork")
    key.axis("off")
    if by_org:
        handles = [plt.Line2D([], [], color=colours[o], marker="o", ls="none", ms=7) for o in organisations]
        key.legend(handles, [_short(o, 60) for o in organisations], loc="upper left", ncol=2, fontsize=8.5,
                   title="Colour: survey organisation", title_fontsize=8.5, alignment="left", frameon=False)
    else:
        key.text(0.0, 0.5, f"Survey organisation: {organisations[0]}", fontsize=9, va="center")
    fig.suptitle(title, x=0.01, ha="left", fontsize=13, fontweight="bold")
    fig.get_layout_engine().set(h_pad=0.08)
    fig.text(0.01, 0.0, "\n".join(textwrap.wrap(f"Source: {source}", 120)), ha="left", va="top", fontsize=8, color="#444444")
    return fig


def shares_figure(shares: pd.DataFrame, claimed: float | None, claim_label: str, title: str, source: str) -> Figure:
    """Shares of a whole as horizontal bars, with a claimed figure drawn as a line for comparison."""
    fig, ax = plt.subplots(figsize=(9.0, 2.2 + 0.45 * len(shares)))
    labels = shares.iloc[:, 0].astype(str).tolist()
    values = shares.iloc[:, 1].astype(float).tolist()
    bars = ax.barh(labels, values, color=[PALETTE[i % len(PALETTE)] for i in range(len(values))], zorder=3)
    ax.bar_label(bars, labels=[f"{v:g}%" for v in values], padding=4, fontsize=10)
    if claimed is not None:
        ax.axvline(claimed, color="#222222", ls="--", lw=1.4, zorder=4)
        ax.annotate(f"{claim_label}: {claimed:g}%", xy=(claimed, 1.0), xycoords=("data", "axes fraction"), xytext=(-4, 4),
                    textcoords="offset points", ha="right", va="bottom", fontsize=9)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("Share of UN Command ground troops (%)")
    ax.grid(axis="x", color="#d9d9d9", lw=0.6)
    ax.grid(axis="y", visible=False)
    ax.set_title(title, pad=22)
    add_source(fig, source)
    return fig


def spans_figure(spans: pd.DataFrame, colour_by: str, labels: dict[str, str], title: str, source: str) -> Figure:
    """One horizontal bar per row from ``x0`` to ``x1``; an arrow marks a span still open at its source's date."""
    keys = list(dict.fromkeys(spans[colour_by]))
    colours = {k: PALETTE[i % len(PALETTE)] for i, k in enumerate(keys)}
    fig, ax = plt.subplots(figsize=(9.0, 1.6 + 0.42 * len(spans)))
    for i, row in enumerate(spans.itertuples()):
        ax.barh(i, row.x1 - row.x0, left=row.x0, color=colours[getattr(row, colour_by)], height=0.55, zorder=3)
        if row.ongoing:
            ax.annotate("", xy=(row.x1 + 1.2, i), xytext=(row.x1, i),
                        arrowprops=dict(arrowstyle="->", color=colours[getattr(row, colour_by)], lw=1.5))
        text = row.unit + (f" ({int(row.personnel):,})" if pd.notna(row.personnel) else "")
        ax.text(row.x0 - 0.4, i, text, ha="right", va="center", fontsize=8.5)
    ax.set_yticks([])
    ax.set_ylim(len(spans) - 0.4, -0.6)
    lo, hi = float(spans["x0"].min()), float(spans["x1"].max())
    ax.set_xlim(lo - 0.35 * (hi - lo), hi + 2)
    ax.grid(axis="x", color="#d9d9d9", lw=0.6)
    ax.grid(axis="y", visible=False)
    ax.spines["left"].set_visible(False)
    ax.set_xlabel("Year (arrow: still deployed when the source was published; number: personnel given by the source)")
    handles = [plt.Rectangle((0, 0), 1, 1, color=colours[k]) for k in keys]
    ax.legend(handles, [labels.get(k, k) for k in keys], loc="upper right", fontsize=9)
    ax.set_title(title)
    add_source(fig, source)
    return fig


def points_by_status_figure(
    df: pd.DataFrame, value: str, ylabel: str, title: str, source: str,
    claim: tuple[int, float, str] | None = None, break_year: tuple[int, str] | None = None,
) -> Figure:
    """Values as points by year, filled for preliminary figures and hollow for others; never joined by lines."""
    fig, ax = plt.subplots(figsize=(9.0, 4.4))
    shown = df.dropna(subset=[value])
    styles = {"preliminary": dict(facecolor=PALETTE[0], marker="o"), "final": dict(facecolor=PALETTE[2], marker="D"),
              "revised": dict(facecolor="white", marker="s")}
    for status, g in shown.groupby("status", sort=True):
        style = styles.get(status, dict(facecolor="white", marker="o"))
        ax.scatter(g["year"], g[value], s=55, edgecolor=PALETTE[0] if status != "final" else PALETTE[2], linewidths=1.5,
                   zorder=3, label=status.replace("_", " "), **style)
        for row in g.itertuples():
            # Preliminary figures are labelled on the right, others on the left, so a year's two figures stay apart.
            right = status == "preliminary"
            ax.annotate(f"{getattr(row, value):g}", (row.year, getattr(row, value)), xytext=(7 if right else -7, -3),
                        textcoords="offset points", fontsize=8.5, ha="left" if right else "right")
    if claim is not None:
        year, claimed, label = claim
        ax.scatter([year], [claimed], marker="x", s=70, color=PALETTE[3], zorder=4, label=label)
        ax.annotate(f"{claimed:g}", (year, claimed), xytext=(7, 0), textcoords="offset points", fontsize=8.5,
                    color=PALETTE[3], va="center")
    if break_year is not None:
        ax.axvline(break_year[0] - 0.5, color="#555555", ls=":", lw=1)
        ax.annotate(break_year[1], xy=(break_year[0] - 0.4, 0.02), xycoords=("data", "axes fraction"), fontsize=8.5,
                    color="#333333")
    years = shown["year"].astype(int)
    ax.set_xlim(years.min() - 1.5, max(years.max(), claim[0] if claim else 0) + 1.5)
    ax.set_ylim(0, max(shown[value].max(), claim[1] if claim else 0) * 1.2)
    ax.set_xlabel("Year")
    ax.set_ylabel(ylabel)
    ax.legend(loc="upper left", fontsize=9)
    ax.set_title(title)
    add_source(fig, source)
    return fig


def event_rows_figure(events: pd.DataFrame, rows: list[str], row_labels: dict[str, str],
                      type_labels: dict[str, str], title: str, source: str) -> Figure:
    """Events on a time axis, one row per partner, colour by event type, fill by date precision.

    Filled: exact day; half-filled: month; hollow: year; a bar across ten years: decade.
    """
    types = [t for t in type_labels if t in set(events["event_type"])]
    colours = {t: ORG_PALETTE[i % len(ORG_PALETTE)] for i, t in enumerate(types)}
    fig, ax = plt.subplots(figsize=(9.0, 1.9 + 0.55 * len(rows)))
    for y, partner in enumerate(rows):
        mine = events[events["partner"] == partner]
        for ev in mine.itertuples():
            c = colours[ev.event_type]
            x = _year_fraction(str(ev.date)) if ev.date_precision != "decade" else int(ev.date) + 5
            if ev.date_precision == "decade":
                ax.plot([int(ev.date), int(ev.date) + 10], [y, y], color=c, lw=5, alpha=0.35, solid_capstyle="butt", zorder=2)
            fill = {"day": "full", "month": "bottom"}.get(ev.date_precision, "none")
            ax.plot([x], [y], marker="o", ms=8, color=c, fillstyle=fill, markerfacecoloralt="white",
                    mec=c, mew=1.5, ls="none", zorder=3)
    ax.set_yticks(range(len(rows)), [row_labels.get(r, r) for r in rows])
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.grid(axis="x", color="#d9d9d9", lw=0.6)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel("Year (filled: exact day; half-filled: month; hollow: year; bar: decade)")
    handles = [plt.Line2D([], [], marker="o", color=colours[t], ls="none", ms=7) for t in types]
    ax.legend(handles, [type_labels[t] for t in types], loc="upper left", bbox_to_anchor=(0, -0.2), ncol=4, fontsize=8.5)
    ax.set_title(title)
    fig.tight_layout()
    add_source(fig, source)
    fig.subplots_adjust(bottom=fig.subplotpars.bottom + 0.16)
    return fig
