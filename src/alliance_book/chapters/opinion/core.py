"""The chapter on public opinion: its series, selected and summarised from validated survey tables.

A series is one organisation's answers to one question (measure) with one response, over the
years. Series are never joined across organisations or questions: different wording is a
different series. Bounds (a lowest or highest value over a span of years) are kept apart from
points.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pandas as pd

from alliance_book import i18n
from alliance_book.errors import BookError
from alliance_book.i18n import _, pgettext

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


def answer(response: str) -> str:
    """A response code of the data (``maintain_current_level``) as readers see it, in the current language."""
    shown = i18n.category("response", response)
    return shown if shown != response else response.replace("_", " ")


def organisation(name: str) -> str:
    """A survey organisation by its name in the current language (its official name where one exists)."""
    return i18n.name("organisation", name)


NUCLEAR_TOPICS = ("nuclear_armament", "extended_deterrence")


def split_topics(df: pd.DataFrame, topics: tuple[str, ...] = NUCLEAR_TOPICS) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rows on the alliance and US forces, and the rows on ``topics`` (nuclear questions by default)."""
    inside = df["topic"].isin(topics)
    a, b = df[~inside].copy(), df[inside].copy()
    a.attrs.update(df.attrs)
    b.attrs.update(df.attrs)
    return a, b


def main_series(summary: pd.DataFrame) -> dict[str, Any]:
    """The series with the most waves (ties: the longer span, then the latest), for headline prose."""
    if summary.empty:
        raise BookError("parameters measures/since_year: no survey values left to summarise")
    ranked = summary.assign(span=summary["latest_year"] - summary["first_year"]).sort_values(
        ["waves", "span", "latest_year"], ascending=False)
    s = ranked.iloc[0]
    return {
        "organisation": organisation(s["organisation"]), "question": s["question"], "response": answer(s["response"]),
        "waves": int(s["waves"]), "first_year": int(s["first_year"]), "first": float(s["first"]),
        "latest_year": int(s["latest_year"]), "latest": float(s["latest"]), "low": float(s["low"]),
        "high": float(s["high"]), "change": float(s["change"]),
    }


def facts(rok: pd.DataFrame, us: pd.DataFrame) -> dict[str, Any]:
    """Headline counts and the longest series of each public, in the current language (calendar
    years, the ``*_year`` keys, in the reader's era: ``i18n.era_year``)."""
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
    return {k: i18n.era_year(v) if k.endswith("_year") and v else v for k, v in out.items()}


def values_table(df: pd.DataFrame) -> pd.DataFrame:
    """Every value shown, with who asked what, when, of how many, and how sure we are of the source."""
    def stat(row: pd.Series) -> str:
        if row["statistic"] == "point":
            return _("single survey")
        span = i18n.year_span(int(row["period_start"]), int(row["period_end"]))
        if row["statistic"] == "minimum_over_period":
            return _("lowest over {span}").format(span=span)
        return _("highest over {span}").format(span=span)

    def fieldwork(row: pd.Series) -> str:
        if pd.notna(row["fieldwork_start"]) and pd.notna(row["fieldwork_end"]):
            # TRANSLATORS: the first and last day of a survey's fieldwork, as ISO dates (2020-05-20).
            return _("{start} to {end}").format(start=row["fieldwork_start"], end=row["fieldwork_end"])
        return str(row["fieldwork"]).split(";")[0]

    return pd.DataFrame({
        _("Organisation"): df["organisation"].map(organisation),
        # TRANSLATORS: a table column of calendar years (Buddhist Era in Thai).
        _("Year"): df["year"].map(lambda y: str(i18n.era_year(y))),
        _("Question (as the source summarises it)"): df["question"],
        _("Response"): df["response"].map(answer),
        "%": df["percent"].map(lambda v: f"{v:g}"),
        # TRANSLATORS: a table column: a single survey's value, or the lowest or highest over years.
        pgettext("table column", "Value"): df.apply(stat, axis=1),
        _("Fieldwork"): df.apply(fieldwork, axis=1),
        _("Sample"): df["sample_size"],
        # TRANSLATORS: a table column: margin of error, in percentage points.
        _("MoE (pts)"): df["margin_of_error"].map(lambda v: "" if pd.isna(v) else f"\u00b1{v:g}"),
        # TRANSLATORS: a table column: how sure we are of the value's source (high, medium, low).
        _("Confidence"): df["confidence"].map(lambda c: i18n.category("confidence", c)),
        _("Source"): df["source"],
    })


def source(df: pd.DataFrame) -> str:
    """An opinion figure's source line: the dataset, with each value's source in the table under it."""
    return _("{title} ({file}); sources per value in the table below").format(title=df.attrs["title"], file=df.attrs["file"])


class TopicLabels(Mapping[str, str]):
    """Panel headings by topic, in the schema's order: the schema's English labels, and in another
    language the topic's name in that language's catalog (``i18n.category("topic", ...)``)."""

    def __init__(self, english: dict[str, str]) -> None:
        self.english = english

    def __getitem__(self, topic: str) -> str:
        label = self.english[topic]
        if i18n.current() == i18n.SOURCE:
            return label
        shown = i18n.category("topic", topic)
        return shown if shown != topic else label

    def __iter__(self) -> Iterator[str]:
        return iter(self.english)

    def __len__(self) -> int:
        return len(self.english)


def topic_labels(dataset: str) -> TopicLabels:
    """Panel headings by topic, in the schema's order (read in the language of the moment they are shown)."""
    from alliance_book.datapackage import labels

    return TopicLabels(labels(dataset, "topic"))


# Answers for and against a proposal; a forced choice between options (an own bomb or US forces) is neither.
FOR, AGAINST = {"support", "agree", "yes"}, {"oppose", "no", "disagree"}
