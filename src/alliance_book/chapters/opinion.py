"""The numbers of the chapter on public opinion, computed from validated survey tables.

A series is one organisation's answers to one question (measure) with one response, over the
years. Series are never joined across organisations or questions: different wording is a
different series. Bounds (a lowest or highest value over a span of years) are kept apart from
points.
"""

from __future__ import annotations

import re
import textwrap
from typing import Any

import pandas as pd
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from alliance_book import plotting
from alliance_book.errors import BookError

SERIES = ["organisation", "measure", "response"]


def select(rok: pd.DataFrame, us: pd.DataFrame, measures: list[str], since_year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Keep the measures asked for, from ``since_year`` on (a bound is kept if its period reaches that year)."""
    known = set(rok["measure"]) | set(us["measure"])
    unknown = [m for m in measures if m not in known]
    if unknown:
        raise BookError(
            f"parameter measures: {', '.join(unknown)} not in {rok.attrs.get('file')} or {us.attrs.get('file')}; "
            f"measures there: {', '.join(sorted(known))}"
        )

    def keep(df: pd.DataFrame) -> pd.DataFrame:
        last_year = df["period_end"].fillna(df["year"])
        out = df[df["measure"].isin(measures) & (last_year >= since_year)].copy()
        out.attrs.update(df.attrs)
        return out.sort_values(["organisation", "measure", "year", "response"]).reset_index(drop=True)

    return keep(rok), keep(us)


def first_year(df: pd.DataFrame, since_year: int) -> int:
    """The first year a figure needs: the earliest value or bound shown, not before ``since_year``."""
    earliest = df["period_start"].fillna(df["year"]).min()
    return max(since_year, int(earliest)) if pd.notna(earliest) else since_year


def points(df: pd.DataFrame) -> pd.DataFrame:
    """Single-survey values (no bounds)."""
    return df[df["statistic"] == "point"]


def bounds(df: pd.DataFrame) -> pd.DataFrame:
    """Lowest/highest values over a span of years, one row per series with ``low`` and ``high``."""
    b = df[df["statistic"] != "point"]
    if b.empty:
        return pd.DataFrame(columns=[*SERIES, "question", "topic", "period_start", "period_end", "low", "high", "source"])
    wide = b.pivot_table(index=[*SERIES, "question", "topic", "period_start", "period_end", "source"],
                         columns="statistic", values="percent", aggfunc="first").reset_index()
    wide.columns.name = None
    wide["low"] = wide.get("minimum_over_period")
    wide["high"] = wide.get("maximum_over_period")
    return wide.drop(columns=[c for c in ("minimum_over_period", "maximum_over_period") if c in wide.columns])


def series_summary(df: pd.DataFrame) -> pd.DataFrame:
    """Per series: waves, first and latest value, range, and change since the first wave (points only)."""
    rows = []
    for key, g in points(df).groupby(SERIES, sort=False):
        g = g.sort_values("year")
        first, last = g.iloc[0], g.iloc[-1]
        rows.append(dict(zip(SERIES, key, strict=True)) | {
            "question": last["question"],
            "topic": last["topic"],
            "waves": len(g),
            "first_year": int(first["year"]),
            "first": float(first["percent"]),
            "latest_year": int(last["year"]),
            "latest": float(last["percent"]),
            "low": float(g["percent"].min()),
            "high": float(g["percent"].max()),
            "change": round(float(last["percent"]) - float(first["percent"]), 1),
        })
    return pd.DataFrame(rows)


NUCLEAR_TOPICS = ("nuclear_armament", "extended_deterrence")


def split_topics(df: pd.DataFrame, topics: tuple[str, ...] = NUCLEAR_TOPICS) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rows on the alliance and US forces, and the rows on ``topics`` (nuclear questions by default)."""
    inside = df["topic"].isin(topics)
    a, b = df[~inside].copy(), df[inside].copy()
    a.attrs.update(df.attrs)
    b.attrs.update(df.attrs)
    return a, b


def _who(organisation: str) -> str:
    """An organisation as a sentence names it; a survey whose organisation is not known says so."""
    if organisation.startswith("Not identified"):
        detail = organisation[len("Not identified"):].strip(" ()")
        return f"A survey whose organisation is not named ({detail.replace('survey ', '', 1)})"
    return organisation


_NAMES = ("South ", "North ", "Korea", "ROK", "US ", "USFK", "NATO", "Washington ", "Japan", "American")


def _lower_first(text: str) -> str:
    """A question as the object of a sentence: its first word in lower case unless it is a name."""
    return text if text.startswith(_NAMES) or text[:2].isupper() else text[:1].lower() + text[1:]


def _answers(g: pd.DataFrame) -> str:
    """The answers of one survey, largest first: "66.5% yes and 31.1% no"."""
    parts = [f"{r.percent:g}% \u201c{r.response.replace('_', ' ')}\u201d" for r in g.sort_values("percent", ascending=False).itertuples()]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _question_sentences(pts: pd.DataFrame) -> list[str]:
    """One sentence per organisation asking one question: its answers, or how its main answer moved."""
    out = []
    for (question, org), g in pts.groupby(["question", "organisation"], sort=False):
        waves = g.groupby(["year", "survey"], sort=True)
        if waves.ngroups == 1:
            year = int(g["year"].iloc[0])
            out.append(f"{_who(org)} found {_answers(g)} in {year} when asking *{_lower_first(question)}*.")
            continue
        main = g[g["response"].isin(FOR | {"trust", "necessary", "maintain", "confident"})]
        main = main if not main.empty else g[g["response"] == g["response"].iloc[0]]
        main = main.sort_values("year")
        first, last = main.iloc[0], main.iloc[-1]
        change = round(float(last["percent"]) - float(first["percent"]), 1)
        move = (f"the same as in {int(first['year'])}" if change == 0 else
                f"{'up' if change > 0 else 'down'} {abs(change):g} points from {first['percent']:g}% in {int(first['year'])}")
        out.append(f"Asking *{_lower_first(question)}*, {_who(org)} found {last['percent']:g}% "
                   f"\u201c{last['response'].replace('_', ' ')}\u201d in {int(last['year'])}, {move} "
                   f"({waves.ngroups} surveys).")
    return out


def summary_markdown(summary: pd.DataFrame, bound_rows: pd.DataFrame, topic_labels: dict[str, str] | None = None,
                     pts: pd.DataFrame | None = None) -> Any:
    """One paragraph per topic: what each organisation found for each question, and how it moved."""
    from IPython.display import Markdown

    labels = topic_labels or {}
    pts = pts if pts is not None else pd.DataFrame(columns=["topic"])
    topics = list(dict.fromkeys(list(pts["topic"]) + list(bound_rows["topic"] if not bound_rows.empty else [])))
    order = list(labels)
    topics.sort(key=lambda t: order.index(t) if t in order else len(order))
    paragraphs = []
    for topic in topics:
        sentences = _question_sentences(pts[pts["topic"] == topic])
        for b in bound_rows[bound_rows["topic"] == topic].itertuples() if not bound_rows.empty else []:
            span = f"{int(b.period_start)}\u2013{int(b.period_end)}"
            if pd.notna(b.low) and pd.notna(b.high):
                rng = f"stayed between {b.low:g}% and {b.high:g}%"
            elif pd.notna(b.low):
                rng = f"never fell below {b.low:g}%"
            else:
                rng = f"never rose above {b.high:g}%"
            sentences.append(f"In the surveys of the {b.organisation} of {span}, the share answering *{_lower_first(b.question)}* "
                             f"{rng}; the source gives only this range, not the single years.")
        if sentences:
            label = labels.get(topic, topic.replace("_", " "))
            paragraphs.append(f"**{label}{'' if label.endswith('?') else '.'}** " + " ".join(sentences))
    return Markdown("\n\n".join(paragraphs) if paragraphs else "No series in the selection.")


def main_series(summary: pd.DataFrame) -> dict[str, Any]:
    """The series with the most waves (ties: the longer span, then the latest), for headline prose."""
    if summary.empty:
        raise BookError("parameters measures/since_year: no survey values left to summarise")
    ranked = summary.assign(span=summary["latest_year"] - summary["first_year"]).sort_values(
        ["waves", "span", "latest_year"], ascending=False)
    s = ranked.iloc[0]
    return {
        "organisation": s["organisation"], "question": s["question"], "response": s["response"].replace("_", " "),
        "waves": int(s["waves"]), "first_year": int(s["first_year"]), "first": float(s["first"]),
        "latest_year": int(s["latest_year"]), "latest": float(s["latest"]), "low": float(s["low"]),
        "high": float(s["high"]), "change": float(s["change"]),
    }


def facts(rok: pd.DataFrame, us: pd.DataFrame) -> dict[str, Any]:
    """Headline counts and the longest series of each public."""
    out: dict[str, Any] = {}
    for prefix, df in (("rok", rok), ("us", us)):
        pts = points(df)
        summary = series_summary(df)
        out |= {
            f"{prefix}_n_values": len(pts),
            f"{prefix}_n_series": len(summary),
            f"{prefix}_n_organisations": int(df["organisation"].nunique()),
            f"{prefix}_n_bounds": int((df["statistic"] != "point").sum()),
            f"{prefix}_first_year": int(pts["year"].min()) if not pts.empty else 0,
            f"{prefix}_last_year": int(pts["year"].max()) if not pts.empty else 0,
        }
        if not summary.empty:
            out |= {f"{prefix}_main_{k}": v for k, v in main_series(summary).items()}
    return out


def values_table(df: pd.DataFrame) -> pd.DataFrame:
    """Every value shown, with who asked what, when, of how many, and how sure we are of the source."""
    def stat(row: pd.Series) -> str:
        if row["statistic"] == "point":
            return "single survey"
        word = "lowest" if row["statistic"] == "minimum_over_period" else "highest"
        return f"{word} over {int(row['period_start'])}–{int(row['period_end'])}"

    def fieldwork(row: pd.Series) -> str:
        if pd.notna(row["fieldwork_start"]) and pd.notna(row["fieldwork_end"]):
            return f"{row['fieldwork_start']} to {row['fieldwork_end']}"
        return str(row["fieldwork"]).split(";")[0]

    return pd.DataFrame({
        "Organisation": df["organisation"],
        "Year": df["year"].astype(str),
        "Question (as the source summarises it)": df["question"],
        "Response": df["response"].str.replace("_", " "),
        "%": df["percent"].map(lambda v: f"{v:g}"),
        "Value": df.apply(stat, axis=1),
        "Fieldwork": df.apply(fieldwork, axis=1),
        "Sample": df["sample_size"],
        "MoE (pts)": df["margin_of_error"].map(lambda v: "" if pd.isna(v) else f"\u00b1{v:g}"),
        "Confidence": df["confidence"],
        "Source": df["source"],
    })


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


def source(df: pd.DataFrame) -> str:
    """An opinion figure's source line: the dataset, with each value's source in the table under it."""
    return f"{df.attrs['title']} ({df.attrs['file']}); sources per value in the table below"


def topic_labels(dataset: str) -> dict[str, str]:
    """Panel headings by topic, in the schema's order."""
    from alliance_book.datapackage import labels

    return labels(dataset, "topic")


def headline(summary: pd.DataFrame, topic: str, what: str) -> str:
    """A sentence on the longest series of one topic (``what`` names the question for a reader)."""
    mine = summary[summary["topic"] == topic] if not summary.empty else summary
    favour = mine[mine["response"].isin(FOR | {"trust"})] if not mine.empty else mine
    mine = favour if not favour.empty else mine
    if mine.empty:
        return f"The selection holds no survey on {what}."
    s = main_series(mine)
    text = (f"The longest series on {what}, {s['organisation']}'s, found {s['latest']:g}% answering "
            f"\u201c{s['response']}\u201d in {s['latest_year']}")
    if s["waves"] > 1:
        text += f", against {s['first']:g}% in {s['first_year']} ({s['waves']} surveys)"
    return text + "."


# Answers for and against a proposal; a forced choice between options (an own bomb or US forces) is neither.
FOR, AGAINST = {"support", "agree", "yes"}, {"oppose", "no", "disagree"}


def majority_counts(df: pd.DataFrame, topic: str) -> tuple[int, int, list[int]]:
    """(surveys finding more for than against, surveys asking for or against, their years) for one topic.

    A survey that asked several such questions counts once, for the side most of its questions found;
    where a question gives no share against, a majority for counts as more for than against.
    """
    pts = points(df[df["topic"] == topic]) if not df.empty else df
    found, total, years = 0, 0, []
    if pts.empty:
        return found, total, years
    for _key, survey in pts.groupby(["organisation", "survey", "year"]):
        verdicts = []
        for _measure, g in survey.groupby("measure"):
            yes = g[g["response"].isin(FOR)]["percent"]
            no = g[g["response"].isin(AGAINST)]["percent"]
            if yes.empty and no.empty:
                continue  # a forced choice, or answers that are neither for nor against
            verdicts.append(yes.sum() > (no.sum() if not no.empty else 50))
        if verdicts:
            total += 1
            years.append(int(survey["year"].iloc[0]))
            found += int(sum(verdicts) > len(verdicts) / 2)
    return found, total, years


def majority_sentence(df: pd.DataFrame, topic: str, what: str) -> str:
    """How many surveys of a topic found more respondents for than against (or, with no answer against, a majority for)."""
    found, total, years = majority_counts(df, topic)
    if not total:
        return f"No survey in the selection gives a share for or against {what}."
    return (f"Of the {total} surveys in the data that asked for or against {what} ({min(years)}\u2013{max(years)}), "
            f"{found} found more respondents for it than against it (or, where no share against is given, a majority "
            "for it); questions that offered a choice between options are left out of this count.")
