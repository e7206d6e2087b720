"""LRK exports as a gemeente analyst downloads or copies them, beyond the register's own layout:
headers written out in Dutch, registrations ended after the export's year. Each file is built
here as it would arrive."""

from __future__ import annotations

import pytest

from data_sources import lrk
from data_sources.errors import InputRefused, severity


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


# The register's export per gemeente with its uitgeschreven locations, as sample_data/lrk/ has it.
LRKP_HEADER = ("lrk_id;type_oko;actuele_naam_oko;aantal_kindplaatsen;vve;status;inschrijfdatum;"
               "uitschrijfdatum;opvanglocatie_adres;opvanglocatie_postcode;opvanglocatie_woonplaats;"
               "verantwoordelijke_gemeente;naam_houder;kvk_nummer_houder;rechtsvorm_houder;houder_adres;"
               "houder_postcode;houder_woonplaats;contact_telefoon;contact_emailadres;contact_website;lrk_url")


@pytest.mark.parametrize(("year", "counted", "places"), [(2024, ["111", "222"], 80), (2025, ["111"], 48)])
def test_a_location_uitgeschreven_after_the_exports_year_counts_in_it(postcode_con, tmp_path, year,
                                                                      counted, places):
    """An export downloaded in March 2025 and read for 2024 has 'Uitgeschreven' with
    uitschrijfdatum 15-02-2025 on a location that was registered all of 2024: it did not count in
    2024 (its status alone decided), though an inschrijfdatum after the year is read by its date.
    Now the date decides where there is one, in the message and the figures alike; 'Uitgeschreven'
    in 2024, or without a date, still does not count."""
    from transforms import build

    rows = ["111;KDV;De Boomhut;48;J;Ingeschreven;01-05-2018;;Dorpsstraat 12;1234 AB;Oord;Oord",
            "222;BSO;Het Klimrek;32;N;Uitgeschreven;01-05-2018;15-02-2025;Schoolweg 1;1234 AC;Oord;Oord",
            "333;BSO;De Tol;20;N;Uitgeschreven;01-05-2018;30-06-2024;Schoolweg 3;1234 AC;Oord;Oord",
            "444;KDV;Oud;16;N;Uitgeschreven;01-05-2010;;Laan 2;1234 AB;Oord;Oord"]
    path = tmp_path / "lrk_export_Oord.csv"
    path.write_bytes("\r\n".join([LRKP_HEADER, *(row + ";" * 10 for row in rows)]).encode("cp1252")
                     + b"\r\n")
    result = lrk.import_lrk_file(postcode_con, path, year=year)
    build(postcode_con)
    assert (result.locations, result.places, result.deregistered) == (len(counted), places,
                                                                     4 - len(counted))
    assert postcode_con.execute("select list(lrk_id order by lrk_id), sum(places) from stg_lrk__locations"
                                ).fetchone() == (counted, places)
    assert result.notes == ([
        "1 locatie(s) met de status Uitgeschreven zijn pas na 2024 uitgeschreven (rij 3; de eerste "
        "op 15-02-2025): ze waren heel 2024 ingeschreven en tellen dus mee in 2024"] if year == 2024
        else [])
    assert all(severity(note) == "info" for note in result.notes)
    assert result.deregistered_line() == (
        f"{4 - len(counted)} uitgeschreven locatie(s) in de export zijn bewaard maar tellen niet "
        f"mee. Dat zijn locaties met een uitschrijfdatum in {year} of eerder, of met de status "
        "Uitgeschreven zonder uitschrijfdatum.")


def _with_headings(path, headings: list[str], header: list[str], rows: list[list]) -> object:
    """A copy laid out for reading, as .xlsx (openpyxl, merged heading cells) or CSV with ';' as
    Excel saves such a sheet (a heading in the first cell of its span, the rest empty)."""
    import csv

    from openpyxl import Workbook

    table = ([headings] if headings else []) + [header, *rows]
    if path.suffix == ".xlsx":
        book = Workbook()
        for row in table:
            book.active.append(row)
        if headings:
            starts = [i for i, heading in enumerate(headings) if heading] + [len(headings)]
            for start, end in zip(starts, starts[1:], strict=False):
                if end - start > 1:
                    book.active.merge_cells(start_row=1, start_column=start + 1, end_row=1,
                                            end_column=end)
        book.save(path)
    else:
        with path.open("w", encoding="cp1252", newline="") as file:
            csv.writer(file, delimiter=";", lineterminator="\r\n").writerows(table)
    return path


GROUPED_HEADER = ["LRK-nummer", "Type", "Naam", "Adres", "Postcode", "Plaats", "Naam", "Adres",
                  "Postcode", "Plaats", "Aantal kindplaatsen", "Status"]
# The houder (Stichting Kinderopvang Oord, Schoolweg 1, 1234 AC) runs both locations.
GROUPED_ROWS = [
    ["100000000001", "KDV", "Stichting Kinderopvang Oord", "Schoolweg 1", "1234 AC", "Oord",
     "De Boomhut", "Dorpsstraat 12", "1234 AB", "Oord", "48", "Ingeschreven"],
    ["100000000002", "BSO", "Stichting Kinderopvang Oord", "Schoolweg 1", "1234 AC", "Oord",
     "Het Klimrek", "Schoolweg 3", "1234 AC", "Oord", "60", "Ingeschreven"]]


@pytest.mark.parametrize("houder", ["Houder", "Gegevens houder"])
@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_the_houders_columns_under_their_heading_are_not_read_as_the_locations(
        postcode_con, tmp_path, suffix, houder):
    """A copy laid out with the headings 'Houder' and 'Opvanglocatie' above 'Naam', 'Adres',
    'Postcode', 'Plaats' read the houder's (the first) as the location's: De Boomhut was stored
    as 'Stichting Kinderopvang Oord' in the houder's wijk, without a word. The heading says whose
    the columns are."""
    headings = ["", "", houder, "", "", "", "Opvanglocatie", "", "", "", "", ""]
    path = _with_headings(tmp_path / f"lrk_2024{suffix}", headings, GROUPED_HEADER, GROUPED_ROWS)
    result = lrk.import_lrk_file(postcode_con, path)
    assert (result.locations, result.places) == (2, 108)
    assert postcode_con.execute(
        "select location_name, street_address, postcode, wijk_code from raw_lrk__locations"
        " order by lrk_id").fetchall() == [
        ("De Boomhut", "Dorpsstraat 12", "1234AB", "WK000101"),
        ("Het Klimrek", "Schoolweg 3", "1234AC", "WK000102")]


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_a_column_twice_in_the_header_without_a_heading_is_refused_naming_both(
        postcode_con, tmp_path, suffix):
    """Without headings the two 'Postcode' columns cannot be told apart: the first was read. It is
    refused naming the column and where it stands; nothing is stored."""
    path = _with_headings(tmp_path / f"lrk_2024{suffix}", [], GROUPED_HEADER, GROUPED_ROWS)
    with pytest.raises(InputRefused) as refused:
        lrk.import_lrk_file(postcode_con, path)
    assert refused.value.messages == [
        f"Bestand lrk_2024{suffix}: de kolom Naam staat 2 keer in de kopregel (kolom C, G); daaruit "
        "is niet te zien welke bij de opvanglocatie hoort (de andere is bijvoorbeeld die van de "
        "houder). Geef de andere kolom een eigen naam, zoals 'Naam houder', of zet de kop 'Houder' "
        "erboven, of laad de export zoals het register hem geeft. Er is niets opgeslagen."]
    assert postcode_con.execute("select count(*) from raw_lrk__locations").fetchone() == (0,)
