"""Killed with kill -9 at random moments, a migration, `backup` and `users add`/`disable` leave the old
state or the new: every backup whole, every audit line exactly with its deed."""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from conftest import ROOT, add_account
from test_faults import _older_database
from test_kill import _MARKED_CLI, _command, _kill_after, _timed
from test_kill_loads import kill_at_random, startup_seconds

from data_sources import store
from data_sources.cli import main

KILLS = 5


def _backups(folder: Path) -> list[Path]:
    """The backups beside the database, each checked whole: it reads back completely."""
    found = sorted((folder / "backups").glob("*.duckdb")) if (folder / "backups").is_dir() else []
    for copy in found:
        store.verify_database(copy)
    return found


def _scratch(folder: Path) -> list[str]:
    """What a killed run left: anything but the database, its .wal and whole backups."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")
                  if p.name not in ("kindkaart.duckdb", "kindkaart.duckdb.wal", "backups")
                  and not (p.parent.name == "backups" and p.suffix == ".duckdb"))


def _data(path: Path) -> tuple:
    """(loads, accounts, audit lines, applied migrations) of a database, read as it is (no
    migration: a raw read-only DuckDB connection)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return (con.execute("select load_id, dataset, status from loads order by 1").fetchall(),
                con.execute("select login, role, organisation, active from accounts order by 1").fetchall(),
                con.execute("select event_id, action, detail from audit_log order by 1").fetchall(),
                [v for (v,) in con.execute("select version from schema_migrations order by 1").fetchall()])
    finally:
        con.close()


def test_a_migration_killed_midway_leaves_the_data_intact_and_every_backup_whole(tmp_path, sample_db, capsys):
    # A database of an older schema, opened by a command: first a backup (backups/, read back
    # whole before it gets its name), then all migrations in one transaction. Killed at random
    # moments: the data as they were, the schema the old one or the new one (never part of the
    # way), every backup whole; the next command migrates it all.
    folder = tmp_path / "db"
    path = folder / "kindkaart.duckdb"

    def fresh() -> None:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        _older_database(path, sample_db)

    fresh()
    old = _data(path)
    latest = [version for version, _ in store.migration_files()]
    assert old[3] != latest
    command = _command("users", "list", "--db", str(path))
    duration = _timed(command)
    migrated = _data(path)
    assert migrated[3] == latest
    [backup] = _backups(folder)
    assert _data(backup)[:3] == old[:3]
    floor = min(startup_seconds(), duration) * 0.8
    chance = random.Random("migratie")
    partly = []

    def check_and_finish() -> None:
        loads, logins, lines, versions = _data(path)
        assert (loads, lines) == (old[0], old[2]), "data changed by a killed migration"
        assert [login for login, *_ in logins] == [login for login, *_ in old[1]]
        assert versions in (old[3], latest), versions
        for copy in _backups(folder):  # whole, and the database as it was before the migration
            assert _data(copy)[:3] == old[:3]
        partly.append(versions != latest)
        # the next command migrates what is left and removes what the killed one left
        assert main(["users", "list", "--db", str(path)]) == 0
        assert "Traceback" not in capsys.readouterr().err
        assert _data(path)[3] == latest
        assert _scratch(folder) == []

    for _ in range(KILLS + 3):
        fresh()
        duration = _kill_after(command, chance.uniform(floor, duration)) or duration
        check_and_finish()
    # and kills right after the backup took its name, when the migrations begin: on a busy
    # machine the random moments above can all fall after the last migration
    for delay in (0.0, 0.005, 0.02):
        fresh()
        _kill_when_backed_up(command, folder, delay)
        check_and_finish()
    assert any(partly)  # some kills landed before the last migration


def _kill_when_backed_up(command: list[str], folder: Path, delay: float) -> bool:
    """Start the command and kill -9 it `delay` seconds after its backup appears under its name in
    backups/ (the migrations start then); False when it finished first."""
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    try:
        while not list((folder / "backups").glob("*.duckdb")):
            if process.poll() is not None:
                return False
            assert time.monotonic() < deadline, "no backup within 300 s"
            time.sleep(0.001)
        time.sleep(delay)
        if process.poll() is not None:
            return False
        process.send_signal(signal.SIGKILL)
        process.wait()
        return True
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _backup_state(folder: Path) -> tuple[int, int]:
    """(whole backups, 'reservekopie gemaakt' lines); every backup must be named by a line."""
    copies = _backups(folder)
    con = store.connect(folder / "kindkaart.duckdb", read_only=True)
    try:
        lines = [d for (d,) in con.execute("select detail from audit_log where action = 'reservekopie gemaakt'"
                                           ).fetchall()]
    finally:
        con.close()
    assert {f"backups/{copy.name}" for copy in copies} <= set(lines), ("a backup without its line", copies, lines)
    return len(copies), len(lines)


def test_a_backup_killed_at_random_moments_leaves_no_copy_without_its_audit_line(tmp_path, sample_db):
    folder = tmp_path / "db"
    path = folder / "kindkaart.duckdb"

    def fresh() -> None:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        shutil.copy(sample_db, path)

    fresh()
    command = _command("backup", "--db", str(path))
    duration = _timed(command)
    assert _backup_state(folder) == (1, 1)
    floor = min(startup_seconds(), duration) * 0.8
    chance = random.Random("backup")
    outcomes = []
    for _ in range(KILLS):
        fresh()
        duration = _kill_after(command, chance.uniform(floor, duration)) or duration
        copies, lines = _backup_state(folder)
        assert (copies, lines) in ((0, 0), (0, 1), (1, 1)), (copies, lines)
        outcomes.append((copies, lines))
        # the next backup removes what the killed one left, and has its line
        assert main(["backup", "--db", str(path)]) == 0
        assert _backup_state(folder) == (copies + 1, lines + 1)
        assert _scratch(folder) == []
    if (0, 0) not in outcomes:
        # on a busy machine every random moment can fall after the copy was complete: kill once
        # more at the earliest moment, while Python starts, as kill_at_random does
        fresh()
        assert _kill_after(command, 0.01) is None, "the backup finished within 0.01 s"
        outcomes.append(_backup_state(folder))
    assert (0, 0) in outcomes  # some kills came before the copy was complete


def test_a_backup_killed_before_its_audit_line_is_committed_leaves_no_copy(tmp_path, sample_db):
    # The line of a backup is committed when the copy is complete and read back, before the copy
    # takes its name: killed right after the line is written (before its commit) there is
    # neither, never a copy without its line (README "Logboek").
    folder = tmp_path / "db"
    folder.mkdir()
    path = folder / "kindkaart.duckdb"
    shutil.copy(sample_db, path)
    mark = tmp_path / "audit-geschreven"
    process = subprocess.Popen([sys.executable, "-c", _MARKED_CLI, str(mark), "backup", "--db", str(path)],
                               cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while not mark.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert mark.exists(), "no audit line was written"
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert _backup_state(folder) == (0, 0)
    assert main(["backup", "--db", str(path)]) == 0
    assert _backup_state(folder) == (1, 1)
    assert _scratch(folder) == []


def _accounts(path: Path) -> tuple:
    con = store.connect(path, read_only=True)
    try:
        return (con.execute("select login, role, active from accounts order by 1").fetchall(),
                con.execute("select action, detail from audit_log where action like 'account%'"
                            " order by event_id").fetchall())
    finally:
        con.close()


@pytest.mark.parametrize("arguments", [["users", "add", "nieuw", "--rol", "analist", "--alle", "--oidc"],
                                       ["users", "disable", "partner"]])
def test_users_add_or_disable_killed_leaves_the_account_with_its_audit_line_or_neither(
        tmp_path, sample_db, arguments):
    path = tmp_path / "kindkaart.duckdb"

    def fresh() -> None:
        path.with_name(path.name + ".wal").unlink(missing_ok=True)
        shutil.copy(sample_db, path)
        add_account(path, "partner", "partner", "Zonnestraal", gemeenten=["GM9999"])

    outcomes = kill_at_random(_command(*arguments, "--db", str(path)), fresh, lambda: _accounts(path),
                              " ".join(arguments))
    assert "old" in outcomes


def test_a_backup_to_a_new_folder_killed_at_random_moments_leaves_a_whole_copy_with_its_line_or_none(
        tmp_path, sample_db, monkeypatch):
    # backup -o into folders that are not there yet (backup makes them; a refused backup removes
    # them again, store.backup): killed at random moments, the database as it was, at the target
    # a whole copy named by its audit line or nothing; the next backup of that name completes and
    # leaves nothing else in the folder, and the app shows its page.
    from conftest import run_page

    folder = tmp_path / "db"
    path = folder / "kindkaart.duckdb"
    target = tmp_path / "elders" / "nieuw" / "kopie.duckdb"
    arguments = ["backup", "-o", str(target), "--db", str(path)]
    command = _command(*arguments)

    def fresh() -> None:
        shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(tmp_path / "elders", ignore_errors=True)
        folder.mkdir()
        shutil.copy(sample_db, path)

    def state() -> tuple[bool, int]:
        if target.exists():
            store.verify_database(target)
        con = store.connect(path, read_only=True)
        try:
            lines = con.execute("select count(*) from audit_log where action = 'reservekopie gemaakt'"
                                " and detail like '%kopie.duckdb%'").fetchone()[0]
        finally:
            con.close()
        assert _data(path)[0] == _data(sample_db)[0]  # the loads as they were
        return target.exists(), lines

    fresh()
    duration = _timed(command)
    assert state() == (True, 1)
    floor = min(startup_seconds(), duration) * 0.8
    chance = random.Random("backup -o")
    outcomes = []
    for seconds in [chance.uniform(floor, duration) for _ in range(KILLS)] + [0.01]:
        fresh()
        _kill_after(command, seconds)
        outcome = state()
        assert outcome in ((False, 0), (False, 1), (True, 1)), outcome  # never a copy without its line
        outcomes.append(outcome)
        assert main(arguments) == 0
        assert state()[0]
        assert sorted(p.name for p in target.parent.iterdir()) == ["kopie.duckdb"]
    assert (False, 0) in outcomes
    monkeypatch.setenv("KINDKAART_DB", str(path))
    at = run_page(timeout=120)
    assert not at.exception, at.exception


# A command whose function `store.<argv[2]>` marks the file argv[1] and waits when it is called:
# a kill -9 at that moment of the work, however fast the machine.
_PAUSED_CLI = """import pathlib, sys, time
from data_sources import store
real = getattr(store, sys.argv[2])
def paused(*args, **kwargs):
    pathlib.Path(sys.argv[1]).touch()
    time.sleep(600)
setattr(store, sys.argv[2], paused)
from data_sources.cli import main
sys.exit(main(sys.argv[3:]))
"""


def _kill_paused(mark: Path, function: str, *arguments: str) -> None:
    process = subprocess.Popen([sys.executable, "-c", _PAUSED_CLI, str(mark), function, *arguments],
                               cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300
        while not mark.exists() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert mark.exists(), f"{function} was not reached"
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    mark.unlink()


@pytest.mark.parametrize("moment", ["_copy_in_child", "verify_database"])
@pytest.mark.parametrize("where", ["backups", "-o"])
def test_a_first_backup_killed_while_it_copies_leaves_no_new_folder_and_no_copy(
        tmp_path, sample_db, capsys, moment, where):
    # The first backup makes its folder (backups/, or the new folders of -o). Killed after that,
    # while the copy is made or read back, it left the folder: empty (a backup seemed to be there),
    # or holding the complete scratch copy (<name>.<pid>.kopie) that restore-backup took as a
    # backup although it was never read back. Now the new folder takes its name with the whole
    # copy in it; what a kill leaves beside it the next start removes.
    folder = tmp_path / "db"
    folder.mkdir()
    path = folder / "kindkaart.duckdb"
    shutil.copy(sample_db, path)
    target = folder / "backups" if where == "backups" else tmp_path / "elders" / "nieuw" / "kopie.duckdb"
    arguments = ["backup", "--db", str(path)] + ([] if where == "backups" else ["-o", str(target)])
    top = folder / "backups" if where == "backups" else tmp_path / "elders"
    _kill_paused(tmp_path / "gepauzeerd", moment, *arguments)
    assert not top.exists(), sorted(str(p.relative_to(tmp_path)) for p in top.rglob("*"))
    for copy in tmp_path.rglob("*.kopie"):  # a scratch copy is never offered as a backup
        if copy.is_file():
            assert main(["restore-backup", str(copy), "--db", str(path)]) == 1
            assert "onvolledig" in capsys.readouterr().out
    # the next start removes what the killed backup left beside the database
    assert main(["users", "list", "--db", str(path)]) == 0
    if where == "backups":
        assert sorted(p.name for p in folder.iterdir()) == ["kindkaart.duckdb"]
    # the next backup completes, its folder holding the copy only
    assert main(arguments) == 0
    assert not [p for p in tmp_path.rglob("*.kopie")]
    [copy] = _backups(folder) if where == "backups" else [target]
    store.verify_database(copy)
    assert [p.name for p in copy.parent.iterdir()] == [copy.name]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["db"] + ([] if where == "backups" else ["elders"]))


def _written_long_ago(folder: Path) -> None:
    """Set the times of `folder` and all in it an hour back, past store.OTHERS_LEFT_FOR."""
    long_ago = time.time() - store.OTHERS_LEFT_FOR - 3600
    for entry in [folder, *folder.rglob("*")]:
        os.utime(entry, (long_ago, long_ago))


@pytest.mark.parametrize("next_target", ["beside", "made by hand"])
def test_what_a_backup_killed_in_a_new_folder_left_the_next_backup_elsewhere_removes(
        tmp_path, sample_db, capsys, next_target):
    # `backup -o elders/nieuw/kopie.duckdb` killed while it copies leaves elders.<pid>.kopie (the
    # new folder under its scratch name). Only a backup into that same still missing folder removed
    # it: one into the folder beside it, or into elders/ made by hand meanwhile, left it for good.
    # Now those remove it too (beside: once its process is gone and it is OTHERS_LEFT_FOR old, as
    # export scratch files); never the folder of a process still running, nor anything else.
    folder = tmp_path / "db"
    folder.mkdir()
    path = folder / "kindkaart.duckdb"
    shutil.copy(sample_db, path)
    target = tmp_path / "elders" / "nieuw" / "kopie.duckdb"
    _kill_paused(tmp_path / "gepauzeerd", "_copy_in_child", "backup", "--db", str(path), "-o", str(target))
    [leftover] = [p for p in tmp_path.iterdir() if p.name.startswith("elders.")]
    assert re.fullmatch(r"elders\.\d+\.kopie", leftover.name) and leftover.is_dir()
    dead = int(leftover.name.split(".")[1])
    living = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    try:
        # a backup still writing into its new folder, and a folder that only looks like one
        running = tmp_path / f"anders.{living.pid}.kopie"
        (running / "nieuw").mkdir(parents=True)
        (running / "nieuw" / f"kopie.duckdb.{living.pid}.kopie").write_bytes(b"half")
        not_ours = tmp_path / f"foto's.{dead}.kopie"
        not_ours.mkdir()
        for name in ("een.jpg", "twee.jpg"):
            (not_ours / name).write_bytes(b"foto")
        for kept in (running, not_ours):
            _written_long_ago(kept)
        if next_target == "beside":
            # just written: it may be another computer's backup on a network folder, so it stays
            assert main(["backup", "--db", str(path), "-o", str(tmp_path / "ander.duckdb")]) == 0
            assert leftover.is_dir()
            _written_long_ago(leftover)
            assert main(["backup", "--db", str(path), "-o", str(tmp_path / "nog een.duckdb")]) == 0
            made = ["ander.duckdb", "nog een.duckdb"]
        else:
            (tmp_path / "elders").mkdir()
            assert main(["backup", "--db", str(path), "-o", str(target)]) == 0
            store.verify_database(target)
            made = ["elders"]
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
            ["db", running.name, not_ours.name, *made])
        assert (running / "nieuw" / f"kopie.duckdb.{living.pid}.kopie").read_bytes() == b"half"
        assert sorted(p.name for p in not_ours.iterdir()) == ["een.jpg", "twee.jpg"]
    finally:
        living.kill()
        living.wait()
    capsys.readouterr()
