"""AppTest of the model pages (Continuüm, Tekorten, Trends, Kaart profile) on the sample gemeente."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest
from conftest import run_page

from data_sources import store


def test_continuum_niveaus_add_up_to_the_children(app_db):
    at = run_page("continuum")
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    # Voorbeeldstad 2024: 9,990 children, 4,203.5 of them in or seeking childcare (mid)
    assert metrics == {"Niveau 1": "3.385", "Niveau 2": "630", "Niveau 3": "125",
                       "Niveau 4": "150", "Geen kinderopvang": "5.700"}
    captions = [c.value for c in at.caption]
    assert "35-245 kinderen; van wie opvang gebruikt of zoekt" in captions  # niveau 3 range
    assert list(at.table[0].value["Niveau"]) == ["1", "2", "3", "4"]  # a static table: it wraps
    table = at.dataframe[0].value
    assert len(table) == 11  # ten wijken and the gemeente
    assert table["Wijk"].iloc[-1] == "Gemeente Voorbeeldstad"
    assert table["Alle kinderen"].iloc[-1] == "9.990"  # never more than the children
    assert len(at.get("plotly_chart")) >= 2  # stacked bars and trend
    assert any("Alleen bevolkingseffect" in c for c in captions)
    # row 2 of the handreiking's table beside the model, protected
    assert "Waargenomen naast het model: extra ondersteuning (rij 2)" in [
        s.value for s in at.header]
    observed = next(d.value for d in at.dataframe if "Niveau (partner)" in d.value.columns)
    assert list(observed["Niveau (partner)"]) == ["niveau 2", "niveau 3", "niveau onbekend",
                                                  "Totaal"]


def test_continuum_slider_changes_the_estimate_and_reset_restores_it(app_db):
    at = run_page("continuum")
    at.slider(key="w_param_share_niveau_3_mid").set_value(4.0).run()
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    # 4,203.5 x 4 % = 168; niveau 1 is the remainder 79.5 %: 3,342
    assert metrics["Niveau 3"] == "170"
    assert metrics["Niveau 1"] == "3.340"
    assert any("in deze sessie aangepast" in i.value for i in at.info)
    # the shared mart keeps the default
    con = duckdb.connect(str(app_db), config=store.CONNECT_CONFIG)  # the app's own connection config
    shared = con.execute("select sum(children_mid) from demand_by_wijk_niveau"
                         " where year = 2024 and niveau = 3").fetchone()[0]
    con.close()
    assert shared == pytest.approx(126.105)
    at.button(key="w_param_reset").click().run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Niveau 3"] == "125"


def test_niveau_1_middle_lies_in_its_range_after_the_sliders(app_db):
    """Participation at the low end of its band and niveau 3 at 4 %: niveau 1 (the rest, 79,5 %)
    read 2.810 on Continuüm beside its range 2.825-4.385, and Nieuwland's 735 beside the wijk
    profile's 740-1.150; the caption still said the rest was 80,5 % (one slider run behind)."""
    at = run_page("continuum")
    for name, value in (("participation_0_2", 45.0), ("participation_2_4", 65.0),
                        ("participation_4_12", 25.0), ("share_niveau_3", 4.0)):
        at.slider(key=f"w_param_{name}_mid").set_value(value).run()
    assert not at.exception, at.exception

    def number(text: str) -> int:
        return int(text.replace(".", ""))

    middle = number({m.label: m.value for m in at.metric}["Niveau 1"])
    low, high = next(c.value for c in at.caption if c.value.endswith("van wie opvang gebruikt of zoekt")
                     ).split(" kinderen")[0].split("-")
    assert number(low) <= middle <= number(high)
    assert any("nu 79,5%" in c.value for c in at.caption)
    parameters = next(d.value for d in at.dataframe if "Parameter" in d.value.columns
                      and "Midden" in d.value.columns)
    rest = parameters[parameters["Parameter"].str.startswith("Aandeel kinderen op niveau 1")].iloc[0]
    assert (rest["Laag"], rest["Midden"], rest["Hoog"]) == ("79,5%", "79,5%", "90,0%")
    nieuwland = next(d.value for d in at.dataframe if "Alle kinderen" in d.value.columns
                     ).set_index("Wijk").loc["Nieuwland", "Niveau 1"]
    at.switch_page("pages/kaart.py")
    at.run()
    at.selectbox(key="_profiel_wijk_choice").set_value("WK999904").run()
    assert not at.exception, at.exception
    profile = next(d.value for d in at.dataframe if "Nieuwland (laag-hoog)" in d.value.columns)
    low, high = profile.iloc[0]["Nieuwland (laag-hoog)"].split("-")
    assert number(low) <= number(nieuwland) <= number(high)


@pytest.mark.parametrize("page, sliders, said", [
    # niveau 2 at 99 %: niveau 2-4 more than all children
    ("continuum", {"share_niveau_2_band": (10.0, 100.0), "share_niveau_2_mid": 99.0},
     "De aandelen van niveau 2, 3 en 4 samen zijn meer dan 100%."),
    # 0 children per place: the places needed were infinite (2023 uses the parameter)
    ("tekorten", {"children_per_place_dagopvang_band": (0.0, 2.0), "children_per_place_dagopvang_mid": 0.0},
     "kinderen per plek"),
])
def test_assumptions_the_model_cannot_use_are_refused_in_dutch_and_the_last_ones_stay(app_db, page, sliders,
                                                                                      said):
    """Both crashed the page with a traceback (a ValueError, an OverflowError)."""
    at = run_page(page, params={"jaar": "2023"})
    before = [d.value.to_dict("records") for d in at.dataframe if "Parameter" not in d.value.columns]
    for name, value in sliders.items():
        at.slider(key=f"w_param_{name}").set_value(value).run()
    assert not at.exception, at.exception
    assert any(said in e.value and "De vorige aannames blijven gelden" in e.value for e in at.error)
    assert [d.value.to_dict("records") for d in at.dataframe if "Parameter" not in d.value.columns] == before


@pytest.mark.parametrize("page", ["tekorten", "continuum"])
def test_viewing_a_page_writes_nothing_to_the_audit_log(app_db, page):
    for _session in range(2):
        at = run_page(page)
        assert not at.exception, at.exception
    con = duckdb.connect(str(app_db), read_only=True)
    try:
        assert con.execute("select count(*) from audit_log where action = 'parameter'"
                           ).fetchone()[0] == 0
    finally:
        con.close()
    at.slider(key="w_param_share_niveau_3_mid").set_value(4.0).run()  # a real change is recorded
    con = duckdb.connect(str(app_db), read_only=True)
    try:
        assert [d for (d,) in con.execute("select detail from audit_log where action = 'parameter'"
                                          ).fetchall()] == [
            "share_niveau_3 0.01/0.03/0.05 -> 0.01/0.04/0.05"]
    finally:
        con.close()


def test_tekorten_answers_in_sentences_from_the_data(app_db):
    at = run_page("tekorten")
    assert not at.exception, at.exception
    text = "\n".join(m.value for m in at.markdown)
    # row 3 of the sample: 1,316 children in 798 places of dag- and peuteropvang (1.65 per
    # place); with the VGO places at 1.5 per place, 670-880 places for 1,100-1,445 peuters
    assert ("**Gemeente Voorbeeldstad:** naar schatting 1.100-1.445 peuters gebruiken of zoeken "
            "reguliere opvang, 670-880 plekken (gelijktijdig) nodig; er zijn 495 plekken. "
            "Saldo over de wijken: 175-385 plekken tekort") in text
    # the wijk with the largest gap of regular places leads
    assert ("- In Nieuwland gebruiken of zoeken naar schatting 295-385 peuters reguliere opvang "
            "(niveau 1-3, zonder wie in een bestaande plusgroep zit); bij 1,64 kinderen per plek "
            "zijn dat 180-235 plekken (gelijktijdig). Er zijn 67 plekken. Tekort: 110-165 "
            "plekken.") in text
    regular = at.dataframe[0].value
    assert list(regular["Wijk"].iloc[:2]) == ["Nieuwland", "Zuiderpark"]
    assert "Plekken, gelijktijdig (LRK)" in regular.columns


def test_a_gap_that_is_not_its_rounded_terms_says_why(app_db):
    """Tekorten's niveau-2 sentence for peuters: '115-295 peuters op niveau 2; aanwezig: 31
    kinderen. Saldo over de wijken: 82-265' (112,8 - 31 = 81,8): 115 - 31 is not 82, and neither
    Tekorten nor the report said that each figure is rounded on its own (fives above 100)."""
    import duckdb

    from outputs import report

    at = run_page("tekorten")
    assert not at.exception, at.exception
    sentence = next(m.value for m in at.markdown if "op niveau 2; aanwezig: 31 kinderen" in m.value)
    assert "115-295 peuters" in sentence and "82-265 kinderen tekort" in sentence
    said = "Elk getal is apart afgerond"
    assert any(said in str(e.value) for e in [*at.caption, *at.markdown])
    con = duckdb.connect(str(app_db), read_only=True)
    try:
        text = report.gemeente_report(con, "GM9999", 2024)
    finally:
        con.close()
    assert "<td>115-295</td>" in text.replace(" class='num'", "") and said in text


def test_tekorten_shows_both_perspectives_side_by_side(app_db):
    at = run_page("tekorten")
    assert not at.exception, at.exception
    text = "\n".join(m.value for m in at.markdown)
    assert "**Passend**" in text and "**Inclusief**" in text
    assert ("Aparte groepen nodig in de gemeente (wijken delen een groep): **0** bij de "
            "middenschatting (0-0), groepen van 10 plekken") in text
    assert "peuters op niveau 3, allemaal in reguliere groepen" in text
    at.selectbox(key="tekorten_age").set_value("0-2").run()
    assert not at.exception, at.exception
    assert any("Voor 0-2 jaar geen aparte groepen" in m.value for m in at.markdown)
    niveau_4 = next(d.value for d in at.dataframe
                    if "Jeugdhulp dagbehandeling (waargenomen)" in d.value.columns)
    assert list(niveau_4["Leeftijd"]) == ["0-2 jaar", "2-4 jaar", "4-12 jaar"]


def test_tekorten_niveau_3_tables_show_the_figure_they_are_ranked_by(app_db):
    """The niveau-3 tables are ranked by the estimate with local signals, which they did not show:
    inclusief for peuters put Bloemhof (-2 tot 6) and Buitengebied (0 tot <1) above Nieuwland
    (-5 tot 11) without a figure on the page that explains the order."""
    at = run_page("tekorten")
    assert not at.exception, at.exception

    def number(text: str) -> float:
        return 0.5 if text == "<1" else float(text.replace(".", "").replace(",", "."))

    for range_column, column in (("Boven de grens (laag-hoog)", "Boven de grens met signalen (midden)"),
                                 ("Tekort plekken (laag-hoog)", "Tekort met signalen (midden)")):
        table = next(d.value for d in at.dataframe if range_column in d.value.columns)
        values = [number(v) for v in table[column]]
        assert values == sorted(values, reverse=True), column
    inclusief = next(d.value for d in at.dataframe if "Boven de grens (laag-hoog)" in d.value.columns)
    assert inclusief["Wijk"].iloc[0] == "Bloemhof"
    # Bloemhof's peuters on niveau 3 with signals: 10 (Continuüm), the opnamegrens 4
    assert inclusief.set_index("Wijk").loc["Bloemhof", "Boven de grens met signalen (midden)"] == "6"
    assert any("volgorde" in c.value.lower() and "met signalen" in c.value for c in at.caption)


def test_kaart_model_indicator_and_wijk_profile(app_db):
    at = run_page("kaart")
    at.selectbox(key="_indicator_choice").set_value("tekort_reguliere_plekken").run()
    assert not at.exception, at.exception
    at.selectbox(key="_profiel_wijk_choice").set_value("WK999909").run()
    assert not at.exception, at.exception
    assert any(s.value == "Wijkprofiel Bloemhof" for s in at.header)
    text = "\n".join(m.value for m in at.markdown)
    assert "In Bloemhof gebruiken of zoeken naar schatting" in text
    years = at.dataframe[-1].value
    assert {"Soort", "2022", "2023", "2024"} <= set(years.columns)  # places over the LRK years


def test_the_wijk_profile_shows_the_gemeente_as_a_range_as_continuum_does(app_db):
    """The profile's 'Verwachte kinderen per niveau' put the wijk's range (laag-hoog) beside a
    single middle figure for the gemeente ('Gemeente (midden)'): the gemeente read as exact, the
    wijk not. Both are ranges now, the gemeente's as Continuüm's Gemeente totaal gives it."""
    continuum = run_page("continuum")
    assert not continuum.exception, continuum.exception
    ranges = [c.value.split(" kinderen; ")[0] for c in continuum.caption
              if c.value.endswith(("kinderen; van wie opvang gebruikt of zoekt", "kinderen; alle kinderen"))]
    assert len(ranges) == 4, ranges  # niveau 1-4
    at = run_page("kaart")
    at.selectbox(key="_profiel_wijk_choice").set_value("WK999909").run()
    assert not at.exception, at.exception
    profile = next(d.value for d in at.dataframe if "Bloemhof (laag-hoog)" in d.value.columns)
    assert "Gemeente (midden)" not in profile.columns
    assert list(profile["Niveau"]) == [1, 2, 3, 4]
    assert list(profile["Gemeente (laag-hoog)"]) == ranges
    for wijk, gemeente in zip(profile["Bloemhof (laag-hoog)"], profile["Gemeente (laag-hoog)"], strict=True):
        assert "-" in wijk and "-" in gemeente, (wijk, gemeente)


def test_trends_page_draws_model_indicator(app_db):
    at = run_page("trends")
    at.selectbox(key="trend_indicator").set_value("kindplaatsen").run()
    assert not at.exception, at.exception
    chart = at.get("plotly_chart")[0]
    assert "Kindplaatsen" in chart.proto.spec
    import json

    names = {trace["name"] for trace in json.loads(chart.proto.spec)["data"]}
    assert "Bloemhof" in names and len(names) == 10  # the wijken, no total or empty name
    assert any(c.value.startswith("Waargenomen trend") for c in at.caption)
    at.selectbox(key="trend_indicator").set_value("verwacht_niveau_3").run()
    assert not at.exception, at.exception
    assert any(c.value.startswith("Alleen bevolkingseffect") for c in at.caption)


def test_signal_counts_are_protected_with_their_total():
    from ui.continuum import protected_signal

    frame = pd.DataFrame({
        "wijk_code": ["WK1", "WK2", "WK3"], "wijk_name": ["A", "B", "C"],
        "children_count": [2, 30, 40], "rate_per_100": [1.0, 10.0, 12.0],
        "ratio_to_gemeente": [0.1, 1.0, 1.2],
    })
    shown = protected_signal(frame)
    # the small cell is hidden, and a second cell too, so total - visible does not give it away
    assert shown["hidden"].sum() == 2
    assert shown.loc[0, "hidden"] and pd.isna(shown.loc[0, "rate_per_100"])
    assert shown["rate_per_100"].isna().sum() == 2
    assert shown["gemeente_count"].iloc[0] == 72


def test_estimate_ranges_read_well():
    from ui.continuum import estimate_text

    assert estimate_text(11.6, 20.2) == "12-20"
    assert estimate_text(-9.2, -2.6) == "-9 tot -3"
    assert estimate_text(4.6, 5.4) == "5"
    assert estimate_text(96, 131) == "96-130"  # above 100 rounded to fives
    # each end as a single estimate reads: '<1' between 0 and 1, never '0' or '0-1' for 0,2-0,8
    assert estimate_text(0.2, 0.8) == "<1"
    assert estimate_text(0.3, 1.6) == "<1-2"
    # shortages: negative is room to spare, 0 is balance
    assert estimate_text(-0.3, -0.2) == "0"
    assert estimate_text(-2.4, -0.4) == "-2 tot 0"
    assert estimate_text(-0.4, 0.3) == "0 tot <1"
    assert estimate_text(-1.6, 0.4) == "-2 tot <1"
    assert estimate_text(-0.4, 1.6) == "0-2"


def test_tekorten_vso_bso_table_protects_pupil_counts(app_db, sample_db):
    con = duckdb.connect(str(sample_db), read_only=True)
    pupils = con.execute("select wijk_code, sum(pupils_count) as pupils_count from vso_bso_by_wijk"
                         " where year = 2024 group by wijk_code").df()
    con.close()
    assert len(pupils) == 10  # every wijk of the sample has (v)so pupils, one of them only 1
    at = run_page("tekorten")
    at.selectbox(key="tekorten_age").set_value("4-12").run()
    assert not at.exception, at.exception
    assert any(s.value == "BSO voor leerlingen van so en sbo (4-12 jaar)" for s in at.header)
    table = at.dataframe[-1].value
    assert table["Wijk"].iloc[-1] == "Gemeente Voorbeeldstad"
    shown = table["Leerlingen (waargenomen)"]
    small = int(pupils["pupils_count"].between(1, 4).sum())
    assert (shown == "afgeschermd").sum() >= small
    assert (shown == "afgeschermd").sum() != 1
    hidden_rows = table[shown == "afgeschermd"]
    assert (hidden_rows["BSO nodig (schatting, laag-hoog)"] == "").all()


def test_continuum_shows_signals_beside_the_gemeente(app_db):
    at = run_page("continuum")
    assert not at.exception, at.exception
    text = "\n".join(m.value for m in at.markdown)
    # 106 toddlers with a vve-indicatie for taal/spraak among 1,735 toddlers
    assert "**Vve-indicatie: taal/spraak** (2-4 jaar); gemeente: 6,1 per 100" in text
    tables = [d.value for d in at.dataframe if "Per 100 kinderen" in d.value.columns]
    assert tables and all(len(t) == 10 for t in tables)
    # SES-based vve does not adjust the estimate by default; choosing it does
    chosen = at.multiselect(key="w_signal_kinds")
    assert "vve_ses" not in chosen.value and "vve_taal_spraak" in chosen.value
    used = next(d.value for d in at.dataframe if "Gebruikte signalen" in d.value.columns)
    assert not used["Gebruikte signalen"].str.contains("SES").any()
    chosen.set_value(["vve_ses"]).run()
    assert not at.exception, at.exception
    used = next(d.value for d in at.dataframe if "Gebruikte signalen" in d.value.columns)
    assert set(used["Gebruikte signalen"]) <= {"vve-indicatie: SES (sociaaleconomisch)", "geen"}


def test_wijkprofiel_says_one_place_and_no_demand_no_places(app_db):
    at = run_page("kaart")
    at.selectbox(key="_profiel_wijk_choice").set_value("WK999907").run()  # Buitengebied
    assert not at.exception, at.exception
    text = "\n".join(m.value for m in at.markdown)
    # Buitengebied has 1 place for 0-2 and for 2-4 year olds (before: "Er zijn 1 plekken")
    assert "Er is 1 plek." in text and "Er zijn 1 plekken" not in text
    # less than one niveau-3 child (0,05-0,34, '<1' as every estimate) and no room for it: before,
    # "hangt af van de aannames"; and before the range read '<1', "0 kinderen" and "geen kinderen"
    sentences = [line for line in text.splitlines() if "In Buitengebied zijn naar schatting <1 " in line]
    assert len(sentences) == 2, text
    for sentence in sentences:
        assert "samen geen opnemen" in sentence and "hangt af van de aannames" not in sentence
        assert sentence.endswith("ook geen ruimte om het op te nemen: hoogstens een tekort van minder dan één kind.")
    assert "naar schatting 0 " not in text
