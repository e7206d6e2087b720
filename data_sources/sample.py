"""Build a Kindkaart store from the bundled sample gemeente (sample_data/), through the real loaders."""

from __future__ import annotations

from pathlib import Path

import duckdb

from data_sources import geo, lrk, postcodes, store
from data_sources.cbs import loading
from data_sources.cbs.odata import read_table_dir
from data_sources.config import SAMPLE_DIR
from data_sources.registrations.sample import import_sample_workbooks


def load_sample(con: duckdb.DuckDBPyConnection, sample_dir: Path = SAMPLE_DIR) -> dict[str, int]:
    """Load every sample source into `con` in one transaction (or the caller's); the caller builds
    the marts (data_sources.jobs.load_sample). Returns counts of what was loaded."""
    counts = {"kerncijfers": 0, "bevolking-leeftijd": 0, "geometrie": 0, "postcodes": 0}
    with store.transaction(con):
        years = []
        for table_dir in sorted((sample_dir / "cbs").iterdir()):
            table = read_table_dir(table_dir)
            file_hash = store.file_sha256((table_dir / "TypedDataSet.json").read_bytes())
            if table.table_id.lower() == loading.POPULATION_BY_AGE_TABLE:
                loading.store_population_by_age(con, table, source="sample", file_hash=file_hash,
                                                 file_name=f"{table_dir.name}/")
                counts["bevolking-leeftijd"] += 1
            else:
                loading.store_kerncijfers(con, table, source="sample", file_hash=file_hash,
                                          file_name=f"{table_dir.name}/")
                years.append(loading.kerncijfers_year(table))
                counts["kerncijfers"] += 1
        for level_file in ("gemeente", "wijken", "buurten"):
            path = sample_dir / "geo" / f"{level_file}.geojson"
            frame = geo.read_geojson(path)
            for year in years:
                geo.store_geometries(con, frame, year=year, source="sample", file_name=path.name,
                                     file_hash=store.file_sha256(path))
                counts["geometrie"] += 1
        for path in sorted((sample_dir / "postcodes").glob("*.csv")):
            year, frame = postcodes.read_postcode_file(path)
            postcodes.store_postcodes(con, frame, year=year or max(years), source="sample",
                                      file_name=path.name, file_hash=store.file_sha256(path))
            counts["postcodes"] += 1
        import_sample_workbooks(con, sample_dir)
        lrk.import_sample_lrk(con, sample_dir)
    return counts
