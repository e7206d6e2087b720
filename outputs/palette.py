"""Colours and class breaks, one home for the screen, the slides and the printed report."""

from __future__ import annotations

import bisect
import functools
import math
from dataclasses import dataclass

# Okabe-Ito: distinguishable with every common form of colour blindness.
CATEGORICAL = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
               "#000000"]
AGE_GROUP_COLOURS = {"0-2": "#56B4E9", "2-4": "#0072B2", "4-12": "#E69F00"}
NIVEAU_COLOURS = {1: "#56B4E9", 2: "#009E73", 3: "#E69F00", 4: "#D55E00"}
# viridis, light to dark reversed so that more is darker on a light background
SEQUENTIAL = ["#fde725", "#a0da39", "#4ac16d", "#1fa187", "#277f8e", "#365c8d", "#46327e",
              "#440154"]
HIDDEN_FILL = "#bebebe"
# what a grey wijk means on every map: a hidden count, or no figure at all (CBS keeps the wijk's
# children secret, or nothing was delivered for it)
HIDDEN_LEGEND = "afgeschermd of onbekend"
HIGHLIGHT = "#D55E00"
# WCAG 1.4.11: a mark (a wijk, a bar, a legend square) needs 3:1 against what lies around it. The
# yellow-green viridis classes, light blue and orange of Okabe-Ito and the grey of a hidden wijk
# have less against white, so they are drawn with a dark boundary (12.6:1 against white, 3:1 or
# more against each of those fills); the darker fills stand out by themselves and keep the white
# line that separates two of them. The fills stay as they are: the palettes are colour-blind-safe.
NON_TEXT_CONTRAST = 3.0
BOUNDARY_DARK = "#333333"
BOUNDARY_LIGHT = "#ffffff"


@dataclass(frozen=True)
class LineStyle:
    """How one series is drawn as a line: colour, dash (plotly's names) and marker shape."""

    colour: str
    dash: str
    symbol: str


# Lines and markers (1.4.11): a line has no outline in plotly, so its own colour needs 3:1 against
# everything it is drawn on: the white chart and the grid lines it crosses (GRID_LINE). Light blue
# and orange (2.3:1) stay for areas, which get a dark outline; lines take the darker members of
# Okabe-Ito (blue 5.2:1 on white, vermillion 3.9, bluish green 3.4, black) and a darker reddish
# purple, #AA3377 (6.1:1): Okabe-Ito's own #CC79A7 has 3.06:1 on white and 2.7:1 on the grid. It is
# the purple of Paul Tol's colour-blind-safe "bright" scheme, and stays as far from the other line
# colours with protanopia, deuteranopia and tritanopia as #CC79A7 did (its closest, bluish green with
# deuteranopia, a little further). Each series also has a dash and a marker shape of its own, so
# that colour is not the only thing that tells two lines apart (1.4.1). Where a bar has a light
# colour, its line takes a dark one of the same family where there is one (light blue -> blue,
# orange -> vermillion), else one not used by the others.
LINE_COLOURS = ["#0072B2", "#D55E00", "#009E73", "#AA3377", "#000000"]
# The grid of every chart (screen, slides, report): plotly_white's #EBF0F8 a shade lighter, so that
# bluish green keeps 3:1 where it crosses a grid line (2.99:1 on #EBF0F8; the report's #ddd gave
# vermillion 2.9 and bluish green 2.5).
GRID_LINE = "#EEF2F8"
# The axis of the report's charts, where the values start (the zero of a line chart): a graphical
# object that carries meaning, so 3:1 or more against the white page (9.7:1); the grid above it is
# decorative (the table under each chart gives the figures) and stays light.
AXIS_LINE = "#444444"
# The band under every line and marker of the report's line chart: the page's own white, so that
# a line or marker on the axis (a figure of 0) or a grid line is seen against white, where it has
# 3:1 or more, not against the axis (#444444: 1.9:1 against blue, 2.5 against vermillion).
HALO = "#ffffff"
# The lines between the cells of the report's tables (1.4.11). They are needed to read a table:
# cells wrap (a source, an assumption, 'reguliere plekken voor niveau 1-3' in nine columns on A4)
# and rows stand 4 px apart, less than the lines within a cell, so the line is what says which
# cells make one row. #bbb had 1.9:1 on white; this grey has 3.5:1 (columns get it too: one grid).
# The tables on the app's pages (outputs.html.table) draw their line under each row in it too,
# the slides' tables (pages/presentatie.py) their grid.
TABLE_RULE = "#888888"
LINE_DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
AGE_GROUP_LINES = {"0-2": LineStyle("#009E73", "dot", "circle"), "2-4": LineStyle("#0072B2", "solid", "square"),
                   "4-12": LineStyle("#D55E00", "dash", "diamond")}
NIVEAU_LINES = {1: LineStyle("#0072B2", "solid", "circle"), 2: LineStyle("#009E73", "dot", "square"),
                3: LineStyle("#000000", "dash", "diamond"), 4: LineStyle("#D55E00", "dashdot", "triangle-up")}
# Markers of the population's routes on a line over the years (transforms.population.source_route):
# an estimate open, a count filled, so that the kind of figure shows without colour (the line's
# colour is the series'); on the screen and the slides (ui.theme) as in the report.
SOURCE_MARKERS = {"schatting": "circle-open", "telling": "circle"}


def open_marker(route: str) -> bool:
    """Whether a point of this route is drawn open (SOURCE_MARKERS; a count or no route filled)."""
    return SOURCE_MARKERS.get(route, "circle").endswith("-open")


# the dashed line where the route changes, in plotly's terms and as an SVG stroke
SOURCE_BREAK_LINE = {"dash": "dash", "color": "#000000", "width": 2}
# plotly's dashes as an SVG stroke-dasharray for a line 3 wide (the report)
SVG_DASHES = {"solid": None, "dash": "10 5", "dot": "3 4", "dashdot": "10 4 3 4", "longdash": "18 6",
              "longdashdot": "18 5 3 5"}
# The chosen wijk on a map: a black band with a white one inside it, so that the outline has 3:1
# or more against every class colour, the grey of a hidden wijk and the white page (where a
# colour is light the black shows it, where it is dark the white); an orange line alone (3.9:1
# on white) had 1.2:1 against the middle classes of viridis.
HIGHLIGHT_OUTER = ("#000000", 8.0)
HIGHLIGHT_INNER = ("#ffffff", 3.0)


def rgb(colour: str) -> tuple[int, int, int]:
    """'#0072B2', '#abc', 'rgb(0,114,178)' or 'rgba(0,114,178,0.5)' -> (0, 114, 178)."""
    colour = colour.strip()
    if colour.startswith("rgb"):
        parts = colour[colour.index("(") + 1:colour.rindex(")")].split(",")
        return tuple(round(float(part)) for part in parts[:3])  # type: ignore[return-value]
    colour = colour.lstrip("#")
    if len(colour) == 3:
        colour = "".join(c * 2 for c in colour)
    return tuple(int(colour[i:i + 2], 16) for i in (0, 2, 4))  # type: ignore[return-value]


def contrast_ratio(first: str | tuple[int, int, int], second: str | tuple[int, int, int]) -> float:
    """WCAG's contrast ratio of two colours (1 to 21), from their relative luminance."""
    def luminance(colour) -> float:
        channels = [c / 255 for c in (rgb(colour) if isinstance(colour, str) else colour)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def boundary_colour(fill: str | tuple[int, int, int], background: str = "#ffffff") -> str:
    """The line around a mark of `fill` on `background`: BOUNDARY_DARK where the fill has less
    than 3:1 against the background (its edge would not be seen), else BOUNDARY_LIGHT."""
    return BOUNDARY_DARK if contrast_ratio(fill, background) < NON_TEXT_CONTRAST else BOUNDARY_LIGHT


def class_breaks(values: list[float], classes: int = 5, decimals: int | None = None) -> list[float]:
    """Upper bounds of equal-count classes over the visible values (at least one class), each
    bound once: where many wijken share a value (an even spread of the same population) the
    classes would otherwise repeat a bound ("185 – 185" twice in the legend, an empty class).
    With `decimals` (those of the legend) every value the legend and map show alike is in one
    class: a bound moves up to the highest value shown as it, and each bound is kept once. Model
    estimates of a few children (0,7, 1,2, 1,4: all "1") made the legend "0 – 1", "1", "1", "1"."""
    visible = sorted(v for v in values if v is not None and not math.isnan(v))
    if not visible:
        return []
    classes = max(1, min(classes, len(set(visible))))
    bounds = sorted({visible[min(len(visible) - 1, math.ceil(len(visible) * (i + 1) / classes) - 1)]
                     for i in range(classes)})
    if decimals is None:
        return bounds
    highest = {}  # shown text -> the highest value shown so (visible is sorted)
    for value in visible:
        highest[legend_number(value, decimals)] = value
    return sorted({highest[legend_number(bound, decimals)] for bound in bounds})


def legend_number(value: float, decimals: int = 0) -> str:
    """A bound as the legend shows it: as the map does (ui.a11y.figure_text), '<1' between 0
    and 1 without decimals (an estimate below one child), else format_number."""
    from transforms.privacy import BELOW_ONE, format_number

    if decimals == 0 and value is not None and 0 < value < 1:
        return BELOW_ONE
    return format_number(value, decimals)


def class_labels(breaks: list[float], values: list[float] | None = None, decimals: int = 0) -> list[str]:
    """The legend text of each class of `breaks` (upper bounds, each class up to and including its
    bound): "9 – 42", "43 – 97", ... from the lowest visible value of `values`; where every visible
    value is a whole number a class starts one above the bound before it, so that no number is in
    two classes ("42 – 97" would be); with fractions a class starts at its lowest value ("1,3 –
    3,0" after "0,4 – 1,2"). Without `values` the first class is "t/m 42" (not "tot 42": 42
    itself is in it)."""
    format_number = legend_number
    visible = [v for v in values or () if v is not None and not math.isnan(v)]
    whole = bool(visible) and all(float(v).is_integer() for v in visible)
    labels, lower = [], None
    for bound in breaks:
        shown = format_number(bound, decimals)
        if lower is None:
            start = min(visible) if visible else None
            text = (f"t/m {shown}" if start is None else shown
                    if format_number(start, decimals) == shown else f"{format_number(start, decimals)} – {shown}")
        elif whole or not visible:
            start = lower + 1 if whole and float(lower).is_integer() else lower
            text = shown if format_number(start, decimals) == shown else f"{format_number(start, decimals)} – {shown}"
        else:
            # fractions: from the lowest value in the class, so that no bound is in two labels
            # ("0,4 – 1,2", "1,3 – 3,0"), or "meer dan" where rounding shows the two alike
            inside = [v for v in visible if lower < v <= bound]
            start_text = format_number(min(inside), decimals) if inside else None
            below = format_number(lower, decimals)
            if below == shown:
                text = shown  # apart only below the shown decimals
            elif start_text is None or start_text == below:
                text = f"meer dan {below} t/m {shown}"
            else:
                text = shown if start_text == shown else f"{start_text} – {shown}"
        labels.append(text)
        lower = bound
    return labels


def class_colour(value: float | None, breaks: list[float]) -> str:
    """The viridis colour of a value's class (the first upper bound at or above it; the top class
    above the last); HIDDEN_FILL for a hidden or missing value."""
    if value is None or math.isnan(value) or not breaks:
        return HIDDEN_FILL
    palette = _palette(len(breaks))
    return palette[min(bisect.bisect_left(breaks, value), len(palette) - 1)]


@functools.lru_cache(maxsize=16)
def _palette(classes: int) -> tuple[str, ...]:
    # spread over the whole scale, light to dark (a national map colours thousands of wijken)
    return tuple(SEQUENTIAL[round(i * (len(SEQUENTIAL) - 1) / max(classes - 1, 1))]
                 for i in range(classes))
