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


# Each grid of the history (Streamlit's st.dataframe, Glide Data Grid: a canvas in a scroller):
# the width of its columns (the stack), the scroller's, its headers and the text of its cells (the
# grid's accessible table, aria-colindex from 1), and each text's width in the grid's font.
HISTORY_GRIDS = """() => {
  const measure = document.createElement('canvas').getContext('2d');
  measure.font = '400 14px ' + getComputedStyle(document.body).fontFamily;
  return [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stDataFrame"]')]
    .filter(grid => [...grid.querySelectorAll('th')].some(th => th.textContent === 'Upload'))
    .map(grid => {
      const scroller = grid.querySelector('.dvn-scroller');
      const headers = [...grid.querySelectorAll('th')].map(th => th.textContent);
      const columns = headers.map((header, i) => [header, ...[...grid.querySelectorAll(
        `td[aria-colindex="${i + 1}"]`)].map(td => td.textContent)]);
      return {columns: grid.querySelector('.dvn-stack').getBoundingClientRect().width,
              scrollWidth: scroller.scrollWidth, clientWidth: scroller.clientWidth,
              texts: columns, widths: columns.map(texts => texts.map(t => measure.measureText(t).width)),
              rows: grid.querySelectorAll('tbody tr').length};
    });
}"""
MEASURE = """(texts) => { const measure = document.createElement('canvas').getContext('2d');
  measure.font = '400 14px ' + getComputedStyle(document.body).fontFamily;
  return texts.map(t => measure.measureText(t).width); }"""
# harder than the sample's names: capitals, wide letters, accents beyond the ones measured
HARD_TEXTS = ["GGD HOLLANDS MIDDEN (JGZ)", "MMMM WWWW @ 100%", "Stichting Kinderopvang Ågård-Øster",
              "Ééns ÖÜ Ĳsselmonde…", "kwb-2024 (inhoud 3f9a2c1b).xlsx", "schooljaar 2024-2025"]


def test_the_history_fits_a_1280_px_screen_with_every_value_whole(app_db):
    # Nine columns were 1,223 px wide in a grid of 818 px at 1280 x 720: on a projector the
    # organisation, the file and who loaded it lay beyond the grid's right edge. And the grid sizes
    # a column from its first rows and leaves out a value twice as wide as their mean: 'schooljaar
    # 2024-2025' beside eight times '2024' was cut off ('schooljaar 2024-2').
    require_chromium()
    from ui.theme import GRID_CELL_PADDING, grid_column_width

    with streamlit_server(app_db) as url, chromium_page(1280, 720) as page:
        page.goto(f"{url}/aanleveren", wait_until="domcontentloaded")
        page.locator("[data-testid='stMain'] [data-testid='stDataFrame'] th").first.wait_for(
            state="attached", timeout=60_000)
        settled(page)
        page.evaluate("() => document.fonts.ready.then(() => true)")
        grids = page.evaluate(HISTORY_GRIDS)
        hard = page.evaluate(MEASURE, HARD_TEXTS)
    assert grids, "no grid of the history on the page"
    shown = {text for grid in grids for texts in grid["texts"] for text in texts}
    assert {"schooljaar 2024-2025", "Samenwerkingsverband PO Voorbeeldregio",
            "Kinderen met een extra ondersteuningsbehoefte"} <= shown, shown
    for grid in grids:
        assert grid["rows"] == 10, grid  # every delivery of the sample, all in sight
        assert grid["columns"] <= grid["clientWidth"], (
            f"the columns are {grid['columns']:.0f} px wide in a grid of {grid['clientWidth']} px: {grid['texts']}")
        assert grid["scrollWidth"] <= grid["clientWidth"], grid
        # each column gets its width from column_config (not the grid's guess from its first
        # rows), and that width holds the column's widest text in the browser's font
        assert grid["columns"] == pytest.approx(
            sum(grid_column_width(texts[0], texts[1:]) for texts in grid["texts"]), abs=1), grid
        for texts, widths in zip(grid["texts"], grid["widths"], strict=True):
            assert max(widths) + 2 * GRID_CELL_PADDING <= grid_column_width(texts[0], texts[1:]), (
                texts, widths)
    for text, width in zip(HARD_TEXTS, hard, strict=True):
        assert width + 2 * GRID_CELL_PADDING <= grid_column_width("", [text]), (text, width)
