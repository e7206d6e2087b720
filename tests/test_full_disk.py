"""A full disk under the database: every write is refused in Dutch, without traceback or server
path, the file being read is not blamed, and everything stored before stays.

The disk is a real one: a small tmpfs mounted for the test and filled up (this needs the right to
mount, as root in a container; elsewhere the test is skipped and says why)."""

from __future__ import annotations

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


@pytest.fixture
def full_disk(sample_db, tmp_path):
    """A copy of the sample database on a 40 MB disk with no room left."""
    disk = tmp_path / "schijf"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=40m", "tmpfs", str(disk)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"geen kleine schijf te maken (mount tmpfs: {mounted.stderr.strip()})")
    try:
        database = disk / "kindkaart.duckdb"
        shutil.copy(sample_db, database)
        free = shutil.disk_usage(disk).free
        with open(disk / "vulling", "wb") as filler:
            os.posix_fallocate(filler.fileno(), 0, free)
        yield database
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def cli(database: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "data_sources", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, env={**os.environ, "KINDKAART_DB": str(database)})


def active(database: Path) -> list[tuple]:
    con = store.connect(database, read_only=True)
    try:
        return con.execute("select load_id from loads where status = 'active' order by 1").fetchall()
    finally:
        con.close()


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
    result = cli(full_disk, "export", "-o", str(target))
    assert_refused_in_dutch(result, full_disk)
    assert not target.exists()


def test_a_backup_on_a_full_disk_is_refused_in_dutch(full_disk):
    assert_refused_in_dutch(cli(full_disk, "backup"), full_disk)


def test_an_upload_in_the_app_on_a_full_disk_says_so_and_stores_nothing(full_disk, monkeypatch):
    monkeypatch.setenv("KINDKAART_DB", str(full_disk))
    before = active(full_disk)
    con = store.connect(full_disk, read_only=True)
    try:
        organisation = con.execute("select organisation from loads where dataset = 'vve-indicaties' "
                                   "and status = 'active'").fetchone()[0]
    finally:
        con.close()
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
