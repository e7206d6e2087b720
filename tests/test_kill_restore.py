"""Killed with kill -9 at random moments, `restore UPLOAD_ID` leaves the old version or the restored
one, with the figures and published pattern of the version that is active."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from test_kill import _command
from test_kill_loads import UPLOADS, _origin, corrected, kill_at_random, whole_state

from data_sources import jobs, store

KILLS = 4


@pytest.fixture(scope="module")
def corrected_db(sample_db, tmp_path_factory) -> Path:
    """The sample database in which a corrected version of each type with a published pattern of
    its own (vve-indicaties: the signal's; wachtlijst-so: also one beside it; bevolking: the
    population's) replaced the sample's upload (UPLOADS), which `restore` brings back."""
    path = tmp_path_factory.mktemp("gecorrigeerd") / "kindkaart.duckdb"
    shutil.copy(sample_db, path)
    con = store.connect(path)
    try:
        for soort, load_id in UPLOADS.items():
            organisation, period = _origin(con, load_id)
            jobs.import_registration(con, corrected(soort), soort, organisation, period,
                                     f"{soort}-gecorrigeerd.xlsx")
    finally:
        con.close()
    return path


@pytest.mark.parametrize("soort", list(UPLOADS))
def test_a_killed_restore_leaves_the_old_version_or_the_restored_one_with_its_pattern(
        tmp_path, corrected_db, soort):
    # Restored, the figures, the published pattern (which the next version is protected beside)
    # and the audit line are all of the restored version; killed before the commit, all of the
    # corrected one. Never a pattern of the version that is not active.
    path = tmp_path / "kindkaart.duckdb"

    def fresh() -> None:
        path.with_name(path.name + ".wal").unlink(missing_ok=True)
        shutil.copy(corrected_db, path)

    command = _command("restore", str(UPLOADS[soort]), "--db", str(path))
    outcomes = kill_at_random(command, fresh, lambda: whole_state(path), f"restore {soort}", KILLS)
    assert "old" in outcomes  # some kills landed before the commit (the test tried something)
