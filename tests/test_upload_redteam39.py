"""Partner workbooks red-teamed in session 39, each a real .xlsx written here: an e-mail address
with its @ written out ('j.jansen(at)school.nl'), a child's first name beside a date on a sheet
Kindkaart does not count ('Sanne | 12-03-2021' under 'kind | geb'), phone numbers and addresses in
other spellings, names in a choice list, an input message, above the header or in a sheet's name.
Each refusal is Dutch, names sheet, row and column where there is one, and stores nothing; ordinary
partner workbooks beside them are still accepted."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest
from openpyxl.comments import Comment
from openpyxl.worksheet.datavalidation import DataValidation

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "registrations"))
from support import (  # noqa: E402
    accepted_total,
    built_small_gemeente,
    changed_template,
    one_refusal,
    stored_content,
    with_sheet,
)

from data_sources.registrations.validate import validate_workbook  # noqa: E402

ROWS = [["Centrum", "2-4", "SES", 5], ["Oude Haven", "0-2", "taal/spraak", 3]]
NOT_STORED = "er is niets opgeslagen"


def workbook(change) -> bytes:
    """The real vve-indicaties template with two valid rows, then `change(workbook)`."""
    return changed_template("vve-indicaties", ROWS, change)


def with_cells(sheet: str, cells: dict):
    def change(book):
        for ref, value in cells.items():
            book[sheet][ref] = value
    return change


def with_field(field: str, value: str):
    def change(book):
        sheet = book["Organisatie"]
        row = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == field)
        sheet.cell(row, 2, value)
    return change


def refused(gem, data: bytes) -> str:
    text = one_refusal(gem, data)
    assert text.startswith("Blad ") or "persoonsgegevens geweigerd" in text, text
    return text


def refused_twice(gem, data: bytes) -> list[str]:
    """Two refusals (a header and a value below another header), as refused() checks one."""
    result = validate_workbook(data, "vve-indicaties", gem, "vve.xlsx")
    assert not result.ok and result.aggregates_df.empty
    texts = result.message_texts()
    assert len(texts) == 2, texts
    assert all(NOT_STORED in text and "Traceback" not in text for text in texts)
    return texts


def accepted(gem, data: bytes) -> None:
    assert accepted_total(gem, data) == 8


# --- an e-mail address with its @ written out -----------------------------------------------------

OBFUSCATED = ["j.jansen(at)school.nl", "j.jansen [at] school.nl", "j.jansen at school dot nl",
              "j.jansen＠school.nl", "J.Jansen (AT) school (dot) nl", "jansen at school punt nl",
              "j.jansen apenstaartje school punt nl", "mailto:j.jansen{at}ziggo.nl"]


@pytest.mark.parametrize("address", OBFUSCATED)
def test_a_spelled_out_email_on_another_sheet_is_refused_naming_sheet_row_and_column(gem, address):
    text = refused(gem, workbook(with_sheet("Blad2", [["Notitie"], [None], [f"Moeder: {address}"]])))
    assert text.startswith("Blad 'Blad2', kolom A: persoonsgegevens geweigerd: 1 cel(len) met "
                           "mogelijk een e-mailadres (rij 3)."), text


@pytest.mark.parametrize("address", OBFUSCATED[:4])
def test_a_spelled_out_email_beside_the_data_is_refused(gem, address):
    text = refused(gem, workbook(with_cells("Gegevens", {"F3": address})))
    assert text.startswith("Blad 'Gegevens', kolom F: persoonsgegevens geweigerd: 1 cel(len) met "
                           "tekst waarin een burgerservicenummer, geboortedatum, leeftijd van een "
                           "kind, e-mailadres"), text
    assert "(rij 3)" in text


@pytest.mark.parametrize("address", OBFUSCATED[:4])
def test_a_spelled_out_email_in_the_stored_note_is_refused(gem, address):
    text = refused(gem, workbook(with_field("toelichting", f"Vragen: {address}")))
    assert text.startswith("Blad 'Organisatie', rij 8, kolom B (toelichting): persoonsgegevens "
                           "geweigerd: het veld 'toelichting' bevat mogelijk een e-mailadres."), text


def test_a_spelled_out_email_in_a_cell_note_is_refused(gem):
    def change(book):
        book["Gegevens"]["D2"].comment = Comment("Mail ouder: s.bakker(at)hotmail.com", "GGD")
    text = refused(gem, workbook(change))
    assert text.startswith("Blad 'Gegevens', rij 2, kolom D: persoonsgegevens geweigerd: de "
                           "notitie of opmerking bij deze cel bevat mogelijk een e-mailadres."), text


# --- a child's first name beside a date on a sheet Kindkaart does not count ----------------------

@pytest.mark.parametrize("header", [["kind", "geb"], ["kind", "geb."], ["Kind", "Dob"], [],
                                    ["leerling", "datum"], ["Kind", "d.d."]], ids=str)
@pytest.mark.parametrize("date", ["12-03-2021", dt.datetime(2021, 3, 12), "2021-03-12",
                                  "12 maart 2021"], ids=str)
@pytest.mark.parametrize("sheet", ["Kinderen", "Blad2"])
def test_a_lone_first_name_with_a_date_on_another_sheet_is_refused(gem, header, date, sheet):
    """One row 'Sanne | 12-03-2021' went through: a date is no personal data on a sheet not
    counted (counting dates stand there), a lone first name only in a column of three, and
    neither 'kind' nor 'geb' announced personal data."""
    rows = ([header] if header else []) + [["Sanne", date]]
    row = 2 if header else 1
    if header and header[1].lower().rstrip(".") in ("geb", "dob"):  # the header says it
        texts = refused_twice(gem, workbook(with_sheet(sheet, rows)))
        assert texts[0].startswith(f"Blad '{sheet}', rij 1, kolom B ({header[1]}): persoonsgegevens "
                                   "geweigerd: de kolomnaam wijst op geboortedatums."), texts
        # and the name in column A under a header that names persons (session 40)
        assert texts[1].startswith(f"Blad '{sheet}', kolom A: persoonsgegevens geweigerd: 1 cel(len) "
                                   f"met mogelijk een voornaam onder de kolomnaam '{header[0]}' (rij "
                                   "2)."), texts
    else:
        text = refused(gem, workbook(with_sheet(sheet, rows)))
        assert text.startswith(
            f"Blad '{sheet}', kolom A: persoonsgegevens geweigerd: 1 cel(len) met mogelijk een "
            f"voornaam met in dezelfde rij een datum (kolom B), zoals een geboortedatum (rij "
            f"{row}). Ook een blad dat Kindkaart niet telt, mag geen persoonsgegevens bevatten."), text


@pytest.mark.parametrize("cell", ["Sanne 12-03-2021", "Sanne, 12-03-2021", "SANNE 2021-03-12"])
def test_a_first_name_and_a_date_in_one_cell_of_another_sheet_are_refused(gem, cell):
    text = refused(gem, workbook(with_sheet("Blad2", [["kind"], [cell]])))
    assert text.startswith("Blad 'Blad2', kolom A: persoonsgegevens geweigerd: 1 cel(len) met "
                           "mogelijk een voornaam met een datum, zoals een geboortedatum (rij 2)."), text


def test_a_serial_number_under_geb_is_refused_by_its_header(gem):
    text = refused_twice(gem, workbook(with_sheet("Blad2", [["kind", "geb"], ["Sanne", 44267]])))[0]
    assert text.startswith("Blad 'Blad2', rij 1, kolom B (geb): persoonsgegevens geweigerd: de "
                           "kolomnaam wijst op geboortedatums."), text


@pytest.mark.parametrize("sheet", ["Toelichting", "Lijsten"])
def test_a_first_name_with_a_date_on_the_templates_own_sheets_is_refused(gem, sheet):
    text = refused(gem, workbook(with_cells(sheet, {"M20": "Daan", "N20": dt.date(2020, 7, 9)})))
    assert text.startswith(f"Blad '{sheet}', kolom M: persoonsgegevens geweigerd: 1 cel(len) met "
                           "mogelijk een voornaam met in dezelfde rij een datum (kolom N)"), text
    assert "(rij 20)" in text


def test_a_first_name_with_a_date_beside_the_organisatie_fields_is_refused(gem):
    text = refused(gem, workbook(with_cells("Organisatie", {"D3": "Sanne", "E3": "12-03-2021"})))
    assert text.startswith("Blad 'Organisatie', kolom D: persoonsgegevens geweigerd: 1 cel(len) "
                           "met mogelijk een voornaam met in dezelfde rij een datum (kolom E), "
                           "zoals een geboortedatum (rij 3). Op dit blad mag een contactpersoon "
                           "staan, maar geen gegevens van een kind."), text


def test_a_sheet_named_after_a_child_and_its_birth_date_is_refused(gem):
    def change(book):
        book.create_sheet("Sanne 12-03-2021")["A1"] = "aantekeningen"
    text = refused(gem, workbook(change))
    assert text.startswith("persoonsgegevens geweigerd: de naam van het 5e blad van de werkmap "
                           "bevat mogelijk een voornaam met een datum, zoals een geboortedatum."), text


# --- above the header and in the header of the data sheet ----------------------------------------

def test_a_title_with_a_childs_name_above_the_header_is_refused(gem):
    """The rows above the header were skipped as no data, and never checked."""
    def change(book):
        book["Gegevens"].insert_rows(1)
        book["Gegevens"]["A1"] = "Kinderlijst Sanne Jansen"
    text = refused(gem, workbook(change))
    assert text.startswith("Blad 'Gegevens', kolom A: persoonsgegevens geweigerd: 1 cel(len) met "
                           "mogelijk de naam van een persoon (rij 1). Ook boven en in de kopregel "
                           "mogen geen persoonsgegevens staan."), text


def test_a_first_name_and_a_date_above_the_header_are_refused(gem):
    def change(book):
        book["Gegevens"].insert_rows(1)
        book["Gegevens"]["A1"], book["Gegevens"]["B1"] = "Sanne", dt.datetime(2021, 3, 12)
    text = refused(gem, workbook(change))
    assert text.startswith("Blad 'Gegevens', kolom A: persoonsgegevens geweigerd: 1 cel(len) met "
                           "mogelijk een voornaam met in dezelfde rij een datum (kolom B)"), text


def test_a_name_as_the_header_of_an_empty_column_is_refused(gem):
    text = refused(gem, workbook(with_cells("Gegevens", {"H1": "Sanne Jansen"})))
    assert text.startswith("Blad 'Gegevens', kolom H: persoonsgegevens geweigerd: 1 cel(len) met "
                           "mogelijk de naam van een persoon (rij 1)."), text


# --- phone numbers and addresses in other spellings ----------------------------------------------

@pytest.mark.parametrize("value", ["06 - 123 456 78", "(06) 12345678", "06.12.34.56.78",
                                   "(020) 123 4567", "+31 (0)6-12345678"])
def test_a_phone_number_in_other_groups_is_refused(gem, value):
    text = refused(gem, workbook(with_sheet("Blad2", [["contact"], [f"tel. {value}"]])))
    assert text.startswith("Blad 'Blad2', kolom A: persoonsgegevens geweigerd: 1 cel(len) met "
                           "mogelijk een telefoonnummer (rij 2)."), text


@pytest.mark.parametrize("value", ["1234AB12", "1234 AB12", "1234AB 12a"])
def test_a_postcode_with_its_house_number_written_together_is_refused(gem, value):
    text = refused(gem, workbook(with_sheet("Blad2", [["x"], [value]])))
    assert text.startswith("Blad 'Blad2', kolom A: persoonsgegevens geweigerd: 1 cel(len) met "
                           "mogelijk een adres (postcode met huisnummer) (rij 2)."), text


# --- a data validation: a list of first names, its input and error message ----------------------

def validation(**settings):
    def change(book):
        check = DataValidation(**settings)
        book["Gegevens"].add_data_validation(check)
        check.add("H2:H20")
    return change


def test_a_choice_list_of_first_names_is_refused(gem):
    text = refused(gem, workbook(validation(type="list", formula1='"Sanne,Daan,Emma,Noah"')))
    assert text.startswith("Blad 'Gegevens': persoonsgegevens geweigerd: de keuzelijst van "
                           "cel(len) H2:H20 (Gegevens > Gegevensvalidatie) bevat mogelijk namen "
                           "(een lijst met voornamen)."), text


@pytest.mark.parametrize("settings", [
    {"prompt": "Vraag Sanne Jansen, 06-12345678", "promptTitle": "Let op"},
    {"error": "Mail j.jansen(at)school.nl", "errorTitle": "Fout"},
    {"promptTitle": "Sanne Jansen", "prompt": "aantal"},
], ids=["prompt", "error", "title"])
def test_an_input_or_error_message_with_personal_data_is_refused(gem, settings):
    text = refused(gem, workbook(validation(type="whole", showInputMessage=True,
                                            showErrorMessage=True, **settings)))
    assert text.startswith("Blad 'Gegevens': persoonsgegevens geweigerd: het invoerbericht of de "
                           "foutmelding van cel(len) H2:H20 (Gegevens > Gegevensvalidatie) bevat "
                           "mogelijk"), text


# --- the command line stores nothing --------------------------------------------------------------

def test_the_command_line_refuses_a_lone_name_with_a_date_and_stores_nothing(tmp_path, capsys):
    from data_sources.cli import main

    db = built_small_gemeente(tmp_path / "kindkaart.duckdb")
    before = stored_content(db)
    path = tmp_path / "vve.xlsx"
    path.write_bytes(workbook(with_sheet("Kinderen", [["kind", "datum"], ["Sanne", "12-03-2021"]])))
    code = main(["import", str(path), "--soort", "vve-indicaties", "--organisatie", "GGD",
                 "--periode", "2024", "--db", str(db)])
    out = capsys.readouterr().out
    assert code == 1 and stored_content(db) == before
    assert "Blad 'Kinderen', kolom A: persoonsgegevens geweigerd" in out
    assert "Sanne" not in out and "Traceback" not in out


# --- ordinary partner workbooks that must still be accepted --------------------------------------

def test_a_sheet_of_wijk_names_and_numbers_is_accepted(gem):
    accepted(gem, workbook(with_sheet("Blad2", [["Gebied", "Inwoners 0-4"], ["Centrum", 412],
                                                ["Oude Haven", 230], ["Bloemhof", 198]])))


def test_a_planning_sheet_with_dates_beside_words_is_accepted(gem):
    accepted(gem, workbook(with_sheet("Planning", [
        ["Stap", "Datum"], ["Aanlevering", dt.datetime(2025, 1, 31)], ["Controle", "15-02-2025"],
        ["Peildatum", "31-12-2024"], ["Centrum", "12-03-2021"]])))


@pytest.mark.parametrize("note", [
    "Counted at the end of the year, see the annual report",
    "Figures available at cbs.nl and at www.waarstaatjegemeente.nl",
    "Look at row 3 at the end",
    "Telling per 31-12-2024 door Roos (GGD)",
])
def test_prose_with_at_or_a_counting_date_is_accepted(gem, note):
    accepted(gem, workbook(with_sheet("Notities", [["Notitie"], [note]])))
    accepted(gem, workbook(with_field("toelichting", note)))


def test_a_sheet_named_after_its_counting_date_is_accepted(gem):
    def change(book):
        book.create_sheet("Telling 31-12-2024")["A1"] = "Stand per wijk"
    accepted(gem, workbook(change))


def test_a_partners_own_choice_list_and_input_message_are_accepted(gem):
    accepted(gem, workbook(validation(type="list", formula1='"Ja,Nee,Onbekend"',
                                      prompt="Kies ja of nee; vragen aan de GGD (zie toelichting)",
                                      promptTitle="Controle", showInputMessage=True)))


def test_numbers_that_are_no_phone_number_are_accepted(gem):
    accepted(gem, workbook(with_sheet("Blad2", [["Kengetal", "Waarde"], ["aandeel", "0.123456789"],
                                                ["LRK", "123456789012"], ["KvK", "12345678"]])))
