"""Store the CBS Jeugdmonitor tables per wijk (jeugdzorg by form) in long form, per gemeente."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

import duckdb
import pandas as pd

from data_sources import store
from data_sources.cbs.odata import (
    CbsTable,
    clean,
    region_figures,
    region_level,
    stem,
)
from data_sources.errors import InputRefused

# Jeugdmonitor: jongeren met jeugdzorg naar vorm, per wijk. 85075NED is CBS's "Jongeren met
# jeugdzorg en jeugdzorgtrajecten in natura; wijken, 2021" (cbs.nl/nl-nl/cijfers/detail/85075NED),
# 85685NED the same for 2023 (cbs.nl/nl-nl/cijfers/detail/85685NED). A table CBS lacks is a warning.
JEUGDMONITOR_TABLES: dict[int, str] = {2023: "85685NED", 2021: "85075NED"}
GEO_TYPES = {"GeoDetail", "GeoDimension"}


def jeugdzorg_frame(table: CbsTable, gemeenten: Iterable[str] | None = None) -> pd.DataFrame:
    """Long rows year, region_code, region_level, category, stem, topic_title, value from any CBS
    table with a region dimension; other dimensions (vorm van jeugdzorg, ...) become `category`."""
    props = table.data_properties
    geo_key = next((p["Key"] for p in props if p.get("Type") in GEO_TYPES), None)
    if geo_key is None:
        raise InputRefused(f"{table.named()}: geen regio-indeling (wijken/buurten) gevonden.")
    # a StatLine CSV with titles has the names in its region column ('Wijk 10 Binnenstad') and
    # the codes in Regioaanduiding/Codering
    code_key = next((p["Key"] for p in props if stem(p.get("Key") or "") == "Codering"), geo_key)
    time_key = next((p["Key"] for p in props if p.get("Type") == "TimeDimension"), None)
    other_dims = [p["Key"] for p in props
                  if p.get("Type") == "Dimension" and p["Key"] not in {geo_key, time_key}]
    titles = {p["Key"]: clean(p.get("Title", p["Key"])) for p in props if p.get("Key")}
    numeric = table.numeric_topics()
    wanted = {g.strip().upper()[2:6] for g in gemeenten} if gemeenten else None
    default_year = _table_year(table)

    rows = []
    unreadable: list[str] = []
    for record in table.records:
        code = clean(record.get(code_key) or record.get(geo_key) or "") or ""
        level = region_level(code)
        if level is None or (wanted and code[2:6] not in wanted):
            continue
        year = default_year
        if time_key:
            match = re.match(r"(\d{4})", clean(record.get(time_key, "")) or "")
            year = int(match.group(1)) if match else default_year
        if year is None:
            continue
        category = " / ".join(
            table.dimensions.get(d, {}).get(clean(record.get(d)), clean(record.get(d)) or "")
            for d in other_dims
        )
        for key, topic_stem, number in region_figures(table, record, code, numeric, unreadable):
            rows.append((year, code, level, category, topic_stem, titles.get(key), number))
    if unreadable:
        raise InputRefused(unreadable)
    return pd.DataFrame(rows, columns=["year", "region_code", "region_level", "category", "stem",
                                       "topic_title", "value"])


def _table_year(table: CbsTable) -> int | None:
    by_id = {v.upper(): k for k, v in JEUGDMONITOR_TABLES.items()}
    if table.table_id.upper() in by_id:
        return by_id[table.table_id.upper()]
    match = re.search(r"(19|20)\d{2}", f"{table.period} {table.title}")
    return int(match.group(0)) if match else None


def store_jeugdzorg(
    con: duckdb.DuckDBPyConnection,
    table: CbsTable,
    *,
    gemeenten: Iterable[str] | None = None,
    source: str = "cbs",
    file_name: str | None = None,
    file_hash: str | None = None,
    retrieved_at: datetime | None = None,
) -> list[int]:
    """Store a Jeugdmonitor table, one load per gemeente and year, replacing earlier loads of the
    same table, gemeente and year. Call inside a transaction."""
    frame = jeugdzorg_frame(table, gemeenten)
    if frame.empty:
        raise InputRefused(f"{table.named()}: geen cijfers per gemeente, wijk of buurt.")
    frame["gemeente_code"] = "GM" + frame["region_code"].str[2:6]
    load_ids = []
    for (gemeente, year), rows in frame.groupby(["gemeente_code", "year"]):
        load_id = store.new_load(
            con, source=source, dataset="jeugdzorg-wijk", table_id=table.table_id,
            gemeente_code=gemeente, year=int(year), period=str(year), file_name=file_name,
            file_hash=file_hash, retrieved_at=retrieved_at, row_count=len(rows), note=table.title,
        )
        con.execute(
            "delete from raw_cbs__jeugdzorg where table_id = ? and year = ? and region_code in"
            " (select unnest(?::varchar[]))",
            [table.table_id, int(year), sorted(rows["region_code"].unique())],
        )
        frame_to_insert = rows.drop(columns="gemeente_code").assign(
            table_id=table.table_id, load_id=load_id)
        con.register("_jeugdzorg_frame", frame_to_insert)
        con.execute(
            "insert into raw_cbs__jeugdzorg (table_id, year, region_code, region_level, category,"
            " stem, topic_title, value, load_id) select table_id, year, region_code, region_level,"
            " category, stem, topic_title, value, load_id from _jeugdzorg_frame"
        )
        con.unregister("_jeugdzorg_frame")
        store.supersede(con, keep_load_id=load_id, dataset="jeugdzorg-wijk",
                        table_id=table.table_id, gemeente_code=gemeente, year=int(year))
        load_ids.append(load_id)
    return load_ids
