"""The real app under faults and races: a `streamlit run` server killed (SIGKILL) while a browser
upload is being stored, and a second session, a restore, the command line and `init --force`
at work while the app is in the middle of an upload."""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from browser import chromium_page, require_chromium, settled, sign_in, streamlit_server
from conftest import ROOT, add_account, centrum_vve_toddlers
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from data_sources import store

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "registrations"))
from support import filled_template  # noqa: E402

pytestmark = pytest.mark.browser

MARKED_APP = Path(__file__).parent / "fixtures" / "app_marked.py"
PASSWORD = "correct paard batterij"
ORGANISATION = "Kill BV"
CHILDREN = 1000  # far above any sample count, so that an upload's share of a figure is unmistakable
# What the app may answer to a click on "Bevestigen en opslaan" or "Terugzetten"
ANSWERS = ("Opgeslagen als upload", "al aangeleverd", "weer de actieve versie", "Probeer het opnieuw",
           "in gebruik")
ENGLISH = re.compile(r"Traceback|Error|Exception|conflict|database is locked", re.I)


def _workbook(tmp_path: Path, name: str, children: int) -> Path:
    path = tmp_path / name
    path.write_bytes(filled_template("vve-indicaties", [["Centrum", "2-4", "SES", children]]))
    return path


def _state(path: Path) -> tuple[list[str], int]:
    """(the file names of the active uploads of the test's organisations, the vve-indicaties of
    2-4 year olds in Centrum in the mart). Opens the database itself: the server is not running
    (or lets go of it when idle)."""
    con = store.connect(path)
    try:
        active = [name for (name,) in con.execute(
            "select file_name from loads where organisation in (?, 'CLI BV') and status = 'active'"
            " order by file_name", [ORGANISATION]).fetchall()]
        count = centrum_vve_toddlers(con)
    finally:
        con.close()
    return active, count


def _children(name: str) -> int:
    return int(re.search(r"(\d+)\.xlsx$", name).group(1))


def _choose_file(page, workbook: Path) -> None:
    """On Aanleveren: choose vve-indicaties (once per session) and put the file in the uploader,
    until the button to save it is drawn."""
    if page.get_by_text("Levert meestal: JGZ").count() == 0:
        # scrolled down to Terugzetten, the click's own scroll to the box came a frame after the
        # list opened, and closed it (the history's second table made the page that long)
        page.get_by_label("Soort registratie").scroll_into_view_if_needed()
        page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
        page.get_by_label("Soort registratie").click()
        page.get_by_role("option").filter(has_text="(vve-indicaties)").click()
        page.get_by_text("Levert meestal: JGZ").first.wait_for(timeout=30_000)
        settled(page)  # the uploader of the new type is drawn, the old one gone
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(workbook)
    page.get_by_role("button", name="Bevestigen en opslaan").wait_for(timeout=60_000)
    settled(page)  # a click while the page still reruns can be lost with the button it hit


def _answer(page, timeout: float = 90_000) -> str:
    """What the app answered to the last click: the first of ANSWERS it shows (never a traceback
    or English text)."""
    answers = page.get_by_text(re.compile("|".join(map(re.escape, ANSWERS))))
    try:
        answers.first.wait_for(timeout=timeout)
    except PlaywrightTimeout:
        raise AssertionError("geen antwoord; de pagina toont:\n"
                             + page.locator("body").inner_text()[:3000]) from None
    settled(page)
    _no_traceback(page)
    return answers.first.inner_text()


def _answer_to_click(page, button: str, tries: int = 3) -> str:
    """_answer to a click made with no_wait_after; a click that reached no script run (the page
    was still redrawing) is made again once the page has settled and shows no answer, as a user
    would (a click that did reach a run is never made twice: settled waits for that run)."""
    answers = page.get_by_text(re.compile("|".join(map(re.escape, ANSWERS))))
    for _ in range(tries - 1):
        try:
            answers.first.wait_for(timeout=20_000)
            break
        except PlaywrightTimeout:
            settled(page)
            if answers.count() == 0:
                page.get_by_role("button", name=button).click(no_wait_after=True)
    return _answer(page)


def _no_traceback(page) -> None:
    assert page.locator("[data-testid='stException']").count() == 0
    shown = " ".join(page.locator("[data-testid='stAlert']").all_inner_texts())
    assert not ENGLISH.search(shown), shown


def _marks(marks: Path, kind: str) -> int:
    return len(list(marks.glob(f"{kind}-*")))


def _click_until_marked(page, button: str, marks: Path, kind: str, timeout: float = 90) -> None:
    """Click `button` and wait until the server writes a new mark of `kind` (another process: its
    files are polled). A click that reached no script run (the page was still redrawing what the
    previous click changed) is made again once the page has settled, as a user would."""
    seen = _marks(marks, kind)
    deadline = time.monotonic() + timeout
    while True:
        page.get_by_role("button", name=button).click(no_wait_after=True)
        retry = time.monotonic() + 10
        while _marks(marks, kind) <= seen and time.monotonic() < min(retry, deadline):
            time.sleep(0.005)
        if _marks(marks, kind) > seen:
            return
        assert time.monotonic() < deadline, f"no {kind} mark"
        settled(page)
        if _marks(marks, kind) > seen:  # the click did reach a run, which came to the mark late
            return


ROUNDS = 2  # a round takes some 10 seconds: a server start, a login and two uploads


def test_the_app_killed_while_storing_an_upload_keeps_figures_and_status_together(
        app_db, tmp_path, marks):
    # Each round: a fresh server; the file of the previous round is uploaded again (it must land
    # unless it is the active upload, never "al aangeleverd" for a file that is not active), then
    # a new file, and the server is killed at a random moment from the start of its store or of
    # its rebuild. With the server dead, the database must show the upload in the figures exactly
    # when it is active.
    require_chromium()
    add_account(app_db, "kill", "partner", ORGANISATION, PASSWORD)
    base = _state(app_db)[1]
    chance = random.Random(18)
    files = [_workbook(tmp_path, f"ronde-{n}-{CHILDREN + n}.xlsx", CHILDREN + n) for n in range(ROUNDS)]
    killed_before_commit = 0
    previous_active = None
    with chromium_page() as browser_page:
        for round_number in range(ROUNDS + 1):
            page = browser_page.context.browser.new_page(viewport={"width": 1400, "height": 1000})
            with streamlit_server(app_db, script=MARKED_APP, poll_seconds=0.05) as url:
                sign_in(page, url, "kill", PASSWORD, "Gegevens aanleveren")  # starts cleanly
                _no_traceback(page)
                if round_number:
                    _choose_file(page, files[round_number - 1])
                    page.get_by_role("button", name="Bevestigen en opslaan").click()
                    said = _answer(page)
                    expected = "al aangeleverd" if previous_active else "Opgeslagen als upload"
                    assert expected in said, (round_number, said)
                if round_number == ROUNDS:
                    break
                _choose_file(page, files[round_number])
                anchor = "rebuild" if round_number == 0 else chance.choice(["store", "rebuild"])
                _click_until_marked(page, "Bevestigen en opslaan", marks, anchor)
                time.sleep(0 if round_number == 0 else chance.uniform(0, 0.8))
                os.kill(int((marks / "pid").read_text()), signal.SIGKILL)
            page.close()
            active, count = _state(app_db)
            assert len(active) <= 1, active
            assert count == base + sum(map(_children, active)), "figures and upload status disagree"
            previous_active = files[round_number].name in active
            killed_before_commit += not previous_active
    assert killed_before_commit >= 1  # a kill landed inside the rebuild (round 0 at least)
    active, count = _state(app_db)
    assert active == [files[-1].name] and count == base + _children(files[-1].name)
    # nothing piles up: no .wacht, scratch or temporary files beside the database
    left = sorted(p.name for p in app_db.parent.iterdir()
                  if p.is_file() and not p.name.startswith(("streamlit-", "ronde-")))
    assert left in (["kindkaart.duckdb"], ["kindkaart.duckdb", "kindkaart.duckdb.wal"]), left


def _cli(db: Path, *args: str) -> tuple[subprocess.CompletedProcess, float]:
    start = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "data_sources", *args, "--db", str(db)], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    return result, time.monotonic() - start


def _in_thread(results: dict, key: str, *args) -> threading.Thread:
    thread = threading.Thread(target=lambda: results.__setitem__(key, _cli(*args)))
    thread.start()
    return thread


def _slow(marks: Path, seconds: float) -> None:
    (marks / "slow").write_text(str(seconds))


def test_sessions_a_restore_the_command_line_and_init_force_race_an_upload_in_the_app(
        app_db, tmp_path, marks):
    require_chromium()
    for login in ("kill1", "kill2"):  # two people of the same organisation
        add_account(app_db, login, "partner", ORGANISATION, PASSWORD)
    base = _state(app_db)[1]
    files = {name: _workbook(tmp_path, f"{name}-{children}.xlsx", children)
             for name, children in (("a1", 1100), ("b1", 1200), ("b2", 1300), ("a2", 1400),
                                     ("a3", 1500), ("cli", 1600))}
    with streamlit_server(app_db, script=MARKED_APP, poll_seconds=0.05) as url, \
            chromium_page() as first:
        second = first.context.browser.new_page(viewport={"width": 1400, "height": 1000})
        sign_in(first, url, "kill1", PASSWORD, "Gegevens aanleveren")
        sign_in(second, url, "kill2", PASSWORD, "Gegevens aanleveren")

        # 1. Both upload at once (each rebuild takes half a second more than usual: they overlap)
        _slow(marks, 0.5)
        _choose_file(first, files["a1"])
        _choose_file(second, files["b1"])
        for page in (first, second):
            page.get_by_role("button", name="Bevestigen en opslaan").click(no_wait_after=True)
        said = [_answer_to_click(page, "Bevestigen en opslaan") for page in (first, second)]
        assert all("Opgeslagen als upload" in s or "Probeer het opnieuw" in s for s in said), said

        # 2. A restore in one session while the other session's upload is being stored
        _slow(marks, 1)
        _choose_file(second, files["b2"])
        # a new session (a reload ends the login) whose history shows the superseded upload
        sign_in(first, url, "kill1", PASSWORD, "Gegevens aanleveren")
        first.get_by_role("button", name="Terugzetten").wait_for(timeout=60_000)
        settled(first)
        _click_until_marked(second, "Bevestigen en opslaan", marks, "rebuild")
        _click_until_marked(first, "Terugzetten", marks, "rebuild")  # waits for its turn
        said = [_answer(second), _answer(first)]
        assert ("Opgeslagen als upload" in said[0] or "Probeer het opnieuw" in said[0]) and \
            ("weer de actieve versie" in said[1] or "Probeer het opnieuw" in said[1]), said

        # 3. The command line while the app is in the middle of an upload: an import and a
        # history wait for it and work.
        _slow(marks, 1)
        _choose_file(first, files["a2"])
        _click_until_marked(first, "Bevestigen en opslaan", marks, "rebuild")
        results: dict = {}
        commands = [_in_thread(results, "import", app_db, "import", str(files["cli"]), "--soort",
                               "vve-indicaties", "--organisatie", "CLI BV", "--periode", "2024"),
                    _in_thread(results, "history", app_db, "history")]
        assert "Opgeslagen als upload" in _answer(first)
        for command in commands:
            command.join()
        for key, (result, seconds) in results.items():
            assert result.returncode == 0, (key, result.stdout + result.stderr)
            assert seconds < store.LOCK_WAIT_SECONDS + 15, (key, seconds)
        assert "Opgeslagen als upload" in results["import"][0].stdout
        assert "Kill BV" in results["history"][0].stdout

        # ... and a command that holds the database longer than others wait for it (a load on a
        # large database): an export waits its documented time (store.LOCK_WAIT_SECONDS) and then
        # says in Dutch that the database is in use; so is a session saving meanwhile, in the part
        # of the page that reruns on its own (a fragment, without app.py around it); its next try
        # after the command lands
        _choose_file(first, files["a3"])
        holder = subprocess.Popen(  # holds the database until told to let go (a line on stdin)
            [sys.executable, "-c", "import sys\nfrom data_sources import store\n"
             "con = store.connect(sys.argv[1])\nprint('vast', flush=True)\nsys.stdin.readline()\n"
             "con.close()", str(app_db)], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            text=True)
        assert holder.stdout.readline().strip() == "vast"
        first.get_by_role("button", name="Bevestigen en opslaan").click(no_wait_after=True)
        export, seconds = _cli(app_db, "export", "--out", str(tmp_path / "export.xlsx"))
        said = export.stdout + export.stderr
        assert export.returncode == 1 and "in gebruik" in said and not ENGLISH.search(said), said
        assert seconds < store.LOCK_WAIT_SECONDS + 8, seconds
        assert not (tmp_path / "export.xlsx").exists()
        assert "in gebruik" in _answer(first)
        holder.communicate("klaar\n", timeout=60)
        assert holder.returncode == 0
        first.get_by_role("button", name="Opnieuw proberen").click()
        _choose_file(first, files["a3"])
        _click_until_marked(first, "Bevestigen en opslaan", marks, "rebuild")
        assert "Opgeslagen als upload" in _answer(first)

        # figures and status agree after all of it (the app lets go of the file for this)
        active, count = _state(app_db)
        assert len(active) == 2 and files["cli"].name in active, active  # one per organisation
        assert count == base + sum(map(_children, active)), (active, count)

        # 4. `init --sample --force` while the app runs and a session is saving: the old database
        # (with what the app saved) goes to backups/, the app opens the new one at the next click
        _slow(marks, 1)
        _choose_file(second, files["a2"])
        _click_until_marked(second, "Bevestigen en opslaan", marks, "rebuild")
        init, seconds = _cli(app_db, "init", "--sample", "--force")
        said = init.stdout + init.stderr
        assert init.returncode == 0 and not ENGLISH.search(said), said
        answer = _answer(second)
        assert "Opgeslagen als upload" in answer or "al aangeleverd" in answer, answer
        for page in (first, second):
            page.reload(wait_until="domcontentloaded")
            page.get_by_text("Kindkaart").first.wait_for(timeout=60_000)
            settled(page)
            _no_traceback(page)
    backups = list(store.backup_dir(app_db).glob("*voor-force*.duckdb"))
    assert len(backups) == 1
    kept = store.connect(backups[0], read_only=True)
    try:  # nothing lost: everything the app said it saved is in the backup
        saved = {name for (name,) in kept.execute(
            "select file_name from loads where organisation in (?, 'CLI BV')", [ORGANISATION]).fetchall()}
    finally:
        kept.close()
    assert {files["a2"].name, files["a3"].name, files["cli"].name} <= saved, saved
