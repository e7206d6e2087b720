"""A full disk under the database: every write is refused in Dutch, without traceback or server
path, the file being read is not blamed, and everything stored before stays.

The disk is a real one: a small tmpfs mounted for the test and filled up (this needs the right to
mount, as root in a container; elsewhere the test is skipped and says why)."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, run_page, upload_registration

from data_sources import store

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "registrations"))
from support import filled_template  # noqa: E402

LRK = ROOT / "sample_data" / "lrk" / "lrk_export_GM9999_2024.csv"
FULL = "de schijf is vol"


@contextlib.contextmanager
def filled_disk(sample_db: Path, tmp_path: Path, prepare=None):
    """A copy of the sample database on a 40 MB disk with no room left; `prepare(database)` runs
    before the disk is filled (accounts stored while there was room)."""
    disk = tmp_path / "schijf"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=40m", "tmpfs", str(disk)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"geen kleine schijf te maken (mount tmpfs: {mounted.stderr.strip()})")
    try:
        database = disk / "kindkaart.duckdb"
        shutil.copy(sample_db, database)
        if prepare is not None:
            prepare(database)
        free = shutil.disk_usage(disk).free
        with open(disk / "vulling", "wb") as filler:
            os.posix_fallocate(filler.fileno(), 0, free)
        yield database
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


@pytest.fixture
def full_disk(sample_db, tmp_path):
    """A copy of the sample database on a 40 MB disk with no room left."""
    with filled_disk(sample_db, tmp_path) as database:
        yield database


def cli(database: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "data_sources", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, env={**os.environ, "KINDKAART_DB": str(database)})


def stored(database: Path, sql: str) -> list[tuple]:
    """What the database on the full disk holds (read-only: reading needs no room)."""
    con = store.connect(database, read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def active(database: Path) -> list[tuple]:
    return stored(database, "select load_id from loads where status = 'active' order by 1")


def assert_refused_in_dutch(result: subprocess.CompletedProcess, database: Path) -> None:
    # the command line may name the database file (the app never does)
    assert result.returncode == 1, result.stdout + result.stderr
    assert FULL in result.stdout
    assert "niets gewijzigd" in result.stdout or "ongewijzigd" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_an_lrk_import_on_a_full_disk_blames_the_disk_not_the_file(full_disk):
    before = active(full_disk)
    result = cli(full_disk, "import-lrk", str(LRK))
    assert_refused_in_dutch(result, full_disk)
    assert "niet te lezen" not in result.stdout and "opbouw" not in result.stdout
    assert active(full_disk) == before


def test_an_export_on_a_full_disk_leaves_no_half_file(full_disk):
    target = full_disk.parent / "export.xlsx"
    audit = stored(full_disk, "select count(*) from audit_log")
    result = cli(full_disk, "export", "-o", str(target))
    # refused before any work (the place is tried first): nothing written, the database untouched
    assert result.returncode == 1, result.stdout + result.stderr
    assert FULL in result.stdout and "Er is niets geschreven" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert not target.exists()
    assert stored(full_disk, "select count(*) from audit_log") == audit


def test_a_backup_on_a_full_disk_is_refused_in_dutch(full_disk):
    assert_refused_in_dutch(cli(full_disk, "backup"), full_disk)


def test_an_upload_in_the_app_on_a_full_disk_says_so_and_stores_nothing(full_disk, monkeypatch):
    monkeypatch.setenv("KINDKAART_DB", str(full_disk))
    before = active(full_disk)
    [(organisation,)] = stored(full_disk, "select organisation from loads where dataset = 'vve-indicaties' "
                                          "and status = 'active'")
    data = filled_template("vve-indicaties", [["Centrum", "2-4", "SES", 120], ["Bloemhof", "2-4", "SES", 80]])
    at = run_page("aanleveren")
    at.text_input(key="aanleveren_organisatie").set_value(organisation)
    at.text_input(key="aanleveren_periode").set_value("2024")
    upload_registration(at, "vve-indicaties", "vve-nieuw.xlsx", data)
    [button for button in at.button if button.label == "Bevestigen en opslaan"][0].click()
    at.run()
    assert not at.exception
    shown = " ".join(error.value for error in at.error)
    assert FULL in shown and str(full_disk.parent) not in shown
    assert not any("Opgeslagen" in success.value for success in at.success)
    assert active(full_disk) == before


def _accounts(database: Path) -> list[tuple]:
    return stored(database, "select login, active from accounts order by login")


@pytest.fixture
def full_disk_with_accounts(sample_db, tmp_path):
    """As full_disk, with a beheerder and a partner account stored before the disk filled up."""
    from conftest import add_account

    def accounts(database: Path) -> None:
        add_account(database, "beheer", "beheerder")
        add_account(database, "ggd", "partner", "GGD Voorbeeldregio (JGZ)")

    with filled_disk(sample_db, tmp_path, accounts) as database:
        yield database


def test_users_add_and_disable_on_a_full_disk_are_refused_in_dutch(full_disk_with_accounts):
    database = full_disk_with_accounts
    before = _accounts(database)
    added = subprocess.run([sys.executable, "-m", "data_sources", "users", "add", "zaal", "--rol", "lea",
                            "--wachtwoord-stdin", "--db", str(database)], input="correct paard batterij\n",
                           cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert_refused_in_dutch(added, database)
    assert_refused_in_dutch(cli(database, "users", "disable", "ggd"), database)
    assert _accounts(database) == before


def test_a_release_on_beheer_on_a_full_disk_says_so_and_changes_nothing(full_disk_with_accounts,
                                                                          monkeypatch):
    from data_sources.accounts import Account

    database = full_disk_with_accounts
    monkeypatch.setenv("KINDKAART_DB", str(database))
    at = run_page("beheer", account=Account("beheer", "beheerder"))
    assert not at.exception
    at.multiselect(key="vrijgave_partner_GM9999").select("vve_per_100")
    at.run()
    assert not at.exception
    shown = " ".join(error.value for error in at.error)
    assert FULL in shown and "niets gewijzigd" in shown and str(database.parent) not in shown
    assert at.table and at.dataframe  # the accounts and the log still show below it
    assert stored(database, "select count(*) from indicator_releases") == [(0,)]


def test_signing_in_on_a_full_disk_says_so_in_dutch(full_disk_with_accounts, monkeypatch):
    # a login writes a line to the audit log before the password is checked
    monkeypatch.setenv("KINDKAART_DB", str(full_disk_with_accounts))
    at = run_page()
    at.text_input(key="login_naam").set_value("ggd")
    at.text_input(key="login_wachtwoord").set_value("correct paard batterij")
    at.button[0].click()
    at.run()
    assert not at.exception
    shown = " ".join(error.value for error in at.error)
    assert FULL in shown and str(full_disk_with_accounts.parent) not in shown
    assert "te veel pogingen" not in shown  # a full disk is not a busy moment
    assert "kindkaart_account" not in at.session_state  # not signed in on a login nobody recorded


def test_init_force_on_a_full_disk_blames_the_disk_and_keeps_the_old_database(full_disk):
    # the new database is built beside the old one: on a full disk DuckDB cannot even make it
    before = active(full_disk)
    result = cli(full_disk, "init", "--sample", "--force")
    assert_refused_in_dutch(result, full_disk)
    assert "beschadigd" not in result.stdout and ".building" not in result.stdout
    assert active(full_disk) == before
    assert sorted(p.name for p in full_disk.parent.iterdir()) == ["kindkaart.duckdb", "vulling"]


def _older_schema(database: Path) -> None:
    """The database as the version before migration 0087 left it: a migration is pending, and a
    backup is made before it runs."""
    import duckdb

    con = duckdb.connect(str(database))
    con.execute("drop table published_pool_patterns; delete from schema_migrations where version = 87")
    con.close()


@pytest.mark.parametrize("earlier_backup", [False, True])
def test_a_migration_refused_on_a_full_disk_leaves_no_empty_backups_folder(sample_db, tmp_path,
                                                                           earlier_backup):
    # the backup before a migration made backups/ beside the database, then found no room for the
    # copy: the refusal left an empty folder that says a backup was made. A folder that was there
    # already (with an earlier backup) stays as it was.
    def prepare(database: Path) -> None:
        _older_schema(database)
        if earlier_backup:
            (database.parent / "backups").mkdir()
            (database.parent / "backups" / "kindkaart-eerder-handmatig.duckdb").write_bytes(b"")

    with filled_disk(sample_db, tmp_path, prepare) as database:
        before = sorted(p.name for p in database.parent.rglob("*"))
        loads = active(database)
        result = cli(database, "import-lrk", str(LRK))
        assert_refused_in_dutch(result, database)
        assert sorted(p.name for p in database.parent.rglob("*")) == before
        assert ("backups" in before) == earlier_backup
        # the migration did not run: the database is as it was, and the next open migrates it
        assert stored(database, "select count(*) from schema_migrations where version = 87") == [(0,)]
        assert active(database) == loads


@pytest.fixture
def full_temporary_folder(tmp_path, monkeypatch):
    """The folder for temporary files (tempfile.gettempdir) on a 1 MB disk with no room left."""
    import tempfile

    disk = tmp_path / "tijdelijk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(disk)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"geen kleine schijf te maken (mount tmpfs: {mounted.stderr.strip()})")
    try:
        with open(disk / "vulling", "wb") as filler:
            os.posix_fallocate(filler.fileno(), 0, shutil.disk_usage(disk).free)
        monkeypatch.setattr(tempfile, "tempdir", str(disk))
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


@pytest.mark.parametrize(("uploader", "button", "upload"), [
    ("laden_bestand", "Bestand inlezen", ROOT / "tests" / "fixtures" / "cbs" / "kwb-2024.csv"),
    ("laden_lrk", "LRK-export inlezen", LRK),
])
def test_a_file_on_gemeente_laden_with_a_full_temporary_folder_is_refused_in_dutch(
        app_db, analist, full_temporary_folder, uploader, button, upload):
    """The page keeps an upload in a temporary file for the readers: with no room there it showed
    Python's OSError ('[Errno 28] No space left on device') as the page's exception."""
    loads = active(app_db)
    at = run_page("gemeente_laden", account=analist)
    at.file_uploader(key=uploader).set_value((upload.name, upload.read_bytes(), "text/csv"))
    at.run()
    next(b for b in at.button if b.label == button).click()
    at.run()
    assert not at.exception, at.exception[0].value
    shown = [error.value for error in at.error]
    assert shown[0] == f"{upload.name} is niet ingelezen; er is niets opgeslagen."
    assert f"{FULL} (in de map voor tijdelijke bestanden)" in shown[1]
    assert str(full_temporary_folder) not in " ".join(shown)
    assert not at.success
    assert active(app_db) == loads
    assert not [p for p in full_temporary_folder.iterdir() if p.name.startswith(store.SCRATCH_PREFIX)]


@pytest.mark.parametrize(("button", "said"), [
    ("Laden", "De opgehaalde CBS-tabellen konden niet worden bewaard in de map voor de opgeslagen "
              "kopieën: {reason}. Er is niets geladen"),
    ("Gemeentenamen ophalen bij CBS", "De opgehaalde gemeentenamen konden niet worden bewaard in de map "
                                      "voor de opgeslagen kopieën: {reason}. De lijst is ongewijzigd."),
])
@pytest.mark.parametrize("place", ["full disk", "no write rights"])
def test_fetching_on_gemeente_laden_with_a_cache_folder_that_takes_no_file_is_refused_in_dutch(
        app_db, analist, tmp_path, monkeypatch, place, button, said):
    """Laden fetches every table into the offline copy first, and the names are kept there too: a
    full disk, or a folder without write rights (chattr +i, which binds root too), showed Python's
    OSError with the server's path ("[Errno 1] Operation not permitted: '/…/cache/cbs'")."""
    from test_cbs_fetch import CbsServer

    cache = tmp_path / "cbs-kopie"
    cache.mkdir()
    if place == "full disk":
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(cache)],
                                 capture_output=True, text=True)
        if mounted.returncode != 0:
            pytest.skip(f"geen kleine schijf te maken (mount tmpfs: {mounted.stderr.strip()})")
        with open(cache / "vulling", "wb") as filler:
            os.posix_fallocate(filler.fileno(), 0, shutil.disk_usage(cache).free)
        undo = ["umount", "-l", str(cache)]
    else:
        if subprocess.run(["chattr", "+i", str(cache)], capture_output=True).returncode:
            pytest.skip("chattr +i is not available here")
        undo = ["chattr", "-i", str(cache)]
    monkeypatch.setenv("KINDKAART_CBS_CACHE", str(cache))
    loads = stored(app_db, "select load_id from loads order by 1")
    try:
        with CbsServer() as server:
            endpoints = server.endpoints()
            for name, url in {"KINDKAART_CBS_V3_URL": endpoints.cbs_v3,
                              "KINDKAART_CBS_V3_FEED_URL": endpoints.cbs_v3_feed,
                              "KINDKAART_CBS_V4_URL": endpoints.cbs_v4,
                              "KINDKAART_PDOK_WFS_URL": endpoints.pdok_wfs}.items():
                monkeypatch.setenv(name, url)
            at = run_page("gemeente_laden", account=analist)
            at.selectbox(key="laden_gemeente").set_value("GM0344")
            at.run()
            next(b for b in at.button if b.label == button).click()
            at.run(timeout=120)
    finally:
        subprocess.run(undo, check=False)
    assert not at.exception, at.exception[0].value
    shown = " ".join(error.value for error in at.error)
    reason = FULL if place == "full disk" else "geen schrijfrechten"
    assert said.format(reason=reason) in shown, shown
    assert str(tmp_path) not in shown
    assert not at.success
    assert stored(app_db, "select load_id from loads order by 1") == loads
