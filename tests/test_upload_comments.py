"""Notes and comments on cells of a partner workbook (Excel's 'Notitie' and, in Excel 365, the
threaded 'Opmerking'): Kindkaart counts neither, but a child's name, birth date or BSN in one is
refused like in any cell, naming sheet, row and column, never echoing the text. Kindkaart's own
notes on the template's header, and the author Excel puts before a note, pass. Real .xlsx files:
openpyxl's notes, and the parts Excel writes, put into the zip as Excel does."""

from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.comments import Comment

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "registrations"))
from support import filled_template  # noqa: E402

from data_sources.registrations.comments import workbook_comments  # noqa: E402
from data_sources.registrations.validate import check_upload  # noqa: E402

ROWS = [["Centrum", "2-4", "SES", 5], ["Oude Haven", "2-4", "SES", 7]]



def texts_of(con, data: bytes) -> list[str]:
    result = check_upload(data, "vve-indicaties", con, "upload.xlsx", period="2024").result
    assert result.ok or result.aggregates_df.empty
    return result.message_texts()


def with_note(data: bytes, sheet: str, cell: str, text: str, author: str = "Kindkaart") -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(data))
    if sheet not in book.sheetnames:
        book.create_sheet(sheet)
    book[sheet][cell].comment = Comment(text, author)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_templates_own_notes_are_read_and_pass(gem):
    data = filled_template("vve-indicaties", ROWS)
    notes = workbook_comments(data)
    assert notes and {n.sheet for n in notes} == {"Gegevens"} and {n.row for n in notes} == {1}
    assert texts_of(gem, data) == []


@pytest.mark.parametrize(("text", "kind"), [
    ("Sven Jansen, nagevraagd bij de ouders", "de naam van een persoon"),
    ("geb. 12-03-2021, zie dossier", "een geboortedatum"),
    ("BSN 111222333 dubbel geteld", "een burgerservicenummer"),
    ("moeder bereikbaar op 06-12345678", "een telefoonnummer"),
    # as Excel escapes characters in a note's text (_x002E_ a point, _x002D_ a hyphen)
    ("geb_x002E_ 12_x002D_03_x002D_2021, zie dossier", "een geboortedatum"),
])
def test_personal_data_in_a_note_refuses_the_workbook_naming_the_cell(gem, text, kind):
    data = with_note(filled_template("vve-indicaties", ROWS), "Gegevens", "D3", text)
    texts = texts_of(gem, data)
    assert len(texts) == 1, texts
    assert texts[0].startswith("Blad 'Gegevens', rij 3, kolom D: persoonsgegevens geweigerd: de "
                               f"notitie of opmerking bij deze cel bevat mogelijk {kind}."), texts
    assert "Notitie of Opmerking verwijderen" in texts[0] and "er is niets opgeslagen" in texts[0]
    for part in text.split():
        if any(ch.isdigit() for ch in part) or part[:1].isupper():
            assert part.strip(",.") not in texts[0]  # the note itself is never repeated


def test_a_note_on_another_sheet_is_read_too(gem):
    data = with_note(filled_template("vve-indicaties", ROWS), "Eigen lijst", "B7",
                     "Fatima el Amrani verhuisd")
    assert texts_of(gem, data)[0].startswith("Blad 'Eigen lijst', rij 7, kolom B: persoonsgegevens")


def test_a_note_without_personal_data_passes(gem):
    data = with_note(filled_template("vve-indicaties", ROWS), "Gegevens", "D2",
                     "Geteld op 1-1-2024, inclusief de wachtlijst van Kinderopvang De Zon")
    assert texts_of(gem, data) == []


# -- the parts as Excel writes them ----------------------------------------------------------------

def _replace_parts(data: bytes, changes: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename not in changes:
                target.writestr(item, source.read(item.filename))
        for name, content in changes.items():
            target.writestr(name, content)
    return out.getvalue()


def _comment_part(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return next(n for n in archive.namelist() if "comment" in n.lower() and n.endswith(".xml"))


EXCEL_NOTE = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<comments xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><authors><author>{author}</author></authors>
<commentList><comment ref="D2" authorId="0"><text>
<r><rPr><b/><sz val="9"/><rFont val="Tahoma"/></rPr><t>{author}:</t></r>
<r><rPr><sz val="9"/><rFont val="Tahoma"/></rPr><t xml:space="preserve">
{text}</t></r></text></comment></commentList></comments>"""


def test_the_author_excel_writes_before_a_note_is_no_refused_name(gem):
    # Excel starts a note with its author in bold ('Piet de Vries:'): the partner's employee
    data = with_note(filled_template("vve-indicaties", ROWS), "Gegevens", "D2", "x")
    note = EXCEL_NOTE.format(author="Piet de Vries", text="Aantal gecontroleerd op 1-1-2024")
    data = _replace_parts(data, {_comment_part(data): note.encode()})
    [found] = [n for n in workbook_comments(data) if n.row == 2]
    assert found.text == "Aantal gecontroleerd op 1-1-2024"
    assert texts_of(gem, data) == []
    refused = _replace_parts(data, {_comment_part(data): EXCEL_NOTE.format(
        author="Piet de Vries", text="Sven Jansen telt dubbel").encode()})
    assert texts_of(gem, refused)[0].startswith("Blad 'Gegevens', rij 2, kolom D: persoonsgegevens")


THREADED = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<ThreadedComments xmlns="http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments" xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<threadedComment ref="C3" dT="2024-02-01T10:00:00.00" personId="{{1A2B}}" id="{{3C4D}}">
<text>{text}</text></threadedComment>
</ThreadedComments>"""


def test_a_threaded_comment_is_read(gem):
    data = filled_template("vve-indicaties", ROWS)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet_rels = "xl/worksheets/_rels/sheet2.xml.rels"  # Gegevens, the second sheet
        rels = archive.read(sheet_rels).decode() if sheet_rels in archive.namelist() else (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships '
            'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>')
        first_sheet = archive.read("xl/workbook.xml").decode()
    assert "Gegevens" in first_sheet
    rels = rels.replace("</Relationships>", (
        '<Relationship Id="rIdT1" Type="http://schemas.microsoft.com/office/2017/10/relationships/'
        'threadedComment" Target="../threadedComments/threadedComment1.xml"/></Relationships>'))
    changed = _replace_parts(data, {
        sheet_rels: rels.encode(),
        "xl/threadedComments/threadedComment1.xml":
            THREADED.format(text="Emma de Boer staat ook op de wachtlijst").encode()})
    found = [n for n in workbook_comments(changed) if (n.row, n.column) == (3, 3)]
    assert [n.sheet for n in found] == ["Gegevens"]
    texts = texts_of(gem, changed)
    assert texts[0].startswith("Blad 'Gegevens', rij 3, kolom C: persoonsgegevens"), texts
    assert "Emma" not in texts[0]


def test_a_damaged_comment_part_is_no_crash(gem):
    data = with_note(filled_template("vve-indicaties", ROWS), "Gegevens", "D2", "x")
    damaged = _replace_parts(data, {_comment_part(data): b"<comments><commentList><comm"})
    assert workbook_comments(damaged) == []


def test_a_comment_part_with_entities_is_an_xml_bomb_not_expanded(gem):
    # check_zip refuses a DTD it finds in any part; the readers of notes and document properties
    # refuse one themselves too (defusedxml), wherever a part hides it from that check.
    from defusedxml import DefusedXmlException

    from data_sources.registrations.validate import _personal_in_comments

    data = with_note(filled_template("vve-indicaties", ROWS), "Gegevens", "D2", "x")
    laughs = ('<?xml version="1.0"?><!DOCTYPE c [<!ENTITY a "hahahahaha">'
              '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
              + EXCEL_NOTE.split("?>", 1)[1].format(author="Kindkaart", text="&b;"))
    bomb = _replace_parts(data, {_comment_part(data): laughs.encode()})
    with pytest.raises(DefusedXmlException):
        workbook_comments(bomb)
    assert [m.text for m in _personal_in_comments(bomb, set())] == [
        "Het bestand bevat verboden XML-constructies (mogelijk een 'XML-bom') en wordt niet gelezen."]


def test_document_properties_with_entities_are_an_xml_bomb_not_expanded():
    from data_sources.registrations.validate import _personal_in_properties

    data = filled_template("vve-indicaties", ROWS)
    core = ('<?xml version="1.0"?><!DOCTYPE c [<!ENTITY a "Sven Jansen">]>'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
            'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>&a;</dc:title>'
            '</cp:coreProperties>')
    bomb = _replace_parts(data, {"docProps/core.xml": core.encode()})
    assert [m.text for m in _personal_in_properties(bomb, set())] == [
        "Het bestand bevat verboden XML-constructies (mogelijk een 'XML-bom') en wordt niet gelezen."]
