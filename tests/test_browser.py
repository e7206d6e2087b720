"""In real headless Chromium: the app starts, the map and a chart render."""

import pytest
from browser import chromium_page, download, require_chromium, save_screenshot, streamlit_server

pytestmark = pytest.mark.browser


# True when the canvas under the selector has drawn something other than one flat colour.
CANVAS_HAS_PIXELS = """(selector) => {
    const canvas = document.querySelector(selector);
    if (!canvas || canvas.width <= 100 || canvas.height <= 100) return false;
    const copy = document.createElement('canvas');
    copy.width = canvas.width; copy.height = canvas.height;
    const ctx = copy.getContext('2d');
    ctx.drawImage(canvas, 0, 0);
    const data = ctx.getImageData(0, 0, copy.width, copy.height).data;
    const first = data.slice(0, 4).join();
    for (let i = 0; i < data.length; i += 4 * 97) {
        if (data.slice(i, i + 4).join() !== first) return true;
    }
    return false;
}"""
MAP_CANVAS = "[data-testid='stDeckGlJsonChart'] canvas"
# The share of the map's pixels in the names' colour (20, 20, 20): a few percent for names, all of
# it when deck.gl draws each letter a map wide (an unquoted size unit once did).
NAME_COLOUR_SHARE = """(selector) => {
    const canvas = document.querySelector(selector);
    const copy = document.createElement('canvas');
    copy.width = canvas.width; copy.height = canvas.height;
    const ctx = copy.getContext('2d');
    ctx.drawImage(canvas, 0, 0);
    const data = ctx.getImageData(0, 0, copy.width, copy.height).data;
    let dark = 0, all = 0;
    for (let i = 0; i < data.length; i += 4 * 7) {
        all++;
        if (data[i + 3] > 200 && data[i] < 40 && data[i + 1] < 40 && data[i + 2] < 40) dark++;
    }
    return dark / all;
}"""


def wait_for_map_drawn(page) -> None:
    """Wait until deck.gl has drawn the wijken on the map's canvas (a timeout fails the test)."""
    # every 100 ms, not every animation frame: each check copies the whole canvas
    page.wait_for_function(CANVAS_HAS_PIXELS, arg=MAP_CANVAS, polling=100, timeout=30_000)


def wait_until_no_requests(page, quiet_ms: int = 500, timeout_s: float = 30) -> None:
    """Wait until the page has made no request for `quiet_ms`."""
    import time

    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            page.wait_for_event("request", timeout=quiet_ms)
        except PlaywrightTimeout:
            return
    raise AssertionError(f"the page kept making requests for {timeout_s} s")


def test_overzicht_chart_and_kaart_map_render(app_db, tmp_path):
    require_chromium()
    with streamlit_server(app_db) as url, chromium_page() as page:
        page.goto(url, wait_until="domcontentloaded")
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
        assert page.locator(".js-plotly-plot .bars path").count() >= 10
        assert page.get_by_text("Overzicht Voorbeeldstad").first.is_visible()
        assert page.locator("[data-testid='stException']").count() == 0
        save_screenshot(page, "screenshot-overzicht.png", tmp_path)

        deck_messages = []
        page.on("console", lambda message: deck_messages.append(message.text)
                if "deck" in message.text.lower() else None)
        page.goto(f"{url}/kaart?gemeente=GM9999&jaar=2024", wait_until="domcontentloaded")
        page.wait_for_selector(MAP_CANVAS, timeout=60_000)
        wait_for_map_drawn(page)
        # the wijk names are drawn (deck.gl refused the layer when a literal was left unquoted)
        page.wait_for_function(f"() => ({NAME_COLOUR_SHARE})({MAP_CANVAS!r}) > 0.002",
                               polling=200, timeout=30_000)
        assert page.evaluate(f"({NAME_COLOUR_SHARE})({MAP_CANVAS!r})") < 0.2
        assert not [m for m in deck_messages if "initialization" in m or "error" in m.lower()], deck_messages
        assert page.locator("[data-testid='stException']").count() == 0
        save_screenshot(page, "screenshot.png", tmp_path)


def _figure(text: str):
    """A cell as shown ('1.234', 'afgeschermd', '') or as written to CSV ('1234', 'afgeschermd') -> int or text."""
    plain = text.replace(".", "")
    return int(plain) if plain.isdigit() else text


def test_overzicht_table_and_downloads_made_on_click_hold_the_same_figures(app_db, tmp_path):
    # The table is plain HTML and the Excel and CSV files are only made when a button is
    # clicked (the first page draws without pandas): both must show exactly the table.
    import csv

    from openpyxl import load_workbook

    require_chromium()
    with streamlit_server(app_db) as url, chromium_page() as page:
        page.goto(url, wait_until="domcontentloaded")
        table = page.locator("table").filter(has_text="Bloemhof")
        table.wait_for(timeout=60_000)
        assert "Kinderen per wijk en leeftijdsgroep in Voorbeeldstad" in table.locator("caption").inner_text()
        header = table.locator("thead th").all_inner_texts()
        shown = [[_figure(cell) for cell in row.locator("td").all_inner_texts()]
                 for row in table.locator("tbody tr, tfoot tr").all()]
        assert header == ["Wijkcode", "Wijk", "0-2 jaar", "2-4 jaar", "4-12 jaar", "Totaal", "Bron"]
        assert len(shown) == 11 and shown[-1][0] == "Totaal"
        assert {row[-1] for row in shown[:-1]} <= {"BRP (telling)", "CBS 03759ned × kwb"}
        # the downloads hold the figures and the route of each wijk (Bron), as the page does

        csv_path = download(page, "CSV", tmp_path)
        assert csv_path.name == "kinderen-per-wijk-voorbeeldstad-2024.csv"
        lines = list(csv.reader(open(csv_path, encoding="utf-8-sig"), delimiter=";"))
        assert lines[0] == header
        assert [[_figure(cell) for cell in line] for line in lines[1:]] == shown

        xlsx_path = download(page, "Excel", tmp_path)
        assert xlsx_path.name == "kinderen-per-wijk-voorbeeldstad-2024.xlsx"
        workbook = load_workbook(xlsx_path, read_only=True)
        sheets = [[["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]
                  for sheet in workbook.worksheets]
        cells = next(rows for rows in sheets if header in rows)  # the first sheet explains
        start = cells.index(header)
        body = [[_figure(v) if isinstance(v, str) else int(v) for v in row[:len(header)]]
                for row in cells[start + 1:start + 1 + len(shown)]]
        assert body == shown
        assert page.locator("[data-testid='stException']").count() == 0


def test_deep_link_as_first_request_shows_the_page_with_sidebar(app_db):
    # Streamlit runs pages/<name>.py without app.py when a deep link is a fresh server's first
    # request; ui.router sends it back through app.py (sidebar, navigation, URL state).
    require_chromium()
    with streamlit_server(app_db) as url, chromium_page() as page:
        page.goto(f"{url}/kaart?gemeente=GM9999&jaar=2022", wait_until="domcontentloaded")
        page.get_by_text("Kaart Voorbeeldstad 2022").wait_for(timeout=60_000)
        page.wait_for_selector(MAP_CANVAS, timeout=60_000)
        assert page.get_by_text("Laad eerst gegevens").count() == 0
        assert page.locator("[data-testid='stSidebar']").get_by_text("Gemeente").count() >= 1


def test_the_app_asks_no_other_server_anything(app_db):
    """Who opens Kindkaart is nobody else's business, and the app must work offline: every
    request of the browser goes to the Kindkaart server itself (the page icon too)."""
    from urllib.parse import urlparse

    require_chromium()
    with streamlit_server(app_db) as url, chromium_page() as page:
        hosts = set()
        page.on("request", lambda request: hosts.add(urlparse(request.url).hostname))
        page.goto(url, wait_until="domcontentloaded")
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
        page.goto(f"{url}/kaart?gemeente=GM9999&jaar=2024", wait_until="domcontentloaded")
        page.wait_for_selector(MAP_CANVAS, timeout=60_000)
        wait_for_map_drawn(page)
        wait_until_no_requests(page)  # late ones too (the page icon)
        icon = page.evaluate("() => document.querySelector(\"link[rel*='icon']\")?.href || ''")
    assert urlparse(icon).hostname == urlparse(url).hostname, icon
    assert hosts <= {urlparse(url).hostname, None}, hosts
