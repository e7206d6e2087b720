"""Colours: colour-blind-safe palettes (Okabe-Ito, viridis) readable on a projector; key figures
and plain tables drawn as single light elements."""

from __future__ import annotations

import functools
import math
import unicodedata
from typing import TYPE_CHECKING

from outputs.palette import (  # noqa: F401  (the pages take their colours from ui.theme)
    AGE_GROUP_COLOURS,
    AGE_GROUP_LINES,
    BOUNDARY_DARK,
    BOUNDARY_LIGHT,
    CATEGORICAL,
    GRID_LINE,
    HIDDEN_FILL,
    HIDDEN_LEGEND,
    LINE_COLOURS,
    LINE_DASHES,
    NIVEAU_COLOURS,
    NIVEAU_LINES,
    SEQUENTIAL,
    SOURCE_BREAK_LINE,
    SOURCE_MARKERS,
    LineStyle,
    boundary_colour,
    class_breaks,
    class_colour,
    open_marker,
    rgb,
)

if TYPE_CHECKING:
    import plotly.graph_objects as go

# the grid, axis and zero lines of plotly_white, a shade lighter (outputs.palette.GRID_LINE)
WHITE_GRID = GRID_LINE


def hex_to_rgb(colour: str, alpha: int = 220) -> list[int]:
    """'#0072B2' -> [0, 114, 178, alpha] for pydeck."""
    return list(_rgb(colour, alpha))


@functools.lru_cache(maxsize=64)
def _rgb(colour: str, alpha: int) -> tuple[int, ...]:
    colour = colour.lstrip("#")
    return (*(int(colour[i:i + 2], 16) for i in (0, 2, 4)), alpha)


def sequential_colour(value: float, breaks: list[float]) -> list[int]:
    """The fill colour of a value in its class, for pydeck; grey for a hidden or missing value."""
    colour = class_colour(value, breaks)
    return hex_to_rgb(colour, alpha=200 if colour == HIDDEN_FILL else 220)


def deck_line_colour(fill: list[int], background: str, opacity: float = 1.0) -> list[int]:
    """The boundary of a wijk of `fill` (r, g, b, alpha) on the deck.gl map over `background`
    (outputs.palette.boundary_colour), judged by the colour as shown: the fill's alpha and the
    layer's `opacity` let the background through, which makes a light class lighter still."""
    alpha = fill[3] / 255 * opacity
    shown = tuple(round(alpha * f + (1 - alpha) * b) for f, b in zip(fill[:3], rgb(background), strict=True))
    return hex_to_rgb(boundary_colour(shown, background), alpha=255)


# the outline of a bar, wide enough to be seen beside its neighbour in a stack
BAR_LINE_WIDTH = 1.5


def _bar_colours(trace) -> list[str] | str | None:
    colour = trace.marker.color
    if colour is None or isinstance(colour, str):
        return colour
    return [c if isinstance(c, str) else None for c in colour]


def outline_bars(figure: go.Figure) -> go.Figure:
    """WCAG 1.4.11: every bar whose colour has less than 3:1 against the white chart (light blue,
    orange, the grey of 'geen kinderopvang') gets a dark outline, the others a white one that
    parts them from their neighbours (outputs.palette.boundary_colour). A bar without a colour
    of its own (plotly's) gets the dark one; an outline the chart set itself stays."""
    for trace in figure.data:
        if trace.type != "bar" or trace.marker.line.color is not None:
            continue
        colours = _bar_colours(trace)
        if isinstance(colours, list):
            line = [BOUNDARY_DARK if c is None else boundary_colour(c) for c in colours]
        else:
            line = BOUNDARY_DARK if colours is None else boundary_colour(colours)
        trace.marker.line.color = line
        trace.marker.line.width = BAR_LINE_WIDTH
    return figure


def key_figures(figures: list[tuple[str, str]]) -> None:
    """Key figures in a row of large numbers with their labels, as one element (a row of
    st.metric columns is several components per figure and slows the first page in the browser).
    Labels and values are escaped; the structure is a description list for screen readers."""
    import html

    import streamlit as st

    items = "".join(
        f"<div style='flex:1 1 10rem'><dt style='font-size:0.95rem;color:#31333F'>"
        f"{html.escape(label)}</dt><dd style='margin:0;font-size:2.25rem;line-height:1.3'>"
        f"{html.escape(value)}</dd></div>"
        for label, value in figures
    )
    st.markdown(f"<dl style='display:flex;flex-wrap:wrap;gap:1rem;margin:0.5rem 0'>{items}</dl>",
                unsafe_allow_html=True)


def html_table(columns: list[str], rows: list[list[str]], caption: str, *, numeric_from: int = 0,
               total_last: bool = False) -> None:
    """A plain table as one element (outputs.html.table): numbers right-aligned (the columns from
    `numeric_from` on), horizontal rules only, a caption for screen readers. With `total_last` the
    last row is the total, in bold in the table's foot. (st.table converts its data with pandas;
    the first page draws without it.)"""
    import html

    import streamlit as st

    from outputs.html import table

    header = [(name, i >= numeric_from) for i, name in enumerate(columns)]
    cells = [[(str(value), i >= numeric_from) for i, value in enumerate(row)] for row in rows]
    # In a box of its own that scrolls sideways on a narrow screen (320 px, WCAG 1.4.10), so that
    # the page does not; the box can get the keyboard focus to scroll it, named after the table.
    st.markdown(f"<div role='region' tabindex='0' aria-label='{html.escape(caption, quote=True)}' "
                "style='overflow-x:auto;max-width:100%'>"
                f"{table(header, cells, caption=caption, total_last=total_last, inline_style=True)}</div>",
                unsafe_allow_html=True)


# Streamlit's grid (st.dataframe, Glide Data Grid) sizes a column from its first nine rows and its
# last, and leaves out a value twice as wide as their mean: a later or a rarer long value (two
# times 'schooljaar 2024-2025' among eight times '2024') was cut off. grid_column_width gives a
# width that fits every value: px of Source Sans at 14 px as the grid draws it, measured in
# Chromium and rounded up (tests/test_browser_aanleveren.py checks it against the browser).
_GRID_CHAR_WIDTHS = ((3.7, " |ijl'.,:;’I"), (4.9, "!f()[]{}-tr/\\"), (6.6, "*sz?\"xcvy"),
                     (7.1, "0123456789YJLFkeag#$+<=>^~€_–"), (9.4, "KBDGUNHOQ&"), (12.0, "wmMW%@—"),
                     (13.3, "…"))
_GRID_CHAR_WIDTH = 8.0       # every other Latin letter and sign (at most 7.99: C, R, P, o, u)
_GRID_WIDE_CHAR = 14.0       # CJK and other full-width characters: one em
GRID_CELL_PADDING = 8        # left and right of a cell's text


def grid_text_width(text: str) -> float:
    """A generous width in px of `text` in a cell of Streamlit's grid (an accented letter as wide
    as the letter without its accent)."""
    def char_width(char: str) -> float:
        base = unicodedata.normalize("NFD", char)[0]
        for width, chars in _GRID_CHAR_WIDTHS:
            if base in chars:
                return width
        return _GRID_WIDE_CHAR if unicodedata.east_asian_width(base) in "WF" else _GRID_CHAR_WIDTH
    return sum(char_width(char) for char in text)


def grid_column_width(label: str, values) -> int:
    """A width in px for a column of st.dataframe that shows its title and every one of `values`
    whole (for st.column_config's `width=`)."""
    widest = max(grid_text_width(text) for text in [label, *map(str, values)])
    return math.ceil(widest + 2 * GRID_CELL_PADDING)


def title_lines(title: str, width: int) -> str:
    """A panel's title in lines of at most `width` characters (a longer word on a line of its
    own), joined with plotly's <br>: plotly never wraps, and a title wider than its panel ran off
    the chart on a narrow screen (WCAG 1.4.10)."""
    lines: list[str] = []
    for word in title.split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines)


def white_background(figure: go.Figure) -> go.Figure:
    """The look of plotly's 'plotly_white' template, set property by property on the axes that
    exist: naming the template makes plotly copy and validate all of it, 10-30 ms per chart."""
    figure.update_layout(plot_bgcolor="white", paper_bgcolor="white")
    lines = {"gridcolor": WHITE_GRID, "linecolor": WHITE_GRID, "zerolinecolor": WHITE_GRID}

    def light_lines(axis) -> None:
        # a line colour the chart set stays: the gap slide's black zero line (shortage left of it,
        # room to spare right) was turned into the grid's #EEF2F8 (1.1:1) when the page drew it
        axis.update({name: colour for name, colour in lines.items() if axis[name] is None})

    figure.for_each_xaxis(light_lines)
    figure.for_each_yaxis(light_lines)
    return figure


# Chart text on white: near-black (16:1). Streamlit's own chart theme draws ticks and legends in
# #808495 (3.7:1), below the 4.5:1 of WCAG 1.4.3.
CHART_TEXT = "#1F2028"
CHART_FONT = "'Source Sans Pro', 'Source Sans 3', sans-serif"


def screen_look(figure: go.Figure) -> go.Figure:
    """The house look of a chart on a page (ui.safe.plotly_chart draws it without Streamlit's
    theme): white background with light grid lines, all text near-black in the app's font, at
    least 15 px unless the chart sets its own size, bars outlined (outline_bars). A colour or size
    the chart set stays."""
    white_background(figure)
    font = figure.layout.font
    figure.update_layout(font={"family": font.family or CHART_FONT, "color": font.color or CHART_TEXT,
                               "size": font.size or 15})
    outline_bars(figure)
    # Dutch numbers on the axes and in hover texts: 18.000 kinderen and 2,5 per 100, as the tables
    # and key figures write them; Plotly's default writes 18,000 (eighteen, to a Dutch reader) and
    # 2.5. Each page sets it on its charts; here for any chart that does not. Four digits stay
    # unseparated, as Plotly writes them, so that a year stays 2024.
    if figure.layout.separators is None:
        figure.update_layout(separators=",.")
    # long wijk names under a bar take the room they need instead of being cut off
    figure.update_xaxes(automargin=True)
    figure.update_yaxes(automargin=True)
    return figure


# A marker shape per series (line charts of wijken): colour alone does not tell them apart
# (WCAG 1.4.1), and the palette repeats after seven. Each shape has an open form for estimates.
SERIES_SYMBOLS = ("circle", "square", "diamond", "triangle-up", "triangle-down", "pentagon", "hexagon",
                  "star", "hourglass", "bowtie")


# Every series of a line chart of wijken its own style: colour (LINE_COLOURS), then after every
# colour once the next dash, and a marker that moves one shape on with each colour and each dash,
# so that two series differ in at least two of colour, dash and marker up to SERIES_STYLES (30):
# the two of the same colour in their dash and marker, the two of the same dash in their colour and
# marker. Before, the marker followed the series' number alone and every style came back after 30.
SERIES_STYLES = len(LINE_COLOURS) * len(LINE_DASHES)


def series_style(index: int) -> LineStyle:
    """The line style of the `index`th series of a chart of wijken (SERIES_STYLES of them differ)."""
    colour, dash = index % len(LINE_COLOURS), index // len(LINE_COLOURS) % len(LINE_DASHES)
    return LineStyle(LINE_COLOURS[colour], LINE_DASHES[dash], SERIES_SYMBOLS[(colour + dash) % len(SERIES_SYMBOLS)])


# Trends draws at most this many wijken at once (the reader picks which; every wijk is in the
# table). A style of its own for each of 99 wijken (Amsterdam) would exist, but 99 lines over five
# years are one tangle and a legend longer than the chart: nobody can follow one wijk in it. Fifteen
# lines (60 of the 342 gemeenten have more wijken) still part by two of colour, dash and marker.
MAX_TREND_LINES = 15


def _symbol(shape: str, route: str) -> str:
    return f"{shape}-open" if open_marker(route) else shape


def add_sourced_line(figure: go.Figure, years: list[int], values: list[float], sources: dict[int, str], *,
                     name: str, colour: str, width: float, marker_size: int, hovertemplate: str,
                     dash: str = "solid", shape: str = "circle", texts: list[str] | None = None,
                     areas: list[str] | None = None) -> None:
    """One series over the years, broken where the route of the figures changes (sources: year ->
    PopulationTable.source): a trace per run of years with the same route, not joined, with an
    open marker for estimates and a filled one for counts (SOURCE_MARKERS). One legend entry per
    series. `hovertemplate` may use %{customdata} (the route in words) and %{text} (`texts`: each
    figure as the page's table shows it, '<1' and fives above 100 for an estimate). `shape`: the
    series' marker (SERIES_SYMBOLS), open for estimates. `areas`: per year the wijk's or the
    gemeente's line (transforms.indeling.Indeling.series, .gemeente_series), so that the line breaks
    where CBS re-bounded it. The runs: transforms.indeling.sourced_line_runs, as report.svg_lines."""
    from transforms.indeling import sourced_line_runs
    from transforms.population import source_kind, source_route

    runs = sourced_line_runs(years, sources, areas)
    for number, run in enumerate(runs):
        route = source_route(sources.get(years[run[0]], ""))
        figure.add_scatter(
            x=[years[i] for i in run], y=[values[i] for i in run], name=name, legendgroup=name,
            showlegend=number == 0, mode="lines+markers", connectgaps=False,
            line={"width": width, "color": colour, "dash": dash},
            marker={"size": marker_size, "symbol": _symbol(shape, route), "color": colour,
                    "line": {"width": max(2, marker_size // 5), "color": colour}},
            customdata=[source_kind(sources.get(years[i], "")) or "bron onbekend" for i in run],
            text=[texts[i] for i in run] if texts is not None else None,
            hovertemplate=hovertemplate)


def mark_source_breaks(figure: go.Figure, sources: dict[int, str], font_size: int = 14) -> None:
    """Where the route changes between two years: a dashed vertical line with 'bron wisselt:
    schatting → telling', and legend entries for the open and filled markers
    (transforms.population.source_break_marks, as the report's outputs.report.svg_lines)."""
    from transforms.population import source_break_marks, source_routes

    marks = source_break_marks(sources)
    if not marks:
        return
    for mark in marks:
        figure.add_vline(x=mark.year - 0.5, line=SOURCE_BREAK_LINE,
                         annotation={"text": mark.text, "font": {"size": font_size}, "bgcolor": "#ffffff"},
                         annotation_position="top left" if mark.text_before else "top right")
    for route in source_routes(sources):
        figure.add_scatter(x=[None], y=[None], mode="markers", name=route, legendgroup=f"bron {route}",
                           marker={"size": 12, "symbol": SOURCE_MARKERS.get(route, "circle"), "color": "#000000",
                                   "line": {"width": 2, "color": "#000000"}},
                           hoverinfo="skip")
