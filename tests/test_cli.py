"""The command line: exit codes, Dutch messages, --help for every command, init --sample."""

import re
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


def test_init_sample_if_missing_leaves_a_real_gemeente_database_and_says_so(tmp_path):
    """`make run` with KINDKAART_DB of a real gemeente: the file stays as it is, and the message
    does not claim it holds the sample gemeente."""
    db = tmp_path / "zwolle.duckdb"
    assert run_cli("init", "--db", str(db)).returncode == 0
    again = run_cli("init", "--sample", "--if-missing", "--db", str(db))
    assert again.returncode == 0, again.stdout + again.stderr
    assert "bestaat al" in again.stdout and "niet gevuld met de voorbeeldgemeente" in again.stdout
    assert "met de voorbeeldgemeente Voorbeeldstad" not in again.stdout
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("select count(*) from population_by_wijk_age").fetchone()[0] == 0
    con.close()


def test_init_without_sample_creates_empty_schema(tmp_path, monkeypatch):
    db = tmp_path / "env.duckdb"
    monkeypatch.setenv("KINDKAART_DB", str(db))
    assert main(["init"]) == 0
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("select count(*) from population_by_wijk_age").fetchone()[0] == 0


ENGLISH = ("usage:", "error:", "the following arguments are required", "invalid choice",
           "unrecognized arguments", "invalid int value", "show this help message and exit",
           "positional arguments", "options:")


@pytest.mark.parametrize(("args", "error"), [
    (["validate", "x.xlsx"], "Fout in de opdracht: deze argumenten ontbreken: --soort"),
    (["template", "--soort", "onbekend", "-o", "x.xlsx"],
     "Fout in de opdracht: argument --soort: ongeldige keuze: 'onbekend' (kies uit"
     " 'extra-ondersteuning', 'kinderopvang-bezetting', 'vve-indicaties', 'speciaal-onderwijs',"
     " 'wachtlijst-so', 'ondersteuningstrajecten', 'jeugdhulp', 'wachtlijst-zorg',"
     " 'groepsgrootte', 'bevolking')"),
    (["restore", "drie"], "Fout in de opdracht: argument UPLOAD_ID: ongeldige waarde: 'drie'"),
    (["init", "--no-such-option"], "Fout in de opdracht: onbekende argumenten: --no-such-option"),
    (["no-such-command"], "Fout in de opdracht: argument OPDRACHT: ongeldige keuze:"
                          " 'no-such-command' (kies uit 'backup', 'export', 'history', 'import',"
                          " 'import-cbs', 'import-lrk', 'init', 'load-cbs', 'restore',"
                          " 'restore-backup', 'scenario', 'template', 'users', 'validate')"),
])
def test_wrong_usage_exits_2_with_dutch_usage_and_error(args, error):
    result = run_cli(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("gebruik: python -m data_sources ")
    assert result.stderr.splitlines()[-1] == error
    assert not [text for text in ENGLISH if text in result.stderr]


@pytest.mark.parametrize("module", command_modules(), ids=lambda m: m.NAME)
def test_every_command_has_dutch_help_with_db_option(module):
    result = run_cli(module.NAME, "--help")
    assert result.returncode == 0
    assert result.stdout.startswith(f"gebruik: python -m data_sources {module.NAME} [-h] [--db PAD]")
    assert "--db" in result.stdout
    assert not [text for text in ENGLISH if text in result.stdout]


def test_help_names_arguments_and_options_in_dutch():
    result = run_cli("validate", "--help")
    assert result.returncode == 0
    assert result.stdout.startswith("gebruik: python -m data_sources validate [-h] [--db PAD]"
                                    " --soort SOORT")
    assert "\nargumenten:\n  BESTAND " in result.stdout
    assert re.search(r"\nopties:\n  -h, --help +toon deze hulp en stop\n", result.stdout)
    assert not [text for text in ENGLISH if text in result.stdout]


def test_argparse_speaks_dutch_only_while_the_cli_parses(capsys):
    import argparse

    with pytest.raises(SystemExit):
        main(["restore", "drie"])
    assert "ongeldige waarde: 'drie'" in capsys.readouterr().err
    # other argparse users in the same process (pytest, streamlit) keep their own language
    assert argparse._("usage: ") == "usage: "
    assert argparse.ArgumentParser(prog="p").format_usage() == "usage: p [-h]\n"


def test_locked_database_gives_dutch_message(tmp_path):
    db = tmp_path / "locked.duckdb"
    # another process holds the database until its stdin closes
    holder = subprocess.Popen(
        [sys.executable, "-c",
         f"import duckdb,sys; c=duckdb.connect({str(db)!r}); print('ok', flush=True); sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ok"
        result = run_cli("init", "--db", str(db))
        assert result.returncode == 1
        assert "in gebruik" in result.stdout
        assert "Traceback" not in result.stdout + result.stderr
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
        holder.stdout.close()


def test_a_reader_that_stops_early_ends_the_command_quietly(tmp_path):
    """`python -m data_sources history | head`: the pipe is closed before the command writes.
    (argparse's own --help already ignores a closed pipe.)"""
    db = tmp_path / "k.duckdb"
    assert main(["init", "--db", str(db)]) == 0
    process = subprocess.Popen([sys.executable, "-m", "data_sources", "history", "--db", str(db)],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.close()  # as head does after its lines; the command has not written yet
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=120) in (0, 1)
    assert stderr == "", stderr


def test_a_refused_command_on_a_new_path_leaves_no_database(tmp_path, capsys):
    # a refused import on a path that had no database leaves none behind (an empty, unbuilt
    # database would otherwise stand there, for the app to take as the gemeente's)
    bad = tmp_path / "kwb-2024.csv"
    bad.write_text("iets;anders\n1;2\n", encoding="utf-8")
    db = tmp_path / "nieuw.duckdb"
    assert main(["import-cbs", str(bad), "--db", str(db)]) == 1
    assert capsys.readouterr().out  # the Dutch refusal
    assert not db.exists() and not Path(f"{db}.wal").exists()
    # a database that was there before stays, refused or not
    assert main(["init", "--db", str(db)]) == 0
    assert main(["import-cbs", str(bad), "--db", str(db)]) == 1
    assert db.exists()


def test_only_the_first_account_says_that_the_pages_now_ask_to_log_in(tmp_path, monkeypatch, capsys):
    """The README's four accounts: each `users add` said 'Vanaf nu vraagt elke pagina om in te
    loggen', as if the second one changed anything; only the first ends the demo mode."""
    import io

    db = str(tmp_path / "k.duckdb")
    assert main(["init", "--db", db]) == 0
    said = []
    for login, rol in (("beheer", "beheerder"), ("analist", "analist")):
        capsys.readouterr()
        monkeypatch.setattr("sys.stdin", io.StringIO("een-lang-wachtwoord-1\n"))
        assert main(["users", "add", login, "--rol", rol, "--wachtwoord-stdin", "--db", db]) == 0
        said.append(capsys.readouterr().out.strip())
    assert said == ["Account beheer (beheerder) toegevoegd. Vanaf nu vraagt elke pagina om in te loggen.",
                    "Account analist (analist) toegevoegd."]
