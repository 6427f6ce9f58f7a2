"""The chapter on public opinion: what the surveys found, in sentences (question by question, headlines, counts).

Every sentence is written in the current language (``i18n``): organisations by their names in it,
answers (``response``) by their words in it; the questions stay as the sources word them.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from alliance_book import i18n
from alliance_book.chapters.opinion.core import AGAINST, FOR, answer, main_series, organisation, points
from alliance_book.i18n import _, pgettext


def _who(name: str) -> str:
    """An organisation as a sentence names it; a survey whose organisation is not known says so."""
    shown = organisation(name)
    if name.startswith("Not identified") and shown == name:
        detail = name[len("Not identified"):].strip(" ()")
        return _("A survey whose organisation is not named ({detail})").format(detail=detail.replace("survey ", "", 1))
    return shown


_NAMES = ("South ", "North ", "Korea", "ROK", "US ", "USFK", "NATO", "Washington ", "Japan", "American")


def _lower_first(text: str) -> str:
    """A question as the object of an English sentence: its first word in lower case unless it is a
    name. In another language the question stands as the source words it."""
    if i18n.current() != i18n.SOURCE:
        return text
    return text if text.startswith(_NAMES) or text[:2].isupper() else text[:1].lower() + text[1:]


def _share(percent: float, response: str) -> str:
    # TRANSLATORS: one answer to a survey question: its share of respondents and the answer, e.g. 66.5% “yes”.
    return _("{percent}% \u201c{answer}\u201d").format(percent=f"{percent:g}", answer=answer(response))


def listing(parts: list[str]) -> str:
    """Items as a sentence lists them: "a, b and c"."""
    if len(parts) == 1:
        return parts[0]
    # TRANSLATORS: what separates the items of a list but the last two ("a, b and c").
    head = pgettext("list separator", ", ").join(parts[:-1])
    # TRANSLATORS: the last item of a list joined to the ones before ("a, b and c").
    return _("{items} and {last}").format(items=head, last=parts[-1])


def _answers(g: pd.DataFrame) -> str:
    """The answers of one survey, largest first: "66.5% yes and 31.1% no"."""
    return listing([_share(r.percent, r.response) for r in g.sort_values("percent", ascending=False).itertuples()])


def _question_sentences(pts: pd.DataFrame) -> list[str]:
    """One sentence per organisation asking one question: its answers, or how its main answer moved."""
    out = []
    for (question, org), g in pts.groupby(["question", "organisation"], sort=False):
        waves = g.groupby(["year", "survey"], sort=True)
        if waves.ngroups == 1:
            # TRANSLATORS: {answers} is a list of shares and answers (66.5% “yes” and 31.1% “no”); the
            # question (in italics, between asterisks) stays in English as the source words it.
            out.append(_("{who} found {answers} in {year} when asking *{question}*.").format(
                who=_who(org), answers=_answers(g), year=i18n.year(int(g["year"].iloc[0])),
                question=_lower_first(question)))
            continue
        main = g[g["response"].isin(FOR | {"trust", "necessary", "maintain", "confident"})]
        main = main if not main.empty else g[g["response"] == g["response"].iloc[0]]
        main = main.sort_values("year")
        first, last = main.iloc[0], main.iloc[-1]
        change = round(float(last["percent"]) - float(first["percent"]), 1)
        fields = dict(question=_lower_first(question), who=_who(org), percent=f"{last['percent']:g}",
                      answer=answer(last["response"]), year=i18n.year(int(last["year"])), change=f"{abs(change):g}",
                      first=f"{first['percent']:g}", first_year=i18n.year(int(first["year"])), n=waves.ngroups)
        if change == 0:
            # TRANSLATORS: {n} is the number of surveys (always two or more); the question stays in English as the source words it.
            text = _("Asking *{question}*, {who} found {percent}% \u201c{answer}\u201d in {year}, "
                     "the same as in {first_year} ({n} surveys).")
        elif change > 0:
            # TRANSLATORS: {change} is in percentage points, {first} the first survey's share.
            text = _("Asking *{question}*, {who} found {percent}% \u201c{answer}\u201d in {year}, "
                     "up {change} points from {first}% in {first_year} ({n} surveys).")
        else:
            # TRANSLATORS: {change} is in percentage points, {first} the first survey's share.
            text = _("Asking *{question}*, {who} found {percent}% \u201c{answer}\u201d in {year}, "
                     "down {change} points from {first}% in {first_year} ({n} surveys).")
        out.append(text.format(**fields))
    return out


def _pct(value: Any) -> str:
    return "" if value is None or pd.isna(value) else f"{value:g}"


def _bound_sentence(b: Any) -> str:
    """What a source gives only as a range over years, as a sentence."""
    fields = dict(organisation=organisation(b.organisation), span=i18n.year_span(int(b.period_start), int(b.period_end)),
                  question=_lower_first(b.question), low=_pct(b.low), high=_pct(b.high))
    if pd.notna(b.low) and pd.notna(b.high):
        # TRANSLATORS: {span} is a span of years; the question stays in English as the source words it.
        text = _("In the surveys of the {organisation} of {span}, the share answering *{question}* stayed between "
                 "{low}% and {high}%; the source gives only this range, not the single years.")
    elif pd.notna(b.low):
        text = _("In the surveys of the {organisation} of {span}, the share answering *{question}* never fell below "
                 "{low}%; the source gives only this range, not the single years.")
    else:
        text = _("In the surveys of the {organisation} of {span}, the share answering *{question}* never rose above "
                 "{high}%; the source gives only this range, not the single years.")
    return text.format(**fields)


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
        sentences += [_bound_sentence(b) for b in
                      (bound_rows[bound_rows["topic"] == topic].itertuples() if not bound_rows.empty else [])]
        if sentences:
            label = labels.get(topic, topic.replace("_", " "))
            # TRANSLATORS: a paragraph's heading in bold, before its sentences.
            lead = f"**{label}**" if label.endswith(("?", "\uff1f")) else _("**{label}.**").format(label=label)
            paragraphs.append(lead + " " + " ".join(sentences))
    return Markdown("\n\n".join(paragraphs) if paragraphs else _("No series in the selection."))


def headline(summary: pd.DataFrame, topic: str, what: str) -> str:
    """A sentence on the longest series of one topic (``what`` names the question for a reader)."""
    mine = summary[summary["topic"] == topic] if not summary.empty else summary
    favour = mine[mine["response"].isin(FOR | {"trust"})] if not mine.empty else mine
    mine = favour if not favour.empty else mine
    if mine.empty:
        return _("The selection holds no survey on {what}.").format(what=what)
    s = main_series(mine)
    fields = dict(what=what, organisation=s["organisation"], latest=f"{s['latest']:g}", answer=s["response"],
                  latest_year=i18n.year(s["latest_year"]), first=f"{s['first']:g}",
                  first_year=i18n.year(s["first_year"]), waves=s["waves"])
    if s["waves"] > 1:
        # TRANSLATORS: {what} names a question (e.g. "South Korea having its own nuclear weapons"); {waves} is a number of surveys.
        text = _("The longest series on {what}, {organisation}'s, found {latest}% answering \u201c{answer}\u201d in "
                 "{latest_year}, against {first}% in {first_year} ({waves} surveys).")
    else:
        text = _("The longest series on {what}, {organisation}'s, found {latest}% answering \u201c{answer}\u201d in "
                 "{latest_year}.")
    return text.format(**fields)


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
        return _("No survey in the selection gives a share for or against {what}.").format(what=what)
    # TRANSLATORS: {total} and {found} are numbers of surveys, {span} a span of years, {what} names a proposal.
    return _("Of the {total} surveys in the data that asked for or against {what} ({span}), {found} found more "
             "respondents for it than against it (or, where no share against is given, a majority for it); "
             "questions that offered a choice between options are left out of this count.").format(
        total=total, what=what, span=i18n.year_span(min(years), max(years)), found=found)
