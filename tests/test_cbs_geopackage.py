"""The CBS wijk- en buurtkaart as GeoPackage (wijkenbuurten_<jaar>_v1.gpkg, or CBS's zip of it):
written here as CBS publishes it (SQLite, layers gemeenten/wijken/buurten, RD New, a water column,
ISO WKB behind the GeoPackage header), from the real 2024 boundaries of Zwolle and Kampen."""

from __future__ import annotations

import json
import sqlite3
import struct
import time
import zipfile

import pytest
from test_cbs_geojson import walk, wgs84_to_rd

from data_sources.errors import InputRefused, severity
from data_sources.geopackage import read_geopackage
from data_sources.jobs import import_cbs_file as import_file
from data_sources.offline_boundaries import bundled_features

CBS_COLUMNS = {
    "gemeenten": ("gemeentecode", "gemeentenaam", "water", "aantal_inwoners"),
    "wijken": ("wijkcode", "wijknaam", "gemeentecode", "gemeentenaam", "water", "aantal_inwoners"),
    "buurten": ("buurtcode", "buurtnaam", "wijkcode", "gemeentecode", "water", "aantal_inwoners"),
    # PDOK's CBS-gebiedsindelingen (cbsgebiedsindelingen<jaar>.gpkg): a layer per kind of region
    **{layer: ("statcode", "statnaam", "jrstatcode", "rubriek") for layer in (
        "gemeente_gegeneraliseerd", "wijk_gegeneraliseerd", "provincie_gegeneraliseerd")},
}


def densified(ring: list, steps: int = 4) -> list:
    """A ring with corners between its corners (as the detailed CBS map has far more than the
    generalised one): snapping to the grid takes them out again."""
    points = []
    for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
        points += [[x0 + (x1 - x0) * k / steps, y0 + (y1 - y0) * k / steps] for k in range(steps)]
    return [*points, ring[-1]]


def wkb_polygon(rings: list, z: bool = False) -> bytes:
    """ISO WKB of a Polygon, little-endian (with a Z of 0 per corner when `z`)."""
    out = struct.pack("<BII", 1, 1003 if z else 3, len(rings))
    for ring in rings:
        out += struct.pack("<I", len(ring))
        for x, y in ring:
            out += struct.pack("<ddd", x, y, 0.0) if z else struct.pack("<dd", x, y)
    return out


def gpkg_blob(polygons: list, z: bool = False) -> bytes:
    """A GeoPackage geometry: 'GP', version 0, flags (little-endian, an xy envelope), srs 28992,
    the envelope, then a MultiPolygon in ISO WKB."""
    xs = [p[0] for polygon in polygons for ring in polygon for p in ring]
    ys = [p[1] for polygon in polygons for ring in polygon for p in ring]
    header = b"GP" + bytes([0, 0b0000_0011]) + struct.pack("<i", 28992)
    envelope = struct.pack("<dddd", min(xs), max(xs), min(ys), max(ys))
    body = struct.pack("<BII", 1, 1006 if z else 6, len(polygons))
    body += b"".join(wkb_polygon(polygon, z) for polygon in polygons)
    return header + envelope + body


def rd_polygons(geometry: dict) -> list:
    parts = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    return [[densified(walk(ring, wgs84_to_rd)) for ring in polygon] for polygon in parts]


def write_gpkg(path, layers: dict[str, list[tuple]], srs: int = 28992) -> None:
    """A GeoPackage with the CBS columns per layer; rows: (values..., polygons or a raw blob)."""
    con = sqlite3.connect(path)
    con.executescript("""
        create table gpkg_spatial_ref_sys (srs_name text, srs_id integer primary key,
            organization text, organization_coordsys_id integer, definition text, description text);
        create table gpkg_contents (table_name text primary key, data_type text, identifier text,
            description text, last_change text, min_x real, min_y real, max_x real, max_y real,
            srs_id integer);
        create table gpkg_geometry_columns (table_name text, column_name text,
            geometry_type_name text, srs_id integer, z integer, m integer);
    """)
    con.execute("insert into gpkg_spatial_ref_sys values ('Amersfoort / RD New', 28992, 'EPSG',"
                " 28992, '', '')")
    con.execute("insert into gpkg_spatial_ref_sys values ('ETRS89', 4258, 'EPSG', 4258, '', '')")
    con.execute("insert into gpkg_spatial_ref_sys values ('WGS 84', 4326, 'EPSG', 4326, '', '')")
    con.execute("insert into gpkg_spatial_ref_sys values ('ETRS89 / LAEA Europe', 3035, 'EPSG', 3035, '', '')")
    for layer, rows in layers.items():
        columns = CBS_COLUMNS[layer]
        con.execute(f"create table {layer} (fid integer primary key, geom blob, "
                    + ", ".join(f"{c} text" for c in columns) + ")")
        con.execute("insert into gpkg_contents (table_name, data_type, identifier, srs_id)"
                    " values (?, 'features', ?, ?)", [layer, layer, srs])
        con.execute("insert into gpkg_geometry_columns values (?, 'geom', 'MULTIPOLYGON', ?, 0, 0)",
                    [layer, srs])
        for row in rows:
            *values, geometry = row
            blob = geometry if isinstance(geometry, bytes) else gpkg_blob(geometry)
            con.execute(f"insert into {layer} (geom, {', '.join(columns)}) values "
                        f"(?, {', '.join('?' * len(columns))})", [blob, *values])
    con.commit()
    con.close()


def cbs_map(path, srs: int = 28992) -> dict:
    """The wijk- en buurtkaart of Zwolle and Kampen: each gemeente and wijk on land, Zwolle's
    water as a part of its own (water 'JA'), and one buurt."""
    features = bundled_features(["GM0193", "GM0166"])
    gemeenten, wijken = [], []
    for feature in features:
        code = feature["properties"]["statcode"]
        polygons = rd_polygons(feature["geometry"])
        if code.startswith("GM"):
            name = {"GM0193": "Zwolle", "GM0166": "Kampen"}[code]
            gemeenten.append((code, name, "NEE", "131000", polygons))
        else:
            wijken.append((code, feature["properties"]["name"], "GM" + code[2:6], "", "NEE", "5000", polygons))
    x, y = wgs84_to_rd(6.09, 52.52)
    water = [[[[x, y], [x + 500, y], [x + 500, y + 500], [x, y + 500], [x, y]]]]
    gemeenten.append(("GM0193", "Zwolle", "JA", "-99997", water))
    wijken.append(("WK019399", "Wijk 99 Water", "GM0193", "Zwolle", "JA", "-99997", water))
    buurt = ("BU01930000", "Binnenstad", "WK019310", "GM0193", "NEE", "3000", water)
    write_gpkg(path, {"gemeenten": gemeenten, "wijken": wijken, "buurten": [buurt]}, srs)
    return {f["properties"]["statcode"]: f for f in features}


def stored(con, year: int) -> dict[str, dict]:
    return {code: json.loads(geometry) for code, geometry in con.execute(
        "select region_code, geometry_json from geometries where year = ? order by 1", [year]).fetchall()}


def test_the_cbs_geopackage_gives_land_polygons_of_gemeenten_and_wijken_snapped_to_ten_metres(tmp_path):
    path = tmp_path / "wijkenbuurten_2025_v1.gpkg"
    originals = cbs_map(path)
    collection, notes = read_geopackage(path)
    codes = [f["properties"].get("wijkcode") or f["properties"]["gemeentecode"]
             for f in collection["features"]]
    assert sorted(codes) == sorted(originals)  # no water, no buurt
    assert collection["crs"]["properties"]["name"] == "EPSG:28992"
    assert notes == ["2 wijk(en) of gemeente(n) van alleen water zijn niet op de kaart gezet."]
    assert severity(notes[0]) == "info"
    wijk = next(f for f in collection["features"] if f["properties"].get("wijkcode") == "WK019310")
    assert wijk["properties"]["wijknaam"] == originals["WK019310"]["properties"]["name"]
    ring = wijk["geometry"]["coordinates"][0]
    assert all(x % 10 == 0 and y % 10 == 0 for x, y in ring)
    assert ring[0] == ring[-1]
    # the corners put between the corners lie on the straight line: most of them were on the same
    # grid point as a neighbour, and the ring is far shorter than the densified one
    assert len(ring) < len(rd_polygons(originals["WK019310"]["geometry"])[0][0])
    only_kampen, _ = read_geopackage(path, ["GM0166"])
    assert {f["properties"]["gemeentecode"] if "gemeentecode" in f["properties"] else
            f["properties"]["wijkcode"][:6].replace("WK", "GM") for f in only_kampen["features"]} == {"GM0166"}


def test_imported_the_gpkg_draws_the_wijken_where_the_bundled_boundaries_are(con, tmp_path):
    path = tmp_path / "wijkenbuurten_2025_v1.gpkg"
    originals = cbs_map(path)
    result = import_file(con, path, gemeenten=["GM0193"])
    assert result.kind == "geometrie"
    assert any("alleen water" in note for note in result.notes)
    got = stored(con, 2025)
    assert set(got) == {code for code in originals if code[2:6] == "0193"}
    # within 10 m of the real boundary (1e-4 degree is 7-11 m): the first corner of each
    for code, geometry in got.items():
        original = originals[code]["geometry"]
        first = (original["coordinates"][0][0] if original["type"] == "Polygon"
                 else original["coordinates"][0][0][0])
        mine = geometry["coordinates"][0][0] if geometry["type"] == "Polygon" else geometry["coordinates"][0][0][0]
        assert mine == pytest.approx(first, abs=2e-4), code


@pytest.mark.parametrize("srs", [4326, 4258])
def test_a_gpkg_in_degrees_wgs84_or_etrs89_is_read(con, tmp_path, srs):
    # PDOK offers its downloads in ETRS89 too; in the Netherlands it lies within a metre of WGS84
    features = bundled_features(["GM0193"])
    wijken = [(f["properties"]["statcode"], f["properties"]["name"], "GM0193", "Zwolle", "NEE", "1",
               [f["geometry"]["coordinates"]] if f["geometry"]["type"] == "Polygon"
               else f["geometry"]["coordinates"])
              for f in features if f["properties"]["statcode"].startswith("WK")]
    path = tmp_path / "wijkenbuurten_2024_v1.gpkg"
    write_gpkg(path, {"wijken": wijken}, srs)
    import_file(con, path, gemeenten=["GM0193"])
    got = stored(con, 2024)
    assert set(got) == {w[0] for w in wijken}
    for code, _name, *_rest, polygons in wijken:
        mine = got[code]["coordinates"][0][0] if got[code]["type"] == "Polygon" else got[code]["coordinates"][0][0][0]
        assert mine == pytest.approx(polygons[0][0][0], abs=2e-4), code


def test_cbs_zip_of_the_gpkg_is_read_with_the_year_of_its_name(con, tmp_path):
    inner = tmp_path / "wijkenbuurten_2023_v1.gpkg"
    cbs_map(inner)
    archive = tmp_path / "WijkBuurtkaart_2023_v1.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.write(inner, "WijkBuurtkaart_2023_v1/wijkenbuurten_2023_v1.gpkg")
        zipped.writestr("WijkBuurtkaart_2023_v1/Toelichting.pdf", b"%PDF-1.4 toelichting")
    inner.unlink()
    import_file(con, archive, gemeenten=["GM0166"])
    assert {code[:6] for code in stored(con, 2023)} == {"GM0166", "WK0166"}


def refusal(con, path, **options) -> str:
    before = con.execute("select count(*) from geometries").fetchone()[0]
    with pytest.raises(InputRefused) as refused:
        import_file(con, path, **options)
    assert con.execute("select count(*) from geometries").fetchone()[0] == before
    return str(refused.value)


def test_what_is_not_a_cbs_geopackage_is_refused_in_dutch_and_nothing_is_stored(con, tmp_path):
    plain = tmp_path / "wijken_2024.gpkg"
    sqlite3.connect(plain).execute("create table wijken (wijkcode text)").connection.commit()
    assert "een SQLite-bestand zonder de tabellen van een GeoPackage" in refusal(con, plain)

    other_srs = tmp_path / "wijkenbuurten_2024_v1.gpkg"
    cbs_map(other_srs, srs=3035)
    assert "de coördinaten zijn in EPSG:3035" in refusal(con, other_srs)

    cut = tmp_path / "wijkenbuurten_2022_v1.gpkg"
    cbs_map(cut)
    data = cut.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    said = refusal(con, cut)
    assert "beschadigd of onvolledig" in said or "niet te lezen" in said

    garbage = tmp_path / "wijkenbuurten_2021_v1.gpkg"
    polygon = [[[0, 0], [10, 0], [10, 10], [0, 0]]]
    broken = gpkg_blob([polygon])[:-20]  # a ring that runs past the end of its blob
    write_gpkg(garbage, {"wijken": [("WK019310", "Binnenstad", "GM0193", "Zwolle", "NEE", "1", broken)]})
    assert "de grens van WK019310 in de laag 'wijken' is niet te lezen" in refusal(con, garbage)

    nested = tmp_path / "wijkenbuurten_2020_v1.gpkg"
    header = b"GP" + bytes([0, 0b0000_0001]) + struct.pack("<i", 28992)
    deep = header + struct.pack("<BII", 1, 6, 1) * 2000 + wkb_polygon(polygon)
    write_gpkg(nested, {"wijken": [("WK019310", "Binnenstad", "GM0193", "Zwolle", "NEE", "1", deep)]})
    assert "niet te lezen (geometrietype 6 in plaats van een vlak)" in refusal(con, nested)


def test_a_gemeente_not_in_the_gpkg_is_refused(con, tmp_path):
    path = tmp_path / "wijkenbuurten_2025_v1.gpkg"
    cbs_map(path)
    assert "geen wijk- of gemeentegrenzen gevonden voor GM0363" in refusal(con, path, gemeenten=["GM0363"])


def test_a_shapefile_is_refused_with_what_to_do(con, tmp_path):
    archive = tmp_path / "buurt_2018_v3.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for ending in ("shp", "shx", "dbf", "prj"):
            zipped.writestr(f"wijk_2018_v3.{ending}", b"\0" * 100)
    said = refusal(con, archive)
    assert "dit is een kaart als shapefile (.shp)" in said and "exporteer de wijken als GeoJSON" in said


def test_a_layer_with_far_more_regions_than_nederland_is_refused(con, tmp_path, monkeypatch):
    from data_sources import geopackage

    monkeypatch.setattr(geopackage, "MAX_FEATURES", 5)
    path = tmp_path / "wijkenbuurten_2025_v1.gpkg"
    cbs_map(path)  # Zwolle and Kampen: 20 wijken
    assert "de laag 'wijken' heeft meer dan 5 gebieden" in refusal(con, path)


def test_a_layer_without_the_geometry_column_it_names_is_refused(con, tmp_path):
    path = tmp_path / "wijkenbuurten_2025_v1.gpkg"
    cbs_map(path)
    db = sqlite3.connect(path)
    db.execute("update gpkg_geometry_columns set column_name = 'vorm' where table_name = 'wijken'")
    db.commit()
    db.close()
    assert "de laag 'wijken' mist haar geometriekolom 'vorm'" in refusal(con, path)


def test_a_gpkg_built_to_run_for_ever_is_stopped_and_refused(con, tmp_path, monkeypatch):
    """A hostile file: its spatial reference table is a view that recurses without end. The read
    is stopped at the time limit and refused, instead of holding the import for ever."""
    from data_sources import geopackage

    monkeypatch.setattr(geopackage, "MAX_SECONDS", 1)
    path = tmp_path / "wijkenbuurten_2025_v1.gpkg"
    cbs_map(path)
    db = sqlite3.connect(path)
    db.executescript("""
        alter table gpkg_spatial_ref_sys rename to srs_real;
        create view gpkg_spatial_ref_sys as
            with recursive n(i) as (select 1 union all select i + 1 from n)
            select s.* from srs_real s, n where n.i < 0;
    """)
    db.commit()
    db.close()
    started = time.monotonic()
    said = refusal(con, path)
    assert "het lezen duurde langer dan" in said and "is gestopt" in said
    assert time.monotonic() - started < 30


def test_the_cbs_gebiedsindelingen_geopackage_of_pdok_is_read(con, tmp_path):
    """PDOK publishes the CBS-gebiedsindelingen also as one GeoPackage a year
    (cbsgebiedsindelingen2025.gpkg; public scripts read its layers gemeente_gegeneraliseerd and
    provincie_gegeneraliseerd, the WFS names the same layers gebiedsindelingen:wijk_gegeneraliseerd):
    codes in statcode, names in statnaam. It was refused as a GeoPackage without the layers
    'gemeenten' or 'wijken'."""
    features = bundled_features(["GM0193", "GM0166"])
    layers = {"gemeente_gegeneraliseerd": [], "wijk_gegeneraliseerd": []}
    for feature in features:
        code = feature["properties"]["statcode"]
        kind = "gemeente" if code.startswith("GM") else "wijk"
        layers[f"{kind}_gegeneraliseerd"].append(
            (code, feature["properties"].get("name") or code, f"2025{code}", kind,
             rd_polygons(feature["geometry"])))
    x, y = wgs84_to_rd(6.09, 52.52)
    layers["provincie_gegeneraliseerd"] = [("PV23", "Overijssel", "2025PV23", "provincie",
                                            [[[[x, y], [x + 500, y], [x + 500, y + 500], [x, y]]]])]
    path = tmp_path / "cbsgebiedsindelingen2025.gpkg"
    write_gpkg(path, layers)
    result = import_file(con, path, gemeenten=["GM0193"])
    assert result.kind == "geometrie"
    assert set(stored(con, 2025)) == {f["properties"]["statcode"] for f in features
                                      if f["properties"]["statcode"][2:6] == "0193"}


def test_the_wijk_en_buurtkaart_layers_go_before_the_gebiedsindelingen_in_one_file(tmp_path):
    path = tmp_path / "wijkenbuurten_2025_v1.gpkg"
    cbs_map(path)
    x, y = wgs84_to_rd(6.09, 52.52)
    con = sqlite3.connect(path)
    con.execute("create table wijk_gegeneraliseerd (fid integer primary key, geom blob, statcode text,"
                " statnaam text)")
    con.execute("insert into gpkg_contents (table_name, data_type, identifier, srs_id)"
                " values ('wijk_gegeneraliseerd', 'features', 'w', 28992)")
    con.execute("insert into gpkg_geometry_columns values ('wijk_gegeneraliseerd', 'geom', 'MULTIPOLYGON',"
                " 28992, 0, 0)")
    con.execute("insert into wijk_gegeneraliseerd (geom, statcode, statnaam) values (?, 'WK019398', 'Extra')",
                [gpkg_blob([[[[x, y], [x + 500, y], [x + 500, y + 500], [x, y]]]])])
    con.commit()
    con.close()
    collection, _ = read_geopackage(path, ["GM0193"])
    assert "WK019398" not in {f["properties"].get("wijkcode") for f in collection["features"]}
    assert all("statcode" not in f["properties"] for f in collection["features"])
