"""The command line: exit codes, Dutch messages, --help for every command, init --sample."""

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from data_sources.cli import command_modules, main

ROOT = Path(__file__).resolve().parent.parent


def run_cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "data_sources", *args], cwd=ROOT, capture_output=True,
                          text=True, env=env, timeout=120)


def test_init_sample_builds_database_and_refuses_to_overwrite(tmp_path):
    db = tmp_path / "k.duckdb"
    first = run_cli("init", "--sample", "--db", str(db))
    assert first.returncode == 0, first.stdout + first.stderr
    assert "Voorbeeldstad" in first.stdout
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("select count(*) from population_by_wijk_age").fetchone()[0] > 100
    con.close()
    again = run_cli("init", "--sample", "--db", str(db))
    assert again.returncode == 1 and "--force" in again.stdout
    assert run_cli("init", "--sample", "--if-missing", "--db", str(db)).returncode == 0


def test_init_without_sample_creates_empty_schema(tmp_path, monkeypatch):
    db = tmp_path / "env.duckdb"
    monkeypatch.setenv("KINDKAART_DB", str(db))
    assert main(["init"]) == 0
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("select count(*) from population_by_wijk_age").fetchone()[0] == 0


def test_wrong_usage_exits_2_without_traceback():
    result = run_cli("init", "--no-such-option")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "Fout in de opdracht" in result.stderr
    assert run_cli("no-such-command").returncode == 2


@pytest.mark.parametrize("module", command_modules(), ids=lambda m: m.NAME)
def test_every_command_has_help_with_db_option(module):
    result = run_cli(module.NAME, "--help")
    assert result.returncode == 0
    assert "--db" in result.stdout


def test_locked_database_gives_dutch_message(tmp_path):
    db = tmp_path / "locked.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c",
         f"import duckdb,time; c=duckdb.connect({str(db)!r}); print('ok', flush=True); time.sleep(30)"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ok"
        result = run_cli("init", "--db", str(db))
        assert result.returncode == 1
        assert "in gebruik" in result.stdout
        assert "Traceback" not in result.stdout + result.stderr
    finally:
        holder.kill()
