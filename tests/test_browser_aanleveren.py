"""In real headless Chromium: after 'Bevestigen en opslaan' and 'Terugzetten' on Aanleveren, the
notice that says what happened is where the person who clicked is looking."""

import sys
from pathlib import Path

import pytest
from browser import chromium_page, require_chromium, settled, streamlit_server

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "registrations"))
from support import filled_template  # noqa: E402

pytestmark = pytest.mark.browser

# The element's box lies within the browser window (Streamlit scrolls its main area, not the window).
IN_VIEW = """(element) => {
    const box = element.getBoundingClientRect();
    return box.height > 0 && box.top >= 0 && box.bottom <= window.innerHeight;
}"""


def test_the_notices_of_saving_and_restoring_are_in_sight(app_db, tmp_path):
    # The notice stood above the form; the browser keeps its scroll position, so after a click
    # on a button below the preview or the history the page changed and said nothing in sight.
    require_chromium()
    workbook = tmp_path / "vve-nieuw.xlsx"
    workbook.write_bytes(filled_template("vve-indicaties", [
        [wijk, "2-4", criterium, 20] for wijk in ("Centrum", "Bloemhof", "Nieuwland", "Zuiderpark")
        for criterium in ("SES", "taal/spraak")]))
    with streamlit_server(app_db) as url, chromium_page(1280, 800) as page:
        page.goto(f"{url}/aanleveren", wait_until="domcontentloaded")
        page.get_by_label("Organisatie (demo)").fill("GGD Voorbeeldregio (JGZ)")
        page.get_by_label("Organisatie (demo)").press("Enter")
        settled(page)
        page.locator("[data-testid='stMain'] [data-testid='stSelectbox']").first.click()
        page.get_by_role("option", name="Kinderen met een vve-indicatie (vve-indicaties)").click()
        # the uploader is one of its type: a file given to the previous type's is lost
        page.get_by_text("Levert meestal: JGZ").wait_for(timeout=60_000)
        settled(page)
        page.locator("[data-testid='stFileUploader'] input[type=file]").set_input_files(str(workbook))
        page.get_by_text("vve-nieuw.xlsx is in orde").wait_for(timeout=60_000)
        settled(page)
        confirm = page.get_by_role("button", name="Bevestigen en opslaan")
        confirm.scroll_into_view_if_needed()
        confirm.click()
        # the page loses the preview; the browser keeps its scroll position and may show only
        # the history: the notice comes as a toast too
        saved = page.locator("[data-testid='stToast']").filter(has_text="Opgeslagen als upload")
        saved.wait_for(timeout=60_000)
        assert saved.evaluate(IN_VIEW), "the notice of the save is out of sight"
        settled(page)

        restore = page.get_by_role("button", name="Terugzetten")
        restore.scroll_into_view_if_needed()
        restore.click()
        restored = page.get_by_text("weer de actieve versie").first
        restored.wait_for(timeout=60_000)
        settled(page)
        assert restored.evaluate(IN_VIEW), "the notice of the restore is out of sight"
