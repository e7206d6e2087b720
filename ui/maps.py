"""Choropleth maps of wijken with pydeck, on a plain background of our own (no map tiles)."""

from __future__ import annotations

import html
import json
import math
import urllib.parse
from collections.abc import Collection
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pydeck as pdk
import streamlit as st
from pydeck.bindings.json_tools import default_serialize

from data_sources.config import db_path
from outputs.palette import class_labels
from outputs.report import (
    drawable_geometry,
    readable_labels,
    svg_map_image,
    unreadable_boundaries_note,
)
from transforms.labels import LoadHint, short_wijk_name
from transforms.years import WIJK_GEOMETRIES_SQL, boundary_changed_sql
from ui import theme
from ui.a11y import figure_text, true_flag
from ui.auth import where_to_load
from ui.data import cursor, query

_CHOSEN_GEOMETRIES = WIJK_GEOMETRIES_SQL


def _pattern(gemeente_code: str | None) -> str:
    return "WK%" if gemeente_code is None else f"WK{gemeente_code[2:6]}%"


def wijk_geometries(gemeente_code: str | None, year: int) -> pd.DataFrame:
    """wijk_code, geometry_json of the wijken of a gemeente (None: of every gemeente), from the
    nearest year at or before `year` (else the first year after) for which geometries are loaded."""
    return query(_CHOSEN_GEOMETRIES + "order by g.region_code",
                 [_pattern(gemeente_code), year])


def region_names(gemeente_code: str | None) -> dict[str, str]:
    """wijk_code -> name of the wijken of a gemeente (None: of every gemeente, the national map)
    from the regions (kwb, dimension files): a wijk without population figures has one too, so a
    map never labels a wijk by its code when its name is known."""
    frame = query("select region_code, region_name from stg_region_names"
                  " where (gemeente_code = ? or ? is null) and region_level = 'wijk'",
                  [gemeente_code, gemeente_code])
    return dict(zip(frame["region_code"], frame["region_name"], strict=True))


def boundary_year_note(gemeente_code: str, year: int) -> str:
    """A Dutch note when the map of `year` draws another year's boundaries (the nearest loaded,
    e.g. the bundled 2024 ones), naming the wijken whose codes that year does not have; else ''."""
    [(boundary_year,)] = query(
        "select max(year) from (" + _CHOSEN_GEOMETRIES.replace(
            "select g.region_code as wijk_code, g.geometry_json", "select chosen.year") + ")",
        [_pattern(gemeente_code), year],
    ).itertuples(index=False)
    if boundary_year is None or int(boundary_year) == year:
        return ""
    wijken = query(
        f"""
        select r.region_code, r.region_name,
               r.region_code in (select region_code from geometries
                                 where year = $1 and region_level = 'wijk') as drawn,
               {boundary_changed_sql("r.region_code", "$1", "$2")} as other_area
        from stg_regions as r
        where r.year = $2 and r.gemeente_code = $3 and r.region_level = 'wijk'
        order by r.region_code
        """,
        [int(boundary_year), year, gemeente_code],
    )
    # a code drawn in the boundaries' year, but CBS changed its area in between: left off the map
    # (WIJK_GEOMETRIES_SQL), as that year's boundary is another area
    other_area = wijken[wijken["drawn"].astype(bool) & wijken["other_area"].astype(bool)]
    wijken = wijken.drop(other_area.index)
    missing = wijken[~wijken["drawn"].astype(bool)]
    note = (f"Deze kaart gebruikt de wijkgrenzen van {int(boundary_year)}: voor {year} zijn geen "
            "grenzen geladen.")
    if len(missing) and len(missing) == len(wijken):
        # the gemeente renumbered its wijken since: a list of every code would say nothing more
        note += (f" Geen van de {len(wijken)} wijkcodes van {year} bestaat in {int(boundary_year)} "
                 "(de wijken zijn sindsdien opnieuw ingedeeld), dus de kaart blijft leeg. "
                 + where_to_load(LoadHint(f"de grenzen van {year}", "van CBS en PDOK, met internet"))
                 + " De cijfers staan in de tabel onder de kaart.")
    elif len(missing):
        names = ", ".join(code if name in (None, code) else f"{name} ({code})"
                          for code, name, *_ in missing.itertuples(index=False))
        note += f" Niet op de kaart, omdat hun wijkcode in {int(boundary_year)} niet bestaat: {names}."
    if len(other_area):
        earlier, later = sorted((year, int(boundary_year)))
        names = ", ".join(code if name in (None, code) else f"{name} ({code})"
                          for code, name, *_ in other_area.itertuples(index=False))
        note += (f" Niet op de kaart, omdat CBS hun gebied tussen {earlier} en {later} anders heeft "
                 f"afgebakend (kolom ind_wbi van de kwb), zodat de grens van {int(boundary_year)} onder "
                 f"dezelfde code een ander gebied is: {names}. Hun cijfers staan in de tabel onder de "
                 "kaart. " + where_to_load(LoadHint(f"de grenzen van {year}", "van CBS en PDOK, met internet")))
    return note


def _geometry_fingerprint(gemeente_code: str | None, year: int) -> str:
    # The same polygons in another year (boundaries rarely change) are prepared only once. DuckDB's
    # 64-bit hash, summed: a key for this process's cache, 10 ms for every wijk of the country
    # where md5 took 35 ms.
    frame = query(
        "select count(*) || '-' || coalesce(sum(hash(wijk_code, geometry_json)::hugeint), 0)"
        f" as fingerprint from ({_CHOSEN_GEOMETRIES})",
        [_pattern(gemeente_code), year],
    )
    return str(frame["fingerprint"].iloc[0])


# Douglas-Peucker tolerance as a share of the map's extent: about one screen pixel of a full map.
SIMPLIFY_SHARE = 1 / 2500
FEATURES_PLACEHOLDER = "__kindkaart_features__"


@dataclass(frozen=True)
class PreparedShapes:
    """Wijk polygons ready to send: compact GeoJSON geometry text per wijk and the bounds."""

    geometry_text: dict[str, str]
    bounds: tuple[float, float, float, float]  # west, south, east, north
    # Where each wijk's name goes: the centroid of its largest polygon (lon, lat) ...
    label_points: dict[str, tuple[float, float]] = field(default_factory=dict)
    # ... and that polygon's extent (west, south, east, north), for whether the name fits
    label_extents: dict[str, tuple[float, float, float, float]] = field(default_factory=dict)
    # wijken left off the map: their stored boundary cannot be drawn (drawable_geometry)
    left_out: tuple[str, ...] = ()

    def left_out_note(self, names: dict[str, str] | None = None) -> str:
        """A Dutch note naming the wijken left off the map; '' when none were."""
        return unreadable_boundaries_note(list(self.left_out), names) if self.left_out else ""


def _simplify_ring(ring: np.ndarray, tolerance: float) -> np.ndarray:
    """Douglas-Peucker on a closed ring (first point == last); keeps at least a triangle."""
    if len(ring) <= 5:
        return ring
    keep = np.zeros(len(ring), dtype=bool)
    keep[0] = keep[-1] = True
    stack = [(0, len(ring) - 1)]
    while stack:
        first, last = stack.pop()
        if last - first < 2:
            continue
        start, end = ring[first], ring[last]
        segment = end - start
        points = ring[first + 1:last] - start
        length = math.hypot(*segment)
        if length == 0:
            distances = np.hypot(points[:, 0], points[:, 1])
        else:
            distances = np.abs(segment[0] * points[:, 1] - segment[1] * points[:, 0]) / length
        index = int(np.argmax(distances))
        if distances[index] > tolerance:
            middle = first + 1 + index
            keep[middle] = True
            stack.append((first, middle))
            stack.append((middle, last))
    if keep.sum() < 4:  # a ring needs three corners: keep the farthest points instead
        keep[np.linspace(0, len(ring) - 1, 4).round().astype(int)] = True
    return ring[keep]


def _polygons(geometry: dict) -> list:
    return [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]


def _prepare(parsed: list[dict]) -> tuple[list[dict], tuple[float, float, float, float]]:
    west = south = math.inf
    east = north = -math.inf
    for geometry in parsed:
        for polygon in _polygons(geometry):
            outer = np.asarray(polygon[0], dtype=float)
            west, south = min(west, outer[:, 0].min()), min(south, outer[:, 1].min())
            east, north = max(east, outer[:, 0].max()), max(north, outer[:, 1].max())
    return parsed, (west, south, east, north)


def _largest_extent(geometry: dict) -> tuple[float, float, float, float]:
    """west, south, east, north of the outer ring with the most points (the wijk's main part)."""
    ring = np.asarray(max((polygon[0] for polygon in _polygons(geometry)), key=len), dtype=float)
    return (float(ring[:, 0].min()), float(ring[:, 1].min()), float(ring[:, 0].max()), float(ring[:, 1].max()))


def _label_point(geometry: dict) -> tuple[float, float]:
    """The area centroid of the largest outer ring (shoelace formula); its mean for a sliver."""
    best, best_area = None, -1.0
    for polygon in _polygons(geometry):
        ring = np.asarray(polygon[0], dtype=float)
        x, y = ring[:, 0], ring[:, 1]
        cross = x[:-1] * y[1:] - x[1:] * y[:-1]
        area = cross.sum() / 2
        if abs(area) > best_area:
            best_area = abs(area)
            if abs(area) < 1e-12:
                best = (float(x.mean()), float(y.mean()))
            else:
                best = (float(((x[:-1] + x[1:]) * cross).sum() / (6 * area)),
                        float(((y[:-1] + y[1:]) * cross).sum() / (6 * area)))
    return best or (0.0, 0.0)


def shapes_from_frame(frame: pd.DataFrame) -> PreparedShapes:
    """Simplify and serialise wijk polygons (wijk_code, geometry_json) for a map of their extent."""
    drawn = [drawable_geometry(text) for text in frame["geometry_json"]]
    left_out = tuple(code for code, geometry in zip(frame["wijk_code"], drawn, strict=True)
                     if geometry is None)
    frame = frame[[geometry is not None for geometry in drawn]]
    if frame.empty:
        return PreparedShapes({}, (0.0, 0.0, 0.0, 0.0), left_out=left_out)
    parsed, bounds = _prepare([geometry for geometry in drawn if geometry is not None])
    extent = max(bounds[2] - bounds[0], bounds[3] - bounds[1], 1e-4)
    tolerance = extent * SIMPLIFY_SHARE
    # Coordinates rounded to about a tenth of the tolerance: invisible, and fewer bytes.
    decimals = max(3, min(6, math.ceil(-math.log10(tolerance)) + 1))
    texts = {}
    for wijk_code, geometry in zip(frame["wijk_code"], parsed, strict=True):
        polygons = []
        for polygon in _polygons(geometry):
            rings = [_simplify_ring(np.asarray(ring, dtype=float), tolerance).round(decimals)
                     for ring in polygon]
            polygons.append([ring.tolist() for ring in rings if len(ring) >= 4])
        shape = {"type": "MultiPolygon", "coordinates": polygons}
        texts[wijk_code] = json.dumps(shape, separators=(",", ":"))
    codes = list(frame["wijk_code"])
    labels = {code: _label_point(geometry) for code, geometry in zip(codes, parsed, strict=True)}
    extents = {code: _largest_extent(geometry) for code, geometry in zip(codes, parsed, strict=True)}
    return PreparedShapes(texts, bounds, labels, extents, left_out)


@st.cache_resource(show_spinner=False, max_entries=16)
def _prepared_shapes(gemeente_code: str | None, fingerprint: str, database: str,
                     _year: int) -> PreparedShapes:
    # Read directly, not through the query cache: megabytes of polygon text would be copied
    # into (and out of) st.cache_data for nothing.
    frame = cursor().execute(_CHOSEN_GEOMETRIES + "order by g.region_code",
                             [_pattern(gemeente_code), _year]).df()
    return shapes_from_frame(frame)


def no_boundaries_message(gemeente_code: str | None, name: str, year: int) -> str:
    """What the Kaart and the map slide say when a gemeente has no wijk boundaries: where to load
    them, and why the bundled ones do not help a gemeente of before a herindeling (Heerhugowaard,
    GM0398, in a kwb of 2021: the bundled boundaries are the 342 gemeenten of 2024)."""
    if gemeente_code is None:
        return "Er zijn nog geen wijkgrenzen geladen."
    from data_sources.gemeentenamen import bundled_names
    from data_sources.offline_boundaries import BUNDLED_YEAR

    why = "" if gemeente_code in bundled_names() else (
        f" De meegeleverde grenzen zijn die van de gemeenten van {BUNDLED_YEAR}; {name} "
        f"({gemeente_code}) is daar niet bij, bijvoorbeeld door een gemeentelijke herindeling.")
    return f"Voor {name} zijn nog geen wijkgrenzen geladen.{why} " + where_to_load(LoadHint(
        f"de grenzen van {year}", "online met Laden, of de wijk- en buurtkaart van dat jaar van CBS als "
        "GeoPackage of GeoJSON onder CBS-bestand inlezen"))


def prepared_shapes(gemeente_code: str | None, year: int) -> PreparedShapes:
    """The wijk polygons of a gemeente (None: the country) simplified for the map's scale and
    serialised once per distinct set of polygons; every rerun reuses them."""
    return _prepared_shapes(gemeente_code, _geometry_fingerprint(gemeente_code, year),
                            str(db_path()), year)


# The map's height on the page (pages/kaart.py) and how much of it the wijken may fill at first
MAP_HEIGHT = 560
FILLED_HEIGHT = 500


def view_state(bounds: tuple[float, float, float, float]) -> pdk.ViewState:
    """A view that fits the bounds (zoom from the larger extent). A degree of latitude is
    1/cos(latitude) times as tall as a degree of longitude is wide in Web Mercator (1.64 in the
    Netherlands, not 1.6): a gemeente taller than wide, as Zwolle, ran off the top and the bottom
    of the map; its height now fits FILLED_HEIGHT of MAP_HEIGHT pixels."""
    west, south, east, north = bounds
    # at zoom log2(400 / extent) a degree of longitude is 512 * 400 / 360 / extent pixels
    tall = (north - south) / math.cos(math.radians((south + north) / 2)) * (512 * 400 / 360) / FILLED_HEIGHT
    extent = max(east - west, tall, 1e-4)
    zoom = max(5.0, min(15.0, math.log2(400 / extent)))
    return pdk.ViewState(longitude=(west + east) / 2, latitude=(south + north) / 2, zoom=zoom)


# A map style of one background layer, inline as a data: URL. Without a style Streamlit draws
# CARTO's basemap, fetched from basemaps.cartocdn.com on every view: a third party would see who
# looks at the map, and the map would stay grey offline. The wijken carry names (tooltip) and shapes.
MAP_BACKGROUND = "#f2f2f0"
PLAIN_BACKGROUND = "data:application/json," + urllib.parse.quote(json.dumps({
    "version": 8,
    "sources": {},
    "layers": [{"id": "achtergrond", "type": "background",
                "paint": {"background-color": MAP_BACKGROUND}}],
}, separators=(",", ":")))


# PDOK's BRT-Achtergrondkaart in grey (Kadaster, CC BY 4.0), as raster tiles in Web Mercator; only
# when switched on (Kaartinstellingen, or $KINDKAART_ACHTERGRONDKAART=brt-grijs): the tiles come
# from PDOK's servers, which then see who looks at which area.
BRT_GRIJS_TILES = "https://service.pdok.nl/brt/achtergrondkaart/wmts/v2_0/grijs/EPSG:3857/{z}/{x}/{y}.png"
BRT_GRIJS_BACKGROUND = "data:application/json," + urllib.parse.quote(json.dumps({
    "version": 8,
    "sources": {"brt": {"type": "raster", "tiles": [BRT_GRIJS_TILES], "tileSize": 256,
                        "minzoom": 6, "maxzoom": 19,
                        "attribution": "Achtergrond: BRT-Achtergrondkaart © Kadaster (PDOK), CC BY 4.0"}},
    "layers": [{"id": "achtergrond", "type": "background", "paint": {"background-color": MAP_BACKGROUND}},
               {"id": "brt-grijs", "type": "raster", "source": "brt"}],
}, separators=(",", ":")))
WHITE_LINE = theme.hex_to_rgb(theme.BOUNDARY_LIGHT, alpha=255)
# Names on the map up to this many wijken (a gemeente); the national map would be a blur of text.
MAX_LABELS = 150
# The wijk names on the Kaart page, in pixels
NAME_SIZE = 15


class _PreparedDeck(pdk.Deck):
    """A Deck whose layer data are already-serialised GeoJSON features, sent as compact JSON
    (pydeck itself indents every coordinate on its own line)."""

    def __init__(self, features_json: str, **kwargs):
        super().__init__(**kwargs)
        self._features_json = features_json

    def to_json(self) -> str:
        spec = json.dumps(self, default=default_serialize, separators=(",", ":"))
        return spec.replace(f'"{FEATURES_PLACEHOLDER}"', self._features_json, 1)


def _wijk_values(shapes: PreparedShapes, values: pd.DataFrame, decimals: int,
                 names: dict[str, str] | None, secret: Collection[str] = ()) -> list[tuple[str, str, float, str]]:
    """Per wijk on the map: code, name, value (NaN when hidden or missing) and the value as
    shown (ui.a11y.figure_text); one rule for the deck and the SVG map. A wijk of `secret`
    without a figure is unknown ('onbekend (CBS geheim)'), not a wijk without data."""
    # plain lists, not itertuples: a national map has thousands of wijken
    unknown_flags = values["unknown"].tolist() if "unknown" in values else [False] * len(values)
    by_wijk = {code: (name, value, hidden, unknown) for code, name, value, hidden, unknown in zip(
        values["wijk_code"].tolist(), values["wijk_name"].tolist(), values["value"].tolist(),
        values["hidden"].tolist(), unknown_flags, strict=True)}
    rows = []
    for wijk_code in shapes.geometry_text:
        row = by_wijk.get(wijk_code)
        hidden = row is not None and true_flag(row[2])
        # True (CBS secret) or a reason's text such as 'basis te klein' (ui.a11y.figure_text)
        unknown = (row[3] if isinstance(row[3], str) and row[3] else true_flag(row[3])
                   ) if row is not None else wijk_code in secret
        value = float("nan") if row is None or hidden or row[1] is None else row[1]
        text = figure_text(value, hidden, decimals, unknown)
        name = (row[0] if row is not None and isinstance(row[0], str)
                else (names or {}).get(wijk_code, wijk_code))
        rows.append((wijk_code, name, value, text))
    return rows


def svg_choropleth(values: pd.DataFrame, shapes: PreparedShapes, label: str, decimals: int = 0,
                   names: dict[str, str] | None = None, highlight: str | None = None,
                   secret: Collection[str] = ()) -> tuple[str, list[float]]:
    """The same map as `choropleth`, as a static SVG image (outputs.report.svg_map_image, the
    map of the gemeenterapport): for the projector, where nobody hovers, it needs no WebGL and
    draws at once. Wijk names on it up to MAX_LABELS wijken; `highlight` outlines one wijk.
    `secret`: wijken whose children CBS keeps secret (as `choropleth`).
    Returns the SVG ("" without geometries) and the class breaks for a legend."""
    breaks = theme.class_breaks(values["value"].tolist(), decimals=decimals)
    shapes_svg = [{"geometry": json.loads(shapes.geometry_text[code]), "name": name, "value": value,
                   "hidden": False, "text": text, "highlight": code == highlight,
                   "label_point": shapes.label_points.get(code)}
                  for code, name, value, text in _wijk_values(shapes, values, decimals, names, secret)]
    svg = svg_map_image(shapes_svg, label, breaks, width=1000, height=560, font_size=20,
                        show_names=len(shapes_svg) <= MAX_LABELS)
    return svg, breaks


def choropleth(values: pd.DataFrame, shapes: PreparedShapes | pd.DataFrame, label: str,
               decimals: int = 0, *, background: bool = False, labels: bool = True,
               names: dict[str, str] | None = None,
               secret: Collection[str] = ()) -> tuple[pdk.Deck | None, list[float]]:
    """A pydeck map of wijken coloured by `values` (wijk_code, wijk_name, value, hidden), over
    prepared_shapes() (or a wijk_geometries() frame, prepared on the spot), with the wijk names
    on it (up to MAX_LABELS wijken; `names` for wijken without a value) and, when `background`,
    PDOK's grey BRT-Achtergrondkaart under it. `secret`: the wijken whose children CBS keeps
    secret (ui.population.secret_wijk_codes), for a figure made from the children: without a
    value they say 'onbekend (CBS geheim)', as every other page, where another wijk without a
    value says 'geen gegevens'.
    Returns the deck (None without geometries) and the class breaks for a legend."""
    if isinstance(shapes, pd.DataFrame):
        shapes = shapes_from_frame(shapes)
    if not shapes.geometry_text:
        return None, []
    breaks = theme.class_breaks(values["value"].tolist(), decimals=decimals)
    # the grey background shows through a little, enough to recognise roads and water
    opacity = 0.8 if background else 1.0
    features = []
    for wijk_code, name, value, text in _wijk_values(shapes, values, decimals, names, secret):
        fill = theme.sequential_colour(value, breaks)
        line = theme.deck_line_colour(fill, MAP_BACKGROUND, opacity)
        properties = {"wijk_name": name, "wijk_code": wijk_code, "value_text": text, "fill": fill,
                      "line": line}
        features.append((line != WHITE_LINE, '{"type":"Feature","geometry":' + shapes.geometry_text[wijk_code]
                         + ',"properties":' + json.dumps(properties, separators=(",", ":"), ensure_ascii=False)
                         + "}"))
    # WCAG 1.4.11: a light wijk has a dark boundary, a dark one a white line. The dark boundaries
    # are drawn last (deck.gl strokes in the order of the features), so that where a light wijk
    # meets a dark one its edge stays dark rather than white on light.
    features = [feature for _, feature in sorted(features, key=lambda item: item[0])]
    layer = pdk.Layer(
        "GeoJsonLayer",
        data={"type": "FeatureCollection", "features": FEATURES_PLACEHOLDER},
        id="wijken",
        pickable=True,
        stroked=True,
        filled=True,
        get_fill_color="properties.fill",
        get_line_color="properties.line",
        # a boundary of half a pixel (the country's map) was blurred to a light grey
        line_width_min_pixels=1.5 if len(features) < 500 else 1,
        auto_highlight=True,
        opacity=opacity,
    )
    layers = [layer]
    if labels and 0 < len(shapes.label_points) <= MAX_LABELS:
        layers.append(_name_layer(shapes, values, names))
    deck = _PreparedDeck(
        "[" + ",".join(features) + "]",
        layers=layers,
        initial_view_state=view_state(shapes.bounds),
        map_style=BRT_GRIJS_BACKGROUND if background else PLAIN_BACKGROUND,
        tooltip={"html": f"<b>{{wijk_name}}</b><br/>{label}: {{value_text}}",
                 "style": {"fontSize": "16px"}},
    )
    return deck, breaks


def _name_layer(shapes: PreparedShapes, values: pd.DataFrame, names: dict[str, str] | None) -> pdk.Layer:
    """Wijk names at their centroids: dark, bold, with a white halo, legible on a projector."""
    known = dict(names or {})
    known.update({code: name for code, name in zip(values["wijk_code"].tolist(),
                                                    values["wijk_name"].tolist(), strict=True)
                  if isinstance(name, str)})
    names_at = [(code, point, short_wijk_name(known.get(code, code)))
                 for code, point in shapes.label_points.items()]
    # only the names that can be read at the first view (outputs.report.readable_labels), in
    # pixels of deck.gl's Web Mercator at that zoom (the world is 512 px wide at zoom 0)
    scale = 512 * 2 ** view_state(shapes.bounds).zoom / 360

    def pixels(lon: float, lat: float) -> tuple[float, float]:
        return lon * scale, -math.degrees(math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))) * scale

    candidates = []
    for code, (lon, lat), name in names_at:
        west, south, east, north = shapes.label_extents.get(code, (lon, lat, lon, lat))
        (left, bottom), (right, top) = pixels(west, south), pixels(east, north)
        candidates.append(((right - left) * (bottom - top), *pixels(lon, lat), right - left, name))
    data = [{"position": [round(names_at[i][1][0], 5), round(names_at[i][1][1], 5)], "name": names_at[i][2]}
            for i in sorted(readable_labels(candidates, NAME_SIZE))]
    return pdk.Layer(
        "TextLayer", data=data, id="wijknamen", pickable=False,
        get_position="position", get_text="name", get_size=NAME_SIZE, size_units='"pixels"',
        get_color=[20, 20, 20, 255], get_text_anchor='"middle"', get_alignment_baseline='"center"',
        # pydeck reads a bare string as an accessor expression: literals are quoted (a bare "auto"
        # made deck.gl refuse the layer; a bare "pixels" drew every letter a map wide)
        font_family='"Arial, Helvetica, sans-serif"', font_weight=700,
        character_set='"auto"', font_settings={"sdf": True}, outline_width=4,
        outline_color=[255, 255, 255, 230],
    )


def legend_markdown(breaks: list[float], decimals: int = 0, values: list[float] | None = None) -> str:
    """A small legend of the classes as coloured squares (HTML for st.markdown); `values`: the
    map's values, for the lowest class's start (outputs.palette.class_labels)."""
    if not breaks:
        return ""
    def swatch(colour: str) -> str:
        # the square's edge as the map's (WCAG 1.4.11): dark around a light class, on the white page
        return (f"<span style='display:inline-block;width:1em;height:1em;box-sizing:border-box;"
                f"background:{colour};border:1px solid {theme.boundary_colour(colour)};"
                "margin:0 .3em 0 1em;vertical-align:middle'></span>")

    parts = [swatch(theme.class_colour(bound, breaks)) + html.escape(text)
             for bound, text in zip(breaks, class_labels(breaks, values, decimals), strict=True)]
    parts.append(swatch(theme.HIDDEN_FILL) + theme.HIDDEN_LEGEND)
    # a class and its colour stay on one line: on a 1024 px projector 'afgeschermd of onbekend'
    # wrapped to the next line, away from its grey square
    return " ".join(f"<span style='white-space:nowrap'>{part}</span>" for part in parts)
