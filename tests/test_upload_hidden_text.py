"""Personal data a partner workbook hides from the checks but not from a reader: written with
Excel's escape _xHHHH_ outside the cells (a sheet's name, a header or footer, a name in Namen
beheren, a typed choice list, a threaded comment), or broken up by a character that shows as
nothing (a zero-width space, a no-break space, full-width digits). Each is refused as the plain
text is, naming where, never quoting it; a sheet's name that turns the writing direction is
written out in the messages. Real .xlsx files: openpyxl's, with the parts Excel writes put in."""

from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.comments import Comment
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "registrations"))
from support import filled_template, rezip, table_content  # noqa: E402

from data_sources.errors import InputRefused  # noqa: E402
from data_sources.registrations.importing import import_workbook  # noqa: E402
from data_sources.registrations.validate import validate_workbook  # noqa: E402

ROWS = [["Centrum", "2-4", "SES", 5], ["Oude Haven", "2-4", "SES", 3]]
META = {"organisatie": "JGZ Test", "periode": "2024"}
GEGEVENS = "xl/worksheets/sheet2.xml"  # the template's second sheet


def template(change=None) -> bytes:
    data = filled_template("vve-indicaties", ROWS, META)
    if change is None:
        return data
    book = openpyxl.load_workbook(io.BytesIO(data))
    change(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def part(data: bytes, name: str) -> bytes:
    return zipfile.ZipFile(io.BytesIO(data)).read(name)


def placed(data: bytes, name: str, text: str) -> bytes:
    """`data` with PLACEHOLDER in part `name` replaced by `text` as it stands in the XML (openpyxl
    would write an underscore of _x0020_ as _x005F_, as Excel does for a typed one)."""
    xml = part(data, name)
    assert xml.count(b"PLACEHOLDER") == 1
    return rezip(data, {name: xml.replace(b"PLACEHOLDER", text.encode())})


def sheet_named(text: str) -> bytes:
    return placed(template(lambda book: book.create_sheet("PLACEHOLDER")), "xl/workbook.xml", text)


def footer(text: str) -> bytes:
    def change(book):
        book["Gegevens"].oddFooter.center.text = "PLACEHOLDER"
    return placed(template(change), GEGEVENS, f"Kind {text}")


def defined_name(text: str) -> bytes:
    def change(book):
        book.defined_names["Kind"] = DefinedName("Kind", attr_text='"PLACEHOLDER"')
    return placed(template(change), "xl/workbook.xml", text)


def choice_list(text: str) -> bytes:
    def change(book):
        check = DataValidation(type="list", formula1='"Centrum,PLACEHOLDER"')
        book["Gegevens"].add_data_validation(check)
        check.add("F2:F10")
    return placed(template(change), GEGEVENS, text)


THREADED = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<ThreadedComments xmlns="http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments">
<threadedComment ref="C3" dT="2024-02-01T10:00:00.00" personId="{1A2B}" id="{3C4D}">
<text>Navragen: TEXT</text></threadedComment></ThreadedComments>"""


def threaded_comment(text: str) -> bytes:
    """A comment in a conversation (Excel 365's Opmerking) on C3 of Gegevens, without the note
    Excel keeps of it for older versions."""
    data = template(lambda book: setattr(book["Gegevens"]["A1"], "comment", Comment("x", "y")))
    relations = part(data, "xl/worksheets/_rels/sheet2.xml.rels").replace(b"</Relationships>", (
        b'<Relationship Id="rIdT1" Type="http://schemas.microsoft.com/office/2017/10/'
        b'relationships/threadedComment" Target="../threadedComments/threadedComment1.xml"/>'
        b"</Relationships>"))
    return rezip(data, {"xl/worksheets/_rels/sheet2.xml.rels": relations,
                        "xl/threadedComments/threadedComment1.xml":
                            THREADED.replace("TEXT", text).encode()})


ESCAPED_PLACES = {
    "sheet name": (sheet_named, None, "de naam van het 5e blad"),
    "footer": (footer, "Gegevens", "de voettekst van dit blad"),
    "defined name": (defined_name, None, "een naam in Namen beheren"),
    "choice list": (choice_list, "Gegevens", "de keuzelijst van cel(len) F2:F10"),
    "threaded comment": (threaded_comment, "Gegevens", "de notitie of opmerking bij deze cel"),
}
# as Excel shows them: 'Sven Jansen', the BSN 123456782
ESCAPED = {"name": ("Sven_x0020_Jansen", "de naam van een persoon"),
           "bsn": ("12345_x0036_782", "een burgerservicenummer")}


@pytest.mark.parametrize("written", list(ESCAPED))
@pytest.mark.parametrize("where", list(ESCAPED_PLACES))
def test_personal_data_escaped_outside_the_cells_is_refused(gem, where, written):
    """Cell texts were read as Excel shows them, these places as they stand in the XML: a sheet
    named Sven_x0020_Jansen (the tab shows 'Sven Jansen') or a footer with the BSN written
    12345_x0036_782 passed."""
    make, sheet, place = ESCAPED_PLACES[where]
    escaped, kind = ESCAPED[written]
    result = validate_workbook(make(escaped), "vve-indicaties", gem, "vve.xlsx")
    texts = result.message_texts()
    assert len(texts) == 1 and result.aggregates_df.empty, texts
    [message] = result.messages
    assert message.sheet == sheet
    assert place in message.text and f"persoonsgegevens geweigerd: {place}" in message.text
    assert f"mogelijk {kind}" in message.text
    assert not any(seen in texts[0] for seen in ("Sven", "Jansen", "x0020", "123456782", "x0036"))


@pytest.mark.parametrize("where", list(ESCAPED_PLACES))
def test_escaped_text_without_personal_data_outside_the_cells_passes(gem, where):
    """What the escape decodes to is checked, not refused for being escaped: 'Oude_x0020_Haven'
    in each of these places is a wijk."""
    make, _sheet, _place = ESCAPED_PLACES[where]
    result = validate_workbook(make("Oude_x0020_Haven"), "vve-indicaties", gem, "vve.xlsx")
    assert result.ok, result.message_texts()


def test_an_import_refused_for_hidden_personal_data_stores_nothing(gem):
    before = table_content(gem)
    with pytest.raises(InputRefused) as refused:
        import_workbook(gem, footer("12345_x0036_782"), "vve-indicaties", "JGZ Test", "2024",
                        "vve.xlsx")
    assert "persoonsgegevens geweigerd" in refused.value.messages[0]
    assert table_content(gem) == before


def test_the_page_refuses_an_escaped_name_and_stores_nothing(app_db):
    """Through the real Aanleveren page, with the sample gemeente: a threaded comment naming a
    child in escapes is refused with its cell, the name never shown, no confirm button, and what
    was stored stays."""
    from conftest import run_page, upload_registration
    from test_registrations_page import loads_of, messages_of

    before = loads_of(app_db, "vve-indicaties")
    at = upload_registration(run_page("aanleveren"), "vve-indicaties", "vve.xlsx",
                             threaded_comment("Sven_x0020_Jansen"))
    assert not at.exception
    messages = messages_of(at)
    assert [(m["blad"], m["rij"], m["kolom"]) for m in messages] == [("Gegevens", "3", "C")]
    assert "persoonsgegevens geweigerd" in messages[0]["melding"]
    assert "Sven" not in messages[0]["melding"] and "Jansen" not in messages[0]["melding"]
    assert not [b for b in at.button if b.label == "Bevestigen en opslaan"]
    assert loads_of(app_db, "vve-indicaties") == before


def test_a_sheet_name_that_turns_the_writing_direction_is_written_out_in_the_message(gem):
    """Every message starts with the sheet's name: one with U+202E (RIGHT-TO-LEFT OVERRIDE) in it
    showed the rest of the message backwards, on the page and in a terminal."""
    def change(book):
        book.create_sheet("Kinderen\u202e")["B3"] = "123456782"
    result = validate_workbook(template(change), "vve-indicaties", gem, "vve.xlsx")
    [text] = result.message_texts()
    assert text.startswith("Blad 'Kinderen<U+202E>', kolom B: persoonsgegevens geweigerd"), text
    assert "\u202e" not in text
    assert [row["blad"] for row in map(type(result.messages[0]).as_dict, result.messages)] == [
        "Kinderen<U+202E>"]


def remark_cell(text: str) -> bytes:
    def change(book):
        book["Gegevens"]["E1"] = "opmerking"
        book["Gegevens"]["E2"] = text
    return template(change)


def note(text: str) -> bytes:
    return template(lambda book: setattr(book["Gegevens"]["D2"], "comment", Comment(text, "JGZ")))


def other_sheet(text: str) -> bytes:
    def change(book):
        book.create_sheet("Notities")["B3"] = text
    return template(change)


def organisation_note(text: str) -> bytes:
    def change(book):
        sheet = book["Organisatie"]
        row = next(r for r in range(1, sheet.max_row + 1)
                   if sheet.cell(r, 1).value == "toelichting")
        sheet.cell(row, 2, f"Gesproken met {text}")
    return template(change)


UNSEEN_PLACES = {
    "remark column": (remark_cell, ("Gegevens", None, 5)),
    "note": (note, ("Gegevens", 2, 4)),
    "sheet not counted": (other_sheet, ("Notities", None, 2)),
    "organisation field": (organisation_note, ("Organisatie", 8, 2)),
}
# each shows as 'Sven Jansen' or the BSN 123456782
UNSEEN = {
    "zero-width space in a name": "Sve\u200bn Jansen",
    "no-break space in a name": "Sven\u00a0Jansen",
    "word joiner in a BSN": "1234\u206056782",
    "full-width digits": "\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff12",
}


@pytest.mark.parametrize("written", list(UNSEEN.values()), ids=list(UNSEEN))
@pytest.mark.parametrize("where", list(UNSEEN_PLACES))
def test_personal_data_broken_up_by_what_shows_as_nothing_is_refused(gem, where, written):
    """A name with a zero-width space in it, or a name alone with a no-break space (as a web page
    or Word puts between two words), and a BSN with a word joiner or in full-width digits passed
    every check: the text was looked at as it is stored, not as it shows."""
    make, (sheet, row, column) = UNSEEN_PLACES[where]
    result = validate_workbook(make(written), "vve-indicaties", gem, "vve.xlsx")
    assert len(result.messages) == 1 and result.aggregates_df.empty, result.message_texts()
    [message] = result.messages
    assert (message.sheet, message.row, message.column) == (sheet, row, column), str(message)
    assert "persoonsgegevens geweigerd" in message.text
    assert "Sven" not in message.text and "56782" not in message.text


@pytest.mark.parametrize("text", ["Kinderopvang\u00a0De\u00a0Zon", "Peuter\u00adspeelzaal Noord",
                                  "groep\u200b3", "\uff13 groepen"])
def test_texts_without_personal_data_with_such_characters_pass(gem, text):
    result = validate_workbook(organisation_note(text), "vve-indicaties", gem, "vve.xlsx")
    assert result.ok, result.message_texts()


@pytest.mark.parametrize(("value", "kind"), [(123456782, "een burgerservicenummer"),
                                             ("Sven Jansen geb. 12-03-2020", "een geboortedatum")])
@pytest.mark.parametrize("sheet", ["Lijsten", "Toelichting"])
def test_personal_data_on_the_templates_own_sheets_is_refused(gem, sheet, value, kind):
    """Toelichting and the hidden sheet Lijsten were not looked at for personal data at all (their
    text is Kindkaart's): a child's BSN or name and birth date typed there went through."""
    def change(book):
        book[sheet]["H3"] = value
    result = validate_workbook(template(change), "vve-indicaties", gem, "vve.xlsx")
    texts = result.message_texts()
    assert texts == [f"Blad '{sheet}', kolom H: persoonsgegevens geweigerd: 1 cel(len) met "
                     f"mogelijk {kind} (rij 3). Ook een blad dat Kindkaart niet telt, mag geen "
                     "persoonsgegevens bevatten. " + texts[0].split("bevatten. ", 1)[1]], texts
    assert "Sven" not in texts[0] and "123456782" not in texts[0]


@pytest.mark.parametrize("soort", [
    "extra-ondersteuning", "kinderopvang-bezetting", "vve-indicaties", "speciaal-onderwijs",
    "wachtlijst-so", "ondersteuningstrajecten", "jeugdhulp", "wachtlijst-zorg", "groepsgrootte",
    "bevolking"])
def test_the_templates_own_text_is_no_personal_data(gem, soort):
    """Its line 'Geen persoonsgegevens: geen burgerservicenummers, namen, adressen of
    geboortedatums' names them; the template of every type, with the gemeente's wijken on
    Lijsten, is refused for nothing but its empty table."""
    from data_sources.registrations.template import write_template

    buffer = io.BytesIO()
    write_template(soort, buffer, gem)
    result = validate_workbook(buffer.getvalue(), soort, gem, f"{soort}.xlsx")
    assert result.message_texts() == [
        "Blad 'Gegevens': bevat onder de kopregel (rij 1) geen gegevens."]


@pytest.mark.parametrize(("cell", "value", "kind"), [
    ("F10", 123456782, "een burgerservicenummer"),
    ("D3", "Sven Jansen geb. 12-03-2020", "een geboortedatum"),
    ("C12", "Emma (4 jaar oud)", "de leeftijd van een kind"),
])
def test_a_childs_data_beside_the_organisation_fields_is_refused(gem, cell, value, kind):
    """Only the fields' values of the sheet Organisatie were checked: a BSN or a child's birth date
    in any other cell of it went through."""
    def change(book):
        book["Organisatie"][cell] = value
    result = validate_workbook(template(change), "vve-indicaties", gem, "vve.xlsx")
    [message] = result.messages
    row = int(cell[1:])
    assert (message.sheet, message.column) == ("Organisatie", ord(cell[0]) - 64)
    assert message.text.startswith(
        f"persoonsgegevens geweigerd: 1 cel(len) met mogelijk {kind} (rij {row}). Op dit blad "
        "mag een contactpersoon staan, maar geen gegevens van een kind."), message.text
    assert str(value) not in message.text


def test_a_contact_and_organisation_numbers_beside_the_organisation_fields_pass(gem):
    """A contact for questions, a KvK number (8 digits) and an LRK number (12) are no child's
    data."""
    def change(book):
        sheet = book["Organisatie"]
        sheet["A10"], sheet["B10"] = "contactpersoon", "Piet de Vries, 06-12345678"
        sheet["D2"], sheet["D3"], sheet["E4"] = "KvK 12345678", "LRK 123456789012", 12345678
    result = validate_workbook(template(change), "vve-indicaties", gem, "vve.xlsx")
    assert result.ok, result.message_texts()


@pytest.mark.parametrize("soort", [
    "extra-ondersteuning", "kinderopvang-bezetting", "vve-indicaties", "speciaal-onderwijs",
    "wachtlijst-so", "ondersteuningstrajecten", "jeugdhulp", "wachtlijst-zorg", "groepsgrootte",
    "bevolking"])
def test_the_check_passes_over_exactly_the_templates_own_texts(gem, soort):
    """The upload check passes over Kindkaart's own texts on Toelichting and Lijsten
    (template_text.own_texts: searching its prose for names cost every upload some 3 ms and can
    find nothing); what the template writes there for the gemeente, its name in the title and its
    wijken, is checked as a partner's text is."""
    import openpyxl

    from data_sources.registrations.locations import LocationIndex
    from data_sources.registrations.template import write_template
    from data_sources.registrations.template_text import own_texts

    buffer = io.BytesIO()
    write_template(soort, buffer, gem)
    book = openpyxl.load_workbook(buffer)
    written = {cell.value for name in ("Toelichting", "Lijsten") for row in book[name].iter_rows()
               for cell in row if isinstance(cell.value, str) and cell.value}
    index = LocationIndex(gem, "GM9999")
    gemeente_texts = {f"Kindkaart — sjabloon {soort} voor {index.gemeente_name}",
                      *index.wijk_choices()}
    assert written - own_texts(soort) <= gemeente_texts
    assert gemeente_texts & written  # the template was written for the gemeente
    assert not own_texts(soort) & gemeente_texts
