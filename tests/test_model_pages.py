"""AppTest of the model pages (Continuüm, Tekorten, Trends, Kaart profile) on the sample gemeente."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest
from conftest import run_page

# The sample gemeente in 2024 (sample_data, fixed seed): 9,990 children of 0-12, 1,735 of them
# 2-4. The page figures below are those counts times the default shares in
# transforms/parameters.csv, rounded for display (whole numbers below 100, else to fives).


def test_continuum_shows_gemeente_total_per_niveau(app_db):
    at = run_page("continuum")
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    # 9,990 x 85%, 15%, 3% and 1.5%
    assert {f"Niveau {n}": metrics[f"Niveau {n}"] for n in (1, 2, 3, 4)} == {
        "Niveau 1": "8.490", "Niveau 2": "1.500", "Niveau 3": "300", "Niveau 4": "150"}
    captions = [c.value for c in at.caption]
    assert "100-500 kinderen" in captions  # niveau 3: 9,990 x 1% to 5%
    assert list(at.dataframe[0].value["Niveau"]) == ["1", "2", "3", "4"]
    table = at.dataframe[1].value
    assert len(table) == 11  # ten wijken and the gemeente
    assert table["Wijk"].iloc[-1] == "Gemeente Voorbeeldstad"
    assert len(at.get("plotly_chart")) >= 2  # stacked bars and trend


def test_continuum_slider_changes_the_estimate_and_reset_restores_it(app_db):
    at = run_page("continuum")
    at.slider(key="w_param_share_niveau_3_mid").set_value(4.0).run()
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Niveau 3"] == "400"  # 9,990 x 4%
    assert any("in deze sessie aangepast" in i.value for i in at.info)
    # the shared mart keeps the default
    con = duckdb.connect(str(app_db))  # the app's own connection config
    shared = con.execute("select sum(children_mid) from demand_by_wijk_niveau"
                         " where year = 2024 and niveau = 3").fetchone()[0]
    con.close()
    assert shared == pytest.approx(299.7)  # 9,990 x 3%
    at.button(key="w_param_reset").click().run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Niveau 3"] == "300"


def test_tekorten_answers_in_sentences_from_the_data(app_db, sample_db):
    at = run_page("tekorten")
    assert not at.exception, at.exception
    text = "\n".join(m.value for m in at.markdown)
    # 1,735 peuters x 1% to 5%
    assert "**Gemeente Voorbeeldstad:** naar schatting 17-87 peuters op niveau 3" in text
    # the wijk with the largest gap leads, as in the shared mart (default parameters)
    con = duckdb.connect(str(sample_db), read_only=True)
    top = con.execute("""
        select wijk_name, demand_low, demand_high, places from gap_by_wijk_niveau
        where year = 2024 and niveau = 3 and age_group = '2-4'
        order by gap_mid desc, wijk_name limit 1""").fetchone()
    con.close()
    assert top == ("Nieuwland", pytest.approx(4.6), pytest.approx(23.0), 0)
    assert ("- In Nieuwland zijn naar schatting 5-23 peuters op niveau 3;"
            " er zijn 0 plekken in plusgroepen.") in text
    ranked = at.dataframe[0].value
    assert ranked["Wijk"].iloc[0] == "Nieuwland"
    assert list(ranked["Rang"]) == list(range(1, 11))


def test_tekorten_inclusive_perspective_compares_with_regular_places(app_db):
    at = run_page("tekorten")
    at.radio(key="w_perspective").set_value("inclusief").run()
    assert not at.exception, at.exception
    text = "\n".join(m.value for m in at.markdown)
    assert "plekken in de reguliere opvang" in text
    assert at.query_params["perspectief"] == ["inclusief"] or \
        at.query_params["perspectief"] == "inclusief"


def test_kaart_model_indicator_and_wijk_profile(app_db):
    at = run_page("kaart")
    at.selectbox(key="_indicator_choice").set_value("verwacht_niveau_3").run()
    assert not at.exception, at.exception
    at.selectbox(key="_profiel_wijk_choice").set_value("WK999909").run()
    assert not at.exception, at.exception
    assert any(s.value == "Wijkprofiel Bloemhof" for s in at.subheader)
    text = "\n".join(m.value for m in at.markdown)
    assert "In Bloemhof zijn naar schatting" in text
    years = at.dataframe[-1].value
    assert {"Soort", "2022", "2023", "2024"} <= set(years.columns)  # places over the LRK years


def test_trends_page_draws_model_indicator(app_db):
    at = run_page("trends")
    at.selectbox(key="trend_indicator").set_value("kindplaatsen").run()
    assert not at.exception, at.exception
    chart = at.get("plotly_chart")[0]
    assert "Kindplaatsen" in chart.proto.spec
    import json

    names = {trace["name"] for trace in json.loads(chart.proto.spec)["data"]}
    assert "Bloemhof" in names and len(names) == 10  # the wijken, no total or empty name


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


def test_tekorten_vso_bso_table_protects_pupil_counts(app_db, sample_db):
    con = duckdb.connect(str(sample_db), read_only=True)
    pupils = con.execute("select wijk_code, pupils_count from vso_bso_by_wijk"
                         " where year = 2024").df()
    con.close()
    assert len(pupils) == 10  # every wijk of the sample has (v)so pupils, one of them only 1
    at = run_page("tekorten")
    at.selectbox(key="tekorten_age").set_value("4-12").run()
    assert not at.exception, at.exception
    assert any(s.value == "BSO voor leerlingen van (v)so en sbo" for s in at.subheader)
    table = at.dataframe[-1].value
    assert table["Wijk"].iloc[-1] == "Gemeente Voorbeeldstad"
    shown = table["Leerlingen (waargenomen)"]
    small = int(pupils["pupils_count"].between(1, 4).sum())
    assert (shown == "< 5").sum() >= small
    assert (shown == "< 5").sum() != 1
    hidden_rows = table[shown == "< 5"]
    assert (hidden_rows["BSO nodig (schatting, laag-hoog)"] == "").all()


def test_continuum_shows_signals_beside_the_gemeente(app_db, sample_db):
    con = duckdb.connect(str(sample_db), read_only=True)
    vve = con.execute("select any_value(gemeente_rate_per_100) from signals_by_wijk"
                      " where year = 2024 and signal_type = 'vve_indicaties'").fetchone()[0]
    con.close()
    assert vve == pytest.approx(13.5447, abs=1e-4)
    at = run_page("continuum")
    assert not at.exception, at.exception
    text = "\n".join(m.value for m in at.markdown)
    assert "**Vve-indicaties** (2-4 jaar); gemeente: 13,5 per 100" in text
    tables = [d.value for d in at.dataframe if "Per 100 kinderen" in d.value.columns]
    assert tables and all(len(t) == 10 for t in tables)
