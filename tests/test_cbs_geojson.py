"""GeoJSON boundaries as users export them: RD New from QGIS/GDAL, the wijk- en buurtkaart's buurten
(buurtcode beside wijkcode), regions in several parts, and coordinates Kindkaart cannot place."""

from __future__ import annotations

import json

import pytest
from conftest import REAL_DATA, refusal

from data_sources.errors import InputRefused, severity
from data_sources.geo import rd_to_wgs84, read_geojson
from data_sources.jobs import import_cbs_file as import_file
from data_sources.offline_boundaries import bundled_features

# The published forward approximation (Schreutelkamp and Strang van Hees), to write RD files
# as QGIS does from the real 2024 boundaries: (p, q, coefficient) for dphi^p dlam^q.
_X_TERMS = ((0, 1, 190094.945), (1, 1, -11832.228), (2, 1, -114.221), (0, 3, -32.391),
            (1, 0, -0.705), (3, 1, -2.340), (1, 3, -0.608), (0, 2, -0.008), (2, 3, 0.148))
_Y_TERMS = ((1, 0, 309056.544), (0, 2, 3638.893), (2, 0, 73.077), (1, 2, -157.984),
            (3, 0, 59.788), (0, 1, 0.433), (2, 2, -6.439), (1, 1, -0.032), (0, 4, 0.092),
            (1, 4, -0.054))
RD_CRS = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::28992"}}


def wgs84_to_rd(lon: float, lat: float) -> list[float]:
    dphi, dlam = 0.36 * (lat - 52.15517440), 0.36 * (lon - 5.38720621)
    return [round(155000 + sum(k * dphi ** p * dlam ** q for p, q, k in _X_TERMS), 3),
            round(463000 + sum(k * dphi ** p * dlam ** q for p, q, k in _Y_TERMS), 3)]


def walk(coordinates, convert):
    if isinstance(coordinates[0], (int, float)):
        return convert(*coordinates)
    return [walk(item, convert) for item in coordinates]


def zwolle_wijken() -> list[dict]:
    """The real 2024 wijken of Zwolle (the bundled boundaries, WGS84)."""
    return [f for f in bundled_features(["GM0193"]) if f["properties"]["statcode"].startswith("WK")]


def kaart_feature(properties: dict, geometry: dict) -> dict:
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def write(path, features, **members):
    path.write_text(json.dumps({"type": "FeatureCollection", **members, "features": features}),
                    encoding="utf-8")
    return path


def buurten_of(wijk: dict, how_many: int = 2) -> list[dict]:
    """Buurten as the wijk- en buurtkaart has them: buurtcode, buurtnaam, wijkcode, gemeentecode;
    here strips of the wijk's bounding box, from west to east."""
    points = [p for ring in wijk["geometry"]["coordinates"] for p in ring]
    west, east = min(p[0] for p in points), max(p[0] for p in points)
    south, north = min(p[1] for p in points), max(p[1] for p in points)
    code = wijk["properties"]["statcode"]
    step = (east - west) / how_many
    return [kaart_feature(
        {"buurtcode": f"BU{code[2:]}{n:02d}", "buurtnaam": f"Buurt {n} van {code}",
         "wijkcode": code, "gemeentecode": "GM0193", "gemeentenaam": "Zwolle", "jaar": 2024},
        {"type": "Polygon", "coordinates": [[[west + n * step, south], [west + (n + 1) * step, south],
                                             [west + (n + 1) * step, north], [west + n * step, north],
                                             [west + n * step, south]]]})
        for n in range(how_many)]


def geometries(con, level: str) -> dict:
    return dict(con.execute("select region_code, geometry_json from geometries"
                            " where region_level = ? order by 1", [level]).fetchall())


def test_rd_to_wgs84_at_known_points():
    # Amersfoort, the origin of RD, and the Martinitoren in Groningen (RD 233883.131, 582065.167)
    assert rd_to_wgs84(155000, 463000) == pytest.approx((5.38720621, 52.15517440), abs=1e-8)
    assert rd_to_wgs84(233883.131, 582065.167) == pytest.approx((6.56820053, 53.21938317), abs=1e-7)
    lon, lat = 6.0952, 52.5126  # Zwolle, there and back: within a few decimetres (1e-5 deg is ~1 m)
    assert rd_to_wgs84(*wgs84_to_rd(lon, lat)) == pytest.approx((lon, lat), abs=5e-6)


def test_a_wijkenkaart_in_rd_is_stored_in_wgs84(con, tmp_path):
    wijken = zwolle_wijken()
    rd = [kaart_feature({"wijkcode": w["properties"]["statcode"], "wijknaam": "x",
                         "gemeentecode": "GM0193", "gemeentenaam": "Zwolle"},
                        {"type": "Polygon", "coordinates": walk(w["geometry"]["coordinates"], wgs84_to_rd)})
             for w in wijken]
    path = write(tmp_path / "wijken_2023_rd.geojson", rd, crs=RD_CRS)
    import_file(con, path, gemeenten=["GM0193"])
    stored = con.execute("select region_code, geometry_json from geometries where year = 2023"
                         " order by 1").fetchall()
    assert [code for code, _ in stored] == sorted(w["properties"]["statcode"] for w in wijken)
    original = {w["properties"]["statcode"]: w["geometry"]["coordinates"] for w in wijken}
    for code, geometry in stored:
        got = json.loads(geometry)["coordinates"]
        assert [c for ring in got for p in ring for c in p] == pytest.approx(
            [c for ring in original[code] for p in ring for c in p], abs=2e-5)


@pytest.mark.parametrize(("members", "coordinates", "said"), [
    ({"crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}}},
     [[[678000, 6890000], [679000, 6890000], [679000, 6891000], [678000, 6890000]]],
     "de coördinaten zijn in urn:ogc:def:crs:EPSG::3857; Kindkaart leest WGS84 (EPSG:4326) en "
     "RD New (EPSG:28992). Exporteer de kaart als WGS84."),
    ({}, [[[678000, 6890000], [679000, 6890000], [679000, 6891000], [678000, 6890000]]],
     "de coördinaten (x van 678000 tot 679000, y van 6.89e+06 tot 6.891e+06) liggen niet in "
     "Nederland als WGS84 of RD New. Exporteer de kaart als WGS84 (EPSG:4326) of RD New "
     "(EPSG:28992)."),
    ({"crs": RD_CRS}, [[[6.09, 52.51], [6.1, 52.51], [6.1, 52.52], [6.09, 52.51]]],
     "de coördinaten (x van 6.09 tot 6.1, y van 52.51 tot 52.52) liggen niet in Nederland als "
     "RD New (EPSG:28992). Exporteer de kaart als WGS84 (EPSG:4326) of RD New (EPSG:28992)."),
    ({}, [[[52.51, 6.09], [52.51, 6.1], [52.52, 6.1], [52.51, 6.09]]],
     "de coördinaten staan als (breedte, lengte); GeoJSON heeft (lengte, breedte). Exporteer de "
     "kaart opnieuw als WGS84."),
])
def test_coordinates_that_are_neither_wgs84_nor_rd_are_refused(con, tmp_path, members,
                                                                coordinates, said):
    import_file(con, write(tmp_path / "wijken_2024.geojson", zwolle_wijken()), gemeenten=["GM0193"])
    before = geometries(con, "wijk")
    path = write(tmp_path / "wijken_2023.geojson", [kaart_feature(
        {"wijkcode": "WK019310"}, {"type": "Polygon", "coordinates": coordinates})], **members)
    with pytest.raises(InputRefused) as refused:
        import_file(con, path, gemeenten=["GM0193"])
    assert refused.value.messages == [f"Bestand wijken_2023.geojson: {said}"]
    assert geometries(con, "wijk") == before
    assert con.execute("select count(*) from loads where file_name = 'wijken_2023.geojson'"
                       ).fetchone() == (0,)


def test_buurten_are_stored_as_buurten_and_leave_the_wijken(con, tmp_path):
    wijken = zwolle_wijken()
    import_file(con, write(tmp_path / "wijken_2024.geojson", wijken), gemeenten=["GM0193"])
    before = geometries(con, "wijk")
    buurten = [b for w in wijken for b in buurten_of(w)]
    path = write(tmp_path / "buurten_2024.geojson", buurten)
    import_file(con, path, gemeenten=["GM0193"])
    assert geometries(con, "wijk") == before
    stored = geometries(con, "buurt")
    assert sorted(stored) == sorted(b["properties"]["buurtcode"] for b in buurten)
    assert len(stored) == 2 * len(wijken)
    assert con.execute("select file_name, status from loads order by load_id").fetchall() == [
        ("wijken_2024.geojson", "active"), ("buurten_2024.geojson", "active")]


def test_parts_of_one_region_are_merged(tmp_path):
    # QGIS "multipart to singleparts": each part a feature with the same properties
    wijk = zwolle_wijken()[0]
    parts = [dict(b, properties=wijk["properties"] | {"naam": "Binnenstad"})
             for b in buurten_of(wijk, 3)]
    frame = read_geojson(write(tmp_path / "wijken_2024.geojson", parts))
    assert frame["region_code"].tolist() == [wijk["properties"]["statcode"]]
    geometry = json.loads(frame["geometry_json"].iloc[0])
    assert geometry["type"] == "MultiPolygon" and len(geometry["coordinates"]) == 3


def test_a_wijk_in_a_geometry_collection_is_drawn_from_its_polygons(tmp_path):
    # a GIS clip or intersection gives the area with a stray line along its edge as a
    # GeometryCollection (nested too): its polygons are the wijk, the line is left out; a
    # collection of only lines is a wijk without a shape, as a null geometry is
    wijken = zwolle_wijken()[:3]
    edge = {"type": "LineString", "coordinates": wijken[0]["geometry"]["coordinates"][0][:2]}
    collected = dict(wijken[0], geometry={"type": "GeometryCollection",
                                          "geometries": [wijken[0]["geometry"], edge]})
    nested = dict(wijken[1], geometry={"type": "GeometryCollection", "geometries": [
        {"type": "GeometryCollection", "geometries": [wijken[1]["geometry"]]},
        {"type": "Point", "coordinates": edge["coordinates"][0]}]})
    lines = dict(wijken[2], geometry={"type": "GeometryCollection", "geometries": [edge]})
    frame = read_geojson(write(tmp_path / "wijken_2024.geojson", [collected, nested, lines]))
    drawn = dict(zip(frame["region_code"], frame["geometry_json"], strict=True))
    codes = [w["properties"]["statcode"] for w in wijken]
    assert sorted(drawn) == sorted(codes[:2])
    for wijk in wijken[:2]:
        geometry = json.loads(drawn[wijk["properties"]["statcode"]])
        assert geometry["type"] == "Polygon"  # one part, as any region of one polygon
        first = geometry["coordinates"][0][0]
        assert first == pytest.approx(wijk["geometry"]["coordinates"][0][0], abs=1e-5)
    assert frame.attrs["shapeless"] == [codes[2]]


def test_one_code_for_two_different_regions_is_refused(con, tmp_path):
    wijken = zwolle_wijken()
    import_file(con, write(tmp_path / "wijken_2024.geojson", wijken), gemeenten=["GM0193"])
    before = geometries(con, "wijk")
    buurten = [b for w in wijken for b in buurten_of(w)]
    buurten[1]["properties"]["buurtcode"] = buurten[0]["properties"]["buurtcode"]
    path = write(tmp_path / "buurten_2024.geojson", buurten)
    with pytest.raises(InputRefused) as refused:
        import_file(con, path, gemeenten=["GM0193"])
    code = buurten[0]["properties"]["buurtcode"]
    assert refused.value.messages == [
        f"Bestand buurten_2024.geojson: de code {code} staat meer dan eens in het bestand (feature "
        "1 en 2), met andere eigenschappen (twee gebieden met dezelfde code?).",
        "Er is niets opgeslagen; laat elke code één keer voorkomen."]
    assert geometries(con, "wijk") == before and geometries(con, "buurt") == {}


SQUARE = [[6.09, 52.51], [6.1, 52.51], [6.1, 52.52], [6.09, 52.52], [6.09, 52.51]]


@pytest.mark.parametrize(("features", "said"), [
    ([kaart_feature({"statcode": "WK019310"}, {"type": "Polygon", "coordinates": [[]]})],
     "de grens van WK019310 (feature 1): een ring heeft 0 positie(s); een vlak heeft er minstens "
     "vier nodig (drie hoeken en de eerste nog eens aan het eind)."),
    ([kaart_feature({"statcode": "WK019310"}, {"type": "Polygon", "coordinates": []})],
     "de grens van WK019310 (feature 1): een vlak heeft geen ring (coordinates is leeg)."),
    ([kaart_feature({"statcode": "WK019310"}, {"type": "MultiPolygon", "coordinates": []})],
     "de grens van WK019310 (feature 1): de MultiPolygon heeft geen vlakken (coordinates is leeg)."),
    ([kaart_feature({"statcode": "WK019310"}, {"type": "MultiPolygon", "coordinates": [[SQUARE], []]})],
     "de grens van WK019310 (feature 1): een vlak heeft geen ring (coordinates is leeg)."),
    ([kaart_feature({"statcode": "WK019310"},
                    {"type": "Polygon", "coordinates": [[[6.09, 52.51], [6.1, 52.51], [6.09, 52.51]]]})],
     "de grens van WK019310 (feature 1): een ring heeft 3 positie(s); een vlak heeft er minstens "
     "vier nodig (drie hoeken en de eerste nog eens aan het eind)."),
    ([kaart_feature({"statcode": "WK019310"},
                    {"type": "Polygon", "coordinates": [SQUARE[:2] + [[float("nan"), 52.52]] + SQUARE[3:]]})],
     "de grens van WK019310 (feature 1): een coördinaat is geen eindig getal (NaN of oneindig)."),
    ([kaart_feature({"statcode": "WK019310"},
                    {"type": "Polygon", "coordinates": [[[True, False], [True, True], [False, True], [True, False]]]})],
     "de grens van WK019310 (feature 1): een coördinaat is waar/onwaar in plaats van een getal."),
    ([kaart_feature({"statcode": "WK019310"},
                    {"type": "Polygon", "coordinates": [[[str(c) for c in p] for p in SQUARE]]})],
     "de grens van WK019310 (feature 1): een coördinaat is tekst in plaats van een getal."),
    ([kaart_feature({"statcode": "WK019310"}, {"type": "Polygon", "coordinates": [[None, *SQUARE]]})],
     "de grens van WK019310 (feature 1): een positie is leeg (null) in plaats van een lijst van "
     "twee getallen."),
    ([kaart_feature({"statcode": "WK019310"}, {"type": "Polygon", "coordinates": [[[6.09]]]})],
     "de grens van WK019310 (feature 1): een positie heeft 1 waarde(n) in plaats van twee getallen "
     "(lengte en breedte, of x en y)."),
    ([kaart_feature({"statcode": "WK019310"}, {"type": "Polygon", "coordinates": {"a": 1}})],
     "de grens van WK019310 (feature 1): de coördinaten zijn een object in plaats van een lijst."),
    (["hallo", kaart_feature({"statcode": "WK019310"}, {"type": "Polygon", "coordinates": [SQUARE]})],
     "feature 1 is tekst in plaats van een GeoJSON-Feature."),
    ([kaart_feature([1, 2], {"type": "Polygon", "coordinates": [SQUARE]})],
     "feature 1: 'properties' is een lijst in plaats van een object (met statcode en statnaam)."),
    ([{"type": "Feature", "properties": {"statcode": "WK019310"}, "geometry": "POLYGON"}],
     "feature 1 (WK019310): 'geometry' is tekst in plaats van een GeoJSON-geometrie."),
])
def test_a_boundary_that_cannot_be_drawn_is_refused_and_keeps_the_old_one(con, tmp_path, features, said):
    # before: an empty ring replaced Centrum's boundary and the Kaart page showed an IndexError;
    # the other shapes gave tracebacks (AttributeError, KeyError, RecursionError, TypeError)
    import_file(con, write(tmp_path / "wijken_2024.geojson", zwolle_wijken()), gemeenten=["GM0193"])
    before = geometries(con, "wijk")
    path = write(tmp_path / "wijken_2024_kapot.geojson", features)
    with pytest.raises(InputRefused) as refused:
        import_file(con, path)
    assert refused.value.messages == [
        f"Bestand wijken_2024_kapot.geojson: {said}",
        "Er is niets opgeslagen; herstel de grenzen in het GIS-programma en exporteer ze opnieuw "
        "als GeoJSON."]
    assert geometries(con, "wijk") == before
    assert all("NaN" not in text for text in before.values())


@pytest.mark.parametrize(("text", "said"), [
    ('{"type": "FeatureCollection", "features": {"a": 1}}',
     "'features' is een object in plaats van een lijst van gebieden. Er is niets opgeslagen."),
    ('{"type": "FeatureCollection", "features": [' + "[" * 5000 + "]" * 5000 + "]}",
     "geen leesbare GeoJSON: de JSON is te diep genest (lijsten of objecten honderden lagen in "
     "elkaar; een CBS- of GeoJSON-bestand heeft er hooguit enkele)."),
])
def test_a_collection_of_the_wrong_shape_is_refused_in_dutch(con, tmp_path, text, said):
    path = tmp_path / "wijken_2024.geojson"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputRefused) as refused:
        import_file(con, path)
    assert refused.value.messages == [f"Bestand wijken_2024.geojson: {said}"]


def test_a_crs_whose_properties_are_no_object_counts_as_none(con, tmp_path):
    # before: AttributeError ('list' object has no attribute 'get')
    path = write(tmp_path / "wijken_2024.geojson", zwolle_wijken(), crs={"type": "name", "properties": [1]})
    import_file(con, path, gemeenten=["GM0193"])
    assert len(geometries(con, "wijk")) == len(zwolle_wijken())


def test_a_ring_left_open_is_closed_and_said(con, tmp_path):
    wijken = zwolle_wijken()
    opened = [kaart_feature(w["properties"], {"type": "Polygon", "coordinates": [
        ring[:-1] if w is wijken[0] and i == 0 else ring
        for i, ring in enumerate(w["geometry"]["coordinates"])]}) for w in wijken]
    code = wijken[0]["properties"]["statcode"]
    assert opened[0]["geometry"]["coordinates"][0][0] != opened[0]["geometry"]["coordinates"][0][-1]
    stored = import_file(con, write(tmp_path / "wijken_2024.geojson", opened), gemeenten=["GM0193"])
    assert stored.notes == [
        f"De grens van {code} was niet gesloten (de laatste positie van een ring was niet de "
        "eerste); Kindkaart heeft hem gesloten, zoals GIS-programma's doen. Controleer die grens "
        "op de kaart."]
    assert severity(stored.notes[0]) == "warning"  # to check on the map
    ring = json.loads(geometries(con, "wijk")[code])["coordinates"][0]
    assert ring[0] == ring[-1] and len(ring) == len(wijken[0]["geometry"]["coordinates"][0])


def _read_in(at, name: str, data: bytes) -> None:
    at.file_uploader(key="laden_bestand").set_value((name, data, "application/geo+json"))
    at.run()
    next(b for b in at.button if b.label == "Bestand inlezen").click()
    at.run()


def test_gemeente_laden_refuses_an_empty_ring_and_the_kaart_still_draws_centrum(app_db):
    # before: "ingelezen", Centrum's boundary replaced, and an IndexError on the Kaart page
    from conftest import run_page_as_analist

    data = json.dumps({"type": "FeatureCollection", "features": [kaart_feature(
        {"statcode": "WK999901", "statnaam": "Centrum"},
        {"type": "Polygon", "coordinates": [[]]})]}).encode()
    at = run_page_as_analist("gemeente_laden")
    _read_in(at, "wijken_2024_empty_ring.geojson", data)
    assert not at.exception
    assert [e.value for e in at.error] == [
        "wijken_2024_empty_ring.geojson is niet ingelezen; er is niets opgeslagen.",
        "Bestand wijken_2024_empty_ring.geojson: de grens van WK999901 (feature 1): een ring heeft "
        "0 positie(s); een vlak heeft er minstens vier nodig (drie hoeken en de eerste nog eens "
        "aan het eind).",
        "Er is niets opgeslagen; herstel de grenzen in het GIS-programma en exporteer ze opnieuw "
        "als GeoJSON."]
    at.switch_page("pages/kaart.py").run()
    assert not at.exception
    features = json.loads(at.get("deck_gl_json_chart")[0].proto.json)["layers"][0]["data"]["features"]
    assert "WK999901" in {f["properties"]["wijk_code"] for f in features}


def test_an_error_nobody_foresaw_is_a_dutch_refusal_with_the_traceback_only_in_the_log(
        app_db, con, tmp_path, monkeypatch, caplog):
    # The readers refuse every file shape we know of in their own words; this net is for the
    # next one. No real file reaches it any more, so a reader is made to fail as one would.
    from conftest import run_page_as_analist

    from data_sources import geo

    def unforeseen(path, decimals=5, per_gemeente=False):
        raise KeyError("coordinates")

    monkeypatch.setattr(geo, "read_geojson", unforeseen)
    path = write(tmp_path / "wijken_2024.geojson", zwolle_wijken())
    said = ("Bestand wijken_2024.geojson is niet te lezen; er is niets opgeslagen. Het bestand "
            "heeft een opbouw die Kindkaart niet kent (de beheerder vindt de details in het "
            "logboek van de server: KeyError).")
    with caplog.at_level("ERROR"), pytest.raises(InputRefused) as refused:
        import_file(con, path)
    assert refused.value.messages == [said]
    assert "Onverwachte fout bij het inlezen van wijken_2024.geojson" in caplog.text
    assert "Traceback" in caplog.text and "KeyError: 'coordinates'" in caplog.text
    assert con.execute("select count(*) from loads where file_name = 'wijken_2024.geojson'"
                       ).fetchone() == (0,)

    at = run_page_as_analist("gemeente_laden")
    _read_in(at, "wijken_2024.geojson", path.read_bytes())
    assert not at.exception
    assert [e.value for e in at.error] == [
        "wijken_2024.geojson is niet ingelezen; er is niets opgeslagen.", said]


def test_on_the_command_line_an_unforeseen_error_is_the_dutch_refusal_without_a_traceback(tmp_path):
    """The net's log line goes to stderr as one line; its traceback only with KINDKAART_DEBUG=1."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    path = write(tmp_path / "wijken_2024.geojson", zwolle_wijken())
    script = ("import sys\nfrom data_sources import geo, cli\n"
              "def unforeseen(path, decimals=5, per_gemeente=False):\n    raise KeyError('coordinates')\n"
              "geo.read_geojson = unforeseen\n"
              f"sys.exit(cli.main(['import-cbs', {str(path)!r}, '--db', {str(tmp_path / 'k.duckdb')!r}]))\n")
    root = Path(__file__).resolve().parent.parent

    def run(debug: str) -> subprocess.CompletedProcess:
        env = {**os.environ, "KINDKAART_DEBUG": debug, "PYTHONPATH": str(root)}
        return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env,
                              cwd=root, timeout=120)

    quiet = run("0")
    assert quiet.returncode == 1
    assert "niet te lezen; er is niets opgeslagen" in quiet.stdout
    assert quiet.stderr.strip() == "Onverwachte fout bij het inlezen van wijken_2024.geojson"
    loud = run("1")
    assert "Traceback" in loud.stderr and "KeyError: 'coordinates'" in loud.stderr


def shapefile_properties(code: str, name: str, water: str = "NEE") -> dict:
    """The attributes of CBS's wijk- en buurtkaart as shapefile (wijk_2020_v3.shp and the years
    before the GeoPackage), as ogr2ogr, QGIS or R's st_write write them into GeoJSON: upper-case
    names, the gemeente's code and name beside the wijk's, H2O 'JA' for the parts that are water,
    -99999999 for a figure CBS does not give (public scripts that read these files select
    WK_CODE, WK_NAAM, GM_CODE, GM_NAAM and filter H2O == 'NEE')."""
    return {"WK_CODE": code, "JRSTATCODE": f"2020{code}", "WK_NAAM": name, "GM_CODE": "GM0193",
            "GM_NAAM": "Zwolle", "IND_WBI": 1, "H2O": water,
            "AANT_INW": -99999999 if water == "JA" else 7115, "JAAR": 2020}


def square_rd(x: float, y: float, size: float = 200.0) -> dict:
    return {"type": "Polygon", "coordinates": [[[x, y], [x + size, y], [x + size, y + size],
                                                [x, y + size], [x, y]]]}


def test_a_geojson_exported_from_the_cbs_shapefile_is_read_without_its_water(con, tmp_path):
    """The README sends a year that exists only as shapefile through QGIS to GeoJSON; that file
    names its regions WK_CODE, GM_CODE and BU_CODE, and was refused as 'geen gemeente-, wijk- of
    buurtvlakken (eigenschap statcode)'. A wijk's water part, a second feature with its code and
    other figures, would then have been refused as two regions with one code."""
    wijken = zwolle_wijken()
    features = [kaart_feature(shapefile_properties(w["properties"]["statcode"], "Wijk"),
                              {"type": "Polygon", "coordinates": walk(w["geometry"]["coordinates"], wgs84_to_rd)})
                for w in wijken]
    first = wijken[0]["properties"]["statcode"]
    features.append(kaart_feature(shapefile_properties(first, "Wijk", water="JA"),
                                  square_rd(205_000, 505_000)))
    stored = import_file(con, write(tmp_path / "wijk_2020_v3.geojson", features, crs=RD_CRS),
                         gemeenten=["GM0193"])
    assert sorted(geometries(con, "wijk")) == sorted(w["properties"]["statcode"] for w in wijken)
    assert con.execute("select distinct year from geometries").fetchall() == [(2020,)]
    land = json.loads(geometries(con, "wijk")[first])
    assert land["type"] == wijken[0]["geometry"]["type"] == "Polygon"  # the water part is not in it
    assert [c for p in land["coordinates"][0] for c in p] == pytest.approx(
        [c for p in wijken[0]["geometry"]["coordinates"][0] for c in p], abs=2e-5)
    assert stored.notes == ["1 gemeente(n), wijk(en) of buurt(en) hebben delen die water zijn "
                            "(water of H2O = JA); die delen zijn niet op de kaart gezet."]
    assert severity(stored.notes[0]) == "info"


def test_buurten_from_the_cbs_shapefile_are_stored_as_buurten(con, tmp_path):
    wijk = zwolle_wijken()[0]
    buurten = [kaart_feature({"BU_CODE": b["properties"]["buurtcode"], "BU_NAAM": "Buurt",
                              **shapefile_properties(wijk["properties"]["statcode"], "Wijk")},
                             b["geometry"]) for b in buurten_of(wijk)]
    import_file(con, write(tmp_path / "buurt_2020_v3.geojson", buurten), gemeenten=["GM0193"])
    assert sorted(geometries(con, "buurt")) == sorted(b["properties"]["BU_CODE"] for b in buurten)
    assert geometries(con, "wijk") == {}


def test_a_gemeente_with_its_water_part_as_the_wijkenbuurten_geopackage_has_it(con, tmp_path):
    """The layer 'gemeenten' of wijkenbuurten_<jaar>.gpkg (and PDOK's service of it) holds a
    gemeente by the IJsselmeer or the sea twice: its land (water 'NEE') and its water ('JA'), with
    the same gemeentecode and other figures. Exported to GeoJSON it was refused as one code for two
    regions; the GeoPackage itself was read without the water (geopackage.read_geopackage)."""
    gemeente = next(f for f in bundled_features(["GM0193"]) if f["properties"]["statcode"] == "GM0193")
    props = {"gemeentecode": "GM0193", "gemeentenaam": "Zwolle", "jrstatcode": "2022GM0193",
             "jaar": 2022}
    features = [kaart_feature(props | {"water": "NEE", "aantal_inwoners": 130_592}, gemeente["geometry"]),
                kaart_feature(props | {"water": "JA", "aantal_inwoners": -99_995},
                              {"type": "Polygon", "coordinates": [[[6.0, 52.6], [6.01, 52.6],
                                                                   [6.01, 52.61], [6.0, 52.6]]]})]
    stored = import_file(con, write(tmp_path / "gemeenten_2022.geojson", features), gemeenten=["GM0193"])
    assert json.loads(geometries(con, "gemeente")["GM0193"])["type"] == gemeente["geometry"]["type"]
    assert len(stored.notes) == 1 and "water" in stored.notes[0]


def test_a_file_of_only_water_says_so(con, tmp_path):
    path = write(tmp_path / "wijk_2020_v3.geojson", [kaart_feature(
        shapefile_properties("WK019399", "Water", water="JA"), square_rd(205_000, 505_000))], crs=RD_CRS)
    with pytest.raises(InputRefused, match="geen gemeente-, wijk- of buurtvlakken .* gevonden buiten "
                                           "de delen die water zijn"):
        import_file(con, path, gemeenten=["GM0193"])
    assert con.execute("select count(*) from loads").fetchone() == (0,)


@pytest.mark.parametrize(("members", "said"), [
    # PDOK's OGC API (api.pdok.nl/cbs/wijken-en-buurten-<jaar>/ogc/v1/collections/wijken/items)
    # gives 10 items a page and a link to the next page (OGC API - Features, 17-069r4, 7.15)
    ({"numberReturned": 2, "links": [
        {"rel": "self", "href": "https://api.pdok.nl/cbs/wijken-en-buurten-2024/ogc/v1/collections/wijken/items?f=json"},
        {"rel": "next", "href": "https://api.pdok.nl/cbs/wijken-en-buurten-2024/ogc/v1/collections/wijken/items?f=json&cursor=Dv4"}]},
     " (er staat een link 'next' in naar de volgende gebieden)"),
    # a WFS 2.0 GetFeature stopped at the server's maximum
    ({"totalFeatures": 3393, "numberMatched": 3393, "numberReturned": 2}, ": 2 van de 3393 gebieden"),
    # GeoServer's count alone (a WFS 1.1.0 answer)
    ({"totalFeatures": 3393}, ": 2 van de 3393 gebieden"),
])
def test_one_page_of_a_larger_pdok_answer_is_refused(con, tmp_path, members, said):
    """Stored, a page would have left the other wijken of the gemeente without a boundary."""
    wijken = zwolle_wijken()[:2]
    path = write(tmp_path / "wijken_2024.geojson", wijken, **members)
    with pytest.raises(InputRefused) as refused:
        import_file(con, path, gemeenten=["GM0193"])
    assert refused.value.messages[0].startswith(
        f"Bestand wijken_2024.geojson: dit is één pagina van een groter antwoord{said}.")
    assert con.execute("select count(*) from loads").fetchone() == (0,)


def test_a_complete_answer_with_its_counts_is_read(con, tmp_path):
    wijken = zwolle_wijken()
    path = write(tmp_path / "wijken_2024.geojson", wijken, numberMatched=len(wijken),
                 numberReturned=len(wijken), links=[{"rel": "self", "href": "https://api.pdok.nl/x"}])
    import_file(con, path, gemeenten=["GM0193"])
    assert len(geometries(con, "wijk")) == len(wijken)


@pytest.mark.parametrize("name", ["wijk_2024.topojson", "wijk_2024.json"])
def test_a_topojson_map_is_refused_saying_to_take_the_geojson(con, tmp_path, name):
    """cartomap/nl publishes each CBS map (statcode, statnaam) as .geojson and as .topojson; the
    TopoJSON was refused as an unknown file type, or as JSON without 'een lijst met CBS-rijen'."""
    path = tmp_path / name
    path.write_text(json.dumps({
        "type": "Topology", "transform": {"scale": [1e-5, 1e-5], "translate": [6.0, 52.5]},
        "arcs": [[[0, 0], [100, 0], [0, 100], [-100, -100]]],
        "objects": {"wijk_2024": {"type": "GeometryCollection", "geometries": [
            {"type": "Polygon", "arcs": [[0]], "properties": {"statcode": "WK019310", "statnaam": "Binnenstad"}}]}}}))
    with pytest.raises(InputRefused) as refused:
        import_file(con, path, gemeenten=["GM0193"])
    assert refused.value.messages == [
        f"Bestand {name} is een kaart als TopoJSON. Kindkaart leest grenzen als GeoJSON of als "
        "GeoPackage: download dezelfde kaart als GeoJSON (bij cartomap het bestand .geojson in "
        "plaats van .topojson), of zet haar om met mapshaper of QGIS. Er is niets opgeslagen."]
    assert con.execute("select count(*) from loads").fetchone() == (0,)


def test_a_map_in_etrs89_is_read_as_wgs84(con, tmp_path):
    """Dutch WFS services (PDOK, api.data.amsterdam.nl with srsname=epsg:4258) and QGIS give
    GeoJSON in ETRS89 on request, with crs 'urn:ogc:def:crs:EPSG::4258'; in the Netherlands it lies
    within a metre of WGS84. It was refused as a coordinate system Kindkaart does not read."""
    wijken = zwolle_wijken()
    path = write(tmp_path / "wijken_2024.geojson", wijken,
                 crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4258"}})
    import_file(con, path, gemeenten=["GM0193"])
    assert sorted(geometries(con, "wijk")) == sorted(w["properties"]["statcode"] for w in wijken)


def bow_tie(wijk: dict) -> dict:
    """The wijk with its outer ring drawn as a bow-tie over its own extent (two corners swapped,
    as a slip in a GIS makes): its sides cross in the middle."""
    points = wijk["geometry"]["coordinates"][0]
    west, east = min(p[0] for p in points), max(p[0] for p in points)
    south, north = min(p[1] for p in points), max(p[1] for p in points)
    ring = [[west, south], [east, north], [east, south], [west, north], [west, south]]
    return kaart_feature(wijk["properties"], {"type": "Polygon", "coordinates": [ring]})


def test_a_boundary_that_crosses_itself_is_stored_and_named(con, tmp_path):
    """A bow-tie was stored without a word: its area cancels out (the map put the wijk's name at
    the wrong place). The file is not refused (the real 2024 wijken have eight such rings after
    CBS' simplification), but the load names it."""
    wijken = zwolle_wijken()
    crossed = [bow_tie(w) if w is wijken[1] else w for w in wijken]
    code = wijken[1]["properties"]["statcode"]
    stored = import_file(con, write(tmp_path / "wijken_2024.geojson", crossed), gemeenten=["GM0193"])
    assert stored.notes == [
        f"De grens van {code} snijdt zichzelf (twee zijden van een ring kruisen elkaar). Ze is "
        "opgeslagen zoals ze is en staat op de kaart, maar het oppervlak en de plaats van de naam "
        "kunnen bij de kruising niet kloppen. Herstel die grens in het GIS-programma en lees ze "
        "opnieuw in."]
    assert sorted(geometries(con, "wijk")) == sorted(w["properties"]["statcode"] for w in wijken)


def test_a_ring_that_only_touches_itself_at_a_corner_is_not_named(con, tmp_path):
    """A ring through the same corner twice (two lobes, as rounding to 5 decimals can make) has
    no sides that cross: no note, as the real wijken of Zwolle have none."""
    wijken = zwolle_wijken()
    points = wijken[0]["geometry"]["coordinates"][0]
    west, east = min(p[0] for p in points), max(p[0] for p in points)
    south, north = min(p[1] for p in points), max(p[1] for p in points)
    middle = [(west + east) / 2, (south + north) / 2]
    lobes = [[west, south], middle, [east, south], [east, north], middle, [west, north], [west, south]]
    touching = [kaart_feature(w["properties"], {"type": "Polygon", "coordinates": [lobes]})
                if w is wijken[0] else w for w in wijken]
    assert import_file(con, write(tmp_path / "wijken_2024.geojson", touching),
                       gemeenten=["GM0193"]).notes == []


def test_crossing_rings_are_found_in_the_3393_real_wijken():
    """The real 2024 wijken (cartomap's copy of PDOK's wijk_gegeneraliseerd at 3 decimals, as
    bundled): eight have a ring that crosses itself, found as a brute-force check of every pair
    of sides finds them (checked when this was written), and none is left unchecked by the
    budget. How fast is measured in the benchmark (benchmarks/readers.py)."""
    import gzip

    from data_sources.geo import crossing_codes
    from data_sources.offline_boundaries import BOUNDARIES_DIR

    with gzip.open(BOUNDARIES_DIR / "wijk_2024.geojson.gz", "rt", encoding="utf-8") as handle:
        features = json.load(handle)["features"]
    assert len(features) == 3393
    crossings = crossing_codes(features)
    assert crossings.codes == ["WK011854", "WK027406", "WK063803", "WK063809", "WK065409",
                               "WK073603", "WK190412", "WK191612"]
    assert crossings.unchecked == []


def test_a_ring_too_tangled_to_check_quickly_is_stored_and_said_unchecked(con, tmp_path):
    """A comb of 4,000 sides that all overlap along x (no crossing): every pair would be looked
    at, the square of the sides, and a larger one would hold the import for minutes. The check
    stops at its budget (counted in steps, not seconds) and says which boundary it did not
    check."""
    wijken = zwolle_wijken()
    comb = [[5.0 if i % 2 == 0 else 5.1, round(52.5 + i * 0.00002, 5)] for i in range(4000)]
    comb += [[4.99, comb[-1][1]], [4.99, 52.5], [5.0, 52.5]]
    code = wijken[0]["properties"]["statcode"]
    combed = [kaart_feature(w["properties"], {"type": "Polygon", "coordinates": [comb]})
              if w is wijken[0] else w for w in wijken]
    stored = import_file(con, write(tmp_path / "wijken_2024.geojson", combed), gemeenten=["GM0193"])
    assert stored.notes == [
        f"De grens van {code} is niet gecontroleerd op zijden die elkaar kruisen: haar zijden "
        "liggen te veel over elkaar om dat snel te doen. Ze is opgeslagen zoals ze is; bekijk haar "
        "op de kaart."]
    assert code in geometries(con, "wijk")


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_a_geojson_in_windows_1252_is_read(con, tmp_path, bom):
    """A GIS program on Windows writes the names in Windows-1252, sometimes after a UTF-8 BOM.
    Before: refused as 'geen UTF-8 en geen Windows-1252'."""
    wijken = zwolle_wijken()
    wijken[0]["properties"]["statnaam"] = "Wijk 10 Binnenstad-Zuidoost 'ë'"
    text = json.dumps({"type": "FeatureCollection", "features": wijken}, ensure_ascii=False)
    path = tmp_path / "wijken_2024.geojson"
    path.write_bytes(bom + text.encode("cp1252"))
    import_file(con, path, gemeenten=["GM0193"])
    assert con.execute("select count(*) from geometries where region_code like 'WK0193%'"
                       " and year = 2024").fetchone() == (len(wijken),)


@pytest.mark.parametrize(("zip_name", "member"), [
    ("wijken_2022.zip", "wijken_2022.geojson"),  # zipped to be sent on
    ("wijk_2022.zip", "wijk_2022.json"),  # cartomap's .json, as downloaded
    ("wijken_2022.zip", "__MACOSX/._x|wijken_2022.geojson"),  # zipped on a Mac
    ("grenzen.zip", "wijken_2022.geojson"),  # the year in the GeoJSON's own name only
])
def test_a_zipped_geojson_is_read_as_the_geojson(con, tmp_path, zip_name, member):
    """A GeoJSON in a zip was refused as 'dit bestandstype (.zip) kan niet worden gelezen zonder
    Observations.csv erin', or as an OData answer without CBS rows."""
    import zipfile

    source = write(tmp_path / "wijken.geojson", zwolle_wijken())
    *extras, name = member.split("|")
    with zipfile.ZipFile(tmp_path / zip_name, "w") as archive:
        for extra in extras:
            archive.writestr(extra, b"\x00\x05\x16\x07")
        archive.write(source, name)
    stored = import_file(con, tmp_path / zip_name)
    assert stored.kind == "geometrie"
    assert con.execute("select distinct year from geometries").fetchall() == [(2022,)]
    assert set(geometries(con, "wijk")) == {f["properties"]["statcode"] for f in zwolle_wijken()}


def zipped(path, members: dict[str, list[dict]]):
    import zipfile

    with zipfile.ZipFile(path, "w") as archive:
        for name, features in members.items():
            archive.writestr(name, json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def zwolle_gemeente() -> list[dict]:
    return [f for f in bundled_features(["GM0193"]) if f["properties"]["statcode"] == "GM0193"]


def test_a_zip_of_two_geojsons_with_the_same_regions_is_refused_naming_both(con, tmp_path):
    # before: the generic 'dit bestandstype (.zip) kan niet worden gelezen zonder Observations.csv'
    path = zipped(tmp_path / "wijken_2022.zip", {"wijken_2022.geojson": zwolle_wijken(),
                                                 "wijken_2022_kopie.geojson": zwolle_wijken()})
    message = refusal(con, lambda: import_file(con, path))
    assert message.startswith(
        "Bestand wijken_2022.zip: het zip-bestand bevat 2 GeoJSON-bestanden (wijken_2022.geojson en "
        "wijken_2022_kopie.geojson), en wijken_2022.geojson en wijken_2022_kopie.geojson hebben "
        "dezelfde gebieden (WK019310, ")
    assert "Pak het zip-bestand uit en lees er één in. Er is niets opgeslagen." in message
    assert "Observations.csv" not in message


def test_a_zip_of_geojsons_of_different_years_is_refused_naming_them(con, tmp_path):
    path = zipped(tmp_path / "grenzen.zip", {"wijk_2023.geojson": zwolle_wijken(),
                                             "gemeente_2024.geojson": zwolle_gemeente()})
    message = refusal(con, lambda: import_file(con, path))
    assert message == (
        "Bestand grenzen.zip: het zip-bestand bevat 2 GeoJSON-bestanden (wijk_2023.geojson en "
        "gemeente_2024.geojson) van verschillende jaren (wijk_2023.geojson: 2023, "
        "gemeente_2024.geojson: 2024). Pak het zip-bestand uit en lees de grenzen van één jaar in, "
        "met --jaar als het jaar niet in de naam staat. Er is niets opgeslagen.")


def test_the_gemeente_and_wijken_geojsons_of_one_year_in_one_zip_are_read_together(
        tmp_path, monkeypatch):
    """cartomap's gemeente_<jaar>.geojson and wijk_<jaar>.geojson zipped together (as the
    GeoPackage's layers gemeenten and wijken are read together), beside the kwb of that year:
    the Kaart page draws the year's wijken."""
    import duckdb
    from conftest import app_db_with_files, run_page_as_analist
    from kwb_files import write_kwb_xlsx

    kwb = write_kwb_xlsx(tmp_path / "kwb-2022.xlsx")
    boundaries = zipped(tmp_path / "grenzen.zip", {"cartomap/gemeente_2022.geojson": zwolle_gemeente(),
                                                   "cartomap/wijk_2022.geojson": zwolle_wijken(),
                                                   "cartomap/LEESMIJ.txt": []})
    db = app_db_with_files(tmp_path, monkeypatch, kwb, boundaries)
    with duckdb.connect(str(db), read_only=True) as stored:
        levels = stored.execute("select region_level, count(*) from geometries where year = 2022"
                                " group by 1 order by 1").fetchall()
    assert levels == [("gemeente", 1), ("wijk", len(zwolle_wijken()))]
    at = run_page_as_analist("kaart")
    assert not at.exception
    assert "Zwolle 2022" in " ".join(str(t.value) for t in at.title)
    features = json.loads(at.get("deck_gl_json_chart")[0].proto.json)["layers"][0]["data"]["features"]
    assert {"WK019310", "WK019311", "WK019322"} <= {f["properties"]["wijk_code"] for f in features}


def pdok_wfs_wijken(year: int = 2024, only_jrstatcode: bool = False) -> list[dict]:
    """Zwolle's wijken as PDOK's WFS gebiedsindelingen:wijk_gegeneraliseerd answers in RD New:
    statcode, jrstatcode (the year before the code), statnaam, rubriek; or, as a shapefile of the
    gebiedsindelingen exported by QGIS, JRSTATCODE and STATNAAM alone."""
    features = []
    for wijk in zwolle_wijken():
        code = wijk["properties"]["statcode"]
        properties = ({"JRSTATCODE": f"{year}{code}", "STATNAAM": code} if only_jrstatcode else
                      {"id": len(features) + 1, "statcode": code, "jrstatcode": f"{year}{code}",
                       "statnaam": code, "rubriek": "wijk"})
        features.append(kaart_feature(properties, {
            "type": "Polygon", "coordinates": walk(wijk["geometry"]["coordinates"], wgs84_to_rd)}))
    return features


@pytest.mark.parametrize("only_jrstatcode", [False, True])
def test_a_pdok_download_without_a_year_in_its_name_takes_the_year_of_its_jrstatcodes(
        con, tmp_path, only_jrstatcode):
    # before: 'het jaar van de grenzen is niet af te leiden uit de naam' (a WFS answer saved as
    # wijk_gegeneraliseerd.json), and with JRSTATCODE alone no region was found at all
    path = write(tmp_path / "wijk_gegeneraliseerd.json", pdok_wfs_wijken(2023, only_jrstatcode),
                 crs=RD_CRS)
    stored = import_file(con, path)
    assert stored.kind == "geometrie" and stored.notes == []
    codes = sorted(w["properties"]["statcode"] for w in zwolle_wijken())
    assert con.execute("select year, list(region_code order by region_code) from geometries"
                       " group by year").fetchall() == [(2023, codes)]


def test_the_year_of_the_jrstatcodes_goes_before_the_year_in_the_name(con, tmp_path):
    path = write(tmp_path / "wijken_2023.geojson", pdok_wfs_wijken(2024), crs=RD_CRS)
    stored = import_file(con, path)
    assert con.execute("select distinct year from geometries").fetchall() == [(2024,)]
    assert stored.notes == [
        "De naam wijken_2023.geojson noemt 2023, maar de grenzen zelf zijn van 2024 (jrstatcode "
        "2024WK…): opgeslagen als grenzen van 2024. Geef met --jaar een ander jaar op als u dat "
        "bedoelt."]
    assert severity(stored.notes[0]) == "info"  # the year the boundaries carry, said
    # a year given by the user goes before both
    import_file(con, path, year=2022)
    assert con.execute("select distinct year from geometries order by 1").fetchall() == [(2022,), (2024,)]


def test_boundaries_of_several_years_by_their_jrstatcodes_are_refused(con, tmp_path):
    features = pdok_wfs_wijken(2023)[:2] + pdok_wfs_wijken(2024)[2:]
    path = write(tmp_path / "wijk_gegeneraliseerd.json", features, crs=RD_CRS)
    assert refusal(con, lambda: import_file(con, path)) == (
        "Bestand wijk_gegeneraliseerd.json: de grenzen zijn van meer jaren (jrstatcode 2023, 2024). "
        "Lees de grenzen van één jaar in, of geef het jaar op met --jaar. Er is niets opgeslagen.")


# The real national wijken of 2024 (cartomap, one feature a line), with a wijk of Tytsjerksteradiel
# (WK073705, Earnewâld) damaged as a GIS or a hand edit leaves it.
NATIONAL_WIJKEN = REAL_DATA / "geo" / "wijk_2024_wgs84_cartomap.geojson"
needs_national = pytest.mark.skipif(not NATIONAL_WIJKEN.exists(), reason="../shared/real_data ontbreekt")
DAMAGED_WIJK = "WK073705"
REDRAW = ("Er is niets opgeslagen; herstel de grenzen in het GIS-programma en exporteer ze opnieuw "
          "als GeoJSON.")


def _damage(feature: dict, how: str) -> None:
    ring = feature["geometry"]["coordinates"][0]
    x, y = ring[0]
    damaged = {
        "open-ring": ring[:-1],
        "ring-of-two": ring[:2],
        "text-coordinates": [[str(c) for c in p] for p in ring],
        "nan-coordinate": [ring[0], [float("nan"), ring[1][1]], *ring[2:]],
        "self-intersecting": [[x, y], [x + .01, y + .01], [x + .01, y], [x, y + .01], [x, y]],
        "latitude-first": [[lat, lon] for lon, lat in ring],
    }
    if how == "geometry-as-text":
        feature["geometry"] = "POLYGON EMPTY"
    elif how == "same-code":  # another wijk's code, the properties of Earnewâld
        feature["properties"]["statcode"] = "WK073702"
    else:
        feature["geometry"]["coordinates"][0] = damaged[how]


def national_wijken(path, how: str) -> tuple[object, dict[str, int]]:
    """The national file with DAMAGED_WIJK damaged `how`, at `path`; and the feature number of
    each code in the file as it was."""
    lines = NATIONAL_WIJKEN.read_text(encoding="utf-8").split("\n")
    numbers = {}
    for at, line in enumerate(lines):
        if not line.startswith('{"type":"Feature"'):
            continue
        feature = json.loads(line.rstrip(","))
        numbers[feature["properties"]["statcode"]] = len(numbers) + 1
        if feature["properties"]["statcode"] == DAMAGED_WIJK:
            _damage(feature, how)
            lines[at] = json.dumps(feature) + ("," if line.endswith(",") else "")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path, numbers


ALL_DAMAGES = ["open-ring", "ring-of-two", "text-coordinates", "nan-coordinate", "self-intersecting",
               "geometry-as-text", "same-code", "latitude-first"]


@needs_national
@pytest.mark.parametrize("how", ALL_DAMAGES)
def test_the_national_file_with_another_gemeentes_damaged_wijk_gives_amsterdam(con, tmp_path, how):
    """Before: a ring of two positions, coordinates as text or NaN, a geometry that is text, or two
    wijken with one code in Tytsjerksteradiel refused the whole national file for Amsterdam."""
    path, numbers = national_wijken(tmp_path / "wijk_2024.geojson", how)
    stored = import_file(con, path, gemeenten=["GM0363"])
    assert stored.notes == []  # Tytsjerksteradiel's wijk is no matter of Amsterdam's
    amsterdam = sorted(code for code in numbers if code.startswith("WK0363"))
    stored_codes = con.execute("select region_code from geometries order by 1").fetchall()
    assert [code for (code,) in stored_codes] == amsterdam


def _refusal_of(how: str, numbers: dict[str, int]) -> str:
    number = numbers[DAMAGED_WIJK]
    if how == "same-code":
        return (f"Bestand wijk_2024.geojson: de code WK073702 staat meer dan eens in het bestand "
                f"(feature {numbers['WK073702']} en {number}), met andere eigenschappen (twee "
                "gebieden met dezelfde code?). Er is niets opgeslagen; laat elke code één keer "
                "voorkomen.")
    if how == "geometry-as-text":
        return (f"Bestand wijk_2024.geojson: feature {number} ({DAMAGED_WIJK}): 'geometry' is tekst "
                f"in plaats van een GeoJSON-geometrie. {REDRAW}")
    if how == "latitude-first":  # Earnewâld's real ring, latitude and longitude swapped
        line = next(line for line in NATIONAL_WIJKEN.read_text(encoding="utf-8").split("\n")
                    if f'"statcode":"{DAMAGED_WIJK}"' in line)
        lons, lats = zip(*json.loads(line.rstrip(","))["geometry"]["coordinates"][0], strict=True)
        return (f"Bestand wijk_2024.geojson: de grens van {DAMAGED_WIJK} (feature {number}): de "
                f"coördinaten (x van {min(lats):g} tot {max(lats):g}, y van {min(lons):g} tot "
                f"{max(lons):g}) liggen niet in Nederland als WGS84, zoals de rest van het bestand. "
                f"{REDRAW}")
    said = {"ring-of-two": "een ring heeft 2 positie(s); een vlak heeft er minstens vier nodig "
                           "(drie hoeken en de eerste nog eens aan het eind)",
            "text-coordinates": "een coördinaat is tekst in plaats van een getal",
            "nan-coordinate": "een coördinaat is geen eindig getal (NaN of oneindig)"}[how]
    return f"Bestand wijk_2024.geojson: de grens van {DAMAGED_WIJK} (feature {number}): {said}. {REDRAW}"


@needs_national
@pytest.mark.parametrize("how", ["ring-of-two", "text-coordinates", "nan-coordinate",
                                 "geometry-as-text", "same-code", "latitude-first"])
def test_the_same_damage_in_the_gemeente_stored_is_refused_naming_feature_and_code(con, tmp_path, how):
    path, numbers = national_wijken(tmp_path / "wijk_2024.geojson", how)
    import_file(con, path, gemeenten=["GM0363"])
    before = geometries(con, "wijk")
    assert refusal(con, lambda: import_file(con, path, gemeenten=["GM0737"])) == _refusal_of(how, numbers)
    # the whole file, as on the command line without --gemeente: refused the same
    assert refusal(con, lambda: import_file(con, path)) == _refusal_of(how, numbers)
    assert geometries(con, "wijk") == before


@needs_national
def test_a_zip_of_the_national_gemeenten_and_wijken_passes_over_another_gemeentes_damaged_wijk(
        con, tmp_path):
    import zipfile

    wijken, numbers = national_wijken(tmp_path / "wijk_2024.geojson", "ring-of-two")
    path = tmp_path / "cartomap_2024.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(REAL_DATA / "geo" / "gemeente_2024_wgs84_dissolved_from_wijken.geojson",
                      "gemeente_2024.geojson")
        archive.write(wijken, "wijk_2024.geojson")
    import_file(con, path, gemeenten=["GM0363"])
    assert con.execute("select count(*) from geometries where region_level = 'wijk'").fetchone() == (
        sum(code.startswith("WK0363") for code in numbers),)
    assert refusal(con, lambda: import_file(con, path, gemeenten=["GM0737"])) == _refusal_of(
        "ring-of-two", numbers)


def test_pdok_boundaries_with_a_damaged_wijk_are_still_refused_whole(con):
    """PDOK's layers are filtered to the gemeenten loaded before features_frame sees them: a
    damaged polygon there is of a gemeente being stored, and refuses the load as before."""
    from data_sources.cbs.pipeline import store_geometries

    wijken = zwolle_wijken()
    wijken[1]["geometry"] = {"type": "Polygon", "coordinates": [wijken[1]["geometry"]["coordinates"][0][:2]]}
    with pytest.raises(InputRefused) as refused:
        store_geometries(con, wijken, year=2024)
    assert refused.value.messages[0].startswith(
        f"de grens van {wijken[1]['properties']['statcode']} (feature 2): een ring heeft 2 positie(s)")
    assert geometries(con, "wijk") == {}


@needs_national
def test_gemeente_laden_reads_the_national_file_with_another_gemeentes_damaged_wijk(app_db, tmp_path):
    """On the page, as a beheerder: the national file with a ring of two positions in
    Tytsjerksteradiel's Earnewâld is read for Zwolle; for Tytsjerksteradiel it is refused naming
    file, feature and code, without a traceback or a server path, and the stored boundaries stay."""
    import duckdb
    from conftest import add_account, read_in_boundaries

    from data_sources import store

    def boundaries() -> list[tuple]:
        connection = duckdb.connect(str(app_db), config=store.CONNECT_CONFIG)
        try:
            return connection.execute("select region_code, geometry_json from geometries order by all").fetchall()
        finally:
            connection.close()

    path, numbers = national_wijken(tmp_path / "wijk_2024.geojson", "ring-of-two")
    add_account(app_db, "beheer", "beheerder")

    at = read_in_boundaries(path, "GM0193")
    assert at.success and not at.error, [e.value for e in at.error]
    before = boundaries()
    assert sorted(code for code, _ in before if code.startswith("WK0193")) == sorted(
        code for code in numbers if code.startswith("WK0193"))
    at = read_in_boundaries(path, "GM0737")
    assert not at.success
    errors = [e.value for e in at.error]
    assert errors == ["wijk_2024.geojson is niet ingelezen; er is niets opgeslagen.",
                      _refusal_of("ring-of-two", numbers).removesuffix(" " + REDRAW), REDRAW], errors
    assert not any("Traceback" in e or str(tmp_path) in e for e in errors)
    assert boundaries() == before


def test_the_bundled_boundaries_a_caller_changes_stay_as_bundled_for_the_next():
    """bundled_features gives copies: the features are read once per process, and a caller that
    broke a ring of the features it got broke them for every later load of that gemeente."""
    from data_sources.offline_boundaries import bundled_features

    first = bundled_features(["GM0193"])
    first[1]["geometry"]["coordinates"] = [[[0, 0], [1, 1]]]
    first[1]["properties"]["statcode"] = "WK999999"
    again = bundled_features(["GM0193"])
    assert again[1]["properties"]["statcode"].startswith("WK0193")
    assert len(again[1]["geometry"]["coordinates"][0]) > 2
