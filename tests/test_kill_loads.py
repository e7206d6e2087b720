"""Killed with kill -9 at random moments, `import-lrk` and a BRP import leave the old state or the new
(figures and published patterns of the version that is active, its audit line exactly with it)."""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import openpyxl
from conftest import ROOT
from test_kill import _command, _kill_after
from test_rebuild_gemeente import _contents, _same

import transforms
from data_sources import store
from data_sources.cli import main

KILLS = 5
# the tables of what was published before, which the next version is protected beside
PUBLISHED = ("published_signal_patterns", "published_beside_patterns", "published_population_patterns",
             "published_pool_patterns")
LRK = ROOT / "sample_data" / "lrk" / "lrk_export_GM9999_2024.csv"
# the sample's upload of each type that has a published pattern of its own kind
UPLOADS = {"vve-indicaties": 25, "wachtlijst-so": 27, "bevolking": 32}


def not_as_built(con) -> list[str]:
    """The marts, stored models and published patterns that differ from what a full build of the
    raw tables as they are (the uploads that are active) would make: [] when the figures hold
    exactly the active versions, and every pattern is the one published with them (a full build
    from the same inputs publishes the same pattern again). The build is rolled back."""
    models = transforms.all_models()

    def contents() -> dict[str, list[tuple]]:
        found = _contents(con, models)
        for table in PUBLISHED:
            found[table] = con.execute(f"select * from {table} order by all").fetchall()
        return found

    stored = contents()
    con.begin()
    for model in models:
        if model.python:  # from scratch, as test_rebuild_gemeente does
            con.execute(f"drop table {model.name}")
    transforms.build(con, models)
    full = contents()
    con.rollback()
    return [name for name in stored if not _same(stored[name], full[name])]


def startup_seconds() -> float:
    """How long a command takes before it touches the database (Python and Kindkaart's imports):
    kills before that only test that nothing happened."""
    start = time.monotonic()
    subprocess.run([sys.executable, "-c", "import data_sources.cli, data_sources.jobs, transforms"],
                   cwd=ROOT, check=True, capture_output=True, timeout=300)
    return time.monotonic() - start


def kill_at_random(command: list[str], fresh: Callable[[], None], state: Callable[[], object],
                   seed: str, kills: int = KILLS, complete: Callable[[], None] | None = None) -> list:
    """Run `command` whole once (on a fresh() database) for the new state, then `kills` times on a
    fresh() database killed with kill -9 at a seeded random moment after Python's start: each
    time state() must be the old one or the new, and the command, run again (in this process),
    completes it. Returns the outcomes ('old', 'new')."""
    fresh()
    old = state()
    start = time.monotonic()
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True, timeout=300)
    duration = time.monotonic() - start
    new = state()
    assert new != old
    floor = min(startup_seconds(), duration) * 0.8
    chance = random.Random(seed)
    outcomes = []

    def killed_after(seconds: float) -> float | None:
        fresh()
        finished = _kill_after(command, seconds)
        outcome = state()
        assert outcome in (old, new), f"neither the old state nor the new: {outcome}"
        outcomes.append("old" if outcome == old else "new")
        if outcome == old:
            (complete or (lambda: main(command[3:])))()
            assert state() == new, "the command did not complete after the kill"
        return finished

    for _ in range(kills):
        duration = killed_after(chance.uniform(floor, duration)) or duration
    # a quick command on a busy machine: every random moment may fall after its commit; then a
    # kill at the earliest moments (during Python's start, ever earlier: a start measured while
    # the machine was busier than during the kills put even the floor after a quick command's
    # commit, as CI once saw with `users disable`), so that the old state is seen
    for share in (1.0, 0.5, 0.25, 0.1):
        if "old" in outcomes:
            break
        killed_after(floor * share)
    return outcomes


def _loads(con) -> list[tuple]:
    return con.execute("select load_id, dataset, status from loads order by 1").fetchall()


def _audit(con) -> list[tuple]:
    return con.execute("select action, detail from audit_log order by event_id").fetchall()


def whole_state(path: Path) -> tuple:
    """(loads and their status, the audit log) of the database opened as every command opens it,
    after checking that its figures and patterns are those of a full build of the active uploads."""
    con = store.connect(path)
    try:
        assert not_as_built(con) == [], "figures or published patterns not of the active versions"
        return _loads(con), _audit(con)
    finally:
        con.close()


def corrected(soort: str) -> bytes:
    """The sample's workbook of `soort`, corrected: more BRP children in its first rows, or the
    last third of the rows of a partner registration left out."""
    import io

    book = openpyxl.load_workbook(ROOT / "sample_data" / "registrations" / f"{soort}.xlsx")
    sheet = book["Gegevens"]
    rows = [row for row in sheet.iter_rows(min_row=2) if row[0].value is not None]
    if soort == "bevolking":
        for row in rows[:6]:
            row[2].value += 12
    else:
        sheet.delete_rows(rows[len(rows) * 2 // 3][0].row, len(rows))
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def _origin(con, load_id: int) -> tuple[str, str]:
    return con.execute("select organisation, period from loads where load_id = ?", [load_id]).fetchone()


def test_a_killed_brp_import_leaves_the_old_population_or_the_new_with_its_pattern(tmp_path, sample_db):
    path = tmp_path / "kindkaart.duckdb"
    workbook = tmp_path / "bevolking.xlsx"
    workbook.write_bytes(corrected("bevolking"))
    con = store.connect(sample_db, read_only=True)
    try:
        organisation, period = _origin(con, UPLOADS["bevolking"])
    finally:
        con.close()

    def fresh() -> None:
        path.with_name(path.name + ".wal").unlink(missing_ok=True)
        shutil.copy(sample_db, path)

    command = _command("import", str(workbook), "--soort", "bevolking", "--organisatie", organisation,
                       "--periode", period, "--db", str(path))
    outcomes = kill_at_random(command, fresh, lambda: whole_state(path), "import bevolking")
    assert "old" in outcomes


def test_a_killed_lrk_import_leaves_the_old_export_or_the_new(tmp_path, sample_db):
    # a corrected export of the sample's year 2024: one location has 100 places more
    path = tmp_path / "kindkaart.duckdb"
    export = tmp_path / "lrk_export_GM9999_2024.csv"
    lines = LRK.read_bytes().split(b"\r\n")  # (the register writes Windows-1252)
    fields = lines[1].split(b";")
    fields[3] = str(int(fields[3]) + 100).encode()
    export.write_bytes(b"\r\n".join([lines[0], b";".join(fields), *lines[2:]]))

    def fresh() -> None:
        path.with_name(path.name + ".wal").unlink(missing_ok=True)
        shutil.copy(sample_db, path)

    command = _command("import-lrk", str(export), "--jaar", "2024", "--db", str(path))
    outcomes = kill_at_random(command, fresh, lambda: whole_state(path), "import-lrk")
    assert "old" in outcomes
