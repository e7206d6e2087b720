"""Fetch CBS gemeente/wijk/buurt polygons from PDOK's WFS (EPSG:4326, paged) and simplify them."""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from data_sources import store
from data_sources.cbs.fetch import Endpoints
from data_sources.cbs.http import HttpClient, Progress, no_progress

LAYERS = {
    "gemeente": "gemeente_gegeneraliseerd",
    "wijk": "wijk_gegeneraliseerd",
    "buurt": "buurt_gegeneraliseerd",
}
PAGE_SIZE = 1000
# About 10 metres: invisible at wijk scale, and it keeps a national layer small for the browser.
SIMPLIFY_TOLERANCE = 0.0001
DECIMALS = 5


def fetch_layer(
    client: HttpClient,
    endpoints: Endpoints,
    year: int,
    level: str,
    *,
    progress: Progress = no_progress,
    page_size: int = PAGE_SIZE,
) -> dict:
    """All features of one PDOK layer for a year as a simplified GeoJSON FeatureCollection with
    properties statcode and statnaam only."""
    url = endpoints.pdok_wfs.format(year=year)
    features: list[dict] = []
    seen: set[str] = set()
    start = 0
    while True:
        body = client.get_json(url, {
            # outputFormat=json as PDOK documents it; typeNames without namespace prefix.
            "service": "WFS", "version": "2.0.0", "request": "GetFeature",
            "typeNames": LAYERS[level], "outputFormat": "json",
            "srsName": "EPSG:4326", "count": page_size, "startIndex": start,
            # Paging needs a stable order: without a sort the server may return a feature on two
            # pages and skip another (WFS 2.0 / FES 2.0 sortBy).
            "sortBy": "statcode ASC",
        }, source="PDOK")
        page = body.get("features", []) if isinstance(body, dict) else []
        for feature in page:
            props = feature.get("properties") or {}
            code = str(props.get("statcode", "")).strip()
            if not code or code in seen:
                continue
            name = str(props.get("statnaam") or props.get("name") or "").strip()
            if feature.get("geometry") is None:
                # kept without a shape, so that the load names it (shapeless_codes), not dropped
                # unseen; a later page with its shape still counts
                features.append({"type": "Feature",
                                 "properties": {"statcode": code, "statnaam": name},
                                 "geometry": None})
                continue
            seen.add(code)
            features.append({
                "type": "Feature",
                "properties": {"statcode": code, "statnaam": name},
                "geometry": simplify_geometry(feature["geometry"]),
            })
        total = body.get("numberMatched") if isinstance(body, dict) else None
        start += page_size
        fraction = min(start / total, 1.0) if isinstance(total, int) and total else None
        progress(fraction, f"PDOK {level}grenzen {year}: {len(features)} opgehaald")
        if len(page) < page_size:
            break
    return {"type": "FeatureCollection", "features": features}


def fetch_layer_cached(
    client: HttpClient,
    endpoints: Endpoints,
    cache_dir: Path,
    year: int,
    level: str,
    *,
    refresh: bool = False,
    progress: Progress = no_progress,
) -> tuple[dict, datetime, bool]:
    """A PDOK layer from the cache, or fetched and cached. Returns (collection, retrieved_at,
    from_cache). The whole national layer is cached, so the next gemeente needs no network."""
    path = Path(cache_dir) / "pdok" / f"{level}_{year}.geojson"
    if path.exists() and not refresh:
        collection = json.loads(path.read_text(encoding="utf-8"))
        return collection, datetime.fromisoformat(collection["retrieved_at"]), True
    collection = fetch_layer(client, endpoints, year, level, progress=progress)
    now = datetime.now(UTC).replace(tzinfo=None)
    collection["retrieved_at"] = now.isoformat(timespec="seconds")
    path.parent.mkdir(parents=True, exist_ok=True)
    # beside it, named by this process (two fetching at once do not write into one file), then in
    # place; what a killed run left the next fetch removes
    store.remove_leftovers(path.parent, ".partial", stem=path.stem)
    tmp = path.with_name(f"{path.stem}.{os.getpid()}.partial")
    tmp.write_text(json.dumps(collection, separators=(",", ":")), encoding="utf-8")
    tmp.replace(path)
    return collection, now, False


def features_of(collection: dict, gemeenten: Iterable[str] | None) -> list[dict]:
    """Features of the given gemeenten (by the digits in their codes), or all."""
    if not gemeenten:
        return list(collection["features"])
    digits = {g.strip().upper().removeprefix("GM") for g in gemeenten}
    return [f for f in collection["features"] if f["properties"]["statcode"][2:6] in digits]


def shapeless_codes(features: Iterable[dict]) -> list[str]:
    """The codes among PDOK features that have no polygon (geometry null, or not a Polygon or
    MultiPolygon) and no other feature with one: regions the map cannot draw."""
    drawn, shapeless = set(), set()
    for feature in features:
        code = feature["properties"]["statcode"]
        geometry = feature.get("geometry")
        kind = geometry.get("type") if isinstance(geometry, dict) else None
        (drawn if kind in {"Polygon", "MultiPolygon"} else shapeless).add(code)
    return sorted(shapeless - drawn)


def simplify_geometry(geometry: dict) -> dict:
    """Douglas-Peucker per ring and rounding to 5 decimals (about 1 metre); rings that would
    collapse keep their original points."""
    kind = geometry.get("type")
    if kind == "Polygon":
        return {"type": kind, "coordinates": [_ring(r) for r in geometry["coordinates"]]}
    if kind == "MultiPolygon":
        return {"type": kind,
                "coordinates": [[_ring(r) for r in poly] for poly in geometry["coordinates"]]}
    return geometry


def _ring(points: list) -> list:
    simplified = _douglas_peucker([(float(p[0]), float(p[1])) for p in points], SIMPLIFY_TOLERANCE)
    if len(simplified) < 4:
        simplified = [(float(p[0]), float(p[1])) for p in points]
    rounded = [[round(x, DECIMALS), round(y, DECIMALS)] for x, y in simplified]
    if rounded[0] != rounded[-1]:
        rounded.append(rounded[0])
    return rounded


def _douglas_peucker(points: list[tuple[float, float]], tolerance: float) -> list:
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        dx, dy = x2 - x1, y2 - y1
        length = math.hypot(dx, dy)
        worst, worst_index = 0.0, None
        for i in range(first + 1, last):
            px, py = points[i]
            if length == 0:
                distance = math.hypot(px - x1, py - y1)
            else:
                distance = abs(dy * px - dx * py + x2 * y1 - y2 * x1) / length
            if distance > worst:
                worst, worst_index = distance, i
        if worst_index is not None and worst > tolerance:
            keep[worst_index] = True
            stack += [(first, worst_index), (worst_index, last)]
    return [p for p, k in zip(points, keep, strict=True) if k]
