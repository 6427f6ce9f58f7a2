"""The chapter on public opinion: its figure of survey shares by year, one panel per topic."""

from __future__ import annotations

import re
import textwrap

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from alliance_book import plotting
from alliance_book.chapters.opinion.core import SERIES

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
    if df.empty and bound_rows.empty:
        return plotting.message_figure(title, "No survey values in the selection.", source)
    order = list(labels)
    counts = pd.concat([df["topic"], bound_rows["topic"]]).value_counts()
    # The fullest panels first; ties in the schema's order of topics.
    topics = sorted(counts.index, key=lambda t: (-counts[t], order.index(t) if t in order else len(order), t))
    organisations = list(dict.fromkeys(list(df["organisation"]) + list(bound_rows["organisation"])))
    by_org = len(organisations) > 1
    responses = list(dict.fromkeys(df["response"]))
    colours = {org: plotting.ORG_PALETTE[i % len(plotting.ORG_PALETTE)] for i, org in enumerate(organisations)}
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
            marker = plotting.MARKERS[shapes.setdefault(f"{org}|{measure}|{response}", len(shapes)) % len(plotting.MARKERS)]
            colour = colours[org] if by_org else plotting.ORG_PALETTE[responses.index(response) % len(plotting.ORG_PALETTE)]
            years, values = g["year"].astype(int).tolist(), g["percent"].astype(float).tolist()
            answer = response.replace("_", " ")
            label = answer.capitalize() if one_question and not by_org else f"{plotting.short(latin(g['question'].iloc[-1]), 44)} ({answer})"
            ax.plot(years, values, ls="none", marker=marker, color=colour, ms=5.5, label=label, zorder=3)
            plotting.consecutive_lines(ax, years, values, color=colour, lw=1.2, zorder=2)
        for b in bound_rows[bound_rows["topic"] == topic].itertuples():
            x0, x1 = int(b.period_start) - 0.3, int(b.period_end) + 0.3
            span = f"{int(b.period_start)}\u2013{int(b.period_end)}"
            if pd.notna(b.low) and pd.notna(b.high):
                ax.fill_between([x0, x1], b.low, b.high, color=colours[b.organisation], alpha=0.3, lw=0,
                                label=f"{plotting.short(latin(b.question), 46)}: range {span}")
            else:
                level = b.low if pd.notna(b.low) else b.high
                word = "lowest" if pd.notna(b.low) else "highest"
                ax.plot([x0, x1], [level, level], color=colours[b.organisation], lw=2.2, ls="--",
                        label=f"{plotting.short(latin(b.question), 46)}: {word} {span}")
        ax.set_ylim(0, 105)
        ax.set_ylabel("Respondents (%)", fontsize=9)
        heading = labels.get(topic, topic.replace("_", " "))
        if one_question and not by_org:
            heading += f" \u2014 question: {latin(rows['question'].iloc[0])}"
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
        key.legend(handles, [plotting.short(o, 60) for o in organisations], loc="upper left", ncol=2, fontsize=8.5,
                   title="Colour: survey organisation", title_fontsize=8.5, alignment="left", frameon=False)
    else:
        key.text(0.0, 0.5, f"Survey organisation: {organisations[0]}", fontsize=9, va="center")
    fig.suptitle(title, x=0.01, ha="left", fontsize=13, fontweight="bold")
    fig.get_layout_engine().set(h_pad=0.08)
    plotting.add_source(fig, source)
    return fig
