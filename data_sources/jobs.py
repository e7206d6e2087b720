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
from data_sources import lrk, sample, store
from data_sources.cbs.pipeline import CbsLoader, LoadReport
from data_sources.config import SAMPLE_DIR, SAMPLE_GEMEENTE_CODE, db_path
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
) -> ImportResult:
    """Validate and store a partner workbook and rebuild the marts, in one transaction. Raises
    InputRefused (Dutch messages) when refused; the database is then unchanged."""
    with store.transaction(con):
        result = import_workbook_detailed(con, data, soort, organisation, period, file_name,
                                          loaded_by, gemeente_code)
        if result.status == "imported":
            transforms.build(con)
    return result


def restore_upload(con: duckdb.DuckDBPyConnection, load_id: int) -> list[int]:
    """Make an earlier upload active again and rebuild the marts, in one transaction."""
    with store.transaction(con):
        replaced = restore(con, load_id)
        transforms.build(con)
    return replaced


def import_lrk(con: duckdb.DuckDBPyConnection, path: str | Path, year: int | None = None) -> lrk.LrkImport:
    """Store an LRK export and rebuild the marts, in one transaction."""
    with store.transaction(con):
        result = lrk.import_lrk_file(con, path, year=year)
        transforms.build(con)
    return result


def load_cbs(loader: CbsLoader, gemeenten: list[str] | None, years: Iterable[int]) -> LoadReport:
    """Fetch and store CBS and PDOK tables (each in its own transaction, so that a later failure
    keeps what arrived), then rebuild the marts when anything was loaded."""
    report = loader.run(gemeenten, list(years))
    if report.loaded:
        loader.progress(1.0, "Modellen bijwerken")
        transforms.build(loader.con)
    loader.progress(1.0, "Klaar")
    return report


def load_sample(con: duckdb.DuckDBPyConnection, sample_dir: Path = SAMPLE_DIR) -> dict[str, int]:
    """Load the sample gemeente, build the marts and add its two example scenarios (one per
    perspective), in one transaction."""
    with store.transaction(con):
        counts = sample.load_sample(con, sample_dir)
        transforms.build(con)
        seed_sample_scenarios(con)
    return counts


def seed_sample_scenarios(con: duckdb.DuckDBPyConnection) -> list[int]:
    """The sample gemeente's example scenarios for its latest year (none when it has scenarios)."""
    from transforms import scenarios

    year = con.execute("select max(year) from population_by_wijk_age where gemeente_code = ?",
                       [SAMPLE_GEMEENTE_CODE]).fetchone()[0]
    if year is None:
        return []
    return scenarios.seed_examples(con, SAMPLE_GEMEENTE_CODE, int(year))


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
