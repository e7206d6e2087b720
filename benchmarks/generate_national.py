"""Synthetic national data (342 gemeenten, ~3,300 wijken, ~14,500 buurten) in the real source formats.

Writes, deterministically, into a folder of the same shape as sample_data/:
  geo/{gemeente,wijken,buurten}.geojson   WGS84 polygons, densified edges like real boundaries
  cbs/<TABLEID>/*.json                    kerncijfers wijken en buurten per year, as cbsodata saves them
  cbs/03759ned/*.json                     population by single age per gemeente, five years
  registrations/<GM>/<type>.xlsx          every registration type for every wijk, per gemeente:
                                          the real templates filled as partners deliver them
and `load_national(con, folder)` loads it through the real loaders (data_sources.geo,
data_sources.cbs.loading, the partner import with its validation), exactly as CBS and PDOK files
and partner uploads are loaded. The file writers and table layouts come from
sample_data/generate.py and sample_data/generate_registrations.py.
"""

from __future__ import annotations

import importlib.util
import io
import math
import random
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SEED = 20257
GEMEENTEN = 342
WIJKEN_PER_GEMEENTE = 9.65  # ~3,300 wijken in 342 gemeenten
LARGEST_GEMEENTE_WIJKEN = 99  # the largest gemeente (Amsterdam has about 100 wijken)
BUURTEN_PER_WIJK = (2, 7)  # uniform: ~4.4 per wijk, ~14,500 buurten
# Points per polygon side: real (unsimplified) wijk boundaries have hundreds of vertices.
WIJK_POINTS_PER_SIDE = 50
BUURT_POINTS_PER_SIDE = 12
BBOX = (3.40, 50.75, 7.20, 53.55)  # west, south, east, north: the Netherlands, roughly


def _sample_generator(name: str = "generate"):
    """sample_data/<name>.py as a module (its table layouts, writers and row makers)."""
    path = ROOT / "sample_data" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"kindkaart_sample_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass
class Summary:
    """What was generated."""

    gemeenten: int
    wijken: int
    buurten: int
    years: list[int]
    largest_gemeente: str
    largest_gemeente_wijken: int
    folder: Path


def wijk_counts(gemeenten: int, rng: random.Random) -> list[int]:
    """Wijken per gemeente: skewed like the real ones, one large city first, ~9.65 on average."""
    if gemeenten == 1:
        return [LARGEST_GEMEENTE_WIJKEN]
    raw = [rng.lognormvariate(1.9, 0.6) for _ in range(gemeenten - 1)]
    target = round(WIJKEN_PER_GEMEENTE * gemeenten) - LARGEST_GEMEENTE_WIJKEN
    scale = max(target, gemeenten - 1) / sum(raw)
    counts = [max(1, min(LARGEST_GEMEENTE_WIJKEN - 1, round(r * scale))) for r in raw]
    return [LARGEST_GEMEENTE_WIJKEN, *counts]


def _jitter(x: float, y: float, amplitude: float) -> tuple[float, float]:
    # A deterministic function of the point, so that neighbours sharing a side share its points.
    h = math.sin(x * 12.9898 + y * 78.233) * 43758.5453
    h2 = math.sin(x * 39.3467 + y * 11.135) * 24634.6345
    return (h - math.floor(h) - 0.5) * amplitude, (h2 - math.floor(h2) - 0.5) * amplitude


def rectangle(west: float, south: float, east: float, north: float, points_per_side: int) -> dict:
    """A GeoJSON Polygon of a rectangle whose sides wiggle through `points_per_side` points."""
    corners = [(west, south), (east, south), (east, north), (west, north)]
    amplitude = min(east - west, north - south) / (points_per_side * 1.5)
    ring = []
    for (x1, y1), (x2, y2) in zip(corners, corners[1:] + corners[:1], strict=True):
        for step in range(points_per_side):
            t = step / points_per_side
            x, y = x1 + (x2 - x1) * t, y1 + (y2 - y1) * t
            if step:
                dx, dy = _jitter(round(x, 6), round(y, 6), amplitude)
                x, y = x + dx, y + dy
            ring.append([round(x, 6), round(y, 6)])
    ring.append(ring[0])  # counterclockwise from the south-west corner (RFC 7946)
    return {"type": "Polygon", "coordinates": [ring]}


def _split(west: float, south: float, east: float, north: float, parts: int):
    """Rectangles tiling a rectangle in parts: rows of roughly equal cells."""
    rows = max(1, round(math.sqrt(parts * (north - south) / max(east - west, 1e-9))))
    rows = min(rows, parts)
    per_row = [parts // rows + (1 if r < parts % rows else 0) for r in range(rows)]
    height = (north - south) / rows
    cells = []
    for r, count in enumerate(per_row):
        top = north - r * height
        width = (east - west) / count
        for c in range(count):
            cells.append((west + c * width, top - height, west + (c + 1) * width, top))
    return cells


def build(gemeenten: int = GEMEENTEN, seed: int = SEED):
    """Gemeenten, wijken and buurten with names, rectangles and children per buurt, age and year."""
    sample = _sample_generator()
    rng = random.Random(seed)
    counts = wijk_counts(gemeenten, rng)
    grid_cols = math.ceil(math.sqrt(gemeenten * 1.2))
    grid_rows = math.ceil(gemeenten / grid_cols)
    cell_w = (BBOX[2] - BBOX[0]) / grid_cols
    cell_h = (BBOX[3] - BBOX[1]) / grid_rows
    areas = []  # (level, code, name, gemeente_code, rect)
    population = {}  # buurt code -> {year: [children per age 0-12]}
    inhabitants = {}  # buurt code -> {year: persons}
    for g, n_wijken in enumerate(counts):
        gm = f"GM{g + 1:04d}"
        name = f"Gemeente {g + 1:03d}"
        row, col = divmod(g, grid_cols)
        rect = (BBOX[0] + col * cell_w, BBOX[3] - (row + 1) * cell_h,
                BBOX[0] + (col + 1) * cell_w, BBOX[3] - row * cell_h)
        areas.append(("gemeente", gm, name, gm, rect))
        for w, wijk_rect in enumerate(_split(*rect, n_wijken)):
            wk = f"WK{gm[2:]}{w:02d}"
            areas.append(("wijk", wk, f"{name} wijk {w + 1}", gm, wijk_rect))
            for b, buurt_rect in enumerate(_split(*wijk_rect, rng.randint(*BUURTEN_PER_WIJK))):
                bu = f"BU{wk[2:]}{b:02d}"
                areas.append(("buurt", bu, f"{name} wijk {w + 1} buurt {b + 1}", gm, buurt_rect))
                size = rng.randint(300, 4000)
                share = rng.uniform(0.006, 0.021)
                trend = rng.uniform(0.96, 1.05)
                cohort = [max(0, round(rng.gauss(size * share, size * share * 0.15)))
                          for _ in range(13)]
                population[bu], inhabitants[bu] = {}, {}
                for year in sample.YEARS:
                    if year != sample.YEARS[0]:
                        cohort = [max(0, round(cohort[0] * trend + rng.gauss(0, 1))), *cohort[:-1]]
                        size = round(size * (1 + (trend - 1) / 2))
                    population[bu][year] = list(cohort)
                    inhabitants[bu][year] = size
    return sample, rng, counts, areas, population, inhabitants


def _kerncijfers(sample, year, rng, areas, population, inhabitants) -> dict:
    """One national kerncijfers table in cbsodata's saved layout (topics of the sample tables)."""
    props, keys = sample.kerncijfers_properties(year)
    # Sums per area: a buurt's own, a wijk's over its buurten, a gemeente's over its wijken.
    young, inhab = {}, {}
    for code, by_year in population.items():
        # Ages 13 and 14 are not generated; add them at the rate of ages 10-12.
        children = sum(by_year[year]) + round(2 * sum(by_year[year][10:13]) / 3)
        for area in (code, "WK" + code[2:8], "GM" + code[2:6]):
            young[area] = young.get(area, 0) + children
            inhab[area] = inhab.get(area, 0) + inhabitants[code][year]
    gemeente_names = {code: name for level, code, name, _, _ in areas if level == "gemeente"}
    records, dimension = [], []
    for i, (level, code, name, gm, _) in enumerate(areas):
        k015 = sample.random_round5(young[code], rng)
        if level == "buurt" and inhab[code] < 400:
            k015 = None  # small buurten are secret, as in the real tables
        record = {"ID": i, "WijkenEnBuurten": sample.pad(code, 10)}
        record.update({
            keys["Gemeentenaam"]: sample.pad(gemeente_names[gm], 40),
            keys["SoortRegio"]: sample.pad(level.capitalize(), 10),
            keys["Codering"]: sample.pad(code, 10),
            keys["AantalInwoners"]: sample.random_round5(inhab[code], rng),
            keys["k_0Tot15Jaar"]: k015,
            keys["HuishoudensMetKinderen"]: round(k015 / 1.8) if k015 is not None else None,
            keys["LeerlingenPo"]: round(k015 * 0.55, 0) if k015 is not None else None,
            keys["JongerenMetJeugdzorgInNatura"]: (
                sample.random_round5(k015 * 0.1, rng) if k015 and level != "buurt" else None),
            keys["PercentageJongerenMetJeugdzorg"]: round(rng.uniform(6, 15), 1),
            keys["AfstandTotKinderdagverblijf"]: round(rng.uniform(0.3, 2.5), 1),
            keys["AfstandTotSchool"]: round(rng.uniform(0.4, 3.0), 1),
            keys["MateVanStedelijkheid"]: rng.randint(1, 5),
        })
        records.append(record)
        dimension.append({"Key": sample.pad(code, 10), "Title": name, "Description": None,
                          "DetailRegionCode": code})
    infos = [{"ID": 0, "Title": f"Kerncijfers wijken en buurten {year}",
              "ShortTitle": f"Kerncijfers wijken en buurten {year}",
              "Identifier": sample.KERNCIJFERS_TABLES[year], "Period": str(year),
              "Modified": f"{year + 1}-03-27T02:00:00", "Language": "nl", "Catalog": "CBS",
              "Summary": "Synthetische landelijke gegevens voor de snelheidsmeting, in CBS-opmaak"}]
    return {"TableInfos": infos, "DataProperties": props, "TypedDataSet": records,
            "WijkenEnBuurten": dimension}


def _population_by_age(sample, areas, population) -> dict:
    """03759ned for every gemeente: totals over sex and marital status, ages 0-12, five years."""
    table = sample.population_by_age_table([])
    totals = {}
    for code, by_year in population.items():
        for year, cohort in by_year.items():
            for age, children in enumerate(cohort):
                key = ("GM" + code[2:6], year, age)
                totals[key] = totals.get(key, 0) + children
    records = []
    for i, ((gm, year, age), count) in enumerate(sorted(totals.items())):
        records.append({"ID": i, "Geslacht": "T001038", "Leeftijd": sample.AGE_KEYS[age],
                        "BurgerlijkeStaat": "T001019", "RegioS": sample.pad(gm, 6),
                        "Perioden": f"{year}JJ00", "BevolkingOp1Januari_1": round(count * 1.01),
                        "GemiddeldeBevolking_2": round(count * 1.01, 1)})
    table["TypedDataSet"] = records
    table["RegioS"] = [{"Key": sample.pad(code, 6), "Title": name}
                       for level, code, name, _, _ in areas if level == "gemeente"]
    return table


def _registrations(out: Path, areas, population, seed: int) -> None:
    """One workbook per registration type and gemeente, with rows for every wijk, made by the
    sample's row maker (per child where partners register per child). The synthetic country has
    no postcode table, so where the sample gives a postcode these give the wijk code."""
    from data_sources.registrations.template import write_template

    maker = _sample_generator("generate_registrations")
    year = maker.YEAR
    templates = {}
    for soort in maker.DELIVERIES:
        buffer = io.BytesIO()
        write_template(soort, buffer)
        templates[soort] = buffer.getvalue()
    rng = random.Random(seed + 1)
    gemeenten = [(code, name) for level, code, name, _, _ in areas if level == "gemeente"]
    for gemeente, gemeente_name in gemeenten:
        wijken = {code: name for level, code, name, gm, _ in areas
                  if level == "wijk" and gm == gemeente}
        buurten = sorted(code for level, code, _, gm, _ in areas
                         if level == "buurt" and gm == gemeente)
        by_buurt = {(buurt, age): n for buurt in buurten
                    for age, n in enumerate(population[buurt][year])}
        by_wijk: dict[tuple[str, int], int] = {}
        for (buurt, age), n in by_buurt.items():
            key = ("WK" + buurt[2:8], age)
            by_wijk[key] = by_wijk.get(key, 0) + n
        places = {wijk: [wijk] for wijk in wijken}
        folder = out / gemeente
        folder.mkdir(parents=True, exist_ok=True)
        for soort, (organisation, period, definition) in maker.DELIVERIES.items():
            rows = maker.rows_for(soort, rng, wijken, buurten, by_buurt, by_wijk, places)
            if not rows:
                continue  # nothing to report (a small gemeente without waiting children)
            organisation = organisation.replace("Voorbeeldstad", gemeente_name).replace(
                "Voorbeeldregio", gemeente_name)
            meta = {"organisatie": organisation, "periode": period, "gemeente": gemeente,
                    "definitie": definition}
            if soort in maker.PEILDATUM:
                meta["peildatum"] = maker.PEILDATUM[soort]
            (folder / f"{soort}.xlsx").write_bytes(
                maker.fill_workbook(templates[soort], rows, meta))


def generate(out: str | Path, gemeenten: int = GEMEENTEN, seed: int = SEED) -> Summary:
    """Write the synthetic national data into `out`; returns what was written."""
    out = Path(out)
    sample, rng, counts, areas, population, inhabitants = build(gemeenten, seed)
    points = {"gemeente": WIJK_POINTS_PER_SIDE, "wijk": WIJK_POINTS_PER_SIDE,
              "buurt": BUURT_POINTS_PER_SIDE}
    files = {"gemeente": "gemeente", "wijk": "wijken", "buurt": "buurten"}
    for level, file_stem in files.items():
        features = [
            {"type": "Feature", "properties": {"statcode": code, "statnaam": name},
             "geometry": rectangle(*rect, points[level])}
            for lvl, code, name, _, rect in areas if lvl == level
        ]
        sample.write_json(out / "geo" / f"{file_stem}.geojson", sample.feature_collection(features))
    for year in sample.YEARS:
        table = _kerncijfers(sample, year, rng, areas, population, inhabitants)
        for name, content in table.items():
            sample.write_json(out / "cbs" / sample.KERNCIJFERS_TABLES[year] / f"{name}.json", content)
    for name, content in _population_by_age(sample, areas, population).items():
        sample.write_json(out / "cbs" / "03759ned" / f"{name}.json", content)
    _registrations(out / "registrations", areas, population, seed)
    level_counts = {level: sum(1 for a in areas if a[0] == level) for level in files}
    return Summary(gemeenten=level_counts["gemeente"], wijken=level_counts["wijk"],
                   buurten=level_counts["buurt"], years=list(sample.YEARS),
                   largest_gemeente="GM0001", largest_gemeente_wijken=counts[0], folder=out)


def load_national(con, folder: str | Path, *, build_marts: bool = True) -> dict[str, int]:
    """Load a generated folder through the real loaders: the CBS tables with
    data_sources.cbs.loading (one transaction), the polygons of every level with the PDOK path
    (data_sources.cbs.pipeline.store_geometries, one load per gemeente), then build the marts.
    Returns the number of loads per dataset."""
    import json

    import transforms
    from data_sources import store
    from data_sources.cbs import loading, pipeline
    from data_sources.cbs.odata import read_table_dir
    from data_sources.registrations.sample import import_sample_workbooks

    folder = Path(folder)
    counts = {"kerncijfers": 0, "bevolking-leeftijd": 0, "geometrie": 0}
    years = []
    with store.transaction(con):
        # kerncijfers first: 03759ned keeps only gemeenten known in the kerncijfers of their year
        # (its synthetic codes, GM0001 and on, are in no bundled list)
        for table_dir in sorted((folder / "cbs").iterdir(),
                                key=lambda d: (d.name.lower() == loading.POPULATION_BY_AGE_TABLE, d.name)):
            table = read_table_dir(table_dir)
            file_hash = store.file_sha256(table_dir / "TypedDataSet.json")
            if table.table_id.lower() == loading.POPULATION_BY_AGE_TABLE:
                counts["bevolking-leeftijd"] += len(loading.store_population_by_age(
                    con, table, file_hash=file_hash, file_name=f"{table_dir.name}/"))
            else:
                counts["kerncijfers"] += len(loading.store_kerncijfers(
                    con, table, file_hash=file_hash, file_name=f"{table_dir.name}/"))
                years.append(loading.kerncijfers_year(table))
    features = []
    for file_stem in ("gemeente", "wijken", "buurten"):
        path = folder / "geo" / f"{file_stem}.geojson"
        features += json.loads(path.read_text(encoding="utf-8"))["features"]
    for year in years:
        counts["geometrie"] += len(pipeline.store_geometries(con, features, year=year))
    counts["registraties"] = 0
    with store.transaction(con):
        for gemeente_dir in sorted((folder / "registrations").glob("GM*")):
            counts["registraties"] += len(import_sample_workbooks(con, gemeente_dir))
    if build_marts:
        transforms.build(con)
    return counts


if __name__ == "__main__":
    if any(arg in ("-h", "--help") for arg in sys.argv[1:]):
        # not a folder to write into
        print("gebruik: generate_national.py [MAP [AANTAL_GEMEENTEN]]\n\n" + __doc__)
        sys.exit(0)
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("national_data")
    summary = generate(target, int(sys.argv[2]) if len(sys.argv) > 2 else GEMEENTEN)
    print(f"{summary.gemeenten} gemeenten, {summary.wijken} wijken, {summary.buurten} buurten, "
          f"jaren {summary.years[0]}-{summary.years[-1]} in {summary.folder}")
