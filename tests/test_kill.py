"""Killed with kill -9 at random moments, an import or `init --sample --force` leaves the old state or the new."""

from __future__ import annotations

import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, centrum_vve_toddlers

from data_sources import store

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "registrations"))
from support import filled_template  # noqa: E402

CHILDREN = 1000  # far above any sample count, so the upload's share of a figure is unmistakable
KILLS = 8


def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "data_sources", *args]


def _timed(command: list[str]) -> float:
    start = time.monotonic()
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True, timeout=300)
    return time.monotonic() - start


def _kill_after(command: list[str], seconds: float) -> float | None:
    """Start the command, kill -9 it after `seconds`; None, or how long it took when it finished
    first (the machine is less busy than when the command was timed: the next kill should fall
    within this time, or every kill could come after the commit)."""
    start = time.monotonic()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert process.wait(timeout=seconds) == 0
        return time.monotonic() - start
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        process.wait()
        return None


def _state(path: Path) -> tuple[bool, int, float, bool]:
    """(is the upload active, vve-indicaties of 2-4 year olds in Centrum in the mart, the grand
    total of the published vve pattern of the sample gemeente, whether that pattern is of the
    input the DAG's signals_protection_by_wijk was made from: the same input digest). The pattern
    the next version is protected beside is written in the upload's transaction."""
    con = store.connect(path)
    try:
        active = con.execute("select count(*) from loads where organisation = 'Kill BV'"
                             " and status = 'active'").fetchone()[0] == 1
        count = centrum_vve_toddlers(con)
        total, digest = con.execute(
            "select counts[len(counts)], input_digest from published_signal_patterns"
            " where gemeente_code = 'GM9999' and year = 2024 and signal_type = 'vve_indicaties'"
        ).fetchone()
        built = con.execute("select distinct input_digest from signals_protection_by_wijk"
                            " where gemeente_code = 'GM9999' and year = 2024"
                            " and signal_type = 'vve_indicaties'").fetchall()
    finally:
        con.close()
    return active, count, total, built == [(digest,)]


def test_a_killed_import_is_in_the_figures_exactly_when_it_is_active(tmp_path, sample_db):
    workbook = tmp_path / "vve.xlsx"
    workbook.write_bytes(filled_template("vve-indicaties", [["Centrum", "2-4", "SES", CHILDREN]]))
    path = tmp_path / "kindkaart.duckdb"
    command = _command("import", str(workbook), "--soort", "vve-indicaties", "--organisatie",
                       "Kill BV", "--periode", "2024", "--db", str(path))
    shutil.copy(sample_db, path)
    active, count, total, same = _state(path)
    assert active is False and same
    done = (True, count + CHILDREN, total + CHILDREN, True)
    duration = _timed(command)
    assert _state(path) == done

    chance = random.Random(16)
    outcomes = []
    for _ in range(KILLS):
        shutil.copy(sample_db, path)
        path.with_name(path.name + ".wal").unlink(missing_ok=True)
        duration = _kill_after(command, chance.uniform(0, duration)) or duration
        state = _state(path)
        added = CHILDREN if state[0] else 0
        # the figures, and the pattern the next version is protected beside, are of the old
        # version or of the new one, as the upload's status says
        assert state == (state[0], count + added, total + added, True), "figures and upload status disagree"
        outcomes.append(state[0])
        # and the import can always be completed afterwards
        subprocess.run(command, cwd=ROOT, check=True, capture_output=True, timeout=300)
        assert _state(path) == done
    assert False in outcomes  # some kills landed before the commit (the test tried something)


def test_a_killed_init_force_leaves_the_old_database_or_the_new(tmp_path, sample_db):
    path = tmp_path / "kindkaart.duckdb"
    command = _command("init", "--sample", "--force", "--db", str(path))
    shutil.copy(sample_db, path)
    duration = _timed(command)
    chance = random.Random(16)
    kept_old = 0
    for _ in range(5):
        shutil.copy(sample_db, path)
        con = store.connect(path)
        con.execute("insert into audit_log (actor, action) values ('test', 'oude database')")
        con.close()
        duration = _kill_after(command, chance.uniform(0, duration)) or duration
        con = store.connect(path)  # opens: neither missing nor damaged
        try:
            old = con.execute("select count(*) from audit_log where action = 'oude database'"
                              ).fetchone()[0]
            children = con.execute("select count(*) from population_by_wijk_age").fetchone()[0]
        finally:
            con.close()
        assert children > 0
        kept_old += old
    assert kept_old >= 1  # some kills came before the swap


def _dead_pid() -> int:
    process = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                             capture_output=True, text=True, check=True)
    return int(process.stdout)


@pytest.mark.parametrize("leftover", [".building", ".building.wal", "{pid}.building",
                                      "{pid}.building.wal", "{pid}.terugzetten"])
def test_a_leftover_of_a_killed_build_does_not_disturb_the_next(tmp_path, leftover):
    path = tmp_path / "kindkaart.duckdb"
    (tmp_path / "backups").mkdir()  # where init leaves nothing else
    path.with_name(path.name + leftover.format(pid=f".{_dead_pid()}")).write_bytes(b"half")
    subprocess.run(_command("init", "--sample", "--db", str(path)), cwd=ROOT, check=True,
                   capture_output=True, timeout=300)
    con = store.connect(path, read_only=True)
    try:
        assert con.execute("select count(*) from loads").fetchone()[0] > 0
    finally:
        con.close()
    if leftover != ".building":  # (the old name is the new database's own before the swap)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["backups", "kindkaart.duckdb"]


def test_two_init_force_at_once_both_finish(tmp_path, sample_db):
    path = tmp_path / "kindkaart.duckdb"
    shutil.copy(sample_db, path)
    command = _command("init", "--sample", "--force", "--db", str(path))
    runs = [subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)]
    deadline = time.monotonic() + 60
    while not any("building" in p.name for p in tmp_path.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.01)
    # the second starts while the first is building
    runs.append(subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True))
    outcomes = [(run.wait(timeout=300), *run.communicate()) for run in runs]
    assert [code for code, _, _ in outcomes] == [0, 0], outcomes
    assert not any("Traceback" in err for _, _, err in outcomes)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backups", "kindkaart.duckdb"]
    assert len(list((tmp_path / "backups").iterdir())) == 2
    assert _state(path)[1] > 0


def _immutable(path: Path) -> bool:
    return subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode == 0


@pytest.mark.parametrize("kind", ["directory", "immutable file"])
def test_init_force_refuses_a_path_it_cannot_replace_in_dutch(tmp_path, sample_db, kind, capsys):
    from data_sources.cli import main

    path = tmp_path / "kindkaart.duckdb"
    if kind == "directory":
        path.mkdir()
        expected = "is een map"
    else:
        shutil.copy(sample_db, path)
        if not _immutable(path):
            pytest.skip("chattr +i is not available here")
        expected = "alleen te lezen"
    try:
        assert main(["init", "--sample", "--force", "--db", str(path)]) == 1
        assert expected in capsys.readouterr().out
        assert [p.name for p in tmp_path.iterdir()] == ["kindkaart.duckdb"]  # no build, no backup
    finally:
        subprocess.run(["chattr", "-i", str(path)], capture_output=True)


def test_an_import_killed_while_another_waits_for_it_lets_the_other_finish(tmp_path, sample_db):
    # Two imports at once: the second waits for the database (its .wacht file beside it) while the
    # first holds it. Killed with kill -9, the first lets go of DuckDB's lock (the kernel drops it);
    # the second finishes, removes its .wacht, and the figures hold exactly the active uploads.
    path = tmp_path / "kindkaart.duckdb"
    shutil.copy(sample_db, path)
    base = _state(path)[1]
    first, second = (tmp_path / "eerste-1000.xlsx", tmp_path / "tweede-500.xlsx")
    first.write_bytes(filled_template("vve-indicaties", [["Centrum", "2-4", "SES", 1000]]))
    second.write_bytes(filled_template("vve-indicaties", [["Centrum", "2-4", "SES", 500]]))

    def command(workbook: Path, organisation: str) -> list[str]:
        return _command("import", str(workbook), "--soort", "vve-indicaties", "--organisatie",
                        organisation, "--periode", "2024", "--db", str(path))

    # a third process holds the database first, so that both imports wait, however busy the machine
    blocker = subprocess.Popen([sys.executable, "-c", "import duckdb, sys; "
                                f"c = duckdb.connect({str(path)!r}); print('open', flush=True); "
                                "sys.stdin.readline()"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               text=True)
    assert blocker.stdout.readline().strip() == "open"
    runs = {run.pid: run for run in (
        subprocess.Popen(command(first, "Kill BV"), cwd=ROOT, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True),
        subprocess.Popen(command(second, "Wacht BV"), cwd=ROOT, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True))}

    def waiting() -> set[int]:
        return {int(p.name.split(".")[-2]) for p in tmp_path.glob("*.wacht")}

    deadline = time.monotonic() + 120
    while waiting() != set(runs) and time.monotonic() < deadline:
        time.sleep(0.005)
    assert waiting() == set(runs), "the imports did not both wait"
    blocker.communicate("\n", timeout=60)
    while len(waiting()) == 2 and time.monotonic() < deadline:  # one of them takes the database
        time.sleep(0.001)
    [waiter_pid] = waiting() or [min(runs)]  # (both done already on a busy machine: either)
    waiter = runs.pop(waiter_pid)
    [holder] = runs.values()
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    out, err = waiter.communicate(timeout=300)
    assert waiter.returncode == 0 and "Opgeslagen als upload" in out, out + err
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".xlsx")) == ["kindkaart.duckdb"]
    con = store.connect(path, read_only=True)
    try:
        active = [name for (name,) in con.execute(
            "select file_name from loads where organisation in ('Kill BV', 'Wacht BV')"
            " and status = 'active' order by 1").fetchall()]
        count = centrum_vve_toddlers(con)
    finally:
        con.close()
    waited = (second if waiter.args == command(second, "Wacht BV") else first).name
    assert waited in active  # the survivor's upload landed; the killed one's only if it committed
    assert count == base + sum(int(name.split("-")[1].split(".")[0]) for name in active)


def _cbs_state(path: Path) -> tuple[frozenset, int, int, bool]:
    """(the active CBS/PDOK loads of GM0344 as (dataset, load id), 'cbs-lading' lines in the audit
    log, children of GM0344 in the mart, models up to date) of the database at `path`."""
    import transforms

    con = store.connect(path)
    try:
        loads = frozenset(con.execute(
            "select dataset, load_id from loads where gemeente_code = 'GM0344'"
            " and source in ('cbs', 'pdok') and status = 'active'").fetchall())
        audit = con.execute("select count(*) from audit_log where action = 'cbs-lading'").fetchone()[0]
        children = con.execute("select count(*) from population_by_wijk_age"
                               " where gemeente_code = 'GM0344'").fetchone()[0]
        current = transforms.up_to_date(con)
    finally:
        con.close()
    return loads, audit, children, current


def test_a_killed_load_cbs_leaves_the_old_load_or_the_new_never_a_mix(tmp_path, sample_db):
    # A gemeente loaded before (the old load); a reload killed with kill -9 at random points must
    # leave every table of the old load (and no audit line), or every table of the new one with
    # the marts built from them and its audit line: never new kerncijfers beside old ages,
    # Jeugdmonitor or boundaries.
    import os

    from test_cbs_fetch import CbsServer

    path = tmp_path / "kindkaart.duckdb"
    old_db = tmp_path / "oud.duckdb"
    with CbsServer() as server:
        endpoints = server.endpoints()
        env = {**os.environ, "KINDKAART_CBS_V3_URL": endpoints.cbs_v3,
               "KINDKAART_CBS_V3_FEED_URL": endpoints.cbs_v3_feed,
               "KINDKAART_CBS_V4_URL": endpoints.cbs_v4, "KINDKAART_PDOK_WFS_URL": endpoints.pdok_wfs}
        command = _command("load-cbs", "--gemeente", "GM0344", "--jaar", "2023", "--jaar", "2024",
                           "--vernieuw",
                           "--db", str(path), "--cache", str(tmp_path / "cache"))
        shutil.copy(sample_db, path)
        # its progress lines: the kills below land after a random one of those of storing
        # (fetching touches no database), a moment later
        run = subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True,
                             text=True, timeout=300)
        lines = run.stderr.splitlines()
        storing = next((i for i, line in enumerate(lines) if "Opslaan in de database" in line), 0)
        shutil.copy(path, old_db)
        old = _cbs_state(path)
        assert {dataset for dataset, _ in old[0]} == {"kerncijfers", "bevolking-leeftijd",
                                                      "jeugdzorg-wijk", "geometrie"}
        assert old[1] >= 1 and old[2] > 0 and old[3]

        chance = random.Random(22)
        outcomes = []
        for _ in range(6):
            shutil.copy(old_db, path)
            path.with_name(path.name + ".wal").unlink(missing_ok=True)
            process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.PIPE, text=True)
            for _ in range(chance.randrange(storing, len(lines))):
                if not process.stderr.readline():
                    break
            time.sleep(chance.uniform(0, 0.5))
            process.send_signal(signal.SIGKILL)
            process.wait()
            process.stderr.close()
            loads, audit, children, current = _cbs_state(path)
            if loads == old[0]:
                assert audit == old[1], "the old load, but an audit line of the new"
                outcomes.append("old")
            else:
                assert not loads & old[0], f"a mix of the old load and the new: {sorted(loads)}"
                assert {dataset for dataset, _ in loads} == {dataset for dataset, _ in old[0]}
                assert audit == old[1] + 1, "the new load without its audit line"
                outcomes.append("new")
            assert (children, current) == old[2:]
        assert "old" in outcomes  # some kills landed before the commit


def test_a_killed_restore_backup_leaves_the_old_database_or_the_backup_with_its_audit_line(
        tmp_path, sample_db):
    # restore-backup replaces the whole database, audit log and all: its line goes into the
    # restored copy before the swap. Killed at random moments: the old database (its own log, no
    # such line) or the backup's, with exactly one line; never the backup without it.
    path = tmp_path / "kindkaart.duckdb"
    copy = tmp_path / "kopie.duckdb"
    shutil.copy(sample_db, copy)
    con = store.connect(copy)
    con.execute("insert into audit_log (actor, action) values ('test', 'in de reservekopie')")
    con.close()
    command = _command("restore-backup", str(copy), "--db", str(path))

    def fresh() -> None:
        for leftover in tmp_path.iterdir():
            if leftover != copy:
                shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()
        shutil.copy(sample_db, path)
        old = store.connect(path)
        old.execute("insert into audit_log (actor, action) values ('test', 'oude database')")
        old.close()

    def state() -> tuple[int, int, int]:
        con = store.connect(path)  # opens: neither missing nor damaged
        try:
            return tuple(con.execute(
                "select count(*) filter (action = 'oude database'), count(*) filter (action = 'in de"
                " reservekopie'), count(*) filter (action = 'reservekopie teruggezet') from audit_log"
            ).fetchone())
        finally:
            con.close()

    fresh()
    duration = _timed(command)
    assert state() == (0, 1, 1)
    chance = random.Random(23)
    outcomes = []
    for _ in range(6):
        fresh()
        duration = _kill_after(command, chance.uniform(0, duration)) or duration
        outcome = state()
        assert outcome in ((1, 0, 0), (0, 1, 1)), outcome
        outcomes.append(outcome)
        # what the killed run left (its copy, a .wal) goes with the next run, which completes
        subprocess.run(command, cwd=ROOT, check=True, capture_output=True, timeout=300)
        assert state() == (0, 1, 1)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["backups", "kindkaart.duckdb", "kopie.duckdb"]
    assert (1, 0, 0) in outcomes  # some kills came before the swap


# `python -m data_sources` with a mark right after each audit line is written (before its commit):
# the file argv[1] appears, and the process waits there until it is killed
_MARKED_CLI = """import pathlib, sys, time
from data_sources import accounts
real = accounts.audit
def marked(*args, **kwargs):
    real(*args, **kwargs)
    pathlib.Path(sys.argv[1]).touch()
    time.sleep(600)
accounts.audit = marked
from data_sources.cli import main
sys.exit(main(sys.argv[2:]))
"""


@pytest.mark.parametrize("command", [["export", "--out", "{out}.xlsx"],
                                     ["scenario", "export", "1", "-o", "{out}.html"]])
def test_an_export_killed_before_its_audit_line_is_committed_leaves_no_file(tmp_path, sample_db, command):
    # The audit line of an export commits before the file takes its place: killed in between
    # (here: right after the line is written, before its commit) there is neither; never a file
    # without its line. The next export of that name removes the scratch copy and completes.
    path = tmp_path / "kindkaart.duckdb"
    shutil.copy(sample_db, path)
    arguments = [a.format(out=tmp_path / "uit") for a in command] + ["--db", str(path)]
    out = Path(next(a for a in arguments if a.startswith(str(tmp_path / "uit"))))
    mark = tmp_path / "audit-geschreven"

    def lines() -> int:
        con = store.connect(path, read_only=True)
        try:
            return con.execute("select count(*) from audit_log where action = 'export'").fetchone()[0]
        finally:
            con.close()

    process = subprocess.Popen([sys.executable, "-c", _MARKED_CLI, str(mark), *arguments], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while not mark.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert mark.exists(), "no audit line was written"
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert not out.exists() and lines() == 0
    subprocess.run(_command(*arguments), cwd=ROOT, check=True, capture_output=True, timeout=300)
    assert out.exists() and lines() == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["audit-geschreven", "kindkaart.duckdb",
                                                                 out.name])

