"""The chapter on public opinion: what the surveys found, in sentences (question by question, headlines, counts)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from alliance_book.chapters.opinion.core import AGAINST, FOR, main_series, points

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
