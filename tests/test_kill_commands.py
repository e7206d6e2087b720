"""Killed with kill -9 at random moments, `export`, `scenario export`, `template` and the account
changes (`users set-wachtwoord`, `set-rol`, `set-gemeente`, `enable`) leave the old state or the new:
never a half file under the final name, an earlier file of that name whole, every audit line
exactly with its deed; the same command run again completes and leaves no scratch file."""

from __future__ import annotations

import hashlib
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from conftest import ROOT, add_account
from test_kill import _command
from test_kill_loads import startup_seconds

from data_sources import accounts, store

KILLS = 5


def _run_killed(command: list[str], seconds: float, given: bytes | None = None) -> float | None:
    """Start the command (with `given` on its stdin), kill -9 it after `seconds`; None, or how long
    it took when it finished first."""
    start = time.monotonic()
    process = subprocess.Popen(command, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        if given is not None:
            process.stdin.write(given)
        process.stdin.close()
        assert process.wait(timeout=seconds) == 0
        return time.monotonic() - start
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        process.wait()
        return None


def _kill_at_random(command: list[str], fresh: Callable[[], None], state: Callable[[], object],
                    allowed: Callable[[object, object, object], bool], seed: str,
                    given: bytes | None = None,
                    completed: Callable[[object, object], bool] | None = None) -> list[str]:
    """Run the command whole once (on a fresh() start) for the new state, then KILLS times killed
    at a seeded random moment after Python's start, and at the earliest moments if no kill left
    the old state: each time allowed(outcome, old, new), and the command run again completes it
    (state() == new, or completed(state(), new)). Returns the outcomes ('old', 'new', 'between')."""
    fresh()
    old = state()
    start = time.monotonic()
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True, timeout=300, input=given)
    duration = time.monotonic() - start
    new = state()
    assert new != old
    floor = min(startup_seconds(), duration) * 0.8
    chance = random.Random(seed)
    outcomes: list[str] = []

    def killed_after(seconds: float) -> float | None:
        fresh()
        finished = _run_killed(command, seconds, given)
        outcome = state()
        assert allowed(outcome, old, new), f"neither the old state nor the new: {outcome}"
        outcomes.append("old" if outcome == old else "new" if outcome == new else "between")
        if outcome != new:
            subprocess.run(command, cwd=ROOT, check=True, capture_output=True, timeout=300, input=given)
            after = state()
            assert after == new or completed is not None and completed(after, new), (
                f"the command did not complete after the kill: {after}")
        return finished

    for _ in range(KILLS):
        duration = killed_after(chance.uniform(floor, duration)) or duration
    for share in (1.0, 0.5, 0.25, 0.1):
        if "old" in outcomes:
            break
        killed_after(floor * share)
    return outcomes


def _audit_lines(path: Path, action: str) -> list[tuple]:
    con = store.connect(path, read_only=True)
    try:
        return con.execute("select actor, action, detail from audit_log where action = ?"
                           " order by event_id", [action]).fetchall()
    finally:
        con.close()


def _content(target: Path) -> object:
    """What a file holds, read as its kind is read: a workbook's sheets and cell values (the zip
    carries times), else its bytes' hash; the moment it was made ('Gemaakt op 06-12-2026 17:36')
    left out; None when there is none. A half file fails here."""
    if not target.exists():
        return None
    if target.suffix == ".xlsx":
        book = openpyxl.load_workbook(target, read_only=True)
        try:
            text = repr([(sheet.title, list(sheet.iter_rows(values_only=True))) for sheet in book])
        finally:
            book.close()
        return hashlib.sha256(_MOMENT.sub("<moment>", text).encode()).hexdigest()
    return hashlib.sha256(_MOMENT.sub("<moment>", target.read_bytes().decode("utf-8"))
                          .encode()).hexdigest()


_MOMENT = re.compile(r"\d\d-\d\d-\d{4},? \d\d:\d\d(:\d\d)?")


EARLIER = b"een eerdere export met deze naam"


@pytest.mark.parametrize("arguments", [
    ["export", "-o", "{out}.xlsx"],
    ["export", "-o", "{out}.csv"],
    ["export", "-o", "{out}.html", "--wijk", "WK999901"],
    ["scenario", "export", "1", "-o", "{out}.xlsx"],
])
def test_an_export_killed_at_random_moments_leaves_the_earlier_file_or_the_whole_new_one(
        tmp_path, sample_db, arguments):
    # An export is written beside its target and takes the name when whole, after its audit line
    # is committed: killed at any moment, under the final name the earlier file (byte for byte)
    # or the complete export, never a half file; never a new file without its line (a line without
    # the file: killed between the commit and the rename). The next export removes the scratch file.
    path = tmp_path / "kindkaart.duckdb"
    arguments = [a.format(out=tmp_path / "uit") for a in arguments] + ["--db", str(path)]
    target = Path(next(a for a in arguments if a.startswith(str(tmp_path / "uit"))))

    def fresh() -> None:
        path.with_name(path.name + ".wal").unlink(missing_ok=True)
        shutil.copy(sample_db, path)
        target.write_bytes(EARLIER)

    def state() -> tuple:
        content = EARLIER if target.read_bytes() == EARLIER else _content(target)
        scratch = sorted(p.name for p in tmp_path.iterdir() if p.name not in (
            path.name, path.name + ".wal", target.name))
        return content, len(_audit_lines(path, "export")), scratch

    def allowed(outcome, old, new) -> bool:
        content, lines, scratch = outcome
        # a scratch copy of a killed run only beside the target, the next export removes it
        scratch_ok = all(name.startswith(f".{target.name}.") and name.endswith(".deel") for name in scratch)
        return scratch_ok and (content, lines) in ((old[0], old[1]), (old[0], new[1]), (new[0], new[1]))

    def completed(after, new) -> bool:
        # killed between the commit of its line and the rename, the export ran twice: two lines
        content, lines, scratch = after
        return (content, scratch) == (new[0], new[2]) and lines == new[1] + 1

    outcomes = _kill_at_random(_command(*arguments), fresh, state, allowed, " ".join(arguments[:3]),
                               completed=completed)
    assert "old" in outcomes


def _account(path: Path) -> tuple:
    """(the account 'partner' with its gemeenten and whether 'nieuw wachtwoord 2026' opens it, the
    audit lines of account changes)."""
    con = store.connect(path, read_only=True)
    try:
        row = con.execute("select login, role, organisation, active, all_gemeenten from accounts"
                          " where login = 'partner'").fetchone()
        gemeenten = accounts.gemeente_scope(con, "partner")
        hashed = con.execute("select password_hash from accounts where login = 'partner'").fetchone()[0]
        lines = con.execute("select action, detail from audit_log where action in ('wachtwoord gewijzigd',"
                            " 'rol gewijzigd', 'gemeenten gewijzigd', 'account ingeschakeld')"
                            " order by event_id").fetchall()
    finally:
        con.close()
    from argon2 import PasswordHasher
    from argon2.exceptions import VerificationError

    try:
        new_password = PasswordHasher().verify(hashed, "nieuw wachtwoord 2026")
    except VerificationError:
        new_password = False
    return row, None if gemeenten is None else sorted(gemeenten), new_password, lines


@pytest.mark.parametrize("arguments", [
    ["users", "set-wachtwoord", "partner", "--wachtwoord-stdin"],
    ["users", "set-rol", "partner", "--rol", "analist", "--alle"],
    ["users", "set-gemeente", "partner", "--alle"],
    ["users", "enable", "partner"],
])
def test_an_account_change_killed_at_random_moments_is_done_with_its_audit_line_or_not_at_all(
        tmp_path, sample_db, arguments):
    path = tmp_path / "kindkaart.duckdb"

    def fresh() -> None:
        path.with_name(path.name + ".wal").unlink(missing_ok=True)
        shutil.copy(sample_db, path)
        add_account(path, "partner", "partner", "Zonnestraal", gemeenten=["GM9999"])
        if arguments[1] == "enable":
            con = store.connect(path)
            try:
                accounts.disable_account(con, "partner")
            finally:
                con.close()

    given = b"nieuw wachtwoord 2026\n" if "--wachtwoord-stdin" in arguments else None
    outcomes = _kill_at_random(_command(*arguments, "--db", str(path)), fresh, lambda: _account(path),
                               lambda outcome, old, new: outcome in (old, new), " ".join(arguments[:2]),
                               given=given)
    assert "old" in outcomes
    # nothing beside the database but, when the last kill fell after the commit and before the
    # close, DuckDB's own journal of that committed change (state() read it: the change is there;
    # the next command that writes folds it into the file)
    assert sorted(p.name for p in tmp_path.iterdir()) in (
        ["kindkaart.duckdb"], ["kindkaart.duckdb", "kindkaart.duckdb.wal"])


# A command whose function argv[2] ('module:name') marks the file argv[1] and waits when it is
# called: a kill -9 at that moment of the work, however fast the machine.
_PAUSED_CLI = """import importlib, pathlib, sys, time
module, name = sys.argv[2].split(":")
def paused(*args, **kwargs):
    pathlib.Path(sys.argv[1]).touch()
    time.sleep(600)
setattr(importlib.import_module(module), name, paused)
from data_sources.cli import main
sys.exit(main(sys.argv[3:]))
"""


def test_a_template_into_a_new_folder_killed_leaves_no_folder_or_the_whole_workbook(tmp_path, sample_db):
    # `template -o` makes a folder that is not there yet. It made it before the workbook: killed
    # while the workbook was made (or at random moments), an empty new folder stayed, for good.
    # Now the folder takes its name with the whole workbook in it; the next template completes.
    path = tmp_path / "kindkaart.duckdb"
    shutil.copy(sample_db, path)
    target = tmp_path / "sjablonen" / "2026" / "jeugdhulp.xlsx"
    arguments = ["template", "--soort", "jeugdhulp", "-o", str(target), "--db", str(path)]
    mark = tmp_path / "gepauzeerd"
    process = subprocess.Popen([sys.executable, "-c", _PAUSED_CLI, str(mark), "outputs.files:write_whole",
                                *arguments], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300
        while not mark.exists() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert mark.exists(), "the workbook was not written"
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    mark.unlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kindkaart.duckdb"]

    def fresh() -> None:
        shutil.rmtree(tmp_path / "sjablonen", ignore_errors=True)

    def state() -> tuple:
        folders = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")
                         if p.is_dir() and ".kopie" not in str(p))  # removed by the next
        return _content(target), folders

    def allowed(outcome, old, new) -> bool:
        return outcome in (old, new)

    outcomes = _kill_at_random(_command(*arguments), fresh, state, allowed, "template")
    assert "old" in outcomes
    # nothing beside the workbook: what a killed run left the next one removed
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")) == [
        "kindkaart.duckdb", "sjablonen", "sjablonen/2026", "sjablonen/2026/jeugdhulp.xlsx"]


def test_an_export_of_an_older_database_killed_at_random_moments_leaves_it_old_or_migrated(
        tmp_path, sample_db):
    # An export opens the database as every command does: a database of an older version is
    # backed up (the first time into a new backups/), migrated and its models rebuilt before the
    # export is written. Killed at any moment: the loads as they were, the schema the old one or
    # the new, every backup whole (no backups/ without one), the export file whole with its line
    # or absent; the next export completes.
    from test_faults import _older_database
    from test_kill_admin import _backups, _data

    folder = tmp_path / "db"
    path = folder / "kindkaart.duckdb"
    target = tmp_path / "uit.xlsx"
    arguments = ["export", "-o", str(target), "--db", str(path)]
    latest = [version for version, _ in store.migration_files()]

    def fresh() -> None:
        shutil.rmtree(folder, ignore_errors=True)
        target.unlink(missing_ok=True)
        folder.mkdir()
        _older_database(path, sample_db)

    fresh()
    old_loads, _, _, old_versions = _data(path)

    def state() -> tuple:
        loads, _, lines, versions = _data(path)
        assert loads == old_loads, "the loads changed"
        assert versions in (old_versions, latest), versions
        backups = _backups(folder)  # each reads back whole
        assert (folder / "backups").exists() == bool(backups), "a backups/ without a backup"
        exported = sum(action == "export" for _, action, _ in lines)
        return versions == latest, bool(backups), _content(target), exported

    def allowed(outcome, old, new) -> bool:
        migrated, backed_up, content, exported = outcome
        return ((not migrated or backed_up)  # never migrated without its backup
                and (content, exported) in ((None, 0), (None, 1), (new[2], 1)))

    def completed(after, new) -> bool:
        # killed after its audit line was committed but before the file was in place (None, 1):
        # the export run again writes the file and a second line
        return after[:3] == new[:3] and after[3] == new[3] + 1

    outcomes = _kill_at_random(_command(*arguments), fresh, state, allowed, "export van een oudere database",
                               completed=completed)
    assert "old" in outcomes
