"""GeoJSON polygons of gemeenten, wijken and buurten into the geometries table."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import duckdb
import pandas as pd

from data_sources import store
from data_sources.cbs.odata import region_level
from data_sources.errors import InputRefused, unreadable

CODE_PROPERTIES = ("statcode", "wijkcode", "buurtcode", "gemeentecode", "code")
NAME_PROPERTIES = ("statnaam", "name", "wijknaam", "buurtnaam", "gemeentenaam", "naam")


def round_coordinates(geometry: dict, decimals: int = 5) -> dict:
    """A copy of a GeoJSON geometry with coordinates rounded (5 decimals is about 1 m)."""

    def walk(value):
        if isinstance(value, (int, float)):
            return round(float(value), decimals)
        return [walk(item) for item in value]

    return {"type": geometry["type"], "coordinates": walk(geometry["coordinates"])}


def features_frame(collection: dict, decimals: int = 5) -> pd.DataFrame:
    """region_code, region_level, region_name, geometry_json for every polygon feature."""
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        raise InputRefused("Dit is geen GeoJSON FeatureCollection.")
    rows = []
    for feature in collection.get("features", []):
        props = {k.lower(): v for k, v in (feature.get("properties") or {}).items()}
        code = next((str(props[k]).strip() for k in CODE_PROPERTIES if props.get(k)), None)
        geometry = feature.get("geometry") or {}
        if not code or geometry.get("type") not in {"Polygon", "MultiPolygon"}:
            continue
        level = region_level(code)
        if level is None:
            continue
        name = next((str(props[k]).strip() for k in NAME_PROPERTIES if props.get(k)), None)
        rows.append((code, level, name, json.dumps(round_coordinates(geometry, decimals),
                                                   separators=(",", ":"))))
    return pd.DataFrame(rows, columns=["region_code", "region_level", "region_name", "geometry_json"])


def read_geojson(path: str | Path, decimals: int = 5) -> pd.DataFrame:
    """Read a GeoJSON file of CBS regions (statcode/statnaam or PDOK property names)."""
    try:
        collection = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputRefused(f"Bestand {Path(path).name}: geen leesbare GeoJSON: {unreadable(exc, 'regel')}.") from None
    return features_frame(collection, decimals)


def store_geometries(
    con: duckdb.DuckDBPyConnection,
    frame: pd.DataFrame,
    *,
    year: int,
    source: str,
    gemeenten: Iterable[str] | None = None,
    file_name: str | None = None,
    file_hash: str | None = None,
    retrieved_at=None,
) -> int:
    """Store polygons for one year (replacing the same regions of that year). Call inside a
    transaction. Returns the load id."""
    if gemeenten:
        wanted = {g.upper() for g in gemeenten}
        frame = frame[("GM" + frame["region_code"].str[2:6]).isin(wanted)]
    if frame.empty:
        raise InputRefused("Geen gebieden met een geometrie gevonden voor deze gemeente(n).")
    load_id = store.new_load(
        con, source=source, dataset="geometrie", year=year, period=str(year),
        gemeente_code=_single_gemeente(frame), file_name=file_name, file_hash=file_hash,
        retrieved_at=retrieved_at, row_count=len(frame),
    )
    con.register("_geometry_frame", frame.assign(year=year, load_id=load_id))
    con.execute(
        "delete from geometries where year = ? and region_code in "
        "(select region_code from _geometry_frame)", [year]
    )
    con.execute(
        "insert into geometries (year, region_code, region_level, geometry_json, load_id)"
        " select year, region_code, region_level, geometry_json, load_id from _geometry_frame"
    )
    con.unregister("_geometry_frame")
    return load_id


def _single_gemeente(frame: pd.DataFrame) -> str | None:
    gemeenten = ("GM" + frame["region_code"].str[2:6]).unique()
    return gemeenten[0] if len(gemeenten) == 1 else None
