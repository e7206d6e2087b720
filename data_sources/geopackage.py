"""The CBS wijk- en buurtkaart as GeoPackage (wijkenbuurten_<jaar>_v1.gpkg) into GeoJSON features.

CBS and PDOK publish the boundaries of every gemeente, wijk and buurt of a year as one GeoPackage:
an SQLite file with the layers `gemeenten`, `wijken` and `buurten`, each region's code and name
(gemeentecode, wijkcode, wijknaam, ...), a column `water` ('JA' for a part that is water) and its
polygons in RD New (EPSG:28992) at full detail. Kindkaart draws gemeenten and wijken: those two
layers are read, without their water parts, with each polygon snapped to a grid of SNAP_METRES
(so the map stays small; neighbouring wijken snap their shared border to the same points) and
handed to data_sources.geo as a FeatureCollection, which checks and converts it like any GeoJSON.
PDOK's CBS-gebiedsindelingen GeoPackage (layers gemeente_gegeneraliseerd and wijk_gegeneraliseerd,
statcode and statnaam) is read the same way, and so is a GeoPackage a GIS wrote from either
(QGIS names the layer after the file): by its columns of region codes, as a GeoJSON is read.
"""

from __future__ import annotations

import sqlite3
import struct
import time
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from data_sources import archives, geo
from data_sources.errors import InputRefused, info
from data_sources.geo import LARGEST_COORDINATE
from data_sources.workbooks import DAMAGED_ZIP

SQLITE_MAGIC = b"SQLite format 3\x00"
LAYERS = ("gemeenten", "wijken")
# The code column of each layer (the layer's own level); other layers are not read.
CODE_COLUMN = {"gemeenten": "gemeentecode", "wijken": "wijkcode"}
NAME_COLUMN = {"gemeenten": "gemeentenaam", "wijken": "wijknaam"}
# PDOK's other GeoPackage of CBS boundaries, the CBS-gebiedsindelingen (cbsgebiedsindelingen<jaar>
# .gpkg, from the same atom feed as its WFS gebiedsindelingen:gemeente_gegeneraliseerd): one layer
# per kind of region, each region's code in statcode and its name in statnaam, no water parts.
# Read when the file has no layer of the wijk- en buurtkaart for that level.
GEBIEDSINDELINGEN_LAYERS = {"gemeente_gegeneraliseerd": "gemeenten", "wijk_gegeneraliseerd": "wijken"}
CODE_COLUMN |= dict.fromkeys(GEBIEDSINDELINGEN_LAYERS, "statcode")
NAME_COLUMN |= dict.fromkeys(GEBIEDSINDELINGEN_LAYERS, "statnaam")
# Corners of a polygon closer than this to each other become one: a wijk on a map of a gemeente
# needs no detail of a metre, and the national file is 10-20 times smaller for it.
SNAP_METRES = 10.0
SNAP_DEGREES = 0.0001  # the same for a GeoPackage in WGS84 (about 7-11 m)
# A national GeoPackage of CBS is some 500 MB to 1 GB; a file far above that is not one.
MAX_BYTES = 3 * 1024 ** 3
# Nederland has some 3,400 wijken and 342 gemeenten (with their water parts some 4,500 features):
# a file with far more in these layers is not the wijk- en buurtkaart, and is not read on.
MAX_FEATURES = 50_000
# The national wijk- en buurtkaart is read in well under a minute; a file whose queries run far
# longer (a view or table definition built to recurse for ever) is stopped and refused.
MAX_SECONDS = 600
# WKB geometry types (ISO; the Z, M and ZM variants add 1000, 2000 and 3000)
_POLYGON, _MULTIPOLYGON = 3, 6


def is_geopackage(path: Path) -> bool:
    """Whether `path` is an SQLite file (a .gpkg by its content, whatever its name)."""
    if not path.is_file():
        return False
    try:
        with path.open("rb") as handle:
            return handle.read(16) == SQLITE_MAGIC
    except OSError:
        return False


def zipped_geopackage(path: Path) -> str | None:
    """The name of the GeoPackage in a zip (CBS's WijkBuurtkaart_<jaar>_v1.zip), or None."""
    if path.suffix.lower() != ".zip" or not path.is_file():
        return None
    try:
        with zipfile.ZipFile(path) as archive:
            return next((info.filename for info in archive.infolist()
                         if not info.is_dir() and info.filename.lower().endswith(".gpkg")), None)
    except DAMAGED_ZIP:
        return None


def refuse_shapefile(path: Path) -> None:
    """Refuse a shapefile (or a zip with one: older wijk- en buurtkaarten of CBS) with what to do."""
    names = [path.name]
    if path.suffix.lower() == ".zip" and path.is_file():
        try:
            with zipfile.ZipFile(path) as archive:
                names = archive.namelist()
        except DAMAGED_ZIP:
            return
    if any(name.lower().endswith(".shp") for name in names):
        raise InputRefused(f"Bestand {path.name}: dit is een kaart als shapefile (.shp). Kindkaart leest "
                           "de wijk- en buurtkaart als GeoPackage (wijkenbuurten_<jaar>_v1.gpkg) of "
                           "GeoJSON: open de shapefile in QGIS en exporteer de wijken als GeoJSON. Er is "
                           "niets opgeslagen.")


@contextmanager
def unzipped(path: Path, member: str) -> Iterator[Path]:
    """The GeoPackage `member` of the zip at `path`, unpacked into a temporary folder (no more
    than MAX_BYTES, counted while unpacking: a zip may say less than it holds)."""
    with archives.unpacked(path, lambda info: info.filename == member, noun="wijk- en buurtkaart",
                           max_bytes=MAX_BYTES) as folder:
        yield folder / Path(member).name


def read_geopackage(path: Path, gemeenten: Iterable[str] | None = None) -> tuple[dict, list[str]]:
    """A GeoJSON FeatureCollection (with its crs) of the gemeenten and wijken in the GeoPackage,
    only of `gemeenten` when given, and Dutch notes on what was left out. Refuses (InputRefused)
    a file that is not a readable GeoPackage with those layers, or a geometry that cannot be read."""
    name = path.name
    if path.stat().st_size > MAX_BYTES:
        raise InputRefused(f"Bestand {name}: groter dan {MAX_BYTES // 1024 ** 3} GB; dat is geen "
                           "wijk- en buurtkaart van CBS. Er is niets opgeslagen.")
    try:
        # read-only and immutable: nothing is written, no journal is looked for beside it
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error as error:
        raise InputRefused(f"Bestand {name}: geen leesbare GeoPackage ({_sqlite_reason(error)}). "
                           "Er is niets opgeslagen.") from None
    deadline = time.monotonic() + MAX_SECONDS
    # SQLite calls this every few thousand steps of a query; a true answer stops the query
    con.set_progress_handler(lambda: time.monotonic() > deadline, 10_000)
    try:
        con.execute("pragma trusted_schema = off")  # no functions with side effects from the file
        return _read(con, name, {g.strip().upper() for g in gemeenten or ()})
    except sqlite3.OperationalError as error:
        if time.monotonic() > deadline:
            raise InputRefused(f"Bestand {name}: het lezen duurde langer dan {MAX_SECONDS // 60} "
                               "minuten en is gestopt; zo lang duurt de wijk- en buurtkaart van CBS "
                               "niet. Download haar opnieuw bij CBS of PDOK. Er is niets "
                               "opgeslagen.") from None
        raise InputRefused(f"Bestand {name}: de GeoPackage is beschadigd of onvolledig "
                           f"({_sqlite_reason(error)}). "
                           "Download de wijk- en buurtkaart opnieuw bij CBS of PDOK. Er is niets "
                           "opgeslagen.") from None
    except (sqlite3.DatabaseError, UnicodeDecodeError) as error:
        # a damaged page may hold a name that is no UTF-8: Python's sqlite3 cannot decode it
        raise InputRefused(f"Bestand {name}: de GeoPackage is beschadigd of onvolledig "
                           f"({_sqlite_reason(error)}). "
                           "Download de wijk- en buurtkaart opnieuw bij CBS of PDOK. Er is niets "
                           "opgeslagen.") from None
    finally:
        con.close()


def _read(con: sqlite3.Connection, name: str, wanted: set[str]) -> tuple[dict, list[str]]:
    tables = {row[0].lower(): row[0] for row in con.execute(
        "select name from sqlite_master where type = 'table'")}
    if "gpkg_contents" not in tables or "gpkg_geometry_columns" not in tables:
        raise InputRefused(f"Bestand {name}: een SQLite-bestand zonder de tabellen van een GeoPackage "
                           "(gpkg_contents). Kindkaart leest de wijk- en buurtkaart van CBS als "
                           "GeoPackage (wijkenbuurten_<jaar>_v1.gpkg) of GeoJSON. Er is niets opgeslagen.")
    layers = {layer: (tables[layer], column, srs) for layer, column, srs in _feature_layers(con)
              if (layer in LAYERS or layer in GEBIEDSINDELINGEN_LAYERS) and layer in tables}
    for layer, level in GEBIEDSINDELINGEN_LAYERS.items():
        if level in layers:
            layers.pop(layer, None)
    if not layers:
        layers = _exported_layers(con, tables)
    if not layers:
        raise InputRefused(f"Bestand {name}: deze GeoPackage heeft geen laag 'gemeenten' of 'wijken' "
                           "(zoals de wijk- en buurtkaart van CBS), geen laag "
                           "'gemeente_gegeneraliseerd' of 'wijk_gegeneraliseerd' (zoals de "
                           "CBS-gebiedsindelingen van PDOK), en ook geen laag met een kolom "
                           "gemeentecode, wijkcode of statcode (zoals een export uit QGIS). Er is "
                           "niets opgeslagen.")
    systems = {_system(con, srs) for _, _, srs in layers.values()}
    if len(systems) != 1:
        raise InputRefused(f"Bestand {name}: de lagen hebben verschillende coördinatenstelsels.")
    system = systems.pop()
    if system == "EPSG:4258":
        system = "EPSG:4326"  # ETRS89 (as PDOK offers it) lies within a metre of WGS84 here
    if system not in {"EPSG:28992", "EPSG:4326"}:
        raise InputRefused(f"Bestand {name}: de coördinaten zijn in {system}; Kindkaart leest RD New "
                           "(EPSG:28992), zoals CBS de kaart publiceert, WGS84 (EPSG:4326) en ETRS89 "
                           "(EPSG:4258).")
    grid = SNAP_METRES if system == "EPSG:28992" else SNAP_DEGREES
    features: list[dict] = []
    water = 0
    for layer, (table, geometry_column, _) in layers.items():
        columns = {row[1].lower(): row[1] for row in con.execute(f'pragma table_info("{_quoted(table)}")')}
        # a layer of CBS or PDOK by its own columns; one exported from a GIS by any of the
        # columns a GeoJSON's regions are known by (geo.CODE_PROPERTIES, NAME_PROPERTIES)
        known = layer in CODE_COLUMN
        code_columns = [columns[c] for c in ((CODE_COLUMN[layer],) if known else geo.CODE_PROPERTIES)
                        if c in columns]
        name_columns = [columns[c] for c in ((NAME_COLUMN[layer],) if known else geo.NAME_PROPERTIES)
                        if c in columns]
        if geometry_column.lower() not in columns:
            raise InputRefused(f"Bestand {name}: de laag '{layer}' mist haar geometriekolom "
                               f"'{geometry_column}'. Er is niets opgeslagen.")
        if not code_columns:
            raise InputRefused(f"Bestand {name}: de laag '{layer}' heeft geen kolom "
                               f"'{CODE_COLUMN[layer]}'. Er is niets opgeslagen.")
        water_column = columns.get("water")
        selected = [*code_columns, *name_columns, water_column or code_columns[0],
                    columns[geometry_column.lower()]]
        sql = "select " + ", ".join(f'"{_quoted(c)}"' for c in selected) + f' from "{_quoted(table)}"'
        for number, row in enumerate(con.execute(sql), start=1):
            codes = dict(zip([c.lower() for c in code_columns], row, strict=False))
            names = [value for value in row[len(code_columns):-2] if str(value or "").strip()]
            region_name, is_water, blob = (names[0] if names else None), row[-2], row[-1]
            code = codes.get(CODE_COLUMN[layer]) if known else geo.region_code_of(codes)
            if number > MAX_FEATURES:
                raise InputRefused(f"Bestand {name}: de laag '{layer}' heeft meer dan "
                                   f"{MAX_FEATURES:,} gebieden".replace(",", ".") + "; de wijk- en "
                                   "buurtkaart van heel Nederland heeft er een paar duizend. Er is "
                                   "niets opgeslagen.")
            code = str(code or "").strip().upper()
            if wanted and "GM" + code[2:6] not in wanted:
                continue
            if water_column and str(is_water or "").strip().upper() == "JA":
                water += 1
                continue
            if blob is None:
                # an empty shape: named in a note (features_frame's 'shapeless'), not dropped unseen
                features.append({"type": "Feature",
                                 "properties": {CODE_COLUMN.get(layer, "statcode"): code},
                                 "geometry": None})
                continue
            if not isinstance(blob, bytes):
                # SQLite keeps any type in any column: a text or number where the shape should be
                raise InputRefused(f"Bestand {name}: de grens van {code} in de laag '{layer}' is niet "
                                   f"te lezen (de kolom '{geometry_column}' bevat daar "
                                   f"{'een tekst' if isinstance(blob, str) else 'een getal'} in plaats "
                                   "van een geometrie). Download de kaart opnieuw. Er is niets "
                                   "opgeslagen.")
            try:
                geometry = _snapped(_geometry(blob), grid)
            except (struct.error, IndexError, ValueError) as error:
                # struct's own words are English: a geometry shorter than its parts say it is
                reason = ("de geometrie houdt eerder op dan haar opbouw zegt"
                          if isinstance(error, (struct.error, IndexError)) else error)
                raise InputRefused(f"Bestand {name}: de grens van {code} in de laag '{layer}' is niet "
                                   f"te lezen ({reason}). Download de kaart opnieuw. Er is niets "
                                   "opgeslagen.") from None
            if geometry is None:
                continue
            properties = {CODE_COLUMN.get(layer, "statcode"): code}
            if name_columns:
                properties[NAME_COLUMN.get(layer, "statnaam")] = str(region_name or "").strip() or None
            features.append({"type": "Feature", "properties": properties, "geometry": geometry})
    notes = [info(f"{water} wijk(en) of gemeente(n) van alleen water zijn niet op de kaart gezet.")] if water else []
    return {"type": "FeatureCollection", "features": features,
            "crs": {"type": "name", "properties": {"name": system}}}, notes


def _exported_layers(con: sqlite3.Connection, tables: dict[str, str]) -> dict[str, tuple]:
    """The feature layers with a column of region codes (geo.CODE_PROPERTIES), for a GeoPackage
    that a GIS wrote: QGIS names the layer after the file ('wijken_sudwest_fryslan'), whatever the
    layer of the wijk- en buurtkaart it came from."""
    layers = {}
    for layer, column, srs in _feature_layers(con):
        if layer not in tables:
            continue
        columns = {row[1].lower() for row in con.execute(
            f'pragma table_info("{_quoted(tables[layer])}")')}
        if columns & set(geo.CODE_PROPERTIES):
            layers[layer] = (tables[layer], column, srs)
    return layers


def _feature_layers(con: sqlite3.Connection) -> Iterator[tuple[str, str, object]]:
    """Each feature layer of the GeoPackage: its name in lower case, its geometry column and its
    coordinate system (srs_id)."""
    for table, column, srs in con.execute(
            "select c.table_name, g.column_name, c.srs_id from gpkg_contents c"
            " join gpkg_geometry_columns g on g.table_name = c.table_name"
            " where c.data_type = 'features'"):
        yield str(table).lower(), str(column), srs


def _sqlite_reason(error: Exception) -> str:
    """Why SQLite could not read the file, in Dutch (SQLite says it in English)."""
    text = str(error).lower()
    if isinstance(error, UnicodeDecodeError) or "decode to utf-8" in text:
        return "een tekst erin is geen UTF-8"
    if "malformed" in text or "corrupt" in text:
        return "de opbouw van de database in het bestand klopt niet"
    if "not a database" in text:
        return "het is geen SQLite-database"
    if "no such" in text:
        return "een tabel of kolom die het bestand zelf noemt, ontbreekt"
    return "SQLite kan het niet lezen"


def _quoted(identifier: str) -> str:
    return identifier.replace('"', '""')


def _system(con: sqlite3.Connection, srs_id) -> str:
    row = con.execute("select organization, organization_coordsys_id from gpkg_spatial_ref_sys"
                      " where srs_id = ?", [srs_id]).fetchone()
    if row is None:
        return f"srs_id {srs_id}"
    return f"{str(row[0]).upper()}:{row[1]}"


def _geometry(blob: bytes) -> dict:
    """GeoJSON Polygon or MultiPolygon from a GeoPackage geometry blob: the 'GP' header with its
    envelope, then standard (ISO) WKB."""
    if blob[:2] != b"GP":
        raise ValueError("geen GeoPackage-geometrie")
    flags = blob[3]
    envelope = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}.get((flags >> 1) & 0x07)
    if envelope is None:
        raise ValueError("onbekende envelop")
    if flags & 0x10:  # empty geometry
        return {"type": "MultiPolygon", "coordinates": []}
    polygons, _ = _wkb(memoryview(blob), 8 + envelope)
    if len(polygons) == 1:
        return {"type": "Polygon", "coordinates": polygons[0]}
    return {"type": "MultiPolygon", "coordinates": polygons}


def _wkb(data: memoryview, offset: int, part: bool = False) -> tuple[list, int]:
    """The polygons of the (Multi)Polygon at `offset`, and the offset after it (`part`: inside a
    MultiPolygon, where only polygons may follow)."""
    order = "<" if data[offset] == 1 else ">"
    (kind,) = struct.unpack_from(order + "I", data, offset + 1)
    offset += 5
    base, dimensions = kind % 1000, 2 + (kind // 1000 in (1, 2)) + 2 * (kind // 1000 == 3)
    if base == _MULTIPOLYGON and not part:
        (count,) = struct.unpack_from(order + "I", data, offset)
        offset += 4
        if count > len(data):
            raise ValueError("meer delen dan het bestand kan bevatten")
        polygons = []
        for _ in range(count):
            parts, offset = _wkb(data, offset, part=True)
            polygons += parts
        return polygons, offset
    if base != _POLYGON:
        raise ValueError(f"geometrietype {kind} in plaats van een vlak")
    (rings,) = struct.unpack_from(order + "I", data, offset)
    offset += 4
    polygon = []
    for _ in range(rings):
        (points,) = struct.unpack_from(order + "I", data, offset)
        offset += 4
        size = points * dimensions * 8
        if offset + size > len(data):
            raise ValueError("een ring gaat voorbij het einde van de geometrie")
        values = struct.unpack_from(f"{order}{points * dimensions}d", data, offset)
        offset += size
        if not all(-LARGEST_COORDINATE <= value <= LARGEST_COORDINATE for value in values):
            # damaged bytes read as a double: NaN, infinite or 1e300 (its square overflows)
            raise ValueError("een coördinaat is geen eindig getal of veel te groot")
        polygon.append([[values[i], values[i + 1]] for i in range(0, len(values), dimensions)])
    return [polygon], offset


def _straightened(ring: list[list[float]], tolerance: float) -> list[list[float]]:
    """The corners of an open ring that matter (Douglas-Peucker): a corner closer than
    `tolerance` to the line between the corners kept around it goes. The first corner and the one
    farthest from it stay."""
    if len(ring) < 4:
        return ring
    start = ring[0]
    far = max(range(len(ring)), key=lambda i: (ring[i][0] - start[0]) ** 2 + (ring[i][1] - start[1]) ** 2)
    keep = [False] * (len(ring) + 1)
    keep[0] = keep[far] = keep[len(ring)] = True
    points = [*ring, ring[0]]
    stack = [(0, far), (far, len(ring))]
    while stack:
        first, last = stack.pop()
        if last - first < 2:
            continue
        (x0, y0), (x1, y1) = points[first], points[last]
        dx, dy = x1 - x0, y1 - y0
        length = (dx * dx + dy * dy) ** 0.5
        worst, index = -1.0, -1
        for i in range(first + 1, last):
            x, y = points[i]
            distance = (abs(dy * (x - x0) - dx * (y - y0)) / length if length
                        else ((x - x0) ** 2 + (y - y0) ** 2) ** 0.5)
            if distance > worst:
                worst, index = distance, i
        if worst >= tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [point for point, kept in zip(ring, keep, strict=False) if kept]


def _snapped(geometry: dict, grid: float) -> dict | None:
    """The geometry with every corner on a grid of `grid`, repeated corners once, corners on a
    straight line (within `grid`) left out, and rings that shrank to less than a triangle left
    out (a polygon without its outer ring goes; None when nothing is left)."""
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    kept = []
    for polygon in polygons:
        rings = []
        for number, ring in enumerate(polygon):
            snapped: list[list[float]] = []
            for x, y in ring:
                point = [round(x / grid) * grid, round(y / grid) * grid]
                if not snapped or snapped[-1] != point:
                    snapped.append(point)
            if len(snapped) > 1 and snapped[0] == snapped[-1]:
                snapped.pop()
            snapped = _straightened(snapped, grid)
            if len(snapped) < 3:
                if number == 0:
                    break  # the outer ring is gone: so is the polygon with its holes
                continue
            snapped.append(list(snapped[0]))
            rings.append(snapped)
        if rings:
            kept.append(rings)
    if not kept:
        return None
    if len(kept) == 1:
        return {"type": "Polygon", "coordinates": kept[0]}
    return {"type": "MultiPolygon", "coordinates": kept}
