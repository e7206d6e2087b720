"""In real headless Chromium, with the keyboard alone: the whole upload and the presentation, each
control showing where the focus is."""

import sys
import time
from pathlib import Path

import pytest
from accessibility import axe_violations, focus_change, settle
from browser import chromium_page, require_chromium, streamlit_server

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "registrations"))
from support import filled_template  # noqa: E402

pytestmark = pytest.mark.browser

# Only for comparing screenshots: no blinking caret, no fading transition between two pictures.
STILL = "*, *::before, *::after { transition: none !important; animation: none !important; " \
        "caret-color: transparent !important; }"


def has_focus(locator) -> bool:
    return locator.evaluate("(el) => el === document.activeElement || el.contains(document.activeElement)")


def tab_to(page, locator, backwards: bool = False, limit: int = 80) -> None:
    """Press Tab (or Shift+Tab) until the focus is on `locator`; fail when it never gets there.
    Waits for Streamlit's rerun first and after (a rerun may redraw the control)."""
    settle(page)
    locator.wait_for(state="visible", timeout=60_000)
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        if has_focus(locator):
            settle(page)
            assert has_focus(locator)
            return
    raise AssertionError(f"Tab never reached {locator}")


def assert_focus_visible(page, locator) -> None:
    """The focused control looks different from the same control without focus (WCAG 2.4.7):
    compare it (with a margin for outlines) before and after one Shift+Tab, then Tab back."""
    box = locator.bounding_box()
    clip = {"x": max(box["x"] - 6, 0), "y": max(box["y"] - 6, 0), "width": box["width"] + 12,
            "height": box["height"] + 12}
    focused = page.screenshot(clip=clip)
    page.keyboard.press("Shift+Tab")
    settle(page)
    assert not has_focus(locator)
    unfocused = page.screenshot(clip=clip)
    page.keyboard.press("Tab")
    settle(page)
    assert has_focus(locator), "Tab did not come back to the same control"
    assert focused != unfocused, f"no visible focus on {locator}"


def test_upload_with_the_keyboard_alone(app_db, tmp_path):
    require_chromium()
    wrong = tmp_path / "vve-fout.xlsx"
    wrong.write_bytes(filled_template("vve-indicaties", [["Noordeinde", "2-4", "SES", 5]]))
    right = tmp_path / "vve-goed.xlsx"
    right.write_bytes(filled_template("vve-indicaties", [["Centrum", "2-4", "SES", 12],
                                                          ["Bloemhof", "2-4", "SES", 8]]))
    with streamlit_server(app_db) as url, chromium_page() as page:
        # Playwright switches on catching the file chooser without waiting for the browser: a
        # listener from the start makes sure it is on before the first Enter.
        page.on("filechooser", lambda chooser: None)
        page.goto(f"{url}/aanleveren?gemeente=GM9999&jaar=2024", wait_until="domcontentloaded")
        settle(page)
        page.add_style_tag(content=STILL)

        # choose the type: type to filter the list, Enter picks it
        soort = page.get_by_role("combobox", name="Soort registratie")
        tab_to(page, soort)
        assert_focus_visible(page, soort)
        page.keyboard.type("vve-indicaties")
        page.keyboard.press("Enter")
        page.get_by_text("Levert meestal: JGZ", exact=False).wait_for(timeout=30_000)
        settle(page)
        assert "vve-indicaties" in soort.input_value()

        organisation = page.get_by_role("textbox", name="Organisatie")
        tab_to(page, organisation)
        assert_focus_visible(page, organisation)
        page.keyboard.type("GGD Voorbeeldregio (JGZ)")

        # download the template
        template = page.get_by_role("button", name="Sjabloon downloaden (.xlsx)")
        tab_to(page, template)
        settle(page)
        assert_focus_visible(page, template)
        with page.expect_download(timeout=60_000) as download:
            page.keyboard.press("Enter")
        assert download.value.suggested_filename == "kindkaart-sjabloon-vve-indicaties.xlsx"

        # upload a file with a mistake: Enter on the upload button opens the file chooser
        browse = page.locator("[data-testid='stFileUploader']").get_by_role("button", name="Bestand kiezen", exact=True)
        tab_to(page, browse)
        assert_focus_visible(page, browse)
        with page.expect_file_chooser() as chooser:
            page.keyboard.press("Enter")
        chooser.value.set_files(str(wrong))
        alert = page.get_by_role("alert").filter(has_text="vve-fout.xlsx is niet in orde")
        alert.wait_for(timeout=60_000)
        settle(page)

        # read the messages: the alert is announced, and right after it in reading order comes a
        # plain table (header cells with scope) of sheet, row, column and message
        table = page.locator("table").filter(has_text="Meldingen bij vve-fout.xlsx")
        assert page.evaluate(
            "([alert, table]) => !!(alert.compareDocumentPosition(table) & Node.DOCUMENT_POSITION_FOLLOWING)",
            [alert.element_handle(), table.element_handle()])
        assert table.locator("th[scope='col']").all_inner_texts() == ["Blad", "Rij", "Kolom", "Kolomnaam", "Melding"]
        assert "'Noordeinde' is geen wijk van Voorbeeldstad" in table.locator("tbody").inner_text()
        assert axe_violations(page) == []

        # remove it and upload the corrected file
        remove = page.get_by_role("button", name="vve-fout.xlsx verwijderen")
        tab_to(page, remove, backwards=True)
        page.keyboard.press("Enter")
        alert.wait_for(state="detached", timeout=60_000)
        settle(page)
        browse = page.locator("[data-testid='stFileUploader']").get_by_role("button", name="Bestand kiezen", exact=True)
        tab_to(page, browse, backwards=True)
        with page.expect_file_chooser() as chooser:
            page.keyboard.press("Enter")
        chooser.value.set_files(str(right))
        page.get_by_text("vve-goed.xlsx is in orde").wait_for(timeout=60_000)
        settle(page)
        assert axe_violations(page) == []

        # confirm
        confirm = page.get_by_role("button", name="Bevestigen en opslaan")
        tab_to(page, confirm)
        assert_focus_visible(page, confirm)
        page.keyboard.press("Enter")
        page.get_by_text("Opgeslagen als upload").first.wait_for(timeout=60_000)  # and its toast
        assert page.locator("[data-testid='stException']").count() == 0


def test_presentation_with_the_keyboard_alone(app_db):
    require_chromium()
    from ui.slides import REFRESH_SECONDS

    with streamlit_server(app_db) as url, chromium_page(1600, 900) as page:
        sockets = []
        page.on("websocket", lambda socket: sockets.append(socket))
        page.goto(f"{url}/presentatie?gemeente=GM9999&jaar=2024", wait_until="domcontentloaded")
        page.wait_for_selector(".kk-counter", timeout=60_000)
        settle(page)
        page.add_style_tag(content=STILL)
        counter = page.locator(".kk-counter")
        assert counter.inner_text().startswith("Dia 1 van")

        following = page.get_by_role("button", name="Volgende")
        tab_to(page, following)
        assert_focus_visible(page, following)
        page.keyboard.press("Enter")
        page.wait_for_function("() => document.querySelector('.kk-counter').innerText.startsWith('Dia 2 ')",
                               timeout=30_000)
        settle(page)
        page.keyboard.press("Space")
        page.wait_for_function("() => document.querySelector('.kk-counter').innerText.startsWith('Dia 3 ')",
                               timeout=30_000)
        settle(page)

        previous = page.get_by_role("button", name="Vorige")
        tab_to(page, previous, backwards=True)
        assert_focus_visible(page, previous)
        page.keyboard.press("Enter")
        page.wait_for_function("() => document.querySelector('.kk-counter').innerText.startsWith('Dia 2 ')",
                               timeout=30_000)
        settle(page)
        assert page.locator("[data-testid='stMain'] h1").inner_text() == "Kaart"

        # the slide refreshes itself (a message from the server a while after the last key):
        # the focus stays where it was
        quiet_from = time.monotonic() + 1
        with sockets[0].expect_event("framereceived", predicate=lambda _: time.monotonic() > quiet_from,
                                     timeout=(REFRESH_SECONDS + 15) * 1000):
            pass
        settle(page)
        assert has_focus(previous)

        # the automatic refresh off and on again (WCAG 2.2.2), the focus staying on the switch
        refresh = page.get_by_role("switch", name="Automatisch verversen: aan")
        tab_to(page, refresh)
        assert_focus_visible(page, refresh)
        page.keyboard.press("Space")
        paused = page.get_by_role("switch", name="Automatisch verversen: uit")
        paused.wait_for(timeout=30_000)
        settle(page)
        assert has_focus(paused)
        page.keyboard.press("Space")
        refresh.wait_for(timeout=30_000)
        settle(page)
        assert has_focus(refresh)

        leave = page.get_by_role("link", name="Sluiten")
        tab_to(page, leave)
        assert_focus_visible(page, leave)
        page.keyboard.press("Enter")
        page.get_by_role("heading", level=1, name="Overzicht Voorbeeldstad 2024").wait_for(timeout=60_000)
        assert "presentatie" not in page.url


def test_every_focus_stop_on_the_kaart_shows_the_focus(app_db):
    # The Kaart has the most kinds of controls: navigation, selects, the map canvas and its
    # toolbar, the expander with the map as a table.
    require_chromium()
    with streamlit_server(app_db) as url, chromium_page() as page:
        page.goto(f"{url}/kaart?gemeente=GM9999&jaar=2024", wait_until="domcontentloaded")
        page.wait_for_selector("[data-testid='stDeckGlJsonChart'] canvas", timeout=60_000)
        settle(page)
        page.add_style_tag(content=STILL)
        last = page.get_by_role("combobox", name="Wijkprofiel (of klik op een wijk)")
        unseen, stops = [], 0
        while not has_focus(last):
            page.keyboard.press("Tab")
            stops += 1
            assert stops < 60, "the Wijkprofiel field is not reachable with Tab"
            box = page.evaluate("() => { const r = document.activeElement.getBoundingClientRect();"
                                " return {x: r.x, y: r.y, width: r.width, height: r.height}; }")
            clip = {"x": max(box["x"] - 6, 0), "y": max(box["y"] - 6, 0), "width": box["width"] + 12,
                    "height": box["height"] + 12}
            focused = page.screenshot(clip=clip)
            name = page.evaluate("() => { const a = document.activeElement; return a.tagName + ' '"
                                 " + (a.getAttribute('aria-label') || a.innerText).slice(0, 40); }")
            # measure only: take the focus away for one picture, then give it back
            page.evaluate("() => { window.__focused = document.activeElement; window.__focused.blur(); }")
            if page.screenshot(clip=clip) == focused:
                unseen.append(name)
            page.evaluate("() => window.__focused.focus()")
        assert stops > 15
        assert not unseen, f"no visible focus on: {unseen}"


@pytest.mark.parametrize("path,title", [("", "Overzicht Voorbeeldstad 2024"),
                                        ("continuum", "Continuüm van ondersteuning Voorbeeldstad 2024"),
                                        ("aanleveren", "Gegevens aanleveren")])
def test_every_focus_stop_shows_the_focus_at_3_to_1(app_db, path, title):
    """The focus is seen, not just different (WCAG 2.4.7, with the 3:1 of 1.4.11 for a control's
    state): Streamlit marks a focused link in the sidebar navigation with a light grey background
    (1.1:1), its header buttons (Hoofdmenu, Zijbalk inklappen) with a grey ring of 20 % (1.5:1) and
    its buttons, expanders and heading links with a blue ring of 50 % (2.1:1). At every stop of the
    page, at least as many pixels as the control's outline is long change colour by 3:1 or more."""
    require_chromium()
    with streamlit_server(app_db) as url, chromium_page() as page:
        page.goto(f"{url}/{path}?gemeente=GM9999&jaar=2024", wait_until="domcontentloaded")
        page.get_by_role("heading", level=1, name=title).wait_for(timeout=60_000)
        settle(page)
        page.add_style_tag(content=STILL)
        faint, names = [], []
        for _ in range(60):
            page.keyboard.press("Tab")
            # a radio button or checkbox hides its input: its focus shows around the option
            box = page.evaluate("""() => { const a = document.activeElement;
                if (a === document.body) return null;
                const shown = ['radio', 'checkbox'].includes(a.type) ? a.closest('label') || a : a;
                const r = shown.getBoundingClientRect(), w = innerWidth, h = innerHeight;
                const x = Math.max(r.x, 0), y = Math.max(r.y, 0);
                return {x, y, width: Math.min(r.right, w) - x, height: Math.min(r.bottom, h) - y,
                        name: a.tagName + ' ' + (a.getAttribute('aria-label') || a.innerText).trim()
                              .replace(/\\s+/g, ' ').slice(0, 40)}; }""")
            if box is None:
                break  # past the last stop
            names.append(box["name"])
            clip = {"x": max(box["x"] - 6, 0), "y": max(box["y"] - 6, 0), "width": box["width"] + 12,
                    "height": box["height"] + 12}
            outline = 2 * (box["width"] + box["height"])
            # a canvas (the data grid) draws its focus ring in a later frame: on a busy machine
            # the first picture can come before it, so look again a few times before judging
            for attempt in range(5):
                if attempt:
                    page.wait_for_timeout(300)
                focused = page.screenshot(clip=clip)
                # measure only: take the focus away for one picture, then give it back
                page.evaluate("() => { window.__focused = document.activeElement; window.__focused.blur(); }")
                if attempt:
                    page.wait_for_timeout(300)
                unfocused = page.screenshot(clip=clip)
                page.evaluate("() => window.__focused.focus()")
                if (seen := focus_change(focused, unfocused)) >= outline:
                    break
            else:
                faint.append(f"{box['name']} ({seen} px op 3:1 of meer, omtrek {outline:.0f} px)")
        assert len(names) > 15 and any(name.startswith("A ") and "Kaart" in name for name in names), names
        assert not faint, "focus niet goed te zien op:\n" + "\n".join(faint)
