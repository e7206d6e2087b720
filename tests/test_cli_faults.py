"""The command line against hostile states and arguments: a mart dropped by hand, output paths
where nothing can be written; every refusal a Dutch sentence with exit code 1, never a traceback."""

import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

import transforms
from data_sources.cli import main

ROOT = Path(__file__).resolve().parent.parent


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "data_sources", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


def no_traceback(result) -> None:
    assert "Traceback" not in result.stdout + result.stderr, result.stdout + result.stderr
    assert "Error" not in result.stdout + result.stderr, result.stdout + result.stderr


@pytest.fixture
def database(sample_db, tmp_path) -> Path:
    path = tmp_path / "kindkaart.duckdb"
    shutil.copy(sample_db, path)
    return path


def drop(path: Path, *statements: str) -> None:
    con = duckdb.connect(str(path))
    try:
        for statement in statements:
            con.execute(statement)
    finally:
        con.close()


def immutable(path: Path):
    if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode:
        pytest.skip("chattr +i is not available here")
    return lambda: subprocess.run(["chattr", "-i", str(path)], check=True)


# --- A mart or view dropped by hand ---------------------------------------------------------------

@pytest.mark.parametrize("statement", ["drop table population_by_wijk_age",
                                       "drop view demand_by_wijk_niveau",
                                       "drop table signals_protection_by_wijk"])
def test_export_builds_a_model_dropped_by_hand_again_and_exports(database, tmp_path, statement):
    """It printed DuckDB's English traceback ('Table with name population_by_wijk_age does not
    exist!'). A model that is gone makes the models not up to date, as after an upgrade: export
    builds them again (with the audit line the app writes) and exports, as the app does on opening."""
    with duckdb.connect(str(database), read_only=True) as con:
        before = con.execute("select * from population_by_wijk_age order by all").fetchall()
    drop(database, statement)
    output = tmp_path / "kinderen.csv"
    result = run_cli("export", "-o", str(output), "--db", str(database))
    no_traceback(result)
    assert result.returncode == 0, result.stdout
    assert output.read_text(encoding="utf-8-sig").startswith("Wijkcode;Wijk;")
    with duckdb.connect(str(database), read_only=True) as con:
        assert transforms.up_to_date(con)
        assert con.execute("select * from population_by_wijk_age order by all").fetchall() == before
        assert con.execute("select count(*) from audit_log where action = 'modellen bijgewerkt'"
                           ).fetchone()[0] == 1


def test_a_dropped_model_makes_the_models_not_up_to_date(database):
    with duckdb.connect(str(database), read_only=True) as con:
        assert transforms.up_to_date(con) and transforms.missing_models(con) == []
    drop(database, "drop table supply_by_wijk")
    with duckdb.connect(str(database), read_only=True) as con:
        assert not transforms.up_to_date(con)
        assert transforms.missing_models(con) == ["supply_by_wijk"]


def test_export_of_a_read_only_database_with_a_dropped_mart_says_how_to_build_it(database, tmp_path):
    drop(database, "drop table supply_by_wijk")
    undo = immutable(database)
    output = tmp_path / "werkboek.xlsx"
    try:
        result = run_cli("export", "-o", str(output), "--db", str(database))
    finally:
        undo()
    no_traceback(result)
    assert result.returncode == 1
    assert "ontbreken tabellen die Kindkaart bouwt (supply_by_wijk)" in result.stdout
    assert "alleen te lezen" in result.stdout and "python -m data_sources init" in result.stdout
    assert not output.exists()


@pytest.mark.parametrize("command", [["scenario", "show", "1"],
                                     ["scenario", "export", "1", "-o", "{out}/plan.html"]])
def test_a_command_that_reads_a_dropped_mart_refuses_in_dutch(database, tmp_path, command, capsys):
    """scenario reads the models as they are (it does not build them): a model that is gone gave
    a traceback; now the Dutch sentence that says which and how to build them again."""
    drop(database, "drop table continuum_by_wijk_niveau")
    args = [part.format(out=tmp_path) for part in command]
    assert main([*args, "--db", str(database)]) == 1
    out = capsys.readouterr().out
    assert "ontbreken tabellen die Kindkaart bouwt (continuum_by_wijk_niveau)" in out
    assert "python -m data_sources init" in out
    assert not (tmp_path / "plan.html").exists()
    assert main(["init", "--db", str(database)]) == 0  # what the message says, and then it works
    assert main([*args, "--db", str(database)]) == 0
