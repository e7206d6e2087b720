"""Jobs that load, then build: each load and the rebuild of the marts in one transaction.

The loaders only write raw tables; the CLI and the app call these jobs, so that a figure on a page
includes an upload exactly when the upload is active (killed halfway, nothing of it is stored).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import duckdb

import transforms
from data_sources import accounts, lrk, sample, store
from data_sources.cbs.pipeline import CbsLoader, LoadReport
from data_sources.config import SAMPLE_DIR, db_path
from data_sources.errors import InputRefused
from data_sources.registrations.history import restore
from data_sources.registrations.importing import ImportResult, import_workbook_detailed


def import_registration(
    con: duckdb.DuckDBPyConnection,
    data: bytes,
    soort: str,
    organisation: str,
    period: str,
    file_name: str,
    loaded_by: str | None = None,
    gemeente_code: str | None = None,
    actor: str = "opdrachtregel",
) -> ImportResult:
    """Validate and store a partner workbook, rebuild the marts and write the audit log, in one
    transaction. Raises InputRefused (Dutch messages) when refused; the database is then unchanged."""
    with store.transaction(con):
        result = import_workbook_detailed(con, data, soort, organisation, period, file_name,
                                          loaded_by, gemeente_code)
        if result.status == "imported":
            transforms.build(con)
            replaced = (f"; vervangt upload {', '.join(map(str, result.superseded))}"
                        if result.superseded else "")
            accounts.audit(con, actor, "vervanging" if result.superseded else "upload",
                           f"upload {result.load_id}: {soort}, {organisation}, {period}, "
                           f"{file_name}{replaced}")
    return result


def restore_upload(con: duckdb.DuckDBPyConnection, load_id: int, *, organisation: str | None = None,
                   actor: str = "opdrachtregel") -> list[int]:
    """Make an earlier upload active again, rebuild the marts and write the audit log, in one
    transaction. With `organisation` (a partner) only an upload of that organisation."""
    with store.transaction(con):
        if organisation is not None:
            owner = con.execute("select organisation from loads where load_id = ?",
                                [int(load_id)]).fetchone()
            if owner is None or owner[0] != organisation:
                raise InputRefused(f"Upload {load_id} bestaat niet of is niet van uw organisatie.")
        replaced = restore(con, load_id)
        transforms.build(con)
        accounts.audit(con, actor, "terugzetten",
                       f"upload {load_id}" + (f"; vervangt {', '.join(map(str, replaced))}"
                                               if replaced else ""))
    return replaced


def import_lrk(con: duckdb.DuckDBPyConnection, path: str | Path, year: int | None = None,
               actor: str = "opdrachtregel") -> lrk.LrkImport:
    """Store an LRK export and rebuild the marts, in one transaction (with the audit line)."""
    with store.transaction(con):
        result = lrk.import_lrk_file(con, path, year=year)
        transforms.build(con)
        accounts.audit(con, actor, "lrk-lading", f"{Path(path).name}")
    return result


def load_cbs(loader: CbsLoader, gemeenten: list[str] | None, years: Iterable[int],
             actor: str = "opdrachtregel") -> LoadReport:
    """Fetch and store CBS and PDOK tables (each in its own transaction, so that a later failure
    keeps what arrived), then rebuild the marts when anything was loaded (with the audit line)."""
    years = list(years)
    report = loader.run(gemeenten, years)
    if report.loaded:
        loader.progress(1.0, "Modellen bijwerken")
        with store.transaction(loader.con):
            transforms.build(loader.con)
            accounts.audit(loader.con, actor, "cbs-lading",
                           f"{', '.join(gemeenten) if gemeenten else 'alle gemeenten'}; "
                           f"jaren {', '.join(map(str, years)) or 'standaard'}")
    loader.progress(1.0, "Klaar")
    return report


def load_sample(con: duckdb.DuckDBPyConnection, sample_dir: Path = SAMPLE_DIR) -> dict[str, int]:
    """Load the sample gemeente and build the marts, in one transaction."""
    with store.transaction(con):
        counts = sample.load_sample(con, sample_dir)
        transforms.build(con)
    return counts


def build_sample_database(path: str | Path | None = None, *, force: bool = False) -> Path:
    """Create the database file from sample_data/ if it is missing (or always with force). The new
    database is built beside the old one and takes its place only when complete: killed halfway,
    the old database is still there."""
    target = db_path(path)
    if target.exists() and not force:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".building")
    for leftover in (partial, partial.with_name(partial.name + ".wal")):
        leftover.unlink(missing_ok=True)
    con = store.connect(partial)
    try:
        load_sample(con)
        con.execute("checkpoint")
    finally:
        con.close()
    target.with_name(target.name + ".wal").unlink(missing_ok=True)
    os.replace(partial, target)
    return target
