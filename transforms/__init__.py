"""SQL transformations in DuckDB: staging views, intermediate views and mart tables."""

from __future__ import annotations

import duckdb

from data_sources.store import in_transaction
from transforms.dag import SQL_DIR, Model, build_order, file_models

# The macros the models and the Python-built queries share (the year rules), created before the
# models and kept in the database, so that a page's query on the marts can use them too.
MACROS_PATH = SQL_DIR / "macros.sql"

__all__ = ["Model", "all_models", "build", "build_order", "file_models"]


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


def build(con: duckdb.DuckDBPyConnection, models: list[Model] | None = None) -> list[str]:
    """(Re)create the macros of sql/macros.sql, every staging and intermediate view and every mart
    table; returns the names of the models built.

    All in one transaction: a page reading meanwhile sees the old marts or the new ones, never a
    mix, and a build that fails leaves the previous marts as they were. Called inside the
    caller's own transaction, the build is part of that one."""
    ordered = build_order(models if models is not None else all_models())
    own_transaction = not in_transaction(con)
    if own_transaction:
        con.begin()
    built = []
    try:
        # transforms.model imports pandas: only when building, never for a page that reads marts
        from transforms.model import write_seeds

        write_seeds(con)
        con.execute(MACROS_PATH.read_text(encoding="utf-8"))
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
