"""CBS downloads as a gemeente analyst has them after Excel, a browser or a filter touched them:
curly apostrophes in names, Dutch Excel's re-save, a kwb with a title row, one gemeente only."""

from __future__ import annotations

from pathlib import Path

import pytest
from kwb_files import kwb_rows, write_kwb_xlsx
from test_cbs_statline_ages import TITLE_HEADER, title_rows, write

from data_sources.gemeentenamen import gemeente_code_for
from data_sources.jobs import import_cbs_file as import_file

DEN_BOSCH_WIJKEN = [("WK079601", "Wijk 01 Binnenstad", 13000, 1300),
                    ("WK079602", "Wijk 02 ’t Zand", 9000, 900)]


@pytest.mark.parametrize("apostrophe", ["\u2019", "\u2018", "\u02bc"])
def test_a_region_name_with_a_curly_apostrophe_is_the_gemeente(con, tmp_path, apostrophe):
    """03759ned with "’s-Hertogenbosch" (Excel's AutoCorrect, a browser's copy) stored only
    Nederland: the name was no gemeente, and only a note said so."""
    assert gemeente_code_for(f"{apostrophe}s-Gravenhage (gemeente)") == "GM0518"
    rows = title_rows(f"{apostrophe}s-Hertogenbosch (gemeente)") + title_rows("Nederland")
    kind, _, notes = import_file(con, write(tmp_path, TITLE_HEADER, rows, "03759ned_denbosch.csv"))
    assert kind == "bevolking-leeftijd" and notes == []
    assert con.execute("select gemeente_code, count(*) from raw_cbs__population_by_age"
                       " group by all order by 1").fetchall() == [("GM0796", 15), ("NL01", 15)]


def test_kwb_names_with_curly_apostrophes_are_stored_with_the_straight_one(con, tmp_path):
    rows = kwb_rows(("GM0796", "’s-Hertogenbosch"), DEN_BOSCH_WIJKEN)
    import_file(con, write_kwb_xlsx(tmp_path / "kwb-2024.xlsx", rows))
    names = dict(con.execute("select region_code, region_name from regions"
                             " where region_level in ('gemeente', 'wijk')").fetchall())
    assert names == {"GM0796": "'s-Hertogenbosch", "WK079601": "Wijk 01 Binnenstad",
                     "WK079602": "Wijk 02 't Zand"}



def _wijken_geojson(path, gemeente: str):
    import json

    from data_sources.offline_boundaries import bundled_features

    features = [f for f in bundled_features([gemeente]) if f["properties"]["statcode"].startswith("WK")]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path, len(features)


def test_a_geojson_named_with_its_gemeente_code_takes_the_year_not_the_code(con, tmp_path):
    """'GM1900_wijken_2024.geojson' (a QGIS export of Súdwest-Fryslân's wijken) was stored as the
    boundaries of 1900: the map of 2024 had none of them. 32 gemeenten have a code GM19xx."""
    path, count = _wijken_geojson(tmp_path / "GM1900_wijken_2024.geojson", "GM1900")
    kind, _, _ = import_file(con, path)
    assert kind == "geometrie"
    assert con.execute("select year, count(*) from geometries group by all").fetchall() == [(2024, count)]


def test_a_geojson_named_with_only_its_gemeente_code_asks_for_the_year(con, tmp_path):
    from data_sources.errors import InputRefused

    path, _ = _wijken_geojson(tmp_path / "wijken_GM1949.geojson", "GM1949")
    with pytest.raises(InputRefused) as refused:
        import_file(con, path)
    assert refused.value.messages == ["Bestand wijken_GM1949.geojson: het jaar van de grenzen is niet "
                                      "af te leiden uit de naam of de gebieden (jrstatcode); geef "
                                      "het op met --jaar."]
    assert con.execute("select count(*) from geometries").fetchone() == (0,)


def saved_as_workbook(lines: list[str], path, title: str | None = None):
    """A StatLine CSV opened in Excel and saved as a workbook (.xlsx): the figures become numbers,
    '.' and the names stay text; `title`: a line typed above the table."""
    import csv

    import openpyxl

    def cell(value: str):
        for kind in (int, float):
            try:
                return kind(value.strip())
            except ValueError:
                pass
        return value

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = path.stem[:31]
    if title:
        sheet.append([title])
    for number, fields in enumerate(csv.reader(lines, delimiter=";")):
        sheet.append(fields if number == 0 else [cell(value) for value in fields])
    workbook.save(path)
    return path


STATLINE_TITLES = Path(__file__).parent / "fixtures" / "cbs" / "statline_titels_kwb_2024.csv"


@pytest.mark.parametrize("title", [None, "Kerncijfers wijken en buurten 2024"])
def test_a_statline_csv_saved_as_a_workbook_stores_what_the_csv_stores(con, tmp_path, title):
    """Opened in Excel and saved as .xlsx (Excel's own suggestion), the StatLine CSV was refused
    as 'kolom gwb_code_10 (of gwb_code) ontbreekt': a column of the kwb the user never had."""
    stored = ("select region_code, stem, value from raw_cbs__kerncijfers order by all")
    lines = STATLINE_TITLES.read_bytes().decode("utf-8-sig").splitlines()
    import_file(con, STATLINE_TITLES)
    from_csv = con.execute(stored).fetchall()
    con.execute("delete from raw_cbs__kerncijfers")
    path = saved_as_workbook(lines, tmp_path / "Kerncijfers_wijken_en_buurten_2024.xlsx", title)
    kind, _, _ = import_file(con, path)
    assert kind == "kerncijfers"
    assert con.execute(stored).fetchall() == from_csv
    # the secret cell ('.') of the CSV is unknown in the workbook too
    assert ("BU03440101", "JongerenMetJeugdzorgInNatura", None) in from_csv


def test_03759ned_saved_as_a_workbook_gives_the_ages(con, tmp_path):
    rows = title_rows("Súdwest-Fryslân (gemeente)") + title_rows("Nederland")
    path = saved_as_workbook([TITLE_HEADER, *rows], tmp_path / "03759ned_sudwest.xlsx")
    kind, _, notes = import_file(con, path)
    assert (kind, notes) == ("bevolking-leeftijd", [])
    assert con.execute("select gemeente_code, sum(persons) from raw_cbs__population_by_age"
                       " group by all order by 1").fetchall() == [
        ("GM1900", sum(1000 + age for age in range(15))), ("NL01", sum(1000 + age for age in range(15)))]


def test_a_word_in_a_statline_workbook_is_refused_naming_its_region_and_topic(con, tmp_path):
    from data_sources.errors import InputRefused

    lines = STATLINE_TITLES.read_bytes().decode("utf-8-sig").splitlines()
    lines[4] = lines[4].replace('"16925"', '"onbekend"')
    path = saved_as_workbook(lines, tmp_path / "Kerncijfers_wijken_en_buurten_2024.xlsx",
                             "Kerncijfers wijken en buurten 2024")
    with pytest.raises(InputRefused) as refused:
        import_file(con, path)
    assert "regio BU03440102, onderwerp AantalInwoners: 'onbekend' is geen getal" in refused.value.messages[0]
    assert con.execute("select count(*) from loads").fetchone() == (0,)


def test_gemeente_laden_reads_a_statline_csv_saved_as_a_workbook(app_db, analist, tmp_path):
    from conftest import run_page_as_analist as run_page

    lines = STATLINE_TITLES.read_bytes().decode("utf-8-sig").splitlines()
    path = saved_as_workbook(lines, tmp_path / "Kerncijfers_wijken_en_buurten_2024.xlsx")
    at = run_page("gemeente_laden")
    at.file_uploader(key="laden_bestand").set_value(
        (path.name, path.read_bytes(),
         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    at.run()
    next(b for b in at.button if b.label == "Bestand inlezen").click()
    at.run()
    assert not at.exception
    assert [str(e.value) for e in at.error] == []
    assert any(str(s.value).startswith("Kerncijfers_wijken_en_buurten_2024.xlsx") for s in at.success), \
        [str(s.value) for s in at.success]


def _observations_saved_again(folder, *, decimals: bool):
    """Observations.csv of the new CBS open data as Dutch Excel saves it again with the counts
    formatted with thousands separators: '7.115', and (with `decimals`) '0,6' km."""
    path = folder / "Observations.csv"
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    saved = [lines[0]] + [line.replace('"', "").replace(";7115;", ";7.115;")
                          .replace(";0.6;", ";0,6;" if decimals else ";1;")
                          .replace(";0.8;", ";0,8;" if decimals else ";1;") for line in lines[1:]]
    path.write_bytes(("\r\n".join(saved) + "\r\n").encode("cp1252"))


def test_observations_saved_again_with_thousands_separators_keep_their_counts(con, tmp_path):
    """'7.115' inhabitants beside '0,6' km was stored as 7.115 inhabitants."""
    from test_cbs_real_variants import write_download

    folder = write_download(tmp_path / "86165NED")
    _observations_saved_again(folder, decimals=True)
    import_file(con, folder)
    assert con.execute("select region_code, stem, value from raw_cbs__kerncijfers"
                       " where region_code = 'WK019310' order by all").fetchall() == [
        ("WK019310", "AantalInwoners", 7115), ("WK019310", "AfstandTotKinderdagverblijf", 0.6),
        ("WK019310", "AfstandTotSchool", 0.8), ("WK019310", "k_0Tot15Jaar", 450)]


def test_observations_whose_separators_are_unclear_are_refused_naming_region_and_topic(con, tmp_path):
    from test_cbs_real_variants import write_download

    from data_sources.errors import InputRefused

    folder = write_download(tmp_path / "86165NED")
    _observations_saved_again(folder, decimals=False)
    with pytest.raises(InputRefused) as refused:
        import_file(con, folder)
    assert refused.value.messages[0] == (
        "Map 86165NED, regio NL01, onderwerp 'Aantal inwoners': '7.115' is dubbelzinnig: uit het "
        "bestand blijkt niet of '.' hier duizendtallen scheidt of het decimaalteken is; sla het "
        "bestand op zonder scheidingstekens voor duizendtallen.")
    assert refused.value.messages[-1] == "Er is niets opgeslagen."
    assert con.execute("select count(*) from loads").fetchone() == (0,)


def test_a_geopackage_of_one_gemeente_exported_from_qgis_is_read(con, tmp_path):
    """QGIS's 'Opslaan als' GeoPackage names the layer after the file: Súdwest-Fryslân's wijken
    taken out of the wijk- en buurtkaart (its columns wijkcode, wijknaam, gemeentecode, water)
    were refused as a GeoPackage without a layer 'gemeenten' or 'wijken'."""
    import sqlite3

    from test_cbs_geopackage import rd_polygons, write_gpkg

    from data_sources.offline_boundaries import bundled_features

    wijken = [f for f in bundled_features(["GM1900"]) if f["properties"]["statcode"].startswith("WK")]
    path = tmp_path / "wijken_sudwest_fryslan_2024.gpkg"
    write_gpkg(path, {"wijken": [
        (f["properties"]["statcode"], f["properties"]["name"], "GM1900", "Súdwest-Fryslân", "NEE",
         "1000", rd_polygons(f["geometry"])) for f in wijken]})
    layer = "wijken_sudwest_fryslan_2024"
    with sqlite3.connect(path) as gpkg:
        gpkg.execute(f"alter table wijken rename to {layer}")
        for table in ("gpkg_contents", "gpkg_geometry_columns"):
            gpkg.execute(f"update {table} set table_name = ? where table_name = 'wijken'", [layer])
    kind, _, _ = import_file(con, path)
    assert kind == "geometrie"
    assert con.execute("select region_code from geometries where year = 2024 order by 1").fetchall() \
        == sorted((f["properties"]["statcode"],) for f in wijken)
