"""SQL transformations in DuckDB: staging views, intermediate views and mart tables."""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from data_sources.store import in_transaction

SQL_DIR = Path(__file__).resolve().parent / "sql"
LAYERS = ("staging", "intermediate", "marts")
_MATERIALIZED = re.compile(r"^--\s*materialized:\s*(view|table)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Model:
    """One SQL model: a `select` whose result becomes a view (staging, intermediate) or a table (marts)."""

    name: str
    layer: str
    sql: str
    path: Path | None = None

    @property
    def materialization(self) -> str:
        """'table' for marts, 'view' for staging and intermediate models, unless the SQL says
        otherwise in a line of its own: `-- materialized: view` (a mart that is a view on another
        mart) or `-- materialized: table`."""
        declared = _MATERIALIZED.search(self.sql)
        if declared:
            return declared.group(1)
        return "table" if self.layer == "marts" else "view"


# Functions that return generated models (e.g. one staging view per registration schema).
# The modules below add theirs when imported; all_models() imports them, so that every build
# has every model whichever module the caller happened to import first.
MODEL_PROVIDERS: list[Callable[[], list[Model]]] = []
PROVIDER_MODULES = ("data_sources.registrations", "transforms.model")


def file_models() -> list[Model]:
    """The models written as .sql files under transforms/sql/<layer>/."""
    models = []
    for layer in LAYERS:
        for path in sorted((SQL_DIR / layer).glob("*.sql")):
            models.append(Model(path.stem, layer, path.read_text(encoding="utf-8"), path))
    return models


def all_models() -> list[Model]:
    """Every model, from files and from the registered providers; names are unique."""
    for module in PROVIDER_MODULES:
        importlib.import_module(module)
    models = file_models()
    for provider in MODEL_PROVIDERS:
        models.extend(provider())
    names = [m.name for m in models]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise ValueError(f"duplicate model names: {sorted(duplicates)}")
    return models


def build_order(models: list[Model]) -> list[Model]:
    """Models sorted so that each comes after the models its SQL refers to."""
    by_name = {m.name: m for m in models}
    deps = {
        m.name: {
            other
            for other in by_name
            if other != m.name and re.search(rf"\b{re.escape(other)}\b", _strip_comments(m.sql))
        }
        for m in models
    }
    ordered: list[Model] = []
    state: dict[str, int] = {}

    def visit(name: str, trail: tuple[str, ...]) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            raise ValueError(f"circular model references: {' -> '.join((*trail, name))}")
        state[name] = 1
        for dep in sorted(deps[name]):
            visit(dep, (*trail, name))
        state[name] = 2
        ordered.append(by_name[name])

    for model in models:
        visit(model.name, ())
    return ordered


def _strip_comments(sql: str) -> str:
    return re.sub(r"--[^\n]*", "", sql)


def build(con: duckdb.DuckDBPyConnection, models: list[Model] | None = None) -> list[str]:
    """(Re)create every staging and intermediate view and every mart table; returns the names built.

    All in one transaction: a page reading meanwhile sees the old marts or the new ones, never a
    mix, and a build that fails leaves the previous marts as they were. Called inside the
    caller's own transaction, the build is part of that one."""
    ordered = build_order(models if models is not None else all_models())
    own_transaction = not in_transaction(con)
    if own_transaction:
        con.begin()
    built = []
    try:
        for model in ordered:
            body = model.sql.strip().rstrip(";")
            kind = model.materialization
            existing = con.execute(
                "select 'table' from duckdb_tables() where table_name = ? and schema_name = 'main'"
                " union all select 'view' from duckdb_views() where view_name = ? and schema_name = 'main'",
                [model.name, model.name],
            ).fetchone()
            if existing and existing[0] != kind:
                con.execute(f"drop {existing[0]} {model.name}")
            con.execute(f"create or replace {kind} {model.name} as {body}")
            built.append(model.name)
    except BaseException:
        if own_transaction:
            con.rollback()
        raise
    if own_transaction:
        con.commit()
    return built
