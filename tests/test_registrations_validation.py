"""Validation of partner workbooks: every hostile case gets a Dutch message and nothing is stored."""

from __future__ import annotations

import datetime as dt
import io
import re
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "registrations"))
from support import filled_template, plain_workbook, rezip, sheet_format, sized  # noqa: E402

from data_sources.registrations import values  # noqa: E402
from data_sources.registrations.reading import MAX_FILE_BYTES  # noqa: E402
from data_sources.registrations.validate import validate_workbook  # noqa: E402

VVE_HEADER = ["wijk", "leeftijdsgroep", "criterium", "aantal kinderen"]
VALID_BSN = "111222333"  # passes the elfproef; a test number, not a person's



def vve(rows, **kwargs) -> bytes:
    return plain_workbook([VVE_HEADER, *rows], **kwargs)


def merged(workbook):
    workbook.active.merge_cells("A2:A3")


def formula_no_value(workbook):
    workbook.active["D2"] = "=2*6"


def two_sheets(workbook):
    # both with the header: which one holds the data is not guessed (with one header, see
    # test_upload_programs.py, the sheet with the header is read)
    other = workbook.create_sheet("Blad2")
    other.append(VVE_HEADER)
    other.append(["Centrum", "2-4", "SES", 4])
    workbook.active.title = "Blad1"


def billion_laughs() -> bytes:
    entities = "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    xml = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">' + entities + ']>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    return rezip(vve([["Centrum", "2-4", "SES", 5]]), {"xl/worksheets/sheet1.xml": xml.encode()})


def zip_bomb() -> bytes:
    return rezip(vve([["Centrum", "2-4", "SES", 5]]),
                 {"xl/media/bomb.bin": b"\0" * (60 * 1024 * 1024)})


def macro_content_type() -> bytes:
    data = vve([["Centrum", "2-4", "SES", 5]])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        types = archive.read("[Content_Types].xml")
    return rezip(data, {"[Content_Types].xml": types.replace(
        b"spreadsheetml.sheet.main+xml", b"spreadsheetml.sheet.macroEnabled.main+xml")})


OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504

REFUSED_FILES = {
    "empty file": (b"", "leeg (0 bytes)"),
    "random bytes": (bytes(range(256)) * 4, "geen Excel-werkmap"),
    "renamed csv": (b"wijk;criterium;aantal\nCentrum;SES;5\n", "tekstbestand"),
    "old xls": (OLE2 + b"Workbook".decode().encode("utf-16-le") + b"\0" * 512, ".xls"),
    "password protected": (OLE2 + "EncryptionInfo".encode("utf-16-le") + b"\0" * 512,
                           "wachtwoord"),
    "corrupt (truncated)": (vve([["Centrum", "2-4", "SES", 5]])[:900], "beschadigd"),
    "word document": (rezip(plain_workbook([["x"]]), {})  # a zip without xl/workbook.xml
                      .replace(b"xl/workbook.xml", b"xl/workbooq.xml"), "geen Excel-werkmap"),
    "far too large": (vve([["Centrum", "2-4", "SES", 5]]) + b"\0" * MAX_FILE_BYTES, "hoogstens"),
    "zip bomb": (zip_bomb(), "zip-bom"),
    # it was refused as 'beschadigd' (a Strict Open XML workbook is read now:
    # test_upload_variants.py)
    "macro content type": (macro_content_type(), "werkmap met macro's"),
    "xml bomb": (billion_laughs(), "XML"),
    "empty workbook": (plain_workbook([]), "leeg"),
    "header only": (vve([]), "geen gegevens"),
    "no recognisable header": (plain_workbook([["a", "b"], [1, 2]]), "geen kopregel"),
    "two data sheets, none called Gegevens": (
        plain_workbook([VVE_HEADER, ["Centrum", "0-2", "SES", 3]], sheet_name="Blad1",
                       extra=two_sheets), "meer bladen"),
}


@pytest.mark.parametrize("name", list(REFUSED_FILES))
def test_hostile_files_are_refused_with_a_dutch_message(gem, name):
    data, expected = REFUSED_FILES[name]
    result = validate_workbook(data, "vve-indicaties", gem, "bestand.xlsx")
    assert not result.ok
    assert any(expected in text for text in result.message_texts()), result.message_texts()
    assert result.aggregates_df.empty


REFUSED_CONTENT = {
    "missing column": (
        plain_workbook([["wijk", "leeftijdsgroep", "aantal kinderen"], ["Centrum", "2-4", 5]]),
        None, "Blad 'Gegevens': de verplichte kolom 'criterium' ontbreekt in de kopregel (rij 1)"),
    "renamed column": (
        plain_workbook([["wijk", "leeftijdsgroep", "reden vve", "aantal kinderen"],
                        ["Centrum", "2-4", "SES", 5]]), None,
        "Blad 'Gegevens', rij 1, kolom C (reden vve): 'reden vve' is geen kolom van het sjabloon"),
    "extra column with data": (
        plain_workbook([[*VVE_HEADER, "uitstroom"], ["Centrum", "2-4", "SES", 5, 3]]), None,
        "kolom E (uitstroom): 'uitstroom' is geen kolom van het sjabloon vve-indicaties"),
    "merged cells": (vve([["Centrum", "2-4", "SES", 5], [None, "2-4", "SES", 6]],
                         extra=merged), None, "de cellen A2:A3 zijn samengevoegd"),
    "formula without cached value": (
        vve([["Centrum", "2-4", "SES", None]], extra=formula_no_value), None,
        "Blad 'Gegevens', rij 2, kolom D (aantal kinderen): formule zonder berekende waarde"),
    "negative count": (vve([["Centrum", "2-4", "SES", -3]]), None,
                       "rij 2, kolom D (aantal kinderen): '-3' is negatief"),
    "fractional count": (vve([["Centrum", "2-4", "SES", "2,5"]]), None,
                         "'2,5' is geen heel getal"),
    "text in a count": (vve([["Centrum", "2-4", "SES", "veel"]]), None, "'veel' is geen getal"),
    "unknown wijk": (
        vve([["Centrum", "2-4", "SES", 5], ["Noordeinde", "2-4", "SES", 5]]), None,
        "Blad 'Gegevens', rij 3, kolom A (wijk): 'Noordeinde' is geen wijk van Voorbeeldstad"),
    # it looked like 'Centrum' on screen and was refused as "'Cen\u200btrum' is geen wijk"
    "invisible character in a wijk": (
        vve([["Centrum", "2-4", "SES", 5], ["Cen\u200btrum", "2-4", "taal/spraak", 5]]), None,
        "Blad 'Gegevens', rij 3, kolom A (wijk): 'Cen<U+200B>trum' is geen wijk van Voorbeeldstad: "
        "de cel bevat een onzichtbaar teken, U+200B (ZERO WIDTH SPACE); typ de waarde opnieuw"),
    # 3 typed into a cell formatted as a date is 03-01-1900: no birth date, a format to fix
    "number formatted as a date in a count column": (
        vve([["Centrum", "2-4", "SES", 5], ["Centrum", "2-4", "taal/spraak", dt.datetime(1900, 1, 3)],
             ["Zuid-Eind", "2-4", "SES", dt.datetime(1900, 1, 4)]]), None,
        "rij 4, kolom D (aantal kinderen): de cel is opgemaakt als datum (Excel toont 04-01-1900)"),
    "date in a count column": (
        vve([["Centrum", "2-4", "SES", 5], ["Centrum", "2-4", "taal/spraak", dt.datetime(2019, 1, 3)],
             ["Zuid-Eind", "2-4", "SES", dt.datetime(2020, 1, 4)]]), None,
        "kolom D (aantal kinderen): persoonsgegevens geweigerd: 2 cel(len) met een volledige "
        "datum (mogelijk een geboortedatum; rijen 3 en 4)"),
    "unknown wijk code": (vve([["WK123456", "2-4", "SES", 5]]), None,
                          "'WK123456' is geen wijkcode van Voorbeeldstad"),
    "postcode elsewhere": (vve([["1234 AB", "2-4", "SES", 5]]), None,
                           "postcode '1234 AB' ligt niet in Voorbeeldstad"),
    "value not allowed": (vve([["Centrum", "2-4", "armoede", 5]]), None,
                          "'armoede' is geen toegestane waarde; kies uit: taal/spraak"),
    "required value empty": (vve([["Centrum", None, "SES", 5]]), None,
                             "kolom B (leeftijdsgroep): is leeg"),
    "duplicated key": (
        vve([["Centrum", "2-4", "SES", 5], ["centrum", "2-4", "ses", 7]]), None,
        "Blad 'Gegevens', rij 3: herhaalt rij 2"),
    "totals row": (vve([["Centrum", "2-4", "SES", 5], ["Totaal", None, None, 5]]), None,
                   "Blad 'Gegevens', rij 3: dit lijkt een totaalrij"),
    "same column twice": (plain_workbook([[*VVE_HEADER, "aantal"], ["Centrum", "2-4", "SES", 5, 5]]),
                          None, "staat twee keer in de kopregel"),
    "future registration date": (
        None, ("wachtlijst-zorg", [["Centrum", None, "behandeling", "2-4", None, None,
                                    "01-01-2030"]]), "ligt na de peildatum"),
    "impossible date": (
        None, ("wachtlijst-zorg", [["Centrum", None, "behandeling", "2-4", None, None,
                                    "31-02-2024"]]), "geen bestaande datum"),
    "age out of range": (None, ("bevolking", [["BU99990101", 15, 3]]), "buiten 0 tot en met 12"),
    "missing group size": (
        None, ("groepsgrootte", [["Locatie A", "Centrum", "groep 1", "regulier", "0-2", None, 10,
                                  2]]), "kolom F (kindplaatsen): is leeg"),
}


@pytest.mark.parametrize("name", list(REFUSED_CONTENT))
def test_bad_content_is_refused_naming_sheet_row_and_column(gem, name):
    data, templated, expected = REFUSED_CONTENT[name]
    soort = "vve-indicaties"
    if templated:
        soort, rows = templated
        data = filled_template(soort, rows)
    result = validate_workbook(data, soort, gem, "bestand.xlsx", period="2024")
    assert not result.ok
    assert any(expected in text for text in result.message_texts()), result.message_texts()


def rows_of(result, columns):
    frame = result.aggregates_df
    rows = [tuple(None if x is None or x != x else x for x in row)
            for row in frame[columns].itertuples(index=False)]
    return sorted(rows, key=repr)


def test_template_round_trip_with_names_codes_and_postcodes(gem):
    data = filled_template("vve-indicaties", [
        ["Centrum", "2-4", "SES", 12],
        ["zuid eind", "2-4", "taal/spraak", "7"],       # accents and case ignored, number as text
        ["WK999909", "2-4", "Taal/Spraak", 30],
        ["9909 aa", "2-4", "sociaal-emotioneel", None],  # per child, postcode -> buurt
        ["9909AA", "2-4", "sociaal-emotioneel", None],
        ["BU99990901", "2-4", "SES", "1.234"],           # Dutch thousands separator
    ])
    result = validate_workbook(data, "vve-indicaties", gem, "vve.xlsx")
    assert result.ok, result.message_texts()
    assert rows_of(result, ["wijk_code", "buurt_code", "criterion", "children_count"]) == sorted([
        ("WK999901", None, "SES", 12),
        ("WK999903", None, "taal/spraak", 7),
        ("WK999909", None, "taal/spraak", 30),
        ("WK999909", "BU99990901", "sociaal-emotioneel", 2),
        ("WK999909", "BU99990901", "SES", 1234),
    ], key=repr)


def test_header_lower_down_reordered_and_empty_extra_columns_are_accepted(gem):
    data = plain_workbook([
        ["Registratie vve-indicaties 2024"],
        [],
        ["aantal kinderen", "criterium", "opmerking", "wijk", "leeftijdsgroep"],
        [5, "SES", None, "Centrum", "2-4"],
        [None, None, None, None, None],
        [8, "SES", None, "Oude Haven", "2-4"],
    ])
    result = validate_workbook(data, "vve-indicaties", gem, "vve.xlsx")
    assert result.ok, result.message_texts()
    assert any("rij 3" in str(n) for n in result.notices)
    assert rows_of(result, ["wijk_code", "children_count"]) == [("WK999901", 5), ("WK999902", 8)]


@pytest.mark.parametrize("count_header", ["aantal kinderen (n)", "Aantal (n)", "aantal kinderen (abs.)",
                                          "Aantal kinderen (absoluut)", "aantal kinderen (aantal)"])
def test_a_count_headed_with_a_note_of_what_it_counts_is_read(gem, count_header):
    # 'aantal kinderen (n)' was refused: "... is geen kolom van het sjabloon"
    data = plain_workbook([["wijk", "leeftijdsgroep", "criterium", count_header],
                           ["Centrum", "2-4", "SES", 12]])
    result = validate_workbook(data, "vve-indicaties", gem, "vve.xlsx")
    assert result.ok, result.message_texts()
    assert rows_of(result, ["wijk_code", "children_count"]) == [("WK999901", 12)]


@pytest.mark.parametrize("waiting_header", ["Wachttijd in weken", "gemiddelde wachttijd in weken"])
def test_a_waiting_time_headed_in_words_is_read(gem, waiting_header):
    data = plain_workbook([["wijk", "soort hulpvraag", "leeftijdsgroep", "aantal kinderen", waiting_header],
                           ["Centrum", "behandeling", "4-12", 4, 6.5]])
    result = validate_workbook(data, "wachtlijst-zorg", gem, "wachtlijst.xlsx")
    assert result.ok, result.message_texts()
    assert rows_of(result, ["wijk_code", "waiting_weeks"]) == [("WK999901", 6.5)]


def test_pc4_in_two_wijken_goes_to_the_larger_with_a_notice(gem):
    result = validate_workbook(vve([["9901", "2-4", "SES", 9]]), "vve-indicaties", gem, "v.xlsx")
    assert result.ok
    assert rows_of(result, ["wijk_code", "children_count"]) == [("WK999901", 9)]
    assert any("ligt in 2 wijken" in str(n) for n in result.notices)


def test_excel_date_for_age_group_is_taken_back(gem):
    # Excel turns '2-4' typed in a general cell into 2 April
    result = validate_workbook(vve([["Centrum", dt.datetime(2024, 4, 2), "SES", 5]]),
                               "vve-indicaties", gem, "v.xlsx")
    assert result.ok, result.message_texts()
    assert rows_of(result, ["age_group"]) == [("2-4",)]


@pytest.mark.parametrize(("typed", "age_group"), [
    (dt.datetime(2025, 2, 4), "2-4"), (dt.datetime(2025, 4, 12), "4-12")])
def test_an_age_group_an_english_spreadsheet_made_a_date_is_taken_back(gem, typed, age_group):
    """With English (US) settings, as Google Sheets has them by default, '2-4' typed becomes
    February 4 and '4-12' April 12: the age group, not a birth date to refuse."""
    header = ["wijk", "aanbieder", "soort jeugdhulp", "leeftijdsgroep", "aantal kinderen"]

    def as_date(workbook):
        workbook.active["D2"].number_format = "m/d/yyyy"

    data = plain_workbook([header, ["Centrum", "Zorg BV", "ambulant", typed, 6]], extra=as_date)
    result = validate_workbook(data, "jeugdhulp", gem, "j.xlsx")
    assert result.ok, result.message_texts()
    assert rows_of(result, ["age_group", "children_count"]) == [(age_group, 6)]


def test_formula_with_cached_value_uses_the_value(gem):
    data = vve([["Centrum", "2-4", "SES", None]], extra=formula_no_value)
    part = "xl/worksheets/sheet1.xml"
    xml = zipfile.ZipFile(io.BytesIO(data)).read(part).replace(
        b"<f>2*6</f><v />", b"<f>2*6</f><v>12</v>")
    result = validate_workbook(rezip(data, {part: xml}), "vve-indicaties", gem, "v.xlsx")
    assert result.ok, result.message_texts()
    assert rows_of(result, ["children_count"]) == [(12,)]


@pytest.mark.parametrize("date", [
    dt.datetime(2024, 10, 2), "02-10-2024", "2-10-2024", "2024-10-02", "02/10/2024",
    "2 oktober 2024", 45567,
])
def test_dates_in_several_formats_give_the_same_waiting_time(gem, date):
    data = filled_template("wachtlijst-zorg", [
        ["Centrum", "Zorg BV", "behandeling", "2-4", None, None, date],
        ["Centrum", "Zorg BV", "behandeling", "2-4", None, None, "2024-12-25"],
    ], meta={"peildatum": "31-12-2024"})
    result = validate_workbook(data, "wachtlijst-zorg", gem, "w.xlsx")
    assert result.ok, result.message_texts()
    # 90 and 6 days -> mean 48 days = 6.86 weeks, over 2 children
    assert rows_of(result, ["children_count", "waiting_weeks"]) == [(2, 6.86)]


def test_dutch_decimals_in_amounts(gem):
    data = filled_template("ondersteuningstrajecten", [
        ["Centrum", "Zorg BV", "behandeling", "2-4", 4, 4, "6,5"],
        ["Oude Haven", "Zorg BV", "behandeling", "2-4", 2, 2, "1.234,5"],
    ])
    result = validate_workbook(data, "ondersteuningstrajecten", gem, "o.xlsx", period="2024")
    assert result.ok, result.message_texts()
    assert rows_of(result, ["wijk_code", "support_hours"]) == [("WK999901", 6.5),
                                                               ("WK999902", 1234.5)]


@pytest.mark.parametrize(("weeks", "date", "expected"), [
    (5000, None, "Blad 'Gegevens', rij 2, kolom F (wachttijd (weken)): '5000' is te groot: meer "
                 "dan 678 kan niet; zo lang (13 jaar) kan een kind van hoogstens 12 jaar niet "
                 "wachten"),
    (None, dt.datetime(1900, 1, 1),
     "Blad 'Gegevens', rij 2, kolom G (datum aanmelding): de datum van aanmelding ligt meer dan "
     "678 weken voor de peildatum 31-12-2024; zo lang (13 jaar) kan een kind van hoogstens 12 "
     "jaar niet wachten."),
])
def test_a_waiting_time_longer_than_a_childhood_is_refused(gem, weeks, date, expected):
    """A typo (5000 weeks) or a registration date of 1900 was stored as a waiting time of a
    century, and pulled the mean waiting time of its wijk up by decades."""
    data = filled_template("wachtlijst-zorg", [
        ["Centrum", "Zorg BV", "behandeling", "4-12", 1, weeks, date],
        ["Oude Haven", "Zorg BV", "behandeling", "4-12", 1, 678, None]],
        meta={"peildatum": "31-12-2024"})
    result = validate_workbook(data, "wachtlijst-zorg", gem, "w.xlsx", period="2024")
    assert result.message_texts() == [expected]
    assert result.aggregates_df.empty


@pytest.mark.parametrize(("soort", "row", "column"), [
    ("kinderopvang-bezetting", ["Centrum", "KDV De Zon", "dagopvang", "0-2", "{children}", 10], "E"),
    ("groepsgrootte", ["KDV De Zon", "Centrum", "Groep 1", "regulier", "0-2", 10, "{children}", 2],
     "G"),
])
def test_more_children_than_places_can_serve_is_refused(gem, soort, row, column):
    """A typo (500 children on 10 places) made one place serve 50 children in the model
    (int_supply__children_per_place), hiding the shortage of places; 10 per place (ten dayparts,
    one each) is the most a place can serve."""
    def workbook(children):
        return filled_template(soort, [[children if cell == "{children}" else cell for cell in row]])
    result = validate_workbook(workbook(500), soort, gem, "k.xlsx", period="2024")
    assert result.message_texts() == [
        f"Blad 'Gegevens', rij 2, kolom {column} (aantal kinderen): 500 kinderen op 10 kindplaatsen "
        "kan niet: een kindplaats wordt door hoogstens 10 kinderen gedeeld (elk één dagdeel per "
        "week). Controleer beide aantallen."]
    assert result.aggregates_df.empty
    assert validate_workbook(workbook(100), soort, gem, "k.xlsx", period="2024").ok


def test_the_template_limits_the_waiting_time_as_the_check_does():
    from data_sources.registrations.template import write_template

    buffer = io.BytesIO()
    write_template("wachtlijst-zorg", buffer)
    sheet = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))["Gegevens"]
    [rule] = [d for d in sheet.data_validations.dataValidation if "F2" in str(d.sqref)]
    assert (rule.type, rule.operator, rule.formula1, rule.formula2) == (
        "decimal", "between", "0", "678")


PERSONAL = {
    "bsn column": ([[*VVE_HEADER, "bsn"], ["Centrum", "2-4", "SES", 1, VALID_BSN]],
                   "burgerservicenummer"),
    "bsn hidden in the wijk column": (
        [VVE_HEADER, [VALID_BSN, "2-4", "SES", 1]], "burgerservicenummer"),
    "bsn as number without leading zero": (
        [[*VVE_HEADER, "kenmerk"], ["Centrum", "2-4", "SES", 1, int("012345672")]],
        "burgerservicenummer"),
    "names": ([[*VVE_HEADER, "naam kind"], ["Centrum", "2-4", "SES", 1, "Sanne de Vries"]],
              "namen"),
    "names of pupils": ([[*VVE_HEADER, "Naam leerling"], ["Centrum", "2-4", "SES", 1, "Sanne"]],
                        "namen"),
    "bsn under another header": ([[*VVE_HEADER, "BSN-nummer"], ["Centrum", "2-4", "SES", 1, None]],
                                 "burgerservicenummers"),
    "birth dates": ([[*VVE_HEADER, "geboortedatum"],
                     ["Centrum", "2-4", "SES", 1, dt.datetime(2021, 5, 17)]], "geboortedatum"),
    "birth dates as text in an unnamed column": (
        [[*VVE_HEADER, "x"], ["Centrum", "2-4", "SES", 1, "17-05-2021"]], "geboortedatum"),
    "bsn inside text in a column without a header": (
        [VVE_HEADER, ["Centrum", "2-4", "SES", 1, f"kind {VALID_BSN}"]], "burgerservicenummer"),
    "birth date inside text in another column": (
        [[*VVE_HEADER, "opmerking"], ["Centrum", "2-4", "SES", 1, "Sanne, geb. 17-05-2021"]],
        "geboortedatum"),
}
SECRETS = (VALID_BSN, "12345672", "Sanne", "17-05-2021", "2021-05-17")


@pytest.mark.parametrize("name", list(PERSONAL))
def test_personal_data_is_refused_and_never_echoed(gem, name):
    rows, expected = PERSONAL[name]
    result = validate_workbook(plain_workbook(rows), "vve-indicaties", gem, "vve.xlsx")
    assert not result.ok
    texts = result.message_texts()
    assert any("persoonsgegevens geweigerd" in t and expected in t for t in texts), texts
    assert not any(secret in t for t in texts for secret in SECRETS), texts
    assert result.aggregates_df.empty


def test_elfproef():
    assert values.elfproef("111222333")
    assert not values.elfproef("111222334")
    assert values.looks_like_bsn(12345672)       # 012345672 with its leading zero lost
    assert not values.looks_like_bsn(12)
    assert not values.looks_like_bsn("9901AA")


def test_message_count_is_capped(gem):
    rows = [["Nergens", "2-4", "SES", 1]] * 300
    result = validate_workbook(vve(rows), "vve-indicaties", gem, "vve.xlsx")
    assert len(result.messages) == 201
    assert "en nog 100 meldingen" in result.message_texts()[-1]


@pytest.mark.parametrize("period, expected", [
    ("2024", ("2024", 2024, dt.date(2024, 12, 31))),
    ("2024-q3", ("2024-Q3", 2024, dt.date(2024, 9, 30))),
    ("2024-02", ("2024-02", 2024, dt.date(2024, 2, 29))),
    ("Schooljaar 2024-2025", ("schooljaar 2024-2025", 2024, dt.date(2025, 7, 31))),
])
def test_periods(period, expected):
    assert values.parse_period(period) == expected


@pytest.mark.parametrize("period", ["", "vorig jaar", "2024-13", "2024-2026", "1899"])
def test_bad_periods(period):
    with pytest.raises(values.BadValue):
        values.parse_period(period)


def test_template_has_protected_header_dropdowns_and_instructions(gem):
    data = filled_template("vve-indicaties", [], con=gem)
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    assert workbook.sheetnames[:3] == ["Toelichting", "Gegevens", "Organisatie"]
    sheet = workbook["Gegevens"]
    assert [c.value for c in sheet[1]] == VVE_HEADER
    assert sheet.freeze_panes == "A2"
    assert sheet.protection.sheet and sheet["A1"].protection.locked
    assert not sheet.column_dimensions["A"].protection.locked
    kinds = {str(dv.sqref)[0]: dv.type
             for dv in sheet.data_validations.dataValidation}
    assert kinds == {"A": "list", "B": "list", "C": "list", "D": "whole"}
    lists = workbook["Lijsten"]
    assert lists.sheet_state == "hidden"
    listed = {c.value for col in lists.iter_cols() for c in col}
    assert {"Centrum", "Zuid-Éind", "taal/spraak", "SES"} <= listed
    assert workbook["Organisatie"]["B4"].value == "Voorbeeldstad"


def test_repeated_rows_of_a_per_child_file_each_count(gem):
    """Rows with the same cells are checked once but each one counts, and a problem in a repeated
    row is reported at every row, in the order of the sheet."""
    pool = [["Centrum", "2-4", "SES", None], ["9909AA", "0-2", "taal/spraak", None],
            ["Oude Haven", "2-4", "SES", None]]
    rows = [pool[i % 3] for i in range(300)]
    result = validate_workbook(vve(rows), "vve-indicaties", gem, "vve.xlsx")
    assert result.ok, result.message_texts()
    assert result.rows_read == 300
    assert rows_of(result, ["wijk_code", "buurt_code", "criterion", "children_count"]) == sorted([
        ("WK999901", None, "SES", 100),
        ("WK999909", "BU99990901", "taal/spraak", 100),
        ("WK999902", None, "SES", 100),
    ], key=repr)
    bad = ["Centrum", "2-4", "armoede", None]
    rows[9], rows[199], rows[49] = bad, bad, ["Noordeinde", "2-4", "SES", None]
    texts = validate_workbook(vve(rows), "vve-indicaties", gem, "vve.xlsx").message_texts()
    assert [t.split(":")[0] for t in texts] == [
        "Blad 'Gegevens', rij 11, kolom C (criterium)",
        "Blad 'Gegevens', rij 51, kolom A (wijk)",
        "Blad 'Gegevens', rij 201, kolom C (criterium)",
    ]


def test_repeated_rows_with_counts_are_duplicates_of_the_first(gem):
    rows = [["Centrum", "2-4", "SES", 5], ["Oude Haven", "2-4", "SES", 1],
            ["centrum", "2-4", "ses", 5], ["Centrum", "2-4", "SES", 5]]
    texts = validate_workbook(vve(rows), "vve-indicaties", gem, "vve.xlsx").message_texts()
    assert texts == [
        f"Blad 'Gegevens', rij {r}: herhaalt rij 2: dezelfde plaats en indeling staan twee keer in"
        " het bestand. Tel ze op in één rij of verwijder er één." for r in (4, 5)]


def test_waiting_time_of_repeated_children_is_weighted_by_each(gem):
    rows = [["Centrum", "Zorg BV", "behandeling", "2-4", None, 10, None]] * 3 + [
        ["Centrum", "Zorg BV", "behandeling", "2-4", None, 2, None]]
    result = validate_workbook(filled_template("wachtlijst-zorg", rows), "wachtlijst-zorg", gem,
                               "w.xlsx")
    assert result.ok, result.message_texts()
    assert rows_of(result, ["children_count", "waiting_weeks"]) == [(4, 8.0)]


def test_the_cycle_collector_runs_again_after_validation(gem):
    import gc

    assert gc.isenabled()
    validate_workbook(vve([["Centrum", "2-4", "SES", 5]]), "vve-indicaties", gem, "v.xlsx")
    assert gc.isenabled()
    with pytest.raises(Exception, match="Onbekende soort"):
        validate_workbook(vve([]), "geen-soort", gem, "v.xlsx")
    assert gc.isenabled()


def jeugdhulp(provider, meta=None) -> bytes:
    return filled_template("jeugdhulp", [["Centrum", provider, "ambulant", "0-2", 6]], meta=meta)


PERSONAL_IN_TEXT = {
    "bsn inside text": ("BSN 111222333", "burgerservicenummer"),
    "bsn in groups": ("kind 1112.22.333", "burgerservicenummer"),
    "name with age": ("Jan de Vries (8 jr)", "leeftijd van een kind"),
    "birth word": ("geb. 12-03-2019", "geboortedatum"),
    "geboren": ("Sanne, geboren in maart", "geboortedatum"),
    "date inside text": ("Jan 12-03-2019", "datum"),
    "iso date inside text": ("aangemeld 2019-03-12", "datum"),
    "date with month name": ("sinds 3 maart 2019", "datum"),
}


@pytest.mark.parametrize("name", list(PERSONAL_IN_TEXT))
def test_personal_data_inside_a_text_cell_is_refused_naming_the_cell(gem, name):
    text, expected = PERSONAL_IN_TEXT[name]
    result = validate_workbook(jeugdhulp(text), "jeugdhulp", gem, "j.xlsx", period="2024")
    texts = result.message_texts()
    assert texts and all(t.startswith("Blad 'Gegevens', rij 2, kolom B (aanbieder): "
                                      "persoonsgegevens geweigerd") for t in texts), texts
    assert any(expected in t for t in texts), texts
    assert not any(part in t for t in texts for part in (text, "111222333", "12-03-2019")), texts
    assert result.aggregates_df.empty


@pytest.mark.parametrize("text", [
    "Stichting Jeugdzorg De Vries", "Zorg BV (KvK 12345678)", "LRK 123456789012", "Centrum-Zuid",
    "Peutergroep 2-4 jaar", "BSO 4-12 jaar", "Team 2024", "Team 2024-Q1", "schooljaar 2024-2025",
    "Gebouw 3", "Kamer 1234567890",
])
def test_legitimate_text_is_not_taken_for_personal_data(gem, text):
    result = validate_workbook(jeugdhulp(text), "jeugdhulp", gem, "j.xlsx", period="2024")
    assert result.ok, result.message_texts()
    assert result.aggregates_df["provider"].tolist() == [text]


def test_personal_data_in_the_organisation_notes_is_refused_naming_the_field(gem):
    data = jeugdhulp("Zorg BV", meta={
        "definitie": "Telling excl. Jan (BSN 111222333), zie mail",
        "toelichting": "Sanne Bakker, Dorpsstraat 4, geboren 01-02-2020, is verhuisd"})
    texts = validate_workbook(data, "jeugdhulp", gem, "j.xlsx", period="2024").message_texts()
    assert [t.split(":")[0] for t in texts] == ["Blad 'Organisatie', rij 6, kolom B (definitie)",
                                                "Blad 'Organisatie', rij 8, kolom B (toelichting)"]
    assert "burgerservicenummer" in texts[0] and "geboortedatum" in texts[1]
    assert not any(s in t for t in texts for s in ("111222333", "Sanne", "01-02-2020")), texts


@pytest.mark.parametrize("definition", [
    "Wachtenden op 31-12-2024", "BRP-uittreksel, peildatum 1 januari 2024",
    "Telling tussen 01-01-2024 en 31-12-2024", "Doelgroepdefinitie vve (2023)",
])
def test_a_counting_date_in_the_definition_is_accepted(gem, definition):
    result = validate_workbook(jeugdhulp("Zorg BV", meta={"definitie": definition}), "jeugdhulp",
                               gem, "j.xlsx", period="2024")
    assert result.ok, result.message_texts()


def test_a_sheet_with_personal_data_headers_refuses_the_file(gem):
    def children(workbook):
        sheet = workbook.create_sheet("Kinderen")
        sheet.append(["Naam", "BSN", "Geboortedatum", "opmerking"])
        sheet.append(["Sanne de Vries", VALID_BSN, dt.datetime(2021, 5, 17), "x"])
        sheet.sheet_state = "veryHidden"  # not even listed by Excel's Unhide

    result = validate_workbook(vve([["Centrum", "2-4", "SES", 5]], extra=children),
                               "vve-indicaties", gem, "vve.xlsx")
    texts = result.message_texts()
    assert [t.split(":")[0] for t in texts] == [
        "Blad 'Kinderen', rij 1, kolom A (Naam)", "Blad 'Kinderen', rij 1, kolom B (BSN)",
        "Blad 'Kinderen', rij 1, kolom C (Geboortedatum)"]
    assert all("persoonsgegevens geweigerd" in t for t in texts)
    assert not any(secret in t for t in texts for secret in SECRETS), texts


@pytest.mark.parametrize("count, shown", [
    (10**20, "100000000000000000000"), ("99999999999999999999", "99999999999999999999"),
    (9007199254740993, "9007199254740992"), (1_000_001, "1000001"),  # Excel keeps a float
])
def test_an_implausible_count_is_refused_naming_the_cell(gem, count, shown):
    result = validate_workbook(vve([["Centrum", "2-4", "SES", count]]), "vve-indicaties", gem,
                               "vve.xlsx")
    assert result.message_texts() == [
        f"Blad 'Gegevens', rij 2, kolom D (aantal kinderen): '{shown}' is geen aannemelijk "
        "aantal; Kindkaart neemt hoogstens 1.000.000 per cel aan"]


def test_a_million_is_still_a_count(gem):
    result = validate_workbook(vve([["Centrum", "2-4", "SES", 1_000_000]]), "vve-indicaties", gem,
                               "vve.xlsx")
    assert result.ok, result.message_texts()


def hidden_data_sheet_and_visible_copy(workbook):
    copy = workbook.copy_worksheet(workbook["Gegevens"])
    copy.title = "Gegevens (2)"
    copy["D2"] = 50
    workbook["Gegevens"].sheet_state = "hidden"
    workbook.active = 1


def hidden_row(workbook):
    workbook["Gegevens"].row_dimensions[3].hidden = True


def hidden_count_column(workbook):
    workbook["Gegevens"].column_dimensions["D"].hidden = True


@pytest.mark.parametrize("extra, expected", [
    (hidden_data_sheet_and_visible_copy, [
        "Blad 'Gegevens': is verborgen. Kindkaart leest alleen dit blad, maar u ziet het niet in "
        "Excel.",
        "De werkmap heeft naast het blad 'Gegevens' ook 'Gegevens (2)' met gegevens. Kindkaart "
        "leest alleen 'Gegevens'."]),
    (hidden_row, ["Blad 'Gegevens': rij 3 is verborgen (ook een filter of een rijhoogte van 0 "
                  "verbergt rijen). Kindkaart telt alle rijen, ook verborgen rijen."]),
    (hidden_count_column, ["Blad 'Gegevens', kolom D (aantal kinderen): deze kolom is verborgen, "
                           "maar telt mee."]),
])
def test_hidden_sheets_rows_and_columns_are_refused(gem, extra, expected):
    data = vve([["Centrum", "2-4", "SES", 5], ["Oude Haven", "2-4", "SES", 7]], extra=extra)
    texts = validate_workbook(data, "vve-indicaties", gem, "vve.xlsx").message_texts()
    assert len(texts) == len(expected), texts
    assert all(t.startswith(e) for t, e in zip(texts, expected, strict=True)), texts



def with_windows(data: bytes, *visibilities: str) -> bytes:
    """The workbook with its window(s) (bookViews) as `visibilities`: openpyxl writes one visible
    window and cannot hide it (Excel: Beeld > Verbergen)."""
    book = zipfile.ZipFile(io.BytesIO(data)).read("xl/workbook.xml")
    views = b"".join(b'<workbookView visibility="%s" activeTab="0"/>' % v.encode()
                     for v in visibilities)
    changed, count = re.subn(rb"<bookViews>.*?</bookViews>", b"<bookViews>" + views + b"</bookViews>",
                             book, flags=re.DOTALL)
    assert count == 1
    return rezip(data, {"xl/workbook.xml": changed})


@pytest.mark.parametrize("visibilities", [("hidden",), ("veryHidden",), ("hidden", "veryHidden")])
def test_a_workbook_whose_window_is_hidden_is_refused_and_stores_nothing(gem, visibilities):
    """A workbook saved with its window hidden opens in Excel without showing anything, while
    every count in it was taken in; it is refused as a hidden sheet is."""
    from support import table_content

    from data_sources.errors import InputRefused
    from data_sources.registrations.importing import import_workbook

    import_workbook(gem, vve([["Centrum", "2-4", "SES", 5]]), "vve-indicaties",
                    "Consultatiebureau Oost", "2024", "eerst.xlsx")
    before = table_content(gem)
    data = with_windows(filled_template("vve-indicaties", [["Centrum", "2-4", "SES", 500]]),
                        *visibilities)
    expected = [
        "De werkmap is verborgen: Excel opent haar zonder venster, zodat u de gegevens niet ziet, "
        "maar Kindkaart zou ze wel tellen. Maak de werkmap zichtbaar (Beeld > Zichtbaar maken), "
        "controleer de gegevens en lever het bestand opnieuw aan."]
    assert validate_workbook(data, "vve-indicaties", gem, "vve.xlsx").message_texts() == expected
    with pytest.raises(InputRefused) as refused:
        import_workbook(gem, data, "vve-indicaties", "Consultatiebureau Oost", "2024", "vve.xlsx")
    assert refused.value.messages == expected
    assert table_content(gem) == before


def test_a_workbook_with_one_visible_window_of_two_passes(gem):
    data = with_windows(vve([["Centrum", "2-4", "SES", 5]]), "hidden", "visible")
    result = validate_workbook(data, "vve-indicaties", gem, "vve.xlsx")
    assert result.ok, result.message_texts()
    assert result.aggregates_df["children_count"].tolist() == [5]


@pytest.mark.parametrize("name", ["Kopie van Gegevens", "Copy of Gegevens", "Gegevens1", "Blad2"])
def test_another_visible_sheet_with_the_header_and_rows_is_refused_as_a_copy(gem, name):
    """A partner who copied the sheet and filled in the copy (Google Sheets names it 'Kopie van
    Gegevens'; or any name) saw new counts, while Kindkaart read the old ones in 'Gegevens'."""
    def copy(workbook):
        sheet = workbook.create_sheet(name)
        for row in [VVE_HEADER, ["Centrum", "2-4", "SES", 50]]:
            sheet.append(row)

    data = vve([["Centrum", "2-4", "SES", 5]], extra=copy)
    assert validate_workbook(data, "vve-indicaties", gem, "vve.xlsx").message_texts() == [
        f"De werkmap heeft naast het blad 'Gegevens' ook '{name}' met gegevens. Kindkaart leest "
        "alleen 'Gegevens'. Zet de juiste gegevens in dat blad, verwijder de kopie en lever het "
        "bestand opnieuw aan."]


@pytest.mark.parametrize("rows", [
    [VVE_HEADER],                                        # the header alone, nothing below it
    [["Bron: eigen registratie"], ["aantal kinderen", 12]],  # one column name, no header
])
def test_another_sheet_without_the_header_and_rows_below_it_passes(gem, rows):
    def other(workbook):
        sheet = workbook.create_sheet("Overzicht")
        for row in rows:
            sheet.append(row)

    data = vve([["Centrum", "2-4", "SES", 5]], extra=other)
    result = validate_workbook(data, "vve-indicaties", gem, "vve.xlsx")
    assert result.ok, result.message_texts()

def test_a_row_or_column_of_size_zero_is_refused_as_hidden(gem):
    """Other programs than Excel hide a row or column by giving it a height or width of 0, without
    the hidden flag (Excel shows it as hidden): a count there would be counted unseen, as in a row
    half a point high or a column three quarters of a character wide (nothing there can be read).
    A small row or column that can be read passes."""
    data = sized(vve([["Centrum", "2-4", "SES", 5], ["Oude Haven", "2-4", "SES", 7]]),
                 heights={3: "0"}, widths={4: "0"})
    assert validate_workbook(data, "vve-indicaties", gem, "vve.xlsx").message_texts() == [
        "Blad 'Gegevens': rij 3 is verborgen (ook een filter of een rijhoogte van 0 verbergt "
        "rijen). Kindkaart telt alle rijen, ook verborgen rijen. Maak ze zichtbaar (Start > "
        "Sorteren en filteren > Wissen, of rechtsklik > Zichtbaar maken), verwijder wat niet "
        "meetelt en lever het bestand opnieuw aan.",
        "Blad 'Gegevens', kolom D (aantal kinderen): deze kolom is verborgen, maar telt mee. Maak "
        "hem zichtbaar (rechtsklik > Zichtbaar maken), controleer hem en lever het bestand "
        "opnieuw aan."]
    tiny = sized(vve([["Centrum", "2-4", "SES", 5], ["Oude Haven", "2-4", "SES", 7]]),
                 heights={3: "0.5"}, widths={4: "0.75"})
    assert validate_workbook(tiny, "vve-indicaties", gem, "vve.xlsx").message_texts() == (
        validate_workbook(data, "vve-indicaties", gem, "vve.xlsx").message_texts())
    small = sized(vve([["Centrum", "2-4", "SES", 5], ["Oude Haven", "2-4", "SES", 7]]),
                  heights={3: "8"}, widths={4: "2"})
    assert validate_workbook(small, "vve-indicaties", gem, "vve.xlsx").ok



def test_rows_and_columns_a_zero_default_size_hides_are_refused_as_hidden(gem):
    """A sheet can hide every row without a height of its own (defaultRowHeight="0" or
    zeroHeight="1") and every column without a width of its own (defaultColWidth="0"): the rows
    and the column holding the counts are then counted unseen."""
    data = sized(vve([["Centrum", "2-4", "SES", 5], ["Oude Haven", "2-4", "SES", 7],
                      ["Bloemhof", "2-4", "SES", 9]]),
                 heights={1: "15", 2: "15"}, widths={1: "20", 2: "12", 3: "12"})
    data = sheet_format(data, 'baseColWidth="8" defaultColWidth="0" defaultRowHeight="0" '
                              'zeroHeight="1"')
    assert validate_workbook(data, "vve-indicaties", gem, "vve.xlsx").message_texts() == [
        "Blad 'Gegevens': rijen 3, 4 zijn verborgen (ook een filter of een rijhoogte van 0 "
        "verbergt rijen). Kindkaart telt alle rijen, ook verborgen rijen. Maak ze zichtbaar "
        "(Start > Sorteren en filteren > Wissen, of rechtsklik > Zichtbaar maken), verwijder wat "
        "niet meetelt en lever het bestand opnieuw aan.",
        "Blad 'Gegevens', kolom D (aantal kinderen): deze kolom is verborgen, maar telt mee. Maak "
        "hem zichtbaar (rechtsklik > Zichtbaar maken), controleer hem en lever het bestand "
        "opnieuw aan."]


def test_a_sheet_that_hides_only_the_rows_and_columns_past_its_table_passes(gem):
    # Excel, after 'hide every row below and column right of the table': zeroHeight="1" and a
    # zero default width, every row and column of the table with a size of its own
    data = sized(vve([["Centrum", "2-4", "SES", 5], ["Oude Haven", "2-4", "SES", 7]]),
                 heights={1: "15", 2: "15", 3: "15"},
                 widths={1: "20", 2: "12", 3: "12", 4: "12"})
    data = sheet_format(data, 'defaultColWidth="0" defaultRowHeight="15" zeroHeight="1"')
    result = validate_workbook(data, "vve-indicaties", gem, "vve.xlsx")
    assert result.ok, result.message_texts()

def test_hidden_empty_rows_and_a_hidden_lists_sheet_are_fine(gem):
    def hidden_empty_row(workbook):
        workbook["Gegevens"].row_dimensions[9].hidden = True

    data = filled_template("vve-indicaties", [["Centrum", "2-4", "SES", 5]])  # Lijsten is hidden
    assert validate_workbook(data, "vve-indicaties", gem, "v.xlsx").ok
    data = vve([["Centrum", "2-4", "SES", 5]], extra=hidden_empty_row)
    assert validate_workbook(data, "vve-indicaties", gem, "v.xlsx").ok


@pytest.mark.parametrize("named, ok", [
    ("Voorbeeldstad", True), ("GM9999", True), ("voorbeeldstad ", True), (None, True),
    ("Zwolle", False), ("GM0193", False),
])
def test_the_gemeente_of_the_organisation_sheet_must_be_the_one_uploaded_for(gem, named, ok):
    data = filled_template("vve-indicaties", [["Centrum", "2-4", "SES", 5]],
                           meta={"gemeente": named} if named else None)
    result = validate_workbook(data, "vve-indicaties", gem, "v.xlsx", gemeente_code="GM9999")
    assert result.ok == ok, result.message_texts()
    if not ok:
        assert result.message_texts() == [
            f"Blad 'Organisatie': het bestand is ingevuld voor gemeente '{named}', maar wordt "
            "aangeleverd voor Voorbeeldstad. Kies de juiste gemeente of pas het blad aan."]


def test_the_toelichting_a_remark_notice_points_to_is_in_the_template(gem):
    # A column 'opmerking' is not read; its notice sends the partner to the field toelichting of
    # the sheet Organisatie, which the template must therefore have, read and kept.
    buffer = io.BytesIO()
    from data_sources.registrations.template import write_template

    write_template("vve-indicaties", buffer, gem, "GM9999")
    workbook = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    data_sheet, info = workbook["Gegevens"], workbook["Organisatie"]
    data_sheet["E1"] = "opmerking"
    data_sheet.append(["Centrum", "2-4", "SES", 12, "voorlopig cijfer"])
    fields = [info.cell(row=r, column=1).value for r in range(2, info.max_row + 1)]
    assert "toelichting" in fields, fields
    info.cell(row=2 + fields.index("toelichting"), column=2, value="cijfers zijn voorlopig")
    out = io.BytesIO()
    workbook.save(out)
    result = validate_workbook(out.getvalue(), "vve-indicaties", gem, "vve.xlsx")
    assert result.ok, result.message_texts()
    assert any("blad Organisatie (veld toelichting)" in str(n) for n in result.notices)
    assert result.meta["toelichting"] == "cijfers zijn voorlopig"


def test_a_file_of_another_registration_type_is_named_as_such(gem):
    # A partner delivering two types uploaded its wachtlijst-zorg workbook with vve-indicaties
    # chosen: the messages told it to rename 'aanbieder' to 'criterium'. The header is that of
    # another template: one message says which, and what to do.
    data = filled_template("wachtlijst-zorg", [["Centrum", None, "behandeling", "2-4", 7, 6.5]])
    result = validate_workbook(data, "vve-indicaties", gem, "wachtlijst.xlsx")
    assert result.message_texts() == [
        "Blad 'Gegevens', rij 1: de kopregel is die van het sjabloon wachtlijst-zorg (Wachtlijst "
        "zorg en ondersteuning), niet van vve-indicaties (Kinderen met een vve-indicatie). Lever "
        "het bestand aan als wachtlijst-zorg, of vul het sjabloon van vve-indicaties in."]
    # a header that only misses a column of its own type keeps the messages per column
    typo = plain_workbook([["wijk", "leeftijdsgroep", "criteria", "aantal kinderen"],
                           ["Centrum", "2-4", "SES", 5]])
    texts = validate_workbook(typo, "vve-indicaties", gem, "vve.xlsx").message_texts()
    assert any("'criteria' is geen kolom van het sjabloon vve-indicaties" in t for t in texts), texts
    assert not any("de kopregel is die van het sjabloon" in t for t in texts), texts
