"""Stored scenarios and tariffs: save, copy, list, compute on the marts, and tell when stale."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime

import duckdb

from transforms.labels import Where
from transforms.planning import (
    PLAN_PARAMETERS_CSV,
    Plan,
    Scenario,
    Tariff,
    WijkInput,
    compute_plan,
    default_separate_share,
    input_rows,
    validate,
)
from transforms.population import population_missing_text

STALE_LABEL = "op oude gegevens"
CURRENT_LABEL = "actueel"
NOT_COMPUTED_LABEL = "nog niet berekend"

# One row per wijk and age group: the continuum model's niveau 2 and 3 children and the places,
# read from the gap mart (a view computed for one gemeente when asked).
INPUT_SQL = """
select
    wijk_code,
    any_value(wijk_name) as wijk_name,
    age_group,
    any_value(demand_low) filter (where component = 'opnamegrens') as niveau3_low,
    any_value(demand_mid) filter (where component = 'opnamegrens') as niveau3_mid,
    any_value(demand_high) filter (where component = 'opnamegrens') as niveau3_high,
    any_value(demand_low) filter (where component = 'ondersteuning_professionals') as niveau2_low,
    any_value(demand_mid) filter (where component = 'ondersteuning_professionals') as niveau2_mid,
    any_value(demand_high) filter (where component = 'ondersteuning_professionals') as niveau2_high,
    any_value(supply) filter (where component = 'reguliere_plekken') as regular_places,
    any_value(separate_group_places) as plus_places,
    any_value(children_per_place) filter (where component = 'aparte_groep')
        as plus_children_per_place,
    any_value(in_plus_groups) filter (where component = 'opnamegrens') as in_plus_groups,
    -- row 10 not delivered: the plus-group places are null ('niet geleverd'), not 0
    bool_or(supply is not null) filter (where component = 'aparte_groep') as plus_places_delivered,
    -- no LRK export: the regular places are 0 in the mart, but not known (supply_year null)
    bool_or(supply_year is not null) filter (where component = 'reguliere_plekken')
        as regular_places_known
from gap_by_wijk_niveau
where gemeente_code = ? and year = ?
group by wijk_code, age_group
order by wijk_code, age_group
"""

_COLUMNS = ("scenario_id", "gemeente_code", "year", "name", "perspective", "separate_share",
            "horizon", "estimate", "catchments_json", "building_blocks_json", "parameters_json",
            "financing_json", "note", "created_by", "created_at", "updated_at", "input_fingerprint",
            "computed_at")


def plan_inputs(con: duckdb.DuckDBPyConnection, gemeente_code: str, year: int) -> list[WijkInput]:
    """The continuum model's figures per wijk and age group that a plan starts from."""
    cursor = con.execute(INPUT_SQL, [gemeente_code, year])
    names = [d[0] for d in cursor.description]
    return input_rows([dict(zip(names, row, strict=True)) for row in cursor.fetchall()])


def population_missing(con: duckdb.DuckDBPyConnection, gemeente_code: str, year: int,
                       name: str | None = None, inputs: list[WijkInput] | None = None, *,
                       where: Where) -> str | None:
    """None when a plan of the gemeente and year has children per wijk to start from (the
    continuum model has rows); else, in Dutch plain text, what is missing and where to load it
    (transforms.population.population_missing_text), so that no plan of zeros is shown, seeded,
    saved or exported. `inputs`: plan_inputs when the caller has them already; `where`: how to say
    where to load them (transforms.labels.LoadHint; the app says it per account)."""
    if inputs is None:
        inputs = plan_inputs(con, gemeente_code, year)
    if inputs:
        return None
    text = population_missing_text(lambda sql, params: con.execute(sql, params).fetchall(),
                                   gemeente_code, year, name, where=where)
    return (f"Een scenario rekent met de kinderen per wijk in {year}, en die ontbreken: "
            f"{text.replace('**', '')}")


def input_fingerprint(con: duckdb.DuckDBPyConnection, gemeente_code: str) -> str:
    """A token of everything a gemeente's plan is computed from: its active loads (CBS years,
    uploads, LRK; loads of no gemeente too), the parameter files and the gemeente's tariffs (the
    stored totals hold the costs). A rebuild of the marts keeps it; a new upload, a new CBS year, a
    restored version or another tariff changes it."""
    from transforms.model import PARAMETERS_CSV

    loads = con.execute(
        "select coalesce(string_agg(load_id::varchar, ',' order by load_id), '') from loads"
        " where status = 'active' and (gemeente_code = ? or gemeente_code is null)",
        [gemeente_code]).fetchone()[0]
    digest = hashlib.sha256(loads.encode())
    tariffs = con.execute(
        "select coalesce(string_agg(concat_ws('|', stream, unit, group_type, amount, owner, tariff_date),"
        " chr(10) order by tariff_id), '') from tariffs where gemeente_code = ?", [gemeente_code]).fetchone()[0]
    digest.update(tariffs.encode())
    for path in (PARAMETERS_CSV, PLAN_PARAMETERS_CSV):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _from_row(row: tuple) -> Scenario:
    r = dict(zip(_COLUMNS, row, strict=True))
    return Scenario(
        name=r["name"], gemeente_code=r["gemeente_code"], year=int(r["year"]),
        perspective=r["perspective"], separate_share=float(r["separate_share"]),
        horizon=r["horizon"], estimate=r["estimate"], catchments=json.loads(r["catchments_json"]),
        building_blocks=json.loads(r["building_blocks_json"]),
        parameters=json.loads(r["parameters_json"]), financing=json.loads(r["financing_json"]),
        note=r["note"], scenario_id=int(r["scenario_id"]), created_by=r["created_by"],
        created_at=r["created_at"], updated_at=r["updated_at"],
        input_fingerprint=r["input_fingerprint"], computed_at=r["computed_at"])


def list_scenarios(con: duckdb.DuckDBPyConnection, gemeente_code: str | None = None) -> list[Scenario]:
    """Stored scenarios (of one gemeente), oldest first."""
    found = con.execute(
        f"select {', '.join(_COLUMNS)} from scenarios where (? is null or gemeente_code = ?)"
        " order by scenario_id", [gemeente_code, gemeente_code]).fetchall()
    return [_from_row(row) for row in found]


def count_scenarios(con: duckdb.DuckDBPyConnection, gemeente_code: str) -> int:
    """How many scenarios the gemeente has stored."""
    return con.execute("select count(*) from scenarios where gemeente_code = ?",
                       [gemeente_code]).fetchone()[0]


def load_scenario(con: duckdb.DuckDBPyConnection, scenario_id: int) -> Scenario | None:
    """One stored scenario, or None."""
    row = con.execute(f"select {', '.join(_COLUMNS)} from scenarios where scenario_id = ?",
                      [int(scenario_id)]).fetchone()
    return _from_row(row) if row else None


def save_scenario(con: duckdb.DuckDBPyConnection, scenario: Scenario,
                  wijk_codes: list[str] | None = None) -> int:
    """Insert (no id) or update a scenario; returns its id. Raises ValueError (Dutch) for choices
    a plan cannot use."""
    problems = validate(scenario, wijk_codes)
    if problems:
        raise ValueError(" ".join(problems))
    values = [scenario.gemeente_code, int(scenario.year), scenario.name.strip(), scenario.perspective,
              float(scenario.separate_share), scenario.horizon, scenario.estimate,
              json.dumps(scenario.catchments, ensure_ascii=False),
              json.dumps(list(scenario.building_blocks)),
              json.dumps({k: float(v) for k, v in scenario.parameters.items()}),
              json.dumps(scenario.financing), scenario.note]
    if scenario.scenario_id is None:
        scenario.scenario_id = con.execute(
            "insert into scenarios (gemeente_code, year, name, perspective, separate_share, horizon,"
            " estimate, catchments_json, building_blocks_json, parameters_json, financing_json, note,"
            " created_by) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) returning scenario_id",
            [*values, scenario.created_by]).fetchone()[0]
    else:
        con.execute(
            "update scenarios set gemeente_code = ?, year = ?, name = ?, perspective = ?,"
            " separate_share = ?, horizon = ?, estimate = ?, catchments_json = ?,"
            " building_blocks_json = ?, parameters_json = ?, financing_json = ?, note = ?,"
            " updated_at = current_timestamp where scenario_id = ?",
            [*values, scenario.scenario_id])
    return int(scenario.scenario_id)


def copy_scenario(con: duckdb.DuckDBPyConnection, scenario_id: int, name: str | None = None,
                  created_by: str | None = None) -> int:
    """A copy of a stored scenario under a new name; returns the new id."""
    original = load_scenario(con, scenario_id)
    if original is None:
        raise ValueError(f"Scenario {scenario_id} bestaat niet.")
    original.scenario_id = None
    original.name = name or f"{original.name} (kopie)"
    original.created_by = created_by
    original.input_fingerprint = None
    return save_scenario(con, original)


def delete_scenario(con: duckdb.DuckDBPyConnection, scenario_id: int) -> None:
    """Remove a stored scenario."""
    con.execute("delete from scenarios where scenario_id = ?", [int(scenario_id)])


def status(con: duckdb.DuckDBPyConnection, scenario: Scenario, fingerprint: str | None = None) -> str:
    """'actueel', 'op oude gegevens' (an input changed since it was computed) or 'nog niet berekend'."""
    if not scenario.input_fingerprint:
        return NOT_COMPUTED_LABEL
    current = fingerprint or input_fingerprint(con, scenario.gemeente_code)
    return CURRENT_LABEL if scenario.input_fingerprint == current else STALE_LABEL


def list_tariffs(con: duckdb.DuckDBPyConnection, gemeente_code: str) -> list[Tariff]:
    """The tariffs entered for a gemeente, in the order entered."""
    found = con.execute(
        "select stream, unit, amount, owner, tariff_date, group_type, tariff_id, note from tariffs"
        " where gemeente_code = ? order by tariff_id", [gemeente_code]).fetchall()
    return [Tariff(*row) for row in found]


def tariff_problems(tariff: Tariff) -> list[str]:
    """Dutch messages for a tariff that cannot be stored: every amount has an owner and a date."""
    from transforms.planning import GROUP_TYPES, STREAMS, UNITS

    problems = []
    if tariff.stream not in STREAMS:
        problems.append(f"Onbekende financieringsstroom '{tariff.stream}'.")
    if tariff.unit not in UNITS:
        problems.append(f"Onbekende eenheid '{tariff.unit}'.")
    if tariff.group_type not in (None, "", *GROUP_TYPES):
        problems.append(f"Onbekend groepstype '{tariff.group_type}'.")
    try:
        if float(tariff.amount) < 0:
            problems.append("Een bedrag is niet negatief.")
    except (TypeError, ValueError):
        problems.append("Een bedrag is een getal.")
    if not str(tariff.owner or "").strip():
        problems.append("Elk tarief heeft een eigenaar: wie gaf het bedrag op?")
    if not tariff.tariff_date:
        problems.append("Elk tarief heeft een datum.")
    return problems


def replace_tariffs(con: duckdb.DuckDBPyConnection, gemeente_code: str, tariffs: list[Tariff]) -> None:
    """Store the gemeente's tariffs as given (the page edits them as one table). Raises ValueError
    (Dutch) when one has no owner, date or known stream and unit; nothing is stored then."""
    problems = [f"Tarief {i}: {p}" for i, t in enumerate(tariffs, start=1) for p in tariff_problems(t)]
    if problems:
        raise ValueError(" ".join(problems))
    from data_sources.store import transaction

    with transaction(con):
        con.execute("delete from tariffs where gemeente_code = ?", [gemeente_code])
        for t in tariffs:
            con.execute(
                "insert into tariffs (gemeente_code, stream, unit, group_type, amount, owner,"
                " tariff_date, note) values (?, ?, ?, ?, ?, ?, ?, ?)",
                [gemeente_code, t.stream, t.unit, t.group_type or None, float(t.amount),
                 str(t.owner).strip(), _as_date(t.tariff_date), t.note])


def add_tariff(con: duckdb.DuckDBPyConnection, gemeente_code: str, tariff: Tariff) -> int:
    """Store one tariff; returns its id. Raises ValueError (Dutch) as replace_tariffs."""
    problems = tariff_problems(tariff)
    if problems:
        raise ValueError(" ".join(problems))
    return con.execute(
        "insert into tariffs (gemeente_code, stream, unit, group_type, amount, owner, tariff_date,"
        " note) values (?, ?, ?, ?, ?, ?, ?, ?) returning tariff_id",
        [gemeente_code, tariff.stream, tariff.unit, tariff.group_type or None, float(tariff.amount),
         str(tariff.owner).strip(), _as_date(tariff.tariff_date), tariff.note]).fetchone()[0]


def _as_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def compute(con: duckdb.DuckDBPyConnection, scenario: Scenario,
            inputs: list[WijkInput] | None = None) -> Plan:
    """The plan of a scenario on the current marts and the gemeente's tariffs."""
    if inputs is None:
        inputs = plan_inputs(con, scenario.gemeente_code, scenario.year)
    return compute_plan(scenario, inputs, list_tariffs(con, scenario.gemeente_code))


def mark_computed(con: duckdb.DuckDBPyConnection, plan: Plan) -> None:
    """Record that a stored scenario was computed on today's inputs (its totals kept beside it)."""
    scenario = plan.scenario
    fingerprint = input_fingerprint(con, scenario.gemeente_code)
    con.execute(
        "update scenarios set input_fingerprint = ?, computed_at = current_timestamp,"
        " result_json = ? where scenario_id = ?",
        [fingerprint, json.dumps({k: round(v, 3) for k, v in plan.totals().items()}),
         scenario.scenario_id])
    scenario.input_fingerprint = fingerprint


def stored_totals(con: duckdb.DuckDBPyConnection, scenario_id: int) -> dict | None:
    """The totals kept at the last computation (None when never computed)."""
    row = con.execute("select result_json from scenarios where scenario_id = ?",
                      [int(scenario_id)]).fetchone()
    return json.loads(row[0]) if row and row[0] else None


# The sample gemeente's wijken lie in three rows north to south (their centroids): the northern
# two rows and the southern row share provision, thuisnabij.
SAMPLE_CATCHMENTS = {
    "Noord en Midden": ["WK999901", "WK999902", "WK999903", "WK999904", "WK999905", "WK999906",
                        "WK999907"],
    "Zuid": ["WK999908", "WK999909", "WK999910"],
}


def seed_examples(con: duckdb.DuckDBPyConnection, gemeente_code: str, year: int,
                  catchments: dict[str, list[str]] | None = None) -> list[int]:
    """Two example scenarios, one per perspective (the handreiking takes no side, 000:L167), when
    the gemeente has none yet; computed on the current marts. Returns their ids. Both with their
    totals in one transaction (or the caller's): stopped halfway, a gemeente kept one example, or
    one without totals, and the button that makes them was gone (it shows only without scenarios)."""
    from data_sources.store import transaction

    with transaction(con):
        return _seed_examples(con, gemeente_code, year, catchments)


def _seed_examples(con: duckdb.DuckDBPyConnection, gemeente_code: str, year: int,
                   catchments: dict[str, list[str]] | None) -> list[int]:
    if list_scenarios(con, gemeente_code):
        return []
    catchments = catchments if catchments is not None else SAMPLE_CATCHMENTS
    examples = [
        Scenario(name="Voorbeeld passend", gemeente_code=gemeente_code, year=year,
                 perspective="passend", separate_share=default_separate_share(), horizon="3-5",
                 catchments=catchments,
                 building_blocks=["plusgroepen", "extra_medewerker", "coaching_advies"],
                 note="Voorbeeld: de helft van niveau 3 in plusgroepen en BSO-plus per "
                      "verzorgingsgebied, de rest in de reguliere groep met een extra medewerker "
                      "en coaching.", created_by="Kindkaart (voorbeeld)"),
        Scenario(name="Voorbeeld inclusief", gemeente_code=gemeente_code, year=year,
                 perspective="inclusief", separate_share=0.0, horizon="5-10",
                 catchments=catchments,
                 building_blocks=["extra_medewerker", "coaching_advies", "specialist_op_groep",
                                  "aangepaste_inrichting"],
                 note="Voorbeeld: heel niveau 3 in reguliere groepen tot de opnamegrens, met een extra "
                      "medewerker, coaching en een specialist op de groep.",
                 created_by="Kindkaart (voorbeeld)"),
    ]
    inputs = plan_inputs(con, gemeente_code, year)
    codes = [w.wijk_code for w in inputs]
    ids = []
    for scenario in examples:
        scenario.catchments = {k: [c for c in v if c in codes] for k, v in scenario.catchments.items()}
        scenario.catchments = {k: v for k, v in scenario.catchments.items() if v}
        ids.append(save_scenario(con, scenario))
        mark_computed(con, compute(con, scenario, inputs))
    return ids
