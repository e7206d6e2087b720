"""The continuum model: parameters as data, and the demand/gap marts evaluated per session."""

from __future__ import annotations

import csv
import functools
import re
from pathlib import Path

import duckdb
import pandas as pd

import transforms
from transforms.dag import Model, build_order, references, referred_names

PARAMETERS_CSV = Path(__file__).resolve().parent.parent / "parameters.csv"
PARAMETER_COLUMNS = ("name", "value", "low", "high", "unit", "label_nl", "source")

# The handreiking takes no side (000:L167): both perspectives are computed and shown side by side.
PERSPECTIVES = {
    "passend": "Passend: een deel van niveau 3 in een aparte groep, de rest in de reguliere groep "
               "met specialistische inzet (000:L137-141, L165)",
    "inclusief": "Inclusief: heel niveau 3 in reguliere groepen met specialistische inzet, tot de "
                 "opnamegrens; bestaande plusgroepen als aparte groepen (000:L163)",
}
# One noemer rule: niveau 4 over all children, niveau 1-3 over the children in childcare.
NOEMERS = {
    "alle_kinderen": "alle kinderen van de leeftijdsgroep (CBS/BRP)",
    "in_opvang": "de kinderen die kinderopvang gebruiken of zoeken (kinderen × deelname)",
}
NIVEAU_NAMES = {
    1: "regulier: stevige basisondersteuning",
    2: "basisondersteuning met een plus",
    3: "gespecialiseerde ondersteuning",
    4: "geen opvang maar behandeling",
}
# Signal kinds that adjust the estimate unless a session chooses others: real support signals.
# SES-based vve, pleegzorg, jeugdbescherming, verblijf, (v)so pupils and trajecten say little
# about a child's support need in childcare; CBS jeugdzorg is the fallback where partners gave none.
DEFAULT_SIGNAL_KINDS = (
    "vve_taal_spraak", "vve_sociaal_emotioneel", "jeugdhulp_ambulant", "jeugdhulp_dagbehandeling",
    "extra_ondersteuning_niveau_3", "extra_ondersteuning_niveau_4", "cbs_jeugdzorg",
)
PARAMETER_MODEL = "stg_model__parameters"
SETTINGS_MODEL = "stg_model__settings"



def default_parameters() -> pd.DataFrame:
    """The model parameters as shipped in transforms/parameters.csv (value, range, unit, source)."""
    with PARAMETERS_CSV.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    frame = pd.DataFrame(rows, columns=list(PARAMETER_COLUMNS))
    for column in ("value", "low", "high"):
        frame[column] = frame[column].astype(float)
    return validate_parameters(frame)


DIVISORS = ("children_per_place_", "group_size_", "plusgroup_size_")


def validate_parameters(parameters: pd.DataFrame) -> pd.DataFrame:
    """Check a parameter table (names known, low <= value <= high, shares within 0-1); returns a
    clean copy with the default unit, label and source filled in. Raises ValueError in Dutch."""
    missing = {"name", "value", "low", "high"} - set(parameters.columns)
    if missing:
        raise ValueError(f"Parameters missen kolom(men): {', '.join(sorted(missing))}.")
    frame = parameters.copy()
    problems = []
    if frame["name"].duplicated().any():
        problems.append("Een parameter staat er meer dan eens in.")
    for row in frame.itertuples(index=False):
        try:
            low, value, high = float(row.low), float(row.value), float(row.high)
        except (TypeError, ValueError):
            problems.append(f"Parameter {row.name}: waarde en bandbreedte moeten getallen zijn.")
            continue
        # niveau 1's value is the remainder after niveau 2-4 (the model computes it); only its
        # range is the handreiking's
        if not low <= value <= high and row.name != "share_niveau_1":
            problems.append(
                f"Parameter {row.name}: de waarde {value:g} ligt niet tussen {low:g} en {high:g}."
            )
        if str(getattr(row, "unit", "")) == "aandeel" and not (0 <= low and high <= 1):
            problems.append(f"Parameter {row.name}: een aandeel ligt tussen 0 en 1.")
        # the model divides by these: children ÷ children per place, places ÷ group size
        if str(row.name).startswith(DIVISORS) and not low > 0:
            problems.append(f"Parameter {row.name}: {getattr(row, 'unit', None) or 'de waarde'} moet meer "
                            "dan 0 zijn.")
    shares = frame.set_index("name")["value"]
    if all(f"share_niveau_{n}" in shares for n in (2, 3, 4)):
        # niveau 1 is the remainder: niveau 2-4 together can be at most all children
        taken = sum(float(shares[f"share_niveau_{n}"]) for n in (2, 3, 4))
        if taken > 1:
            problems.append("De aandelen van niveau 2, 3 en 4 samen zijn meer dan 100%.")
    if problems:
        raise ValueError(" ".join(problems))
    for column in ("value", "low", "high"):
        frame[column] = frame[column].astype(float)
    for column in PARAMETER_COLUMNS:
        if column not in frame.columns:
            frame[column] = None
    return frame[list(PARAMETER_COLUMNS)].reset_index(drop=True)


PARAMETER_SEED = "seed_model__parameters"
SETTINGS_SEED = "seed_model__settings"


def seed_frames() -> dict[str, pd.DataFrame]:
    """The seed tables write_seeds writes, by name: the parameters and the settings."""
    from data_sources.config import min_base, min_count

    settings = pd.DataFrame({"min_count": [int(min_count())], "min_base": [int(min_base())],
                             "signal_kinds": [",".join(DEFAULT_SIGNAL_KINDS)]})
    return {PARAMETER_SEED: default_parameters(), SETTINGS_SEED: settings}


def write_seeds(con: duckdb.DuckDBPyConnection) -> None:
    """The model's inputs that live in files and settings, written as tables before every build
    (as dbt's seeds): the parameters of transforms/parameters.csv, and the settings of the
    shared marts (smallest count, minimum base of a rate, the signal kinds that adjust the
    estimate). The SQL models
    stg_model__parameters and stg_model__settings read them."""
    for name, frame in seed_frames().items():
        relation = f"_{name}_frame"
        con.register(relation, frame)
        try:
            con.execute(f"create or replace table {name} as select * from {relation}")
        finally:
            con.unregister(relation)


def _downstream(models: list[Model], roots: set[str], target: str) -> list[Model]:
    """The models between the roots and the target (target included), in build order."""
    ordered = build_order(models)
    if target not in {m.name for m in ordered}:
        raise ValueError(f"unknown model {target}")
    depends = references(ordered)
    affected = set(roots)
    for model in ordered:
        if depends[model.name] & affected:
            affected.add(model.name)
    needed = {target}
    for model in reversed(ordered):
        if model.name in needed:
            needed |= depends[model.name] & affected
    return [m for m in ordered if m.name in needed and m.name in affected and m.name not in roots]


@functools.lru_cache(maxsize=16)
def _chain(target: str) -> tuple[Model, ...]:
    # the model files do not change while the process runs; working out the chain is the slow
    # part of a session evaluation on a small gemeente
    chain = tuple(_downstream(transforms.all_models(), {PARAMETER_MODEL, SETTINGS_MODEL}, target))
    python = [m.name for m in chain if m.python]
    if python:
        # a session evaluates SQL only: inlined, a Python model's SQL would be its input
        raise ValueError(f"a Python model reads the session's parameters or settings: {python}")
    return chain


def evaluated_sql(target: str, gemeente_inputs: dict[str, str] | None = None) -> str:
    """One query that evaluates `target` from the session relations `session_model_parameters`
    and `session_model_settings`: every model in between is inlined as a CTE of its own SQL text,
    shadowing the shared view or table of the same name (one copy of the SQL). `gemeente_inputs`
    (name -> gemeente code) shadows shared inputs of the chain with their rows of one gemeente,
    so that a gemeente's evaluation does not compute the whole country first."""
    chain = _chain(target)
    ctes = [
        f"{PARAMETER_MODEL} as (select * from session_model_parameters)",
        f"{SETTINGS_MODEL} as (select * from session_model_settings)",
    ]
    for name, code in (gemeente_inputs or {}).items():
        # schema-qualified, so the CTE reads the shared relation and not itself
        ctes.append(f"{name} as (select * from main.{name} where gemeente_code = '{code}')")
    for model in chain:
        body = model.sql.strip().rstrip(";")
        ctes.append(f"{model.name} as (\n{body}\n)")
    return "with " + ",\n".join(ctes) + f"\nselect * from {target}"


def evaluate(
    con: duckdb.DuckDBPyConnection,
    target: str,
    parameters: pd.DataFrame | None = None,
    *,
    gemeente_code: str | None = None,
    signal_kinds: tuple[str, ...] = DEFAULT_SIGNAL_KINDS,
) -> pd.DataFrame:
    """Evaluate a model mart with session parameters (defaults when None) and signal kinds,
    without touching the shared tables; optionally only one gemeente."""
    from data_sources.config import min_base, min_count

    parameters = default_parameters() if parameters is None else validate_parameters(parameters)
    settings = pd.DataFrame({"min_count": [min_count()], "min_base": [min_base()],
                             "signal_kinds": [",".join(signal_kinds)]})
    cursor = con.cursor()
    try:
        cursor.register("session_model_parameters", parameters)
        cursor.register("session_model_settings", settings)
        inputs = _gemeente_inputs(cursor, target, gemeente_code)
        sql = (f"select * from ({evaluated_sql(target, inputs)})"
               " where (? is null or gemeente_code = ?)")
        return cursor.execute(sql, [gemeente_code, gemeente_code]).df()
    finally:
        cursor.close()


def _gemeente_inputs(con: duckdb.DuckDBPyConnection, target: str,
                     gemeente_code: str | None) -> dict[str, str]:
    """The shared relations the chain to `target` reads that have a gemeente_code column (each
    gemeente's model depends on its own rows only), mapped to the gemeente code."""
    if gemeente_code is None or not re.fullmatch(r"GM\d{4}", gemeente_code):
        return {}
    chain = {m.name for m in _chain(target)}
    with_gemeente = {r[0] for r in con.execute(
        "select table_name from information_schema.columns where column_name = 'gemeente_code'"
        " and table_schema = 'main'").fetchall()}
    read = set().union(*(referred_names(m.sql, with_gemeente - chain) for m in _chain(target)))
    return {name: gemeente_code for name in sorted(read)}


def demand(con: duckdb.DuckDBPyConnection, parameters: pd.DataFrame | None = None, *,
           gemeente_code: str | None = None) -> pd.DataFrame:
    """demand_by_wijk_niveau computed with these parameters."""
    return evaluate(con, "demand_by_wijk_niveau", parameters, gemeente_code=gemeente_code)


def gap(con: duckdb.DuckDBPyConnection, parameters: pd.DataFrame | None = None, *,
        gemeente_code: str | None = None) -> pd.DataFrame:
    """gap_by_wijk_niveau (both perspectives) computed with these parameters."""
    return evaluate(con, "gap_by_wijk_niveau", parameters, gemeente_code=gemeente_code)
