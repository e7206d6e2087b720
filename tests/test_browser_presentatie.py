"""In real headless Chromium: a shared Presentatie URL opens the right slide, keys step, refresh never flickers."""

import re
import time

import pytest
from browser import chromium_page, download, require_chromium, save_screenshot, settled, streamlit_server

pytestmark = pytest.mark.browser

TITLE = "[data-testid='stMain'] h1"
COUNTER = ".kk-counter"


# The slide title, the counter and the lowest opacity of any element on the page right now.
STATE = """() => {
    const title = document.querySelector("[data-testid='stMain'] h1");
    const counter = document.querySelector('.kk-counter');
    let lowest = 1;
    for (const el of document.querySelectorAll("[data-testid='stElementContainer']")) {
        lowest = Math.min(lowest, parseFloat(getComputedStyle(el).opacity));
    }
    return [title ? title.innerText : null, counter ? counter.innerText : null, lowest];
}"""


def _state(page):
    return page.evaluate(STATE)


def _start_sampling(page) -> None:
    """Record the state in the page itself every 20 ms, until _stop_sampling."""
    page.evaluate(f"""() => {{
        const state = {STATE};
        window.kkSamples = [];
        window.kkSampler = setInterval(() => window.kkSamples.push(state()), 20);
    }}""")


def _stop_sampling(page) -> list:
    return page.evaluate("() => { clearInterval(window.kkSampler); return window.kkSamples; }")


def _wait_until_quiet(socket, quiet_ms: int = 1000, timeout_s: float = 30) -> None:
    """Wait until the app's websocket has received nothing for `quiet_ms`: the run is drawn."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            socket.wait_for_event("framereceived", timeout=quiet_ms)
        except PlaywrightTimeout:
            return
    raise AssertionError(f"the app kept sending for {timeout_s} s")


def _wait_for_slide(page, number: int, not_title: str) -> None:
    """Wait until slide `number` is fully drawn: counter, a new title and no element left stale."""
    page.wait_for_function(
        """([number, oldTitle]) => {
            const counter = document.querySelector('.kk-counter');
            const title = document.querySelector("[data-testid='stMain'] h1");
            return counter && counter.innerText.startsWith('Dia ' + number + ' ')
                && title && title.innerText !== oldTitle
                && document.querySelectorAll('[data-stale="true"]').length === 0;
        }""",
        arg=[number, not_title], timeout=30_000)


def test_shared_url_opens_slide_steps_with_the_keys(app_db, tmp_path):
    require_chromium()
    with streamlit_server(app_db) as url, chromium_page(1600, 900) as page:
        # The very first visit of a fresh server is the shared link itself.
        page.goto(f"{url}/presentatie?gemeente=GM9999&jaar=2023&dia=3", wait_until="domcontentloaded")
        page.wait_for_selector(COUNTER, timeout=60_000)
        page.wait_for_selector(".js-plotly-plot .bars path", timeout=60_000)
        title, counter, _ = _state(page)
        assert title == "Kinderen per wijk"
        assert re.match(r"Dia 3 van \d+ · Voorbeeldstad 2023", counter), counter
        assert page.locator(".js-plotly-plot .bars path").count() == 10
        assert not page.locator("[data-testid='stSidebar']").is_visible()
        assert page.locator("[data-testid='stException']").count() == 0
        save_screenshot(page, "presentatie.png", tmp_path)

        page.locator(TITLE).click()
        page.keyboard.press("ArrowRight")
        _wait_for_slide(page, 4, "Kinderen per wijk")
        page.wait_for_function("() => location.search.includes('dia=4')", timeout=10_000)
        assert "gemeente=GM9999" in page.url and "jaar=2023" in page.url
        title_before = _state(page)[0]
        # (that a refresh never flickers: test_the_chair_pauses_..., on its refreshing screen)

        # a presentation clicker sends PageUp / PageDown
        page.keyboard.press("PageUp")
        _wait_for_slide(page, 3, title_before)
        assert _state(page)[0] == "Kinderen per wijk"
        assert not page.get_by_role("button", name="Vorige dia").is_visible()


def test_report_and_workbook_download_from_the_page(app_db, tmp_path):
    require_chromium()
    import openpyxl

    with streamlit_server(app_db) as url, chromium_page(1600, 900) as page:
        page.goto(f"{url}/presentatie?gemeente=GM9999&jaar=2024&wijk=WK999905", wait_until="domcontentloaded")
        page.wait_for_selector(COUNTER, timeout=60_000)
        # the counter is drawn first: the page's run may still be under way (tests/browser.download)
        settled(page)
        page.get_by_text("Downloads voor de Planvorming").click()
        html_path = download(page, "Gemeenterapport (HTML)", tmp_path)
        assert html_path.name == "kindkaart-voorbeeldstad-2024-rapport.html"
        assert "Kindkaart Voorbeeldstad 2024" in html_path.read_text(encoding="utf-8")
        sheet_path = download(page, "Wijkfactsheet De Horst (HTML)", tmp_path)
        assert "Wijkfactsheet De Horst" in sheet_path.read_text(encoding="utf-8")
        xlsx_path = download(page, "Werkboek (Excel)", tmp_path)
        assert "Kinderen per wijk" in openpyxl.load_workbook(xlsx_path).sheetnames
        # the slide shows the wijk's own slide as well
        assert page.get_by_text("Dia 1 van").is_visible()


# The slide's picture (chart, map or key figures): how far down it reaches, and chart texts that
# stick out of their chart (cut off by it), with a few pixels for the font's own box, and a map
# legend's class that wrapped away from its colour.
FIT = """() => {
    const main = document.querySelector("[data-testid='stMain']");
    const pictures = [...main.querySelectorAll('.js-plotly-plot, .kk-map, .kk-cards')];
    const cut = [...main.querySelectorAll('.js-plotly-plot text')].filter((t) => {
        const r = t.getBoundingClientRect(), p = t.closest('.js-plotly-plot').getBoundingClientRect();
        return r.width > 0 && (r.left < p.left - 6 || r.right > p.right + 6 || r.top < p.top - 6
                               || r.bottom > p.bottom + 6);
    }).map((t) => t.textContent);
    // a map legend's class whose words start on another line than its coloured square
    const split = [...main.querySelectorAll('.kk-legend span[style*="background"]')].filter((swatch) => {
        const text = swatch.nextSibling;
        if (!text || text.nodeType !== Node.TEXT_NODE) return false;
        const range = document.createRange();
        range.selectNodeContents(text);
        const s = swatch.getBoundingClientRect();
        return [...range.getClientRects()].some((r) => r.top > s.bottom || r.bottom < s.top);
    }).map((swatch) => swatch.nextSibling.textContent);
    return [pictures.map((e) => e.getBoundingClientRect().bottom), cut.concat(split)];
}"""


# The controls above every slide: parts of the counter broken over two lines, and the refresh
# switch's label where it runs under its help icon.
CONTROLS = """() => {
    const counter = document.querySelector('.kk-counter');
    const place = counter.innerText.split(' · ')[1].trim();  // 'Voorbeeldstad 2024'
    const walker = document.createTreeWalker(counter, NodeFilter.SHOW_TEXT);
    let broken = [];
    while (walker.nextNode()) {
        const at = walker.currentNode.textContent.indexOf(place);
        if (at < 0) continue;
        const range = document.createRange();
        range.setStart(walker.currentNode, at);
        range.setEnd(walker.currentNode, at + place.length);
        const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
        if (lines.size > 1) broken = [place];
    }
    const label = document.querySelector("[data-testid='stCheckbox'] [data-testid='stMarkdownContainer'] p");
    const icon = document.querySelector("[data-testid='stCheckbox'] [data-testid='stTooltipIcon']");
    const [l, i] = [label.getBoundingClientRect(), icon.getBoundingClientRect()];
    const covered = l.right > i.left + 1 && l.left < i.right && l.bottom > i.top && l.top < i.bottom;
    return [broken, covered ? label.innerText : null];
}"""


@pytest.mark.parametrize("width,height", [(1280, 720), (1024, 768)])
def test_every_slide_fits_a_projector(app_db, width, height):
    """An LEA meeting projects at 1280x720 or 1024x768: every slide's chart, map or key figures
    were 600 px high under a long headline and ran off the screen (the Tekort slide needed 1.345
    px), and a bar's number was cut off at 1024 px. The explanation and the text alternative
    follow below the picture. At 1024 px the counter broke inside the gemeente's name
    ('s-' / 'Gravenhage 2024') and the word saying whether the refresh is on lay under the help
    icon of its switch."""
    require_chromium()
    with streamlit_server(app_db) as url, chromium_page(width, height) as page:
        page.goto(f"{url}/presentatie?gemeente=GM9999&jaar=2024", wait_until="domcontentloaded")
        page.wait_for_selector(COUNTER, timeout=60_000)
        total = int(page.locator(COUNTER).inner_text().split(" van ")[1].split(" ")[0])
        settled(page)
        # the refresh switch's label and help icon may come a moment after the counter
        for part in ("[data-testid='stCheckbox'] [data-testid='stMarkdownContainer'] p",
                     "[data-testid='stCheckbox'] [data-testid='stTooltipIcon']"):
            page.wait_for_selector(part, timeout=60_000)
        broken, covered = page.evaluate(CONTROLS)
        assert not broken, f"the counter breaks inside {broken}"
        assert not covered, f"the refresh switch's label lies under its help icon: {covered}"
        report = {}
        # every slide, and the map once more with the children 0-12 (the LEA view's map): the
        # longest legend, whose last class wrapped away from its colour at 1024 px
        for number, extra in [*((n, "") for n in range(1, total + 1)), (2, "&indicator=kinderen_0_12")]:
            page.goto(f"{url}/presentatie?gemeente=GM9999&jaar=2024&dia={number}{extra}",
                      wait_until="domcontentloaded")
            _wait_for_slide(page, number, "")
            page.wait_for_function(
                "() => !document.querySelector(\"[data-testid='stStatusWidget']\")"
                " && [...document.querySelectorAll(\"[data-testid='stPlotlyChart']\")]"
                ".every((c) => c.querySelector('.main-svg'))", timeout=60_000)
            if extra:
                page.wait_for_selector(".kk-legend", timeout=60_000)
            bottoms, cut = page.evaluate(FIT)
            title = page.locator(TITLE).inner_text()
            if any(bottom > height + 1 for bottom in bottoms) or cut:
                report[f"dia {number}{extra} ({title})"] = (bottoms, cut)
    assert not report, report


# Every text the room reads on a slide, in HTML or in a chart: its size and its contrast on white
# as seen (its colour's alpha and the opacity of every element around it). The presenter's own
# controls (buttons, the refresh switch, Sluiten) and what is folded away (an expander) are not for
# the room.
ROOM_TEXT = """() => {
  const channel = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
  const luminance = (rgb) => 0.2126 * channel(rgb[0]) + 0.7152 * channel(rgb[1]) + 0.0722 * channel(rgb[2]);
  const walker = document.createTreeWalker(document.querySelector("[data-testid='stMain']"), NodeFilter.SHOW_TEXT);
  const found = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.nodeValue.trim(), element = node.parentElement;
    if (!text || element.closest("a, button, summary, [data-testid='stExpander'], [data-testid='stCheckbox'],"
                                 + " .modebar, style, script")) continue;
    const box = element.getBoundingClientRect();
    if (box.width < 2 || box.height < 2) continue;
    const style = getComputedStyle(element);
    const colour = (element instanceof SVGElement ? style.fill : style.color).match(/[0-9.]+/g).map(Number);
    let opacity = colour.length > 3 ? colour[3] : 1;
    for (let e = element; e; e = e.parentElement) opacity *= parseFloat(getComputedStyle(e).opacity);
    const seen = colour.slice(0, 3).map((c) => c * opacity + 255 * (1 - opacity));
    found.push([text.slice(0, 50), parseFloat(style.fontSize), 1.05 / (luminance(seen) + 0.05)]);
  }
  return found;
}"""


def test_every_slide_s_text_reads_from_the_back_of_the_room(app_db):
    """On a projector every text for the room is at least 18 px and black or nearly (7:1): the
    notes under a slide's picture (the source, the route of the figures, wijken CBS keeps secret,
    places not released, a warning) were Streamlit's captions, 14 px in black at 60 % (#666)."""
    require_chromium()
    report = {}
    with streamlit_server(app_db) as url, chromium_page(1280, 720) as page:
        page.goto(f"{url}/presentatie?gemeente=GM9999&jaar=2024&wijk=WK999903", wait_until="domcontentloaded")
        page.wait_for_selector(COUNTER, timeout=60_000)
        total = int(page.locator(COUNTER).inner_text().split(" van ")[1].split(" ")[0])
        notes = 0
        for number in range(1, total + 1):
            page.goto(f"{url}/presentatie?gemeente=GM9999&jaar=2024&wijk=WK999903&dia={number}",
                      wait_until="domcontentloaded")
            _wait_for_slide(page, number, "")
            settled(page)
            # the slide's picture drawn: a chart's text, the map, the key figures, a table or a list
            page.wait_for_function("() => document.querySelector(\"[data-testid='stMain'] :is(.js-plotly-plot text,"
                                   " .kk-map svg, .kk-cards, table, li)\")", timeout=60_000)
            settled(page)
            notes += page.locator("[data-testid='stMain'] [data-testid='stCaptionContainer']").count()
            texts = page.evaluate(ROOM_TEXT)
            assert len(texts) > 3, texts
            small = [f"{text!r}: {size:.0f} px, {ratio:.1f}:1" for text, size, ratio in texts
                     if size < 18 or ratio < 7]
            if small:
                report[f"dia {number} ({page.locator(TITLE).inner_text()})"] = small
    assert notes >= 3  # the sample's slides have notes under their picture (source, route per year)
    assert not report, "\n".join(f"{slide}: {line}" for slide, lines in report.items() for line in lines)


# The first headline of the slide (on 'Aanlevering van gegevens': the newest delivery).
HEADLINE = "() => document.querySelector(\"[data-testid='stMain'] p.kk-big\")?.innerText ?? null"


def test_the_chair_pauses_the_refresh_and_no_new_figure_comes_until_resumed(app_db):
    """WCAG 2.2.2: the presentation refreshed itself every REFRESH_SECONDS with no way to stop it.
    The chair switches 'Automatisch verversen' off with the keyboard; the choice stays while the
    room moves between slides (keys, ?dia=N). A delivery arrives: a second screen with the refresh
    on shows it, and through two of that screen's refreshes (more than one interval) the paused
    one gets no message from the server and keeps its figure. Switched on again, the new figure
    comes."""
    require_chromium()
    import sys
    from pathlib import Path

    from data_sources import jobs, store
    from ui.slides import REFRESH_SECONDS

    sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "registrations"))
    from support import filled_template

    with streamlit_server(app_db) as url, chromium_page(1600, 900) as room:
        sockets = []
        room.on("websocket", lambda socket: sockets.append(socket))
        room.goto(f"{url}/presentatie?gemeente=GM9999&jaar=2024&dia=levering", wait_until="domcontentloaded")
        room.wait_for_selector(COUNTER, timeout=60_000)
        settled(room)
        title = room.locator(TITLE).inner_text()
        assert title == "Aanlevering van gegevens"
        number = int(room.locator(COUNTER).inner_text().split(" ")[1])
        toggle = room.get_by_role("switch", name="Automatisch verversen: aan")
        assert toggle.is_checked()
        assert room.locator(".kk-paused").count() == 0

        # off with the keyboard: the state in words, the note on the slide, the URL
        toggle.focus()
        room.keyboard.press("Space")
        paused = room.get_by_role("switch", name="Automatisch verversen: uit")
        paused.wait_for(timeout=30_000)
        room.locator(".kk-paused").wait_for(timeout=30_000)
        settled(room)
        assert not paused.is_checked()
        assert paused.evaluate("(el) => el === document.activeElement")  # the focus stayed on it
        assert "weer aanzet" in room.locator(".kk-paused").inner_text()
        room.wait_for_function("() => location.search.includes('verversen=uit')", timeout=10_000)

        # the keys still step, and the choice stays on the next slide and back
        room.locator(TITLE).click()
        room.keyboard.press("ArrowRight")
        _wait_for_slide(room, number + 1, title)
        assert room.get_by_role("switch", name="Automatisch verversen: uit").count() == 1
        assert room.locator(".kk-paused").count() == 1
        # the title to leave is read before the key: read after it, a quick step back had
        # already drawn the slide it waited for, and waited for a title other than its own
        next_title = room.locator(TITLE).inner_text()
        room.keyboard.press("ArrowLeft")
        _wait_for_slide(room, number, next_title)
        room.wait_for_function(f"() => location.search.includes('dia={number}')", timeout=10_000)
        assert "verversen=uit" in room.url
        app_socket = sockets[-1]
        _wait_until_quiet(app_socket)
        before = room.evaluate(HEADLINE)
        assert before.startswith("Laatste levering: ")

        # a second screen, refreshing, on the same slide
        screen = room.context.browser.new_context().new_page()
        screen_sockets = []
        screen.on("websocket", lambda socket: screen_sockets.append(socket))
        screen.goto(f"{url}/presentatie?gemeente=GM9999&jaar=2024&dia={number}", wait_until="domcontentloaded")
        screen.wait_for_selector(COUNTER, timeout=60_000)
        settled(screen)
        assert screen.evaluate(HEADLINE) == before
        frames = []
        app_socket.on("framereceived", lambda frame: frames.append(frame))
        room.evaluate(f"""() => {{ window.kkHeadlines = new Set();
            window.kkSampler = setInterval(() => window.kkHeadlines.add(({HEADLINE})()), 50); }}""")
        # the refreshing screen's title, counter and opacity, sampled through its refreshes
        screen_title, screen_counter, _ = _state(screen)
        _start_sampling(screen)

        # a partner delivers (as `python -m data_sources import` does)
        workbook = filled_template("vve-indicaties", [["Centrum", "2-4", "SES", 21]])
        con = store.connect(app_db)
        try:
            jobs.import_registration(con, workbook, "vve-indicaties", "GGD Pauzetest", "2024", "pauze.xlsx")
        finally:
            con.close()
        screen.wait_for_function(f"() => ({HEADLINE})()?.includes('GGD Pauzetest')",
                                 timeout=(REFRESH_SECONDS + 30) * 1000)
        # the screen's next refresh comes a full interval after the one that showed the delivery,
        # so more than an interval after the delivery: by then the room would have refreshed
        _wait_until_quiet(screen_sockets[-1])
        screen_sockets[-1].wait_for_event("framereceived", timeout=(REFRESH_SECONDS + 15) * 1000)
        _wait_until_quiet(screen_sockets[-1])
        # a refresh never flickers: the same slide, always fully visible (stale elements keep
        # their opacity), also when new figures come in
        samples = _stop_sampling(screen)
        assert len(samples) > 10
        assert {tuple(sample[:2]) for sample in samples} == {(screen_title, screen_counter)}
        assert min(sample[2] for sample in samples) == 1
        assert room.evaluate("() => { clearInterval(window.kkSampler); return [...window.kkHeadlines]; }") \
            == [before]
        assert frames == []  # not a single message: no rerun at all
        assert room.locator(".kk-paused").count() == 1

        # on again: the new figure comes at once
        room.get_by_role("switch", name="Automatisch verversen: uit").focus()
        room.keyboard.press("Space")
        room.wait_for_function(f"() => ({HEADLINE})()?.includes('GGD Pauzetest')", timeout=30_000)
        room.get_by_role("switch", name="Automatisch verversen: aan").wait_for(timeout=30_000)
        assert room.locator(".kk-paused").count() == 0
        room.wait_for_function("() => !location.search.includes('verversen')", timeout=10_000)
