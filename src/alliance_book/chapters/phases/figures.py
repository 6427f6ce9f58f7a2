"""The chapter "Phases of the alliance": its figures (troops, milestones, cost sharing, host countries).

Each takes a ``plotting.Layout`` (a book column or a phone) and keeps its text at the same size in
both: the plot reflows, legends and keys go under it.
"""

from __future__ import annotations

from collections.abc import Callable

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from alliance_book import datapackage, i18n, plotting
from alliance_book.chapters.phases.core import host_name
from alliance_book.i18n import _
from alliance_book.plotting import WIDE, Layout


def series_labels() -> dict[str, str]:
    """The legend's name for each series of troop counts, in the reader's language."""
    return {"dmdc_report": _("DMDC report (September; June where none)"),
            "kane_2006": _("Kane (2006), no DMDC report")}


def category_name(category: str, layout: Layout) -> str:
    """A kind of milestone as the timeline's rows name it, in the reader's language."""
    shown = i18n.category("category", category)
    if shown == category:
        shown = datapackage.labels("alliance_milestones", "category").get(category, category.replace("_", " "))
    return plotting.wrap(shown, layout, 9, 0.3)


def text(source: str | Callable[[], str]) -> str:
    """A figure's source line: given as text, or as a function that writes it in the reader's language."""
    return source() if callable(source) else source


def troops_figure(
    troops: pd.DataFrame,
    phases: pd.DataFrame,
    events: pd.DataFrame,
    host_country: str,
    start: int,
    end: int,
    source: str | Callable[[], str],
    layout: Layout = WIDE,
) -> Figure:
    """US active-duty count by year with phases shaded and numbered, and key events marked.

    Years without a count stay empty: points are joined only between consecutive years.
    """
    fig, ax = plt.subplots(figsize=layout.size(3.9, 3.6), layout="constrained")
    key = plotting.shade_phases(ax, phases, start, end)
    colours = plotting.colours(troops["series"], datapackage.enum("us_troops", "series"))
    markers = {"dmdc_report": "o", "kane_2006": "s"}
    handles, labels = [], []
    for series, group in troops.groupby("series", sort=True):
        group = group.sort_values("year")
        years = group["year"].astype(int).tolist()
        counts = group["troops_active_duty"].astype(int).tolist()
        line, = ax.plot(years, counts, linestyle="none", marker=markers.get(series, "D"), ms=4,
                        color=colours[series], zorder=3)
        plotting.consecutive_lines(ax, years, counts, color=colours[series], lw=1.2, zorder=2)
        handles.append(line)
        labels.append(series_labels().get(series, series))
    top = troops["troops_active_duty"].max()
    middle = (start + end) / 2
    marks = []
    for j, ev in enumerate(events.itertuples()):
        ax.axvline(ev.year, color="#555555", lw=0.8, ls=":", zorder=1)
        # On a phone each event is a letter, named under the plot; in a column its words stand in the plot.
        mark = chr(ord("A") + j) if layout.narrow else plotting.wrap(ev.label, layout, 8, share=0.14)
        marks.append(f"{mark} {i18n.year(ev.year)}: {ev.label}")
        right = ev.year > middle  # labels on the right half read leftwards, so they stay inside the plot
        ax.annotate(mark, xy=(ev.year, top * (0.97 - (0 if layout.narrow else 0.17 * (j % 3)))),
                    xytext=(-3 if right else 3, 0), textcoords="offset points", fontsize=8.5 if layout.narrow else 8,
                    va="top", ha="right" if right else "left", multialignment="left", color="#222222", zorder=4,
                    fontweight="bold" if layout.narrow else "normal",
                    bbox=dict(boxstyle="square,pad=0.1", fc="white", ec="none", alpha=0.8))
    ax.set_xlim(start - 1, end + 1)
    ax.set_ylim(0, top * 1.05)
    plotting.year_axis(ax, layout)
    ax.yaxis.set_major_formatter(FuncFormatter(plotting.thousands))
    ax.set_xlabel(_("Year"))
    ax.set_ylabel(_("Personnel") if layout.narrow else _("US active-duty personnel"))
    plotting.heading(fig, _("US active-duty personnel in {host_country}, {years}").format(
        host_country=host_name(host_country), years=i18n.year_span(start, end)), layout)
    plotting.legend_below(fig, handles, labels, layout)
    if layout.narrow and marks:
        plotting.note_below(fig, _("Events (dotted lines):") + "\n" + "\n".join(marks), layout)
    plotting.phase_key(fig, key, layout)
    plotting.add_source(fig, text(source), layout)
    return fig


def timeline_figure(milestones: pd.DataFrame, phases: pd.DataFrame, start: int, end: int,
                    source: str | Callable[[], str], layout: Layout = WIDE) -> Figure:
    """Milestones on a time axis, one row (and one colour) per kind, with the phases shaded and numbered."""
    heading = _("Milestones of the alliance by kind")
    if milestones.empty:
        return plotting.message_figure(heading, _("No milestones in the data for this host country."), text(source),
                                       layout)
    order = datapackage.enum("alliance_milestones", "category")
    categories = list(dict.fromkeys(milestones.sort_values("year")["category"]))
    colours = plotting.colours(categories, order)
    rows = max(len(categories), 3)
    fig, ax = plt.subplots(figsize=layout.size(0.9 + 0.36 * rows, 1.0 + 0.42 * rows), layout="constrained")
    key = plotting.shade_phases(ax, phases, start, end)
    for i, cat in enumerate(categories):
        mine = milestones[milestones["category"] == cat]
        exact = mine["date_precision"] == "day"
        frac = mine["date"].map(plotting.year_position)
        ax.scatter(frac[exact], [i] * int(exact.sum()), color=colours[cat], s=30, zorder=3)
        ax.scatter(frac[~exact], [i] * int((~exact).sum()), facecolor="white", edgecolor=colours[cat], s=30,
                   zorder=3, linewidths=1.4)
    ax.set_yticks(range(len(categories)), [category_name(c, layout) for c in categories])
    ax.set_ylim(len(categories) - 0.5, -0.5)
    ax.set_xlim(start - 1, end + 1)
    plotting.year_axis(ax, layout)
    ax.grid(axis="x", color="#d9d9d9", lw=0.6)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(_("Year"))
    plotting.heading(fig, heading, layout)
    dot = dict(ls="none", marker="o", ms=6, color="#555555")
    plotting.legend_below(fig, [plt.Line2D([], [], **dot), plt.Line2D([], [], mfc="white", mew=1.4, **dot)],
                          [_("Dated to the day"), _("Dated to the month or year only")], layout, columns=2)
    plotting.phase_key(fig, key, layout)
    plotting.add_source(fig, text(source), layout)
    return fig


def costs_figure(sma: pd.DataFrame, source: str | Callable[[], str], layout: Layout = WIDE) -> Figure:
    """The agreed contribution by year, one panel per currency as the sources state it; never joined across gaps."""
    heading = _("South Korea's agreed contribution to the cost of US forces")
    if sma.empty:
        return plotting.message_figure(heading, _("No agreed contribution in the data for this host country."),
                                       text(source), layout)
    shape = dict(nrows=2, ncols=1, figsize=layout.size(3.4, 5.4)) if layout.narrow else \
        dict(nrows=1, ncols=2, figsize=layout.size(3.4), width_ratios=[1, 1.6])
    fig, axes = plt.subplots(layout="constrained", **shape)
    panels = [("amount_usd_million", _("US$ million"), _("In US dollars")),
              ("amount_krw_billion", _("billion won"), _("In won"))]
    for ax, (column, unit, name) in zip(axes, panels, strict=True):
        rows = sma.dropna(subset=[column]).sort_values("year")
        years, values = rows["year"].astype(int).tolist(), rows[column].astype(float).tolist()
        ax.plot(years, values, ls="none", marker="o", ms=4.5, color=plotting.PALETTE[0], zorder=3)
        plotting.consecutive_lines(ax, years, values, color=plotting.PALETTE[0], lw=1.2, zorder=2)
        ax.set_ylim(0, max(values) * 1.12 if values else 1)
        ax.xaxis.set_major_locator(plt.MaxNLocator(nbins=4, integer=True))
        ax.yaxis.set_major_formatter(FuncFormatter(plotting.thousands))
        ax.set_ylabel(unit)
        ax.set_title(name, fontsize=10)
    plotting.heading(fig, heading, layout)
    plotting.add_source(fig, text(source), layout)
    return fig


def hosts_figure(counts: pd.DataFrame, hosts: list[str], source: str | Callable[[], str],
                 layout: Layout = WIDE) -> Figure:
    """US active-duty personnel by year in each host country, one colour each, gaps left as gaps."""
    fig, ax = plt.subplots(figsize=layout.size(3.6, 3.3), layout="constrained")
    colours = plotting.colours(hosts)
    handles = []
    for host in hosts:
        mine = counts[counts["host_country"] == host].sort_values("year")
        years, values = mine["year"].astype(int).tolist(), mine["count"].astype(int).tolist()
        line, = ax.plot(years, values, ls="none", marker="o", ms=3.5, color=colours[host], zorder=3)
        plotting.consecutive_lines(ax, years, values, color=colours[host], lw=1.2, zorder=2)
        handles.append(line)
    ax.yaxis.set_major_formatter(FuncFormatter(plotting.thousands))
    ax.set_ylim(0, None)
    plotting.year_axis(ax, layout)
    ax.set_xlabel(_("Year"))
    ax.set_ylabel(_("Personnel") if layout.narrow else _("US active-duty personnel"))
    plotting.heading(fig, _("US active-duty personnel by host country"), layout)
    plotting.legend_below(fig, handles, [host_name(h) for h in hosts], layout, columns=min(len(hosts), 3))
    plotting.add_source(fig, text(source), layout)
    return fig
