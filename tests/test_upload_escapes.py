"""Texts Excel writes with its escape _xHHHH_ (ST_Xstring: _x000D_ for a carriage return, any
character so written, _x005F_ for an underscore) are read as Excel shows them, in shared and in
inline strings, and every check sees the decoded text. Each workbook is a real .xlsx: written by
xlsxwriter (which escapes control characters as Excel does) or with the XML part written here."""

from __future__ import annotations

import io
import re
import sys
import zipfile
from pathlib import Path

import pytest
import xlsxwriter

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "registrations"))
from support import filled_template, plain_workbook, rezip, sheet_edited, table_content  # noqa: E402

from data_sources.errors import InputRefused  # noqa: E402
from data_sources.registrations.importing import import_workbook  # noqa: E402
from data_sources.registrations.validate import validate_workbook  # noqa: E402
from data_sources.workbooks import ooxml_text  # noqa: E402

VVE_HEADER = ["wijk", "leeftijdsgroep", "criterium", "aantal kinderen"]


def xlsxwriter_vve(rows: list[list], header: list[str] = VVE_HEADER) -> bytes:
    """A vve workbook as Excel writes one: its texts in the shared strings, control characters
    escaped (xlsxwriter writes '\\r' as _x000D_, a literal '_x0041_' as _x005F_x0041_)."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("Gegevens")
    for r, row in enumerate([header, *rows]):
        sheet.write_row(r, 0, row)
    book.close()
    return out.getvalue()


def shared_escaped(rows: list[list], text: str, escaped: str) -> bytes:
    """An xlsxwriter workbook whose shared text `text` is written as `escaped` instead."""
    data = xlsxwriter_vve(rows)
    strings = zipfile.ZipFile(io.BytesIO(data)).read("xl/sharedStrings.xml")
    assert f">{text}<".encode() in strings
    return rezip(data, {"xl/sharedStrings.xml": strings.replace(
        f">{text}<".encode(), f">{escaped}<".encode())})


def inline_escaped(rows: list[list], cell: str, escaped: str) -> bytes:
    """An openpyxl workbook whose cell `cell` holds the inline string `escaped` (t="inlineStr", as
    other programs than Excel write texts)."""
    data = plain_workbook([VVE_HEADER, *rows])
    xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    new, count = re.subn(rf'<c r="{cell}"[^>]*>.*?</c>'.encode(),
                         f'<c r="{cell}" t="inlineStr"><is><t>{escaped}</t></is></c>'.encode(), xml)
    assert count == 1
    return rezip(data, {"xl/worksheets/sheet1.xml": new})


ROWS = [["Centrum", "2-4", "SES", 5], ["Bloemhof", "2-4", "SES", 3]]


@pytest.mark.parametrize("make", [
    # a wijk pasted with the carriage return of a Windows text: xlsxwriter (and Excel) write it
    # as _x000D_
    lambda: xlsxwriter_vve([ROWS[0], ["Oude Haven\r", "2-4", "SES", 3]]),
    # every character may be written so (a space as _x0020_), in lower case too
    lambda: shared_escaped(ROWS, "Bloemhof", "Oude_x0020_Haven"),
    lambda: shared_escaped(ROWS, "Bloemhof", "Oude_x0020_Haven_x000d_"),
    lambda: inline_escaped(ROWS, "A3", "Oude_x0020_Haven"),
], ids=["carriage return", "space in shared text", "lower case", "inline string"])
def test_a_wijk_written_with_escapes_is_the_wijk_excel_shows(gem, make):
    """'Oude_x0020_Haven' shows in Excel as 'Oude Haven'; it was refused as no wijk of the
    gemeente."""
    result = validate_workbook(make(), "vve-indicaties", gem, "vve.xlsx")
    assert result.ok, result.message_texts()
    assert sorted(zip(result.aggregates_df["wijk_code"], result.aggregates_df["children_count"],
                      strict=True)) == [("WK999901", 5), ("WK999902", 3)]


@pytest.mark.parametrize(("escaped", "stored"), [
    ("Zorg_x0020_BV", "Zorg BV"),
    # _x005F_ is the underscore: the text '_x0041_' as xlsxwriter and Excel write it
    ("Zorg_x005F_x0041_", "Zorg_x0041_"),
    # a character outside the first 65,536 as Excel's two UTF-16 halves
    ("Zorg _xD83D__xDE00_", "Zorg \U0001f600"),
])
def test_a_provider_written_with_escapes_is_stored_as_excel_shows_it(gem, escaped, stored):
    """The real template, its texts written inline by openpyxl: the provider was stored with the
    escape ('Zorg_x0020_BV')."""
    data = filled_template("jeugdhulp", [["Centrum", "Aanbieder", "ambulant", "0-2", 6]])
    data = sheet_edited(data, b"<t>Aanbieder</t>", f"<t>{escaped}</t>".encode(),
                        part="xl/worksheets/sheet2.xml")
    import_workbook(gem, data, "jeugdhulp", "Gemeente Voorbeeldstad", "2024", "j.xlsx")
    assert gem.execute("select distinct payload ->> 'provider' from raw_partner__registration_rows"
                       ).fetchall() == [(stored,)]


def test_an_escaped_override_of_writing_direction_is_refused_naming_it(gem):
    """_x202E_ is U+202E: Excel shows 'Centrum' after it as 'murtneC'. Refused as the character
    written as it is (test_upload_hostile), naming it; nothing is stored."""
    before = table_content(gem)
    data = shared_escaped(ROWS, "Bloemhof", "_x202E_Oude Haven")
    expected = [
        "Blad 'Gegevens', rij 3, kolom A (wijk): '<U+202E>Oude Haven': de cel bevat een "
        "onzichtbaar teken dat de schrijfrichting verandert, U+202E (RIGHT-TO-LEFT OVERRIDE): "
        "Excel toont de tekst in een andere volgorde dan Kindkaart haar leest. Typ de waarde "
        "opnieuw, zonder dat teken"]
    assert validate_workbook(data, "vve-indicaties", gem, "vve.xlsx").message_texts() == expected
    with pytest.raises(InputRefused):
        import_workbook(gem, data, "vve-indicaties", "Consultatiebureau Oost", "2024", "vve.xlsx")
    assert table_content(gem) == before


@pytest.mark.parametrize(("cell", "escaped", "place", "shown", "named"), [
    # a wijk: it was matched to Oude Haven as if the character were not there
    ("A3", "Oude_x0007_Haven", "rij 3, kolom A (wijk)", "Oude<U+0007>Haven", "U+0007"),
    # a provider: stored with the escape sequence, which reached the terminal of whoever
    # listed the uploads
    ("B2", "Zorg_x001B_[31m BV", "rij 2, kolom B (aanbieder)", "Zorg<U+001B>[31m BV", "U+001B"),
    ("B2", "Zorg_x0000_BV", "rij 2, kolom B (aanbieder)", "Zorg<U+0000>BV", "U+0000"),
])
def test_an_escaped_control_character_is_refused_naming_it(gem, cell, escaped, place, shown,
                                                           named):
    """XML cannot hold a control character; Excel's escape can (_x001B_). Decoded, it would be
    stored; refused naming the cell and the character, nothing stored."""
    before = table_content(gem)
    data = filled_template("jeugdhulp", [["Centrum", "Zorg BV", "ambulant", "0-2", 6],
                                         ["Oude Haven", "Zorg BV", "ambulant", "2-4", 3]])
    old = {"A3": b"<t>Oude Haven</t>", "B2": b"<t>Zorg BV</t>"}[cell]
    data = sheet_edited(data, old, f"<t>{escaped}</t>".encode(), part="xl/worksheets/sheet2.xml")
    expected = [
        f"Blad 'Gegevens', {place}: '{shown}': de cel bevat een stuurteken, {named}, dat Excel "
        "niet als teken toont en dat Kindkaart niet opslaat. Typ de waarde opnieuw, zonder dat "
        "teken"]
    assert validate_workbook(data, "jeugdhulp", gem, "j.xlsx", period="2024").message_texts() == (
        expected)
    with pytest.raises(InputRefused):
        import_workbook(gem, data, "jeugdhulp", "Gemeente Voorbeeldstad", "2024", "j.xlsx")
    assert table_content(gem) == before


def test_an_escaped_control_character_in_an_organisation_field_is_refused(gem):
    data = filled_template("vve-indicaties", ROWS, meta={"bron": "GGD"})
    part = next(name for name in zipfile.ZipFile(io.BytesIO(data)).namelist()
                if b"<t>GGD</t>" in zipfile.ZipFile(io.BytesIO(data)).read(name))
    data = sheet_edited(data, b"<t>GGD</t>", b"<t>GGD_x001B_[2J</t>", part=part)
    assert validate_workbook(data, "vve-indicaties", gem, "vve.xlsx").message_texts() == [
        "Blad 'Organisatie', rij 7, kolom B (bron): 'GGD<U+001B>[2J': de cel bevat een "
        "stuurteken, U+001B, dat Excel niet als teken toont en dat Kindkaart niet opslaat. Typ "
        "de waarde opnieuw, zonder dat teken"]


@pytest.mark.parametrize("escaped", ["j.devries_x0040_example.nl", "06_x002D_12345678"])
def test_personal_data_written_with_escapes_is_refused(gem, escaped):
    """An e-mail address with its @ written as _x0040_ is an e-mail address in Excel."""
    header = [*VVE_HEADER, "opmerking"]
    data = xlsxwriter_vve([[*ROWS[0], "bel"], [*ROWS[1], "mail"]], header)
    strings = zipfile.ZipFile(io.BytesIO(data)).read("xl/sharedStrings.xml")
    data = rezip(data, {"xl/sharedStrings.xml": strings.replace(
        b">mail<", f">{escaped}<".encode())})
    messages = validate_workbook(data, "vve-indicaties", gem, "vve.xlsx").message_texts()
    assert len(messages) == 1 and "persoonsgegevens geweigerd" in messages[0], messages
    assert "(rij 3)" in messages[0] and escaped not in messages[0]


@pytest.mark.parametrize(("text", "shown"), [
    ("plain", "plain"),
    ("a_x000D_b", "a\rb"),
    ("a_x000d_b", "a\rb"),
    ("_x005F_x000D_", "_x000D_"),          # an underscore, then the letters x000D_
    ("_x005F__x0041_", "_A"),
    ("_x12_ and _x00G0_", "_x12_ and _x00G0_"),  # no escape: four hex digits between _x and _
    ("_xD83D__xDE00_", "\U0001f600"),
    ("a_xD83D_b", "a\ufffdb"),             # half a character: the replacement character
])
def test_escapes_are_decoded_from_left_to_right_as_excel_does(text, shown):
    assert ooxml_text(text) == shown
