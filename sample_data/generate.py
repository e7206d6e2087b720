"""Regenerate the fictional sample gemeente Voorbeeldstad (GM9999) deterministically.

Run `python sample_data/generate.py` (or `make sample`). Writes, next to this file:
  geo/{gemeente,wijken,buurten}.geojson          WGS84 polygons that tile the gemeente
  cbs/<TABLEID>/*.json                           kerncijfers per year and 03759ned, as cbsodata saves them
  postcodes/pc6hnr<year>_gwb.csv                 CBS postcode-huisnummer file (PC6 -> buurt, wijk)
  population_by_buurt_age.csv                    the register (BRP) truth: children per buurt and age
and then the LRK export (generate_lrk.py) and every partner workbook (generate_registrations.py),
which reads the LRK export.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 20251
GEMEENTE_CODE = "GM9999"
GEMEENTE_NAME = "Voorbeeldstad"
YEARS = [2020, 2021, 2022, 2023, 2024]
KERNCIJFERS_TABLES = {
    2024: "85984NED",
    2023: "85618NED",
    2022: "85318NED",
    2021: "85039NED",
    2020: "84799NED",
}

# The gemeente on a 6 x 7 grid of buurt cells; a letter is the wijk a cell belongs to.
LAYOUT = [
    ".AABBC.",
    "AABBCCC",
    "DDEEFFG",
    "DDEEFFG",
    "HHIIJJG",
    ".HIIJJ.",
]
# letter: (name, profile). Profiles drive population and partner data.
WIJKEN = {
    "A": ("Centrum", "gemengd"),
    "B": ("Oude Haven", "vergrijsd"),
    "C": ("Molenwijk", "gemengd"),
    "D": ("Nieuwland", "nieuwbouw"),
    "E": ("De Horst", "gemengd"),
    "F": ("Kerkebuurt", "vergrijsd"),
    "G": ("Buitengebied", "landelijk"),
    "H": ("Vlietzoom", "gemengd"),
    "I": ("Bloemhof", "kwetsbaar"),
    "J": ("Zuiderpark", "nieuwbouw"),
}
BUURT_SUFFIXES = ["Noord", "Zuid", "Oost", "West", "Midden"]
# Children per single year of age as a share of inhabitants, and inhabitants per buurt.
PROFILE = {
    "nieuwbouw": {"child_share": 0.021, "inhabitants": (1400, 2200), "trend": 1.05},
    "gemengd": {"child_share": 0.011, "inhabitants": (1100, 1800), "trend": 1.00},
    "vergrijsd": {"child_share": 0.006, "inhabitants": (900, 1500), "trend": 0.96},
    "kwetsbaar": {"child_share": 0.015, "inhabitants": (1300, 2000), "trend": 1.01},
    "landelijk": {"child_share": 0.009, "inhabitants": (250, 500), "trend": 0.98},
}
ORIGIN = (5.18, 52.56)  # lon, lat of the north-west corner: open water, no real gemeente
CELL = (0.0125, 0.0085)  # degrees lon, lat: roughly 850 x 950 m


def cells() -> dict[tuple[int, int], str]:
    return {
        (row, col): letter
        for row, line in enumerate(LAYOUT)
        for col, letter in enumerate(line)
        if letter != "."
    }


def jittered_vertices(rng: random.Random) -> dict[tuple[int, int], tuple[float, float]]:
    """Grid vertices shared by neighbouring cells, shifted a little so that shapes look drawn."""
    vertices = {}
    for row in range(len(LAYOUT) + 1):
        for col in range(len(LAYOUT[0]) + 1):
            dx = rng.uniform(-0.28, 0.28) * CELL[0]
            dy = rng.uniform(-0.28, 0.28) * CELL[1]
            vertices[(row, col)] = (
                round(ORIGIN[0] + col * CELL[0] + dx, 5),
                round(ORIGIN[1] - row * CELL[1] + dy, 5),
            )
    return vertices


def cell_edges(row: int, col: int) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    corners = [(row, col), (row, col + 1), (row + 1, col + 1), (row + 1, col)]
    return [(corners[i], corners[(i + 1) % 4]) for i in range(4)]


def outline(members: set[tuple[int, int]]) -> list[tuple[int, int]]:
    """The outer ring (grid vertex ids) of a connected set of cells without holes."""
    edges: dict[tuple[int, int], tuple[int, int]] = {}
    all_edges = [edge for cell in members for edge in cell_edges(*cell)]
    undirected = {}
    for a, b in all_edges:
        key = frozenset((a, b))
        undirected[key] = undirected.get(key, 0) + 1
    for a, b in all_edges:
        if undirected[frozenset((a, b))] == 1:
            edges[a] = b
    start = min(edges)
    ring = [start]
    while True:
        nxt = edges[ring[-1]]
        if nxt == start:
            break
        ring.append(nxt)
    if len(ring) != len(edges):
        raise ValueError("cells do not form one simple region")
    return ring


def polygon(ring_ids: list[tuple[int, int]], vertices) -> dict:
    ring = [vertices[v] for v in ring_ids]
    area = sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True))
    if area < 0:  # RFC 7946: exterior rings counterclockwise
        ring.reverse()
    return {"type": "Polygon", "coordinates": [[list(p) for p in ring + ring[:1]]]}


def feature_collection(features: list[dict]) -> dict:
    return {"type": "FeatureCollection", "features": features}


def build_geography(rng: random.Random):
    grid = cells()
    vertices = jittered_vertices(rng)
    wijk_letters = sorted(WIJKEN)
    wijk_codes = {letter: f"WK9999{i + 1:02d}" for i, letter in enumerate(wijk_letters)}
    buurten = []  # dicts with code, name, wijk_code, cell
    for letter in wijk_letters:
        members = sorted(cell for cell, owner in grid.items() if owner == letter)
        for j, cell in enumerate(members):
            buurten.append({
                "code": f"BU{wijk_codes[letter][2:]}{j + 1:02d}",
                "name": f"{WIJKEN[letter][0]}-{BUURT_SUFFIXES[j]}",
                "wijk_code": wijk_codes[letter],
                "cell": cell,
            })
    wijk_features = [
        {
            "type": "Feature",
            "properties": {"statcode": wijk_codes[letter], "statnaam": WIJKEN[letter][0]},
            "geometry": polygon(
                outline({c for c, owner in grid.items() if owner == letter}), vertices
            ),
        }
        for letter in wijk_letters
    ]
    buurt_features = [
        {
            "type": "Feature",
            "properties": {"statcode": b["code"], "statnaam": b["name"]},
            "geometry": polygon(outline({b["cell"]}), vertices),
        }
        for b in buurten
    ]
    gemeente_feature = {
        "type": "Feature",
        "properties": {"statcode": GEMEENTE_CODE, "statnaam": GEMEENTE_NAME},
        "geometry": polygon(outline(set(grid)), vertices),
    }
    return wijk_codes, buurten, wijk_features, buurt_features, gemeente_feature


def build_population(rng: random.Random, wijk_codes, buurten):
    """Children per buurt, year and single age 0-12, following cohorts from year to year."""
    profile_of = {wijk_codes[letter]: WIJKEN[letter][1] for letter in WIJKEN}
    rows = []
    inhabitants = {}
    for b in buurten:
        profile = PROFILE[profile_of[b["wijk_code"]]]
        size = rng.randint(*profile["inhabitants"])
        inhabitants[b["code"]] = {YEARS[0]: size}
        per_age = size * profile["child_share"]
        cohort = [max(0, round(rng.gauss(per_age, per_age * 0.15))) for _ in range(13)]
        for year in YEARS:
            if year != YEARS[0]:
                births = max(0, round(rng.gauss(cohort[0] * profile["trend"], 1.5)))
                moved = [max(0, c + round(rng.gauss((profile["trend"] - 1) * c, 1.0))) for c in cohort]
                cohort = [births, *moved[:-1]]
                inhabitants[b["code"]][year] = round(
                    inhabitants[b["code"]][year - 1] * (1 + (profile["trend"] - 1) / 2)
                )
            for age, children in enumerate(cohort):
                rows.append((year, b["code"], age, children))
    return rows, inhabitants, profile_of


def random_round5(value: float, rng: random.Random) -> int:
    """CBS-style random rounding to a multiple of 5 (probability inverse to the distance)."""
    low = int(value // 5) * 5
    return low + 5 if rng.random() < (value - low) / 5 else low


def pad(text: str, width: int) -> str:
    return text.ljust(width)


KWB_TOPICS = [
    # (stem, suffix in 2024, datatype, title, unit)
    ("Gemeentenaam", 1, "String", "Gemeentenaam", "naam"),
    ("SoortRegio", 2, "String", "Soort regio", "omschrijving"),
    ("Codering", 3, "String", "Codering", "code"),
    ("AantalInwoners", 5, "Long", "Aantal inwoners", "aantal"),
    ("k_0Tot15Jaar", 8, "Long", "0 tot 15 jaar", "aantal"),
    ("HuishoudensMetKinderen", 32, "Long", "Huishoudens met kinderen", "aantal"),
    ("LeerlingenPo", 70, "Double", "Leerlingen po", "aantal"),
    ("JongerenMetJeugdzorgInNatura", 98, "Long", "Jongeren met jeugdzorg in natura", "aantal"),
    ("PercentageJongerenMetJeugdzorg", 99, "Double", "Percentage jongeren met jeugdzorg", "%"),
    ("AfstandTotKinderdagverblijf", 119, "Double", "Afstand tot kinderdagverblijf", "km"),
    ("AfstandTotSchool", 120, "Double", "Afstand tot school", "km"),
    ("MateVanStedelijkheid", 127, "Long", "Mate van stedelijkheid", "code"),
]


def kerncijfers_properties(year: int) -> tuple[list[dict], dict[str, str]]:
    """DataProperties of the kerncijfers table of `year` and the column key of each topic stem."""
    # Column suffixes drift between years, as in the real tables (e.g. _91 vs _98).
    drift = 2024 - year
    props = [{"odata.type": "Cbs.OData.GeoDetail", "ID": 0, "Position": 0, "ParentID": None,
              "Type": "GeoDetail", "Key": "WijkenEnBuurten", "Title": "Wijken en buurten",
              "Description": "", "MapYear": year}]
    keys = {}
    for i, (stem, suffix, datatype, title, unit) in enumerate(KWB_TOPICS, start=1):
        number = suffix if suffix <= 3 else suffix - drift
        keys[stem] = f"{stem}_{number}"
        props.append({"odata.type": "Cbs.OData.Topic", "ID": i, "Position": i, "ParentID": None,
                      "Type": "Topic", "Key": keys[stem], "Title": title, "Description": None,
                      "Datatype": datatype, "Unit": unit,
                      "Decimals": 1 if datatype == "Double" else 0, "Default": "Impossible",
                      "PresentationType": "Absolute"})
    return props, keys


def kerncijfers_table(year, rng, wijk_codes, buurten, population, inhabitants, profile_of):
    """The kerncijfers table of one year in cbsodata's saved layout."""
    props, keys = kerncijfers_properties(year)
    young = {}
    for y, code, _age, children in population:
        if y == year:
            young[code] = young.get(code, 0) + children
    # Ages 13 and 14 are not in the register extract; add them at the rate of ages 10-12.
    per_buurt_age = {}
    for y, code, age, children in population:
        if y == year and age >= 10:
            per_buurt_age[code] = per_buurt_age.get(code, 0) + children / 3
    young = {code: young[code] + round(2 * per_buurt_age.get(code, 0)) for code in young}

    def values(code, level, name, inhab, k015, wijk_profile):
        vulnerable = wijk_profile == "kwetsbaar"
        rural = wijk_profile == "landelijk"
        jz_pct = rng.uniform(11, 15) if vulnerable else rng.uniform(6, 10)
        record = {
            keys["Gemeentenaam"]: pad(GEMEENTE_NAME, 40),
            keys["SoortRegio"]: pad({"gemeente": "Gemeente", "wijk": "Wijk", "buurt": "Buurt"}[level], 10),
            keys["Codering"]: pad(code, 10),
            keys["AantalInwoners"]: inhab,
            keys["k_0Tot15Jaar"]: k015,
            keys["HuishoudensMetKinderen"]: round(k015 / 1.8) if k015 is not None else None,
            keys["LeerlingenPo"]: round(k015 * 0.55, 0) if k015 is not None else None,
            keys["JongerenMetJeugdzorgInNatura"]: None,
            keys["PercentageJongerenMetJeugdzorg"]: round(jz_pct, 1),
            keys["AfstandTotKinderdagverblijf"]: round(rng.uniform(0.3, 2.5 if rural else 1.0), 1),
            keys["AfstandTotSchool"]: round(rng.uniform(0.4, 3.0 if rural else 1.1), 1),
            keys["MateVanStedelijkheid"]: 5 if rural else 3,
        }
        if k015 is not None and level != "buurt":
            record[keys["JongerenMetJeugdzorgInNatura"]] = random_round5(
                (k015 + 0.3 * k015) * jz_pct / 100, rng)
        return record

    records, dimension = [], []
    total_inhab = sum(inhabitants[b["code"]][year] for b in buurten)
    total_young = sum(young.values())
    entries = [("gemeente", GEMEENTE_CODE, GEMEENTE_NAME, round(total_inhab * 1.004),
                round(total_young * 1.01), "gemengd")]
    for letter, wijk_code in sorted(wijk_codes.items(), key=lambda kv: kv[1]):
        members = [b for b in buurten if b["wijk_code"] == wijk_code]
        inhab = sum(inhabitants[b["code"]][year] for b in members)
        k015 = sum(young[b["code"]] for b in members)
        entries.append(("wijk", wijk_code, WIJKEN[letter][0], random_round5(inhab, rng),
                        random_round5(k015, rng), profile_of[wijk_code]))
        for b in members:
            inhab_b = inhabitants[b["code"]][year]
            # Small buurten are secret, as in the real tables.
            k015_b = random_round5(young[b["code"]], rng) if inhab_b >= 400 else None
            entries.append(("buurt", b["code"], b["name"], random_round5(inhab_b, rng), k015_b,
                            profile_of[wijk_code]))
    for i, (level, code, name, inhab, k015, wijk_profile) in enumerate(entries):
        record = {"ID": i, "WijkenEnBuurten": pad(code, 10)}
        record.update(values(code, level, name, inhab, k015, wijk_profile))
        records.append(record)
        dimension.append({"Key": pad(code, 10), "Title": name, "Description": None,
                          "DetailRegionCode": code})
    infos = [{"ID": 0, "Title": f"Kerncijfers wijken en buurten {year}",
              "ShortTitle": f"Kerncijfers wijken en buurten {year}",
              "Identifier": KERNCIJFERS_TABLES[year], "Period": str(year),
              "Modified": f"{year + 1}-03-27T02:00:00", "Language": "nl", "Catalog": "CBS",
              "Summary": "Voorbeeldgegevens van de fictieve gemeente Voorbeeldstad in CBS-opmaak"}]
    return {"TableInfos": infos, "DataProperties": props, "TypedDataSet": records,
            "WijkenEnBuurten": dimension}


AGE_KEYS = {age: f"{10010 + 100 * age}" if age else "10010" for age in range(0, 13)}


def population_by_age_table(population):
    """03759ned (Bevolking; geslacht, leeftijd en regio) for the sample gemeente, totals only."""
    props = [
        {"Type": "Dimension", "Key": "Geslacht", "Title": "Geslacht", "ID": 1},
        {"Type": "Dimension", "Key": "Leeftijd", "Title": "Leeftijd", "ID": 2},
        {"Type": "Dimension", "Key": "BurgerlijkeStaat", "Title": "Burgerlijke staat", "ID": 3},
        {"Type": "GeoDimension", "Key": "RegioS", "Title": "Regio's", "ID": 4},
        {"Type": "TimeDimension", "Key": "Perioden", "Title": "Perioden", "ID": 5},
        {"Type": "Topic", "Key": "BevolkingOp1Januari_1", "Title": "Bevolking op 1 januari",
         "Datatype": "Long", "Unit": "aantal", "Decimals": 0, "ID": 6},
        {"Type": "Topic", "Key": "GemiddeldeBevolking_2", "Title": "Gemiddelde bevolking",
         "Datatype": "Double", "Unit": "aantal", "Decimals": 1, "ID": 7},
    ]
    totals = {}
    for year, _code, age, children in population:
        totals[(year, age)] = totals.get((year, age), 0) + children
    records = []
    for i, ((year, age), count) in enumerate(sorted(totals.items())):
        # Children registered in the gemeente without a known address are not in any buurt.
        records.append({"ID": i, "Geslacht": "T001038", "Leeftijd": AGE_KEYS[age],
                        "BurgerlijkeStaat": "T001019", "RegioS": pad(GEMEENTE_CODE, 6),
                        "Perioden": f"{year}JJ00", "BevolkingOp1Januari_1": round(count * 1.01),
                        "GemiddeldeBevolking_2": round(count * 1.01, 1)})
    return {
        "TableInfos": [{"ID": 0, "Title": "Bevolking; geslacht, leeftijd en regio",
                        "Identifier": "03759ned", "Period": f"{YEARS[0]}-{YEARS[-1]}",
                        "Modified": f"{YEARS[-1] + 1}-06-30T02:00:00", "Language": "nl"}],
        "DataProperties": props,
        "TypedDataSet": records,
        "Geslacht": [{"Key": "T001038", "Title": "Totaal mannen en vrouwen"},
                     {"Key": "3000", "Title": "Mannen"}, {"Key": "4000", "Title": "Vrouwen"}],
        "Leeftijd": [{"Key": "10000", "Title": "Totaal"}]
        + [{"Key": key, "Title": f"{age} jaar"} for age, key in AGE_KEYS.items()],
        "BurgerlijkeStaat": [{"Key": "T001019", "Title": "Totaal burgerlijke staat"}],
        "RegioS": [{"Key": pad(GEMEENTE_CODE, 6), "Title": f"{GEMEENTE_NAME} (fictief)"}],
        "Perioden": [{"Key": f"{y}JJ00", "Title": str(y)} for y in YEARS],
    }


def postcode_rows(rng: random.Random, wijk_codes, buurten):
    """PC6 per buurt in the CBS postcode-huisnummer layout (codes without GM/WK/BU)."""
    rows = []
    wijk_pc4 = {code: f"99{i + 1:02d}" for i, code in enumerate(sorted(wijk_codes.values()))}
    letters = [a + b for a in "ABCDEGHJKLMNPRSTVWXZ" for b in "ABCDEGHJKLMNPRSTVWXZ"]
    used = {}
    for b in buurten:
        pc4 = wijk_pc4[b["wijk_code"]]
        for _ in range(rng.randint(3, 6)):
            index = used.get(pc4, 0)
            used[pc4] = index + 1
            pc6 = pc4 + letters[index * 7 % len(letters)]
            for number in range(1, rng.randint(4, 9) * 2, 2):
                rows.append((pc6, number, b["code"][2:], b["wijk_code"][2:], GEMEENTE_CODE[2:]))
    return rows


def write_json(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n",
                    encoding="utf-8")


def run_generator(module_name: str, out: Path) -> None:
    """Run sample_data/<module_name>.py's main(out): it reads what this script wrote."""
    path = HERE / f"{module_name}.py"
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(out)


def main(out: Path = HERE) -> None:
    """Write the whole sample gemeente into `out` (default: this folder)."""
    out = Path(out)
    rng = random.Random(SEED)
    wijk_codes, buurten, wijk_features, buurt_features, gemeente_feature = build_geography(rng)
    write_json(out / "geo" / "wijken.geojson", feature_collection(wijk_features))
    write_json(out / "geo" / "buurten.geojson", feature_collection(buurt_features))
    write_json(out / "geo" / "gemeente.geojson", feature_collection([gemeente_feature]))

    population, inhabitants, profile_of = build_population(rng, wijk_codes, buurten)
    with (out / "population_by_buurt_age.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["year", "buurt_code", "age", "children"])
        writer.writerows(population)

    for year in YEARS:
        table = kerncijfers_table(year, rng, wijk_codes, buurten, population, inhabitants,
                                  profile_of)
        for name, content in table.items():
            write_json(out / "cbs" / KERNCIJFERS_TABLES[year] / f"{name}.json", content)
    for name, content in population_by_age_table(population).items():
        write_json(out / "cbs" / "03759ned" / f"{name}.json", content)

    postcode_file = out / "postcodes" / f"pc6hnr{YEARS[-1]}0801_gwb.csv"
    postcode_file.parent.mkdir(parents=True, exist_ok=True)
    with postcode_file.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, delimiter=";")
        year = YEARS[-1]
        writer.writerow(["PC6", "Huisnummer", f"Buurt{year}", f"Wijk{year}", f"Gemeente{year}"])
        writer.writerows(postcode_rows(rng, wijk_codes, buurten))

    sys.path.insert(0, str(HERE.parent))
    run_generator("generate_lrk", out)
    run_generator("generate_registrations", out)
    print(f"Voorbeeldgemeente {GEMEENTE_NAME} ({GEMEENTE_CODE}) geschreven in {out}: "
          f"{len(wijk_features)} wijken, {len(buurt_features)} buurten, {len(YEARS)} jaren.")



if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
