"""Kindkaart run by a user without rights (nobody): a database file it may only read, a folder it
may not write (backups, .wacht files, the --force swap), a folder it may not even read. A clear
Dutch message, no traceback, nothing lost."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from conftest import ROOT

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "registrations"))
from support import filled_template  # noqa: E402

NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
# AppTest in a process of nobody's: the app's first page, what it says and whether it raised;
# with a workbook, then also an upload of it on Aanleveren (demo mode: the organisation is typed)
APP = """
import json, sys
sys.path[:0] = [sys.argv[1], sys.argv[1] + "/tests"]
from conftest import run_page, upload_registration
at = run_page()
shown = {"errors": [e.value for e in at.error], "exceptions": len(at.exception),
         "titles": [t.value for t in at.title]}
if len(sys.argv) > 2:
    at.switch_page("pages/aanleveren.py")
    at.run()
    at.text_input(key="aanleveren_organisatie").set_value("GGD Voorbeeldregio (JGZ)")
    at.text_input(key="aanleveren_periode").set_value("2023")
    with open(sys.argv[2], "rb") as handle:
        upload_registration(at, "vve-indicaties", "vve.xlsx", handle.read())
    [button for button in at.button if button.label == "Bevestigen en opslaan"][0].click()
    at.run()
    shown["upload"] = {"errors": [e.value for e in at.error], "exceptions": len(at.exception),
                       "saved": [s.value for s in at.success if "Opgeslagen" in s.value]}
print(json.dumps(shown))
"""


def _as_nobody(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*NOBODY, *args], cwd=ROOT, capture_output=True, text=True, timeout=180,
                          env={**os.environ, **(env or {})})


@pytest.fixture
def place(sample_db):
    """A folder nobody may enter and write in, with a copy of the sample database (root's) and a
    vve workbook nobody may read."""
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        pytest.skip("needs root and setpriv to run Kindkaart as the user nobody")
    folder = Path(tempfile.mkdtemp(prefix="kindkaart-rechten-"))  # /tmp/pytest-of-root is 0700
    try:
        folder.chmod(0o777)
        if _as_nobody(sys.executable, "-c", "import duckdb, streamlit").returncode != 0:
            pytest.skip("nobody cannot run this Python environment")
        shutil.copy(sample_db, folder / "kindkaart.duckdb")
        workbook = folder / "vve.xlsx"
        workbook.write_bytes(filled_template("vve-indicaties", [["Centrum", "2-4", "SES", 33]]))
        workbook.chmod(0o644)
        yield folder
    finally:
        for path in [folder, *folder.rglob("*")]:
            if path.is_dir():
                path.chmod(0o777)  # so that root's cleanup enters every folder
        shutil.rmtree(folder)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _cli(database: Path, *args: str) -> subprocess.CompletedProcess:
    return _as_nobody(sys.executable, "-m", "data_sources", *args, "--db", str(database),
                      env={"HOME": str(database.parent.parent)})


def _import(database: Path, workbook: Path) -> subprocess.CompletedProcess:
    return _cli(database, "import", str(workbook), "--soort", "vve-indicaties", "--organisatie",
                "GGD Voorbeeldregio (JGZ)", "--periode", "2023")


def _app(database: Path, *workbook: Path) -> dict:
    import json

    result = _as_nobody(sys.executable, "-c", APP, str(ROOT), *map(str, workbook),
                        env={"KINDKAART_DB": str(database), "HOME": str(database.parent.parent)})
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def _refused_in_dutch(result: subprocess.CompletedProcess, *words: str) -> None:
    said = result.stdout + result.stderr
    assert result.returncode == 1, said
    assert "Traceback" not in said and "Error" not in said, said
    for word in words:
        assert word in said, said


def test_a_database_file_the_user_may_only_read(place):
    database = place / "kindkaart.duckdb"
    database.chmod(0o644)  # root's file: nobody reads it, never writes it
    before = _digest(database)
    _refused_in_dutch(_import(database, place / "vve.xlsx"), "alleen te lezen")
    _refused_in_dutch(_cli(database, "init", "--sample", "--force"), "alleen te lezen")
    history = _cli(database, "history")  # reading still works
    assert history.returncode == 0 and "vve-indicaties" in history.stdout, history.stderr
    shown = _app(database, place / "vve.xlsx")  # opened read-only: every figure shows ...
    assert shown["exceptions"] == 0 and not shown["errors"], shown
    assert shown["titles"] and shown["titles"][0].startswith("Overzicht"), shown
    upload = shown["upload"]  # ... and an upload is refused in Dutch
    assert upload["exceptions"] == 0 and not upload["saved"], upload
    assert any("de database is alleen te lezen" in e for e in upload["errors"]), upload
    assert _digest(database) == before
    assert sorted(p.name for p in place.iterdir()) == ["kindkaart.duckdb", "vve.xlsx"]


def test_a_database_folder_the_user_may_not_write(place):
    folder = place / "db"
    folder.mkdir()
    database = folder / "kindkaart.duckdb"
    shutil.move(place / "kindkaart.duckdb", database)
    database.chmod(0o666)  # the file is writable, the folder (backups, .wal, .wacht) is not
    folder.chmod(0o755)
    before = _digest(database)
    _refused_in_dutch(_import(database, place / "vve.xlsx"), "Kindkaart kon niet schrijven",
                      "geen schrijfrechten")
    _refused_in_dutch(_cli(database, "backup"), "geen schrijfrechten")
    _refused_in_dutch(_cli(database, "init", "--sample", "--force"), "kan niet worden vervangen")
    history = _cli(database, "history")
    assert history.returncode == 0 and "vve-indicaties" in history.stdout, history.stderr
    shown = _app(database, place / "vve.xlsx")  # the app reads and shows the gemeente ...
    assert shown["exceptions"] == 0 and not shown["errors"], shown
    assert shown["titles"] and shown["titles"][0].startswith("Overzicht"), shown
    upload = shown["upload"]  # ... and says in Dutch why it cannot store an upload
    assert upload["exceptions"] == 0 and not upload["saved"], upload
    # a folder that takes no .wal: the database is opened read-only (ui.data), as a file without rights
    assert any("Kindkaart kon niet schrijven: de database is alleen te lezen" in e for e in upload["errors"]), upload
    assert _digest(database) == before
    assert [p.name for p in folder.iterdir()] == ["kindkaart.duckdb"]  # no backup, .wal or .wacht


def test_a_database_in_a_folder_the_user_may_not_read(place):
    folder = place / "geheim"
    folder.mkdir()
    database = folder / "kindkaart.duckdb"
    shutil.move(place / "kindkaart.duckdb", database)
    folder.chmod(0o700)  # root's folder: nobody may not even look inside
    before = _digest(database)
    for command in (("history",), ("init", "--sample", "--force")):
        _refused_in_dutch(_cli(database, *command), "geen toegang")
    _refused_in_dutch(_import(database, place / "vve.xlsx"), "geen toegang")
    shown = _app(database)
    assert shown["exceptions"] == 0
    assert any("geen toegang" in error for error in shown["errors"]), shown
    assert not any("schrijven" in error for error in shown["errors"]), shown  # it is not about writing
    assert _digest(database) == before
    assert [p.name for p in folder.iterdir()] == ["kindkaart.duckdb"]


def test_files_the_user_may_not_read_are_refused_as_unreadable_not_as_a_write_failure(place):
    # the database is fine (nobody may write it); the file to load is not readable for nobody:
    # in a folder nobody may not enter, or itself root's only
    database = place / "kindkaart.duckdb"
    database.chmod(0o666)
    before = _digest(database)
    folder = place / "geheim"
    folder.mkdir()
    shutil.copy(place / "vve.xlsx", folder / "vve.xlsx")
    shutil.copy(database, folder / "reservekopie.duckdb")
    folder.chmod(0o700)
    own = place / "alleen-root.xlsx"
    shutil.copy(place / "vve.xlsx", own)
    own.chmod(0o600)
    for result in (_import(database, folder / "vve.xlsx"), _import(database, own),
                   _cli(database, "import-cbs", str(folder / "vve.xlsx")),
                   _cli(database, "restore-backup", str(folder / "reservekopie.duckdb"))):
        _refused_in_dutch(result, "geen toegang")
        said = result.stdout + result.stderr
        assert "schrijven" not in said and "opbouw" not in said and "Permission" not in said, said
    assert _digest(database) == before
    assert sorted(p.name for p in place.iterdir()) == ["alleen-root.xlsx", "geheim", "kindkaart.duckdb",
                                                        "vve.xlsx"]
