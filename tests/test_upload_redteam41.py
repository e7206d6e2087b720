"""Partner workbooks red-teamed in session 41, each a real .xlsx written here: a column of birth
dates on a sheet Kindkaart does not count, without a header or a name beside it; children's first
names in lowercase under a header that names persons ('kind | sanne'); and a list of children
that starts past the first 30 rows of such a sheet. Each refusal is Dutch, names the sheet, the
column and the rows (never the values) and stores nothing; ordinary workbooks beside them (a
series of counting dates, a peildatum, a few dates, old or future dates, a word that is also a
name) are still accepted."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "registrations"))
from support import with_sheet  # noqa: E402
from test_upload_redteam40 import accepted, beside_the_data, refused, workbook  # noqa: E402

THIS_YEAR = dt.date.today().year
# nine children born on scattered days of the last ten years (always in the past, never older
# than 13, whatever the day the test runs)
BIRTH_DATES = [dt.date(THIS_YEAR - years, month, day) for years, month, day in [
    (1, 3, 12), (2, 7, 23), (3, 11, 5), (4, 2, 17), (5, 9, 28), (6, 5, 9), (7, 12, 14),
    (8, 4, 26), (10, 10, 3)]]


# --- a column of birth dates without a name beside it ---------------------------------------------

@pytest.mark.parametrize("header", [None, "datum", "Datum"])
def test_a_column_of_birth_dates_without_a_name_is_refused(gem, header):
    # before: a date alone on a sheet not counted was taken for a counting date, so a column of
    # nine children's birth dates went through when no name stood beside them
    rows = ([[header]] if header else []) + [[day] for day in BIRTH_DATES]
    text = refused(gem, workbook(with_sheet("Blad2", rows)))
    first = 2 if header else 1
    shown = ", ".join(str(r) for r in range(first, first + 8)) + f" en {first + 8}"
    assert text.startswith(
        f"Blad 'Blad2', kolom A: persoonsgegevens geweigerd: 9 cel(len) met mogelijk een "
        f"geboortedatum, in een kolom met datums op verschillende dagen van de laatste 13 jaar "
        f"(rijen {shown}). Ook een blad dat Kindkaart niet telt, mag geen persoonsgegevens "
        "bevatten."), text
    assert str(BIRTH_DATES[0].year) not in text


def test_a_column_of_birth_dates_typed_as_text_is_refused(gem):
    rows = [["Overzicht"], ["datum", "aantal"]] + [[f"{d:%d-%m-%Y}", 1] for d in BIRTH_DATES]
    text = refused(gem, workbook(with_sheet("Eigen", rows)))
    assert text.startswith("Blad 'Eigen', kolom A: persoonsgegevens geweigerd: 9 cel(len) met "
                           "mogelijk een geboortedatum"), text


def _monthly(day: int) -> list[dt.date]:
    return [dt.date(THIS_YEAR - 1, month, day) for month in range(1, 13)]


@pytest.mark.parametrize("dates", [
    _monthly(1),                                                          # first of the month
    [dt.date(THIS_YEAR - 1, m + 1, 1) - dt.timedelta(days=1) for m in range(1, 12)],  # month ends
    _monthly(15),                                                         # a monthly counting day
    [dt.date(THIS_YEAR - 2, 1, 6) + dt.timedelta(weeks=w) for w in range(20)],  # every week
    [dt.date(THIS_YEAR - 2, 3, 2) + dt.timedelta(days=d) for d in range(40) if d % 7 < 5],  # workdays
    [dt.date(THIS_YEAR - 1, m, d) for m, d in [(1, 15), (2, 12), (3, 18), (4, 9), (5, 27),
                                               (6, 10), (9, 16), (10, 21), (11, 11)]],  # one year
    BIRTH_DATES[:7],                                                      # a few dates
    [d.replace(year=d.year - 14) for d in BIRTH_DATES],                   # older than 13 years
    [d.replace(year=d.year + 12) for d in BIRTH_DATES],                   # in the future
    BIRTH_DATES[:6] + [BIRTH_DATES[0]] * 4,                               # repeated: 6 distinct
], ids=["month-firsts", "month-ends", "monthly-15th", "weekly", "workdays", "meetings-of-a-year",
        "seven", "old", "future", "repeated"])
def test_ordinary_columns_of_dates_are_accepted(gem, dates):
    accepted(gem, workbook(with_sheet("Planning", [["datum", "activiteit"]]
                                      + [[day, "overleg"] for day in dates])))


def test_one_peildatum_is_accepted(gem):
    accepted(gem, workbook(with_sheet("Toelichting eigen", [
        ["Peildatum", dt.date(THIS_YEAR - 1, 3, 12)], ["Bron", "eigen registratie"]])))


# --- first names in lowercase under a header that names persons -----------------------------------

@pytest.mark.parametrize("header", ["kind", "Leerling", "Cliënt"])
def test_first_names_in_lowercase_under_a_person_header_are_refused(gem, header):
    # before: only a capitalised first name counted ('Sanne'), so 'sanne', 'daan', 'emma' passed
    text = refused(gem, workbook(with_sheet("Lijst", [
        ["Wijk", header], ["Centrum", "sanne"], ["Oude Haven", "daan"], ["Bloemhof", "emma"]])))
    assert text.startswith(f"Blad 'Lijst', kolom B: persoonsgegevens geweigerd: 3 cel(len) met "
                           f"mogelijk een voornaam onder de kolomnaam '{header}' (rijen 2, 3 en "
                           "4). Ook een blad dat Kindkaart niet telt"), text
    assert "sanne" not in text and "daan" not in text


def test_first_names_in_lowercase_under_a_person_header_beside_the_data_are_refused(gem):
    text = refused(gem, workbook(beside_the_data("leerling", ["sanne", "daan", "emma"])))
    assert text.startswith("Blad 'Gegevens', kolom F (leerling): persoonsgegevens geweigerd: 3 "
                           "cel(len) met alleen een voornaam: de kolom lijkt namen van personen te "
                           "bevatten (rijen 2, 3 en 4)."), text


@pytest.mark.parametrize("values", [
    ["roos", "mark"],                          # two words that are also names: too few
    ["roos", "roos", "roos", "roos"],          # one word, repeated
    ["peuter", "kleuter", "roos", "mark", "bas", "baby", "schoolkind"],  # names are not most cells
], ids=["two", "one-repeated", "among-words"])
def test_lowercase_words_that_are_also_names_are_accepted(gem, values):
    accepted(gem, workbook(with_sheet("Lijst", [["kind", "toelichting"]]
                                      + [[value, "zie sjabloon"] for value in values])))


# --- past the first 30 rows of a sheet not counted ------------------------------------------------

def test_a_list_of_children_from_row_40_is_refused(gem):
    # before: only the first 30 rows of a sheet not counted were searched
    rows = [["Eigen overzicht"]] + [[None]] * 38 + [
        ["Sanne", BIRTH_DATES[0]], ["Daan", BIRTH_DATES[1]], ["Emma", BIRTH_DATES[2]]]
    text = refused(gem, workbook(with_sheet("Blad2", rows)))
    assert text.startswith("Blad 'Blad2', kolom A: persoonsgegevens geweigerd: 3 cel(len) met "
                           "mogelijk een voornaam met in dezelfde rij een datum (kolom B), zoals "
                           "een geboortedatum (rijen 40, 41 en 42)."), text


def test_a_bsn_at_row_500_is_refused(gem):
    rows = [["Eigen overzicht"]] + [[None]] * 498 + [["111222333"]]
    text = refused(gem, workbook(with_sheet("Blad2", rows)))
    assert text.startswith("Blad 'Blad2', kolom A: persoonsgegevens geweigerd: 1 cel(len) met "
                           "mogelijk een burgerservicenummer (rij 500)."), text


def test_a_list_of_children_from_row_40_in_a_workbook_of_many_sheets_is_refused(gem):
    # more than six sheets: the survey streams each sheet instead of reading it whole
    def change(book):
        for i in range(4):
            book.create_sheet(f"Extra {i}").append(["leeg"])
        sheet = book.create_sheet("Blad2")
        sheet.cell(1, 1, "Eigen overzicht")
        for r, (name, day) in enumerate(zip(["Sanne", "Daan", "Emma"], BIRTH_DATES[:3], strict=True), start=40):
            sheet.cell(r, 1, name)
            sheet.cell(r, 2, day)
    text = refused(gem, workbook(change))
    assert text.startswith("Blad 'Blad2', kolom A: persoonsgegevens geweigerd: 3 cel(len) met "
                           "mogelijk een voornaam met in dezelfde rij een datum (kolom B)"), text


def test_the_streaming_survey_reads_on_past_the_head_of_sheets_not_counted_only(monkeypatch):
    from data_sources.registrations import reading

    def change(book):
        for name in ("Gegevens", "Blad2", "Blad3"):
            sheet = book[name] if name in book.sheetnames else book.create_sheet(name)
            for r in (35, 60):
                sheet.cell(r, 1, f"rij {r}")

    data = workbook(change)
    monkeypatch.setattr(reading, "SURVEY_WHOLE_SHEETS", 0)
    entries = {e.name: e for e in reading.survey_workbook(
        data, "v.xlsx", 30, 50, lambda name: name != "Gegevens")}
    assert entries["Gegevens"].tail == []
    assert [r for r, _row in entries["Blad2"].tail] == [35]  # up to row 50
    assert [r for r, _row in entries["Blad2"].whole_rows()][-2:] == [30, 35]
    monkeypatch.setattr(reading, "MAX_ROWS", 5)  # all sheets together read 5 rows past the heads
    entries = {e.name: e for e in reading.survey_workbook(
        data, "v.xlsx", 30, 50, lambda name: name != "Gegevens")}
    assert [r for r, _row in entries["Blad2"].tail] == [35]
    assert entries["Blad3"].tail == []


def _children_after_filled_cells(filled_rows: int):
    """Blad1: `filled_rows` rows of four numbers past row 30; Blad2: a list of children at row 40."""
    def change(book):
        numbers = book.create_sheet("Blad1")
        for r in range(31, 31 + filled_rows):
            for c in range(1, 5):
                numbers.cell(r, c, r * c)
        sheet = book.create_sheet("Blad2")
        sheet.cell(1, 1, "Eigen overzicht")
        for r, (name, day) in enumerate(zip(["Sanne", "Daan", "Emma"], BIRTH_DATES[:3], strict=True), start=40):
            sheet.cell(r, 1, name)
            sheet.cell(r, 2, day)
    return change


def test_the_search_of_sheets_not_counted_reads_a_budget_of_cells_past_their_first_rows(gem, monkeypatch):
    # Read to their last rows, two extra sheets of 20,000 rows of text took 8 s to check (every
    # rule costs some 25 µs a text cell): all sheets not counted together are read as far as
    # _SEARCHED_CELLS filled cells past their first 30 rows, in the workbook's order.
    from data_sources.registrations import validate

    monkeypatch.setattr(validate, "_SEARCHED_CELLS", 400)
    within = refused(gem, workbook(_children_after_filled_cells(90)))  # 360 cells, then the list
    assert within.startswith("Blad 'Blad2', kolom A: persoonsgegevens geweigerd: 3 cel(len)"), within
    accepted(gem, workbook(_children_after_filled_cells(100)))  # 400 cells: the list lies past them


def test_the_budget_sets_the_last_row_read_of_each_sheet_not_counted():
    from data_sources.registrations import validate
    from data_sources.registrations.reading import SheetEntry

    def entry(name, rows):
        return SheetEntry(name, "visible", f"xl/worksheets/{name}.xml", [tuple(row) for row in rows])

    head = [["kop"]] * validate.HEADER_SEARCH_ROWS
    chosen = entry("Gegevens", head + [[1, 2, 3]] * 50_000)
    first = entry("Blad1", head + [[1, None, 2, 3]] * 6_000)  # 18,000 filled cells past the head
    second = entry("Blad2", head + [["a", "b"]] * 2_000)  # 1,000 rows fit, then the budget is spent
    third = entry("Blad3", head + [["c"]])
    limited = validate._within_budget([chosen, first, second, third], chosen)
    assert [e.last_row for e in limited] == [None, None, validate.HEADER_SEARCH_ROWS + 1_000,
                                             validate.HEADER_SEARCH_ROWS]
    assert limited[0] is chosen  # the sheet counted is checked with its values, whole
    assert [r for r, _row in limited[2].whole_rows()][-1] == validate.HEADER_SEARCH_ROWS + 1_000
    assert [r for r, _row in limited[3].whole_rows()][-1] == validate.HEADER_SEARCH_ROWS
