"""Chapter modules on small fixture tables, without a kernel: what each chapter computes and draws.

The expectations are worked out by hand from the fixtures, so these tests do not depend on the
shipped data: a new year or survey wave in data/ cannot break them.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
from matplotlib.figure import Figure

from alliance_book import claims, plotting
from alliance_book.chapters import nato, opinion, partnership, phases, sources
from alliance_book.errors import BookError


def table(rows: list[dict], file: str = "fixture.csv", title: str = "Fixture") -> pd.DataFrame:
    df = pd.DataFrame(rows)
    df.attrs.update(file=file, title=title, resource="fixture")
    return df


def texts(fig: Figure) -> str:
    """All text drawn on a figure (titles, labels, legends, annotations, source line)."""
    return " ".join(t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text")))


# -- shared primitives -------------------------------------------------------------------------

@pytest.mark.parametrize(("date", "at", "expected"), [
    ("2000", "start", 2000.0), ("2000", "middle", 2000.5),
    ("2000-07", "start", 2000 + 6 / 12), ("2000-07", "middle", 2000 + 6.5 / 12),
    ("2001-01-01", "start", 2001.0), ("2001-01-01", "middle", 2001 + 0.5 / 365.25),
])
def test_year_position_puts_a_date_at_the_start_or_middle_of_its_span(date, at, expected):
    assert plotting.year_position(date, at=at) == pytest.approx(expected)


def test_wrap_breaks_lines_to_the_figure_width_and_never_cuts_a_word():
    text = "Korean Armistice Agreement signed at Panmunjom by the commanders of both sides"
    wrapped = plotting.wrap(text, plotting.NARROW, 8, share=0.3)
    assert wrapped.replace("\n", " ") == text
    assert max(len(line) for line in wrapped.split("\n")) <= plotting.NARROW.chars(8, 0.3)


def test_a_category_keeps_its_colour_whatever_else_the_figure_shows():
    order = ["war", "treaty", "command"]
    alone, together = plotting.colours(["command"], order), plotting.colours(["treaty", "command", "war"], order)
    assert alone["command"] == together["command"] == plotting.PALETTE[order.index("command")]
    names = ["Org %d" % i for i in range(len(plotting.PALETTE))]
    everyone = plotting.colours(names)
    assert len(set(everyone.values())) == len(names)  # never one colour for two categories of one figure
    # Given every value of the column, a category's colour does not depend on which others are drawn.
    for i, name in enumerate(names):
        assert plotting.colours(names[i:] + names[:i], universe=names) == everyone
        assert plotting.colours([name], universe=names)[name] == everyone[name]


def readable(fig: Figure) -> None:
    """No text smaller than the house minimum, none cut with an ellipsis, no two legend entries alike."""
    from matplotlib.colors import to_hex
    from matplotlib.legend import Legend

    fig.draw_without_rendering()
    for t in fig.findobj(lambda a: hasattr(a, "get_text") and hasattr(a, "get_fontsize")):
        if t.get_text().strip() and t.get_visible():
            assert t.get_fontsize() >= plotting.SMALLEST, t.get_text()
            assert "\u2026" not in t.get_text(), t.get_text()
    for legend in fig.findobj(Legend):
        looks = []
        for handle in legend.legend_handles:
            if hasattr(handle, "get_marker"):  # a line or marker: its colour, shape and fill
                looks.append((to_hex(handle.get_color()), handle.get_marker(), to_hex(handle.get_markerfacecolor()),
                              handle.get_fillstyle(), handle.get_linestyle()))
            else:  # a patch: its fill
                looks.append((to_hex(handle.get_facecolor()),))
        assert len(looks) == len(set(looks)), looks


def test_figure_text_is_never_cut_and_the_narrow_drawing_fits_a_phone():
    import matplotlib.pyplot as plt

    from alliance_book import report

    t = phases.select(phase_tables(), "Here", 2000, 2003, ["dmdc_report", "kane_2006"])
    events = phases.key_events(t, ["2000-03-01"])
    figure = report.render("fig", phases.troops_figure, t.troops, t.phases, events, "Here", 2000, 2003,
                           "a source line long enough to need several lines on a phone " * 3, alt="Counts")
    width_px = float(re.search(r'width="([\d.]+)pt"', figure.narrow_svg).group(1)) * 4 / 3
    assert width_px <= 360  # a 390 px phone's column, at its natural size
    assert 'alt="Counts"' in figure._repr_html_() and "<source media=" in figure._repr_html_()
    for layout in (plotting.WIDE, plotting.NARROW):
        fig = phases.troops_figure(t.troops, t.phases, events, "Here", 2000, 2003, "the fixture", layout=layout)
        readable(fig)
        plt.close(fig)


def test_a_character_no_figure_font_has_is_an_error_not_an_empty_box():
    import matplotlib.pyplot as plt

    from alliance_book import report

    plotting.setup()

    def draw(text: str, layout: plotting.Layout) -> Figure:
        fig, ax = plt.subplots(figsize=layout.size(2))
        ax.set_title(text)
        return fig

    if not plotting.missing_fonts():  # Korean and Thai are drawn with real glyphs
        report.render("fig_scripts", draw, "\ud55c\ubbf8\ub3d9\ub9f9 \u0e1e\u0e31\u0e19\u0e18\u0e21\u0e34\u0e15\u0e23")
    with pytest.raises(BookError, match="fig_tibetan"):
        report.render("fig_tibetan", draw, "\u0f40\u0f41\u0f42")


def test_points_are_joined_only_across_consecutive_years():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    plotting.consecutive_lines(ax, [2000, 2001, 2003, 2004, 2005], [1, 2, 3, 4, 5])
    assert len(ax.lines) == 3  # 2000-01, 2003-04, 2004-05; no line over the missing 2002
    plt.close(fig)


# -- phases ------------------------------------------------------------------------------------

def phase_tables(**kw) -> dict[str, pd.DataFrame]:
    troops = table([
        dict(host_country="Here", year=2000, troops_active_duty=300, series="dmdc_report", report_month="September",
             source="A"),
        dict(host_country="Here", year=2001, troops_active_duty=500, series="dmdc_report", report_month="September",
             source="A"),
        dict(host_country="Here", year=2001, troops_active_duty=480, series="kane_2006", report_month=None, source="B"),
        dict(host_country="Here", year=2003, troops_active_duty=200, series="kane_2006", report_month=None, source="B"),
        dict(host_country="There", year=2000, troops_active_duty=9, series="dmdc_report", report_month="June", source="C"),
    ])
    milestones = table([
        dict(host_country="Here", date="2000-03-01", date_precision="day", year=2000, category="treaty",
             event="Treaty signed: the first step"),
        dict(host_country="Here", date="2003", date_precision="year", year=2003, category="forces", event="Drawdown"),
    ])
    phase_rows = table([
        dict(host_country="Here", phase="Early", start_year=1999, end_year=2001, defining_events="x", description="d1"),
        dict(host_country="Here", phase="Late", start_year=2002, end_year=pd.NA, defining_events="y", description="d2"),
    ])
    floors = table([dict(host_country="Here", year=2002, level=250, kind="statutory_funding_floor", law="Act of 2002")])
    return {"us_troops": troops, "alliance_milestones": milestones, "alliance_phases": phase_rows,
            "troop_floors": floors} | kw


def test_phase_facts_prefer_the_dmdc_report_and_leave_missing_years_as_gaps():
    t = phases.select(phase_tables(), "Here", 2000, 2003, ["dmdc_report", "kane_2006"])
    events = phases.key_events(t, ["2000-03-01", "2003"])
    facts = phases.troop_facts(t, events, 2000, 2003)
    assert (facts["peak_count"], facts["peak_year"]) == (500, 2001)  # the DMDC report, not Kane's 480
    assert (facts["latest_count"], facts["latest_year"]) == (200, 2003)
    assert (facts["gap_years"], facts["n_gap_years"]) == ("2002", 1)
    assert facts["event_change_pct"] == round(100 * (200 - 300) / 300, 1)
    assert facts["first_event"] == "Treaty signed"  # the first clause of the event


def test_phase_floor_compares_the_latest_floor_with_the_count():
    t = phases.select(phase_tables(), "Here", 2000, 2003, ["dmdc_report", "kane_2006"])
    floor = phases.floor_facts(t, 200, 2003, "Here")
    assert (floor["floor_level"], floor["floor_gap"], floor["floor_gap_pct"]) == (250, 50, 20.0)


def test_series_are_a_preference_and_a_key_event_must_be_a_milestone():
    t = phases.select(phase_tables(), "Here", 2000, 2003, ["no_such_series"])  # falls back to the series present
    assert set(t.troops["series"]) == {"dmdc_report", "kane_2006"}
    with pytest.raises(BookError, match="host_country"):
        phases.select(phase_tables(), "Nowhere", 2000, 2003, ["dmdc_report"])
    t = phases.select(phase_tables(), "Here", 2000, 2003, ["dmdc_report"])
    with pytest.raises(BookError, match="key_events"):
        phases.key_events(t, ["1999-01-01"])


def test_phase_table_gives_the_counts_at_each_phase_s_first_and_last_counted_year():
    t = phases.select(phase_tables(), "Here", 2000, 2003, ["dmdc_report", "kane_2006"])
    rows = phases.phase_table(t.phases, t.troops, 2003).set_index("Phase")
    assert rows.loc["Early", "Count, first year"] == "300 (2000)" and rows.loc["Early", "Count, last year"] == "500 (2001)"
    assert rows.loc["Late", "Count, first year"] == "200 (2003)"


def test_phase_figures_draw_every_series_and_the_source_line():
    t = phases.select(phase_tables(), "Here", 2000, 2003, ["dmdc_report", "kane_2006"])
    events = phases.key_events(t, ["2000-03-01"])
    fig = phases.troops_figure(t.troops, t.phases, events, "Here", 2000, 2003, "the fixture")
    assert "Source: the fixture" in texts(fig) and "Kane (2006)" in texts(fig)
    readable(fig)
    for layout in (plotting.WIDE, plotting.NARROW):
        fig = phases.timeline_figure(t.milestones, t.phases, 2000, 2003, "the fixture", layout=layout)
        assert "treaty" in texts(fig) and "forces" in texts(fig)
        readable(fig)


# -- opinion -----------------------------------------------------------------------------------

def survey(rows: list[tuple]) -> pd.DataFrame:
    cols = ["organisation", "measure", "question", "topic", "response", "year", "percent", "statistic",
            "period_start", "period_end", "source"]
    return table([dict(zip(cols, r, strict=True)) for r in rows])


def test_opinion_series_are_never_joined_across_organisations_or_questions():
    df = survey([
        ("Org A", "q1", "Question one", "alliance", "yes", 2019, 70.0, "point", None, None, "s"),
        ("Org A", "q1", "Question one", "alliance", "yes", 2021, 76.0, "point", None, None, "s"),
        ("Org B", "q1", "Question one", "alliance", "yes", 2020, 50.0, "point", None, None, "s"),
        ("Org A", "q2", "Question two", "alliance", "yes", 2020, 10.0, "point", None, None, "s"),
    ])
    summary = opinion.series_summary(df).set_index(["organisation", "measure"])
    assert len(summary) == 3
    assert summary.loc[("Org A", "q1"), "change"] == 6.0 and summary.loc[("Org A", "q1"), "waves"] == 2
    main = opinion.main_series(summary.reset_index())
    assert (main["organisation"], main["first_year"], main["latest"]) == ("Org A", 2019, 76.0)


def test_opinion_bounds_become_one_row_with_low_and_high():
    df = survey([
        ("Org A", "q1", "Question one", "alliance", "yes", 2022, 80.0, "minimum_over_period", 2012, 2022, "s"),
        ("Org A", "q1", "Question one", "alliance", "yes", 2022, 86.0, "maximum_over_period", 2012, 2022, "s"),
    ])
    b = opinion.bounds(df)
    assert len(b) == 1 and (b.iloc[0]["low"], b.iloc[0]["high"]) == (80.0, 86.0)
    assert opinion.points(df).empty


def test_opinion_selection_refuses_an_unknown_measure():
    df = survey([("Org A", "q1", "Question one", "alliance", "yes", 2019, 70.0, "point", None, None, "s")])
    with pytest.raises(BookError, match="measures"):
        opinion.select(df, df, ["q9"], 1990)


def test_opinion_figure_names_each_organisation():
    df = survey([
        ("Org A", "q1", "Question one", "alliance", "yes", 2019, 70.0, "point", None, None, "s"),
        ("Org B", "q1", "Question one", "alliance", "yes", 2020, 50.0, "point", None, None, "s"),
    ])
    for layout in (plotting.WIDE, plotting.NARROW):
        fig = opinion.opinion_figure(opinion.points(df), opinion.bounds(df), "Title", "the fixture", 2019, 2020, {},
                                     layout=layout)
        assert "Org A" in texts(fig) and "Org B" in texts(fig) and "Source: the fixture" in texts(fig)
        readable(fig)


# -- partnership -------------------------------------------------------------------------------

def test_unc_share_of_the_foreign_contingents_is_derived_from_the_published_shares():
    rows = [dict(measure=m, value=v) for m, v in [
        ("unc_ground_troops_share_rok", 50), ("unc_ground_troops_share_us", 40),
        ("unc_ground_troops_share_other_members", 10), ("un_member_states_sending_combat_troops", 16),
        ("un_member_states_sending_medical_units", 5), ("un_member_states_participating_total", 21),
        ("states_providing_material_supplies", 20), ("us_military_personnel_served_in_korean_theater", 1),
        ("us_killed_in_action", 1), ("unc_personnel_at_armistice", 1),
        ("foreign_servicemen_fought_excluding_us_and_rok", 3)]]
    facts = partnership.unc_facts(table(rows))
    assert facts["share_us_of_foreign"] == 80.0 and facts["share_us"] == 40.0
    assert facts["share_us_of_served"] == 25.0  # 1 served against 3 from the other nations


def test_deployment_spans_start_at_the_start_of_their_period_and_run_to_the_source_date_when_ongoing():
    dep = table([
        dict(unit="A", start="2004-09", end="2008", end_precision="year", status_as_of=None, personnel=100),
        dict(unit="B", start="2010", end=None, end_precision=None, status_as_of="2018-06", personnel=None),
    ])
    spans = partnership.deployment_spans(dep).set_index("unit")
    assert spans.loc["A", "x0"] == pytest.approx(2004 + 8 / 12) and spans.loc["A", "x1"] == pytest.approx(2009.0)
    assert spans.loc["B", "x1"] == pytest.approx(2018 + 5 / 12) and bool(spans.loc["B", "ongoing"])


def test_oda_break_is_the_first_grant_equivalent_year_after_cash_flows():
    oda = table([dict(year=2010, basis="cash_flow"), dict(year=2019, basis="grant_equivalent"),
                 dict(year=2023, basis="grant_equivalent")])
    assert partnership.measurement_break(oda)[0] == 2019
    assert partnership.measurement_break(oda[oda["basis"] == "cash_flow"]) is None


# -- NATO --------------------------------------------------------------------------------------

def nato_tables():
    register = table([dict(partner="P1", short_name="One", kind="country", members=None),
                      dict(partner="P2", short_name="Two", kind="country", members=None),
                      dict(partner="G", short_name="Group", kind="group", members="P1; P2")])
    events = table([
        dict(partner="P1", date="2000", date_precision="year", year=2000, event_type="dialogue_start",
             step="dialogue_start", summit=None, attendance_level=None, representative=None, representative_role=None),
        dict(partner="P1", date="2010-05", date_precision="month", year=2010, event_type="partnership_programme",
             step="itpp", summit=None, attendance_level=None, representative=None, representative_role=None),
        dict(partner="P2", date="2005", date_precision="year", year=2005, event_type="dialogue_start",
             step="dialogue_start", summit=None, attendance_level=None, representative=None, representative_role=None),
        dict(partner="P1", date="2022-06", date_precision="month", year=2022, event_type="summit_attendance",
             step="summit_attendance", summit="Madrid", attendance_level="head_of_government", representative="A",
             representative_role="Prime Minister"),
        dict(partner="P2", date="2022-06", date_precision="month", year=2022, event_type="summit_attendance",
             step="summit_attendance", summit="Madrid", attendance_level="minister", representative="B",
             representative_role="Foreign Minister"),
    ]).assign(source=lambda d: "src " + d["partner"] + " " + d["year"].astype(str))
    return register, events


def test_nato_ladder_summits_and_facts_follow_the_rows():
    register, timeline = nato_tables()
    steps = {"dialogue_start": "Dialogue", "itpp": "ITPP"}
    events = nato.select(timeline, register, ["P1", "P2"], [], ["dialogue_start", "partnership_programme",
                                                                  "summit_attendance"])
    years = nato.ladder(events, ["P1", "P2"], steps)
    assert int(years.loc["P1", "itpp"]) == 2010 and pd.isna(years.loc["P2", "itpp"])
    heads = nato.heads_by_summit(events, ["P1", "P2"], [2022, 2023])
    assert heads == {2022: 1, 2023: 0}
    matrix = nato.summit_matrix(events, ["P1", "P2"], [2022, 2023], nato.short_names(register), {})
    assert matrix.loc[1, "Madrid 2022"] == "minister: B (Foreign Minister)" and matrix.loc[0, "2023"] == nato.NOT_RECORDED
    facts = nato.facts(events, ["P1", "P2"], years, heads, nato.short_names(register), events)
    assert (facts["itpp_fastest_partner"], facts["itpp_fastest_years"]) == ("One", 10)
    assert facts["without_itpp"] == "Two" and facts["summit_sentence"].startswith("Madrid 2022: 1 of 2")


def test_nato_selection_refuses_a_partner_not_in_the_register():
    register, timeline = nato_tables()
    with pytest.raises(BookError, match="partners"):
        nato.select(timeline, register, ["P9"], [], [])


def test_nato_figure_has_one_row_per_partner():
    register, timeline = nato_tables()
    rows = nato.row_order(register, ["P1", "P2"], timeline)
    fig = nato.event_rows_figure(timeline, rows, nato.short_names(register),
                                 {"dialogue_start": "Dialogue", "partnership_programme": "Programme",
                                  "summit_attendance": "Summit"}, "T", "the fixture")
    assert len(fig.axes[0].get_yticks()) == len(rows)
    readable(fig)


# -- checking the sources ----------------------------------------------------------------------

def test_ledger_labels_articles_by_author_and_year(tmp_path):
    bib = tmp_path / "refs.bib"
    bib.write_text("@article{doe2020, author = {Doe, Jane}, title = {T}, year = {2020}}\n"
                   "@misc{org2021, author = {{Some Organisation}}, title = {U}, year = {2021}}\n")
    labels = sources.article_labels(bib)
    assert labels == {"doe2020": "Doe (2020)", "org2021": "Some Organisation (2021)"}
    checked = pd.DataFrame([dict(claim="c1", article="doe2020", fragment_th="f", paraphrase_en="p", claimed=1.0, unit="count",
                                 data_value=None, verdict=claims.UNCHECKABLE, why="w")])
    assert sources.ledger_table(checked, labels).iloc[0]["Article"] == "Doe (2020)"


def test_ledger_refuses_an_article_with_no_claims():
    ledger = table([dict(claim_id="c1", article="doe2020")])
    with pytest.raises(BookError, match="articles"):
        sources.for_articles(ledger, ["nobody1999"])


def test_nuclear_majorities_count_surveys_not_questions_and_leave_out_forced_choices():
    df = survey([
        ("Org A", "q1", "Own bomb?", "nuclear_armament", "support", 2020, 60.0, "point", None, None, "s"),
        ("Org A", "q1", "Own bomb?", "nuclear_armament", "oppose", 2020, 35.0, "point", None, None, "s"),
        ("Org A", "q2", "Own bomb if sanctioned?", "nuclear_armament", "support", 2020, 45.0, "point", None, None, "s"),
        ("Org A", "q2", "Own bomb if sanctioned?", "nuclear_armament", "oppose", 2020, 50.0, "point", None, None, "s"),
        ("Org A", "q3", "Own bomb again?", "nuclear_armament", "support", 2020, 55.0, "point", None, None, "s"),
        ("Org B", "q4", "Bomb or US troops?", "nuclear_armament", "nuclear_weapons", 2021, 45.0, "point", None, None, "s"),
        ("Org B", "q4", "Bomb or US troops?", "nuclear_armament", "usfk_stationing", 2021, 40.0, "point", None, None, "s"),
        ("Org C", "q5", "Own bomb?", "nuclear_armament", "support", 2022, 40.0, "point", None, None, "s"),
    ]).assign(survey=lambda d: d["organisation"] + " survey")
    found, total, years = opinion.majority_counts(df, "nuclear_armament")
    # Org A: one survey, two of its three questions for; Org B: a forced choice, left out; Org C: a minority for.
    assert (found, total, sorted(years)) == (1, 2, [2020, 2022])


def test_ladder_intervals_run_in_time_and_not_from_a_rung_known_only_to_the_decade():
    register, timeline = nato_tables()
    timeline = timeline.assign(date_precision=["decade", "month", "year", "month", "month"])
    events = nato.select(timeline, register, ["P1", "P2"], [], ["dialogue_start", "partnership_programme",
                                                                  "summit_attendance"])
    steps = {"dialogue_start": "Dialogue", "summit_attendance": "Summit", "itpp": "ITPP"}
    years = nato.ladder(events, ["P1", "P2"], steps)
    table = nato.ladder_table(years, steps, nato.short_names(register), events).set_index("Partner")
    assert table.loc["One", "Dialogue"] == "2000s" and table.loc["One", "ITPP"] == "2010"  # no interval from a decade
    assert table.loc["One", "Summit"] == "2022 (+12)"  # from the ITPP of 2010, the rung reached just before
    assert table.loc["Two", "Summit"] == "2022 (+17)"


def test_a_table_gives_a_column_of_long_text_room_to_read():
    from alliance_book import report

    long_text = "a source named in full, with its publisher, its title and the date it was read " * 2
    html = report.Table(pd.DataFrame({"Year": [2020, 2021], "Sources": [long_text, "short"]}))._repr_html_()
    assert '<th style="min-width:' in html and ">Sources</th>" in html
    assert "<th>Year</th>" in html  # a column of short values keeps the table's own widths
