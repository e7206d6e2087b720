"""Uploading a national CBS download in the browser: the page Gemeente laden takes the large .xls
of the older years; the partner uploader keeps its own 5 MB limit. The same page reads an LRK
export."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser import chromium_page, click_until_shown, require_chromium, settled, sign_in, streamlit_server
from conftest import add_account
from kwb_files import KWB_COLUMNS, kwb_rows
from test_cbs_geopackage import cbs_map

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
        page.locator(".st-key-laden_bestand [data-testid='stFileUploaderDropzoneInput']").set_input_files(big)
        page.get_by_role("button", name="Bestand inlezen").wait_for(timeout=60_000)
        settled(page)
        click_until_shown(page, "Bestand inlezen",
                          "kwb-2019.xls is ingelezen (Kerncijfers wijken en buurten, 1 gemeente(n))")
        assert page.locator("[data-testid='stException']").count() == 0
        settled(page)

        # the wijk- en buurtkaart of the same year, as CBS publishes it (a GeoPackage)
        cbs_map(tmp_path / "wijkenbuurten_2019_v1.gpkg")
        page.locator(".st-key-laden_bestand [data-testid='stFileUploaderDropzoneInput']").set_input_files(
            tmp_path / "wijkenbuurten_2019_v1.gpkg")
        page.get_by_text("019_v1.gpkg").first.wait_for(timeout=60_000)  # the name, shortened
        # the button comes with the run the finished upload starts (as for the first file)
        page.get_by_role("button", name="Bestand inlezen").wait_for(timeout=60_000)
        settled(page)
        click_until_shown(page, "Bestand inlezen", "wijkenbuurten_2019_v1.gpkg is ingelezen")
        assert page.locator("[data-testid='stException']").count() == 0
        settled(page)  # the run after the answer ends before the next file goes in the box

        # a shapefile is taken by the upload box and refused by Kindkaart with what to do, in
        # Dutch (before, the browser refused the file type in English)
        shapefile = tmp_path / "wijk_2019_v3.shp"
        shapefile.write_bytes(b"\0" * 100)
        page.locator(".st-key-laden_bestand [data-testid='stFileUploaderDropzoneInput']").set_input_files(shapefile)
        page.get_by_text("2019_v3.shp").first.wait_for(timeout=60_000)
        page.get_by_role("button", name="Bestand inlezen").wait_for(timeout=60_000)
        settled(page)
        click_until_shown(page, "Bestand inlezen", "dit is een kaart als shapefile (.shp)")
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
        # Zwolle's own boundaries of 2019 from the GeoPackage (and Kampen's: no gemeente chosen)
        assert con.execute("select count(*) from geometries g join loads using (load_id) where"
                           " g.year = 2019 and file_name = 'wijkenbuurten_2019_v1.gpkg' and"
                           " g.region_code like 'WK0193%'").fetchone()[0] > 10
        # the audit log names who loaded it, not "opdrachtregel"
        assert con.execute("select actor, detail from audit_log where action = 'cbs-lading'"
                           " order by event_id").fetchall() == [
            ("analist", "kwb-2019.xls: kerncijfers"),
            ("analist", "wijkenbuurten_2019_v1.gpkg: geometrie")]
    finally:
        con.close()


LRK_HEADER = ("lrk_id;type_oko;actuele_naam_oko;aantal_kindplaatsen;vve;status;inschrijfdatum;"
              "uitschrijfdatum;opvanglocatie_adres;opvanglocatie_postcode;opvanglocatie_woonplaats;"
              "verantwoordelijke_gemeente;naam_houder;kvk_nummer_houder;lrk_url")


@pytest.mark.browser
def test_an_lrk_export_is_read_on_gemeente_laden(app_db, tmp_path):
    """The register's export as downloaded (';', Windows-1252, no year in its name): the year comes
    from the box; a postcode the postcode table lacks is named; the audit log names the analist."""
    require_chromium()
    add_account(app_db, "analist", "analist", None, PASSWORD)
    export = tmp_path / "export_opendata_lrk.csv"
    export.write_bytes("\r\n".join([
        LRK_HEADER,
        "901;KDV;Kinderdagverblijf De Zeeëgel;40;J;Ingeschreven;01-03-2021;;Dorpsstraat 1;9901 AA;"
        "Voorbeeldstad;Voorbeeldstad;Zeeëgel BV;12345678;",
        "902;BSO;BSO Buiten;22;N;Ingeschreven;01-08-2022;;Laan 5;1011 AB;Elders;Elders;;;",
        "903;GOB;Gastouderbureau Oost;;N;Ingeschreven;01-01-2015;;Postbus 1;;Voorbeeldstad;"
        "Voorbeeldstad;;;",
        # deregistered, its places and postcode gone: stored, not counted, no refusal
        "904;KDV;Het Oude Nest;;N;Uitgeschreven;01-01-2010;31-12-2020;Weg 9;;Voorbeeldstad;"
        "Voorbeeldstad;;;",
    ]).encode("cp1252"))
    with streamlit_server(app_db) as url, chromium_page() as page:
        sign_in(page, url, "analist", PASSWORD, "Overzicht")
        page.locator("[data-testid='stSidebarNav']").get_by_text("Gemeente laden").click()
        page.get_by_text("LRK-export inlezen").first.wait_for(timeout=60_000)
        page.locator(".st-key-laden_lrk [data-testid='stFileUploaderDropzoneInput']").set_input_files(export)
        button = page.get_by_role("button", name="LRK-export inlezen")
        button.wait_for(timeout=60_000)
        settled(page)
        button.click()  # without a year: refused, and the page says where to give it
        page.get_by_text("geef het jaar van de export op (het vak Jaar)").first.wait_for(timeout=60_000)
        settled(page)
        page.get_by_label("Jaar van de export (als het niet in de naam staat)").fill("2025")
        page.get_by_label("Jaar van de export (als het niet in de naam staat)").press("Enter")
        settled(page)
        button.click()
        page.get_by_text("export_opendata_lrk.csv is ingelezen: 3 ingeschreven locaties met samen 62 "
                         "kindplaatsen, jaar 2025.").first.wait_for(timeout=120_000)
        page.get_by_text("1 uitgeschreven locatie(s) in de export zijn bewaard maar tellen niet "
                         "mee.").first.wait_for(timeout=10_000)
        page.get_by_text("1 postcode(s) staan niet in de postcodetabel (1011AB)").first.wait_for(timeout=10_000)
        assert page.locator("[data-testid='stException']").count() == 0

    con = store.connect(app_db, read_only=True)
    try:
        assert con.execute(
            "select lrk_id, provision_type, location_name, places, wijk_code from raw_lrk__locations"
            " where year = 2025 order by lrk_id").fetchall() == [
            ("901", "KDV", "Kinderdagverblijf De Zeeëgel", 40, "WK999901"),
            ("902", "BSO", "BSO Buiten", 22, None),
            ("903", "GOB", "Gastouderbureau Oost", None, None),
            ("904", "KDV", "Het Oude Nest", None, None)]
        assert con.execute("select actor, detail from audit_log where action = 'lrk-lading'"
                           ).fetchall() == [("analist", "export_opendata_lrk.csv")]
    finally:
        con.close()
