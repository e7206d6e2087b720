"""Killed with kill -9 at random moments while it reads or stores a national LRK export (the open
data of the register, about 70,000 locations), `import-lrk` leaves the old state or the new, nothing
beside the database, and an app that shows the page."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import ROOT, run_page
from test_kill import _command
from test_kill_loads import kill_at_random, whole_state

from data_sources import store

LRK = ROOT / "sample_data" / "lrk" / "lrk_export_GM9999_2024.csv"
ROWS = 70_000  # about the locations the register lists (kinderopvang and gastouder homes)


def national_export(path: Path) -> Path:
    """The register's national export of 2024 as it would arrive (cp1252, ';', CRLF): the sample
    gemeente's locations as they are (one with 100 places more) and four more of each under new
    numbers, then the rest of the country, in postcodes of other gemeenten."""
    header, *rows = [line for line in LRK.read_bytes().split(b"\r\n") if line]
    lines = [header]
    for i in range(ROWS):
        fields = rows[i % len(rows)].split(b";")
        if i >= len(rows):
            fields[0] = str(100_000_000_000 + i).encode()
        elif i == 0:
            fields[3] = str(int(fields[3]) + 100).encode()
        if i >= 5 * len(rows):
            fields[9], fields[10], fields[11] = f"{1000 + i % 8000}AB".encode(), b"Elders", b"Elders"
        lines.append(b";".join(fields))
    path.write_bytes(b"\r\n".join(lines) + b"\r\n")
    return path


def _places(path: Path) -> list[tuple]:
    con = store.connect(path, read_only=True)
    try:
        return con.execute("select sum(locations_count), sum(places) from supply_by_wijk"
                           " where year = 2024 and gemeente_code = 'GM9999'").fetchall()
    finally:
        con.close()


def test_a_national_lrk_import_killed_while_reading_or_storing_leaves_the_old_export_or_the_new(
        tmp_path, sample_db, monkeypatch):
    folder = tmp_path / "db"
    folder.mkdir()
    path = folder / "kindkaart.duckdb"
    export = national_export(tmp_path / "export_opendata_lrk.csv")

    def fresh() -> None:
        path.with_name(path.name + ".wal").unlink(missing_ok=True)
        shutil.copy(sample_db, path)

    def state() -> tuple:
        # every mart a full build of the active loads, the loads and audit log, the places counted
        assert sorted(p.name for p in folder.iterdir()) in (["kindkaart.duckdb"],
                                                            ["kindkaart.duckdb", "kindkaart.duckdb.wal"])
        return *whole_state(path), _places(path)

    command = _command("import-lrk", str(export), "--jaar", "2024", "--db", str(path))
    outcomes = kill_at_random(command, fresh, state, "import-lrk national", kills=2)
    assert "old" in outcomes
    # what the last killed run left, the app opens, with the page of places
    monkeypatch.setenv("KINDKAART_DB", str(path))
    at = run_page("tekorten", timeout=120)
    assert not at.exception, at.exception
    assert sorted(p.name for p in folder.iterdir()) == ["kindkaart.duckdb"]
