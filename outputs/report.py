"""Gemeente report and wijk factsheet as self-contained HTML (inline SVG) that prints well to PDF."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import duckdb
import numpy as np
import pandas as pd

from data_sources.config import min_count
from outputs import exports, palette
from outputs.html import esc, html_table
from transforms import labels
from transforms.indeling import gemeente_note, indeling_of, sourced_line_runs, wijk_note
from transforms.partner_tables import gemeente_rows, protected_gap
from transforms.population import (
    MODEL_HIDDEN_SQL,
    SECRET_LABEL,
    model_hidden_note,
    source_break_marks,
    source_break_note,
    source_kind,
    source_route,
    source_routes,
    sources_by_year_text,
)
from transforms.privacy import TOTAL_LABEL, format_number, hidden_label, shown_figure, shown_figure_text
from transforms.years import WIJK_GEOMETRIES_SQL

# The screen's line styles (outputs.palette), with black for the total line.
AGE_GROUP_LINES = {**palette.AGE_GROUP_LINES, TOTAL_LABEL: palette.LineStyle("#000000", "solid", "triangle-up")}


@dataclass
class Context:
    """What every section gets: the store, the gemeente, the year and (for a factsheet) the wijk."""

    con: duckdb.DuckDBPyConnection
    gemeente_code: str
    year: int
    wijk_code: str | None = None

    @property
    def gemeente_name(self) -> str:
        return exports.gemeente_name(self.con, self.gemeente_code)

    @property
    def wijk_name(self) -> str:
        return exports.wijken(self.con, self.gemeente_code, self.year).get(self.wijk_code or "", self.wijk_code or "")

    @property
    def wijk_label(self) -> str:
        """The wijk's name, with its code when another wijk of the gemeente has that name that year
        (labels.wijk_labels; the wijken whose children CBS keeps secret count too)."""
        names = {**exports.unknown_wijken(self.con, self.gemeente_code, self.year),
                 **exports.wijken(self.con, self.gemeente_code, self.year)}
        return labels.wijk_labels(names).get(self.wijk_code or "", self.wijk_name)


@dataclass(frozen=True)
class Section:
    """One part of a report: `build(context)` returns HTML, or None to leave the section out.
    `scope` says where it appears: 'gemeente' (report), 'wijk' (factsheet) or both."""

    key: str
    title: str
    build: Callable[[Context], str | None]
    scope: tuple[str, ...] = ("gemeente", "wijk")
    requires: tuple[str, ...] = ()


def drawable_geometry(geometry_json: str) -> dict | None:
    """A stored wijk geometry (GeoJSON text) as a dict when the maps can draw it: a Polygon or
    MultiPolygon whose every polygon has a ring and every ring at least four finite positions.
    None otherwise: a database from before the intake checked polygons may hold an empty ring
    (IndexError on the Kaart page) or the text NaN (not JSON). One rule for every map."""
    try:
        geometry = json.loads(geometry_json)
        polygons = ([geometry["coordinates"]] if geometry["type"] == "Polygon"
                    else geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [])
        if not polygons or not all(polygons):
            return None
        for polygon in polygons:
            for ring in polygon:
                points = np.asarray(ring, dtype=float)
                if (points.ndim != 2 or points.shape[0] < 4 or points.shape[1] not in (2, 3)
                        or not np.isfinite(points).all()):
                    return None
    except (ValueError, TypeError, KeyError, IndexError, RecursionError):
        return None
    return geometry


def unreadable_boundaries_note(codes: list[str], names: dict[str, str] | None = None) -> str:
    """The Dutch note for wijken left off a map because their stored boundary cannot be drawn."""
    shown = ", ".join(code if (names or {}).get(code) in (None, code) else f"{names[code]} ({code})"
                      for code in codes[:10])
    more = f" en nog {len(codes) - 10}" if len(codes) > 10 else ""
    return (f"Niet op de kaart: {shown}{more}. De opgeslagen wijkgrens is beschadigd of leeg; "
            "lees de grenzen opnieuw in op de pagina Gemeente laden.")


def _rings(geometry: dict) -> list[list]:
    if geometry["type"] == "Polygon":
        return list(geometry["coordinates"])
    if geometry["type"] == "MultiPolygon":
        return [ring for polygon in geometry["coordinates"] for ring in polygon]
    return []


def svg_map_image(shapes: list[dict], title: str, breaks: list[float], width: int = 640, height: int = 480,
                  font_size: int = 12, show_names: bool = True) -> str:
    """A choropleth as an inline <svg>, coloured by `breaks` (outputs.palette). shapes: dicts with
    geometry (GeoJSON), name, value, hidden, and optionally highlight, text (the value as shown;
    default the number) and label_point (lon, lat; default the centre of the largest ring's box).
    Coordinates are WGS84, drawn with a local equirectangular projection. The wijk names are on
    the map when `show_names` (those that fit, _name_labels), without the CBS prefix "Wijk 10"
    (transforms.labels.short_wijk_name)."""
    rings = [(shape, _rings(shape["geometry"])) for shape in shapes]
    points = [pt for _, shape_rings in rings for ring in shape_rings for pt in ring]
    if not points:
        return ""
    west, east = min(p[0] for p in points), max(p[0] for p in points)
    south, north = min(p[1] for p in points), max(p[1] for p in points)
    aspect = math.cos(math.radians((south + north) / 2))
    span_x, span_y = max((east - west) * aspect, 1e-9), max(north - south, 1e-9)
    scale = min((width - 20) / span_x, (height - 20) / span_y)
    # centred in the box, so that a tall gemeente does not hug the left edge
    left = (width - span_x * scale) / 2
    top = (height - span_y * scale) / 2

    def xy(pt):
        return (left + (pt[0] - west) * aspect * scale, top + (north - pt[1]) * scale)

    def fill_of(shape: dict) -> str:
        return palette.class_colour(float("nan") if shape.get("hidden") else shape["value"], breaks)

    def order(item: tuple[dict, list]) -> tuple[bool, bool]:
        # the dark boundaries of light wijken after the white lines of dark ones, so that where
        # the two meet the edge stays dark (WCAG 1.4.11); the highlighted wijk last of all, so
        # that its outline lies on top of its neighbours
        shape = item[0]
        return bool(shape.get("highlight")), palette.boundary_colour(fill_of(shape)) == palette.BOUNDARY_DARK

    paths = []
    for shape, shape_rings in sorted(rings, key=order):
        d = " ".join("M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in map(xy, ring)) + " Z" for ring in shape_rings)
        value = float("nan") if shape.get("hidden") else shape["value"]
        fill = fill_of(shape)
        # on a white page: a light wijk (less than 3:1) gets a dark boundary, a dark one a white line;
        # the chosen wijk a black band with a white one on top (palette.HIGHLIGHT_OUTER), seen
        # against every class colour and the page
        stroke, stroke_width = (palette.HIGHLIGHT_OUTER if shape.get("highlight")
                                else (palette.boundary_colour(fill), 1.5))
        text = shape.get("text") or (hidden_label() if shape.get("hidden") else format_number(value))
        paths.append(f'<path d="{d}" fill="{fill}" stroke="{stroke}" stroke-width="{stroke_width:g}" '
                     f'fill-rule="evenodd"><title>{esc(shape["name"])}: {esc(text)}</title></path>')
        if shape.get("highlight"):
            inner, inner_width = palette.HIGHLIGHT_INNER
            paths.append(f'<path d="{d}" fill="none" stroke="{inner}" stroke-width="{inner_width:g}" '
                         'fill-rule="evenodd" aria-hidden="true"/>')
    names = _name_labels(rings, xy, font_size) if show_names else []
    return (f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" aria-label="{esc(title)}" '
            f'xmlns="http://www.w3.org/2000/svg">{"".join(paths)}{"".join(names)}</svg>')


def readable_labels(candidates: list[tuple[float, float, float, float, str]], font_size: float) -> list[int]:
    """Which names a map can show so that each can be read: candidates are (area, x, y, width,
    name) in screen units (x, y the name's centre, width that of its wijk). The largest wijken
    first; a name is left off when it would cover a name already placed or be much wider than its
    wijk (a big city has a hundred wijken: every name on the map would be a blur). The indices of
    the names kept; the others are in the map's table and its tooltips. One rule for the SVG maps
    and the Kaart page."""
    placed: list[tuple[float, float, float, float]] = []
    kept = []
    for index in sorted(range(len(candidates)), key=lambda i: -candidates[i][0]):
        _, x, y, width, name = candidates[index]
        half = 0.3 * font_size * len(name)  # bold sans serif: about 0.6 em per letter
        if 2 * half > 1.6 * width:
            continue
        box = (x - half - 2, y - 0.6 * font_size, x + half + 2, y + 0.6 * font_size)
        if any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in placed):
            continue
        placed.append(box)
        kept.append(index)
    return kept


def _name_labels(rings: list[tuple[dict, list[list]]], xy, font_size: int) -> list[str]:
    """<text> elements for the names readable_labels keeps, without the CBS prefix "Wijk 10"."""
    candidates = []
    for shape, shape_rings in rings:
        if not shape_rings:
            continue
        ring = max(shape_rings, key=len)
        xs, ys = zip(*map(xy, ring), strict=True)
        width, height = max(xs) - min(xs), max(ys) - min(ys)
        if shape.get("label_point"):
            cx, cy = xy(shape["label_point"])
        else:
            cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
        candidates.append((width * height, cx, cy, width, labels.short_wijk_name(shape["name"])))
    texts = []
    for index in readable_labels(candidates, font_size):
        _, cx, cy, _, name = candidates[index]
        texts.append(f'<text x="{cx:.0f}" y="{cy:.0f}" text-anchor="middle" dominant-baseline="central" '
                     f'font-size="{font_size}" font-weight="700" fill="#141414" paint-order="stroke" '
                     f'stroke="#fff" stroke-width="{max(3, font_size // 4)}">{esc(name)}</text>')
    return texts


def svg_map(shapes: list[dict], title: str, width: int = 640, height: int = 480) -> str:
    """The report's choropleth: the map with its caption and legend, classes over the visible values."""
    breaks = palette.class_breaks([s["value"] for s in shapes if not s.get("hidden")], decimals=0)
    image = svg_map_image(shapes, title, breaks, width, height)
    if not image:
        return ""
    visible = [s["value"] for s in shapes if not s.get("hidden")]
    return f"<figure>{image}<figcaption>{esc(title)}</figcaption>{_legend(breaks, visible)}</figure>"


def _legend(breaks: list[float], values: list[float]) -> str:
    def swatch(colour: str) -> str:
        # the square's edge as the map's (WCAG 1.4.11): dark around a light class, white around a
        # dark one (one grey #888 for all had 2.9:1 against the yellow class, 1.9 against the grey)
        return (f'<span class="swatch" style="background:{colour};border:1px solid '
                f'{palette.boundary_colour(colour)}"></span>')

    items = [swatch(palette.class_colour(bound, breaks)) + esc(text)
             for bound, text in zip(breaks, palette.class_labels(breaks, values), strict=True)]
    items.append(swatch(palette.HIDDEN_FILL) + palette.HIDDEN_LEGEND)
    return f'<p class="legend">{" ".join(items)}</p>'


BAR_OUTLINE = 3.0
BAR_LABEL_SIZE = 14
BAR_LABEL_GAP = 8        # between a name's end and its bar
BAR_LABEL_BOLD = 1.15    # a bold name (the chosen wijk) is wider than _text_width's regular one
BAR_LEFT_MIN = 60        # the margin of short names
BAR_LEFT_SHARE = 0.5     # the names never take more than this share of the chart's width


def svg_bars(labels: list[str], values: list[float], hidden: list[bool], title: str,
             colour: str = palette.CATEGORICAL[0], codes: list[str] | None = None,
             highlight: str | None = None, width: int = 640) -> str:
    """Horizontal bars with the value at the end; hidden values show the hidden label. The bar
    whose code (`codes`, one per label) is `highlight` (the chosen wijk's code: after a herindeling
    two wijken can share a name) is orange, and, so that colour is not the only thing
    that marks it (WCAG 1.4.1), outlined in black as the map outlines it, with its name in bold;
    the title should say so.
    The names' margin follows the longest name (a generous estimate of its width, _text_width); a
    name wider than half the chart is shortened with '…' and keeps its full text in a <title>
    (hover, screen readers), so that no name runs off the chart's left edge."""
    row, right = 26, 70
    height = row * len(labels) + 20
    visible = [v for v, h in zip(values, hidden, strict=True) if not h and v is not None and not math.isnan(v)]
    top = max(visible + [1.0])
    parts = []
    codes = codes if codes is not None else [None] * len(labels)
    chosen_bars = [highlight is not None and code == highlight for code in codes]
    room = width * BAR_LEFT_SHARE - BAR_LABEL_GAP
    shown = [_fitted_label(label, room, BAR_LABEL_BOLD if chosen else 1.0)
             for label, chosen in zip(labels, chosen_bars, strict=True)]
    left = math.ceil(max([BAR_LEFT_MIN] + [_bar_label_width(text, chosen) + BAR_LABEL_GAP
                                           for text, chosen in zip(shown, chosen_bars, strict=True)]))
    for i, (label, text_shown, value, hide, chosen) in enumerate(zip(labels, shown, values, hidden, chosen_bars,
                                                                    strict=True)):
        y = 10 + i * row
        bar = 0 if hide or value is None or math.isnan(value) else (width - left - right) * value / top
        fill = palette.HIGHLIGHT if chosen else colour
        # the chosen bar: the black of the map's outline (palette.HIGHLIGHT_OUTER), 1.5 px inside
        # the bar's box so that its length stays the value's
        outline = (f' stroke="{palette.HIGHLIGHT_OUTER[0]}" stroke-width="{BAR_OUTLINE:g}"' if chosen and bar > 0
                   else "")
        inset = BAR_OUTLINE / 2 if chosen and bar > BAR_OUTLINE else 0
        weight = ' font-weight="700"' if chosen else ""
        text = hidden_label() if hide else shown_figure_text(value)
        full = f"<title>{esc(label)}</title>" if text_shown != label else ""
        parts.append(f'<text x="{left - BAR_LABEL_GAP}" y="{y + 17}" text-anchor="end" font-size="{BAR_LABEL_SIZE}"'
                     f'{weight}>{full}{esc(text_shown)}</text>'
                     f'<rect x="{left + inset:.1f}" y="{y + 3 + inset:.1f}" width="{max(bar - 2 * inset, 0):.1f}" '
                     f'height="{row - 8 - 2 * inset:.1f}" fill="{fill}"{outline}/>'
                     f'<text x="{left + max(bar, 0) + 6:.1f}" y="{y + 17}" font-size="14">{esc(text)}</text>')
    return (f'<figure><svg viewBox="0 0 {width} {height}" width="100%" role="img" aria-label="{esc(title)}" '
            f'xmlns="http://www.w3.org/2000/svg">{"".join(parts)}</svg><figcaption>{esc(title)}</figcaption>'
            '</figure>')


def _bar_label_width(text: str, bold: bool) -> float:
    return _text_width(text, BAR_LABEL_SIZE) * (BAR_LABEL_BOLD if bold else 1.0)


def _fitted_label(label: str, room: float, factor: float) -> str:
    """The label when it fits in `room` px, else shortened with '…'; a code at the end ('Centrum
    (WK019310)', two wijken of one name) stays, the name before it is shortened."""
    if _text_width(label, BAR_LABEL_SIZE) * factor <= room:
        return label
    name, code = re.fullmatch(r"(.*?)((?: \([A-Z]{2}\d+\))?)", label, flags=re.S).groups()
    while name and _text_width(f"{name.rstrip()}…{code}", BAR_LABEL_SIZE) * factor > room:
        name = name[:-1]
    return f"{name.rstrip()}…{code}"


def svg_lines(years: list[int], series: dict[str, tuple[list[float], list[bool]]], title: str,
              width: int = 640, height: int = 300, areas: list[str] | None = None,
              sources: dict[int, str] | None = None) -> str:
    """Lines over the years, one per series (name -> (values, hidden)); hidden points are left out.
    Each series breaks where the route of the figures changes (`sources`: year ->
    PopulationTable.source) or the area does (`areas`: per year a wijk's Indeling.series or the
    gemeente's Indeling.gemeente_series): transforms.indeling.sourced_line_runs, as on the slides
    and Trends. As there, a point of an estimate is open and one of a count filled
    (palette.SOURCE_MARKERS), and where the route changes a dashed line says 'bron wisselt:
    schatting → telling' (transforms.population.source_break_marks), with a key of both markers
    under the years."""
    sources = sources or {}
    marks = [mark for mark in source_break_marks(sources) if mark.year in years[1:]]
    # series whose shown points are all alike lie exactly on each other (a wijk without children:
    # every age group 0 on the axis), and only the one drawn last shows: one name for them all
    alike: dict[tuple, list[str]] = {}
    for name, (values, hidden) in series.items():
        shown = tuple(None if h or math.isnan(v) else v for v, h in zip(values, hidden, strict=True))
        alike.setdefault(shown, []).append(name)
    end_texts = {names[-1]: _end_label_rows(names) for names in alike.values()}
    # room above the plot for the text at a break, under the years for the key, and right of it
    # for the widest name at the end of a line (after its piece of line)
    widest = max((_text_width(row, END_LABEL_SIZE) for rows in end_texts.values() for row in rows), default=0)
    left, right, top_pad, bottom = 60, max(120, math.ceil(widest) + 27 + 8 + 4), 32 if marks else 15, 35
    key_height = 26 if marks else 0
    all_values = [v for values, hidden in series.values() for v, h in zip(values, hidden, strict=True)
                  if not h and not math.isnan(v)]
    if not years or not all_values:
        return ""
    top = max(all_values) * 1.1 or 1.0
    span = max(len(years) - 1, 1)

    def x(i):
        return left + (width - left - right) * i / span

    def y(v):
        return top_pad + (height - top_pad - bottom) * (1 - v / top)

    # the axis is the zero, and says so: a line of zeros lies on it and may hide it (below)
    parts = [f'<line x1="{left}" y1="{y(0):.1f}" x2="{width - right}" y2="{y(0):.1f}" stroke="{palette.AXIS_LINE}"/>'
             f'<text x="{left - 6}" y="{y(0) + 4:.1f}" text-anchor="end" font-size="12">0</text>']
    # each grid line at the whole number its label shows (a line at 0,45 said "0": the lines of a
    # wijk without children seemed to lie above zero), none of them at the axis
    for tick in sorted({round(value) for value in (top / 1.1 / 2, top / 1.1) if round(value) > 0}):
        # decorative (palette.GRID_LINE): the table under the chart gives every figure
        parts.append(f'<line class="grid" x1="{left}" y1="{y(tick):.1f}" x2="{width - right}" '
                     f'y2="{y(tick):.1f}" stroke="{palette.GRID_LINE}"/>'
                     f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" font-size="12">'
                     f'{esc(format_number(tick))}</text>')
    rule = palette.SOURCE_BREAK_LINE
    for mark in marks:
        between = x(years.index(mark.year) - 0.5)
        parts.append(f'<line x1="{between:.1f}" y1="{top_pad - 12}" x2="{between:.1f}" y2="{y(0):.1f}" '
                     f'stroke="{rule["color"]}" stroke-width="{rule["width"]}" '
                     f'stroke-dasharray="{palette.SVG_DASHES[rule["dash"]]}"/>'
                     f'<text x="{between + (-5 if mark.text_before else 5):.1f}" y="{top_pad - 4}" '
                     f'text-anchor="{"end" if mark.text_before else "start"}" font-size="12" fill="#141414">'
                     f'{esc(mark.text)}</text>')
    end_labels = []
    for i, year in enumerate(years):
        parts.append(f'<text x="{x(i):.1f}" y="{height - 10}" text-anchor="middle" font-size="13">{year}</text>')
    # Every line and marker lies on a band of the page's white (palette.HALO), all bands under all
    # lines: where a figure is 0 its line lies on the axis (#444, 1.9:1 against blue), and the
    # gaps of a dashed line and the inside of an open marker showed the axis, so that the dash and
    # the marker, which tell the lines apart without colour, were lost in it; the white parts them
    # from the axis and the grid, not from each other (lines that cross still cross)
    halos, lines = [], []
    for index, (name, (values, hidden)) in enumerate(series.items()):
        # a colour with 3:1 on white, a dash and a marker of its own (WCAG 1.4.11, 1.4.1)
        style = AGE_GROUP_LINES.get(name) or palette.LineStyle(
            palette.LINE_COLOURS[index % len(palette.LINE_COLOURS)], "solid", "circle")
        points = []
        for run in sourced_line_runs(years, sources, areas):
            line = [(x(i), y(values[i]), palette.open_marker(source_route(sources.get(years[i], ""))))
                    for i in run if not hidden[i] and not math.isnan(values[i])]
            if len(line) > 1:
                coordinates = " ".join(f"{px:.1f},{py:.1f}" for px, py, _ in line)
                halos.append(f'<polyline class="halo" fill="none" stroke-width="{LINE_WIDTH + 2 * HALO_WIDTH:g}" '
                             f'stroke="{palette.HALO}" stroke-linejoin="round" points="{coordinates}"/>')
                lines.append(f'<polyline fill="none" stroke-width="{LINE_WIDTH:g}" stroke="{style.colour}"'
                             f'{_dasharray(style)} points="{coordinates}"/>')
            points += line
        if not points:
            continue
        halos += [_svg_marker(style, px, py, hollow, halo=True) for px, py, hollow in points]
        lines += [_svg_marker(style, px, py, hollow) for px, py, hollow in points]
        if name in end_texts:  # the last drawn of the lines alike: the one that shows
            end_labels.append([points[-1][1] + 5, end_texts[name], style, points[-1][0] + 8, points[-1][2]])
    parts += halos + lines
    # End labels pushed apart so that lines close together stay readable: a piece of the line with
    # its marker (as its last point), then the name in black (text needs 4.5:1, more than most line
    # colours have). Pushed down they left the chart where the lines end at 0 (its bottom is the
    # years), so the stack then moves up: the lowest name at most level with the axis
    end_labels.sort(key=lambda label: label[0])
    for i in range(1, len(end_labels)):
        end_labels[i][0] = max(end_labels[i][0], end_labels[i - 1][0] + END_LABEL_ROW * len(end_labels[i - 1][1]))
    lowest = y(0) + 5
    for label in reversed(end_labels):
        label[0] = min(label[0], lowest - END_LABEL_ROW * (len(label[1]) - 1))
        lowest = label[0] - END_LABEL_ROW
    for label_y, rows, style, label_x, hollow in end_labels:
        parts.append(f'<line x1="{label_x:.1f}" y1="{label_y - 4:.1f}" x2="{label_x + 22:.1f}" y2="{label_y - 4:.1f}" '
                     f'stroke-width="{LINE_WIDTH:g}" stroke="{style.colour}"{_dasharray(style)}/>'
                     + _svg_marker(style, label_x + 11, label_y - 4, hollow))
        parts += [f'<text x="{label_x + 27:.1f}" y="{label_y + END_LABEL_ROW * i:.1f}" '
                  f'font-size="{END_LABEL_SIZE:g}" fill="#141414">{esc(row)}</text>' for i, row in enumerate(rows)]
    if marks:
        # the key of the routes, as the slides' legend: a black marker, open or filled, and its name
        key_x = left
        for route in source_routes(sources):
            key_style = palette.LineStyle("#000000", "solid", "circle")
            parts.append(_svg_marker(key_style, key_x + 6, height + key_height / 2, palette.open_marker(route))
                         + f'<text x="{key_x + 16}" y="{height + key_height / 2 + 4:.1f}" font-size="13" '
                         f'fill="#141414">{esc(route)}</text>')
            key_x += 30 + 8 * len(route)
    return (f'<figure><svg viewBox="0 0 {width} {height + key_height}" width="100%" role="img" '
            f'aria-label="{esc(title)}" xmlns="http://www.w3.org/2000/svg">{"".join(parts)}</svg>'
            f'<figcaption>{esc(title)}</figcaption></figure>')


# the report's lines: 3 wide, an open marker's edge 2, each on a white band 2 wider on each side
LINE_WIDTH = 3.0
MARKER_OUTLINE = 2.0
HALO_WIDTH = 2.0
# the names at the ends of the lines: 13 px text, a row each 15 px apart, a row at most 170 px
END_LABEL_SIZE = 13.0
END_LABEL_ROW = 15
END_LABEL_WIDTH = 170.0


def _end_label_rows(names: list[str]) -> list[str]:
    """The rows of the name at the end of one line, or of lines that lie on each other: '0-2, 2-4
    en 4-12 jaar' and 'vallen samen', in rows of at most END_LABEL_WIDTH."""
    ages = [name for name in names if name != TOTAL_LABEL]
    named = ([TOTAL_LABEL] if TOTAL_LABEL in names else []) + ([f"{', '.join(ages[:-1])} en {ages[-1]} jaar"
                                                                 if len(ages) > 1 else f"{ages[0]} jaar"]
                                                                if ages else [])
    text = " en ".join(named) if len(named) < 2 or len(ages) < 2 else f"{named[0]}, {named[1]}"
    rows = [""]
    for word in text.split() + (["vallen samen"] if len(names) > 1 else []):
        candidate = f"{rows[-1]} {word}".strip()
        if rows[-1] and _text_width(candidate, END_LABEL_SIZE) > END_LABEL_WIDTH:
            rows.append(word)
        else:
            rows[-1] = candidate
    return rows


def _text_width(text: str, size: float) -> float:
    """A generous width of a text in a sans-serif font (DejaVu Sans, wider than system-ui): the SVG
    is drawn by the reader's browser, whose font the report cannot measure."""
    narrow, wide = " ,.:;-'ijlrtf()", "mwMW"
    return size * sum(0.34 if c in narrow else 0.95 if c in wide else 0.66 for c in text)


def _dasharray(style: palette.LineStyle) -> str:
    dashes = palette.SVG_DASHES.get(style.dash)
    return f' stroke-dasharray="{dashes}"' if dashes else ""


def _svg_marker(style: palette.LineStyle, x: float, y: float, hollow: bool = False, size: float = 4.5,
                halo: bool = False) -> str:
    """A point of a line in the series' marker shape (plotly's names: circle, square, diamond,
    triangle-up); `hollow`: open, only its outline (an estimate, palette.SOURCE_MARKERS). With
    `halo` the white band under it: the same shape filled, HALO_WIDTH beyond its outer edge."""
    if halo:
        width = (MARKER_OUTLINE if hollow else 0) + 2 * HALO_WIDTH
        paint = (f'class="halo" fill="{palette.HALO}" stroke="{palette.HALO}" stroke-width="{width:g}" '
                 'stroke-linejoin="round"')
    else:
        paint = (f'fill="none" stroke="{style.colour}" stroke-width="{MARKER_OUTLINE:g}"' if hollow
                 else f'fill="{style.colour}"')
    if style.symbol == "square":
        return (f'<rect x="{x - size:.1f}" y="{y - size:.1f}" width="{2 * size:.1f}" height="{2 * size:.1f}" '
                f'{paint}/>')
    corners = {"diamond": [(0, -1.3), (1.3, 0), (0, 1.3), (-1.3, 0)],
               "triangle-up": [(0, -1.3), (1.2, 1), (-1.2, 1)]}.get(style.symbol)
    if corners is None:
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{size:.1f}" {paint}/>'
    points = " ".join(f"{x + dx * size:.1f},{y + dy * size:.1f}" for dx, dy in corners)
    return f'<polygon points="{points}" {paint}/>'


def _key_figures(context: Context) -> str | None:
    table, is_estimate, source = exports.children_table(context.con, context.gemeente_code, context.year)
    if len(table.values) <= 1:  # only the total row: no children per wijk, not 0 children
        return f"<p>{esc(exports.population_missing(context.con, context.gemeente_code, context.year))}</p>"
    if context.wijk_code:
        matches = table.values.index[table.values["wijk_code"] == context.wijk_code]
        if len(matches) == 0:
            return None
        index = matches[0]
    else:
        index = table.values.index[-1]
    cards = []
    for column in table.value_columns:
        hide = bool(table.hidden.loc[index, column])
        value = hidden_label() if hide else shown_figure_text(table.values.loc[index, column])
        label = "Kinderen 0-12 jaar" if column == TOTAL_LABEL else f"Kinderen {column} jaar"
        cards.append(f'<div class="card"><div class="value">{esc(value)}</div><div>{esc(label)}</div></div>')
    mismatch = exports.profile_mismatch(context.con, context.gemeente_code, context.year, source)
    return (f'<div class="cards">{"".join(cards)}</div>'
            f"<p class='note'>{esc(exports.source_note(source, labels.on_the_pages))}</p>"
            + (f"<p class='note'><strong>{esc(mismatch)}</strong></p>" if mismatch else ""))


def _map(context: Context) -> str | None:
    geometries = context.con.execute(
        WIJK_GEOMETRIES_SQL + " order by g.region_code",
        [f"WK{context.gemeente_code[2:6]}%", context.year],
    ).df()
    table, _, _ = exports.children_table(context.con, context.gemeente_code, context.year)
    if geometries.empty or len(table.values) <= 1:  # no map of children without children (Kerncijfers says why)
        return None
    rows = table.values[table.values["wijk_code"].notna()]
    values = dict(zip(rows["wijk_code"], rows[TOTAL_LABEL], strict=True))
    hidden = dict(zip(rows["wijk_code"], table.hidden.loc[rows.index, TOTAL_LABEL], strict=True))
    names = dict(zip(rows["wijk_code"], rows["wijk_name"], strict=True))
    # a wijk whose children CBS keeps secret says so, as on the Kaart; one without figures as well
    secret = exports.unknown_wijken(context.con, context.gemeente_code, context.year)
    names.update({code: name for code, name in secret.items() if code not in names})

    def text(code: str) -> str:
        if hidden.get(code, False):
            return ""
        if code in secret:
            return SECRET_LABEL
        return shown_figure_text(values.get(code, float("nan"))) or "geen gegevens"

    drawn = {g.wijk_code: drawable_geometry(g.geometry_json) for g in geometries.itertuples(index=False)}
    shapes = [{"geometry": geometry, "name": names.get(code, code),
               "value": float(values.get(code, float("nan"))), "hidden": bool(hidden.get(code, False)),
               "text": text(code), "highlight": code == context.wijk_code}
              for code, geometry in drawn.items() if geometry is not None]
    title = f"Kinderen 0-12 jaar per wijk, {context.year}"
    if context.wijk_code:
        title += f" (omrand: {context.wijk_label})"
    left_out = [code for code, geometry in drawn.items() if geometry is None]
    note = (f"<p class='note'>{esc(unreadable_boundaries_note(left_out, names))}</p>" if left_out else "")
    return (svg_map(shapes, title) if shapes else "") + note or None


def _per_wijk(context: Context) -> str | None:
    population = exports.population_table(context.con, context.gemeente_code, context.year)
    table = population.suppressed_table()
    rows = table.values.iloc[:-1]
    if rows.empty:
        return None
    # two wijken of one name (after a herindeling, two 'Centrum') each carry their code
    codes = list(rows["wijk_code"])
    shown = labels.wijk_labels(dict(zip(codes, rows["wijk_name"], strict=True)))
    bar_labels = [shown[code] for code in codes]
    chosen = bar_labels[codes.index(context.wijk_code)] if context.wijk_code in codes else context.wijk_name
    chart = svg_bars(bar_labels, list(rows[TOTAL_LABEL]), list(table.hidden.iloc[:-1][TOTAL_LABEL]),
                     f"Kinderen 0-12 jaar per wijk, {context.year}"
                     + (f" (vet en omrand: {chosen})" if context.wijk_code else ""),
                     codes=codes, highlight=context.wijk_code)
    if context.wijk_code:
        return chart
    # wijken whose children CBS keeps secret: a row 'onbekend (CBS geheim)' each, not left out
    secret = exports.unknown_wijken(context.con, context.gemeente_code, context.year)
    frame = exports.children_per_wijk(population, secret)
    unknown = exports.unknown_note(context.con, context.gemeente_code, context.year) if secret else ""
    return chart + html_table(frame) + "".join(
        f"<p class='note'>{esc(note)}</p>" for note in (unknown, population.protection_note()) if note)


def _trend(context: Context) -> str | None:
    values, hidden, sources = exports.wijk_rows_over_years(context.con, context.gemeente_code, context.wijk_code)
    if values.empty:
        return None
    years = [int(y) for y in values.index]
    series = {column: (list(values[column].astype(float)), list(hidden[column])) for column in values.columns
              if column != TOTAL_LABEL}
    where = context.wijk_name if context.wijk_code else context.gemeente_name
    period = f"{years[0]}-{years[-1]}" if len(years) > 1 else str(years[0])
    # the lines break where CBS re-bounded the wijk or the gemeente (Indeling.series,
    # .gemeente_series) and where the source changes, as on Trends and the slides
    found = indeling_of(context.con, context.gemeente_code)
    areas = [found.series(context.wijk_code, y) if context.wijk_code else found.gemeente_series(y) for y in years]
    chart = svg_lines(years, series, f"Kinderen per leeftijdsgroep, {where}, {period}", areas=areas,
                      sources=sources)
    if len(years) == 1:  # as Trends says it: one year is no development (a real gemeente, one kwb)
        chart += (f"<p class='note'>Alleen {years[0]} heeft cijfers: een ontwikkeling vraagt om twee "
                  "of meer jaren. Laad de kerncijfers (kwb) van een ander jaar op de pagina Gemeente "
                  "laden.</p>")
    frame = values.map(shown_figure).astype(object).where(~hidden, hidden_label())
    frame.insert(0, "Jaar", [str(y) for y in years])
    frame.insert(1, "Bron", [source_kind(sources.get(y, "")) for y in years])
    note = source_break_note(sources)
    return chart + html_table(frame.reset_index(drop=True)) + (
        f"<p class='note'>Bron per jaar: {esc(sources_by_year_text(sources))}; elk jaar zoals in de tabel "
        f"per wijk van dat jaar.{' ' + esc(note) if note else ''}</p>") + _other_area(context)


def _other_area(context: Context) -> str:
    """The warning where CBS marks the gemeente (report) or the wijk (factsheet) as another area
    than the year before in a year of the trend, as Continuüm and Trends say it; else ''."""
    found = indeling_of(context.con, context.gemeente_code)
    note = (wijk_note(found, context.wijk_code, context.wijk_name) if context.wijk_code
            else gemeente_note(found, context.gemeente_name))
    return f"<p class='warning'>{esc(note)}</p>" if note else ""


NOT_LOADED = "niet geladen (LRK)"


def _gap(context: Context) -> str | None:
    rows = protected_gap(context.con, context.gemeente_code, context.year)
    # every component Tekorten shows, specialistische inzet (niveau 3 in the regular group, both
    # perspectives) too: the report left it out
    rows = rows[rows["component"].isin(['reguliere_plekken', 'ondersteuning_professionals',
                                        'aparte_groep', 'opnamegrens', 'specialistische_inzet'])]
    if context.wijk_code:
        rows = rows[rows["wijk_code"] == context.wijk_code]
    if rows.empty:
        return None
    from transforms.privacy import estimate_range, round_estimate

    # without an LRK export of the gemeente its regular places are unknown, not 0 (the inclusief
    # opnamegrens follows from them): 'niet geladen', never a shortage of the whole demand
    lrk_missing = bool(rows["supply_year"].isna().all())
    lrk_year = labels.lrk_year_text(rows["supply_year"], context.year)
    # one row per component and age group, never summed over the age groups: a spare BSO place
    # cannot take a baby, and support delivered (row 7) for peuters says nothing of the others
    by = ["niveau", "perspective", "component", "supply_unit", "age_group"]
    sums = ["demand_low", "demand_high", "need_low", "need_high", "supply"]
    if not context.wijk_code:
        # the wijken of the gemeente per age group: the balance over the wijken, as on Tekorten
        rows = gemeente_rows(rows, by, sums)
    unknown = rows["component"].isin(["reguliere_plekken", "opnamegrens"]) & lrk_missing
    rows = rows.assign(supply=rows["supply"].mask(unknown), places_unknown=unknown)
    frame = rows.assign(gap_low=rows["need_low"] - rows["supply"],
                        gap_high=rows["need_high"] - rows["supply"])
    frame = frame.sort_values(["niveau", "perspective", "component", "age_group"],
                              ascending=[True, False, True, True])

    def ranged(prefix: str) -> list[str]:
        # the gap follows from the support (row 7): hidden with it
        hidden = frame["supply_hidden"] if prefix == "gap" else [False] * len(frame)
        return ["afgeschermd" if hide else estimate_range(lo, hi) if pd.notna(lo) else
                NOT_LOADED if no_lrk else "niet geleverd"
                for lo, hi, hide, no_lrk in zip(frame[f"{prefix}_low"], frame[f"{prefix}_high"], hidden,
                                                frame["places_unknown"], strict=True)]

    gap_header = "Tekort (saldo over de wijken)" if not context.wijk_code else "Tekort"
    table = pd.DataFrame({
        "Niveau": frame["niveau"].astype(str),
        "Perspectief": frame["perspective"],
        "Onderdeel": frame["component"].map(labels.COMPONENT_SHORT_LABELS),
        "Leeftijd": [f"{a} jaar" for a in frame["age_group"]],
        "Kinderen (schatting)": ranged("demand"),
        "Nodig (schatting)": ranged("need"),
        "Aanbod (waargenomen)": [hidden_label() if hide else NOT_LOADED if no_lrk
                                 else "niet geleverd" if pd.isna(v) else format_number(round_estimate(v))
                                 for v, hide, no_lrk in zip(frame["supply"], frame["supply_hidden"],
                                                            frame["places_unknown"], strict=True)],
        "Eenheid": [labels.supply_unit_text(c, u) for c, u in zip(frame["component"], frame["supply_unit"],
                                                                    strict=True)],
        gap_header: ranged("gap"),
    })
    if lrk_missing:
        where_lrk = (" Reguliere plekken en de opnamegrens: 'niet geladen (LRK)', want voor deze gemeente "
                     "is geen export van het Landelijk Register Kinderopvang geladen; het tekort is dan "
                     "onbekend, niet de hele vraag.")
    else:
        where_lrk = f" Reguliere plekken en de opnamegrens: {lrk_year}" if lrk_year else ""
    where = ("" if context.wijk_code else
             " Voor de gemeente is het tekort het saldo over de wijken van die leeftijdsgroep.")
    body = html_table(table) + (
        "<p class='note'>Modeluitkomst met de standaardaannames, per leeftijdsgroep en afgerond: "
        "nodig min aanbod, in de eenheid van het aanbod (plekken zijn gelijktijdig: kinderen ÷ "
        "kinderen per plek). Leeftijdsgroepen worden niet opgeteld: ruimte over in de ene "
        "leeftijdsgroep telt niet mee voor een tekort in een andere (een BSO-plek past geen baby), "
        "en waar ondersteuning (rij 7) voor een leeftijdsgroep niet is geleverd staat 'niet "
        f"geleverd'.{where}{where_lrk} {labels.NOEMER_RULE} {labels.regular_places_noemer()} Passend "
        f"en inclusief staan naast elkaar; de handreiking kiest geen perspectief. {labels.GAP_ROUNDING_NOTE}</p>")
    separate = frame[frame["component"] == "aparte_groep"]
    if not separate.empty and separate["supply"].isna().all():
        body += f"<p class='note'>{esc(labels.ROW_10_NOT_DELIVERED)}</p>"
    # wijken and age groups without an estimate: their BRP count is hidden (not in the sums)
    hidden_cells = [row for row in context.con.execute(MODEL_HIDDEN_SQL, [context.gemeente_code,
                                                                          context.year]).fetchall()
                    if not context.wijk_code or row[0] == context.wijk_code]
    if hidden_note := model_hidden_note(hidden_cells):
        body += f"<p class='note'>{esc(hidden_note)}</p>"
    if context.wijk_code:
        if not separate.empty:
            body += ("<p class='note'>Aparte groepen (passend) worden voor de gemeente als geheel geteld: "
                     "wijken delen een groep. Het aantal staat in het gemeenterapport.</p>")
        return body
    return body + _groups_needed(context) + (_niveau_4(context) or "")


def _groups_needed(context: Context) -> str:
    """The plus-groups the gemeente needs (passend), per age group, as Tekorten, the gap slide and
    the workbook's sheet 'Aparte groepen (passend)' say it: whole groups over the wijken."""
    frame = context.con.execute(
        "select age_group, group_size, groups_needed_low, groups_needed_mid, groups_needed_high "
        "from groups_by_gemeente where gemeente_code = ? and year = ? order by age_group",
        [context.gemeente_code, context.year]).df()
    if frame.empty:
        return ""
    parts = []
    for row in frame.itertuples(index=False):
        ages = f"{row.age_group} jaar (groepen van {format_number(row.group_size)} plekken)"
        if pd.isna(row.groups_needed_mid):
            parts.append(f"{ages}: niet geleverd (plekken in plusgroepen, rij 10)")
            continue
        spread = ("" if row.groups_needed_low == row.groups_needed_high else
                  f" (laag-hoog {format_number(row.groups_needed_low)}-{format_number(row.groups_needed_high)})")
        parts.append(f"{ages}: {format_number(row.groups_needed_mid)} bij de middenschatting{spread}")
    return ("<p><strong>Aparte groepen nodig in de gemeente (passend)</strong>, wijken delen een groep: "
            + esc("; ".join(parts)) + ".</p><p class='note'>Modeluitkomst: het tekort aan plekken in "
            "aparte groepen over de hele gemeente, in hele groepen; een tekort van minder dan één groep "
            "vraagt geen groep, en voor 0-2 jaar zijn er geen aparte groepen. Inclusief: geen aparte "
            "groepen.</p>")


def _niveau_4(context: Context) -> str | None:
    """Niveau 4 per age group (regional): children, children per place and places needed, so
    that children and places are never compared without the conversion (row 10)."""
    from transforms.partner_tables import dagbehandeling, provisions_hidden
    from transforms.privacy import estimate_range, round_estimate

    niveau_4 = context.con.execute("""
        select age_group, demand_low, demand_high, children_per_place, places, gap_low, gap_high,
               dagbehandeling_count
        from niveau4_by_gemeente where gemeente_code = ? and year = ? order by age_group""",
        [context.gemeente_code, context.year]).df()
    if niveau_4.empty or niveau_4["demand_low"].isna().all():
        return None
    # children per place of row 10 is a rate of a count of children: hidden where that count is
    cpp_hidden = "kdc_mkd" in provisions_hidden(context.con, context.gemeente_code, context.year)
    cells = dagbehandeling(context.con, context.gemeente_code, context.year)
    table = pd.DataFrame({
        "Leeftijd": [f"{a} jaar" for a in niveau_4["age_group"]],
        "Niveau 4, alle kinderen (schatting)": [estimate_range(lo, hi) for lo, hi in
                                                zip(niveau_4["demand_low"], niveau_4["demand_high"],
                                                    strict=True)],
        "Kinderen per plek": ["afgeschermd" if cpp_hidden else format_number(v, 2)
                              for v in niveau_4["children_per_place"]],
        "Plekken nodig (schatting)": [estimate_range(lo / c, hi / c) if pd.notna(c) else "" for lo, hi, c in
                                      zip(niveau_4["demand_low"], niveau_4["demand_high"],
                                          niveau_4["children_per_place"], strict=True)],
        # no partner delivered row 10: the places and so the shortage are unknown, not 0
        "Plekken KDC/MKD": ["niet geleverd" if pd.isna(v) else format_number(round_estimate(v))
                            for v in niveau_4["places"]],
        "Tekort plekken": ["niet geleverd" if pd.isna(lo) else estimate_range(lo, hi) for lo, hi in
                           zip(niveau_4["gap_low"], niveau_4["gap_high"], strict=True)],
        # as Tekorten and the workbook: the children in jeugdhulp dagbehandeling (row 9), protected
        "Jeugdhulp dagbehandeling, kinderen (waargenomen)": [
            "niet geleverd" if pd.isna(v) else exports.protected_cell_text(cells.get(age))
            for v, age in zip(niveau_4["dagbehandeling_count"], niveau_4["age_group"], strict=True)],
    })
    not_delivered = (f"<p class='note'>{esc(labels.ROW_10_NOT_DELIVERED)}</p>"
                     if niveau_4["places"].isna().all() else "")
    return ("<p>Niveau 4 (regionaal, alle kinderen), per leeftijdsgroep: kinderen ÷ kinderen per "
            "plek = plekken nodig (gelijktijdig); tekort = plekken nodig min plekken KDC/MKD.</p>"
            + html_table(table) + not_delivered)


def _assumptions(context: Context) -> str | None:
    if "stg_model__parameters" not in exports.existing_tables(context.con):
        return None
    frame = context.con.execute("select * from stg_model__parameters").df()
    wanted = [c for c in ("label_nl", "low", "value", "high", "unit", "source") if c in frame.columns]
    if frame.empty or not wanted:
        return None
    frame = frame[wanted].copy()
    # as the pages write them (ui.continuum.parameter_table): a share as a percentage
    share = frame["unit"].eq("aandeel") if "unit" in frame else pd.Series(False, index=frame.index)
    for column in ("low", "value", "high"):
        if column in frame:
            frame[column] = [
                "" if pd.isna(value) else f"{format_number(value * 100, 1)}%" if is_share
                else format_number(value, 0 if float(value).is_integer() else 1)
                for value, is_share in zip(frame[column], share, strict=True)]
    if "unit" in frame:
        frame["unit"] = frame["unit"].where(~share, "%")
    frame = frame.rename(columns={"label_nl": "Aanname", "low": "Laag", "value": "Midden", "high": "Hoog",
                                  "unit": "Eenheid", "source": "Bron"})
    body = html_table(frame, decimals=3)
    return body + "<p class='note'>De standaardwaarden van het model; op de pagina's kunt u ze aanpassen.</p>"


def _sources(context: Context) -> str | None:
    loads = exports.deliveries(context.con, context.gemeente_code)
    frame = pd.DataFrame({
        "Bron": loads["source"].map(lambda s: labels.LOAD_SOURCE_LABELS.get(s, s)),
        "Gegevens": loads["dataset"], "Tabel of soort": loads["table_id"], "Organisatie": loads["organisation"],
        "Periode": loads["period"], "Geladen op": loads["loaded_at"].map(
            lambda t: t.strftime("%d-%m-%Y %H:%M") if pd.notna(t) else ""),
    })
    counts = exports.holds_counts(context.con, context.gemeente_code)
    return html_table(frame) + f"<p class='note'>{esc(exports.suppression_note(min_count(), counts))}</p>"


def _deliveries(context: Context) -> str | None:
    frame = exports.delivery_status(context.con, context.gemeente_code, context.year)
    if frame.empty:
        return None
    frame = frame.drop(columns=[c for c in ("Soort",) if c in frame.columns])
    if "Laatst geleverd" in frame.columns:
        frame["Laatst geleverd"] = frame["Laatst geleverd"].map(
            lambda t: t.strftime("%d-%m-%Y %H:%M") if pd.notna(t) else "")
    if "Rij handreiking" in frame.columns:
        frame["Rij handreiking"] = frame["Rij handreiking"].astype(str)
    return html_table(frame)




# Every section, in the document's order.
SECTIONS = [
    Section("kerncijfers", "Kerncijfers", _key_figures),
    Section("kaart", "Kaart", _map),
    Section("per_wijk", "Kinderen per wijk", _per_wijk),
    Section("tekort", "Vraag, aanbod en tekort per niveau", _gap, requires=("gap_by_wijk_niveau",)),
    Section("trend", "Ontwikkeling over de jaren", _trend),
    Section("aanlevering", "Aanlevering van gegevens", _deliveries, scope=("gemeente",)),
    Section("aannames", "Aannames van het model", _assumptions, requires=("stg_model__parameters",)),
    Section("bronnen", "Bronnen en afscherming", _sources),
]


STYLE = """
@page { size: A4; margin: 15mm; }
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #111; max-width: 180mm;
       margin: 0 auto; padding: 1em; line-height: 1.4; }
h1 { font-size: 22pt; margin-bottom: 0; } h2 { font-size: 15pt; border-bottom: 2px solid #0072B2; }
.subtitle { color: #333; margin-top: .2em; }
section { break-inside: avoid; page-break-inside: avoid; margin-bottom: 1.2em; }
figure { margin: .5em 0; break-inside: avoid; } figcaption { font-size: 10pt; color: #333; }
svg text { font-family: inherit; fill: #111; }
table { border-collapse: collapse; width: 100%; font-size: 9.5pt; margin: .5em 0; }
""" + f"""th, td {{ border: 1px solid {palette.TABLE_RULE}; padding: 2px 6px; text-align: left; vertical-align: top; }}
""" + """td.num { text-align: right; }
thead { display: table-header-group; } tr { break-inside: avoid; }
.cards { display: flex; gap: 1em; flex-wrap: wrap; }
.card { border: 2px solid #0072B2; border-radius: 6px; padding: .5em 1em; min-width: 8em; }
.card .value { font-size: 20pt; font-weight: bold; }
.note { font-size: 9.5pt; color: #333; }
.warning { font-size: 10.5pt; color: #111; border-left: 4px solid #D55E00; padding: .2em .6em; }
.legend { font-size: 10pt; } .swatch { display: inline-block; width: 1em; height: 1em;
  vertical-align: middle; margin: 0 .3em 0 .8em; box-sizing: border-box; }
* { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
"""


def _document(context: Context, scope: str, heading: str,
              sections: list[Section] | None = None) -> str:
    present = exports.existing_tables(context.con)
    parts = []
    for section in SECTIONS if sections is None else sections:
        if scope not in section.scope or not set(section.requires) <= present:
            continue
        body = section.build(context)
        if body:
            parts.append(f'<section id="{esc(section.key)}"><h2>{esc(section.title)}</h2>{body}</section>')
    made = f"Gemaakt op {datetime.now():%d-%m-%Y %H:%M} met Kindkaart. Afdrukken als PDF: Ctrl+P / Cmd+P."
    return (f'<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><title>{esc(heading)}</title>'
            f'<style>{STYLE}</style></head><body><h1>{esc(heading)}</h1>'
            f'<p class="subtitle">{esc(made)}</p>{"".join(parts)}</body></html>')


def gemeente_report(con: duckdb.DuckDBPyConnection, gemeente_code: str, year: int,
                    sections: list[Section] | None = None) -> str:
    """The gemeente report: every section with scope 'gemeente', as one HTML page."""
    context = Context(con, gemeente_code, year)
    return _document(context, "gemeente", f"Kindkaart {context.gemeente_name} {year}", sections)


def wijk_factsheet(con: duckdb.DuckDBPyConnection, gemeente_code: str, year: int, wijk_code: str,
                   sections: list[Section] | None = None) -> str:
    """The factsheet of one wijk: every section with scope 'wijk', as one HTML page."""
    context = Context(con, gemeente_code, year, wijk_code)
    return _document(context, "wijk", f"Wijkfactsheet {context.wijk_label} ({context.gemeente_name}) {year}",
                     sections)
