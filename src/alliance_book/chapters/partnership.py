"""The numbers of the chapter "From regional ally to global partner", from validated tables.

Reader-facing text is written in the current language (``i18n``): call these functions under
``i18n.language`` (``report.glue_all`` and ``report.glue_figure`` do) to have it in each language.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

import pandas as pd
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from alliance_book import datapackage, i18n, plotting
from alliance_book.i18n import N_, _
from alliance_book.plotting import WIDE, Layout
from alliance_book.errors import BookError

SHARES = {"unc_ground_troops_share_rok": N_("South Korea"), "unc_ground_troops_share_us": N_("United States"),
          "unc_ground_troops_share_other_members": N_("Other UN members")}
# The notebook's default unit of the ODA amounts (parameter currency_label), translated where it is shown.
CURRENCY_LABEL = N_("US$ billion, current prices")


def _shown(translated: str, value: Any, english: str) -> str:
    """A category's name for readers: its translation (``i18n.category``), else its English label."""
    return english if translated == str(value) else translated


def when(value: Any, precision: str | None = None) -> str:
    """A date of the data (``1993``, ``2004-09``, ``2013-03-31``) as written in the current language;
    in English as the data write it."""
    if i18n.current() == i18n.SOURCE:
        return str(value)
    parts = [int(x) for x in str(value).split("-")]
    precision = precision or {1: "year", 2: "month"}.get(len(parts), "day")
    return i18n.date(_dt.date(parts[0], *(parts[1:3] + [1, 1])[:2]), precision)


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
        # Derived: Americans who served in the theatre against the other nations' servicemen who fought (approximate).
        "share_us_of_served": round(100 * fact(unc, "us_military_personnel_served_in_korean_theater")
                                    / (fact(unc, "us_military_personnel_served_in_korean_theater")
                                       + fact(unc, "foreign_servicemen_fought_excluding_us_and_rok")), 1),
        "us_served": int(fact(unc, "us_military_personnel_served_in_korean_theater")),
        "us_killed": int(fact(unc, "us_killed_in_action")),
        "foreign_fought": int(fact(unc, "foreign_servicemen_fought_excluding_us_and_rok")),
        "unc_at_armistice": int(fact(unc, "unc_personnel_at_armistice")),
    }


def shares_table(unc: pd.DataFrame) -> pd.DataFrame:
    """The 1952 shares of UNC ground troops, one row per contributor."""
    return pd.DataFrame({"Contributor": list(SHARES.values()), "Share (%)": [fact(unc, m) for m in SHARES]})


def deployment_spans(deployments: pd.DataFrame) -> pd.DataFrame:
    """Start and end as fractional years; an ongoing deployment ends at the date of its source."""
    out = deployments.copy()
    out["x0"] = out["start"].map(lambda d: plotting.year_position(d, at="start"))
    # A year-precision end covers that whole year.
    out["x1"] = [
        plotting.year_position(status, at="start") if pd.isna(end) else plotting.year_position(end, at="start") + (1.0 if prec == "year" else 1 / 12 if prec == "month" else 0)
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
        "first_deployment_year": i18n.era_year(int(first["start"][:4])),
        "first_deployment_place": i18n.name("location", str(first["location"])),
    }
    if largest is not None:
        out |= {"largest_unit": i18n.name("unit", str(largest["unit"])), "largest_personnel": int(largest["personnel"]),
                "largest_place": i18n.name("location", str(largest["location"])),
                "largest_start": i18n.era_year(int(largest["start"][:4]))}
    return out


def deployments_table(deployments: pd.DataFrame, framework_labels: dict[str, str]) -> pd.DataFrame:
    """The deployments as readers see them."""
    def period(row: pd.Series) -> str:
        start = when(row["start"], row.get("start_precision"))
        if pd.notna(row["end"]):
            return _("{start} to {end}").format(start=start, end=when(row["end"], row.get("end_precision")))
        # TRANSLATORS: a deployment still under way when its source ({date}) was published.
        return _("{start} to ongoing (as of {date})").format(start=start, date=when(row["status_as_of"]))

    def people(row: pd.Series) -> str:
        if pd.isna(row["personnel"]):
            return i18n.pgettext("personnel", "not given")
        count = f"{int(row['personnel']):,}"
        if row["personnel_basis"] == "initial_deployment":
            return _("{count} (at first deployment)").format(count=count)
        return _("{count} (as of {date})").format(count=count, date=when(row["status_as_of"]))

    def framework(f: str) -> str:
        return _shown(i18n.category("framework", f), f, framework_labels.get(f, f))

    return pd.DataFrame({
        i18n.pgettext("military unit", "Unit"): deployments["unit"].map(lambda u: i18n.name("unit", u)),
        _("Where"): deployments["location"].map(lambda p: i18n.name("location", p)),
        _("Framework"): deployments["framework"].map(framework),
        _("Role"): deployments["role"],
        _("Period"): deployments.apply(period, axis=1),
        _("Personnel"): deployments.apply(people, axis=1),
        _("Source"): deployments["source"],
    })


BASIS_WORDS = {"grant_equivalent": N_("grant equivalents"), "cash_flow": N_("net flows (cash basis)")}


def oda_facts(oda: pd.DataFrame) -> dict[str, Any]:
    """The earliest and latest ODA figures held, and the latest share of GNI."""
    usd = oda.dropna(subset=["oda_usd_billion"]).sort_values(["year", "status"])
    if usd.empty:
        raise BookError(f"{oda.attrs.get('file', 'oda')}: no ODA amounts to show")
    latest, first = usd.iloc[-1], usd.iloc[0]
    out = {
        "oda_first_year": i18n.era_year(int(first["year"])), "oda_first": float(first["oda_usd_billion"]),
        "oda_latest_year": i18n.era_year(int(latest["year"])), "oda_latest": float(latest["oda_usd_billion"]),
        "oda_latest_status": i18n.category("status", str(latest["status"])),
        "oda_n_values": len(usd),
        "oda_years": ", ".join(i18n.year(y) for y in sorted(usd["year"].unique())),
    }
    # Growth is compared only within one way of measuring: grant equivalents and cash flows are not comparable.
    same = usd[usd["basis"] == latest["basis"]]
    base = same.iloc[0]
    if int(base["year"]) < int(latest["year"]):
        out |= {"oda_base_year": i18n.era_year(int(base["year"])), "oda_base": float(base["oda_usd_billion"]),
                "oda_growth_pct": round(100 * (float(latest["oda_usd_billion"]) / float(base["oda_usd_billion"]) - 1), 1),
                "oda_basis": _(BASIS_WORDS.get(str(latest["basis"]), str(latest["basis"])))}
    gni = oda.dropna(subset=["oda_gni_percent"]).sort_values("year")
    if not gni.empty:
        out |= {"oda_gni_latest": float(gni.iloc[-1]["oda_gni_percent"]),
                "oda_gni_latest_year": i18n.era_year(int(gni.iloc[-1]["year"]))}
    return out


def measurement_break(oda: pd.DataFrame) -> tuple[int, str] | None:
    """The first year measured as grant equivalents when earlier years are cash flows, with a label
    (English, translated where the figure draws it)."""
    grant = oda[oda["basis"] == "grant_equivalent"]["year"]
    cash = oda[oda["basis"] == "cash_flow"]["year"]
    if grant.empty or cash.empty:
        return None
    return int(grant.min()), N_("grant equivalents from here")


def recommendations_markdown(hadr: pd.DataFrame) -> Any:
    """The HADR steps as a numbered Markdown list, each with where it stands in the article."""
    from IPython.display import Markdown

    lines = [f"{int(r.step)}. **{r.recommendation}.** {r.purpose}. *({r.source}, {r.article_section}.)*"
             for r in hadr.sort_values("step").itertuples()]
    return Markdown("\n".join(lines))


def shares_figure(shares: pd.DataFrame, claimed: float | None, claim_label: str, title: str, source: str,
                  layout: Layout = WIDE) -> Figure:
    """Shares of a whole as horizontal bars, with a claimed figure drawn as a line for comparison.

    The labels, ``claim_label`` and ``title`` are English (marked ``N_``), written in the current language.
    """
    labels = shares.iloc[:, 0].astype(str).tolist()
    values = shares.iloc[:, 1].astype(float).tolist()
    fig, ax = plt.subplots(figsize=layout.size(1.6 + 0.4 * len(shares), 1.8 + 0.5 * len(shares)), layout="constrained")
    colours = plotting.colours(labels)
    # Colours follow the English labels, so a contributor has the same colour in every language.
    bars = ax.barh([plotting.wrap(_(label), layout, 9, 0.3) for label in labels], values,
                   color=[colours[label] for label in labels], zorder=3)
    ax.bar_label(bars, labels=[f"{v:g}%" for v in values], padding=3, fontsize=9)
    if claimed is not None:
        ax.axvline(claimed, color="#222222", ls="--", lw=1.4, zorder=4)
        ax.annotate(plotting.wrap(f"{_(claim_label)}: {claimed:g}%", layout, 8.5, 0.45), xy=(claimed, 1.0),
                    xycoords=("data", "axes fraction"), xytext=(-4, 4), textcoords="offset points", ha="right",
                    va="bottom", fontsize=8.5)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel(_("Share of UN Command ground troops (%)"))
    ax.grid(axis="x", color="#d9d9d9", lw=0.6)
    ax.grid(axis="y", visible=False)
    plotting.heading(fig, _(title), layout)
    plotting.add_source(fig, source, layout)
    return fig


def spans_figure(spans: pd.DataFrame, colour_by: str, labels: dict[str, str], title: str, source: str,
                 layout: Layout = WIDE) -> Figure:
    """One horizontal bar per row from ``x0`` to ``x1``, named at the left; an arrow marks a span still open.

    ``labels`` name the values of ``colour_by`` in English; a translation of a value (its field as
    context, ``i18n.category``) replaces its label. ``title`` is English, written in the current language.
    """
    keys = list(dict.fromkeys(spans[colour_by]))
    colours = plotting.colours(keys, list(labels))
    fig, ax = plt.subplots(figsize=layout.size(1.2 + 0.36 * len(spans), 1.4 + 0.5 * len(spans)), layout="constrained")
    names = []
    for i, row in enumerate(spans.itertuples()):
        colour = colours[getattr(row, colour_by)]
        ax.barh(i, row.x1 - row.x0, left=row.x0, color=colour, height=0.55, zorder=3)
        if row.ongoing:
            ax.annotate("", xy=(row.x1 + 1.2, i), xytext=(row.x1, i), arrowprops=dict(arrowstyle="->", color=colour, lw=1.5))
        names.append(i18n.name("unit", row.unit) + (f" ({int(row.personnel):,})" if pd.notna(row.personnel) else ""))
    ax.set_yticks(range(len(spans)), [plotting.wrap(n, layout, 8.5, 0.34) for n in names], fontsize=8.5)
    ax.tick_params(axis="y", length=0)
    ax.set_ylim(len(spans) - 0.4, -0.6)
    ax.set_xlim(float(spans["x0"].min()) - 1, float(spans["x1"].max()) + 2)
    plotting.year_axis(ax, layout)
    ax.grid(axis="x", color="#d9d9d9", lw=0.6)
    ax.grid(axis="y", visible=False)
    ax.spines["left"].set_visible(False)
    ax.set_xlabel(_("Year"))
    plotting.heading(fig, _(title), layout)
    handles = [plt.Rectangle((0, 0), 1, 1, color=colours[k]) for k in keys]
    plotting.legend_below(fig, handles, [_shown(i18n.category(colour_by, k), k, labels.get(k, k)) for k in keys], layout,
                          columns=min(len(keys), 2))
    plotting.note_below(fig, _("An arrow: still deployed when the source was published. A number: the personnel "
                               "the source gives."), layout)
    plotting.add_source(fig, source, layout)
    return fig


def points_by_status_figure(
    df: pd.DataFrame, value: str, ylabel: str, title: str, source: str,
    claim: tuple[int, float, str] | None = None, break_year: tuple[int, str] | None = None, unit: str | None = None,
    layout: Layout = WIDE,
) -> Figure:
    """Values as points by year, one colour and shape per status; never joined by lines.

    ``ylabel``, ``title`` and the labels of ``claim`` and ``break_year`` are English (marked ``N_``),
    written in the current language; ``unit`` (translated too) fills ``{unit}`` in ``ylabel``.
    """
    ylabel = _(ylabel).format(unit=_(unit)) if unit is not None else _(ylabel)
    fig, ax = plt.subplots(figsize=layout.size(3.6, 3.6), layout="constrained")
    shown = df.dropna(subset=[value])
    statuses = sorted(shown["status"].unique())
    colours = plotting.colours(statuses, datapackage.enum("rok_oda", "status"))
    shapes = {"preliminary": "o", "final": "D", "revised": "s"}
    for status in statuses:
        g = shown[shown["status"] == status]
        ax.scatter(g["year"], g[value], s=45, color=colours[status], marker=shapes.get(status, "^"), zorder=3,
                   label=_shown(i18n.category("status", status), status, status.replace("_", " ").capitalize()))
        for row in g.itertuples():
            # Preliminary figures are labelled on the right, others on the left, so a year's two figures stay apart.
            right = status == "preliminary"
            ax.annotate(f"{getattr(row, value):g}", (row.year, getattr(row, value)), xytext=(6 if right else -6, -3),
                        textcoords="offset points", fontsize=8, ha="left" if right else "right")
    if claim is not None:
        year, claimed, label = claim
        ax.scatter([year], [claimed], marker="x", s=60, color="#000000", zorder=4, label=_(label))
        ax.annotate(f"{claimed:g}", (year, claimed), xytext=(6, 0), textcoords="offset points", fontsize=8,
                    va="center")
    if break_year is not None:
        ax.axvline(break_year[0] - 0.5, color="#555555", ls=":", lw=1)
        ax.annotate(plotting.wrap(_(break_year[1]), layout, 8, 0.45), xy=(break_year[0] - 0.4, 0.02),
                    xycoords=("data", "axes fraction"), fontsize=8, color="#333333")
    years = shown["year"].astype(int)
    ax.set_xlim(years.min() - 1.5, max(years.max(), claim[0] if claim else 0) + 1.5)
    ax.set_ylim(0, max(shown[value].max(), claim[1] if claim else 0) * 1.2)
    plotting.year_axis(ax, layout)
    ax.set_xlabel(_("Year"))
    ax.set_ylabel(plotting.wrap(ylabel, layout, 9.5, 0.5 if layout.narrow else 0.8))
    plotting.heading(fig, _(title), layout)
    handles, texts = ax.get_legend_handles_labels()
    plotting.legend_below(fig, handles, texts, layout)
    plotting.add_source(fig, source, layout)
    return fig


def framework_labels() -> dict[str, str]:
    """How each deployment framework is named for readers (from the dataset's schema)."""
    return datapackage.labels("rok_deployments", "framework")


def us_share_definitions(unc: pd.DataFrame, claimed: float | None, tolerance: float) -> pd.DataFrame:
    """The US share of the UN Command's forces under each definition, with the verdict on the claimed share."""
    from alliance_book import claims

    facts = unc_facts(unc)

    def verdict(value: float | None) -> str:
        if claimed is None or value is None:
            return _(claims.LABELS[claims.UNCHECKABLE])
        return _(claims.LABELS[claims.CONSISTENT if abs(value - claimed) <= tolerance else claims.DIFFERS])

    rows = [
        (_("Of all UN Command ground troops at the 1952 peak, South Korean troops included"), facts["share_us"],
         _("The UN Command's published share"), verdict(facts["share_us"])),
        (_("Of the ground troops sent from outside Korea, 1952 peak"), facts["share_us_of_foreign"],
         _("Our calculation from the UN Command's shares, US / (US + other members); the shares are rounded to ten "
           "points, too coarse to test the claim"), _(claims.LABELS[claims.UNCHECKABLE])),
        (_("Of everyone sent from abroad over the whole war: Americans who served in the theatre against the other "
           "nations' servicemen who fought"), facts["share_us_of_served"],
         _("Our calculation from the UN Command's count of Americans who served and the US Defense Department's "
           "approximate count of the other nations' servicemen"), verdict(facts["share_us_of_served"])),
    ]
    return pd.DataFrame({
        _("Definition"): [r[0] for r in rows],
        _("US share (%)"): [f"{r[1]:g}" for r in rows],
        _("Where the share comes from"): [r[2] for r in rows],
        _("Verdict on the article's figure"): [r[3] for r in rows],
    })


def verdict_badges() -> dict[str, str]:
    """The verdicts' badges (``claims.BADGES``) for cells written in the current language."""
    from alliance_book import claims

    return {_(text): css for text, css in claims.BADGES.items()}


def dac(oda: pd.DataFrame) -> pd.DataFrame:
    """The aid given as the DAC measures it (not budgets), keeping the table's description."""
    out = oda[oda["basis"] != "budget"].copy()
    out.attrs.update(oda.attrs)
    return out
