"""The chapter "Phases of the alliance": what US law says about the force's size, and who pays for it."""

from __future__ import annotations

from typing import Any

import pandas as pd

from alliance_book.chapters.phases.core import Tables, counts_by_year, year_ranges


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


def kind_labels() -> dict[str, str]:
    """Reader-facing names of the kinds of provision in the troop-floors data."""
    from alliance_book.datapackage import labels

    return labels("troop_floors", "kind")


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
