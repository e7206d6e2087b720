"""Write one filled partner workbook per registration type for Voorbeeldstad, deterministically.

Run by generate.py as main(out_dir), after it wrote population_by_buurt_age.csv, geo/,
postcodes/ and lrk/ (row 3's places stay within the places the LRK registers in a wijk). The
workbooks are the real templates (data_sources.registrations.template), filled in the way partners
deliver them: wijk names, codes, postcodes, and one row per child where a partner keeps records
per child. Numbers follow the sample population of 2024; Bloemhof (WK999909, deprived) has more
vve-indicaties, jeugdhulp and extra support.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
import re
import sys
import zipfile
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import openpyxl  # noqa: E402
from openpyxl.styles import Protection  # noqa: E402

from data_sources import store  # noqa: E402
from data_sources.registrations.template import write_template  # noqa: E402

SEED = 20254
YEAR = 2024
DEPRIVED = {"WK999909"}
FIXED_TIME = (2025, 1, 1, 0, 0, 0)

# type key -> (organisation, period, definition)
DELIVERIES = {
    "bevolking": ("Gemeente Voorbeeldstad", "2024", "BRP-uittreksel, peildatum 1 januari 2024"),
    "extra-ondersteuning": ("Kinderopvang Zonnestraal", "2024",
                            "Kinderen met een ondersteuningsplan in de groep"),
    "kinderopvang-bezetting": ("Kinderopvang Zonnestraal", "2024",
                               "Geplaatste kinderen op 1 oktober 2024"),
    "vve-indicaties": ("GGD Voorbeeldregio (JGZ)", "2024",
                       "Doelgroepdefinitie vve van de gemeente Voorbeeldstad (2023)"),
    "speciaal-onderwijs": ("Samenwerkingsverband PO Voorbeeldregio", "schooljaar 2024-2025",
                           "Leerlingen op 1 oktober 2024 naar woonwijk"),
    "wachtlijst-so": ("Samenwerkingsverband PO Voorbeeldregio", "schooljaar 2024-2025",
                      "Aangemelde leerlingen zonder plek op de peildatum"),
    "ondersteuningstrajecten": ("Zorggroep De Linde", "2024",
                                "Trajecten gestart of lopend in 2024"),
    "jeugdhulp": ("Gemeente Voorbeeldstad", "2024",
                  "Kinderen met een jeugdhulpbeschikking in 2024"),
    "wachtlijst-zorg": ("Zorggroep De Linde", "2024", "Wachtenden op 31 december 2024"),
    "groepsgrootte": ("Kinderopvang Zonnestraal", "2024", "Groepen op 1 oktober 2024"),
}
PEILDATUM = {"wachtlijst-so": "01-10-2024", "wachtlijst-zorg": "31-12-2024"}
# Row 3: children per place (a kindplaats is a simultaneous slot; children come part time), drawn
# per wijk from a range per care type. A Kindkaart assumption, see README.md.
CHILDREN_PER_PLACE = {"dagopvang": (1.4, 1.8), "peuteropvang": (1.6, 2.0), "bso": (1.6, 2.2)}
# Row 10: children placed in a group per place, per kind of group and age group (a group's places
# are simultaneous, its children come part time). Regular groups as row 3; a peuterplusgroep
# with three dagdelen a week (001:L407) about 1,5-1,7; KDC/MKD mostly several days a week, the
# range of the parameter children_per_place_kdc_mkd (1-1,5). Kindkaart assumptions.
GROUP_CHILDREN_PER_PLACE = {("regulier", "0-2"): (1.4, 1.8), ("regulier", "2-4"): (1.4, 1.8),
                            ("regulier", "4-12"): (1.6, 2.2), ("plusgroep", "2-4"): (1.5, 1.7),
                            ("kdc", "2-4"): (1.0, 1.4), ("mkd", "2-4"): (1.0, 1.4)}
LRK_TYPE = {"dagopvang": "KDV", "peuteropvang": "KDV", "bso": "BSO"}


def read_inputs(out: Path):
    """Wijk names, children per wijk and age (2024), children per buurt and age, PC6s per wijk."""
    wijken = {
        f["properties"]["statcode"]: f["properties"]["statnaam"]
        for f in json.loads((out / "geo" / "wijken.geojson").read_text("utf-8"))["features"]
    }
    buurten = [f["properties"]["statcode"] for f in json.loads(
        (out / "geo" / "buurten.geojson").read_text("utf-8"))["features"]]
    by_buurt: dict[tuple[str, int], int] = {}
    with (out / "population_by_buurt_age.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if int(row["year"]) == YEAR:
                by_buurt[(row["buurt_code"], int(row["age"]))] = int(row["children"])
    by_wijk: dict[tuple[str, int], int] = defaultdict(int)
    for (buurt, age), n in by_buurt.items():
        by_wijk[("WK" + buurt[2:8], age)] += n
    pc6: dict[str, list[str]] = defaultdict(list)
    for path in sorted((out / "postcodes").glob("*.csv")):
        with path.open(encoding="utf-8") as f:
            for row in csv.reader(f, delimiter=";"):
                if row and row[0] != "PC6":
                    code = "WK" + row[3].zfill(6)
                    postcode = f"{row[0][:4]} {row[0][4:]}"
                    if postcode not in pc6[code]:
                        pc6[code].append(postcode)
    return wijken, sorted(buurten), by_buurt, by_wijk, pc6


def registered_places(out: Path, pc6) -> dict[tuple[str, str], int]:
    """Places per wijk and LRK type (KDV, BSO) registered in the sample's LRK export of YEAR."""
    wijk_of = {postcode: wijk for wijk, postcodes in pc6.items() for postcode in postcodes}
    places: dict[tuple[str, str], int] = defaultdict(int)
    with (out / "lrk" / f"lrk_export_GM9999_{YEAR}.csv").open(encoding="cp1252") as f:
        for row in csv.DictReader(f, delimiter=";"):
            if row["status"] == "Ingeschreven" and row["aantal_kindplaatsen"]:
                wijk = wijk_of[row["opvanglocatie_postcode"]]
                places[(wijk, row["type_oko"])] += int(row["aantal_kindplaatsen"])
    return places


def occupancy(wanted, registered, wijk: str):
    """Row 3 of one wijk: (care type, age group, children, places). Places are children ÷
    children per place, but the organisation's places of a type never exceed the places the LRK
    registers in the wijk: where they would, its locations are full (places scaled down to the
    register, children = places × children per place), and without registered places it has no
    location there. Without a register (None) places are not capped."""
    places = {(care, group): round(n / per_place) for care, group, n, per_place in wanted}
    full = set()
    for lrk_type in ("KDV", "BSO"):
        keys = [(care, group) for care, group, _n, _p in wanted if LRK_TYPE[care] == lrk_type]
        total = sum(places[key] for key in keys)
        limit = total if registered is None else registered.get((wijk, lrk_type), 0)
        if total > limit:
            # the register's places shared in proportion, whole places (largest remainders)
            full.update(keys)
            shares = {key: places[key] * limit / total for key in keys}
            for key in keys:
                places[key] = int(shares[key])
            leftover = limit - sum(places[key] for key in keys)
            for key in sorted(keys, key=lambda k: places[k] - shares[k])[:leftover]:
                places[key] += 1
    return [
        (care, group, round(places[(care, group)] * per_place) if (care, group) in full else n,
         places[(care, group)])
        for care, group, n, per_place in wanted if places[(care, group)]
    ]


def children(by_wijk, wijk: str, ages: range) -> int:
    return sum(by_wijk.get((wijk, a), 0) for a in ages)


def template_store(wijken: dict[str, str]):
    """An in-memory store with the sample wijken, so templates carry the wijk dropdown."""
    con = store.connect(":memory:")
    con.execute("insert into regions values (?, 'GM9999', 'gemeente', 'Voorbeeldstad', 'GM9999',"
                " null, 0)", [YEAR])
    for code, name in wijken.items():
        con.execute("insert into regions values (?, ?, 'wijk', ?, 'GM9999', ?, 0)",
                    [YEAR, code, name, code])
    return con


def rows_for(soort, rng, wijken, buurten, by_buurt, by_wijk, pc6, registered=None):
    """The data rows of one workbook, in template column order. `registered`: LRK places per
    (wijk, type) that row 3 stays within; None where there is no LRK export (the benchmark's
    synthetic country)."""
    rows = []
    factor = {w: (2.0 if w in DEPRIVED else 1.0) for w in wijken}
    if soort == "bevolking":
        for buurt in buurten:
            for age in range(13):
                rows.append([buurt, age, by_buurt.get((buurt, age), 0)])
    elif soort == "vve-indicaties":
        for wijk, name in wijken.items():
            toddlers = children(by_wijk, wijk, range(2, 4))
            rate = rng.uniform(0.10, 0.14) * factor[wijk]  # 10-25 %, higher in Bloemhof
            total = round(toddlers * min(rate, 0.25))
            shares = {"taal/spraak": 0.45, "SES": 0.35, "sociaal-emotioneel": 0.20}
            for criterion, share in shares.items():
                rows.append([name, "2-4", criterion, round(total * share)])
    elif soort == "extra-ondersteuning":
        # one row per child, by postcode: the partner keeps records per child
        needs = ["gedrag", "taal/spraak", "sociaal-emotioneel", "ontwikkeling",
                 "lichamelijk/medisch"]
        for wijk in wijken:
            for group, ages, attendance in (("0-2", range(0, 2), 0.5), ("2-4", range(2, 4), 0.6)):
                n = round(children(by_wijk, wijk, ages) * attendance * 0.07 * factor[wijk])
                for _ in range(n):
                    rows.append([rng.choice(pc6[wijk]), "Zonnestraal " + wijken[wijk],
                                 group, rng.choice(needs), rng.choice(["2", "2", "3", None]),
                                 None])
    elif soort == "kinderopvang-bezetting":
        for wijk, name in wijken.items():
            wanted = []  # (care type, age group, children, children per place)
            for care, group, ages, share in (
                ("dagopvang", "0-2", range(0, 2), 0.5), ("dagopvang", "2-4", range(2, 4), 0.35),
                ("peuteropvang", "2-4", range(2, 4), 0.25), ("bso", "4-12", range(4, 12), 0.25),
            ):
                wanted.append((care, group, round(children(by_wijk, wijk, ages) * share),
                               rng.uniform(*CHILDREN_PER_PLACE[care])))
            for care, group, n, places in occupancy(wanted, registered, wijk):
                rows.append([wijk, f"Zonnestraal {name}", care, group, n, places])
    elif soort == "speciaal-onderwijs":
        clusters = {"sbo": 0.45, "4": 0.25, "3": 0.15, "2": 0.12, "1": 0.03}
        reasons = {"sbo": "leren", "4": "gedrag", "3": "verstandelijk", "2": "taal/spraak",
                   "1": "zintuiglijk"}
        schools = {"sbo": "SBO De Brug", "4": "SO De Wissel", "3": "SO De Wissel",
                   "2": "SO Auris Voorbeeldregio", "1": "SO Visio (regio)"}
        for wijk, name in wijken.items():
            pupils = children(by_wijk, wijk, range(4, 12)) * 0.025 * factor[wijk] ** 0.5
            for cluster, share in clusters.items():
                n = round(pupils * share)
                if n:
                    school_type, number = ("sbo", None) if cluster == "sbo" else ("so", cluster)
                    rows.append([name, schools[cluster], school_type, number, reasons[cluster],
                                 "ingeschreven", "4-12", n, round(n * 0.4)])
            if rng.random() < 0.5 or wijk in DEPRIVED:
                rows.append([name, None, "so", "4", "gedrag", "thuiszitter", "4-12",
                             rng.randint(1, 3), None])
    elif soort == "wachtlijst-so":
        # one row per waiting child with its registration date
        peildatum = dt.date(2024, 10, 1)
        for wijk in wijken:
            for _ in range(rng.randint(0, 2) + (3 if wijk in DEPRIVED else 0)):
                cluster = rng.choice(["4", "4", "3", "sbo"])
                registered = peildatum - dt.timedelta(days=rng.randint(14, 180))
                school_type, number = ("sbo", None) if cluster == "sbo" else ("so", cluster)
                rows.append([rng.choice(pc6[wijk]), None, school_type, number,
                             {"4": "gedrag", "3": "verstandelijk", "sbo": "leren"}[cluster],
                             None, None, registered.strftime("%d-%m-%Y")])
    elif soort == "ondersteuningstrajecten":
        kinds = ["ondersteuning in de groep", "ambulante begeleiding", "logopedie",
                 "coaching pm'ers"]
        for wijk, name in wijken.items():
            base = children(by_wijk, wijk, range(0, 4)) * 0.03 * factor[wijk]
            for kind in kinds:
                n = round(base * rng.uniform(0.15, 0.35))
                if n:
                    rows.append([name, "Zorggroep De Linde", kind, "2-4", n,
                                 n + rng.randint(0, 2), round(n * rng.uniform(20, 40), 1)])
    elif soort == "jeugdhulp":
        kinds = {"ambulant": 0.6, "dagbehandeling": 0.15, "pleegzorg": 0.1, "verblijf": 0.05,
                 "jeugdbescherming": 0.1}
        for wijk in wijken:
            for group, ages, rate in (("0-2", range(0, 2), 0.02), ("2-4", range(2, 4), 0.035),
                                      ("4-12", range(4, 12), 0.08)):
                total = children(by_wijk, wijk, ages) * rate * factor[wijk] ** 0.8
                for kind, share in kinds.items():
                    n = round(total * share)
                    if n:
                        rows.append([wijk, "Jeugdhulp Voorbeeldregio", kind, group, n])
    elif soort == "wachtlijst-zorg":
        for wijk, name in wijken.items():
            for kind in ("ondersteuning in de opvang", "behandeling", "kdc/mkd"):
                n = round(children(by_wijk, wijk, range(0, 4)) * 0.006 * factor[wijk]
                          * rng.uniform(0.5, 1.5))
                if n:
                    rows.append([name, "Zorggroep De Linde", kind, "2-4", n,
                                 round(rng.uniform(4, 16) * factor[wijk] ** 0.5, 1), None])
    elif soort == "groepsgrootte":
        special = {"WK999909": ("plusgroep", 10), "WK999901": ("plusgroep", 10),
                   "WK999905": ("kdc", 8), "WK999904": ("mkd", 8)}
        for wijk, name in wijken.items():
            locations = 1 if children(by_wijk, wijk, range(0, 4)) < 100 else 2
            for i in range(locations):
                location = f"Zonnestraal {name}" + (f" {i + 1}" if locations > 1 else "")
                postcode = pc6[wijk][i % len(pc6[wijk])]
                for g, (kind, group, places, staff) in enumerate(
                        [("regulier", "0-2", 12, 3), ("regulier", "2-4", 16, 2),
                         ("regulier", "4-12", 20, 2)], start=1):
                    placed = round(places * rng.uniform(*GROUP_CHILDREN_PER_PLACE[(kind, group)]))
                    rows.append([location, postcode, f"groep {g}", kind, group, places, placed,
                                 staff])
                if i == 0 and wijk in special:
                    kind, places = special[wijk]
                    placed = round(places * rng.uniform(*GROUP_CHILDREN_PER_PLACE[(kind, "2-4")]))
                    rows.append([location, postcode, f"{kind} 1", kind, "2-4", places, placed, 2])
    return rows


def deterministic_zip(data: bytes) -> bytes:
    """The same workbook with fixed timestamps, so that regenerating gives the same bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", b"2025-01-01T00:00:00Z",
                                 content)
            fixed = zipfile.ZipInfo(info.filename, FIXED_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, content)
    return out.getvalue()


def fill_workbook(template: bytes, rows: list[list], meta: dict[str, str]) -> bytes:
    """Fill the data sheet and the organisation sheet of a template."""
    workbook = openpyxl.load_workbook(io.BytesIO(template))
    data = workbook["Gegevens"]
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            cell = data.cell(row=r, column=c, value=value)
            # as typed in Excel: the cell takes its column's style (unlocked, text format)
            column = data.column_dimensions[cell.column_letter]
            cell.protection = Protection(locked=False)
            cell.number_format = column.number_format
    sheet = workbook["Organisatie"]
    for r in range(2, sheet.max_row + 1):
        key = sheet.cell(row=r, column=1).value
        if key in meta:
            sheet.cell(row=r, column=2, value=meta[key])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return deterministic_zip(buffer.getvalue())


def main(out: Path = HERE) -> None:
    """Write sample_data/registrations/<type>.xlsx for every registration type."""
    out = Path(out)
    wijken, buurten, by_buurt, by_wijk, pc6 = read_inputs(out)
    registered = registered_places(out, pc6)
    con = template_store(wijken)
    target = out / "registrations"
    target.mkdir(parents=True, exist_ok=True)
    rng = random.Random(SEED)
    for soort, (organisation, period, definition) in DELIVERIES.items():
        buffer = io.BytesIO()
        write_template(soort, buffer, con)
        rows = rows_for(soort, rng, wijken, buurten, by_buurt, by_wijk, pc6, registered)
        meta = {"organisatie": organisation, "periode": period, "gemeente": "Voorbeeldstad",
                "definitie": definition}
        if soort in PEILDATUM:
            meta["peildatum"] = PEILDATUM[soort]
        (target / f"{soort}.xlsx").write_bytes(fill_workbook(buffer.getvalue(), rows, meta))
    con.close()
    print(f"{len(DELIVERIES)} partnerbestanden geschreven in {target}.")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
