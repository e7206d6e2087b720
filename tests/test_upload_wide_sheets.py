"""Partner workbooks wider than the template: a system export pasted beside the data (a
pupil administration exports 70 to 100 columns), a stray cell far to the right, a column of the
partner's own hidden beside the template's. Real .xlsx files through the real check and the
Aanleveren page; personal data beyond column 60 is refused as anywhere else, a sheet too large is
named by the cell that makes it so, and a hidden column that must go is said to be hidden."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import openpyxl
import openpyxl.utils
import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "registrations"))
from conftest import run_page, shown_text, upload_registration  # noqa: E402
from support import filled_template, stored_content  # noqa: E402

from data_sources.registrations.reading import MAX_COLUMNS  # noqa: E402
from data_sources.registrations.validate import validate_workbook  # noqa: E402

ROWS = [["Centrum", "2-4", "SES", 12], ["Oude Haven", "0-2", "taal/spraak", 3]]
BSNS = [123456782, 111222333]  # both pass the elfproef


def _with_export(header: list, rows: list[list]) -> bytes:
    """The filled template with a sheet 'Export leerlingen' beside Gegevens, as a partner pastes
    its system's export there to count from: `header` and `rows` from A1."""
    book = openpyxl.load_workbook(io.BytesIO(filled_template("vve-indicaties", ROWS)))
    export = book.create_sheet("Export leerlingen", 2)
    export.append(header)
    for row in rows:
        export.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _export_columns(count: int) -> list[str]:
    return [f"veld {n}" for n in range(1, count + 1)]


def test_a_bsn_column_beyond_column_60_of_another_sheet_is_refused(gem):
    """The survey of the other sheets read their first 60 columns only: a BSN column at BT of a
    wide export beside the data went through, although the README promises a header that points
    at BSNs is refused 'op welk blad ook'."""
    header = [*_export_columns(71), "BSN"]  # column 72, BT
    data = _with_export(header, [["x"] * 71 + [bsn] for bsn in BSNS])
    result = validate_workbook(data, "vve-indicaties", gem, "vve.xlsx", period="2024")
    texts = result.message_texts()
    assert not result.ok and result.aggregates_df.empty
    assert any(t.startswith("Blad 'Export leerlingen', rij 1, kolom BT (BSN): persoonsgegevens "
                            "geweigerd: de kolomnaam wijst op burgerservicenummers") for t in texts), texts
    assert not any(str(bsn) in t for t in texts for bsn in BSNS), texts


def test_bsns_and_names_without_a_telling_header_beyond_column_60_are_refused(gem):
    header = [*_export_columns(68), "id", "leerling"]  # BQ and BR: no word that tells
    data = _with_export(header, [["x"] * 68 + [bsn, name]
                                 for bsn, name in zip(BSNS, ["Sven Jansen", "Fatima el Amrani"], strict=True)])
    texts = validate_workbook(data, "vve-indicaties", gem, "vve.xlsx", period="2024").message_texts()
    assert any(t.startswith("Blad 'Export leerlingen', kolom BQ: persoonsgegevens geweigerd: 2 cel(len) "
                            "met mogelijk een burgerservicenummer (rijen 2 en 3)") for t in texts), texts
    assert any(t.startswith("Blad 'Export leerlingen', kolom BR: persoonsgegevens geweigerd")
               for t in texts), texts
    assert not any(part in t for t in texts for part in ("Jansen", "Amrani", "123456782"))


def test_a_wide_sheet_without_personal_data_beside_the_data_changes_nothing(gem):
    header = _export_columns(MAX_COLUMNS + 30)
    data = _with_export(header, [list(range(MAX_COLUMNS + 30))])
    result = validate_workbook(data, "vve-indicaties", gem, "vve.xlsx", period="2024")
    assert result.ok, result.message_texts()
    assert sorted(result.aggregates_df[["wijk_code", "children_count"]].itertuples(index=False,
                                                                                  name=None)) == [
        ("WK999901", 12), ("WK999902", 3)]


def test_the_page_refuses_a_bsn_column_far_to_the_right_and_stores_nothing(app_db):
    before = stored_content(app_db)
    header = [*_export_columns(79), "burgerservicenummer"]  # column 80, CB
    at = run_page("aanleveren")
    upload_registration(at, "vve-indicaties", "vve-jgz.xlsx",
                        _with_export(header, [["x"] * 79 + [bsn] for bsn in BSNS]))
    assert not at.exception
    text = shown_text(at)
    assert "niet in orde" in text and "Er is niets opgeslagen" in text, text
    assert "burgerservicenummers" in text and "Export leerlingen" in text and "CB" in text, text
    assert not any(str(bsn) in text for bsn in BSNS)
    assert not [b for b in at.button if b.label == "Bevestigen en opslaan"]
    assert stored_content(app_db) == before


def _template_with(cells: dict[str, object]) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(filled_template("vve-indicaties", ROWS)))
    for address, value in cells.items():
        book["Gegevens"][address] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(("cells", "expected"), [
    # a stray cell far to the right (Ctrl+Pijl rechts, a typed space): no advice about rows
    ({"XFD2": " "}, "Blad 'Gegevens' heeft 16.384 kolommen; Kindkaart leest hoogstens 60 kolommen "
                    "(A tot en met BH). De eerste cel met inhoud daarbuiten is XFD2. Verwijder wat "
                    "rechts van de tabel staat (selecteer de kolommen vanaf BI"),
    # a system export pasted beside the template's columns
    ({f"{openpyxl.utils.get_column_letter(c)}{r}": "x" for c in range(5, 80) for r in (1, 2)},
     "Blad 'Gegevens' heeft 79 kolommen; Kindkaart leest hoogstens 60 kolommen (A tot en met BH). "
     "De eerste cel met inhoud daarbuiten is BI1. Verwijder"),
    ({"A25000": "Centrum"}, "Blad 'Gegevens' heeft 25.000 rijen; Kindkaart leest hoogstens 20.000 "
                            "rijen. De eerste cel met inhoud daarbuiten is A25000. Staat onder rij "
                            "20.000 niets dat meetelt, verwijder dan die rijen; zijn het echt zoveel "
                            "rijen, tel dan per wijk op in plaats van één rij per kind."),
])
def test_a_sheet_too_large_is_refused_naming_its_first_cell_beyond_and_what_to_do(gem, cells, expected):
    """'Blad 'Gegevens' heeft 2 rijen en 16384 kolommen; ... Tel per wijk op in plaats van één rij
    per kind': no cell to look for, and advice about rows for a sheet two rows long."""
    result = validate_workbook(_template_with(cells), "vve-indicaties", gem, "vve.xlsx", period="2024")
    texts = result.message_texts()
    assert not result.ok and result.aggregates_df.empty
    assert len(texts) == 1 and texts[0].startswith(expected), texts
    assert ("Tel per wijk op" in texts[0] or "tel dan per wijk op" in texts[0]) == ("A25000" in cells)


def test_the_page_names_the_stray_cell_and_stores_nothing(app_db):
    before = stored_content(app_db)
    at = run_page("aanleveren")
    upload_registration(at, "vve-indicaties", "vve-jgz.xlsx", _template_with({"XFD2": "x"}))
    assert not at.exception
    text = shown_text(at)
    assert "niet in orde" in text and "Er is niets opgeslagen" in text, text
    assert "XFD2" in text and "Verwijder wat rechts van de tabel staat" in text, text
    assert "per wijk op" not in text
    assert stored_content(app_db) == before


def _hidden_extra_column(header: str | None) -> bytes:
    """The filled template with a column E the partner hid (a check of its own), numbers below."""
    book = openpyxl.load_workbook(io.BytesIO(filled_template("vve-indicaties", ROWS)))
    sheet = book["Gegevens"]
    sheet["E1"], sheet["E2"], sheet["E3"] = header, 12, 3
    sheet.column_dimensions["E"].hidden = True
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(("header", "start"), [
    ("controle", "Blad 'Gegevens', rij 1, kolom E (controle): 'controle' is geen kolom van het "
                 "sjabloon vve-indicaties. Verwijder de kolom. Deze kolom is verborgen"),
    (None, "Blad 'Gegevens', rij 1, kolom E: deze kolom heeft geen kolomnaam in de kopregel, maar "
           "wel waarden (rijen 2, 3)."),
])
def test_a_hidden_column_that_must_go_is_said_to_be_hidden(gem, header, start):
    """A partner told to remove column E found none: Excel did not show it."""
    result = validate_workbook(_hidden_extra_column(header), "vve-indicaties", gem, "vve.xlsx",
                               period="2024")
    texts = result.message_texts()
    assert len(texts) == 1 and texts[0].startswith(start), texts
    assert texts[0].endswith("Deze kolom is verborgen: selecteer de kolommen ernaast en kies "
                             "rechtsklik > Zichtbaar maken om hem te zien."), texts


def test_a_visible_column_that_must_go_is_not_said_to_be_hidden(gem):
    book = openpyxl.load_workbook(io.BytesIO(_hidden_extra_column("controle")))
    book["Gegevens"].column_dimensions["E"].hidden = False
    out = io.BytesIO()
    book.save(out)
    texts = validate_workbook(out.getvalue(), "vve-indicaties", gem, "vve.xlsx",
                              period="2024").message_texts()
    assert len(texts) == 1 and "verwijder" in texts[0].lower() and "verborgen" not in texts[0]
