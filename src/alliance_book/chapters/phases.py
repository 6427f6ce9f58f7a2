"""The numbers of the chapter "Phases of the alliance", computed from validated tables.

Nothing here knows which country it describes: every function takes the host country and
the years from the notebook's parameters.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from typing import Any

import pandas as pd
import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from alliance_book import plotting
from alliance_book.errors import BookError


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
    """Years as compact ranges: [1951, 1952, 1960] -> '1951–1952, 1960'."""
    runs: list[list[int]] = []
    for y in sorted(years):
        if runs and y == runs[-1][1] + 1:
            runs[-1][1] = y
        else:
            runs.append([y, y])
    return ", ".join(str(a) if a == b else f"{a}\u2013{b}" for a, b in runs)


def first_clause(event: str) -> str:
    """The first clause of an event's description: what a sentence names it by."""
    return re.split(r"[:;(]", event)[0].strip()


def short_label(event: str, width: int = 60) -> str:
    """The first clause of an event's description, cut to ``width`` for an annotation on a figure."""
    return plotting.short(first_clause(event), width)


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
        "gap_years": year_ranges(gaps) if gaps else "none",
        "peak_count": counts[peak_year][0],
        "peak_year": peak_year,
        "latest_count": counts[latest_year][0],
        "latest_year": latest_year,
        "latest_report_month": "" if pd.isna(latest["report_month"]) else str(latest["report_month"]),
        "latest_below_peak_pct": round(100 * (counts[peak_year][0] - counts[latest_year][0]) / counts[peak_year][0], 1),
        "n_milestones": len(t.milestones),
        "n_phases": len(t.phases),
        "coverage_sentence": "" if not t.all_milestones.empty and not t.phases.empty else
        (f"The data hold no {'milestones or phases' if t.all_milestones.empty and t.phases.empty else 'milestones' if t.all_milestones.empty else 'phases'} "
         f"for this host country; the chapter shows what they do hold."),
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
        moved = "fell" if change < 0 else "rose" if change > 0 else "stayed"
        facts["event_sentence"] = (
            f"Between the first and the last of these events ({first.clause}, {int(first.year)}; {last.clause}, "
            f"{int(last.year)}) the count {moved} from {c1[0]:,} to {c2[0]:,}"
            + (f", by {abs(change):.1f}%." if change else " at the same level."))
    else:
        facts["event_sentence"] = (
            "Fewer than two of the key events in the years shown have a count, so no change between them is given."
        )
    return facts


SERIES_NAMES = {"dmdc_report": "DMDC report", "kane_2006": "Kane (2006)"}


def event_table(events: pd.DataFrame, troops: pd.DataFrame) -> pd.DataFrame:
    """The key events with the count reported for their year (blank where there is none)."""
    counts = counts_by_year(troops)
    series = SERIES_NAMES
    table = pd.DataFrame({
        "Date": [readable_date(d, p) for d, p in zip(events["date"], events["date_precision"], strict=True)],
        "Event": events["event"],
        "Active-duty count that year": [counts.get(int(y), (pd.NA,))[0] for y in events["year"]],
        "Count from": [series.get(counts.get(int(y), (None, ""))[1], "no count") for y in events["year"]],
        "Event source": events["source"],
    })
    table["Active-duty count that year"] = table["Active-duty count that year"].astype("Int64")
    return table


def phase_table(phases: pd.DataFrame, troops: pd.DataFrame, end_year: int) -> pd.DataFrame:
    """One row per phase: years, defining events, summary, and the counts at its first and last counted year."""
    counts = counts_by_year(troops)

    def bound(first: int, last: int, pick: int) -> str:
        inside = [y for y in counts if first <= y <= last]
        if not inside:
            return "no count"
        y = min(inside) if pick == 0 else max(inside)
        return f"{counts[y][0]:,} ({y})"

    rows = []
    for p in phases.itertuples():
        last = end_year if pd.isna(p.end_year) else int(p.end_year)
        years = f"{int(p.start_year)}\u2013" + ("" if pd.isna(p.end_year) else str(int(p.end_year)))
        rows.append({
            "Phase": p.phase,
            "Years": years,
            "Defining events": p.defining_events,
            "In brief": p.description,
            "Count, first year": bound(int(p.start_year), last, 0),
            "Count, last year": bound(int(p.start_year), last, 1),
        })
    return pd.DataFrame(rows)


BINDING, SENSE = "statutory_funding_floor", "sense_of_congress"


def floor_facts(t: Tables, latest_count: int, latest_year: int, host_country: str) -> dict[str, Any]:
    """What the defence acts said of the force's size, the act in force when the seed article appeared,
    and how the latest binding level compares with the latest count."""
    acts = t.floors[t.floors["kind"].isin([BINDING, SENSE])].sort_values("year")
    binding = acts[acts["kind"] == BINDING]
    seed = t.floors[t.floors["kind"] == "stated_in_seed"]
    facts: dict[str, Any] = {"has_floor": not binding.empty, "n_acts": len(acts), "n_binding_acts": len(binding),
                             "n_sense_acts": int((acts["kind"] == SENSE).sum())}
    if binding.empty:
        facts["floor_sentence"] = (f"The data hold no act of Congress limiting the size of the force in {host_country}.")
    else:
        law = binding.iloc[-1]
        level, gap = int(law["level"]), int(law["level"]) - latest_count
        facts.update(floor_level=level, floor_law=str(law["law"]), floor_year=int(law["year"]), floor_gap=abs(gap),
                     floor_gap_pct=round(100 * abs(gap) / level, 1))
        facts["floor_sentence"] = (f"The latest binding limit is in the act for fiscal year {facts['floor_year']}, "
                                   f"at {level:,}.")
    if not acts.empty:
        # Each year's count against the level named in that fiscal year's act (binding or not).
        counts = counts_by_year(t.troops)
        level = {int(a.year): int(a.level) for a in acts.itertuples()}
        years = [y for y in sorted(counts) if y in level]
        below = [y for y in years if counts[y][0] < level[y]]
        above = [y for y in years if counts[y][0] >= level[y]]
        if years:
            text = (f"In {len(below)} of the {len(years)} years from {years[0]} to {years[-1]}, the count stayed below "
                    "the level named in that year's act")
            if above:
                text += ("; it was above it in " + ", ".join(f"{y} ({counts[y][0]:,} against {level[y]:,})" for y in above))
            facts["count_vs_acts_sentence"] = text + "."
    facts.setdefault("count_vs_acts_sentence", "")
    if seed.empty:
        facts["seed_sentence"] = ""
        facts["law_intro"] = f"The data hold no statement of the seed article on the size of the force in {host_country}."
        return facts
    stated, year = int(seed.iloc[-1]["level"]), int(seed.iloc[-1]["year"])
    facts["law_intro"] = f"The seed article says US law commits the United States to keep {stated:,} troops in {host_country}."
    facts.update(seed_level=stated, seed_year=year)
    in_force = acts[acts["year"] == year]
    before, after = binding[binding["year"] < year], binding[binding["year"] > year]
    if in_force.empty:
        facts["seed_sentence"] = f"The data hold no act for fiscal year {year}, when the seed article appeared."
    elif in_force.iloc[0]["kind"] == BINDING:
        facts["seed_sentence"] = (f"When the seed article appeared, the act for fiscal year {year} did limit the use of "
                                  f"its funds to reduce the force below {int(in_force.iloc[0]['level']):,}.")
    else:
        facts["seed_sentence"] = (
            f"When the seed article appeared in {year}, the act in force, for fiscal year {year}, said only that a force "
            f"of about {int(in_force.iloc[0]['level']):,} should be kept, a statement of Congress that binds no one"
            + (f"; the last binding limit had been in the act for fiscal year {int(before['year'].max())}" if not before.empty else "")
            + (f", and the next came with the act for fiscal year {int(after['year'].min())}." if not after.empty else "."))
    return facts


def acts_table(floors: pd.DataFrame, kind_labels: dict[str, str]) -> pd.DataFrame:
    """Each act's provision on the size of the force, as readers see it, with its source."""
    acts = floors[floors["kind"].isin([BINDING, SENSE])].sort_values("year")
    return pd.DataFrame({
        "Fiscal year": acts["year"].astype(int).astype(str),
        "Act": acts["law"],
        "What it says": acts["kind"].map(lambda k: kind_labels.get(k, k)),
        "Level named": acts["level"].astype("Int64"),
        "Source": acts["source"],
    })


def phase_list(phases: pd.DataFrame) -> Any:
    """The phases as a Markdown list (name, years, summary), for ``{glue:md}``."""
    from IPython.display import Markdown

    lines = []
    for p in phases.itertuples():
        years = f"{int(p.start_year)}\u2013" + ("" if pd.isna(p.end_year) else str(int(p.end_year)))
        lines.append(f"- **{p.phase}** ({years}): {p.description}")
    return Markdown("\n".join(lines) if lines else "The data hold no phases for this host country.")


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


def timeline_source(milestones: pd.DataFrame) -> str:
    """The milestones figure's source line: the dataset, with each event's source on the data-sources page."""
    return f"{milestones.attrs['title']} ({milestones.attrs['file']}); each event's source is listed on the data-sources page"


def kind_labels() -> dict[str, str]:
    """Reader-facing names of the kinds of provision in the troop-floors data."""
    from alliance_book.datapackage import labels

    return labels("troop_floors", "kind")


def readable_date(date: str, precision: str) -> str:
    """``1978-11-07`` as "7 November 1978", ``2004-09`` as "September 2004", a year as itself."""
    if precision == "day":
        stamp = pd.Timestamp(date)
        return f"{stamp.day} {stamp.month_name()} {stamp.year}"
    if precision == "month":
        return pd.Timestamp(f"{date}-01").strftime("%B %Y")
    return str(date)


def milestone_list(milestones: pd.DataFrame, category: str) -> Any:
    """The milestones of one category as a dated Markdown list, for ``{glue:md}``."""
    from IPython.display import Markdown

    rows = milestones[milestones["category"] == category].sort_values("date")
    if rows.empty:
        return Markdown("The data hold no milestone of this kind for the host country in the years shown.")
    return Markdown("\n".join(f"- **{readable_date(r.date, r.date_precision)}.** {r.event}." .replace("..", ".")
                              for r in rows.itertuples()))


def cost_facts(sma: pd.DataFrame, host_country: str) -> dict[str, Any]:
    """The host country's cost-sharing: a paragraph with the first and latest amounts in each currency, and the gaps."""
    if sma.empty:
        return {"cost_sentence": f"The data hold no agreed contribution of {host_country} to the cost of US forces."}
    won = sma.dropna(subset=["amount_krw_billion"]).sort_values("year")
    usd = sma.dropna(subset=["amount_usd_million"]).sort_values("year")
    first_year, last_year = int(sma["year"].min()), int(sma["year"].max())
    gaps = [y for y in range(first_year, last_year + 1) if y not in set(sma["year"].astype(int))]
    out: dict[str, Any] = {"sma_first_year": first_year, "sma_last_year": last_year,
                           "sma_gap_years": year_ranges(gaps) or "none"}
    parts = [f"Since {first_year} {host_country} has paid part of the cost of the US forces on its soil under "
             "agreements renewed every few years."]
    if not usd.empty:
        out |= {"sma_usd_first": float(usd.iloc[0]["amount_usd_million"]), "sma_usd_first_year": int(usd.iloc[0]["year"]),
                "sma_usd_last_year": int(usd.iloc[-1]["year"])}
        parts.append(f"The agreements stated the total in US dollars from {out['sma_usd_first_year']} to "
                     f"{out['sma_usd_last_year']}, starting at {out['sma_usd_first']:,g} million")
    if not won.empty:
        first, last = won.iloc[0], won.iloc[-1]
        out |= {"sma_krw_first": float(first["amount_krw_billion"]), "sma_krw_first_year": int(first["year"]),
                "sma_krw_last": float(last["amount_krw_billion"]), "sma_krw_last_year": int(last["year"]),
                "sma_krw_growth_pct": round(100 * (float(last["amount_krw_billion"]) / float(first["amount_krw_billion"]) - 1), 1),
                "sma_last_agreement": str(last["agreement"])}
        parts.append(("and" if not usd.empty else "The agreements stated the total") +
                     f" in won from {out['sma_krw_first_year']}, reaching {out['sma_krw_last']:,g} billion won in "
                     f"{out['sma_krw_last_year']} under the {out['sma_last_agreement']}, "
                     f"{out['sma_krw_growth_pct']:.1f}% more than in {out['sma_krw_first_year']}")
    text = parts[0] + " " + (", ".join(parts[1:]) + "; the currencies are never joined here." if len(parts) > 1 else "")
    out["cost_sentence"] = text.strip() + (f" Years the sources do not state: {out['sma_gap_years']}." if gaps else "")
    return out


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


def for_host(df: pd.DataFrame, host_country: str) -> pd.DataFrame:
    """The rows of one host country, keeping the table's description."""
    out = df[df["host_country"] == host_country].copy()
    out.attrs.update(df.attrs)
    return out


def meaning_note(host_country: str, written_for: str = "South Korea") -> str:
    """A caveat when the chapter's closing reading was written for another host country than the one shown."""
    return "" if host_country == written_for else (
        f"The reading that follows was written for {written_for}, the book's default host country; for "
        f"{host_country} the counts, acts and milestones above stand on their own.")


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
            parts.append(f"{host} {int(last['count']):,} ({int(last['year'])})")
    return ("Latest counts: " + "; ".join(parts) + ".") if parts else "The data hold no counts for these host countries."


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
