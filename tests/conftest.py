"""Shared fixtures: fresh in-memory stores, a sample database built once, app databases per test."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from pathlib import Path

import pytest

from data_sources import jobs, store

ROOT = Path(__file__).resolve().parent.parent
# A bug in a page is raised in the tests (AppTest's exceptions, the browser's stException), not
# turned into the Dutch sentence with an error number a served app shows (ui.data.unexpected);
# tests/test_unexpected_error.py checks that sentence without this setting.
os.environ.setdefault("KINDKAART_TRACEBACKS", "1")
REAL_DATA = ROOT.parent / "shared" / "real_data"


@pytest.fixture(autouse=True)
def app_closes_the_database_after_each_run(monkeypatch):
    """AppTest runs the app in this process, where tests also open its database with connections
    of their own (DuckDB refuses a second configuration for an open file): in-process runs close
    the database when they end. Apps in a server process (the browser tests) keep it open for
    ui.data.IDLE_SECONDS, as in production; tests/test_shared_instance.py covers that in-process."""
    from ui import data

    monkeypatch.setattr(data, "IDLE_SECONDS", 0)


@pytest.fixture
def con():
    """A fresh, migrated in-memory store."""
    connection = store.connect(":memory:")
    yield connection
    connection.close()


@pytest.fixture
def gem(con):
    """A fresh store with the small gemeente GM0001 of the partner-upload tests (its wijken and
    postcodes: tests/fixtures/registrations/support.small_gemeente)."""
    import sys

    sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "registrations"))
    from support import small_gemeente

    small_gemeente(con)
    return con


@pytest.fixture
def postcode_con(con):
    """A fresh store with two postcodes of GM0001 (1234AB in WK000101, 1234AC in WK000102), for
    reading LRK exports."""
    import pandas as pd

    load_id = store.new_load(con, source="cbs", dataset="postcodes", year=2024)
    frame = pd.DataFrame({
        "year": 2024, "pc6": ["1234AB", "1234AC"], "buurt_code": ["BU00010101", "BU00010201"],
        "wijk_code": ["WK000101", "WK000102"], "gemeente_code": "GM0001", "load_id": load_id,
    })
    con.register("_pc", frame)
    con.execute("insert into postcodes select year, pc6, buurt_code, wijk_code, gemeente_code,"
                " load_id from _pc")
    con.unregister("_pc")
    return con


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory) -> Path:
    """The sample gemeente built once per test session through the real loaders (read it only)."""
    path = tmp_path_factory.mktemp("sample") / "kindkaart.duckdb"
    jobs.build_sample_database(path)
    return path


def sample_and_synthetic(folder: Path, gemeenten: int, *, build_marts: bool = True) -> Path:
    """A database of Voorbeeldstad plus `gemeenten` synthetic gemeenten (GM0001, ...) with every
    registration type (benchmarks/generate_national.py), loaded through the real loaders. Without
    `build_marts` the marts are left to the app, which builds them when it opens the database
    (an older schema: today's models may read tables of later migrations)."""
    from benchmarks import generate_national
    from data_sources import sample

    generate_national.generate(folder / "data", gemeenten=gemeenten)
    path = folder / "kindkaart.duckdb"
    con = store.connect(path)
    try:
        sample.load_sample(con)
        generate_national.load_national(con, folder / "data", build_marts=build_marts)
    finally:
        con.close()
    return path


@contextlib.contextmanager
def private_connection(source: Path, tmp_path: Path):
    """A connection to a private copy of the database `source` (closed afterwards)."""
    path = tmp_path / "kindkaart.duckdb"
    shutil.copy(source, path)
    connection = store.connect(path)
    try:
        yield connection
    finally:
        connection.close()


@pytest.fixture
def sample_copy(sample_db, tmp_path):
    """A connection to a private copy of the sample database, for one test to write to."""
    with private_connection(sample_db, tmp_path) as connection:
        yield connection


def active_loads(con) -> list[tuple]:
    return con.execute("select load_id from loads where status = 'active' order by 1").fetchall()


def centrum_vve_toddlers(con) -> int:
    """The vve-indicaties of 2-4 year olds in Centrum in the mart signals_by_wijk (2024): what the
    kill tests compare with the uploads that are active."""
    return int(con.execute(
        "select coalesce(sum(children_count), 0) from signals_by_wijk s join regions r"
        " on r.region_code = s.wijk_code and r.year = s.year"
        " where s.signal_type = 'vve_indicaties' and s.age_group = '2-4' and s.year = 2024"
        " and r.region_name = 'Centrum'").fetchone()[0])


def refusal(con, call) -> str:
    """The Dutch messages with which `call()` refuses its input; nothing stored, nothing lost."""
    from data_sources.errors import InputRefused

    before = active_loads(con)
    with pytest.raises(InputRefused) as caught:
        call()
    assert active_loads(con) == before  # nothing stored, nothing lost
    return " ".join(caught.value.messages)


def delivery_history(at):
    """The history on Aanleveren as one table: its two grids (what and when; where from, the
    'Herkomst per upload') joined row by row by the upload's number."""
    grids = [d.value for d in at.dataframe if "Upload" in d.value.columns]
    what = next(grid for grid in grids if "Soort" in grid.columns)
    origin = next(grid for grid in grids if "Bestand" in grid.columns)
    assert list(what["Upload"]) == list(origin["Upload"]), (what, origin)  # the same rows, in order
    return what.merge(origin, on="Upload", validate="one_to_one")


def shown_text(at) -> str:
    """Every text an AppTest run shows: titles, headings, markdown, captions, notices, metrics,
    tables and the selectboxes with their options, one per line."""
    kinds = ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success")
    text = [str(e.value) for kind in kinds for e in getattr(at, kind)]
    text += [f"{m.label} {m.value}" for m in at.metric]
    text += [d.value.to_string() for d in at.dataframe]
    text += [f"{w.label} {w.options}" for w in at.selectbox]
    return "\n".join(text)


def app_copy(source: Path, tmp_path: Path, monkeypatch) -> Path:
    """A private copy of `source` that the app (KINDKAART_DB) reads and writes."""
    path = tmp_path / "kindkaart.duckdb"
    shutil.copy(source, path)
    monkeypatch.setenv("KINDKAART_DB", str(path))
    return path


def app_db_with_files(tmp_path: Path, monkeypatch, *files: Path) -> Path:
    """An app database (KINDKAART_DB) with nothing but these CBS files imported."""
    path = tmp_path / "kindkaart.duckdb"
    connection = store.connect(path)
    try:
        for file in files:
            jobs.import_cbs_file(connection, file)
    finally:
        connection.close()
    monkeypatch.setenv("KINDKAART_DB", str(path))
    return path


@pytest.fixture
def app_db(sample_db, tmp_path, monkeypatch) -> Path:
    """A private copy of the sample database that the app (KINDKAART_DB) reads and writes."""
    return app_copy(sample_db, tmp_path, monkeypatch)


@pytest.fixture
def sample_con(sample_db):
    """A read-only connection to the shared sample database."""
    import duckdb

    connection = duckdb.connect(str(sample_db), read_only=True)
    yield connection
    connection.close()


@pytest.fixture
def marks(tmp_path, monkeypatch) -> Path:
    """The folder where the marked app (fixtures/app_marked.py) leaves its marks (the fault and
    kill tests of the app: tests/test_app_faults.py, tests/test_app_kills.py)."""
    folder = tmp_path / "marks"
    folder.mkdir()
    monkeypatch.setenv("KINDKAART_TEST_MARKS", str(folder))
    return folder


def add_account(db: Path, login: str, role: str, organisation: str | None = None,
                password: str = "correct paard batterij", gemeenten: list[str] | None = None) -> None:
    """Create an account in the database at `db` (ends its demo mode), tied to `gemeenten`."""
    from data_sources import accounts

    connection = store.connect(db)
    try:
        accounts.add_account(connection, login, role, password, organisation, gemeenten)
    finally:
        connection.close()


@pytest.fixture
def analist(app_db):
    """An analist account in the app's database (no more demo mode), for run_page(account=...)."""
    from data_sources.accounts import Account

    add_account(app_db, "analist", "analist")
    return Account("analist", "analist", None)


def run_page_as_analist(page: str | None = None, timeout: int = 60, params: dict[str, str] | None = None):
    """run_page signed in as an analist of the database in $KINDKAART_DB: a real gemeente is shown
    only after a login (without accounts Kindkaart is a demo of the sample gemeente)."""
    import os

    from data_sources import accounts
    from data_sources.accounts import Account

    db = Path(os.environ["KINDKAART_DB"])
    connection = store.connect(db)
    try:
        if not accounts.has_accounts(connection):
            accounts.add_account(connection, "analist", "analist", "correct paard batterij", None)
    finally:
        connection.close()
    return run_page(page, timeout, account=Account("analist", "analist", None), params=params)


def run_page(page: str | None = None, timeout: int = 60, account=None, params: dict[str, str] | None = None):
    """Run app.py in AppTest (optionally switching to pages/<page>.py) and return it. With
    `account` (data_sources.accounts.Account) the session is signed in as that account, as the
    login form leaves it; `params` are the query parameters of the link (?gemeente=...)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    if account is not None:
        at.session_state["kindkaart_account"] = account
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(f"pages/{page}.py")
        at.run()
    return at


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def read_in_boundaries(path: Path, gemeente: str, login: str = "beheer"):
    """On Gemeente laden, signed in as the beheerder `login`: choose `gemeente`, upload the GeoJSON
    file at `path` and press 'Bestand inlezen' (the file read for the chosen gemeente only).
    Returns the AppTest, after a run without an exception."""
    from data_sources.accounts import Account

    at = run_page("gemeente_laden", account=Account(login, "beheerder"))
    at.selectbox(key="laden_gemeente").set_value(gemeente).run()
    at.file_uploader(key="laden_bestand").set_value((path.name, path.read_bytes(), "application/geo+json"))
    at.run()
    assert at.radio(key="laden_bestand_bereik").value is False  # only the gemeente chosen
    next(b for b in at.button if b.label == "Bestand inlezen").click()
    at.run()
    assert not at.exception, at.exception
    return at


def upload_registration(at, soort: str, name: str, data: bytes):
    """On the Aanleveren page in `at`: choose the registration type and upload the workbook."""
    at.selectbox(key="aanleveren_soort").set_value(soort)
    at.run()
    uploader(at, soort).set_value((name, data, XLSX_MIME))
    at.run()
    return at


def uploader(at, soort: str):
    """The Aanleveren page's file uploader for `soort` (its key changes after every save)."""
    return next(widget for widget in at.file_uploader
                if widget.key.startswith(f"aanleveren_bestand_{soort}_"))


def documented_mart_grains() -> dict[str, list[str]]:
    """The marts and their key columns as docs/architecture.md's mart table states them:
    `| `mart` | gemeente_code, wijk_code, year, age_group ('0-2', ...) | source |`."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    table = re.search(r"^\| mart \| grain \| source \|\n\|[-|]+\|\n((?:\|.*\n)+)", text, re.M)
    assert table, "docs/architecture.md has no table '| mart | grain | source |'"
    return {name: [key.strip() for key in re.sub(r"\([^)]*\)", "", grain).split(",")]
            for name, grain in re.findall(r"^\| `(\w+)` \| ([^|]+) \|", table.group(1), re.M)}


def zero_blocks_of(path: Path, table: str) -> None:
    """Overwrite the storage blocks of one table with zeros: the catalog stays, the table (and
    whatever shares its blocks) no longer reads. Where the last tenth of the file holds a table
    depends on what the build wrote last; this damage hits the table named."""
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        block_size = con.execute("select block_size from pragma_database_size()").fetchone()[0]
        blocks = [row[0] for row in con.execute(
            f"select distinct block_id from pragma_storage_info('{table}') where block_id >= 0")
            .fetchall()]
    finally:
        con.close()
    assert blocks, f"{table} has no blocks of its own"
    with open(path, "r+b") as handle:
        for block in blocks:
            handle.seek(3 * 4096 + block * block_size)  # after the file's three 4 KiB headers
            handle.write(bytes(block_size))


def zero_last_tenth(path: Path) -> None:
    """Overwrite the last tenth of a database file with zeros: the size and the catalog stay,
    some tables' blocks no longer read (a damaged copy that only a full read finds)."""
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        handle.seek(size * 9 // 10)
        handle.write(bytes(size - size * 9 // 10))
