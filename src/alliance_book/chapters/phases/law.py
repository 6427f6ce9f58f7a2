"""The chapter "Phases of the alliance": what US law says about the force's size, and who pays for it."""

from __future__ import annotations

from typing import Any

import pandas as pd

from alliance_book import i18n
from alliance_book.chapters.phases.core import Tables, counts_by_year, host_name, no_years, percent, year_ranges
from alliance_book.i18n import _


BINDING, SENSE = "statutory_funding_floor", "sense_of_congress"


def floor_facts(t: Tables, latest_count: int, latest_year: int, host_country: str) -> dict[str, Any]:
    """What the defence acts said of the force's size, the act in force when the seed article appeared,
    and how the latest binding level compares with the latest count."""
    acts = t.floors[t.floors["kind"].isin([BINDING, SENSE])].sort_values("year")
    binding = acts[acts["kind"] == BINDING]
    seed = t.floors[t.floors["kind"] == "stated_in_seed"]
    facts: dict[str, Any] = {"has_floor": not binding.empty, "n_acts": len(acts), "n_binding_acts": len(binding),
                             "n_sense_acts": int((acts["kind"] == SENSE).sum())}
    host = host_name(host_country)
    if binding.empty:
        facts["floor_sentence"] = _("The data hold no act of Congress limiting the size of the force in {host_country}.").format(
            host_country=host)
    else:
        law = binding.iloc[-1]
        level, gap = int(law["level"]), int(law["level"]) - latest_count
        facts.update(floor_level=level, floor_law=str(law["law"]), floor_year=int(law["year"]), floor_gap=abs(gap),
                     floor_gap_pct=round(100 * abs(gap) / level, 1))
        # TRANSLATORS: {fiscal_year} is a US fiscal year as a plain number (2026), naming the act; {level} a number of troops.
        facts["floor_sentence"] = _("The latest binding limit is in the act for fiscal year {fiscal_year}, at {level}.").format(
            fiscal_year=facts["floor_year"], level=i18n.number(level))
    if not acts.empty:
        # Each year's count against the level named in that fiscal year's act (binding or not).
        counts = counts_by_year(t.troops)
        level = {int(a.year): int(a.level) for a in acts.itertuples()}
        years = [y for y in sorted(counts) if y in level]
        below = [y for y in years if counts[y][0] < level[y]]
        above = [y for y in years if counts[y][0] >= level[y]]
        if years:
            fields = dict(below=len(below), total=len(years), first=i18n.year(years[0]), last=i18n.year(years[-1]))
            if above:
                # TRANSLATORS: {above} lists years with the count and the act's level, e.g. "2019 (28,500 against 28,500)".
                text = _("In {below} of the {total} years from {first} to {last}, the count stayed below the level "
                         "named in that year's act; it was at or above it in {above}.")
                # TRANSLATORS: a year, that year's count of troops and the level the act of that fiscal year named.
                fields["above"] = ", ".join(_("{year} ({count} against {level})").format(
                    year=i18n.year(y), count=i18n.number(counts[y][0]), level=i18n.number(level[y])) for y in above)
            else:
                text = _("In {below} of the {total} years from {first} to {last}, the count stayed below the level "
                         "named in that year's act.")
            facts["count_vs_acts_sentence"] = text.format(**fields)
    facts.setdefault("count_vs_acts_sentence", "")
    if seed.empty:
        facts["seed_sentence"] = ""
        facts["law_intro"] = _("The data hold no statement of the seed article on the size of the force in "
                               "{host_country}.").format(host_country=host)
        return facts
    stated, year = int(seed.iloc[-1]["level"]), int(seed.iloc[-1]["year"])
    facts["law_intro"] = _("The seed article says US law commits the United States to keep {level} troops in "
                           "{host_country}.").format(level=i18n.number(stated), host_country=host)
    facts.update(seed_level=stated, seed_year=year)
    in_force = acts[acts["year"] == year]
    before, after = binding[binding["year"] < year], binding[binding["year"] > year]
    if in_force.empty:
        # TRANSLATORS: {fiscal_year} is a US fiscal year as a plain number (2024), naming the act.
        facts["seed_sentence"] = _("The data hold no act for fiscal year {fiscal_year}, when the seed article "
                                   "appeared.").format(fiscal_year=year)
    elif in_force.iloc[0]["kind"] == BINDING:
        facts["seed_sentence"] = _("When the seed article appeared, the act for fiscal year {fiscal_year} did limit the "
                                   "use of its funds to reduce the force below {level}.").format(
            fiscal_year=year, level=i18n.number(int(in_force.iloc[0]["level"])))
    else:
        fields = dict(year=i18n.year(year), fiscal_year=year, level=i18n.number(int(in_force.iloc[0]["level"])),
                      last_binding=int(before["year"].max()) if not before.empty else None,
                      next_binding=int(after["year"].min()) if not after.empty else None)
        if not before.empty and not after.empty:
            # TRANSLATORS: {year} is the calendar year the article appeared; {fiscal_year}, {last_binding} and
            # {next_binding} are US fiscal years as plain numbers, naming acts.
            text = _("When the seed article appeared in {year}, the act in force, for fiscal year {fiscal_year}, said "
                     "only that a force of about {level} should be kept, a statement of Congress that binds no one; "
                     "the last binding limit had been in the act for fiscal year {last_binding}, and the next came "
                     "with the act for fiscal year {next_binding}.")
        elif not before.empty:
            text = _("When the seed article appeared in {year}, the act in force, for fiscal year {fiscal_year}, said "
                     "only that a force of about {level} should be kept, a statement of Congress that binds no one; "
                     "the last binding limit had been in the act for fiscal year {last_binding}.")
        elif not after.empty:
            text = _("When the seed article appeared in {year}, the act in force, for fiscal year {fiscal_year}, said "
                     "only that a force of about {level} should be kept, a statement of Congress that binds no one, "
                     "and the next came with the act for fiscal year {next_binding}.")
        else:
            text = _("When the seed article appeared in {year}, the act in force, for fiscal year {fiscal_year}, said "
                     "only that a force of about {level} should be kept, a statement of Congress that binds no one.")
        facts["seed_sentence"] = text.format(**fields)
    return facts


def acts_table(floors: pd.DataFrame, kind_labels: dict[str, str]) -> pd.DataFrame:
    """Each act's provision on the size of the force, as readers see it, with its source."""
    acts = floors[floors["kind"].isin([BINDING, SENSE])].sort_values("year")
    return pd.DataFrame({
        _("Fiscal year"): acts["year"].astype(int).astype(str),
        _("Act"): acts["law"],
        _("What it says"): acts["kind"].map(lambda k: kind_labels.get(k, k)),
        _("Level named"): acts["level"].astype("Int64"),
        _("Source"): acts["source"],
    })


def kind_labels() -> dict[str, str]:
    """Reader-facing names of the kinds of provision in the troop-floors data, in the reader's language
    (the schema's labels in English)."""
    from alliance_book.datapackage import labels

    english = labels("troop_floors", "kind")
    shown = {k: i18n.category("kind", k) for k in english}
    return {k: shown[k] if shown[k] != k else label for k, label in english.items()}


def cost_facts(sma: pd.DataFrame, host_country: str) -> dict[str, Any]:
    """The host country's cost-sharing: a paragraph with the first and latest amounts in each currency, and the gaps."""
    host = host_name(host_country)
    if sma.empty:
        return {"cost_sentence": _("The data hold no agreed contribution of {host_country} to the cost of US "
                                   "forces.").format(host_country=host)}
    won = sma.dropna(subset=["amount_krw_billion"]).sort_values("year")
    usd = sma.dropna(subset=["amount_usd_million"]).sort_values("year")
    first_year, last_year = int(sma["year"].min()), int(sma["year"].max())
    gaps = [y for y in range(first_year, last_year + 1) if y not in set(sma["year"].astype(int))]
    out: dict[str, Any] = {"sma_first_year": first_year, "sma_last_year": last_year,
                           "sma_gap_years": year_ranges(gaps) or no_years()}
    sentences = [_("Since {year} {host_country} has paid part of the cost of the US forces on its soil under "
                   "agreements renewed every few years.").format(year=i18n.year(first_year), host_country=host)]
    fields: dict[str, Any] = {}
    if not usd.empty:
        out |= {"sma_usd_first": float(usd.iloc[0]["amount_usd_million"]), "sma_usd_first_year": int(usd.iloc[0]["year"]),
                "sma_usd_last_year": int(usd.iloc[-1]["year"])}
        fields |= dict(usd_first_year=i18n.year(out["sma_usd_first_year"]), usd_last_year=i18n.year(out["sma_usd_last_year"]),
                       usd_first=i18n.number(out["sma_usd_first"]))
    if not won.empty:
        first, last = won.iloc[0], won.iloc[-1]
        out |= {"sma_krw_first": float(first["amount_krw_billion"]), "sma_krw_first_year": int(first["year"]),
                "sma_krw_last": float(last["amount_krw_billion"]), "sma_krw_last_year": int(last["year"]),
                "sma_krw_growth_pct": round(100 * (float(last["amount_krw_billion"]) / float(first["amount_krw_billion"]) - 1), 1),
                "sma_last_agreement": i18n.name("agreement", str(last["agreement"]))}
        fields |= dict(krw_first_year=i18n.year(out["sma_krw_first_year"]), krw_last=i18n.number(out["sma_krw_last"]),
                       krw_last_year=i18n.year(out["sma_krw_last_year"]), agreement=out["sma_last_agreement"],
                       growth=percent(out["sma_krw_growth_pct"]))
    if not usd.empty and not won.empty:
        # TRANSLATORS: {usd_first} is in millions of US dollars, {krw_last} in billions of won; {agreement} names
        # a Special Measures Agreement ("12th SMA"); {growth} is a percentage.
        sentences.append(_("The agreements stated the total in US dollars from {usd_first_year} to {usd_last_year}, "
                           "starting at {usd_first} million, and in won from {krw_first_year}, reaching {krw_last} "
                           "billion won in {krw_last_year} under the {agreement}, {growth}% more than in "
                           "{krw_first_year}; the currencies are never joined here.").format(**fields))
    elif not usd.empty:
        sentences.append(_("The agreements stated the total in US dollars from {usd_first_year} to {usd_last_year}, "
                           "starting at {usd_first} million; the currencies are never joined here.").format(**fields))
    elif not won.empty:
        sentences.append(_("The agreements stated the total in won from {krw_first_year}, reaching {krw_last} "
                           "billion won in {krw_last_year} under the {agreement}, {growth}% more than in "
                           "{krw_first_year}; the currencies are never joined here.").format(**fields))
    if gaps:
        sentences.append(_("Years the sources do not state: {years}.").format(years=out["sma_gap_years"]))
    out["cost_sentence"] = " ".join(sentences)
    return out
