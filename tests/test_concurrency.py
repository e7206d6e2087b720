"""Simultaneous uploads (two sessions, two browsers) and the command line while the app runs."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest
from browser import chromium_page, require_chromium, streamlit_server
from conftest import ROOT, add_account

from data_sources import jobs, store
from data_sources.errors import InputRefused

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "registrations"))
from support import filled_template  # noqa: E402

PASSWORD = "correct paard batterij"


def _active(path: Path, organisation: str) -> int:
    con = store.connect(path, read_only=True)
    try:
        return con.execute("select count(*) from loads where organisation = ? and status = 'active'",
                           [organisation]).fetchone()[0]
    finally:
        con.close()


def test_two_sessions_uploading_at_once_both_land_or_hear_try_again(app_db):
    # Each session of the app has a connection of its own to the same database (ui.data); two
    # rebuilds of the marts at once conflict in DuckDB ("Catalog write-write conflict").
    files = {f"Partner {n}": filled_template("vve-indicaties", [["Centrum", "2-4", "SES", 10 + n]])
             for n in range(2)}
    for round_number in range(3):
        start = threading.Barrier(2)
        outcome: dict[str, str] = {}

        def upload(organisation: str, data: bytes, round_number=round_number, start=start,
                   outcome=outcome) -> None:
            con = store.connect(app_db)
            try:
                start.wait()
                result = jobs.import_registration(con, data, "vve-indicaties", organisation,
                                                  str(2022 + round_number), f"{organisation}.xlsx")
                outcome[organisation] = result.summary()
            except InputRefused as refused:
                outcome[organisation] = refused.messages[0]
            except Exception as error:  # what the test is about: anything else is a failure
                outcome[organisation] = f"FOUT {type(error).__name__}: {error}"
            finally:
                con.close()

        threads = [threading.Thread(target=upload, args=item) for item in files.items()]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for organisation, said in outcome.items():
            assert said.startswith("Opgeslagen als upload") or said == jobs.BUSY_MESSAGE, said
            assert _active(app_db, organisation) == round_number + 1 - (said == jobs.BUSY_MESSAGE)


def _sign_in(page, url: str, login: str, start_page: str = "Gegevens aanleveren") -> None:
    page.goto(url, wait_until="domcontentloaded")
    page.get_by_label("Login").fill(login)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.get_by_text(start_page).first.wait_for(timeout=60_000)


def _settled(page) -> None:
    """Wait until the rerun is drawn: Streamlit marks elements of the previous run stale."""
    page.wait_for_function("() => document.querySelectorAll('[data-stale=\"true\"]').length === 0"
                           " && !document.querySelector('[data-testid=\"stStatusWidget\"]')",
                           timeout=60_000)


def _run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "data_sources", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.browser
def test_two_browsers_upload_at_once_and_the_cli_works_while_the_app_runs(app_db, tmp_path):
    require_chromium()
    organisations = {"ggd": "GGD Voorbeeldregio (JGZ)", "kdv": "Kinderopvang Zonnetje"}
    for login, organisation in organisations.items():
        add_account(app_db, login, "partner", organisation, PASSWORD)
    files = {}
    for n, login in enumerate(organisations):
        files[login] = tmp_path / f"{login}.xlsx"
        files[login].write_bytes(filled_template("vve-indicaties", [["Centrum", "2-4", "SES", 20 + n]]))

    with streamlit_server(app_db) as url, chromium_page() as first:
        second = first.context.browser.new_page(viewport={"width": 1400, "height": 1000})
        pages = {"ggd": first, "kdv": second}
        for login, page in pages.items():
            _sign_in(page, url, login)
            # a partner's navigation: its own pages only
            navigation = page.locator("[data-testid='stSidebarNav']").inner_text()
            assert "Aanleveren" in navigation and "Kaart" in navigation
            assert "Beheer" not in navigation and "Gemeente laden" not in navigation
            assert page.get_by_label("Organisatie", exact=True).input_value() == organisations[login]
            page.get_by_label("Soort registratie").click()
            page.get_by_role("option").filter(has_text="(vve-indicaties)").click()
            page.get_by_text("Levert meestal: JGZ").first.wait_for(timeout=30_000)
            _settled(page)  # the uploader of the new type is drawn, the old one gone
            page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(files[login])
            page.get_by_role("button", name="Bevestigen en opslaan").wait_for(timeout=60_000)
        for page in pages.values():  # two clicks without waiting in between
            page.get_by_role("button", name="Bevestigen en opslaan").click(no_wait_after=True)
        for login, page in pages.items():
            done = page.get_by_text("Opgeslagen als upload").or_(page.get_by_text("Probeer het opnieuw"))
            done.first.wait_for(timeout=60_000)
            assert page.locator("[data-testid='stException']").count() == 0
            landed = page.get_by_text("Opgeslagen als upload").count() > 0
            assert _active(app_db, organisations[login]) == int(landed)

        # Between clicks the app holds no connection: commands read and write while it runs.
        history = _run_cli("history", "--organisatie", organisations["ggd"], "--db", str(app_db))
        assert history.returncode == 0, history.stdout + history.stderr
        cli_file = tmp_path / "cli.xlsx"
        cli_file.write_bytes(filled_template("vve-indicaties", [["Centrum", "2-4", "SES", 33]]))
        imported = _run_cli("import", str(cli_file), "--soort", "vve-indicaties", "--organisatie",
                            organisations["ggd"], "--periode", "2023", "--db", str(app_db))
        assert imported.returncode == 0, imported.stdout + imported.stderr
        added = subprocess.run([sys.executable, "-m", "data_sources", "users", "add", "zaal",
                                "--rol", "lea", "--wachtwoord-stdin", "--db", str(app_db)],
                               input=PASSWORD + "\n", cwd=ROOT, capture_output=True, text=True,
                               timeout=120)
        assert added.returncode == 0, added.stdout + added.stderr
        # the app knows the account the command added: the LEA view signs in to the presentation
        room = first.context.browser.new_page(viewport={"width": 1400, "height": 1000})
        _sign_in(room, url, "zaal", start_page="Dia 1 van")
        navigation = room.locator("[data-testid='stSidebarNav']")
        assert navigation.count() == 0 or "Aanleveren" not in navigation.inner_text()
        assert room.locator("[data-testid='stException']").count() == 0
