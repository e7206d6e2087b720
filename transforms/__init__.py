"""SQL transformations in DuckDB: staging views, intermediate views and mart tables."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import duckdb

from data_sources.store import has_table, in_transaction
from transforms.dag import SQL_DIR, Model, build_order, file_models, references

__all__ = ["BUILD_STATE", "Model", "all_models", "build", "build_order", "file_models",
           "code_fingerprint", "fingerprint", "missing_models", "python_rows", "rebuilt_per_gemeente", "up_to_date"]

# one row: the fingerprint of the models and seeds of the last full build
BUILD_STATE = "build_state"
# The macros the models and the Python-built queries share (the year rules), created before the
# models and kept in the database, so that a page's query on the marts can use them too.
MACROS_PATH = SQL_DIR / "macros.sql"
# What transforms.model.write_seeds makes its tables from (besides the smallest count shown)
SEED_SOURCES = (Path(__file__).resolve().parent / "parameters.csv",
                Path(__file__).resolve().parent / "model" / "__init__.py")
# What the Python models (`-- python: module:function`) run: the protection of the partner
# tables (signals_protection_by_wijk), of the tables beside them (beside_protection_by_gemeente)
# and of the population (population_protection_by_wijk), so that a change of their rules
# rebuilds the marts
PYTHON_SOURCES = (Path(__file__).resolve().parent / "partner_tables.py",
                  Path(__file__).resolve().parent / "privacy.py",
                  Path(__file__).resolve().parent / "analysis.py",
                  Path(__file__).resolve().parent / "population.py")


def all_models() -> list[Model]:
    """Every model: the .sql files and the partner staging views generated from the registration
    schemas (transforms/partner_staging.py); names are unique."""
    # Imported here, not at the top: pages that only read marts (the first page) import
    # transforms without needing the generator.
    from transforms.partner_staging import staging_models

    models = [*file_models(), *staging_models()]
    names = [m.name for m in models]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise ValueError(f"duplicate model names: {sorted(duplicates)}")
    return models


def build(con: duckdb.DuckDBPyConnection, models: list[Model] | None = None, *,
          gemeente_code: str | None = None, changed: Iterable[str] | None = None) -> list[str]:
    """(Re)create the macros of sql/macros.sql, every staging and intermediate view and every mart
    table; returns the names of the models built.

    All in one transaction: a page reading meanwhile sees the old marts or the new ones, never a
    mix, and a build that fails leaves the previous marts as they were. Called inside the
    caller's own transaction, the build is part of that one.

    With `gemeente_code` (new data of that gemeente only: an upload or a restore) only that
    gemeente's rows of the stored models are computed again, and with `changed` (the models
    whose rows changed, such as the staging view of the uploaded registration) only the stored
    models that read them, directly or through others. That holds when the database was last
    fully built from these same models and seeds and every such table has the model's columns
    (see rebuilt_per_gemeente); otherwise the full build."""
    ordered = build_order(models if models is not None else all_models())
    own_transaction = not in_transaction(con)
    if own_transaction:
        con.begin()
    try:
        built = None
        if gemeente_code is not None:
            built = _rebuild_gemeente(con, ordered, gemeente_code, changed)
        if built is None:
            built = _build_all(con, ordered)
    except BaseException:
        if own_transaction:
            con.rollback()
        raise
    if own_transaction:
        con.commit()
    return built


def rebuilt_per_gemeente(models: list[Model]) -> dict[str, bool]:
    """For each stored model (a table), whether new data of one gemeente rebuilds only that
    gemeente's rows: declared `-- rebuild: per gemeente` and reading no model that is rebuilt
    whole (a national figure read by a gemeente's rows makes them depend on other gemeenten)."""
    ordered = build_order(models)
    by_name = {m.name: m for m in ordered}
    depends = references(ordered)
    whole: set[str] = set()
    for model in ordered:
        declared = model.materialization == "table" and model.rebuild != "per gemeente"
        if declared or depends[model.name] & whole:
            whole.add(model.name)
    return {name: name not in whole for name, m in by_name.items() if m.materialization == "table"}


def fingerprint(models: list[Model]) -> str:
    """What a full build makes, as a hash: the macros, every model (name, view or table, SQL) in
    build order and the seeds. Equal fingerprints mean that the views and seeds need not be made again."""
    ordered = tuple((m.name, m.materialization, m.sql) for m in build_order(models))
    return _fingerprint(ordered, MACROS_PATH.read_bytes(), code_fingerprint())


@functools.lru_cache(maxsize=8)
def _fingerprint(ordered: tuple[tuple[str, str, str], ...], macros: bytes, code: str) -> str:
    # `code` (the seeds' sources and the smallest count shown) keys the seeds: every upload asks
    # this, and making the seed frames costs more than the rest of its rebuild's Python
    from transforms.model import seed_frames

    digest = hashlib.sha256(macros)
    for name, materialization, sql in ordered:
        digest.update(f"{name}\0{materialization}\0{sql}\0".encode())
    for name, frame in seed_frames().items():
        digest.update(f"{name}\0{frame.to_csv(index=False)}\0".encode())
    return digest.hexdigest()


def code_fingerprint() -> str:
    """What this version of Kindkaart builds from, as a hash of files: every .sql file under
    transforms/sql (the macros, the models, and the generated partner staging as committed, which
    tests/test_partner_staging.py keeps equal to its generator), what the seeds are made from
    (transforms/parameters.csv, transforms/model/__init__.py), the smallest count shown and the
    minimum base of a rate.
    Needs neither pandas nor the loaders: every page run compares it (up_to_date)."""
    from data_sources.config import min_base, min_count

    return hashlib.sha256(f"{_source_digest()}\0{min_count()}\0{min_base()}".encode()).hexdigest()


@functools.cache
def _source_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted(SQL_DIR.rglob("*.sql")):
        digest.update(f"{path.relative_to(SQL_DIR).as_posix()}\0".encode() + path.read_bytes())
    for source in (*SEED_SOURCES, *PYTHON_SOURCES):
        digest.update(source.read_bytes())
    return digest.hexdigest()


def up_to_date(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the database's models were last fully built by this version's files
    (build_state.code_fingerprint) and every one of them is still there. False for a database
    made by another version of Kindkaart (an upgrade), or before build_state had the column: its
    marts follow older rules; False too when a mart or view was dropped since (by hand, by another
    program): the app on opening and `export` then build them again instead of failing on it."""
    return _built_by_this_code(con) and not missing_models(con)


def missing_models(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The models (marts, views) that the database holds neither as a table nor as a view in
    main: one catalog query, for every page run."""
    present = {name for (name,) in con.execute(
        "select table_name from duckdb_tables() where database_name = current_database()"
        " and schema_name = 'main' union all select view_name from duckdb_views()"
        " where database_name = current_database() and schema_name = 'main' and not internal"
    ).fetchall()}
    return [name for name in _model_names() if name not in present]


# The committed copy of the generated partner staging views (tests/test_partner_staging.py keeps
# it equal to the generator): their names without importing the registration schemas, which a
# page that only reads marts does not load.
GENERATED_STAGING = SQL_DIR / "staging" / "generated" / "partner_staging.sql"


@functools.cache
def _model_names() -> tuple[str, ...]:
    generated = re.findall(r"^create or replace view (\w+) as$",
                           GENERATED_STAGING.read_text(encoding="utf-8"), re.MULTILINE)
    return (*(model.name for model in file_models()), *generated)


def _built_by_this_code(con: duckdb.DuckDBPyConnection, tables: set[str] | None = None) -> bool:
    # Look before reading: a failed statement (no build_state, or one without the column) would
    # abort the caller's transaction, and the rebuild that follows in it would fail. `tables`:
    # the tables of main as _Catalog found them, when the caller has asked already.
    if not (BUILD_STATE in tables if tables is not None else has_table(con, BUILD_STATE)):
        return False
    columns = [column[0] for column in con.execute(f"select * from {BUILD_STATE} limit 0").description]
    if "code_fingerprint" not in columns:
        return False
    stored = con.execute(f"select code_fingerprint from {BUILD_STATE}").fetchall()
    return stored == [(code_fingerprint(),)]


def _build_all(con: duckdb.DuckDBPyConnection, ordered: list[Model]) -> list[str]:
    # transforms.model imports pandas: only when building, never for a page that reads marts
    from transforms.model import write_seeds

    write_seeds(con)
    con.execute(MACROS_PATH.read_text(encoding="utf-8"))
    catalog = _Catalog(con)
    built = []
    for model in ordered:
        body = model.sql.strip().rstrip(";")
        kind = model.materialization
        existing = catalog.kinds.get(model.name)
        if existing and existing != kind:
            con.execute(f"drop {existing} {model.name}")
            catalog.dropped(model.name)
        if model.python:
            _store_python(con, model, catalog=catalog)
        else:
            con.execute(f"create or replace {kind} {model.name} as {body}")
        catalog.made(model.name, kind)
        built.append(model.name)
    con.execute(f"create or replace table {BUILD_STATE} as select ? as fingerprint,"
                " ? as code_fingerprint, current_timestamp::timestamp as built_at",
                [fingerprint(ordered), code_fingerprint()])
    return built


class _Catalog:
    """What a full build needs to know of the catalog, asked once instead of once per model (a
    catalog query costs a few milliseconds, ~45 of them a build) and kept up to date as the
    build makes its models: `kinds`, for each name in schema main, 'table' or 'view' (a table
    first when both are there: temp tables too); `tables`, the tables of main in the current
    database (has_table). Only the build changes them meanwhile, one model at a time."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.kinds: dict[str, str] = {}
        self.tables: set[str] = set()
        self._built_by_this_code: bool | None = None
        self._con = con
        for name, kind, here in con.execute(
            "select table_name, 'table', database_name = current_database() from duckdb_tables()"
            " where schema_name = 'main' union all select view_name, 'view', false"
            " from duckdb_views() where schema_name = 'main'"
        ).fetchall():
            if self.kinds.get(name) != "table":
                self.kinds[name] = kind
            if here:
                self.tables.add(name)

    def dropped(self, name: str) -> None:
        self.kinds.pop(name, None)
        self.tables.discard(name)

    def made(self, name: str, kind: str) -> None:
        self.kinds[name] = kind
        if kind == "table":
            self.tables.add(name)
        else:
            self.tables.discard(name)

    def built_by_this_code(self) -> bool:
        # build_state is written after the models: the answer holds for the whole build
        if self._built_by_this_code is None:
            self._built_by_this_code = _built_by_this_code(self._con, self.tables)
        return self._built_by_this_code


def _rebuild_gemeente(con: duckdb.DuckDBPyConnection, ordered: list[Model], gemeente_code: str,
                      changed: Iterable[str] | None) -> list[str] | None:
    """Delete and insert the gemeente's rows of each stored model that reads a changed model (in
    build order; a model rebuilt whole is made again); None when only the full build is right."""
    depends = references(ordered)
    if changed is None:
        affected = set(depends)
    else:
        affected = set(changed)
        if affected - set(depends):
            raise ValueError(f"unknown models: {sorted(affected - set(depends))}")
        for model in ordered:
            if depends[model.name] & affected:
                affected.add(model.name)
    if not con.execute("select 1 from duckdb_tables() where table_name = ? and schema_name = 'main'",
                       [BUILD_STATE]).fetchall():
        return None
    built_from = con.execute(f"select fingerprint from {BUILD_STATE}").fetchall()
    if built_from != [(fingerprint(ordered),)]:
        return None
    per_gemeente = rebuilt_per_gemeente(ordered)
    stored = [m for m in ordered if m.materialization == "table" and m.name in affected]
    if not _columns_match(con, [m for m in stored if per_gemeente[m.name]], built_from[0][0]):
        return None
    built = []
    for model in stored:
        body = model.sql.strip().rstrip(";")
        if not per_gemeente[model.name]:
            if model.python:
                _store_python(con, model)
            else:
                con.execute(f"create or replace table {model.name} as {body}")
        else:
            with _rebuilding(con, gemeente_code):
                if model.python:
                    _store_python(con, model, gemeente_code)
                else:
                    con.execute(f"delete from {model.name} where gemeente_code = ?", [gemeente_code])
                    # the filter reaches the sources (the models are written so that it can: no
                    # correlated subqueries or anti joins across gemeenten; where the optimiser
                    # cannot push it, the model filters with in_rebuilt_gemeente), so this reads
                    # one gemeente
                    con.execute(f"insert into {model.name} select * from ({body})"
                                " where gemeente_code = ?", [gemeente_code])
        built.append(model.name)
    return built


REBUILT_GEMEENTE = "kindkaart_rebuilt_gemeente"  # the variable of in_rebuilt_gemeente (macros.sql)


@contextlib.contextmanager
def _rebuilding(con: duckdb.DuckDBPyConnection, gemeente_code: str) -> Iterator[None]:
    """While one model's rows of `gemeente_code` are made again: in_rebuilt_gemeente(g) holds
    for that gemeente only. The variable is the connection's own (other sessions never see it)
    and is reset afterwards, also when the model fails: a full build, or a page reading a view,
    on this connection reads every gemeente again."""
    con.execute(f"set variable {REBUILT_GEMEENTE} = ?", [gemeente_code])
    try:
        yield
    finally:
        con.execute(f"reset variable {REBUILT_GEMEENTE}")


# (schema signature, build fingerprint) -> the models whose stored columns were found equal to
# their SQL's: the answer cannot change while both stay the same, and every upload asks it
_MATCHED: dict[tuple[str, str], set[str]] = {}


def _columns_match(con: duckdb.DuckDBPyConnection, models: list[Model], built_from: str) -> bool:
    """Whether every model's stored table has the columns its SQL makes (_same_columns). What a
    model's SQL makes follows from that SQL, the macros and the seeds (all in the fingerprint
    the database was built from) and the columns of the tables and views it reads: once checked,
    the answer holds while the columns of every table and view stay as they are."""
    signature = con.execute(
        "select md5(string_agg(table_name || '.' || column_name || ':' || data_type, ','"
        " order by table_name, column_index)) from duckdb_columns() where schema_name = 'main'"
    ).fetchone()[0]
    matched = _MATCHED.setdefault((signature, built_from), set())
    for model in models:
        if model.name not in matched:
            if not _same_columns(con, model):
                return False
            matched.add(model.name)
    if len(_MATCHED) > 64:  # schema changes are rare: forget the oldest
        del _MATCHED[next(iter(_MATCHED))]
    return True


# (name, SQL, function) of a Python model -> the columns its function makes (_describe_python)
_PYTHON_COLUMNS: dict[tuple[str, str, str], list[tuple]] = {}


def _same_columns(con: duckdb.DuckDBPyConnection, model: Model) -> bool:
    stored = con.execute(
        "select column_name, data_type from duckdb_columns()"
        " where table_name = ? and schema_name = 'main' order by column_index",
        [model.name],
    ).fetchall()
    if model.python:
        # a Python model's output has a fixed schema (Model.python): its columns follow from its
        # code alone, so they are described once per process, not on every build (~50 ms)
        key = (model.name, model.sql, model.python)
        if key not in _PYTHON_COLUMNS:
            _PYTHON_COLUMNS[key] = _describe_python(con, model)
        described = _PYTHON_COLUMNS[key]
    else:
        body = model.sql.strip().rstrip(";")
        described = con.execute(f"describe select * from ({body})").fetchall()
    wanted = [(row[0], row[1]) for row in described]
    return bool(stored) and stored == wanted and any(name == "gemeente_code" for name, _ in wanted)


def python_rows(con: duckdb.DuckDBPyConnection, model: Model, gemeente_code: str | None = None,
                *, previous=None, empty: bool = False, tables: set[str] | None = None):
    """The rows a Python model stores (Model.python): its function applied to the rows of its SQL
    (only the gemeente's, with `gemeente_code`; none with `empty`, for its columns) and to
    `previous`, the rows it stored before (None when other code made them), both Arrow tables.
    For a model with state (Model.state) the function is given the state rows as well (of the
    gemeente; none with `empty`, or where the table is missing) and this returns (rows, the
    state rows it changed)."""
    module, name = model.python.split(":")
    function = getattr(importlib.import_module(module), name)
    body = model.sql.strip().rstrip(";")
    if empty:
        rows = con.sql(f"select * from ({body}) limit 0").to_arrow_table()
    elif gemeente_code is None:
        rows = con.sql(body).to_arrow_table()
    else:
        rows = con.sql(f"select * from ({body}) where gemeente_code = ?",
                       params=[gemeente_code]).to_arrow_table()
    if model.state is None:
        return function(rows, previous)
    table, _ = model.state
    state = None
    if not empty and (table in tables if tables is not None else has_table(con, table)):
        state = (con.sql(f"select * from {table}").to_arrow_table() if gemeente_code is None else
                 con.sql(f"select * from {table} where gemeente_code = ?",
                         params=[gemeente_code]).to_arrow_table())
    return function(rows, previous, state)


def _store_python(con: duckdb.DuckDBPyConnection, model: Model, gemeente_code: str | None = None,
                  *, catalog: _Catalog | None = None) -> None:
    """Make a Python model's table (with `gemeente_code`: its rows of that gemeente again), passing
    its function what it stored before when this code stored it. `catalog`: a full build's."""
    tables = catalog.tables if catalog is not None else None
    if gemeente_code is not None:
        previous = con.sql(f"select * from {model.name} where gemeente_code = ?",
                           params=[gemeente_code]).to_arrow_table()
        rows = python_rows(con, model, gemeente_code, previous=previous)
        con.execute(f"delete from {model.name} where gemeente_code = ?", [gemeente_code])
        statement = f"insert into {model.name}"
    else:
        # a full build: what the table holds was made by this code only when the last full
        # build was (the per-gemeente rebuilds since then run only with the same code)
        previous = None
        stored = model.name in tables if tables is not None else has_table(con, model.name)
        if stored and (catalog.built_by_this_code() if catalog is not None
                       else _built_by_this_code(con)) and _same_columns(con, model):
            previous = con.sql(f"select * from {model.name}").to_arrow_table()
        rows = python_rows(con, model, previous=previous, tables=tables)
        statement = f"create or replace table {model.name} as"
    state = None
    if model.state is not None:
        rows, state = rows
    con.register("_python_model_rows", rows)
    try:
        con.execute(f"{statement} select * from _python_model_rows")
    finally:
        con.unregister("_python_model_rows")
    if state is not None and state.num_rows and (
            model.state[0] in tables if tables is not None else has_table(con, model.state[0])):
        _store_state(con, *model.state, state)


def _store_state(con: duckdb.DuckDBPyConnection, table: str, key: list[str], rows) -> None:
    """Replace the rows of a Python model's state `table` that have the key of one of `rows`."""
    same = " and ".join(f"{table}.{name} = _python_model_state.{name}" for name in key)
    con.register("_python_model_state", rows)
    try:
        con.execute(f"delete from {table} using _python_model_state where {same}")
        con.execute(f"insert into {table} by name select * from _python_model_state")
    finally:
        con.unregister("_python_model_state")


def _describe_python(con: duckdb.DuckDBPyConnection, model: Model) -> list[tuple]:
    rows = python_rows(con, model, empty=True)
    con.register("_python_model_rows", rows if model.state is None else rows[0])
    try:
        return con.execute("describe select * from _python_model_rows").fetchall()
    finally:
        con.unregister("_python_model_rows")
