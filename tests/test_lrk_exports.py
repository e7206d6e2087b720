"""LRK exports as the register and Excel really write them: formatting far below the table, a
'sep=' line, a national export of 100,000 rows. Each file is written here as it would arrive."""

from __future__ import annotations

import pandas as pd
import pytest

from data_sources import lrk, store

HEADER = ["lrk_id", "type_oko", "actuele_naam_oko", "aantal_kindplaatsen", "status",
          "inschrijfdatum", "uitschrijfdatum", "opvanglocatie_postcode",
          "verantwoordelijke_gemeente"]


@pytest.fixture
def postcode_con(con):
    load_id = store.new_load(con, source="cbs", dataset="postcodes", year=2024)
    frame = pd.DataFrame({
        "year": 2024, "pc6": ["1234AB", "1234AC"], "buurt_code": ["BU00010101", "BU00010201"],
        "wijk_code": ["WK000101", "WK000102"], "gemeente_code": "GM0001", "load_id": load_id,
    })
    con.register("_pc", frame)
    con.execute("insert into postcodes select year, pc6, buurt_code, wijk_code, gemeente_code,"
                " load_id from _pc")
    con.unregister("_pc")
    return con


def test_an_export_saved_from_excel_with_formatting_down_to_the_last_row_loads(postcode_con, tmp_path):
    """A border or date format applied down to row 1,048,576 makes Excel write empty cells with a
    style there, and a dimension to match: refused as 'loopt tot rij 1048576', though the rows
    hold nothing and calamine reads none of them."""
    import xlsxwriter

    path = tmp_path / "lrk_2024.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("export_opendata_lrk")
    date = book.add_format({"num_format": "dd-mm-yyyy"})
    sheet.write_row(0, 0, HEADER)
    sheet.write_row(1, 0, ["111", "KDV", "De Boomhut", 48, "Ingeschreven", "01-01-2015", "",
                           "1234 AB", "Oord"])
    sheet.write_row(2, 0, ["222", "BSO", "Het Klimrek", 60, "Ingeschreven", "01-01-2019", "",
                           "1234AC", "Oord"])
    for row in (3, 1000, 300_000, 1_048_575):
        sheet.write_blank(row, 6, None, date)
    book.close()
    result = lrk.import_lrk_file(postcode_con, path)
    assert (result.locations, result.places) == (2, 108)


def _national_export(path, rows: int = 100_000) -> dict:
    """A national export as the register writes it (cp1252, ';', CRLF): a third deregistered,
    gastouderbureaus without places, gastouder homes partly without an address. Returns what a
    correct reading counts."""
    types = ["KDV", "BSO", "VGO", "GOB", "PSZ"]
    lines = [";".join(HEADER)]
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


def test_a_national_export_of_100000_rows_is_read_in_well_under_a_second(postcode_con, tmp_path):
    """Reading stepped through arrow-backed columns row by row and parsed every date anew: 1.5 s
    of CPU for the reading alone (before mapping and storing). Measured in CPU time, so that other
    work on the machine does not count."""
    import time

    path = tmp_path / "export_opendata_lrk_2024.csv"
    expected = _national_export(path)
    started = time.process_time()
    frame = lrk.read_lrk_export(path, 2024)
    spent = time.process_time() - started
    assert len(frame) == 100_000
    assert frame["location_name"].iloc[1] == "Kinderopvang Café 1; locatie 1"
    assert spent < 1.2, f"{spent:.2f} s"
    result = lrk.store_lrk(postcode_con, frame, year=2024, file_name=path.name)
    assert (result.locations, result.places, result.deregistered) == (
        expected["registered"], expected["places"], 100_000 - expected["registered"])
