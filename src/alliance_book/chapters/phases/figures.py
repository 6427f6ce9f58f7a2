"""The chapter "Phases of the alliance": its figures (troops, milestones, cost sharing, host countries)."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from alliance_book import plotting


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
    plotting.shade_phases(ax, phases, start, end)
    markers = {"dmdc_report": "o", "kane_2006": "s"}
    labels = {"dmdc_report": "DMDC report (September; June where none)", "kane_2006": "Kane (2006), no DMDC report"}
    for i, (series, group) in enumerate(troops.groupby("series", sort=True)):
        group = group.sort_values("year")
        years = group["year"].astype(int).tolist()
        counts = group["troops_active_duty"].astype(int).tolist()
        ax.plot(years, counts, linestyle="none", marker=markers.get(series, "D"), ms=4,
                color=plotting.PALETTE[i], label=labels.get(series, series), zorder=3)
        plotting.consecutive_lines(ax, years, counts, color=plotting.PALETTE[i], lw=1.2, zorder=2)
    top = troops["troops_active_duty"].max()
    for j, ev in enumerate(events.itertuples()):
        ax.axvline(ev.year, color="#555555", lw=0.8, ls=":", zorder=1)
        ax.annotate(
            textwrap.fill(ev.label, 18), xy=(ev.year, top * (0.92 - 0.14 * (j % 3))), xytext=(4, 0),
            textcoords="offset points", fontsize=8, va="top", color="#222222",
        )
    ax.set_xlim(start - 1, end + 1)
    ax.set_ylim(0, top * 1.05)
    ax.yaxis.set_major_formatter(FuncFormatter(plotting.thousands))
    ax.set_xlabel("Year")
    ax.set_ylabel("US active-duty personnel (persons)")
    ax.set_title(f"US active-duty personnel in {host_country}, {start}\u2013{end}", pad=28)
    ax.legend(loc="upper right", fontsize=9)
    plotting.add_source(fig, source)
    return fig


def timeline_figure(milestones: pd.DataFrame, phases: pd.DataFrame, start: int, end: int, source: str) -> Figure:
    """Milestones on a time axis, one row per category, with the phases shaded."""
    if milestones.empty:
        return plotting.message_figure("Milestones of the alliance by kind", "No milestones in the data for this host country.",
                                       source)
    categories = list(dict.fromkeys(milestones.sort_values("year")["category"]))
    fig, ax = plt.subplots(figsize=(9.0, 0.9 + 0.42 * max(len(categories), 3)))
    plotting.shade_phases(ax, phases, start, end)
    for i, cat in enumerate(categories):
        rows = milestones[milestones["category"] == cat]
        exact = rows["date_precision"] == "day"
        frac = rows["date"].map(plotting.year_position)
        ax.scatter(frac[exact], [i] * int(exact.sum()), color=plotting.PALETTE[i % len(plotting.PALETTE)], s=36, zorder=3)
        ax.scatter(frac[~exact], [i] * int((~exact).sum()), facecolor="white",
                   edgecolor=plotting.PALETTE[i % len(plotting.PALETTE)], s=36, zorder=3, linewidths=1.4)
    ax.set_yticks(range(len(categories)), [c.replace("_", " ") for c in categories])
    ax.set_ylim(len(categories) - 0.5, -0.5)
    ax.set_xlim(start - 1, end + 1)
    ax.grid(axis="x", color="#d9d9d9", lw=0.6)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel("Year (filled: exact day; hollow: month or year only)")
    ax.set_title("Milestones of the alliance by kind", pad=28)
    plotting.add_source(fig, source)
    return fig


def costs_figure(sma: pd.DataFrame, source: str) -> Figure:
    """The agreed contribution by year, one panel per currency as the sources state it; never joined across gaps."""
    if sma.empty:
        return plotting.message_figure("Agreed contributions to the cost of US forces",
                                       "No agreed contribution in the data for this host country.", source)
    fig, axes = plt.subplots(1, 2, figsize=(9.0, 3.8), width_ratios=[1, 1.6])
    panels = [("amount_usd_million", "US$ million", "In US dollars"), ("amount_krw_billion", "billion won", "In won")]
    for ax, (column, unit, title) in zip(axes, panels, strict=True):
        rows = sma.dropna(subset=[column]).sort_values("year")
        years, values = rows["year"].astype(int).tolist(), rows[column].astype(float).tolist()
        ax.plot(years, values, ls="none", marker="o", ms=4.5, color=plotting.PALETTE[0], zorder=3)
        plotting.consecutive_lines(ax, years, values, color=plotting.PALETTE[0], lw=1.2, zorder=2)
        ax.set_ylim(0, max(values) * 1.12 if values else 1)
        ax.yaxis.set_major_formatter(FuncFormatter(plotting.thousands))
        ax.set_ylabel(unit)
        ax.set_title(title, fontsize=11)
    fig.suptitle("South Korea's agreed contribution to the cost of US forces", x=0.01, ha="left", fontsize=13,
                 fontweight="bold")
    fig.tight_layout()
    plotting.add_source(fig, source)
    return fig


def hosts_figure(counts: pd.DataFrame, hosts: list[str], source: str) -> Figure:
    """US active-duty personnel by year in each host country, one colour each, gaps left as gaps."""
    fig, ax = plt.subplots(figsize=(9.0, 4.2))
    for i, host in enumerate(hosts):
        mine = counts[counts["host_country"] == host].sort_values("year")
        years, values = mine["year"].astype(int).tolist(), mine["count"].astype(int).tolist()
        colour = plotting.PALETTE[i % len(plotting.PALETTE)]
        ax.plot(years, values, ls="none", marker="o", ms=3.5, color=colour, label=host, zorder=3)
        plotting.consecutive_lines(ax, years, values, color=colour, lw=1.2, zorder=2)
    ax.yaxis.set_major_formatter(FuncFormatter(plotting.thousands))
    ax.set_ylim(0, None)
    ax.set_xlabel("Year")
    ax.set_ylabel("US active-duty personnel (persons)")
    ax.set_title("US active-duty personnel by host country")
    ax.legend(loc="upper right", fontsize=9)
    plotting.add_source(fig, source)
    return fig
