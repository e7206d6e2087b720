"""The sample workbooks as a partner leaves them who fills the template in LibreOffice Calc: every
filled cell typed again as it shows, in a Dutch locale, and saved as .xlsx and as .ods by
LibreOffice itself (tests/fixtures/registrations/libreoffice, made by make_fixtures.py there with
LibreOffice 7.4). Each .xlsx passes the real check with the same rows as the original (the
template's text cells keep '5,3' as text, which the check reads as 5.3); each .ods is refused
with the one Dutch sentence that says to save it as .xlsx, not a crash or a list of faults."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_page, upload_registration

from data_sources.registrations.validate import validate_workbook

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data" / "registrations"
SAVED = ROOT / "tests" / "fixtures" / "registrations" / "libreoffice"
FILLED = sorted(path for path in SAVED.glob("*.xlsx") if (SAMPLE / path.name).exists())


def _rows(result):
    frame = result.aggregates_df.drop(columns=["load_id"], errors="ignore")
    return sorted(tuple(map(repr, row)) for row in frame.itertuples(index=False))


@pytest.mark.parametrize("path", FILLED, ids=lambda path: path.name)
def test_a_template_filled_in_libreoffice_passes_with_the_same_rows(sample_con, path):
    original = validate_workbook((SAMPLE / f"{path.stem}.xlsx").read_bytes(), path.stem, sample_con,
                                 f"{path.stem}.xlsx")
    saved = validate_workbook(path.read_bytes(), path.stem, sample_con, path.name)
    assert saved.ok, saved.message_texts()[:5]
    assert not saved.message_texts(), saved.message_texts()[:5]
    assert _rows(saved) == _rows(original)


@pytest.mark.parametrize("path", sorted(SAVED.glob("*.ods")), ids=lambda path: path.name)
def test_a_template_saved_as_opendocument_is_refused_with_what_to_do(sample_con, path):
    result = validate_workbook(path.read_bytes(), path.stem, sample_con, path.name)
    assert not result.ok and result.aggregates_df.empty
    assert result.message_texts() == [
        f"'{path.name}' is een OpenDocument-bestand (.ods). Sla het op als Excel-werkmap (.xlsx)."]


def test_the_fixtures_are_libreoffices_own():
    # made by LibreOffice (its name in the document properties), typed in a Dutch locale
    import zipfile

    for path in sorted(SAVED.glob("*.xlsx")):
        with zipfile.ZipFile(path) as book:
            assert b"<Application>LibreOffice/" in book.read("docProps/app.xml"), path.name
    assert len(FILLED) == len(list(SAVED.glob("*.ods"))) == len(list(SAMPLE.glob("*.xlsx")))


def test_a_footer_libreoffice_wrote_with_a_bsn_is_refused(sample_con):
    # LibreOffice writes a footer with its own codes (font, size, colour: &K plus six hex digits
    # right before the text); the BSN behind them is found, and the sheet named
    path = SAVED / "vve-indicaties-voettekst.xlsx"
    result = validate_workbook(path.read_bytes(), "vve-indicaties", sample_con, path.name)
    assert not result.ok and result.aggregates_df.empty
    texts = result.message_texts()
    assert len(texts) == 1 and texts[0].startswith(
        "Blad 'Gegevens': persoonsgegevens geweigerd: de voettekst van dit blad"), texts
    assert "een burgerservicenummer" in texts[0] and "123456782" not in texts[0]


def test_a_partner_saves_a_workbook_filled_in_libreoffice_on_the_page(app_db):
    # the LibreOffice file through the Aanleveren page: a preview, and saved on confirming
    data = (SAVED / "wachtlijst-zorg.xlsx").read_bytes()
    at = run_page("aanleveren")
    at.text_input(key="aanleveren_organisatie").set_value("Zorggroep De Linde")
    at.text_input(key="aanleveren_periode").set_value("2024")
    upload_registration(at, "wachtlijst-zorg", "wachtlijst-zorg.xlsx", data)
    assert not at.exception and not at.error
    confirm = [b for b in at.button if b.label == "Bevestigen en opslaan"]
    assert confirm
    confirm[0].click()
    at.run()
    assert not at.exception
    assert "Opgeslagen als upload" in at.success[0].value
