"""Access to the DuckDB store for pages: a connection per script run, a cursor per query, cached results.

`query` gives a pandas frame, `rows` plain tuples: pandas is loaded only by pages that ask for
frames (DuckDB's `.df()` imports it), so the first page draws without it.
"""

from __future__ import annotations

import functools
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import streamlit as st

import transforms
from data_sources import config, store
from data_sources.config import db_path

if TYPE_CHECKING:
    import pandas as pd


# One connection per script run (a thread), closed when the run ends (app.py, the presentation's
# fragment and the downloads call release()). DuckDB lets one process at a time open a file:
# between clicks the app holds nothing, so `python -m data_sources` works while the app runs (an
# open costs ~25 ms; a connection for the process's lifetime refused every command).
_local = threading.local()


def _open(path: Path) -> duckdb.DuckDBPyConnection:
    # A missing database at the default place is built from the bundled sample gemeente (demo
    # mode: `make run` on a new machine). Anywhere else (KINDKAART_DB) a missing file is an error:
    # a mistyped path must not show the fictional Voorbeeldstad as if it were the real data.
    if not path.exists() and path == config.DEFAULT_DB_PATH:
        from data_sources import jobs  # the loaders take a third of a second to import

        jobs.build_sample_database(path)
    con = store.connect(path, create=False)
    try:
        if not transforms.up_to_date(con):  # one query; the loaders only when it is stale
            from data_sources import jobs

            jobs.ensure_current_models(con)
    except BaseException:
        con.close()
        raise
    return con


def connection() -> duckdb.DuckDBPyConnection:
    """This run's connection (read-write: uploads and CBS loads write through it); raises
    store.DatabaseRefused (a Dutch message without paths) when the database cannot be used."""
    path = db_path()
    con = getattr(_local, "con", None)
    if con is None or getattr(_local, "path", None) != path:
        release()
        con = _open(path)
        _local.con, _local.path = con, path
    return con


def per_run(key: str, compute):
    """compute() once per script run: kept until release() ends the run (or forget(key))."""
    memo = _local.__dict__.setdefault("memo", {})
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def forget(key: str) -> None:
    """Drop what per_run keeps under `key` (its answer changed within this run)."""
    _local.__dict__.get("memo", {}).pop(key, None)


def release() -> None:
    """Close this thread's connection, if any, and forget what per_run kept: the end of a run."""
    _local.memo = {}
    con = getattr(_local, "con", None)
    _local.con = None
    if con is not None:
        con.close()


def releasing(function):
    """Decorate a function that runs outside app.py's run (a fragment's own reruns, a download's
    data) so that it closes its connection when it ends."""
    @functools.wraps(function)
    def run(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        finally:
            release()
    return run


def cursor() -> duckdb.DuckDBPyConnection:
    """A fresh cursor on this run's connection; one per call (cursors are not shared)."""
    return connection().cursor()


def data_version() -> str:
    """Changes whenever data are loaded; part of every cached query's key."""
    return store.data_version(cursor())


@st.cache_data(show_spinner=False, max_entries=512)
def _cached_query(sql: str, params: tuple, version: str, database: str, as_rows: bool
                  ) -> pd.DataFrame | list[tuple]:
    result = cursor().execute(sql, list(params))
    return result.fetchall() if as_rows else result.df()


def query(sql: str, params: tuple | list = ()) -> pd.DataFrame:
    """Run a select with bound parameters; cached until the data change."""
    return _cached_query(sql, tuple(params), data_version(), str(db_path()), False)


def rows(sql: str, params: tuple | list = ()) -> list[tuple]:
    """As query, as a list of tuples (without pandas)."""
    return _cached_query(sql, tuple(params), data_version(), str(db_path()), True)


def clear_caches() -> None:
    """Forget cached query results (after a load in this process the version changes anyway)."""
    _cached_query.clear()
