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
