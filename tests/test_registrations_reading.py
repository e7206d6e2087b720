"""The fast workbook reader (python-calamine) gives the same cells as openpyxl, or steps aside.

Uploads are read with calamine when a workbook is plain enough, and with openpyxl otherwise. These
tests write workbooks the way Excel-like writers do (xlsxwriter: shared strings, styles, custom
date formats; openpyxl: inline strings; hand-made XML: rich text) and check that both readers give
the same cells, that odd files go through openpyxl, and that validation says the same either way.
"""

from __future__ import annotations

import datetime as dt
import io
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "registrations"))
from support import filled_template, plain_workbook, rezip, sheet_format, sized  # noqa: E402

from data_sources.registrations import reading  # noqa: E402
from data_sources.registrations.reading import read_workbook  # noqa: E402
from data_sources.registrations.validate import validate_workbook  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
VVE_HEADER = ["wijk", "leeftijdsgroep", "criterium", "aantal kinderen"]


def comparable(sheets) -> list[tuple]:
    """Sheets as (name, rows, merged, formulas) with blank text as empty and without the empty
    rows and columns at the end: the readers differ there and validation treats them alike."""
    out = []
    for sheet in sheets:
        rows = [[None if isinstance(v, str) and not v.strip() else v for v in row]
                for row in sheet.rows]
        rows = [row[:max((i + 1 for i, v in enumerate(row) if v is not None), default=0)]
                for row in rows]
        while rows and not rows[-1]:
            rows.pop()
        typed = [[(type(v).__name__, v) for v in row] for row in rows]
        out.append((sheet.name, typed, sheet.merged, sorted(sheet.formula_without_value)))
    return out


def both_readers(data: bytes) -> tuple[list, list]:
    return (comparable(read_workbook(data, "x.xlsx", fast=True)),
            comparable(read_workbook(data, "x.xlsx", fast=False)))


def xlsxwriter_book(fill, **options) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, **options})
    fill(book)
    book.close()
    return buffer.getvalue()


def excel_like(book) -> None:
    """Shared strings, number formats, dates, merged title, a hidden sheet: as Excel saves."""
    sheet = book.add_worksheet("Gegevens")
    bold = book.add_format({"bold": True})
    dates = {
        "d-m-jjjj": book.add_format({"num_format": "d-m-yyyy"}),
        "lang": book.add_format({"num_format": "[$-413]d mmmm yyyy;@"}),
        "iso": book.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
        "tijd": book.add_format({"num_format": "hh:mm:ss"}),
        "duur": book.add_format({"num_format": "[h]:mm"}),
    }
    numbers = {
        "procent": book.add_format({"num_format": "0.0%"}),
        "tekst in formaat": book.add_format({"num_format": '"dag "0'}),
        "duizendtallen": book.add_format({"num_format": "#,##0.00"}),
    }
    sheet.merge_range("A1:D1", "Registratie vve-indicaties", bold)
    sheet.write_row(2, 0, [*VVE_HEADER, "opmerking"], bold)
    rows = [
        ["Centrum", "2-4", "SES", 5, "  spaties rondom  "],
        ["Oude Haven", "0-2", "taal/spraak", 0, "Zuid-Éind, ünïcode €"],
        ["WK999903", "4-12", "sociaal-emotioneel", 12345678901, "regel\nnieuwe regel"],
        ["9901 AB", "2-4", "SES", 2.5, ""],
        ["Bloemhof", "2-4", "SES", -0.0, " "],
        ["Centrum", "0-2", "SES", 1e20, "tekst"],
        ["Centrum", "0-2", "SES", 111222333, True],
        ["Centrum", "0-2", "SES", 0.1 + 0.2, False],
    ]
    for r, row in enumerate(rows, start=3):
        sheet.write_row(r, 0, row)
    r = len(rows) + 3
    moment = dt.datetime(2024, 3, 1, 0, 0)
    for c, (_name, style) in enumerate(dates.items()):
        sheet.write_datetime(r, c, moment + dt.timedelta(hours=13 * c), style)
    sheet.write_datetime(r + 1, 0, dt.datetime(1899, 12, 31, 12, 30), dates["tijd"])
    sheet.write_number(r + 1, 1, 1.25, dates["duur"])
    for c, (_name, style) in enumerate(numbers.items()):
        sheet.write_number(r + 2, c, 45000.5, style)
    sheet.write_rich_string(r + 3, 0, "rijke ", bold, "tekst", " hier")
    sheet.write_blank(r + 4, 5, None, bold)  # a formatted empty cell far to the right
    hidden = book.add_worksheet("Lijsten")
    hidden.write_column(0, 0, ["0-2", "2-4", "4-12"])
    hidden.hide()
    info = book.add_worksheet("Organisatie")
    info.write_row(0, 0, ["veld", "waarde"])
    info.write_row(1, 0, ["organisatie", "GGD Voorbeeld"])
    info.write_row(2, 0, ["periode", 2024])
    info.write_datetime(3, 1, dt.datetime(2024, 12, 31), dates["d-m-jjjj"])
    info.write_string(3, 0, "peildatum")


def dates_1904(book) -> None:
    sheet = book.add_worksheet("Gegevens")
    style = book.add_format({"num_format": "dd/mm/yyyy"})
    sheet.write_row(0, 0, ["wijk", "datum"])
    sheet.write_row(1, 0, ["Centrum"])
    sheet.write_datetime(1, 1, dt.datetime(2021, 5, 17), style)


def with_chart_sheet(book) -> None:
    sheet = book.add_worksheet("Gegevens")
    sheet.write_row(0, 0, VVE_HEADER)
    sheet.write_row(1, 0, ["Centrum", "2-4", "SES", 5])
    chart = book.add_chart({"type": "column"})
    chart.add_series({"values": "=Gegevens!$D$2:$D$2"})
    book.add_chartsheet("Grafiek").set_chart(chart)


def openpyxl_book() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Gegevens"
    sheet.append(VVE_HEADER)
    sheet.append(["Centrum", "2-4", "SES", 5])
    sheet.append(["Centrum", dt.datetime(2024, 4, 2), "SES", 1.0])
    sheet["F9"] = dt.time(8, 30)
    sheet["G12"] = dt.timedelta(hours=30)
    sheet.merge_cells("A20:C21")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def with_sheet_data(data: bytes, sheet_data: str, part: str = "xl/worksheets/sheet1.xml") -> bytes:
    """The workbook with the cells of one sheet replaced by hand-written XML."""
    xml = zipfile.ZipFile(io.BytesIO(data)).read(part).decode()
    start, end = xml.index("<sheetData"), xml.index("</sheetData>") + len("</sheetData>")
    return rezip(data, {part: (xml[:start] + sheet_data + xml[end:]).encode()})


def hand_made_rich_text() -> bytes:
    """Shared strings as Excel writes them after editing: runs, preserved spaces, an empty one."""
    base = xlsxwriter_book(lambda book: book.add_worksheet("Gegevens").write(0, 0, "x"))
    shared = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4" '
        'uniqueCount="4"><si><t>wijk</t></si><si><r><rPr><b/></rPr><t>Zuid</t></r>'
        '<r><t xml:space="preserve">-Éind </t></r></si><si><t xml:space="preserve"> 2-4</t></si>'
        "<si><t/></si></sst>")
    cells = ('<sheetData><row r="1" spans="1:2"><c r="A1" s="0" t="s"><v>0</v></c></row>'
             '<row r="3" spans="1:3"><c r="A3" t="s"><v>1</v></c><c r="B3" t="s"><v>2</v></c>'
             '<c r="C3" t="s"><v>3</v></c><c r="D3" t="n"><v>7</v></c><c r="E3" t="b"><v>1</v>'
             '</c><c r="F3"><v>2.50</v></c><c r="G3" s="0"/></row></sheetData>')
    return rezip(with_sheet_data(base, cells), {"xl/sharedStrings.xml": shared.encode()})


SAMPLE_WORKBOOKS = sorted((ROOT / "sample_data" / "registrations").glob("*.xlsx"))
SAME_CELLS = {
    "xlsxwriter, as Excel saves": lambda: xlsxwriter_book(excel_like),
    "xlsxwriter, 1904 dates": lambda: xlsxwriter_book(dates_1904, date_1904=True),
    "xlsxwriter, chart sheet": lambda: xlsxwriter_book(with_chart_sheet),
    "openpyxl, inline strings": openpyxl_book,
    "hand-made rich text": hand_made_rich_text,
    "filled template": lambda: filled_template(
        "wachtlijst-zorg", [["Centrum", None, "behandeling", "2-4", None, None, "01-01-2024"],
                            ["9901AB", None, "behandeling", "0-2", 3, 12.5, None]]),
    **{f"sample {path.name}": (lambda path=path: path.read_bytes()) for path in SAMPLE_WORKBOOKS},
    "formula with cached value": lambda: formula_with_value(),
    "formulas as Excel saves them": lambda: xlsxwriter_book(formulas_as_excel_saves_them),
    "shared formula": lambda: shared_formula(),
    "text formulas computed to empty": lambda: empty_text_formulas(),
}


@pytest.mark.parametrize("name", list(SAME_CELLS))
def test_calamine_reads_the_same_cells_as_openpyxl(name):
    data = SAME_CELLS[name]()
    assert reading._plain_workbook(data), "this workbook should take the fast path"
    fast, slow = both_readers(data)
    assert fast == slow


def test_the_comparison_sees_a_difference():
    """The comparison above is not blind: calamine read without the conversions differs."""
    data = xlsxwriter_book(excel_like)
    raw = reading._as_openpyxl
    try:
        reading._as_openpyxl = lambda value: value
        fast = comparable(read_workbook(data, fast=True))
    finally:
        reading._as_openpyxl = raw
    assert fast != comparable(read_workbook(data, fast=False))


def test_sample_workbooks_are_there():
    assert len(SAMPLE_WORKBOOKS) >= 9


def error_cells() -> bytes:
    return with_sheet_data(plain_workbook([VVE_HEADER]), (
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>wijk</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>aantal kinderen</t></is></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>Centrum</t></is></c><c r="B2" t="e">'
        "<v>#N/A</v></c></row></sheetData>"))


def escaped_text() -> bytes:
    return with_sheet_data(plain_workbook([VVE_HEADER]), (
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>wijk_x000D_</t></is></c></row>'
        "</sheetData>"))


def cell_without_address() -> bytes:
    return with_sheet_data(plain_workbook([VVE_HEADER]), (
        '<sheetData><row r="1"><c t="inlineStr"><is><t>wijk</t></is></c><c r="B1" t="n"><v>1</v>'
        "</c></row></sheetData>"))


def far_away_cell(ref: str) -> bytes:
    return with_sheet_data(plain_workbook([VVE_HEADER]), (
        f'<sheetData><row r="1"><c r="A1" t="n"><v>1</v></c></row><row r="2"><c r="{ref}" t="n">'
        "<v>1</v></c></row></sheetData>"))


def prefixed_cells() -> bytes:
    return with_sheet_data(plain_workbook([VVE_HEADER]), (
        '<sheetData xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<x:row r="1"><x:c r="A1" t="n"><x:v>1</x:v></x:c></x:row></sheetData>'))


def formula_without_value() -> bytes:
    """As openpyxl (and scripts) save a formula: no cached value, Excel never computed it."""
    book = openpyxl.Workbook()
    book.active.append(VVE_HEADER)
    book.active["A2"] = "Centrum"
    book.active["D2"] = "=2*6"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def formula_with_value() -> bytes:
    data = formula_without_value()
    xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    cached = xml.replace(b"<f>2*6</f><v></v>", b"<f>2*6</f><v>12</v>").replace(
        b"<f>2*6</f><v />", b"<f>2*6</f><v>12</v>")
    assert cached != xml
    return rezip(data, {"xl/worksheets/sheet1.xml": cached})


def formulas_as_excel_saves_them(book) -> None:
    """Formulas with their computed values, of every type, and a shared formula down a column."""
    sheet = book.add_worksheet("Gegevens")
    sheet.write_row(0, 0, [*VVE_HEADER, "som", "tekst", "waar", "datum"])
    date = book.add_format({"num_format": "d-m-yyyy"})
    for r in range(1, 6):
        sheet.write_row(r, 0, ["Centrum", "2-4", "SES", r])
        sheet.write_formula(r, 4, f"=D{r + 1}*2", None, r * 2)
        sheet.write_formula(r, 5, f'=A{r + 1}&"-"&B{r + 1}', None, "Centrum-2-4")
        sheet.write_formula(r, 6, f"=D{r + 1}>2", None, r > 2)
        sheet.write_formula(r, 7, "=DATE(2024,3,1)", date, 45352)
    sheet.write_formula(6, 3, "=SUM(D2:D6)", None, 15)


def shared_formula() -> bytes:
    """A shared formula as Excel writes one filled down: the first cell has the text, the others
    <f t="shared" si="0"/>, each with its cached value."""
    rows = "".join(
        f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>Centrum</t></is></c><c r="D{r}"><v>{r}</v></c>'
        + (f'<c r="E{r}"><f t="shared" ref="E2:E4" si="0">D2*2</f><v>{2 * r}</v></c>' if r == 2
           else f'<c r="E{r}"><f t="shared" si="0"/><v>{2 * r}</v></c>')
        + "</row>" for r in range(2, 5))
    return with_sheet_data(plain_workbook([VVE_HEADER]), (
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>wijk</t></is></c></row>'
        f"{rows}</sheetData>"))


def empty_text_formulas() -> bytes:
    """=ALS(...;"";...) computed to "" as Excel saves it (t="str", an empty <v/>), beside a text
    formula with a value and a shared one filled down."""
    rows = "".join(
        f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>Centrum</t></is></c><c r="D{r}"><v>{r}</v></c>'
        + (f'<c r="E{r}" s="0" t="str"><f t="shared" ref="E2:E4" si="0">IF(D2&gt;3,"x","")</f><v></v></c>'
           if r == 2 else f'<c r="E{r}" t="str"><f t="shared" si="0"/><v/></c>')
        + f'<c r="F{r}" t="str"><f>"wijk "&amp;D{r}</f><v>wijk {r}</v></c></row>' for r in range(2, 5))
    return with_sheet_data(plain_workbook([VVE_HEADER]), (
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>wijk</t></is></c></row>'
        f"{rows}</sheetData>"))


NEEDS_OPENPYXL = {
    "formula without cached value": formula_without_value,
    "shared formula without cached value": lambda: with_sheet_data(
        plain_workbook([VVE_HEADER]),
        '<sheetData><row r="1"><c r="E1"><f t="shared" ref="E1:E2" si="0">1+1</f><v>2</v></c>'
        '</row><row r="2"><c r="E2"><f t="shared" si="0"/></c></row></sheetData>'),
    "error cell": error_cells,
    "escaped character": escaped_text,
    "cell without address": cell_without_address,
    "prefixed cells": prefixed_cells,
    "row past the limit": lambda: far_away_cell(f"A{reading.MAX_ROWS + 1}"),
    "row with leading zeros": lambda: far_away_cell("A0000099999"),
    "column past the limit": lambda: far_away_cell("BI2"),
    "last cell of Excel": lambda: far_away_cell("XFD1048576"),
}


@pytest.mark.parametrize("name", list(NEEDS_OPENPYXL))
def test_odd_workbooks_go_through_openpyxl(name):
    data = NEEDS_OPENPYXL[name]()
    assert not reading._plain_workbook(data)


def test_cells_within_the_limits_stay_on_the_fast_path():
    assert reading._plain_workbook(far_away_cell(f"BH{reading.MAX_ROWS}"))


@pytest.mark.parametrize(("max_rows", "max_columns"), [
    (20_000, 60), (1_048_576, 16_384), (9, 5), (1, 1), (10, 26), (5000, 27)])
def test_the_search_for_cells_past_the_limits_finds_exactly_those(max_rows, max_columns):
    """cells_beyond passes over a cell plainly within the limits by a first test: every cell on
    either side of each limit (and of the first test's own bounds) is found or passed over as
    its address says."""
    from data_sources.workbooks import cells_beyond, column_letters

    pattern = cells_beyond(max_rows, max_columns)
    rows = {1, 2, 9, 10, 11, 99, 100, 999, 1000, 9999, 10_000, 10_001, 19_999, 20_000, 20_001,
            99_999, 100_000, 1_048_576, 1_048_577, max_rows - 1, max_rows, max_rows + 1} - {0}
    columns = {1, 2, 25, 26, 27, 52, 53, 59, 60, 61, 702, 703, 16_384, max_columns - 1,
               max_columns, max_columns + 1} - {0}
    for row in rows:
        for column in columns:
            cell = f'<c r="{column_letters(column)}{row}" t="n"><v>1</v></c>'.encode()
            beyond = row > max_rows or column > max_columns
            assert (pattern.match(cell) is not None) == beyond, (cell, max_rows, max_columns)
    assert pattern.match(b'<c r="A01" t="n"><v>1</v></c>')  # a row number with a leading zero
    assert pattern.match(b'<c t="n" r="A1"><v>1</v></c>')   # the address not first


def test_a_sheet_past_the_limits_is_refused_without_calamine_reading_it():
    # calamine would hold this sheet as one block of 17 billion cells
    with pytest.raises(reading.InputRefused, match="hoogstens 20.000 rijen"):
        read_workbook(far_away_cell("XFD1048576"), "groot.xlsx")


def test_cached_formula_values_and_error_cells_are_read():
    sheets = read_workbook(formula_with_value())
    assert sheets[0].value(2, 4) == 12 and not sheets[0].formula_without_value
    assert read_workbook(error_cells())[0].value(2, 2) == "#N/A"
    excel = read_workbook(xlsxwriter_book(formulas_as_excel_saves_them))[0]
    assert [excel.value(3, c) for c in range(5, 9)] == [4, "Centrum-2-4", False,
                                                         dt.datetime(2024, 3, 1)]
    assert excel.value(7, 4) == 15


def test_a_text_formula_excel_computed_to_empty_is_an_empty_cell():
    # openpyxl's data_only view gives None for it, as for a formula never computed: it used to be
    # refused as "formule zonder berekende waarde"
    for fast in (True, False):
        sheet = read_workbook(empty_text_formulas(), "x.xlsx", fast=fast)[0]
        assert not sheet.formula_without_value
        assert [sheet.value(r, 5) for r in (2, 3, 4)] == [None, None, None]
        assert sheet.value(3, 6) == "wijk 3"


def test_a_formula_without_value_is_named_by_either_reader():
    for fast in (True, False):
        sheet = read_workbook(formula_without_value(), "x.xlsx", fast=fast)[0]
        assert sheet.formula_without_value == {(2, 4)}



def validation_cases() -> dict[str, tuple[bytes, str]]:
    import test_registrations_validation as cases

    out = {}
    for name, (data, templated, _expected) in cases.REFUSED_CONTENT.items():
        soort = "vve-indicaties"
        if templated:
            soort, rows = templated
            data = filled_template(soort, rows)
        out[f"refused: {name}"] = (data, soort)
    for name, (rows, _expected) in cases.PERSONAL.items():
        out[f"personal: {name}"] = (plain_workbook(rows), "vve-indicaties")
    for path in SAMPLE_WORKBOOKS:
        out[f"sample: {path.name}"] = (path.read_bytes(), path.stem.split("_")[0])
    out["error cell in a count"] = (error_cells(), "vve-indicaties")
    return out


sys.path.insert(0, str(Path(__file__).parent))
VALIDATION_CASES = validation_cases()


@pytest.mark.parametrize("name", list(VALIDATION_CASES))
def test_validation_says_the_same_with_either_reader(gem, name, monkeypatch):
    data, soort = VALIDATION_CASES[name]

    def outcome():
        result = validate_workbook(data, soort, gem, "bestand.xlsx", period="2024")
        frame = result.aggregates_df.astype(object)
        return (result.message_texts(), [str(n) for n in result.notices],
                frame.where(frame.notna(), None).to_dict("records"))

    fast = outcome()
    monkeypatch.setattr(reading, "_plain_workbook", lambda data, parts=None, read_parts=None: False)
    assert fast == outcome()


def many_sheets(count: int, far: str = f"BH{reading.MAX_ROWS}"):
    def add(book):
        for i in range(count):
            sheet = book.create_sheet(f"Blad{i}")
            sheet["A1"], sheet[far] = "x", 1
    return add


@pytest.mark.parametrize("fast", [True, False])
def test_only_the_data_and_organisation_sheets_are_read_whole(gem, monkeypatch, fast):
    """Each sheet within the limits, but together 30 dense blocks of 20,000 x 60 cells (150 of
    them took 2 GB): only 'Gegevens' and 'Organisatie' are read, the others only by their head."""
    import data_sources.registrations.validate as validate

    read = []

    def recording(*args, **kwargs):
        sheets = read_workbook(*args, **kwargs)
        read.extend(sheet.name for sheet in sheets)
        return sheets

    monkeypatch.setattr(validate, "read_workbook", recording)
    if not fast:
        monkeypatch.setattr(reading, "_plain_workbook", lambda data, parts=None, read_parts=None: False)
    data = filled_template("vve-indicaties", [["Centrum", "2-4", "SES", 5]])
    book = openpyxl.load_workbook(io.BytesIO(data))
    many_sheets(30)(book)
    many_sheets(1, "XFD1048576")(book)  # past the limits, but never read
    out = io.BytesIO()
    book.save(out)
    result = validate_workbook(out.getvalue(), "vve-indicaties", gem, "v.xlsx")
    assert result.ok, result.message_texts()
    assert sorted(read) == ["Gegevens", "Organisatie"]


def test_the_survey_reads_every_sheet_by_its_head_only():
    data = plain_workbook([VVE_HEADER, ["Centrum", "2-4", "SES", 5]], extra=many_sheets(3))
    entries = reading.survey_workbook(data, "v.xlsx", head_rows=5)
    assert [(e.name, e.state, len(e.head)) for e in entries] == [
        ("Gegevens", "visible", 2), ("Blad0", "visible", 5), ("Blad1", "visible", 5),
        ("Blad2", "visible", 5)]
    assert entries[1].head[0] == ("x",) + (None,) * (reading.MAX_COLUMNS - 1)


@pytest.mark.parametrize("fast", [True, False])
def test_hidden_rows_and_columns_are_read_from_either_reader(fast):
    def hide(book):
        sheet = book["Gegevens"]
        sheet.row_dimensions[3].hidden = True
        sheet.column_dimensions.group("B", "C", hidden=True)

    data = plain_workbook([VVE_HEADER, ["Centrum", "2-4", "SES", 5], ["Zuid", "2-4", "SES", 6]],
                          extra=hide)
    entries = reading.survey_workbook(data)
    sheet = read_workbook(data, fast=fast, only=entries)[0]
    assert (sheet.hidden_rows, sheet.hidden_columns) == ({3}, {2, 3})


@pytest.mark.parametrize("fast", [True, False])
def test_rows_and_columns_of_height_or_width_zero_are_hidden(fast):
    """Other programs than Excel hide a row or column by its size, without the hidden flag (Excel
    shows it as hidden): it is counted unseen all the same, and so is a row or column too small
    to read (half a point high, three quarters of a character wide). A small size that can be
    read is no hidden one."""
    data = plain_workbook([VVE_HEADER, ["Centrum", "2-4", "SES", 5], ["Zuid", "2-4", "SES", 6],
                           ["Noord", "2-4", "SES", 7], ["Oost", "2-4", "SES", 8]])
    data = sized(data, heights={3: "0", 2: "0.5", 4: "0.0", 5: "8"},
                 widths={2: "0", 3: "0.75", 4: "2"})
    entries = reading.survey_workbook(data)
    sheet = read_workbook(data, fast=fast, only=entries)[0]
    assert (sheet.hidden_rows, sheet.hidden_columns) == ({2, 3, 4}, {2, 3})



@pytest.mark.parametrize("defaults", ['defaultRowHeight="0"', 'defaultRowHeight="15" zeroHeight="1"',
                                      'defaultRowHeight="0.0" zeroHeight="true"'])
@pytest.mark.parametrize("fast", [True, False])
def test_rows_without_a_height_of_their_own_are_hidden_where_the_default_hides_them(fast, defaults):
    """A sheet whose default row height is zero (or zeroHeight="1", 'rows are hidden by default')
    hides every row that has no height of its own: only the rows given a height are seen."""
    data = plain_workbook([VVE_HEADER, ["Centrum", "2-4", "SES", 5], ["Zuid", "2-4", "SES", 6],
                           ["Noord", "2-4", "SES", 7]])
    data = sheet_format(sized(data, heights={1: "15", 2: "15", 4: "0"}), defaults)
    entries = reading.survey_workbook(data)
    sheet = read_workbook(data, fast=fast, only=entries)[0]
    assert (sheet.hidden_rows, sheet.hidden_columns) == ({3, 4}, set())


@pytest.mark.parametrize("fast", [True, False])
def test_columns_without_a_width_of_their_own_are_hidden_where_the_default_is_zero(fast):
    data = plain_workbook([VVE_HEADER, ["Centrum", "2-4", "SES", 5]])
    data = sheet_format(sized(data, widths={1: "20", 2: "9", 3: "0"}),
                        'baseColWidth="8" defaultColWidth="0" defaultRowHeight="15"')
    entries = reading.survey_workbook(data)
    sheet = read_workbook(data, fast=fast, only=entries)[0]
    assert sheet.hidden_rows == set()
    assert sheet.hidden_columns == {3} | set(range(4, reading.MAX_COLUMNS + 1))


def test_rows_without_their_number_are_numbered_as_they_come():
    # r is optional on a row: a hidden row without it is the one after the row before
    data = plain_workbook([VVE_HEADER, ["Centrum", "2-4", "SES", 5], ["Zuid", "2-4", "SES", 6]])
    xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    data = rezip(data, {"xl/worksheets/sheet1.xml": xml.replace(b'<row r="3">',
                                                                b'<row hidden="1">')})
    entries = reading.survey_workbook(data)
    sheet = read_workbook(data, fast=False, only=entries)[0]
    assert sheet.value(3, 1) == "Zuid" and sheet.hidden_rows == {3}

def _survey_both_ways(data: bytes, monkeypatch) -> tuple[list, list]:
    fast = reading.survey_workbook(data, "v.xlsx", head_rows=8)
    with monkeypatch.context() as patched:
        patched.setattr(reading, "SURVEY_WHOLE_SHEETS", 0)
        slow = reading.survey_workbook(data, "v.xlsx", head_rows=8)
    return fast, slow


def test_the_whole_sheet_survey_lists_what_the_streaming_survey_lists(monkeypatch):
    """A plain workbook of a few sheets is surveyed by reading each sheet whole (calamine), so the
    chosen sheets are read once: names, states, parts and the values of the first rows are the
    same as openpyxl's streaming survey gives, hidden and very hidden sheets included."""
    def extra(book):
        hidden = book.create_sheet("Verborgen")
        hidden.sheet_state = "hidden"
        hidden["B3"] = "x"
        very = book.create_sheet("Heel verborgen")
        very.sheet_state = "veryHidden"
        very["A1"] = dt.date(2024, 5, 1)

    book = openpyxl.load_workbook(io.BytesIO(filled_template(
        "vve-indicaties", [["Centrum", "2-4", "SES", 5], ["Zuid", "0-2", "SES", 7]])))
    extra(book)
    out = io.BytesIO()
    book.save(out)
    data = out.getvalue()
    fast, slow = _survey_both_ways(data, monkeypatch)
    assert all(entry.sheet is not None for entry in fast)
    assert all(entry.sheet is None for entry in slow)

    def values(entries):
        # openpyxl may add empty rows up to the sheet's dimension: only filled rows count
        return [(e.name, e.state, e.part, [row for row in e.head if any(v is not None for v in row)])
                for e in entries]

    assert values(fast) == values(slow)
    assert [e.state for e in fast][-2:] == ["hidden", "veryHidden"]


def test_a_workbook_of_many_sheets_is_still_surveyed_by_head(monkeypatch):
    data = plain_workbook([VVE_HEADER, ["Centrum", "2-4", "SES", 5]],
                          extra=many_sheets(reading.SURVEY_WHOLE_SHEETS))
    entries = reading.survey_workbook(data, "v.xlsx", head_rows=5)
    assert len(entries) > reading.SURVEY_WHOLE_SHEETS
    assert all(entry.sheet is None for entry in entries)


@pytest.mark.parametrize(("file_name", "said"), [
    ("vve.csv", "een CSV-bestand (tekst)"),
    ("vve.xlsx", "een tekstbestand (bijvoorbeeld CSV met een andere extensie)"),
])
def test_text_is_refused_as_what_its_name_says(file_name, said):
    # a real .csv was told it was 'CSV met een andere extensie'
    text = b"wijk;leeftijdsgroep;criterium;aantal kinderen\r\nCentrum;2-4;SES;12\r\n"
    with pytest.raises(reading.InputRefused) as refused:
        reading.sniff(text, file_name)
    assert refused.value.messages == [
        f"'{file_name}' is geen Excel-werkmap maar {said}. Open het in Excel en sla het op als "
        "Excel-werkmap (.xlsx), of gebruik het sjabloon."]
