"""WCAG 1.4.11 (non-text contrast): every wijk on a map, bar in a chart and square in a legend can
be seen as a shape: its fill has 3:1 against what lies around it, or a boundary has. The colours
are read from the objects the code builds (deck, SVG, legend HTML, the charts of the pages and
slides in AppTest) and measured here with WCAG's own formula."""

from __future__ import annotations

import base64
import json
import re
import urllib.parse

import numpy as np
import pandas as pd
import pytest
from conftest import run_page
from test_presentatie import _open as open_slide
from test_presentatie import _slide_keys

WHITE = (255, 255, 255)
NAMED = {"white": WHITE, "black": (0, 0, 0)}  # as plotly's layout may name them


def _rgb(colour) -> tuple[int, int, int]:
    if not isinstance(colour, str):
        return tuple(colour[:3])
    if colour in NAMED:
        return NAMED[colour]
    if colour.startswith("rgb"):
        return tuple(round(float(p)) for p in colour[colour.index("(") + 1:-1].split(",")[:3])
    colour = colour.lstrip("#")
    if len(colour) == 3:
        colour = "".join(c * 2 for c in colour)
    return tuple(int(colour[i:i + 2], 16) for i in (0, 2, 4))


def _luminance(colour) -> float:
    # WCAG 2.1, "relative luminance"
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (v / 255 for v in _rgb(colour))]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first, second) -> float:
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_the_formula_gives_wcags_own_examples():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # the lightest AA grey
    assert contrast("#949494", "#ffffff") == pytest.approx(3.03, abs=0.01)


def _check_mark(what: str, fill, line, line_width: float, background) -> None:
    """A mark of `fill` with a boundary `line` on `background` is seen as a shape: where the fill
    has less than 3:1 against the background a boundary has it (and against white, the page),
    and every boundary parts the fill from its neighbour (3:1 against the fill)."""
    if contrast(fill, background) < 3:
        assert line is not None and line_width >= 1, f"{what}: fill {fill} without a boundary"
        assert contrast(line, background) >= 3, f"{what}: boundary {line} on {background}"
        assert contrast(line, WHITE) >= 3, f"{what}: boundary {line} on white"
    if line is not None and line_width > 0:
        assert contrast(line, fill) >= 3, f"{what}: boundary {line} against its fill {fill}"


def _wijken(count: int) -> pd.DataFrame:
    def square(column: int, row: int) -> str:
        x, y = 5.0 + column * 0.01, 52.0 + row * 0.01
        ring = [[x, y], [x + 0.01, y], [x + 0.01, y + 0.01], [x, y + 0.01], [x, y]]
        return json.dumps({"type": "Polygon", "coordinates": [ring]})

    return pd.DataFrame({"wijk_code": [f"WK{i:06d}" for i in range(count)],
                         "geometry_json": [square(i % 30, i // 30) for i in range(count)]})


def _values(codes: list[str]) -> pd.DataFrame:
    # every class of the viridis scale, a hidden wijk and (the last) a wijk without a figure
    shown = codes[:-1]
    return pd.DataFrame({"wijk_code": shown, "wijk_name": [f"Wijk {i}" for i in range(len(shown))],
                         "value": [float(i % 40) for i in range(len(shown))],
                         "hidden": [i == 3 for i in range(len(shown))]})


def _sample_wijken(sample_con) -> pd.DataFrame:
    return sample_con.execute("select region_code as wijk_code, geometry_json from geometries"
                              " where region_level = 'wijk' and year = (select max(year) from geometries)"
                              " order by region_code").df()


def _deck_marks(deck) -> tuple[list[tuple], str, float]:
    spec = json.loads(deck.to_json())
    style = json.loads(urllib.parse.unquote(spec["mapStyle"].split(",", 1)[1]))
    background = next(layer["paint"]["background-color"] for layer in style["layers"]
                      if layer["type"] == "background")
    layer = next(layer for layer in spec["layers"] if layer["id"] == "wijken")
    assert layer["getFillColor"] == "@@=properties.fill"
    opacity = layer.get("opacity", 1.0)
    marks = []
    for feature in layer["data"]["features"]:
        fill = feature["properties"]["fill"]
        # one colour for every wijk, or each its own
        line = (feature["properties"]["line"] if layer["getLineColor"] == "@@=properties.line"
                else layer["getLineColor"])
        alpha = fill[3] / 255 * opacity  # the colour as shown: the background shows through
        shown = tuple(round(alpha * f + (1 - alpha) * b) for f, b in zip(fill[:3], _rgb(background), strict=True))
        assert line[3] == 255
        marks.append((feature["properties"]["wijk_name"], shown, tuple(line[:3])))
    return marks, background, layer["lineWidthMinPixels"]


@pytest.mark.parametrize("background", [False, True])
def test_every_wijk_of_the_kaart_has_a_boundary_where_its_colour_is_light(sample_con, background):
    from ui.maps import choropleth, shapes_from_frame

    frame = _sample_wijken(sample_con)
    assert len(frame) >= 7  # five classes, a hidden wijk and one without a figure
    deck, breaks = choropleth(_values(frame["wijk_code"].tolist()), shapes_from_frame(frame),
                              "Kinderen 0-12 jaar", background=background)
    assert len(breaks) == 5
    marks, map_background, width = _deck_marks(deck)
    light = [mark for mark in marks if contrast(mark[1], map_background) < 3]
    assert light, "the light classes of viridis and the grey are on this map"
    for name, shown, line in marks:
        _check_mark(f"wijk {name}", shown, line, width, map_background)
    # where a light wijk meets a dark one, the dark boundary is drawn last (on top)
    dark_lines = [contrast(line, WHITE) >= 3 for _, _, line in marks]
    assert dark_lines == sorted(dark_lines)


def test_the_map_of_the_country_keeps_its_boundaries_visible():
    """More than 500 wijken (the national map) drew its lines half a pixel wide."""
    from ui.maps import choropleth, shapes_from_frame

    frame = _wijken(600)
    deck, _ = choropleth(_values(frame["wijk_code"].tolist()), shapes_from_frame(frame), "Kinderen", labels=False)
    marks, map_background, width = _deck_marks(deck)
    assert len(marks) == 600
    for name, shown, line in marks:
        _check_mark(f"wijk {name}", shown, line, width, map_background)


def test_every_wijk_of_the_slide_map_has_a_boundary_where_its_colour_is_light(sample_con):
    from ui.maps import shapes_from_frame, svg_choropleth

    frame = _sample_wijken(sample_con)
    svg, _ = svg_choropleth(_values(frame["wijk_code"].tolist()), shapes_from_frame(frame), "Kinderen 0-12 jaar")
    paths = re.findall(r'<path d="[^"]*" fill="([^"]+)" stroke="([^"]+)" stroke-width="([^"]+)"[^>]*><title>([^<]+)',
                       svg)
    assert len(paths) == len(frame)
    assert any(contrast(fill, WHITE) < 3 for fill, *_ in paths)
    for fill, stroke, width, title in paths:
        _check_mark(title, fill, stroke, float(width), WHITE)  # the slide and the report are white
    dark_lines = [contrast(stroke, WHITE) >= 3 for _, stroke, _, _ in paths]
    assert dark_lines == sorted(dark_lines)


def test_every_square_of_the_map_legend_has_a_border_where_its_colour_is_light():
    from ui import theme
    from ui.maps import legend_markdown

    legend = legend_markdown(theme.class_breaks([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]))
    squares = re.findall(r"<span style='display:inline-block;[^']*'></span>", legend)
    assert len(squares) == 6  # five classes and 'afgeschermd of onbekend'
    for square in squares:
        fill = re.search(r"background:([^;']+)", square).group(1)
        border = re.search(r"border:(\d+)px solid ([^;']+)", square)
        _check_mark(f"legend square {fill}", fill, border and border.group(2), int(border.group(1)) if border else 0,
                    WHITE)


def _length(values) -> int:
    """How many values a trace has: a list, or plotly's typed array ({"dtype", "bdata"})."""
    if isinstance(values, dict):
        return len(np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]))
    return len(values or [])


def _bars(at, where: str) -> list[tuple[str, object, object, float, str]]:
    """Every bar of every chart on the page: (what, fill, outline, outline width, background)."""
    bars = []
    for chart in at.get("plotly_chart"):
        figure = json.loads(chart.proto.spec)
        background = figure["layout"].get("plot_bgcolor", "#ffffff")
        for trace in figure["data"]:
            if trace.get("type") != "bar":
                continue
            marker = trace.get("marker", {})
            count = _length(trace.get("x") if trace.get("x") is not None else trace.get("y"))
            fills = marker.get("color")
            fills = fills if isinstance(fills, list) else [fills] * count
            line = marker.get("line", {})
            lines = line.get("color")
            lines = lines if isinstance(lines, list) else [lines] * count
            for index, (fill, outline) in enumerate(zip(fills, lines, strict=True)):
                assert fill is not None, f"{where}: a bar of {trace.get('name')} without a colour of Kindkaart"
                bars.append((f"{where}, {trace.get('name')} bar {index}", fill, outline, line.get("width", 0),
                             background))
    return bars


@pytest.mark.parametrize("page", ["overzicht", "continuum", "tekorten", "scenarios"])
def test_every_bar_on_the_pages_has_an_outline_where_its_colour_is_light(app_db, page):
    at = run_page(page, 90)
    assert not at.exception, at.exception
    if page == "continuum":  # with niveau 1 and 'geen kinderopvang' (light blue, light grey)
        at.checkbox(key="continuum_niveau_1").check().run()
        assert not at.exception, at.exception
    bars = _bars(at, page)
    assert bars
    assert any(contrast(fill, background) < 3 for _, fill, _, _, background in bars)
    for what, fill, outline, width, background in bars:
        _check_mark(what, fill, outline, width, background)


def test_every_bar_on_the_slides_has_an_outline_where_its_colour_is_light(app_db):
    bars = []
    for dia in _slide_keys():
        bars += _bars(open_slide({"dia": dia}), dia)
    assert {what.split(",")[0] for what, *_ in bars} >= {"per_wijk", "continuum", "tekort"}
    for what, fill, outline, width, background in bars:
        _check_mark(what, fill, outline, width, background)


# Lines and markers (1.4.11): plotly draws a line without an outline, so the colour of every line,
# marker and error bar itself needs 3:1 against the chart; and each series has a dash and marker
# shape of its own, so that colour is not the only thing that tells two lines apart (1.4.1).

def _chart_backgrounds(layout: dict) -> tuple[str, ...]:
    """What a line of a plotly chart lies on: the plot area, its grid lines (a line crosses them),
    and the paper around it (the legend draws each line's sample there). Unset: plotly's default
    template (#E5ECF6 plot, white grid and paper), which is what a chart without the house look
    shows."""
    axes = [value for name, value in layout.items() if name.startswith(("xaxis", "yaxis"))] or [{}]
    return (layout.get("plot_bgcolor", "#E5ECF6"), layout.get("paper_bgcolor", "#ffffff"),
            *(axis.get("gridcolor", "#ffffff") for axis in axes if axis.get("showgrid", True)))


def _line_marks(figure: dict, where: str) -> tuple[list[tuple[str, object, tuple]], dict[str, tuple]]:
    """Every line, marker and error bar of a chart: (what, colour as drawn, backgrounds), and each
    series' style without its colour: name -> (dash, marker shape)."""
    background = _chart_backgrounds(figure["layout"])
    marks, styles = [], {}
    for trace in figure["data"]:
        if trace.get("type", "scatter") != "scatter":
            continue
        mode = trace.get("mode", "lines+markers")
        name = f"{where}, {trace.get('name')}"
        line = trace.get("line", {})
        marker = trace.get("marker", {})
        # plotly's defaults: the markers and error bars of a line take the line's colour
        marker_colour = marker.get("color", line.get("color"))
        if "lines" in mode:
            marks.append((f"{name} line", line.get("color"), background))
            symbol = str(marker.get("symbol", "circle")).removesuffix("-open") if "markers" in mode else None
            styles.setdefault(trace.get("legendgroup") or trace.get("name"), (line.get("dash", "solid"), symbol))
        if "markers" in mode:
            marks.append((f"{name} marker", marker_colour, background))
            if marker.get("line", {}).get("width", 0) > 0:
                marks.append((f"{name} marker edge", marker["line"].get("color", marker_colour), background))
        error = trace.get("error_y") or {}
        if error.get("visible", "array" in error):
            marks.append((f"{name} error bar", error.get("color", line.get("color") or marker_colour), background))
    return marks, styles


def _check_lines(marks: list[tuple[str, object, tuple]], styles: dict[str, tuple], where: str) -> None:
    assert marks, f"{where}: no lines"
    for what, colour, backgrounds in marks:
        assert isinstance(colour, str), f"{what}: without a colour of Kindkaart ({colour})"
        for background in backgrounds:
            assert contrast(colour, background) >= 3, \
                f"{what}: {colour} has {contrast(colour, background):.2f}:1 against {background}"
    assert len(set(styles.values())) == len(styles), f"{where}: two series alike but for colour: {styles}"


def _line_colours() -> dict[str, str]:
    from outputs import palette

    colours = {f"LINE_COLOURS[{i}]": colour for i, colour in enumerate(palette.LINE_COLOURS)}
    for name, styles in (("AGE_GROUP_LINES", palette.AGE_GROUP_LINES), ("NIVEAU_LINES", palette.NIVEAU_LINES)):
        colours |= {f"{name}[{key}]": style.colour for key, style in styles.items()}
    return colours


def _report_backgrounds() -> set[str]:
    """What a line of the report's SVG chart lies on: the white page and the grid lines it crosses
    (the horizontal lines above the axis, the lowest one), read from the SVG."""
    from outputs.report import svg_lines

    svg = svg_lines([2020, 2021, 2022], {"0-2": ([10.0, 12.0, 11.0], [False] * 3)}, "proef")
    horizontal = [(float(_attribute(line, "y1")), _attribute(line, "stroke"))
                  for line in re.findall(r"<line\b[^>]*>", svg)
                  # not a line's sample beside its name (drawn as wide as the line)
                  if _attribute(line, "y1") == _attribute(line, "y2") and _attribute(line, "stroke-width") is None]
    axis = max(y for y, _ in horizontal)
    return {"#ffffff"} | {stroke for y, stroke in horizontal if y < axis}


def test_every_line_colour_has_contrast_against_every_background_it_is_drawn_on():
    """Not only the series a sample chart happens to draw: every colour a line can take (the fifth
    wijk on Trends takes the fourth of LINE_COLOURS) against the plot, paper and grid of a chart
    in the house look (read from the figure ui.theme builds) and the page and grid of the report."""
    import plotly.graph_objects as go

    from ui import theme

    figure = theme.screen_look(go.Figure(go.Scatter(x=[2020, 2021], y=[1, 2], mode="lines")))
    backgrounds = {"scherm": _chart_backgrounds(figure.to_plotly_json()["layout"]),
                   "rapport": tuple(_report_backgrounds())}
    # the grid of each is there, and is not white
    assert all(any(_rgb(b) != WHITE for b in around) for around in backgrounds.values()), backgrounds
    for what, colour in _line_colours().items():
        for where, around in backgrounds.items():
            for background in around:
                assert contrast(colour, background) >= 3, \
                    f"{what} {colour} on {background} ({where}): {contrast(colour, background):.2f}:1"


# Machado, Oliveira & Fernandes (2009), severity 1.0, on linear RGB: how a colour looks with
# protanopia, deuteranopia and tritanopia.
CVD = {"protanopie": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216),
                      (-0.003882, -0.048116, 1.051998)),
       "deuteranopie": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413),
                        (-0.011820, 0.042940, 0.968881)),
       "tritanopie": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602),
                      (0.004733, 0.691367, 0.303900))}


def _lab(colour, deficiency: str | None = None) -> np.ndarray:
    channels = np.array(_rgb(colour)) / 255
    linear = np.where(channels <= 0.04045, channels / 12.92, ((channels + 0.055) / 1.055) ** 2.4)
    if deficiency:
        linear = np.clip(np.array(CVD[deficiency]) @ linear, 0, 1)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ linear
    xyz /= np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def _closest_pair(colours: list[str]) -> tuple[float, str, str, str]:
    """The two colours that look most alike (CIELAB distance) with normal vision or any of the
    three colour-vision deficiencies."""
    return min((float(np.linalg.norm(_lab(a, kind) - _lab(b, kind))), a, b, kind or "normaal")
               for kind in (None, *CVD) for i, a in enumerate(colours) for b in colours[i + 1:])


def test_the_line_colours_stay_apart_with_every_common_colour_vision_deficiency():
    """The line colours are told apart as well as the dark members of Okabe-Ito are among
    themselves (blue, vermillion, bluish green, black: the closest pair is blue and bluish green
    with tritanopia), also with protanopia, deuteranopia and tritanopia."""
    from outputs import palette

    okabe_ito_dark = ["#0072B2", "#D55E00", "#009E73", "#000000"]
    floor = _closest_pair(okabe_ito_dark)[0]
    distance, first, second, kind = _closest_pair(palette.LINE_COLOURS)
    assert distance >= floor, f"{first} and {second} look alike with {kind}: {distance:.0f} < {floor:.0f}"


def _line_charts(at, where: str) -> list[tuple[str, list, dict]]:
    charts = []
    for chart in at.get("plotly_chart"):
        figure = json.loads(chart.proto.spec)
        if any(t.get("type", "scatter") == "scatter" and "lines" in t.get("mode", "lines") for t in figure["data"]):
            charts.append((f"{where} {chart.proto.id[-30:]}", *_line_marks(figure, where)))
    return charts


@pytest.mark.parametrize("page", ["trends", "continuum", "kaart"])
def test_every_line_on_the_pages_has_contrast_and_a_style_of_its_own(app_db, page):
    at = run_page(page, 90)
    assert not at.exception, at.exception
    if page == "kaart":  # the wijkprofiel's trend of niveau 3 and 4
        at.selectbox(key="_profiel_wijk_choice").set_value("WK999907").run()
        assert not at.exception, at.exception
    charts = _line_charts(at, page)
    assert charts, f"{page}: no line chart"
    for where, marks, styles in charts:
        assert len(styles) >= 2, f"{where}: {styles}"
        _check_lines(marks, styles, where)


def test_every_line_on_the_slides_has_contrast_and_a_style_of_its_own(app_db):
    seen = []
    for dia in _slide_keys():
        for where, marks, styles in _line_charts(open_slide({"dia": dia}), dia):
            seen.append(dia)
            _check_lines(marks, styles, where)
    assert "trend" in seen


def _svg_line_charts(html: str) -> list[str]:
    return [svg for svg in re.findall(r"<svg\b.*?</svg>", html, flags=re.S) if "<polyline" in svg]


def _attribute(element: str, name: str) -> str | None:
    found = re.search(rf'\b{name}="([^"]*)"', element)
    return found.group(1) if found else None


@pytest.mark.parametrize("wijk", [None, "WK999907"])
def test_every_line_of_the_report_has_contrast_and_a_style_of_its_own(sample_con, wijk):
    from outputs.report import gemeente_report, wijk_factsheet

    year = sample_con.execute("select max(year) from geometries").fetchone()[0]
    html = (wijk_factsheet(sample_con, "GM9999", year, wijk) if wijk
            else gemeente_report(sample_con, "GM9999", year))
    charts = _svg_line_charts(html)
    assert charts
    for svg in charts:
        # the white band under each line and marker (palette.HALO) has a test of its own
        svg = re.sub(r'<[^>]*\bclass="halo"[^>]*>', "", svg)
        lines = re.findall(r"(<polyline\b[^>]*>)((?:<(?:circle|rect|polygon)\b[^>]*>)*)", svg)
        assert len(lines) >= 3  # the age groups (and the total)
        styles = {}
        for line, markers in lines:
            stroke = _attribute(line, "stroke")
            assert contrast(stroke, WHITE) >= 3, f"report line {stroke}: {contrast(stroke, WHITE):.2f}:1"
            # a marker's shape: its element, a polygon by its corners
            shape = {(tag, points.count(",")) for tag, points in re.findall(r"<(\w+)\b(?:[^>]*points=\"([^\"]*)\")?",
                                                                           markers)}
            assert markers, f"report line {stroke} without markers"
            styles[stroke] = (_attribute(line, "stroke-dasharray"), frozenset(shape))
        for marker in re.findall(r"<(?:circle|rect|polygon)\b[^>]*>", svg):
            for colour in (_attribute(marker, "fill"), _attribute(marker, "stroke")):
                if colour not in (None, "none"):
                    assert contrast(colour, WHITE) >= 3, f"report marker {marker}"
        assert len(set(styles.values())) == len(lines), f"report: lines alike but for colour: {styles}"
        # the names at the ends of the lines are text: 4.5:1 (1.4.3)
        for text in re.findall(r"<text\b[^>]*>", svg):
            assert contrast(_attribute(text, "fill") or "#000000", WHITE) >= 4.5, text


def _check_outline(svg: str, where: str, others: tuple[str, ...] = ()) -> None:
    """The chosen wijk's outline (every stroke drawn along its edge, in the order drawn) is seen
    against every colour that can lie beside it: each fill of the map, the white page and
    `others`. A stroke shows where those drawn on top of it leave it 1 px or more per side."""
    paths = re.findall(r'<path d="([^"]*)"([^>]*)>', svg)
    widths = [float(_attribute(rest, "stroke-width")) for _, rest in paths]
    assert max(widths) > 1.5, f"{where}: no wijk outlined"
    chosen = paths[widths.index(max(widths))][0]  # the widest line: the outline
    strokes = [(_attribute(rest, "stroke"), float(_attribute(rest, "stroke-width"))) for d, rest in paths
               if d == chosen]
    shown = [colour for index, (colour, width) in enumerate(strokes)
             if index == len(strokes) - 1 or (width - max(w for _, w in strokes[index + 1:])) / 2 >= 1]
    beside = {_attribute(rest, "fill") for _, rest in paths} - {"none"} | {"#ffffff", *others}
    for colour in beside:
        best = max(contrast(stroke, colour) for stroke in shown)
        assert best >= 3, f"{where}: the outline {shown} has {best:.2f}:1 against {colour}"


def test_the_chosen_wijk_is_outlined_against_every_class_of_the_map(sample_con):
    from ui.maps import shapes_from_frame, svg_choropleth

    frame = _sample_wijken(sample_con)
    codes = frame["wijk_code"].tolist()
    for chosen in codes:  # five classes, a hidden wijk and one without a figure, each chosen once
        svg, breaks = svg_choropleth(_values(codes), shapes_from_frame(frame), "Kinderen 0-12 jaar",
                                     highlight=chosen)
        assert len(breaks) == 5
        _check_outline(svg, f"map with {chosen}")


def test_the_chosen_wijk_is_outlined_on_the_map_slide_and_in_the_factsheet(app_db, sample_con):
    from outputs import palette
    from outputs.report import wijk_factsheet

    at = open_slide({"dia": "kaart", "wijk": "WK999907"})
    [slide] = [m.value for m in at.markdown if "<svg" in m.value and "<path" in m.value]
    year = sample_con.execute("select max(year) from geometries").fetchone()[0]
    sheet = wijk_factsheet(sample_con, "GM9999", year, "WK999907")
    [factsheet] = [svg for svg in re.findall(r"<svg\b.*?</svg>", sheet, flags=re.S) if "<path" in svg]
    # the classes this gemeente's maps happen to show, and every other class colour they can take
    every_class = tuple(palette.class_colour(value, [1, 2, 3, 4, 5]) for value in (1, 2, 3, 4, 5, None))
    for where, svg in (("map slide", slide), ("factsheet", factsheet)):
        _check_outline(svg, where, every_class)


def _bar_rows(svg: str) -> list[tuple[str, str, dict[str, str | None]]]:
    """Each bar of an SVG bar chart of the report: (label, fill, everything else that styles it:
    the label's weight and the bar's outline)."""
    rows = re.findall(r"(<text\b[^>]*>)([^<]*)</text>(<rect\b[^>]*>)", svg)
    return [(label, _attribute(rect, "fill"),
             {"font-weight": _attribute(text, "font-weight"), "stroke": _attribute(rect, "stroke"),
              "stroke-width": _attribute(rect, "stroke-width")})
            for text, label, rect in rows]


@pytest.mark.parametrize("wijk", ["WK999907", "WK999904"])
def test_the_chosen_wijks_bar_in_the_factsheet_is_marked_by_more_than_its_colour(sample_con, wijk):
    """WCAG 1.4.1: the factsheet's bars of every wijk mark the chosen one orange, and a reader who
    cannot tell orange from blue (or prints in grey) still sees at once which bar it is: its bar
    is outlined as on the map and its name is bold, and the caption says so."""
    import html as html_module

    from outputs.report import wijk_factsheet

    year = sample_con.execute("select max(year) from geometries").fetchone()[0]
    sheet = wijk_factsheet(sample_con, "GM9999", year, wijk)
    name = sample_con.execute("select distinct wijk_name from population_by_wijk_age where wijk_code = ?",
                              [wijk]).fetchone()[0]
    section = re.search(r'<section id="per_wijk">.*?</section>', sheet, flags=re.S).group(0)
    [svg] = re.findall(r"<svg\b.*?</svg>", section, flags=re.S)
    rows = _bar_rows(svg)
    assert len(rows) >= 5
    chosen = [row for row in rows if html_module.unescape(row[0]) in (name, name.split(" ", 2)[-1])]
    assert len(chosen) == 1, (name, [row[0] for row in rows])
    _, chosen_fill, chosen_style = chosen[0]
    others = [row for row in rows if row is not chosen[0]]
    # the colours alone: orange against blue, about as light as each other (nearly one grey)
    assert {fill for _, fill, _ in others} != {chosen_fill}
    assert contrast(chosen_fill, others[0][1]) < 3
    # but not colour alone: every other bar alike, the chosen one different in more than its fill
    assert len({tuple(style.items()) for _, _, style in others}) == 1
    assert chosen_style != others[0][2], f"only the colour marks {name}: {chosen_style}"
    assert chosen_style["font-weight"] in ("bold", "700", "800", "900")
    # its outline is seen against the bar and the page (1.4.11) and at least as wide as a line
    assert chosen_style["stroke"] is not None and float(chosen_style["stroke-width"]) >= 2
    for background in (chosen_fill, "#ffffff"):
        assert contrast(chosen_style["stroke"], background) >= 3
    # and the text says it: the caption and the chart's accessible name name the chosen wijk
    caption = html_module.unescape(re.search(r"<figcaption>(.*?)</figcaption>", section).group(1))
    assert "vet en omrand" in caption and html_module.unescape(chosen[0][0]) in caption
    assert html_module.unescape(_attribute(svg, "aria-label")) == caption


def test_the_gemeente_reports_bars_mark_no_wijk(sample_con):
    from outputs.report import gemeente_report

    year = sample_con.execute("select max(year) from geometries").fetchone()[0]
    section = re.search(r'<section id="per_wijk">.*?</section>', gemeente_report(sample_con, "GM9999", year),
                        flags=re.S).group(0)
    [svg] = re.findall(r"<svg\b.*?</svg>", section, flags=re.S)
    assert len({(fill, tuple(style.items())) for _, fill, style in _bar_rows(svg)}) == 1
    assert "omrand" not in section


# A wijk without children: a business park or a new district. 26 wijken of 2024 had no
# inhabitants at all (AantalInwoners_5 = 0 in 85984NED) and many more no children of an age group;
# their trend lines lie on the axis of the report's chart.
WIJK_WITHOUT_CHILDREN = ("WK019352", "Wijk 52 Soestweteringlanden", 40, 0)


@pytest.fixture
def zero_wijk_con(tmp_path):
    """Zwolle in two kwb years (kwb-2023.xlsx, kwb-2024.xlsx in CBS's layout, through the real
    loader), one of its wijken without children in either."""
    from kwb_files import ZWOLLE_WIJKEN, kwb_rows, write_kwb_xlsx

    from data_sources import jobs, store

    wijken = [*ZWOLLE_WIJKEN[:3], WIJK_WITHOUT_CHILDREN]
    connection = store.connect(tmp_path / "kindkaart.duckdb")
    for year in (2023, 2024):
        jobs.import_cbs_file(connection, write_kwb_xlsx(tmp_path / f"kwb-{year}.xlsx", kwb_rows(wijken=wijken)))
    yield connection
    connection.close()


def _svg_elements(svg: str) -> list[str]:
    return re.findall(r"<(?:line|polyline|rect|circle|polygon)\b[^>]*>", svg)


def _centre(element: str) -> tuple[float, float]:
    if element.startswith("<circle"):
        return float(_attribute(element, "cx")), float(_attribute(element, "cy"))
    if element.startswith("<rect"):
        return (float(_attribute(element, "x")) + float(_attribute(element, "width")) / 2,
                float(_attribute(element, "y")) + float(_attribute(element, "height")) / 2)
    corners = [tuple(map(float, point.split(","))) for point in _attribute(element, "points").split()]
    return (round(sum(x for x, _ in corners) / len(corners), 1), round(sum(y for _, y in corners) / len(corners), 1))


def _marks_on_the_axis(svg: str) -> tuple[str, list[tuple[str, list[str]]]]:
    """The axis colour of a report line chart and every line and marker that lies on it, each with
    what is drawn under it after the axis and along the same path or round the same centre."""
    elements = _svg_elements(svg)
    axis = next(e for e in elements if e.startswith("<line") and _attribute(e, "class") is None)
    axis_y, axis_x = float(_attribute(axis, "y1")), (float(_attribute(axis, "x1")), float(_attribute(axis, "x2")))
    found = []
    for index, element in enumerate(elements):
        if element.startswith("<line") or _attribute(element, "class") == "halo":
            continue
        if element.startswith("<polyline"):
            points = [tuple(map(float, p.split(","))) for p in _attribute(element, "points").split()]
            if not any(y == axis_y for _, y in points):
                continue
            under = [e for e in elements[elements.index(axis) + 1:index]
                     if e.startswith("<polyline") and _attribute(e, "points") == _attribute(element, "points")]
        else:
            x, y = _centre(element)
            if abs(y - axis_y) > 6 or not axis_x[0] - 6 <= x <= axis_x[1] + 6:
                continue
            under = [e for e in elements[elements.index(axis) + 1:index]
                     if e.split()[0] == element.split()[0] and _centre(e) == (x, y)]
        found.append((element, under))
    return _attribute(axis, "stroke"), found


def test_a_line_of_zeros_in_the_trend_chart_is_seen_against_the_axis(zero_wijk_con):
    """WCAG 1.4.11 and 1.4.1: a wijk without children has every trend line on the axis (#444,
    1.9:1 against the blue line). Each line and marker must still be seen there: what lies round
    it where it is on the axis (in the gaps of a dashed line, inside an open marker, along its
    edges) has 3:1 against it: a band under it, wide enough to show 1 px or more on each side, or
    else the axis itself. Colours are read from the rendered factsheet."""
    from outputs.report import wijk_factsheet

    sheet = wijk_factsheet(zero_wijk_con, "GM0193", 2024, WIJK_WITHOUT_CHILDREN[0])
    [svg] = _svg_line_charts(sheet)
    axis, marks = _marks_on_the_axis(svg)
    assert contrast(axis, WHITE) >= 3  # the axis carries meaning (palette.AXIS_LINE)
    lines = [m for m in marks if m[0].startswith("<polyline")]
    assert len(lines) == 3 and len(marks) >= 9, "the three age groups, two years each, on the axis"
    for element, under in marks:
        colours = [c for c in _paints(element) if c != "none"]
        # a band: drawn under it, wide enough to show 1 px or more beyond its edge on each side, and
        # for a marker filled (the inside of an open marker showed the axis); another line of the
        # same width along the same path (two age groups both 0) is a mark, not a band
        width = float(_attribute(element, "stroke-width") or 0)
        bands = [e for e in under if float(_attribute(e, "stroke-width") or 0) >= width + 2
                 and (element.startswith("<polyline") or _attribute(e, "fill") == _attribute(e, "stroke"))]
        around = _attribute(bands[-1], "stroke") if bands else axis
        for colour in colours:
            assert contrast(colour, around) >= 3, \
                f"{element} on the axis: {colour} has {contrast(colour, around):.2f}:1 against {around}"


def _scale_labels(svg: str) -> list[tuple[float, float]]:
    """The numbers of a report line chart's vertical scale (right-aligned at its left edge), as
    (value, y of the text's baseline)."""
    return [(float(text.replace(".", "").replace(",", ".")), float(y))
            for y, text in re.findall(r'<text x="\d+" y="([\d.]+)" text-anchor="end" font-size="12">([\d.,]+)</text>',
                                      svg)]


@pytest.mark.parametrize("wijk", [None, WIJK_WITHOUT_CHILDREN[0]])
def test_every_number_of_the_trend_charts_scale_stands_at_its_value(zero_wijk_con, wijk):
    """The numbers beside the grid lines stand where their value is: 0 at the axis, each other on
    one scale with it. A chart of zeros had its top at 1 and '0' beside the line at 0,45: the lines
    of the wijk seemed to lie below zero."""
    from outputs.report import gemeente_report, wijk_factsheet

    html = (wijk_factsheet(zero_wijk_con, "GM0193", 2024, wijk) if wijk
            else gemeente_report(zero_wijk_con, "GM0193", 2024))
    [svg] = _svg_line_charts(html)
    axis = next(e for e in _svg_elements(svg) if e.startswith("<line") and _attribute(e, "class") is None)
    axis_y = float(_attribute(axis, "y1"))
    labels = _scale_labels(svg)
    assert len(labels) >= 2
    offset = {y - axis_y for value, y in labels if value == 0}
    # one 0, beside the axis: its baseline within half a line of 12 px text of it
    assert len(offset) == 1 and abs(next(iter(offset))) <= 6, f"no 0 at the axis (y {axis_y}): {labels}"
    zero = axis_y + offset.pop()
    highest, highest_y = max(labels)
    assert highest > 0 and highest_y < zero, labels
    for value, y in labels:
        # on the scale of the highest number (the SVG rounds positions to 0.1)
        assert abs(y - (zero - (zero - highest_y) * value / highest)) <= 0.15, (value, y, labels)


# The report's charts as a whole (1.4.11 and 1.4.3): every stroke and fill of its SVG charts (axis
# line, grid, bars, lines, markers, the line where the source changes, the wijken of the map), the
# squares of the map's legend and every text colour, read from a report rendered on the sample
# database, so that a colour changed anywhere is measured here.

# Lighter than 3:1 on purpose, with the reason. A class of the SVG names the element; any other
# stroke or fill in a chart needs 3:1 against what it is drawn on.
DECORATIVE = {
    # the grid lines of the trend chart: the number at each grid line names the scale and the table
    # under the chart gives every point's figure, so the grid only eases reading; it is light so
    # that every line colour keeps 3:1 where it crosses it (palette.GRID_LINE)
    "grid": "decoratief: de tabel onder de grafiek geeft elk cijfer",
}


def _report_pages(con) -> dict[str, str]:
    from outputs.report import gemeente_report, wijk_factsheet

    year = con.execute("select max(year) from geometries").fetchone()[0]
    return {"gemeenterapport": gemeente_report(con, "GM9999", year),
            "wijkfactsheet": wijk_factsheet(con, "GM9999", year, "WK999907")}


def _style_sheet(html: str) -> str:
    return "".join(re.findall(r"<style>(.*?)</style>", html, flags=re.S))


def _css_rule(style: str, selector: str) -> str:
    found = re.search(rf"(?:^|}})\s*{re.escape(selector)}\s*{{([^}}]*)}}", style, flags=re.M)
    return found.group(1) if found else ""


def _paints(element: str) -> list[str]:
    """The colours an SVG element paints with: its fill and its stroke (not 'none', not a stroke of
    width 0)."""
    paints = []
    fill = _attribute(element, "fill")
    if fill is None and not element.startswith(("<line", "<polyline")):
        fill = "#000000"  # SVG's default fill
    if fill not in (None, "none"):
        paints.append(fill)
    stroke = _attribute(element, "stroke")
    if stroke not in (None, "none") and _attribute(element, "stroke-width") != "0":
        paints.append(stroke)
    return paints


def test_every_colour_of_the_reports_charts_has_contrast_against_what_it_is_drawn_on(sample_con):
    checked, decorative = set(), set()
    for where, html in _report_pages(sample_con).items():
        style = _style_sheet(html)
        # a style sheet's fill beats an SVG attribute (a presentation attribute)
        css_text_fill = re.search(r"fill:\s*([^;}\s]+)", _css_rule(style, "svg text"))
        charts = re.findall(r"<svg\b.*?</svg>", html, flags=re.S)
        assert all(any(tag in svg for svg in charts) for tag in ("<path", "<rect", "<polyline")), \
            f"{where}: a map, bars and lines"
        for svg in charts:
            elements = re.findall(r"<(?:line|polyline|rect|circle|polygon|path)\b[^>]*>", svg)
            grid = {stroke for element in elements if _attribute(element, "class") in DECORATIVE
                    for stroke in _paints(element)}
            # what lies under a mark or a text: the white page and the grid lines it may cross
            backgrounds = {"#ffffff"} | grid
            for element in elements:
                what = f"{where}: {element[:90]}"
                if _attribute(element, "class") == "halo":
                    # the band under a line or marker is the page itself, so that the mark on it has
                    # the contrast it has on the page (test_a_line_of_zeros_...)
                    assert {_rgb(c) for c in _paints(element)} == {WHITE}, what
                    checked.add("halo")
                    continue
                if _attribute(element, "class") in DECORATIVE:
                    decorative.add(_attribute(element, "class"))
                    continue
                if element.startswith("<path"):
                    # a wijk: its fill with its boundary (the chosen wijk's outline on top of it has
                    # a test of its own, test_the_chosen_wijk_is_outlined_...)
                    if _attribute(element, "fill") != "none":
                        width = float(_attribute(element, "stroke-width") or 0)
                        _check_mark(what, _attribute(element, "fill"), _attribute(element, "stroke"), width, WHITE)
                        checked.add("wijk")
                    continue
                assert _paints(element), what
                for colour in _paints(element):
                    for background in backgrounds:
                        assert contrast(colour, background) >= 3, \
                            f"{what}: {colour} has {contrast(colour, background):.2f}:1 against {background}"
                checked.add(element.split()[0][1:])
            for text in re.findall(r"<text\b[^>]*>", svg):
                fill = css_text_fill.group(1) if css_text_fill else _attribute(text, "fill") or "#000000"
                halo = _attribute(text, "stroke") if _attribute(text, "paint-order") == "stroke" else None
                # a name on the map lies on a band of its halo, whatever the wijk's colour
                for background in [halo] if halo else backgrounds:
                    assert contrast(fill, background) >= 4.5, \
                        f"{where}: text {fill} has {contrast(fill, background):.2f}:1 against {background}: {text}"
                checked.add("text")
        # the legend of the map: each square as a mark on the page (a light class needs its border)
        squares = re.findall(r'<span class="swatch" style="([^"]*)"', html)
        assert len(squares) >= 6, where  # the classes and 'afgeschermd of onbekend'
        sheet_border = re.search(r"border:\s*([\d.]+)px solid ([^;}\s]+)", _css_rule(style, ".swatch"))
        for square in squares:
            fill = re.search(r"background:\s*([^;]+)", square).group(1).strip()
            border = re.search(r"border:\s*([\d.]+)px solid ([^;]+)", square) or sheet_border
            _check_mark(f"{where}: legend square {fill}", fill, border and border.group(2).strip(),
                        float(border.group(1)) if border else 0, WHITE)
        # the text of the page (1.4.3): every colour of the style sheet on the white page
        for colour in re.findall(r"(?<![-\w])color:\s*(#[0-9A-Fa-f]{3,6})", style):
            assert contrast(colour, WHITE) >= 4.5, f"{where}: text colour {colour} of the style sheet"
    # the axis line, the dashed line where the source changes, the lines, every marker shape, the bars
    assert checked >= {"wijk", "line", "polyline", "rect", "circle", "polygon", "text", "halo"}, checked
    assert decorative == set(DECORATIVE), decorative


def test_the_lines_between_the_cells_of_the_reports_tables_have_contrast(sample_con):
    """1.4.11: in the report's tables the line between two rows is what says which cells make a row
    (a source or an assumption wraps over several lines, rows stand only their padding apart, about
    as far as two lines in one cell), so it is a graphical object needed to read the table: 3:1 on
    the white page. #bbb had 1.9:1. Every other border of the style sheet is held to the same."""
    for where, html in _report_pages(sample_con).items():
        style = _style_sheet(html)
        cells = re.search(r"border:\s*([\d.]+)px solid ([^;}\s]+)", _css_rule(style, "th, td"))
        assert cells, f"{where}: the table cells have no border"
        assert float(cells.group(1)) >= 1
        assert contrast(cells.group(2), WHITE) >= 3, \
            f"{where}: cell border {cells.group(2)} has {contrast(cells.group(2), WHITE):.2f}:1 on white"
        # why: cells of several lines (the sources of the assumptions: hundreds of characters)
        longest = max(len(text) for text in re.findall(r"<td[^>]*>([^<]*)</td>", html))
        assert longest > 200, longest
        borders = re.findall(r"border(?:-\w+)?:\s*[\d.]+px solid (#[0-9A-Fa-f]{3,6})", style)
        assert len(borders) >= 4, borders  # cells, headings, key figures, warnings
        for colour in borders:
            assert contrast(colour, WHITE) >= 3, f"{where}: border {colour} of the style sheet"


# The slides' plotly charts: their axis lines, tick marks and zero lines where shown, and every
# text colour. A zero line the chart asks for (zeroline=True: on the gap slide, where a shortage
# turns into room to spare) carries meaning; plotly's own zero line, drawn only where 0 happens to
# be in the range and in the colour of the grid (ui.theme.white_background), is part of the grid.

def _text_colours(figure: dict) -> list[tuple[str, str]]:
    """Every text of a plotly chart with its colour as drawn: plotly's default is #444."""
    layout = figure["layout"]
    default = layout.get("font", {}).get("color", "#444")
    texts = [("font", default), ("legend", layout.get("legend", {}).get("font", {}).get("color", default))]
    texts += [(f"annotation {a.get('text')}", a.get("font", {}).get("color", default))
              for a in layout.get("annotations", [])]
    for name, axis in layout.items():
        if name.startswith(("xaxis", "yaxis")) and axis.get("visible", True):
            texts += [(f"{name} ticks", axis.get("tickfont", {}).get("color", default)),
                      (f"{name} title", axis.get("title", {}).get("font", {}).get("color", default))]
    texts += [(f"text of {t.get('name')}", t.get("textfont", {}).get("color", default))
              for t in figure["data"] if t.get("text") is not None]
    return texts


def _axis_marks(figure: dict) -> list[tuple[str, str]]:
    """The axis lines, tick marks and requested zero lines a chart draws, with their colours."""
    marks = []
    for name, axis in figure["layout"].items():
        if not name.startswith(("xaxis", "yaxis")) or not axis.get("visible", True):
            continue
        if axis.get("showline"):
            marks.append((f"{name} line", axis.get("linecolor", "#444")))
        if axis.get("ticks") in ("inside", "outside"):
            marks.append((f"{name} ticks", axis.get("tickcolor", "#444")))
        if axis.get("zeroline") is True:
            marks.append((f"{name} zero line", axis.get("zerolinecolor", "#444")))
    return marks


def test_every_axis_line_and_text_on_the_slides_has_contrast(app_db):
    seen = set()
    for dia in _slide_keys():
        for chart in open_slide({"dia": dia}).get("plotly_chart"):
            figure = json.loads(chart.proto.spec)
            layout = figure["layout"]
            page = (layout.get("plot_bgcolor", "#E5ECF6"), layout.get("paper_bgcolor", "#ffffff"))
            for what, colour in _text_colours(figure):
                for background in page:
                    assert contrast(colour, background) >= 4.5, f"{dia}, {what}: {colour} on {background}"
            for what, colour in _axis_marks(figure):
                seen.add(dia)
                for background in page:
                    assert contrast(colour, background) >= 3, f"{dia}, {what}: {colour} on {background}"
    assert "tekort" in seen  # the zero line of the gap slide


# After a herindeling a gemeente can have two wijken of one name (two 'Centrum', each from one of
# the old gemeenten); the factsheet marks the chosen wijk by its code, not by its name.
TWO_CENTRUMS = [("WK019310", "Centrum", 7115, 450), ("WK019311", "Centrum", 26020, 6000),
                ("WK019322", "Wijk 22 Stadshagen", 8200, 1200)]


@pytest.fixture
def two_centrums_con(tmp_path):
    """A gemeente in kwb-2024.xlsx (CBS's layout, the real loader) with two wijken named Centrum."""
    from kwb_files import kwb_rows, write_kwb_xlsx

    from data_sources import jobs, store

    connection = store.connect(tmp_path / "kindkaart.duckdb")
    jobs.import_cbs_file(connection, write_kwb_xlsx(tmp_path / "kwb-2024.xlsx", kwb_rows(wijken=TWO_CENTRUMS)))
    yield connection
    connection.close()


@pytest.mark.parametrize("wijk", ["WK019310", "WK019311"])
def test_of_two_wijken_of_one_name_the_factsheet_marks_only_the_chosen_one(two_centrums_con, wijk):
    """Of the two bars named Centrum only the chosen wijk's is bold and outlined: the one with the
    fewer children for WK019310, the one with the more for WK019311. Each Centrum carries its code,
    and the caption names the chosen one by it."""
    import html as html_module

    from outputs.report import wijk_factsheet

    sheet = wijk_factsheet(two_centrums_con, "GM0193", 2024, wijk)
    section = re.search(r'<section id="per_wijk">.*?</section>', sheet, flags=re.S).group(0)
    [svg] = re.findall(r"<svg\b.*?</svg>", section, flags=re.S)
    # (name, is marked, children shown at the end of the bar)
    bars = [(html_module.unescape(name), _attribute(rect, "stroke") is not None and 'font-weight' in text,
             float(figure.replace(".", "").replace(",", ".")))
            for text, name, rect, figure in re.findall(r"(<text\b[^>]*>)([^<]*)</text>(<rect\b[^>]*>)"
                                                       r"<text\b[^>]*>([\d.,]+)</text>", svg)]
    centrums = [bar for bar in bars if bar[0].startswith("Centrum")]
    assert {name for name, _, _ in centrums} == {"Centrum (WK019310)", "Centrum (WK019311)"}, bars
    assert "Wijk 22 Stadshagen" in [name for name, _, _ in bars]  # a name of its own keeps no code
    marked = [bar for bar in bars if bar[1]]
    expected = (min if wijk == "WK019310" else max)(centrums, key=lambda bar: bar[2])
    assert marked == [(expected[0], True, expected[2])] and wijk in expected[0], bars
    caption = html_module.unescape(re.search(r"<figcaption>(.*?)</figcaption>", section).group(1))
    assert f"vet en omrand: Centrum ({wijk})" in caption


@pytest.mark.parametrize(("wijken", "wijk", "heading"), [
    (TWO_CENTRUMS, "WK019310", "Wijkfactsheet Centrum (WK019310) (Zwolle) 2024"),
    (TWO_CENTRUMS, "WK019311", "Wijkfactsheet Centrum (WK019311) (Zwolle) 2024"),
    (TWO_CENTRUMS, "WK019322", "Wijkfactsheet Wijk 22 Stadshagen (Zwolle) 2024"),
    # the other Centrum's children are secret (CBS '.'): it has no bar, yet shares the name
    ([TWO_CENTRUMS[0], (*TWO_CENTRUMS[1][:3], "."), TWO_CENTRUMS[2]], "WK019310",
     "Wijkfactsheet Centrum (WK019310) (Zwolle) 2024"),
    ([TWO_CENTRUMS[0], TWO_CENTRUMS[2]], "WK019310", "Wijkfactsheet Centrum (Zwolle) 2024"),
])
def test_the_factsheets_heading_names_a_wijk_of_a_shared_name_by_its_code(tmp_path, wijken, wijk, heading):
    """After a herindeling two wijken of one gemeente can both be 'Centrum': the factsheet's heading
    and its <title> carry the code then, as the bars do, so that two factsheets are never named
    alike; a name of its own stays without a code."""
    import html as html_module

    from kwb_files import kwb_rows, write_kwb_xlsx

    from data_sources import jobs, store
    from outputs.report import wijk_factsheet

    con = store.connect(tmp_path / "kindkaart.duckdb")
    try:
        jobs.import_cbs_file(con, write_kwb_xlsx(tmp_path / "kwb-2024.xlsx", kwb_rows(wijken=wijken)))
        sheet = wijk_factsheet(con, "GM0193", 2024, wijk)
    finally:
        con.close()
    assert html_module.unescape(re.search(r"<h1>(.*?)</h1>", sheet).group(1)) == heading
    assert html_module.unescape(re.search(r"<title>(.*?)</title>", sheet).group(1)) == heading


LONG_WIJK = "Wijk 12 Binnenstad-Oost en Oude Haven"
LONGER_WIJK = "Wijk 03 Sint-Maartensvlotbrug, Mijdrecht-Zuid en de Oude Haven"


@pytest.mark.parametrize("chosen", [None, "WK000012", "WK000003"])
def test_a_long_wijk_name_beside_its_bar_is_never_cut_off(chosen):
    """Real CBS names reach 40 characters and more: with the names' margin fixed at 170 px they
    ran off the chart's left edge (cut in the HTML and in print). The margin follows the longest
    name; one wider than half the chart is shortened with '…' and keeps its full name in a
    <title>. Every name starts inside the chart, by the report's own estimate and measured in
    DejaVu Sans (bold for the chosen wijk), and ends before the bars begin."""
    import html as html_module

    from outputs.report import _text_width, svg_bars

    svg = svg_bars([LONG_WIJK, LONGER_WIJK, "Oost"], [120.0, 80.0, 40.0], [False] * 3, "proef",
                   codes=["WK000012", "WK000003", "WK000001"], highlight=chosen)
    _, _, width, _ = map(float, _attribute(svg, "viewBox").split())
    names = re.findall(r"(<text\b[^>]*>)(?:<title>([^<]*)</title>)?([^<]*)</text><rect\b([^>]*)>", svg)
    assert len(names) == 3, svg
    bars_start = min(float(_attribute(f"<rect {rect}>", "x")) for *_, rect in names)
    for element, _, text, _ in names:
        estimate = _text_width(html_module.unescape(text), 14)
        assert float(_attribute(element, "x")) - estimate >= 0, (text, svg)
    for text, left, _, right, _ in _text_boxes(svg):
        if text in {"120", "80", "40"}:
            continue
        assert 0 <= left and right <= bars_start, (text, left, right, bars_start)
    shown = {html_module.unescape(full or text): html_module.unescape(text) for _, full, text, _ in names}
    assert shown[LONGER_WIJK].endswith("…") and len(shown[LONGER_WIJK]) < len(LONGER_WIJK)
    assert shown["Oost"] == "Oost"
    # the name that fits in half the chart is shown whole, unless bold (chosen) it no longer does
    assert (shown[LONG_WIJK] == LONG_WIJK) == (chosen != "WK000012"), shown
    assert bars_start <= width / 2 + 8


def test_short_names_beside_the_bars_keep_a_compact_margin():
    """Short names leave the bars the room: no margin wider than the names need (plus the gap)."""
    from outputs.report import svg_bars

    svg = svg_bars(["Oost", "West", "Noord"], [10.0, 20.0, 30.0], [False] * 3, "proef")
    starts = {float(x) for x in re.findall(r'<rect x="([\d.]+)"', svg)}
    assert starts == {60.0}, svg
    assert "<title>" not in svg
    for text, left, _, right, _ in _text_boxes(svg):
        assert 0 <= left and (text.isdigit() or right <= 60), (text, left, right)


def _text_boxes(svg: str) -> list[tuple[str, float, float, float, float]]:
    """Every text of an SVG chart as (text, left, top, right, bottom): its width measured in DejaVu
    Sans (wider than the report's system-ui fonts; bold where the text is), its height from its font size (ascent 0.8,
    descent 0.25 of it, as 'j' and 'g' reach below the baseline)."""
    import html as html_module

    from PIL import ImageFont

    boxes = []
    for element, text in re.findall(r"(<text\b[^>]*>)(?:<title>[^<]*</title>)?([^<]*)</text>", svg):
        text = html_module.unescape(text)
        size = float(_attribute(element, "font-size"))
        x, y = float(_attribute(element, "x")), float(_attribute(element, "y"))
        bold = _attribute(element, "font-weight") in ("bold", "700", "800", "900")
        try:
            font = ImageFont.truetype("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf", size)
        except OSError:
            font = ImageFont.load_default(size)
        width = font.getlength(text)
        left = {"end": x - width, "middle": x - width / 2}.get(_attribute(element, "text-anchor"), x)
        boxes.append((text, left, y - 0.8 * size, left + width, y + 0.25 * size))
    return boxes


@pytest.mark.parametrize("wijk", [None, "WK019310", WIJK_WITHOUT_CHILDREN[0]])
def test_every_text_of_the_trend_chart_lies_inside_it_and_apart(zero_wijk_con, wijk):
    """The names at the ends of the lines stay inside the chart: a wijk without children has every
    line at 0, on the axis, and its stack of names ran below the chart's bottom edge, cut off
    ('4-12 jaar' at the edge, its 'j' beyond it). No two texts overlap (the names and the years)."""
    from outputs.report import gemeente_report, wijk_factsheet

    html = (wijk_factsheet(zero_wijk_con, "GM0193", 2024, wijk) if wijk
            else gemeente_report(zero_wijk_con, "GM0193", 2024))
    [svg] = _svg_line_charts(html)
    min_x, min_y, width, height = map(float, _attribute(svg, "viewBox").split())
    boxes = _text_boxes(svg)
    assert len(boxes) >= 6  # 0 and a number of the scale, two years, the lines' names
    for text, left, top, right, bottom in boxes:
        assert min_x <= left and right <= min_x + width and min_y <= top and bottom <= min_y + height, \
            f"'{text}' ({left:.0f}, {top:.0f})-({right:.0f}, {bottom:.0f}) outside the chart ({width:g} x {height:g})"
    for i, one in enumerate(boxes):
        for other in boxes[i + 1:]:
            apart = one[3] <= other[1] or other[3] <= one[1] or one[4] <= other[2] or other[4] <= one[2]
            assert apart, f"'{one[0]}' and '{other[0]}' overlap"


def _end_label_text(svg: str) -> str:
    """The words right of the lines' ends: every text that is neither a number of the scale, nor a
    year, nor the note where the source changes."""
    import html as html_module

    texts = [html_module.unescape(text) for element, text in re.findall(r"(<text\b[^>]*>)([^<]*)</text>", svg)
             if _attribute(element, "text-anchor") is None and "bron" not in text]
    return " ".join(texts)


def test_lines_that_lie_on_each_other_are_named_together(zero_wijk_con):
    """A wijk without children: the lines of 0-2, 2-4 and 4-12 jaar all lie on the axis, exactly on
    each other, so that only the one drawn last shows. Its name says the others are there: one
    label names all three and says they coincide."""
    from outputs.report import wijk_factsheet

    [svg] = _svg_line_charts(wijk_factsheet(zero_wijk_con, "GM0193", 2024, WIJK_WITHOUT_CHILDREN[0]))
    named = _end_label_text(svg)
    assert re.search(r"0-2, 2-4 en 4-12 jaar:? vallen samen", named), named
    # one label: one sample of the line (its piece of line) for the three names
    assert len(re.findall(r"<line\b[^>]*stroke-width=\"3\"", svg)) == 1, svg


def test_two_lines_alike_are_named_together_and_a_line_apart_alone(zero_wijk_con):
    """A wijk whose children are estimated from CBS's 0-15 (Binnenstad): 0-2 and 2-4 jaar, both two
    years of age, get the same figures, so their lines lie on each other; 4-12 jaar has its own."""
    from outputs.report import wijk_factsheet

    [svg] = _svg_line_charts(wijk_factsheet(zero_wijk_con, "GM0193", 2024, "WK019310"))
    named = _end_label_text(svg)
    assert re.search(r"^4-12 jaar 0-2 en 2-4 jaar vallen samen$", named), named
    assert len(re.findall(r"<line\b[^>]*stroke-width=\"3\"", svg)) == 2, svg


def test_lines_apart_keep_a_name_each(sample_con):
    """The sample gemeente's counts (BRP): every age group has figures of its own, and a name."""
    from outputs.report import wijk_factsheet

    year = sample_con.execute("select max(year) from geometries").fetchone()[0]
    [svg] = _svg_line_charts(wijk_factsheet(sample_con, "GM9999", year, "WK999907"))
    named = _end_label_text(svg)
    assert "samen" not in named and all(f"{group} jaar" in named for group in ("0-2", "2-4", "4-12")), named
    assert len(re.findall(r"<line\b[^>]*stroke-width=\"3\"", svg)) == 3, svg


def test_names_of_lines_ending_apart_near_the_axis_move_up_into_the_chart():
    """Three lines that end apart but close above 0 (a wijk emptied for rebuilding): their names,
    pushed apart downwards, went below the chart; the stack moves up, each name on a row of its own."""
    from outputs.report import svg_lines

    svg = svg_lines([2023, 2024], {"0-2": ([40.0, 0.0], [False] * 2), "2-4": ([45.0, 1.0], [False] * 2),
                                   "4-12": ([160.0, 2.0], [False] * 2)}, "proef")
    _, _, width, height = map(float, _attribute(svg, "viewBox").split())
    boxes = _text_boxes(svg)
    for text, left, top, right, bottom in boxes:
        assert 0 <= left and right <= width and 0 <= top and bottom <= height, (text, top, bottom, height)
    for i, one in enumerate(boxes):
        assert all(one[3] <= other[1] or other[3] <= one[1] or one[4] <= other[2] or other[4] <= one[2]
                   for other in boxes[i + 1:]), one
    assert "samen" not in _end_label_text(svg)


def test_the_lines_under_the_rows_of_the_pages_tables_have_the_reports_contrast(app_db):
    """1.4.11: the tables a page draws itself (theme.html_table: Overzicht's Per wijk, the tables
    under the charts, Aanleveren's messages) had a line of #d0d0d6 under each row, 1.5:1 on white.
    Their cells wrap as the report's do (tests/test_browser_table_rules.py measures it), so the
    line says which cells make a row: the report's colour, and each cell starts at the top."""
    from outputs.palette import TABLE_RULE

    at = run_page("overzicht")
    assert not at.exception, at.exception
    tables = [m.value for m in at.markdown if "<table" in m.value]
    assert tables, "Overzicht draws no table of its own"
    for html in tables:
        styles = re.findall(r"<t[dh][^>]* style='([^']*)'", html)
        assert styles
        for style in styles:
            rule = re.search(r"border-bottom:\s*([\d.]+)px solid ([^;']+)", style)
            assert rule, style
            assert float(rule.group(1)) >= 1
            assert rule.group(2) == TABLE_RULE, style
            assert contrast(rule.group(2), WHITE) >= 3, style
            assert "vertical-align:top" in style, style
