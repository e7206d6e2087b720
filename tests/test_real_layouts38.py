"""Layouts of LRK and CBS files as public repositories hold them, not tried before: each built
small in its real layout (made-up rows) and read by the command line into a real DuckDB file; the
refused CBS layouts also uploaded on Gemeente laden, which shows the same message."""

from __future__ import annotations

import datetime as dt
import re

import duckdb
import openpyxl
import pytest
from conftest import run_page_as_analist as run_page
from kwb_files import KWB_COLUMNS, kwb_rows

from data_sources import cli, store

# The LRK table of RIVM's geodatabase (voorz_lrkp_20150115, as a public model of it names its
# columns): the register's columns with the GIS's own around them (objectid, uniek_nr, pc4,
# gem_code, x_coord, y_coord, geocod), inschrijfdatum and uitschrijfdatum as timestamps.
GIS_HEADER = ("objectid,uniek_nr,lrk_id,type_oko,actuele_naam_oko,aantal_kindplaatsen,status,"
              "inschrijfdatum,uitschrijfdatum,opvanglocatie_adres,opvanglocatie_postcode,"
              "opvanglocatie_woonplaats,pc4,gem_code,verantwoordelijke_gemeente,x_coord,y_coord,geocod")
GIS_ROWS = [
    ("1,1001,111111111,KDV,De Boomhut,48,Ingeschreven,{2008-05-01},,Dorpsstraat 1,1234AB,Oord,1234,1,"
     "Oord,155000,463000,pc6hnr"),
    ("2,1002,222222222,BSO,Het Klimrek,60,Ingeschreven,{2012-09-01},,Kerkweg 2,1234AC,Oord,1234,1,"
     "Oord,155100,463100,pc6hnrletter"),
    ("3,1003,333333333,PSZ,Peuterzaal,16,Uitgeschreven,{2006-01-01},{2014-07-31},Laan 3,1234AC,Oord,"
     "1234,1,Oord,155200,463200,pc6"),
    ("4,1004,444444444,VGO,Gastouder,4,Ingeschreven,{2013-03-01},,Laan 4,1234AB,Oord,1234,1,Oord,"
     "155300,463300,pc6hnrtoev"),
]
# How a timestamp reaches the CSV: as the database writes it, from an English Excel (a date-time
# cell saved as m/d/jjjj h:mm), and as English Windows programs write one (ArcGIS, Access).
TIMESTAMPS = {
    "database": lambda d: f"{d:%Y-%m-%d} 00:00:00",
    "english excel": lambda d: f"{d.month}/{d.day}/{d.year} 0:00",
    "english windows": lambda d: f"{d.month}/{d.day}/{d.year} 12:00:00 AM",
}


def _postcode_db(path) -> None:
    con = store.connect(path)
    load_id = store.new_load(con, source="cbs", dataset="postcodes", year=2024)
    for postcode, buurt, wijk in [("1234AB", "BU00010101", "WK000101"), ("1234AC", "BU00010201", "WK000102")]:
        con.execute("insert into postcodes values (2024, ?, ?, ?, 'GM0001', ?)", [postcode, buurt, wijk, load_id])
    con.close()


def _gis_export(path, form: str):
    def row(line: str) -> str:
        for iso in {part.split("}")[0] for part in line.split("{")[1:]}:
            line = line.replace("{" + iso + "}", TIMESTAMPS[form](dt.date.fromisoformat(iso)))
        return line

    path.write_text("\r\n".join([GIS_HEADER, *map(row, GIS_ROWS)]) + "\r\n", encoding="cp1252")
    return path


@pytest.mark.parametrize("form", list(TIMESTAMPS))
def test_the_lrk_table_of_a_geodatabase_loads_with_its_timestamps_in_every_form(tmp_path, capsys, form):
    """Before, a date with slashes and a time ('5/1/2008 0:00', '5/1/2008 12:00:00 AM') was 'geen
    datum', and the whole export was refused; the same date with dashes and a time was read."""
    db = tmp_path / "k.duckdb"
    _postcode_db(db)
    export = _gis_export(tmp_path / "voorz_lrkp_20150115.csv", form)
    assert cli.main(["import-lrk", str(export), "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "LRK 2015: 3 ingeschreven locaties met samen 112 kindplaatsen geladen." in out
    assert "1 uitgeschreven locatie(s)" in out
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute(
            "select lrk_id, provision_type, places, wijk_code, registered_on, deregistered_on"
            " from raw_lrk__locations order by row_number").fetchall() == [
            ("111111111", "KDV", 48, "WK000101", dt.date(2008, 5, 1), None),
            ("222222222", "BSO", 60, "WK000102", dt.date(2012, 9, 1), None),
            ("333333333", "PSZ", 16, "WK000102", dt.date(2006, 1, 1), dt.date(2014, 7, 31)),
            ("444444444", "VGO", 4, "WK000101", dt.date(2013, 3, 1), None)]
        assert con.execute("select wijk_code, sum(places) from supply_by_wijk where year = 2015"
                           " group by wijk_code order by wijk_code").fetchall() == [
            ("WK000101", 52.0), ("WK000102", 60.0)]
    finally:
        con.close()


def test_a_slashed_date_time_whose_order_the_file_does_not_show_is_refused_saying_so(tmp_path, capsys):
    """With a time too, '5/1/2008 0:00' is 1 May or 5 January: without a date whose day is above 12
    the file does not tell, and the message says so (not 'geen datum')."""
    db = tmp_path / "k.duckdb"
    _postcode_db(db)
    export = tmp_path / "voorz_lrkp_2015.csv"
    export.write_text(f"{GIS_HEADER}\r\n" + GIS_ROWS[0].replace("{2008-05-01}", "5/1/2008 0:00") + "\r\n",
                      encoding="cp1252")
    assert cli.main(["import-lrk", str(export), "--db", str(db)]) == 1
    assert ("rij 2, kolom inschrijfdatum: '5/1/2008 0:00' is geen datum (de volgorde van dag en maand "
            "is niet uit het bestand af te leiden") in capsys.readouterr().out


def test_a_ggd_risk_profile_table_of_lrk_locations_is_refused_naming_the_missing_type(tmp_path, capsys):
    """The GGD's risk profiles with LRK columns (openstate/datasets, kinderopvang/
    risicoprofielen_kdv_haarlem.csv): ',' separated, 'LRK nummer', a row per location and year,
    dates m/d/jjjj, but no type_oko and no status; no year in its name."""
    db = tmp_path / "k.duckdb"
    _postcode_db(db)
    export = tmp_path / "risicoprofielen_kdv_oord.csv"
    export.write_text(
        "LRK nummer,jaar,kleur vestiging,actuele_naam_oko,aantal_kindplaatsen,vve,inschrijfdatum,"
        "opvanglocatie_adres,opvanglocatie_postcode,opvanglocatie_woonplaats,longitude,latitude,"
        "naam_houder,houdervanaf,url\n"
        "111111111,2015,geel,De Boomhut,48,Nee,01/01/2010,Dorpsstraat 1 ,1234AB,OORD,4.64,52.39,"
        "Stichting X,01/01/2005,http://lrk/Oko/Kdv/GegevensOKO.jsf?selectedResultId=2\n"
        "111111111,2014,oranje,De Boomhut,48,Nee,01/01/2010,Dorpsstraat 1 ,1234AB,OORD,4.64,52.39,"
        "Stichting X,01/01/2005,http://lrk/Oko/Kdv/GegevensOKO.jsf?selectedResultId=2\n", encoding="utf-8")
    assert cli.main(["import-lrk", str(export), "--jaar", "2015", "--db", str(db)]) == 1
    assert capsys.readouterr().out == (
        "Bestand risicoprofielen_kdv_oord.csv: de kolom(men) type_oko ontbreken. Een LRK-export heeft "
        "onder meer lrk_id, type_oko, aantal_kindplaatsen en opvanglocatie_postcode.\n")


# The wijk- en buurtkaart's table of figures as people save it (QGIS, the PDOK services): up to 2021
# WK_CODE, AANT_INW and P_00_14_JR with -99999999 for secret (a public SQL table and R scripts of
# it), from 2022 wijkcode, aantal_inwoners and percentage_personen_0_tot_15_jaar with -99997
# ('data_from_wijkbuurtkaart.csv' of a public notebook).
KAART_LAYOUTS = {
    "up to 2021": (["WK_CODE", "WK_NAAM", "GM_CODE", "GM_NAAM", "IND_WBI", "WATER", "AANT_INW",
                    "AANT_MAN", "AANT_VROUW", "P_00_14_JR", "P_15_24_JR", "AANTAL_HH", "P_HH_M_K"],
                   "-99999999", "P_00_14_JR"),
    "from 2022": (["wijkcode", "wijknaam", "gemeentecode", "gemeentenaam",
                   "indelingswijziging_wijken_en_buurten", "water", "aantal_inwoners", "mannen",
                   "vrouwen", "percentage_personen_0_tot_15_jaar", "percentage_personen_15_tot_25_jaar",
                   "aantal_huishoudens", "percentage_huishoudens_met_kinderen"],
                  "-99997", "percentage_personen_0_tot_15_jaar"),
}


def _kaart_rows(secret: str) -> list[list]:
    return [["WK019310", "Wijk 10 Binnenstad", "GM0193", "Zwolle", 1, "NEE", 7115, 3485, 3630, 6, 17, 4200, 15],
            ["WK019352", "Wijk 52 Soestweteringlanden", "GM0193", "Zwolle", 1, "NEE", 55, 30, 25,
             secret, secret, 20, secret]]


def _kaart_file(folder, layout: str, saved: str):
    """The table in `layout` saved as CSV or workbook, and its column of the children."""
    header, secret, young = KAART_LAYOUTS[layout]
    path = folder / f"wijk_2021.{saved}"
    if saved == "csv":
        path.write_text("\n".join(",".join(map(str, row)) for row in [header, *_kaart_rows(secret)]) + "\n",
                        encoding="utf-8")
    else:
        book = openpyxl.Workbook()
        for row in [header, *_kaart_rows(int(secret))]:
            book.active.append(row)
        book.save(path)
    return path, young


def _kaart_message(name: str, young: str) -> str:
    return (f"Bestand {name} is de tabel van de wijk- en buurtkaart van CBS (kolom {young}): die geeft "
            "de leeftijden alleen als percentage van de inwoners, en dat rekent Kindkaart niet om naar een "
            "aantal kinderen. Lees voor de cijfers het kwb-bestand (kwb-<jaar>.xlsx) of de kerncijfers uit "
            "StatLine in, en voor de grenzen de wijk- en buurtkaart als GeoPackage. Er is niets opgeslagen.")


@pytest.mark.parametrize("saved", ["csv", "xlsx"])
@pytest.mark.parametrize("layout", list(KAART_LAYOUTS))
def test_the_table_of_the_wijk_en_buurtkaart_is_refused_saying_what_it_is_and_what_to_load(
        tmp_path, capsys, layout, saved):
    """Before, it was refused as a kwb without gwb_code_10 or a file without 'a column of region
    codes', though it has wijk codes: it has the ages only as a percentage, which Kindkaart does
    not turn into a count (as for kwb-2016), and the message now says so and what to load."""
    path, young = _kaart_file(tmp_path, layout, saved)
    db = tmp_path / "k.duckdb"
    assert cli.main(["import-cbs", str(path), "--db", str(db)]) == 1
    assert capsys.readouterr().out == _kaart_message(path.name, young) + "\n"
    con = store.connect(db)
    try:
        assert con.execute("select count(*) from loads where source = 'cbs'").fetchone()[0] == 0
    finally:
        con.close()


def test_a_kwb_csv_with_quoted_padded_cells_decimal_points_and_names_with_a_space_loads(tmp_path, capsys):
    """cbs-kwb-2024.csv as a public script reads it: ';', every name quoted, some with a space
    after them ('a_nb_won ', 'p_won_m_ag '), numbers right-aligned with a decimal point, secret
    cells '       .' in quotes. The counts land as in the workbook."""
    def cell(value) -> str:
        if value == ".":
            return '"       ."'
        return f'"{value}"' if isinstance(value, str) else f"{value:>10}"

    header = [*KWB_COLUMNS, "a_nb_won ", "p_won_m_ag "]
    lines = [";".join(f'"{name}"' for name in header)]
    lines += [";".join(cell(value) for value in [*row, ".", 12.5]) for row in kwb_rows()]
    path = tmp_path / "cbs-kwb-2024.csv"
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    db = tmp_path / "k.duckdb"
    assert cli.main(["import-cbs", str(path), "--db", str(db)]) == 0
    assert "kerncijfers (2024) ingelezen voor 1 gemeente(n)" in capsys.readouterr().out
    con = store.connect(db)
    try:
        assert con.execute(
            "select region_code, stem, value from raw_cbs__kerncijfers where region_level = 'wijk'"
            " and stem in ('k_0Tot15Jaar', 'AfstandTotKinderdagverblijf') order by 1, 2").fetchall() == [
            ("WK019310", "AfstandTotKinderdagverblijf", 0.6), ("WK019310", "k_0Tot15Jaar", 450.0),
            ("WK019311", "AfstandTotKinderdagverblijf", 0.6), ("WK019311", "k_0Tot15Jaar", 1200.0),
            ("WK019322", "AfstandTotKinderdagverblijf", 0.6), ("WK019322", "k_0Tot15Jaar", 6000.0),
            ("WK019352", "AfstandTotKinderdagverblijf", 0.6), ("WK019352", "k_0Tot15Jaar", None)]
    finally:
        con.close()


# kwb-2012.xls as public scripts read it: Code_10_pos12 and GWB_CODE12 (the code without its
# letters) first, then its name (GWB_NAAM12_60POS), the parts of the code (GM_CODE, WK_CODE,
# BU_CODE), GEM_NAAM, RECS as one letter (G, W, B), long names (AANT_INW, AANTAL_HH, STED eleventh)
# and the children as a percentage (P_00_14_JR).
OLD_KWB_HEADER = ["Code_10_pos12", "GWB_CODE12", "GWB_NAAM12_60POS", "GM_CODE", "WK_CODE", "BU_CODE",
                  "GEM_NAAM", "RECS", "AANT_INW", "AANTAL_HH", "STED", "P_00_14_JR"]
OLD_KWB_ROWS = [["GM0193", "0193", "Zwolle", "0193", "", "", "Zwolle", "G", 122000, 52000, 2, 19],
                ["WK019310", "019310", "Wijk 10 Binnenstad", "0193", "10", "", "Zwolle", "W", 7100, 4200, 1, 6],
                ["BU01931000", "01931000", "Binnenstad", "0193", "10", "00", "Zwolle", "B", 3100, 1900, 1, 5]]


def _old_kwb_file(folder, saved: str):
    path = folder / f"kwb-2012.{saved}"
    if saved == "xls":
        import xlwt

        book = xlwt.Workbook()
        sheet = book.add_sheet("kwb_2012")
        for r, row in enumerate([OLD_KWB_HEADER, *OLD_KWB_ROWS]):
            for c, value in enumerate(row):
                sheet.write(r, c, value)
        book.save(str(path))
    else:
        path.write_text("\n".join(";".join(map(str, row)) for row in [OLD_KWB_HEADER, *OLD_KWB_ROWS]) + "\n",
                        encoding="cp1252")
    return path


def _old_kwb_message(name: str) -> str:
    return (f"Bestand {name} is een kwb-bestand van 2012 of eerder (kolom GWB_CODE12): daarin heten de "
            "kolommen anders (AANT_INW, P_00_14_JR) en staan de kinderen van 0 tot 15 jaar alleen als "
            "percentage. Kindkaart leest de kwb-bestanden vanaf 2013 (gwb_code, a_inw), met het aantal "
            "kinderen vanaf kwb-2017. Er is niets opgeslagen.")


@pytest.mark.parametrize("saved", ["xls", "csv"])
def test_a_kwb_of_2012_is_refused_saying_which_kwb_years_kindkaart_reads(tmp_path, capsys, saved):
    """Before, kwb-2012.xls was 'kolom gwb_code_10 (of gwb_code) ontbreekt', though it has its
    codes in GWB_CODE12; its names are not those of kwb-2013 on, and its children a percentage."""
    path = _old_kwb_file(tmp_path, saved)
    db = tmp_path / "k.duckdb"
    assert cli.main(["import-cbs", str(path), "--db", str(db)]) == 1
    assert capsys.readouterr().out == _old_kwb_message(path.name) + "\n"


def _refused_on_the_page(db, path, gemeente: str | None) -> list[str]:
    """Gemeente laden (optionally with `gemeente` chosen): upload `path` as the CBS file and click
    Bestand inlezen; the errors as shown. No exception on the page, and the loads as before."""
    at = run_page("gemeente_laden")
    if gemeente:
        at.selectbox(key="laden_gemeente").set_value(gemeente).run()

    def loads() -> list[tuple]:
        con = duckdb.connect(str(db), read_only=True)
        try:
            return con.execute("select * from loads order by all").fetchall()
        finally:
            con.close()

    before = loads()
    at.file_uploader(key="laden_bestand").set_value((path.name, path.read_bytes(), "application/octet-stream"))
    at.run()
    next(b for b in at.button if b.label == "Bestand inlezen").click()
    at.run()
    assert not at.exception, at.exception
    assert not at.success
    assert loads() == before
    # as markdown shows them: ui.safe.plain escapes '<' and the like with a backslash
    return [re.sub(r"\\(.)", r"\1", str(e.value)) for e in at.error]


@pytest.mark.parametrize("saved", ["csv", "xlsx"])
@pytest.mark.parametrize("layout", list(KAART_LAYOUTS))
def test_gemeente_laden_refuses_the_table_of_the_wijk_en_buurtkaart_as_the_command_line_does(
        app_db, tmp_path, layout, saved):
    path, young = _kaart_file(tmp_path, layout, saved)
    assert _refused_on_the_page(app_db, path, None) == [
        f"{path.name} is niet ingelezen; er is niets opgeslagen.", _kaart_message(path.name, young)]


@pytest.mark.parametrize("saved", ["xls", "csv"])
def test_gemeente_laden_refuses_a_kwb_of_2012_as_the_command_line_does(app_db, tmp_path, saved):
    """With a gemeente chosen (only Zwolle kept), as a user who loads Zwolle's file would."""
    path = _old_kwb_file(tmp_path, saved)
    assert _refused_on_the_page(app_db, path, "GM0193") == [
        f"{path.name} is niet ingelezen; er is niets opgeslagen.", _old_kwb_message(path.name)]
