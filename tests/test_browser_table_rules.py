"""In real headless Chromium on a 1280 px projector: the cells of the tables a page draws itself
(theme.html_table) wrap with a real gemeente's wijk names, so the line under each row is what says
which cells make a row: it has 3:1 on white (WCAG 1.4.11), as in the report, and each cell of a
row starts on the same line. Haarlemmermeer's 18 wijken with their real names (CBS 2024, from
../shared/real_data) in a kwb-2024.xlsx in CBS's layout (made-up counts). The levering slide's
table (report.html_table, ruled by the Presentatie page's style sheet) has its grid in that colour."""

from __future__ import annotations

import json

import pytest
from browser import chromium_page, require_chromium, settled, sign_in, streamlit_server
from conftest import REAL_DATA, add_account, app_db_with_files
from kwb_files import kwb_rows, write_kwb_xlsx
from test_non_text_contrast import WHITE, _rgb, contrast

from outputs.palette import TABLE_RULE

pytestmark = pytest.mark.browser

WIJKEN = REAL_DATA / "geo" / "wijk_2024_wgs84_cartomap.geojson"
PASSWORD = "correct paard batterij"

# Per row of the page's own tables (inline styled): how many lines its tallest cell takes, where
# the first line of each cell stands, the colour of the line under each cell, and the white
# between the text of two rows and between two lines of one cell.
MEASURE = """() => [...document.querySelectorAll('[data-testid="stMain"] table[style*="border-collapse"]')].map(t => {
  const lines = c => { const r = document.createRange(); r.selectNodeContents(c);
                       return [...r.getClientRects()].filter(x => x.width > 0); };
  const rows = [...t.querySelectorAll('tbody tr')].map(r => {
    const cells = [...r.cells].map(lines).filter(rects => rects.length);
    const all = cells.flat();
    return {lines: Math.max(...cells.map(rects => new Set(rects.map(x => Math.round(x.top))).size)),
            firstTops: [...new Set(cells.map(rects => Math.round(rects[0].top)))],
            rules: [...r.cells].map(c => getComputedStyle(c).borderBottomColor),
            top: Math.min(...all.map(x => x.top)), bottom: Math.max(...all.map(x => x.bottom))};
  });
  const cell = getComputedStyle(t.querySelector('tbody td'));
  return {rows, lineHeight: parseFloat(cell.lineHeight),
          lineGap: parseFloat(cell.lineHeight) - lines(t.querySelector('tbody td'))[0].height,
          rowGaps: rows.slice(1).map((r, i) => r.top - rows[i].bottom)};
})"""


def test_the_rows_of_overzicht_wrap_at_1280_px_and_are_parted_by_a_line_with_contrast(
        tmp_path, monkeypatch):
    """Before: every row wrapped (the route 'kwb, gelijk verdeeld' in two lines, 'Aalsmeerderbrug/
    Oude Meer/ Rozenburg / Schiphol Rijk' too), the cells of one line stood in the middle of the
    row, and the line under it was #d0d0d6, 1.5:1 on white."""
    require_chromium()
    if not WIJKEN.exists():
        pytest.skip(f"{WIJKEN} ontbreekt")
    names = {f["properties"]["statcode"]: f["properties"]["name"]
             for f in json.loads(WIJKEN.read_text(encoding="utf-8"))["features"]
             if f["properties"]["statcode"].startswith("WK0394")}
    wijken = [(code, name, 5000, 600) for code, name in sorted(names.items())]
    kwb = write_kwb_xlsx(tmp_path / "kwb-2024.xlsx", kwb_rows(("GM0394", "Haarlemmermeer"), wijken))
    db = app_db_with_files(tmp_path, monkeypatch, kwb)
    add_account(db, "analist", "analist", password=PASSWORD)
    with streamlit_server(db) as url, chromium_page(1280, 800) as page:
        sign_in(page, f"{url}/overzicht?gemeente=GM0394&jaar=2024", "analist", PASSWORD, "Per wijk")
        page.locator("[data-testid='stMain'] table[style*='border-collapse'] tbody tr").first.wait_for(
            timeout=60_000)
        settled(page)
        [table] = page.evaluate(MEASURE)
    rows = table["rows"]
    assert len(rows) == len(wijken)
    wrapped = [row for row in rows if row["lines"] > 1]
    # why the line is needed: rows of several lines (cells of one line beside them), with less
    # white between two rows than one empty line
    assert len(wrapped) >= len(rows) // 2, rows
    assert table["lineGap"] < min(table["rowGaps"]) < table["lineHeight"], table
    for row in rows:
        assert len(row["firstTops"]) == 1, f"the cells of a row start on different lines: {row}"
        for colour in row["rules"]:
            assert contrast(colour, WHITE) >= 3, f"line under a row {colour}: {contrast(colour, WHITE):.2f}:1"


# Per table of the levering slide (report.html_table in a .kk-table box, no inline style): the
# colours of the lines around each cell, and the background the table stands on.
SLIDE_MEASURE = """() => [...document.querySelectorAll('[data-testid="stMain"] .kk-table table')].map(t => {
  const background = el => { for (; el; el = el.parentElement) {
      const colour = getComputedStyle(el).backgroundColor;
      if (colour !== 'rgba(0, 0, 0, 0)' && colour !== 'transparent') return colour; }
    return 'rgb(255, 255, 255)'; };
  return {background: background(t),
          rules: [...t.querySelectorAll('th, td')].map(c => { const s = getComputedStyle(c);
            return {text: c.innerText, width: s.borderBottomWidth,
                    colours: [s.borderTopColor, s.borderRightColor, s.borderBottomColor, s.borderLeftColor]}; })};
})"""


def test_the_table_on_the_levering_slide_is_ruled_in_the_table_rule(app_db):
    """The slides draw the deliveries with report.html_table, without inline styles: the
    Presentatie page's style sheet gives its cells their lines, in the report's TABLE_RULE (3:1 on
    the slide's white, WCAG 1.4.11), as the report's. Before: #777, a second copy of the colour."""
    require_chromium()
    with streamlit_server(app_db) as url, chromium_page(1280, 800) as page:
        page.goto(f"{url}/presentatie?gemeente=GM9999&jaar=2024&dia=levering", wait_until="domcontentloaded")
        page.locator("[data-testid='stMain'] .kk-table table tbody tr").first.wait_for(timeout=60_000)
        settled(page)
        [table] = page.evaluate(SLIDE_MEASURE)
    assert contrast(table["background"], WHITE) == 1, table["background"]
    assert len(table["rules"]) > 10, table
    for cell in table["rules"]:
        assert float(cell["width"].removesuffix("px")) >= 1, cell
        for colour in cell["colours"]:
            assert _rgb(colour) == _rgb(TABLE_RULE), f"line around {cell['text']!r}: {colour}"
            assert contrast(colour, table["background"]) >= 3, cell
