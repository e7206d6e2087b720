"""Reader benchmark: a national LRK export and the check of the bundled wijk boundaries for
rings that cross themselves, each against only reading its file. These used to be timed inside
tests; speed is measured here, the tests check what the readers find."""

from __future__ import annotations

import gzip
import json

LRK_ROWS = 100_000
LRK_HEADER = ["lrk_id", "type_oko", "actuele_naam_oko", "aantal_kindplaatsen", "status",
              "inschrijfdatum", "uitschrijfdatum", "opvanglocatie_postcode",
              "verantwoordelijke_gemeente"]


def national_lrk_export(path, rows: int = LRK_ROWS) -> dict:
    """A national export as the register writes it (cp1252, ';', CRLF): a third deregistered,
    gastouderbureaus without places, gastouder homes partly without an address. Returns what a
    correct reading counts ('registered' locations and their 'places')."""
    types = ["KDV", "BSO", "VGO", "GOB", "PSZ"]
    lines = [";".join(LRK_HEADER)]
    expected = {"registered": 0, "places": 0}
    for i in range(rows):
        kind = types[i % 5]
        registered = i % 3 != 0
        places = "" if kind == "GOB" else str(4 + i % 90)
        postcode = "" if kind == "VGO" and i % 7 == 0 else ("1234 AB", "1234AC", "9999ZZ")[i % 3]
        lines.append(";".join([
            f"{100_000_000_000 + i}", kind, f'"Kinderopvang Café {i}; locatie {i % 13}"', places,
            "Ingeschreven" if registered else "Uitgeschreven", f"{1 + i % 28:02d}-{1 + i % 12:02d}-2015",
            "" if registered else "01-02-2020", postcode, "Oord"]))
        if registered:
            expected["registered"] += 1
            expected["places"] += int(places or 0)
    path.write_bytes("\r\n".join(lines).encode("cp1252") + b"\r\n")
    return expected


def measure(ctx, Row, median_seconds) -> list:  # noqa: N803  (Row is a class)
    """Median of reading the national LRK export (read_lrk_export: every row checked) against
    pandas reading the same file as text, and of checking the 3,393 bundled wijken of 2024 for
    self-crossing rings against unpacking and parsing their GeoJSON."""
    import pandas as pd

    from data_sources import lrk
    from data_sources.geo import crossing_codes
    from data_sources.offline_boundaries import BOUNDARIES_DIR

    path = ctx.work_dir / "export_opendata_lrk_2024.csv"
    national_lrk_export(path)
    seconds = median_seconds(lambda: lrk.read_lrk_export(path, 2024), ctx.repeats)
    floor = median_seconds(lambda: pd.read_csv(path, sep=";", dtype=str, encoding="cp1252"),
                           ctx.repeats)
    rows = [Row("Lezen", f"LRK-export, heel Nederland ({LRK_ROWS:,} locaties)".replace(",0", ".0"),
                seconds, "s", floor, "het bestand als tekst lezen (pandas)", "< 1,2 s", seconds < 1.2)]

    boundaries = BOUNDARIES_DIR / "wijk_2024.geojson.gz"

    def features() -> list:
        with gzip.open(boundaries, "rt", encoding="utf-8") as handle:
            return json.load(handle)["features"]

    wijken = features()
    seconds = median_seconds(lambda: crossing_codes(wijken), ctx.repeats)
    floor = median_seconds(features, ctx.repeats)
    rows.append(Row("Lezen", f"wijkgrenzen 2024 controleren op zichzelf kruisende ringen "
                             f"({len(wijken):,} wijken)".replace(",", "."),
                    seconds, "s", floor, "de GeoJSON uitpakken en lezen", "< 2 s", seconds < 2))
    return rows
