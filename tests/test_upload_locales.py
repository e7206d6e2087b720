"""Partner workbooks from other locales and other habits: a date that Google Sheets (or Excel)
with English (US) settings read month first, and a row of hints under the header. Real .xlsx
files with the number formats those programs write; through validation, the CLI as a program and
the Aanleveren page; a refused file stores nothing and keeps what was stored before."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "registrations"))
from support import (  # noqa: E402
    built_small_gemeente,
    filled_template,
    plain_workbook,
    rezip,
    stored_content,
)

from data_sources.cli import main  # noqa: E402
from data_sources.registrations import reading  # noqa: E402
from data_sources.registrations.validate import validate_workbook  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
VVE = ["wijk", "leeftijdsgroep", "criterium", "aantal kinderen"]
WACHTLIJST = ["wijk", "aanbieder", "soort hulpvraag", "leeftijdsgroep", "aantal kinderen",
              "datum aanmelding"]

# The number formats a date typed in each program gets, as the .xlsx holds them. Google Sheets
# (English (US), the default of many accounts) shows M/d/yyyy and exports it as a custom format;
# Excel's date format with the language English (VS) and LibreOffice's English (USA) default
# are custom formats too. Excel's own short date (numFmtId 14, no code in the file: 'mm-dd-yy' is
# openpyxl's name for it) shows as the reader's computer does, d-m-yyyy in the Netherlands.
MONTH_FIRST = {"Google Sheets": "m/d/yyyy", "Google Sheets (hoofdletter)": "M/d/yyyy",
               "Excel, Engels (VS)": "[$-409]m/d/yy;@", "LibreOffice, Engels (VS)": "MM/DD/YY"}
EXCEL_SHORT_DATE = "mm-dd-yy"


def two_ways(day_month_typed: str, held: str, other: str) -> str:
    return (f"de datum is op twee manieren te lezen: {held} of {other}. De cel toont datums met "
            "de maand eerst (m/d/jjjj), zoals Google Sheets en Excel met Engelse (VS) "
            f"instellingen: wie daar {day_month_typed} typt, krijgt {held}. Zet de "
            "landinstelling op Nederland (Google Sheets: Bestand > Instellingen > "
            "Landinstelling), typ de datum opnieuw in als dd-mm-jjjj en lever het bestand "
            "opnieuw aan.")


def dated_workbook(rows: list[list], dates: dict[str, tuple[object, str]]) -> bytes:
    """A one-sheet workbook of `rows` whose cells in `dates` hold a value with a number format,
    each format written as the program that made it writes it (custom, or Excel's id 14)."""
    def formats(workbook):
        for address, (value, code) in dates.items():
            workbook.active[address].value = value
            workbook.active[address].number_format = code

    data = plain_workbook(rows, extra=formats)
    styles = zipfile.ZipFile(io.BytesIO(data)).read("xl/styles.xml").decode()
    for _value, code in dates.values():
        if code == EXCEL_SHORT_DATE:
            assert 'numFmtId="14"' in styles and "formatCode=\"mm-dd-yy\"" not in styles
        else:
            assert f'formatCode="{code.replace("&", "&amp;").replace(chr(34), "&quot;")}"' in styles
    return data


def waiting(rows: list[list], dates: dict[str, tuple[object, str]], gem):
    return validate_workbook(dated_workbook([WACHTLIJST, *rows], dates), "wachtlijst-zorg", gem,
                             "wachtlijst.xlsx", period="2024")


ROW = ["Centrum", "Zorg BV", "behandeling", "2-4", None, None]


@pytest.mark.parametrize("fast", [True, False])
@pytest.mark.parametrize("program", list(MONTH_FIRST))
def test_a_date_a_month_first_sheet_made_of_a_dutch_date_is_refused(gem, program, fast, monkeypatch):
    """'1-10-2024' (1 October) typed with English (US) settings became 10 January 2024, shown
    1/10/2024: read as it is, the waiting time was silently 265 days too long."""
    if not fast:
        monkeypatch.setattr(reading, "_plain_workbook", lambda *args, **kwargs: False)
    result = waiting([ROW, ROW], {"F2": (dt.datetime(2024, 1, 10), MONTH_FIRST[program]),
                                  "F3": (dt.datetime(2024, 11, 2), MONTH_FIRST[program])}, gem)
    assert result.message_texts() == [
        "Blad 'Gegevens', rij 2, kolom F (datum aanmelding): "
        + two_ways("1-10-2024", "10 januari 2024", "1 oktober 2024"),
        "Blad 'Gegevens', rij 3, kolom F (datum aanmelding): "
        + two_ways("11-2-2024", "2 november 2024", "11 februari 2024")]
    assert result.aggregates_df.empty


def as_libreoffice_writes_it(data: bytes) -> bytes:
    """The same workbook with its custom number formats written as LibreOffice writes them:
    formatCode before numFmtId (<numFmt formatCode="MM/DD/YY" numFmtId="164"/>)."""
    import re

    styles = zipfile.ZipFile(io.BytesIO(data)).read("xl/styles.xml").decode()
    swapped, count = re.subn(r'<numFmt numFmtId="(\d+)" formatCode="([^"]*)"\s*/>',
                             r'<numFmt formatCode="\2" numFmtId="\1"/>', styles)
    assert count
    return rezip(data, {"xl/styles.xml": swapped.encode()})


@pytest.mark.parametrize("fast", [True, False])
def test_the_formats_of_libreoffice_are_read_whatever_the_order_of_their_attributes(
        gem, fast, monkeypatch):
    """LibreOffice (English (USA)) writes its date format MM/DD/YY with formatCode first: the
    date is refused as from any month-first sheet, and a count in a percentage cell (0.0%)
    is named as before (both were missed: the format was read with numFmtId first only)."""
    if not fast:
        monkeypatch.setattr(reading, "_plain_workbook", lambda *args, **kwargs: False)
    data = as_libreoffice_writes_it(dated_workbook(
        [WACHTLIJST, ROW], {"F2": (dt.datetime(2024, 1, 10), "MM/DD/YY")}))
    result = validate_workbook(data, "wachtlijst-zorg", gem, "lo.xlsx", period="2024")
    assert result.message_texts() == [
        "Blad 'Gegevens', rij 2, kolom F (datum aanmelding): "
        + two_ways("1-10-2024", "10 januari 2024", "1 oktober 2024")]

    data = as_libreoffice_writes_it(dated_workbook(
        [VVE, ["Centrum", "2-4", "SES", None]], {"D2": (0.25, "0.0%")}))
    result = validate_workbook(data, "vve-indicaties", gem, "lo.xlsx", period="2024")
    assert result.message_texts() == [
        "Blad 'Gegevens', rij 2, kolom D (aantal kinderen): de cel is opgemaakt als percentage "
        "(Excel toont 25%); een aantal is geen percentage. Vul het aantal in en geef de cel de "
        "opmaak Standaard of Getal (Start > Getal)."]


@pytest.mark.parametrize("fast", [True, False])
def test_a_date_that_reads_one_way_only_is_read_as_it_is(gem, fast, monkeypatch):
    """In a month-first cell 10/13/2024 (day 13) and 5/5/2024 (day = month) can be read one way
    only; '13-10-2024' typed there stays text (there is no 13th month) and is read day first."""
    if not fast:
        monkeypatch.setattr(reading, "_plain_workbook", lambda *args, **kwargs: False)
    result = waiting([ROW, ROW, ROW], {
        "F2": (dt.datetime(2024, 10, 13), "m/d/yyyy"), "F3": (dt.datetime(2024, 5, 5), "m/d/yyyy"),
        "F4": ("13-10-2024", "m/d/yyyy")}, gem)
    assert result.ok, result.message_texts()
    # to 31-12-2024: 79, 240 and 79 days
    assert result.aggregates_df["waiting_weeks"].round(2).tolist() == [round(398 / 3 / 7, 2)]


@pytest.mark.parametrize("code", [EXCEL_SHORT_DATE, "DD-MM-YYYY", "d-m-yyyy", "yyyy-mm-dd",
                                  "[$-413]d mmmm yyyy", "mmm d, yyyy"])
def test_a_date_in_a_day_first_or_the_computers_own_format_is_read_as_it_is(gem, code):
    """Excel's own short date (id 14) shows as the reader's computer does: a Dutch Excel made it
    of 10-1-2024 typed, and shows 10-1-2024, so it is no sign of a month-first sheet. Nor is the
    template's DD-MM-YYYY, an ISO date or a month by name."""
    result = waiting([ROW], {"F2": (dt.datetime(2024, 1, 10), code)}, gem)
    assert result.ok, result.message_texts()
    assert result.aggregates_df["waiting_weeks"].round(2).tolist() == [round(356 / 7, 2)]


def with_peildatum(value: object, code: str) -> bytes:
    """The real template of wachtlijst-zorg with one row and a peildatum in format `code`."""
    import openpyxl

    data = filled_template("wachtlijst-zorg", [["Centrum", "Zorg BV", "behandeling", "2-4", 2,
                                                None, "13-01-2024"]], meta={"peildatum": value})
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    info = workbook["Organisatie"]
    row = next(r for r in range(1, info.max_row + 1) if info.cell(r, 1).value == "peildatum")
    info.cell(row, 2).number_format = code
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_a_peildatum_a_month_first_sheet_made_is_refused_by_its_cell(gem):
    """'6-12-2024' typed as peildatum became 12 June: every waiting time would be measured to it."""
    data = with_peildatum(dt.datetime(2024, 6, 12), "m/d/yyyy")
    result = validate_workbook(data, "wachtlijst-zorg", gem, "w.xlsx", period="2024")
    assert len(result.messages) == 1
    text = result.message_texts()[0]
    assert text.startswith("Blad 'Organisatie', rij 5, kolom B (peildatum): ")
    assert text.endswith(two_ways("6-12-2024", "12 juni 2024", "6 december 2024"))

    for value, weeks in ((dt.datetime(2024, 12, 31), 353 / 7), (dt.datetime(2024, 12, 12), 334 / 7)):
        for code in ("m/d/yyyy", "DD-MM-YYYY"):
            if (value.day, code) == (12, "m/d/yyyy"):
                continue  # 12/12 is the same both ways, 31/12 one way only
            result = validate_workbook(with_peildatum(value, code), "wachtlijst-zorg", gem,
                                       "w.xlsx", period="2024")
            assert result.ok, (value, code, result.message_texts())
            assert result.aggregates_df["waiting_weeks"].round(2).tolist() == [round(weeks, 2)]


# --- a row of hints under the header --------------------------------------------------------

def hint(row: int) -> str:
    return (f"Blad 'Gegevens', rij {row}: deze rij lijkt een rij met uitleg onder de kopregel "
            "({}), geen gegevens. Haal die rij weg (de kopregel blijft staan) en lever het "
            "bestand opnieuw aan.")


@pytest.mark.parametrize(("hints", "shown"), [
    (["(wijknaam of code)", "kies uit de lijst", "kies uit de lijst", "(aantal)"],
     "'(wijknaam of code)', 'kies uit de lijst', '(aantal)'"),
    (["bijv. Centrum", "Kies uit de lijst", None, "aantal"],
     "'bijv. Centrum', 'Kies uit de lijst', 'aantal'"),
    ([None, None, None, "(aantal)"], "'(aantal)'"),
])
def test_a_row_of_hints_under_the_header_is_refused_in_one_message(gem, hints, shown):
    """Was four messages for one row ('(wijknaam of code)' is geen wijk, '(aantal)' is geen getal
    ...), which sent the partner correcting hints; the data below is still checked."""
    data = plain_workbook([VVE, hints, ["Centrum", "2-4", "SES", 5], ["Bloemhof", "2-4", "SES", -1]])
    result = validate_workbook(data, "vve-indicaties", gem, "vve.xlsx", period="2024")
    assert result.message_texts() == [
        hint(2).format(shown), "Blad 'Gegevens', rij 4, kolom D (aantal kinderen): '-1' is negatief; "
        "een aantal is 0 of meer"]
    assert result.aggregates_df.empty


def test_two_rows_of_hints_with_a_date_pattern_are_each_named(gem):
    data = plain_workbook([WACHTLIJST,
                           ["(wijk)", "(naam)", "kies uit de lijst", None, "(aantal)", "dd-mm-jjjj"],
                           ["wijkcode of postcode", "tekst", None, None, "getal", "jjjj-mm-dd"],
                           ["Centrum", "Zorg BV", "behandeling", "2-4", 3, "13-01-2024"]])
    result = validate_workbook(data, "wachtlijst-zorg", gem, "w.xlsx", period="2024")
    assert result.message_texts() == [
        hint(2).format("'(wijk)', '(naam)', 'kies uit de lijst'"),
        hint(3).format("'wijkcode of postcode', 'tekst', 'getal'")]


@pytest.mark.parametrize("row", [
    ["Centrum", "kies uit de lijst", "kies uit de lijst", "(aantal)"],  # a real wijk
    ["(wijk)", "2-4", "kies uit de lijst", "(aantal)"],                  # a real age group
    ["(wijk)", "kies uit de lijst", "kies uit de lijst", 5],            # a count
    ["Noordeinde", "kies uit de lijst", "kies uit de lijst", "(aantal)"],  # no hint: a place
])
def test_a_row_with_a_value_or_without_the_look_of_hints_is_checked_cell_by_cell(gem, row):
    """Only a row of hints alone is named as one: a row with one value, or one cell that is no
    hint, is a data row and gets its cells' own messages."""
    data = plain_workbook([VVE, row, ["Centrum", "2-4", "SES", 5]])
    result = validate_workbook(data, "vve-indicaties", gem, "vve.xlsx", period="2024")
    assert result.messages and all(m.row == 2 and m.column for m in result.messages)
    assert not any("uitleg" in text for text in result.message_texts())


# --- through the CLI as a program and the Aanleveren page -------------------------------------

@pytest.fixture
def db(tmp_path) -> Path:
    return built_small_gemeente(tmp_path / "k.duckdb")


def kindkaart(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "data_sources", *argv], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def refused_by_the_cli(db: Path, tmp_path: Path, data: bytes, expected: str) -> None:
    """`validate` and `import` of `data` as a program exit 1 with the message `expected` and
    no other, and the upload stored before is all there is after."""
    good = tmp_path / "goed.xlsx"
    good.write_bytes(dated_workbook([WACHTLIJST, ["Centrum", "Zorg BV", "behandeling", "2-4", 2,
                                                  None]],
                                    {"F2": (dt.datetime(2024, 10, 13), "m/d/yyyy")}))
    args = ["--soort", "wachtlijst-zorg", "--periode", "2024", "--db", str(db)]
    assert main(["import", str(good), "--organisatie", "Zorg BV", *args]) == 0
    before = stored_content(db)
    path = tmp_path / "partner.xlsx"
    path.write_bytes(data)
    for done in (kindkaart("validate", str(path), *args),
                 kindkaart("import", str(path), "--organisatie", "Zorg BV", *args)):
        assert done.returncode == 1, done.stdout + done.stderr
        assert "Traceback" not in done.stderr
        shown = [line.strip() for line in done.stdout.splitlines() if line.strip().startswith("Blad")]
        assert shown == [expected], done.stdout
    assert stored_content(db) == before


def refused_on_the_page(app_db: Path, data: bytes, expected: tuple) -> None:
    """Through the real Aanleveren page: the one message `expected` (blad, rij, kolom, kolomnaam,
    melding), no confirm button, nothing stored; then the file as the partner corrects it (the
    date typed as text, no hint row) is saved."""
    from conftest import run_page, upload_registration
    from test_registrations_page import loads_of, messages_of

    before = loads_of(app_db, "wachtlijst-zorg")
    at = run_page("aanleveren")
    at.text_input(key="aanleveren_organisatie").set_value("Zorg BV")
    at.text_input(key="aanleveren_periode").set_value("2024")
    upload_registration(at, "wachtlijst-zorg", "partner.xlsx", data)
    assert not at.exception
    shown = [tuple(m[key] for key in ("blad", "rij", "kolom", "kolomnaam", "melding"))
             for m in messages_of(at)]
    assert shown == [expected]
    assert not any(b.label == "Bevestigen en opslaan" for b in at.button)
    assert loads_of(app_db, "wachtlijst-zorg") == before

    upload_registration(at, "wachtlijst-zorg", "opnieuw.xlsx", plain_workbook(
        [WACHTLIJST, ["Centrum", "Zorg BV", "behandeling", "2-4", 3, "01-10-2024"]]))
    assert not at.exception
    next(b for b in at.button if b.label == "Bevestigen en opslaan").click()
    at.run()
    assert not at.exception
    assert "Opgeslagen als upload" in at.success[0].value
    assert len(loads_of(app_db, "wachtlijst-zorg")) == len(before) + 1


SHEETS_DATE = dict(rows=[WACHTLIJST, ["Centrum", "Zorg BV", "behandeling", "2-4", 3, None]],
                   dates={"F2": (dt.datetime(2024, 1, 10), "m/d/yyyy")})


def test_the_cli_refuses_a_date_read_two_ways_and_keeps_what_was_stored(db, tmp_path):
    refused_by_the_cli(db, tmp_path, dated_workbook(**SHEETS_DATE),
                       "Blad 'Gegevens', rij 2, kolom F (datum aanmelding): "
                       + two_ways("1-10-2024", "10 januari 2024", "1 oktober 2024"))


def test_the_page_refuses_a_date_read_two_ways_and_saves_it_typed_again(app_db):
    refused_on_the_page(app_db, dated_workbook(**SHEETS_DATE), (
        "Gegevens", "2", "F", "datum aanmelding",
        two_ways("1-10-2024", "10 januari 2024", "1 oktober 2024")))


HINT_ROWS = [WACHTLIJST, ["(wijk)", "(naam)", "kies uit de lijst", None, "(aantal)", "dd-mm-jjjj"],
             ["Centrum", "Zorg BV", "behandeling", "2-4", 3, None]]


def test_the_cli_refuses_a_row_of_hints_and_keeps_what_was_stored(db, tmp_path):
    refused_by_the_cli(db, tmp_path, plain_workbook(HINT_ROWS),
                       hint(2).format("'(wijk)', '(naam)', 'kies uit de lijst'"))


def test_the_page_refuses_a_row_of_hints_and_saves_the_file_without_it(app_db):
    refused_on_the_page(app_db, plain_workbook(HINT_ROWS), (
        "Gegevens", "2", "", "",
        hint(2).format("'(wijk)', '(naam)', 'kies uit de lijst'").split(": ", 1)[1]))
