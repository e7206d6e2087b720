"""LRK exports as a gemeente analyst downloads or copies them, beyond the register's own layout:
headers written out in Dutch, registrations ended after the export's year. Each file is built
here as it would arrive."""

from __future__ import annotations

import pytest

from data_sources import lrk


@pytest.mark.parametrize(("name", "address", "postcode", "woonplaats"), [
    ("Naam opvanglocatie", "Adres opvanglocatie", "Postcode opvanglocatie", "Woonplaats opvanglocatie"),
    ("opvanglocatie_naam", "adres_opvanglocatie", "postcode_opvanglocatie", "plaats_opvanglocatie"),
    ("Opvanglocatie", "Opvanglocatie adres", "Opvanglocatie postcode", "Opvanglocatie plaats")])
@pytest.mark.parametrize("form", ["csv", "xlsx"])
def test_the_locations_columns_with_opvanglocatie_before_or_after_are_read(
        postcode_con, tmp_path, name, address, postcode, woonplaats, form):
    """A copy with its headers written out in Dutch names the location's columns 'Postcode
    opvanglocatie' as well as 'Opvanglocatie postcode': the first was refused ('de kolom(men)
    opvanglocatie_postcode ontbreken'), and a name or address so spelled was not stored. The
    houder's columns beside them are not read in their place."""
    import csv

    from openpyxl import Workbook

    header = ["Registratienummer", "Type opvang", name, "Aantal kindplaatsen", address, postcode,
              woonplaats, "Naam houder", "Postcode houder", "Woonplaats houder", "Status",
              "Datum inschrijving", "Datum uitschrijving"]
    rows = [["100000000001", "Kinderdagverblijf", "De Boomhut", "48", "Dorpsstraat 12", "1234 AB",
             "Oord", "Stichting Kinderopvang Oord", "9999 ZZ", "Elders", "Ingeschreven", "01-01-2015", ""],
            ["100000000002", "Buitenschoolse opvang", "Het Klimrek", "60", "Schoolweg 1", "1234 AC",
             "Oord", "Stichting Kinderopvang Oord", "9999 ZZ", "Elders", "Ingeschreven", "01-01-2019", ""]]
    path = tmp_path / f"lrk_2024.{form}"
    if form == "csv":
        with path.open("w", encoding="cp1252", newline="") as file:
            csv.writer(file, delimiter=";", lineterminator="\r\n").writerows([header, *rows])
    else:
        book = Workbook()
        for row in [header, *rows]:
            book.active.append(row)
        book.save(path)
    result = lrk.import_lrk_file(postcode_con, path)
    assert (result.locations, result.places, result.unmapped_postcodes) == (2, 108, [])
    assert postcode_con.execute(
        "select location_name, street_address, postcode, woonplaats, wijk_code from raw_lrk__locations"
        " order by lrk_id").fetchall() == [
        ("De Boomhut", "Dorpsstraat 12", "1234AB", "Oord", "WK000101"),
        ("Het Klimrek", "Schoolweg 1", "1234AC", "Oord", "WK000102")]
