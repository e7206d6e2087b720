"""GeoJSON polygons of gemeenten, wijken and buurten into the geometries table."""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

import duckdb
import pandas as pd

from data_sources import store
from data_sources.cbs.odata import read_json_file, region_level
from data_sources.errors import InputRefused
from data_sources.text import (
    bad_byte_said,
    bad_bytes_of,
    without_controls,
)

# Property names of a region's code: PDOK's statcode, the CBS wijk- en buurtkaart's gemeentecode,
# wijkcode and buurtcode (GeoPackage, 2021 on), and GM_CODE, WK_CODE and BU_CODE of its shapefiles
# (gem_2020_v3.shp, wijk_2020_v3.shp; exported to GeoJSON as they are). A buurt carries its wijk's
# and gemeente's codes too. Compared in lower case.
CODE_PROPERTIES = ("statcode", "buurtcode", "wijkcode", "gemeentecode", "bu_code", "wk_code",
                   "gm_code", "code")
NAME_PROPERTIES = ("statnaam", "name", "wijknaam", "buurtnaam", "gemeentenaam", "bu_naam",
                   "wk_naam", "gm_naam", "naam")
# The wijk- en buurtkaart marks the parts of a gemeente or wijk that are water ('JA'): `water` in
# the GeoPackage and PDOK's services, `h2o` in the shapefiles. They are separate features with the
# region's code (and other figures); like the GeoPackage reader, Kindkaart does not draw them.
WATER_PROPERTIES = ("water", "h2o")
_SPECIFIC = {"buurt": 0, "wijk": 1, "gemeente": 2}
# RD New (EPSG:28992) covers the Netherlands within these metres; WGS84 is accepted around it.
RD_BOUNDS = (-7_000.0, 289_000.0, 300_000.0, 629_000.0)
WGS84_BOUNDS = (2.0, 50.0, 8.0, 54.5)
# RD -> WGS84 after Schreutelkamp and Strang van Hees (about a metre within the Netherlands):
# (p, q, coefficient) for the terms dX^p dY^q, dX and dY in units of 100 km from Amersfoort.
_RD_ORIGIN = (155_000.0, 463_000.0)
_WGS84_ORIGIN = (52.15517440, 5.38720621)
_LATITUDE_TERMS = ((0, 1, 3235.65389), (2, 0, -32.58297), (0, 2, -0.24750), (2, 1, -0.84978),
                   (0, 3, -0.06550), (2, 2, -0.01709), (1, 0, -0.00738), (4, 0, 0.00530),
                   (2, 3, -0.00039), (4, 1, 0.00033), (1, 1, -0.00012))
_LONGITUDE_TERMS = ((1, 0, 5260.52916), (1, 1, 105.94684), (1, 2, 2.45656), (3, 0, -0.81885),
                    (1, 3, 0.05594), (3, 1, -0.05607), (0, 1, 0.01199), (3, 2, -0.00256),
                    (1, 4, 0.00128), (0, 2, 0.00022), (2, 0, -0.00022), (5, 0, 0.00026))


def rd_to_wgs84(x: float, y: float) -> tuple[float, float]:
    """RD New (EPSG:28992) metres to WGS84 (longitude, latitude), accurate to about a metre."""
    dx, dy = (x - _RD_ORIGIN[0]) * 1e-5, (y - _RD_ORIGIN[1]) * 1e-5
    latitude = _WGS84_ORIGIN[0] + sum(k * dx ** p * dy ** q for p, q, k in _LATITUDE_TERMS) / 3600
    longitude = _WGS84_ORIGIN[1] + sum(k * dx ** p * dy ** q for p, q, k in _LONGITUDE_TERMS) / 3600
    return longitude, latitude


def round_coordinates(geometry: dict, decimals: int = 5, convert=None) -> dict:
    """A copy of a valid GeoJSON Polygon or MultiPolygon (polygon_problem) with coordinates
    rounded (5 decimals is about 1 m), after `convert(x, y) -> (x, y)` when given, and every ring
    closed (its first position again at the end, where it was missing)."""

    def position(point) -> list[float]:
        x, y = convert(point[0], point[1]) if convert else (point[0], point[1])
        return [round(float(x), decimals), round(float(y), decimals)]

    def ring(points) -> list[list[float]]:
        rounded = [position(point) for point in points]
        if not _closed(points):
            rounded.append(rounded[0])
        return rounded

    rounded = [[ring(r) for r in polygon] for polygon in _polygons_of(geometry)]
    return {"type": geometry["type"],
            "coordinates": rounded[0] if geometry["type"] == "Polygon" else rounded}


def _polygons_of(geometry: dict) -> list:
    coordinates = geometry["coordinates"]
    return [coordinates] if geometry["type"] == "Polygon" else list(coordinates)


def _closed(ring) -> bool:
    return list(ring[0][:2]) == list(ring[-1][:2])


def _points(geometry: dict):
    for polygon in _polygons_of(geometry):
        for ring in polygon:
            yield from ring


# A coordinate of WGS84 or RD New is far below this; a larger whole number would overflow a float.
LARGEST_COORDINATE = 1e12


def _what(value: object) -> str:
    kinds = {str: "tekst", bool: "waar/onwaar", dict: "een object", list: "een lijst",
             type(None): "leeg (null)"}
    return kinds.get(type(value), type(value).__name__)


def _position_problem(position: object) -> str | None:
    # A loop without recursion or numpy: numpy would take "6.0" and true for numbers.
    if not isinstance(position, (list, tuple)):
        return f"een positie is {_what(position)} in plaats van een lijst van twee getallen"
    if not 2 <= len(position) <= 3:
        return (f"een positie heeft {len(position)} waarde(n) in plaats van twee getallen "
                "(lengte en breedte, of x en y)")
    for value in position:
        kind = type(value)
        if kind is float:
            if not math.isfinite(value):
                return "een coördinaat is geen eindig getal (NaN of oneindig)"
        elif kind is int:
            if abs(value) > LARGEST_COORDINATE:
                return f"een coördinaat ({value}) is te groot"
        else:
            return f"een coördinaat is {_what(value)} in plaats van een getal"
    return None


def polygon_problem(geometry: dict) -> str | None:
    """Why a Polygon or MultiPolygon cannot be stored, in Dutch (None when it can): every polygon
    has at least one ring, every ring at least four positions counting the closing one (a ring
    whose last position is not its first is closed by round_coordinates, as GIS programs do),
    every position two (or three) finite numbers."""
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    if not isinstance(coordinates, (list, tuple)):
        return f"de coördinaten zijn {_what(coordinates)} in plaats van een lijst"
    if kind == "MultiPolygon" and not coordinates:
        return "de MultiPolygon heeft geen vlakken (coordinates is leeg)"
    for polygon in [coordinates] if kind == "Polygon" else coordinates:
        if not isinstance(polygon, (list, tuple)):
            return f"een vlak is {_what(polygon)} in plaats van een lijst van ringen"
        if not polygon:
            return "een vlak heeft geen ring (coordinates is leeg)"
        for ring in polygon:
            if not isinstance(ring, (list, tuple)):
                return f"een ring is {_what(ring)} in plaats van een lijst van posities"
            for position in ring:
                problem = _position_problem(position)
                if problem:
                    return problem
            if len(ring) + (0 if ring and _closed(ring) else 1) < 4:
                return (f"een ring heeft {len(ring)} positie(s); een vlak heeft er minstens "
                        "vier nodig (drie hoeken en de eerste nog eens aan het eind)")
    return None


# The work (sides and pairs of sides looked at) that crossing_codes may do: per ring
# RING_BUDGET and CROSSING_WORK_PER_SIDE for each of its sides, per load CROSSING_BUDGET and as
# much per side. The 3,393 real wijken of 2024 (35,000 sides) take some 110,000 in all, about a
# tenth of a second. A ring whose sides overlap along x by the thousand (a zigzag: the pairs grow
# as the square of its sides) would otherwise hold an import for minutes; it is named as not
# checked, and so are the rings left when the load's budget is spent.
RING_BUDGET = 100_000
CROSSING_BUDGET = 3_000_000
CROSSING_WORK_PER_SIDE = 20


class Crossings(NamedTuple):
    """Codes with a ring that crosses itself, and codes not checked (CROSSING_BUDGET spent)."""

    codes: list[str]
    unchecked: list[str]


def _ring_crosses_itself(ring, budget: list[int]) -> bool | None:
    """Whether two sides of a ring cross (a bow-tie, a side drawn back over the ring): two sides
    that are not neighbours whose insides meet in one point. Sides that only touch at a corner, or
    lie on one line, are not counted (rounding to 5 decimals makes such touches; the map and the
    area are not broken by them). Sort and sweep along x. None when `budget` (a one-element list,
    spent here) runs out before the ring is checked."""
    points = [(float(p[0]), float(p[1])) for p in ring]
    if points[0] != points[-1]:
        points.append(points[0])
    count = len(points) - 1  # sides
    if count < 4:
        return False  # a triangle cannot cross itself
    right = [max(points[i][0], points[i + 1][0]) for i in range(count)]
    sides = sorted(range(count), key=lambda i: min(points[i][0], points[i + 1][0]))
    active: list[int] = []
    for i in sides:
        (ax, ay), (bx, by) = points[i], points[i + 1]
        left = min(ax, bx)
        low, high = min(ay, by), max(ay, by)
        budget[0] -= len(active) + 1
        if budget[0] < 0:
            return None
        active = [j for j in active if right[j] >= left]
        for j in active:
            if abs(i - j) == 1 or abs(i - j) == count - 1:
                continue  # neighbours share a corner
            (cx, cy), (dx, dy) = points[j], points[j + 1]
            if (cy if cy > dy else dy) < low or (cy if cy < dy else dy) > high:
                continue
            first = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax)
            second = (bx - ax) * (dy - ay) - (by - ay) * (dx - ax)
            third = (dx - cx) * (ay - cy) - (dy - cy) * (ax - cx)
            fourth = (dx - cx) * (by - cy) - (dy - cy) * (bx - cx)
            if first * second < 0 and third * fourth < 0:
                return True
        active.append(i)
    return False


def crossing_notes(crossings: Crossings, where: str = "", fix: str | None = None) -> list[str]:
    """The Dutch notes on boundaries that cross themselves and on those not checked
    (crossing_codes); `where`: the source, as ' bij PDOK'; `fix`: what to do, if not to mend them
    in the GIS program."""
    notes = [crossing_note(crossings.codes, where, fix)] if crossings.codes else []
    if crossings.unchecked:
        codes = crossings.unchecked
        more = f" en nog {len(codes) - 10}" if len(codes) > 10 else ""
        notes.append(f"De grens van {', '.join(codes[:10])}{more} is niet gecontroleerd op zijden "
                     "die elkaar kruisen: haar zijden liggen te veel over elkaar om dat snel te "
                     "doen. Ze is opgeslagen zoals ze is; bekijk haar op de kaart.")
    return notes


def crossing_note(codes: list[str], where: str = "", fix: str | None = None) -> str:
    """The Dutch note on boundaries that cross themselves (crossing_codes); `where`: the source,
    as ' bij PDOK'; `fix`: what to do, if not to mend them in the GIS program."""
    more = f" en nog {len(codes) - 10}" if len(codes) > 10 else ""
    one = len(codes) == 1
    return (f"De grens van {', '.join(codes[:10])}{more} snijdt zichzelf{where} (twee zijden van "
            f"een ring kruisen elkaar). {'Ze is' if one else 'Ze zijn'} opgeslagen zoals "
            f"{'ze is' if one else 'ze zijn'} en {'staat' if one else 'staan'} op de kaart, maar "
            "het oppervlak en de plaats van de naam kunnen bij de kruising niet kloppen. "
            + (fix or f"Herstel {'die grens' if one else 'die grenzen'} in het GIS-programma en "
               "lees ze opnieuw in."))


def crossing_codes(features: Iterable[dict], budget: int | None = None) -> Crossings:
    """The codes (statcode) of features with a ring whose sides cross each other: stored as they
    are (the map draws them), but their area and label point are not to be trusted near the
    crossing; the loads name them so the boundary is fixed in the GIS. Codes left when the
    budget (default CROSSING_BUDGET and CROSSING_WORK_PER_SIDE per side) is spent, and of a ring
    that needs more than its own (RING_BUDGET), are returned as unchecked."""
    polygons = [feature for feature in features if isinstance(feature.get("geometry"), dict)
                and feature["geometry"].get("type") in {"Polygon", "MultiPolygon"}]
    if budget is None:
        sides = sum(len(ring) for feature in polygons
                    for polygon in _polygons_of(feature["geometry"]) for ring in polygon)
        budget = CROSSING_BUDGET + CROSSING_WORK_PER_SIDE * sides
    codes, unchecked, left = set(), set(), [budget]
    for feature in polygons:
        geometry = feature["geometry"]
        code = feature["properties"]["statcode"]
        for ring in (ring for polygon in _polygons_of(geometry) for ring in polygon):
            allowed = min(left[0], RING_BUDGET + CROSSING_WORK_PER_SIDE * len(ring))
            spent = [allowed]
            crosses = _ring_crosses_itself(ring, spent)
            left[0] -= allowed - max(spent[0], 0)
            if crosses is None:
                unchecked.add(code)
                break
            if crosses:
                codes.add(code)
                break
    return Crossings(sorted(codes), sorted(unchecked - codes))


def _coordinate_system(collection: dict, polygons: list[dict], prefix: str) -> str:
    """'wgs84' or 'rd', from the file's crs member or, without one, from where its points lie."""
    crs = collection.get("crs")
    members = crs.get("properties") if isinstance(crs, dict) else None
    name = str(members.get("name") or "") if isinstance(members, dict) else ""
    xs, ys = [], []
    for geometry in polygons:
        for point in _points(geometry):
            xs.append(point[0])
            ys.append(point[1])
    if not xs:
        return "wgs84"

    def within(bounds):
        return (bounds[0] <= min(xs) and max(xs) <= bounds[2]
                and bounds[1] <= min(ys) and max(ys) <= bounds[3])

    # ETRS89 (EPSG:4258, as PDOK's and other Dutch WFS services give on request) lies within a
    # metre of WGS84 in the Netherlands: far below the ten metres the map is simplified to
    declared = ("rd" if "28992" in name else "wgs84" if re.search(r"4326|CRS84|4258", name) else
                None if not name else "other")
    if declared == "other":
        raise InputRefused(f"{prefix}de coördinaten zijn in {name}; Kindkaart leest WGS84 "
                           "(EPSG:4326) en RD New (EPSG:28992). Exporteer de kaart als WGS84.")
    if declared in {None, "rd"} and within(RD_BOUNDS):
        return "rd"
    if declared in {None, "wgs84"} and within(WGS84_BOUNDS):
        return "wgs84"
    if within((WGS84_BOUNDS[1], WGS84_BOUNDS[0], WGS84_BOUNDS[3], WGS84_BOUNDS[2])):
        raise InputRefused(f"{prefix}de coördinaten staan als (breedte, lengte); GeoJSON heeft "
                           "(lengte, breedte). Exporteer de kaart opnieuw als WGS84.")
    said = {"rd": "RD New (EPSG:28992)", "wgs84": "WGS84"}.get(declared or "", "WGS84 of RD New")
    raise InputRefused(f"{prefix}de coördinaten (x van {min(xs):g} tot {max(xs):g}, y van "
                       f"{min(ys):g} tot {max(ys):g}) liggen niet in Nederland als {said}. "
                       "Exporteer de kaart als WGS84 (EPSG:4326) of RD New (EPSG:28992).")


# PDOK's CBS-gebiedsindelingen (WFS and OGC API) give each region beside its statcode its code
# with the year in front, jrstatcode ('2024WK036300'; JRSTATCODE in their shapefiles): the year of
# the boundaries, in the file itself.
_JRSTATCODE = re.compile(r"^((?:19|20)\d{2})((?:GM|WK|BU)\d{4}\w*)$")


def jrstatcode_year(props: dict) -> int | None:
    """The year of a region's boundary from its jrstatcode (lower-case property names), or None."""
    match = _JRSTATCODE.match(str(props.get("jrstatcode") or "").strip().upper())
    return int(match.group(1)) if match else None


def region_code_of(props: dict) -> str | None:
    """The code of a region among its properties (lower-case names, CODE_PROPERTIES): the most
    specific one, as a buurt of the wijk- en buurtkaart also carries wijkcode and gemeentecode;
    without one, the code in jrstatcode after its year."""
    codes = [str(props[k]).strip() for k in CODE_PROPERTIES if props.get(k)]
    regional = [c for c in codes if region_level(c)]
    if not regional and jrstatcode_year(props):
        return _JRSTATCODE.match(str(props["jrstatcode"]).strip().upper()).group(2)
    if not regional:
        return codes[0] if codes else None
    return min(regional, key=lambda c: _SPECIFIC[region_level(c)])


def _polygons_in_collection(collection: dict, depth: int = 0) -> dict:
    """The polygons of a GeoJSON GeometryCollection (what a GIS gives after a clip or an
    intersection: the area with a stray line or point along its edge) as one MultiPolygon; the
    lines and points are left out. Without a polygon: an empty dict (a region without a shape)."""
    members = collection.get("geometries")
    polygons = []
    for member in members if isinstance(members, list) and depth < 8 else []:
        if not isinstance(member, dict):
            continue
        if member.get("type") == "GeometryCollection":
            member = _polygons_in_collection(member, depth + 1)
        if member.get("type") == "Polygon":
            polygons.append(member.get("coordinates"))
        elif member.get("type") == "MultiPolygon" and isinstance(member.get("coordinates"), list):
            polygons.extend(member["coordinates"])
    if not polygons:
        return {}
    return {"type": "MultiPolygon", "coordinates": polygons}


def features_frame(collection: dict, decimals: int = 5, file_name: str | None = None,
                   bad_bytes: re.Pattern | None = None, per_gemeente: bool = False) -> pd.DataFrame:
    """region_code, region_level, region_name, geometry_json for every polygon feature, in WGS84
    (a file in RD New is converted). Parts of one region (features with the same code and the
    same properties) become one MultiPolygon; the same code with different properties is refused,
    and so is the whole file when a feature is not an object or a polygon cannot be drawn
    (polygon_problem), naming the feature's code. Rings left open are closed; which regions had
    one is in frame.attrs["closed"]. Parts marked as water (WATER_PROPERTIES 'JA') are left out;
    their codes are in frame.attrs["water"]; regions with no polygon at all (geometry null or a
    point) in frame.attrs["shapeless"]. A property read (code, name, water, jrstatcode) holding
    `bad_bytes` (the bytes its file's encoding does not read: text.bad_bytes_of) is not refused
    here but named in frame.attrs["bad_bytes"], (code, refusal) per feature, for the caller to
    refuse where the feature is of a gemeente it stores (bad_bytes_refusals): in another
    gemeente's feature of a national file such a byte is no matter. With `per_gemeente` (a file
    read for some gemeenten, possibly the national one) the same holds for a region whose polygon
    cannot be drawn, whose coordinates do not lie where the rest of the file's lie (_misplaced),
    or whose code has two different sets of properties: left out of the frame and
    named in frame.attrs["undrawable"] and ["clashes"], (code, refusal), for the caller to refuse
    in the gemeenten it stores (refuse_damaged_regions)."""
    prefix = f"Bestand {file_name}: " if file_name else ""
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        raise InputRefused(f"{prefix}dit is geen GeoJSON FeatureCollection.")
    features = collection.get("features") or []
    if not isinstance(features, list):
        raise InputRefused(f"{prefix}'features' is {_what(features)} in plaats van een lijst "
                           "van gebieden. Er is niets opgeslagen.")
    regions: dict[str, dict] = {}
    years: set[int] = set()
    water: set[str | None] = set()
    shapeless: set[str] = set()
    others: set[str] = set()  # codes of regions that are no gemeente, wijk or buurt (PV20, AM01)
    clashes: list[str] = []
    problems: list[str] = []
    undrawable: list[tuple[str, str]] = []  # per_gemeente: refused where their gemeente is stored
    bad: list[tuple[str | None, str]] = []
    for number, feature in enumerate(features, start=1):
        if len(problems) >= 10:
            break
        where = f"{prefix}feature {number}"
        if feature is None:
            continue
        if not isinstance(feature, dict):
            problems.append(f"{where} is {_what(feature)} in plaats van een GeoJSON-Feature.")
            continue
        original = feature.get("properties") or {}
        if not isinstance(original, dict):
            problems.append(f"{where}: 'properties' is {_what(original)} in plaats van een "
                            "object (met statcode en statnaam).")
            continue
        props = {str(k).lower(): v for k, v in original.items()}
        code = region_code_of(props)
        if bad_bytes is not None:
            bad += _bad_byte_refusals(props, original, code, bad_bytes, where)
        if jrstatcode_year(props):
            years.add(jrstatcode_year(props))
        if any(str(props.get(k) or "").strip().upper() == "JA" for k in WATER_PROPERTIES):
            water.add(code)
            continue
        geometry = feature.get("geometry") or {}
        level = region_level(code) if code else None
        if not isinstance(geometry, dict):
            problem = (f"{where}{f' ({code})' if code else ''}: 'geometry' is "
                       f"{_what(geometry)} in plaats van een GeoJSON-geometrie.")
            if per_gemeente and level is not None:
                undrawable.append((code, problem))
            else:
                problems.append(problem)
            continue
        if level is None:
            if code:
                others.add(code)
            continue
        if geometry.get("type") == "GeometryCollection":
            geometry = _polygons_in_collection(geometry)
        if geometry.get("type") not in {"Polygon", "MultiPolygon"}:
            shapeless.add(code)  # 'geometry': null (an empty shape in a GIS), or a point
            continue
        problem = polygon_problem(geometry)
        if problem:
            problem = f"{prefix}de grens van {code} (feature {number}): {problem}."
            if per_gemeente:
                undrawable.append((code, problem))
            else:
                problems.append(problem)
            continue
        parts = _polygons_of(geometry)
        if code in regions:
            if regions[code]["props"] != original:
                clashes.append(code)
            regions[code]["parts"] += parts
            regions[code]["numbers"].append(number)
            continue
        name = next((without_controls(str(props[k])).strip() for k in NAME_PROPERTIES if props.get(k)), None)
        regions[code] = {"level": level, "name": name, "props": original, "parts": parts,
                         "numbers": [number]}
    if problems:
        raise InputRefused([*problems[:10], _REDRAW])
    clashing: list[tuple[str, str]] = []
    if per_gemeente:
        for code in sorted(set(clashes)):
            clashing.append((code, f"{prefix}de code {code} staat meer dan eens in het bestand "
                                   f"(feature {_numbers_said(regions[code]['numbers'])}), met "
                                   "andere eigenschappen (twee gebieden met dezelfde code?)."))
        for code, _refusal in (*undrawable, *clashing):
            regions.pop(code, None)
        clashes = []
    if clashes:
        shown = ", ".join(sorted(set(clashes))[:5])
        raise InputRefused(f"{prefix}de code(s) {shown} staan meer dan eens in het bestand, met "
                           "andere eigenschappen (twee gebieden met dezelfde code?). Er is niets "
                           "opgeslagen; laat elke code één keer voorkomen.")
    geometries = {code: ({"type": "Polygon", "coordinates": r["parts"][0]} if len(r["parts"]) == 1
                         else {"type": "MultiPolygon", "coordinates": r["parts"]})
                  for code, r in regions.items()}
    try:
        system = _coordinate_system(collection, list(geometries.values()), prefix)
    except InputRefused:
        misplaced = _misplaced(collection, geometries, regions, prefix) if per_gemeente else []
        if not misplaced:
            raise
        undrawable += misplaced
        for code, _refusal in misplaced:
            del regions[code], geometries[code]
        system = _coordinate_system(collection, list(geometries.values()), prefix)
    convert = rd_to_wgs84 if system == "rd" else None
    rows = [(code, r["level"], r["name"],
             json.dumps(round_coordinates(geometries[code], decimals, convert), separators=(",", ":")))
            for code, r in regions.items()]
    frame = pd.DataFrame(rows, columns=["region_code", "region_level", "region_name", "geometry_json"])
    # water parts left out: the codes of regions drawn without them, and of regions only water
    frame.attrs["water"] = sorted(code for code in water if code)
    frame.attrs["years"] = sorted(years)  # the years its jrstatcodes give
    frame.attrs["bad_bytes"] = bad
    frame.attrs["undrawable"] = undrawable
    frame.attrs["clashes"] = clashing
    frame.attrs["shapeless"] = sorted(shapeless - set(regions) - water)
    frame.attrs["other_codes"] = sorted(others)
    frame.attrs["closed"] = sorted(code for code, geometry in geometries.items()
                                   if not all(_closed(ring) for polygon in _polygons_of(geometry)
                                              for ring in polygon))
    return frame


def _numbers_said(numbers: list[int]) -> str:
    if len(numbers) == 1:
        return str(numbers[0])
    if len(numbers) <= 5:
        return ", ".join(map(str, numbers[:-1])) + f" en {numbers[-1]}"
    return ", ".join(map(str, numbers[:5])) + f" en nog {len(numbers) - 5}"


def _misplaced(collection: dict, geometries: dict[str, dict], regions: dict[str, dict],
               prefix: str) -> list[tuple[str, str]]:
    """(code, refusal) of the regions whose coordinates do not lie where most of the file's lie
    (WGS84 or RD New in the Netherlands): one wijk with latitude and longitude swapped, or left in
    another system, in the national file. [] when no region lies in the Netherlands, or the file
    declares a system Kindkaart does not read: the file's own refusal stands."""
    systems = {}
    for code, geometry in geometries.items():
        try:
            systems[code] = _coordinate_system(collection, [geometry], prefix)
        except InputRefused:
            systems[code] = None
    counts = Counter(system for system in systems.values() if system)
    if not counts:
        return []
    system = counts.most_common(1)[0][0]
    said = {"rd": "RD New (EPSG:28992)", "wgs84": "WGS84"}[system]
    misplaced = []
    for code, its_system in systems.items():
        if its_system == system:
            continue
        xs, ys = zip(*((point[0], point[1]) for point in _points(geometries[code])), strict=True)
        misplaced.append((code, f"{prefix}de grens van {code} (feature "
                                f"{_numbers_said(regions[code]['numbers'])}): de coördinaten (x van "
                                f"{min(xs):g} tot {max(xs):g}, y van {min(ys):g} tot {max(ys):g}) "
                                f"liggen niet in Nederland als {said}, zoals de rest van het bestand."))
    return misplaced


# The properties features_frame reads: a byte its file's encoding does not read in one of them
# is refused (in the gemeenten stored); in any other property (PDOK's FID, a GIS's own columns)
# it is no matter.
_READ_PROPERTIES = (*CODE_PROPERTIES, *NAME_PROPERTIES, *WATER_PROPERTIES, "jrstatcode")


def _bad_byte_refusals(props: dict, original: dict, code: str | None, bad_bytes: re.Pattern,
                       where: str) -> list[tuple[str | None, str]]:
    """(code, refusal) for each property read of one feature of a region holding `bad_bytes`; the
    code None when the code itself holds one (whose region it is cannot be told)."""
    names = {str(k).lower(): k for k in original}
    found = [(names[key], props[key]) for key in _READ_PROPERTIES
             if isinstance(props.get(key), str) and bad_bytes.search(props[key])]
    if not found or code is None:
        return []  # a feature without a code is not read
    whose = None if bad_bytes.search(code) else code
    if whose is not None and region_level(code) is None:
        return []  # no region of a gemeente (NL00, a province): not read
    shown_code = f" ({code})" if whose else ""
    return [(whose, f"{where}{shown_code}, eigenschap {key}: {bad_byte_said(value)}.")
            for key, value in found]


def bad_bytes_refusals(frame: pd.DataFrame, gemeenten: Iterable[str] | None) -> list[str]:
    """The refusals of frame.attrs["bad_bytes"] (features_frame) of the features of `gemeenten`
    (all when None), and of every feature whose code itself holds such a byte: a byte pasted
    from another copy, or damaged, in a feature of a gemeente not stored is passed over."""
    wanted = {g.strip().upper() for g in gemeenten} if gemeenten else None
    return [message for code, message in frame.attrs.get("bad_bytes", [])
            if wanted is None or code is None or f"GM{code[2:6]}" in wanted]


_REDRAW = ("Er is niets opgeslagen; herstel de grenzen in het GIS-programma en exporteer ze "
           "opnieuw als GeoJSON.")
_ONE_CODE = "Er is niets opgeslagen; laat elke code één keer voorkomen."


def refuse_damaged_regions(frame: pd.DataFrame, gemeenten: Iterable[str] | None) -> None:
    """Refuse the regions of `gemeenten` (all when None) that features_frame(per_gemeente=True)
    left out: a polygon that cannot be drawn, a code with two different sets of properties. The
    same fault in a region of a gemeente not stored (another gemeente's wijk in the national file)
    is passed over: it refused the whole file for every gemeente."""
    wanted = {g.strip().upper() for g in gemeenten} if gemeenten else None

    def stored(code: str) -> bool:
        return wanted is None or f"GM{code[2:6]}" in wanted

    undrawable = [refusal for code, refusal in frame.attrs.get("undrawable", []) if stored(code)]
    clashes = [refusal for code, refusal in frame.attrs.get("clashes", []) if stored(code)]
    refusals = [*undrawable, *clashes]
    if not refusals:
        return
    more = [f"En nog {len(refusals) - 10} zulke gebieden."] if len(refusals) > 10 else []
    closing = (_ONE_CODE if not undrawable else _REDRAW if not clashes else
               "Er is niets opgeslagen; herstel de grenzen in het GIS-programma, laat elke code "
               "één keer voorkomen en exporteer ze opnieuw als GeoJSON.")
    raise InputRefused([*refusals[:10], *more, closing])


def read_geojson(path: str | Path, decimals: int = 5, per_gemeente: bool = False) -> pd.DataFrame:
    """Read a GeoJSON file of CBS regions (statcode/statnaam or PDOK property names);
    `per_gemeente`: as features_frame, for the caller to refuse_damaged_regions."""
    # decoded as every CSV and JSON reader does: a GIS program on Windows may write Windows-1252,
    # with or without a UTF-8 BOM before it; read as UTF-8 only, it was refused as 'geen UTF-8 en
    # geen Windows-1252'. A byte neither reads (a feature pasted from a Windows-1252 copy into
    # UTF-8, a damaged byte) is kept for features_frame to name by feature: decoded whole, it
    # refused a national file for a byte in another gemeente's feature
    collection, encoding = read_json_file(
        Path(path), "geen leesbare GeoJSON",
        too_large=("een GeoJSON-bestand", "Sla alleen de gemeenten op die u nodig hebt, of lees de "
                   "wijk- en buurtkaart als GeoPackage in."))
    _refuse_one_page(collection, Path(path).name)
    return features_frame(collection, decimals, Path(path).name, bad_bytes_of(encoding), per_gemeente)


def _refuse_one_page(collection: object, name: str) -> None:
    """A page of a larger answer is refused: saved from PDOK's OGC API (api.pdok.nl/cbs/
    wijken-en-buurten-<jaar>/ogc/v1, 10 items a page unless asked for more, a link rel 'next' to
    the rest) or a WFS that stops at its maximum (numberReturned below numberMatched, as the OGC
    API Features and WFS 2.0 standards name them; GeoServer's totalFeatures above the features).
    Stored, it would leave the other regions of a gemeente without a boundary, without a word."""
    if not isinstance(collection, dict):
        return
    matched, returned = collection.get("numberMatched"), collection.get("numberReturned")
    if not isinstance(matched, int) and isinstance(collection.get("features"), list):
        # GeoServer's own count of a WFS answer (an int, or 'unknown')
        matched, returned = collection.get("totalFeatures"), len(collection["features"])
    links = collection.get("links") if isinstance(collection.get("links"), list) else []
    following = any(isinstance(link, dict) and str(link.get("rel") or "").lower() == "next"
                    for link in links)
    counted = (isinstance(matched, int) and isinstance(returned, int)
               and not isinstance(matched, bool) and returned < matched)
    if not (following or counted):
        return
    shown = (f": {returned} van de {matched} gebieden" if counted
             else " (er staat een link 'next' in naar de volgende gebieden)")
    raise InputRefused(
        f"Bestand {name}: dit is één pagina van een groter antwoord{shown}. Met alleen deze "
        "pagina zouden de andere wijken zonder grens blijven. Er is niets opgeslagen; download "
        "alle gebieden (bij PDOK met een hogere limit of filter op uw gemeente), of lees de wijk- "
        "en buurtkaart als GeoPackage in.")


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
