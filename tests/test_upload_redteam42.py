"""Partner workbooks red-teamed in session 42, each a real .xlsx written here: a list of children by
family name only ('Jansen', 'de Vries', 'Bakker' without a header, in register order 'Vries, de',
in capitals), a family name under a header that names persons ('Leerling | Jansen'), a choice
list of family names, and a parent's bank account number (IBAN), alone or in a sentence, or under
a header 'IBAN'. Each refusal is Dutch, names the sheet and the column (and the rows, never the
values) and stores nothing; a lone family name, trades in lowercase and codes that look like an
account number without its check digits are still accepted."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from openpyxl.worksheet.datavalidation import DataValidation

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "registrations"))
from support import accepted_total, changed_template, one_refusal, with_sheet  # noqa: E402

ROWS = [["Centrum", "2-4", "SES", 5], ["Oude Haven", "0-2", "taal/spraak", 3]]
SURNAMES = ["de Vries", "Jansen", "Bakker", "van den Berg", "Yılmaz"]


def workbook(change) -> bytes:
    """The real vve-indicaties template with two valid rows, then `change(workbook)`."""
    return changed_template("vve-indicaties", ROWS, change)


def refused(gem, data: bytes) -> str:
    text = one_refusal(gem, data)
    assert "persoonsgegevens geweigerd" in text, text
    for name in SURNAMES + ["NL91", "ABNA"]:
        assert name not in text, text  # the rows, never the values
    return text


def accepted(gem, data: bytes) -> None:
    assert accepted_total(gem, data) == 8


# --- family names alone --------------------------------------------------------------------------

def test_a_column_of_family_names_without_a_header_is_refused(gem):
    # before: only first names made a list of persons; 'de Vries | Centrum' went through
    rows = [[name, wijk] for name, wijk in zip(SURNAMES, ["Centrum", "Oude Haven"] * 3, strict=False)]
    text = refused(gem, workbook(with_sheet("Lijst", rows)))
    assert text.startswith("Blad 'Lijst', kolom A: persoonsgegevens geweigerd: 5 cel(len) met "
                           "mogelijk een achternaam, in een kolom die een lijst met namen lijkt "
                           "(rijen 1, 2, 3, 4 en 5). Ook een blad dat Kindkaart niet telt, mag "
                           "geen persoonsgegevens bevatten."), text


@pytest.mark.parametrize("names", [["Vries, de", "Jansen", "Berg, van den"],
                                   ["DE VRIES", "JANSEN", "BAKKER"],
                                   ["Jansen", "Visser", "Smit", "Centrum-Oost", "Mulder"]],
                         ids=["register-order", "capitals", "among-other-words"])
def test_family_names_as_registers_write_them_are_refused(gem, names):
    text = refused(gem, workbook(with_sheet("Lijst", [["Wijk", "x"]] + [["Centrum", n] for n in names])))
    assert text.startswith("Blad 'Lijst', kolom B: persoonsgegevens geweigerd: "), text
    assert "achternaam" in text, text


def test_a_column_of_family_names_beside_the_data_is_refused(gem):
    def change(book):
        sheet = book["Gegevens"]
        for i, name in enumerate(["Jansen", "de Vries", "Bakker"], start=2):
            sheet.cell(i, 6, name)
    text = refused(gem, workbook(change))
    assert text.startswith("Blad 'Gegevens', kolom F: persoonsgegevens geweigerd: 3 cel(len) met "
                           "alleen een achternaam: de kolom lijkt namen van personen te bevatten "
                           "(rijen 2, 3 en 4)."), text


def test_one_family_name_under_a_header_that_names_persons_is_refused(gem):
    text = refused(gem, workbook(with_sheet("Lijst", [["Wijk", "Leerling"], ["Centrum", "Jansen"],
                                                      ["Oude Haven", "3 leerlingen"]])))
    assert text.startswith("Blad 'Lijst', kolom B: persoonsgegevens geweigerd: 1 cel(len) met "
                           "mogelijk een voor- of achternaam onder de kolomnaam 'Leerling' (rij 2)."), text


def test_a_choice_list_of_family_names_is_refused(gem):
    def change(book):
        check = DataValidation(type="list", formula1='"Jansen,de Vries,Bakker,Visser"')
        book["Gegevens"].add_data_validation(check)
        check.add("H2:H20")
    text = refused(gem, workbook(change))
    assert text.startswith("Blad 'Gegevens': persoonsgegevens geweigerd: de keuzelijst van "
                           "cel(len) H2:H20 (Gegevens > Gegevensvalidatie) bevat mogelijk namen "
                           "(een lijst met achternamen)."), text


@pytest.mark.parametrize("rows", [
    [["Opgesteld door", "Jansen"], ["Organisatie", "Kinderopvang Zonnestraal"]],  # one name: no list
    [["Beroep", "aantal"], ["bakker", 2], ["visser", 1], ["smit", 1], ["mulder", 3]],  # trades
    [["Wijk", "Toelichting"], ["Centrum", "Bakker"], ["Oude Haven", "Peuters en kleuters"],
     ["Centrum", "Alleen de ochtendgroep"], ["Oude Haven", "Geteld op de peildatum"]],
], ids=["one-name", "trades-in-lowercase", "one-name-among-sentences"])
def test_a_lone_family_name_or_trades_are_accepted(gem, rows):
    accepted(gem, workbook(with_sheet("Toelichting eigen", rows)))


# --- bank account numbers ------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["NL91ABNA0417164300", "NL91 ABNA 0417 1643 00",
                                   "rekening moeder NL91ABNA0417164300",
                                   "BE68 5390 0754 7034"],
                         ids=["compact", "groups", "in-a-sentence", "belgian"])
def test_a_bank_account_number_is_refused_as_one(gem, value):
    # before: the account's digits were taken for a phone number, or (Belgian) let through
    text = refused(gem, workbook(with_sheet("Blad2", [["x"], [value]])))
    assert text.startswith("Blad 'Blad2', kolom A: persoonsgegevens geweigerd: 1 cel(len) met "
                           "mogelijk een rekeningnummer (IBAN) (rij 2)."), text


@pytest.mark.parametrize("header", ["IBAN", "Rekeningnummer", "Bankrekeningnummer"])
def test_a_header_that_names_bank_accounts_is_refused(gem, header):
    text = refused(gem, workbook(with_sheet("Ouders", [["Wijk", header], ["Centrum", "(leeg)"]])))
    assert text.startswith(f"Blad 'Ouders', rij 1, kolom B ({header}): persoonsgegevens "
                           "geweigerd: de kolomnaam wijst op rekeningnummers."), text


def test_codes_shaped_like_an_account_without_its_check_digits_are_accepted(gem):
    # the check digits tell an account from a code of the same shape (modulo 97 is not 1 here)
    from data_sources.registrations import values

    assert not values.is_iban("NL00ABCD0123456789")
    assert values.is_iban("NL91ABNA0417164300")
    accepted(gem, workbook(with_sheet("Codes", [["Code", "Omschrijving"],
                                                ["AB12CDEFGHIJKLMNOP", "projectcode"],
                                                ["WK019301", "wijkcode"]])))


# --- digits that are no digits for int() ---------------------------------------------------------

@pytest.mark.parametrize("value", ["98765432²", "61234567²", "4²"])
def test_a_superscript_digit_is_no_number_and_no_crash(gem, value):
    # before: str.isdigit() took '²' for a digit and int() then failed: the check of the whole
    # file stopped with a Python error instead of a message
    from data_sources.registrations import values

    assert not values.looks_like_bsn(value) and not values.looks_like_mobile_number(value)
    accepted(gem, workbook(with_sheet("Toelichting eigen", [["Oppervlakte", value]])))


def test_a_bsn_whose_last_digit_is_a_superscript_is_refused_as_a_reader_sees_it(gem):
    # '12345678²' reads as 123456782, which passes the elfproef
    text = refused(gem, workbook(with_sheet("Toelichting eigen", [["Nummer", "12345678²"]])))
    assert text.startswith("Blad 'Toelichting eigen', kolom B: persoonsgegevens geweigerd: 1 "
                           "cel(len) met mogelijk een burgerservicenummer (rij 1)."), text
