"""A population estimate (CBS figures, no BRP) is shown the same on every page: never hidden,
rounded, '<1' between 0 and 1. Overzicht and the workbook showed an estimate of 0,7 children
(and, by secondary suppression, 8,3 beside it) as 'afgeschermd' where Continuüm showed 1 and 8.
BRP counts keep their full protection."""

from __future__ import annotations

import html
import json
import re

import duckdb
import numpy as np
import openpyxl
import pytest
from conftest import REAL_DATA, add_account, app_db_with_files, run_page
from kwb_files import kwb_rows, write_kwb_xlsx

from data_sources.accounts import Account
from transforms.population import protect_population
from transforms.privacy import protect_observed_and_estimated, suppress_array

ANALIST = Account("analist", "analist", None)
ZWOLLE = ("GM0193", "Zwolle")
# Binnenstad's 5 children of 0-15 (a_00_14, rounded to fives by CBS) of Zwolle's 7.205: spread
# as the gemeente's ages (500 children of every age 0-14), 0,69 children of 0-2 and of 2-4
WIJKEN = [("WK019310", "Wijk 10 Binnenstad", 7115, 5), ("WK019311", "Wijk 11 Diezerpoort", 8200, 1200),
          ("WK019322", "Wijk 22 Stadshagen", 26020, 6000)]


def _ages_03759ned(path, gemeente_code: str, per_age: int):
    """03759ned as StatLine's 'CSV met codes': `per_age` children of every age 0-14 in 2024."""
    lines = ['"ID";"Geslacht";"Leeftijd";"BurgerlijkeStaat";"RegioS";"Perioden";'
             '"BevolkingOp1Januari_1";"GemiddeldeBevolking_2"']
    for age in range(15):
        lines.append(f'"{len(lines)}";"T001038";"{10010 if age == 0 else 10000 + age * 100}";"T001019";'
                     f'"{gemeente_code}";"2024JJ00";"{per_age:>8}";"{per_age:>8}.0"')
    path.write_text("\ufeff" + "\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


@pytest.fixture
def estimated_db(tmp_path, monkeypatch):
    """Zwolle without BRP: kwb-2024 of three wijken and 03759ned, loaded as a user loads them."""
    kwb = write_kwb_xlsx(tmp_path / "kwb-2024.xlsx", kwb_rows(ZWOLLE, WIJKEN, gemeente_young=7205))
    ages = _ages_03759ned(tmp_path / "03759ned_UntypedDataSet_05122026_120000.csv", "GM0193", 500)
    path = app_db_with_files(tmp_path, monkeypatch, kwb, ages)
    add_account(path, "analist", "analist")
    return path


def _cells(markup: str) -> list[list[str]]:
    return [[html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
             for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, flags=re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", markup, flags=re.S)]


def _shown_everywhere(db, gemeente_code: str, year: int, age_group: str, account) -> dict[str, dict[str, str]]:
    """wijk name -> text of the children of `age_group` per wijk on Overzicht, Continuüm
    ('Alle kinderen' for that age group), the table under the Kaart and the workbook."""
    from outputs import exports

    params = {"gemeente": gemeente_code, "jaar": str(year)}
    overzicht = run_page(None, 120, account=account, params=params)
    assert not overzicht.exception, overzicht.exception
    table = _cells(next(m.value for m in overzicht.markdown
                        if "<table" in m.value and "Kinderen per wijk en leeftijdsgroep" in m.value))
    column = table[0].index(next(h for h in table[0] if h.startswith(age_group)))
    on_overzicht = {row[1]: row[column] for row in table[1:] if row[0] != "Totaal"}

    continuum = run_page("continuum", 120, account=account, params=params)
    assert not continuum.exception, continuum.exception
    continuum.radio(key="continuum_age").set_value(age_group).run()
    assert not continuum.exception, continuum.exception
    frame = next(d.value for d in continuum.dataframe if "Alle kinderen" in d.value.columns)
    on_continuum = {wijk: text for wijk, text in zip(frame["Wijk"], frame["Alle kinderen"], strict=True)
                    if not wijk.startswith("Gemeente ")}

    indicator = {"0-2": "kinderen_0_2", "2-4": "kinderen_2_4", "4-12": "kinderen_4_12"}[age_group]
    kaart = run_page("kaart", 120, account=account, params={**params, "indicator": indicator})
    assert not kaart.exception, kaart.exception
    features = json.loads(kaart.get("deck_gl_json_chart")[0].proto.json)["layers"][0]["data"]["features"]
    on_kaart = {f["properties"]["wijk_name"]: f["properties"]["value_text"] for f in features}
    # 'De kaart als tabel' (of more than 100 wijken only the highest) shows the tooltip's texts
    table = _cells(next(m.value for m in kaart.markdown if "<table" in m.value and "De kaart als tabel" not in m.value
                        and "wijk" in m.value))
    assert {row[0]: row[1] for row in table[1:]}.items() <= on_kaart.items()

    con = duckdb.connect(str(db), read_only=True)
    try:
        sheet = next(s for s in exports.build_sheets(con, gemeente_code, year) if s.title == "Kinderen per wijk")
    finally:
        con.close()
    frame = sheet.frame[sheet.frame["Wijkcode"] != "Totaal"]
    header = next(c for c in frame.columns if str(c).startswith(age_group))
    in_workbook = {name: f"{value:,.0f}".replace(",", ".") if isinstance(value, int | float) else value
                   for name, value in zip(frame["Wijk"], frame[header], strict=True)}
    # the map draws every wijk of the boundaries; those without children say 'geen gegevens'
    assert set(on_overzicht) <= set(on_kaart)
    on_kaart = {name: text for name, text in on_kaart.items() if name in on_overzicht}
    return {"Overzicht": on_overzicht, "Continuüm": on_continuum, "Kaart": on_kaart, "werkboek": in_workbook}


@pytest.mark.parametrize("age_group", ["0-2", "2-4"])
def test_an_estimate_below_one_child_is_shown_the_same_on_every_page(estimated_db, tmp_path, age_group):
    shown = _shown_everywhere(estimated_db, "GM0193", 2024, age_group, ANALIST)
    assert shown["Overzicht"]["Wijk 10 Binnenstad"] == "<1", shown
    for where, texts in shown.items():
        assert texts == shown["Overzicht"], where
    assert "afgeschermd" not in str(shown)
    # the xlsx itself, as a user opens it
    from outputs import exports

    con = duckdb.connect(str(estimated_db), read_only=True)
    try:
        path = tmp_path / "export.xlsx"
        path.write_bytes(exports.export_workbook(con, "GM0193", 2024))
    finally:
        con.close()
    sheet = openpyxl.load_workbook(path)["Kinderen per wijk"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = next(r for r in rows if r and r[0] == "Wijkcode")
    binnenstad = next(r for r in rows if r and r[0] == "WK019310")
    assert binnenstad[next(i for i, h in enumerate(header) if str(h).startswith(age_group))] == "<1"


def test_the_slides_trends_and_report_show_the_estimate_below_one_as_below_one(estimated_db):
    from outputs import exports, report

    def binnenstad_rows(at) -> list[list[str]]:
        tables = [_cells(m.value) for m in at.markdown if "<table" in m.value]
        return [row for table in tables for row in table if row and "Binnenstad" in " ".join(row)] + [
            row for table in tables for row in table if row and row[0] == "2024"]

    slide = run_page("presentatie", 120, account=ANALIST,
                     params={"gemeente": "GM0193", "jaar": "2024", "dia": "wijk", "wijk": "WK019310"})
    assert not slide.exception, slide.exception
    # the wijk slide's table: 2024, its source, then 0-2, 2-4 and 4-12
    assert ["2024", "schatting (CBS 03759ned × kwb)", "<1", "<1", "3"] in binnenstad_rows(slide)
    trends = run_page("trends", 120, account=ANALIST, params={"gemeente": "GM0193", "jaar": "2024",
                                                                "indicator": "kinderen_0_2"})
    assert not trends.exception, trends.exception
    assert ["Wijk 10 Binnenstad", "<1"] in binnenstad_rows(trends)
    kaart = run_page("kaart", 120, account=ANALIST, params={"gemeente": "GM0193", "jaar": "2024"})
    kaart.selectbox(key="_profiel_wijk_choice").set_value("WK019310").run()
    assert not kaart.exception, kaart.exception
    profile = next(d.value for d in kaart.dataframe if "Leeftijd" in d.value.columns)
    assert profile["Wijk 10 Binnenstad"].tolist() == ["<1", "<1", "3"]  # the Wijkprofiel
    con = duckdb.connect(str(estimated_db), read_only=True)
    try:
        markup = report.wijk_factsheet(con, "GM0193", 2024, "WK019310")
        sheet = next(s for s in exports.build_sheets(con, "GM0193", 2024) if s.title == "Kinderen per jaar")
    finally:
        con.close()
    cards = re.findall(r'<div class="value">([^<]*)</div><div>([^<]*)</div>', markup)
    assert ("&lt;1", "Kinderen 0-2 jaar") in cards and ("&lt;1", "Kinderen 2-4 jaar") in cards
    assert "afgeschermd" not in sheet.frame.to_string()


def test_estimates_are_never_hidden_and_counts_keep_their_protection():
    """A BRP for some wijken, CBS estimates for the others: the counts are protected exactly as
    they would be alone (the estimates subtracted from every total), the estimates never."""
    observed = np.array([[2.0, 3.0, 64.0], [40.0, 41.0, 300.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    estimated = np.array([[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.7, 8.3, 30.2], [0.4, 0.9, 3.1]])
    values, hidden = protect_observed_and_estimated(observed, estimated)
    _, counts_hidden = suppress_array(observed)
    assert (hidden == counts_hidden).all()  # the estimates hide nothing
    assert not hidden[2:4].any()
    assert values[2, :3].tolist() == [0.7, 8.0, 30.0] and values[3, :3].tolist() == [0.4, 0.9, 3.0]
    assert hidden[0, 0] and hidden[0, 1]  # the small counts stay hidden, and with them their totals
    assert hidden[-1, :].tolist() == counts_hidden[-1, :].tolist()
    table = protect_population([("WK01", "Noord", "0-2", 0.7, True, "cbs-schatting"),
                                ("WK01", "Noord", "2-4", 8.3, True, "cbs-schatting"),
                                ("WK01", "Noord", "4-12", 40.0, True, "cbs-schatting"),
                                ("WK02", "Zuid", "0-2", 120.0, True, "cbs-schatting")])
    assert not table.hidden.any()
    assert [table.text(0, c) for c in range(4)] == ["<1", "8", "40", "49"]
    assert table.suppressed_table().display().loc[0, "0-2"] == "<1"


@pytest.mark.skipif(not REAL_DATA.exists(), reason="../shared/real_data ontbreekt")
def test_amsterdam_estimates_are_shown_the_same_on_every_page(tmp_path, monkeypatch):
    """Amsterdam (no BRP) as tests/test_real_pages.py loads it: Havens-West's 0,7 children of 0-2
    was 'afgeschermd' on Overzicht and in the workbook, 1 on Continuüm."""
    import test_real_pages

    from data_sources import accounts, store
    from data_sources.jobs import import_cbs_file

    path = tmp_path / "kindkaart.duckdb"
    con = store.connect(path)
    try:
        import_cbs_file(con, test_real_pages._kwb_2024(tmp_path / "kwb-2024.xlsx"))
        import_cbs_file(con, test_real_pages._ages_03759ned(
            tmp_path / "03759ned_UntypedDataSet_05122026_120000.csv"))
        accounts.add_account(con, "beheer", "beheerder", "correct paard batterij", None)
        small = con.execute("select wijk_name, age_group, children from population_by_wijk_age"
                            " where gemeente_code = 'GM0363' and year = 2024 and children > 0"
                            " and children < 1 order by children").fetchall()
    finally:
        con.close()
    monkeypatch.setenv("KINDKAART_DB", str(path))
    assert small, "Amsterdam has an estimate below one child"
    for age_group in sorted({group for _, group, _ in small if group in ("0-2", "2-4")}):
        shown = _shown_everywhere(path, "GM0363", 2024, age_group, test_real_pages.BEHEERDER)
        for where, texts in shown.items():
            assert texts == shown["Overzicht"], where
        for wijk_name, group, _ in small:
            if group == age_group:
                assert shown["Overzicht"][wijk_name] == "<1", (wijk_name, group)
        assert "afgeschermd" not in str(shown)


def test_the_kaart_legend_names_an_estimate_below_one_as_below_one(estimated_db):
    kaart = run_page("kaart", 120, account=ANALIST,
                     params={"gemeente": "GM0193", "jaar": "2024", "indicator": "kinderen_0_2"})
    assert not kaart.exception, kaart.exception
    legend = next(m.value for m in kaart.markdown if "vertical-align:middle'></span>" in m.value)
    assert "</span>&lt;1</span>" in legend, legend  # before: hidden, not on the map


def test_continuum_says_its_sums_hold_before_rounding(estimated_db):
    """Figures over 100 are rounded to fives, so the shown parts need not add up to the shown
    total (Schiermonnikoog: 20 + 19 + 72 under 'alle 110 kinderen'): the captions that claim a
    sum say it holds before rounding."""
    at = run_page("continuum", 120, account=ANALIST, params={"gemeente": "GM0193", "jaar": "2024"})
    assert not at.exception, at.exception
    captions = "\n".join(c.value for c in at.caption)
    assert "zijn samen, vóór afronding, alle" in captions
    assert "'Alle kinderen' is de som van de rij, vóór afronding." in captions
