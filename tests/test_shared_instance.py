"""The app's runs share one open database and let go of it when idle (ui.data)."""

from __future__ import annotations

import contextlib
import gc
import os
import shutil
import subprocess
import sys
import threading
import time

import pytest
from conftest import ROOT

from data_sources import store
from ui import data


def _in_a_run(work=lambda con: None, release: bool = True):
    """Do `work` with a run's connection in a thread of its own, as a script run does."""
    result = {}

    def run():
        try:
            con = data.connection()
            result["instance"] = data._shared[data._local.path]
            result["value"] = work(con)
        finally:
            if release:
                data.release()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return result


@contextlib.contextmanager
def _command_line(path):
    """Another process, started beforehand, that tries to open the database at once each time it
    is asked (DuckDB: one process at a time): yields that question. Asking costs milliseconds; a
    new process would cost a Python start and its imports, seconds on a busy machine, more than
    the idle time the question must fall in."""
    code = ("import sys\nfrom data_sources import store\nprint('klaar', flush=True)\n"
            "for _ in sys.stdin:\n"
            "    try:\n"
            "        store.connect(sys.argv[1], wait=0).close()\n"
            "        print('open', flush=True)\n"
            "    except store.DatabaseInUse:\n"
            "        print('in gebruik', flush=True)\n")
    process = subprocess.Popen([sys.executable, "-c", code, str(path)], cwd=ROOT, stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)

    def can_open() -> bool:
        process.stdin.write("\n")
        process.stdin.flush()
        answer = process.stdout.readline().strip()
        assert answer in ("open", "in gebruik"), f"the other process ended: {answer!r}"
        return answer == "open"

    try:
        assert process.stdout.readline().strip() == "klaar"
        yield can_open
    finally:
        process.communicate(timeout=60)


@pytest.fixture
def timers(monkeypatch):
    """Events set when an idle timer has fired, and when one has closed its instance."""
    fired, closed = threading.Event(), threading.Event()
    close = data._close_if_idle

    def closing(shared, idle_since):
        close(shared, idle_since)
        if data._shared.get(shared.path) is not shared:
            closed.set()
        fired.set()

    monkeypatch.setattr(data, "_close_if_idle", closing)
    yield fired, closed
    data.close_idle()


def test_consecutive_runs_reuse_the_open_database_and_let_go_when_idle(app_db, monkeypatch, timers):
    closed = timers[1]
    monkeypatch.setattr(data, "IDLE_SECONDS", 3)  # long enough for the check below on a busy machine
    with _command_line(app_db) as cli_can_open:  # started first: it asks within the idle time
        first = _in_a_run(lambda con: con.execute("select count(*) from loads").fetchone()[0])
        second = _in_a_run(lambda con: con.execute("select count(*) from loads").fetchone()[0])
        assert not cli_can_open()  # held for a moment after the click
        assert second["instance"] is first["instance"]  # no second open, no second schema check
        assert first["value"] == second["value"] > 0
        assert closed.wait(10)
        assert app_db not in data._shared
        assert cli_can_open()  # ... and then free for the command line


def test_a_run_within_the_idle_time_keeps_the_database_open(app_db, monkeypatch, timers):
    fired, closed = timers
    # the second run must begin within the idle time: 0.3 s is little on a busy machine
    monkeypatch.setattr(data, "IDLE_SECONDS", 2)
    first = _in_a_run()
    holder = threading.Event()
    go_on = threading.Event()

    def long_run(con):
        holder.set()
        go_on.wait(10)

    thread = threading.Thread(target=_in_a_run, args=(long_run,))
    thread.start()
    holder.wait(10)
    assert fired.wait(10)  # the first run's timer fires while the second run still reads
    assert not closed.is_set()
    assert data._shared[app_db] is first["instance"] and first["instance"].users == 1
    go_on.set()
    thread.join()


def test_a_thread_that_ends_without_release_gives_the_database_back(app_db, monkeypatch):
    monkeypatch.setattr(data, "IDLE_SECONDS", 0)
    result = _in_a_run(release=False)  # AppTest runs a page file without app.py's release()
    gc.collect()
    assert result["instance"].users == 0
    assert app_db not in data._shared
    with _command_line(app_db) as cli_can_open:
        assert cli_can_open()


def test_a_database_replaced_on_disk_is_opened_anew(app_db, tmp_path, monkeypatch):
    monkeypatch.setattr(data, "IDLE_SECONDS", 60)
    count = "select count(*) from loads"
    before = _in_a_run(lambda con: con.execute(count).fetchone()[0])
    # another database put in its place while the app keeps the old one open (the command line's
    # `restore-backup` waits for the app to let go; an outside copy does not)
    other = tmp_path / "other.duckdb"
    shutil.copy(app_db, other)
    con = store.connect(other)
    con.execute("delete from loads where load_id = (select max(load_id) from loads)")
    con.close()
    other.replace(app_db)
    after = _in_a_run(lambda con: con.execute(count).fetchone()[0])
    assert after["instance"] is not before["instance"]
    assert after["value"] == before["value"] - 1
    data.close_idle()


def test_a_load_within_a_run_is_seen_by_the_rest_of_that_run(app_db, monkeypatch):
    monkeypatch.setattr(data, "IDLE_SECONDS", 0)

    def work(con):
        before = data.data_version()
        con.execute("update loads set status_changed_at = now() + interval 1 day"
                    " where load_id = (select max(load_id) from loads)")
        kept = data.data_version()  # asked once per run ...
        data.clear_caches()  # ... until a load in the run says the data changed
        return before, kept, data.data_version()

    before, kept, after = _in_a_run(work)["value"]
    assert kept == before and after != before


def _busy_sessions(count: int, stop: threading.Event, errors: list) -> list[threading.Thread]:
    """`count` sessions clicking without pause: each run reads and holds the database a moment,
    and the runs of the sessions overlap, so the app is never idle for IDLE_SECONDS."""
    def session(offset: float) -> None:
        time.sleep(offset)
        while not stop.is_set():
            try:
                _in_a_run(lambda con: (con.execute("select count(*) from loads").fetchall(),
                                       time.sleep(0.3)))
            except Exception as error:  # what the test is about: any error is a failure
                errors.append(error)
                return

    threads = [threading.Thread(target=session, args=(n * 0.1,)) for n in range(count)]
    for thread in threads:
        thread.start()
    return threads


def test_a_waiting_command_gets_its_turn_while_three_sessions_keep_clicking(app_db, monkeypatch):
    monkeypatch.setattr(data, "IDLE_SECONDS", 2.0)  # as in production
    stop, errors = threading.Event(), []
    sessions = _busy_sessions(3, stop, errors)
    try:
        deadline = time.monotonic() + 30
        while app_db not in data._shared:
            assert time.monotonic() < deadline and not errors, errors
            time.sleep(0.05)  # the first run opens the database: nothing to await
        # a command in its own process, with its default wait: it writes, as an import does
        code = ("import time\nfrom data_sources import store\nstart = time.monotonic()\n"
                f"con = store.connect({str(app_db)!r})\nwaited = time.monotonic() - start\n"
                "con.execute(\"update loads set note = 'van de opdrachtregel' where load_id = 1\")\n"
                "con.close()\nprint(round(waited, 2))")
        command = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                                 text=True, timeout=120)
        assert command.returncode == 0, command.stdout + command.stderr  # not DatabaseInUse
        assert float(command.stdout) < store.LOCK_WAIT_SECONDS
        # the sessions go on reading after it, and see what it wrote
        seen = _in_a_run(lambda con: con.execute("select note from loads where load_id = 1").fetchone()[0])
        assert seen["value"] == "van de opdrachtregel"
    finally:
        stop.set()
        for thread in sessions:
            thread.join()
        data.close_idle()
    assert not errors, errors
    assert not list(app_db.parent.glob("*.wacht"))  # the command took its .wacht file with it


def test_a_command_that_waited_in_vain_or_was_killed_does_not_hold_up_the_app(app_db, monkeypatch):
    monkeypatch.setattr(data, "IDLE_SECONDS", 60)
    holder = store.connect(app_db)  # this process holds the file: another one waits in vain
    try:
        code = f"from data_sources import store; store.connect({str(app_db)!r}, wait=0.5)"
        other = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
        assert "DatabaseInUse" in other.stderr
    finally:
        holder.close()
    assert not list(app_db.parent.glob("*.wacht"))  # it removed its .wacht file when it gave up
    # one killed while it waited leaves its file behind: a process that no longer runs waits for nothing
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                           text=True)
    (app_db.parent / f"{app_db.name}.{ended.stdout.strip()}.wacht").touch()
    assert not store.others_waiting(app_db)
    start = time.monotonic()
    first = _in_a_run(lambda con: con.execute("select count(*) from loads").fetchone()[0])
    second = _in_a_run()
    assert time.monotonic() - start < 5 and first["value"] > 0
    assert second["instance"] is first["instance"]  # kept open between clicks, as before
    data.close_idle()


def test_a_fragment_says_in_dutch_that_the_database_cannot_be_used(tmp_path, monkeypatch):
    # A fragment's own reruns (Aanleveren's upload part, the presentation's refresh) do not pass
    # app.py's handling: a database refused on open (here a file that is no database; in use by
    # a command past store.LOCK_WAIT_SECONDS in tests/test_app_faults.py) is a Dutch line with a
    # button to try again, not a traceback.
    from streamlit.testing.v1 import AppTest

    def script():
        import streamlit as st

        from ui.data import cursor, releasing, showing_refusals

        @st.fragment
        @showing_refusals
        @releasing
        def part():
            st.write(cursor().execute("select count(*) from loads").fetchone()[0])

        part()

    foreign = tmp_path / "kindkaart.duckdb"
    foreign.write_text("geen database")
    monkeypatch.setenv("KINDKAART_DB", str(foreign))
    at = AppTest.from_function(script).run()
    assert not at.exception
    assert [error.value for error in at.error] == [
        "Dit bestand is geen DuckDB-database, of het is beschadigd. Er is niets in geschreven; zet zo "
        "nodig een reservekopie terug ('restore-backup')."]
    assert [button.label for button in at.button] == ["Opnieuw proberen"]
    assert foreign.read_text() == "geen database"


def test_a_killed_waiters_file_whose_process_number_came_back_does_not_hold_up_the_app(
        app_db, monkeypatch):
    """A command killed while it waited leaves <database>.<pid>.wacht; once another process runs
    under that number (process numbers come back, soon in a container that restarts), the app took
    it for a waiting command for ever: it closed the database after every click and let each
    next click wait 10 seconds for a command that would never come."""
    monkeypatch.setattr(data, "IDLE_SECONDS", 60)
    unrelated = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        left = app_db.parent / f"{app_db.name}.{unrelated.pid}.wacht"
        left.touch()
        os.utime(left, (time.time() - 60, time.time() - 60))  # left a minute ago
        assert not store.others_waiting(app_db)
        start = time.monotonic()
        first = _in_a_run(lambda con: con.execute("select count(*) from loads").fetchone()[0])
        second = _in_a_run()
        assert time.monotonic() - start < 5 and first["value"] > 0
        assert second["instance"] is first["instance"]  # kept open between clicks
        data.close_idle()
        # and the next process that opens the database removes it, as it removes a dead one's
        store.connect(app_db).close()
        assert not list(app_db.parent.glob("*.wacht"))
    finally:
        unrelated.kill()
        unrelated.wait()
