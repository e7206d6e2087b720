"""Write deterministic sample LRK exports for Voorbeeldstad (sample_data/lrk/*.csv).

Run by generate.py after the geography and postcodes exist (or on its own: python
sample_data/generate_lrk.py). Locations lie on the sample's own postcodes, so each maps to a wijk.
The layout is the register's own export: ';'-separated, cp1252 (as saved on Windows), the real
header (lrk_id;type_oko;actuele_naam_oko;aantal_kindplaatsen;vve;status;...;lrk_url), types KDV,
BSO, VGO (the gastouder's home, with places) and GOB (the gastouderbureau, without places).
"""

from __future__ import annotations

import csv
import json
import random
import sys
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 20252
YEARS = [2022, 2023, 2024]
# The register's export header (issue 14); the houder and contact columns are left empty here,
# and Kindkaart's reader keeps none of them.
COLUMNS = [
    "lrk_id", "type_oko", "actuele_naam_oko", "aantal_kindplaatsen", "vve", "status",
    "inschrijfdatum", "uitschrijfdatum", "opvanglocatie_adres", "opvanglocatie_postcode",
    "opvanglocatie_woonplaats", "verantwoordelijke_gemeente", "naam_houder", "kvk_nummer_houder",
    "rechtsvorm_houder", "houder_adres", "houder_postcode", "houder_woonplaats", "contact_telefoon",
    "contact_emailadres", "contact_website", "lrk_url",
]
ENCODING = "cp1252"
# Locations per wijk profile: (KDV, BSO, VGO = gastouders). Bloemhof (kwetsbaar) and the Buitengebied have few.
LOCATIONS_PER_WIJK = {
    "Centrum": (3, 2, 2), "Oude Haven": (1, 1, 1), "Molenwijk": (2, 2, 2),
    "Nieuwland": (3, 3, 3), "De Horst": (2, 2, 1), "Kerkebuurt": (1, 1, 1),
    "Buitengebied": (0, 1, 2), "Vlietzoom": (2, 1, 2), "Bloemhof": (1, 1, 0),
    "Zuiderpark": (3, 2, 2),
}
NAMES = {
    "KDV": ["Kinderdagverblijf De Boomhut", "Kindcentrum Zonnestraal", "KDV Het Vlindernest",
            "Peuterspeelzaal Ukkepuk", "KDV De Kleine Wereld", "Kindcentrum Café Crème"],
    "BSO": ["BSO De Speelwerf", "BSO Avonturijn", "BSO Het Klimrek", "BSO De Uitvliegers"],
    "VGO": ["Gastouder"],
}
STREETS = ["Dorpsstraat", "Kerkweg", "Molenlaan", "Havenkade", "Schoolstraat", "Parkweg",
           "Vlietlaan", "Bloemstraat", "Zuiderweg", "Horstlaan"]


def postcodes_by_wijk(out: Path) -> dict[str, list[str]]:
    """PC6 codes per wijk code from the sample's CBS postcode-huisnummer file."""
    path = sorted((out / "postcodes").glob("pc6hnr*_gwb.csv"))[-1]
    found: dict[str, set[str]] = {}
    with path.open(encoding="utf-8") as f:
        reader = csv.reader(f, delimiter=";")
        next(reader)
        for pc6, _number, _buurt, wijk, _gemeente in reader:
            found.setdefault("WK" + wijk.zfill(6), set()).add(pc6)
    return {wijk: sorted(codes) for wijk, codes in found.items()}


def wijk_names(out: Path) -> dict[str, str]:
    data = json.loads((out / "geo" / "wijken.geojson").read_text(encoding="utf-8"))
    return {f["properties"]["statcode"]: f["properties"]["statnaam"] for f in data["features"]}


def locations(rng: random.Random, out: Path) -> list[dict]:
    """Every location that ever exists in the sample, with the dates it opened and closed."""
    pcs = postcodes_by_wijk(out)
    result = []
    number = 0
    for wijk_code, name in sorted(wijk_names(out).items()):
        kdv, bso, vgo = LOCATIONS_PER_WIJK.get(name, (1, 1, 1))
        for kind, count in (("KDV", kdv), ("BSO", bso), ("VGO", vgo)):
            for i in range(count):
                number += 1
                if kind == "KDV":
                    places = 16 * rng.randint(2, 5)
                    label = f"{NAMES['KDV'][(number + i) % len(NAMES['KDV'])]} {name}"
                elif kind == "BSO":
                    places = 10 * rng.randint(3, 8)
                    label = f"{NAMES['BSO'][(number + i) % len(NAMES['BSO'])]} {name}"
                else:
                    places = rng.randint(4, 6)
                    label = f"Gastouder {number:03d}"
                opened_year = rng.choice([2010, 2015, 2018, 2021, 2023, 2024])
                opened = date(opened_year, rng.randint(1, 12), 1)
                closed = date(2023, 6, 30) if rng.random() < 0.08 else None
                result.append({
                    "lrk_id": f"{rng.randint(100000000, 999999999)}",
                    "type_oko": kind,
                    "actuele_naam_oko": label,
                    "aantal_kindplaatsen": places,
                    "opvanglocatie_adres": f"{rng.choice(STREETS)} {rng.randint(1, 120)}",
                    "opvanglocatie_postcode": rng.choice(pcs[wijk_code]),
                    "opened": opened,
                    "closed": closed,
                })
    number += 1
    result.append({
        "lrk_id": f"{rng.randint(100000000, 999999999)}", "type_oko": "GOB",
        "actuele_naam_oko": "Gastouderbureau Voorbeeldstad", "aantal_kindplaatsen": "",
        "opvanglocatie_adres": "Dorpsstraat 1", "opvanglocatie_postcode": pcs[min(pcs)][0],
        "opened": date(2012, 1, 1), "closed": None,
    })
    return result


def export_rows(all_locations: list[dict], year: int) -> list[list]:
    """The rows an LRK export of 1 January of `year + 1` shows: locations opened before then,
    closed ones as 'Uitgeschreven'."""
    cutoff = date(year, 12, 31)
    rows = []
    for loc in all_locations:
        if loc["opened"] > cutoff:
            continue
        closed = loc["closed"] if loc["closed"] and loc["closed"] <= cutoff else None
        pc = loc["opvanglocatie_postcode"]
        rows.append([
            loc["lrk_id"], loc["type_oko"], loc["actuele_naam_oko"], loc["aantal_kindplaatsen"],
            "J" if loc["type_oko"] == "KDV" else "N",
            "Uitgeschreven" if closed else "Ingeschreven",
            loc["opened"].strftime("%d-%m-%Y"), closed.strftime("%d-%m-%Y") if closed else "",
            loc["opvanglocatie_adres"], f"{pc[:4]} {pc[4:]}", "Voorbeeldstad", "Voorbeeldstad",
            *[""] * 10,
        ])
    return rows


def main(out: Path = HERE) -> None:
    """Write the exports into out/lrk/, reading out/postcodes/ and out/geo/."""
    rng = random.Random(SEED)
    all_locations = locations(rng, Path(out))
    target = Path(out) / "lrk"
    target.mkdir(parents=True, exist_ok=True)
    for year in YEARS:
        with (target / f"lrk_export_GM9999_{year}.csv").open("w", newline="", encoding=ENCODING) as f:
            writer = csv.writer(f, delimiter=";")
            writer.writerow(COLUMNS)
            writer.writerows(export_rows(all_locations, year))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
