"""The DuckDB store: connection, versioned migrations, transactions and load provenance."""

from __future__ import annotations

import hashlib
import importlib.util
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from data_sources.config import db_path
from data_sources.errors import InputRefused

if TYPE_CHECKING:
    import pandas as pd

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.(sql|py)$")


def connect(path: str | Path | None = None, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (and create/migrate) the Kindkaart database; ':memory:' gives a fresh in-memory store."""
    target = ":memory:" if str(path) == ":memory:" else db_path(path)
    if target != ":memory:":
        target.parent.mkdir(parents=True, exist_ok=True)
        if read_only and not target.exists():
            raise InputRefused(f"De database {target} bestaat nog niet: voer eerst 'init' uit.")
    try:
        con = duckdb.connect(str(target), read_only=read_only)
    except duckdb.IOException as exc:
        raise InputRefused(
            f"De database {target} kan niet worden geopend: {_lock_hint(exc)}"
        ) from None
    if not read_only:
        migrate(con)
    return con


def _lock_hint(exc: Exception) -> str:
    text = str(exc)
    if "lock" in text.lower():
        return "hij is in gebruik door een ander programma (bijvoorbeeld de draaiende app)."
    return text


def migration_files() -> list[tuple[int, Path]]:
    """All migrations shipped with the code, in version order."""
    found = []
    for path in MIGRATIONS_DIR.iterdir():
        match = _MIGRATION_NAME.match(path.name)
        if match:
            found.append((int(match.group(1)), path))
    versions = [v for v, _ in found]
    if len(versions) != len(set(versions)):
        raise RuntimeError(f"duplicate migration versions in {MIGRATIONS_DIR}")
    return sorted(found)


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply every migration not yet applied, each in its own transaction; returns their names."""
    con.execute(
        "create table if not exists schema_migrations ("
        " version integer primary key, name varchar not null,"
        " applied_at timestamp not null default current_timestamp)"
    )
    applied = {row[0] for row in con.execute("select version from schema_migrations").fetchall()}
    done = []
    for version, path in migration_files():
        if version in applied:
            continue
        with transaction(con):
            if path.suffix == ".sql":
                con.execute(path.read_text(encoding="utf-8"))
            else:
                _run_python_migration(con, path)
            con.execute(
                "insert into schema_migrations (version, name) values (?, ?)", [version, path.stem]
            )
        done.append(path.stem)
    return done


def _run_python_migration(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    spec = importlib.util.spec_from_file_location(f"kindkaart_migration_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.migrate(con)


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """Highest applied migration version (0 for an empty database)."""
    return con.execute("select coalesce(max(version), 0) from schema_migrations").fetchone()[0]


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """Run a block in one transaction: everything is stored, or nothing. Inside a transaction the
    caller opened, the block is part of that one (the caller commits or rolls back)."""
    if in_transaction(con):
        yield con
        return
    con.execute("begin transaction")
    try:
        yield con
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")


def in_transaction(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether `con` is inside an explicit transaction (begin ... commit). Outside one, DuckDB
    gives every statement a transaction of its own, so two statements see different ids."""
    # fetchall, not fetchone: an unfinished result would block the next register() call.
    first = con.execute("select current_transaction_id()").fetchall()[0][0]
    return con.execute("select current_transaction_id()").fetchall()[0][0] == first


def file_sha256(data: bytes | str | Path) -> str:
    """SHA-256 of a file's bytes (a path) or of bytes, as hex."""
    if isinstance(data, (str, Path)):
        data = Path(data).read_bytes()
    return hashlib.sha256(data).hexdigest()


def new_load(
    con: duckdb.DuckDBPyConnection,
    *,
    source: str,
    dataset: str,
    row_count: int = 0,
    table_id: str | None = None,
    gemeente_code: str | None = None,
    organisation: str | None = None,
    period: str | None = None,
    year: int | None = None,
    file_name: str | None = None,
    file_hash: str | None = None,
    loaded_by: str | None = None,
    retrieved_at=None,
    note: str | None = None,
) -> int:
    """Record where a batch of rows came from; returns the load_id the rows must carry."""
    return con.execute(
        """
        insert into loads (source, dataset, row_count, table_id, gemeente_code, organisation,
                           period, year, file_name, file_hash, loaded_by, retrieved_at, note)
        values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        returning load_id
        """,
        [source, dataset, row_count, table_id, gemeente_code, organisation, period, year,
         file_name, file_hash, loaded_by, retrieved_at, note],
    ).fetchone()[0]


def insert_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame,
                 columns: list[str] | None = None) -> int:
    """Insert the rows of `frame` into `table` in one statement (named columns, by default all of
    the frame's); far faster than executemany, which DuckDB runs row by row. Returns the count."""
    names = list(frame.columns) if columns is None else columns
    if frame.empty:
        return 0
    view = f"_insert_{table}"
    listed = ", ".join(names)
    con.register(view, frame)
    try:
        con.execute(f"insert into {table} ({listed}) select {listed} from {view}")
    finally:
        con.unregister(view)
    return len(frame)


def supersede(con: duckdb.DuckDBPyConnection, *, keep_load_id: int, **same: object) -> int:
    """Mark earlier active loads with the same provenance keys (e.g. dataset, gemeente_code, year)
    as superseded, so that only `keep_load_id` counts in the views. Returns how many were marked."""
    allowed = {"source", "dataset", "table_id", "gemeente_code", "organisation", "period", "year"}
    unknown = set(same) - allowed
    if unknown:
        raise ValueError(f"cannot supersede by {sorted(unknown)}")
    where = " and ".join(f"{key} is not distinct from ?" for key in same)
    marked = con.execute(
        "update loads set status = 'superseded', status_changed_at = current_timestamp"
        f" where status = 'active' and load_id <> ? and {where} returning load_id",
        [keep_load_id, *same.values()],
    ).fetchall()
    return len(marked)


# Raw tables whose rows carry the load that stored them (supersede_emptied checks them).
LOAD_TABLES = ("raw_cbs__kerncijfers", "geometries", "raw_cbs__population_by_age")


def supersede_emptied(con: duckdb.DuckDBPyConnection, load_ids: dict[str, int], table: str,
                      **same: object) -> None:
    """Supersede the earlier active loads of those gemeenten (with the same keys) that no longer
    hold a row in `table`: a load is replaced where its rows were replaced, and stays active while
    rows of it remain (gemeente outlines do not replace wijk boundaries, a gemeente-only file does
    not replace the wijken of an earlier one)."""
    if table not in LOAD_TABLES:
        raise ValueError(f"unknown load table {table}")
    allowed = {"source", "dataset", "table_id", "year"}
    unknown = set(same) - allowed
    if unknown:
        raise ValueError(f"cannot supersede by {sorted(unknown)}")
    where = "".join(f" and {key} is not distinct from ?" for key in same)
    con.execute(
        "update loads set status = 'superseded', status_changed_at = current_timestamp"
        f" where status = 'active'{where}"
        " and gemeente_code in (select unnest(?::varchar[]))"
        " and load_id not in (select unnest(?::integer[]))"
        f" and load_id not in (select distinct load_id from {table} where load_id is not null)",
        [*same.values(), list(load_ids), list(load_ids.values())],
    )


def data_version(con: duckdb.DuckDBPyConnection) -> str:
    """A token that changes whenever data are loaded, superseded or rebuilt (for page caches)."""
    row = con.execute(
        "select count(*), coalesce(max(load_id), 0), coalesce(max(changed_at), timestamp '1970-01-01')"
        " from (select load_id, coalesce(status_changed_at, loaded_at) as changed_at from loads)"
    ).fetchone()
    return f"{row[0]}-{row[1]}-{row[2]}"
