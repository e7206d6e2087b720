"""Exports read back from the written files: suppression as on screen, no formulas, the CLI command."""

import csv
import io
import zipfile

import duckdb
import openpyxl
import pytest

import transforms
from data_sources import store
from data_sources.cli import main
from outputs import exports, report

SMALL_WIJK = "WK999907"  # Buitengebied, the smallest wijk of the sample
SMALL_YEAR = 2022
HOSTILE = ["=HYPERLINK(\"http://example.org\",\"klik\")", "+31 6 1234", "-2+3", "@SUM(A1:A9)"]


def _load_brp_with_small_counts(path):
    """A register extract for SMALL_YEAR: 10 children per age in every wijk, 1-2 in SMALL_WIJK."""
    con = store.connect(path)
    wijken = [code for (code,) in con.execute(
        "select region_code from regions where region_level = 'wijk' and gemeente_code = 'GM9999'"
        " and year = ? order by 1", [SMALL_YEAR]).fetchall()]
    load_id = store.new_load(con, source="brp", dataset="bevolking", gemeente_code="GM9999", year=SMALL_YEAR,
                             period=str(SMALL_YEAR), organisation="Gemeente Voorbeeldstad",
                             row_count=len(wijken) * 12)
    rows = [(SMALL_YEAR, wijk, age, (1 if age < 2 else 2 if age < 4 else 6) if wijk == SMALL_WIJK else 10,
             load_id) for wijk in wijken for age in range(12)]
    con.executemany("insert into raw_brp__population values (?, ?, ?, ?, ?)", rows)
    transforms.build(con)
    con.close()
    return len(wijken)


def _add_hostile_deliveries(path):
    con = store.connect(path)
    for text in HOSTILE:
        store.new_load(con, source="partner", dataset="vve-indicaties", gemeente_code="GM9999", organisation=text,
                       period="2024", year=2024, file_name=text)
    con.close()


@pytest.fixture
def small_db(app_db):
    wijk_count = _load_brp_with_small_counts(app_db)
    assert wijk_count == 10
    return app_db


def _observed_raw(path):
    con = duckdb.connect(str(path), read_only=True)
    rows = con.execute("select age_group, children from population_by_wijk_age where wijk_code = ? and year = ?",
                       [SMALL_WIJK, SMALL_YEAR]).fetchall()
    con.close()
    return dict(rows)


def _sample_workbook(db):
    """The export workbook of the sample gemeente, 2024, from the database at `db`."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return openpyxl.load_workbook(io.BytesIO(exports.export_workbook(con, "GM9999", 2024)))
    finally:
        con.close()


def _sheet_rows(workbook, title):
    sheet = workbook[title]
    rows = list(sheet.iter_rows(values_only=True))
    return rows[0], rows[1:]


def test_workbook_hides_every_small_count_and_matches_the_screen(small_db, tmp_path, monkeypatch):
    raw = _observed_raw(small_db)
    assert raw == {"0-2": 2.0, "2-4": 4.0, "4-12": 48.0}  # the input really has small counts

    target = tmp_path / "kindkaart.xlsx"
    assert main(["export", "-o", str(target), "--db", str(small_db), "--gemeente", "GM9999",
                 "--jaar", str(SMALL_YEAR)]) == 0
    workbook = openpyxl.load_workbook(target)
    assert "Toelichting" in workbook.sheetnames
    header, rows = _sheet_rows(workbook, "Kinderen per wijk")
    assert header == ("Wijkcode", "Wijk", "0-2 jaar (0 en 1 jaar)", "2-4 jaar (2 en 3 jaar, peuters)",
                      "4-12 jaar (4 tot en met 11 jaar)", "Totaal", "Bron")
    assert len(rows) == 11
    for row in rows:
        for value in row[2:]:
            assert not (isinstance(value, (int, float)) and 0 < value < 5), row
    small = next(row for row in rows if row[0] == SMALL_WIJK)
    assert small[2] == "afgeschermd" and small[3] == "afgeschermd"
    # secondary suppression: in each column of a hidden cell another cell is hidden as well
    hidden_cells = sum(1 for row in rows for value in row[2:] if value == "afgeschermd")
    assert hidden_cells >= 4

    # the screen's table (ui.population) hides exactly the same cells
    from ui.population import children_by_wijk

    screen, is_estimate, _ = children_by_wijk("GM9999", SMALL_YEAR)
    assert not is_estimate
    shown = screen.display()
    for row, (_, screen_row) in zip(rows, shown.iterrows(), strict=True):
        for value, column in zip(row[2:-1], screen.value_columns, strict=True):
            assert (value == "afgeschermd") == (screen_row[column] == "afgeschermd")
        assert row[-1] == ("BRP (telling)" if row[0] != "Totaal" else None)  # Bron, as on Overzicht

    # every year over time shows a cell only when that year's own table shows it
    header, years = _sheet_rows(workbook, "Kinderen per jaar")
    by_year = {row[0]: row for row in years}
    total_row = next(row for row in rows if row[1] is None and row[0] == "Totaal")
    assert header[:2] == ("Jaar", "Bron")
    assert by_year[SMALL_YEAR][1] == "telling (BRP)"
    assert by_year[SMALL_YEAR][2:] == total_row[2:-1]  # without Bron
    for row in years:
        for value in row[2:]:
            assert not (isinstance(value, (int, float)) and 0 < value < 5)


def test_workbook_has_no_formula_even_from_hostile_text(app_db, tmp_path):
    _add_hostile_deliveries(app_db)
    target = tmp_path / "export.xlsx"
    assert main(["export", "-o", str(target), "--db", str(app_db)]) == 0
    workbook = openpyxl.load_workbook(target)
    found = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if cell.value in HOSTILE:
                    assert cell.data_type == "s"
                    found.append(cell.value)
    assert set(found) == set(HOSTILE)  # kept verbatim, as text
    with zipfile.ZipFile(target) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)


def test_csv_quotes_formula_like_text_and_keeps_numbers():
    import pandas as pd

    frame = pd.DataFrame({"Organisatie": [*HOSTILE, "Gewoon"], "Aantal": [-3.0, 12.0, 1234.5, None, 7.0],
                          "Verborgen": ["afgeschermd", 8, 0, 10, 11]})
    text = exports.csv_text(frame)
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == ["Organisatie", "Aantal", "Verborgen"]
    assert [r[0] for r in rows[1:]] == ["'" + h for h in HOSTILE] + ["Gewoon"]
    assert [r[1] for r in rows[1:]] == ["-3", "12", "1234,5", "", "7"]  # numbers are not text
    assert rows[1][2] == "afgeschermd"
    assert exports.csv_bytes(frame).startswith(b"\xef\xbb\xbf")


def test_csv_export_of_children_per_wijk(small_db, tmp_path):
    target = tmp_path / "kinderen.csv"
    assert main(["export", "-o", str(target), "--db", str(small_db), "--jaar", str(SMALL_YEAR)]) == 0
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig")), delimiter=";"))
    assert rows[0][:2] == ["Wijkcode", "Wijk"] and rows[0][-1] == "Bron"
    small = next(r for r in rows if r[0] == SMALL_WIJK)
    assert small[2:4] == ["afgeschermd", "afgeschermd"]
    for row in rows[1:]:
        for value in row[2:-1]:
            assert value == "afgeschermd" or value == "0" or float(value.replace(",", ".")) >= 5


def test_gemeente_report_and_wijk_factsheet(small_db, tmp_path):
    report_path = tmp_path / "rapport.html"
    assert main(["export", "-o", str(report_path), "--db", str(small_db), "--jaar", str(SMALL_YEAR)]) == 0
    html = report_path.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "<script" not in html
    for section in ("kerncijfers", "kaart", "per_wijk", "trend", "bronnen"):
        assert f'id="{section}"' in html
    assert html.count("<path ") == 10  # one shape per wijk, drawn offline as SVG
    assert "afgeschermd" in html
    assert "@page" in html  # print layout

    sheet_path = tmp_path / "factsheet.html"
    assert main(["export", "-o", str(sheet_path), "--db", str(small_db), "--jaar", str(SMALL_YEAR),
                 "--wijk", SMALL_WIJK]) == 0
    sheet = sheet_path.read_text(encoding="utf-8")
    assert "Wijkfactsheet Buitengebied" in sheet
    assert 'stroke="#000000" stroke-width="8"' in sheet  # the wijk is outlined on the map
    con = duckdb.connect(str(small_db), read_only=True)
    present = exports.existing_tables(con)
    con.close()
    if "stg_model__parameters" in present:
        assert 'id="aannames"' in sheet and "Aandeel kinderen op niveau 3" in sheet


def test_factsheet_over_years_hides_what_each_year_hides(small_db):
    con = duckdb.connect(str(small_db), read_only=True)
    values, hidden, _ = exports.wijk_rows_over_years(con, "GM9999", SMALL_WIJK)
    table, _, _ = exports.children_table(con, "GM9999", SMALL_YEAR)
    con.close()
    row = table.values.index[table.values["wijk_code"] == SMALL_WIJK][0]
    assert list(hidden.loc[SMALL_YEAR]) == list(table.hidden.loc[row, table.value_columns])
    assert hidden.loc[SMALL_YEAR].any()


def test_export_refuses_bad_requests_in_dutch(app_db, tmp_path, capsys):
    assert main(["export", "-o", str(tmp_path / "x.pdf"), "--db", str(app_db)]) == 1
    assert "kies .xlsx, .csv of .html" in capsys.readouterr().out
    assert main(["export", "-o", str(tmp_path / "x.xlsx"), "--db", str(app_db), "--gemeente", "GM0001"]) == 1
    assert "GM0001 is niet geladen" in capsys.readouterr().out
    assert main(["export", "-o", str(tmp_path / "x.xlsx"), "--db", str(app_db), "--jaar", "1999"]) == 1
    out = capsys.readouterr().out
    # what is missing for that year and where to load it, and the years that have children
    assert "Voor Voorbeeldstad in 1999 ontbreekt" in out and "kolom a_00_14" in out
    assert "Met kinderen per wijk geladen: 2020, 2021, 2022, 2023, 2024." in out
    assert main(["export", "-o", str(tmp_path / "x.html"), "--db", str(app_db), "--wijk", "WK000101"]) == 1
    assert "WK000101" in capsys.readouterr().out
    assert not list(tmp_path.glob("x.*"))


def test_a_table_list_adds_a_sheet_and_skips_missing_marts(app_db):
    con = duckdb.connect(str(app_db), read_only=True)
    try:
        tables = [*exports.EXPORT_TABLES,
                  exports.ExportTable("test_extra", "Extra", lambda c, g, y: exports.Sheet(
                      "Extra", c.execute("select ? as gemeente, ? as jaar", [g, y]).df())),
                  exports.ExportTable("test_missing", "Ontbreekt", lambda c, g, y: None,
                                      requires=("no_such_mart",))]
        keys = [t.key for t in exports.available_tables(con, tables)]
        assert "test_extra" in keys and "test_missing" not in keys
        workbook = openpyxl.load_workbook(io.BytesIO(exports.export_workbook(con, "GM9999", 2024, tables)))
        assert workbook["Extra"]["A2"].value == "GM9999" and workbook["Extra"]["B2"].value == 2024
        assert [t.key for t in exports.EXPORT_TABLES] == [
            "kinderen_per_wijk", "kinderen_per_jaar", "vraag_per_wijk_niveau", "tekort_per_wijk_niveau",
            "niveau_4", "aparte_groepen", "aanlevering", "databronnen"]
    finally:
        con.close()


def test_report_sections_are_a_list(app_db):
    con = duckdb.connect(str(app_db), read_only=True)
    try:
        sections = [*report.SECTIONS, report.Section(
            "test_note", "Testsectie", lambda context: "<p>extra &amp; meer</p>", scope=("gemeente",))]
        html = report.gemeente_report(con, "GM9999", 2024, sections)
        assert '<section id="test_note"><h2>Testsectie</h2>' in html
        assert "test_note" not in report.wijk_factsheet(con, "GM9999", 2024, SMALL_WIJK, sections)
    finally:
        con.close()


def test_workbook_and_report_carry_the_delivery_status(app_db, tmp_path):
    con = duckdb.connect(str(app_db), read_only=True)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(exports.export_workbook(con, "GM9999", 2024)))
        header, rows = _sheet_rows(workbook, "Aanlevering")
        assert "Ontbreekt" in header and len(rows) == 10  # the ten rows of the handreiking's table
        assert 'id="aanlevering"' in report.gemeente_report(con, "GM9999", 2024)
    finally:
        con.close()


def test_model_sheets_have_dutch_headers_with_units_rounded_values_and_ranges(app_db):
    workbook = _sample_workbook(app_db)
    header, rows = _sheet_rows(workbook, "Vraag per wijk en niveau")
    assert header == ("Wijkcode", "Wijk", "Leeftijdsgroep", "Niveau", "Omschrijving", "Noemer",
                      "Kinderen, schatting (laag-hoog)", "Kinderen, schatting midden (afgerond)")
    first = dict(zip(header, rows[0], strict=True))
    assert first["Leeftijdsgroep"] == "0-2 jaar (0 en 1 jaar)"
    assert first["Noemer"] == "kinderen die opvang gebruiken of zoeken"
    assert isinstance(first["Kinderen, schatting (laag-hoog)"], str)
    mids = [r[7] for r in rows]
    # no 40.17090170808138; between 0 and 1 '<1', as on Continuüm (shown_estimate)
    assert all(v == "<1" or float(v).is_integer() for v in mids)
    assert "<1" in mids  # Buitengebied's 0-2 year olds on niveau 3 and 4
    assert {r[5] for r in rows if r[3] == 4} == {"alle kinderen"}
    header, rows = _sheet_rows(workbook, "Tekort per wijk en niveau")
    assert {"Perspectief", "Onderdeel", "Eenheid", "Tekort (laag-hoog)",
            "Aanbod, waargenomen (afgerond)"} <= set(header)
    perspectives = {r[header.index("Perspectief")] for r in rows}
    assert perspectives == {"beide", "passend", "inclusief"}
    from transforms.labels import CAPACITY_UNIT

    assert {r[header.index("Eenheid")] for r in rows} == {"plekken (gelijktijdig)", "kinderen",
                                                          CAPACITY_UNIT}
    assert "Niveau 4 (regionaal)" in workbook.sheetnames
    assert "Aparte groepen (passend)" in workbook.sheetnames


def test_export_of_a_read_only_database_succeeds_without_an_audit_line(app_db, tmp_path, capsys):
    import subprocess


    if subprocess.run(["chattr", "+i", str(app_db)], capture_output=True).returncode:
        pytest.skip("chattr +i is not available here")
    output = tmp_path / "export.csv"
    try:
        assert main(["export", "-o", str(output), "--db", str(app_db)]) == 0
    finally:
        subprocess.run(["chattr", "-i", str(app_db)], capture_output=True)
    assert "niet in het logboek" in capsys.readouterr().out
    assert output.stat().st_size > 0


def test_export_of_a_database_that_was_never_built_builds_it_first(tmp_path, capsys):
    # a killed `init` between its migrations and its build
    path = tmp_path / "kindkaart.duckdb"
    store.connect(path).close()
    output = tmp_path / "export.xlsx"
    assert main(["export", "-o", str(output), "--db", str(path)]) == 1
    assert "Er zijn nog geen gegevens geladen" in capsys.readouterr().out  # a Dutch answer, no traceback
    con = store.connect(path, read_only=True)
    try:
        assert transforms.up_to_date(con)
    finally:
        con.close()


def test_a_workbook_of_estimates_alone_says_they_are_rounded_not_hidden(tmp_path):
    """Zwolle from a kwb file alone (no BRP, no partner): the explanation sheet said 'Aantallen van
    1 tot 5 kinderen staan als afgeschermd' under every table, as Overzicht's caption did before
    74d09e9; its figures are estimates from public CBS figures, rounded and never hidden. The
    report says it the same way. A gemeente with BRP and partner counts keeps the rule."""
    from kwb_files import write_kwb_xlsx

    path = tmp_path / "kindkaart.duckdb"
    con = store.connect(path)
    try:
        import data_sources.jobs as jobs

        jobs.import_cbs_file(con, write_kwb_xlsx(tmp_path / "kwb-2024.xlsx"))
        workbook = openpyxl.load_workbook(io.BytesIO(exports.export_workbook(con, "GM0193", 2024)))
        html_report = report.gemeente_report(con, "GM0193", 2024)
    finally:
        con.close()
    about = " ".join(str(c.value) for c in workbook["Toelichting"]["A"] if c.value)
    assert "Kinderen per wijk" in about and "Tekort per wijk en niveau" in about
    assert "Aantallen van 1 tot" not in about and "Aantallen van 1 tot" not in html_report
    assert about.count("afgerond, niet afgeschermd") >= 3
    assert "afgerond, niet afgeschermd" in html_report


def test_a_workbook_with_counts_keeps_the_rule_for_small_numbers(sample_db):
    workbook = _sample_workbook(sample_db)
    about = " ".join(str(c.value) for c in workbook["Toelichting"]["A"] if c.value)
    assert "Aantallen van 1 tot 5 kinderen staan als 'afgeschermd'" in about


def test_export_and_template_never_replace_a_device_or_pipe_with_a_file(app_db, tmp_path, capsys):
    """`export -o /dev/null` (or /dev/stdout, a link to the terminal) run as root put a regular
    file in the device's place, for every program on the machine after it."""
    import os
    import stat

    tmp_path = tmp_path / "uit"  # beside app_db's own files
    tmp_path.mkdir()
    os.mkfifo(tmp_path / "pijp.csv")
    os.mkfifo(tmp_path / "pijp.xlsx")
    targets = {"pijp.csv": stat.S_ISFIFO, "pijp.xlsx": stat.S_ISFIFO}
    try:
        os.mknod(tmp_path / "null.csv", 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        targets["null.csv"] = stat.S_ISCHR
    except PermissionError:  # only root makes a device; a pipe shows the same
        pass
    (tmp_path / "terminal.xlsx").symlink_to(tmp_path / "pijp.xlsx")
    for command in (["export", "-o", str(tmp_path / "pijp.csv")],
                    ["export", "-o", str(tmp_path / "null.csv")],
                    ["template", "--soort", "vve-indicaties", "-o", str(tmp_path / "pijp.xlsx")],
                    ["template", "--soort", "vve-indicaties", "-o", str(tmp_path / "terminal.xlsx")]):
        if not (tmp_path / command[-1].split("/")[-1]).exists():
            continue
        capsys.readouterr()
        assert main([*command, "--db", str(app_db)]) == 1, command
        said = capsys.readouterr().out
        assert "geen gewoon bestand" in said and "Traceback" not in said, said
    for name, kind in targets.items():
        assert kind(os.stat(tmp_path / name).st_mode), name
    assert (tmp_path / "terminal.xlsx").is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*targets, "terminal.xlsx"])
