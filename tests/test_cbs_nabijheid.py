"""CBS Nabijheid voorzieningen as StatLine CSV and as OData: repeated titles kept apart, map indicators."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from conftest import REAL_DATA, app_db_with_files
from kwb_files import write_kwb_xlsx

from data_sources.cbs.columns import NABIJHEID_STEMS
from data_sources.cbs.formats import read_cbs_file
from data_sources.cbs.loading import kerncijfers_frames
from data_sources.jobs import import_cbs_file as import_file

REAL_HEADER = REAL_DATA / "statline_nabijheid_voorzieningen_2023_header.csv"

# Columns in the layout of the real StatLine download (hierarchical titles, units in brackets):
# the region columns, the measures Kindkaart uses, and titles repeated under other groups.
HEADER = [
    "Wijken en buurten", "Regioaanduiding/Gemeentenaam (naam)",
    "Regioaanduiding/Soort regio (omschrijving)", "Regioaanduiding/Codering (code)",
    "Kinderopvang/Kinderdagverblijf/Afstand tot kinderdagverblijf (km)",
    "Kinderopvang/Kinderdagverblijf/Aantal kinderdagverblijven/Binnen 1 km (aantal)",
    "Kinderopvang/Kinderdagverblijf/Aantal kinderdagverblijven/Binnen 3 km (aantal)",
    "Kinderopvang/Buitenschoolse opvang/Afstand tot buitenschoolse opvang (km)",
    "Kinderopvang/Buitenschoolse opvang/Aantal buitenschoolse opvang/Binnen 1 km (aantal)",
    "Kinderopvang/Buitenschoolse opvang/Aantal buitenschoolse opvang/Binnen 3 km (aantal)",
    "Onderwijs/Basisonderwijs/Afstand tot school (km)",
    "Onderwijs/Basisonderwijs/Aantal scholen/Binnen 1 km (aantal)",
    "Onderwijs/Basisonderwijs/Aantal scholen/Binnen 3 km (aantal)",
    "Onderwijs/Voortgezet onderwijs/Voortgezet onderwijs totaal/Afstand tot school (km)",
    "Onderwijs/Voortgezet onderwijs/Vmbo/Afstand tot school (km)",
    "Onderwijs/Voortgezet onderwijs/Havo/vwo/Afstand tot school (km)",
    "Onderwijs/Voortgezet onderwijs/Vmbo/Aantal scholen/Binnen 3  km (aantal)",
]


def padded(value, width=8) -> str:
    return str(value).rjust(width)


def rows() -> list[list[str]]:
    """Nederland, Zwolle and two wijken (made-up values, '.' where CBS has none)."""
    def row(name, gemeente, kind, code, base):
        return [name, gemeente.ljust(40), kind.ljust(10), code.ljust(10),
                *[padded(f"{base + i / 10:.1f}") for i in range(9)],
                padded("2.5"), padded("3.5"), padded("4.5"), padded(".")]
    return [row("Nederland", "Nederland", "Land", "NL00", 0.7),
            row("Zwolle", "Zwolle", "Gemeente", "GM0193", 0.5),
            row("Wijk 10 Binnenstad", "Zwolle", "Wijk", "WK019310", 0.3),
            row("Wijk 22 Stadshagen", "Zwolle", "Wijk", "WK019322", 0.6)]


def write_statline(tmp_path: Path) -> Path:
    text = io.StringIO()
    csv.writer(text, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows([HEADER, *rows()])
    path = tmp_path / "Nabijheid_voorzieningen__afstand_locatie__wijk-_en_buurtcijfers_2023_03122026_080000.csv"
    path.write_text(text.getvalue(), encoding="utf-8-sig")
    return path


def test_statline_csv_keeps_repeated_titles_apart(tmp_path):
    cbs_file = read_cbs_file(write_statline(tmp_path))
    assert cbs_file.kind == "nabijheid"
    regions, values = kerncijfers_frames(cbs_file.table)
    assert set(regions["year"]) == {2023}
    assert dict(zip(regions["region_code"], regions["region_name"], strict=True))["WK019322"] == \
        "Wijk 22 Stadshagen"
    wijk = values[values["region_code"] == "WK019310"]
    got = dict(zip(wijk["stem"], wijk["value"], strict=True))
    # the primary school distance, not one of the three secondary school columns of the same title
    assert got["NabijheidAfstandBasisschool"] == pytest.approx(0.9)
    assert got["NabijheidAfstandKinderdagverblijf"] == pytest.approx(0.3)
    assert got["NabijheidBsoBinnen3Km"] == pytest.approx(0.8)
    assert set(got) == set(NABIJHEID_STEMS)


@pytest.mark.skipif(not REAL_HEADER.exists(), reason="../shared/real_data is niet aanwezig")
def test_the_real_statline_header_maps_every_measure_once():
    from data_sources.cbs.formats import _header_key, _last_title

    with REAL_HEADER.open(encoding="utf-8-sig") as handle:
        header = next(csv.reader(handle, delimiter=";"))
    last_titles = [_last_title(h) for h in header]
    repeated = {t for t in last_titles if last_titles.count(t) > 1}
    keys = [_header_key(h, repeated) for h in header]
    found = [k for k in keys if k in NABIJHEID_STEMS]
    assert sorted(found) == sorted(NABIJHEID_STEMS)  # each exactly once
    assert "Codering_" not in keys and any(k == "Codering" for k in keys)
    assert keys.count("AfstandTotSchool") == 0  # the repeated title never collapses


def test_odata_directory_with_topic_groups(tmp_path):
    # cbsodata layout: DataProperties with TopicGroups (ParentID), TypedDataSet with keys.
    directory = tmp_path / "86134NED"
    directory.mkdir()
    props = [
        {"ID": 0, "ParentID": None, "Type": "GeoDetail", "Key": "WijkenEnBuurten", "Title": "Wijken en buurten"},
        {"ID": 1, "ParentID": None, "Type": "TopicGroup", "Key": "", "Title": "Regioaanduiding"},
        {"ID": 2, "ParentID": 1, "Type": "Topic", "Key": "Codering_3", "Title": "Codering", "Datatype": "String"},
        {"ID": 10, "ParentID": None, "Type": "TopicGroup", "Key": "", "Title": "Onderwijs"},
        {"ID": 11, "ParentID": 10, "Type": "TopicGroup", "Key": "", "Title": "Basisonderwijs"},
        {"ID": 12, "ParentID": 11, "Type": "Topic", "Key": "AfstandTotSchool_60", "Title": "Afstand tot school",
         "Datatype": "Double", "Unit": "km"},
        {"ID": 13, "ParentID": 10, "Type": "TopicGroup", "Key": "", "Title": "Voortgezet onderwijs"},
        {"ID": 14, "ParentID": 13, "Type": "Topic", "Key": "AfstandTotSchool_64", "Title": "Afstand tot school",
         "Datatype": "Double", "Unit": "km"},
        {"ID": 20, "ParentID": None, "Type": "TopicGroup", "Key": "", "Title": "Kinderopvang"},
        {"ID": 21, "ParentID": 20, "Type": "TopicGroup", "Key": "", "Title": "Kinderdagverblijf"},
        {"ID": 22, "ParentID": 21, "Type": "Topic", "Key": "AfstandTotKinderdagverblijf_52",
         "Title": "Afstand tot kinderdagverblijf", "Datatype": "Double", "Unit": "km"},
    ]
    records = [{"ID": 1, "WijkenEnBuurten": "WK019310  ", "Codering_3": "WK019310  ",
                "AfstandTotSchool_60": 0.4, "AfstandTotSchool_64": 2.1, "AfstandTotKinderdagverblijf_52": 0.3}]
    (directory / "DataProperties.json").write_text(json.dumps(props), encoding="utf-8")
    (directory / "TypedDataSet.json").write_text(json.dumps(records), encoding="utf-8")
    (directory / "TableInfos.json").write_text(json.dumps([{
        "Identifier": "86134NED", "Title": "Nabijheid voorzieningen; afstand locatie, wijk- en buurtcijfers 2024",
        "Period": "2024", "Modified": "2025-06-30T02:00:00"}]), encoding="utf-8")
    cbs_file = read_cbs_file(directory)
    assert cbs_file.kind == "nabijheid"
    _, values = kerncijfers_frames(cbs_file.table)
    assert dict(zip(values["stem"], values["value"], strict=True)) == {
        "NabijheidAfstandBasisschool": 0.4, "NabijheidAfstandKinderdagverblijf": 0.3}


def test_nabijheid_and_kwb_make_the_map_indicators(con, tmp_path):
    import_file(con, write_kwb_xlsx(tmp_path / "kwb-2023.xlsx"))
    kind, _, _notes = import_file(con, write_statline(tmp_path))
    assert kind == "nabijheid"
    rows = con.execute("select wijk_code, measure, value, value_source from nabijheid_by_wijk"
                       " where measure in ('afstand_kinderdagverblijf', 'bso_1km') order by 1, 2").fetchall()
    assert [(w, m, round(v, 1), s) for w, m, v, s in rows] == [
        ("WK019310", "afstand_kinderdagverblijf", 0.3, "nabijheid"), ("WK019310", "bso_1km", 0.7, "nabijheid"),
        ("WK019311", "afstand_kinderdagverblijf", 0.6, "kwb"),  # not in the Nabijheid file: the kwb's
        ("WK019322", "afstand_kinderdagverblijf", 0.6, "nabijheid"), ("WK019322", "bso_1km", 1.0, "nabijheid"),
        ("WK019352", "afstand_kinderdagverblijf", 0.6, "kwb")]
    # both loads stay active: a Nabijheid table does not replace the kerncijfers
    assert con.execute("select dataset, status from loads order by load_id").fetchall() == [
        ("kerncijfers", "active"), ("geometrie", "active"), ("nabijheid", "active")]
    assert con.execute("select count(*) from population_by_wijk_age").fetchone()[0] > 0


def test_kaart_offers_the_nabijheid_indicators(tmp_path, monkeypatch):
    from conftest import run_page_as_analist as run_page

    app_db_with_files(tmp_path, monkeypatch, write_kwb_xlsx(tmp_path / "kwb-2023.xlsx"),
                      write_statline(tmp_path))
    at = run_page("kaart")
    indicator = at.selectbox(key="_indicator_choice")
    assert "Afstand tot buitenschoolse opvang (km)" in indicator.options
    indicator.set_value("nabijheid_afstand_bso")
    at.run()
    assert not at.exception
    assert any("Bron: CBS Nabijheid voorzieningen" in str(c.value) for c in at.caption)


# The kwb's own StatLine table (85984NED "met titels") has columns under "Nabijheid voorzieningen"
# too: they are the kwb's columns, the same as in the kwb-<year> download.
KWB_TITLE_COLUMNS = [
    ("Bevolking/Aantal inwoners (aantal)", "a_inw"),
    ("Bevolking/Leeftijdsgroepen/0 tot 15 jaar (aantal)", "a_00_14"),
    ("Bevolking/Particuliere huishoudens/Huishoudens met kinderen (aantal)", "a_hh_m_k"),
    ("Zorg/Jongeren met jeugdzorg in natura (aantal)", "a_jz_tn"),
    ("Zorg/Percentage jongeren met jeugdzorg (%)", "p_jz_tn"),
    ("Nabijheid voorzieningen/Afstand tot kinderdagverblijf (km)", "g_afs_kv"),
    ("Nabijheid voorzieningen/Basisonderwijs/Afstand tot school (km)", "g_afs_sc"),
    ("Nabijheid voorzieningen/Basisonderwijs/Scholen binnen 3 km (aantal)", "g_3km_sc"),
]
KWB_TITLE_ROWS = [  # code, name, recs, values in the order above
    ("GM0193", "Zwolle", "Gemeente", [133141, 22052, 20287, 2427, "11.3", "0.6", "0.7", "12.4"]),
    ("WK019310", "Wijk 10 Binnenstad", "Wijk", [4225, 565, 645, 55, "9.8", "0.3", "0.4", "14.0"]),
    ("WK019311", "Wijk 11 Diezerpoort", "Wijk", [10970, 1925, 1730, ".", ".", "0.4", "0.7", "11.1"]),
]


def write_kwb_titles(tmp_path: Path) -> Path:
    header = ["Wijken en buurten", "Regioaanduiding/Gemeentenaam (naam)",
              "Regioaanduiding/Soort regio (omschrijving)", "Regioaanduiding/Codering (code)",
              *[title for title, _ in KWB_TITLE_COLUMNS]]
    lines = [[name, "Zwolle".ljust(40), recs.ljust(10), code.ljust(10), *[padded(v, 10) for v in values]]
             for code, name, recs, values in KWB_TITLE_ROWS]
    text = io.StringIO()
    csv.writer(text, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows([header, *lines])
    path = tmp_path / "Kerncijfers_wijken_en_buurten_2023_04122025_101010.csv"
    path.write_text(text.getvalue(), encoding="utf-8-sig")
    return path


def write_kwb_short_names(tmp_path: Path) -> Path:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["gwb_code_10", "regio", "gm_naam", "recs", *[short for _, short in KWB_TITLE_COLUMNS]])
    for code, name, recs, values in KWB_TITLE_ROWS:
        sheet.append([code, name, "Zwolle", recs,
                      *[v if v == "." else float(v) for v in values]])
    path = tmp_path / "kwb-2023.xlsx"
    workbook.save(path)
    return path


def test_the_kwb_with_titles_stores_what_the_kwb_download_stores(tmp_path):
    from_titles = read_cbs_file(write_kwb_titles(tmp_path))
    from_xlsx = read_cbs_file(write_kwb_short_names(tmp_path))
    assert from_titles.kind == from_xlsx.kind == "kerncijfers"
    _, titles = kerncijfers_frames(from_titles.table)
    _, xlsx = kerncijfers_frames(from_xlsx.table)

    def values(frame):
        return {(r, s): (None if v != v else v) for r, s, v in
                zip(frame["region_code"], frame["stem"], frame["value"], strict=True)}

    assert values(titles) == values(xlsx)
    assert values(titles)[("WK019310", "AfstandTotSchool")] == pytest.approx(0.4)
    assert values(titles)[("WK019310", "ScholenBinnen3Km")] == pytest.approx(14.0)
    assert not set(titles["stem"]) & NABIJHEID_STEMS


def test_the_kwb_school_distance_does_not_tie_with_the_nabijheid_file(con, tmp_path):
    import_file(con, write_statline(tmp_path), gemeenten=["GM0193"])
    import_file(con, write_kwb_titles(tmp_path), gemeenten=["GM0193"])
    rows = con.execute("select wijk_code, value, value_source from nabijheid_by_wijk"
                       " where measure = 'afstand_basisschool' order by 1").fetchall()
    # the Nabijheid file has Binnenstad (0.9); Diezerpoort only the kwb has (0.7), labelled kwb
    assert [(w, round(v, 1), s) for w, v, s in rows if w in {"WK019310", "WK019311"}] == [
        ("WK019310", 0.9, "nabijheid"), ("WK019311", 0.7, "kwb")]


@pytest.mark.skipif(not (REAL_DATA / "kwb2024_odata_85984NED").exists(),
                    reason="../shared/real_data is niet aanwezig")
def test_every_kwb_title_of_85984ned_gives_the_stem_of_its_short_name():
    from data_sources.cbs.columns import KWB_STEMS
    from data_sources.cbs.formats import _header_key

    props = json.loads((REAL_DATA / "kwb2024_odata_85984NED" / "DataProperties.json").read_text(
        encoding="utf-8"))
    by_id = {p["ID"]: p for p in props}

    def path(prop):
        parts, parent = [prop["Title"]], prop.get("ParentID")
        while parent is not None:
            parts.insert(0, by_id[parent]["Title"])
            parent = by_id[parent].get("ParentID")
        return "/".join(parts) + (f" ({prop['Unit']})" if prop.get("Unit") else "")

    stems = {p["Key"].rsplit("_", 1)[0]: path(p) for p in props if p["Type"] == "Topic"}
    for stem in KWB_STEMS.values():
        assert _header_key(stems[stem], kwb=True) == stem, stems[stem]


@pytest.mark.parametrize(("table_id", "year"), [("85830NED", 2023), ("84718NED", 2019),
                                                ("85231NED", 2021), ("86134NED", 2024)])
def test_a_saved_odata_answer_of_nabijheid_takes_its_year_from_the_table(tmp_path, table_id, year):
    """A saved OData answer (TypedDataSet.json with DataProperties.json beside it) names its table
    in odata.metadata, not its year; the Nabijheid tables of each year are on cbs.nl
    (cbs.nl/nl-nl/cijfers/detail/85830NED: '... wijk- en buurtcijfers 2023'). It was refused
    asking for --jaar."""
    props = [
        {"ID": 0, "ParentID": None, "Type": "GeoDetail", "Key": "WijkenEnBuurten", "Title": "Wijken en buurten"},
        {"ID": 1, "ParentID": None, "Type": "TopicGroup", "Key": "", "Title": "Regioaanduiding"},
        {"ID": 2, "ParentID": 1, "Type": "Topic", "Key": "Codering_3", "Title": "Codering", "Datatype": "String"},
        {"ID": 20, "ParentID": None, "Type": "TopicGroup", "Key": "", "Title": "Kinderopvang"},
        {"ID": 21, "ParentID": 20, "Type": "TopicGroup", "Key": "", "Title": "Kinderdagverblijf"},
        {"ID": 22, "ParentID": 21, "Type": "Topic", "Key": "AfstandTotKinderdagverblijf_52",
         "Title": "Afstand tot kinderdagverblijf", "Datatype": "Double", "Unit": "km"},
    ]
    (tmp_path / "DataProperties.json").write_text(json.dumps(props), encoding="utf-8")
    path = tmp_path / "TypedDataSet.json"
    path.write_text(json.dumps({
        "odata.metadata": f"https://opendata.cbs.nl/ODataApi/OData/{table_id}/$metadata#Cbs.OData.WebAPI.TypedDataSet",
        "value": [{"ID": 0, "WijkenEnBuurten": "WK019310  ", "Codering_3": "WK019310  ",
                   "AfstandTotKinderdagverblijf_52": 0.3}]}), encoding="utf-8")
    cbs_file = read_cbs_file(path)
    assert cbs_file.kind == "nabijheid"
    regions, values = kerncijfers_frames(cbs_file.table)
    assert set(regions["year"]) == {year}
    assert dict(zip(values["stem"], values["value"], strict=True)) == {"NabijheidAfstandKinderdagverblijf": 0.3}


def test_nabijheid_alone_is_not_called_a_kwb_file_without_the_ages(tmp_path, monkeypatch):
    # before: "Het geladen kwb-bestand van 2023 heeft per wijk wel andere kolommen, maar niet
    # a_00_14" where no kwb file was loaded, only Nabijheid voorzieningen
    from conftest import run_page_as_analist as run_page

    app_db_with_files(tmp_path, monkeypatch, write_statline(tmp_path))
    at = run_page()
    assert not at.exception
    warnings = " ".join(str(w.value) for w in at.warning)
    assert ("Voor Zwolle in 2023 ontbreekt het aantal kinderen van 0 tot 15 jaar per wijk (CBS "
            "Kerncijfers wijken en buurten 2023, bestand kwb-2023.xlsx van cbs.nl, kolom a_00_14)."
            in warnings)
    assert "Het geladen kwb-bestand" not in warnings
