"""Backups: before every migration and before init --force; the backup and restore-backup commands."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from data_sources import store
from data_sources.cli import main


def _loads(path) -> int:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("select count(*) from loads").fetchone()[0]
    finally:
        con.close()


def test_a_pending_migration_is_preceded_by_a_backup(tmp_path, sample_db):
    path = tmp_path / "kindkaart.duckdb"
    shutil.copy(sample_db, path)
    # as a database from before the access migration: drop what 0050 made, forget it was applied
    con = duckdb.connect(str(path))
    con.execute("drop table accounts; drop table audit_log; drop sequence audit_log_id;"
                " drop table indicator_releases; delete from schema_migrations where version = 50")
    con.close()
    store.connect(path).close()
    backups = list((tmp_path / "backups").iterdir())
    assert [b.name.endswith("-voor-migratie-0050.duckdb") for b in backups] == [True]
    old = duckdb.connect(str(backups[0]), read_only=True)
    # the backup is the database as it was: without migration 0050
    assert old.execute("select count(*) from schema_migrations where version = 50").fetchone()[0] == 0
    old.close()
    store.connect(path).close()  # nothing pending: no second backup
    assert len(list((tmp_path / "backups").iterdir())) == 1


def test_init_force_backs_up_the_old_database(tmp_path, sample_db):
    path = tmp_path / "kindkaart.duckdb"
    shutil.copy(sample_db, path)
    con = store.connect(path)
    con.execute("delete from loads where load_id = (select max(load_id) from loads)")
    con.close()
    kept = _loads(path)
    assert main(["init", "--sample", "--force", "--db", str(path)]) == 0
    backups = list((tmp_path / "backups").glob("*-voor-force.duckdb"))
    assert len(backups) == 1 and _loads(backups[0]) == kept
    assert _loads(path) > kept


def test_backup_and_restore_backup_commands(tmp_path, sample_db, capsys):
    path = tmp_path / "kindkaart.duckdb"
    shutil.copy(sample_db, path)
    copy = tmp_path / "kopie.duckdb"
    assert main(["backup", "-o", str(copy), "--db", str(path)]) == 0
    assert f"Reservekopie gemaakt: {copy}" in capsys.readouterr().out
    before = _loads(path)
    con = store.connect(path)
    con.execute("delete from loads")
    con.close()
    assert _loads(path) == 0
    assert main(["restore-backup", str(copy), "--db", str(path)]) == 0
    assert _loads(path) == before
    # the database it replaced is kept as well
    assert [_loads(p) for p in (tmp_path / "backups").glob("*-voor-terugzetten.duckdb")] == [0]


@pytest.mark.parametrize("content", [b"", b"SQLite format 3\x00" + bytes(100)])
def test_restore_backup_refuses_what_is_not_a_kindkaart_database(tmp_path, sample_db, content, capsys):
    path = tmp_path / "kindkaart.duckdb"
    shutil.copy(sample_db, path)
    bad = tmp_path / "bad.duckdb"
    bad.write_bytes(content)
    assert main(["restore-backup", str(bad), "--db", str(path)]) == 1
    assert "geen" in capsys.readouterr().out
    assert _loads(path) > 0


def test_restore_backup_refuses_a_database_another_process_holds(tmp_path, sample_db, capsys,
                                                                  monkeypatch):
    import functools
    import subprocess
    import sys

    from conftest import ROOT

    from data_sources import jobs

    path = tmp_path / "kindkaart.duckdb"
    shutil.copy(sample_db, path)
    copy = tmp_path / "kopie.duckdb"
    shutil.copy(sample_db, copy)
    # another process (a running app between clicks keeps it open for a moment) holds the file
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys; from data_sources import store; "
         f"con = store.connect({str(path)!r}); print('open', flush=True); sys.stdin.read()"],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        monkeypatch.setattr(jobs.store, "connect", functools.partial(store.connect, wait=0.2))
        assert main(["restore-backup", str(copy), "--db", str(path)]) == 1
        assert "in gebruik" in capsys.readouterr().out
        assert not list((tmp_path / "backups").glob("*-voor-terugzetten.duckdb"))
    finally:
        holder.communicate("", timeout=30)
    assert _loads(path) > 0  # the file the other process had open is still the one in place
    with open(path, "rb") as handle:
        assert handle.read(12)[8:12] == b"DUCK"
