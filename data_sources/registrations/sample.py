"""Import the sample partner workbooks (sample_data/registrations/*.xlsx) into a store."""

from __future__ import annotations

from pathlib import Path

import duckdb

from data_sources.registrations.importing import import_workbook
from data_sources.registrations.reading import read_workbook
from data_sources.registrations.schemas import REGISTRATION_TYPES
from data_sources.registrations.validate import read_meta


def import_sample_workbooks(con: duckdb.DuckDBPyConnection, directory: str | Path) -> list[int]:
    """Import every `<type>.xlsx` found in `directory` (or its `registrations/` folder), with the
    organisation and period named in each workbook's sheet 'Organisatie', each in its own
    transaction or all in the caller's. Returns the load_ids; raises InputRefused if a workbook
    is refused. The caller builds the marts."""
    folder = Path(directory)
    if (folder / "registrations").is_dir():
        folder = folder / "registrations"
    load_ids = []
    for soort in REGISTRATION_TYPES:
        path = folder / f"{soort}.xlsx"
        if not path.exists():
            continue
        data = path.read_bytes()
        meta = read_meta(read_workbook(data, path.name))
        load_ids.append(import_workbook(
            con, data, soort, str(meta["organisatie"]), str(meta["periode"]), path.name,
            loaded_by="voorbeeldgegevens",
        ))
    return load_ids
