"""The chapter "Phases of the alliance": its tables for one host country and years, and their numbers.

Nothing here knows which country it describes: every function takes the host country and
the years from the notebook's parameters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pandas as pd

from alliance_book import i18n
from alliance_book.errors import BookError
from alliance_book.i18n import _, pgettext


@dataclass
class Tables:
    """The chapter's tables, restricted to one host country and span of years."""

    troops: pd.DataFrame
    milestones: pd.DataFrame
    phases: pd.DataFrame
    floors: pd.DataFrame
    all_milestones: pd.DataFrame


def window(troops: pd.DataFrame, host_country: str, start_year: int, end_year: int) -> tuple[int, int]:
    """The years to show: those asked for, or (0) the first and last years with a count for the host country."""
    years = troops[troops["host_country"] == host_country]["year"].dropna().astype(int)
    first, last = (int(years.min()), int(years.max())) if not years.empty else (start_year, end_year)
    return (start_year or first), (end_year or last)


DATASETS = ("us_troops", "alliance_milestones", "alliance_phases", "troop_floors")


def select(loaded: dict[str, pd.DataFrame], host_country: str, start_year: int, end_year: int,
           series: list[str]) -> Tables:
    """Keep the rows of one host country within the years (phases that overlap them)."""
    troops, milestones, phases, floors = (loaded[name] for name in DATASETS)
    t = troops[troops["host_country"] == host_country]
    if t.empty:
        known = ", ".join(sorted(troops["host_country"].dropna().unique()))
        raise BookError(f"parameter host_country: no troop counts for {host_country!r} in "
                        f"{troops.attrs.get('file', 'the troop file')}; host countries there: {known}")
    # Series are an order of preference among those present, not a requirement.
    present = list(dict.fromkeys(t["series"]))
    series = [s for s in series if s in present] or present
    t = t[t["series"].isin(series) & t["year"].between(start_year, end_year)]
    if t.empty:
        raise BookError(f"parameters start_year/end_year: no troop counts for {host_country} in {start_year}-{end_year}")
    # A host country with no milestones or phases in the data is shown with its troop counts alone.
    every_milestone = milestones[milestones["host_country"] == host_country]
    m = every_milestone[every_milestone["year"].between(start_year, end_year)]
    p = phases[phases["host_country"] == host_country]
    p = p[(p["start_year"] <= end_year) & (p["end_year"].isna() | (p["end_year"] >= start_year))]
    f = floors[floors["host_country"] == host_country]
    for df, src in ((t, troops), (m, milestones), (p, phases), (f, floors), (every_milestone, milestones)):
        df.attrs.update(src.attrs)
    return Tables(t.sort_values(["year", "series"]), m.sort_values("date"), p.sort_values("start_year"), f, every_milestone)


def year_ranges(years: list[int]) -> str:
    """Years as compact ranges, in the reader's era: [1951, 1952, 1960] -> '1951–1952, 1960'."""
    runs: list[list[int]] = []
    for y in sorted(years):
        if runs and y == runs[-1][1] + 1:
            runs[-1][1] = y
        else:
            runs.append([y, y])
    return ", ".join(i18n.year(a) if a == b else i18n.year_span(a, b) for a, b in runs)


def no_years() -> str:
    """What a list of years says when it has none."""
    # TRANSLATORS: stands for a list of years when there are none ("Years with no count: none").
    return pgettext("no years", "none")


def phase_years(start: Any, end: Any) -> str:
    """A phase's years: '1953–1991', or '2023–' for a phase that has not ended."""
    if pd.isna(end):
        # TRANSLATORS: the years of a phase that has not ended, from {year} on (written "2023–" in English).
        return _("{year}\u2013").format(year=i18n.year(int(start)))
    return i18n.year_span(int(start), int(end))


def host_name(host_country: str) -> str:
    """A host country's name in the reader's language."""
    return i18n.name("host_country", host_country)


# Years that name a US act (its fiscal year) stay Common Era numbers in every language.
ACT_YEARS = {"floor_year"}


def glued(values: dict[str, Any]) -> dict[str, Any]:
    """Values to glue, their calendar years (keys ``*_year``) in the reader's era."""
    return {k: i18n.era_year(v) if k.endswith("_year") and k not in ACT_YEARS and isinstance(v, int)
            and not isinstance(v, bool) else v for k, v in values.items()}


def percent(value: float) -> str:
    """A percentage with one decimal, as the locale writes it (no thousands separator)."""
    from babel.numbers import format_decimal

    return format_decimal(value, format="0.0", locale=i18n.current())


def first_clause(event: str) -> str:
    """The first clause of an event's description: what a sentence names it by."""
    return re.split(r"[:;(]", event)[0].strip()


def short_label(event: str) -> str:
    """The first clause of an event's description, for an annotation on a figure."""
    return first_clause(event)


def key_events(t: Tables, dates: list[str]) -> pd.DataFrame:
    """The milestones named by date in the ``key_events`` parameter that fall within the years shown.

    A date that is no milestone of the host country is an error; one outside the years shown is
    left out, so that narrowing the years needs no change to ``key_events``.
    """
    if t.all_milestones.empty:
        return t.milestones.assign(label=[], clause=[]).reset_index(drop=True)
    unknown = [d for d in dates if d not in set(t.all_milestones["date"])]
    if unknown:
        raise BookError(
            f"parameter key_events: no milestone dated {', '.join(map(repr, unknown))} in "
            f"{t.all_milestones.attrs.get('file', 'the milestones file')}; use a value of its date column"
        )
    events = t.milestones[t.milestones["date"].isin(dates)].drop_duplicates("date").sort_values("date")
    events = events.assign(label=events["event"].map(short_label), clause=events["event"].map(first_clause))
    return events.reset_index(drop=True)


def counts_by_year(troops: pd.DataFrame) -> dict[int, tuple[int, str]]:
    """Year -> (count, series) with the DMDC report preferred where two series cover a year."""
    ordered = troops.sort_values("series", key=lambda s: s != "dmdc_report")
    out: dict[int, tuple[int, str]] = {}
    for row in ordered.itertuples():
        out.setdefault(int(row.year), (int(row.troops_active_duty), str(row.series)))
    return out


def troop_facts(t: Tables, events: pd.DataFrame, start_year: int, end_year: int) -> dict[str, Any]:
    """Headline numbers: peak, latest, gaps, counts at the key events and the change between them."""
    counts = counts_by_year(t.troops)
    years = sorted(counts)
    peak_year = min(years, key=lambda y: (-counts[y][0], y))
    latest_year = years[-1]
    latest = t.troops[(t.troops["year"] == latest_year) & (t.troops["series"] == counts[latest_year][1])].iloc[0]
    gaps = [y for y in range(start_year, end_year + 1) if y not in counts]
    facts: dict[str, Any] = {
        "start_year": start_year,
        "end_year": end_year,
        "first_count_year": years[0],
        "n_count_years": len(years),
        "n_gap_years": len(gaps),
        "gap_years": year_ranges(gaps) if gaps else no_years(),
        "peak_count": counts[peak_year][0],
        "peak_year": peak_year,
        "latest_count": counts[latest_year][0],
        "latest_year": latest_year,
        "latest_report_month": "" if pd.isna(latest["report_month"]) else month(str(latest["report_month"])),
        "latest_below_peak_pct": round(100 * (counts[peak_year][0] - counts[latest_year][0]) / counts[peak_year][0], 1),
        "n_milestones": len(t.milestones),
        "n_phases": len(t.phases),
        "coverage_sentence": coverage_sentence(not t.all_milestones.empty, not t.phases.empty),
    }
    at_events = [(ev, counts.get(int(ev.year))) for ev in events.itertuples()]
    counted = [(ev, c) for ev, c in at_events if c]
    facts["n_events_shown"] = len(at_events)
    facts["n_events_without_count"] = len(at_events) - len(counted)
    if len(counted) >= 2:
        (first, c1), (last, c2) = counted[0], counted[-1]
        change = round(100 * (c2[0] - c1[0]) / c1[0], 1)
        facts.update(
            first_event=first.clause, first_event_year=int(first.year), first_event_count=c1[0],
            last_event=last.clause, last_event_year=int(last.year), last_event_count=c2[0], event_change_pct=change,
        )
        if change < 0:
            # TRANSLATORS: {first_event} and {last_event} are the first clauses of events' descriptions, as
            # published (English); {change} is a percentage.
            sentence = _("Between the first and the last of these events ({first_event}, {first_year}; {last_event}, "
                         "{last_year}) the count fell from {first_count} to {last_count}, by {change}%.")
        elif change > 0:
            sentence = _("Between the first and the last of these events ({first_event}, {first_year}; {last_event}, "
                         "{last_year}) the count rose from {first_count} to {last_count}, by {change}%.")
        else:
            sentence = _("Between the first and the last of these events ({first_event}, {first_year}; {last_event}, "
                         "{last_year}) the count was the same at both: {first_count} and {last_count}.")
        facts["event_sentence"] = sentence.format(
            first_event=first.clause, first_year=i18n.year(first.year), last_event=last.clause,
            last_year=i18n.year(last.year), first_count=i18n.number(c1[0]), last_count=i18n.number(c2[0]),
            change=percent(abs(change)))
    else:
        facts["event_sentence"] = _(
            "Fewer than two of the key events in the years shown have a count, so no change between them is given."
        )
    return facts


def coverage_sentence(has_milestones: bool, has_phases: bool) -> str:
    """What the chapter says when the data hold no milestones or no phases for the host country."""
    if has_milestones and has_phases:
        return ""
    if not has_milestones and not has_phases:
        return _("The data hold no milestones or phases for this host country; the chapter shows what they do hold.")
    if not has_milestones:
        return _("The data hold no milestones for this host country; the chapter shows what they do hold.")
    return _("The data hold no phases for this host country; the chapter shows what they do hold.")


def month(name: str) -> str:
    """A month named in English in the data (a report month) in the reader's language."""
    from babel.dates import get_month_names

    number = {v: k for k, v in get_month_names("wide", locale="en").items()}[name]
    return i18n.month_name(number)


SERIES_NAMES = {"dmdc_report": "DMDC report", "kane_2006": "Kane (2006)"}


def series_name(series: str) -> str:
    """A series of troop counts by its short name, in the reader's language."""
    shown = i18n.category("series", series)
    return shown if shown != series else SERIES_NAMES.get(series, series)


def event_table(events: pd.DataFrame, troops: pd.DataFrame) -> pd.DataFrame:
    """The key events with the count reported for their year (blank where there is none)."""
    counts = counts_by_year(troops)
    count = _("Active-duty count that year")
    table = pd.DataFrame({
        _("Date"): [readable_date(d, p) for d, p in zip(events["date"], events["date_precision"], strict=True)],
        _("Event"): events["event"],
        count: [counts.get(int(y), (pd.NA,))[0] for y in events["year"]],
        _("Count from"): [series_name(counts[int(y)][1]) if int(y) in counts else _("no count") for y in events["year"]],
        _("Event source"): events["source"],
    })
    table[count] = table[count].astype("Int64")
    return table


def phase_table(phases: pd.DataFrame, troops: pd.DataFrame, end_year: int) -> pd.DataFrame:
    """One row per phase: years, defining events, summary, and the counts at its first and last counted year."""
    counts = counts_by_year(troops)

    def bound(first: int, last: int, pick: int) -> str:
        inside = [y for y in counts if first <= y <= last]
        if not inside:
            return _("no count")
        y = min(inside) if pick == 0 else max(inside)
        # TRANSLATORS: a count of personnel and the year it was made, e.g. "326,863 (1953)".
        return _("{count} ({year})").format(count=i18n.number(counts[y][0]), year=i18n.year(y))

    rows = []
    for p in phases.itertuples():
        last = end_year if pd.isna(p.end_year) else int(p.end_year)
        rows.append({
            _("Phase"): p.phase,
            _("Years"): phase_years(p.start_year, p.end_year),
            _("Defining events"): p.defining_events,
            _("In brief"): p.description,
            _("Count, first year"): bound(int(p.start_year), last, 0),
            _("Count, last year"): bound(int(p.start_year), last, 1),
        })
    return pd.DataFrame(rows)


def phase_list(phases: pd.DataFrame) -> Any:
    """The phases as a numbered Markdown list (name, years, summary), for ``{glue:md}``."""
    from IPython.display import Markdown

    lines = []
    # Numbered as the figures number the shaded phases (by first year).
    for number, p in enumerate(phases.sort_values("start_year").itertuples(), start=1):
        lines.append(f"{number}. **{p.phase}** ({phase_years(p.start_year, p.end_year)}): {p.description}")
    return Markdown("\n".join(lines) if lines else _("The data hold no phases for this host country."))


def timeline_source(milestones: pd.DataFrame) -> str:
    """The milestones figure's source line: the dataset, with each event's source on the data-sources page."""
    # TRANSLATORS: {title} is the dataset's title and {file} its file, e.g. "data/alliance_milestones.csv".
    return _("{title} ({file}); each event's source is listed on the data-sources page").format(
        title=milestones.attrs["title"], file=milestones.attrs["file"])


def readable_date(date: str, precision: str) -> str:
    """``1978-11-07`` as "7 November 1978", ``2004-09`` as "September 2004", a year as itself."""
    if precision == "day":
        stamp = pd.Timestamp(date)
        # TRANSLATORS: a date; {month} is the month's name, {year} the year as written in the language.
        return _("{day} {month} {year}").format(day=stamp.day, month=i18n.month_name(stamp.month),
                                                year=i18n.year(stamp.year))
    if precision == "month":
        stamp = pd.Timestamp(f"{date}-01")
        # TRANSLATORS: a month of a year, e.g. "September 2004".
        return _("{month} {year}").format(month=i18n.month_name(stamp.month), year=i18n.year(stamp.year))
    return i18n.year(int(date))


def milestone_list(milestones: pd.DataFrame, category: str) -> Any:
    """The milestones of one category as a dated Markdown list, for ``{glue:md}``."""
    from IPython.display import Markdown

    rows = milestones[milestones["category"] == category].sort_values("date")
    if rows.empty:
        return Markdown(_("The data hold no milestone of this kind for the host country in the years shown."))
    return Markdown("\n".join(f"- **{readable_date(r.date, r.date_precision)}.** {r.event}." .replace("..", ".")
                              for r in rows.itertuples()))


def for_host(df: pd.DataFrame, host_country: str) -> pd.DataFrame:
    """The rows of one host country, keeping the table's description."""
    out = df[df["host_country"] == host_country].copy()
    out.attrs.update(df.attrs)
    return out


def meaning_note(host_country: str, written_for: str = "South Korea") -> str:
    """A caveat when the chapter's closing reading was written for another host country than the one shown."""
    if host_country == written_for:
        return ""
    return _("The reading that follows was written for {written_for}, the book's default host country; for "
             "{host_country} the counts, acts and milestones above stand on their own.").format(
        written_for=host_name(written_for), host_country=host_name(host_country))


def compare_hosts(troops: pd.DataFrame, hosts: list[str]) -> pd.DataFrame:
    """One count a year per host country (the preferred series), for drawing the hosts side by side."""
    rows = []
    for host in hosts:
        mine = troops[troops["host_country"] == host]
        for year, (count, _series) in counts_by_year(mine).items():
            rows.append({"host_country": host, "year": year, "count": count})
    return pd.DataFrame(rows, columns=["host_country", "year", "count"])


def compare_sentence(counts: pd.DataFrame, hosts: list[str]) -> str:
    """Each host's latest count, in one sentence."""
    parts = []
    for host in hosts:
        mine = counts[counts["host_country"] == host]
        if not mine.empty:
            last = mine.loc[mine["year"].idxmax()]
            # TRANSLATORS: a host country's latest count and its year, e.g. "Japan 53,246 (2024)".
            parts.append(_("{host_country} {count} ({year})").format(
                host_country=host_name(host), count=i18n.number(int(last["count"])), year=i18n.year(int(last["year"]))))
    if not parts:
        return _("The data hold no counts for these host countries.")
    # TRANSLATORS: {counts} lists each host country's latest count, separated by semicolons.
    return _("Latest counts: {counts}.").format(counts="; ".join(parts))
