"""Killed with kill -9 at random moments, `./kindkaart init --sample --force` and `./kindkaart
restore-backup` replace the database whole or not at all: it opens, holds the old data or the new
with its audit line, every backup in backups/ is whole, the next run leaves nothing else beside
it, and the app shows a page on what a killed run left."""

from __future__ import annotations

import random
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT, run_page
from test_kill import _kill_after
from test_kill_loads import kill_at_random

from data_sources import store

LAUNCHER = str(ROOT / "kindkaart")
KILLS = 3
# name: (arguments after ./kindkaart, the audit line the replacing database has)
COMMANDS = {
    "init --sample --force": (["init", "--sample", "--force"], "database vervangen"),
    "restore-backup": (["restore-backup", "{backup}"], "reservekopie teruggezet"),
}


def _mark(path: Path, action: str) -> None:
    con = store.connect(path)
    try:
        con.execute("insert into audit_log (actor, action) values ('test', ?)", [action])
    finally:
        con.close()


def _leftovers(folder: Path) -> list[str]:
    """Anything beside the database but whole backups in backups/ (each read back completely)."""
    found = []
    for entry in sorted(folder.rglob("*")):
        if entry.parent == folder / "backups" and entry.suffix == ".duckdb":
            store.verify_database(entry)
        elif entry.name not in ("kindkaart.duckdb", "backups"):
            found.append(str(entry.relative_to(folder)))
    return found


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_the_launcher_killed_while_it_replaces_the_database_leaves_the_old_or_the_new(
        tmp_path, sample_db, name, monkeypatch):
    arguments, replaced = COMMANDS[name]
    backup = tmp_path / "kopie.duckdb"  # restore-backup's: the sample with a line of its own
    shutil.copy(sample_db, backup)
    _mark(backup, "in de reservekopie")
    folder = tmp_path / "db"
    path = folder / "kindkaart.duckdb"
    command = [LAUNCHER, *(a.format(backup=backup) for a in arguments), "--db", str(path)]

    def fresh() -> None:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        shutil.copy(sample_db, path)
        _mark(path, "oude database")

    def state() -> tuple[int, int]:
        """(lines of the old database, lines of the replacing command), the database opened as
        every command opens it (neither missing nor damaged), its backups whole."""
        _leftovers(folder)
        con = store.connect(path)
        try:
            return con.execute("select count(*) filter (action = 'oude database'),"
                               " count(*) filter (action = ?) from audit_log", [replaced]).fetchone()
        finally:
            con.close()

    def complete() -> None:
        # the launcher again: it completes the replacement and removes what the killed run left
        subprocess.run(command, cwd=tmp_path, check=True, capture_output=True, timeout=300)
        assert _leftovers(folder) == []

    outcomes = kill_at_random(command, fresh, state, f"./kindkaart {name}", KILLS, complete)
    assert "old" in outcomes
    # killed once more, the app opens what the run left and shows its first page
    fresh()
    _kill_after(command, random.Random(name).uniform(0.2, 3.0))
    assert state() in ((1, 0), (0, 1))
    monkeypatch.setenv("KINDKAART_DB", str(path))
    at = run_page(timeout=120)
    assert not at.exception, at.exception
    complete()
