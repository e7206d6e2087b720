"""Uploading a national CBS download in the browser: the page Gemeente laden takes the large .xls
of the older years; the partner uploader keeps its own 5 MB limit."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser import chromium_page, require_chromium, settled, sign_in, streamlit_server
from conftest import add_account
from kwb_files import KWB_COLUMNS, kwb_rows

from data_sources import store

PASSWORD = "correct paard batterij"


def _large_kwb_xls(path: Path) -> Path:
    """kwb-2019.xls as large as a national one (CBS's kwb-2019.xls is some 25 MB; this one just
    over the old 5 MB limit): the Zwolle rows on the data sheet, and a second sheet of numbers,
    as a workbook with an explanation or pivot sheet has."""
    import xlwt

    workbook = xlwt.Workbook()
    data = workbook.add_sheet("kwb_2019")
    for r, row in enumerate([KWB_COLUMNS, *kwb_rows()]):
        for c, value in enumerate(row):
            data.write(r, c, value)
    extra = workbook.add_sheet("cijfers")
    for r in range(30_000):
        for c in range(12):
            extra.write(r, c, r / 7 + c / 3)  # not an RK number: 18 bytes each
    workbook.save(str(path))
    assert path.stat().st_size > 5 * 2**20
    return path


@pytest.mark.browser
def test_a_national_xls_download_is_read_on_gemeente_laden(app_db, tmp_path):
    require_chromium()
    add_account(app_db, "analist", "analist", None, PASSWORD)
    add_account(app_db, "ggd", "partner", "GGD Voorbeeldregio (JGZ)", PASSWORD)
    big = _large_kwb_xls(tmp_path / "kwb-2019.xls")
    with streamlit_server(app_db) as url, chromium_page() as page:
        sign_in(page, url, "analist", PASSWORD, "Overzicht")
        page.locator("[data-testid='stSidebarNav']").get_by_text("Gemeente laden").click()
        page.get_by_text("CBS-bestand inlezen").first.wait_for(timeout=60_000)
        page.locator("[data-testid='stFileUploaderDropzoneInput']").last.set_input_files(big)
        page.get_by_role("button", name="Bestand inlezen").wait_for(timeout=60_000)
        settled(page)
        page.get_by_role("button", name="Bestand inlezen").click()
        page.get_by_text("kwb-2019.xls is ingelezen (Kerncijfers wijken en buurten, 1 gemeente(n))"
                         ).first.wait_for(timeout=120_000)
        assert page.locator("[data-testid='stException']").count() == 0

        # a partner's workbook stays at 5 MB: the same file is refused before it is sent
        partner = page.context.browser.new_page(viewport={"width": 1400, "height": 1000})
        sign_in(partner, url, "ggd", PASSWORD, "Gegevens aanleveren")
        partner.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(big)
        partner.get_by_text("5.0MB").first.wait_for(timeout=60_000)
        assert partner.get_by_text("Bevestigen en opslaan").count() == 0

    con = store.connect(app_db, read_only=True)
    try:
        assert con.execute("select file_name, period from loads where dataset = 'kerncijfers'"
                           " and gemeente_code = 'GM0193'").fetchall() == [("kwb-2019.xls", "2019")]
    finally:
        con.close()
