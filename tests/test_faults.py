"""Faults the other fault tests do not reach: the database a killed `init` or `import-cbs` leaves
(migrated, never built) read by every command, and database paths that are no plain file (a
symlink loop, a broken symlink, a named pipe) or lie in a folder that refuses writes."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time

import duckdb
import pytest
from conftest import REAL_DATA, ROOT, add_account, run_page

import transforms
from data_sources import store
from data_sources.cli import main

LRK = ROOT / "sample_data" / "lrk" / "lrk_export_GM9999_2024.csv"
JEUGDHULP = ROOT / "sample_data" / "registrations" / "jeugdhulp.xlsx"
# every wijk of Nederland in 2024 (real, 1.4 MB: a few seconds to kill in), else the sample's
WIJKGRENZEN = next(path for path in (REAL_DATA / "geo" / "wijk_2024_wgs84_cartomap.geojson",
                                     ROOT / "sample_data" / "geo" / "wijken.geojson") if path.exists())


def _files(folder):
    return sorted((p.name, p.is_symlink(), p.stat().st_size if p.is_file() else None)
                  for p in folder.iterdir())


@pytest.mark.parametrize("command", [
    ["history"], ["scenario", "list"], ["users", "list"], ["template", "--soort", "jeugdhulp", "-o", "{tmp}/s.xlsx"],
    ["validate", str(JEUGDHULP), "--soort", "jeugdhulp"]])
def test_every_command_reads_a_database_a_killed_init_left_without_traceback(tmp_path, command, capsys):
    # init migrates, then builds: killed in between, the file holds the schema but no marts
    path = tmp_path / "kindkaart.duckdb"
    store.connect(path).close()
    code = main([*(part.format(tmp=tmp_path) for part in command), "--db", str(path)])
    out = capsys.readouterr()
    assert code in (0, 1)
    assert "Error" not in out.out + out.err


def _symlink_loop(folder):
    path = folder / "kindkaart.duckdb"
    path.symlink_to(path)
    return path


def _broken_symlink(folder):
    path = folder / "kindkaart.duckdb"
    path.symlink_to(folder / "weg" / "kindkaart.duckdb")
    return path


def _fifo(folder):
    path = folder / "kindkaart.duckdb"
    os.mkfifo(path)
    return path


ODD_PATHS = {
    "symlink loop": (_symlink_loop, "naar zichzelf"),
    "broken symlink": (_broken_symlink, "naar een bestand dat niet bestaat"),
    "named pipe": (_fifo, "geen gewoon bestand"),
}


@pytest.fixture(params=sorted(ODD_PATHS))
def odd_path(request, tmp_path):
    folder = tmp_path / "db"
    folder.mkdir()
    make, expected = ODD_PATHS[request.param]
    return make(folder), expected


def test_a_database_path_that_is_no_plain_file_is_refused_by_the_cli_in_dutch(odd_path, capsys):
    path, expected = odd_path
    before = _files(path.parent)
    for command in (["history"], ["import-lrk", str(LRK)], ["init"], ["init", "--sample"],
                    ["init", "--sample", "--force"], ["users", "list"], ["backup"]):
        # a named pipe would block the first read of the file forever
        assert main([*command, "--db", str(path)]) == 1, command
        out = capsys.readouterr().out
        assert expected in out, (command, out)
    assert _files(path.parent) == before  # nothing made through the link, the link not replaced


def test_a_database_path_that_is_no_plain_file_is_refused_by_the_app_in_dutch(odd_path, monkeypatch):
    path, expected = odd_path
    before = _files(path.parent)
    monkeypatch.setenv("KINDKAART_DB", str(path))
    at = run_page(timeout=30)
    assert not at.exception
    assert expected in at.error[0].value
    assert str(path.parent) not in " ".join(e.value for e in at.error)
    assert _files(path.parent) == before


def _immutable(path) -> bool:
    return subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode == 0


def test_an_import_in_a_folder_that_refuses_new_files_blames_the_folder_not_the_file(tmp_path, sample_db,
                                                                                     capsys):
    # an immutable folder (as root the only way a folder refuses; the OS says "Operation not
    # permitted", not "Permission denied"): DuckDB cannot make the .wal beside the database
    folder = tmp_path / "db"
    folder.mkdir()
    path = folder / "kindkaart.duckdb"
    shutil.copy(sample_db, path)
    if not _immutable(folder):
        pytest.skip("chattr +i is not available here")
    try:
        assert main(["import-lrk", str(LRK), "--db", str(path)]) == 1
        out = capsys.readouterr().out
        assert "geen schrijfrechten" in out and "niets gewijzigd" in out, out
        assert "opbouw die Kindkaart niet kent" not in out
    finally:
        subprocess.run(["chattr", "-i", str(folder)], capture_output=True)


def test_a_saved_scenario_its_totals_and_its_log_line_are_one_transaction(app_db):
    # killed between them, the app kept a scenario nobody logged, or one shown as computed on
    # other inputs; DuckDB's current_timestamp is the start of the transaction, so three writes
    # in one transaction carry one time
    at = run_page("scenarios", 120)
    at.text_input(key="scenario_name_0").input("Na een storing")
    at.button[[b.label for b in at.button].index("Opslaan en berekenen")].click().run()
    assert not at.exception, at.exception
    con = store.connect(app_db, read_only=True)
    try:
        saved, computed = con.execute("select created_at, computed_at from scenarios"
                                      " where name = 'Na een storing'").fetchone()
        [(logged,)] = con.execute("select happened_at from audit_log where action = 'scenario'"
                                  " and detail like '%Na een storing%'").fetchall()
    finally:
        con.close()
    assert saved == computed == logged
    # and a copy with its log line
    new_id = at.multiselect(key="scenarios_compare").value[-1]
    at.button(key=f"scenario_copy_{new_id}").click().run()
    assert not at.exception, at.exception
    con = store.connect(app_db, read_only=True)
    try:
        [(copied, logged)] = con.execute(
            "select s.created_at, a.happened_at from scenarios s join audit_log a"
            " on a.detail = 'scenario ' || ? || ' gekopieerd als ' || s.scenario_id",
            [new_id]).fetchall()
    finally:
        con.close()
    assert copied == logged


# Killed at random moments, a command that writes leaves the old state or the new one: the next
# command reads it without a traceback, the same command run again completes, and what a killed
# run left behind is gone after it. (tests/test_kill.py does this for `import` and `init --force`.)

def _older_database(path, sample_db) -> None:
    """The sample database as an earlier version of Kindkaart left it: without migrations 0075,
    0080, 0085, 0086, 0087 and 0090 (whose changes are undone), with a partner account 0075 must
    decide about."""
    import duckdb

    shutil.copy(sample_db, path)
    con = duckdb.connect(str(path))
    con.execute("insert into accounts (login, role, organisation) values ('partner', 'partner', 'Zonnestraal')")
    con.execute("alter table accounts drop column all_gemeenten")
    con.execute("alter table audit_log drop column gemeenten")
    con.execute("delete from schema_migrations where version = 75")
    con.execute("drop table published_signal_patterns")
    con.execute("delete from schema_migrations where version = 80")
    con.execute("drop table published_beside_patterns")
    con.execute("delete from schema_migrations where version = 85")
    con.execute("drop table published_population_patterns")
    con.execute("delete from schema_migrations where version = 86")
    con.execute("drop table published_pool_patterns")
    con.execute("delete from schema_migrations where version = 87")
    con.execute("alter table raw_lrk__locations drop column postcode_year")
    con.execute("delete from schema_migrations where version = 90")
    # its models were built by that version: stg_lrk__locations read no postcode_year then, and
    # the current one (built with the sample) fails without it until the models are rebuilt
    con.execute(f"update {transforms.BUILD_STATE} set code_fingerprint = 'een oudere versie'")
    con.close()


def _state(path) -> tuple:
    """What a command may change: loads and their status, accounts, the schema version, the
    population the figures use; None where there is no file, "leeg" for an empty DuckDB file (the
    app and history refuse it in Dutch; `init` makes it a database)."""
    if not path.exists():
        return None
    try:
        con = store.connect(path, read_only=True)
    except store.DatabaseRefused as refused:
        if "is leeg" in refused.messages[0]:  # DuckDB made the file, the migrations did not start
            return "leeg"
        raise
    try:
        return (con.execute("select load_id, dataset, status, row_count from loads order by 1").fetchall(),
                con.execute("select login, active from accounts order by 1").fetchall(),
                store.schema_version(con),
                con.execute("select count(*), round(sum(children), 6) from population_by_wijk_age").fetchall()
                if store.has_table(con, "population_by_wijk_age") else None,
                # the boundaries and postcodes an import-cbs of such a file replaces
                con.execute("select count(*), count(distinct region_code) from geometries").fetchall()
                if store.has_table(con, "geometries") else None,
                con.execute("select count(*) from postcodes").fetchall()
                if store.has_table(con, "postcodes") else None)
    finally:
        con.close()


def _with_a_replaced_upload(path, sample_db) -> None:
    """The sample database in which a second vve-indicaties file of the GGD replaced the first
    (upload 25, which `restore 25` brings back); built once per session, beside the sample."""
    built = sample_db.with_name("vve-vervangen.duckdb")
    if not built.exists():
        import sys

        sys.path.insert(0, str(ROOT / "tests" / "fixtures" / "registrations"))
        from support import filled_template

        workbook = sample_db.with_name("vve-indicaties.xlsx")
        workbook.write_bytes(filled_template("vve-indicaties", [["Centrum", "2-4", "SES", 40]]))
        scratch = sample_db.with_name("vve-vervangen.bouw")
        shutil.copy(sample_db, scratch)
        assert main(["import", str(workbook), "--soort", "vve-indicaties", "--organisatie",
                     "GGD Voorbeeldregio (JGZ)", "--periode", "2024", "--db", str(scratch)]) == 0
        os.replace(scratch, built)
    shutil.copy(built, path)


def _with_an_account(path, sample_db) -> None:
    shutil.copy(sample_db, path)
    add_account(path, "partner", "partner", "Zonnestraal", gemeenten=["GM9999"])


def _with_an_account_since_the_backup(path, sample_db) -> None:
    """A backup (kopie.duckdb) of the sample, and the database where an account was added and an
    upload marked replaced since (restore-backup brings the upload back and keeps the account)."""
    shutil.copy(sample_db, path.with_name("kopie.duckdb"))
    _with_an_account(path, sample_db)
    con = duckdb.connect(str(path))
    try:
        con.execute("update loads set status = 'superseded' where dataset = 'jeugdhulp'")
    finally:
        con.close()


KILLED = {
    # name: (prepare(path, sample_db), command after `python -m data_sources`, kills)
    "init": (lambda path, sample_db: None, ["init"], 2),
    "import-cbs": (lambda path, sample_db: shutil.copy(sample_db, path),
                   ["import-cbs", str(ROOT / "tests" / "fixtures" / "cbs" / "kwb-2024.csv")], 2),
    "users add": (lambda path, sample_db: shutil.copy(sample_db, path),
                  ["users", "add", "nieuw", "--rol", "analist", "--alle", "--oidc"], 2),
    "migration": (_older_database, ["users", "list"], 2),
    "restore-backup": (lambda path, sample_db: shutil.copy(sample_db, path.with_name("kopie.duckdb")),
                       ["restore-backup", "{folder}/kopie.duckdb"], 2),
    # over a database in use: its backup, then the swap, while it is held (jobs.put_in_place)
    "restore-backup over a database": (_with_an_account_since_the_backup,
                                       ["restore-backup", "{folder}/kopie.duckdb"], 2),
    "users disable": (_with_an_account, ["users", "disable", "partner"], 2),
    "restore": (_with_a_replaced_upload, ["restore", "25"], 2),
    "import-lrk": (lambda path, sample_db: shutil.copy(sample_db, path),
                   ["import-lrk", str(LRK), "--jaar", "2025"], 2),
    # the boundaries of every wijk of 2024 (GeoJSON, statcode), replacing the sample's of GM9999
    "import-cbs grenzen": (lambda path, sample_db: shutil.copy(sample_db, path),
                           ["import-cbs", str(WIJKGRENZEN), "--jaar", "2024"], 2),
    "import-cbs postcodes": (lambda path, sample_db: shutil.copy(sample_db, path),
                             ["import-cbs", str(ROOT / "sample_data" / "postcodes" / "pc6hnr20240801_gwb.csv")], 2),
}


def _leftovers(folder) -> list[str]:
    """Scratch files of killed runs: anything but the database, its .wal while open, the backup
    given to restore-backup and finished backups."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")
                  if p.name not in ("kindkaart.duckdb", "kopie.duckdb", "backups")
                  and not (p.parent.name == "backups" and p.suffix == ".duckdb"))


@pytest.mark.parametrize("name", sorted(KILLED))
def test_a_command_killed_at_a_random_moment_leaves_the_old_state_or_the_new(tmp_path, sample_db, name,
                                                                             capsys):
    import random
    import sys
    import time

    prepare, arguments, kills = KILLED[name]
    folder = tmp_path / "db"
    path = folder / "kindkaart.duckdb"
    arguments = [*(a.format(folder=folder) for a in arguments), "--db", str(path)]

    def fresh():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        prepare(path, sample_db)

    def run(command):
        # in this process (a second Python start per step would double the test's time)
        code = main(command)
        out = capsys.readouterr()
        assert "Traceback" not in out.err and "Error" not in out.out, out
        return code

    fresh()
    old = _state(path)
    start = time.monotonic()
    subprocess.run([sys.executable, "-m", "data_sources", *arguments], cwd=ROOT, check=True,
                   capture_output=True, timeout=300)
    duration = time.monotonic() - start
    new = _state(path)
    assert new != old
    chance = random.Random(name)
    for _ in range(kills):
        fresh()
        process = subprocess.Popen([sys.executable, "-m", "data_sources", *arguments], cwd=ROOT,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            process.wait(timeout=chance.uniform(0.1, duration))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        run(["history", "--db", str(path)])  # the next command reads it, without a traceback
        state = _state(path)
        if name == "init":  # the schema may be there without the models: nothing was loaded
            assert state in (None, "leeg", new) or (state[0], state[1]) == ([], [])
        elif name == "migration":  # each migration is a transaction of its own
            assert (state[0], state[1]) == (old[0], old[1]) and state[2] in (old[2], new[2])
        else:
            assert state in (old, new)
        if name in ("users add", "users disable", "restore") and state == new:
            # the process ended before its kill (a busy machine): the account is there, and adding
            # it again is refused ('bestaat al'), not done twice; the upload is already active
            assert run(arguments) == 1
        else:
            assert run(arguments) == 0  # and the command completes when run again
        if name == "import-lrk" and state == new:
            # the process ended before its kill: the same export again is a new lading that
            # replaces the earlier one, with the same figures
            assert _state(path)[3] == new[3]
        elif name == "import-cbs postcodes" and state == new:
            # the kill fell after the commit: the same file again is one more postcode load, and
            # everything else (the postcodes themselves, the figures) is as it was
            again = _state(path)
            assert again[1:] == new[1:]
            assert [row for row in again[0] if row not in new[0]] == [
                (max(row[0] for row in again[0]), "postcodes", "active", 167)]
        else:
            assert _state(path) == new
        assert _leftovers(folder) == []


def test_a_command_killed_while_it_waits_for_the_database_leaves_no_waiting_file(tmp_path, sample_db):
    # a command that waits says so with <database>.<pid>.wacht; killed meanwhile, it cannot remove it
    import sys
    import time

    path = tmp_path / "kindkaart.duckdb"
    shutil.copy(sample_db, path)
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; "
                               f"c = duckdb.connect({str(path)!r}); print('open', flush=True); "
                               "sys.stdin.readline()"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True)
    assert holder.stdout.readline().strip() == "open"
    waiter = subprocess.Popen([sys.executable, "-m", "data_sources", "history", "--db", str(path)],
                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob("*.wacht")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert list(tmp_path.glob("*.wacht"))
    waiter.kill()
    waiter.wait()
    holder.communicate("\n", timeout=60)
    assert main(["history", "--db", str(path)]) == 0  # the next command that opens it cleans up
    assert list(tmp_path.glob("*.wacht")) == []


def test_a_file_named_backups_beside_the_database_is_named_as_the_cause(tmp_path, sample_db, capsys):
    path = tmp_path / "kindkaart.duckdb"
    shutil.copy(sample_db, path)
    (tmp_path / "backups").write_text("iemands aantekeningen")
    before = _files(tmp_path)
    for command in (["backup"], ["init", "--sample", "--force"]):
        assert main([*command, "--db", str(path)]) == 1
        out = capsys.readouterr().out
        assert "een bestand waar een map hoort" in out and "ongewijzigd" in out, out
    assert _files(tmp_path) == before
    assert (tmp_path / "backups").read_text() == "iemands aantekeningen"


def test_a_template_that_fails_half_written_leaves_the_earlier_file_whole(tmp_path, monkeypatch, capsys):
    # the workbook is made in memory and put in place whole (outputs.files.write_whole), as exports are
    from data_sources.commands import template

    output = tmp_path / "sjabloon.xlsx"
    output.write_bytes(b"the earlier file")

    def half(soort, target, con, gemeente_code):
        target.write(b"PK\x03\x04 half a workbook")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(template, "write_template", half)
    assert main(["template", "--soort", "jeugdhulp", "-o", str(output),
                 "--db", str(tmp_path / "geen.duckdb")]) == 1
    assert "schijf is vol" in capsys.readouterr().out
    assert output.read_bytes() == b"the earlier file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sjabloon.xlsx"]


def test_an_import_killed_while_its_zip_is_unpacked_leaves_no_folder_in_the_temporary_files(tmp_path,
                                                                                          sample_db):
    # A zip (postcodes, a GeoPackage of hundreds of MB, CBS open data) is unpacked into a
    # temporary folder, and an upload in the app is put in one; kill -9 runs no clean-up, so the
    # next such command removes the folders of processes that no longer run.
    import sys
    import zipfile

    temporary = tmp_path / "tmp"
    temporary.mkdir()
    path = tmp_path / "kindkaart.duckdb"
    shutil.copy(sample_db, path)
    lines = (ROOT / "sample_data" / "postcodes" / "pc6hnr20240801_gwb.csv").read_text().splitlines()
    rows = [line.split(";", 2) for line in lines[1:] if line]
    body = "\n".join([lines[0], *(f"{pc6};{int(number) + 1000 * n};{rest}"  # big enough to take a while
                                  for n in range(300) for pc6, number, rest in rows)])
    archive = tmp_path / "pc6hnr20240801_gwb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("pc6hnr20240801_gwb.csv", body)
    command = [sys.executable, "-m", "data_sources", "import-cbs", str(archive), "--db", str(path)]
    env = {**os.environ, "TMPDIR": str(temporary)}
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    # its own folder, not the file Python's tempfile writes once to test the folder (killed at
    # that moment, Python's probe would be left, which no run of Kindkaart made)
    while not any(p.name.startswith(store.SCRATCH_PREFIX) for p in temporary.iterdir()) \
            and process.poll() is None:
        try:
            process.wait(timeout=0.01)
        except subprocess.TimeoutExpired:
            pass
    process.kill()
    assert process.wait() == -9, "the import ended before its folder was seen"
    assert any(temporary.iterdir())  # what the killed run left
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert list(temporary.iterdir()) == []


def test_the_scratch_file_of_a_killed_template_or_export_is_removed_by_the_next_write(tmp_path, sample_db,
                                                                                     capsys):
    # written beside the target, then put in place: kill -9 in between leaves the scratch file,
    # which carries the id of its process; the next write of that name removes it
    import sys

    path = tmp_path / "kindkaart.duckdb"
    shutil.copy(sample_db, path)  # export logs what it wrote
    output = tmp_path / "uit"
    output.mkdir()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True).stdout.strip()
    for name, command in (("sjabloon.xlsx", ["template", "--soort", "jeugdhulp"]),
                          ("export.html", ["export"]), ("plan.xlsx", ["scenario", "export", "1"])):
        (output / f".{name}.{dead}.deel").write_bytes(b"PK\x03\x04 half a file")
        assert main([*command, "-o", str(output / name), "--db", str(path)]) == 0, capsys.readouterr()
    assert sorted(p.name for p in output.iterdir()) == ["export.html", "plan.xlsx", "sjabloon.xlsx"]


def test_an_export_removes_what_killed_runs_left_beside_other_names_but_not_what_runs_write(
        tmp_path, sample_db, capsys):
    # kill -9 between writing and renaming leaves `.<name>.<pid>.deel`: an export into that folder
    # under another name removed it only when it wrote that same name again
    import sys

    from data_sources.store import OTHERS_LEFT_FOR

    path = tmp_path / "kindkaart.duckdb"
    shutil.copy(sample_db, path)
    output = tmp_path / "uit"
    output.mkdir()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True).stdout.strip()
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        left = {f".plan.xlsx.{dead}.deel": True,  # its process gone: removed
                ".rapport.html.99999999999999999999.deel": True,  # no process has that number
                f".sjabloon.xlsx.{live.pid}.deel": False,  # its process may still write it
                "notities.deel": False}  # not the name of a scratch file
        long_ago = time.time() - OTHERS_LEFT_FOR - 60
        for name in left:
            (output / name).write_bytes(b"PK\x03\x04 half a file")
            os.utime(output / name, (long_ago, long_ago))
        # just written, its process not running here: on a network folder another computer's export
        (output / f".kinderen.csv.{dead}.deel").write_bytes(b"wijk;aantal")
        assert main(["export", "-o", str(output / "export.html"), "--db", str(path)]) == 0, (
            capsys.readouterr())
        assert sorted(p.name for p in output.iterdir()) == sorted(
            ["export.html", f".kinderen.csv.{dead}.deel",
             *(name for name, removed in left.items() if not removed)])
    finally:
        live.kill()
        live.wait()


def test_a_login_killed_between_counting_and_checking_counts_as_a_failure_and_the_next_login_works(app_db):
    # the attempt is committed before its password is checked (accounts.begin_login); a server
    # killed then leaves it 'bezig', which counts against guessing for LOCKOUT_MINUTES, and its
    # audit line (same transaction), so that the beheerder sees the attempt
    import signal
    import sys

    from data_sources import accounts

    add_account(app_db, "ggd", "partner", "GGD Voorbeeldregio (JGZ)")
    killed = subprocess.run([sys.executable, "-c",
                             "import os, signal, sys\n"
                             "from data_sources import accounts, store\n"
                             "con = store.connect(sys.argv[1])\n"
                             "accounts.begin_login(con, 'ggd', '10.0.0.1')\n"
                             "os.kill(os.getpid(), signal.SIGKILL)", str(app_db)], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    con = store.connect(app_db, read_only=True)
    try:
        assert accounts.recent_failures(con, "GGD") == 1
        assert con.execute("select outcome from login_attempts").fetchall() == [("bezig",)]
        assert con.execute("select actor, action, detail from audit_log where action like 'inlog%'"
                           ).fetchall() == [("ggd", "inlogpoging", "login 'ggd'")]
    finally:
        con.close()
    at = run_page()  # the next page works, and so does the same login
    at.text_input(key="login_naam").set_value("ggd")
    at.text_input(key="login_wachtwoord").set_value("correct paard batterij")
    at.button[0].click().run()
    assert not at.exception
    assert at.title[0].value == "Gegevens aanleveren"


def test_the_copy_of_a_backup_killed_with_kill_9_stops_and_removes_itself(tmp_path):
    # store.backup copies the database in a child process (this one must keep DuckDB's lock).
    # A backup killed with kill -9 leaves that child behind: it notices, stops and removes its
    # copy, instead of writing a whole copy nobody waits for. A named pipe stands for a database
    # that takes long to copy (a national one: hundreds of MB).
    import errno
    import signal
    import sys
    import time

    source, target = tmp_path / "kindkaart.duckdb", tmp_path / "kopie.duckdb.kopie"
    os.mkfifo(source)
    backup = subprocess.Popen([sys.executable, "-c", "import sys; from pathlib import Path\n"
                               "from data_sources import store\n"
                               "store._copy_in_child(Path(sys.argv[1]), Path(sys.argv[2]))",
                               str(source), str(target)], cwd=ROOT)
    deadline = time.monotonic() + 60
    while True:  # the pipe opens for writing once the child opened it for reading
        try:
            pipe = os.open(source, os.O_WRONLY | os.O_NONBLOCK)
            break
        except OSError as error:
            assert error.errno == errno.ENXIO and time.monotonic() < deadline, \
                f"the copy never opened the database: {error}"
            time.sleep(0.01)
    try:
        os.set_blocking(pipe, True)
        os.write(pipe, b"x" * 1024)
        while not target.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert target.exists()
        backup.send_signal(signal.SIGKILL)
        backup.wait()
        with pytest.raises(BrokenPipeError):  # the child stopped reading: it is gone
            while time.monotonic() < deadline:
                os.write(pipe, b"x" * 65536)
                time.sleep(0.01)
    finally:
        with contextlib.suppress(OSError):
            os.close(pipe)
    assert not target.exists()
