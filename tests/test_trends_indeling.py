"""Trends over kwb years between which CBS changed a gemeente's wijkindeling (codes gone, new, or the
same code for another area: CBS's column ind_wbi), each year a kwb-<year>.xlsx in CBS's layout."""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import REAL_DATA, app_db_with_files
from conftest import run_page_as_analist as run_page
from kwb_files import kwb_rows, write_kwb_xlsx

from data_sources import store
from data_sources.cbs.loading import store_kerncijfers
from data_sources.cbs.odata import read_table_dir
from data_sources.jobs import import_cbs_file as import_file

IND_WBI = 6  # the column of ind_wbi in kwb_files.KWB_COLUMNS

# Zwolle in two kwb years: a wijk WK019325 split into WK019322 and WK019352, and WK019330 named
# otherwise before (the codes and names of 2024 are CBS's; the earlier ones and all counts made up)
WIJKEN_BEFORE = [("WK019310", "Wijk 10 Binnenstad", 7000, 440),
                 ("WK019311", "Wijk 11 Diezerpoort", 8000, 1100),
                 ("WK019325", "Wijk 25 Stadshagen", 30000, 7000),
                 ("WK019330", "Wijk 30 Holtenbroek-Oost", 5000, 600)]
WIJKEN_2024 = [("WK019310", "Wijk 10 Binnenstad", 7115, 450),
               ("WK019311", "Wijk 11 Diezerpoort", 8200, 1200),
               ("WK019322", "Wijk 22 Stadshagen", 26020, 6000),
               ("WK019330", "Wijk 30 Holtenbroek", 5100, 700),
               ("WK019352", "Wijk 52 Soestweteringlanden", 4055, 900)]


def kwb_2024(tmp_path, other_area: tuple[str, ...] = ()):
    """kwb-2024.xlsx of Zwolle, with ind_wbi 3 (another area than the year before) for `other_area`
    and their buurten, 1 elsewhere, as CBS marks them."""
    rows = kwb_rows(wijken=WIJKEN_2024)
    for row in rows:
        if any(row[0][2:8] == code[2:8] and row[0][:2] in {"WK", "BU"} for code in other_area):
            row[IND_WBI] = 3
    return write_kwb_xlsx(tmp_path / "kwb-2024.xlsx", rows)


def chart(at) -> dict[str, list[int]]:
    """The Trends chart's lines: name -> the years it has a point in."""
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    return {trace["name"]: [x for x, y in zip(trace["x"], trace["y"], strict=True) if y is not None]
            for trace in spec["data"] if trace.get("name") and trace.get("mode", "").startswith("lines")}


def shown_text(at) -> str:
    return " ".join(str(e.value) for e in [*at.warning, *at.caption, *at.info, *at.markdown])


def test_trends_says_which_wijken_are_gone_and_new_after_the_indeling_changed(tmp_path, monkeypatch):
    app_db_with_files(tmp_path, monkeypatch, write_kwb_xlsx(tmp_path / "kwb-2022.xlsx", kwb_rows(wijken=WIJKEN_BEFORE)),
                      kwb_2024(tmp_path))
    at = run_page("trends")
    assert not at.exception
    warning = " ".join(str(w.value) for w in at.warning)
    assert ("De wijkindeling van Zwolle is veranderd. Van 2022 naar 2024: niet meer in 2024: Wijk 25 "
            "Stadshagen (WK019325); nieuw in 2024: Wijk 22 Stadshagen (WK019322) en Wijk 52 "
            "Soestweteringlanden (WK019352).") in warning
    # 2023 is not loaded: whether a code kept its area in between is not known
    assert "De kwb van 2023 is niet geladen" in warning
    # one code, two names: said with both, not silently under the latest
    assert "WK019330 heette in 2022 Wijk 30 Holtenbroek-Oost en in 2024 Wijk 30 Holtenbroek" in warning
    # the gone wijk is not on today's pages for 2024
    lines = chart(at)
    assert lines["Wijk 25 Stadshagen"] == [2022] and lines["Wijk 22 Stadshagen"] == [2024]


def test_a_wijk_cbs_gave_another_area_under_the_same_code_is_two_lines(tmp_path, monkeypatch):
    # consecutive years: CBS's ind_wbi of 2024 compares with 2023; Binnenstad (WK019310) lost a
    # buurt to a neighbour, keeping its code, and WK019330 is another area under another name
    app_db_with_files(tmp_path, monkeypatch, write_kwb_xlsx(tmp_path / "kwb-2023.xlsx", kwb_rows(wijken=WIJKEN_BEFORE)),
                      kwb_2024(tmp_path, other_area=("WK019310", "WK019330")))
    at = run_page("trends")
    assert not at.exception
    lines = chart(at)
    assert lines["Wijk 10 Binnenstad (WK019310, tot 2023)"] == [2023]
    assert lines["Wijk 10 Binnenstad (WK019310, vanaf 2024)"] == [2024]
    assert not any(line == [2023, 2024] for name, line in lines.items() if "WK019310" in name)
    # a code whose area did not change stays one line
    assert lines["Wijk 11 Diezerpoort"] == [2023, 2024]
    warning = " ".join(str(w.value) for w in at.warning)
    # each part of a broken line is named as the kwb of its years named it
    assert lines["Wijk 30 Holtenbroek-Oost (WK019330, tot 2023)"] == [2023]
    assert lines["Wijk 30 Holtenbroek (WK019330, vanaf 2024)"] == [2024]
    warning = " ".join(str(w.value) for w in at.warning)
    assert ("in 2024 anders afgebakend dan het jaar ervoor (volgens CBS, kolom ind_wbi), met dezelfde "
            "code: Wijk 10 Binnenstad (WK019310) en Wijk 30 Holtenbroek (WK019330); hun lijn breekt in "
            "2024") in warning
    assert "niet geladen" not in warning  # 2023 and 2024 are consecutive
    table = " ".join(str(m.value) for m in at.markdown)
    assert "Wijk 10 Binnenstad (WK019310, tot 2023)" in table


def test_a_renumbered_name_carries_its_code_and_a_broken_line_its_code_once(tmp_path, monkeypatch):
    """Diezerpoort under WK019312 in 2023 and WK019311 in 2024 (one name, two codes: the rule of
    labels.wijk_labels, as the report labels them) beside Binnenstad, another area in 2024 under
    its code: its lines are named with the code by the indeling, not twice."""
    before = [("WK019312", *wijk[1:]) if wijk[0] == "WK019311" else wijk for wijk in WIJKEN_BEFORE]
    app_db_with_files(tmp_path, monkeypatch, write_kwb_xlsx(tmp_path / "kwb-2023.xlsx", kwb_rows(wijken=before)),
                      kwb_2024(tmp_path, other_area=("WK019310",)))
    at = run_page("trends")
    assert not at.exception
    lines = chart(at)
    assert lines["Wijk 11 Diezerpoort (WK019312)"] == [2023]
    assert lines["Wijk 11 Diezerpoort (WK019311)"] == [2024]
    assert lines["Wijk 10 Binnenstad (WK019310, tot 2023)"] == [2023]
    assert lines["Wijk 10 Binnenstad (WK019310, vanaf 2024)"] == [2024]
    assert lines["Wijk 25 Stadshagen"] == [2023]  # a name of its own stays as it is
    assert not any(name.count("WK019310") > 1 for name in lines)
    assert ("Wijk 11 Diezerpoort: dezelfde naam onder meer wijkcodes"
            in " ".join(str(c.value) for c in at.caption))
    # the ranking sentence names a wijk as the legend and the table do
    summary = " ".join(str(m.value) for m in at.markdown if "kk-summary" in str(m.value))
    assert "het laagst in Wijk 10 Binnenstad (WK019310, vanaf 2024) (60)" in summary


def test_the_map_of_an_earlier_year_does_not_draw_todays_other_area_under_the_same_code(tmp_path, monkeypatch):
    # 2023 has no boundaries of its own: the map draws the bundled ones of 2024, where WK019310 is
    # another area than in 2023 (ind_wbi 3): its 2024 shape would show 2023's children in it
    app_db_with_files(tmp_path, monkeypatch, write_kwb_xlsx(tmp_path / "kwb-2023.xlsx", kwb_rows(wijken=WIJKEN_BEFORE)),
                      kwb_2024(tmp_path, other_area=("WK019310",)))
    at = run_page("kaart", params={"jaar": "2023"})
    assert not at.exception
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    drawn = {feature["properties"]["wijk_code"] for layer in spec["layers"] if layer["id"] == "wijken"
             for feature in layer["data"]["features"]}
    assert "WK019310" not in drawn and "WK019311" in drawn
    assert ("Niet op de kaart, omdat CBS hun gebied tussen 2023 en 2024 anders heeft afgebakend (kolom "
            "ind_wbi van de kwb), zodat de grens van 2024 onder dezelfde code een ander gebied is: Wijk 10 "
            "Binnenstad (WK019310).") in " ".join(str(c.value) for c in at.caption)
    # the map of 2024 itself draws it: its own year's boundary
    at = run_page("kaart", params={"jaar": "2024"})
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    assert "WK019310" in {feature["properties"]["wijk_code"] for layer in spec["layers"] if layer["id"] == "wijken"
                          for feature in layer["data"]["features"]}


def test_the_same_indeling_every_year_says_nothing_of_it(tmp_path, monkeypatch):
    app_db_with_files(tmp_path, monkeypatch, write_kwb_xlsx(tmp_path / "kwb-2023.xlsx", kwb_rows(wijken=WIJKEN_2024)),
                      kwb_2024(tmp_path))
    at = run_page("trends")
    assert not at.exception
    assert "wijkindeling" not in shown_text(at)
    assert all(years == [2023, 2024] for years in chart(at).values())


def test_ind_wbi_is_stored_from_the_kwb_download(con, tmp_path):
    import_file(con, kwb_2024(tmp_path, other_area=("WK019330",)))
    stored = dict(con.execute(
        "select region_code, value from raw_cbs__kerncijfers"
        " where stem = 'IndelingswijzigingGemeenteWijkBuurt' and region_level <> 'buurt'").fetchall())
    assert stored == {"GM0193": 1, "WK019310": 1, "WK019311": 1, "WK019322": 1, "WK019330": 3, "WK019352": 1}


@pytest.mark.skipif(not REAL_DATA.exists(), reason="../shared/real_data ontbreekt")
def test_ind_wbi_is_stored_from_odata_where_cbs_types_it_as_text(tmp_path):
    # the real DataProperties of 85984NED: IndelingswijzigingGemeenteWijkBuurt_4 is a String topic,
    # its cells padded as OData sends them
    kwb = REAL_DATA / "kwb2024_odata_85984NED"
    directory = tmp_path / "85984NED"
    directory.mkdir()
    for name in ("TableInfos.json", "DataProperties.json"):
        shutil.copy(kwb / name, directory / name)
    records = [{"ID": 0, "WijkenEnBuurten": "GM0193    ", "Codering_3": "GM0193    ",
                "IndelingswijzigingGemeenteWijkBuurt_4": "1         ", "AantalInwoners_5": 133141},
               {"ID": 1, "WijkenEnBuurten": "WK019310  ", "Codering_3": "WK019310  ",
                "IndelingswijzigingGemeenteWijkBuurt_4": "3         ", "AantalInwoners_5": 7115}]
    (directory / "TypedDataSet.json").write_text(json.dumps(records), encoding="utf-8")
    con = store.connect(":memory:")
    with store.transaction(con):
        store_kerncijfers(con, read_table_dir(directory))
    assert dict(con.execute("select region_code, value from raw_cbs__kerncijfers"
                            " where stem = 'IndelingswijzigingGemeenteWijkBuurt'").fetchall()) == {
        "GM0193": 1, "WK019310": 3}


def test_ind_wbi_is_stored_from_a_statline_csv_with_titles(con, tmp_path):
    # the StatLine download of the kwb "met titels", with the column CBS calls Indelingswijziging
    header = ('"Wijken en buurten";"Regioaanduiding/Codering (code)";'
              '"Regioaanduiding/Indelingswijziging gemeente, wijk, buurt (code)";'
              '"Bevolking/Aantal inwoners (aantal)";"Bevolking/Leeftijdsgroepen/0 tot 15 jaar (aantal)"')
    rows = ['"Zwolle";"GM0193    ";"1";"133141";"22930"',
            '"Binnenstad";"WK019310  ";"3";"7115";"450"']
    path = tmp_path / "85984NED_kwb_2024.csv"
    path.write_text("\ufeff" + "\n".join([header, *rows]) + "\n", encoding="utf-8")
    import_file(con, path)
    assert dict(con.execute("select region_code, value from raw_cbs__kerncijfers"
                            " where stem = 'IndelingswijzigingGemeenteWijkBuurt'").fetchall()) == {
        "GM0193": 1, "WK019310": 3}
