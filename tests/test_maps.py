"""The map as the projector shows it (SVG) and as the Kaart page shows it (deck.gl) agree."""

from __future__ import annotations

import json
import re

import pandas as pd

from ui import theme
from ui.maps import choropleth, shapes_from_frame, svg_choropleth


def _square(x: float) -> str:
    ring = [[x, 52.0], [x + 0.01, 52.0], [x + 0.01, 52.01], [x, 52.01], [x, 52.0]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


SHAPES = shapes_from_frame(pd.DataFrame({
    "wijk_code": ["WK999901", "WK999902", "WK999903", "WK999904"],
    "geometry_json": [_square(5.0), _square(5.01), _square(5.02), _square(5.03)],
}))
VALUES = pd.DataFrame({
    "wijk_code": ["WK999901", "WK999902", "WK999903"],
    "wijk_name": ["Wijk 01 Centrum", "Wijk 02 Noord", "Wijk 03 Haven"],
    "value": [120.0, float("nan"), 40.0],
    "hidden": [False, True, False],
})


def _svg_wijken(svg: str) -> dict[str, str]:
    """Title text -> fill colour of every wijk in the SVG."""
    return {title: fill for fill, title in re.findall(r'<path d="[^"]*" fill="([^"]+)"[^>]*><title>([^<]+)</title>',
                                                       svg)}


def test_svg_map_shows_what_the_deck_shows():
    svg, breaks = svg_choropleth(VALUES, SHAPES, "Kinderen 0-12 jaar", names={"WK999904": "Zuid"})
    deck, deck_breaks = choropleth(VALUES, SHAPES, "Kinderen 0-12 jaar", names={"WK999904": "Zuid"})
    assert breaks == deck_breaks == [40.0, 120.0]
    assert _svg_wijken(svg) == {
        "Wijk 01 Centrum: 120": "#440154",  # light to dark: the most is darkest
        "Wijk 02 Noord: afgeschermd": "#bebebe",
        "Wijk 03 Haven: 40": "#fde725",
        "Zuid: geen gegevens": "#bebebe",
    }
    features = json.loads(deck.to_json())["layers"][0]["data"]["features"]
    deck_fills = {f["properties"]["wijk_name"]: f["properties"]["fill"][:3] for f in features}
    for title, fill in _svg_wijken(svg).items():
        assert deck_fills[title.split(":")[0]] == theme.hex_to_rgb(fill)[:3]
    # the names on the map, without the CBS prefix "Wijk 01"
    assert sorted(re.findall(r">([^<>]+)</text>", svg)) == ["Centrum", "Haven", "Noord", "Zuid"]
    assert 'role="img" aria-label="Kinderen 0-12 jaar"' in svg


def test_svg_map_outlines_the_chosen_wijk_last():
    svg, _ = svg_choropleth(VALUES, SHAPES, "Kinderen 0-12 jaar", highlight="WK999903")
    paths = re.findall(r"<path [^>]*>", svg)
    # a black band with a white one on top, both along Haven's edge, over every other wijk
    assert 'stroke="#000000" stroke-width="8"' in paths[-2] and "<title>Wijk 03 Haven" in svg.split(paths[-2])[1][:40]
    assert 'fill="none" stroke="#ffffff" stroke-width="3"' in paths[-1]
    assert paths[-1].split('" ')[0] == paths[-2].split('" ')[0]  # the same d
    assert sum('stroke-width="8"' in path for path in paths) == 1


def test_svg_map_without_geometries_is_empty():
    assert svg_choropleth(VALUES, shapes_from_frame(pd.DataFrame(columns=["wijk_code", "geometry_json"])),
                          "Kinderen 0-12 jaar") == ("", [40.0, 120.0])


def test_svg_map_names_only_what_can_be_read():
    """The largest wijk first; a name that would cover another, or is far wider than its wijk,
    is left off (a city of a hundred wijken would be a blur of names)."""
    def box(x: float, y: float, size: float) -> str:
        ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
        return json.dumps({"type": "Polygon", "coordinates": [ring]})

    shapes = shapes_from_frame(pd.DataFrame({
        "wijk_code": ["WK999901", "WK999902", "WK999903"],
        # a large wijk, a small one inside its label's line, a narrow one far away
        "geometry_json": [box(5.0, 52.0, 0.1), box(5.05, 52.05, 0.001), box(5.3, 52.0, 0.002)],
    }))
    values = pd.DataFrame({"wijk_code": ["WK999901", "WK999902", "WK999903"],
                           "wijk_name": ["Groot", "Klein", "Smalle wijk met een lange naam"],
                           "value": [1.0, 2.0, 3.0], "hidden": [False, False, False]})
    svg, _ = svg_choropleth(values, shapes, "Kinderen 0-12 jaar")
    assert re.findall(r">([^<>]+)</text>", svg) == ["Groot"]
    # every wijk is still drawn, with its name in the tooltip of its area
    assert sorted(re.findall(r"<title>([^<:]+):", svg)) == ["Groot", "Klein", "Smalle wijk met een lange naam"]


# Stored by a Kindkaart from before the intake checked polygons: an empty ring (the Kaart page
# showed "IndexError: too many indices for array" to everyone), no ring, and the text NaN.
DAMAGED = {"WK999901": '{"type":"Polygon","coordinates":[[]]}',
           "WK999902": '{"type":"Polygon","coordinates":[]}',
           "WK999903": _square(5.02).replace("52.01", "NaN", 1)}


def test_a_stored_boundary_that_cannot_be_drawn_is_left_off_with_a_note():
    frame = pd.DataFrame({"wijk_code": [*DAMAGED, "WK999904"],
                          "geometry_json": [*DAMAGED.values(), _square(5.03)]})
    shapes = shapes_from_frame(frame)
    assert list(shapes.geometry_text) == ["WK999904"]
    assert shapes.left_out == ("WK999901", "WK999902", "WK999903")
    assert shapes.left_out_note({"WK999901": "Centrum"}) == (
        "Niet op de kaart: Centrum (WK999901), WK999902, WK999903. De opgeslagen wijkgrens is "
        "beschadigd of leeg; lees de grenzen opnieuw in op de pagina Gemeente laden.")
    deck, _ = choropleth(VALUES, shapes, "Kinderen")
    assert [f["properties"]["wijk_code"] for f in json.loads(deck.to_json())["layers"][0]["data"]["features"]
            ] == ["WK999904"]
    nothing = shapes_from_frame(frame.iloc[:3])
    assert nothing.geometry_text == {} and choropleth(VALUES, nothing, "Kinderen") == (None, [])


def test_kaart_and_report_leave_out_a_damaged_boundary(app_db):
    from conftest import run_page

    from data_sources import store
    from outputs.report import gemeente_report

    con = store.connect(app_db)
    try:
        [(year,)] = con.execute("select max(year) from geometries where region_code = 'WK999901'"
                                ).fetchall()
        con.execute("update geometries set geometry_json = ? where region_code = 'WK999901'",
                    [DAMAGED["WK999901"]])
        report = gemeente_report(con, "GM9999", int(year))
    finally:
        con.close()
    assert "Niet op de kaart: Centrum (WK999901). De opgeslagen wijkgrens" in report
    at = run_page("kaart")
    assert not at.exception
    features = json.loads(at.get("deck_gl_json_chart")[0].proto.json)["layers"][0]["data"]["features"]
    assert len(features) == 9 and "WK999901" not in {f["properties"]["wijk_code"] for f in features}
    assert [w.value for w in at.warning if "Niet op de kaart" in w.value] == [
        "Niet op de kaart: Centrum (WK999901). De opgeslagen wijkgrens is beschadigd of leeg; lees "
        "de grenzen opnieuw in op de pagina Gemeente laden."]


def test_the_map_slide_says_which_wijk_it_left_off(app_db):
    from conftest import run_page

    from data_sources import store

    con = store.connect(app_db)
    try:
        con.execute("update geometries set geometry_json = ? where region_code = 'WK999901'",
                    [DAMAGED["WK999901"]])
    finally:
        con.close()
    at = run_page("presentatie", params={"dia": "kaart"})
    assert not at.exception
    svg = next(m.value for m in at.markdown if "kk-map" in m.value)
    assert "Centrum" not in re.findall(r"<title>([^<:]+):", svg)
    assert [w.value for w in at.warning if "Niet op de kaart" in w.value] == [
        "Niet op de kaart: Centrum (WK999901). De opgeslagen wijkgrens is beschadigd of leeg; lees "
        "de grenzen opnieuw in op de pagina Gemeente laden."]


def test_wijken_with_the_same_value_give_each_class_bound_once():
    # an even spread of equal populations: eight of twelve wijken at 185
    values = [68, 120, 160] + [185] * 8 + [590]
    breaks = theme.class_breaks(values)
    assert breaks == [160, 185, 590]  # was 160, 185, 185, 185, 590
    assert all(theme.class_colour(v, breaks) != theme.HIDDEN_FILL for v in values)
    from ui.maps import legend_markdown

    legend = legend_markdown(breaks)
    assert "185 – 185" not in legend
    assert "afgeschermd of onbekend" in legend  # grey is also a wijk CBS keeps secret


def test_the_legend_says_where_each_class_starts_and_ends():
    from outputs.palette import class_labels

    # counts: the first class from the lowest wijk, each next one above the bound before it
    # (was "tot 42", "42 – 97": 42 in two classes, and 'tot' said 42 was not in the first)
    values = [9, 30, 42, 50, 97, 120, 129, 200, 253, 441]
    breaks = theme.class_breaks(values)
    assert class_labels(breaks, values) == ["9 – 30", "31 – 50", "51 – 120", "121 – 200", "201 – 441"]
    # a class of one value shows that value; 0 for wijken without a shortage
    assert class_labels([0, 5, 180], [0, 0, 0, 3, 5, 180]) == ["0", "1 – 5", "6 – 180"]
    # rates with decimals: a class starts at its lowest value, so no bound is in two labels
    # (was "1,2 – 2,5", "2,5 – 7,3": 2,5 in both)
    assert class_labels([2.5, 7.26], [1.24, 2.5, 7.26], decimals=1) == ["1,2 – 2,5", "7,3"]
    assert class_labels([0.8, 3.0], [0.4, 0.8, 1.2, 2.0, 3.0], decimals=1) == ["0,4 – 0,8", "1,2 – 3,0"]
    # two values apart only below the shown decimals: 'meer dan' the bound before
    assert class_labels([0.8, 3.0], [0.4, 0.8, 0.84, 3.0], decimals=1) == ["0,4 – 0,8",
                                                                          "meer dan 0,8 t/m 3,0"]
    assert class_labels([42.0], None) == ["t/m 42"]
    from ui.maps import legend_markdown

    assert "9 – 30" in legend_markdown(breaks, 0, values)


# The sixteen wijken of Zwolle in 2024 (codes and names as the bundled boundaries have them);
# small made-up numbers of children, as in a village-like gemeente: the passend shortage of
# separate-group places is a place or two per wijk.
SMALL_WIJKEN = [(code, name, 5 * young, young) for code, name, young in [
    ("WK019310", "Wijk 10 Binnenstad", 300), ("WK019311", "Wijk 11 Diezerpoort", 330),
    ("WK019312", "Wijk 12 Wipstrik", 360), ("WK019313", "Wijk 13 Assendorp", 390),
    ("WK019314", "Wijk 14 Kamperpoort-Veerallee", 420), ("WK019320", "Wijk 20 Poort van Zwolle", 450),
    ("WK019321", "Wijk 21 Westenholte", 480), ("WK019322", "Wijk 22 Stadshagen", 510),
    ("WK019330", "Wijk 30 Holtenbroek", 540), ("WK019331", "Wijk 31 Aa-landen", 570),
    ("WK019332", "Wijk 32 Vechtlanden", 600), ("WK019340", "Wijk 40 Berkum", 630),
    ("WK019341", "Wijk 41 Marsweteringlanden", 660), ("WK019350", "Wijk 50 Schelle", 690),
    ("WK019351", "Wijk 51 Ittersum", 720), ("WK019352", "Wijk 52 Soestweteringlanden", 2400)]]


def test_a_legend_of_small_model_estimates_names_each_class_once(tmp_path, monkeypatch):
    """Review (session 23): on the Kaart of a real gemeente with small wijken the legend of the
    passend shortage read "0 – 1", "1", "1", "1", "meer dan 1 t/m 13": model estimates of 0,7,
    1,2 and 1,4 places are all shown as 1 but were split over four classes."""
    from conftest import app_db_with_files, run_page_as_analist
    from kwb_files import kwb_rows, write_kwb_xlsx

    from outputs.palette import class_breaks, class_labels

    db = app_db_with_files(tmp_path, monkeypatch,
                           write_kwb_xlsx(tmp_path / "kwb-2024.xlsx", kwb_rows(wijken=SMALL_WIJKEN)))
    # row 10 delivered, with no plus-group places ('0 gemeld'): without it the passend shortage
    # is not known and has no map (docs/model.md)
    import sys
    from pathlib import Path

    from data_sources import jobs, store
    sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "registrations"))
    from support import filled_template

    con = store.connect(db)
    try:
        jobs.import_registration(
            con, filled_template("groepsgrootte", [["Peuterplus", "WK019310", "plus 1", "plusgroep",
                                                    "2-4", 0, 0, 1]]),
            "groepsgrootte", "Kleine Zorg", "2024", "groepen.xlsx")
    finally:
        con.close()
    at = run_page_as_analist("kaart")
    at.selectbox(key="_indicator_choice").set_value("tekort_niveau_3_passend").run()
    assert not at.exception, at.exception
    legend = next(m.value for m in at.markdown if "afgeschermd of onbekend" in m.value
                  and "<span" in m.value)
    labels = re.findall(r"</span>([^<]+)</span>", legend)[:-1]  # swatch, label, end of the item
    assert len(labels) >= 2, labels
    assert len(set(labels)) == len(labels), labels
    assert not any(label.startswith("meer dan") for label in labels), labels
    # every value the legend shows alike is in one class; as on the map (ui.a11y.figure_text) an
    # estimate between 0 and 1 reads '<1' (the legend said '0 – 1' beside a tooltip '<1')
    values = [0.3, 0.7, 0.9, 1.1, 1.2, 1.3, 1.4, 1.45, 2.2, 4.0, 13.0]
    breaks = class_breaks(values, decimals=0)
    assert class_labels(breaks, values, 0) == ["<1", "1", "2", "4 – 13"]
    assert len({theme.class_colour(v, breaks) for v in (0.3, 0.7, 0.9)}) == 1
    assert len({theme.class_colour(v, breaks) for v in (1.1, 1.2, 1.45)}) == 1
