"""The numbers of the chapter on NATO and its Indo-Pacific partners, from validated tables.

Partners come from the register (``nato_partners.csv``), never from code: a partner added to the
register and the timeline appears in every figure and table.

Reader-facing text is written in the current language (``i18n``): call these functions under
``i18n.language`` (``report.glue_all`` and ``report.glue_figure`` do) to have it in each language.
Label dictionaries passed in (``step_labels``, ``type_labels``, ``level_labels``, ``names``) are English;
a value's translation (``i18n.category`` / ``i18n.name``, its field as context) replaces its label.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from alliance_book import i18n, plotting
from alliance_book.i18n import N_, _
from alliance_book.plotting import WIDE, Layout
from alliance_book.errors import BookError

NOT_RECORDED = N_("not recorded")


def _shown(translated: str, value: Any, english: str) -> str:
    """A category's name for readers: its translation (``i18n.category``), else its English label."""
    return english if translated == str(value) else translated


def _partner(names: dict[str, str], partner: str) -> str:
    """A partner's short name in the current language."""
    return i18n.name("short_name", names.get(partner, partner))


def _step(step: str, label: str) -> str:
    return _shown(i18n.category("step", step), step, label)


def _decade_text(decade: int) -> str:
    # TRANSLATORS: a decade, e.g. "1990s" in a table cell.
    return _("{decade}s").format(decade=int(decade))


def summit_name(city: Any, year: int) -> str:
    """A summit by its city and year ("Madrid 2022"), or its year alone when the city is not known."""
    if pd.isna(city) or not str(city):
        return i18n.year(year)
    # TRANSLATORS: a NATO summit by its host city and year, e.g. "Madrid 2022".
    return _("{summit} {year}").format(summit=i18n.name("summit", str(city)), year=i18n.year(year))


def select(
    timeline: pd.DataFrame, register: pd.DataFrame, partners: list[str], event_types: list[str], known_types: list[str]
) -> pd.DataFrame:
    """Events of the chosen partners (and of the groups they belong to), of the chosen types."""
    countries = register[register["kind"] == "country"]
    unknown = [p for p in partners if p not in set(countries["partner"])]
    if unknown:
        raise BookError(f"parameter partners: {', '.join(unknown)} not in {register.attrs.get('file')}; "
                        f"partners there: {', '.join(countries['partner'])}")
    bad_types = [t for t in event_types if t not in known_types]
    if bad_types:
        raise BookError(f"parameter event_types: {', '.join(bad_types)} unknown; types: {', '.join(known_types)}")
    groups = register[register["kind"] == "group"]
    wanted_groups = [g.partner for g in groups.itertuples()
                     if set(str(g.members).split("; ")) & set(partners)]
    rows = timeline[timeline["partner"].isin(partners + wanted_groups)]
    if event_types:
        rows = rows[rows["event_type"].isin(event_types)]
    out = rows.copy()
    out.attrs.update(timeline.attrs)
    return out.sort_values(["date", "partner"]).reset_index(drop=True)


def row_order(register: pd.DataFrame, partners: list[str], events: pd.DataFrame) -> list[str]:
    """Figure rows: the partners in the order asked for, then any group with events shown."""
    groups = [g for g in register[register["kind"] == "group"]["partner"] if g in set(events["partner"])]
    return partners + groups


def short_names(register: pd.DataFrame) -> dict[str, str]:
    """Partner -> its short name, for figures and tables."""
    return dict(zip(register["partner"], register["short_name"], strict=True))


def ladder(events: pd.DataFrame, partners: list[str], step_labels: dict[str, str]) -> pd.DataFrame:
    """Per partner, the first year of each rung of the partnership ladder (NA where not reached or not found)."""
    steps = list(step_labels)
    table = pd.DataFrame(index=partners, columns=steps, dtype="Int64")
    for partner in partners:
        mine = events[(events["partner"] == partner) & events["step"].notna()]
        for step in steps:
            years = mine[mine["step"] == step]["year"]
            table.loc[partner, step] = int(years.min()) if not years.empty else pd.NA
    return table


def _decade(events: pd.DataFrame | None, partner: str, step: str) -> bool:
    """Whether a partner's first date for a rung is known only to the decade."""
    if events is None or "date_precision" not in events:
        return False
    rows = events[(events["partner"] == partner) & (events["step"] == step)].sort_values("year")
    return not rows.empty and rows.iloc[0]["date_precision"] == "decade"


def _sources(events: pd.DataFrame | None, partner: str, mask: Any = None) -> str:
    """The distinct sources of a partner's rows (those under ``mask``), for a table's source column."""
    if events is None:
        return ""
    rows = events[events["partner"] == partner]
    rows = rows if mask is None else rows[mask(rows)]
    return "; ".join(dict.fromkeys(rows["source"].dropna().astype(str)))


def ladder_table(years: pd.DataFrame, step_labels: dict[str, str], names: dict[str, str],
                 events: pd.DataFrame | None = None) -> pd.DataFrame:
    """The ladder as readers see it: each rung's year with the years since the previous rung reached."""
    rows = []
    for partner, row in years.iterrows():
        cells = {}
        reached = {step: int(row[step]) for step in step_labels if pd.notna(row[step])}
        for step, english in step_labels.items():
            label = _step(step, english)
            if step not in reached:
                cells[label] = "\u2014"
                continue
            year = reached[step]
            # Years since the last rung reached before this one, in time (not in the table's order).
            earlier = {s: y for s, y in reached.items() if y < year}
            shown = _decade_text(year) if _decade(events, partner, step) else i18n.year(year)
            last = max(earlier, key=earlier.get) if earlier else None
            # No interval from a rung known only to the decade: it would claim a precision the data lack.
            if last is not None and not _decade(events, partner, last):
                shown += f" (+{year - earlier[last]})"
            cells[label] = shown
        first_rows = (lambda r, p=partner: r["year"] == r.groupby("step")["year"].transform("min")) if events is not None else None
        sources = {_("Sources"): _sources(events[events["step"].notna()] if events is not None else None, partner, first_rows)}
        rows.append({_("Partner"): _partner(names, partner)} | cells | (sources if events is not None else {}))
    return pd.DataFrame(rows)


def years_between(years: pd.DataFrame, first: str, last: str) -> pd.Series:
    """Years from one rung to another, per partner that reached both."""
    both = years[[first, last]].dropna()
    return (both[last] - both[first]).astype(int)


def summit_matrix(events: pd.DataFrame, partners: list[str], summit_years: list[int], names: dict[str, str],
                  level_labels: dict[str, str]) -> pd.DataFrame:
    """Partner x summit: who attended and at what level; 'not recorded' where the data hold nothing."""
    summits = events[(events["event_type"] == "summit_attendance") & events["year"].isin(summit_years)]
    columns = {}
    for year in summit_years:
        held = summits[summits["year"] == year]
        city = held["summit"].dropna().iloc[0] if not held["summit"].dropna().empty else ""
        columns[year] = summit_name(city, year)
    rows = []
    for partner in partners:
        cells = {_("Partner"): _partner(names, partner)}
        for year, column in columns.items():
            row = summits[(summits["partner"] == partner) & (summits["year"] == year)]
            if row.empty:
                cells[column] = _(NOT_RECORDED)
            else:
                r = row.iloc[0]
                level = _shown(i18n.category("attendance_level", r["attendance_level"]), r["attendance_level"],
                               level_labels.get(r["attendance_level"], r["attendance_level"]))
                # The representative's role is the data's own text (with its notes), shown as published.
                if pd.isna(r["representative"]):
                    cells[column] = level + (f" ({r['representative_role']})" if pd.notna(r["representative_role"]) else "")
                else:
                    cells[column] = f"{level}: {i18n.name('representative', r['representative'])}"
                    if r["attendance_level"] != "head_of_government":
                        cells[column] += f" ({r['representative_role']})"
        cells[_("Sources")] = _sources(summits, partner)
        rows.append(cells)
    return pd.DataFrame(rows)


def heads_by_summit(events: pd.DataFrame, partners: list[str], summit_years: list[int]) -> dict[int, int]:
    """How many of the chosen partners sent their head of government to each summit year."""
    summits = events[(events["event_type"] == "summit_attendance") & events["partner"].isin(partners)]
    return {y: int(((summits["year"] == y) & (summits["attendance_level"] == "head_of_government")).sum())
            for y in summit_years}


def facts(events: pd.DataFrame, partners: list[str], years: pd.DataFrame, heads: dict[int, int],
          names: dict[str, str], events_by_summit: pd.DataFrame) -> dict[str, Any]:
    """Headline numbers for the prose."""
    out: dict[str, Any] = {"n_partners": len(partners), "n_events": int(events["partner"].isin(partners).sum())}
    starts = years["dialogue_start"].dropna()
    if not starts.empty:
        first = starts.astype(int).idxmin()
        out |= {"first_dialogue_partner": _partner(names, first), "first_dialogue_year": i18n.era_year(int(starts[first]))}
        row = events[(events["partner"] == first) & (events["step"] == "dialogue_start")].sort_values("year").iloc[0]
        # A date known only to the decade reads "in the 1990s", not "in 1990".
        # TRANSLATORS: a decade in a sentence ("Dialogue began with Japan in the 1990s").
        out["first_dialogue_when"] = (_("the {decade}s").format(decade=int(row["year"])) if row["date_precision"] == "decade"
                                      else i18n.year(int(row["year"])))
    to_itpp = years_between(years, "dialogue_start", "itpp")
    out["n_with_itpp"] = len(to_itpp)
    if not to_itpp.empty:
        out |= {
            "itpp_fastest_partner": _partner(names, to_itpp.idxmin()), "itpp_fastest_years": int(to_itpp.min()),
            "itpp_slowest_partner": _partner(names, to_itpp.idxmax()), "itpp_slowest_years": int(to_itpp.max()),
        }
        # A start known only to the decade gives a span known only roughly.
        for which, partner in (("fastest", to_itpp.idxmin()), ("slowest", to_itpp.idxmax())):
            span = int(to_itpp[partner])
            if _decade(events, partner, "dialogue_start"):
                rounded = int(round(span, -1))
                out[f"itpp_{which}_text"] = i18n.ngettext("about {n} year", "about {n} years", rounded).format(n=rounded)
            else:
                out[f"itpp_{which}_text"] = i18n.ngettext("{n} year", "{n} years", span).format(n=span)
    out["n_without_itpp"] = len(partners) - len(to_itpp)
    out["without_itpp"] = (", ".join(_partner(names, p) for p in partners if p not in to_itpp.index)
                           or i18n.pgettext("no partner", "none"))
    if heads:
        first_year, last_year = min(heads), max(heads)
        out |= {"first_summit_year": i18n.era_year(first_year), "first_summit_heads": heads[first_year],
                "last_summit_year": i18n.era_year(last_year), "last_summit_heads": heads[last_year]}
        parts = []
        for year, n in heads.items():
            city = events_by_summit[events_by_summit["year"] == year]["summit"].dropna()
            summit = summit_name(city.iloc[0] if not city.empty else "", year)
            # TRANSLATORS: heads of government at a summit: "Madrid 2022: 4 of 4" (partners).
            parts.append(_("{summit}: {heads} of {partners}").format(summit=summit, heads=n, partners=len(partners)))
        out["summit_sentence"] = "; ".join(parts)
    return out


def areas_table(areas: pd.DataFrame) -> pd.DataFrame:
    """The 2022 areas of cooperation with the seed's Thai fragment and the source's English words."""
    return pd.DataFrame({
        _("Area"): areas["area"].map(lambda a: i18n.name("area", a)),
        _("Agreed to"): areas["strand"].map(lambda s: i18n.category("strand", s)),
        _("Seed article (Thai)"): areas["fragment_th"],
        # TRANSLATORS: the source's own English words, quoted; "{text}" is left in English.
        _("Source (English)"): areas["fragment_en"].map(lambda s: _("\u201c{text}\u201d").format(text=s)),
    })


def event_rows_figure(events: pd.DataFrame, rows: list[str], row_labels: dict[str, str],
                      type_labels: dict[str, str], title: str, source: str, layout: Layout = WIDE) -> Figure:
    """Events on a time axis, one row per partner; colour and shape by event type, fill by date precision.

    Filled: exact day; half-filled: month; hollow: year; a bar across ten years: decade.
    ``title`` is English (marked ``N_``), written in the current language.
    """
    types = [t for t in type_labels if t in set(events["event_type"])]
    colours = plotting.colours(types, list(type_labels))
    shapes = {t: plotting.MARKERS[list(type_labels).index(t) % len(plotting.MARKERS)] for t in types}
    fig, ax = plt.subplots(figsize=layout.size(1.0 + 0.45 * len(rows), 1.2 + 0.5 * len(rows)), layout="constrained")
    for y, partner in enumerate(rows):
        for ev in events[events["partner"] == partner].itertuples():
            c = colours[ev.event_type]
            x = plotting.year_position(str(ev.date)) if ev.date_precision != "decade" else int(ev.date) + 5
            if ev.date_precision == "decade":
                ax.plot([int(ev.date), int(ev.date) + 10], [y, y], color=c, lw=5, alpha=0.35, solid_capstyle="butt", zorder=2)
            fill = {"day": "full", "month": "bottom"}.get(ev.date_precision, "none")
            ax.plot([x], [y], marker=shapes[ev.event_type], ms=7, color=c, fillstyle=fill, markerfacecoloralt="white",
                    mec=c, mew=1.4, ls="none", zorder=3)
    ax.set_yticks(range(len(rows)), [plotting.wrap(_partner(row_labels, r), layout, 9, 0.3) for r in rows])
    ax.set_ylim(len(rows) - 0.5, -0.5)
    plotting.year_axis(ax, layout)
    ax.grid(axis="x", color="#d9d9d9", lw=0.6)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(_("Year"))
    plotting.heading(fig, _(title), layout)
    handles = [plt.Line2D([], [], marker=shapes[t], color=colours[t], ls="none", ms=7) for t in types]
    plotting.legend_below(fig, handles, [_shown(i18n.category("event_type", t), t, type_labels[t]) for t in types], layout,
                          columns=2 if layout.narrow else 3, title=_("Colour and shape: kind of event"))
    plotting.note_below(fig, _("Filled: dated to the day; half-filled: to the month; hollow: to the year; "
                               "a bar: to the decade."), layout)
    plotting.add_source(fig, source, layout)
    return fig


def labels(field: str) -> dict[str, str]:
    """Reader-facing names of a timeline field's values (event types, ladder steps, attendance levels)."""
    from alliance_book.datapackage import labels as schema_labels

    return schema_labels("nato_ip4_timeline", field)


def summit_firsts(events: pd.DataFrame, partners: list[str], names: dict[str, str]) -> dict[str, Any]:
    """What each partner's first summit was, at any level and with its head of government, and the first
    summit all the partners' leaders attended together, with sentences for the prose."""
    summits = events[(events["event_type"] == "summit_attendance") & events["partner"].isin(partners)]
    out: dict[str, Any] = {}
    if summits.empty:
        return out | {"firsts_sentence": _("The data hold no summit attended by these partners.")}
    first_any = summits.groupby("partner")["year"].min()
    heads = summits[summits["attendance_level"] == "head_of_government"]
    first_head = heads.groupby("partner")["year"].min()
    together = heads.groupby("year")["partner"].nunique()
    all_years = together[together == len(partners)].index
    out["earliest_summit_year"] = i18n.era_year(int(first_any.min()))
    parts = []
    for p in partners:
        name = _partner(names, p)
        if p not in first_any.index:
            parts.append(_("{partner}: none in the data").format(partner=name))
            continue
        year = i18n.year(int(first_any[p]))
        if p in first_head.index and int(first_head[p]) != int(first_any[p]):
            parts.append(_("{partner}: first at a summit in {year}, its head of government first in {head_year}")
                         .format(partner=name, year=year, head_year=i18n.year(int(first_head[p]))))
        elif p in first_head.index:
            parts.append(_("{partner}: first at a summit in {year}, with its head of government")
                         .format(partner=name, year=year))
        else:
            parts.append(_("{partner}: first at a summit in {year}").format(partner=name, year=year))
    # TRANSLATORS: the partners' firsts, each "{partner}: ...", joined by "; ": one sentence ending the paragraph.
    out["firsts_sentence"] = _("{firsts}.").format(firsts="; ".join(parts))
    if len(all_years):
        year = int(all_years.min())
        out["first_all_heads_year"] = i18n.era_year(year)
        city = summits[summits["year"] == year]["summit"].dropna()
        out["first_all_heads_summit"] = i18n.name("summit", str(city.iloc[0])) if not city.empty else i18n.year(year)
    return out


def default_summits(events: pd.DataFrame, partners: list[str]) -> list[int]:
    """Summit years for the attendance matrix: every summit from the first that all the partners' leaders
    attended (all summits in the data if there was none), so a new summit appears with no change."""
    summits = events[(events["event_type"] == "summit_attendance") & events["partner"].isin(partners)]
    heads = summits[summits["attendance_level"] == "head_of_government"].groupby("year")["partner"].nunique()
    together = heads[heads == len(partners)].index
    first = int(together.min()) if len(together) else int(summits["year"].min()) if not summits.empty else 0
    return sorted(int(y) for y in summits["year"].unique() if y >= first)
