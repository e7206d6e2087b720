"""Gaps are never netted across age groups (a spare BSO place cannot take a baby), rows add up,
and children and places are never compared without the children per place: on the Kaart, the
slides, Tekorten, the report, the factsheet and the workbook, on the sample gemeente."""

from __future__ import annotations

import html
import re

import duckdb
import pandas as pd
import pytest
from conftest import ROOT, run_page

from outputs.report import gemeente_report, wijk_factsheet
from transforms.privacy import model_estimate_text
from ui.continuum import protected_signal_totals


def _gap_rows(con, component: str, wijk_name: str) -> dict[str, tuple[float, float, float]]:
    rows = con.execute(
        "select age_group, gap_low, gap_mid, gap_high from gap_by_wijk_niveau where year = 2024"
        " and component = ? and wijk_name = ? order by age_group", [component, wijk_name]).fetchall()
    return {age: (low, mid, high) for age, low, mid, high in rows}


def _map_table(at, label_part: str) -> dict[str, str]:
    """The Kaart's or a slide's map as a table (ui.a11y.map_alternative): wijk -> text shown."""
    block = next(m.value for m in at.markdown if "<caption" in m.value and label_part in m.value)
    cells = re.findall(r"<tr>(.*?)</tr>", block, flags=re.S)
    rows = [re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, flags=re.S) for row in cells]
    return {row[0]: row[1] for row in rows if len(row) == 2}


def test_sample_has_room_for_4_12_beside_a_toddler_shortage(sample_con):
    # the situation the rule is about (Buitengebied has no KDV): shortages for 0-2 and 2-4,
    # 38 spare BSO places
    gaps = _gap_rows(sample_con, "reguliere_plekken", "Buitengebied")
    assert gaps["0-2"][1] > 0 and gaps["2-4"][1] > 0
    assert gaps["4-12"][1] < -30
    assert sum(mid for _, mid, _ in gaps.values()) < 0  # netted: room (-33), hiding the shortage


@pytest.mark.parametrize("indicator, component, label_part", [
    ("tekort_reguliere_plekken", "reguliere_plekken", "som van de tekorten per leeftijdsgroep"),
    ("tekort_niveau_3_passend", "aparte_groep", "som van de tekorten van 2-4 en 4-12 jaar"),
    ("boven_opnamegrens_niveau_3", "opnamegrens", "som per leeftijdsgroep"),
])
def test_kaart_gap_is_the_sum_of_the_shortages_per_age_group(app_db, indicator, component,
                                                              label_part):
    at = run_page("kaart")
    at.selectbox(key="_indicator_choice").set_value(indicator).run()
    assert not at.exception, at.exception
    shown = _map_table(at, label_part)
    con = duckdb.connect(str(app_db), read_only=True)
    try:
        wijken = [w for (w,) in con.execute("select distinct wijk_name from gap_by_wijk_niveau"
                                            " where year = 2024").fetchall()]
        # shown as every model figure: rounded, '<1' between 0 and 1 (shown_estimate)
        expected = {w: model_estimate_text(sum(max(mid, 0.0) for _, mid, _ in
                                               _gap_rows(con, component, w).values()))
                    for w in wijken}
    finally:
        con.close()
    assert {w: html.unescape(shown[w]) for w in wijken} == expected
    assert all(not text.startswith("-") for text in shown.values())
    if component == "reguliere_plekken":
        # Buitengebied: 2 (0-2) + 3 (2-4) places short; before: -33 ("ruimte over")
        assert shown["Buitengebied"] == "5"
        assert shown["Oude Haven"] == "4"  # the peuters' 4.4; before: -29


def test_map_slide_shows_the_same_shortages(app_db):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.query_params["dia"] = "kaart"
    at.run()
    at.switch_page("pages/presentatie.py")
    at.run()
    assert not at.exception, at.exception
    # the map slide shows the first gap indicator: the regular places
    shown = _map_table(at, "som van de tekorten per leeftijdsgroep")
    assert shown["Buitengebied"] == "5"


def _cells(html: str, section: str) -> list[list[str]]:
    part = html[html.index(f'id="{section}"'):]
    part = part[:part.index("</section>")]
    rows = re.findall(r"<tr>(.*?)</tr>", part, flags=re.S)
    return [[re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", r, flags=re.S)]
            for r in rows]


def test_report_shows_each_age_group_and_its_rows_add_up(sample_con):
    rows = _cells(gemeente_report(sample_con, "GM9999", 2024), "tekort")
    header = rows[0]
    assert header[3] == "Leeftijd" and header[-1] == "Tekort (saldo over de wijken)"
    by_key = {(r[0], r[2], r[3]): r for r in rows[1:] if len(r) == len(header)}
    regular = [r for key, r in by_key.items() if key[1].startswith("reguliere plekken")]
    assert [r[3] for r in regular] == ["0-2 jaar", "2-4 jaar", "4-12 jaar"]
    # niveau 2: support (row 7) was delivered only for 2-4; before one row said kinderen 355-975,
    # aanbod 31, tekort 82-265
    coaching = {r[3]: r for r in by_key.values() if r[2].startswith("coaching")}
    assert coaching["2-4 jaar"][4:7] == ["115-295", "115-295", "31"]
    assert coaching["2-4 jaar"][-1] == "82-265"  # 113 - 31 .. 296 - 31: adds up
    for age in ("0-2 jaar", "4-12 jaar"):
        assert coaching[age][6] == "niet geleverd" and coaching[age][-1] == "niet geleverd"


def test_factsheet_shows_the_peuter_shortage_as_tekorten_does(sample_con):
    wijk_code = sample_con.execute("select wijk_code from gap_by_wijk_niveau"
                                   " where wijk_name = 'Oude Haven' limit 1").fetchone()[0]
    rows = _cells(wijk_factsheet(sample_con, "GM9999", 2024, wijk_code), "tekort")
    regular = {r[3]: r[-1] for r in rows[1:] if r[2].startswith("reguliere plekken")}
    # before: one row 'Tekort -40 tot -18' for all ages
    assert regular == {"0-2 jaar": "-4 tot 1", "2-4 jaar": "1-7", "4-12 jaar": "-37 tot -26"}


def test_report_niveau_4_shows_children_per_place_and_places_needed(sample_con):
    html = gemeente_report(sample_con, "GM9999", 2024)
    rows = _cells(html, "tekort")
    start = next(i for i, r in enumerate(rows) if "Kinderen per plek" in r)
    header, body = rows[start], rows[start + 1:start + 4]
    assert header == ["Leeftijd", "Niveau 4, alle kinderen (schatting)", "Kinderen per plek",
                      "Plekken nodig (schatting)", "Plekken KDC/MKD", "Tekort plekken",
                      "Jeugdhulp dagbehandeling, kinderen (waargenomen)"]
    # 0-2: 17-34 children ÷ 1,19 per place = 14-29 places; none: 14-29 short; 3 in dagbehandeling
    assert body[0] == ["0-2 jaar", "17-34", "1,19", "14-29", "0", "14-29", "afgeschermd"]


def test_tekorten_niveau_4_and_inclusief_say_what_their_figures_are(app_db):
    at = run_page("tekorten")
    assert not at.exception, at.exception
    niveau_4 = next(d.value for d in at.dataframe if "Plekken KDC/MKD (gelijktijdig)" in d.value.columns)
    assert list(niveau_4.columns[:4]) == ["Leeftijd", "Niveau 4, alle kinderen (laag-hoog)",
                                          "Kinderen per plek", "Plekken nodig, gelijktijdig (laag-hoog)"]
    first = niveau_4.iloc[0]
    assert (first["Niveau 4, alle kinderen (laag-hoog)"], first["Kinderen per plek"],
            first["Plekken nodig, gelijktijdig (laag-hoog)"]) == ("17-34", "1,19", "14-29")
    text = "\n".join(m.value for m in at.markdown)
    inclusief = next(line for line in text.splitlines() if "allemaal in reguliere groepen" in line
                     and line.startswith("**Gemeente"))
    assert "aanwezig:" not in inclusief
    assert "kunnen er samen 62 opnemen (opnamegrens: een capaciteit" in inclusief


def test_workbook_niveau_4_has_places_needed(sample_con):
    from outputs.exports import build_sheets

    sheet = build_sheets(sample_con, "GM9999", 2024, keys=["niveau_4"])[0]
    row = sheet.frame.iloc[0]
    assert row["Plekken nodig, gelijktijdig (laag-hoog)"] == "14-29"


def test_cbs_jeugdzorg_is_per_100_young_people_up_to_23(sample_con):
    # a_jz_tn counts young people up to 23 years: its rate is CBS's own percentage (p_jz_tn),
    # never per 100 children 0-12 (before: Centrum 115 / 815 children = 14,1)
    rows = sample_con.execute("""
        select s.wijk_name, s.children_count, s.population_children, s.rate_per_100, k.value,
               s.ratio_to_gemeente, s.gemeente_rate_per_100, s.gemeente_population_children
        from signals_by_wijk as s
        inner join stg_cbs__kerncijfers as k
            on k.region_code = s.wijk_code and k.year = s.year
            and k.stem = 'PercentageJongerenMetJeugdzorg'
        where s.signal_type = 'cbs_jeugdzorg' and s.year = 2024 order by s.wijk_name""").fetchall()
    assert len(rows) == 10
    young = 0.0
    for wijk, count, population, rate, percentage, ratio, gemeente_rate, _ in rows:
        assert rate == pytest.approx(percentage), wijk
        assert population == pytest.approx(100 * count / percentage)  # young people up to 23
        assert ratio == pytest.approx(rate / gemeente_rate)  # like with like
        young += population
    centrum = next(r for r in rows if r[0] == "Centrum")
    assert centrum[3] == pytest.approx(8.6)
    # the gemeente: its young people are those of its wijken (the rate the pages recompute)
    assert rows[0][7] == pytest.approx(young)
    assert rows[0][6] == pytest.approx(100 * sum(r[1] for r in rows) / young)


def test_continuum_labels_cbs_jeugdzorg_as_young_people(app_db):
    at = run_page("continuum")
    assert not at.exception, at.exception
    text = "\n".join(m.value for m in at.markdown)
    line = next(line for line in text.splitlines() if "jongeren met jeugdzorg (terugval)" in line)
    assert "(jongeren tot 23 jaar); gemeente: 8,0 per 100 jongeren tot 23 jaar" in line
    table = next(d.value for d in at.dataframe if "Per 100 jongeren tot 23 jaar" in d.value.columns)
    assert list(table.columns) == ["Wijk", "Jongeren", "Per 100 jongeren tot 23 jaar"]
    assert table.set_index("Wijk").loc["Centrum", "Per 100 jongeren tot 23 jaar"] == "8,6"


def test_continuum_shows_model_estimates_below_one_as_less_than_one(app_db):
    at = run_page("continuum")
    assert not at.exception, at.exception
    wide = next(d.value for d in at.dataframe if "Alle kinderen" in d.value.columns).set_index("Wijk")
    # before: Oude Haven and Buitengebied niveau 3 and 4 'afgeschermd' (Buitengebied niveau 3 is
    # 0,9: hidden below one, then secondary suppression), while the Kaart shows Oude Haven 4
    assert "afgeschermd" not in wide.to_numpy()
    assert wide.loc["Oude Haven", ["Niveau 3", "Niveau 4"]].tolist() == ["4", "5"]
    assert wide.loc["Buitengebied", ["Niveau 3", "Niveau 4"]].tolist() == ["<1", "1"]
    text = "\n".join(m.value for m in at.markdown)
    assert "Buitengebied de minste: &lt;1" in text or "Buitengebied de minste: <1" in text


def test_estimates_are_never_hidden():
    """A pure model estimate and a population estimate from public CBS figures follow one rule:
    never hidden, rounded, '<1' between 0 and 1. The population estimate was hidden below one
    child, with secondary suppression: Overzicht showed Havens-West's 0,7 as 'afgeschermd' where
    Continuüm showed 1."""
    import numpy as np

    from transforms.privacy import protect_array, protect_counts

    counts = np.array([[0.4, 3.0], [12.0, 0.0]])
    expected = [[0.4, 3.0, 3.0], [12.0, 0.0, 12.0], [12.0, 3.0, 15.0]]
    # nothing hidden, 0,4 kept for '<1', totals from unrounded values
    for model in (True, False):
        values, hidden = protect_array(counts, estimate=True, model=model)
        assert not hidden.any()
        assert values.tolist() == expected
    import pandas as pd

    frame = pd.DataFrame({"wijk": ["A", "B"], "n3": [0.4, 12.0], "n4": [3.0, 0.0]})
    for model in (True, False):
        shown = protect_counts(frame, ["n3", "n4"], estimate=True, model=model).display()
        assert shown["n3"].tolist() == ["<1", "12", "12"]


def _signal_rows(rows: list[tuple[str, str, int, float]]) -> pd.DataFrame:
    """signals_by_wijk rows of one signal type: (wijk, age group, children, population)."""
    return pd.DataFrame([{"wijk_code": wijk, "wijk_name": wijk, "signal_type": "jeugdhulp",
                          "signal_kind": "jeugdhulp_ambulant", "age_group": age, "children_count": count,
                          "population_children": population, "population_hidden": False}
                         for wijk, age, count, population in rows])


def test_a_signal_over_two_age_groups_is_per_100_children_of_both():
    """The Kaart's rate of a signal delivered for 0-2 and 2-4 divided by the larger age group
    only (100), not by the children of both (150): 40 per 100 where 26,7 is true."""
    whole = _signal_rows([("WK1", "0-2", 20, 100.0), ("WK1", "2-4", 20, 50.0),
                          ("WK2", "0-2", 30, 200.0), ("WK2", "2-4", 30, 100.0)])
    totals = protected_signal_totals(whole).set_index("wijk_code")
    assert totals.loc["WK1", "population_children"] == 150
    assert totals.loc["WK1", "rate_per_100"] == pytest.approx(100 * 40 / 150)
    assert totals.loc["WK2", "rate_per_100"] == pytest.approx(100 * 60 / 300)


def test_no_rate_over_part_of_the_children():
    """An age group whose population is unknown (CBS secret): no rate for the wijk, rather than
    one over the other age group alone."""
    whole = _signal_rows([("WK1", "0-2", 20, float("nan")), ("WK1", "2-4", 20, 50.0),
                          ("WK2", "0-2", 30, 200.0), ("WK2", "2-4", 30, 100.0)])
    totals = protected_signal_totals(whole).set_index("wijk_code")
    assert totals.loc["WK1", "rate_per_100"] != totals.loc["WK1", "rate_per_100"]  # NaN
    assert totals.loc["WK2", "rate_per_100"] == pytest.approx(20.0)
