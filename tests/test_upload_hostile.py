"""Partner workbooks as real partners and attackers make them: contact details in any column,
formatting far below the table, formulas that fetch values from elsewhere. Each is a real .xlsx
written here; each refusal is Dutch, names sheet, row and column, and stores nothing."""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "registrations"))
from support import filled_template, plain_workbook  # noqa: E402

from data_sources.registrations.validate import validate_workbook  # noqa: E402

VVE_HEADER = ["wijk", "leeftijdsgroep", "criterium", "aantal kinderen"]



CONTACT_DETAILS = {
    "e-mail": ("j.devries@example.nl", "e-mailadres"),
    "mobile number": ("06-12345678", "telefoonnummer"),
    "mobile number without dash": ("0612345678", "telefoonnummer"),
    "international number": ("+31 6 12345678", "telefoonnummer"),
    "landline": ("010-1234567", "telefoonnummer"),
    "postcode and house number": ("9901 AB 12", "adres"),
    "street, number and postcode": ("Dorpsstraat 12, 9901 AB Voorbeeldstad", "adres"),
}


@pytest.mark.parametrize("name", list(CONTACT_DETAILS))
@pytest.mark.parametrize("header", ["opmerking", None])
def test_contact_details_in_any_column_are_refused_and_never_echoed(gem, name, header):
    value, kind = CONTACT_DETAILS[name]
    # a column the template does not have, named or not: it was accepted without a header
    data = plain_workbook([[*VVE_HEADER, header], ["Centrum", "2-4", "SES", 1, value]])
    result = validate_workbook(data, "vve-indicaties", gem, "vve.xlsx")
    texts = result.message_texts()
    assert not result.ok and result.aggregates_df.empty
    assert any(t.startswith("Blad 'Gegevens', kolom E") and "persoonsgegevens geweigerd" in t
               and kind in t and "rij 2" in t for t in texts), texts
    assert not any(value in t for t in texts), texts


@pytest.mark.parametrize("name", list(CONTACT_DETAILS))
def test_contact_details_in_a_stored_text_column_are_refused_naming_the_cell(gem, name):
    value, kind = CONTACT_DETAILS[name]
    data = filled_template("jeugdhulp", [["Centrum", f"Zorg BV {value}", "ambulant", "0-2", 6]])
    result = validate_workbook(data, "jeugdhulp", gem, "j.xlsx", period="2024")
    texts = result.message_texts()
    assert texts and all(t.startswith("Blad 'Gegevens', rij 2, kolom B (aanbieder): persoonsgegevens "
                                      f"geweigerd: de cel bevat mogelijk een {kind}") for t in texts), texts
    assert not any(value in t for t in texts), texts


@pytest.mark.parametrize("header", [
    "e-mailadres", "E-mail ouder", "telefoonnummer ouder", "mobiel", "06-nummer", "tel.",
    "voornamen", "initialen", "woonadres", "adres ouders", "postcode en huisnummer", "huisnr",
])
def test_a_header_announcing_contact_details_is_refused_as_personal_data(gem, header):
    data = plain_workbook([[*VVE_HEADER, header], ["Centrum", "2-4", "SES", 1, None]])
    result = validate_workbook(data, "vve-indicaties", gem, "vve.xlsx")
    assert any("persoonsgegevens geweigerd: de kolomnaam wijst op" in t
               for t in result.message_texts()), result.message_texts()


@pytest.mark.parametrize("text", [
    "Zorg BV (KvK 12345678)", "LRK 123456789012", "Locatie 9901 AB", "9901 AB, 12 kinderen",
    "Kamer 1234567890", "Peutergroep 2-4 jaar", "Team 2024-Q1",
])
def test_places_and_numbers_that_are_no_contact_details_are_accepted(gem, text):
    data = filled_template("jeugdhulp", [["Centrum", text, "ambulant", "0-2", 6]])
    result = validate_workbook(data, "jeugdhulp", gem, "j.xlsx", period="2024")
    assert result.ok, result.message_texts()
    assert result.aggregates_df["provider"].tolist() == [text]


def _formatted_far_below(last_row: int, with_formula: bool = False) -> bytes:
    """A vve workbook whose table is formatted (a border, as a partner applies it to a
    selection) far below its two rows: Excel and xlsxwriter write each such cell as an empty
    cell with a style. With a formula whose value Excel saved, the file takes the other reader."""
    import io

    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("Gegevens")
    border = book.add_format({"border": 1})
    sheet.write_row(0, 0, VVE_HEADER)
    sheet.write_row(1, 0, ["Centrum", "2-4", "SES", 5])
    sheet.write_row(2, 0, ["Oude Haven", "2-4", "SES"])
    if with_formula:
        sheet.write_formula(2, 3, "=1+2", None, 3)
    else:
        sheet.write_number(2, 3, 3)
    for row in range(3, last_row):
        for column in range(4):
            sheet.write_blank(row, column, None, border)
    book.close()
    return out.getvalue()


@pytest.mark.parametrize("with_formula", [False, True])
def test_formatting_far_below_the_table_is_no_reason_to_refuse(gem, with_formula):
    """Empty formatted cells down to row 30,000 were refused as 'heeft 30000 rijen ... Tel per
    wijk op in plaats van één rij per kind': the rows hold nothing."""
    data = _formatted_far_below(30_000, with_formula)
    result = validate_workbook(data, "vve-indicaties", gem, "vve.xlsx")
    assert result.ok, result.message_texts()
    assert (result.rows_read, result.aggregates_df["children_count"].tolist()) == (2, [5, 3])


def test_a_filled_cell_far_below_the_table_is_still_refused(gem):
    import io

    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(_formatted_far_below(100)))
    book["Gegevens"]["A25000"] = "Centrum"
    out = io.BytesIO()
    book.save(out)
    result = validate_workbook(out.getvalue(), "vve-indicaties", gem, "vve.xlsx")
    assert not result.ok
    assert any("25.000 rijen" in t for t in result.message_texts()), result.message_texts()


def _with_formula_in_d3(formula: str) -> bytes:
    """Two vve rows; the count of the second is a formula whose value Excel saved (5)."""
    import io

    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("Gegevens")
    sheet.write_row(0, 0, VVE_HEADER)
    sheet.write_row(1, 0, ["Centrum", "2-4", "SES", 4])
    sheet.write_row(2, 0, ["Oude Haven", "2-4", "SES"])
    sheet.write_formula(2, 3, formula, None, 5)
    book.close()
    return out.getvalue()


@pytest.mark.parametrize(("formula", "what"), [
    ("=[1]Blad1!$A$1", "ander bestand"),               # a link to another workbook
    ("='C:\\\\Data\\\\[telling.xlsx]Blad1'!A1", "ander bestand"),
    ("=cmd|' /C calc'!A0", "ander programma"),          # DDE: Excel would start a program
    ("=SUM([1]Blad1!A1:A3)", "ander bestand"),
])
def test_a_formula_that_takes_its_value_from_elsewhere_is_refused_naming_the_cell(gem, formula, what):
    """Its saved value is whatever the other file or program gave when Excel last opened it:
    it was counted as if the partner had typed it."""
    result = validate_workbook(_with_formula_in_d3(formula), "vve-indicaties", gem, "vve.xlsx")
    texts = result.message_texts()
    assert not result.ok and result.aggregates_df.empty
    assert texts == [f"Blad 'Gegevens', rij 3, kolom D (aantal kinderen): formule die zijn waarde "
                     f"uit een {what} haalt; Kindkaart telt alleen wat in dit bestand staat. "
                     "Vervang de formule door haar waarde (kopiëren, Plakken speciaal > Waarden) "
                     "en lever het bestand opnieuw aan."], texts


def test_a_formula_within_the_workbook_still_counts_its_value(gem):
    result = validate_workbook(_with_formula_in_d3("=SUM(Tabel1[aantal])+Blad2!A1"),
                               "vve-indicaties", gem, "vve.xlsx")
    assert result.ok, result.message_texts()
    assert result.aggregates_df["children_count"].tolist() == [4, 5]


def test_a_huge_cell_is_named_by_its_start_and_length_not_quoted_whole(gem):
    """A wijk cell of 30,000 characters came back whole in the message, and in the page's table."""
    data = plain_workbook([VVE_HEADER, ["Oude Haven" * 3000, "2-4", "SES", 1],
                           ["Centrum", "Oude Haven" * 3000, "SES", 1]])
    result = validate_workbook(data, "vve-indicaties", gem, "vve.xlsx")
    texts = result.message_texts()
    assert not result.ok and len(texts) == 2, texts
    assert all(len(t) < 400 and "... (30000 tekens)" in t for t in texts), texts


@pytest.mark.parametrize(("cell", "kind"), [
    ("Sanne, 06-12345678", "een telefoonnummer"), ("ouders: fam@example.nl", "een e-mailadres"),
    (111222333, "een burgerservicenummer"), ("Laan 3, 9901 AB", "een adres"),
])
def test_personal_data_on_a_sheet_kindkaart_does_not_count_is_refused(gem, cell, kind):
    """A sheet next to Gegevens (a partner's own list) was looked at for its headers only: a
    column of phone numbers or BSNs without a telling header went through."""
    def notes(workbook):
        other = workbook.create_sheet("Notities")
        other.append(["wie", "wat"])
        other.append(["x", "bellen"])
        other.append(["y", cell])

    data = plain_workbook([VVE_HEADER, ["Centrum", "2-4", "SES", 5]], extra=notes)
    result = validate_workbook(data, "vve-indicaties", gem, "vve.xlsx")
    texts = result.message_texts()
    assert not result.ok and result.aggregates_df.empty
    assert texts[0].startswith(f"Blad 'Notities', kolom B: persoonsgegevens geweigerd: 1 cel(len) "
                               f"met mogelijk {kind}") and "rij 3)" in texts[0], texts
    assert not any(str(cell) in t for t in texts), texts


def test_the_organisation_sheet_may_name_a_contact(gem):
    """The contact for questions is no child's data, and is not stored."""
    import io

    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(filled_template(
        "vve-indicaties", [["Centrum", "2-4", "SES", 5]])))
    book["Organisatie"].append(["contactpersoon", "a.jansen@example.nl, 010-1234567"])
    out = io.BytesIO()
    book.save(out)
    data = out.getvalue()
    result = validate_workbook(data, "vve-indicaties", gem, "vve.xlsx")
    assert result.ok, result.message_texts()


def test_the_page_refuses_contact_details_and_formulas_from_elsewhere_and_stores_nothing(app_db):
    """Through the real Aanleveren page: the messages name sheet, row and column, never the
    value; no confirm button; what was stored stays."""
    from conftest import run_page, upload_registration
    from test_registrations_page import loads_of, messages_of

    before = loads_of(app_db, "vve-indicaties")
    data = plain_workbook([VVE_HEADER + [None], ["Centrum", "2-4", "SES", 1, "06-12345678"]])
    at = upload_registration(run_page("aanleveren"), "vve-indicaties", "vve.xlsx", data)
    assert not at.exception
    messages = messages_of(at)
    assert [(m["blad"], m["kolom"]) for m in messages] == [("Gegevens", "E")], messages
    assert "telefoonnummer" in messages[0]["melding"] and "rij 2" in messages[0]["melding"]
    assert "12345678" not in " ".join(m["melding"] for m in messages)
    assert not [b for b in at.button if b.label == "Bevestigen en opslaan"]

    at = upload_registration(at, "vve-indicaties", "vve2.xlsx", _with_formula_in_d3("=[1]Blad1!A1"))
    assert not at.exception
    assert [(m["blad"], m["rij"], m["kolom"]) for m in messages_of(at)] == [("Gegevens", "3", "D")]
    assert not [b for b in at.button if b.label == "Bevestigen en opslaan"]
    assert loads_of(app_db, "vve-indicaties") == before


def test_the_command_line_refuses_them_too(sample_db, tmp_path, capsys):
    """`python -m data_sources validate`: the same messages, exit 1, the value never printed."""
    from data_sources import cli

    path = tmp_path / "vve.xlsx"
    path.write_bytes(plain_workbook([[*VVE_HEADER, "opmerking"],
                                     ["Centrum", "2-4", "SES", 1, "ouder: fam@example.nl"]]))
    code = cli.main(["validate", str(path), "--soort", "vve-indicaties", "--db", str(sample_db)])
    out = capsys.readouterr().out
    assert code == 1
    assert "Blad 'Gegevens', kolom E (opmerking): persoonsgegevens geweigerd" in out, out
    assert "e-mailadres" in out and "fam@example.nl" not in out and "Traceback" not in out


@pytest.mark.parametrize(("typed", "count"), [
    ("1\u202f234", 1234), ("12\u200b", 12), ("\ufeff7", 7), ("1\u00a0234", 1234), (" 12 ", 12),
    ("12,0", 12), ("1.234", 1234),
])
def test_counts_typed_as_text_with_invisible_separators_are_read(gem, typed, count):
    """A narrow no-break space (French and newer Excel thousands separator) or a zero-width space
    pasted along made '1 234' and '12' 'geen getal'."""
    data = plain_workbook([VVE_HEADER, ["Centrum", "2-4", "SES", typed]])
    result = validate_workbook(data, "vve-indicaties", gem, "vve.xlsx")
    assert result.ok, result.message_texts()
    assert result.aggregates_df["children_count"].tolist() == [count]


@pytest.mark.parametrize(("typed", "count"), [
    ("\u200e12", 12), ("12\u200f", 12), ("\u202a1.234\u202c", 1234), ("\u20681\u00a0234\u2069", 1234),
    ("\u061c7", 7),
])
def test_counts_with_marks_of_writing_direction_pasted_along_are_read(gem, typed, count):
    """Text copied from an e-mail or a web page carries marks of writing direction around a
    number (U+200E, U+202A ... U+202C); Excel shows '12', Kindkaart said "'12' is geen getal"
    (the mark invisible in the message too)."""
    data = plain_workbook([VVE_HEADER, ["Centrum", "2-4", "SES", typed]])
    result = validate_workbook(data, "vve-indicaties", gem, "vve.xlsx")
    assert result.ok, result.message_texts()
    assert result.aggregates_df["children_count"].tolist() == [count]


@pytest.mark.parametrize(("typed", "shown", "named"), [
    # shows as 21: the override reverses the digits
    ("\u202e12", "<U+202E>12", "U+202E (RIGHT-TO-LEFT OVERRIDE)"),
    # a mark before two groups of digits may show them in the other order ('200 1')
    ("\u200f1 200", "<U+200F>1 200", "U+200F (RIGHT-TO-LEFT MARK)"),
])
def test_a_count_whose_digits_may_show_in_another_order_is_refused_naming_the_character(
        gem, typed, shown, named):
    data = plain_workbook([VVE_HEADER, ["Centrum", "2-4", "SES", typed]])
    result = validate_workbook(data, "vve-indicaties", gem, "vve.xlsx")
    assert result.message_texts() == [
        f"Blad 'Gegevens', rij 2, kolom D (aantal kinderen): '{shown}' is geen eenduidig getal: "
        f"de cel bevat een onzichtbaar teken, {named}; typ het getal opnieuw, zonder dat teken"]
    assert result.aggregates_df.empty


@pytest.mark.parametrize("typed", ["<5", "< 10", "≤4", "*"])
def test_a_count_the_partner_kept_back_is_refused_with_what_to_do(gem, typed):
    """A partner's own report writes small counts as '<5': it was 'geen getal'."""
    data = plain_workbook([VVE_HEADER, ["Centrum", "2-4", "SES", typed]])
    result = validate_workbook(data, "vve-indicaties", gem, "vve.xlsx")
    assert result.message_texts() == [
        f"Blad 'Gegevens', rij 2, kolom D (aantal kinderen): '{typed}' is een afgeschermd aantal; "
        "lever het echte aantal aan (Kindkaart schermt kleine aantallen zelf af op elke pagina) "
        "of laat de cel leeg als het onbekend is"]


def _rewritten(data: bytes, rewrite) -> bytes:
    """The workbook `data` with each part passed through `rewrite(name, content)`, which gives
    the (name, content) to write instead."""
    import io
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in source.namelist():
            archive.writestr(*rewrite(name, source.read(name)))
    return out.getvalue()


def sheet_moved_out_of_worksheets(data: bytes, far_cell: str | None = "XFD1048576") -> bytes:
    """The workbook with its first sheet at xl/data/sheet1.xml, where its relationships point (a
    workbook may put a sheet anywhere), with one cell at `far_cell`."""
    def move(name: str, content: bytes) -> tuple[str, bytes]:
        if name == "xl/worksheets/sheet1.xml":
            if far_cell:
                row = far_cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
                content = content.replace(b"</sheetData>", (
                    f'<row r="{row}"><c r="{far_cell}" t="n"><v>1</v></c></row>'
                    "</sheetData>").encode())
            return "xl/data/sheet1.xml", content
        if name in ("xl/_rels/workbook.xml.rels", "[Content_Types].xml"):
            content = content.replace(b"worksheets/sheet1.xml", b"data/sheet1.xml")
        return name, content

    return _rewritten(data, move)


def test_a_sheet_outside_the_worksheets_folder_is_checked_not_an_abort(tmp_path):
    """Only parts under xl/worksheets/ were checked for far cells; calamine follows the
    relationships, and a 3 kB upload with its sheet at xl/data/ and one cell at XFD1048576 made
    it ask for 549 GB: the process aborted (in the app, the server). Run as a process."""
    import subprocess

    from data_sources import store

    db = tmp_path / "k.duckdb"
    store.connect(db).close()
    path = tmp_path / "vve.xlsx"
    path.write_bytes(sheet_moved_out_of_worksheets(
        plain_workbook([VVE_HEADER, ["Centrum", "2-4", "SES", 5]])))
    done = subprocess.run(
        [sys.executable, "-m", "data_sources", "validate", str(path), "--soort", "vve-indicaties",
         "--db", str(db)], cwd=Path(__file__).parent.parent, capture_output=True, text=True,
        timeout=120)
    assert (done.returncode, done.stderr) == (1, ""), done.stderr[-2000:]
    assert "Blad 'Gegevens' heeft 1.048.576 rijen en 16.384 kolommen" in done.stdout


def prefixed_cells(data: bytes, far_cell: str | None = "XFD1048576", decoy: bool = False) -> bytes:
    """The workbook with its first sheet's cells written with a namespace prefix (<x:sheetData>,
    <x:row>, <x:c>, as some writers save every element), one cell at `far_cell`; `decoy`: an
    empty <sheetData/> after them, which calamine does not read (it reads the first)."""
    import re

    def prefix(name: str, content: bytes) -> tuple[str, bytes]:
        if name == "xl/worksheets/sheet1.xml":
            if far_cell:
                row = far_cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
                content = content.replace(b"</sheetData>", (
                    f'<row r="{row}"><c r="{far_cell}" t="n"><v>1</v></c></row>'
                    "</sheetData>").encode())
            content = re.sub(rb"<(/?)(sheetData|row|c|is|t|v)\b", rb"<\1x:\2", content).replace(
                b"<x:sheetData>", b'<x:sheetData xmlns:x="http://schemas.openxmlformats.org/'
                b'spreadsheetml/2006/main">')
            if decoy:
                content = content.replace(b"</x:sheetData>", b"</x:sheetData><sheetData/>")
        return name, content

    return _rewritten(data, prefix)


@pytest.mark.parametrize("decoy", [False, True])
def test_a_far_cell_written_with_a_prefix_is_checked_not_an_abort(tmp_path, decoy):
    """The checks before calamine looked for <c r="...">: a sheet written <x:c r="XFD1048576">
    (its cells in <x:sheetData>) went past them, and calamine, which reads a prefixed cell as any
    other, asked for 549 GB: the process aborted. Run as a process."""
    import subprocess

    from data_sources import store

    db = tmp_path / "k.duckdb"
    store.connect(db).close()
    path = tmp_path / "vve.xlsx"
    path.write_bytes(prefixed_cells(plain_workbook([VVE_HEADER, ["Centrum", "2-4", "SES", 5]]),
                                    decoy=decoy))
    done = subprocess.run(
        [sys.executable, "-m", "data_sources", "validate", str(path), "--soort", "vve-indicaties",
         "--db", str(db)], cwd=Path(__file__).parent.parent, capture_output=True, text=True,
        timeout=120)
    assert (done.returncode, done.stderr) == (1, ""), done.stderr[-2000:]
    assert "Blad 'Gegevens' heeft 1.048.576 rijen en 16.384 kolommen" in done.stdout


@pytest.mark.parametrize("decoy", [False, True])
def test_a_far_cell_written_with_a_prefix_is_refused_in_an_lrk_or_kwb_workbook(tmp_path, decoy):
    """The same sheet as an LRK export or kwb workbook (workbooks.check_workbook, before
    calamine reads it): refused naming the sheet and the cell."""
    from data_sources.errors import InputRefused
    from data_sources.workbooks import WorkbookLimits, check_workbook

    path = tmp_path / "lrk.xlsx"
    path.write_bytes(prefixed_cells(plain_workbook([VVE_HEADER, ["Centrum", "2-4", "SES", 5]]),
                                    decoy=decoy))
    limits = WorkbookLimits("een LRK-export", 200_000, 100, 50 * 1024 ** 2, 500 * 1024 ** 2,
                            "sla de export op als CSV")
    with pytest.raises(InputRefused) as refused:
        check_workbook(path, limits)
    assert refused.value.messages == [
        "Bestand lrk.xlsx: werkblad 'Gegevens' loopt tot rij 1048576 en kolom XFD; een LRK-export "
        "heeft hoogstens 200.000 rijen en 100 kolommen. Kindkaart leest het niet: verwijder de "
        "cellen buiten de tabel (of sla de export op als CSV). Er is niets opgeslagen."]


def test_cells_written_with_a_prefix_are_read_and_checked_as_any_other(gem):
    data = prefixed_cells(plain_workbook([VVE_HEADER, *VVE_ROWS]), far_cell=None, decoy=True)
    result = validate_workbook(data, "vve-indicaties", gem, "vve.xlsx")
    assert result.ok, result.message_texts()
    assert result.aggregates_df["children_count"].tolist() == [5, 3, 7]
    twice = prefixed_cells(plain_workbook([VVE_HEADER, *VVE_ROWS]), far_cell="D3")
    assert validate_workbook(twice, "vve-indicaties", gem, "vve.xlsx").message_texts() == [
        "Blad 'Gegevens', rij 3, kolom D: 'vve.xlsx' is beschadigd: cel D3 staat er twee keer in, "
        f"en Excel kan een andere waarde tonen dan Kindkaart zou tellen. {_REPAIR}"]


def test_a_sheet_outside_the_worksheets_folder_is_read_as_any_other(gem):
    data = sheet_moved_out_of_worksheets(plain_workbook([VVE_HEADER, ["Centrum", "2-4", "SES", 5]]),
                                         far_cell=None)
    result = validate_workbook(data, "vve-indicaties", gem, "vve.xlsx")
    assert result.ok, result.message_texts()
    assert result.aggregates_df["children_count"].tolist() == [5]


def _merged_far(data: bytes, ref: str, element: str = '<mergeCells count="1"><mergeCell ref="{ref}"/>'
                '</mergeCells>') -> bytes:
    def add(name: str, content: bytes) -> tuple[str, bytes]:
        if name == "xl/worksheets/sheet1.xml":
            content = content.replace(b"</sheetData>", ("</sheetData>" + element.format(ref=ref)).encode())
        return name, content

    return _rewritten(data, add)


def _validate_in_two_gigabytes(path: Path, db: Path):
    """`python -m data_sources validate` of a vve-indicaties upload as a process limited to 2 GB
    of memory, as the server would be."""
    import resource
    import subprocess

    def two_gigabytes() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 * 1024 ** 3, 2 * 1024 ** 3))

    return subprocess.run(
        [sys.executable, "-m", "data_sources", "validate", str(path), "--soort", "vve-indicaties",
         "--db", str(db)], cwd=Path(__file__).parent.parent, capture_output=True, text=True,
        timeout=60, preexec_fn=two_gigabytes)


def test_a_merged_range_to_the_last_cell_is_refused_before_openpyxl_expands_it(tmp_path):
    """openpyxl makes an object of every merged cell: a 3 kB upload that goes its way (here a
    formula from another file) with A1:XFD1048576 merged ate all memory. Run as a process with
    2 GB, as the server would be."""
    from data_sources import store

    db = tmp_path / "k.duckdb"
    store.connect(db).close()
    path = tmp_path / "vve.xlsx"
    path.write_bytes(_merged_far(_with_formula_in_d3("=[1]Blad1!A1"), "E5:XFD1048576"))
    done = _validate_in_two_gigabytes(path, db)
    assert done.returncode == 1, done.stderr[-2000:]
    assert ("Blad 'Gegevens', rij 5, kolom E: de cellen E5:XFD1048576 zijn samengevoegd. Maak het "
            "samenvoegen ongedaan en vul elke cel apart in.") in done.stdout, done.stdout


def test_a_hyperlink_on_every_cell_is_no_reason_to_run_out_of_memory(sample_db, tmp_path):
    """openpyxl makes a cell for each cell a hyperlink covers: a link on E5:XFD1048576 ate all
    memory. Kindkaart reads no hyperlinks; the file is judged on its cells. Run as a process
    with 2 GB."""
    path = tmp_path / "vve.xlsx"
    path.write_bytes(_merged_far(_with_formula_in_d3("=[1]Blad1!A1"), "E5:XFD1048576",
                                 '<hyperlinks><hyperlink ref="{ref}" location="Gegevens!A1" '
                                 'display="x"/></hyperlinks>'))
    done = _validate_in_two_gigabytes(path, sample_db)
    assert done.returncode == 1, done.stderr[-2000:]
    assert "rij 3, kolom D (aantal kinderen): formule die zijn waarde uit een ander bestand haalt" in (
        done.stdout), done.stdout


def _with_part_twice(data: bytes, name: str, first: bytes, first_name: str) -> bytes:
    """The same xlsx with the part `name` twice: `first`, named `first_name` (`name` in another
    case, or the same), before the workbook's own copy (a zip may hold a name twice; Python's
    zipfile and calamine read the last copy, another reader the first)."""
    import io
    import warnings
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns of the duplicate name it writes
        for info in source.infolist():
            if info.filename == name:
                target.writestr(first_name, first)
            target.writestr(info.filename, source.read(info.filename))
    return out.getvalue()


@pytest.mark.parametrize("first_name", ["xl/worksheets/sheet1.xml", "xl/worksheets/Sheet1.xml"])
def test_a_workbook_with_a_part_twice_is_refused_and_stores_nothing(gem, first_name):
    """Two copies of the data sheet in one zip: the checks and the readers read the last, Excel
    may show the first (1 child, where 500 were counted): what counts is no longer what is seen.
    Part names are one name whatever their case."""
    import io
    import zipfile

    from support import table_content

    from data_sources.errors import InputRefused
    from data_sources.registrations.importing import import_workbook

    import_workbook(gem, plain_workbook([VVE_HEADER, ["Centrum", "2-4", "SES", 5]]),
                    "vve-indicaties", "Consultatiebureau Oost", "2024", "eerst.xlsx")
    before = table_content(gem)
    shown = plain_workbook([VVE_HEADER, ["Centrum", "2-4", "SES", 1]])
    counted = plain_workbook([VVE_HEADER, ["Centrum", "2-4", "SES", 500]])
    data = _with_part_twice(counted, "xl/worksheets/sheet1.xml",
                            zipfile.ZipFile(io.BytesIO(shown)).read("xl/worksheets/sheet1.xml"),
                            first_name)
    result = validate_workbook(data, "vve-indicaties", gem, "vve.xlsx")
    assert result.message_texts() == [
        "'vve.xlsx' is beschadigd: het onderdeel xl/worksheets/sheet1.xml staat er twee keer in. "
        "Sla het in Excel opnieuw op als .xlsx."]
    with pytest.raises(InputRefused):
        import_workbook(gem, data, "vve-indicaties", "Consultatiebureau Oost", "2024", "vve.xlsx")
    assert table_content(gem) == before


def _formatted(rows: list[list], formats: dict[str, str]) -> bytes:
    def extra(book):
        for cell, code in formats.items():
            book.active[cell].number_format = code

    return plain_workbook([VVE_HEADER, *rows], extra=extra)


@pytest.mark.parametrize(("code", "count", "what"), [
    (";;;", 500, "niets"),                       # the trick to hide what a cell holds
    ("0,", 1500, "een ander getal"),             # in thousands: 1500 shows as 2
    ('#,##0,,"mln"', 1500, "een ander getal"),
    ('0"0"', 5, "een ander getal"),              # 5 shows as 50
    ('"5"', 500, "iets anders"),                 # a text instead of the number
    ('[=500]"5";0', 500, "iets anders"),
])
def test_a_count_its_number_format_shows_as_something_else_is_refused(gem, code, count, what):
    """What counts is what is seen: a count of 500 that Excel shows as nothing, as 5 or as 0 (a
    format in thousands) was counted as 500 unseen. Nothing is stored."""
    from support import table_content

    from data_sources.errors import InputRefused
    from data_sources.registrations.importing import import_workbook

    data = _formatted([["Centrum", "2-4", "SES", count], ["Oude Haven", "2-4", "SES", 7]],
                      {"D2": code})
    result = validate_workbook(data, "vve-indicaties", gem, "vve.xlsx")
    assert result.message_texts() == [
        f"Blad 'Gegevens', rij 2, kolom D (aantal kinderen): de celopmaak (een aangepaste "
        f"getalnotatie) laat Excel hier {what} zien, niet wat Kindkaart telt ('{count}'). Geef de "
        "cel de opmaak Standaard (Start > Getal), controleer de waarde en lever het bestand "
        "opnieuw aan."]
    before = table_content(gem)
    with pytest.raises(InputRefused):
        import_workbook(gem, data, "vve-indicaties", "Consultatiebureau Oost", "2024", "vve.xlsx")
    assert table_content(gem) == before


def test_a_place_its_number_format_hides_is_refused(gem):
    data = _formatted([["Centrum", "2-4", "SES", 5]], {"A2": ";;;"})
    assert validate_workbook(data, "vve-indicaties", gem, "vve.xlsx").message_texts() == [
        "Blad 'Gegevens', rij 2, kolom A (wijk): de celopmaak (een aangepaste getalnotatie) laat "
        "Excel hier niets zien, niet wat Kindkaart telt ('Centrum'). Geef de cel de opmaak "
        "Standaard (Start > Getal), controleer de waarde en lever het bestand opnieuw aan."]


ACCOUNTING = '_-* #,##0_-;-* #,##0_-;_-* "-"_-;_-@_-'


@pytest.mark.parametrize(("code", "count"), [
    ("#,##0", 1500), ('0" kinderen"', 5), ('"aantal: "0', 5), ("@", 5), ("0;-0;;@", 0),
    (ACCOUNTING, 5), (ACCOUNTING, 0), ("[Red]0", 5), ("0;;;", 5), ('[=500]"5";0', 7),
])
def test_a_number_format_that_shows_the_count_as_it_is_passes(gem, code, count):
    # a zero shown as '-' or as nothing (accounting formats) is the zero that was typed
    data = _formatted([["Centrum", "2-4", "SES", count]], {"D2": code, "A2": ACCOUNTING})
    result = validate_workbook(data, "vve-indicaties", gem, "vve.xlsx")
    assert result.ok, result.message_texts()
    assert result.aggregates_df["children_count"].tolist() == [count]


def test_a_character_that_shows_as_nothing_is_written_out_in_a_message(gem):
    """A zero-width space in the period made "ingevuld voor periode '2024', maar wordt
    aangeleverd voor '2024'": two values that look the same. The message shows it as <U+200B>."""
    from support import table_content

    from data_sources.errors import InputRefused
    from data_sources.registrations.importing import import_workbook

    data = filled_template("vve-indicaties", [["Centrum", "2-4", "SES", 5]],
                           meta={"periode": "2024\u200b"})
    before = table_content(gem)
    with pytest.raises(InputRefused) as refused:
        import_workbook(gem, data, "vve-indicaties", "Consultatiebureau Oost", "2024", "vve.xlsx")
    assert refused.value.messages == [
        "Blad 'Organisatie': het bestand is ingevuld voor periode '2024<U+200B>', maar wordt "
        "aangeleverd voor '2024'."]
    assert table_content(gem) == before


def test_the_page_refuses_what_is_counted_unseen_and_stores_nothing(app_db):
    """Through the real Aanleveren page: a count its number format hides, rows a zero default
    height hides, a filled-in copy of the data sheet: each named by sheet (row, column), no
    confirm button, what was stored stays."""
    from conftest import run_page, upload_registration
    from support import sheet_format, sized
    from test_registrations_page import loads_of, messages_of

    before = loads_of(app_db, "vve-indicaties")
    at = run_page("aanleveren")
    hidden_by_format = _formatted([["Centrum", "2-4", "SES", 500]], {"D2": ";;;"})
    hidden_by_default = sheet_format(sized(plain_workbook(
        [VVE_HEADER, ["Centrum", "2-4", "SES", 5], ["Centrum", "0-2", "SES", 9]]),
        heights={1: "15", 2: "15"}), 'defaultRowHeight="0" zeroHeight="1"')

    def filled_copy(book):
        copy = book.create_sheet("Kopie van Gegevens")
        for row in [VVE_HEADER, ["Centrum", "2-4", "SES", 50]]:
            copy.append(row)

    copied = plain_workbook([VVE_HEADER, ["Centrum", "2-4", "SES", 5]], extra=filled_copy)
    for name, data, where in [("format.xlsx", hidden_by_format, ("Gegevens", "2", "D")),
                              ("rijen.xlsx", hidden_by_default, ("Gegevens", "", "")),
                              ("kopie.xlsx", copied, ("", "", ""))]:
        at = upload_registration(at, "vve-indicaties", name, data)
        assert not at.exception
        messages = messages_of(at)
        assert [(m["blad"], m["rij"], m["kolom"]) for m in messages] == [where], messages
        assert not [b for b in at.button if b.label == "Bevestigen en opslaan"]
    assert loads_of(app_db, "vve-indicaties") == before


VVE_ROWS = [["Centrum", "2-4", "SES", 5], ["Oude Haven", "2-4", "SES", 3], ["Bloemhof", "2-4", "SES", 7]]
COUNT_D3 = b'<c r="D3" t="n"><v>3</v></c>'
_REPAIR = ("Open het in Excel (dat herstelt het bestand), controleer die cel en sla het opnieuw op "
           "als .xlsx.")


@pytest.mark.parametrize(("damaged", "place", "what"), [
    (b'<c r="D3" t="n"><v>abc</v></c>', "Blad 'Gegevens', rij 3, kolom D",
     "cel D3 hoort volgens het bestand een getal te bevatten, maar er staat tekst in"),
    (b'<c r="D3" t="s"><v>99</v></c>', "Blad 'Gegevens', rij 3, kolom D",
     "cel D3 verwijst naar een tekst die niet in het bestand staat"),
    # a superscript passed str.isdigit() and then stopped int() with a Python error
    ('<c r="D3" t="s"><v>1²</v></c>'.encode(), "Blad 'Gegevens', rij 3, kolom D",
     "cel D3 verwijst naar een tekst die niet in het bestand staat"),
    (b'<c r="D3" t="b"><v>ja</v></c>', "Blad 'Gegevens', rij 3, kolom D",
     "cel D3 hoort een ja/nee-waarde (WAAR of ONWAAR) te bevatten, maar er staat iets anders in"),
    (b'<c r="3D"><v>3</v></c>', "Blad 'Gegevens', rij 3", "een cel heeft geen geldig celadres"),
    (b'<c r="D3"><v>3</v></x>', "Blad 'Gegevens', na cel C3",
     "de opbouw van het blad breekt daar af"),
])
def test_a_damaged_cell_is_refused_naming_sheet_row_and_column(gem, damaged, place, what):
    """A damaged cell made the whole file 'beschadigd of geen geldige Excel-werkmap' without
    saying where: the partner could not find what to repair. Nothing is stored, nothing stored
    before is lost."""
    from support import sheet_edited, table_content

    from data_sources.errors import InputRefused
    from data_sources.registrations.importing import import_workbook

    import_workbook(gem, plain_workbook([VVE_HEADER, ["Centrum", "2-4", "SES", 5]]),
                    "vve-indicaties", "Consultatiebureau Oost", "2024", "eerst.xlsx")
    before = table_content(gem)
    data = sheet_edited(plain_workbook([VVE_HEADER, *VVE_ROWS]), COUNT_D3, damaged)
    expected = [f"{place}: 'vve.xlsx' is beschadigd: {what}. {_REPAIR}"]
    assert validate_workbook(data, "vve-indicaties", gem, "vve.xlsx").message_texts() == expected
    with pytest.raises(InputRefused) as refused:
        import_workbook(gem, data, "vve-indicaties", "Consultatiebureau Oost", "2024", "vve.xlsx")
    assert refused.value.messages == expected
    assert table_content(gem) == before


def test_a_damaged_cell_on_another_sheet_is_named_on_that_sheet(gem):
    from support import sheet_edited

    def notes(book):
        book.create_sheet("Notities").append(["telling", 4])

    data = sheet_edited(plain_workbook([VVE_HEADER, *VVE_ROWS], extra=notes),
                        b'<c r="B1" t="n"><v>4</v></c>', b'<c r="B1" t="n"><v>vier</v></c>',
                        part="xl/worksheets/sheet2.xml")
    assert validate_workbook(data, "vve-indicaties", gem, "vve.xlsx").message_texts() == [
        "Blad 'Notities', rij 1, kolom B: 'vve.xlsx' is beschadigd: cel B1 hoort volgens het "
        f"bestand een getal te bevatten, maar er staat tekst in. {_REPAIR}"]


def _with_phonetic_text(phonetic: str, shared: bool) -> bytes:
    """A vve workbook whose cell A2 ('Centrum') carries a phonetic text (<rPh>, Japanese
    furigana, which Excel keeps with a text and hides): in the shared strings as Excel and
    xlsxwriter write them, or in an inline string as openpyxl writes it."""
    import io

    import xlsxwriter
    from support import rezip, sheet_edited

    run = f'<rPh sb="0" eb="7"><t>{phonetic}</t></rPh>'.encode()
    if not shared:
        return sheet_edited(plain_workbook([VVE_HEADER, *VVE_ROWS]), b"<t>Centrum</t></is>",
                            b"<t>Centrum</t>" + run + b"</is>")
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("Gegevens")
    for r, row in enumerate([VVE_HEADER, *VVE_ROWS]):
        sheet.write_row(r, 0, row)
    book.close()
    data = out.getvalue()
    strings = zipfile.ZipFile(io.BytesIO(data)).read("xl/sharedStrings.xml")
    assert b"<si><t>Centrum</t></si>" in strings
    return rezip(data, {"xl/sharedStrings.xml": strings.replace(
        b"<si><t>Centrum</t></si>", b"<si><t>Centrum</t>" + run + b"</si>")})


@pytest.mark.parametrize("shared", [True, False])
@pytest.mark.parametrize(("phonetic", "kind"), [
    ("111222333", "een burgerservicenummer"),
    ("Sven Jansen geb. 12-03-2021", "een geboortedatum"),
    # as Excel escapes characters in a text (_x0032_ the digit 2)
    ("111_x0032_22333", "een burgerservicenummer"),
])
def test_personal_data_in_the_phonetic_text_of_a_cell_is_refused(gem, phonetic, kind, shared):
    """A phonetic text (<rPh>) is text in the file that Excel hides and no reader gives as the
    cell's value: a BSN there passed the personal-data checks. Refused naming the cell, never
    echoing it; nothing is stored, nothing stored before is lost."""
    from support import table_content

    from data_sources.errors import InputRefused
    from data_sources.registrations.importing import import_workbook

    import_workbook(gem, plain_workbook([VVE_HEADER, ["Centrum", "2-4", "SES", 5]]),
                    "vve-indicaties", "Consultatiebureau Oost", "2024", "eerst.xlsx")
    before = table_content(gem)
    data = _with_phonetic_text(phonetic, shared)
    expected = [
        f"Blad 'Gegevens', rij 2, kolom A: persoonsgegevens geweigerd: de fonetische tekst bij "
        f"deze cel bevat mogelijk {kind}. Excel toont die tekst meestal niet (Start > Fonetische "
        "velden weergeven), maar ze staat wel in het bestand: typ de cel opnieuw in, dan is ze "
        "weg. Kindkaart neemt geen burgerservicenummers, namen, adressen of geboortedatums aan. "
        "Verwijder deze gegevens en lever het bestand opnieuw aan; er is niets opgeslagen."]
    assert validate_workbook(data, "vve-indicaties", gem, "vve.xlsx").message_texts() == expected
    with pytest.raises(InputRefused) as refused:
        import_workbook(gem, data, "vve-indicaties", "Consultatiebureau Oost", "2024", "vve.xlsx")
    assert refused.value.messages == expected
    assert table_content(gem) == before


@pytest.mark.parametrize("shared", [True, False])
def test_a_phonetic_text_without_personal_data_passes(gem, shared):
    result = validate_workbook(_with_phonetic_text("セントラム", shared), "vve-indicaties", gem,
                               "vve.xlsx")
    assert result.ok, result.message_texts()
    assert result.aggregates_df["children_count"].tolist() == [5, 3, 7]


def _xlsxwriter_vve(rows: list[list]) -> bytes:
    """A vve workbook as Excel writes one: its texts in the shared strings."""
    import io

    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("Gegevens")
    for r, row in enumerate([VVE_HEADER, *rows]):
        sheet.write_row(r, 0, row)
    book.close()
    return out.getvalue()


_OVERRIDE = "U+202E (RIGHT-TO-LEFT OVERRIDE)"


def _reordered(shown: str, named: str = _OVERRIDE) -> str:
    return (f"'{shown}': de cel bevat een onzichtbaar teken dat de schrijfrichting verandert, "
            f"{named}: Excel toont de tekst in een andere volgorde dan Kindkaart haar leest. Typ "
            "de waarde opnieuw, zonder dat teken")


def _escaped_in_shared_strings(text: str, escaped: bytes) -> bytes:
    from support import rezip

    data = _xlsxwriter_vve([["Centrum", "2-4", "SES", 5], [text, "2-4", "SES", 3]])
    strings = zipfile.ZipFile(__import__("io").BytesIO(data)).read("xl/sharedStrings.xml")
    assert text.encode() in strings
    return rezip(data, {"xl/sharedStrings.xml": strings.replace(text.encode(), escaped)})


@pytest.mark.parametrize(("make", "place", "shown", "named"), [
    # Excel shows 'murtneC', Kindkaart matched the wijk Centrum: in the shared strings as written
    (lambda: _xlsxwriter_vve([["Centrum", "2-4", "SES", 5], ["\u202eCentrum", "2-4", "SES", 3]]),
     "rij 3, kolom A (wijk)", "<U+202E>Centrum", _OVERRIDE),
    # ... and as an XML character reference
    (lambda: _escaped_in_shared_strings("Oude Haven", b"&#x202E;Oude Haven"),
     "rij 3, kolom A (wijk)", "<U+202E>Oude Haven", _OVERRIDE),
    # Excel shows 'SSE', Kindkaart read the criterion SES
    (lambda: plain_workbook([VVE_HEADER, ["Centrum", "2-4", "S\u202eES", 5]]),
     "rij 2, kolom C (criterium)", "S<U+202E>ES", _OVERRIDE),
    (lambda: plain_workbook([VVE_HEADER, ["\u2067Centrum\u2069", "2-4", "SES", 5]]),
     "rij 2, kolom A (wijk)", "<U+2067>Centrum<U+2069>", "U+2067 (RIGHT-TO-LEFT ISOLATE)"),
])
def test_a_text_that_shows_in_another_order_is_refused_naming_the_character(
        gem, make, place, shown, named):
    """An override of writing direction (U+202E) makes Excel show a text reversed, while
    Kindkaart read the characters as they stand: a wijk shown as 'murtneC' was counted for
    Centrum. The counts had this refusal; texts now too. Nothing is stored."""
    from support import table_content

    from data_sources.errors import InputRefused
    from data_sources.registrations.importing import import_workbook

    before = table_content(gem)
    data = make()
    expected = [f"Blad 'Gegevens', {place}: {_reordered(shown, named)}"]
    assert validate_workbook(data, "vve-indicaties", gem, "vve.xlsx").message_texts() == expected
    with pytest.raises(InputRefused):
        import_workbook(gem, data, "vve-indicaties", "Consultatiebureau Oost", "2024", "vve.xlsx")
    assert table_content(gem) == before


def test_a_provider_that_shows_in_another_order_is_refused_not_stored(gem):
    # shows as 'Zorg BV' in Excel; it was stored as typed, reversed with its override
    data = filled_template("jeugdhulp", [["Centrum", "\u202eVB groZ", "ambulant", "0-2", 6]])
    assert validate_workbook(data, "jeugdhulp", gem, "j.xlsx", period="2024").message_texts() == [
        f"Blad 'Gegevens', rij 2, kolom B (aanbieder): {_reordered('<U+202E>VB groZ')}"]


def test_an_organisation_field_that_shows_in_another_order_is_refused(gem):
    data = filled_template("vve-indicaties", [["Centrum", "2-4", "SES", 5]],
                           meta={"bron": "\u202eDGG"})
    assert validate_workbook(data, "vve-indicaties", gem, "vve.xlsx").message_texts() == [
        f"Blad 'Organisatie', rij 7, kolom B (bron): {_reordered('<U+202E>DGG')}"]


@pytest.mark.parametrize("text", ["\u200fCentrum", "Centrum\u200e", "\u202aCentrum\u202c",
                                  "\u2066Centrum\u2069", "\u2068Oude Haven\u2069"])
def test_a_text_with_marks_that_change_nothing_is_read(gem, text):
    """The marks and left-to-right embeddings that e-mail and web pages carry around a text show
    a Dutch text as it is."""
    result = validate_workbook(plain_workbook([VVE_HEADER, [text, "2-4", "SES", 5]]),
                               "vve-indicaties", gem, "vve.xlsx")
    assert result.ok, result.message_texts()
    assert len(result.aggregates_df) == 1


@pytest.mark.parametrize("fast", [True, False])
@pytest.mark.parametrize("written_twice", [
    # the same cell twice in its row
    b'<c r="D3" t="n"><v>3</v></c><c r="D3" t="n"><v>500</v></c>',
    # the same row twice: <row r="3"> again, with the cell again
    b'<c r="D3" t="n"><v>3</v></c></row><row r="3"><c r="D3" t="n"><v>500</v></c>',
    # the cell again in the row below, where Excel would not look for it
    b'<c r="D3" t="n"><v>3</v></c></row><row r="5"><c r="D3" t="n"><v>500</v></c>',
    # an empty second copy: openpyxl read nothing there, calamine 3
    b'<c r="D3" t="n"><v>3</v></c><c r="D3" s="0"/>',
    b'<c r="D3" t="n"><v>3</v></c><c r="D3" s="0"></c>',
    # an empty first copy
    b'<c r="D3" s="0"/><c r="D3" t="n"><v>3</v></c>',
])
def test_a_cell_written_twice_is_refused_naming_it(gem, monkeypatch, fast, written_twice):
    """Both readers took the last copy of a cell written twice (500), Excel may show the first
    (3) or repair the file: what is counted must be what is seen. Refused as damaged, naming
    sheet and cell, with either reader; nothing is stored, nothing stored before is lost."""
    from support import sheet_edited, table_content

    from data_sources.errors import InputRefused
    from data_sources.registrations import reading
    from data_sources.registrations.importing import import_workbook

    if not fast:
        monkeypatch.setattr(reading, "_plain_workbook", lambda *args, **kwargs: False)
    import_workbook(gem, plain_workbook([VVE_HEADER, ["Centrum", "2-4", "SES", 5]]),
                    "vve-indicaties", "Consultatiebureau Oost", "2024", "eerst.xlsx")
    before = table_content(gem)
    data = sheet_edited(plain_workbook([VVE_HEADER, *VVE_ROWS]), COUNT_D3, written_twice)
    expected = [
        "Blad 'Gegevens', rij 3, kolom D: 'vve.xlsx' is beschadigd: cel D3 staat er twee keer in, "
        f"en Excel kan een andere waarde tonen dan Kindkaart zou tellen. {_REPAIR}"]
    assert validate_workbook(data, "vve-indicaties", gem, "vve.xlsx").message_texts() == expected
    with pytest.raises(InputRefused) as refused:
        import_workbook(gem, data, "vve-indicaties", "Consultatiebureau Oost", "2024", "vve.xlsx")
    assert refused.value.messages == expected
    assert table_content(gem) == before


def _rows_moved(data: bytes, order: list[int]) -> bytes:
    """The workbook with the rows of its first sheet written in `order` (their places, 0-based)."""
    import io
    import re

    from support import rezip

    xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    rows = re.findall(rb"<row\b.*?</row>", xml)
    assert len(rows) == len(order)
    return rezip(data, {"xl/worksheets/sheet1.xml": xml.replace(
        b"".join(rows), b"".join(rows[i] for i in order))})


@pytest.mark.parametrize("fast", [True, False])
@pytest.mark.parametrize(("order", "row", "what"), [
    ([0, 1, 3, 2], 3, "rij 3 staat in het bestand na rij 4"),
    ([3, 0, 1, 2], 1, "rij 1 staat in het bestand na rij 4"),   # the last row first
    ([0, 2, 1, 3], 2, "rij 2 staat in het bestand na rij 3"),
])
def test_rows_out_of_order_are_refused_naming_the_row(gem, monkeypatch, fast, order, row, what):
    """Both readers place a cell by its address, whatever the order of the rows; Excel takes
    rows out of order for damage and leaves cells out when it repairs the file: what is counted
    must be what is seen. Refused with either reader; nothing is stored."""
    from support import table_content

    from data_sources.errors import InputRefused
    from data_sources.registrations import reading
    from data_sources.registrations.importing import import_workbook

    if not fast:
        monkeypatch.setattr(reading, "_plain_workbook", lambda *args, **kwargs: False)
    before = table_content(gem)
    data = _rows_moved(plain_workbook([VVE_HEADER, *VVE_ROWS]), order)
    expected = [
        f"Blad 'Gegevens', rij {row}: 'vve.xlsx' is beschadigd: {what}, en Excel laat bij rijen "
        "die niet op volgorde staan cellen weg of toont andere waarden dan Kindkaart zou tellen. "
        "Open het in Excel (dat herstelt het bestand), controleer die rijen en sla het opnieuw op "
        "als .xlsx."]
    assert validate_workbook(data, "vve-indicaties", gem, "vve.xlsx").message_texts() == expected
    with pytest.raises(InputRefused) as refused:
        import_workbook(gem, data, "vve-indicaties", "Consultatiebureau Oost", "2024", "vve.xlsx")
    assert refused.value.messages == expected
    assert table_content(gem) == before


@pytest.mark.parametrize("fast", [True, False])
def test_a_row_written_twice_with_other_cells_is_refused(gem, monkeypatch, fast):
    """<row r="3"> twice, its count in the second: no cell is written twice, yet Excel repairs."""
    from support import sheet_edited

    from data_sources.registrations import reading

    if not fast:
        monkeypatch.setattr(reading, "_plain_workbook", lambda *args, **kwargs: False)
    data = sheet_edited(plain_workbook([VVE_HEADER, *VVE_ROWS]), COUNT_D3,
                        b'</row><row r="3">' + COUNT_D3)
    assert validate_workbook(data, "vve-indicaties", gem, "vve.xlsx").message_texts() == [
        "Blad 'Gegevens', rij 3: 'vve.xlsx' is beschadigd: rij 3 staat er twee keer in, en Excel "
        "laat bij rijen die niet op volgorde staan cellen weg of toont andere waarden dan "
        "Kindkaart zou tellen. Open het in Excel (dat herstelt het bestand), controleer die rijen "
        "en sla het opnieuw op als .xlsx."]


_CELLS_OUT_OF_PLACE = ("en Excel laat bij cellen die niet op hun plaats staan cellen weg of toont "
                       f"andere waarden dan Kindkaart zou tellen. {_REPAIR}")
B3_C3_D3 = (b'<c r="B3" t="inlineStr"><is><t>2-4</t></is></c><c r="C3" t="inlineStr"><is><t>SES</t></is></c>'
            + COUNT_D3)
COUNT_D4 = b'<c r="D4" t="n"><v>7</v></c>'


def _d4_in_row_3(data: bytes) -> bytes:
    """Row 4's count written inside <row r="3">, after D3: both readers count it in row 4 (15
    children in all), Excel takes the file for damaged."""
    from support import sheet_edited

    return sheet_edited(sheet_edited(data, COUNT_D4, b""), COUNT_D3, COUNT_D3 + COUNT_D4)


def _d7_in_row_3(data: bytes) -> bytes:
    """The count of row 3 addressed to row 7, which holds nothing else."""
    from support import sheet_edited

    return sheet_edited(data, COUNT_D3, b'<c r="D7" t="n"><v>3</v></c>')


def _d3_before_b3(data: bytes, row_tag: bytes = b'<row r="3">') -> bytes:
    from support import sheet_edited

    data = sheet_edited(data, b'<row r="3">', row_tag)
    return sheet_edited(data, B3_C3_D3, COUNT_D3 + B3_C3_D3.replace(COUNT_D3, b""))


@pytest.mark.parametrize("fast", [True, False])
@pytest.mark.parametrize(("damage", "place", "what"), [
    (_d4_in_row_3, "rij 3, cel D4", "cel D4 staat in het bestand in rij 3, niet in rij 4"),
    (_d7_in_row_3, "rij 3, cel D7", "cel D7 staat in het bestand in rij 3, niet in rij 7"),
    (_d3_before_b3, "rij 3, cel B3", "cel B3 staat in het bestand na cel D3"),
    # in a row whose number is not its first attribute (as some programs write spans first)
    (lambda data: _d3_before_b3(data, b'<row spans="1:4" r="3">'), "rij 3, cel B3",
     "cel B3 staat in het bestand na cel D3"),
])
def test_a_cell_in_another_row_or_out_of_order_is_refused_naming_it(gem, monkeypatch, fast, damage, place,
                                                                     what):
    """Both readers place a cell by its address, whatever <row> holds it and in whatever order;
    Excel takes such a file for damaged and leaves cells out when it repairs it, so what the
    partner sees is not what Kindkaart counts. No cell is written twice, so the count of cells
    passed them before. Refused with either reader; nothing is stored, nothing stored before is
    lost."""
    from support import table_content

    from data_sources.errors import InputRefused
    from data_sources.registrations import reading
    from data_sources.registrations.importing import import_workbook

    if not fast:
        monkeypatch.setattr(reading, "_plain_workbook", lambda *args, **kwargs: False)
    import_workbook(gem, plain_workbook([VVE_HEADER, ["Centrum", "2-4", "SES", 5]]),
                    "vve-indicaties", "Consultatiebureau Oost", "2024", "eerst.xlsx")
    before = table_content(gem)
    data = damage(plain_workbook([VVE_HEADER, *VVE_ROWS]))
    expected = [f"Blad 'Gegevens', {place}: 'vve.xlsx' is beschadigd: {what}, {_CELLS_OUT_OF_PLACE}"]
    assert validate_workbook(data, "vve-indicaties", gem, "vve.xlsx").message_texts() == expected
    with pytest.raises(InputRefused) as refused:
        import_workbook(gem, data, "vve-indicaties", "Consultatiebureau Oost", "2024", "vve.xlsx")
    assert refused.value.messages == expected
    assert table_content(gem) == before


def test_cells_in_place_in_a_row_numbered_after_its_spans_pass(gem):
    from support import sheet_edited

    data = sheet_edited(plain_workbook([VVE_HEADER, *VVE_ROWS]), b'<row r="3">', b'<row spans="1:4" r="3">')
    result = validate_workbook(data, "vve-indicaties", gem, "vve.xlsx")
    assert result.ok, result.message_texts()
    assert result.aggregates_df["children_count"].sum() == 15


@pytest.mark.parametrize("where", ["first", "last"])
def test_a_cell_out_of_order_in_the_first_or_last_rows_of_a_long_sheet_is_refused(gem, where):
    """A sheet of thousands of rows read by calamine is checked cell by cell in its first and
    last rows (reading.ORDER_CHECKED_BYTES): a program that writes cells out of order does so
    from there."""
    from support import sheet_edited

    # one row per child, as partners that register per child deliver (no count)
    rows = [[("Centrum", "Oude Haven", "Bloemhof")[i % 3], ("0-2", "2-4")[i % 2], "SES", None]
            for i in range(3000)]
    data = plain_workbook([VVE_HEADER, *rows])
    r = 3 if where == "first" else 3001
    group = ("0-2", "2-4")[(r - 2) % 2]
    b_c = (f'<c r="B{r}" t="inlineStr"><is><t>{group}</t></is></c><c r="C{r}" t="inlineStr"><is><t>SES</t>'
           f'</is></c>').encode()
    c = b_c[b_c.index(b'<c r="C'):]
    data = sheet_edited(data, b_c, c + b_c.replace(c, b""))
    assert validate_workbook(data, "vve-indicaties", gem, "vve.xlsx").message_texts() == [
        f"Blad 'Gegevens', rij {r}, cel B{r}: 'vve.xlsx' is beschadigd: cel B{r} staat in het bestand "
        f"na cel C{r}, {_CELLS_OUT_OF_PLACE}"]
    # and in its right order the same sheet passes
    assert validate_workbook(plain_workbook([VVE_HEADER, *rows]), "vve-indicaties", gem, "vve.xlsx").ok


@pytest.mark.parametrize("rows", [
    [1, 2, 3, 4], [1, 3, 4, 9],  # a gap, as Excel leaves out an empty row
])
def test_rows_in_order_with_or_without_gaps_pass(gem, rows):
    import io
    import re

    from support import rezip

    data = plain_workbook([VVE_HEADER, *VVE_ROWS])
    xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    numbered = iter(rows)

    def renumber(row: re.Match[bytes]) -> bytes:
        new = next(numbered)
        return re.sub(rb'r="([A-Z]+)%s"' % row[1], rb'r="\g<1>%d"' % new,
                      row[0].replace(b'<row r="%s"' % row[1], b'<row r="%d"' % new))

    xml = re.sub(rb'<row r="([0-9]+)".*?</row>', renumber, xml)
    result = validate_workbook(rezip(data, {"xl/worksheets/sheet1.xml": xml}), "vve-indicaties",
                               gem, "vve.xlsx")
    assert result.ok, result.message_texts()
    assert result.aggregates_df["children_count"].sum() == 15


def test_empty_cells_and_formulas_computed_to_nothing_are_no_cells_written_twice(gem):
    """The first test counts cells with a closing tag against the values read: an empty text
    from a formula (<v></v>) or a cell with only a style makes the two differ without any cell
    written twice; the addresses are then compared, and the file passes."""
    from support import sheet_edited

    data = sheet_edited(plain_workbook([VVE_HEADER, *VVE_ROWS]), b"</row></sheetData>",
                        b'<c r="E4" t="str"><f>""</f><v></v></c><c r="F4" s="0"></c>'
                        b"</row></sheetData>")
    result = validate_workbook(data, "vve-indicaties", gem, "vve.xlsx")
    assert result.ok, result.message_texts()
    assert result.aggregates_df["children_count"].tolist() == [5, 3, 7]


def shared_strings_saying(data: bytes, start_tag: str) -> bytes:
    """The workbook `data` (openpyxl's, with its texts inline) with a shared strings part
    whose start tag is `start_tag`, holding one text, and the relationship that makes readers
    load it."""
    from support import rezip

    archive = zipfile.ZipFile(__import__("io").BytesIO(data))
    types = archive.read("[Content_Types].xml").replace(b"</Types>", (
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'))
    relations = archive.read("xl/_rels/workbook.xml.rels").replace(b"</Relationships>", (
        b'<Relationship Id="rIdStrings" Type="http://schemas.openxmlformats.org/officeDocument/'
        b'2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'))
    strings = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n{start_tag}'
               "<si><t>Centrum</t></si></sst>").encode()
    return rezip(data, {"[Content_Types].xml": types, "xl/_rels/workbook.xml.rels": relations,
                        "xl/sharedStrings.xml": strings})


_SST = '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
STRINGS_BOMBS = {
    "uniqueCount of 2^32 - 1": _SST + 'count="1" uniqueCount="4294967295">',
    "single quotes, leading zeros": _SST + "uniqueCount='04294967295'>",
    "a '>' in an attribute before it": _SST + 'a="x>y" uniqueCount="4294967295">',
    "a decoy in a comment before it": '<!-- <sst uniqueCount="1"> -->' + _SST
    + 'uniqueCount="4294967295">',
}


@pytest.mark.parametrize("start_tag", list(STRINGS_BOMBS.values()), ids=list(STRINGS_BOMBS))
def test_shared_strings_that_claim_billions_of_texts_are_refused_not_an_abort(tmp_path, start_tag):
    """calamine reserves room for the uniqueCount of the shared strings before it reads one
    text: a 3 kB upload that claims 4,294,967,295 made it ask for 103 GB and the process aborted
    (in the app: the server). Refused in Dutch instead, and nothing stored. Run as a process."""
    import subprocess

    from support import built_small_gemeente, filled_template, stored_content

    db = built_small_gemeente(tmp_path / "k.duckdb")
    before = stored_content(db)
    path = tmp_path / "vve.xlsx"
    path.write_bytes(shared_strings_saying(filled_template(
        "vve-indicaties", VVE_ROWS, {"organisatie": "JGZ Test", "periode": "2024"}), start_tag))
    done = subprocess.run(
        [sys.executable, "-m", "data_sources", "import", str(path), "--soort", "vve-indicaties",
         "--organisatie", "JGZ Test", "--periode", "2024", "--db", str(db)],
        cwd=Path(__file__).parent.parent, capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stderr) == (1, ""), done.stderr[-2000:]
    assert ("'vve.xlsx' is beschadigd: het onderdeel xl/sharedStrings.xml geeft een onmogelijk "
            "aantal teksten op. Kindkaart leest het niet; sla het in Excel opnieuw op als .xlsx."
            ) in done.stdout, done.stdout
    assert stored_content(db) == before


def test_shared_strings_that_claim_billions_of_texts_are_refused_in_an_lrk_or_kwb_workbook(
        tmp_path):
    from data_sources.errors import InputRefused
    from data_sources.workbooks import WorkbookLimits, check_workbook

    path = tmp_path / "lrk.xlsx"
    path.write_bytes(shared_strings_saying(plain_workbook([VVE_HEADER, *VVE_ROWS]),
                                           STRINGS_BOMBS["uniqueCount of 2^32 - 1"]))
    limits = WorkbookLimits("een LRK-export", 200_000, 100, 50 * 1024 ** 2, 500 * 1024 ** 2,
                            "sla de export op als CSV")
    with pytest.raises(InputRefused, match="onmogelijk aantal teksten"):
        check_workbook(path, limits)


def test_shared_strings_with_a_count_off_by_some_are_read(gem):
    """Writers other than Excel sometimes write a uniqueCount that is off (here 1,000 for one
    text): that asks for 24 kB, and the workbook is read."""
    data = shared_strings_saying(plain_workbook([VVE_HEADER, *VVE_ROWS]),
                                 _SST + 'count="1000" uniqueCount="1000">')
    result = validate_workbook(data, "vve-indicaties", gem, "vve.xlsx")
    assert result.ok, result.message_texts()
