"""Backups: before every migration and before init --force; the backup and restore-backup commands."""

from __future__ import annotations

import shutil
from datetime import datetime

import duckdb
import pytest
from conftest import zero_last_tenth

from data_sources import store
from data_sources.cli import main


def _loads(path) -> int:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("select count(*) from loads").fetchone()[0]
    finally:
        con.close()


def _before_the_access_migration(tmp_path, sample_db):
    """A copy of the sample database as it was before the access migration: what 0050 made
    dropped, and forgotten that it was applied."""
    path = tmp_path / "kindkaart.duckdb"
    shutil.copy(sample_db, path)
    con = duckdb.connect(str(path))
    con.execute("drop table accounts; drop table audit_log; drop sequence audit_log_id;"
                " drop table indicator_releases; delete from schema_migrations where version = 50")
    con.close()
    return path


def test_a_pending_migration_is_preceded_by_a_backup(tmp_path, sample_db):
    path = _before_the_access_migration(tmp_path, sample_db)
    store.connect(path).close()
    backups = list((tmp_path / "backups").iterdir())
    assert [b.name.endswith("-voor-migratie-0050.duckdb") for b in backups] == [True]
    old = duckdb.connect(str(backups[0]), read_only=True)
    # the backup is the database as it was: without migration 0050
    assert old.execute("select count(*) from schema_migrations where version = 50").fetchone()[0] == 0
    old.close()
    store.connect(path).close()  # nothing pending: no second backup
    assert len(list((tmp_path / "backups").iterdir())) == 1


def test_init_force_backs_up_the_old_database(tmp_path, sample_db):
    path = tmp_path / "kindkaart.duckdb"
    shutil.copy(sample_db, path)
    con = store.connect(path)
    con.execute("delete from loads where load_id = (select max(load_id) from loads)")
    con.close()
    kept = _loads(path)
    assert main(["init", "--sample", "--force", "--db", str(path)]) == 0
    backups = list((tmp_path / "backups").glob("*-voor-force.duckdb"))
    assert len(backups) == 1 and _loads(backups[0]) == kept
    assert _loads(path) > kept


def test_backup_and_restore_backup_commands(tmp_path, sample_db, capsys):
    path = tmp_path / "kindkaart.duckdb"
    shutil.copy(sample_db, path)
    copy = tmp_path / "kopie.duckdb"
    assert main(["backup", "-o", str(copy), "--db", str(path)]) == 0
    assert f"Reservekopie gemaakt: {copy}" in capsys.readouterr().out
    before = _loads(path)
    con = store.connect(path)
    con.execute("delete from loads")
    con.close()
    assert _loads(path) == 0
    assert main(["restore-backup", str(copy), "--db", str(path)]) == 0
    assert _loads(path) == before
    # the database it replaced is kept as well
    assert [_loads(p) for p in (tmp_path / "backups").glob("*-voor-terugzetten.duckdb")] == [0]


@pytest.mark.parametrize("content", [b"", b"SQLite format 3\x00" + bytes(100)])
def test_restore_backup_refuses_what_is_not_a_kindkaart_database(tmp_path, sample_db, content, capsys):
    path = tmp_path / "kindkaart.duckdb"
    shutil.copy(sample_db, path)
    bad = tmp_path / "bad.duckdb"
    bad.write_bytes(content)
    assert main(["restore-backup", str(bad), "--db", str(path)]) == 1
    assert "geen" in capsys.readouterr().out
    assert _loads(path) > 0


def test_restore_backup_refuses_a_database_another_process_holds(tmp_path, sample_db, capsys,
                                                                  monkeypatch):
    import functools
    import subprocess
    import sys

    from conftest import ROOT

    from data_sources import jobs

    path = tmp_path / "kindkaart.duckdb"
    shutil.copy(sample_db, path)
    copy = tmp_path / "kopie.duckdb"
    shutil.copy(sample_db, copy)
    # another process (a running app between clicks keeps it open for a moment) holds the file
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys; from data_sources import store; "
         f"con = store.connect({str(path)!r}); print('open', flush=True); sys.stdin.read()"],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        monkeypatch.setattr(jobs.store, "connect", functools.partial(store.connect, wait=0.2))
        assert main(["restore-backup", str(copy), "--db", str(path)]) == 1
        assert "in gebruik" in capsys.readouterr().out
        assert not list((tmp_path / "backups").glob("*-voor-terugzetten.duckdb"))
    finally:
        holder.communicate("", timeout=30)
    assert _loads(path) > 0  # the file the other process had open is still the one in place
    with open(path, "rb") as handle:
        assert handle.read(12)[8:12] == b"DUCK"


def _restore_refused(tmp_path, sample_db, bad, capsys, expected: str) -> None:
    path = tmp_path / "kindkaart.duckdb"
    shutil.copy(sample_db, path)
    before = _loads(path)
    assert main(["restore-backup", str(bad), "--db", str(path)]) == 1
    assert expected in capsys.readouterr().out
    assert _loads(path) == before
    assert not (tmp_path / "backups").exists()  # refused before anything was done
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["kindkaart.duckdb", bad.name])


def test_restore_backup_refuses_the_cut_off_copy_a_killed_backup_leaves(tmp_path, sample_db, capsys):
    bad = tmp_path / "kindkaart-20260101-handmatig.duckdb.kopie"
    data = sample_db.read_bytes()
    bad.write_bytes(data[:len(data) * 9 // 10])
    _restore_refused(tmp_path, sample_db, bad, capsys, "beschadigd of onvolledig")


def test_restore_backup_refuses_a_backup_with_an_unreadable_block(tmp_path, sample_db, capsys):
    # the size is right and the catalog reads: only reading every table finds it
    bad = tmp_path / "kopie.duckdb"
    shutil.copy(sample_db, bad)
    zero_last_tenth(bad)
    _restore_refused(tmp_path, sample_db, bad, capsys, "beschadigd of onvolledig")


def test_backup_refuses_to_report_a_copy_that_does_not_read_back(tmp_path, sample_db, capsys):
    path = tmp_path / "kindkaart.duckdb"
    shutil.copy(sample_db, path)
    zero_last_tenth(path)
    assert main(["backup", "--db", str(path)]) == 1
    out = capsys.readouterr().out
    assert "beschadigd" in out and "Reservekopie gemaakt" not in out
    assert not (tmp_path / "backups").exists()  # no copy, no .kopie, no empty folder


def test_a_leftover_of_a_killed_backup_is_removed_by_the_next(tmp_path, sample_db):
    path = tmp_path / "kindkaart.duckdb"
    shutil.copy(sample_db, path)
    (tmp_path / "backups").mkdir()
    leftover = tmp_path / "backups" / "kindkaart-20260101-120000-000000-handmatig.duckdb.kopie"
    leftover.write_bytes(b"half")
    assert main(["backup", "--db", str(path)]) == 0
    assert not leftover.exists()
    assert [p.suffix for p in (tmp_path / "backups").iterdir()] == [".duckdb"]


def test_restore_backup_keeps_the_transactions_in_a_wal_beside_the_backup(tmp_path, sample_db):
    import signal
    import subprocess
    import sys

    from conftest import ROOT

    path = tmp_path / "kindkaart.duckdb"
    shutil.copy(sample_db, path)
    copy = tmp_path / "kopie.duckdb"
    shutil.copy(sample_db, copy)
    # its last writer was killed after a commit: the commit is in kopie.duckdb.wal only
    subprocess.run([sys.executable, "-c", "import duckdb, os, signal; "
                    f"c = duckdb.connect({str(copy)!r}); "
                    "c.execute(\"insert into audit_log (actor, action) values ('wal', 'alleen in de wal')\"); "
                    "os.kill(os.getpid(), signal.SIGKILL)"], cwd=ROOT)
    assert copy.with_name(copy.name + ".wal").exists()
    assert main(["restore-backup", str(copy), "--db", str(path)]) == 0
    assert not path.with_name(path.name + ".wal").exists()
    con = duckdb.connect(str(path), read_only=True)
    try:
        assert con.execute("select count(*) from audit_log where actor = 'wal'").fetchone()[0] == 1
    finally:
        con.close()
    assert signal  # (imported for the child's command)


@pytest.mark.parametrize("command", ["restore-backup", "init --force"])
def test_no_other_process_writes_to_the_old_database_between_its_backup_and_the_swap(
        tmp_path, sample_db, monkeypatch, command):
    import subprocess
    import sys

    from conftest import ROOT

    from data_sources import jobs

    path = tmp_path / "kindkaart.duckdb"
    shutil.copy(sample_db, path)
    copy = tmp_path / "kopie.duckdb"
    shutil.copy(sample_db, copy)
    clicks = []
    real_backup = store.backup

    def backup_then_click(*args, **kwargs):
        made = real_backup(*args, **kwargs)
        # a click in the app right after the backup: it must wait, not write to the old file
        clicks.append(subprocess.run(
            [sys.executable, "-c", "from data_sources import store; "
             f"con = store.connect({str(path)!r}, wait=0.2); "
             "con.execute(\"insert into audit_log (actor, action) values ('app', 'upload')\"); "
             "print('saved')"], cwd=ROOT, capture_output=True, text=True))
        return made

    monkeypatch.setattr(jobs.store, "backup", backup_then_click)
    if command == "restore-backup":
        assert main(["restore-backup", str(copy), "--db", str(path)]) == 0
    else:
        assert main(["init", "--sample", "--force", "--db", str(path)]) == 0
    assert len(clicks) == 1
    assert "saved" not in clicks[0].stdout and "DatabaseInUse" in clicks[0].stderr


def test_the_database_stays_locked_after_the_backup_before_a_migration(tmp_path, sample_db):
    import subprocess
    import sys

    from conftest import ROOT

    path = _before_the_access_migration(tmp_path, sample_db)  # backed up, then migrated
    con = store.connect(path)
    try:
        assert list((tmp_path / "backups").glob("*-voor-migratie-0050.duckdb"))
        other = subprocess.run(
            [sys.executable, "-c", f"from data_sources import store; store.connect({str(path)!r}, wait=0.2)"],
            cwd=ROOT, capture_output=True, text=True)
        assert "DatabaseInUse" in other.stderr  # copying the file did not end this process's lock
    finally:
        con.close()


def test_a_read_only_database_can_be_backed_up(tmp_path, sample_db, capsys):
    import subprocess

    path = tmp_path / "kindkaart.duckdb"
    shutil.copy(sample_db, path)
    if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode:
        pytest.skip("chattr +i is not available here")
    try:
        copy = tmp_path / "kopie.duckdb"
        assert main(["backup", "-o", str(copy), "--db", str(path)]) == 0
        assert f"Reservekopie gemaakt: {copy}" in capsys.readouterr().out
        assert _loads(copy) == _loads(path)
    finally:
        subprocess.run(["chattr", "-i", str(path)], capture_output=True)


def _audit(path, action: str) -> list[tuple[str, str]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("select actor, detail from audit_log where action = ? order by event_id",
                           [action]).fetchall()
    finally:
        con.close()


def test_backup_and_restore_backup_say_so_in_the_audit_log(tmp_path, sample_db, capsys):
    # `backup` writes its line in the live database once the copy is complete (the copy is the
    # database as it was, without it); `restore-backup` replaces the whole database, audit log and
    # all, so the line goes into the restored database: which backup, made when, and where the
    # database it replaced went.
    path = tmp_path / "kindkaart.duckdb"
    shutil.copy(sample_db, path)
    assert main(["backup", "--db", str(path)]) == 0
    [made] = (tmp_path / "backups").glob("*-handmatig.duckdb")
    assert _audit(path, "reservekopie gemaakt") == [("opdrachtregel", f"backups/{made.name}")]
    assert _audit(made, "reservekopie gemaakt") == []
    copy = tmp_path / "elders" / "kopie.duckdb"
    copy.parent.mkdir()
    assert main(["backup", "-o", str(copy), "--db", str(path)]) == 0
    assert _audit(path, "reservekopie gemaakt")[-1] == ("opdrachtregel", str(copy.resolve()))
    capsys.readouterr()

    store.connect(path).execute("delete from loads").close()
    assert main(["restore-backup", str(made), "--db", str(path)]) == 0
    [replaced] = (tmp_path / "backups").glob("*-voor-terugzetten.duckdb")
    [(actor, detail)] = _audit(path, "reservekopie teruggezet")
    stamp = f"{datetime.fromtimestamp(made.stat().st_mtime):%d-%m-%Y %H:%M:%S}"
    assert (actor, detail) == ("opdrachtregel", f"{made.name} (gemaakt {stamp}); de vorige "
                                                f"database staat in backups/{replaced.name}; de "
                                                "accounts zijn die van de vorige database")
    assert _loads(path) == _loads(made) > 0 and _loads(replaced) == 0
    # the replaced database keeps its own log (the backup line, no restore line); the restored one
    # has the backup's log (without the lines written after the backup) plus the restore line
    assert len(_audit(replaced, "reservekopie gemaakt")) == 2 and not _audit(replaced, "reservekopie teruggezet")
    assert _audit(path, "reservekopie gemaakt") == []

    # where there was no database yet, the line says so
    fresh = tmp_path / "nieuw" / "kindkaart.duckdb"
    assert main(["restore-backup", str(made), "--db", str(fresh)]) == 0
    [(_, detail)] = _audit(fresh, "reservekopie teruggezet")
    assert detail.endswith("er stond nog geen database")


def test_restore_backup_of_an_older_version_takes_its_line(tmp_path, sample_db):
    # a backup from before the audit log had its gemeenten column (migration 0075): the copy gets
    # the current schema before the swap, so the line fits and the next open has nothing to migrate
    path = tmp_path / "kindkaart.duckdb"
    shutil.copy(sample_db, path)
    old = tmp_path / "oud.duckdb"
    shutil.copy(sample_db, old)
    con = duckdb.connect(str(old))
    con.execute("alter table accounts drop column all_gemeenten; alter table audit_log drop column gemeenten;"
                " delete from schema_migrations where version = 75")
    con.close()
    assert main(["restore-backup", str(old), "--db", str(path)]) == 0
    assert len(_audit(path, "reservekopie teruggezet")) == 1
    store.connect(path).close()
    assert [p.name for p in (tmp_path / "backups").iterdir() if "migratie" in p.name] == []


def test_init_force_names_the_database_it_replaced_in_the_new_one(tmp_path, sample_db):
    path = tmp_path / "kindkaart.duckdb"
    shutil.copy(sample_db, path)
    assert main(["init", "--sample", "--force", "--db", str(path)]) == 0
    [kept] = (tmp_path / "backups").glob("*-voor-force.duckdb")
    [(actor, detail)] = _audit(path, "database vervangen")
    assert actor == "opdrachtregel" and detail.endswith(f"de vorige database staat in backups/{kept.name}")
    assert _audit(kept, "database vervangen") == []
    # a first build replaces nothing: no such line
    first = tmp_path / "eerste" / "kindkaart.duckdb"
    assert main(["init", "--sample", "--db", str(first)]) == 0
    assert _audit(first, "database vervangen") == []


def test_init_on_an_existing_database_logs_the_rebuild_as_the_app_does(tmp_path, sample_db):
    # `init` without --sample builds the models again on a database that was there: the same line
    # as when the app does it itself (jobs.ensure_current_models); a new database gets none
    path = tmp_path / "kindkaart.duckdb"
    shutil.copy(sample_db, path)
    before = _loads(path)
    assert main(["init", "--db", str(path)]) == 0
    [(actor, detail)] = _audit(path, "modellen bijgewerkt")
    assert actor == "opdrachtregel" and detail.startswith("init: ") and _loads(path) == before
    fresh = tmp_path / "nieuw" / "kindkaart.duckdb"
    assert main(["init", "--db", str(fresh)]) == 0
    assert _audit(fresh, "modellen bijgewerkt") == []


def _special_files(folder):
    """A pipe and (as root, who may make one) a character device like /dev/null: targets that
    a command must write into or refuse, never replace with a file."""
    import os
    import stat

    pipe = folder / "pijp"
    os.mkfifo(pipe)
    found = [pipe]
    try:
        os.mknod(folder / "null", 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        found.append(folder / "null")
    except PermissionError:
        pass
    return found


def test_backup_never_puts_its_copy_over_the_database_its_wal_or_a_device(tmp_path, sample_db,
                                                                           capsys):
    """`backup -o /dev/null` (as root) replaced /dev/null with a regular file; `-o` naming the
    database (or a link to it) said 'Reservekopie gemaakt' with no copy beside it, and `-o` naming
    its .wal put a whole database there, which the next open took for its log and removed."""
    import os
    import stat

    path = tmp_path / "kindkaart.duckdb"
    shutil.copy(sample_db, path)
    (tmp_path / "koppeling.duckdb").symlink_to(path)
    loads = _loads(path)
    specials = _special_files(tmp_path)
    for target in [path, tmp_path / "koppeling.duckdb", tmp_path / "kindkaart.duckdb.wal",
                   *specials]:
        capsys.readouterr()
        assert main(["backup", "-o", str(target), "--db", str(path)]) == 1, target
        said = capsys.readouterr().out
        assert "Reservekopie gemaakt" not in said and "Traceback" not in said, said
        assert "Er is geen reservekopie gemaakt" in said, said
    assert stat.S_ISFIFO(os.stat(tmp_path / "pijp").st_mode)
    if len(specials) > 1:
        assert stat.S_ISCHR(os.stat(tmp_path / "null").st_mode)
    assert (tmp_path / "koppeling.duckdb").is_symlink()
    assert not (tmp_path / "kindkaart.duckdb.wal").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["kindkaart.duckdb", "koppeling.duckdb", *(p.name for p in specials)])
    assert _loads(path) == loads
    con = duckdb.connect(str(path), read_only=True)
    try:
        assert con.execute("select count(*) from audit_log where action = 'reservekopie gemaakt'"
                           ).fetchone() == (0,)
    finally:
        con.close()


def test_init_force_and_restore_backup_replace_the_file_a_link_leads_to_not_the_link(
        tmp_path, sample_db, capsys):
    """KINDKAART_DB as a link to the file on another disk (a volume): `init --sample --force` and
    `restore-backup` put a regular file in the link's place and left the real database as it was,
    so that everything after went to a file beside the link (lost with a container's own disk)."""
    volume, app = tmp_path / "schijf", tmp_path / "app"
    volume.mkdir()
    app.mkdir()
    real = volume / "kindkaart.duckdb"
    shutil.copy(sample_db, real)
    link = app / "kindkaart.duckdb"
    link.symlink_to(real)

    def audit_actions(path):
        con = duckdb.connect(str(path), read_only=True)
        try:
            return [a for (a,) in con.execute("select action from audit_log order by event_id").fetchall()]
        finally:
            con.close()

    assert main(["init", "--sample", "--force", "--db", str(link)]) == 0
    assert link.is_symlink() and link.resolve() == real
    assert audit_actions(real)[-1] == "database vervangen"
    assert main(["backup", "--db", str(link)]) == 0
    copy = capsys.readouterr().out.split("Reservekopie gemaakt: ")[1].strip()
    assert main(["restore-backup", copy, "--db", str(link)]) == 0
    assert link.is_symlink() and link.resolve() == real
    assert audit_actions(real)[-1] == "reservekopie teruggezet"
    assert sorted(p.name for p in app.iterdir()) == ["kindkaart.duckdb"]  # nothing beside the link


def test_restore_backup_keeps_the_accounts_of_the_database_it_replaces(tmp_path, sample_db, capsys):
    """Accounts are who may enter, not data: a backup from before an account was disabled (a
    leaked password) or given a new password brought the account back with its old password,
    without a word, for whoever had it."""
    from data_sources import accounts

    path = tmp_path / "kindkaart.duckdb"
    shutil.copy(sample_db, path)
    con = store.connect(path)
    try:
        accounts.add_account(con, "ggd", "partner", "oud wachtwoord 12", "GGD", ["GM9999"])
        accounts.add_account(con, "analist", "analist", "oud wachtwoord 34")
    finally:
        con.close()
    assert main(["backup", "--db", str(path)]) == 0
    copy = capsys.readouterr().out.split("Reservekopie gemaakt: ")[1].strip()
    con = store.connect(path)
    try:
        accounts.disable_account(con, "ggd")
        accounts.set_password(con, "analist", "nieuw wachtwoord 56")
        accounts.add_account(con, "beheer", "beheerder", "nieuw wachtwoord 78")
        con.execute("delete from loads where dataset = 'vve-indicaties'")  # the data the backup brings back
    finally:
        con.close()
    assert main(["restore-backup", copy, "--db", str(path)]) == 0
    assert "accounts" in capsys.readouterr().out
    con = store.connect(path)
    try:
        assert con.execute("select count(*) from loads where dataset = 'vve-indicaties'").fetchone()[0] > 0
        assert con.execute("select login, active from accounts order by login").fetchall() == [
            ("analist", True), ("beheer", True), ("ggd", False)]
        assert accounts.verify_login(con, "ggd", "oud wachtwoord 12") is None
        assert accounts.verify_login(con, "analist", "oud wachtwoord 34") is None
        assert accounts.verify_login(con, "analist", "nieuw wachtwoord 56") is not None
        assert accounts.gemeente_scope(con, "ggd") == {"GM9999"}
        assert con.execute("select action from audit_log order by event_id desc limit 1").fetchone() == (
            "reservekopie teruggezet",)
    finally:
        con.close()


def test_restore_backup_onto_a_new_installation_keeps_the_accounts_of_the_backup(tmp_path, sample_db,
                                                                                capsys):
    """Moving to a new server (a fresh sample database without accounts, in demo mode): the
    accounts of the backup come along, else every page would be open without a login."""
    from data_sources import accounts

    old = tmp_path / "oud" / "kindkaart.duckdb"
    old.parent.mkdir()
    shutil.copy(sample_db, old)
    con = store.connect(old)
    try:
        accounts.add_account(con, "beheer", "beheerder", "wachtwoord van de oude 1")
    finally:
        con.close()
    path = tmp_path / "kindkaart.duckdb"
    shutil.copy(sample_db, path)
    assert main(["restore-backup", str(old), "--db", str(path)]) == 0
    con = store.connect(path)
    try:
        assert accounts.verify_login(con, "beheer", "wachtwoord van de oude 1") is not None
    finally:
        con.close()


def test_restore_backup_refuses_the_whole_scratch_copy_a_killed_backup_leaves(tmp_path, sample_db, capsys):
    # A backup killed after its copy was complete, before it was read back and took its name,
    # leaves <name>.<pid>.kopie whole: restore-backup took it for a backup (it reads back), so a
    # copy that was never a backup (no line in the log, possibly still being written) was put
    # in the database's place.
    bad = tmp_path / "kindkaart-20260101-120000-000000-handmatig.duckdb.4242.kopie"
    shutil.copy(sample_db, bad)
    store.verify_database(bad)  # whole: only its name tells
    _restore_refused(tmp_path, sample_db, bad, capsys, "nog niet af")
