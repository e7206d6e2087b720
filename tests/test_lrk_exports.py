"""LRK exports as the register and Excel really write them: formatting far below the table, a
'sep=' line, a national export of 100,000 rows. Each file is written here as it would arrive."""

from __future__ import annotations

import pytest

from benchmarks.readers import LRK_HEADER, national_lrk_export
from data_sources import lrk, store
from data_sources.errors import InputRefused, severity

HEADER = LRK_HEADER


def test_an_export_saved_from_excel_with_formatting_down_to_the_last_row_loads(postcode_con, tmp_path):
    """A border or date format applied down to row 1,048,576 makes Excel write empty cells with a
    style there, and a dimension to match: refused as 'loopt tot rij 1048576', though the rows
    hold nothing and calamine reads none of them."""
    import xlsxwriter

    path = tmp_path / "lrk_2024.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("export_opendata_lrk")
    date = book.add_format({"num_format": "dd-mm-yyyy"})
    sheet.write_row(0, 0, HEADER)
    sheet.write_row(1, 0, ["111", "KDV", "De Boomhut", 48, "Ingeschreven", "01-01-2015", "",
                           "1234 AB", "Oord"])
    sheet.write_row(2, 0, ["222", "BSO", "Het Klimrek", 60, "Ingeschreven", "01-01-2019", "",
                           "1234AC", "Oord"])
    for row in (3, 1000, 300_000, 1_048_575):
        sheet.write_blank(row, 6, None, date)
    book.close()
    result = lrk.import_lrk_file(postcode_con, path)
    assert (result.locations, result.places) == (2, 108)


def test_a_national_export_of_100000_rows_is_read_whole(postcode_con, tmp_path):
    """A national export (cp1252, ';', CRLF, names with ';' inside quotes, a third
    deregistered, gastouderbureaus without places): every location read, the registered ones
    counted with their places. How fast is measured in the benchmark (benchmarks/readers.py)."""
    path = tmp_path / "export_opendata_lrk_2024.csv"
    expected = national_lrk_export(path)
    frame = lrk.read_lrk_export(path, 2024)
    assert len(frame) == 100_000
    assert frame["location_name"].iloc[1] == "Kinderopvang Café 1; locatie 1"
    result = lrk.store_lrk(postcode_con, frame, year=2024, file_name=path.name)
    assert (result.locations, result.places, result.deregistered) == (
        expected["registered"], expected["places"], 100_000 - expected["registered"])


def _csv(path, rows: list[list[str]], first_line: str = "") -> object:
    lines = [first_line] if first_line else []
    lines += [";".join(HEADER), *(";".join(row) for row in rows)]
    path.write_bytes("\r\n".join(lines).encode("cp1252") + b"\r\n")
    return path


def _with_postcodes(db):
    """A database at `db` with the two postcodes of ROWS in two wijken of GM0001."""
    con = store.connect(db)
    load_id = store.new_load(con, source="cbs", dataset="postcodes", year=2024)
    con.execute("insert into postcodes values (2024, '1234AB', 'BU00010101', 'WK000101', 'GM0001', ?),"
                " (2024, '1234AC', 'BU00010201', 'WK000102', 'GM0001', ?)", [load_id, load_id])
    con.close()
    return db


ROWS = [["100000000001", "KDV", "De Boomhut", "48", "Ingeschreven", "01-01-2015", "", "1234AB", "Oord"],
        ["100000000002", "BSO", "Het Klimrek", "60", "Ingeschreven", "01-01-2019", "", "1234AC", "Oord"]]


@pytest.mark.parametrize("ids", [("1,00E+11", "1,00E+11"), ("1.00000E+11", "1.23457E+11")])
def test_lrk_numbers_that_excel_rounded_are_refused_with_the_reason(postcode_con, tmp_path, ids):
    """Opened in Excel and saved again as CSV, a 12-digit LRK number becomes '1,00E+11': equal
    ones were refused as 'staat meer dan eens' without saying why, different ones were stored
    as numbers that are no location's (and matched across exports)."""
    from data_sources.errors import InputRefused

    rows = [[lrk_id, *row[1:]] for lrk_id, row in zip(ids, ROWS, strict=True)]
    path = _csv(tmp_path / "lrk_2024.csv", rows)
    with pytest.raises(InputRefused) as refused:
        lrk.import_lrk_file(postcode_con, path)
    assert refused.value.messages[0] == (
        f"Bestand lrk_2024.csv, kolom lrk_id: 2 LRK-nummers zijn door Excel afgerond tot een getal "
        f"als '{ids[0]}' (rij 2, 3); daarmee is niet meer te zien welke locatie het is. Laad de "
        "export zoals het register hem geeft (niet eerst opgeslagen in Excel), of zet in Excel de "
        "kolom lrk_id op Tekst voordat u de export opent.")
    assert postcode_con.execute("select count(*) from raw_lrk__locations").fetchone() == (0,)


def test_a_sep_line_as_excel_writes_it_is_read(postcode_con, tmp_path):
    """A first line 'sep=;' (Excel's hint of the separator) was taken for the header."""
    result = lrk.import_lrk_file(postcode_con, _csv(tmp_path / "lrk_2024.csv", ROWS, "sep=;"))
    assert (result.locations, result.places) == (2, 108)


def test_types_written_out_as_the_register_shows_them_are_read_as_their_codes(postcode_con, tmp_path):
    """A search result of the register's website copied to a spreadsheet names the type
    ('Kinderdagverblijf', 'Buitenschoolse opvang') where the open-data export writes KDV, BSO:
    they were refused row by row as 'geen LRK-type'."""
    rows = [[*ROWS[0][:1], "Kinderdagverblijf", *ROWS[0][2:]],
            [*ROWS[1][:1], "buitenschoolse  opvang", *ROWS[1][2:]],
            ["100000000003", "Gastouderbureau", "Bureau Oord", "", "Ingeschreven", "01-01-2019", "",
             "1234AC", "Oord"]]
    frame = lrk.read_lrk_export(_csv(tmp_path / "lrk_2024.csv", rows), 2024)
    assert frame["provision_type"].tolist() == ["KDV", "BSO", "GOB"]
    result = lrk.import_lrk_file(postcode_con, tmp_path / "lrk_2024.csv")
    assert (result.locations, result.places) == (3, 108)  # the bureau has no places


def test_gastouderopvang_is_the_home_with_places_and_the_bureau_without(postcode_con, tmp_path):
    """'Gastouderopvang' is how the register's website names the gastouder's home (VGO); some
    copies name the bureau (GOB) so too. It was refused, so an export with gastouders did not
    load. A row with places is the home, one without the bureau: only the home's places count."""
    rows = [ROWS[0],
            ["100000000003", "Gastouderopvang", "Gastouder Oord", "4", "Ingeschreven", "01-01-2019",
             "", "1234AC", "Oord"],
            ["100000000004", "gastouder opvang", "Bureau Oord", "", "Ingeschreven", "01-01-2019",
             "", "1234AC", "Oord"]]
    result = lrk.import_lrk_file(postcode_con, _csv(tmp_path / "lrk_2024.csv", rows))
    assert (result.locations, result.places) == (3, 52)
    assert postcode_con.execute("select lrk_id, provision_type, places from raw_lrk__locations"
                                " order by 1").fetchall() == [
        ("100000000001", "KDV", 48), ("100000000003", "VGO", 4), ("100000000004", "GOB", None)]
    assert result.notes == ["kolom type_oko: 'Gastouderopvang' gelezen als VGO (het huis van de "
                            "gastouder) in 1 rij(en) met kindplaatsen en als GOB "
                            "(gastouderbureau, zonder eigen plekken) in 1 rij(en) zonder "
                            "kindplaatsen"]


def test_an_export_with_the_wrong_extension_is_read_by_what_it_is(postcode_con, tmp_path):
    """A workbook saved as .csv was refused as 'tekens die niet te lezen zijn', a CSV named .xlsx
    as 'beschadigd'."""
    import openpyxl

    csv_named_xlsx = _csv(tmp_path / "lrk_2024.xlsx", ROWS)
    assert lrk.import_lrk_file(postcode_con, csv_named_xlsx).places == 108
    book = openpyxl.Workbook()
    book.active.append(HEADER)
    for row in ROWS:
        book.active.append(row)
    workbook_named_csv = tmp_path / "lrk_b_2024.csv"
    book.save(workbook_named_csv)
    assert lrk.import_lrk_file(postcode_con, workbook_named_csv).places == 108


def test_the_command_line_refuses_rounded_numbers_and_keeps_the_earlier_export(tmp_path, capsys):
    from data_sources import cli

    db = _with_postcodes(tmp_path / "k.duckdb")
    assert cli.main(["import-lrk", str(_csv(tmp_path / "lrk_2024.csv", ROWS)), "--db", str(db)]) == 0
    capsys.readouterr()
    rounded = [["1,00E+11", *row[1:]] for row in ROWS]
    path = _csv(tmp_path / "lrk_excel_2024.csv", rounded, "sep=;")
    assert cli.main(["import-lrk", str(path), "--db", str(db)]) == 1
    out = capsys.readouterr().out
    assert "kolom lrk_id: 2 LRK-nummers zijn door Excel afgerond" in out and "Traceback" not in out
    con = store.connect(db)
    assert con.execute("select sum(places) from supply_by_wijk").fetchone()[0] == 108
    con.close()


def test_a_utf8_mark_before_windows_text_is_no_part_of_the_first_column(tmp_path, capsys):
    """A UTF-8 byte order mark before an export in Windows-1252 ('Café' as one byte: a header
    pasted from a UTF-8 file, or the mark a script wrote before appending the export): the text
    was read as Windows-1252 mark and all, and the command refused 'de kolom(men) lrk_id
    ontbreken' for the first column, 'ï»¿lrk_id'."""
    from data_sources import cli

    db = _with_postcodes(tmp_path / "k.duckdb")
    path = _csv(tmp_path / "lrk_2024.csv", [[*ROWS[0][:2], "Kinderopvang Café", *ROWS[0][3:]], ROWS[1]])
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert cli.main(["import-lrk", str(path), "--db", str(db)]) == 0, capsys.readouterr().out
    con = store.connect(db)
    assert con.execute("select lrk_id, location_name, places from raw_lrk__locations order by 1"
                       ).fetchall() == [("100000000001", "Kinderopvang Café", 48),
                                        ("100000000002", "Het Klimrek", 60)]
    con.close()


def test_a_separator_after_the_last_field_of_each_row_is_read(postcode_con, tmp_path):
    """Some tools end every row with the separator, not the header: pandas took the LRK numbers
    for the index and shifted every column by one, and the export was refused as 'onbekende
    status '01-01-2015''."""
    path = tmp_path / "lrk_2024.csv"
    lines = [";".join(HEADER), *(";".join(row) + ";" for row in ROWS)]
    path.write_bytes("\r\n".join(lines).encode("cp1252") + b"\r\n")
    result = lrk.import_lrk_file(postcode_con, path)
    assert (result.locations, result.places) == (2, 108)
    assert postcode_con.execute("select lrk_id, provision_type, places from raw_lrk__locations"
                                " order by 1").fetchall() == [("100000000001", "KDV", 48),
                                                              ("100000000002", "BSO", 60)]


def test_a_separator_inside_a_name_without_quotes_is_refused_naming_the_row(postcode_con, tmp_path):
    """'De Boom; hut' without quotes: every later field landed one column further, and the
    refusal spoke of a status or date that was none."""
    rows = [ROWS[0], [*ROWS[1][:2], "Het Klimrek; locatie 2", *ROWS[1][3:]]]
    with pytest.raises(InputRefused) as refused:
        lrk.import_lrk_file(postcode_con, _csv(tmp_path / "lrk_2024.csv", rows))
    assert refused.value.messages == [
        "Bestand lrk_2024.csv: rij 3 heeft meer velden dan de kopregel kolommen heeft (mogelijk "
        "een ';' in een naam zonder aanhalingstekens eromheen). Laad de export zoals het register "
        "hem geeft, of zet die namen tussen aanhalingstekens. Er is niets opgeslagen."]
    assert postcode_con.execute("select count(*) from raw_lrk__locations").fetchone() == (0,)


def test_the_page_refuses_an_export_excel_rounded_and_keeps_what_was_loaded(app_db):
    """On Gemeente laden: the sample export as Excel saves it again (sep line, rounded numbers)."""
    import duckdb
    from conftest import ROOT, add_account, run_page

    from data_sources.accounts import Account

    def lrk_loads() -> list[tuple]:
        con = duckdb.connect(str(app_db), config=store.CONNECT_CONFIG)
        try:
            return con.execute("select load_id, status from loads where dataset = 'lrk-locaties'"
                               " order by 1").fetchall()
        finally:
            con.close()

    sample = (ROOT / "sample_data" / "lrk" / "lrk_export_GM9999_2024.csv").read_bytes().decode("cp1252")
    lines = sample.splitlines()
    rounded = [lines[0], *(f"{int(line.split(';')[0]):.2E}".replace(".", ",") + line[line.index(";"):]
                           for line in lines[1:])]
    data = ("sep=;\r\n" + "\r\n".join(rounded) + "\r\n").encode("cp1252")
    add_account(app_db, "beheer", "beheerder")
    before = lrk_loads()
    at = run_page("gemeente_laden", account=Account("beheer", "beheerder"))
    at.file_uploader(key="laden_lrk").set_value(("lrk_export_GM9999_2024.csv", data, "text/csv"))
    at.run()
    next(b for b in at.button if b.label == "LRK-export inlezen").click()
    at.run()
    assert not at.exception, at.exception
    errors = [e.value for e in at.error]
    assert errors[0] == "lrk_export_GM9999_2024.csv is niet ingelezen; er is niets opgeslagen.", errors
    assert "kolom lrk_id: 51 LRK-nummers zijn door Excel afgerond tot een getal als '9,39E+08'" in errors[1]
    assert lrk_loads() == before


def _xlsb(path) -> object:
    """The parts of a binary workbook (.xlsb) as Excel packs them: its sheets are binary records."""
    import zipfile

    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.'
                         'openxmlformats.org/package/2006/content-types"><Override PartName="/xl/'
                         'workbook.bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.'
                         'main"/></Types>')
        archive.writestr("xl/workbook.bin", b"\x83\x01\x00" * 10)
        archive.writestr("xl/worksheets/sheet1.bin", b"\x81\x01\x00" * 10)
    return path


@pytest.mark.parametrize("name", ["lrk_2024.xlsb", "lrk_2024.xlsx", "lrk_2024.csv"])
def test_a_binary_workbook_is_refused_before_calamine_reads_it(postcode_con, tmp_path, name):
    """calamine reads .xlsb, whose sheets the checks on the XML cannot bound: one cell far away
    would make it ask for gigabytes. Whatever the file is called, it is refused first."""
    from data_sources.errors import InputRefused

    with pytest.raises(InputRefused) as refused:
        lrk.import_lrk_file(postcode_con, _xlsb(tmp_path / name))
    assert refused.value.messages == [
        f"Bestand {name} is een binaire Excel-werkmap (.xlsb); Kindkaart leest die niet. Sla het op "
        "als Excel-werkmap (.xlsx) of sla de export op als CSV. Er is niets opgeslagen."]


def test_a_binary_workbook_is_refused_as_a_kwb_and_as_a_registration(con, tmp_path):
    import sys
    from pathlib import Path

    from data_sources.cbs import formats
    from data_sources.errors import InputRefused
    from data_sources.registrations.validate import validate_workbook

    path = _xlsb(tmp_path / "kwb-2024.xlsx")
    with pytest.raises(InputRefused, match=r"binaire Excel-werkmap \(\.xlsb\)"):
        formats._read_spreadsheet(path)
    sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "registrations"))
    from support import small_gemeente

    small_gemeente(con)
    result = validate_workbook(path.read_bytes(), "vve-indicaties", con, "vve.xlsx")
    assert result.message_texts() == [
        "'vve.xlsx' is een binaire Excel-werkmap (.xlsb). Open het in Excel en sla het op als "
        "Excel-werkmap (.xlsx)."]


def test_an_export_with_its_sheet_outside_the_worksheets_folder_is_checked_not_an_abort(tmp_path):
    """As for partner uploads: calamine follows the relationships to a sheet anywhere; the check
    looked only under xl/worksheets/. Run as a process (the abort cannot be caught)."""
    import io
    import subprocess
    import sys
    from pathlib import Path

    import openpyxl
    from test_upload_hostile import sheet_moved_out_of_worksheets

    book = openpyxl.Workbook()
    book.active.append(HEADER)
    book.active.append(ROWS[0])
    out = io.BytesIO()
    book.save(out)
    db = tmp_path / "k.duckdb"
    store.connect(db).close()
    path = tmp_path / "lrk_2024.xlsx"
    path.write_bytes(sheet_moved_out_of_worksheets(out.getvalue()))
    done = subprocess.run(
        [sys.executable, "-m", "data_sources", "import-lrk", str(path), "--db", str(db)],
        cwd=Path(__file__).parent.parent, capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stderr) == (1, ""), done.stderr[-2000:]
    assert "loopt tot rij 1048576 en kolom XFD" in done.stdout


def test_an_export_filtered_in_python_and_saved_again_keeps_its_places(postcode_con, tmp_path):
    """Read into pandas and written back (df.to_csv), the open-data export's aantal_kindplaatsen
    becomes a float column, because a gastouderbureau has none: '48.0'. Such a file was refused
    row by row as 'geen aantal kindplaatsen'; 48.5 still is."""
    import pandas as pd

    from data_sources.errors import InputRefused

    export = pd.DataFrame({
        "lrk_id": [111111111111, 222222222222, 333333333333], "type_oko": ["KDV", "BSO", "GOB"],
        "actuele_naam_oko": ["De Boomhut", "Het Klimrek", "Gastouderbureau Oord"],
        "aantal_kindplaatsen": [48, 60, None], "status": ["Ingeschreven"] * 3,
        "inschrijfdatum": ["01-01-2015", "01-01-2019", "01-03-2020"],
        "opvanglocatie_postcode": ["1234AB", "1234AC", "1234AC"], "cbs_code": ["0001"] * 3,
        "verantwoordelijke_gemeente": ["Oord"] * 3})
    path = tmp_path / "lrk_oord_2024.csv"
    export.to_csv(path, sep=";", index=False)
    assert ";48.0;" in path.read_text()  # as pandas writes it
    result = lrk.import_lrk_file(postcode_con, path)
    assert (result.locations, result.places) == (3, 108)
    export.loc[0, "aantal_kindplaatsen"] = 48.5
    export.to_csv(path, sep=";", index=False)
    with pytest.raises(InputRefused, match="'48.5' is geen aantal kindplaatsen"):
        lrk.import_lrk_file(postcode_con, path)


@pytest.mark.parametrize("typed", ["'100000000001", " 100000000001 ", "' 100000000001",
                                   "\u2019100000000001", "\u00a0100000000001"])
def test_an_lrk_number_typed_with_a_text_prefix_or_spaces_is_that_number(postcode_con, tmp_path, typed):
    """Excel users type an apostrophe before a long number so that Excel keeps it as text, or copy
    it with spaces around it. Before: stored as "'100000000001", a location of its own beside
    the same number in the next export."""
    rows = [[typed, *ROWS[0][1:]], ROWS[1]]
    result = lrk.import_lrk_file(postcode_con, _csv(tmp_path / "lrk_2024.csv", rows))
    assert (result.locations, result.places) == (2, 108)
    assert postcode_con.execute("select lrk_id from raw_lrk__locations order by 1").fetchall() == [
        ("100000000001",), ("100000000002",)]


def test_an_lrk_number_with_a_text_prefix_beside_itself_is_a_duplicate(postcode_con, tmp_path):
    rows = [ROWS[0], ["'100000000001", *ROWS[1][1:]]]
    with pytest.raises(InputRefused) as refused:
        lrk.import_lrk_file(postcode_con, _csv(tmp_path / "lrk_2024.csv", rows))
    assert refused.value.messages == [
        "Bestand lrk_2024.csv: LRK-nummer 100000000001 staat meer dan eens in het bestand met "
        "andere gegevens (rijen 2, 3; kolommen type_oko, actuele_naam_oko, aantal_kindplaatsen, "
        "opvanglocatie_postcode, inschrijfdatum verschillen) en het zijn niet dezelfde locatie (een "
        "ander type of een andere postcode). Laat elke locatie één keer in de export staan. Er is "
        "niets opgeslagen."]


def test_an_empty_status_counts_as_registered_until_its_uitschrijfdatum(postcode_con, tmp_path):
    """The register writes every location it lists as Ingeschreven or Uitgeschreven, and an
    uitgeschreven one with its uitschrijfdatum; older exports have no status at all. An empty
    status (a cell emptied in Excel) is read so: registered, unless its uitschrijfdatum lies in or
    before the export's year (docs/gemeente-laden.md, 'Een locatie telt')."""
    rows = [[*ROWS[0][:4], "", *ROWS[0][5:]],
            [*ROWS[1][:4], "", "01-01-2019", "01-03-2024", *ROWS[1][7:]],
            ["100000000003", "KDV", "De Vlinder", "16", "", "01-01-2020", "01-03-2025", "1234AB", "Oord"]]
    result = lrk.import_lrk_file(postcode_con, _csv(tmp_path / "lrk_2024.csv", rows))
    assert (result.locations, result.places, result.deregistered) == (2, 64, 1)
    from transforms import build

    build(postcode_con)  # the model counts by the same rule
    assert postcode_con.execute("select lrk_id from stg_lrk__locations order by 1").fetchall() == [
        ("100000000001",), ("100000000003",)]


def _workbook(path, sheets: dict[str, list[list]]) -> object:
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def test_an_export_below_a_title_or_after_a_sheet_of_notes_is_found_by_its_header(postcode_con, tmp_path):
    """Opened in Excel, given a title and an empty row above it, or saved with a sheet of notes in
    front: refused as 'de kolom(men) lrk_id, type_oko, ... ontbreken', though they were there."""
    title = [["LRK-export Oord, juni 2024"], []]
    below_a_title = _workbook(tmp_path / "lrk_2024.xlsx", {"Blad1": [*title, HEADER, *ROWS]})
    result = lrk.import_lrk_file(postcode_con, below_a_title)
    assert (result.locations, result.places) == (2, 108)
    assert result.notes == ["de kopregel staat op rij 3; wat erboven staat is overgeslagen"]
    later_sheet = _workbook(tmp_path / "lrk_2024_b.xlsx",
                            {"Toelichting": [["Bron: Landelijk Register Kinderopvang"]],
                             "Oord": [HEADER, *ROWS]})
    assert lrk.import_lrk_file(postcode_con, later_sheet).places == 108
    csv_title = _csv(tmp_path / "lrk_2024.csv", ROWS, "LRK-export Oord, juni 2024")
    assert lrk.import_lrk_file(postcode_con, csv_title).places == 108


@pytest.mark.parametrize("form", ["xlsx", "csv"])
def test_a_bad_row_below_a_title_is_named_by_its_own_row_and_sheet(postcode_con, tmp_path, form):
    bad = [ROWS[0], [ROWS[1][0], "KDV", "Het Klimrek", "zestig", *ROWS[1][4:]]]
    if form == "xlsx":
        path = _workbook(tmp_path / "lrk_2024.xlsx", {"Toelichting": [["Bron: LRK"]],
                                                       "Oord": [["LRK-export Oord"], HEADER, *bad]})
        where = "Bestand lrk_2024.xlsx, werkblad 'Oord', rij 4"
    else:
        path = _csv(tmp_path / "lrk_2024.csv", bad, "LRK-export Oord")
        where = "Bestand lrk_2024.csv, rij 4"
    with pytest.raises(InputRefused) as refused:
        lrk.import_lrk_file(postcode_con, path)
    assert refused.value.messages[0] == (
        f"{where}, kolom aantal_kindplaatsen: 'zestig' is geen aantal kindplaatsen (een heel getal "
        "van 0 of meer).")


def test_a_postcode_with_a_no_break_space_is_that_postcode(postcode_con, tmp_path):
    """A postcode copied from the register's web page has a no-break space: refused as
    ''1234 AB' is geen postcode', which reads as a postcode."""
    rows = [[*row[:7], row[7][:4] + "\u00a0" + row[7][4:], row[8]] for row in ROWS]
    path = tmp_path / "lrk_2024.csv"
    path.write_bytes(("\r\n".join([";".join(HEADER), *(";".join(row) for row in rows)]) + "\r\n")
                     .encode("utf-8"))
    result = lrk.import_lrk_file(postcode_con, path)
    assert (result.locations, result.places, result.unmapped_postcodes) == (2, 108, [])


def test_a_workbook_without_the_header_on_any_sheet_names_the_file_not_a_sheet(postcode_con, tmp_path):
    path = _workbook(tmp_path / "lrk_2024.xlsx", {"Leeg": [], "Oord": [["naam", "plaats"], ["De Boomhut", "Oord"]]})
    with pytest.raises(InputRefused) as refused:
        lrk.import_lrk_file(postcode_con, path)
    assert refused.value.messages[0].startswith(
        "Bestand lrk_2024.xlsx: de kolom(men) lrk_id, type_oko, aantal_kindplaatsen, "
        "opvanglocatie_postcode ontbreken.")


def _zipped(path, members: dict[str, bytes]) -> object:
    import zipfile

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_an_export_zipped_or_gzipped_to_send_it_on_is_read_as_the_export(tmp_path, capsys):
    """A zip holding the export (sent on by mail) was refused as 'beschadigd of een onverwachte
    opbouw', a .csv.gz as 'tekens die niet te lezen zijn; sla het op als CSV UTF-8'."""
    import gzip

    from data_sources import cli

    db = _with_postcodes(tmp_path / "k.duckdb")
    export = _csv(tmp_path / "export_opendata_lrk_2024.csv", ROWS).read_bytes()
    zipped = _zipped(tmp_path / "LRK.zip", {"LRK/export_opendata_lrk_2024.csv": export,
                                            "__MACOSX/LRK/._export_opendata_lrk_2024.csv": b"\x00"})
    assert cli.main(["import-lrk", str(zipped), "--db", str(db)]) == 0, capsys.readouterr().out
    assert "LRK 2024: 2 ingeschreven locaties met samen 108 kindplaatsen" in capsys.readouterr().out
    gzipped = tmp_path / "export_opendata_lrk.csv.gz"
    gzipped.write_bytes(gzip.compress(export))
    assert cli.main(["import-lrk", str(gzipped), "--jaar", "2024", "--db", str(db)]) == 0
    assert "Vervangt de export van lading" in capsys.readouterr().out
    con = store.connect(db)
    assert con.execute("select file_name from loads where dataset = 'lrk-locaties' and status = 'active'"
                       ).fetchall() == [("export_opendata_lrk.csv.gz",)]
    assert con.execute("select sum(places) from supply_by_wijk").fetchone()[0] == 108
    con.close()


def test_a_zip_without_one_export_is_refused_saying_what_it_holds(postcode_con, tmp_path):
    export = _csv(tmp_path / "a.csv", ROWS).read_bytes()
    two = _zipped(tmp_path / "lrk_2024.zip", {"a_2024.csv": export, "b_2024.xlsx": b"PK"})
    with pytest.raises(InputRefused, match=r"lrk_2024.zip: de zip bevat meer dan één bestand dat een "
                                           r"export kan zijn \(a_2024.csv, b_2024.xlsx\)"):
        lrk.import_lrk_file(postcode_con, two)
    # two exports of one name in two folders: named by their paths ('export_2024.csv' twice said
    # neither which files nor that they differ)
    folders = _zipped(tmp_path / "lrk_2024.zip", {"oud/export_2024.csv": export, "nieuw/export_2024.csv": export})
    with pytest.raises(InputRefused, match=r"lrk_2024.zip: de zip bevat meer dan één bestand dat een "
                                           r"export kan zijn \(oud/export_2024.csv, nieuw/export_2024.csv\)"):
        lrk.import_lrk_file(postcode_con, folders)
    none = _zipped(tmp_path / "kaart_2024.zip", {"wijken.geojson": b"{}"})
    with pytest.raises(InputRefused, match=r"kaart_2024.zip: de zip bevat geen LRK-export \(een .csv of "
                                           r"werkmap\) maar wijken.geojson"):
        lrk.import_lrk_file(postcode_con, none)
    assert postcode_con.execute("select count(*) from raw_lrk__locations").fetchone() == (0,)


def test_the_page_reads_a_zipped_export(app_db):
    from conftest import ROOT, add_account, run_page

    from data_sources.accounts import Account

    sample = (ROOT / "sample_data" / "lrk" / "lrk_export_GM9999_2024.csv").read_bytes()
    import io
    import zipfile

    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr("lrk_export_GM9999_2024.csv", sample)
    add_account(app_db, "beheer", "beheerder")
    at = run_page("gemeente_laden", account=Account("beheer", "beheerder"))
    at.file_uploader(key="laden_lrk").set_value(("lrk_export_GM9999_2024.zip", data.getvalue(),
                                                  "application/zip"))
    at.run()
    next(b for b in at.button if b.label == "LRK-export inlezen").click()
    at.run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert any(s.value.startswith("lrk_export_GM9999_2024.zip is ingelezen") for s in at.success)


@pytest.mark.parametrize(("name", "text"), [
    ("kwb-2024.csv", "gwb_code_10;regio;a_inw;a_00_14\r\nGM0001;Oord;1000;150\r\n"),
    ("pc6hnr20240801_gwb.csv", "PC6;Huisnummer;Buurt2024;Wijk2024;Gemeente2024\r\n1234AB;1;00010101;000101;0001\r\n"),
    ("84583NED_UntypedDataSet.csv",
     '"ID";"WijkenEnBuurten";"Gemeentenaam_1";"Codering_3"\r\n"0";"GM0001";"Oord";"GM0001"\r\n'),
])
def test_a_cbs_file_read_as_an_export_says_where_it_goes(postcode_con, tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputRefused) as refused:
        lrk.import_lrk_file(postcode_con, path, year=2024)
    assert refused.value.messages[0].endswith(
        "Dit is een CBS-bestand: lees het in op de pagina Gemeente laden onder CBS-bestand inlezen, "
        "of met python -m data_sources import-cbs.")


def test_a_row_after_an_empty_line_is_named_by_its_own_row(postcode_con, tmp_path):
    """An empty line in the export (a row deleted by hand in a text editor) was skipped before the
    rows were counted: the bad row after it was named one row too early."""
    bad = [ROWS[0][0], "KDV", "Het Klimrek", "zestig", *ROWS[1][4:]]
    path = tmp_path / "lrk_2024.csv"
    path.write_bytes(("\r\n".join([";".join(HEADER), ";".join(ROWS[0]), "", ";".join(bad)]) + "\r\n")
                     .encode("cp1252"))
    with pytest.raises(InputRefused) as refused:
        lrk.import_lrk_file(postcode_con, path)
    assert refused.value.messages[0].startswith("Bestand lrk_2024.csv, rij 4, kolom aantal_kindplaatsen: "
                                                "'zestig' is geen aantal kindplaatsen")


@pytest.mark.parametrize(("lrk_id", "places"), [("100.000.000.001", "48,00"), ("100000000001,00", "48.00"),
                                                ("100000000001.0", "48"), ("100 000 000 001", "48,0")])
def test_numbers_as_a_dutch_excel_writes_them_are_those_numbers(postcode_con, tmp_path, lrk_id, places):
    """A column formatted as a number in Excel is saved as '48,00' and '100.000.000.001', and
    pandas writes '100000000001.0': places were refused as 'geen aantal kindplaatsen', the LRK
    number was stored as written, a location of its own beside the same number in the next
    export (so a newer export held 'none' of the locations that counted)."""
    rows = [[lrk_id, "KDV", "De Boomhut", places, *ROWS[0][4:]], ROWS[1]]
    result = lrk.import_lrk_file(postcode_con, _csv(tmp_path / "lrk_2024.csv", rows))
    assert (result.locations, result.places) == (2, 108)
    assert postcode_con.execute("select lrk_id, places from raw_lrk__locations order by 1").fetchall() == [
        ("100000000001", 48), ("100000000002", 60)]


def test_two_exports_pasted_one_under_the_other_count_each_location_once(postcode_con, tmp_path):
    """Two exports pasted together in Excel: the second header was refused as 'onbekende status
    'status'', and without it every location as 'staat meer dan eens'. The header is passed over
    and a location repeated with the same values counts once; both are said."""
    rows = [ROWS[0], ROWS[1], HEADER, ROWS[0], ROWS[1]]
    result = lrk.import_lrk_file(postcode_con, _csv(tmp_path / "lrk_2024.csv", rows))
    assert (result.locations, result.places) == (2, 108)
    assert result.notes == [
        "rij 4 herhaalt de kopregel (twee exports onder elkaar geplakt?) en is overgeslagen",
        "rij 5, 6 herhalen locaties met dezelfde gegevens (twee exports samengevoegd?): elke "
        "locatie telt één keer"]
    assert postcode_con.execute("select row_number from raw_lrk__locations order by 1").fetchall() == [
        (2,), (3,)]


def test_a_location_twice_with_other_places_is_refused_naming_the_column(postcode_con, tmp_path):
    """Two exports merged whose dates do not tell which row is newer (the same inschrijfdatum,
    no uitschrijfdatum): which row holds the places is not to say."""
    rows = [ROWS[0], ROWS[1], ["100000000001", "KDV", "De Boomhut", "56", *ROWS[0][4:]]]
    with pytest.raises(InputRefused) as refused:
        lrk.import_lrk_file(postcode_con, _csv(tmp_path / "lrk_2024.csv", rows))
    assert refused.value.messages == [
        "Bestand lrk_2024.csv: LRK-nummer 100000000001 staat meer dan eens in het bestand met "
        "andere gegevens (rijen 2, 4; kolom aantal_kindplaatsen verschilt) en geen inschrijf- of "
        "uitschrijfdatum zegt welke rij de nieuwste is (ze hebben dezelfde datums). Laat elke "
        "locatie één keer in de export staan (lees van exports van verschillende datum alleen de "
        "nieuwste in, niet samengevoegd). Er is niets opgeslagen."]
    assert postcode_con.execute("select count(*) from raw_lrk__locations").fetchone() == (0,)


@pytest.mark.parametrize("newer_first", [False, True])
def test_a_location_in_two_merged_exports_counts_by_its_newest_row(postcode_con, tmp_path, newer_first):
    """Two exports of different dates merged: the older has the location registered with 48
    places, the newer has it deregistered on 30-06-2024 (and another location, without places in
    the older, with 72 and a new registration). Refused before as 'staat meer dan eens'; the row
    with the latest inschrijf- or uitschrijfdatum is the location now, wherever it stands, and the
    note says so (and nothing of the older row's empty places)."""
    import datetime as dt

    older = [ROWS[0], [*ROWS[1][:3], "", *ROWS[1][4:]]]
    newer = [["100000000001", "KDV", "De Boomhut", "48", "Uitgeschreven", "01-01-2015", "30-06-2024",
              "1234AB", "Oord"],
             ["100000000002", "BSO", "Het Klimrek", "72", "Ingeschreven", "01-09-2024", "", "1234AC", "Oord"]]
    rows = [*newer, *older] if newer_first else [*older, *newer]
    result = lrk.import_lrk_file(postcode_con, _csv(tmp_path / "lrk_2024.csv", rows))
    assert (result.locations, result.places) == (1, 72)
    kept, dropped = ("2", "4") if newer_first else ("4", "2")
    assert result.notes == [
        "2 LRK-nummer(s) staan meer dan eens in het bestand met andere gegevens (exports van "
        "verschillende datum samengevoegd?): per locatie telt alleen de rij met de laatste inschrijf- "
        f"of uitschrijfdatum. LRK-nummer 100000000001: rij {kept} (30-06-2024) telt, rij {dropped} "
        "niet (kolommen status, uitschrijfdatum verschillen); zo ook bij 1 ander(e) LRK-nummer(s)"]
    assert postcode_con.execute(
        "select lrk_id, places, registration_status, deregistered_on from raw_lrk__locations"
        " order by 1").fetchall() == [
        ("100000000001", 48, "Uitgeschreven", dt.date(2024, 6, 30)),
        ("100000000002", 72, "Ingeschreven", None)]


@pytest.mark.parametrize("total", [["Totaal", "", "", "108", "", "", "", "", ""],
                                   ["", "", "Totaal", "108", "", "", "", "", ""],
                                   ["", "", "", "108", "", "", "", "", ""]])
def test_a_totals_row_at_the_bottom_is_passed_over_and_said(postcode_con, tmp_path, total):
    """A sum of the places typed below the export (=SOM) was refused as a location without
    LRK-nummer, type ('<NA>' is geen LRK-type) and postcode ('' is geen postcode)."""
    result = lrk.import_lrk_file(postcode_con, _csv(tmp_path / "lrk_2024.csv", [*ROWS, total]))
    assert (result.locations, result.places) == (2, 108)
    assert result.notes == ["rij 4 onderaan heeft geen LRK-nummer, type of postcode (een "
                            "totaalregel?) en is overgeslagen"]


def test_a_location_without_number_type_and_postcode_above_others_is_refused(postcode_con, tmp_path):
    """Only rows below the last location are passed over: one between them is a location whose
    cells were lost, and the refusal says what is missing in words, not '<NA>'."""
    rows = [ROWS[0], ["", "", "De Wip", "12", "Ingeschreven", "", "", "", "Oord"], ROWS[1]]
    with pytest.raises(InputRefused) as refused:
        lrk.import_lrk_file(postcode_con, _csv(tmp_path / "lrk_2024.csv", rows))
    assert refused.value.messages == [
        "Bestand lrk_2024.csv, rij 3, kolom lrk_id: het LRK-nummer ontbreekt.",
        "Bestand lrk_2024.csv, rij 3, kolom type_oko: het type ontbreekt; verwacht KDV, BSO, VGO, "
        "GOB, PSZ.",
        "Bestand lrk_2024.csv, rij 3, kolom opvanglocatie_postcode: de postcode ontbreekt.",
        "Er is niets opgeslagen."]


def test_status_words_of_other_systems_are_read_as_the_registers(postcode_con, tmp_path):
    """'Geregistreerd', 'Afgemeld', 'Niet meer actief' (copies kept by a gemeente) refused the
    whole export as unknown statuses. They are stored as the register's word, so the figures
    (stg_lrk__locations) count them as the import's message does; the message says how they were
    read."""
    rows = [[*ROWS[0][:4], "Geregistreerd", *ROWS[0][5:]],
            [*ROWS[1][:4], "niet meer actief", *ROWS[1][5:]],
            ["100000000003", "BSO", "De Wip", "20", "AFGEMELD", "01-01-2019", "", "1234AC", "Oord"],
            ["100000000004", "KDV", "De Tol", "16", "Actief", "01-01-2019", "", "1234AC", "Oord"]]
    result = lrk.import_lrk_file(postcode_con, _csv(tmp_path / "lrk_2024.csv", rows))
    assert (result.locations, result.places, result.deregistered) == (2, 64, 2)
    assert result.notes == [
        "kolom status: 'Geregistreerd' (1 rij) gelezen als Ingeschreven, 'niet meer actief' (1 rij) "
        "gelezen als Uitgeschreven, 'AFGEMELD' (1 rij) gelezen als Uitgeschreven, 'Actief' (1 rij) "
        "gelezen als Ingeschreven (Ingeschreven telt mee, Uitgeschreven niet)"]
    assert postcode_con.execute(
        "select lrk_id, registration_status from raw_lrk__locations order by 1").fetchall() == [
        ("100000000001", "Ingeschreven"), ("100000000002", "Uitgeschreven"),
        ("100000000003", "Uitgeschreven"), ("100000000004", "Ingeschreven")]


def test_dates_whose_cell_format_was_lost_are_read_as_the_dates_excel_holds(postcode_con, tmp_path):
    """A date column set to 'Standaard' in Excel shows and keeps the day number (43221 is
    01-05-2018): refused row by row as 'geen datum'."""
    from openpyxl import Workbook

    path = tmp_path / "lrk_2024.xlsx"
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(["100000000001", "KDV", "De Boomhut", 48, "Ingeschreven", 43221, None, "1234AB", "Oord"])
    sheet.append(["100000000002", "BSO", "Het Klimrek", 60, "Uitgeschreven", 43221, 45000, "1234AC", "Oord"])
    book.save(path)
    result = lrk.import_lrk_file(postcode_con, path)
    assert (result.locations, result.places) == (1, 48)
    assert postcode_con.execute(
        "select registered_on::varchar, deregistered_on::varchar from raw_lrk__locations"
        " order by lrk_id").fetchall() == [("2018-05-01", None), ("2018-05-01", "2023-03-15")]


def test_the_page_reads_the_registers_search_export_pasted_twice_in_excel(app_db):
    """On Gemeente laden: the sample export as the register's website names its columns, types
    and statuses ('Gastouderopvang', 'Afgemeld'), with dates and numbers as Excel cells, pasted
    twice into one workbook with a totals row below. It was refused (the second header as an
    unknown status, every location twice); now it stores what the export itself stores, and the
    page says what it passed over."""
    import datetime as dt
    import io

    import duckdb
    from conftest import ROOT, add_account, run_page
    from openpyxl import Workbook

    from data_sources.accounts import Account

    sample = (ROOT / "sample_data" / "lrk" / "lrk_export_GM9999_2024.csv").read_bytes().decode("cp1252")
    header, *lines = [line.split(";") for line in sample.splitlines()]
    column = {name: index for index, name in enumerate(header)}
    types = {"KDV": "Kinderdagverblijf", "BSO": "Buitenschoolse opvang", "VGO": "Gastouderopvang",
             "GOB": "Gastouderbureau"}

    def date(text: str) -> dt.datetime | None:
        return dt.datetime.strptime(text, "%d-%m-%Y") if text else None

    website = ["Registratienummer", "Type opvang", "Naam", "Aantal kindplaatsen", "Adres", "Postcode",
               "Plaats", "Status", "Datum inschrijving", "Datum uitschrijving", "Gemeente"]
    rows = [[int(cells[column["lrk_id"]]), types[cells[column["type_oko"]]],
             cells[column["actuele_naam_oko"]],
             int(cells[column["aantal_kindplaatsen"]]) if cells[column["aantal_kindplaatsen"]] else None,
             cells[column["opvanglocatie_adres"]], cells[column["opvanglocatie_postcode"]],
             cells[column["opvanglocatie_woonplaats"]],
             {"Uitgeschreven": "Afgemeld"}.get(cells[column["status"]], cells[column["status"]]),
             date(cells[column["inschrijfdatum"]]), date(cells[column["uitschrijfdatum"]]),
             cells[column["verantwoordelijke_gemeente"]]] for cells in lines]
    book = Workbook()
    sheet = book.active
    for row in [website, *rows, website, *rows]:
        sheet.append(row)
    sheet.append(["Totaal", None, None, f"=SUM(D2:D{len(rows) + 1})"])
    data = io.BytesIO()
    book.save(data)

    def stored(load_id: int) -> list[tuple]:
        con = duckdb.connect(str(app_db), config=store.CONNECT_CONFIG)
        try:
            return con.execute("select lrk_id, provision_type, places, postcode, wijk_code,"
                               " registration_status, registered_on, deregistered_on"
                               " from raw_lrk__locations where load_id = ? order by lrk_id",
                               [load_id]).fetchall()
        finally:
            con.close()

    con = duckdb.connect(str(app_db), config=store.CONNECT_CONFIG)
    try:
        (sample_load,), = con.execute("select load_id from loads where dataset = 'lrk-locaties'"
                                      " and year = 2024 and status = 'active'").fetchall()
        # what the sample export itself counts, as read by import-sample
        locations, places = con.execute(
            "select count(*), sum(places) filter (where provision_type <> 'GOB')"
            " from raw_lrk__locations where load_id = ? and registration_status = 'Ingeschreven'"
            " and (deregistered_on is null or deregistered_on > date '2024-12-31')",
            [sample_load]).fetchone()
    finally:
        con.close()
    add_account(app_db, "beheer", "beheerder")
    at = run_page("gemeente_laden", account=Account("beheer", "beheerder"))
    at.file_uploader(key="laden_lrk").set_value(("zoekresultaten_2024.xlsx", data.getvalue(),
                                                  "application/octet-stream"))
    at.run()
    next(b for b in at.button if b.label == "LRK-export inlezen").click()
    at.run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert [s.value for s in at.success] == [
        f"zoekresultaten_2024.xlsx is ingelezen: {locations} ingeschreven locaties met samen {places} "
        "kindplaatsen, jaar 2024."]
    infos = [i.value for i in at.info]
    second = len(rows) + 2
    assert (f"Rij {second} herhaalt de kopregel (twee exports onder elkaar geplakt?) en is "
            "overgeslagen.") in infos
    assert (f"Rij {second + 1}, {second + 2}, {second + 3}, {second + 4}, {second + 5} ... herhalen "
            "locaties met dezelfde gegevens (twee exports samengevoegd?): elke locatie telt één keer.") in infos
    assert (f"Rij {2 * second - 1} onderaan heeft geen LRK-nummer, type of postcode (een "
            "totaalregel?) en is overgeslagen.") in infos
    afgemeld = 2 * sum(row[7] == "Afgemeld" for row in rows)  # the rows of both copies
    assert (f"Kolom Status: 'Afgemeld' ({afgemeld} rijen) gelezen als Uitgeschreven "
            "(Ingeschreven telt mee, Uitgeschreven niet).") in infos
    con = duckdb.connect(str(app_db), config=store.CONNECT_CONFIG)
    try:
        (new_load,), = con.execute("select max(load_id) from loads where dataset = 'lrk-locaties'").fetchall()
    finally:
        con.close()
    assert new_load != sample_load
    assert stored(new_load) == stored(sample_load)


def test_a_damaged_row_of_another_gemeente_does_not_refuse_the_national_export_for_one(postcode_con,
                                                                                       tmp_path):
    """An analist of one gemeente reads the register's national export (within): a row of
    Amsterdam with a damaged postcode and places refused the whole file, a row the analist can
    neither fix nor needs. Only the rows of the analist's gemeenten are checked and stored; the
    others are named in a note. Without `within` (every gemeente is stored) it is still refused."""
    header = [*HEADER, "cbs_code"]
    rows = [[*ROWS[0], "0001"], [*ROWS[1], "0001"],
            ["100000000009", "KDV", "De Gracht", "veel", "Ingeschreven", "01-01-2015", "", "1012",
             "Amsterdam", "0363"]]
    path = tmp_path / "export_opendata_lrk_2024.csv"
    path.write_text("\n".join(";".join(row) for row in [header, *rows]) + "\n", encoding="utf-8")
    with pytest.raises(InputRefused) as refused:
        lrk.import_lrk_file(postcode_con, path)
    assert refused.value.messages[:2] == [
        "Bestand export_opendata_lrk_2024.csv, rij 4, kolom aantal_kindplaatsen: 'veel' is geen "
        "aantal kindplaatsen (een heel getal van 0 of meer).",
        "Bestand export_opendata_lrk_2024.csv, rij 4, kolom opvanglocatie_postcode: '1012' is geen "
        "postcode (vier cijfers en twee letters, bijvoorbeeld 1234 AB)."]
    result = lrk.import_lrk_file(postcode_con, path, within={"GM0001"})
    assert (result.locations, result.places) == (2, 108)
    assert result.notes == ["1 locatie(s) van 1 andere gemeente(n) niet opgeslagen: alleen de "
                            "locaties van GM0001 horen bij uw account"]
    assert postcode_con.execute("select lrk_id from raw_lrk__locations order by 1").fetchall() == [
        ("100000000001",), ("100000000002",)]


@pytest.mark.parametrize(("typed", "code"), [("Kinderdagverblijf (KDV)", "KDV"), ("buitenschoolse opvang (bso)", "BSO"),
                                             ("Gastouderopvang (VGO)", "VGO"), ("Peuteropvang", "PSZ")])
def test_a_type_with_its_code_after_it_or_peuteropvang_is_that_type(postcode_con, tmp_path, typed, code):
    """'Kinderdagverblijf (KDV)' as a legend writes it, and 'Peuteropvang' (a peuterspeelzaal since
    2018), were refused as 'geen LRK-type'."""
    rows = [[ROWS[0][0], typed, *ROWS[0][2:]], ROWS[1]]
    result = lrk.import_lrk_file(postcode_con, _csv(tmp_path / "lrk_2024.csv", rows))
    assert (result.locations, result.places) == (2, 108)
    assert postcode_con.execute("select provision_type from raw_lrk__locations order by lrk_id"
                                ).fetchall() == [(code,), ("BSO",)]


@pytest.mark.parametrize(("places", "sep", "sign"), [("1.200", ";", "de punt"), ("1.200,00", ";", "de punt"),
                                                     ("1 200", ";", "de spatie"), ("1,200", ",", "de komma")])
def test_places_with_a_separator_of_thousands_are_that_whole_number(postcode_con, tmp_path, places, sep, sign):
    """A column formatted '#.##0' in a Dutch Excel is saved as '1.200' (an English one: '1,200'):
    refused before as 'geen aantal kindplaatsen'. Places are a whole number, so the sign before
    three digits separates thousands when the file uses it nowhere as its decimal sign; said."""
    import csv
    import io

    rows = [["100000000001", "KDV", "De Boomhut", places, *ROWS[0][4:]], ROWS[1]]
    text = io.StringIO()
    csv.writer(text, delimiter=sep, lineterminator="\r\n").writerows([HEADER, *rows])
    path = tmp_path / "lrk_2024.csv"
    path.write_bytes(text.getvalue().encode("cp1252"))
    result = lrk.import_lrk_file(postcode_con, path)
    assert (result.locations, result.places) == (2, 1260)
    assert result.notes == [f"kolom aantal_kindplaatsen: '{places}' (rij 2) gelezen als 1200: een "
                            f"aantal kindplaatsen is een heel getal, dus {sign} scheidt daar "
                            "duizendtallen (en is nergens in de kolom een decimaalteken)"]


@pytest.mark.parametrize(("places", "other", "why"), [
    ("1,200", "60", "de komma is het decimaalteken van een CSV-bestand met ';' als scheidingsteken"),
    ("1.200", "60.00", "de punt is in deze kolom het decimaalteken (zoals in '60.00' op rij 3)")])
def test_places_whose_separator_may_be_a_decimal_sign_are_refused_saying_why(postcode_con, tmp_path,
                                                                           places, other, why):
    """'1,200' in the register's Dutch CSV, or '1.200' beside '60.00': thousands or decimals is
    not to say from the file, so it is refused, naming row, column and reason; nothing stored."""
    rows = [["100000000001", "KDV", "De Boomhut", places, *ROWS[0][4:]],
            [*ROWS[1][:3], other, *ROWS[1][4:]]]
    with pytest.raises(InputRefused) as refused:
        lrk.import_lrk_file(postcode_con, _csv(tmp_path / "lrk_2024.csv", rows))
    assert refused.value.messages == [
        f"Bestand lrk_2024.csv, rij 2, kolom aantal_kindplaatsen: '{places}' is niet eenduidig: "
        f"{why}. Het kan 1200 kindplaatsen zijn of een getal met decimalen; schrijf het aantal "
        "zonder scheidingsteken (1200).", "Er is niets opgeslagen."]
    assert postcode_con.execute("select count(*) from raw_lrk__locations").fetchone() == (0,)


def test_places_typed_as_text_with_a_point_of_thousands_in_a_workbook_are_read(postcode_con, tmp_path):
    """A workbook's number cells carry no separator; one typed as text ('1.200') in a column of
    numbers is the whole number, said in the note."""
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(HEADER)
    book.active.append([100000000001, "KDV", "De Boomhut", "1.200", *ROWS[0][4:]])
    book.active.append([100000000002, *ROWS[1][1:3], 60, *ROWS[1][4:]])
    path = tmp_path / "lrk_2024.xlsx"
    book.save(path)
    result = lrk.import_lrk_file(postcode_con, path)
    assert (result.locations, result.places) == (2, 1260)
    assert result.notes[0].startswith("kolom aantal_kindplaatsen: '1.200' (rij 2) gelezen als 1200")


# The header of the register's open-data download, export_opendata_lrk.csv at
# landelijkregisterkinderopvang.nl/opendata (also via data.overheid.nl), as public readers of it
# spell it out: 35 columns separated by ';', a UTF-8 byte order mark before Windows-1252 text,
# CRLF, dates dd-mm-jjjj, postcodes without a space, contact fields in apostrophes ('' when
# empty), cbs_code without 'GM', no uitschrijfdatum (only registered locations). The rows below
# are made up.
OPEN_DATA_HEADER = [
    "lrk_id", "type_oko", "opc", "actuele_naam_oko", "aantal_kindplaatsen", "ve", "status",
    "inschrijfdatum", "opvanglocatie_adres", "opvanglocatie_postcode", "opvanglocatie_woonplaats",
    "bag_id", "naam_houder", "kvk_nummer_houder", "vestigingsnummer_houder", "rechtsvorm_houder",
    "start_geschillencommissie", "einde_geschillencommissie", "houder_adres", "houder_postcode",
    "houder_woonplaats", "houder_buitenland", "correspondentie_adres", "correspondentie_postcode",
    "correspondentie_woonplaats", "correspondentie_buitenland", "contact_persoon", "contact_telefoon",
    "contact_emailadres", "contact_website", "cbs_code", "verantwoordelijke_gemeente",
    "gastouderbureau_1", "gastouderbureau_2", "lrk_url"]


def _open_data_rows() -> list[dict[str, str]]:
    def location(lrk_id, kind, name, places, postcode, address, **more):
        fields = dict.fromkeys(OPEN_DATA_HEADER, "")
        fields.update(lrk_id=lrk_id, type_oko=kind, opc="Nee", actuele_naam_oko=name,
                      aantal_kindplaatsen=places, ve="Nee", status="Ingeschreven",
                      inschrijfdatum="15-08-2019", opvanglocatie_adres=address,
                      opvanglocatie_postcode=postcode, opvanglocatie_woonplaats="Oord" if postcode else "",
                      bag_id="0001010000012345" if postcode else "", contact_telefoon="''",
                      contact_emailadres="''", cbs_code="0001", verantwoordelijke_gemeente="Oord",
                      lrk_url=f"https://www.landelijkregisterkinderopvang.nl/pp/#/inzien/oko/gegevens/{lrk_id}")
        fields.update(more)
        return fields

    return [
        location("204857361", "KDV", "Kinderdagverblijf Crèche 't Éénhoorntje", "48", "1234AB",
                 "Dorpsstraat 12", ve="Ja", inschrijfdatum="01-03-2012", naam_houder="Stichting Café",
                 kvk_nummer_houder="41000001", contact_emailadres="'info@voorbeeld.nl'"),
        location("309182736", "BSO", 'BSO "De Klimboom"; locatie Noord', "40", "1234AC", "Schoolweg 1"),
        location("187263544", "VGO", "Gastouder aan huis", "4", "", "Opvang bij de vraagouder", opc="Ja",
                 gastouderbureau_1="Gastouderbureau De Wieg"),
        location("776655443", "GOB", "Gastouderbureau De Wieg", "", "1234AB", "Kade 3"),
        location("665544332", "KDV", "Peuteropvang 't Kabouterhuis\nlocatie Zuid", "16", "1234AC", "Laan 2"),
    ]


def _as_excel_saved_it(fields: dict[str, str]) -> dict[str, str]:
    """A row as a Dutch Excel saves the download again as CSV: a date cell as d-m-jjjj, the CBS
    code as the number it took it for, the BAG id rounded to what the cell shows."""
    day, month, year = fields["inschrijfdatum"].split("-")
    return {**fields, "inschrijfdatum": f"{int(day)}-{int(month)}-{year}",
            "cbs_code": str(int(fields["cbs_code"])),
            "bag_id": "1,00001E+13" if fields["bag_id"] else ""}


@pytest.mark.parametrize("form", ["published", "zipped", "excel csv", "excel csv utf-8", "excel xlsx"])
def test_the_registers_open_data_download_is_read_as_published_zipped_and_saved_by_excel(
        postcode_con, tmp_path, form):
    """The national download as the register publishes it (made-up rows in its real layout), sent
    on zipped, or opened in Excel and saved again (as CSV, CSV UTF-8 or a workbook): every form
    counts the same locations, places and register gemeente (its cbs_code, also '1' after
    Excel), and the gastouder home without an address counts in no wijk."""
    import csv
    import datetime as dt
    import io
    import zipfile

    from openpyxl import Workbook

    rows = _open_data_rows()
    if form.startswith("excel"):
        rows = [_as_excel_saved_it(row) for row in rows]
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
    writer.writerows([OPEN_DATA_HEADER, *(row.values() for row in rows)])
    path = tmp_path / "export_opendata_lrk.csv"
    if form in ("published", "zipped"):
        path.write_bytes(b"\xef\xbb\xbf" + text.getvalue().encode("cp1252"))
    elif form == "excel csv":
        path.write_bytes(text.getvalue().encode("cp1252"))
    elif form == "excel csv utf-8":
        path.write_bytes(b"\xef\xbb\xbf" + text.getvalue().encode("utf-8"))
    if form == "zipped":
        with zipfile.ZipFile(tmp_path / "export_opendata_lrk.zip", "w", zipfile.ZIP_DEFLATED) as archive:
            archive.write(path, "export_opendata_lrk.csv")
        path = tmp_path / "export_opendata_lrk.zip"
    if form == "excel xlsx":
        book = Workbook()
        book.active.title = "export_opendata_lrk"
        book.active.append(OPEN_DATA_HEADER)
        for row in _open_data_rows():
            numbers = {name: int(row[name]) for name in ("lrk_id", "aantal_kindplaatsen", "cbs_code")
                       if row[name]}
            book.active.append(list({**row, **numbers, "inschrijfdatum": dt.datetime.strptime(
                row["inschrijfdatum"], "%d-%m-%Y")}.values()))
        path = tmp_path / "export_opendata_lrk.xlsx"
        book.save(path)
    result = lrk.import_lrk_file(postcode_con, path, year=2024)
    assert (result.locations, result.places, result.without_address, result.covered) == (
        5, 108, 1, ["GM0001"])
    assert result.notes == []
    assert postcode_con.execute(
        "select lrk_id, provision_type, location_name, places, postcode, wijk_code, registered_on"
        " from raw_lrk__locations order by row_number").fetchall() == [
        ("204857361", "KDV", "Kinderdagverblijf Crèche 't Éénhoorntje", 48, "1234AB", "WK000101",
         dt.date(2012, 3, 1)),
        ("309182736", "BSO", 'BSO "De Klimboom"; locatie Noord', 40, "1234AC", "WK000102",
         dt.date(2019, 8, 15)),
        ("187263544", "VGO", "Gastouder aan huis", 4, None, None, dt.date(2019, 8, 15)),
        ("776655443", "GOB", "Gastouderbureau De Wieg", None, "1234AB", "WK000101", dt.date(2019, 8, 15)),
        ("665544332", "KDV", "Peuteropvang 't Kabouterhuis\nlocatie Zuid", 16, "1234AC", "WK000102",
         dt.date(2019, 8, 15))]


def test_the_page_reads_the_open_data_download_as_published_with_the_year_in_its_box(app_db):
    """On Gemeente laden: export_opendata_lrk.csv as the register publishes it (no year in its
    name, BOM before cp1252, CRLF) for Voorbeeldstad's postcodes, with a row of an older download
    merged in: read with the year from the box, counted by the newest row, and said."""
    import csv
    import io

    from conftest import add_account, run_page

    from data_sources.accounts import Account

    rows = _open_data_rows()[:2]
    for row, postcode in zip(rows, ("9901DM", "9901GP"), strict=True):
        row.update(opvanglocatie_postcode=postcode, opvanglocatie_woonplaats="Voorbeeldstad",
                   cbs_code="9999", verantwoordelijke_gemeente="Voorbeeldstad")
    older = {**rows[0], "aantal_kindplaatsen": "32", "inschrijfdatum": "01-03-2010"}
    text = io.StringIO()
    csv.writer(text, delimiter=";", lineterminator="\r\n").writerows(
        [OPEN_DATA_HEADER, *(row.values() for row in [*rows, older])])
    add_account(app_db, "beheer", "beheerder")
    at = run_page("gemeente_laden", account=Account("beheer", "beheerder"))
    at.file_uploader(key="laden_lrk").set_value(("export_opendata_lrk.csv", b"\xef\xbb\xbf" + text.getvalue()
                                                  .encode("cp1252"), "text/csv"))
    at.number_input(key="laden_lrk_jaar").set_value(2024)
    at.run()
    next(b for b in at.button if b.label == "LRK-export inlezen").click()
    at.run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert [s.value for s in at.success] == [
        "export_opendata_lrk.csv is ingelezen: 2 ingeschreven locaties met samen 88 kindplaatsen, jaar 2024."]
    assert [w.value for w in at.warning] == [  # which row counts is the loader's guess: a warning
        "1 LRK-nummer(s) staan meer dan eens in het bestand met andere gegevens (exports "
        "van verschillende datum samengevoegd?): per locatie telt alleen de rij met de laatste "
        "inschrijf- of uitschrijfdatum. LRK-nummer 204857361: rij 2 (01-03-2012) telt, rij 4 niet "
        "(kolommen aantal_kindplaatsen, inschrijfdatum verschillen)."]


@pytest.mark.parametrize(("registered", "deregistered"), [
    ("1-3-12", "31-12-19"), ("01-03-12", "31-12-19"), ("1-3-12 0:00", "31-12-19 0:00"),
    # slashes in the order the file's own dates show (31 is no month)
    ("1/3/12", "31/12/19")])
def test_dates_with_a_two_digit_year_as_a_dutch_excel_saves_them_are_read_as_20jj(
        postcode_con, tmp_path, registered, deregistered):
    """A date column formatted d-m-jj in a Dutch Excel is saved in the CSV as '1-3-12': refused
    row by row as 'geen datum'. The register has no dates of the 20th century's years that two
    digits could mean, so they are 20jj; four-digit years, ISO and Excel day numbers still read."""
    rows = [[*ROWS[0][:5], registered, "", *ROWS[0][7:]],
            [*ROWS[1][:4], "Uitgeschreven", registered, deregistered, *ROWS[1][7:]],
            ["100000000003", "KDV", "De Vlinder", "16", "Ingeschreven", "01-03-2012", "", "1234AB", "Oord"],
            ["100000000004", "KDV", "De Rups", "12", "Ingeschreven", "2012-03-01", "", "1234AC", "Oord"],
            ["100000000005", "BSO", "De Uil", "20", "Ingeschreven", "40969", "", "1234AC", "Oord"]]
    result = lrk.import_lrk_file(postcode_con, _csv(tmp_path / "lrk_2024.csv", rows))
    assert (result.locations, result.places, result.deregistered, result.notes) == (4, 96, 1, [])
    assert postcode_con.execute(
        "select lrk_id, registered_on::varchar, deregistered_on::varchar from raw_lrk__locations"
        " order by lrk_id").fetchall() == [
        ("100000000001", "2012-03-01", None), ("100000000002", "2012-03-01", "2019-12-31"),
        ("100000000003", "2012-03-01", None), ("100000000004", "2012-03-01", None),
        ("100000000005", "2012-03-01", None)]


def test_a_two_digit_year_that_would_lie_ahead_is_refused_naming_row_and_column(postcode_con, tmp_path):
    """'1-3-45' is no date of the register as 2045 (ahead of today) nor as 1945: refused with
    row and column, nothing stored and the export loaded before kept. On a deregistered location
    (which does not count) it is left empty, with a note, as other unreadable dates are."""
    import datetime as dt

    assert lrk.import_lrk_file(postcode_con, _csv(tmp_path / "lrk_2024.csv", ROWS)).places == 108
    ahead = (dt.date.today().year + 1) % 100
    rows = [[*ROWS[0][:5], f"1-3-{ahead:02d}", *ROWS[0][6:]],
            [*ROWS[1][:4], "Uitgeschreven", "01-01-2019", f"1-3-{ahead:02d}", *ROWS[1][7:]]]
    path = _csv(tmp_path / "lrk_2024_nieuw.csv", rows)
    with pytest.raises(InputRefused) as refused:
        lrk.import_lrk_file(postcode_con, path)
    assert refused.value.messages == [
        f"Bestand lrk_2024_nieuw.csv, rij 2, kolom inschrijfdatum: '1-3-{ahead:02d}' heeft een jaar "
        f"van twee cijfers; als {2000 + ahead} ligt het in de toekomst, als {1900 + ahead} vóór het "
        "register. Schrijf de datum met vier cijfers voor het jaar (dd-mm-jjjj).",
        "Er is niets opgeslagen."]
    assert postcode_con.execute("select count(*), sum(places) from raw_lrk__locations").fetchone() == (2, 108)
    rows[0][5] = "01-03-2012"
    result = lrk.import_lrk_file(postcode_con, _csv(tmp_path / "lrk_2024_nieuw.csv", rows))
    assert (result.locations, result.places, result.deregistered) == (1, 48, 1)
    assert result.notes[0] == ("kolom uitschrijfdatum: 1 onleesbare datum(s) of jaren buiten "
                               "1990-2099 bij uitgeschreven locaties leeg gelaten (rij 3)")


def _open_data_export(path, rows: list[dict[str, str]]) -> object:
    """The open-data download as published (BOM, cp1252, CRLF); '<0x81>' in a value is written
    as that one byte, which Windows-1252 has no character for."""
    import csv
    import io

    text = io.StringIO()
    csv.writer(text, delimiter=";", lineterminator="\r\n").writerows(
        [OPEN_DATA_HEADER, *(row.values() for row in rows)])
    data = text.getvalue().encode("cp1252")
    for byte in (0x81, 0x8D, 0x8F, 0x90, 0x9D):
        data = data.replace(f"<0x{byte:02X}>".encode(), bytes([byte]))
    path.write_bytes(b"\xef\xbb\xbf" + data)
    return path


def test_a_byte_undefined_in_windows_1252_in_a_row_of_another_gemeente_does_not_refuse_the_export(
        postcode_con, tmp_path):
    """One byte Windows-1252 has no character for (0x81, 0x8D, 0x8F, 0x90, 0x9D) in a row of
    Amsterdam refused the whole national export ('rij 7 bevat tekens die niet te lezen zijn') for
    an analist of Oord. Now only the rows read are held to it: read for Oord, refused (naming row
    and column) when every gemeente is read, and the earlier export is kept."""
    rows = _open_data_rows()
    amsterdam = {**rows[0], "lrk_id": "100000000009", "actuele_naam_oko": "Kinderopvang Caf<0x81>",
                 "opvanglocatie_adres": "Gracht<0x9D> 1", "opvanglocatie_postcode": "1012AB",
                 "opvanglocatie_woonplaats": "Amsterdam", "cbs_code": "0363",
                 "verantwoordelijke_gemeente": "Amsterdam"}
    path = _open_data_export(tmp_path / "export_opendata_lrk.csv", [*rows, amsterdam])
    result = lrk.import_lrk_file(postcode_con, path, year=2024, within={"GM0001"})
    assert (result.locations, result.places, result.covered) == (5, 108, ["GM0001"])
    assert result.notes == ["1 locatie(s) van 1 andere gemeente(n) niet opgeslagen: alleen de "
                            "locaties van GM0001 horen bij uw account"]
    assert postcode_con.execute("select location_name from raw_lrk__locations where lrk_id = "
                                "'204857361'").fetchone() == ("Kinderdagverblijf Crèche 't Éénhoorntje",)
    with pytest.raises(InputRefused) as refused:
        lrk.import_lrk_file(postcode_con, path, year=2024)
    assert refused.value.messages == [
        f"Bestand export_opendata_lrk.csv, rij 7, kolom {column}: '{value}' bevat de byte {byte}, "
        "die in Windows-1252 (de codering van de export) geen teken is: het bestand is beschadigd of "
        "in een andere codering opgeslagen. Verbeter de waarde, of lees de export in zoals het "
        "register hem geeft." for column, value, byte in (
            ("actuele_naam_oko", "Kinderopvang Caf<U+0081>", "0x81"),
            ("opvanglocatie_adres", "Gracht<U+009D> 1", "0x9D"))] + ["Er is niets opgeslagen."]
    assert postcode_con.execute("select count(*), count(distinct load_id) from raw_lrk__locations"
                                ).fetchone() == (5, 1)


@pytest.mark.parametrize("byte", ["0x8D", "0x8F", "0x90"])
def test_a_byte_undefined_in_windows_1252_in_a_row_that_is_read_is_refused_naming_row_and_column(
        postcode_con, tmp_path, byte):
    """In a row of the account's own gemeente the byte would be stored as an invisible character
    ('Crèche' with a character no one sees): refused, shown as <U+008D>, nothing stored."""
    rows = _open_data_rows()
    rows[1]["opvanglocatie_woonplaats"] = f"Oo<{byte}>rd"
    path = _open_data_export(tmp_path / "export_opendata_lrk.csv", rows)
    with pytest.raises(InputRefused) as refused:
        lrk.import_lrk_file(postcode_con, path, year=2024, within={"GM0001"})
    assert refused.value.messages == [
        f"Bestand export_opendata_lrk.csv, rij 3, kolom opvanglocatie_woonplaats: 'Oo<U+00{byte[2:]}>rd' "
        f"bevat de byte {byte}, die in Windows-1252 (de codering van de export) geen teken is: het "
        "bestand is beschadigd of in een andere codering opgeslagen. Verbeter de waarde, of lees de "
        "export in zoals het register hem geeft.", "Er is niets opgeslagen."]
    assert postcode_con.execute("select count(*) from raw_lrk__locations").fetchone() == (0,)


@pytest.mark.parametrize(("registered", "deregistered"), [
    ("1-mrt-12", "31-dec-19"), ("1-mrt-2012", "31-dec-2019"), ("1 mrt. 2012", "31 dec. 2019"),
    ("1 maart 2012", "31 december 2019"), ("donderdag 1 maart 2012", "dinsdag 31 december 2019")])
def test_dates_with_the_months_name_as_a_dutch_excel_formats_them_are_read(
        postcode_con, tmp_path, registered, deregistered):
    """A date column given one of Dutch Excel's date formats with the month's name (Celeigenschappen,
    Datum: '14-mrt-12', '14 maart 2012', 'woensdag 14 maart 2012') is saved in a CSV as it shows:
    refused row by row as 'geen datum'."""
    rows = [[*ROWS[0][:5], registered, "", *ROWS[0][7:]],
            [*ROWS[1][:4], "Uitgeschreven", registered, deregistered, *ROWS[1][7:]]]
    result = lrk.import_lrk_file(postcode_con, _csv(tmp_path / "lrk_2024.csv", rows))
    assert (result.locations, result.places, result.deregistered, result.notes) == (1, 48, 1, [])
    assert postcode_con.execute(
        "select registered_on::varchar, deregistered_on::varchar from raw_lrk__locations"
        " order by lrk_id").fetchall() == [("2012-03-01", None), ("2012-03-01", "2019-12-31")]


def test_a_date_with_a_weekday_that_is_not_its_own_or_an_unknown_month_is_refused(postcode_con, tmp_path):
    """'woensdag 1 maart 2012' (1 March 2012 was a Thursday) does not say which of the two is
    meant, and 'mei' is the only May Kindkaart reads: both refused naming row and column."""
    rows = [[*ROWS[0][:5], "woensdag 1 maart 2012", *ROWS[0][6:]],
            [*ROWS[1][:5], "1-may-12", *ROWS[1][6:]]]
    with pytest.raises(InputRefused) as refused:
        lrk.import_lrk_file(postcode_con, _csv(tmp_path / "lrk_2024.csv", rows))
    assert refused.value.messages == [
        f"Bestand lrk_2024.csv, rij {row}, kolom inschrijfdatum: '{text}' is geen datum (verwacht "
        "dd-mm-jjjj, bijvoorbeeld 01-05-2018)." for row, text in (
            (2, "woensdag 1 maart 2012"), (3, "1-may-12"))] + ["Er is niets opgeslagen."]


def test_the_page_reads_the_national_download_with_a_byte_undefined_in_windows_1252_elsewhere(app_db):
    """On Gemeente laden, an analist of Voorbeeldstad reads export_opendata_lrk.csv: a byte
    Windows-1252 has no character for in a row of Amsterdam refused the whole download ('rij 4
    bevat tekens die niet te lezen zijn'). Now Voorbeeldstad's locations load; the same byte in a
    row of Voorbeeldstad is refused naming row and column, with no traceback, nothing stored."""
    import duckdb
    from conftest import add_account, run_page

    from data_sources.accounts import Account

    def fetch(sql: str) -> list[tuple]:
        con = duckdb.connect(str(app_db), config=store.CONNECT_CONFIG)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()

    rows = _open_data_rows()[:2]
    for row, postcode in zip(rows, ("9901DM", "9901GP"), strict=True):
        row.update(opvanglocatie_postcode=postcode, opvanglocatie_woonplaats="Voorbeeldstad",
                   cbs_code="9999", verantwoordelijke_gemeente="Voorbeeldstad")
    amsterdam = {**rows[0], "lrk_id": "100000000009", "actuele_naam_oko": "Kinderopvang Caf<0x81>",
                 "opvanglocatie_postcode": "1012AB", "opvanglocatie_woonplaats": "Amsterdam",
                 "cbs_code": "0363", "verantwoordelijke_gemeente": "Amsterdam"}
    add_account(app_db, "ana", "analist", gemeenten=["GM9999"])
    before = fetch("select count(*) from raw_lrk__locations")

    def read(rows: list[dict[str, str]]):
        data = _open_data_export(app_db.parent / "export_opendata_lrk.csv", rows).read_bytes()
        at = run_page("gemeente_laden", account=Account("ana", "analist"))
        at.file_uploader(key="laden_lrk").set_value(("export_opendata_lrk.csv", data, "text/csv"))
        at.number_input(key="laden_lrk_jaar").set_value(2024)
        at.run()
        next(b for b in at.button if b.label == "LRK-export inlezen").click()
        at.run()
        assert not at.exception, at.exception
        return at

    at = read([{**rows[0], "opvanglocatie_woonplaats": "Voorbeeld<0x8D>stad"}, rows[1], amsterdam])
    # as markdown shows it: the page escapes '<' ('\\<U+008D\\>') so that it shows literally
    errors = " ".join(e.value for e in at.error).replace("\\", "")
    assert ("rij 2, kolom opvanglocatie_woonplaats: 'Voorbeeld<U+008D>stad' bevat de byte 0x8D"
            in errors), errors
    assert "Traceback" not in errors and "/tmp" not in errors
    assert fetch("select count(*) from raw_lrk__locations") == before
    at = read([*rows, amsterdam])
    assert not at.error, [e.value for e in at.error]
    assert [s.value for s in at.success] == [
        "export_opendata_lrk.csv is ingelezen: 2 ingeschreven locaties met samen 88 kindplaatsen, jaar 2024."]
    assert ("1 locatie(s) van 1 andere gemeente(n) niet opgeslagen: alleen de locaties van "
            "Voorbeeldstad (GM9999) horen bij uw account.") in [i.value for i in at.info]


@pytest.mark.parametrize("form", ["excel csv utf-8", "excel xlsx"])
def test_the_open_data_download_opened_as_utf8_says_which_names_lost_their_letters(
        postcode_con, tmp_path, form):
    """The download is Windows-1252 text behind a UTF-8 byte order mark: a program that trusts the
    mark (Excel, opening it) reads 'Crèche' as 'Cr\ufffdche', and a copy saved from it keeps the
    replacement characters. It was stored without a word; the locations still count, and the note
    names the column, rows and an example, so that the user can read the register's own file."""
    import csv
    import io

    from openpyxl import Workbook

    text = io.StringIO()
    csv.writer(text, delimiter=";", lineterminator="\r\n").writerows(
        [OPEN_DATA_HEADER, *(row.values() for row in _open_data_rows())])
    published = b"\xef\xbb\xbf" + text.getvalue().encode("cp1252")
    as_opened = published.decode("utf-8-sig", errors="replace")  # what the program shows
    if form == "excel csv utf-8":
        path = tmp_path / "export_opendata_lrk.csv"
        path.write_bytes(b"\xef\xbb\xbf" + as_opened.encode("utf-8"))
    else:
        book = Workbook()
        for row in csv.reader(io.StringIO(as_opened), delimiter=";"):
            book.active.append(row)
        path = tmp_path / "export_opendata_lrk.xlsx"
        book.save(path)
    result = lrk.import_lrk_file(postcode_con, path, year=2024)
    assert (result.locations, result.places) == (5, 108)
    assert result.notes == [
        "kolom actuele_naam_oko: 1 waarde(n) met het teken \ufffd (rij 2, zoals 'Kinderdagverblijf "
        "Cr\ufffdche 't \ufffd\ufffdnhoorntje'): daar zijn letters verloren gegaan, meestal doordat de "
        "export als UTF-8 is geopend en weer opgeslagen (het register zet een UTF-8-markering vóór "
        "Windows-1252-tekst; Excel leest hem daardoor verkeerd). De locaties tellen mee; lees voor "
        "de juiste namen het bestand in zoals het register het geeft"]


def _amsterdam(row: dict[str, str], **fields: str) -> dict[str, str]:
    """A location of Amsterdam in the national download, made from one of Oord's rows."""
    return {**row, "lrk_id": "100000000009", "opvanglocatie_postcode": "1012AB",
            "opvanglocatie_woonplaats": "Amsterdam", "cbs_code": "0363",
            "verantwoordelijke_gemeente": "Amsterdam", **fields}


def _with_a_separator_too_many(path, rows: list[dict[str, str]], damaged: dict[int, str]) -> object:
    """The download as published, with in the rows of `damaged` (index -> column) a ';' inside
    that column's value without quotes around it: every later field is one column further."""
    _open_data_export(path, rows)
    lines = path.read_bytes().removeprefix(b"\xef\xbb\xbf").decode("cp1252").split("\r\n")
    for index, column in damaged.items():
        fields = list(rows[index].values())
        at = OPEN_DATA_HEADER.index(column)
        fields[at] = f"{fields[at]}; locatie 2"
        lines[index + 1] = ";".join(fields)
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode("cp1252"))
    return path


def test_an_excel_rounded_number_in_a_row_of_another_gemeente_does_not_refuse_the_export(
        postcode_con, tmp_path):
    """An LRK number of Amsterdam saved by Excel as '1,00E+11' refused the national download for
    an analist of Oord, before its rows were chosen. Now only the rows read are held to it: read
    for Oord; refused (naming rows and column) when every gemeente is read or the row is Oord's."""
    rows = _open_data_rows()
    path = _open_data_export(tmp_path / "export_opendata_lrk.csv",
                             [*rows, _amsterdam(rows[0], lrk_id="1,00E+11")])
    result = lrk.import_lrk_file(postcode_con, path, year=2024, within={"GM0001"})
    assert (result.locations, result.places, result.covered) == (5, 108, ["GM0001"])
    assert result.notes == ["1 locatie(s) van 1 andere gemeente(n) niet opgeslagen: alleen de "
                            "locaties van GM0001 horen bij uw account"]
    refusal = (
        "Bestand export_opendata_lrk.csv, kolom lrk_id: 1 LRK-nummer is door Excel afgerond tot een "
        "getal als '1,00E+11' (rij {row}); daarmee is niet meer te zien welke locatie het is. Laad "
        "de export zoals het register hem geeft (niet eerst opgeslagen in Excel), of zet in Excel de "
        "kolom lrk_id op Tekst voordat u de export opent.")
    with pytest.raises(InputRefused) as refused:
        lrk.import_lrk_file(postcode_con, path, year=2024)
    assert refused.value.messages == [refusal.format(row=7)]
    rows[1]["lrk_id"] = "1,00E+11"
    path = _open_data_export(tmp_path / "export_opendata_lrk.csv", [*rows, _amsterdam(rows[0])])
    with pytest.raises(InputRefused) as refused:
        lrk.import_lrk_file(postcode_con, path, year=2024, within={"GM0001"})
    assert refused.value.messages == [refusal.format(row=3)]
    assert postcode_con.execute("select count(*), count(distinct load_id) from raw_lrk__locations"
                                ).fetchone() == (5, 1)


@pytest.mark.parametrize("column", ["actuele_naam_oko", "naam_houder", "gastouderbureau_1"])
def test_a_separator_too_many_in_a_row_of_another_gemeente_does_not_refuse_the_export(
        postcode_con, tmp_path, column):
    """A ';' without quotes in a name of an Amsterdam location (before or after the columns that
    say its gemeente) refused the national download for an analist of Oord. Now that row is
    passed over, since every way its fields can be shifted places it in Amsterdam; when every
    gemeente is read (the command line) it is refused as before."""
    rows = _open_data_rows()
    amsterdam = _amsterdam(rows[0], actuele_naam_oko="De Gracht", gastouderbureau_1="Wieg")
    path = _with_a_separator_too_many(tmp_path / "export_opendata_lrk.csv", [*rows, amsterdam],
                                      {5: column})
    result = lrk.import_lrk_file(postcode_con, path, year=2024, within={"GM0001"})
    assert (result.locations, result.places, result.covered) == (5, 108, ["GM0001"])
    assert postcode_con.execute("select count(*) from raw_lrk__locations").fetchone() == (5,)
    with pytest.raises(InputRefused) as refused:
        lrk.import_lrk_file(postcode_con, path, year=2024)
    assert refused.value.messages == [
        "Bestand export_opendata_lrk.csv: rij 7 heeft meer velden dan de kopregel kolommen heeft "
        "(mogelijk een ';' in een naam zonder aanhalingstekens eromheen). Laad de export zoals het "
        "register hem geeft, of zet die namen tussen aanhalingstekens. Er is niets opgeslagen."]


@pytest.mark.parametrize("column", ["actuele_naam_oko", "naam_houder", "gastouderbureau_1"])
def test_a_separator_too_many_in_a_row_that_may_be_the_accounts_is_refused_naming_the_row(
        postcode_con, tmp_path, column):
    """An own location with a ';' too many in its name: read as the header places its fields,
    its gemeente columns hold the fields before them (an empty website, the code '0001' as the
    gemeente's name) and the row seemed of no known gemeente, to be passed over without a word.
    Every reading is judged: one says Oord, so the row is refused naming it, nothing stored. A
    row whose readings say no gemeente at all may be Oord's too: refused, saying so."""
    rows = _open_data_rows()
    rows[1]["gastouderbureau_1"] = "Wieg"
    unknown = _amsterdam(rows[0], opvanglocatie_postcode="", cbs_code="", verantwoordelijke_gemeente="")
    path = _with_a_separator_too_many(tmp_path / "export_opendata_lrk.csv", [*rows, unknown],
                                      {1: column, 5: "actuele_naam_oko"})
    with pytest.raises(InputRefused) as refused:
        lrk.import_lrk_file(postcode_con, path, year=2024, within={"GM0001"})
    assert refused.value.messages == [
        "Bestand export_opendata_lrk.csv: rij 3, 7 hebben meer velden dan de kopregel kolommen "
        "heeft (mogelijk een ';' in een naam zonder aanhalingstekens eromheen); door de verschoven "
        "kolommen is van rij 7 niet te zien bij welke gemeente de locatie hoort. Laad de export "
        "zoals het register hem geeft, of zet die namen tussen aanhalingstekens. Er is niets "
        "opgeslagen."]
    assert postcode_con.execute("select count(*) from raw_lrk__locations").fetchone() == (0,)


def test_the_page_reads_the_national_download_with_damaged_rows_of_other_gemeenten(app_db):
    """On Gemeente laden an analist of Voorbeeldstad reads export_opendata_lrk.csv with two
    damaged rows of Amsterdam, an LRK number Excel rounded and a ';' too many in a name: the
    download was refused. Now Voorbeeldstad's locations load; the ';' in a row of Voorbeeldstad
    is refused naming the row, without a traceback, nothing stored."""
    import duckdb
    from conftest import add_account, run_page

    from data_sources.accounts import Account

    def stored() -> list[tuple]:
        con = duckdb.connect(str(app_db), config=store.CONNECT_CONFIG)
        try:
            return con.execute("select lrk_id from raw_lrk__locations order by 1").fetchall()
        finally:
            con.close()

    rows = _open_data_rows()[:2]
    for row, postcode in zip(rows, ("9901DM", "9901GP"), strict=True):
        row.update(opvanglocatie_postcode=postcode, opvanglocatie_woonplaats="Voorbeeldstad",
                   cbs_code="9999", verantwoordelijke_gemeente="Voorbeeldstad")
    rows += [_amsterdam(rows[0], lrk_id="1,00E+11"), _amsterdam(rows[0], actuele_naam_oko="De Gracht")]
    add_account(app_db, "ana", "analist", gemeenten=["GM9999"])
    before = stored()

    def read(damaged: dict[int, str]):
        path = _with_a_separator_too_many(app_db.parent / "export_opendata_lrk.csv", rows, damaged)
        at = run_page("gemeente_laden", account=Account("ana", "analist"))
        at.file_uploader(key="laden_lrk").set_value(("export_opendata_lrk.csv", path.read_bytes(),
                                                     "text/csv"))
        at.number_input(key="laden_lrk_jaar").set_value(2024)
        at.run()
        next(b for b in at.button if b.label == "LRK-export inlezen").click()
        at.run()
        assert not at.exception, at.exception
        return at

    at = read({0: "actuele_naam_oko", 3: "actuele_naam_oko"})
    errors = " ".join(e.value for e in at.error)
    assert ("Bestand export_opendata_lrk.csv: rij 2 heeft meer velden dan de kopregel kolommen "
            "heeft") in errors, errors
    assert "Traceback" not in errors and "/tmp" not in errors
    assert stored() == before
    at = read({3: "actuele_naam_oko"})
    assert not at.error, [e.value for e in at.error]
    assert [s.value for s in at.success] == [
        "export_opendata_lrk.csv is ingelezen: 2 ingeschreven locaties met samen 88 kindplaatsen, jaar 2024."]
    assert ("2 locatie(s) van 1 andere gemeente(n) niet opgeslagen: alleen de locaties van "
            "Voorbeeldstad (GM9999) horen bij uw account.") in [i.value for i in at.info]


def _utf8_export(path, rows: list[dict[str, str]], pasted: dict[int, str]) -> object:
    """The download saved again as CSV UTF-8 (BOM, ';', CRLF), with the value of `pasted`
    (row index -> column) in those rows written in Windows-1252, as a row pasted from the
    register's own copy: 'é' is the one byte 0xE9 there, which is no UTF-8."""
    import csv
    import io

    lines = []
    for index, row in enumerate([dict(zip(OPEN_DATA_HEADER, OPEN_DATA_HEADER, strict=True)), *rows]):
        text = io.StringIO()
        csv.writer(text, delimiter=";", lineterminator="\r\n").writerow(row.values())
        encoding = "cp1252" if index - 1 in pasted else "utf-8"
        lines.append(text.getvalue().encode(encoding))
    path.write_bytes(b"\xef\xbb\xbf" + b"".join(lines))
    return path


def _read_as(notes: list[str]) -> list[str]:
    """The notes that name rows read in the other encoding than the rest (each only informs)."""
    found = [note for note in notes if "gelezen als" in note]
    assert all(severity(note) == "info" for note in found), found
    return found


PASTED_NOTE = ("rij {rows} {verb} gelezen als Windows-1252, de rest van het bestand als UTF-8 "
               "(geplakt uit een ander bestand?); controleer de namen")
MISREAD_NOTE = ("rij {rows} {verb} gelezen als UTF-8, de rest van het bestand als Windows-1252 (een "
                "naam die al eens verkeerd gelezen en zo opgeslagen is, of geplakt uit een ander "
                "bestand?); controleer de namen")


def _names(con, load_id: int) -> list[tuple]:
    return con.execute("select lrk_id, location_name from raw_lrk__locations where load_id = ?"
                       " order by row_number", [load_id]).fetchall()


def test_a_utf8_export_with_a_row_in_windows_1252_reads_that_row_and_names_it(postcode_con, tmp_path):
    """The download saved as CSV UTF-8, with a row pasted from the register's Windows-1252 copy:
    its one byte for 'é' is no UTF-8, so the whole file was read as Windows-1252 and every other
    accented letter stored as 'Ã¨' without a word; later the pasted row was refused. Now each line
    is read in its own encoding: the pasted row is stored as written, with a note naming it when
    it is read, and none when it is of another gemeente (an analist of Oord reading the national
    download)."""
    rows = _open_data_rows()
    amsterdam = _amsterdam(rows[0], actuele_naam_oko="Kinderopvang Café")
    path = _utf8_export(tmp_path / "export_opendata_lrk.csv", [*rows, amsterdam], {5: "cp1252"})
    assert b"Caf\xe9" in path.read_bytes() and "Crèche".encode() in path.read_bytes()
    result = lrk.import_lrk_file(postcode_con, path, year=2024, within={"GM0001"})
    assert (result.locations, result.places) == (5, 108)
    assert _read_as(result.notes) == []
    assert _names(postcode_con, result.load_id)[0] == (
        "204857361", "Kinderdagverblijf Crèche 't Éénhoorntje")
    # row 7, on the file's eighth line: the name in row 6 holds a line break
    result = lrk.import_lrk_file(postcode_con, path, year=2024)
    assert (result.locations, result.places) == (6, 156)
    assert _names(postcode_con, result.load_id)[5] == ("100000000009", "Kinderopvang Café")
    assert _read_as(result.notes) == [PASTED_NOTE.format(rows="7", verb="is")]
    rows[1]["actuele_naam_oko"] = "Crèche De Klimboom"  # the one letter of the UTF-8 rows
    path = _utf8_export(tmp_path / "export_opendata_lrk.csv", rows, {0: "cp1252"})
    result = lrk.import_lrk_file(postcode_con, path, year=2024, within={"GM0001"})
    assert _read_as(result.notes) == [PASTED_NOTE.format(rows="2", verb="is")]
    assert _names(postcode_con, result.load_id)[:2] == [
        ("204857361", "Kinderdagverblijf Crèche 't Éénhoorntje"), ("309182736", "Crèche De Klimboom")]


def test_a_utf8_export_with_more_pasted_windows_1252_rows_than_letters_of_its_own_reads_both(
        postcode_con, tmp_path):
    """A national copy saved as CSV UTF-8 with 8 rows of Amsterdam pasted from the register's
    Windows-1252 copy: their 8 bytes for 'é' outnumbered the 4 letters of the UTF-8 rows, so the
    whole file was read as Windows-1252 and Oord's 'Crèche 't Éénhoorntje' stored as 'CrÃ¨che 't
    Ã‰Ã©nhoorntje' without a word; later Amsterdam's rows were refused when read. Now Oord's
    rows are stored as written and Amsterdam's passed over for an analist of Oord, without a
    note; read whole, every name is stored as written and the one UTF-8 row is named."""
    rows = _open_data_rows()
    amsterdam = [_amsterdam(rows[0], lrk_id=f"1000000001{i:02d}", actuele_naam_oko=f"Café {i}")
                 for i in range(8)]
    path = _utf8_export(tmp_path / "export_opendata_lrk.csv", [*rows, *amsterdam],
                        dict.fromkeys(range(5, 13), "cp1252"))
    result = lrk.import_lrk_file(postcode_con, path, year=2024, within={"GM0001"})
    assert (result.locations, result.places) == (5, 108)
    assert _names(postcode_con, result.load_id)[0] == (
        "204857361", "Kinderdagverblijf Crèche 't Éénhoorntje")
    assert [note for note in result.notes if "0x" in note or "Ã" in note or "gelezen als" in note] == []
    result = lrk.import_lrk_file(postcode_con, path, year=2024)
    assert result.locations == 13
    assert _names(postcode_con, result.load_id)[5:] == [
        (f"1000000001{i:02d}", f"Café {i}") for i in range(8)]
    assert _names(postcode_con, result.load_id)[0] == (
        "204857361", "Kinderdagverblijf Crèche 't Éénhoorntje")
    assert _read_as(result.notes) == [MISREAD_NOTE.format(rows="2", verb="is")]


def test_rows_of_the_own_gemeente_pasted_from_windows_1252_into_a_utf8_export_are_read_and_named(
        postcode_con, tmp_path):
    """The same with Oord's own rows pasted: five rows in Windows-1252 among UTF-8 rows with
    'Crèche' and 'Zoë' were refused by row and column (and before that made the file
    Windows-1252, every UTF-8 letter 'Ã¨'). Now every row is stored as written and a note names
    the pasted rows, as runs."""
    rows = _open_data_rows()
    rows[1]["actuele_naam_oko"] = "Crèche De Klimboom"
    pasted = [{**rows[2], "lrk_id": f"58726354{i}", "actuele_naam_oko": f"Gastouder Zoë {i}"}
              for i in range(5)]
    own = [{**rows[2], "lrk_id": f"28726354{i}", "actuele_naam_oko": f"Gastouder Noël {i}"}
           for i in range(6)]
    path = _utf8_export(tmp_path / "export_opendata_lrk.csv", [*rows, *pasted, *own],
                        dict.fromkeys(range(5, 10), "cp1252"))
    assert b"Zo\xeb 0" in path.read_bytes() and "Noël 0".encode() in path.read_bytes()
    result = lrk.import_lrk_file(postcode_con, path, year=2024, within={"GM0001"})
    assert _names(postcode_con, result.load_id) == [
        ("204857361", "Kinderdagverblijf Crèche 't Éénhoorntje"), ("309182736", "Crèche De Klimboom"),
        ("187263544", "Gastouder aan huis"), ("776655443", "Gastouderbureau De Wieg"),
        ("665544332", "Peuteropvang 't Kabouterhuis\nlocatie Zuid"),
        *((f"58726354{i}", f"Gastouder Zoë {i}") for i in range(5)),
        *((f"28726354{i}", f"Gastouder Noël {i}") for i in range(6))]
    assert _read_as(result.notes) == [PASTED_NOTE.format(rows="7-11", verb="zijn")]


def test_letters_misread_once_in_a_utf8_export_are_named_in_a_note_for_the_rows_read(
        postcode_con, tmp_path):
    """A copy that was once opened as Windows-1252 and saved as CSV UTF-8 holds 'CrÃ¨che' as
    valid UTF-8: it was stored without a word. The rows read now get a note naming column, row,
    the value and what it probably was; a row of another gemeente gets none, and a name whose
    letters are what they are ('CAFÉ' and a no-break space) is not named."""
    rows = _open_data_rows()
    written = rows[0]["actuele_naam_oko"]
    rows[0]["actuele_naam_oko"] = written.encode("utf-8").decode("cp1252")
    rows[1]["actuele_naam_oko"] = "KINDEROPVANG CAFÉ\u00a0NOORD"
    rows[4]["opvanglocatie_adres"] = "Laan 2 â€“ achterzijde"
    amsterdam = _amsterdam(rows[0], actuele_naam_oko="Kinderopvang CafÃ©")
    path = _utf8_export(tmp_path / "export_opendata_lrk.csv", [*rows, amsterdam], {})
    assert "CrÃ¨che 't Ã‰Ã©nhoorntje".encode() in path.read_bytes()
    result = lrk.import_lrk_file(postcode_con, path, year=2024, within={"GM0001"})
    assert (result.locations, result.places) == (5, 108)
    misread = [str(note) for note in result.notes if "verkeerd gelezen" in str(note)]
    assert misread == [
        "kolom actuele_naam_oko: 1 waarde(n) met letters die al eens verkeerd gelezen zijn (rij 2, "
        "zoals 'Kinderdagverblijf CrÃ¨che 't Ã‰Ã©nhoorntje', waarschijnlijk 'Kinderdagverblijf "
        "Crèche 't Éénhoorntje'): UTF-8-tekst is daar als Windows-1252 geopend en zo weer "
        "opgeslagen. De locaties tellen mee onder de naam zoals die in het bestand staat; verbeter "
        "de waarden, of lees de export in zoals het register hem geeft",
        "kolom opvanglocatie_adres: 1 waarde(n) met letters die al eens verkeerd gelezen zijn (rij "
        "6, zoals 'Laan 2 â€“ achterzijde', waarschijnlijk 'Laan 2 – achterzijde'): UTF-8-tekst is "
        "daar als Windows-1252 geopend en zo weer opgeslagen. De locaties tellen mee onder de naam "
        "zoals die in het bestand staat; verbeter de waarden, of lees de export in zoals het "
        "register hem geeft"]


def test_the_page_reads_a_utf8_national_copy_with_rows_of_amsterdam_pasted_from_windows_1252(app_db):
    """On Gemeente laden an analist of Voorbeeldstad reads a national copy saved as CSV UTF-8 with
    8 rows of Amsterdam pasted from the register's Windows-1252 copy: Voorbeeldstad's 'Crèche 't
    Éénhoorntje' was stored as 'CrÃ¨che 't Ã‰Ã©nhoorntje' without a word. Now it is stored as
    written and Amsterdam's rows are passed over; a row of Voorbeeldstad pasted so (refused for a
    while) is read as written too, and named in a note."""
    import duckdb
    from conftest import add_account, run_page

    from data_sources.accounts import Account

    def stored() -> list[tuple]:
        con = duckdb.connect(str(app_db), config=store.CONNECT_CONFIG)
        try:
            return con.execute("select lrk_id, location_name from raw_lrk__locations"
                               " where load_id = (select max(load_id) from raw_lrk__locations)"
                               " order by 1").fetchall()
        finally:
            con.close()

    rows = _open_data_rows()[:2]
    for row, postcode in zip(rows, ("9901DM", "9901GP"), strict=True):
        row.update(opvanglocatie_postcode=postcode, opvanglocatie_woonplaats="Voorbeeldstad",
                   cbs_code="9999", verantwoordelijke_gemeente="Voorbeeldstad")
    rows[1]["actuele_naam_oko"] = "BSO Zoë"
    rows += [_amsterdam(rows[0], lrk_id=f"1000000001{i:02d}", actuele_naam_oko=f"Café {i}")
             for i in range(8)]
    add_account(app_db, "ana", "analist", gemeenten=["GM9999"])

    def read(pasted: list[int]):
        path = _utf8_export(app_db.parent / "export_opendata_lrk.csv", rows,
                            dict.fromkeys(pasted, "cp1252"))
        at = run_page("gemeente_laden", account=Account("ana", "analist"))
        at.file_uploader(key="laden_lrk").set_value(("export_opendata_lrk.csv", path.read_bytes(),
                                                     "text/csv"))
        at.number_input(key="laden_lrk_jaar").set_value(2024)
        at.run()
        next(b for b in at.button if b.label == "LRK-export inlezen").click()
        at.run()
        assert not at.exception, at.exception
        return at

    at = read(list(range(2, 10)))
    assert not at.error, [e.value for e in at.error]
    assert [s.value for s in at.success] == [
        "export_opendata_lrk.csv is ingelezen: 2 ingeschreven locaties met samen 88 kindplaatsen, jaar 2024."]
    assert ("8 locatie(s) van 1 andere gemeente(n) niet opgeslagen: alleen de locaties van "
            "Voorbeeldstad (GM9999) horen bij uw account.") in [i.value for i in at.info]
    before = stored()
    assert before == [("204857361", "Kinderdagverblijf Crèche 't Éénhoorntje"),
                      ("309182736", "BSO Zoë")]
    assert not [i.value for i in at.info if "gelezen als" in i.value]
    at = read([0, *range(2, 10)])
    assert not at.error, [e.value for e in at.error]
    assert [s.value for s in at.success] == [
        "export_opendata_lrk.csv is ingelezen: 2 ingeschreven locaties met samen 88 kindplaatsen, jaar 2024."]
    assert [i.value for i in at.info if "gelezen als" in i.value] == [
        "Rij 2 is gelezen als Windows-1252, de rest van het bestand als UTF-8 (geplakt uit een ander "
        "bestand?); controleer de namen."]
    assert stored() == before


def _addresses(con, load_id: int) -> list[tuple]:
    return con.execute("select lrk_id, location_name, street_address from raw_lrk__locations"
                       " where load_id = ? order by row_number", [load_id]).fetchall()


def test_a_line_with_a_value_in_windows_1252_among_utf8_values_reads_each_as_written(
        postcode_con, tmp_path):
    """A UTF-8 export in which one row's address was typed in a Windows program ('Caféstraat': the
    one byte 0xE9) and one name holds both ('Crèche' in UTF-8, 'Café' in Windows-1252): such a
    line is no UTF-8, so it was read as Windows-1252 whole and Oord's name stored as 'CrÃ¨che 't
    Ã‰Ã©nhoorntje', with a note that blamed an earlier save. Now each part is read in its own
    encoding and a note names row and column; the same export written in UTF-8 alone gives the
    same names without a note."""
    rows = _open_data_rows()
    rows[0]["opvanglocatie_adres"] = "Caféstraat 12"
    rows[1]["actuele_naam_oko"] = "Crèche Café De Klimboom"
    (tmp_path / "schoon").mkdir()
    clean = _utf8_export(tmp_path / "schoon" / "export_opendata_lrk.csv", rows, {})
    mixed = tmp_path / "gemengd" / "export_opendata_lrk.csv"
    mixed.parent.mkdir()
    mixed.write_bytes(clean.read_bytes().replace("Caféstraat".encode(), "Caféstraat".encode("cp1252"))
                      .replace("Café De".encode(), "Café De".encode("cp1252")))
    assert b"Caf\xe9straat" in mixed.read_bytes() and "Crèche ".encode() + b"Caf\xe9 De" in mixed.read_bytes()
    written = [("204857361", "Kinderdagverblijf Crèche 't Éénhoorntje", "Caféstraat 12"),
               ("309182736", "Crèche Café De Klimboom", "Schoolweg 1")]
    result = lrk.import_lrk_file(postcode_con, clean, year=2024, within={"GM0001"})
    assert _addresses(postcode_con, result.load_id)[:2] == written
    assert [note for note in result.notes if "gelezen" in note or "Ã" in note] == []
    result = lrk.import_lrk_file(postcode_con, mixed, year=2024, within={"GM0001"})
    assert (result.locations, result.places) == (5, 108)
    assert _addresses(postcode_con, result.load_id)[:2] == written
    assert [note for note in result.notes if "gelezen" in note or "Ã" in note] == [
        "rij 2, kolom opvanglocatie_adres: gelezen als Windows-1252, de rest van de rij als UTF-8 "
        "(getypt of geplakt in een ander programma?); controleer de namen",
        "rij 3, kolom actuele_naam_oko: gelezen als Windows-1252, de rest van de rij als UTF-8 "
        "(getypt of geplakt in een ander programma?); controleer de namen"]
    assert all(severity(note) == "info" for note in result.notes if "gelezen" in note)


def test_the_download_in_windows_1252_with_bytes_that_happen_to_be_utf8_stays_windows_1252(
        postcode_con, tmp_path):
    """The register's own download is Windows-1252: 'É' followed by a no-break space is two bytes
    that UTF-8 reads (as U+0260), beside letters whose bytes are no UTF-8. It is still read as
    Windows-1252, every name as written, and nothing is refused."""
    rows = _open_data_rows()
    rows[1]["actuele_naam_oko"] = "KINDEROPVANG CAFÉ\u00a0NOORD"
    path = _open_data_export(tmp_path / "export_opendata_lrk.csv", rows)
    assert "É\u00a0".encode("cp1252").decode("utf-8") == "\u0260"
    result = lrk.import_lrk_file(postcode_con, path, year=2024)
    assert (result.locations, result.places, result.notes) == (5, 108, [])
    assert postcode_con.execute("select location_name from raw_lrk__locations order by row_number"
                                " limit 2").fetchall() == [
        ("Kinderdagverblijf Crèche 't Éénhoorntje",), ("KINDEROPVANG CAFÉ\u00a0NOORD",)]


def test_rows_read_line_by_line_are_named_by_their_row_below_a_title_and_a_line_break(
        postcode_con, tmp_path):
    """Rows pasted from Windows-1252 into a UTF-8 copy are named by the row Excel shows, not the
    line of the file: below Excel's 'sep=;' line and a title, and after a name with a line break
    in it. A byte Windows-1252 leaves undefined in such a row is still refused by row and column,
    and nothing is stored."""
    rows = _open_data_rows()
    rows[1]["actuele_naam_oko"] = "Crèche De Klimboom"
    rows[2]["actuele_naam_oko"] = "Gastouder Zoë"
    rows += [{**rows[1], "lrk_id": "400000001", "actuele_naam_oko": "BSO Noël"},
             {**rows[1], "lrk_id": "400000002", "actuele_naam_oko": "BSO Zoë"}]

    def export(pasted_rows) -> object:
        path = _utf8_export(tmp_path / "export_opendata_lrk.csv", pasted_rows, {2: "cp1252", 5: "cp1252"})
        body = path.read_bytes().removeprefix(b"\xef\xbb\xbf")
        path.write_bytes(b"\xef\xbb\xbfsep=;\r\n" + "LRK-export Oord – één bestand;\r\n".encode() + body)
        return path

    result = lrk.import_lrk_file(postcode_con, export(rows), year=2024)
    assert _names(postcode_con, result.load_id)[1:] == [
        ("309182736", "Crèche De Klimboom"), ("187263544", "Gastouder Zoë"),
        ("776655443", "Gastouderbureau De Wieg"), ("665544332", "Peuteropvang 't Kabouterhuis\nlocatie Zuid"),
        ("400000001", "BSO Noël"), ("400000002", "BSO Zoë")]
    assert _read_as(result.notes) == [PASTED_NOTE.format(rows="5, 8", verb="zijn")]
    rows[5]["actuele_naam_oko"] = "BSO Noël<0x81>"
    path = export(rows)
    path.write_bytes(path.read_bytes().replace(b"<0x81>", b"\x81"))
    with pytest.raises(InputRefused) as refused:
        lrk.import_lrk_file(postcode_con, path, year=2024)
    assert refused.value.messages == [
        "Bestand export_opendata_lrk.csv, rij 8, kolom actuele_naam_oko: 'BSO Noël<U+0081>' bevat de "
        "byte 0x81, die in Windows-1252 (de codering van de export) geen teken is: het bestand is "
        "beschadigd of in een andere codering opgeslagen. Verbeter de waarde, of lees de export in "
        "zoals het register hem geeft.", "Er is niets opgeslagen."]
    assert postcode_con.execute("select count(distinct load_id) from raw_lrk__locations").fetchall() == [(1,)]


@pytest.mark.parametrize("accented", [30, 150])
def test_a_windows_1252_download_with_one_line_that_reads_as_utf8_reads_every_line(
        postcode_con, tmp_path, accented):
    """The register's Windows-1252 download with one name it stored misread ('CafÃ©': its bytes
    C3 A9 are UTF-8 for 'é') beside names with a Windows-1252 'é'. A small download (30 such
    names) counted as UTF-8 because of that one line, and its 30 rows were refused; a large one
    stayed Windows-1252 only by a threshold of 1 line in 100. Each line is now read in its own
    encoding: nothing is refused, every name is stored as written, and the misread name, read
    as 'Café', is named in a note."""
    rows = _open_data_rows()
    rows += [{**rows[1], "lrk_id": f"4000000{i:03d}", "actuele_naam_oko": f"BSO Café {i}"}
             for i in range(accented)]
    rows[1]["actuele_naam_oko"] = "BSO CafÃ©"
    path = _open_data_export(tmp_path / "export_opendata_lrk.csv", rows)
    assert b"Caf\xc3\xa9" in path.read_bytes() and f"Caf\xe9 {accented - 1}".encode("latin-1") in path.read_bytes()
    result = lrk.import_lrk_file(postcode_con, path, year=2024)
    assert (result.locations, result.places) == (5 + accented, 108 + accented * 40)
    names = _names(postcode_con, result.load_id)
    assert names[:2] == [("204857361", "Kinderdagverblijf Crèche 't Éénhoorntje"),
                         ("309182736", "BSO Café")]
    assert names[5:] == [(f"4000000{i:03d}", f"BSO Café {i}") for i in range(accented)]
    assert [str(note) for note in result.notes] == [MISREAD_NOTE.format(rows="3", verb="is")]


def test_an_invisible_character_in_a_postcode_status_or_date_is_shown_in_every_message(
        postcode_con, tmp_path):
    """A byte Windows-1252 leaves undefined in a postcode was shown as <U+0081> in one refusal,
    but as itself (nothing on screen) in the next: "'1234AB' is geen postcode". So was a
    zero-width space or word joiner copied along into a postcode, status or date of a UTF-8
    copy. Every message now shows it as <U+...>."""
    rows = _open_data_rows()
    rows[0]["opvanglocatie_postcode"] = "1234<0x81>AB"
    path = _open_data_export(tmp_path / "export_opendata_lrk.csv", rows)
    with pytest.raises(InputRefused) as refused:
        lrk.import_lrk_file(postcode_con, path, year=2024)
    assert refused.value.messages[1:] == [
        "Bestand export_opendata_lrk.csv, rij 2, kolom opvanglocatie_postcode: '1234<U+0081>AB' is "
        "geen postcode (vier cijfers en twee letters, bijvoorbeeld 1234 AB).",
        "Er is niets opgeslagen."]
    assert refused.value.messages[0].startswith(
        "Bestand export_opendata_lrk.csv, rij 2, kolom opvanglocatie_postcode: '1234<U+0081>AB' "
        "bevat de byte 0x81")
    rows = _open_data_rows()
    rows[0]["opvanglocatie_postcode"] = "1234\u200bAB"
    rows[1]["status"] = "Ingeschreven\u2060"
    rows[2]["inschrijfdatum"] = "15-08-2019\u200b"
    path = _utf8_export(tmp_path / "export_opendata_lrk.csv", rows, {})
    with pytest.raises(InputRefused) as refused:
        lrk.import_lrk_file(postcode_con, path, year=2024)
    assert refused.value.messages == [
        "Bestand export_opendata_lrk.csv, kolom status: onbekende status 'Ingeschreven<U+2060>' (rij "
        "3). Kindkaart kent Ingeschreven, Geregistreerd en Actief (telt mee) en Uitgeschreven, "
        "Afgemeld en Niet meer actief (telt niet mee); pas de status aan of laad de export zoals het "
        "register hem geeft.",
        "Bestand export_opendata_lrk.csv, rij 2, kolom opvanglocatie_postcode: '1234<U+200B>AB' is "
        "geen postcode (vier cijfers en twee letters, bijvoorbeeld 1234 AB).",
        "Er is niets opgeslagen."]
    rows[1]["status"] = "Ingeschreven"
    path = _utf8_export(tmp_path / "export_opendata_lrk.csv", rows, {})
    with pytest.raises(InputRefused) as refused:
        lrk.import_lrk_file(postcode_con, path, year=2024)
    assert refused.value.messages[0] == (
        "Bestand export_opendata_lrk.csv, rij 4, kolom inschrijfdatum: '15-08-2019<U+200B>' is geen "
        "datum (verwacht dd-mm-jjjj, bijvoorbeeld 01-05-2018).")
    assert postcode_con.execute("select count(*) from raw_lrk__locations").fetchall() == [(0,)]


def test_the_page_reads_a_utf8_download_with_a_row_pasted_from_windows_1252(app_db):
    """On Gemeente laden an analist of Voorbeeldstad reads the download saved as CSV UTF-8 with
    a row pasted from the Windows-1252 copy: every accented name was stored as 'CrÃ¨che', and
    later the pasted row was refused. Now the pasted row is read as written when it is
    Voorbeeldstad's, and passed over when it is Amsterdam's, the names stored as written."""
    import duckdb
    from conftest import add_account, run_page

    from data_sources.accounts import Account

    def names() -> list[tuple]:
        con = duckdb.connect(str(app_db), config=store.CONNECT_CONFIG)
        try:
            return con.execute("select location_name from raw_lrk__locations where lrk_id in"
                               " ('204857361', '309182736') and load_id = (select max(load_id)"
                               " from raw_lrk__locations) order by 1").fetchall()
        finally:
            con.close()

    rows = _open_data_rows()[:2]
    for row, postcode in zip(rows, ("9901DM", "9901GP"), strict=True):
        row.update(opvanglocatie_postcode=postcode, opvanglocatie_woonplaats="Voorbeeldstad",
                   cbs_code="9999", verantwoordelijke_gemeente="Voorbeeldstad")
    rows.append(_amsterdam(rows[0], actuele_naam_oko="Kinderopvang Café"))
    add_account(app_db, "ana", "analist", gemeenten=["GM9999"])
    before = names()

    def read(pasted: int):
        path = _utf8_export(app_db.parent / "export_opendata_lrk.csv", rows, {pasted: "cp1252"})
        at = run_page("gemeente_laden", account=Account("ana", "analist"))
        at.file_uploader(key="laden_lrk").set_value(("export_opendata_lrk.csv", path.read_bytes(),
                                                     "text/csv"))
        at.number_input(key="laden_lrk_jaar").set_value(2024)
        at.run()
        next(b for b in at.button if b.label == "LRK-export inlezen").click()
        at.run()
        assert not at.exception, at.exception
        return at

    at = read(0)
    assert not at.error, [e.value for e in at.error]
    # Voorbeeldstad's rows with letters beyond ASCII are all Windows-1252: read alike, no note
    assert [i.value for i in at.info if "gelezen als" in i.value] == []
    assert names() == [('BSO "De Klimboom"; locatie Noord',), ("Kinderdagverblijf Crèche 't Éénhoorntje",)]
    assert names() != before
    at = read(2)
    assert not at.error, [e.value for e in at.error]
    assert [s.value for s in at.success] == [
        "export_opendata_lrk.csv is ingelezen: 2 ingeschreven locaties met samen 88 kindplaatsen, jaar 2024."]
    assert names() == [('BSO "De Klimboom"; locatie Noord',), ("Kinderdagverblijf Crèche 't Éénhoorntje",)]


UNKNOWN_GEMEENTE_NOTE = (
    "Kolom verantwoordelijke_gemeente: 2 locatie(s) hebben een verantwoordelijke gemeente die "
    "Kindkaart niet kent: 'Oud-Oord' (rij 2, 3). Geen geladen gemeente heet zo, en hun postcodes "
    "wijzen niet op één gemeente. Ze tellen mee in de wijk van hun postcode, maar horen bij geen "
    "gemeente: een latere export van hun gemeente, ook met de naam verbeterd, vervangt alleen de "
    "locaties die daarin ook staan (hetzelfde LRK-nummer); een locatie die alleen in deze export "
    "staat, blijft meetellen. Gebruik in die kolom de naam van de gemeente zoals CBS die nu "
    "schrijft, of haar CBS-code (zoals GM0518).")


@pytest.mark.parametrize("also_oord", [False, True])
def test_a_gemeente_name_that_cannot_be_matched_is_named_not_an_empty_list(postcode_con, tmp_path,
                                                                           also_oord):
    """A verantwoordelijke_gemeente that is no gemeente loaded (an old name) whose locations lie
    half in GM0001, half at a postcode not in the table, ties them to no gemeente: the load's note
    read 'telt voor ; ...' (an empty list of gemeenten), the user was told they lay 'in een andere
    gemeente dan hun verantwoordelijke gemeente', and not that the name was not matched."""
    rows = [[*row[:7], postcode, "Oud-Oord"] for row, postcode in zip(ROWS, ("1234AB", "9999ZZ"), strict=True)]
    if also_oord:
        rows.append(["100000000003", "KDV", "De Uil", "20", "Ingeschreven", "01-01-2015", "", "1234AC", "Oord"])
    result = lrk.import_lrk_file(postcode_con, _csv(tmp_path / "lrk_2024.csv", rows))
    note = postcode_con.execute("select note from loads where load_id = ?", [result.load_id]).fetchone()[0]
    assert "telt voor" not in note
    stored = UNKNOWN_GEMEENTE_NOTE[0].lower() + UNKNOWN_GEMEENTE_NOTE[1:-1]  # as a part of the note
    assert note == f"1 postcode(s) niet in de postcodetabel; {stored}"
    said = [*result.coverage_lines(), *map(lrk.note_sentence, result.notes)]
    assert said == (["Deze export telt voor gemeente Oord (GM0001)."] if also_oord else []) + [UNKNOWN_GEMEENTE_NOTE]
    assert severity(said[-1]) == "warning"
    # the two locations still count in the wijk of their postcode (one has none)
    assert postcode_con.execute(
        "select lrk_id, register_gemeente_code, wijk_code from raw_lrk__locations order by lrk_id"
    ).fetchall()[:2] == [("100000000001", None, "WK000101"), ("100000000002", None, None)]


@pytest.mark.parametrize("places", ["4²", "٤٨"])
def test_places_in_digits_that_are_no_plain_digits_are_refused_with_a_message(postcode_con, tmp_path, places):
    """'4²' passed str.isdigit() and then stopped the import with a Python error (int() refuses a
    superscript); Arabic-Indic digits were read as a number. Both are no number of places as the
    register writes it: a Dutch message with row and column."""
    rows = [ROWS[0][:3] + [places] + ROWS[0][4:], ROWS[1]]
    path = _csv(tmp_path / "lrk_2024.csv", rows) if places.isascii() or places == "4²" else None
    if path is None:  # cp1252 has no Arabic-Indic digits: the export in UTF-8
        path = tmp_path / "lrk_2024.csv"
        path.write_text("\r\n".join([";".join(HEADER), *(";".join(r) for r in rows)]) + "\r\n",
                        encoding="utf-8")
    with pytest.raises(InputRefused) as refused:
        lrk.import_lrk_file(postcode_con, path)
    assert refused.value.messages[0] == (
        f"Bestand lrk_2024.csv, rij 2, kolom aantal_kindplaatsen: '{places}' is geen aantal "
        "kindplaatsen (een heel getal van 0 of meer).")
