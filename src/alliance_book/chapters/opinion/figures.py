"""The chapter on public opinion: its figure of survey shares by year, one panel per topic."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.transforms import ScaledTranslation

from alliance_book import i18n, plotting
from alliance_book.chapters.opinion.core import SERIES, answer, organisation
from alliance_book.i18n import _
from alliance_book.plotting import WIDE, Layout

_NON_LATIN_BRACKET = re.compile(r"\s*\([^)]*[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af\u3040-\u30ff\u4e00-\u9fff][^)]*\)")


def latin(text: str) -> str:
    """A question for a figure label: bracketed Korean or Japanese wording removed (the table keeps it)."""
    return _NON_LATIN_BRACKET.sub("", str(text)).strip()


def repeated(points_df: pd.DataFrame, minimum: int = 2) -> pd.DataFrame:
    """The points of the series asked in at least ``minimum`` waves (the others stay in the table)."""
    if points_df.empty:
        return points_df
    waves = points_df.groupby(SERIES)["year"].transform("count")
    out = points_df[waves >= minimum]
    out.attrs.update(points_df.attrs)
    return out


def _legend_lines(labels: list[str], layout: Layout) -> int:
    """How many lines a panel's legend takes once its labels are wrapped."""
    per_column = [0] * layout.columns
    for i, label in enumerate(labels):
        per_column[i % layout.columns] += plotting.wrap(label, layout, 8.5, 0.92 / layout.columns - 0.06).count("\n") + 1
    return max(per_column)


def _bound_label(b: Any) -> str:
    """A legend entry for a range over years: the question, then what the source gives."""
    span, question = i18n.year_span(int(b.period_start), int(b.period_end)), latin(b.question)
    if pd.notna(b.low) and pd.notna(b.high):
        # TRANSLATORS: a legend entry: a survey question (in English), then the span of years of its range of values.
        return _("{question}: range {span}").format(question=question, span=span)
    if pd.notna(b.low):
        # TRANSLATORS: a legend entry: a survey question (in English), then the years over which this is its lowest value.
        return _("{question}: lowest {span}").format(question=question, span=span)
    # TRANSLATORS: a legend entry: a survey question (in English), then the years over which this is its highest value.
    return _("{question}: highest {span}").format(question=question, span=span)


def opinion_figure(
    df: pd.DataFrame,
    bound_rows: pd.DataFrame,
    title: str,
    source: str | Callable[[], str],
    start: int,
    end: int,
    topic_labels: dict[str, str] | None = None,
    organisations: Iterable[str] | None = None,
    layout: Layout = WIDE,
) -> Figure:
    """Survey shares by year, one panel per topic, one series per organisation, question and response.

    Colour is the organisation (the same in every figure that draws from the same table, given
    ``organisations``, every organisation in it), marker shape the question. Points are never
    joined across organisations or questions, nor across missing years; bounds over a span of years
    are a band (lowest to highest) or a dashed floor line, not points. Questions are written out in
    full in each panel's legend.

    The figure is drawn in the current language: ``title`` (English, marked ``N_`` by the caller)
    is translated here, and ``source`` may be a function that writes the source line.
    """
    labels = topic_labels or {}
    title = _(title)
    source = source() if callable(source) else source
    if df.empty and bound_rows.empty:
        return plotting.message_figure(title, _("No survey values in the selection."), source, layout)
    order = list(labels)
    counts = pd.concat([df["topic"], bound_rows["topic"]]).value_counts()
    # The fullest panels first; ties in the schema's order of topics.
    topics = sorted(counts.index, key=lambda t: (-counts[t], order.index(t) if t in order else len(order), t))
    present = list(dict.fromkeys(list(df["organisation"]) + list(bound_rows["organisation"])))
    by_org = len(present) > 1
    responses = list(dict.fromkeys(df["response"]))
    org_colours = plotting.colours(present, universe=() if organisations is None else organisations)
    colours = org_colours if by_org else plotting.colours(responses)
    panels = []
    for topic in topics:
        rows = df[df["topic"] == topic]
        one_question = rows["question"].nunique() == 1
        series = []
        for (org, measure, response), g in rows.groupby(["organisation", "measure", "response"], sort=False):
            said = answer(response)
            label = (said.capitalize() if one_question and not by_org
                     # TRANSLATORS: a legend entry: a survey question (in English, as the source words it) and one answer.
                     else _("{question} ({answer})").format(question=latin(g["question"].iloc[-1]), answer=said))
            series.append((org, response, g.sort_values("year"), label))
        bounds = list(bound_rows[bound_rows["topic"] == topic].itertuples())
        panels.append((topic, rows, one_question, series, bounds))
    # For sizing only (the lines each panel's legend takes), a range's entry is estimated as "question (range)".
    entries = [[s[3] for s in p[3]] + [latin(b.question) + " (range)" for b in p[4]] for p in panels]
    # Each panel: its plot, its wrapped title, tick labels and its legend (the last also the axis label).
    titles = [plotting.wrap(labels.get(t, t), layout, 11, share=0.85).count("\n") + 1 for t in topics]
    heights = [1.55 + 0.2 * n_title + 0.16 * _legend_lines(e, layout) for n_title, e in zip(titles, entries, strict=True)]
    heights[-1] += 0.4
    key_lines = _legend_lines(present, layout) if by_org else 1
    key_height = 0.3 + 0.16 * key_lines
    fig, all_axes = plt.subplots(len(topics) + 1, 1, figsize=(layout.width, sum(heights) + key_height + 0.9),
                                 squeeze=False, layout="constrained", height_ratios=[key_height, *heights])
    key, axes = all_axes[0, 0], all_axes[1:, 0]
    for ax in axes[1:]:
        ax.sharex(axes[0])
    for ax, (topic, rows, one_question, series, bounds) in zip(axes, panels, strict=True):
        shapes: dict[str, int] = {}
        for org, response, g, label in series:
            marker = plotting.MARKERS[shapes.setdefault(f"{org}|{label}", len(shapes)) % len(plotting.MARKERS)]
            colour = colours[org] if by_org else colours[response]
            years, values = g["year"].astype(int).tolist(), g["percent"].astype(float).tolist()
            ax.plot(years, values, ls="none", marker=marker, color=colour, ms=5, label=label, zorder=3)
            plotting.consecutive_lines(ax, years, values, color=colour, lw=1.2, zorder=2)
        for b in bounds:
            x0, x1 = int(b.period_start) - 0.3, int(b.period_end) + 0.3
            if pd.notna(b.low) and pd.notna(b.high):
                ax.fill_between([x0, x1], b.low, b.high, color=org_colours[b.organisation], alpha=0.3, lw=0,
                                label=_bound_label(b))
            else:
                level = b.low if pd.notna(b.low) else b.high
                ax.plot([x0, x1], [level, level], color=org_colours[b.organisation], lw=2.2, ls="--",
                        label=_bound_label(b))
        ax.set_ylim(0, 105)
        ax.set_ylabel(_("Respondents (%)"), fontsize=9)
        heading = labels.get(topic, topic.replace("_", " "))
        if one_question and not by_org:
            # TRANSLATORS: a panel's heading (a topic) and the one question it shows (in English, as the source words it).
            heading = _("{topic} \u2014 question: {question}").format(topic=heading, question=latin(rows["question"].iloc[0]))
        ax.set_title(plotting.wrap(heading, layout, 11, share=0.85), fontsize=10, loc="left")
        plotting.year_axis(ax, layout)
        handles, texts = ax.get_legend_handles_labels()
        below = 0.42 if ax is axes[-1] else 0.24  # under the tick labels (and the last panel's axis label)
        ax.legend(handles, [plotting.wrap(t, layout, 8.5, 0.92 / layout.columns - 0.06) for t in texts],
                  loc="upper left", bbox_to_anchor=(0.0, 0.0), ncol=layout.columns, fontsize=8.5,
                  bbox_transform=ax.transAxes + ScaledTranslation(0, -below, fig.dpi_scale_trans),
                  borderaxespad=0.0, handlelength=1.6, columnspacing=1.2, frameon=False)
    axes[-1].set_xlim(start - 1, end + 1)
    axes[-1].set_xlabel(_("Year of fieldwork"))
    key.axis("off")
    if by_org:
        handles = [plt.Line2D([], [], color=colours[o], marker="o", ls="none", ms=7) for o in present]
        key.legend(handles, [plotting.wrap(organisation(o), layout, 8.5, 0.92 / layout.columns - 0.06) for o in present],
                   loc="upper left", ncol=layout.columns, fontsize=8.5, title=_("Colour: survey organisation"),
                   title_fontsize=8.5, alignment="left", frameon=False, borderaxespad=0.0)
    else:
        key.text(0.0, 0.5, plotting.wrap(_("Survey organisation: {organisation}").format(organisation=organisation(present[0])),
                                         layout, 9), fontsize=9, va="center")
    plotting.heading(fig, title, layout)
    fig.get_layout_engine().set(h_pad=0.08)
    plotting.add_source(fig, source, layout)
    return fig
