"""Fetch CBS tables (OData v3, falling back to v4) into a cache in cbsodata's directory format."""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from data_sources.cbs.columns import key_for_title
from data_sources.cbs.http import HttpClient, NotFound
from data_sources.cbs.odata import DIMENSION_TYPES, stem
from data_sources.errors import SourceUnavailable

META_FILE = "_fetch.json"


@dataclass(frozen=True)
class Endpoints:
    """Where CBS and PDOK live; tests point these at a local server."""

    cbs_v3: str = "https://opendata.cbs.nl/ODataApi/odata"
    cbs_v3_feed: str = "https://opendata.cbs.nl/ODataFeed/odata"
    # The v4 base CBS documents now (datasets.cbs.nl); odata4.cbs.nl was the beta host.
    cbs_v4: str = "https://datasets.cbs.nl/odata/v1/CBS"
    pdok_wfs: str = "https://service.pdok.nl/cbs/gebiedsindelingen/{year}/wfs/v1_0"

    @classmethod
    def from_environment(cls) -> Endpoints:
        """Defaults, overridable by $KINDKAART_CBS_V3_URL, _V3_FEED_URL, _V4_URL, $KINDKAART_PDOK_WFS_URL."""
        defaults = cls()
        return cls(
            cbs_v3=os.environ.get("KINDKAART_CBS_V3_URL", defaults.cbs_v3),
            cbs_v3_feed=os.environ.get("KINDKAART_CBS_V3_FEED_URL", defaults.cbs_v3_feed),
            cbs_v4=os.environ.get("KINDKAART_CBS_V4_URL", defaults.cbs_v4),
            pdok_wfs=os.environ.get("KINDKAART_PDOK_WFS_URL", defaults.pdok_wfs),
        )


def region_filter(key: str, gemeenten: Iterable[str] | None) -> str | None:
    """OData filter keeping a gemeente with its wijken and buurten on dimension `key`
    (codes GM0344, WK0344.., BU0344..); None for the whole country."""
    if not gemeenten:
        return None
    parts = []
    for code in sorted({g.strip().upper() for g in gemeenten}):
        digits = _gemeente_digits(code)
        parts += [f"startswith({key},'{prefix}{digits}')" for prefix in ("GM", "WK", "BU")]
    return " or ".join(parts)


def _gemeente_digits(code: str) -> str:
    match = re.fullmatch(r"(?:GM)?(\d{4})", code.strip().upper())
    if not match:
        raise ValueError(f"not a gemeente code: {code!r}")
    return match.group(1)


def _pages(client: HttpClient, url: str, params: dict | None) -> list[dict]:
    """All rows of an OData (v3 or v4) entity set, following nextLink paging."""
    rows: list[dict] = []
    while url:
        body = client.get_json(url, params, source="CBS")
        if isinstance(body, list):
            rows.extend(body)
            break
        rows.extend(body.get("value", []))
        url = body.get("odata.nextLink") or body.get("@odata.nextLink")
        params = None  # the next link carries the query
    return rows


# The v3 API answers at most 10,000 rows per request, without a next link: the WijkenEnBuurten
# dimension of all of Nederland (some 17,000 regions) needs $top/$skip pages.
V3_ROW_CAP = 10_000


def _capped_pages(client: HttpClient, url: str, params: dict | None) -> list[dict]:
    """All rows of a v3 metadata or dimension entity set, in $skip pages of V3_ROW_CAP (and
    following a next link where CBS gives one)."""
    rows: list[dict] = []
    while True:
        page = _pages(client, url, {**(params or {}), "$top": V3_ROW_CAP, "$skip": len(rows)})
        rows.extend(page)
        if len(page) < V3_ROW_CAP:
            return rows


def metadata(client: HttpClient, endpoints: Endpoints, table_id: str, entity: str) -> list[dict]:
    """One OData v3 metadata entity set of a table (TableInfos, DataProperties, a dimension)."""
    return _pages(client, f"{endpoints.cbs_v3}/{table_id}/{entity}", {"$format": "json"})


def _write(directory: Path, name: str, rows: object) -> None:
    (directory / f"{name}.json").write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")


def fetch_table_v3(
    client: HttpClient,
    endpoints: Endpoints,
    table_id: str,
    directory: Path,
    *,
    data_filter: str | None = None,
    dimension_filters: dict[str, str | None] | None = None,
) -> None:
    """Download a table as cbsodata does: TableInfos, DataProperties, TypedDataSet (filtered)
    and one file per dimension (optionally filtered on Key)."""
    base = f"{endpoints.cbs_v3}/{table_id}"
    infos = _pages(client, f"{base}/TableInfos", {"$format": "json"})
    props = _pages(client, f"{base}/DataProperties", {"$format": "json"})
    params = {"$format": "json"}
    if data_filter:
        params["$filter"] = data_filter
    data = _pages(client, f"{endpoints.cbs_v3_feed}/{table_id}/TypedDataSet", params)
    _write(directory, "TableInfos", infos)
    _write(directory, "DataProperties", props)
    _write(directory, "TypedDataSet", data)
    dimension_filters = dimension_filters or {}
    for prop in props:
        if prop.get("Type") in DIMENSION_TYPES:
            key = prop["Key"]
            dim_params = {"$format": "json"}
            if dimension_filters.get(key):
                dim_params["$filter"] = dimension_filters[key]
            _write(directory, key, _capped_pages(client, f"{base}/{key}", dim_params))


def fetch_table_v4(
    client: HttpClient,
    endpoints: Endpoints,
    table_id: str,
    directory: Path,
    *,
    data_filter: str | None = None,
    dimension_filters: dict[str, str | None] | None = None,
) -> None:
    """Download a table from the OData v4 API and write it in the v3/cbsodata layout, so that
    one reader serves both: observations are pivoted to one record per dimension combination,
    measures become Topics keyed by their v3 stem where the title is known."""
    base = f"{endpoints.cbs_v4}/{table_id}"
    properties = client.get_json(f"{base}/Properties", source="CBS")
    if isinstance(properties, dict) and "value" in properties and isinstance(properties["value"], list):
        properties = properties["value"][0] if properties["value"] else {}
    measures = _pages(client, f"{base}/MeasureCodes", None)
    dimensions = _pages(client, f"{base}/Dimensions", None)
    params = {"$filter": data_filter} if data_filter else None
    observations = _pages(client, f"{base}/Observations", params)

    measure_keys = {}
    props: list[dict] = []
    for dim in dimensions:
        kind = dim.get("Kind", "Dimension")
        props.append({
            "Type": "GeoDetail" if kind.startswith("Geo") else
            ("TimeDimension" if kind.startswith("Time") else "Dimension"),
            "Key": dim["Identifier"], "Title": dim.get("Title", dim["Identifier"]),
        })
    for measure in measures:
        title = str(measure.get("Title", "")).strip()
        key = key_for_title(title) or measure["Identifier"]
        measure_keys[measure["Identifier"]] = key
        props.append({"Type": "Topic", "Key": key, "Title": title, "Datatype": "Double",
                      "Unit": measure.get("Unit")})
    dim_keys = [d["Identifier"] for d in dimensions]
    records: dict[tuple, dict] = {}
    for obs in observations:
        combo = tuple(obs.get(k) for k in dim_keys)
        record = records.setdefault(combo, {k: obs.get(k) for k in dim_keys})
        key = measure_keys.get(obs.get("Measure"), obs.get("Measure"))
        record[key] = obs.get("Value") if obs.get("Value") is not None else obs.get("StringValue")
    _write(directory, "TableInfos", [{
        "Identifier": table_id, "Title": properties.get("Title", table_id),
        "Period": properties.get("TemporalCoverage", ""), "Modified": properties.get("Modified"),
    }])
    _write(directory, "DataProperties", props)
    _write(directory, "TypedDataSet", [{"ID": i, **r} for i, r in enumerate(records.values())])
    dimension_filters = dimension_filters or {}
    for key in dim_keys:
        flt = dimension_filters.get(key)
        codes = _pages(client, f"{base}/{key}Codes",
                       {"$filter": flt.replace("(Key,", "(Identifier,")} if flt else None)
        _write(directory, key, [{"Key": c["Identifier"], "Title": c.get("Title", "")} for c in codes])


def fetch_table(
    client: HttpClient,
    endpoints: Endpoints,
    table_id: str,
    directory: Path,
    *,
    data_filter: str | None = None,
    dimension_filters: dict[str, str | None] | None = None,
    v4_data_filter: str | None = None,
) -> dict:
    """Fetch a table into `directory` (replacing what was there only on success): OData v3 first,
    the v4 API when v3 is down or no longer has the table. Returns the fetch metadata written
    next to the files (retrieved_at, api, filter)."""
    directory = Path(directory)
    partial = directory.with_name(directory.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    problems: list[SourceUnavailable] = []
    api = None
    for name, fetcher, flt in (("v3", fetch_table_v3, data_filter),
                               ("v4", fetch_table_v4, v4_data_filter or data_filter)):
        try:
            fetcher(client, endpoints, table_id, partial, data_filter=flt,
                    dimension_filters=dimension_filters)
            api = name
            break
        except SourceUnavailable as exc:
            problems.append(exc)
    if api is None:
        shutil.rmtree(partial, ignore_errors=True)
        if all(isinstance(p, NotFound) for p in problems):
            raise NotFound(f"CBS kent tabel {table_id} niet (OData v3 en v4).")
        # The v3 problem says most (v4 is the fallback); a v3 'not found' defers to v4's.
        first = next(p for p in problems if not isinstance(p, NotFound))
        raise SourceUnavailable(str(first))
    meta = {
        "table_id": table_id, "api": api, "filter": data_filter,
        "retrieved_at": datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="seconds"),
    }
    (partial / META_FILE).write_text(json.dumps(meta), encoding="utf-8")
    # Renamed aside, not removed in place: a run killed while removing the old copy file by file
    # would leave a folder that still has its metadata and looks like a usable copy.
    old = _aside(directory)
    if directory.exists():
        shutil.rmtree(old, ignore_errors=True)
        directory.rename(old)
    partial.rename(directory)
    shutil.rmtree(old, ignore_errors=True)
    return meta


def _aside(directory: Path) -> Path:
    return directory.with_name(directory.name + ".oud")


def cached_meta(directory: Path) -> dict | None:
    """Fetch metadata of a cached table directory, None when nothing usable is cached."""
    directory = Path(directory)
    if not directory.exists() and _aside(directory).is_dir():
        # killed between putting the old copy aside and the new one in place: the old one is whole
        _aside(directory).rename(directory)
    path = directory / META_FILE
    if not path.exists() or not (directory / "DataProperties.json").exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def retrieved_at(meta: dict | None) -> datetime | None:
    """The retrieval time recorded in fetch metadata."""
    return datetime.fromisoformat(meta["retrieved_at"]) if meta and meta.get("retrieved_at") else None


def topic_stems(directory: Path) -> set[str]:
    """Stems of the topics in a cached table (for checking which columns a year has)."""
    props = json.loads((Path(directory) / "DataProperties.json").read_text(encoding="utf-8"))
    return {stem(p["Key"]) for p in props if p.get("Type") == "Topic" and p.get("Key")}
