"""Hostile database files: each gets a Dutch message (no traceback, no server path) and is never written."""

from __future__ import annotations

import gzip
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


OLD_DUCKDB = ROOT / "tests" / "fixtures" / "duckdb" / "duckdb-0.8.1.duckdb.gz"  # see its README

HOSTILE = {
    "cut off": (_cut_off, "beschadigd"),
    "older duckdb storage": (lambda path, _: path.write_bytes(gzip.decompress(OLD_DUCKDB.read_bytes())),
                             "gemaakt met een oude versie van DuckDB (v0.8.0 of v0.8.1)"),
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


@pytest.mark.parametrize("make", [_empty_duckdb, lambda path: path.write_bytes(b"")],
                         ids=["DuckDB without tables", "0 bytes"])
def test_an_empty_duckdb_file_is_new_only_for_a_command_that_may_create_one(tmp_path, capsys,
                                                                             monkeypatch, make):
    # 0 bytes: what a creation killed before DuckDB wrote its headers left in earlier versions
    path = tmp_path / "db" / "kindkaart.duckdb"
    path.parent.mkdir()
    make(path)
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


def test_a_creation_killed_before_the_file_is_whole_leaves_no_file_under_the_database_name(tmp_path,
                                                                                             capsys):
    # killed while DuckDB writes the headers of a new file (CI caught `init` killed at that
    # moment leaving a file every command refused as damaged, `init` included)
    path = tmp_path / "db" / "kindkaart.duckdb"
    script = ("import os, duckdb\n"
              "from data_sources import store\n"
              "real = duckdb.connect\n"
              "def killed(database, *args, **kwargs):\n"
              "    if not os.path.exists(database):  # the new file, by whatever name\n"
              "        open(database, 'wb').write(b'\\0' * 100)  # half a header\n"
              "        os._exit(9)\n"
              "    return real(database, *args, **kwargs)\n"
              "duckdb.connect = killed\n"
              f"store.connect({str(path)!r})\n")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 9, result.stderr
    assert not path.exists()
    assert [p.name.endswith(".nieuw") for p in path.parent.iterdir()] == [True]  # only the scratch
    assert main(["history", "--db", str(path)]) == 1
    assert "bestaat nog niet" in capsys.readouterr().out
    assert main(["init", "--db", str(path)]) == 0
    assert sorted(p.name for p in path.parent.iterdir()) == ["kindkaart.duckdb"]  # the scratch is gone
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


def test_a_wal_beside_the_database_that_is_a_link_is_refused_and_nothing_goes_through_it(
        tmp_path, sample_db, capsys):
    """A .wal beside the database that is a link to another file (made by someone who may write
    in the data folder): DuckDB wrote its log through it, over that file (a user's .bashrc, when
    Kindkaart runs as that user), and kept the database's transactions there."""
    path = tmp_path / "kindkaart.duckdb"
    shutil.copy(sample_db, path)
    victim = tmp_path / "van-een-ander.txt"
    victim.write_text("tekst van een ander programma\n")
    wal = path.with_name(path.name + ".wal")
    wal.symlink_to(victim)
    for read_only in (True, False):
        with pytest.raises(store.DatabaseRefused) as refused:
            store.connect(path, read_only=read_only)
        assert "koppeling" in refused.value.messages[0] and ".wal" in refused.value.messages[0]
    assert main(["users", "add", "nieuw", "--rol", "analist", "--alle", "--oidc", "--db", str(path)]) == 1
    assert "koppeling" in capsys.readouterr().out
    assert victim.read_text() == "tekst van een ander programma\n"
    assert wal.is_symlink()  # the beheerder's to look at: never removed


# --- A database this user may only read (a read-only copy for the LEA view) -----------------------
# Made read-only three ways: permissions (they do not bind root, so skipped as root), an immutable
# file (chattr +i, binds root too) and a read-only mount of its folder (needs the right to mount).
# The app opens it read-only and shows every figure; every write is refused with one Dutch
# sentence (store.READ_ONLY_MESSAGE) or its control is off with ui.data.READ_ONLY_NOTE.

PAGE_FILES = sorted(p.stem for p in (ROOT / "pages").glob("*.py"))
PASSWORD = "correct paard batterij"


@pytest.fixture(params=["rechten", "onveranderbaar", "alleen-lezen schijf"])
def read_only_db(request, tmp_path, sample_db):
    """A copy of the sample database with a beheerder account (made while it could be written),
    then made read-only for this process; restored for the clean-up."""
    folder = tmp_path / "kopie"
    folder.mkdir()
    path = folder / "kindkaart.duckdb"
    shutil.copy(sample_db, path)
    from conftest import add_account

    add_account(path, "beheer", "beheerder", password=PASSWORD)
    undo = _make_read_only(request.param, folder, path)
    try:
        assert not store.writable(path)
        yield path
    finally:
        undo()


def _make_read_only(how: str, folder: Path, path: Path):
    if how == "rechten":
        if os.geteuid() == 0:
            pytest.skip("rechten binden root niet (zie 'onveranderbaar' en 'alleen-lezen schijf')")
        path.chmod(0o444)
        folder.chmod(0o555)
        return lambda: folder.chmod(0o755)
    if os.geteuid() != 0:
        pytest.skip(f"'{how}' vraagt root")
    if how == "onveranderbaar":
        made = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True)
        if made.returncode:
            pytest.skip(f"chattr +i lukt hier niet: {made.stderr.strip()}")
        return lambda: subprocess.run(["chattr", "-i", str(path)], check=True)
    bound = subprocess.run(["mount", "--bind", str(folder), str(folder)], capture_output=True, text=True)
    if bound.returncode:
        pytest.skip(f"geen koppeling te maken (mount --bind: {bound.stderr.strip()})")
    remounted = subprocess.run(["mount", "-o", "remount,bind,ro", str(folder)], capture_output=True, text=True)
    if remounted.returncode:
        subprocess.run(["umount", str(folder)], check=False)
        pytest.skip(f"niet alleen-lezen te koppelen: {remounted.stderr.strip()}")
    return lambda: subprocess.run(["umount", str(folder)], check=True)


def _beheerder():
    from data_sources.accounts import Account

    return Account("beheer", "beheerder", None)


def test_every_page_shows_its_figures_from_a_read_only_database(read_only_db, monkeypatch):
    before = _fingerprint(read_only_db.parent)
    monkeypatch.setenv("KINDKAART_DB", str(read_only_db))
    at = run_page(account=_beheerder())
    assert at.title[0].value == "Overzicht Voorbeeldstad 2024" and not at.error
    assert any("alleen te lezen" in i.value for i in at.sidebar.info)  # said once, in the sidebar
    for page in PAGE_FILES:
        at = run_page(page, account=_beheerder())
        assert not at.exception, (page, at.exception)
        assert not at.error, (page, [e.value for e in at.error])
        assert at.title, page
    assert _fingerprint(read_only_db.parent) == before


def test_every_write_on_a_read_only_database_is_refused_in_dutch(read_only_db, monkeypatch):
    sys.path.insert(0, str(ROOT / "tests" / "fixtures" / "registrations"))
    from conftest import upload_registration
    from support import filled_template

    from ui.data import READ_ONLY_NOTE

    before = _fingerprint(read_only_db.parent)
    monkeypatch.setenv("KINDKAART_DB", str(read_only_db))
    # an upload is checked (reading), and refused when it would be stored
    at = run_page("aanleveren", account=_beheerder())
    assert READ_ONLY_NOTE in [i.value for i in at.info]
    at.selectbox(key="aanleveren_organisatie_keuze").set_value("GGD Voorbeeldregio (JGZ)").run()
    at.text_input(key="aanleveren_periode").set_value("2023")
    upload_registration(at, "vve-indicaties", "vve.xlsx",
                        filled_template("vve-indicaties", [["Centrum", "2-4", "SES", 33]]))
    [button for button in at.button if button.label == "Bevestigen en opslaan"][0].click()
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [store.READ_ONLY_MESSAGE]
    assert not any("Opgeslagen" in s.value for s in at.success)
    # a release on Beheer: refused, the accounts and the log still show, and the page says
    # where logins go instead
    at = run_page("beheer", account=_beheerder())
    at.multiselect(key="vrijgave_partner_GM9999").select("vve_per_100").run()
    assert not at.exception
    assert [e.value for e in at.error] == [store.READ_ONLY_MESSAGE]
    assert at.table and at.dataframe
    assert any("log van de server" in w.value for w in at.warning)
    # the pages whose controls only write: the note, and the controls off
    at = run_page("analysevragen", account=_beheerder())
    assert READ_ONLY_NOTE in [i.value for i in at.info]
    assert all(b.disabled for b in at.button if b.label == "Opslaan")
    at = run_page("scenarios", account=_beheerder())
    assert READ_ONLY_NOTE in [i.value for i in at.info]
    assert all(b.disabled for b in at.button if b.label in ("Opslaan en berekenen", "Tarieven opslaan"))
    at = run_page("continuum", account=_beheerder())
    assert READ_ONLY_NOTE in [i.value for i in at.info]
    assert [s for s in at.slider if s.key.startswith("w_param_")]
    assert all(s.disabled for s in at.slider if s.key.startswith("w_param_"))
    at = run_page("gemeente_laden", account=_beheerder())
    assert READ_ONLY_NOTE in [i.value for i in at.info]
    assert all(b.disabled for b in at.button if b.label in ("Laden", "Vernieuwen bij CBS"))
    assert not at.exception
    assert _fingerprint(read_only_db.parent) == before


class _Lines(list):
    """What the app tells the server's log (the audit log a read-only database cannot take)."""

    def __init__(self):
        import logging

        super().__init__()
        self.handler = logging.Handler()
        self.handler.emit = lambda record: self.append(record.getMessage())


def test_login_on_a_read_only_database_is_counted_and_told_to_the_server_log(read_only_db,
                                                                              monkeypatch):
    # the database takes no line in audit_log and no count of failed attempts: the process
    # counts them (same limits) and the server's log gets who, what and when
    from data_sources import accounts
    from ui import auth
    from ui.auth import SERVER_LOG

    monkeypatch.setattr(auth, "_attempts", {})  # the count of this process, as after a restart
    before = _fingerprint(read_only_db.parent)
    monkeypatch.setenv("KINDKAART_DB", str(read_only_db))
    lines = _Lines()
    SERVER_LOG.addHandler(lines.handler)
    try:
        def attempt(password: str):
            at = run_page()
            at.text_input(key="login_naam").set_value("beheer")
            at.text_input(key="login_wachtwoord").set_value(password)
            at.button[0].click()
            at.run()
            assert not at.exception
            return at

        at = attempt("fout wachtwoord 1")
        assert "kindkaart_account" not in at.session_state
        assert any("klopt niet" in e.value for e in at.error)
        at = attempt(PASSWORD)
        assert "kindkaart_account" in at.session_state and at.title[0].value.startswith("Overzicht")
        for number in range(accounts.MAX_FAILURES - 1):
            attempt(f"fout wachtwoord {number + 2}")
        at = attempt(PASSWORD)  # five failures: the login waits, also with the right password
        assert "kindkaart_account" not in at.session_state
        assert any("Te veel mislukte pogingen" in e.value for e in at.error)
    finally:
        SERVER_LOG.removeHandler(lines.handler)
    # each checked attempt before its check (a server stopped while checking leaves that line),
    # then its outcome
    assert lines[0] == lines[2] == "beheer | inlogpoging | login 'beheer' | gemeenten: -"
    assert lines[1].startswith("beheer | inloggen mislukt | login 'beheer'")
    assert lines[3] == "beheer | inloggen | rol beheerder | gemeenten: -"
    assert "te veel mislukte pogingen" in lines[-1]
    assert len(lines) == 2 * (1 + accounts.MAX_FAILURES) + 1
    assert _fingerprint(read_only_db.parent) == before


def test_a_login_typed_with_line_breaks_forges_no_line_in_the_server_log(read_only_db, monkeypatch):
    """On a read-only database the server's log is the only audit log, and anyone who reaches the
    login page writes the login name into it: one with a line break (a browser field takes none,
    a message sent by hand does) added a line of its own, such as a sign-in of the beheerder."""
    from ui import auth
    from ui.auth import SERVER_LOG

    monkeypatch.setattr(auth, "_attempts", {})
    monkeypatch.setenv("KINDKAART_DB", str(read_only_db))
    lines = _Lines()
    SERVER_LOG.addHandler(lines.handler)
    try:
        at = run_page()
        at.text_input(key="login_naam").set_value(
            "x\nbeheer | inloggen | rol beheerder | gemeenten: -\r\x1b[2K")
        at.text_input(key="login_wachtwoord").set_value("fout wachtwoord")
        at.button[0].click()
        at.run()
        assert not at.exception
    finally:
        SERVER_LOG.removeHandler(lines.handler)
    assert len(lines) == 2  # the attempt and its outcome, one line each
    assert not any(character in line for line in lines for character in "\n\r\x1b")
    assert all(line.startswith("x\\nbeheer | inloggen | rol beheerder") for line in lines), lines


def test_a_read_only_database_of_another_version_says_it_needs_writing_once(tmp_path, sample_db,
                                                                             monkeypatch):
    # its marts were built by other rules: the app would rebuild them, which it cannot here
    folder = tmp_path / "kopie"
    folder.mkdir()
    path = folder / "kindkaart.duckdb"
    shutil.copy(sample_db, path)
    _duckdb_with(path, "update build_state set code_fingerprint = 'een andere versie'")
    undo = _make_read_only("rechten" if os.geteuid() else "onveranderbaar", folder, path)
    try:
        before = _fingerprint(folder)
        monkeypatch.setenv("KINDKAART_DB", str(path))
        at = run_page()
        assert not at.exception
        assert "alleen te lezen en gemaakt met een andere versie" in at.error[0].value
        assert str(folder) not in at.error[0].value
        assert _fingerprint(folder) == before
    finally:
        undo()


def test_the_cli_reads_a_read_only_database_and_refuses_to_write_it(read_only_db, tmp_path):
    before = _fingerprint(read_only_db.parent)

    def cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "data_sources", *args, "--db", str(read_only_db)],
                              cwd=ROOT, capture_output=True, text=True, timeout=300, input=stdin)

    history = cli("history")
    assert history.returncode == 0 and "vve-indicaties" in history.stdout, history.stdout + history.stderr
    users = cli("users", "list")
    assert users.returncode == 0 and "beheer" in users.stdout, users.stdout + users.stderr
    export = cli("export", "-o", str(tmp_path / "werkboek.xlsx"))
    assert export.returncode == 0, export.stdout + export.stderr
    assert "staat niet in het logboek" in export.stdout and (tmp_path / "werkboek.xlsx").stat().st_size
    workbook = ROOT / "sample_data" / "registrations" / "vve-indicaties.xlsx"
    for refused in (cli("import", str(workbook), "--soort", "vve-indicaties", "--organisatie",
                        "GGD Voorbeeldregio (JGZ)", "--periode", "2023"),
                    cli("users", "add", "zaal", "--rol", "lea", "--wachtwoord-stdin", stdin=PASSWORD + "\n"),
                    cli("users", "disable", "beheer"),
                    cli("import-lrk", str(ROOT / "sample_data" / "lrk" / "lrk_export_GM9999_2024.csv"))):
        said = refused.stdout + refused.stderr
        assert refused.returncode == 1, said
        assert "alleen te lezen" in refused.stdout and "niets gewijzigd" in refused.stdout, said
        assert "Traceback" not in said and "Error" not in said, said
    assert _fingerprint(read_only_db.parent) == before


# --- More damage: tables of other column types, a .wal cut off by a killed writer ----------------

def _loads_retyped(path: Path, sample_db: Path) -> None:
    # loads.loaded_at as text: a Kindkaart database changed by hand or by another program
    shutil.copy(sample_db, path)
    _duckdb_with(path, "alter table loads alter column loaded_at type varchar;"
                       " update loads set loaded_at = 'gisteren'")


def test_tables_of_other_column_types_are_named_in_dutch(tmp_path, sample_db, monkeypatch):
    path = tmp_path / "db" / "kindkaart.duckdb"
    path.parent.mkdir()
    _loads_retyped(path, sample_db)
    before = _fingerprint(path.parent)
    monkeypatch.setenv("KINDKAART_DB", str(path))
    at = run_page()
    assert not at.exception
    shown = " ".join(e.value for e in at.error)
    assert "andere kolommen dan Kindkaart ze maakt (loads.loaded_at: VARCHAR in plaats van TIMESTAMP)" in shown
    assert "restore-backup" in shown and str(tmp_path) not in shown
    result = subprocess.run([sys.executable, "-m", "data_sources", "history", "--db", str(path)],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "loads.loaded_at: VARCHAR in plaats van TIMESTAMP" in result.stdout
    assert "Traceback" not in result.stderr
    assert _fingerprint(path.parent) == before


def test_tables_of_the_migrations_that_are_gone_are_named_in_dutch(tmp_path, sample_db, monkeypatch):
    """A Kindkaart database whose table of accounts was dropped (by hand, by another program):
    `users list` printed DuckDB's English traceback ('Catalog Error: Table with name accounts does
    not exist!') and the app gave only an error number."""
    path = tmp_path / "db" / "kindkaart.duckdb"
    path.parent.mkdir()
    shutil.copy(sample_db, path)
    con = duckdb.connect(str(path))
    con.execute("drop table account_gemeenten; drop table accounts")
    con.close()
    before = _fingerprint(path.parent)
    result = subprocess.run([sys.executable, "-m", "data_sources", "users", "list", "--db", str(path)],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "(account_gemeenten: ontbreekt; accounts: ontbreekt)" in result.stdout
    assert "Traceback" not in result.stderr and "Catalog" not in result.stdout + result.stderr
    monkeypatch.setenv("KINDKAART_DB", str(path))
    at = run_page()
    assert not at.exception
    shown = " ".join(e.value for e in at.error)
    assert "accounts: ontbreekt" in shown and "restore-backup" in shown, shown
    assert _fingerprint(path.parent) == before


def test_a_sound_database_has_the_column_types_of_the_migrations(sample_con):
    assert store.schema_differences(sample_con) == []


def test_a_wal_cut_off_by_a_killed_writer_keeps_what_was_committed_before_the_cut(tmp_path, sample_db,
                                                                                  monkeypatch):
    # a writer killed after two committed transactions; the copy of its .wal lost its last bytes
    # (a disk that filled up, a copy interrupted): DuckDB replays what is whole, the cut
    # transaction is left out entirely, and the app shows the figures without a message
    path = tmp_path / "kindkaart.duckdb"
    shutil.copy(sample_db, path)
    subprocess.run([sys.executable, "-c", "import duckdb, os, signal; "
                    f"c = duckdb.connect({str(path)!r}); "
                    "c.execute(\"insert into audit_log (actor, action, detail) values ('een', 'test', 'x')\"); "
                    "c.execute(\"insert into audit_log (actor, action, detail) values ('twee', 'test', 'x')\"); "
                    "os.kill(os.getpid(), signal.SIGKILL)"], cwd=ROOT)
    wal = path.with_name(path.name + ".wal")
    wal.write_bytes(wal.read_bytes()[:-1])
    monkeypatch.setenv("KINDKAART_DB", str(path))
    at = run_page()
    assert not at.exception and not at.error
    assert at.title[0].value == "Overzicht Voorbeeldstad 2024"
    con = store.connect(path, read_only=True)
    try:
        kept = [row[0] for row in con.execute(
            "select actor from audit_log where action = 'test' order by event_id").fetchall()]
    finally:
        con.close()
    assert kept == ["een"]
