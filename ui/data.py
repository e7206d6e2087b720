"""Cached access to the DuckDB store for pages: one connection per process, a cursor per query.

`query` gives a pandas frame, `rows` plain tuples: pandas is loaded only by pages that ask for
frames (DuckDB's `.df()` imports it), so the first page draws without it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import streamlit as st

from data_sources import store
from data_sources.config import db_path

if TYPE_CHECKING:
    import pandas as pd


@st.cache_resource(show_spinner="Database openen…")
def _connection(path: str) -> duckdb.DuckDBPyConnection:
    # A missing database is built from the bundled sample gemeente, so the app always starts.
    # The loaders behind it (openpyxl, the CBS readers) take a third of a second to import: only
    # when the database is missing.
    if not Path(path).exists():
        from data_sources import jobs

        jobs.build_sample_database(path)
    return store.connect(path)


def connection() -> duckdb.DuckDBPyConnection:
    """The shared connection (read-write: uploads and CBS loads write through it)."""
    return _connection(str(db_path()))


def cursor() -> duckdb.DuckDBPyConnection:
    """A fresh cursor on the shared connection; one per call, since connections are not thread-safe."""
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
