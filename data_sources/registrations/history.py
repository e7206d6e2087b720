"""Upload history of partner registrations: list every version and restore an earlier one."""

from __future__ import annotations

import duckdb
import pandas as pd

from data_sources import store
from data_sources.errors import InputRefused
from data_sources.registrations.schemas import REGISTRATION_TYPES

_STATUS_NL = {"active": "actief", "superseded": "vervangen", "removed": "verwijderd"}


def uploads(
    con: duckdb.DuckDBPyConnection,
    soort: str | None = None,
    organisation: str | None = None,
    gemeente_code: str | None = None,
    partner_only: bool = False,
) -> pd.DataFrame:
    """Every upload of a registration (newest first): who, when, file, hash, rows, status.
    `partner_only`: without the BRP extracts (a partner's own history: a partner never delivers
    the population, also when the gemeente's BRP carries the partner's name)."""
    where = ["source in ('partner')" if partner_only else "source in ('partner', 'brp')",
             "dataset in (select unnest(?))"]
    params: list[object] = [list(REGISTRATION_TYPES)]
    for column, value in (("dataset", soort), ("organisation", organisation),
                          ("gemeente_code", gemeente_code)):
        if value:
            where.append(f"{column} = ?")
            params.append(value)
    frame = con.execute(
        "select load_id, dataset as soort, organisation, period, gemeente_code, file_name,"
        " file_hash, row_count, loaded_at, loaded_by, status, status_changed_at"
        f" from loads where {' and '.join(where)} order by loaded_at desc, load_id desc",
        params,
    ).df()
    frame["status_nl"] = frame["status"].map(_STATUS_NL).fillna(frame["status"])
    return frame


def own_numbers(con: duckdb.DuckDBPyConnection, organisation: str, gemeente_code: str | None) -> dict[int, int]:
    """An organisation's own numbering of its uploads for a gemeente (load_id -> 1, 2, ... in the
    order they came in). A partner is shown these, not the load_id: that counts the uploads of
    every organisation, so its steps would tell a partner how many others uploaded and when.
    Its deliveries only: not a BRP extract that carries its name (uploads `partner_only`)."""
    where, params = ["source = 'partner'", "organisation = ?"], [organisation]
    if gemeente_code:
        where.append("gemeente_code = ?")
        params.append(gemeente_code)
    rows = con.execute(f"select load_id from loads where {' and '.join(where)} order by load_id", params).fetchall()
    return {int(load_id): number for number, (load_id,) in enumerate(rows, start=1)}


def restore(con: duckdb.DuckDBPyConnection, load_id: int, *, shown_as: int | None = None) -> list[int]:
    """Make an earlier upload the active one again (the current one becomes superseded); the
    caller rebuilds the marts in the same transaction (data_sources.jobs.restore_upload).
    Returns the load_ids it replaced; raises InputRefused for unknown or non-upload ids, naming
    the upload as `shown_as` (a partner's own number, own_numbers) or else its load_id."""
    name = load_id if shown_as is None else shown_as
    row = con.execute(
        "select source, dataset, gemeente_code, organisation, period, status, year from loads"
        " where load_id = ?",
        [int(load_id)],
    ).fetchone()
    if row is None or row[0] not in ("partner", "brp") or row[1] not in REGISTRATION_TYPES:
        raise InputRefused(f"Upload {name} bestaat niet of is geen aangeleverde registratie.")
    source, dataset, gemeente_code, organisation, period, status, year = row
    # one BRP per gemeente and year: restoring one replaces the active one of that year, whatever
    # its period or organisation (importing.import_workbook_detailed does the same)
    same = (dict(source=source, dataset=dataset, gemeente_code=gemeente_code, year=year)
            if source == "brp" else
            dict(source=source, dataset=dataset, gemeente_code=gemeente_code,
                 organisation=organisation, period=period))
    if status == "active":
        raise InputRefused(f"Upload {name} is al de actieve versie; er is niets hersteld.")
    with store.transaction(con):
        con.execute(
            "update loads set status = 'active', status_changed_at = current_timestamp"
            " where load_id = ?",
            [int(load_id)],
        )
        replaced = con.execute(
            "select load_id from loads where status = 'active' and load_id <> ? and "
            + " and ".join(f"{key} is not distinct from ?" for key in same),
            [int(load_id), *same.values()],
        ).fetchall()
        store.supersede(con, keep_load_id=int(load_id), **same)
    return sorted(r[0] for r in replaced)
