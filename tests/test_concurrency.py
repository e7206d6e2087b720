"""Simultaneous uploads (two sessions, two browsers) and the command line while the app runs."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest
from browser import chromium_page, require_chromium, settled, sign_in, streamlit_server
from conftest import ROOT, add_account
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from data_sources import jobs, store
from ui.data import IDLE_SECONDS

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


def test_sessions_uploading_at_once_take_turns_and_all_land(app_db, monkeypatch):
    # Each session of the app has a connection of its own to the same database (ui.data); two
    # rebuilds of the marts at once would conflict in DuckDB ("Catalog write-write conflict").
    # The jobs take turns instead: with no second attempt allowed, every upload still lands.
    monkeypatch.setattr(jobs, "CONFLICT_ATTEMPTS", 1)
    files = {f"Partner {n}": filled_template("vve-indicaties", [["Centrum", "2-4", "SES", 10 + n]])
             for n in range(4)}
    for round_number in range(3):
        start = threading.Barrier(len(files))
        outcome: dict[str, str] = {}

        def upload(organisation: str, data: bytes, round_number=round_number, start=start,
                   outcome=outcome) -> None:
            con = store.connect(app_db)
            try:
                start.wait()
                result = jobs.import_registration(con, data, "vve-indicaties", organisation,
                                                  str(2022 + round_number), f"{organisation}.xlsx")
                outcome[organisation] = result.summary()
            except Exception as error:  # what the test is about: anything else is a failure
                outcome[organisation] = f"FOUT {type(error).__name__}: {error}"
            finally:
                con.close()

        threads = [threading.Thread(target=upload, args=item) for item in files.items()]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(outcome) == len(files)
        for organisation, said in outcome.items():
            assert said.startswith("Opgeslagen als upload"), said
            assert _active(app_db, organisation) == round_number + 1


def _sign_in(page, url: str, login: str, start_page: str = "Gegevens aanleveren") -> None:
    sign_in(page, url, login, PASSWORD, start_page)


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
            # the field is filled from the account when the page has drawn: awaited, not read at once
            expect(page.get_by_label("Organisatie", exact=True)).to_have_value(organisations[login],
                                                                                timeout=30_000)
            page.get_by_label("Soort registratie").click()
            page.get_by_role("option").filter(has_text="(vve-indicaties)").click()
            page.get_by_text("Levert meestal: JGZ").first.wait_for(timeout=30_000)
            settled(page)  # the uploader of the new type is drawn, the old one gone
            page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(files[login])
            page.get_by_role("button", name="Bevestigen en opslaan").wait_for(timeout=60_000)
        for page in pages.values():
            # a click while the page still reruns (the check of the file) can be lost with the
            # button it hit: as a user, click what has been drawn
            settled(page)
        for page in pages.values():  # two clicks without waiting in between
            page.get_by_role("button", name="Bevestigen en opslaan").click(no_wait_after=True)
        for login, page in pages.items():
            done = page.get_by_text("Opgeslagen als upload").or_(page.get_by_text("Probeer het opnieuw"))
            try:
                try:
                    done.first.wait_for(timeout=20_000)
                except PlaywrightTimeout:
                    # a click that reached no script run (the page was still drawing) is made once
                    # more when the page has settled without an answer, as a user would
                    # (browser.click_until_shown); one that reached a run is not made twice
                    settled(page)
                    save = page.get_by_role("button", name="Bevestigen en opslaan")
                    if done.count() == 0 and save.count():
                        save.click()
                    done.first.wait_for(timeout=60_000)
            except PlaywrightTimeout:
                # what the partner saw instead (a CI failure once could not be told apart from a lost click)
                raise AssertionError(f"{login}: geen antwoord op de upload; de pagina toont:\n"
                                     f"{page.locator('body').inner_text()[:3000]}") from None
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


@pytest.mark.browser
def test_a_scheduled_load_cbs_refreshes_a_running_app_and_holds_the_database_only_to_store(
        app_db, tmp_path):
    import importlib.util
    import os
    import time

    require_chromium()
    spec = importlib.util.spec_from_file_location(
        "cbs_fixture_server", Path(__file__).parent / "fixtures" / "cbs" / "server.py")
    recorded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(recorded)
    with recorded.CbsServer(delay=4) as cbs, streamlit_server(app_db) as url, chromium_page() as page:
        page.goto(url, wait_until="domcontentloaded")
        page.get_by_text("Overzicht Voorbeeldstad").first.wait_for(timeout=60_000)
        settled(page)  # its run has ended: a command that waits gets the database at once
        cbs.failures["/feed/85984NED"] = [0]  # CBS answers the first table after 4 seconds
        endpoints = cbs.endpoints()
        env = {**os.environ, "KINDKAART_CBS_V3_URL": endpoints.cbs_v3,
               "KINDKAART_CBS_V3_FEED_URL": endpoints.cbs_v3_feed,
               "KINDKAART_CBS_V4_URL": endpoints.cbs_v4, "KINDKAART_PDOK_WFS_URL": endpoints.pdok_wfs}
        process = subprocess.Popen(
            [sys.executable, "-m", "data_sources", "load-cbs", "--gemeente", "GM0344", "--jaar", "2024",
             "--db", str(app_db), "--cache", str(tmp_path / "cache")],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while not any(path.startswith("/feed/85984NED") for path, _ in cbs.requests):
            assert process.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)  # the request arrives in another process: nothing to await here
        # while CBS keeps it waiting, the database is free: anyone opens it as soon as the app has
        # been idle for a moment (it keeps the file open a short while after a click)
        store.connect(app_db, wait=IDLE_SECONDS + 1).close()
        assert process.poll() is None  # the load still waits for CBS
        page.reload(wait_until="domcontentloaded")
        page.get_by_text("Overzicht Voorbeeldstad").first.wait_for(timeout=60_000)
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, out + err
        assert "85984NED 2024: 1 gemeente(n), gegevens van" in out and "(opgehaald)" in out
        assert page.locator("[data-testid='stException']").count() == 0


@pytest.mark.browser
def test_a_cli_import_gets_its_turn_while_three_sessions_keep_browsing(app_db, tmp_path):
    # Between clicks the app keeps the database open for IDLE_SECONDS; three people clicking
    # through pages never leave it idle that long. A waiting command says so (a .wacht file) and
    # the app lets go when the runs under way end.
    import time

    require_chromium()
    cli_file = tmp_path / "cli.xlsx"
    cli_file.write_bytes(filled_template("vve-indicaties", [["Centrum", "2-4", "SES", 33]]))
    pages = ["Continuüm", "Tekorten", "Trends", "Overzicht", "Databronnen"]
    click = """name => [...document.querySelectorAll("[data-testid='stSidebarNav'] a")]
                         .find(link => link.innerText.includes(name)).click()"""
    with streamlit_server(app_db) as url, chromium_page() as first:
        sessions = [first] + [first.context.browser.new_context().new_page() for _ in range(2)]
        for session in sessions:
            session.goto(url, wait_until="domcontentloaded")
            session.get_by_text("Overzicht Voorbeeldstad").first.wait_for(timeout=60_000)
        outcome = {}

        def run_import() -> None:
            started = time.monotonic()
            outcome["result"] = _run_cli("import", str(cli_file), "--soort", "vve-indicaties",
                                         "--organisatie", "GGD Voorbeeldregio (JGZ)", "--periode", "2023",
                                         "--db", str(app_db))
            outcome["seconds"] = time.monotonic() - started

        seen_waiting = threading.Event()

        def watch_for_waiters() -> None:  # the command's .wacht file exists only while it waits
            while command.is_alive() and not seen_waiting.is_set():
                if list(app_db.parent.glob("*.wacht")):
                    seen_waiting.set()
                time.sleep(0.01)  # a file in another process's folder: nothing to await

        command = threading.Thread(target=run_import)
        watcher = threading.Thread(target=watch_for_waiters)
        clicks = 0
        while clicks < 2 * len(sessions) or command.is_alive():
            # the three sessions click on, without waiting for a page; the command starts once
            # they are busy, so that the app holds the database when it asks for it
            for session in sessions:
                session.evaluate(click, pages[clicks % len(pages)])
                clicks += 1
                time.sleep(0.2)
            if not command.is_alive() and "result" not in outcome:
                command.start()
                watcher.start()
        command.join()
        watcher.join()
        result = outcome["result"]
        assert result.returncode == 0, result.stdout + result.stderr  # not 'in gebruik'
        assert "Opgeslagen als upload" in result.stdout
        assert seen_waiting.is_set()  # it had to wait for the app, and got its turn
        for session in sessions:  # and the sessions go on
            session.evaluate(click, "Overzicht")
            session.get_by_text("Overzicht Voorbeeldstad").first.wait_for(timeout=60_000)
            settled(session)
            assert session.locator("[data-testid='stException']").count() == 0
    assert not list(app_db.parent.glob("*.wacht"))
