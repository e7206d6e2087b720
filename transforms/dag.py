"""The model graph: SQL models from files, what each refers to, and the order to build them in."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

SQL_DIR = Path(__file__).resolve().parent / "sql"
LAYERS = ("staging", "intermediate", "marts")
_MATERIALIZED = re.compile(r"^--\s*materialized:\s*(view|table)\s*$", re.MULTILINE)
_REBUILD = re.compile(r"^--\s*rebuild:\s*(per gemeente|whole)\b", re.MULTILINE)
_PYTHON = re.compile(r"^--\s*python:\s*([\w.]+:\w+)\s*$", re.MULTILINE)
_STATE = re.compile(r"^--\s*state:\s*(\w+)\s*\(([\w\s,]+)\)\s*$", re.MULTILINE)


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
        if self.python:
            return "table"
        declared = _MATERIALIZED.search(self.sql)
        if declared:
            return declared.group(1)
        return "table" if self.layer == "marts" else "view"

    @property
    def python(self) -> str | None:
        """'module:function' when the model's rows are made in Python, as its SQL declares in a
        line of its own: `-- python: transforms.partner_tables:cell_protection`. The SQL is then
        the function's input (what it reads, for the build order), and the function turns that
        input and the rows it stored before (None when other code made them) into the rows to
        store, Arrow tables all three (the output with a fixed schema, so that an empty input
        gives the same columns); always a table. Its rows of a gemeente must follow from that
        gemeente's input rows alone, as for SQL models. None for SQL models."""
        declared = _PYTHON.search(self.sql)
        return declared.group(1) if declared else None

    @property
    def state(self) -> tuple[str, list[str]] | None:
        """(table, key columns) of a Python model that keeps state between builds, as its SQL
        declares in a line of its own: `-- state: published_signal_patterns (gemeente_code, year,
        signal_type)`. The table (made by a migration, not by the build: it outlives every
        build) holds rows keyed by those columns, gemeente_code first. The function is then
        given its rows (of the gemeente, in a rebuild per gemeente) as a third Arrow table and
        returns (the model's rows, the state rows it changed), which replace the stored rows
        with the same key in the same transaction. None for other models."""
        declared = _STATE.search(self.sql)
        if not declared:
            return None
        return declared.group(1), [name.strip() for name in declared.group(2).split(",")]

    @property
    def rebuild(self) -> str | None:
        """How a stored model follows new data of one gemeente (an upload), as its SQL declares
        in a line of its own: `-- rebuild: per gemeente` (a gemeente's rows read only that
        gemeente's rows, through every view before it: that gemeente's rows are computed again)
        or `-- rebuild: whole` (its rows read other gemeenten, such as a national figure: the
        table is made again). None when undeclared: made again, as 'whole'."""
        declared = _REBUILD.search(self.sql)
        return declared.group(1) if declared else None


def file_models() -> list[Model]:
    """The models written as .sql files under transforms/sql/<layer>/."""
    models = []
    for layer in LAYERS:
        for path in sorted((SQL_DIR / layer).glob("*.sql")):
            models.append(Model(path.stem, layer, path.read_text(encoding="utf-8"), path))
    return models


def referred_names(sql: str, names) -> set[str]:
    """The names (tables, views, models) that `sql` refers to, comments left out."""
    return set(_referred_names(sql, frozenset(names)))


@functools.lru_cache(maxsize=1024)
def _referred_names(sql: str, names: frozenset[str]) -> frozenset[str]:
    # every upload's rebuild orders the same models again: the answer for the same SQL is kept
    return frozenset(_names_pattern(names).findall(_strip_comments(sql)))


@functools.lru_cache(maxsize=32)
def _names_pattern(names: frozenset[str]) -> re.Pattern:
    # one pass over the SQL for all names (the build asks this of every model); longest first,
    # so that of two names where one starts with the other the whole word is found
    if not names:
        return re.compile(r"(?!)")
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"\b({alternatives})\b")


def references(models: list[Model]) -> dict[str, set[str]]:
    """For each model, the names of the other models its SQL refers to (comments left out)."""
    names = [m.name for m in models]
    return {m.name: referred_names(m.sql, names) - {m.name} for m in models}


def build_order(models: list[Model]) -> list[Model]:
    """Models sorted so that each comes after the models its SQL refers to."""
    by_name = {m.name: m for m in models}
    deps = references(models)
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
