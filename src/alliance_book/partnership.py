"""The numbers of the chapter "From regional ally to global partner", from validated tables."""

from __future__ import annotations

from typing import Any

import pandas as pd

from alliance_book.errors import BookError

SHARES = {"unc_ground_troops_share_rok": "South Korea", "unc_ground_troops_share_us": "United States",
          "unc_ground_troops_share_other_members": "Other UN members"}


def fact(unc: pd.DataFrame, measure: str) -> float:
    """One value of the UN Command table, by measure; a missing measure is an error naming the file."""
    rows = unc[unc["measure"] == measure]
    if rows.empty:
        raise BookError(f"{unc.attrs.get('file', 'unc facts')}: no row with measure {measure!r}")
    return float(rows.iloc[0]["value"])


def unc_facts(unc: pd.DataFrame) -> dict[str, Any]:
    """Sending states and 1952 ground-troop shares, with the US share of the non-Korean contingents derived."""
    shares = {label: fact(unc, m) for m, label in SHARES.items()}
    foreign = shares["United States"] + shares["Other UN members"]
    return {
        "n_combat_states": int(fact(unc, "un_member_states_sending_combat_troops")),
        "n_medical_states": int(fact(unc, "un_member_states_sending_medical_units")),
        "n_sending_states": int(fact(unc, "un_member_states_participating_total")),
        "n_supply_states": int(fact(unc, "states_providing_material_supplies")),
        "share_rok": shares["South Korea"],
        "share_us": shares["United States"],
        "share_other": shares["Other UN members"],
        # Derived, not published: what the US share becomes if South Korean troops are left out.
        "share_us_of_foreign": round(100 * shares["United States"] / foreign, 1),
        "us_served": int(fact(unc, "us_military_personnel_served_in_korean_theater")),
        "us_killed": int(fact(unc, "us_killed_in_action")),
        "unc_at_armistice": int(fact(unc, "unc_personnel_at_armistice")),
    }


def shares_table(unc: pd.DataFrame) -> pd.DataFrame:
    """The 1952 shares of UNC ground troops, one row per contributor."""
    return pd.DataFrame({"Contributor": list(SHARES.values()), "Share (%)": [fact(unc, m) for m in SHARES]})


def _fractional(date: str) -> float:
    parts = [int(x) for x in date.split("-")]
    if len(parts) == 1:
        return float(parts[0])
    if len(parts) == 2:
        return parts[0] + (parts[1] - 1) / 12
    return parts[0] + (pd.Timestamp(date).dayofyear - 1) / 365.25


def deployment_spans(deployments: pd.DataFrame) -> pd.DataFrame:
    """Start and end as fractional years; an ongoing deployment ends at the date of its source."""
    out = deployments.copy()
    out["x0"] = out["start"].map(_fractional)
    # A year-precision end covers that whole year.
    out["x1"] = [
        _fractional(status) if pd.isna(end) else _fractional(end) + (1.0 if prec == "year" else 1 / 12 if prec == "month" else 0)
        for end, prec, status in zip(out["end"], out["end_precision"], out["status_as_of"], strict=True)
    ]
    out["ongoing"] = out["end"].isna()
    return out.sort_values("x0").reset_index(drop=True)


def deployment_facts(deployments: pd.DataFrame) -> dict[str, Any]:
    """Counts of deployments by framework, the first and the largest with a personnel figure."""
    sized = deployments.dropna(subset=["personnel"])
    largest = sized.loc[sized["personnel"].idxmax()] if not sized.empty else None
    first = deployments.sort_values("start").iloc[0]
    out = {
        "n_deployments": len(deployments),
        "n_un_pko": int((deployments["framework"] == "un_peacekeeping").sum()),
        "n_multinational": int((deployments["framework"] == "multinational").sum()),
        "n_ongoing": int(deployments["end"].isna().sum()),
        "first_deployment_year": int(first["start"][:4]),
        "first_deployment_place": str(first["location"]),
    }
    if largest is not None:
        out |= {"largest_unit": str(largest["unit"]), "largest_personnel": int(largest["personnel"]),
                "largest_place": str(largest["location"]), "largest_start": int(largest["start"][:4])}
    return out


def deployments_table(deployments: pd.DataFrame, framework_labels: dict[str, str]) -> pd.DataFrame:
    """The deployments as readers see them."""
    def period(row: pd.Series) -> str:
        end = row["end"] if pd.notna(row["end"]) else f"ongoing (as of {row['status_as_of']})"
        return f"{row['start']} to {end}"

    def people(row: pd.Series) -> str:
        if pd.isna(row["personnel"]):
            return "not given"
        basis = "at first deployment" if row["personnel_basis"] == "initial_deployment" else f"as of {row['status_as_of']}"
        return f"{int(row['personnel']):,} ({basis})"

    return pd.DataFrame({
        "Unit": deployments["unit"],
        "Where": deployments["location"],
        "Framework": deployments["framework"].map(lambda f: framework_labels.get(f, f)),
        "Role": deployments["role"],
        "Period": deployments.apply(period, axis=1),
        "Personnel": deployments.apply(people, axis=1),
        "Source": deployments["source"],
    })


def oda_facts(oda: pd.DataFrame) -> dict[str, Any]:
    """The earliest and latest ODA figures held, and the latest share of GNI."""
    usd = oda.dropna(subset=["oda_usd_billion"]).sort_values(["year", "status"])
    if usd.empty:
        raise BookError(f"{oda.attrs.get('file', 'oda')}: no ODA amounts to show")
    latest, first = usd.iloc[-1], usd.iloc[0]
    out = {
        "oda_first_year": int(first["year"]), "oda_first": float(first["oda_usd_billion"]),
        "oda_latest_year": int(latest["year"]), "oda_latest": float(latest["oda_usd_billion"]),
        "oda_latest_status": str(latest["status"]),
        "oda_multiple": round(float(latest["oda_usd_billion"]) / float(first["oda_usd_billion"]), 1),
        "oda_n_values": len(usd),
        "oda_years": ", ".join(str(y) for y in sorted(usd["year"].unique())),
    }
    gni = oda.dropna(subset=["oda_gni_percent"]).sort_values("year")
    if not gni.empty:
        out |= {"oda_gni_latest": float(gni.iloc[-1]["oda_gni_percent"]), "oda_gni_latest_year": int(gni.iloc[-1]["year"])}
    return out


def measurement_break(oda: pd.DataFrame) -> tuple[int, str] | None:
    """The first year measured as grant equivalents when earlier years are cash flows, with a label."""
    grant = oda[oda["basis"] == "grant_equivalent"]["year"]
    cash = oda[oda["basis"] == "cash_flow"]["year"]
    if grant.empty or cash.empty:
        return None
    return int(grant.min()), "grant equivalents from here"


def recommendations_markdown(hadr: pd.DataFrame) -> Any:
    """The HADR steps as a numbered Markdown list, each with where it stands in the article."""
    from IPython.display import Markdown

    lines = [f"{int(r.step)}. **{r.recommendation}.** {r.purpose}. *({r.source}, {r.article_section}.)*"
             for r in hadr.sort_values("step").itertuples()]
    return Markdown("\n".join(lines))
