"""Bundled 2024 wijk and gemeente boundaries (CBS/PDOK, CC BY 4.0): a map without network."""

from __future__ import annotations

import copy
import gzip
import json
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import duckdb

BOUNDARIES_DIR = Path(__file__).with_name("boundaries")
BUNDLED_YEAR = 2024
FILES = ("gemeente_2024.geojson.gz", "wijk_2024.geojson.gz")


@cache
def _features() -> tuple[dict, ...]:
    features = []
    for name in FILES:
        with gzip.open(BOUNDARIES_DIR / name, "rt", encoding="utf-8") as handle:
            features.extend(json.load(handle)["features"])
    return tuple(features)


def bundled_features(gemeenten: Iterable[str]) -> list[dict]:
    """The bundled gemeente outline and wijk polygons of these gemeenten (GMxxxx codes), as copies:
    the features are read once per process (_features), and a caller that changed the ones it got
    changed them for every later caller (a test that broke a ring of Diezerpoort made every later
    load of Zwolle in that process refuse its boundaries)."""
    numbers = {code[2:6] for code in gemeenten}
    return copy.deepcopy([f for f in _features() if str(f["properties"].get("statcode", ""))[2:6] in numbers])


@cache
def bundled_region_names() -> dict[str, str]:
    """code -> name of the 2024 wijken (from the bundled boundaries) and gemeenten (bundled list):
    names for regions loaded without them (an OData table without its dimension file)."""
    from data_sources.gemeentenamen import bundled_names

    names = {str(f["properties"]["statcode"]): str(f["properties"]["name"]) for f in _features()
             if f["properties"].get("name")}
    names.update(bundled_names())
    return names


def gemeenten_without_boundaries(con: duckdb.DuckDBPyConnection, gemeenten: Iterable[str]) -> list[str]:
    """Those gemeenten that have no wijk boundaries of any year yet."""
    wanted = sorted({g for g in gemeenten if g and g.startswith("GM")})
    if not wanted:
        return []
    having = {row[0] for row in con.execute(
        "select distinct 'GM' || substr(region_code, 3, 4) from geometries where region_level = 'wijk'"
        " and 'GM' || substr(region_code, 3, 4) in (select unnest(?::varchar[]))", [wanted]).fetchall()}
    return [g for g in wanted if g not in having]


def store_bundled_boundaries(con: duckdb.DuckDBPyConnection, gemeenten: Iterable[str]) -> list[int]:
    """Store the bundled 2024 boundaries of the gemeenten that have none yet (one load each,
    source pdok, file 'meegeleverd: wijk_2024.geojson.gz'). Returns the new load ids."""
    from data_sources.cbs.pipeline import store_geometries

    missing = gemeenten_without_boundaries(con, gemeenten)
    features = bundled_features(missing)
    if not features:
        return []
    return store_geometries(con, features, year=BUNDLED_YEAR,
                            file_name="meegeleverd: wijk_2024.geojson.gz (CBS/PDOK, CC BY 4.0)")
