"""Choropleth maps of wijken with pydeck (no map token needed: map_style=None)."""

from __future__ import annotations

import json

import pandas as pd
import pydeck as pdk

from transforms.privacy import format_number, hidden_label
from ui import theme
from ui.data import query


def wijk_geometries(gemeente_code: str, year: int) -> pd.DataFrame:
    """wijk_code, geometry_json of the wijken of a gemeente, from the nearest year at or before
    `year` (else the first year after) for which geometries are loaded."""
    return query(
        """
        with candidates as (
            select year from geometries
            where region_level = 'wijk' and region_code like 'WK' || substr(?, 3, 4) || '%'
            group by year
        ),
        chosen as (
            select coalesce(max(year) filter (where year <= ?), min(year)) as year from candidates
        )
        select g.region_code as wijk_code, g.geometry_json
        from geometries as g, chosen
        where g.year = chosen.year and g.region_level = 'wijk'
          and g.region_code like 'WK' || substr(?, 3, 4) || '%'
        order by g.region_code
        """,
        [gemeente_code, year, gemeente_code],
    )


def _bounds(geometries: list[dict]) -> tuple[float, float, float, float]:
    xs, ys = [], []

    def walk(coords):
        if coords and isinstance(coords[0], (int, float)):
            xs.append(coords[0])
            ys.append(coords[1])
        else:
            for item in coords:
                walk(item)

    for geometry in geometries:
        walk(geometry["coordinates"])
    return min(xs), min(ys), max(xs), max(ys)


def view_state(geometries: list[dict]) -> pdk.ViewState:
    """A view that fits the polygons (zoom from the larger extent)."""
    import math

    west, south, east, north = _bounds(geometries)
    extent = max(east - west, (north - south) * 1.6, 1e-4)
    zoom = max(5.0, min(15.0, math.log2(400 / extent)))
    return pdk.ViewState(longitude=(west + east) / 2, latitude=(south + north) / 2, zoom=zoom)


def choropleth(values: pd.DataFrame, geometries: pd.DataFrame, label: str,
               decimals: int = 0) -> tuple[pdk.Deck | None, list[float]]:
    """A pydeck map of wijken coloured by `values` (wijk_code, wijk_name, value, hidden).
    Returns the deck (None without geometries) and the class breaks for a legend."""
    merged = geometries.merge(values, on="wijk_code", how="left")
    if merged.empty:
        return None, []
    breaks = theme.class_breaks(list(values["value"]))
    features, shapes = [], []
    for row in merged.itertuples(index=False):
        geometry = json.loads(row.geometry_json)
        shapes.append(geometry)
        hidden = bool(row.hidden) if isinstance(row.hidden, bool) else False
        value = row.value if not hidden else float("nan")
        text = hidden_label() if hidden else (format_number(value, decimals) or "geen gegevens")
        features.append({
            "type": "Feature",
            "geometry": geometry,
            "properties": {
                "wijk_name": row.wijk_name if isinstance(row.wijk_name, str) else row.wijk_code,
                "wijk_code": row.wijk_code,
                "value_text": text,
                "fill": theme.sequential_colour(value, breaks),
            },
        })
    layer = pdk.Layer(
        "GeoJsonLayer",
        data={"type": "FeatureCollection", "features": features},
        id="wijken",
        pickable=True,
        stroked=True,
        filled=True,
        get_fill_color="properties.fill",
        get_line_color=[255, 255, 255, 255],
        line_width_min_pixels=1.5,
        auto_highlight=True,
    )
    deck = pdk.Deck(
        layers=[layer],
        initial_view_state=view_state(shapes),
        map_style=None,
        tooltip={"html": f"<b>{{wijk_name}}</b><br/>{label}: {{value_text}}",
                 "style": {"fontSize": "16px"}},
    )
    return deck, breaks


def legend_markdown(breaks: list[float], decimals: int = 0) -> str:
    """A small legend of the classes as coloured squares (HTML for st.markdown)."""
    if not breaks:
        return ""
    parts, lower = [], None
    for bound in breaks:
        colour = theme.sequential_colour(bound, breaks)
        swatch = f"rgb({colour[0]},{colour[1]},{colour[2]})"
        text = (f"tot {format_number(bound, decimals)}" if lower is None
                else f"{format_number(lower, decimals)} – {format_number(bound, decimals)}")
        parts.append(f"<span style='display:inline-block;width:1em;height:1em;"
                     f"background:{swatch};margin:0 .3em 0 1em;vertical-align:middle'></span>{text}")
        lower = bound
    parts.append("<span style='display:inline-block;width:1em;height:1em;background:rgb(190,190,190);"
                 f"margin:0 .3em 0 1em;vertical-align:middle'></span>afgeschermd ({hidden_label()})")
    return "".join(parts)
