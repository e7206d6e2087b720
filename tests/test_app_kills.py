"""The real app killed (kill -9) in the middle of the deeds that write besides an upload (issue 16):
Terugzetten on Aanleveren, saving a scenario and "Opnieuw berekenen" on Scenario's, a release
on Beheer, a note on Analysevragen and an assumption changed (a slider) or reset. Each deed is
killed right after each of its write steps, before its commit (the marked app waits there:
condition-based, however busy the machine), and once at a random moment; with the server dead
the database must hold the deed wholly, with its audit line and the figures that go with it, or
not at all. A restarted server then completes it. (tests/test_app_faults.py does this for storing
an upload.)"""

from __future__ import annotations

import json
import os
import random
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from browser import SETTLED, chromium_page, require_chromium, settled, sign_in, streamlit_server
from conftest import ROOT, add_account, centrum_vve_toddlers
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from test_app_faults import MARKED_APP, ORGANISATION, PASSWORD, _children, _marks, _no_traceback

from data_sources import jobs, store
from transforms import scenarios

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "registrations"))
from support import filled_template  # noqa: E402

pytestmark = pytest.mark.browser

SCENARIO = "Kill-scenario"
NOTE = "Kill-notitie"
RELEASED = "vve_per_100"


@dataclass
class Deed:
    login: str
    role: str
    landed: str  # text of the page the login lands on
    link: str  # the page of the deed, in the navigation
    drawn: str  # a text that shows the page is drawn
    act: Callable  # act(page): the click (or choice) that saves, made once
    steps: tuple[str, ...]  # the marks written right after each write step, in order
    outcome: Callable  # outcome(db) -> whether the deed is stored; asserts it is whole if so


def _released(db: Path) -> bool:
    con = store.connect(db)
    try:
        rows = con.execute("select count(*) from indicator_releases where gemeente_code = 'GM9999'"
                           " and indicator_key = ? and audience = 'partner'", [RELEASED]).fetchone()[0]
        lines = con.execute("select count(*) from audit_log where action = 'vrijgave' and detail = ?",
                            [f"{RELEASED} voor partners in GM9999"]).fetchone()[0]
    finally:
        con.close()
    assert rows == lines <= 1, (rows, lines)
    return bool(rows)


def _noted(db: Path) -> bool:
    con = store.connect(db)
    try:
        rows = con.execute("select count(*) from analysis_notes where note = ?", [NOTE]).fetchone()[0]
        lines = con.execute("select count(*) from audit_log where action = 'analysenotitie'"
                            " and detail like '%notitie gewijzigd'").fetchone()[0]
    finally:
        con.close()
    assert rows == lines <= 1, (rows, lines)
    return bool(rows)


def _reset_logged(db: Path) -> bool:
    # the assumptions hold for the session only: the audit line is all that is stored
    con = store.connect(db)
    try:
        lines = con.execute("select count(*) from audit_log where action = 'parameter'").fetchone()[0]
    finally:
        con.close()
    assert lines <= 1
    return bool(lines)


def _change_logged(db: Path) -> bool:
    # a slider moved: the changed value holds for the session only, its audit line is stored
    con = store.connect(db)
    try:
        lines = con.execute("select count(*) from audit_log where action = 'parameter'"
                            " and detail like '% -> %'").fetchone()[0]
    finally:
        con.close()
    assert lines <= 1
    return bool(lines)


def _computed_as_stored(con, scenario_id: int) -> None:
    """A scenario marked computed holds the totals of a computation on the data as they are."""
    scenario = scenarios.load_scenario(con, scenario_id)
    assert scenario.input_fingerprint == scenarios.input_fingerprint(con, scenario.gemeente_code)
    fresh = {k: round(v, 3) for k, v in scenarios.compute(con, scenario).totals().items()}
    assert scenarios.stored_totals(con, scenario_id) == json.loads(json.dumps(fresh))


def _scenario_saved(db: Path) -> bool:
    con = store.connect(db)
    try:
        ids = [i for (i,) in con.execute("select scenario_id from scenarios where name = ?",
                                         [SCENARIO]).fetchall()]
        lines = con.execute("select count(*) from audit_log where action = 'scenario'"
                            " and detail like ?", [f"%({SCENARIO}) opgeslagen"]).fetchone()[0]
        assert len(ids) == lines <= 1, (ids, lines)
        for scenario_id in ids:  # with its totals, never a scenario without them
            _computed_as_stored(con, scenario_id)
    finally:
        con.close()
    return bool(ids)


def _recomputed(db: Path) -> bool:
    con = store.connect(db)
    try:
        lines = con.execute("select count(*) from audit_log where action = 'scenario'"
                            " and detail like 'scenario 1 (%) opnieuw berekend'").fetchone()[0]
        stale = con.execute("select input_fingerprint = 'verouderd' from scenarios where scenario_id = 1"
                            ).fetchone()[0]
        assert lines == (not stale) and lines <= 1, (lines, stale)
        if not stale:
            _computed_as_stored(con, 1)
    finally:
        con.close()
    return not stale


def _restored(db: Path) -> bool:
    con = store.connect(db)
    try:
        active = [name for (name,) in con.execute(
            "select file_name from loads where organisation = ? and status = 'active'",
            [ORGANISATION]).fetchall()]
        count = centrum_vve_toddlers(con)
        lines = con.execute("select count(*) from audit_log where action = 'terugzetten'").fetchone()[0]
    finally:
        con.close()
    assert len(active) == 1, active
    assert count == BASE[db] + _children(active[0]), "figures and upload status disagree"
    restored = active[0].startswith("eerste")
    assert lines == restored, (active, lines)
    return restored


BASE: dict[Path, int] = {}  # the figure without the test's uploads, per database


def _two_uploads(db: Path) -> None:
    """Two versions of the organisation's vve-indicaties: the second replaced the first, which
    Terugzetten brings back."""
    con = store.connect(db)
    try:
        BASE[db] = centrum_vve_toddlers(con)
        for name, children in (("eerste", 1000), ("tweede", 1001)):
            data = filled_template("vve-indicaties", [["Centrum", "2-4", "SES", children]])
            jobs.import_registration(con, data, "vve-indicaties", ORGANISATION, "2024",
                                     f"{name}-{children}.xlsx", actor="test")
    finally:
        con.close()


def _stale_first_scenario(db: Path) -> None:
    con = store.connect(db)
    try:
        con.execute("update scenarios set input_fingerprint = 'verouderd' where scenario_id = 1")
    finally:
        con.close()


def _click(name: str, first: bool = False):
    def act(page) -> None:
        button = page.get_by_role("button", name=name)
        (button.first if first else button).click(no_wait_after=True)
    return act


def _save_scenario(page) -> None:
    page.get_by_label("Naam", exact=True).fill(SCENARIO)
    page.get_by_role("button", name="Opslaan en berekenen").click(no_wait_after=True)


def _write_note(page) -> None:
    # the first question whose part is open (one with an answer); the others are folded
    page.get_by_label("Notitie voor het LEA").locator("visible=true").first.fill(NOTE)
    page.get_by_role("button", name="Opslaan", exact=True).locator("visible=true").first.click(
        no_wait_after=True)


def _release(page) -> None:
    page.get_by_label("Vrijgegeven voor partners").click()
    page.get_by_role("option", name="Vve-indicaties per 100 kinderen").click(no_wait_after=True)


def _reset_assumptions(page) -> None:
    button = page.get_by_role("button", name="Terug naar de standaardwaarden")
    if not button.is_visible():  # (a second try finds the part open)
        page.get_by_text("Aannames van het model en hun bronnen").first.click()
    button.click(no_wait_after=True)


def _change_assumption(page) -> None:
    # the first Middenwaarde slider one step up, by keyboard, as a user without a mouse does
    slider = page.get_by_role("slider", name="Middenwaarde").first
    if not slider.is_visible():  # (a second try finds the part open)
        page.get_by_text("Aannames van het model en hun bronnen").first.click()
    slider.press("ArrowRight")


DEEDS = {
    # Terugzetten: the upload made active again, the marts of its gemeente, the audit line
    "terugzetten": (Deed("kill", "partner", "Gegevens aanleveren", "Aanleveren", "Terugzetten",
                         _click("Terugzetten"), ("restored", "audit"), _restored), _two_uploads),
    # a new scenario, its audit line, its totals
    "scenario opslaan": (Deed("beheer", "beheerder", "Overzicht", "Scenario's", "Opslaan en berekenen",
                              _save_scenario, ("scenario", "audit", "computed"), _scenario_saved), None),
    "opnieuw berekenen": (Deed("beheer", "beheerder", "Overzicht", "Scenario's", "Opnieuw berekenen",
                               _click("Opnieuw berekenen"), ("computed", "audit"), _recomputed),
                          _stale_first_scenario),
    "vrijgave": (Deed("beheer", "beheerder", "Overzicht", "Beheer", "Vrijgegeven voor partners",
                      _release, ("audit",), _released), None),
    "analysenotitie": (Deed("beheer", "beheerder", "Overzicht", "Analysevragen", "Notitie voor het LEA",
                            _write_note, ("note", "audit"), _noted), None),
    "aannames terugzetten": (Deed("beheer", "beheerder", "Overzicht", "Continuüm",
                                  "Aannames van het model en hun bronnen", _reset_assumptions,
                                  ("audit",), _reset_logged), None),
    "aanname wijzigen": (Deed("beheer", "beheerder", "Overzicht", "Continuüm",
                              "Aannames van het model en hun bronnen", _change_assumption,
                              ("audit",), _change_logged), None),
}


def _open(page, url: str, deed: Deed) -> None:
    try:
        sign_in(page, url, deed.login, PASSWORD, deed.landed)
        settled(page)
        if deed.link != "Aanleveren":
            page.get_by_role("link", name=deed.link).click()
        page.get_by_text(deed.drawn).first.wait_for(timeout=60_000)
    except PlaywrightTimeout:
        raise AssertionError("de pagina toont:\n" + page.locator("body").inner_text()[:3000]) from None
    settled(page)
    _no_traceback(page)


def _act_until_marked(page, deed: Deed, marks: Path, kind: str, timeout: float = 180) -> None:
    """Make the deed's click and wait until the server writes a new mark of `kind`. A click that
    reached no script run (the page was still redrawing) is made again once the page has settled
    without the mark, as a user would; a run that is still busy (or paused at a mark) is waited
    for, never clicked twice."""
    seen = _marks(marks, kind)
    deadline = time.monotonic() + timeout
    while True:
        deed.act(page)
        retry = time.monotonic() + 20
        while _marks(marks, kind) <= seen:
            assert time.monotonic() < deadline, f"no {kind} mark"
            if time.monotonic() > retry and page.evaluate(f"() => {SETTLED}"):
                break  # drawn, and no mark: the click reached no run
            time.sleep(0.01)
        else:
            return


@pytest.fixture
def marked_app(tmp_path) -> Path:
    """The marked app (fixtures/app_marked.py) as the main script of a folder that also has the
    app's pages: Streamlit finds the page of a link (st.page_link("pages/...")) beside its main
    script, so pages that link elsewhere (Scenario's, Analysevragen) need them there."""
    folder = tmp_path / "app"
    folder.mkdir()
    (folder / "app.py").symlink_to(MARKED_APP)
    (folder / "pages").symlink_to(ROOT / "pages")
    return folder / "app.py"


def _kill(marks: Path) -> None:
    os.kill(int((marks / "pid").read_text()), signal.SIGKILL)


@pytest.mark.parametrize("name", list(DEEDS))
def test_the_app_killed_in_the_middle_of_a_deed_keeps_it_whole_or_not_at_all(app_db, tmp_path, marks,
                                                                              marked_app, name):
    require_chromium()
    deed, prepare = DEEDS[name]
    add_account(app_db, deed.login, deed.role, ORGANISATION if deed.role == "partner" else None, PASSWORD)
    if prepare:
        prepare(app_db)
    assert deed.outcome(app_db) is False
    chance = random.Random(name)
    with chromium_page() as first_page:
        browser = first_page.context.browser

        def server_round(pause: str | None, then: Callable[[], None]) -> None:
            for left in marks.glob("pause-*"):  # (the login writes audit lines too)
                left.unlink()
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            try:
                with streamlit_server(app_db, script=marked_app, poll_seconds=0.05) as url:
                    _open(page, url, deed)
                    if pause:
                        (marks / f"pause-{pause}").write_text("600")  # killed long before
                    then(page)
            finally:
                page.close()

        # 1. killed right after each write step, before the commit: nothing of it is stored
        for step in deed.steps:
            server_round(step, lambda page, step=step: (_act_until_marked(page, deed, marks, step),
                                                        _kill(marks)))
            assert deed.outcome(app_db) is False, f"stored after a kill after step {step}"

        # 2. killed at a random moment from its first write step: all of it or nothing
        def random_kill(page) -> None:
            _act_until_marked(page, deed, marks, deed.steps[0])
            time.sleep(chance.uniform(0, 1.5))
            _kill(marks)
        server_round(None, random_kill)
        done = deed.outcome(app_db)

        # 3. a restarted server completes it (unless the random kill came after the commit)
        if not done:
            def complete(page) -> None:
                _act_until_marked(page, deed, marks, deed.steps[-1])
                deadline = time.monotonic() + 120
                while time.monotonic() < deadline:
                    try:
                        if deed.outcome(app_db):  # the server lets go of the database when idle
                            return
                    except store.DatabaseInUse:
                        pass
                    time.sleep(0.2)
                raise AssertionError("the deed was not stored after a restart")
            server_round(None, complete)
        assert deed.outcome(app_db) is True


def test_the_app_killed_while_signing_in_keeps_the_outcome_with_its_audit_line(app_db, marks, marked_app):
    # A login writes twice: the attempt with its line "inlogpoging" (counted before the password
    # is checked), then the outcome with its line "inloggen". Killed right after that second line
    # is written, before its commit: the attempt stays without an outcome (it counts as a failed
    # one, README "Veilig bij storingen"), never an outcome "gelukt" without its line.
    require_chromium()
    add_account(app_db, "beheer", "beheerder", None, PASSWORD)

    def stored() -> tuple[list, list]:
        con = store.connect(app_db)
        try:
            return ([o for (o,) in con.execute(
                "select outcome from login_attempts order by attempt_id").fetchall()],
                    [a for (a,) in con.execute("select action from audit_log where action like 'inlog%'"
                                               " order by event_id").fetchall()])
        finally:
            con.close()

    (marks / "pause-audit").write_text("600 1")  # the attempt's line passes, the outcome's waits
    with chromium_page() as page:
        with streamlit_server(app_db, script=marked_app, poll_seconds=0.05) as url:
            page.goto(url, wait_until="domcontentloaded")
            page.get_by_label("Login").fill("beheer")
            page.get_by_label("Wachtwoord").fill(PASSWORD)
            page.get_by_role("button", name="Inloggen").click(no_wait_after=True)
            deadline = time.monotonic() + 120
            while _marks(marks, "audit") < 2:
                assert time.monotonic() < deadline, "no audit line of the outcome"
                time.sleep(0.01)
            _kill(marks)
        assert stored() == (["bezig"], ["inlogpoging"])
        (marks / "pause-audit").unlink()
        with streamlit_server(app_db, script=marked_app, poll_seconds=0.05) as url:
            sign_in(page, url, "beheer", PASSWORD, "Overzicht")
            _no_traceback(page)
    assert stored() == (["bezig", "gelukt"], ["inlogpoging", "inlogpoging", "inloggen"])
