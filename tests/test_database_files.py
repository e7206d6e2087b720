"""Hostile database files: each gets a Dutch message (no traceback, no server path) and is never written."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from conftest import ROOT, run_page, zero_blocks_of

from data_sources import store
from data_sources.cli import main


def _sqlite(path: Path) -> None:
    con = sqlite3.connect(path)
    con.execute("create table kinderen (naam text)")
    con.execute("insert into kinderen values ('Anna')")
    con.commit()
    con.close()


def _foreign_duckdb(path: Path) -> None:
    con = duckdb.connect(str(path))
    con.execute("create table klanten as select 1 as id, 'x' as naam")
    con.close()


def _newer_schema(path: Path, sample_db: Path) -> None:
    shutil.copy(sample_db, path)
    con = duckdb.connect(str(path))
    con.execute("insert into schema_migrations (version, name) values (9999, '9999_from_the_future')")
    con.close()


def _damaged_header(path: Path, sample_db: Path) -> None:
    shutil.copy(sample_db, path)
    with open(path, "r+b") as handle:
        handle.seek(4096)
        handle.write(bytes(range(256)) * 16)


def _truncated(path: Path, sample_db: Path) -> None:
    shutil.copy(sample_db, path)
    os.truncate(path, path.stat().st_size // 3)


def _cut_off(path: Path, sample_db: Path) -> None:
    # the last tenth missing (a copy interrupted, a full disk): the catalog still reads
    shutil.copy(sample_db, path)
    os.truncate(path, path.stat().st_size * 9 // 10)


def _other_schema(path: Path) -> None:
    con = duckdb.connect(str(path))
    con.execute("create schema winkel; create table winkel.orders (id int, amount double);"
                " insert into winkel.orders values (1, 2.5)")
    con.close()


def _duckdb_with(path: Path, sql: str) -> None:
    con = duckdb.connect(str(path))
    con.execute(sql)
    con.close()


HOSTILE = {
    "cut off": (_cut_off, "beschadigd"),
    "foreign schema": (lambda path, _: _other_schema(path), "geen Kindkaart-database"),
    "foreign sequence": (lambda path, _: _duckdb_with(path, "create sequence volgnummer"),
                         "geen Kindkaart-database"),
    "foreign macro": (lambda path, _: _duckdb_with(path, "create macro twee() as 2"),
                      "geen Kindkaart-database"),
    "foreign schema_migrations": (
        lambda path, _: _duckdb_with(path, "create table schema_migrations (version varchar)"),
        "geen Kindkaart-database"),
    "sqlite": (lambda path, _: _sqlite(path), "SQLite-bestand"),
    "foreign duckdb": (lambda path, _: _foreign_duckdb(path), "geen Kindkaart-database"),
    "newer schema": (_newer_schema, "nieuwere schemaversie"),
    "damaged header": (_damaged_header, "beschadigd"),
    "truncated": (_truncated, "beschadigd"),
    "random bytes": (lambda path, _: path.write_bytes(os.urandom(50_000)), "geen DuckDB-database"),
    "empty file": (lambda path, _: path.write_bytes(b""), "geen DuckDB-database"),
    "text file": (lambda path, _: path.write_text("gemeente;wijk\nGM9999;WK1\n"), "geen DuckDB-database"),
}


def _fingerprint(folder: Path) -> dict[str, str]:
    """Every file in the folder with the hash of its bytes (a write, or a new .wal, changes it)."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(params=sorted(HOSTILE))
def hostile(request, tmp_path, sample_db):
    folder = tmp_path / "db"
    folder.mkdir()
    path = folder / "kindkaart.duckdb"
    make, expected = HOSTILE[request.param]
    make(path, sample_db)
    return path, expected


def test_store_refuses_in_dutch_and_writes_nothing(hostile):
    path, expected = hostile
    before = _fingerprint(path.parent)
    for read_only in (False, True):
        with pytest.raises(store.DatabaseRefused) as refused:
            store.connect(path, read_only=read_only)
        assert expected in refused.value.messages[0]
        assert str(path.parent) not in refused.value.messages[0]
    assert _fingerprint(path.parent) == before


def test_app_shows_the_message_without_traceback_or_path(hostile, monkeypatch):
    path, expected = hostile
    before = _fingerprint(path.parent)
    monkeypatch.setenv("KINDKAART_DB", str(path))
    at = run_page()
    assert not at.exception
    assert expected in at.error[0].value
    assert str(path.parent) not in " ".join(e.value for e in at.error)
    assert _fingerprint(path.parent) == before


def test_no_other_page_runs_beside_the_message(hostile, monkeypatch):
    # Without st.navigation Streamlit would serve pages/ by their addresses (/tekorten), each
    # running without app.py around it: an uncaught exception with a traceback
    path, expected = hostile
    monkeypatch.setenv("KINDKAART_DB", str(path))
    at = run_page()
    assert expected in at.error[0].value
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/tekorten.py")


def test_cli_refuses_with_exit_1_and_no_traceback(hostile, capsys):
    path, expected = hostile
    before = _fingerprint(path.parent)
    export = path.parent.parent / "export.xlsx"
    for command in (["history"], ["import-lrk", "x.csv"], ["users", "list"], ["backup"], ["init"],
                    ["export", "-o", str(export)]):
        assert main([*command, "--db", str(path)]) == 1  # an exception would fail the test
        assert expected in capsys.readouterr().out
    assert _fingerprint(path.parent) == before


def test_cli_names_the_file_in_a_subprocess_without_traceback(tmp_path):
    path = tmp_path / "kindkaart.duckdb"
    _sqlite(path)
    result = subprocess.run([sys.executable, "-m", "data_sources", "history", "--db", str(path)],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "SQLite-bestand" in result.stdout and f"Database: {path}" in result.stdout
    assert "Traceback" not in result.stderr


def test_restore_backup_puts_none_of_them_in_place(hostile, tmp_path, sample_db, capsys):
    path, expected = hostile
    live = tmp_path / "live" / "kindkaart.duckdb"
    live.parent.mkdir()
    shutil.copy(sample_db, live)
    before, live_before = _fingerprint(path.parent), _fingerprint(live.parent)
    assert main(["restore-backup", str(path), "--db", str(live)]) == 1
    assert expected in capsys.readouterr().out
    assert _fingerprint(path.parent) == before
    assert _fingerprint(live.parent) == live_before  # no backup made, nothing left behind


def test_restore_backup_refuses_an_empty_duckdb_file(tmp_path, sample_db, capsys):
    empty = tmp_path / "leeg.duckdb"
    _empty_duckdb(empty)
    live = tmp_path / "live" / "kindkaart.duckdb"
    live.parent.mkdir()
    shutil.copy(sample_db, live)
    live_before = _fingerprint(live.parent)
    assert main(["restore-backup", str(empty), "--db", str(live)]) == 1
    assert "is leeg" in capsys.readouterr().out
    assert _fingerprint(live.parent) == live_before


@pytest.mark.parametrize("make", ["directory", "parent is a file"])
def test_unusable_paths_are_refused(tmp_path, monkeypatch, make):
    if make == "directory":
        path = tmp_path / "kindkaart.duckdb"
        path.mkdir()
    else:
        (tmp_path / "bestand").write_text("x")
        path = tmp_path / "bestand" / "kindkaart.duckdb"
    with pytest.raises(store.DatabaseRefused):
        store.connect(path)
    monkeypatch.setenv("KINDKAART_DB", str(path))
    at = run_page()
    assert not at.exception and at.error
    assert str(tmp_path) not in at.error[0].value


def test_a_damaged_data_block_gives_a_dutch_message_where_a_page_reads_it(tmp_path, sample_db,
                                                                             monkeypatch):
    # Damage every block after the first megabyte: the catalog still opens, the page's data do not.
    path = tmp_path / "kindkaart.duckdb"
    shutil.copy(sample_db, path)
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        handle.seek(1 << 20)
        handle.write(bytes(size - (1 << 20)))
    before = _fingerprint(tmp_path)
    monkeypatch.setenv("KINDKAART_DB", str(path))
    at = run_page()
    assert not at.exception
    assert "beschadigd" in " ".join(e.value for e in at.error)
    assert _fingerprint(tmp_path) == before


def test_extensions_are_never_loaded_or_installed(con):
    settings = dict(con.execute(
        "select name, value from duckdb_settings() where name in"
        " ('autoload_known_extensions', 'autoinstall_known_extensions')").fetchall())
    assert settings == {"autoload_known_extensions": "false", "autoinstall_known_extensions": "false"}


def _empty_duckdb(path: Path) -> None:
    duckdb.connect(str(path)).close()


def test_an_empty_duckdb_file_is_new_only_for_a_command_that_may_create_one(tmp_path, capsys,
                                                                             monkeypatch):
    path = tmp_path / "db" / "kindkaart.duckdb"
    path.parent.mkdir()
    _empty_duckdb(path)
    before = _fingerprint(path.parent)
    for command in (["history"], ["backup"], ["import-lrk", "x.csv"], ["users", "list"]):
        assert main([*command, "--db", str(path)]) == 1
        assert "is leeg" in capsys.readouterr().out
    monkeypatch.setenv("KINDKAART_DB", str(path))
    at = run_page()
    assert not at.exception
    assert "is leeg" in at.error[0].value
    assert _fingerprint(path.parent) == before
    assert main(["init", "--db", str(path)]) == 0
    con = store.connect(path, read_only=True)
    try:
        assert con.execute("select count(*) from build_state").fetchone()[0] == 1
    finally:
        con.close()


def test_a_command_that_reads_a_damaged_block_says_so_in_dutch(tmp_path, sample_db, capsys):
    # the continuum's blocks zeroed: the catalog and schema_migrations read, the mart every
    # export reads does not (the last tenth of the file held no block the export reads once the
    # build wrote one table more)
    path = tmp_path / "kindkaart.duckdb"
    shutil.copy(sample_db, path)
    zero_blocks_of(path, "continuum_by_wijk_niveau")
    before = _fingerprint(tmp_path)
    assert main(["export", "-o", str(tmp_path / "x.xlsx"), "--db", str(path)]) == 1
    out = capsys.readouterr().out
    assert store.DAMAGED_MESSAGE in out and "Error" not in out
    assert _fingerprint(tmp_path) == before


def test_a_wal_of_another_file_beside_the_database_is_named_as_the_cause(tmp_path, sample_db):
    # a .wal left by a killed writer of another copy of the database
    other = tmp_path / "ander.duckdb"
    shutil.copy(sample_db, other)
    subprocess.run([sys.executable, "-c", "import duckdb, os, signal; "
                    f"c = duckdb.connect({str(other)!r}); c.execute('create table extra as select 1 as i'); "
                    "os.kill(os.getpid(), signal.SIGKILL)"], cwd=ROOT)
    path = tmp_path / "kindkaart.duckdb"
    shutil.copy(sample_db, path)
    con = duckdb.connect(str(path))
    con.execute("create table extra as select 'x' as j")
    con.close()
    shutil.copy(other.with_name(other.name + ".wal"), path.with_name(path.name + ".wal"))
    before = _fingerprint(tmp_path)
    for read_only in (True, False):
        with pytest.raises(store.DatabaseRefused) as refused:
            store.connect(path, read_only=read_only)
        assert ".wal-bestand ernaast" in refused.value.messages[0]
        assert "nieuwere versie" not in refused.value.messages[0]
    assert _fingerprint(tmp_path) == before
