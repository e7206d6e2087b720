"""Partner workbooks red-teamed in session 38, each a real .xlsx written here: a sheet in UTF-16,
a cell referring to a shared text by something other than its number, headers of personal data
as child lists abbreviate them, headers with a soft hyphen pasted along, wijk codes printed with
spaces. Each refusal is Dutch, names sheet, row and column where there is one, and stores nothing."""

from __future__ import annotations

import datetime as dt
import io
import sys
import zipfile
from pathlib import Path

import pytest
import xlsxwriter

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "registrations"))
from support import (  # noqa: E402
    built_small_gemeente,
    plain_workbook,
    rezip,
    sheet_edited,
    stored_content,
)

from data_sources.registrations.validate import validate_workbook  # noqa: E402

VVE = ["wijk", "leeftijdsgroep", "criterium", "aantal kinderen"]
SHEET = "xl/worksheets/sheet1.xml"


def shared_strings_workbook(rows: list[list], formula: bool = False) -> bytes:
    """A workbook as Excel writes one: texts in the shared strings (t="s"), not inline as openpyxl
    writes them. With `formula`, a cell with a formula and its value, which makes the upload go
    through openpyxl instead of calamine."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("Gegevens")
    for r, row in enumerate(rows):
        sheet.write_row(r, 0, row)
    if formula:
        sheet.write_formula(len(rows), 5, "=1+1", None, 2)
    book.close()
    return out.getvalue()


def in_utf16(data: bytes, part: str = SHEET) -> bytes:
    """`data` with one XML part written in UTF-16 (with its byte order mark), as the XML
    standard allows and no spreadsheet program writes."""
    xml = zipfile.ZipFile(io.BytesIO(data)).read(part).decode("utf-8")
    xml = xml.replace('encoding="UTF-8"', 'encoding="UTF-16"', 1)
    return rezip(data, {part: xml.encode("utf-16")})


def import_by_cli(tmp_path: Path, data: bytes, capsys) -> tuple[int, str, bool]:
    """`python -m data_sources import` of `data` into a real database file: the exit code, what
    it printed and whether anything stored changed."""
    from data_sources.cli import main

    db = built_small_gemeente(tmp_path / "kindkaart.duckdb")
    before = stored_content(db)
    path = tmp_path / "vve.xlsx"
    path.write_bytes(data)
    code = main(["import", str(path), "--soort", "vve-indicaties", "--organisatie", "GGD",
                 "--periode", "2024", "--db", str(db)])
    return code, capsys.readouterr().out, stored_content(db) != before


# --- a part in another encoding than UTF-8 -------------------------------------------------------

def test_a_sheet_written_in_utf16_is_refused_naming_the_part_not_called_empty(gem):
    """openpyxl reads such a sheet and calamine reads it as empty: the upload was refused with
    'Blad Gegevens: is leeg', and none of the byte checks (cells beyond the limits, formulas,
    cells written twice, hidden rows) saw its cells."""
    data = in_utf16(shared_strings_workbook([VVE, ["Centrum", "2-4", "SES", 5]]))
    result = validate_workbook(data, "vve-indicaties", gem, "vve.xlsx")
    assert result.message_texts() == [
        "'vve.xlsx' is geen gewone werkmap: het onderdeel xl/worksheets/sheet1.xml is geschreven "
        "in UTF-16 in plaats van UTF-8, zoals Excel en andere spreadsheetprogramma's nooit doen. "
        "Kindkaart leest het daarom niet; open het in Excel en sla het opnieuw op als .xlsx."]
    assert result.aggregates_df.empty


@pytest.mark.parametrize("part", ["xl/sharedStrings.xml", "xl/workbook.xml", "docProps/core.xml"])
def test_any_part_in_another_encoding_is_refused(gem, part):
    data = shared_strings_workbook([VVE, ["Centrum", "2-4", "SES", 5]])
    xml = zipfile.ZipFile(io.BytesIO(data)).read(part)
    latin = rezip(data, {part: xml.replace(b'encoding="UTF-8"', b"encoding='ISO-8859-1'", 1)})
    texts = validate_workbook(latin, "vve-indicaties", gem, "vve.xlsx").message_texts()
    assert texts == [f"'vve.xlsx' is geen gewone werkmap: het onderdeel {part} is geschreven in "
                     "ISO-8859-1 in plaats van UTF-8, zoals Excel en andere "
                     "spreadsheetprogramma's nooit doen. Kindkaart leest het daarom niet; open "
                     "het in Excel en sla het opnieuw op als .xlsx."], texts


@pytest.mark.parametrize("declaration", [b'encoding="utf-8"', b"encoding='UTF8'", b""])
def test_utf8_in_any_spelling_or_undeclared_passes(gem, declaration):
    data = shared_strings_workbook([VVE, ["Centrum", "2-4", "SES", 5]])
    data = sheet_edited(data, b'encoding="UTF-8"', declaration)
    result = validate_workbook(data, "vve-indicaties", gem, "vve.xlsx")
    assert result.ok, result.message_texts()
    assert result.aggregates_df["children_count"].tolist() == [5]


def test_the_command_line_refuses_a_sheet_in_utf16_and_stores_nothing(tmp_path, capsys):
    data = in_utf16(shared_strings_workbook([VVE, ["Centrum", "2-4", "SES", 5]]))
    code, out, changed = import_by_cli(tmp_path, data, capsys)
    assert (code, changed) == (1, False)
    assert "is geschreven in UTF-16 in plaats van UTF-8" in out and "Traceback" not in out


# --- a reference to a shared text that is no number ----------------------------------------------

@pytest.mark.parametrize("formula", [False, True], ids=["calamine", "openpyxl"])
@pytest.mark.parametrize("reference", [b"-1", b"abc", b"1.5", b" -2 ", b" 4 "])
def test_a_text_reference_that_is_no_number_is_refused_naming_the_cell(gem, reference, formula):
    """Centrum in A2 referred to as '-1' was read as another text of the workbook: calamine took
    the first ('wijk'), openpyxl the last ('SES'), and the message named a text the partner never
    typed there. calamine also reads ' 4 ' as the first text."""
    data = shared_strings_workbook([VVE, ["Centrum", "2-4", "SES", 5]], formula)
    data = sheet_edited(data, b'<c r="A2" t="s"><v>4</v>', b'<c r="A2" t="s"><v>' + reference
                        + b"</v>")
    result = validate_workbook(data, "vve-indicaties", gem, "vve.xlsx")
    assert result.message_texts() == [
        "Blad 'Gegevens', rij 2, kolom A: 'vve.xlsx' is beschadigd: cel A2 verwijst naar een "
        "tekst die niet in het bestand staat. Open het in Excel (dat herstelt het bestand), "
        "controleer die cel en sla het opnieuw op als .xlsx."]
    assert result.aggregates_df.empty


def test_a_text_reference_with_spaces_around_its_type_is_found_too(gem):
    data = shared_strings_workbook([VVE, ["Centrum", "2-4", "SES", 5]])
    data = sheet_edited(data, b'<c r="A2" t="s"><v>4</v>', b"<c r='A2' t = 's' ><v>-1</v>")
    texts = validate_workbook(data, "vve-indicaties", gem, "vve.xlsx").message_texts()
    assert texts and texts[0].startswith("Blad 'Gegevens', rij 2, kolom A: 'vve.xlsx' is "
                                         "beschadigd: cel A2 verwijst naar een tekst"), texts


@pytest.mark.parametrize("cell", [b'<c r="A2" t="s"><v>4</v>', b'<c r="A2" s="0" t="s">\n<v>4</v>',
                                  b'<c r="A2" t="s"><v></v>'])
def test_text_references_as_programs_write_them_pass(gem, cell):
    data = shared_strings_workbook([VVE, ["Centrum", "2-4", "SES", 5]])
    data = sheet_edited(data, b'<c r="A2" t="s"><v>4</v>', cell)
    result = validate_workbook(data, "vve-indicaties", gem, "vve.xlsx")
    if cell.endswith(b"<v></v>"):  # an empty reference is an empty cell, named as such
        assert result.message_texts() == [
            "Blad 'Gegevens', rij 2, kolom A (wijk): is leeg; vul wijk in."], result.message_texts()
        return
    assert result.ok, result.message_texts()
    assert result.aggregates_df["wijk_code"].tolist() == ["WK999901"]


def test_the_command_line_refuses_a_damaged_text_reference_and_stores_nothing(tmp_path, capsys):
    data = sheet_edited(shared_strings_workbook([VVE, ["Centrum", "2-4", "SES", 5]]),
                        b'<c r="A2" t="s"><v>4</v>', b'<c r="A2" t="s"><v>-1</v>')
    code, out, changed = import_by_cli(tmp_path, data, capsys)
    assert (code, changed) == (1, False)
    assert "cel A2 verwijst naar een tekst die niet in het bestand staat" in out, out


# --- headers of personal data as child lists abbreviate them ------------------------------------

@pytest.mark.parametrize(("header", "kind"), [
    ("gebdatum", "geboortedatums"), ("Geb.dat.", "geboortedatums"), ("geboren op", "geboortedatums"),
    ("Birthdate", "geboortedatums"), ("kindnaam", "namen"), ("Leerlingnaam", "namen"),
    ("cliëntnaam", "namen"), ("sofinr", "burgerservicenummers"),
    # a soft hyphen or zero-width space pasted along from a word processor
    ("ge\u00adboorte\u00addatum", "geboortedatums"), ("B\u200bSN", "burgerservicenummers"),
])
def test_a_list_of_children_on_another_sheet_under_an_abbreviated_header_is_refused(
        gem, header, kind):
    """A hidden sheet 'Kinderen' with 'kindnaam' and 'gebdatum' above one child went through:
    only the full words were known, and a date is no reason to refuse on a sheet not counted."""
    def child_list(book):
        sheet = book.create_sheet("Kinderen")
        sheet.append(["nr", header])
        sheet.append([1, dt.date(2021, 3, 12) if kind == "geboortedatums" else "Sanne"])
        sheet.sheet_state = "hidden"

    data = plain_workbook([VVE, ["Centrum", "2-4", "SES", 5]], extra=child_list)
    result = validate_workbook(data, "vve-indicaties", gem, "vve.xlsx")
    texts = result.message_texts()
    assert not result.ok and result.aggregates_df.empty
    assert any(t.startswith("Blad 'Kinderen', rij 1, kolom B") and
               f"persoonsgegevens geweigerd: de kolomnaam wijst op {kind}" in t for t in texts), texts


@pytest.mark.parametrize("header", ["locatienaam", "wijknaam", "organisatienaam", "schoolnaam",
                                    "naam locatie", "gebied"])
def test_names_of_places_and_organisations_are_no_personal_headers(gem, header):
    def other(book):
        sheet = book.create_sheet("Locaties")
        sheet.append([header, "aantal"])
        sheet.append(["De Regenboog", 12])

    result = validate_workbook(plain_workbook([VVE, ["Centrum", "2-4", "SES", 5]], extra=other),
                               "vve-indicaties", gem, "vve.xlsx")
    # ('wijknaam' and 'aantal' are the header of a copy of the data, refused as such)
    assert not any("persoonsgegevens" in t for t in result.message_texts()), result.message_texts()


def test_a_header_with_a_soft_hyphen_or_zero_width_space_is_the_column(gem):
    """'leeftijds\u00adgroep' shows in Excel as 'leeftijdsgroep' and was 'geen kolom van het
    sjabloon', the column then missing."""
    header = ["wijk", "leeftijds\u00adgroep", "crite\u200brium", "aantal kinderen\ufeff"]
    result = validate_workbook(plain_workbook([header, ["Centrum", "2-4", "SES", 5]]),
                               "vve-indicaties", gem, "vve.xlsx")
    assert result.ok, result.message_texts()
    assert result.aggregates_df["children_count"].tolist() == [5]


# --- wijk and buurt codes printed with spaces ----------------------------------------------------

@pytest.mark.parametrize(("typed", "wijk"), [
    ("WK 9999 01", "WK999901"), ("wk 999902", "WK999902"), ("WK\u00a09999\u00a003", "WK999903"),
    ("BU 9999 01 02", "WK999901"), ("BU 99990901", "WK999909"),
])
def test_a_code_printed_with_spaces_between_its_parts_is_read(gem, typed, wijk):
    """'WK 0363 01', as reports print a code by gemeente and wijk, was 'geen wijk'."""
    result = validate_workbook(plain_workbook([VVE, [typed, "2-4", "SES", 5]]),
                               "vve-indicaties", gem, "vve.xlsx")
    assert result.ok, result.message_texts()
    assert result.aggregates_df["wijk_code"].tolist() == [wijk]


@pytest.mark.parametrize("typed", ["WK 9999 1", "WK 99 99 01", "WK-9999-01", "WK 9999 08"])
def test_other_spellings_and_codes_of_no_wijk_are_still_refused(gem, typed):
    texts = validate_workbook(plain_workbook([VVE, [typed, "2-4", "SES", 5]]),
                              "vve-indicaties", gem, "vve.xlsx").message_texts()
    assert texts and texts[0].startswith(f"Blad 'Gegevens', rij 2, kolom A (wijk): '{typed}' "
                                         "is geen wijk"), texts


# --- the page -------------------------------------------------------------------------------------

@pytest.mark.parametrize("damage", ["utf-16", "text reference"])
def test_the_page_refuses_these_files_in_dutch_and_stores_nothing(app_db, damage):
    from conftest import run_page, upload_registration
    from test_registrations_page import loads_of

    data = shared_strings_workbook([VVE, ["Centrum", "2-4", "SES", 5]])
    if damage == "utf-16":
        data, expected = in_utf16(data), "is geschreven in UTF-16 in plaats van UTF-8"
    else:
        data = sheet_edited(data, b'<c r="A2" t="s"><v>4</v>', b'<c r="A2" t="s"><v>-1</v>')
        expected = "cel A2 verwijst naar een tekst die niet in het bestand staat"
    before = loads_of(app_db, "vve-indicaties")
    at = upload_registration(run_page("aanleveren"), "vve-indicaties", "vve.xlsx", data)
    assert not at.exception
    shown = " ".join(str(m.value) for m in [*at.markdown, *at.error])
    assert expected in shown, shown
    assert not [b for b in at.button if b.label == "Bevestigen en opslaan"]
    assert loads_of(app_db, "vve-indicaties") == before


# --- a PDF under a workbook's name ---------------------------------------------------------------

@pytest.mark.parametrize("pdf", [
    b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF\n",
    b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF",  # without binary bytes: it reads as text
])
def test_a_pdf_renamed_to_xlsx_is_named_as_a_pdf_not_a_csv(gem, pdf):
    """'Opslaan als PDF' then renamed: it was 'een tekstbestand (bijvoorbeeld CSV ...)' and told
    to open it in Excel, which does not open a PDF."""
    texts = validate_workbook(pdf, "vve-indicaties", gem, "vve.xlsx").message_texts()
    assert texts == ["'vve.xlsx' is geen Excel-werkmap maar een PDF-bestand. Kindkaart leest geen "
                     "cijfers uit een PDF: lever het Excel-bestand aan waaruit de PDF is gemaakt "
                     "(.xlsx), of gebruik het sjabloon."], texts
