"""Access in the browser where it differs from AppTest: a part of a page that reruns on its own."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from browser import chromium_page, require_chromium, settled, sign_in, streamlit_server
from conftest import ROOT, add_account

from data_sources import store

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "registrations"))
from support import filled_template  # noqa: E402

PASSWORD = "correct paard batterij"
GGD = "GGD Voorbeeldregio (JGZ)"


@pytest.mark.browser
def test_an_account_disabled_while_its_upload_page_is_open_cannot_save(app_db, tmp_path):
    # Aanleveren's upload part reruns on its own, without app.py (pages/aanleveren.py, delivery):
    # it must ask for the account itself, or a disabled partner could still save.
    require_chromium()
    add_account(app_db, "ggd", "partner", GGD, PASSWORD)
    before = _loads(app_db)
    upload = tmp_path / "vve.xlsx"
    upload.write_bytes(filled_template("vve-indicaties", [["Centrum", "2-4", "SES", 20]]))
    with streamlit_server(app_db) as url, chromium_page() as page:
        sign_in(page, url, "ggd", PASSWORD, "Gegevens aanleveren")
        page.get_by_label("Soort registratie").click()
        page.get_by_role("option").filter(has_text="(vve-indicaties)").click()
        page.get_by_text("Levert meestal: JGZ").first.wait_for(timeout=30_000)
        settled(page)
        page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(upload)
        confirm = page.get_by_role("button", name="Bevestigen en opslaan")
        confirm.wait_for(timeout=60_000)
        settled(page)
        disabled = subprocess.run([sys.executable, "-m", "data_sources", "users", "disable", "ggd",
                                   "--db", str(app_db)], cwd=ROOT, capture_output=True, text=True,
                                  timeout=120)
        assert disabled.returncode == 0, disabled.stdout + disabled.stderr
        confirm.click()
        page.get_by_text("Inloggen bij Kindkaart").or_(page.get_by_text("Log eerst in")).first.wait_for(
            timeout=60_000)
        assert page.get_by_text("Opgeslagen als upload").count() == 0
        assert page.locator("[data-testid='stException']").count() == 0
    assert _loads(app_db) == before


def _loads(db: Path) -> int:
    """The GGD's loads (the sample gemeente has some of its own)."""
    con = store.connect(db, read_only=True)
    try:
        return con.execute("select count(*) from loads where organisation = ?", [GGD]).fetchone()[0]
    finally:
        con.close()


@pytest.mark.browser
def test_an_lea_disabled_while_the_presentation_is_open_is_signed_out(app_db):
    # The presentation's slides rerun on their own, without app.py (pages/presentatie.py): they
    # must ask for the account themselves. Before, a disabled LEA stepped on and, with no account,
    # was shown what the demo may see: partner indicators the gemeente never released.
    require_chromium()
    add_account(app_db, "zaal", "lea", None, PASSWORD)
    with streamlit_server(app_db) as url, chromium_page() as page:
        page.goto(f"{url}/?indicator=vve_per_100&dia=2", wait_until="domcontentloaded")
        sign_in(page, url, "zaal", PASSWORD, "Dia 1 van")
        settled(page)
        disabled = subprocess.run([sys.executable, "-m", "data_sources", "users", "disable", "zaal",
                                   "--db", str(app_db)], cwd=ROOT, capture_output=True, text=True,
                                  timeout=120)
        assert disabled.returncode == 0, disabled.stdout + disabled.stderr
        page.get_by_role("button", name="Volgende").first.click()
        page.get_by_text("Inloggen bij Kindkaart").first.wait_for(timeout=60_000)
        assert page.get_by_text("Vve-indicaties").count() == 0
        assert page.locator("[data-testid='stException']").count() == 0


@pytest.mark.browser
def test_a_link_with_markdown_in_gemeente_makes_no_request_elsewhere_and_no_foreign_link(app_db):
    # /?gemeente=GM0000 ![](http://tracker...) [log hier opnieuw in](https://phish...) showed, after
    # login, a warning with a clickable foreign link and made the browser fetch the foreign image
    # (README: the browser asks nothing of other servers), also on the LEA projector.
    from urllib.parse import quote, urlsplit

    require_chromium()
    add_account(app_db, "ggd", "partner", GGD, PASSWORD)
    add_account(app_db, "zaal", "lea", None, PASSWORD)
    payload = ("GM0000 ![](http://tracker.example/pixel.png) — uw sessie is verlopen: "
               "[log hier opnieuw in](https://phish.example/login) <img src=https://tracker.example/2.png> "
               "www.phish.example")
    with streamlit_server(app_db) as url:
        own_host = urlsplit(url).netloc
        for login, landed in (("ggd", "Gegevens aanleveren"), ("zaal", "Dia 1 van")):
            with chromium_page() as page:
                elsewhere: list[str] = []
                page.route("**/*", lambda route, _request, seen=elsewhere: _only_own_host(
                    route, own_host, seen))
                page.goto(f"{url}/?gemeente={quote(payload)}", wait_until="domcontentloaded")
                page.get_by_label("Login").fill(login)
                page.get_by_label("Wachtwoord").fill(PASSWORD)
                page.get_by_role("button", name="Inloggen").click()
                page.get_by_text(landed).first.wait_for(timeout=60_000)
                # both accounts are tied to Voorbeeldstad: not told whether GM0000 is loaded
                page.get_by_text("De gemeente uit de link hoort niet bij uw account").first.wait_for(
                    timeout=30_000)
                settled(page)
                page.wait_for_timeout(1_000)  # an image would be asked for by now
                hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
                images = page.eval_on_selector_all("img[src]", "imgs => imgs.map(i => i.src)")
                assert elsewhere == []
                assert not [h for h in hrefs if "phish" in h or "tracker" in h]
                assert not [i for i in images if "tracker" in i]
                assert "phish" not in page.locator("[data-testid='stAlert']").first.inner_text()


def _only_own_host(route, own_host: str, elsewhere: list[str]) -> None:
    """Let requests to the app through; note and stop any other."""
    from urllib.parse import urlsplit

    if urlsplit(route.request.url).netloc in (own_host, ""):
        route.continue_()
    else:
        elsewhere.append(route.request.url)
        route.abort()


@pytest.mark.browser
def test_a_link_to_a_page_opens_that_page_after_login_and_says_so_without_access(app_db):
    """Review (session 23): a shared link to /databronnen (or a reload, which starts a new
    session) was not a page before login: Streamlit fell back to its main page (with its English
    'Page not found ... Running the app's main page' dialog) and the link was lost; a page the
    role may not open (a partner at /databronnen) did the same."""
    from urllib.parse import urlsplit

    require_chromium()
    add_account(app_db, "ggd", "partner", GGD, PASSWORD)
    add_account(app_db, "analist", "analist", None, PASSWORD)
    with streamlit_server(app_db) as url:
        for login, landed in (("analist", "Alle geladen gegevens"), ("ggd", "U heeft geen toegang tot deze pagina")):
            with chromium_page() as page:
                page.goto(f"{url}/databronnen?gemeente=GM9999", wait_until="domcontentloaded")
                page.get_by_text("Inloggen bij Kindkaart").first.wait_for(timeout=60_000)
                settled(page)
                assert urlsplit(page.url).path == "/databronnen", page.url
                page.get_by_label("Login").fill(login)
                page.get_by_label("Wachtwoord").fill(PASSWORD)
                page.get_by_role("button", name="Inloggen").click()
                page.get_by_text(landed).first.wait_for(timeout=60_000)
                settled(page)
                assert urlsplit(page.url).path == "/databronnen", page.url
                assert page.get_by_text("Page not found").count() == 0
                assert page.locator("[data-testid='stException']").count() == 0
