"""The first command on a path where there is no database yet, killed with kill -9 while it creates
one (an empty DuckDB file, then all migrations in one transaction), leaves a file that holds
nothing: the app and `init --sample --if-missing` treat it as the missing database it stands for."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import pytest
from conftest import ROOT, run_page
from test_cbs_jeugdmonitor import write_jeugdmonitor
from test_kill import _command

from data_sources import store
from data_sources.cli import main


def _holds_nothing(path: Path) -> bool:
    try:
        store.connect(path, read_only=True, create=False).close()
    except store.DatabaseRefused as refused:
        return refused.messages == [store.EMPTY_MESSAGE]
    return False


def _killed_while_creating(command: list[str], path: Path, tries: int = 5) -> None:
    """Run the command on a path without a database and kill -9 it as soon as the file is there
    (its migrations run then, a few hundred ms): the file it leaves holds nothing."""
    for _ in range(tries):
        for leftover in path.parent.glob(f"{path.name}*"):
            leftover.unlink()
        process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while not (path.exists() and path.stat().st_size > 0) and process.poll() is None:
                time.sleep(0.001)
            process.send_signal(signal.SIGKILL)
        finally:
            process.wait()
        if _holds_nothing(path):
            return
    pytest.fail(f"no kill landed while the database was created ({tries} tries)")


@pytest.fixture
def killed_first_import(tmp_path) -> tuple[Path, list[str]]:
    """A path where `import-cbs` made the database and was killed before its migrations committed."""
    path = tmp_path / "data" / "kindkaart.duckdb"
    path.parent.mkdir()
    command = _command("import-cbs", str(write_jeugdmonitor(tmp_path)), "--db", str(path))
    _killed_while_creating(command, path)
    return path, command


def test_the_app_builds_the_sample_over_a_default_database_a_killed_first_command_left(
        killed_first_import, monkeypatch):
    # Without the kill `make run` on a new machine shows Voorbeeldstad (tests/test_startup.py);
    # before: "Dit DuckDB-bestand is leeg ... Maak hem met 'init'", and nothing else
    from data_sources import config

    path, _ = killed_first_import
    monkeypatch.delenv("KINDKAART_DB", raising=False)
    monkeypatch.setattr(config, "DEFAULT_DB_PATH", path)
    at = run_page()
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == []
    assert at.title[0].value.startswith("Overzicht Voorbeeldstad")
    assert sorted(p.name for p in path.parent.iterdir()) == ["kindkaart.duckdb"]  # no backup of nothing


def test_init_sample_if_missing_builds_over_a_database_a_killed_first_command_left(killed_first_import,
                                                                                  capsys):
    # `make run` runs it first; before: "bestaat al; die blijft zoals hij is", and the app refused
    path, _ = killed_first_import
    assert main(["init", "--sample", "--if-missing", "--db", str(path)]) == 0
    assert "gebouwd met de voorbeeldgemeente" in capsys.readouterr().out
    con = store.connect(path, read_only=True)
    try:
        assert con.execute("select count(*) from loads").fetchone()[0] > 0
    finally:
        con.close()
    assert sorted(p.name for p in path.parent.iterdir()) == ["kindkaart.duckdb"]


def test_the_same_command_completes_over_a_database_it_left_when_killed_creating_it(killed_first_import):
    path, command = killed_first_import
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True, timeout=300)
    con = store.connect(path, read_only=True)
    try:
        assert con.execute("select count(*) from cbs_jeugdzorg_by_wijk").fetchone()[0] > 0
    finally:
        con.close()
    assert sorted(p.name for p in path.parent.iterdir()) == ["kindkaart.duckdb"]


# `python -m data_sources` killed right after the new database file took its name (store._create_whole
# links kindkaart.duckdb.<pid>.nieuw to kindkaart.duckdb, then removes the scratch name)
_KILLED_AFTER_LINK = """import os, signal, sys
real = os.link
def link(*args, **kwargs):
    real(*args, **kwargs)
    os.kill(os.getpid(), signal.SIGKILL)
os.link = link
from data_sources.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_the_scratch_name_of_a_creation_killed_right_after_it_took_its_place_is_removed(tmp_path):
    # The scratch name is a second name of the database file itself (a hard link); the next
    # creation removed it, but there is none once the database is there: it stayed for good.
    import sys

    path = tmp_path / "data" / "kindkaart.duckdb"
    path.parent.mkdir()
    command = ["import-cbs", str(write_jeugdmonitor(tmp_path)), "--db", str(path)]
    killed = subprocess.run([sys.executable, "-c", _KILLED_AFTER_LINK, *command], cwd=ROOT,
                            capture_output=True, timeout=300)
    assert killed.returncode == -signal.SIGKILL
    assert [p.name for p in path.parent.glob("*.nieuw")] != []  # what the killed run left
    assert _holds_nothing(path)
    subprocess.run(_command(*command), cwd=ROOT, check=True, capture_output=True, timeout=300)
    assert sorted(p.name for p in path.parent.iterdir()) == ["kindkaart.duckdb"]
