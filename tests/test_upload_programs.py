"""Partner workbooks as other programs and formulas leave them: counts a formula computed with
rounding noise, Excel's error values, TRUE/FALSE, columns without a name (pandas' index), Apple
Numbers' summary sheet. Each is a real .xlsx (cells edited in the XML as those programs write
them); each count is what the partner sees, each refusal Dutch with sheet, row and column, and a
refused file stores nothing."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import sys
import zipfile
from pathlib import Path

import duckdb
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "registrations"))
from support import plain_workbook, rezip  # noqa: E402

from data_sources import store  # noqa: E402
from data_sources.registrations.importing import import_workbook  # noqa: E402
from data_sources.registrations.validate import validate_workbook  # noqa: E402

VVE_HEADER = ["wijk", "leeftijdsgroep", "criterium", "aantal kinderen"]
JEUGDHULP_HEADER = ["wijk", "aanbieder", "soort jeugdhulp", "leeftijdsgroep", "aantal kinderen"]
SHEET = "xl/worksheets/sheet1.xml"



def with_cell(rows: list[list], address: str, cell_xml: str) -> bytes:
    """A one-sheet workbook of `rows` whose cell `address` is written as `cell_xml` (its
    attributes and content, as Excel or LibreOffice saves them)."""
    def placeholder(workbook):
        workbook.active[address] = "PLACEHOLDER"

    data = plain_workbook(rows, extra=placeholder)
    xml = zipfile.ZipFile(io.BytesIO(data)).read(SHEET).decode()
    cell = f'<c r="{address}" t="inlineStr"><is><t>PLACEHOLDER</t></is></c>'
    assert cell in xml
    return rezip(data, {SHEET: xml.replace(cell, f'<c r="{address}"{cell_xml}</c>').encode()})


def counts(result) -> dict[str, int]:
    """Children per wijk."""
    frame = result.aggregates_df.groupby("wijk_code")["children_count"].sum()
    return {wijk: int(n) for wijk, n in frame.items()}


@pytest.mark.parametrize(("cell", "expected"), [
    ("><f>0.1*50</f><v>5.0000000000000009</v>", 5),      # =0,1*50 as Excel saves it
    ("><f>SUM(E2:F2)</f><v>4.9999999999999991</v>", 5),  # a sum of fractions
    (' t="n"><v>12.000000000000002</v>', 12),            # a value pasted from such a formula
])
def test_a_count_with_rounding_noise_counts_as_excel_shows_it(gem, cell, expected):
    """Excel shows 15 significant digits: 5.000000000000001 shows, and is meant, as 5."""
    data = with_cell([VVE_HEADER, ["Centrum", "2-4", "SES", None], ["Bloemhof", "0-2", "SES", 3]],
                     "D2", cell)
    result = validate_workbook(data, "vve-indicaties", gem, "vve.xlsx")
    assert result.ok, result.message_texts()
    assert counts(result) == {"WK999901": expected, "WK999909": 3}


def test_a_real_fraction_is_still_refused(gem):
    data = with_cell([VVE_HEADER, ["Centrum", "2-4", "SES", None]], "D2", "><v>5.0001</v>")
    result = validate_workbook(data, "vve-indicaties", gem, "vve.xlsx")
    assert result.message_texts() == [
        "Blad 'Gegevens', rij 2, kolom D (aantal kinderen): '5.0001' is geen heel getal; een "
        "aantal kan geen breuk zijn"]


@pytest.mark.parametrize(("code", "shown"), [
    ("#DIV/0!", "#DEEL/0!"), ("#N/A", "#N/B"), ("#VALUE!", "#WAARDE!"), ("#REF!", "#VERW!")])
def test_an_error_value_is_named_as_dutch_excel_shows_it(gem, code, shown):
    data = with_cell([VVE_HEADER, ["Centrum", "2-4", "SES", None]], "D2",
                     f' t="e"><f>C2/0</f><v>{code}</v>')
    result = validate_workbook(data, "vve-indicaties", gem, "vve.xlsx")
    assert result.message_texts() == [
        f"Blad 'Gegevens', rij 2, kolom D (aantal kinderen): de cel toont een foutwaarde van "
        f"Excel ({shown}): de formule kan niet worden berekend. Verbeter de formule of vul de "
        "waarde zelf in."]


def test_an_error_value_in_a_text_column_is_refused_not_stored(gem):
    """A failed VERT.ZOEKEN in 'aanbieder' was stored as the provider '#N/A'."""
    from conftest import refusal

    data = with_cell([JEUGDHULP_HEADER, ["Centrum", None, "ambulant", "4-12", 3]], "B2",
                     ' t="e"><f>VLOOKUP(A2,Lijst!A:B,2,0)</f><v>#N/A</v>')
    text = refusal(gem, lambda: import_workbook(gem, data, "jeugdhulp", "Jeugdteam", "2024",
                                                "jeugdhulp.xlsx"))
    assert "rij 2, kolom B (aanbieder): de cel toont een foutwaarde van Excel (#N/B)" in text
    assert not gem.execute("select count(*) from loads where dataset = 'jeugdhulp'").fetchone()[0]


def test_true_in_a_count_is_named_as_excel_shows_it(gem):
    data = with_cell([VVE_HEADER, ["Centrum", "2-4", "SES", None]], "D2", ' t="b"><v>1</v>')
    result = validate_workbook(data, "vve-indicaties", gem, "vve.xlsx")
    assert result.message_texts() == [
        "Blad 'Gegevens', rij 2, kolom D (aantal kinderen): 'WAAR' is een ja/nee-waarde, geen getal"]


def test_numbers_in_a_column_without_a_name_are_refused_naming_the_column(gem):
    """Counts typed beside the table without a header were dropped unseen."""
    data = plain_workbook([VVE_HEADER, ["Centrum", "2-4", "SES", 5, 7],
                           ["Bloemhof", "0-2", "SES", 3, None], ["Haven", "0-2", "SES", 1, "2"]])
    result = validate_workbook(data, "vve-indicaties", gem, "vve.xlsx")
    assert not result.ok
    assert [(m.sheet, m.row, m.column) for m in result.messages] == [("Gegevens", 1, 5)]
    assert str(result.messages[0]).startswith(
        "Blad 'Gegevens', rij 1, kolom E: deze kolom heeft geen kolomnaam in de kopregel, maar wel "
        "waarden (rijen 2, 4).")


def test_pandas_to_excel_with_its_index_is_read_with_a_notice(gem):
    """DataFrame.to_excel writes the index (0, 1, 2, ...) in a column without a name."""
    frame = pd.DataFrame([["Centrum", "2-4", "SES", 5], ["Bloemhof", "0-2", "SES", 3],
                          ["Centrum", "0-2", "SES", 2]], columns=VVE_HEADER)
    out = io.BytesIO()
    frame.to_excel(out, sheet_name="Gegevens")
    result = validate_workbook(out.getvalue(), "vve-indicaties", gem, "vve.xlsx")
    assert result.ok, result.message_texts()
    assert counts(result) == {"WK999901": 7, "WK999909": 3}
    assert [str(n) for n in result.notices] == [
        "Blad 'Gegevens', rij 1, kolom A: deze kolom heeft geen kolomnaam en bevat alleen "
        "volgnummers (0 tot en met 2); Kindkaart leest haar niet."]


def test_text_in_a_column_without_a_name_is_named_in_a_notice(gem):
    data = plain_workbook([VVE_HEADER, ["Centrum", "2-4", "SES", 5, "nagekomen"],
                           ["Bloemhof", "0-2", "SES", 3, None]])
    result = validate_workbook(data, "vve-indicaties", gem, "vve.xlsx")
    assert result.ok, result.message_texts()
    assert [(n.row, n.column) for n in result.notices] == [(1, 5)]
    assert "leest en bewaart haar tekst niet (rij 2)" in result.notices[0].text


def numbers_export(workbook):
    """Apple Numbers (Exporteer naar Excel) puts an 'Exportoverzicht' sheet first and names the
    table's sheet 'Blad 1 - Tabel 1', with the table's name above it."""
    workbook.active.title = "Blad 1 - Tabel 1"
    summary = workbook.create_sheet("Exportoverzicht", 0)
    for row in (["Exportoverzicht"], [], ["Tabelnaam", "Bladnaam", "Tabelnaam"],
                ["Blad 1", "Blad 1", "Tabel 1"]):
        summary.append(row)


def test_an_apple_numbers_export_is_read_from_its_one_table(gem):
    data = plain_workbook([["Tabel 1"], VVE_HEADER, ["Centrum", "2-4", "SES", 5]],
                          extra=numbers_export)
    result = validate_workbook(data, "vve-indicaties", gem, "vve.xlsx")
    assert result.ok, result.message_texts()
    assert counts(result) == {"WK999901": 5}
    assert str(result.notices[0]) == (
        "Kindkaart leest het blad 'Blad 1 - Tabel 1' (het enige met de kopregel van "
        "vve-indicaties); 'Exportoverzicht' wordt niet gelezen en telt dus niet mee.")


def test_the_sheet_not_read_is_still_checked_for_personal_data(gem):
    def with_list(workbook):
        numbers_export(workbook)
        workbook["Exportoverzicht"].append(["geboortedatum", "Tabel 2"])

    data = plain_workbook([VVE_HEADER, ["Centrum", "2-4", "SES", 5]], extra=with_list)
    result = validate_workbook(data, "vve-indicaties", gem, "vve.xlsx")
    assert not result.ok
    assert [(m.sheet, m.row, m.column) for m in result.messages] == [("Exportoverzicht", 5, 1)]


def test_two_sheets_with_the_header_are_still_refused(gem):
    def second(workbook):
        other = workbook.create_sheet("2023")
        other.append(VVE_HEADER)
        other.append(["Centrum", "2-4", "SES", 4])

    data = plain_workbook([VVE_HEADER, ["Centrum", "2-4", "SES", 5]], sheet_name="2024",
                          extra=second)
    result = validate_workbook(data, "vve-indicaties", gem, "vve.xlsx")
    assert result.message_texts() == [
        "De werkmap heeft meer bladen met gegevens ('2024', '2023') en geen blad 'Gegevens'. "
        "Zet de gegevens in één blad met de naam 'Gegevens'."]


def test_the_page_reads_a_numbers_export_and_saves_it(app_db):
    """Through the real Aanleveren page: the notice names the sheet not read, and the file is
    saved on the click."""
    from conftest import run_page, upload_registration
    from test_registrations_page import loads_of

    before = loads_of(app_db, "vve-indicaties")
    data = plain_workbook([["Tabel 1"], VVE_HEADER, ["Centrum", "2-4", "SES", 5]],
                          extra=numbers_export)
    at = run_page("aanleveren")
    at.text_input(key="aanleveren_organisatie").set_value(before[0][1])
    at.text_input(key="aanleveren_periode").set_value("2024")
    upload_registration(at, "vve-indicaties", "vve.xlsx", data)
    assert not at.exception
    assert any("'Exportoverzicht' wordt niet gelezen" in info.value for info in at.info)
    next(b for b in at.button if b.label == "Bevestigen en opslaan").click()
    at.run()
    assert not at.exception
    assert "Opgeslagen als upload" in at.success[0].value
    assert len(loads_of(app_db, "vve-indicaties")) == len(before) + 1


@pytest.mark.parametrize("fast", [True, False])
def test_a_count_in_a_cell_formatted_as_a_date_is_refused_as_a_format_not_a_birth_date(
        gem, fast, monkeypatch):
    """5 typed in a cell formatted as a date shows as 5-1-1900: no one's birth date, so the
    refusal says what is wrong with the cell instead of 'remove this column'."""
    from data_sources.registrations import reading

    if not fast:  # a formula elsewhere sends the workbook through openpyxl
        monkeypatch.setattr(reading, "_plain_workbook", lambda *args, **kwargs: False)

    def as_dates(workbook):
        workbook.active["D2"].number_format = "d-m-yyyy"
        workbook.active["D3"].number_format = "dd/mm/yy"

    data = plain_workbook([VVE_HEADER, ["Centrum", "2-4", "SES", 5], ["Bloemhof", "0-2", "SES", 31]],
                          extra=as_dates)
    result = validate_workbook(data, "vve-indicaties", gem, "vve.xlsx")
    assert result.message_texts() == [
        f"Blad 'Gegevens', rij {r}, kolom D (aantal kinderen): de cel is opgemaakt als datum "
        f"(Excel toont {shown}); een getal is geen datum. Geef de cel de opmaak Standaard of "
        "Getal (Start > Getal) en controleer het getal" for r, shown in ((2, "05-01-1900"),
                                                                         (3, "31-01-1900"))]


def mac_workbook(rows: list[list], extra=None) -> bytes:
    """A one-sheet workbook in the 1904 date system of Excel for Mac (workbookPr date1904="1"):
    its date cells count their days from 1-1-1904."""
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    def in_1904(workbook):
        workbook.epoch = CALENDAR_MAC_1904
        if extra:
            extra(workbook)

    data = plain_workbook(rows, extra=in_1904)
    assert b'date1904="1"' in zipfile.ZipFile(io.BytesIO(data)).read("xl/workbook.xml")
    return data


@pytest.mark.parametrize("fast", [True, False])
def test_a_count_formatted_as_a_date_in_a_mac_workbook_is_a_format_not_a_birth_date(
        gem, fast, monkeypatch):
    """In Excel for Mac's 1904 date system 5 in a date cell shows as 6-1-1904: as in Excel for
    Windows, the cell's format is named, not a birth date (it was refused as personal data)."""
    from data_sources.registrations import reading

    if not fast:
        monkeypatch.setattr(reading, "_plain_workbook", lambda *args, **kwargs: False)

    def as_dates(workbook):
        for cell in ("D2", "D3"):
            workbook.active[cell].number_format = "d-m-yyyy"
        workbook.active["D2"].value, workbook.active["D3"].value = 5, 31

    data = mac_workbook([VVE_HEADER, ["Centrum", "2-4", "SES", 0], ["Bloemhof", "0-2", "SES", 0]],
                        extra=as_dates)
    result = validate_workbook(data, "vve-indicaties", gem, "vve.xlsx")
    assert result.message_texts() == [
        f"Blad 'Gegevens', rij {r}, kolom D (aantal kinderen): de cel is opgemaakt als datum "
        f"(Excel toont {shown}); een getal is geen datum. Geef de cel de opmaak Standaard of "
        "Getal (Start > Getal) en controleer het getal" for r, shown in ((2, "06-01-1904"),
                                                                         (3, "01-02-1904"))]


def test_a_mac_workbook_counts_its_dates_from_1904(gem):
    """Registration dates and a real date in a count column of a 1904 workbook are read as the
    dates Excel for Mac shows: the waiting time is right, a birth date is still refused."""
    header = ["wijk", "aanbieder", "soort hulpvraag", "leeftijdsgroep", "aantal kinderen",
              "datum aanmelding"]

    def dates(workbook):
        workbook.active["F2"].value = dt.datetime(2024, 10, 1)
        workbook.active["F3"].value = dt.datetime(2024, 11, 1)

    data = mac_workbook([header, ["Centrum", "Zorg BV", "behandeling", "2-4", None, None],
                         ["Centrum", "Zorg BV", "behandeling", "2-4", None, None]], extra=dates)
    result = validate_workbook(data, "wachtlijst-zorg", gem, "wachtlijst.xlsx", period="2024")
    assert result.ok, result.message_texts()
    # 91 and 60 days to the end of 2024: 75.5 days on average
    assert result.aggregates_df["waiting_weeks"].round(2).tolist() == [round(75.5 / 7, 2)]

    def birth_date(workbook):
        workbook.active["D2"].value = dt.datetime(2021, 3, 4)
        workbook.active["D2"].number_format = "d-m-yyyy"

    data = mac_workbook([VVE_HEADER, ["Centrum", "2-4", "SES", 0]], extra=birth_date)
    result = validate_workbook(data, "vve-indicaties", gem, "vve.xlsx")
    assert "persoonsgegevens geweigerd: 1 cel(len) met een volledige datum" in result.messages[0].text


def test_a_real_date_in_a_count_column_is_still_refused_as_personal_data(gem):
    def as_date(workbook):
        workbook.active["D2"].number_format = "d-m-yyyy"

    data = plain_workbook([VVE_HEADER, ["Centrum", "2-4", "SES", 44259]], extra=as_date)  # 2021
    result = validate_workbook(data, "vve-indicaties", gem, "vve.xlsx")
    assert "persoonsgegevens geweigerd: 1 cel(len) met een volledige datum" in result.messages[0].text
    assert "2021" not in " ".join(result.message_texts())


def test_the_organisation_fields_of_the_template_keep_what_is_typed(gem):
    """Excel turns '2024-09' typed in a General cell into the date 1-9-2024 ('sep-24'), and a date
    is refused as a period: the template's value cells are text, the peildatum a date."""
    import openpyxl

    from data_sources.registrations.template import write_template

    out = io.BytesIO()
    write_template("vve-indicaties", out, gem)
    sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue()))["Organisatie"]
    formats = {sheet.cell(row=r, column=1).value: sheet.cell(row=r, column=2).number_format
               for r in range(2, sheet.max_row + 1)}
    assert formats == {"organisatie": "@", "periode": "@", "gemeente": "@",
                       "peildatum": "DD-MM-YYYY", "definitie": "@", "bron": "@", "toelichting": "@"}


@pytest.mark.parametrize(("field", "row", "code", "shown"), [
    ("gemeente", 4, "#N/A", "#N/B"), ("periode", 3, "#REF!", "#VERW!")])
def test_an_error_value_in_an_organisation_field_is_named_by_its_cell(gem, field, row, code, shown):
    """A gemeente looked up with VERT.ZOEKEN that failed was refused as 'Gemeente '#N/A' is niet
    geladen', without saying where."""
    from support import filled_template

    data = filled_template("vve-indicaties", [["Centrum", "2-4", "SES", 12]],
                           meta={field: "PLACEHOLDER"}, con=gem)
    part = "xl/worksheets/sheet3.xml"  # Organisatie, the template's third sheet
    xml = zipfile.ZipFile(io.BytesIO(data)).read(part).decode()
    xml, replaced = re.subn(f'<c r="B{row}"[^>]*><is><t>PLACEHOLDER</t></is></c>',
                            f'<c r="B{row}" t="e"><f>VLOOKUP(1,A:A,2,0)</f><v>{code}</v></c>', xml)
    assert replaced == 1
    data = rezip(data, {part: xml.encode()})
    result = validate_workbook(data, "vve-indicaties", gem, "vve.xlsx")
    assert result.message_texts() == [
        f"Blad 'Organisatie', rij {row}, kolom B ({field}): het veld '{field}' toont een "
        f"foutwaarde van Excel ({shown}): de formule kan niet worden berekend. Verbeter de formule "
        "of vul het veld zelf in."]


@pytest.mark.parametrize("label", ["Totaal", None])
def test_the_totals_row_of_an_excel_table_says_how_to_turn_it_off(gem, label):
    """Invoegen > Tabel with Totaalrij on: the row is the table's, so deleting its cells does not
    remove it; the refusal says where Excel turns it off."""
    from openpyxl.worksheet.table import Table

    def table(workbook):
        sheet = workbook.active
        sheet.append([label, None, None, "=SUBTOTAL(109,Tabel1[aantal kinderen])"])
        totals = Table(displayName="Tabel1", ref="A1:D4")
        totals.totalsRowCount = 1
        sheet.add_table(totals)

    data = plain_workbook([VVE_HEADER, ["Centrum", "2-4", "SES", 5], ["Bloemhof", "0-2", "SES", 3]],
                          extra=table)
    xml = zipfile.ZipFile(io.BytesIO(data)).read(SHEET).decode()
    assert '<c r="D4"><f>SUBTOTAL(109,Tabel1[aantal kinderen])</f><v /></c>' in xml
    data = rezip(data, {SHEET: xml.replace(  # the value Excel saves with it
        '<c r="D4"><f>SUBTOTAL(109,Tabel1[aantal kinderen])</f><v /></c>',
        '<c r="D4"><f>SUBTOTAL(109,Tabel1[aantal kinderen])</f><v>8</v></c>').encode()})
    result = validate_workbook(data, "vve-indicaties", gem, "vve.xlsx")
    assert result.message_texts() == [
        "Blad 'Gegevens', rij 4: dit is de totaalrij van een Excel-tabel. Zet die uit (klik in de "
        "tabel > Tabelontwerp > vinkje bij Totaalrij weg): Kindkaart telt zelf op."]


def test_a_table_without_totals_row_is_read_whole(gem):
    from openpyxl.worksheet.table import Table

    def table(workbook):
        workbook.active.add_table(Table(displayName="Tabel1", ref="A1:D3"))

    data = plain_workbook([VVE_HEADER, ["Centrum", "2-4", "SES", 5], ["Bloemhof", "0-2", "SES", 3]],
                          extra=table)
    result = validate_workbook(data, "vve-indicaties", gem, "vve.xlsx")
    assert result.ok, result.message_texts()
    assert counts(result) == {"WK999901": 5, "WK999909": 3}


@pytest.mark.parametrize(("typed", "wijk"), [
    ("WK999901 Centrum", "WK999901"), ("WK999909 - Bloemhof", "WK999909"),
    ("Oude Haven (WK999902)", "WK999902"), ("zuid-eind [wk 999903]", "WK999903"),
    ("WK999901 Wijk 01 Centrum", "WK999901")])
def test_a_wijk_as_code_and_name_in_one_cell_is_read(gem, typed, wijk):
    """How a gemeente's own systems export a wijk: code and name together."""
    data = plain_workbook([VVE_HEADER, [typed, "2-4", "SES", 4]])
    result = validate_workbook(data, "vve-indicaties", gem, "vve.xlsx")
    assert result.ok, result.message_texts()
    assert counts(result) == {wijk: 4}


def test_a_code_and_a_name_that_disagree_are_refused(gem):
    data = plain_workbook([VVE_HEADER, ["WK999901 Oude Haven", "2-4", "SES", 4],
                           ["WK999988 Centrum", "2-4", "SES", 4]])
    result = validate_workbook(data, "vve-indicaties", gem, "vve.xlsx")
    assert result.message_texts() == [
        "Blad 'Gegevens', rij 2, kolom A (wijk): 'WK999901 Oude Haven': de wijkcode WK999901 is "
        "Centrum, niet 'Oude Haven'; gebruik alleen de CBS-wijkcode of alleen de wijknaam",
        "Blad 'Gegevens', rij 3, kolom A (wijk): 'WK999988 Centrum': WK999988 is geen wijkcode van "
        "Voorbeeldstad"]


def test_a_first_name_beside_a_wijk_code_is_refused_without_echo(gem):
    data = plain_workbook([VVE_HEADER, ["Sven (WK999901)", "2-4", "SES", 1]])
    result = validate_workbook(data, "vve-indicaties", gem, "vve.xlsx")
    assert not result.ok
    assert "persoonsgegevens geweigerd" in result.message_texts()[0]
    assert "Sven" not in " ".join(result.message_texts())


def test_the_page_names_the_format_of_a_mac_workbook_and_saves_a_google_sheets_age_group(app_db):
    """Through the real Aanleveren page: an Excel-for-Mac workbook with a count in a date cell
    gets the format named and nothing stored; a workbook whose age group an English-locale
    spreadsheet made a date is saved with that age group."""
    from conftest import run_page, upload_registration
    from test_registrations_page import loads_of, messages_of

    def count_as_date(workbook):
        workbook.active["D2"].value = 5
        workbook.active["D2"].number_format = "d-m-yyyy"

    before = loads_of(app_db, "vve-indicaties")
    at = run_page("aanleveren")
    at.text_input(key="aanleveren_organisatie").set_value(before[0][1])
    at.text_input(key="aanleveren_periode").set_value("2024")
    upload_registration(at, "vve-indicaties", "mac.xlsx",
                        mac_workbook([VVE_HEADER, ["Centrum", "2-4", "SES", 0]], extra=count_as_date))
    assert not at.exception
    shown = messages_of(at)
    assert len(shown) == 1 and "opgemaakt als datum (Excel toont 06-01-1904)" in shown[0]["melding"]
    assert "persoonsgegevens" not in shown[0]["melding"]
    assert not any(b.label == "Bevestigen en opslaan" for b in at.button)
    assert loads_of(app_db, "vve-indicaties") == before

    def english_date(workbook):
        workbook.active["D2"].value = dt.datetime(2025, 2, 4)  # '2-4' in an English locale
        workbook.active["D2"].number_format = "m/d/yyyy"

    jeugdhulp = loads_of(app_db, "jeugdhulp")
    upload_registration(at, "jeugdhulp", "sheets.xlsx", plain_workbook(
        [JEUGDHULP_HEADER, ["Centrum", "Zorg BV", "ambulant", None, 6]], extra=english_date))
    assert not at.exception
    next(b for b in at.button if b.label == "Bevestigen en opslaan").click()
    at.run()
    assert not at.exception
    assert "Opgeslagen als upload" in at.success[0].value
    load_id = loads_of(app_db, "jeugdhulp")[-1][0]
    assert len(loads_of(app_db, "jeugdhulp")) == len(jeugdhulp) + 1
    con = duckdb.connect(str(app_db), config=store.CONNECT_CONFIG)
    try:
        payloads = con.execute("select payload from raw_partner__registration_rows"
                               " where load_id = ?", [load_id]).fetchall()
    finally:
        con.close()
    assert [json.loads(p)["age_group"] for (p,) in payloads] == ["2-4"]
