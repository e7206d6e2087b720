"""Reading every CBS download format: padding, secret values, suffix drift, missing columns."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from data_sources import cli
from data_sources.cbs.formats import read_cbs_file
from data_sources.cbs.loading import kerncijfers_frames, population_by_age_frame
from data_sources.cbs.odata import read_table_dir
from data_sources.errors import InputRefused
from data_sources.jobs import import_cbs_file as import_file

FIXTURES = Path(__file__).parent / "fixtures" / "cbs"


def values_of(cbs_file, region: str) -> dict:
    _, values = kerncijfers_frames(cbs_file.table)
    rows = values[values["region_code"] == region]
    return {stem: None if pd.isna(value) else value
            for stem, value in zip(rows["stem"], rows["value"], strict=True)}


@pytest.mark.parametrize("source", [
    "odata_v3/85984NED", "untyped_85984NED", "statline_85984NED.csv",
    "odata_85984NED_TypedDataSet.json", "kerncijfers_2024_bare.json",
])
def test_every_odata_shape_gives_the_same_values(source):
    cbs_file = read_cbs_file(FIXTURES / source)
    assert cbs_file.kind == "kerncijfers"
    wijk = values_of(cbs_file, "WK034402")
    assert wijk["k_0Tot15Jaar"] == 6010
    assert wijk["JongerenMetJeugdzorgInNatura"] == 640
    assert wijk["PercentageJongerenMetJeugdzorg"] == pytest.approx(11.9)
    secret = values_of(cbs_file, "BU03440101")
    assert secret["JongerenMetJeugdzorgInNatura"] is None  # '.' / null = secret
    assert secret["k_0Tot15Jaar"] == 185


def test_padding_is_stripped_and_names_come_from_the_dimension():
    regions, _ = kerncijfers_frames(read_table_dir(FIXTURES / "odata_v3/85984NED"))
    wijk = regions[regions["region_code"] == "WK034401"].iloc[0]
    assert (wijk["region_name"], wijk["gemeente_code"], wijk["wijk_code"]) == (
        "Binnenstad", "GM0344", "WK034401")
    assert "NL00" not in set(regions["region_code"])
    assert regions["region_code"].str.len().max() == 10
    assert not regions["region_name"].str.endswith(" ").any()


def test_suffix_drift_resolves_to_the_same_stems():
    table_2023 = read_table_dir(FIXTURES / "odata_v3/85618NED")
    table_2024 = read_table_dir(FIXTURES / "odata_v3/85984NED")
    assert table_2023.topic_keys()["JongerenMetJeugdzorgInNatura"] == \
        "JongerenMetJeugdzorgInNatura_91"
    assert table_2024.topic_keys()["JongerenMetJeugdzorgInNatura"] == \
        "JongerenMetJeugdzorgInNatura_98"
    _, values_2023 = kerncijfers_frames(table_2023)
    assert set(values_2023["year"]) == {2023}
    assert "JongerenMetJeugdzorgInNatura" in set(values_2023["stem"])
    # A column the 2023 table lacks is simply absent, not an error.
    assert "LeerlingenPo" not in set(values_2023["stem"])


def test_statline_csv_with_titles_as_headers():
    cbs_file = read_cbs_file(FIXTURES / "statline_titels_kwb_2024.csv")
    regions, values = kerncijfers_frames(cbs_file.table)
    assert set(regions["year"]) == {2024}
    names = dict(zip(regions["region_code"], regions["region_name"], strict=True))
    assert names["WK034403"] == "Leidsche Rijn"
    wijk = values[values["region_code"] == "WK034403"]
    assert dict(zip(wijk["stem"], wijk["value"], strict=True)) == {
        "AantalInwoners": 61500, "k_0Tot15Jaar": 14990, "JongerenMetJeugdzorgInNatura": 1250}


def test_kwb_csv_maps_short_names_and_decimal_commas():
    cbs_file = read_cbs_file(FIXTURES / "kwb-2024.csv")
    assert cbs_file.table.table_id == "kwb-2024"
    wijk = values_of(cbs_file, "WK034401")
    assert wijk == {"AantalInwoners": 21045, "k_0Tot15Jaar": 1205,
                    "HuishoudensMetKinderen": 1010, "JongerenMetJeugdzorgInNatura": 95,
                    "PercentageJongerenMetJeugdzorg": 8.2, "AfstandTotKinderdagverblijf": 0.3,
                    "AfstandTotSchool": 0.6, "MateVanStedelijkheid": 1,
                    # ind_wbi: CBS's mark of a changed indeling (Trends breaks a line on a 3)
                    "IndelingswijzigingGemeenteWijkBuurt": 1}
    assert values_of(cbs_file, "BU03440101")["JongerenMetJeugdzorgInNatura"] is None


def _kwb_rows() -> list[list[str]]:
    with (FIXTURES / "kwb-2024.csv").open(encoding="utf-8") as handle:
        return list(csv.reader(handle, delimiter=";"))


def test_kwb_xlsx_with_numbers_and_secret_cells(tmp_path):
    rows = _kwb_rows()
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(rows[0])
    for row in rows[1:]:
        # Excel holds numbers as numbers; secret cells stay '.'
        sheet.append([float(v.replace(",", ".")) if v.replace(",", "").isdigit() and i >= 7
                      else v for i, v in enumerate(row)])
    path = tmp_path / "kwb-2024.xlsx"
    workbook.save(path)
    cbs_file = read_cbs_file(path)
    assert values_of(cbs_file, "WK034402")["k_0Tot15Jaar"] == 6010
    assert values_of(cbs_file, "WK034402")["AfstandTotKinderdagverblijf"] == 0.4
    assert values_of(cbs_file, "BU03440101")["PercentageJongerenMetJeugdzorg"] is None


def test_kwb_without_code_column_is_refused(tmp_path):
    rows = _kwb_rows()
    path = tmp_path / "kwb-2024.csv"
    path.write_text("\n".join(";".join(r[2:5] + r[6:]) for r in rows), encoding="utf-8")
    with pytest.raises(InputRefused) as refused:
        read_cbs_file(path)
    assert refused.value.messages == [
        "Bestand kwb-2024.csv: kolom gwb_code_10 (of gwb_code) ontbreekt."]


def test_kwb_bad_cells_name_row_and_column(tmp_path):
    rows = _kwb_rows()
    rows[3][8] = "veel"  # a_00_14 of WK034401, spreadsheet row 4
    rows[4][0] = "XX12"
    path = tmp_path / "kwb-2024.csv"
    path.write_text("\n".join(";".join(r) for r in rows), encoding="utf-8")
    with pytest.raises(InputRefused) as refused:
        read_cbs_file(path)
    assert refused.value.messages == [
        "Bestand kwb-2024.csv, rij 4, kolom a_00_14: 'veel' is geen getal.",
        "Bestand kwb-2024.csv, rij 5, kolom gwb_code_10: 'XX12' is geen CBS-regiocode "
        "(GM0344, WK034401 of BU03440101).",
    ]


def test_kwb_without_year_in_name_needs_jaar(tmp_path):
    path = tmp_path / "wijkcijfers.csv"
    shutil.copy(FIXTURES / "kwb-2024.csv", path)
    with pytest.raises(InputRefused) as refused:
        read_cbs_file(path)
    assert "geef het op met --jaar" in refused.value.messages[0]
    assert read_cbs_file(path, year=2022).table.period == "2022"


def test_population_by_age_without_dimension_files(tmp_path):
    # Only codes (T001038, 10010, 10100, ...) when the dimension files were not saved.
    directory = tmp_path / "03759ned"
    shutil.copytree(FIXTURES / "odata_v3/03759ned", directory)
    for name in ("Leeftijd", "Geslacht", "BurgerlijkeStaat", "RegioS"):
        (directory / f"{name}.json").unlink()
    frame = population_by_age_frame(read_table_dir(directory), ["GM0344"])
    with_titles = population_by_age_frame(read_table_dir(FIXTURES / "odata_v3/03759ned"),
                                          ["GM0344"])
    assert frame.sort_values(["year", "age"]).values.tolist() == \
        with_titles.sort_values(["year", "age"]).values.tolist()
    assert sorted(frame["age"].unique()) == list(range(14))  # totals and 0-5 group left out


@pytest.mark.parametrize("name, content, expected", [
    ("notities.txt", "hallo wereld\n", "dit is geen tabel"),
    ("leeg.json", "{}", "geen lijst met CBS-rijen"),
    ("kapot.json", "{niet json", "geen geldige JSON"),
    ("foto.png", "x", "dit bestandstype (.png) kan niet worden gelezen"),
])
def test_unknown_files_are_refused(tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputRefused) as refused:
        read_cbs_file(path)
    assert expected in " ".join(refused.value.messages)


def test_import_cbs_command_refuses_unknown_file_with_exit_1(tmp_path, capsys):
    path = tmp_path / "iets.json"
    path.write_text(json.dumps([{"a": 1}]), encoding="utf-8")
    db = tmp_path / "k.duckdb"
    assert cli.main(["import-cbs", str(path), "--db", str(db)]) == 1
    assert "iets.json: geen regiocodes" in capsys.readouterr().out
    from data_sources import store

    con = store.connect(db)
    assert con.execute("select count(*) from loads").fetchone()[0] == 0


def test_import_one_gemeente_of_a_national_file(con):
    kind, load_ids, _notes = import_file(con, FIXTURES / "kwb-2024.csv", gemeenten=["GM0345"])
    assert kind == "kerncijfers" and len(load_ids) == 1
    assert con.execute("select distinct gemeente_code from regions").fetchall() == [("GM0345",)]
    retrieved = con.execute("select retrieved_at, file_name, file_hash is not null from loads"
                            ).fetchone()
    assert retrieved[0] is not None and retrieved[1:] == ("kwb-2024.csv", True)


def test_years_before_and_after_a_boundary_change(con):
    import_file(con, FIXTURES / "kwb-2021.csv")
    import_file(con, FIXTURES / "kwb-2024.csv")
    regions = con.execute(
        "select year, region_code, gemeente_code from regions where region_name = 'Oudedorp'"
        " order by year").fetchall()
    assert regions == [(2021, "WK999801", "GM9998"), (2024, "WK034404", "GM0344")]
    gemeenten = con.execute("select year, count(*) from regions where region_level = 'gemeente'"
                            " group by year order by year").fetchall()
    assert gemeenten == [(2021, 3), (2024, 2)]
    # Re-importing 2024 replaces 2024 only; 2021 stays.
    import_file(con, FIXTURES / "kwb-2024.csv")
    assert con.execute("select count(*) from loads where status = 'active' and year = 2021"
                       ).fetchone()[0] == 3


def test_jeugdmonitor_directory_is_stored_long(con):
    kind, _, _notes = import_file(con, FIXTURES / "odata_v3/85685NED", gemeenten=["GM0344"])
    assert kind == "jeugdzorg-wijk"
    rows = con.execute(
        "select stem, value from stg_cbs__jeugdzorg where region_code = 'WK034403'"
        " and year = 2023 order by stem").fetchall()
    assert rows == [("Jeugdbescherming", 88.0), ("JeugdhulpMetVerblijf", 62.0),
                    ("JeugdhulpZonderVerblijf", 1000.0), ("JongerenMetJeugdzorg", 1250.0)]


def test_estimate_after_import_of_kerncijfers_and_ages(con):
    import_file(con, FIXTURES / "statline_85984NED.csv")
    import_file(con, FIXTURES / "odata_v3/03759ned")
    rows = con.execute(
        "select wijk_code, sum(children), min(population_source) from population_by_wijk_age"
        " where gemeente_code = 'GM0344' and year = 2024 group by wijk_code order by wijk_code"
    ).fetchall()
    ages_0_11 = 1420 + 1455 + 1470 + 1490 + 1525 + 1510 + 1490 + 1485 + 1450 + 1440 + 1430 + 1415
    assert sum(r[1] for r in rows) == pytest.approx(ages_0_11)
    young = {"WK034401": 1205, "WK034402": 6010, "WK034403": 14990}
    for wijk, children, source in rows:
        assert source == "cbs-schatting"
        assert children == pytest.approx(ages_0_11 * young[wijk] / sum(young.values()))


def test_import_boundaries_from_geojson(con, tmp_path):
    path = tmp_path / "wijken_2024.geojson"
    shutil.copy(FIXTURES / "pdok/wijk_gegeneraliseerd.json", path)
    kind, load_ids, _notes = import_file(con, path, gemeenten=["GM0344"])
    assert kind == "geometrie" and len(load_ids) == 1
    stored = con.execute("select region_code from geometries where year = 2024 order by 1"
                         ).fetchall()
    assert stored == [("WK034401",), ("WK034402",), ("WK034403",)]
    assert con.execute("select source, file_name from loads").fetchone() == (
        "pdok", "wijken_2024.geojson")


def test_import_postcode_file(con, tmp_path):
    path = tmp_path / "pc6hnr20240801_gwb.csv"
    path.write_text("PC6;Huisnummer;Buurt2024;Wijk2024;Gemeente2024\n"
                    "3511AA;1;03440101;034401;0344\n3511AA;2;03440101;034401;0344\n"
                    "3511AB;1;03440102;034401;0344\n3901AA;1;03450101;034501;0345\n",
                    encoding="utf-8")
    kind, _, _notes = import_file(con, path, gemeenten=["GM0344"])
    assert kind == "postcodes"
    assert con.execute("select year, pc6, buurt_code, wijk_code, gemeente_code from postcodes"
                       " order by pc6").fetchall() == [
        (2024, "3511AA", "BU03440101", "WK034401", "GM0344"),
        (2024, "3511AB", "BU03440102", "WK034401", "GM0344")]


@pytest.mark.parametrize("codes", ["BU03440101;WK034401;GM0344", "3440101;34401;344"])
def test_postcode_codes_with_their_prefix_or_without_leading_zeros_are_those_codes(con, tmp_path, codes):
    """A copy with the codes as the kwb writes them (GM0344) was stored as 'GMGM03', 'WKWK0344',
    'BUBU034401': every postcode in a gemeente that does not exist, and with --gemeente 'Geen
    postcodes gevonden'. Excel drops the leading zeros of CBS's own digits ('344')."""
    path = tmp_path / "pc6hnr20240801_gwb.csv"
    path.write_text(f"PC6;Huisnummer;Buurt2024;Wijk2024;Gemeente2024\n3511AA;1;{codes}\n",
                    encoding="utf-8")
    import_file(con, path, gemeenten=["GM0344"])
    assert con.execute("select pc6, buurt_code, wijk_code, gemeente_code from postcodes").fetchall() == [
        ("3511AA", "BU03440101", "WK034401", "GM0344")]


def test_postcode_codes_that_are_no_cbs_codes_are_refused_naming_column_and_value(con, tmp_path):
    path = tmp_path / "pc6hnr20240801_gwb.csv"
    path.write_text("PC6;Huisnummer;Buurt2024;Wijk2024;Gemeente2024\n3511AA;1;03440101;Binnenstad;0344\n",
                    encoding="utf-8")
    with pytest.raises(InputRefused) as refused:
        import_file(con, path)
    assert refused.value.messages == [
        "Bestand pc6hnr20240801_gwb.csv, kolom Wijk2024: 1 postcode(s) met een code die geen "
        "CBS-code is (bijvoorbeeld bij 3511AA: 'Binnenstad'); verwacht 6 cijfers (036300) of WK met "
        "6 cijfers. Er is niets opgeslagen."]
    assert con.execute("select count(*) from loads").fetchone() == (0,)


@pytest.mark.parametrize("form", ["csv", "xlsx below a title"])
def test_an_lrk_export_read_as_a_cbs_file_is_refused_saying_where_it_goes(con, tmp_path, form):
    """The register's export on the wrong button was refused for what a CBS file lacks ('geen kolom
    met regiocodes', 'kolom gwb_code_10 ontbreekt'), not for what it is."""
    import openpyxl

    header = ["lrk_id", "type_oko", "actuele_naam_oko", "aantal_kindplaatsen", "status",
              "opvanglocatie_postcode"]
    row = ["100000000001", "KDV", "De Boomhut", "48", "Ingeschreven", "1234AB"]
    if form == "csv":
        path = tmp_path / "export_opendata_lrk.csv"
        path.write_text(";".join(header) + "\n" + ";".join(row) + "\n", encoding="cp1252")
    else:
        path = tmp_path / "export_opendata_lrk.xlsx"
        book = openpyxl.Workbook()
        for cells in (["LRK-export, juni 2024"], [], header, row):
            book.active.append(cells)
        book.save(path)
    with pytest.raises(InputRefused) as refused:
        import_file(con, path)
    assert refused.value.messages == [
        f"Bestand {path.name} is een export van het Landelijk Register Kinderopvang, geen "
        "CBS-bestand: lees hem in op de pagina Gemeente laden onder LRK-export inlezen, of met "
        "python -m data_sources import-lrk. Er is niets opgeslagen."]


def test_the_postcode_file_saved_as_a_workbook_is_refused_saying_how_to_read_it(con, tmp_path):
    import openpyxl

    path = tmp_path / "pc6hnr20240801_gwb.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["PC6", "Huisnummer", "Buurt2024", "Wijk2024", "Gemeente2024"])
    book.active.append(["3511AA", 1, 3440101, 34401, 344])
    book.save(path)
    with pytest.raises(InputRefused, match=r"pc6hnr20240801_gwb.xlsx is het postcodebestand van CBS, "
                                           r"opgeslagen als werkmap: Kindkaart leest het zoals CBS het "
                                           r"publiceert, als zip of als de CSV eruit"):
        import_file(con, path)
    assert con.execute("select count(*) from loads").fetchone() == (0,)


def test_import_cbs_command_reports_what_was_stored(tmp_path, capsys):
    db = tmp_path / "k.duckdb"
    assert cli.main(["import-cbs", str(FIXTURES / "kwb-2024.csv"), "--gemeente", "GM0344",
                     "--db", str(db)]) == 0
    assert capsys.readouterr().out.strip() == (
        "kwb-2024.csv: kerncijfers (2024) ingelezen voor 1 gemeente(n): 81 cijfers (gebied × kenmerk).\n"
        # only informs (the other gemeente was left out as asked): no 'Let op:'
        "Het bestand heeft ook 1 andere gemeente(n) (GM0345); alleen de gekozen "
        "gemeente(n) zijn opgeslagen, van de andere niets.")


def test_gemeente_outlines_do_not_replace_wijk_boundaries(con, tmp_path):
    wijken = tmp_path / "wijken_2024.geojson"
    shutil.copy(FIXTURES / "pdok/wijk_gegeneraliseerd.json", wijken)
    import_file(con, wijken, gemeenten=["GM0344"])
    outline = {"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"statcode": "GM0344"},
        "geometry": {"type": "Polygon", "coordinates": [[[5.0, 52.0], [5.2, 52.0], [5.2, 52.2],
                                                          [5.0, 52.0]]]}}]}
    gemeente = tmp_path / "gemeenten_2024.geojson"
    gemeente.write_text(json.dumps(outline), encoding="utf-8")
    import_file(con, gemeente, gemeenten=["GM0344"])
    assert con.execute("select file_name, status from loads order by load_id").fetchall() == [
        ("wijken_2024.geojson", "active"), ("gemeenten_2024.geojson", "active")]
    assert con.execute("select count(*) from geometries where region_level = 'wijk'").fetchone() == (3,)
    # the wijk layer again replaces the wijk layer
    import_file(con, wijken, gemeenten=["GM0344"])
    assert con.execute("select file_name, status from loads order by load_id").fetchall() == [
        ("wijken_2024.geojson", "superseded"), ("gemeenten_2024.geojson", "active"),
        ("wijken_2024.geojson", "active")]


def _postcode_zip(path, members: dict[str, str]):
    import zipfile

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return path


def test_the_postcode_zip_as_cbs_publishes_it_is_read(con, tmp_path):
    """CBS's download is a zip: the postcode file beside lists of names. It is read as the CSV
    in it; the most addresses decide a PC6's buurt, and codes get their prefix and zeros."""
    path = _postcode_zip(tmp_path / "pc6hnr20240801_gwb.zip", {
        "pc6hnr20240801_gwb.csv": "PC6;Huisnummer;Buurt2024;Wijk2024;Gemeente2024\n"
                                  "3511AA;1;3440101;34401;344\n3511AA;2;03440102;034401;0344\n"
                                  "3511AA;3;03440102;034401;0344\n3901AA;1;03450101;034501;0345\n",
        "gem2024.csv": "GM2024;GM_NAAM\n0344;Utrecht\n",
        "wijk2024.csv": "WK2024;WK_NAAM\n034401;Binnenstad\n",
    })
    kind, _, _notes = import_file(con, path, gemeenten=["GM0344"])
    assert kind == "postcodes"
    assert con.execute("select year, pc6, buurt_code, wijk_code, gemeente_code from postcodes").fetchall() == [
        (2024, "3511AA", "BU03440102", "WK034401", "GM0344")]
    assert con.execute("select file_name from loads where dataset = 'postcodes'").fetchone() == (
        "pc6hnr20240801_gwb.zip",)


def test_a_zip_without_a_postcode_file_or_damaged_is_refused_in_dutch(con, tmp_path):
    two = _postcode_zip(tmp_path / "postcodes.zip", {"pc6_a.csv": "PC6\n", "pc6_b.csv": "PC6\n"})
    with pytest.raises(InputRefused, match="meer dan één postcodebestand"):
        import_file(con, two)
    # the same name in two folders: named by their paths
    folders = _postcode_zip(tmp_path / "pc6hnr20240801_gwb.zip", {"2024/pc6hnr20240801_gwb.csv": "PC6\n",
                                                                  "oud/pc6hnr20240801_gwb.csv": "PC6\n"})
    with pytest.raises(InputRefused) as refused:
        import_file(con, folders)
    assert refused.value.messages == [
        "Bestand pc6hnr20240801_gwb.zip: de zip bevat meer dan één postcodebestand "
        "(2024/pc6hnr20240801_gwb.csv, oud/pc6hnr20240801_gwb.csv); pak het juiste uit en lees dat "
        "in. Er is niets opgeslagen."]
    damaged = tmp_path / "pc6hnr20240801_gwb.zip"
    damaged.write_bytes(_postcode_zip(tmp_path / "whole.zip", {
        "pc6hnr20240801_gwb.csv": "PC6;Huisnummer;Buurt2024;Wijk2024;Gemeente2024\n" * 2000,
    }).read_bytes()[:400])
    with pytest.raises(InputRefused) as refused:
        import_file(con, damaged)
    assert refused.value.messages[0].startswith(
        "Bestand pc6hnr20240801_gwb.zip: de zip is beschadigd en kan niet worden gelezen")
    # (a zip of one GeoJSON is read as that GeoJSON: test_cbs_geojson)
    other = _postcode_zip(tmp_path / "kaarten.zip", {"wijken.docx": "{}"})
    with pytest.raises(InputRefused, match=r"dit bestandstype \(\.zip\) kan niet worden gelezen"):
        import_file(con, other)
    assert con.execute("select count(*) from loads").fetchone() == (0,)


@pytest.mark.parametrize(("rows", "said"), [
    ("3511AA;1;03440101;034401;0344;extra\n",
     "rij 2 heeft 6 velden waar de kopregel er 5 heeft (een scheidingsteken te veel of te weinig?)"),
    ("3511AA;1;03440101;034401;0344\n3511AB;1\n",
     "rij 3 heeft 2 velden waar de kopregel er 5 heeft (een scheidingsteken te veel of te weinig?)"),
    ('"3511AA;1;03440101;034401;0344\n', 'rij 2 heeft een aanhalingsteken (") dat niet wordt gesloten'),
])
def test_a_broken_postcode_file_is_refused_naming_the_row(con, tmp_path, rows, said):
    path = tmp_path / "pc6hnr20240801_gwb.csv"
    path.write_text("PC6;Huisnummer;Buurt2024;Wijk2024;Gemeente2024\n" + rows, encoding="utf-8")
    with pytest.raises(InputRefused) as refused:
        import_file(con, path)
    assert refused.value.messages == [
        f"Bestand pc6hnr20240801_gwb.csv: niet leesbaar als postcodebestand: {said}."]
    path.write_text("PC6;Huisnummer;Buurt2024;Wijk2024;Gemeente2024\n", encoding="utf-8")
    with pytest.raises(InputRefused, match="Geen postcodes gevonden in het bestand"):
        import_file(con, path)
    assert con.execute("select count(*) from loads").fetchone() == (0,)


@pytest.mark.parametrize(("name", "said"), [
    ("kwb-2024.csv", "GM0363 staat niet in het bestand (wel: GM0344 Utrecht, GM0345 Veenendaal)."),
    ("statline_85984NED.csv", "GM0363 staat niet in het bestand (wel: GM0344 Utrecht, GM0345 Veenendaal)."),
])
def test_a_gemeente_not_in_a_kerncijfers_file_is_named(con, name, said):
    with pytest.raises(InputRefused) as refused:
        import_file(con, FIXTURES / name, gemeenten=["GM0363"])
    assert refused.value.messages == [f"Bestand {name}: {said}"]
    assert con.execute("select count(*) from loads").fetchone() == (0,)


def test_boundaries_of_a_gemeente_not_in_the_file_are_refused_by_name(con, tmp_path):
    path = tmp_path / "wijken_2024.geojson"
    shutil.copy(FIXTURES / "pdok/wijk_gegeneraliseerd.json", path)
    with pytest.raises(InputRefused) as refused:
        import_file(con, path, gemeenten=["GM0193"])
    assert refused.value.messages == [
        "Bestand wijken_2024.geojson: GM0193 staat niet in het bestand (wel: GM0344 Utrecht, "
        "GM0345 Veenendaal)."]


def test_jeugdmonitor_word_in_a_column_of_numbers_is_refused(con, tmp_path):
    """As in every CBS reader: a word that is neither a number nor a CBS symbol is refused with
    table, region and topic, not read as unknown (before, the Jeugdmonitor read it silently)."""
    folder = tmp_path / "85685NED"
    shutil.copytree(FIXTURES / "odata_v3/85685NED", folder)
    records = json.loads((folder / "TypedDataSet.json").read_text(encoding="utf-8"))
    rows = records["value"] if isinstance(records, dict) else records
    target = next(r for r in rows if str(r.get("WijkenEnBuurten", "")).strip() == "WK034403")
    key = next(k for k in target if k.startswith("Jeugdbescherming"))
    target[key] = "n.v.t."
    (folder / "TypedDataSet.json").write_text(json.dumps(records), encoding="utf-8")
    with pytest.raises(InputRefused) as refused:
        import_file(con, folder, gemeenten=["GM0344"])
    message = " ".join(refused.value.messages)
    assert "WK034403" in message and key in message and "'n.v.t.' is geen getal" in message
    assert con.execute("select count(*) from raw_cbs__jeugdzorg").fetchone()[0] == 0


def _tabelindeling(path: Path, *, units: bool = True, codering: bool = True, repeat: bool = True,
                   years: tuple[str, ...] = (), footer_as_wide: bool = False) -> Path:
    """The kwb titles fixture as StatLine's 'CSV volgens tabelindeling' lays it out: a title
    line, the column titles over several rows (group, subgroup, title; the unit below them), the
    row dimension's name at the bottom left, the figures, an empty line and 'Bron: CBS'. `years`:
    a row of Perioden above the titles (one column per year and topic); `repeat`: a group's
    name over each of its columns, or only over its first (a merged cell)."""
    import io
    import re

    with (FIXTURES / "statline_titels_kwb_2024.csv").open(encoding="utf-8-sig") as handle:
        header, *rows = list(csv.reader(handle, delimiter=";"))
    columns = []
    for index, title in enumerate(header):
        path_part, unit = re.fullmatch(r"(.*?)(?: \((.*)\))?", title).groups()
        if codering or "Codering" not in path_part:
            columns.append((index, path_part.split("/"), unit or ""))
    per_year = years or ("",)
    depth = max(len(parts) for _, parts, _ in columns[1:])
    out = io.StringIO()
    out.write('"Kerncijfers wijken en buurten 2024"\r\n')
    writer = csv.writer(out, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    if years:
        writer.writerow(["Perioden"] + [y for _, _, _ in columns[1:] for y in per_year])
    for level in range(depth):
        cells, above = [""], None
        for _, parts, _ in columns[1:]:
            for _ in per_year:
                cell = parts[level] if level < len(parts) else ""
                cells.append(cell if repeat or cell != above or level == depth - 1 else "")
                above = cell
        writer.writerow(cells)
    if units:
        writer.writerow(["Wijken en buurten"] + [u for _, _, u in columns[1:] for _ in per_year])
    else:
        writer.writerow(["Wijken en buurten"] + [""] * (len(columns[1:]) * len(per_year)))
    for row in rows:
        writer.writerow([row[0]] + [row[i] for i, _, _ in columns[1:] for _ in per_year])
    out.write("\r\n" + ('"Bron: CBS"' + ';""' * (len(columns) - 1) if footer_as_wide
                        else '"Bron: CBS"') + "\r\n")
    path.write_text(out.getvalue(), encoding="utf-8-sig")
    return path


@pytest.mark.parametrize("layout", [{}, {"units": False}, {"repeat": False}, {"footer_as_wide": True}])
def test_a_statline_table_volgens_tabelindeling_is_read_as_the_flat_csv(tmp_path, layout):
    """Before: its first header row ('Regioaanduiding', 'Bevolking') was taken for the header
    and the file refused as having no column of region codes, though Codering was there."""
    flat = read_cbs_file(FIXTURES / "statline_titels_kwb_2024.csv")
    table = read_cbs_file(_tabelindeling(tmp_path / "Kerncijfers_wijken_en_buurten_2024.csv",
                                         **layout))
    assert table.kind == "kerncijfers"
    for got, expected in zip(kerncijfers_frames(table.table), kerncijfers_frames(flat.table),
                             strict=True):
        pd.testing.assert_frame_equal(got.reset_index(drop=True), expected.reset_index(drop=True))
    assert values_of(table, "WK034403") == {
        "AantalInwoners": 61500, "k_0Tot15Jaar": 14990, "JongerenMetJeugdzorgInNatura": 1250}


def test_a_tabelindeling_with_one_year_takes_it_from_its_header_and_is_stored(con, tmp_path):
    path = _tabelindeling(tmp_path / "Kerncijfers_wijken_en_buurten.csv", years=("2024",))
    stored = import_file(con, path, gemeenten=["GM0344"])
    assert stored.kind == "kerncijfers"
    assert con.execute("select year, value from raw_cbs__kerncijfers where region_code = 'WK034403'"
                       " and stem = 'k_0Tot15Jaar'").fetchall() == [(2024, 14990.0)]


def test_a_tabelindeling_without_codering_names_the_layout_and_what_is_missing(con, tmp_path):
    path = _tabelindeling(tmp_path / "Kerncijfers_wijken_en_buurten_2024.csv", codering=False)
    with pytest.raises(InputRefused) as refused:
        import_file(con, path, gemeenten=["GM0344"])
    messages = refused.value.messages
    assert messages[0] == (
        "Bestand Kerncijfers_wijken_en_buurten_2024.csv is een StatLine-tabel 'CSV volgens "
        "tabelindeling' (4 kopregels boven de gegevens); Kindkaart heeft de kopregels per kolom "
        "samengevoegd.")
    assert "de kolom Codering (Regioaanduiding/Codering) ontbreekt" in messages[1]
    assert messages[-1].startswith("Download de tabel anders opnieuw als 'CSV zonder "
                                   "statistische symbolen'")
    assert con.execute("select count(*) from raw_cbs__kerncijfers").fetchone() == (0,)


def test_a_tabelindeling_with_years_side_by_side_is_refused_naming_them(con, tmp_path):
    path = _tabelindeling(tmp_path / "Kerncijfers_wijken_en_buurten.csv", years=("2023", "2024"))
    with pytest.raises(InputRefused) as refused:
        import_file(con, path, gemeenten=["GM0344"])
    assert refused.value.messages == [
        "Bestand Kerncijfers_wijken_en_buurten.csv is een StatLine-tabel 'CSV volgens "
        "tabelindeling' met de jaren 2023, 2024 naast elkaar in de kolommen; Kindkaart leest één "
        "jaar per bestand. Er is niets opgeslagen. Download de tabel opnieuw als 'CSV zonder "
        "statistische symbolen' (één kopregel met de titels, zoals 'Bevolking/Aantal inwoners "
        "(aantal)'), één jaar per bestand."]


def test_a_tabelindeling_whose_rows_read_two_ways_is_refused_naming_the_column(con, tmp_path):
    """'Aantal inwoners' above '0 tot 15 jaar': a title with its subtitle (0 tot 15 jaar) or a
    title with its unit (aantal inwoners)? Read either way it would store one figure as the other."""
    path = tmp_path / "Kerncijfers_wijken_en_buurten_2024.csv"
    path.write_text(
        '"Kerncijfers wijken en buurten 2024"\r\n'
        '"";"Regioaanduiding";"Aantal inwoners"\r\n'
        '"Wijken en buurten";"Codering";"0 tot 15 jaar"\r\n'
        '"Binnenstad";"WK034401  ";"1205"\r\n'
        '"Bron: CBS"\r\n', encoding="utf-8-sig")
    with pytest.raises(InputRefused) as refused:
        import_file(con, path, gemeenten=["GM0344"])
    assert refused.value.messages == [
        "Bestand Kerncijfers_wijken_en_buurten_2024.csv is een StatLine-tabel 'CSV volgens "
        "tabelindeling' (2 kopregels boven de gegevens); daaruit is niet eenduidig te zien welk "
        "onderwerp in welke kolom staat: kolom 3 ('Aantal inwoners/0 tot 15 jaar'). Er is niets "
        "opgeslagen. Download de tabel opnieuw als 'CSV zonder statistische symbolen' (één "
        "kopregel met de titels, zoals 'Bevolking/Aantal inwoners (aantal)'), één jaar per bestand."]


@pytest.mark.parametrize(("name", "named"), [
    ("85685NED_2024.csv", "de Jeugdmonitor per wijk"),
    ("85830NED_2024.csv", "Nabijheid voorzieningen"),
    ("03759ned_2024.csv", "03759ned (bevolking naar leeftijd)")])
def test_a_kwb_table_named_as_another_table_is_refused_naming_both(con, tmp_path, capsys, name, named):
    """The file of one table under the number of another (renamed, or picked from the wrong
    folder). Before: stored as Jeugdmonitor figures (85685NED), as kerncijfers of table 85830NED,
    or refused as 'GM0344 staat niet in het bestand' (03759ned)."""
    path = tmp_path / name
    shutil.copy(FIXTURES / "statline_85984NED.csv", path)
    expected = (f"Bestand {name}: volgens het tabelnummer {name[:8]} (in de naam of de "
                f"beschrijving van het bestand) is dit {named}, maar de kolommen zijn die van de Kerncijfers wijken en "
                "buurten. Kindkaart leest het niet; er is niets opgeslagen. Kies het bestand van de "
                "tabel die u bedoelt, of geef het bestand de naam die CBS het gaf.")
    with pytest.raises(InputRefused) as refused:
        import_file(con, path, gemeenten=["GM0344"])
    assert refused.value.messages == [expected]
    assert con.execute("select count(*) from loads").fetchone() == (0,)
    database = str(tmp_path / "k.duckdb")
    assert cli.main(["import-cbs", str(path), "--db", database, "--gemeente", "GM0344"]) == 1
    assert expected in capsys.readouterr().out


def test_the_ages_of_03759ned_under_a_kwb_number_are_refused(con, tmp_path):
    """The OData folder of 03759ned with the TableInfos of a kwb year: its ages are no kerncijfers."""
    folder = tmp_path / "03759ned"
    shutil.copytree(Path(__file__).parent.parent / "sample_data" / "cbs" / "03759ned", folder)
    infos = json.loads((folder / "TableInfos.json").read_text(encoding="utf-8"))
    for info in infos if isinstance(infos, list) else infos["value"]:
        info["Identifier"] = "85984NED"
    (folder / "TableInfos.json").write_text(json.dumps(infos), encoding="utf-8")
    with pytest.raises(InputRefused, match="Map 03759ned: volgens het tabelnummer 85984NED .* is dit de "
                       r"Kerncijfers wijken en buurten, maar de kolommen zijn die van 03759ned"):
        import_file(con, folder)
    assert con.execute("select count(*) from loads").fetchone() == (0,)


def test_a_cbsodata_folder_without_its_data_file_names_the_data_file_it_does_hold(tmp_path):
    # the real 85984NED folder: TableInfos and DataProperties beside a dict of rows by region
    # code; 'geen TypedDataSet.json' did not say that the figures were in the other file
    from test_cbs_zipped_folder import folder_without_data

    folder = folder_without_data(tmp_path / "85984NED")
    with pytest.raises(InputRefused) as refused:
        read_cbs_file(folder)
    # the folder as the user knows it, not its path (in the app a folder on the server)
    assert refused.value.messages == [
        "Map 85984NED: geen TypedDataSet.json of UntypedDataSet.json. In de map staat wel "
        "stripped_filtered_data_2024.json: lees dat bestand zelf in (import-cbs met het pad van het "
        "bestand)."]
    (folder / "stripped_filtered_data_2024.json").unlink()
    with pytest.raises(InputRefused) as refused:
        read_cbs_file(folder)
    assert refused.value.messages == ["Map 85984NED: geen TypedDataSet.json of UntypedDataSet.json."]
