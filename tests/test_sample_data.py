"""The bundled sample gemeente: shape, geometry tiling, determinism and size."""

import csv
import json
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"


def _features(name):
    return json.loads((SAMPLE / "geo" / f"{name}.geojson").read_text())["features"]


def _area(geometry):
    ring = geometry["coordinates"][0]
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False)) / 2


def test_codes_and_counts():
    wijken, buurten = _features("wijken"), _features("buurten")
    assert 8 <= len(wijken) <= 12 and 30 <= len(buurten) <= 60
    wijk_codes = {f["properties"]["statcode"] for f in wijken}
    assert all(c.startswith("WK9999") and len(c) == 8 for c in wijk_codes)
    for feature in buurten:
        code = feature["properties"]["statcode"]
        assert code.startswith("BU9999") and len(code) == 10
        assert "WK" + code[2:8] in wijk_codes


def test_polygons_tile_the_gemeente_without_gaps_or_overlaps():
    gemeente = _area(_features("gemeente")[0]["geometry"])
    wijken = [_area(f["geometry"]) for f in _features("wijken")]
    buurten = [_area(f["geometry"]) for f in _features("buurten")]
    assert all(a > 0 for a in wijken + buurten), "rings must be counterclockwise (RFC 7946)"
    assert sum(wijken) == pytest.approx(gemeente, rel=1e-9)
    assert sum(buurten) == pytest.approx(gemeente, rel=1e-9)
    # Shared edges: every inner edge of the buurt tiling is used by exactly two buurten.
    edges = Counter()
    for f in _features("buurten"):
        ring = [tuple(p) for p in f["geometry"]["coordinates"][0]]
        edges.update(frozenset(e) for e in zip(ring, ring[1:], strict=False))
    outer = {frozenset(e) for e in zip(*(lambda r: (r, r[1:]))(
        [tuple(p) for p in _features("gemeente")[0]["geometry"]["coordinates"][0]]), strict=False)}
    assert all(count == 2 or edge in outer for edge, count in edges.items())


def test_population_covers_five_years_ages_0_to_12_and_wijken_differ():
    rows = list(csv.DictReader((SAMPLE / "population_by_buurt_age.csv").open()))
    years = {int(r["year"]) for r in rows}
    assert len(years) >= 5 and max(years) - min(years) == len(years) - 1
    assert {int(r["age"]) for r in rows} == set(range(13))
    per_wijk = Counter()
    for r in rows:
        if r["year"] == "2024" and int(r["age"]) < 4:
            per_wijk[r["buurt_code"][:8]] += int(r["children"])
    young_newbuild, ageing = per_wijk["BU999904"], per_wijk["BU999902"]
    assert young_newbuild > 4 * ageing


def test_generator_is_deterministic(tmp_path):
    import runpy

    module = runpy.run_path(str(SAMPLE / "generate.py"))
    module["main"](tmp_path)
    for path in tmp_path.rglob("*"):
        if path.is_file():
            original = SAMPLE / path.relative_to(tmp_path)
            assert original.exists(), f"{original} is not committed"
            if path.suffix in {".xlsx"}:
                continue  # zip timestamps differ; contents are compared by the registration tests
            assert path.read_bytes() == original.read_bytes(), path.name


def test_sample_is_small():
    size = sum(p.stat().st_size for p in SAMPLE.rglob("*") if p.is_file())
    assert size < 5 * 1024 * 1024


def test_sample_database_holds_every_source(sample_con):
    datasets = {r[0] for r in sample_con.execute("select distinct dataset from loads").fetchall()}
    assert {"kerncijfers", "bevolking-leeftijd", "geometrie", "postcodes"} <= datasets
    assert sample_con.execute(
        "select count(distinct year) from population_by_wijk_age").fetchone()[0] >= 5
    assert sample_con.execute(
        "select count(*) from postcodes where gemeente_code = 'GM9999'").fetchone()[0] > 100


def _row_3():
    """The sample's row 3 (kinderopvang-bezetting) as (wijk, care type, children, places)."""
    import openpyxl

    workbook = openpyxl.load_workbook(SAMPLE / "registrations" / "kinderopvang-bezetting.xlsx")
    return [(wijk, care, children, places) for wijk, _location, care, _age, children, places
            in workbook["Gegevens"].iter_rows(min_row=2, values_only=True) if wijk]


def test_row_3_serves_more_children_than_places():
    # a kindplaats is simultaneous and children come part time: per care type within the range
    # sample_data/README.md gives
    ranges = {"dagopvang": (1.4, 1.8), "peuteropvang": (1.6, 2.0), "bso": (1.6, 2.2)}
    rows = _row_3()
    for wijk, care, children, places in rows:
        low, high = ranges[care]
        assert low <= children / places <= high, (wijk, care, children, places)
    totals = Counter()
    for _wijk, care, children, places in rows:
        kind = "bso" if care == "bso" else "dagopvang"
        totals[kind, "children"] += children
        totals[kind, "places"] += places
    assert dict(totals) == {("dagopvang", "children"): 1316, ("dagopvang", "places"): 798,
                            ("bso", "children"): 1188, ("bso", "places"): 598}


def test_row_3_places_stay_within_the_registered_places_of_the_wijk():
    wijk_of = {}
    with (SAMPLE / "postcodes" / "pc6hnr20240801_gwb.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter=";"):
            wijk_of[f"{row['PC6'][:4]} {row['PC6'][4:]}"] = "WK" + row["Wijk2024"].zfill(6)
    registered = Counter()
    with (SAMPLE / "lrk" / "lrk_export_GM9999_2024.csv").open(encoding="cp1252") as f:
        for row in csv.DictReader(f, delimiter=";"):
            if row["status"] == "Ingeschreven" and row["aantal_kindplaatsen"]:
                registered[wijk_of[row["opvanglocatie_postcode"]], row["type_oko"]] += int(
                    row["aantal_kindplaatsen"])
    organisation = Counter()
    for wijk, care, _children, places in _row_3():
        organisation[wijk, "BSO" if care == "bso" else "KDV"] += places
    assert all(places <= registered[key] for key, places in organisation.items()), [
        (key, places, registered[key]) for key, places in organisation.items()
        if places > registered[key]]
    # where the organisation's places would exceed the register, its locations are full
    assert organisation["WK999904", "KDV"] == registered["WK999904", "KDV"] == 128
    assert ("WK999907", "KDV") not in organisation  # Buitengebied has no KDV in the register


def test_sample_children_per_place_come_from_row_3(sample_con):
    assert sample_con.execute("""
        select provision_type, round(children_per_place, 4), children_per_place_source
        from int_supply__children_per_place
        where gemeente_code = 'GM9999' and year = 2024 and provision_type in ('dagopvang', 'bso')
        order by 1""").fetchall() == [("bso", round(1188 / 598, 4), "kinderopvang-bezetting"),
                                      ("dagopvang", round(1316 / 798, 4), "kinderopvang-bezetting")]
