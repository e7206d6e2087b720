"""Partner workbooks red-teamed in session 40, each a real .xlsx written here: a child's first name
under a header that names persons ('Leerling | Sanne', 'Cliënt | Daan'), even a single one; a
column of client, pupil or dossier numbers; English headers of a system's export ('Child name',
'First name'); and a first name with an age or a birth year in its row ('Sanne | 3' under
'kind | lft', 'Daan | 2021' without a header). Each refusal is Dutch, names the sheet and the
column (and the rows, never the values) and stores nothing; ordinary workbooks beside them, with
a header 'Kind' over kinds of children or a wijk with a count, are still accepted."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "registrations"))
from support import accepted_total, changed_template, one_refusal, with_sheet  # noqa: E402

ROWS = [["Centrum", "2-4", "SES", 5], ["Oude Haven", "0-2", "taal/spraak", 3]]
THIS_YEAR = dt.date.today().year


def workbook(change) -> bytes:
    """The real vve-indicaties template with two valid rows, then `change(workbook)`."""
    return changed_template("vve-indicaties", ROWS, change)


def beside_the_data(header: str, values: list):
    """A column F on the data sheet, beside the template's columns."""
    def change(book):
        sheet = book["Gegevens"]
        sheet.cell(1, 6, header)
        for i, value in enumerate(values, start=2):
            sheet.cell(i, 6, value)
    return change


def refused(gem, data: bytes) -> str:
    text = one_refusal(gem, data)
    assert "persoonsgegevens geweigerd" in text, text
    return text


def accepted(gem, data: bytes) -> None:
    assert accepted_total(gem, data) == 8


# --- a first name under a header that names persons ----------------------------------------------

@pytest.mark.parametrize("header", ["Leerling", "Cliënt", "Deelnemer", "Kind", "Moeder",
                                    "Ouder/verzorger", "pleegkind", "KIND"])
def test_one_first_name_under_a_header_that_names_persons_is_refused(gem, header):
    # before: a first name alone counted only in a column of three ('a lone Sara beside a table
    # is no list'), so 'Leerling | Sanne' with one more row went through
    text = refused(gem, workbook(with_sheet("Lijst", [["Wijk", header], ["Centrum", "Sanne"],
                                                      ["Oude Haven", "Daan"]])))
    assert text.startswith(f"Blad 'Lijst', kolom B: persoonsgegevens geweigerd: 2 cel(len) met "
                           f"mogelijk een voornaam onder de kolomnaam '{header}' (rijen 2 en 3). "
                           "Ook een blad dat Kindkaart niet telt, mag geen persoonsgegevens "
                           "bevatten."), text
    assert "Sanne" not in text and "Daan" not in text


def test_a_first_name_under_a_person_header_beside_the_data_is_refused(gem):
    text = refused(gem, workbook(beside_the_data("Leerling", ["Sanne"])))
    assert text.startswith("Blad 'Gegevens', kolom F (Leerling): persoonsgegevens geweigerd: 1 "
                           "cel(len) met alleen een voornaam: de kolom lijkt namen van personen te "
                           "bevatten (rij 2)."), text


def test_a_header_kind_over_kinds_of_children_is_no_name(gem):
    accepted(gem, workbook(with_sheet("Toelichting eigen", [
        ["Kind", "Toelichting"], ["peuter", "2 tot 4 jaar"], ["kleuter", "4 tot 6 jaar"]])))


# --- a column of numbers that point at persons ---------------------------------------------------

@pytest.mark.parametrize("header", ["Cliëntnummer", "Clientnr", "leerling nr", "Leerlingnummer",
                                    "Dossiernummer", "Zorgdossier", "Onderwijsnummer", "PGN",
                                    "Kind-ID", "Deelnemer nummer", "Persoonsnummer"])
def test_a_column_of_client_or_dossier_numbers_is_refused(gem, header):
    text = refused(gem, workbook(with_sheet("Lijst", [["Wijk", header], ["Centrum", 100231],
                                                      ["Oude Haven", 100232]])))
    assert text.startswith(f"Blad 'Lijst', rij 1, kolom B ({header}): persoonsgegevens "
                           "geweigerd: de kolomnaam wijst op nummers van personen (cliënt-, "
                           "leerling- of dossiernummers)."), text


def test_a_column_of_client_numbers_beside_the_data_is_refused(gem):
    text = refused(gem, workbook(beside_the_data("Cliëntnummer", [1001, 1002])))
    assert text.startswith("Blad 'Gegevens', kolom F (Cliëntnummer): persoonsgegevens geweigerd: "
                           "de kolomnaam wijst op nummers van personen"), text


@pytest.mark.parametrize("header", ["LRK-nummer", "Registratienummer", "KvK-nummer",
                                    "Locatienummer", "Volgnummer"])
def test_numbers_of_locations_and_organisations_are_no_personal_data(gem, header):
    accepted(gem, workbook(with_sheet("Locaties", [["Locatie", header], ["De Boomhut", 123456789],
                                                   ["Het Anker", 234567891]])))


# --- English headers -------------------------------------------------------------------------------

@pytest.mark.parametrize("header", ["Child name", "First name", "Last name", "Surname",
                                    "Full name", "Address", "Phone"])
def test_english_headers_of_personal_data_are_refused(gem, header):
    text = refused(gem, workbook(with_sheet("Export", [["Wijk", header], ["Centrum", "x"]])))
    assert text.startswith(f"Blad 'Export', rij 1, kolom B ({header}): persoonsgegevens "
                           "geweigerd: de kolomnaam wijst op"), text


# --- a first name with an age or a birth year in its row -----------------------------------------

@pytest.mark.parametrize("rows", [
    [["kind", "lft"], ["Sanne", 3], ["Daan", 2]],
    [["Sanne", 3, "Centrum"], ["Daan", 2.0, "Oude Haven"]],
    [["Sanne", THIS_YEAR - 3], ["Daan", THIS_YEAR - 2]],
    [["", "leeftijd"], ["Sanne", 17]],
], ids=["kind-lft", "no-header", "birth-year", "one-child"])
def test_a_first_name_with_an_age_or_birth_year_in_its_row_is_refused(gem, rows):
    text = refused(gem, workbook(with_sheet("Blad2", rows)))
    assert "persoonsgegevens geweigerd" in text and "Blad 'Blad2', kolom A:" in text, text
    if rows[0][0] != "kind":  # under 'kind' the header says whose name it is
        assert "een voornaam met in dezelfde rij een getal dat een leeftijd of geboortejaar kan " \
               "zijn (kolom B)" in text, text


@pytest.mark.parametrize("rows", [
    [["Centrum", 3], ["Oude Haven", 2], ["Bloemhof", 7]],                # a wijk with a count
    [["Opgesteld door de GGD", THIS_YEAR], ["Versie", 2]],               # no name alone
    [["Sanne", 250]],                                                    # no age, no recent year
    [["Telling", THIS_YEAR - 25], ["Bloemhof", 4]],                      # a wijk of the gemeente
], ids=["wijk-count", "no-name", "large-number", "place"])
def test_a_number_beside_no_first_name_is_no_age(gem, rows):
    accepted(gem, workbook(with_sheet("Eigen toelichting", rows)))


# --- a mobile number stored as a number ----------------------------------------------------------

@pytest.mark.parametrize("number", [612345678, 612345678.0, "612345678", 31612345678])
def test_a_mobile_number_that_excel_stored_as_a_number_is_refused(gem, number):
    # 0612345678 typed into a cell is kept as 612345678: no 0, so no phone number to the text check
    text = refused(gem, workbook(with_sheet("Contact", [["Bereikbaar", number]])))
    assert text.startswith("Blad 'Contact', kolom B: persoonsgegevens geweigerd: 1 cel(len) met "
                           "mogelijk een telefoonnummer (een 06-nummer als getal, zonder de 0) "
                           "(rij 1)."), text


def test_a_mobile_number_as_a_number_beside_the_data_is_refused(gem):
    text = refused(gem, workbook(beside_the_data("Bereikbaar", [612345678])))
    assert text.startswith("Blad 'Gegevens', kolom F (Bereikbaar): persoonsgegevens geweigerd: 1 "
                           "cel(len) met een telefoonnummer (een 06-nummer als getal, zonder de 0) (rij 2)."), text


@pytest.mark.parametrize("number", [123456789012, 12345678, 712345678, 59999999, 1_250_000])
def test_lrk_kvk_and_other_large_numbers_are_no_phone_number(gem, number):
    accepted(gem, workbook(with_sheet("Eigen toelichting", [["Nummer", number]])))


def test_a_first_name_with_an_age_beside_the_organisatie_fields_is_refused(gem):
    def change(book):
        book["Organisatie"]["D3"] = "Sanne"
        book["Organisatie"]["E3"] = 3
    text = refused(gem, workbook(change))
    assert text.startswith("Blad 'Organisatie', kolom D: persoonsgegevens geweigerd: 1 cel(len) "
                           "met mogelijk een voornaam met in dezelfde rij een getal dat een leeftijd "
                           "of geboortejaar kan zijn (kolom E) (rij 3). Op dit blad mag een "
                           "contactpersoon staan, maar geen gegevens van een kind."), text


def test_the_organisatie_fields_with_numbers_and_a_contact_are_accepted(gem):
    def change(book):
        sheet = book["Organisatie"]
        for r in range(1, sheet.max_row + 1):
            if sheet.cell(r, 1).value == "Toelichting":
                sheet.cell(r, 2, "Telling door Sanne, 3 locaties")
    accepted(gem, workbook(change))


# --- a postcode with its house number in the next cell -------------------------------------------

@pytest.mark.parametrize("number", [12, 12.0, "12a", "12-2", "3 bis", "104"])
def test_a_postcode_with_a_house_number_in_the_next_cell_is_refused(gem, number):
    # '1234 AB 12' in one cell was refused; over two cells it went through
    text = refused(gem, workbook(with_sheet("Gezinnen", [["Centrum", "1234 AB", number],
                                                         ["Oude Haven", "2345CD", 7]])))
    assert text.startswith("Blad 'Gezinnen', kolom B: persoonsgegevens geweigerd: 2 cel(len) met "
                           "mogelijk een adres (een postcode met in de cel ernaast een huisnummer) "
                           "(rijen 1 en 2)."), text
    assert "1234" not in text


@pytest.mark.parametrize("rows", [
    [["1234 AB", "Centrum"]],                      # a postcode beside a wijk
    [["1234", 12]],                                # four digits: a postcode area, no address
    [["1234 AB"], [12]],                           # the number is not in the same row
    [["1234 AB", None, 12]],                       # nor in the next cell
], ids=["beside-text", "pc4", "next-row", "gap"])
def test_a_postcode_without_a_house_number_beside_it_is_accepted(gem, rows):
    accepted(gem, workbook(with_sheet("Eigen toelichting", rows)))
