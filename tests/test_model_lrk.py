"""LRK export loader: reading, postcode -> wijk mapping, refusals, the import-lrk command."""

from __future__ import annotations

import pytest

from data_sources import cli, lrk, store
from data_sources.errors import InputRefused, severity

HEADER = ("lrk_id;type_oko;actuele_naam_oko;aantal_kindplaatsen;opvanglocatie_adres;"
          "opvanglocatie_postcode;opvanglocatie_woonplaats;status;inschrijfdatum;uitschrijfdatum;"
          "contact_emailadres\n")


def write(tmp_path, body: str, name: str = "lrk_export_2024.csv"):
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_import_maps_postcodes_to_wijken_and_drops_contact_columns(postcode_con, tmp_path):
    path = write(tmp_path,
                 "111;KDV;De Boomhut;48;Dorpsstraat 1;1234 ab;Oord;Ingeschreven;01-01-2015;;a@b.nl\n"
                 "222;BSO;Het Klimrek;60;Kerkweg 2;1234AC;Oord;Ingeschreven;01-01-2019;;\n"
                 "333;VGO;Gastouder;6;Laan 3;9999ZZ;Elders;Ingeschreven;01-01-2020;;\n"
                 "444;GOB;Bureau;;Laan 4;1234AB;Oord;Ingeschreven;01-01-2012;;\n")
    result = lrk.import_lrk_file(postcode_con, path)
    assert (result.year, result.locations, result.places) == (2024, 4, 114)
    assert result.unmapped_postcodes == ["9999ZZ"]
    stored = postcode_con.execute(
        "select lrk_id, provision_type, places, postcode, wijk_code, registered_on::varchar"
        " from raw_lrk__locations order by lrk_id").fetchall()
    assert stored == [
        ("111", "KDV", 48, "1234AB", "WK000101", "2015-01-01"),
        ("222", "BSO", 60, "1234AC", "WK000102", "2019-01-01"),
        ("333", "VGO", 6, "9999ZZ", None, "2020-01-01"),
        ("444", "GOB", None, "1234AB", "WK000101", "2012-01-01"),
    ]
    columns = {r[0] for r in postcode_con.execute("describe raw_lrk__locations").fetchall()}
    assert not any("contact" in c or "email" in c for c in columns)


def test_reimport_supersedes_the_earlier_export(postcode_con, tmp_path):
    lrk.import_lrk_file(postcode_con, write(tmp_path, "111;KDV;A;48;x;1234AB;O;;;;\n"))
    second = lrk.import_lrk_file(postcode_con, write(tmp_path, "111;KDV;A;64;x;1234AB;O;;;;\n"))
    statuses = postcode_con.execute(
        "select load_id = ?, status from loads where dataset = 'lrk-locaties' order by load_id",
        [second.load_id]).fetchall()
    assert statuses == [(False, "superseded"), (True, "active")]


def test_bad_rows_are_refused_naming_row_and_column_and_nothing_is_stored(postcode_con, tmp_path):
    path = write(tmp_path,
                 "111;KDV;A;48;x;1234AB;O;;;;\n"
                 "222;KDX;B;10;x;1234AB;O;;;;\n"
                 "333;BSO;C;veel;x;1234AB;O;;;;\n"
                 "444;BSO;D;20;x;12345;O;;;;\n")
    with pytest.raises(InputRefused) as refused:
        lrk.import_lrk_file(postcode_con, path)
    messages = refused.value.messages
    assert any("rij 3" in m and "type_oko" in m and "KDX" in m for m in messages)
    assert any("rij 4" in m and "aantal_kindplaatsen" in m and "veel" in m for m in messages)
    assert any("rij 5" in m and "opvanglocatie_postcode" in m for m in messages)
    assert messages[-1] == "Er is niets opgeslagen."
    assert postcode_con.execute("select count(*) from raw_lrk__locations").fetchone()[0] == 0
    assert postcode_con.execute("select count(*) from loads where source = 'lrk'").fetchone()[0] == 0


def test_missing_columns_and_missing_year_are_explained(tmp_path, con):
    path = tmp_path / "export.csv"
    path.write_text("naam;plaats\nA;B\n", encoding="utf-8")
    with pytest.raises(InputRefused, match="jaar"):
        lrk.import_lrk_file(con, path)
    with pytest.raises(InputRefused, match="lrk_id, type_oko, aantal_kindplaatsen"):
        lrk.import_lrk_file(con, path, year=2024)


def test_cli_import_lrk(tmp_path, capsys):
    db = tmp_path / "k.duckdb"
    con = store.connect(db)
    load_id = store.new_load(con, source="cbs", dataset="postcodes", year=2024)
    con.execute("insert into postcodes values (2024, '1234AB', 'BU00010101', 'WK000101', 'GM0001', ?)",
                [load_id])
    con.close()
    good = write(tmp_path, "111;BSO;A;40;x;1234AB;O;;;;\n")
    assert cli.main(["import-lrk", str(good), "--db", str(db)]) == 0
    assert "1 ingeschreven locaties met samen 40 kindplaatsen" in capsys.readouterr().out
    bad = write(tmp_path, "111;BSO;A;-3;x;1234AB;O;;;;\n", name="lrk_2024_fout.csv")
    assert cli.main(["import-lrk", str(bad), "--db", str(db)]) == 1
    assert "rij 2, kolom aantal_kindplaatsen" in capsys.readouterr().out
    con = store.connect(db)
    assert con.execute("select sum(places) from supply_by_wijk").fetchone()[0] == 40
    con.close()


def test_sample_exports_load_for_every_wijk(sample_con):
    got = sample_con.execute("""
        select year, count(*), count(wijk_code) from raw_lrk__locations group by year order by year
    """).fetchall()
    assert [y for y, _, _ in got] == [2022, 2023, 2024]
    assert all(total == mapped for _, total, mapped in got)


def test_xlsx_export_and_missing_file(postcode_con, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["LRK nummer", "Type OKO", "Aantal kindplaatsen", "Opvanglocatie postcode"])
    sheet.append(["555", "bso", 44, "1234 AC"])
    path = tmp_path / "lrk_2023.xlsx"
    book.save(path)
    result = lrk.import_lrk_file(postcode_con, path)
    assert (result.year, result.places) == (2023, 44)
    assert postcode_con.execute("select provision_type, wijk_code from raw_lrk__locations"
                                ).fetchall() == [("BSO", "WK000102")]
    with pytest.raises(InputRefused, match="bestaat niet"):
        lrk.import_lrk_file(postcode_con, tmp_path / "lrk_2024.csv")


# The register's own export header (issue 14), houder and contact columns included.
REAL_HEADER = [
    "lrk_id", "type_oko", "actuele_naam_oko", "aantal_kindplaatsen", "vve", "status",
    "inschrijfdatum", "uitschrijfdatum", "opvanglocatie_adres", "opvanglocatie_postcode",
    "opvanglocatie_woonplaats", "verantwoordelijke_gemeente", "naam_houder", "kvk_nummer_houder",
    "rechtsvorm_houder", "houder_adres", "houder_postcode", "houder_woonplaats", "contact_telefoon",
    "contact_emailadres", "contact_website", "lrk_url",
]
REAL_ROWS = [
    ["111", "KDV", "Kindcentrum Café Crème", "48", "J", "Ingeschreven", "01-05-2018", "",
     "Dorpsstraat 1", "1234 AB", "Oord", "Oord", "Kinderopvang BV", "12345678", "Besloten Vennootschap",
     "Dorpsstraat 1", "1234AB", "Oord", "", "info@example.nl", "", ""],
    ["222", "VGO", "Gastouder", "4", "N", "Ingeschreven", "01-01-2020", "", "Laan 3", "1234AC",
     "Oord", "Oord", "", "", "", "", "", "", "", "", "", ""],
    ["333", "GOB", "Gastouderbureau Oord", "", "N", "Ingeschreven", "01-01-2012", "", "Postbus 9",
     "", "Oord", "Oord", "Bureau BV", "87654321", "", "", "", "", "", "", "", ""],
    ["444", "PSZ", "Peuterspeelzaal Ukkie", "14", "J", "Ingeschreven", "01-01-2010", "", "Kerkweg 2",
     "1234AC", "Oord", "Oord", "", "", "", "", "", "", "", "", "", ""],
]


# utf-16 (with its byte order mark): Excel's 'Unicode-tekst'; it was refused as 'lrk_id ontbreekt'
@pytest.mark.parametrize(("encoding", "separator"), [("cp1252", ";"), ("utf-8", ";"), ("utf-8-sig", ","),
                                                     ("utf-16", "\t")])
def test_real_export_layout_in_every_encoding_and_separator(postcode_con, tmp_path, encoding, separator):
    import csv
    import io

    text = io.StringIO()
    csv.writer(text, delimiter=separator, lineterminator="\r\n").writerows([REAL_HEADER, *REAL_ROWS])
    path = tmp_path / "LRK_export_2024.csv"
    path.write_bytes(text.getvalue().encode(encoding))
    result = lrk.import_lrk_file(postcode_con, path)
    # every place counts: KDV 48, the gastouder's 4, the peuterspeelzaal's 14; the bureau has none
    assert (result.locations, result.places, result.unmapped_postcodes) == (4, 66, [])
    stored = postcode_con.execute(
        "select lrk_id, provision_type, location_name, places, wijk_code from raw_lrk__locations"
        " order by lrk_id").fetchall()
    assert stored == [("111", "KDV", "Kindcentrum Café Crème", 48, "WK000101"),
                      ("222", "VGO", "Gastouder", 4, "WK000102"),
                      ("333", "GOB", "Gastouderbureau Oord", None, None),
                      ("444", "PSZ", "Peuterspeelzaal Ukkie", 14, "WK000102")]
    from transforms import build

    build(postcode_con)
    assert postcode_con.execute(
        "select provision_type, sum(places) from int_supply__places_by_wijk_span group by 1 order by 1"
    ).fetchall() == [("dagopvang", 62), ("gastouderopvang", 4)]


def test_a_location_without_places_is_kept_with_its_places_unknown(postcode_con, tmp_path):
    # one empty aantal_kindplaatsen must not refuse a national export: the location is stored,
    # its places unknown (not 0), and the user is told which rows
    path = write(tmp_path, "222;VGO;Gastouder;;Laan 3;1234AC;Oord;Ingeschreven;01-01-2020;;\n"
                           "111;KDV;De Boomhut;48;Dorpsstraat 1;1234 AB;Oord;Ingeschreven;01-01-2015;;\n")
    imported = lrk.import_lrk_file(postcode_con, path)
    assert (imported.locations, imported.places) == (2, 48)
    assert imported.notes == ["1 ingeschreven locatie(s) zonder aantal kindplaatsen (rij 2): hun "
                              "plekken zijn onbekend en tellen niet mee"]
    assert postcode_con.execute("select lrk_id, places from raw_lrk__locations order by 1").fetchall() == [
        ("111", 48), ("222", None)]


def test_places_that_are_no_number_are_refused(postcode_con, tmp_path):
    path = write(tmp_path, "222;VGO;Gastouder;zes;Laan 3;1234AC;Oord;Ingeschreven;01-01-2020;;\n")
    with pytest.raises(InputRefused) as refused:
        lrk.import_lrk_file(postcode_con, path)
    assert refused.value.messages[0] == (
        "Bestand lrk_export_2024.csv, rij 2, kolom aantal_kindplaatsen: 'zes' is geen aantal "
        "kindplaatsen (een heel getal van 0 of meer).")


def test_sample_exports_are_in_the_real_layout():
    from pathlib import Path

    for path in sorted((Path(__file__).parent.parent / "sample_data" / "lrk").glob("*.csv")):
        first = path.read_bytes().decode("cp1252").splitlines()[0]
        assert first.split(";") == REAL_HEADER, path.name


def test_deregistered_locations_without_places_or_postcode_are_stored_but_never_counted(
        postcode_con, tmp_path):
    # A national export also lists locations that left the register; theirs may have lost the
    # places, the postcode or carry an old type. They must not refuse the file, nor count.
    path = write(tmp_path,
                 "111;KDV;A;48;x;1234AB;O;Ingeschreven;01-01-2015;;\n"
                 "222;KDV;Oud;;x;;O;Uitgeschreven;01-01-2001;31-12-2019;\n"
                 "333;BSO;Weg;20;x;1234 ac;O;Uitgeschreven;01-01-2005;01-07-2023;\n"
                 "444;XYZ;Vreemd;n.v.t.;x;12;O;uitgeschreven;;;\n")
    result = lrk.import_lrk_file(postcode_con, path)
    assert (result.locations, result.places, result.deregistered, result.unmapped_postcodes,
            result.without_address) == (1, 48, 3, [], 0)
    assert postcode_con.execute(
        "select lrk_id, provision_type, places, postcode, wijk_code from raw_lrk__locations"
        " order by lrk_id").fetchall() == [
        ("111", "KDV", 48, "1234AB", "WK000101"), ("222", "KDV", None, None, None),
        ("333", "BSO", 20, "1234AC", "WK000102"), ("444", "XYZ", None, None, None)]
    assert postcode_con.execute("select note from loads where dataset = 'lrk-locaties'").fetchone() == (
        "3 uitgeschreven locatie(s), niet meegeteld",)
    from transforms import build

    build(postcode_con)
    assert postcode_con.execute(
        "select provision_type, sum(places) from int_supply__places_by_wijk_span group by 1"
    ).fetchall() == [("dagopvang", 48)]
    # a registered location is still held to the rules
    with pytest.raises(InputRefused, match="rij 2, kolom aantal_kindplaatsen"):
        lrk.import_lrk_file(postcode_con, write(tmp_path, "555;KDV;B;-1;x;1234AB;O;Ingeschreven;;;\n"))


def test_a_gastouder_without_an_address_is_kept_and_counted(postcode_con, tmp_path):
    path = write(tmp_path, "111;KDV;A;48;x;1234AB;O;;;;\n"
                           "222;VGO;Gastouder;5;;;Oord;Ingeschreven;01-01-2020;;\n")
    result = lrk.import_lrk_file(postcode_con, path)
    assert (result.locations, result.places, result.without_address) == (2, 53, 1)
    assert postcode_con.execute("select note from loads where dataset = 'lrk-locaties'").fetchone() == (
        "1 gastouder(s) zonder adres",)
    with pytest.raises(InputRefused, match="kolom opvanglocatie_postcode: '12' is geen postcode"):
        lrk.import_lrk_file(postcode_con, write(tmp_path, "333;VGO;G;5;x;12;O;;;;\n"))


def test_loads_stored_with_the_old_gastouder_types_are_swapped(con):
    from pathlib import Path

    migration = Path(__file__).parent.parent / "data_sources" / "migrations" / "0035_lrk_gastouder_types.sql"
    old = store.new_load(con, source="sample", dataset="lrk-locaties", year=2023)
    new = store.new_load(con, source="lrk", dataset="lrk-locaties", year=2024)
    con.executemany(
        "insert into raw_lrk__locations (year, lrk_id, provision_type, places, row_number, load_id)"
        " values (?, ?, ?, ?, ?, ?)",
        [[2023, "1", "GOB", 5, 2, old], [2023, "2", "VGO", None, 3, old], [2023, "3", "KDV", 48, 4, old],
         [2024, "4", "VGO", 6, 2, new], [2024, "5", "GOB", None, 3, new]])
    con.execute(migration.read_text(encoding="utf-8"))
    assert con.execute("select lrk_id, provision_type from raw_lrk__locations order by lrk_id").fetchall() == [
        ("1", "VGO"), ("2", "GOB"), ("3", "KDV"), ("4", "VGO"), ("5", "GOB")]


def test_a_copy_saved_as_tab_separated_text_or_as_xls_loads_as_the_export(postcode_con, tmp_path):
    """Excel's "Tekst (tab is scheidingsteken)" and "Excel 97-2003" are how an LRK export often
    comes back after someone opened it: the same four locations and 66 places."""
    import xlwt

    text = "\r\n".join("\t".join(row) for row in [REAL_HEADER, *REAL_ROWS])
    tab = tmp_path / "LRK_export_2024.txt"
    tab.write_bytes(text.encode("cp1252"))
    result = lrk.import_lrk_file(postcode_con, tab)
    assert (result.locations, result.places, result.unmapped_postcodes) == (4, 66, [])

    book = xlwt.Workbook()
    sheet = book.add_sheet("LRK")
    for r, row in enumerate([REAL_HEADER, *REAL_ROWS]):
        for c, value in enumerate(row):
            sheet.write(r, c, int(value) if r and c == 3 and value else value)
    xls = tmp_path / "LRK_export_2023.xls"
    book.save(str(xls))
    result = lrk.import_lrk_file(postcode_con, xls)
    assert (result.year, result.locations, result.places) == (2023, 4, 66)
    assert postcode_con.execute(
        "select lrk_id, provision_type, places from raw_lrk__locations where year = 2023 order by lrk_id"
    ).fetchall() == [("111", "KDV", 48), ("222", "VGO", 4), ("333", "GOB", None), ("444", "PSZ", 14)]


@pytest.mark.parametrize("name", ["lrk_2024.xlsx", "lrk_2024.xls", "lrk_2024.ods"])
def test_a_damaged_workbook_is_refused_in_dutch(postcode_con, tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"PK\x03\x04 this zip stops here")
    with pytest.raises(InputRefused) as refused:
        lrk.import_lrk_file(postcode_con, path)
    assert refused.value.messages == [
        f"Bestand {name}: niet leesbaar als LRK-export: het bestand is beschadigd of heeft een "
        "onverwachte opbouw."]
    assert postcode_con.execute("select count(*) from raw_lrk__locations").fetchone() == (0,)


def _gemeente_export(tmp_path, name: str, rows: list[tuple]) -> object:
    """An export in the register's layout: (lrk_id, type, places, postcode, verantwoordelijke
    gemeente) per location, or without that column when every gemeente is None."""
    with_gemeente = any(row[4] is not None for row in rows)
    header = "lrk_id;type_oko;aantal_kindplaatsen;opvanglocatie_postcode;status"
    lines = [header + (";verantwoordelijke_gemeente" if with_gemeente else "")]
    for lrk_id, kind, places, postcode, gemeente in rows:
        lines.append(f"{lrk_id};{kind};{places};{postcode};Ingeschreven"
                     + (f";{gemeente}" if with_gemeente else ""))
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def two_gemeenten(postcode_con):
    """GM0001 Oord (1234AB, 1234AC) and GM0002 Elders (9999ZZ, 9999ZY), with their names."""
    postcode_con.execute("insert into postcodes select p.year, t.code, 'BU00020101', 'WK000201', 'GM0002',"
                         " p.load_id from (select * from postcodes limit 1) as p,"
                         " (values ('9999ZZ'), ('9999ZY')) as t(code)")
    postcode_con.execute("insert into regions (year, region_code, region_level, region_name, gemeente_code,"
                         " load_id) values (2024, 'GM0001', 'gemeente', 'Oord', 'GM0001', 1),"
                         " (2024, 'GM0002', 'gemeente', 'Elders', 'GM0002', 1)")
    return postcode_con


def _per_gemeente(con) -> list[tuple]:
    from transforms import build

    build(con)
    return con.execute(
        "select gemeente_code, count(*), sum(places) from stg_lrk__locations where year = 2024"
        " group by 1 order by 1 nulls last").fetchall()


NATIONAL = [(111, "KDV", 48, "1234AB", "Oord"), (222, "BSO", 20, "1234AC", "Oord"),
            (333, "KDV", 30, "9999ZZ", "Elders"), (334, "BSO", 25, "9999ZY", "Elders")]


def test_a_national_export_and_a_gemeente_export_never_count_a_location_twice(two_gemeenten, tmp_path):
    """A national export holds every gemeente (its load has none of its own) and stays active
    beside a later export of one gemeente: per gemeente and year the newest export that covers it
    counts, and the import says what it replaces."""
    con = two_gemeenten
    first = lrk.import_lrk_file(con, _gemeente_export(tmp_path, "lrk_nl_2024.csv", NATIONAL))
    assert (first.covered, first.replaced) == (["GM0001", "GM0002"], [])
    assert _per_gemeente(con) == [("GM0001", 2, 68), ("GM0002", 2, 55)]
    # a newer export of the gemeente alone (the register's search per gemeente), in which a
    # location has closed: its locations replace the national ones there, and only there
    own = lrk.import_lrk_file(con, _gemeente_export(tmp_path, "lrk_oord_2024.csv",
                                                    [(111, "KDV", 52, "1234AB", "Oord")]))
    assert _per_gemeente(con) == [("GM0001", 1, 52), ("GM0002", 2, 55)]
    assert own.coverage_lines() == [
        "Deze export telt voor gemeente Oord (GM0001).",
        f"Vervangt de export van lading {first.load_id} (lrk_nl_2024.csv) voor gemeente Oord (GM0001)."]
    # and a newer national export replaces both for the gemeente
    again = lrk.import_lrk_file(con, _gemeente_export(tmp_path, "lrk_nl2_2024.csv", NATIONAL))
    assert _per_gemeente(con) == [("GM0001", 2, 68), ("GM0002", 2, 55)]
    assert again.coverage_lines()[1:] == [
        f"Vervangt de export van lading {first.load_id} (lrk_nl_2024.csv) voor gemeente Elders (GM0002).",
        f"Vervangt de export van lading {own.load_id} (lrk_oord_2024.csv) voor gemeente Oord (GM0001)."]
    assert con.execute("select load_id, status from loads where dataset = 'lrk-locaties' order by 1"
                       ).fetchall() == [(first.load_id, "superseded"), (own.load_id, "superseded"),
                                        (again.load_id, "active")]


def test_an_export_with_a_location_across_the_border_leaves_the_neighbours_register(
        two_gemeenten, tmp_path, capsys):
    """Elders' own export lists a location whose postcode lies in Oord: it counts there, in the
    wijk of its postcode, and Oord's register stays (it hid all of Oord's locations)."""
    con = two_gemeenten
    lrk.import_lrk_file(con, _gemeente_export(tmp_path, "lrk_nl_2024.csv", NATIONAL))
    elders = [(333, "KDV", 30, "9999ZZ", "Elders"), (334, "BSO", 25, "9999ZY", "Elders"),
              (335, "BSO", 12, "1234AC", "Elders")]
    result = lrk.import_lrk_file(con, _gemeente_export(tmp_path, "lrk_elders_2024.csv", elders))
    assert result.covered == ["GM0002"]
    assert result.elsewhere == 1
    assert _per_gemeente(con) == [("GM0001", 3, 80), ("GM0002", 2, 55)]
    # and an export of Oord that carries one location of Elders (verantwoordelijke gemeente
    # Elders) does not replace Elders' register: it holds one of its three locations
    oord = [(111, "KDV", 48, "1234AB", "Oord"), (222, "BSO", 20, "1234AC", "Oord"),
            (333, "KDV", 31, "9999ZZ", "Elders")]
    result = lrk.import_lrk_file(con, _gemeente_export(tmp_path, "lrk_oord_2024.csv", oord))
    assert (result.covered, result.locations, result.places) == (["GM0001"], 2, 68)
    assert _per_gemeente(con) == [("GM0001", 3, 80), ("GM0002", 2, 55)]
    assert result.coverage_lines()[-1] == (
        "Vervangt niets voor gemeente Elders (GM0002): daar blijft de export van lading "
        f"{result.load_id - 1} (lrk_elders_2024.csv) gelden, want deze export heeft maar 1 van de 3 "
        "locaties die daar nu tellen. De 1 locatie(s) van die gemeente in deze export tellen niet mee.")
    # what it counts for only informs; where it replaces nothing is a warning (page and command)
    assert [(line.split(" ")[0], severity(line)) for line in result.coverage_lines()] == [
        ("Deze", "info"), ("Vervangt", "info"), ("Vervangt", "warning")]


def test_an_export_without_the_gemeente_column_replaces_a_register_it_mostly_holds(
        two_gemeenten, tmp_path):
    """Without verantwoordelijke_gemeente a location's gemeente is that of its postcode; one
    location of a neighbour does not replace the neighbour's register, and an export that
    replaces nothing is refused."""
    con = two_gemeenten
    plain = [(a, b, c, d, None) for a, b, c, d, _ in NATIONAL]
    lrk.import_lrk_file(con, _gemeente_export(tmp_path, "lrk_nl_2024.csv", plain))
    # a file with one location of each: neither gemeente's register is replaced
    with pytest.raises(InputRefused) as refused:
        lrk.import_lrk_file(con, _gemeente_export(tmp_path, "lrk_x_2024.csv",
                                                  [(111, "KDV", 50, "1234AB", None),
                                                   (333, "KDV", 31, "9999ZZ", None)]))
    assert [m.split(":")[0] for m in refused.value.messages] == [
        "Vervangt niets voor gemeente Oord (GM0001)", "Vervangt niets voor gemeente Elders (GM0002)",
        "Er is niets opgeslagen."]
    # Oord's locations and one of Elders: Oord's register is replaced, Elders' stays
    newer = plain[:3] + [(336, "KDV", 10, "1234AB", None)]
    result = lrk.import_lrk_file(con, _gemeente_export(tmp_path, "lrk_nl2_2024.csv", newer))
    assert (result.covered, [k.gemeente_code for k in result.kept]) == (["GM0001"], ["GM0002"])
    assert _per_gemeente(con) == [("GM0001", 3, 78), ("GM0002", 2, 55)]


def test_import_lrk_says_what_it_replaces(tmp_path, capsys):
    db = tmp_path / "k.duckdb"
    con = store.connect(db)
    load_id = store.new_load(con, source="cbs", dataset="postcodes", year=2024)
    con.execute("insert into postcodes values (2024, '1234AB', 'BU00010101', 'WK000101', 'GM0001', ?)",
                [load_id])
    con.close()
    first = _gemeente_export(tmp_path, "lrk_a_2024.csv", [(111, "KDV", 48, "1234AB", "Oord")])
    assert cli.main(["import-lrk", str(first), "--db", str(db)]) == 0
    assert "Deze export telt voor gemeente Oord (GM0001)." in capsys.readouterr().out
    second = _gemeente_export(tmp_path, "lrk_b_2024.csv", [(111, "KDV", 50, "1234AB", "Oord")])
    assert cli.main(["import-lrk", str(second), "--db", str(db)]) == 0
    assert ("Vervangt de export van lading 2 (lrk_a_2024.csv) voor gemeente Oord (GM0001)."
            in capsys.readouterr().out)


def _workbook_with_a_far_cell(path, row: int, column: int) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["lrk_id", "type_oko", "aantal_kindplaatsen", "opvanglocatie_postcode"])
    sheet.append(["555", "BSO", 44, "1234 AC"])
    sheet.cell(row=row, column=column, value=1)
    book.save(path)


@pytest.mark.parametrize(("row", "column", "where"), [(2, 61, "rij 2 en kolom BI"),
                                                       (250_001, 1, "rij 250001 en kolom D")])
def test_a_workbook_reaching_beyond_an_export_is_refused_before_it_is_read(
        postcode_con, tmp_path, row, column, where):
    """calamine holds a sheet as one block as large as its farthest cell sets: such a workbook is
    refused on its XML, and what was stored before stays."""
    lrk.import_lrk_file(postcode_con, write(tmp_path, "111;KDV;A;48;x;1234AB;O;;;;\n"))
    path = tmp_path / "lrk_2024.xlsx"
    _workbook_with_a_far_cell(path, row, column)
    with pytest.raises(InputRefused) as refused:
        lrk.import_lrk_file(postcode_con, path)
    assert refused.value.messages == [
        f"Bestand lrk_2024.xlsx: werkblad 'Sheet' loopt tot {where}; een LRK-export heeft hoogstens "
        "250.000 rijen en 60 kolommen. Kindkaart leest het niet: verwijder de cellen buiten de "
        "tabel (of sla de export op als CSV). Er is niets opgeslagen."]
    assert postcode_con.execute(
        "select count(*), sum(places) from raw_lrk__locations").fetchone() == (1, 48)
    assert postcode_con.execute("select count(*) from loads where dataset = 'lrk-locaties'"
                                ).fetchone() == (1,)


def test_a_cell_at_the_last_excel_address_is_refused_not_an_abort(tmp_path):
    """A 9 kB workbook with one cell at XFD1048576 made calamine ask for 549 GB: the process
    aborted (no exception to catch; in the app it took the server down). Run as a process."""
    import subprocess
    import sys
    from pathlib import Path

    db = tmp_path / "k.duckdb"
    store.connect(db).close()
    path = tmp_path / "lrk_2024.xlsx"
    _workbook_with_a_far_cell(path, 1_048_576, 16_384)
    done = subprocess.run(
        [sys.executable, "-m", "data_sources", "import-lrk", str(path), "--db", str(db)],
        cwd=Path(__file__).parent.parent, capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stderr) == (1, "")
    assert "loopt tot rij 1048576 en kolom XFD" in done.stdout


MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
    '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path='
    '"/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry'
    ' manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>')


def test_an_ods_with_a_far_repeated_cell_is_refused(postcode_con, tmp_path):
    """An .ods writes runs of equal rows and cells once with a repeat count; a filled run of
    100,000 rows of 100 cells is 10 million cells to calamine. The empty rest of a sheet, which
    LibreOffice writes as one long run, is no reason to refuse."""
    import zipfile

    def ods(name: str, run: str) -> object:
        table = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
        cell = '<table:table-cell office:value-type="string"><text:p>{}</text:p></table:table-cell>'
        header = "".join(cell.format(h) for h in ("lrk_id", "type_oko", "aantal_kindplaatsen",
                                                  "opvanglocatie_postcode"))
        first = "".join(cell.format(v) for v in ("555", "BSO", "44", "1234 AC"))
        content = (
            '<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office='
            f'"urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="{table}" '
            'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
            '<office:body><office:spreadsheet><table:table table:name="LRK">'
            f"<table:table-row>{header}</table:table-row><table:table-row>{first}</table:table-row>"
            f"{run}</table:table></office:spreadsheet></office:body></office:document-content>")
        path = tmp_path / name
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
            archive.writestr("META-INF/manifest.xml", MANIFEST)
            archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        return path

    empty_rest = ('<table:table-row table:number-rows-repeated="1048574"><table:table-cell '
                  'table:number-columns-repeated="1024"/></table:table-row>')
    result = lrk.import_lrk_file(postcode_con, ods("lrk_2023.ods", empty_rest))
    assert (result.locations, result.places) == (1, 44)
    filled = ('<table:table-row table:number-rows-repeated="100000"><table:table-cell '
              'table:number-columns-repeated="100" office:value-type="string"><text:p>x</text:p>'
              "</table:table-cell></table:table-row>")
    with pytest.raises(InputRefused, match="werkblad 'LRK' loopt tot rij 100002 en kolom CV;"):
        lrk.import_lrk_file(postcode_con, ods("lrk_2024.ods", filled))
    assert postcode_con.execute("select count(*) from loads where dataset = 'lrk-locaties'"
                                ).fetchone() == (1,)


def _resaved_rows() -> list[list]:
    """REAL_ROWS with a deregistered location whose day is above 12 (30-06-2023)."""
    return [*REAL_ROWS, ["555", "BSO", "Weg", "20", "N", "Uitgeschreven", "15-03-2019", "30-06-2023",
                         "Kerkweg 9", "1234AC", "Oord", "Oord", *[""] * 10]]


def _iso(dutch: str) -> str:
    day, month, year = dutch.split("-")
    return f"{year}-{month}-{day}"


def _stored_dates(con) -> list[tuple]:
    return con.execute("select lrk_id, registered_on::varchar, deregistered_on::varchar"
                       " from raw_lrk__locations order by lrk_id").fetchall()


EXPECTED_DATES = [("111", "2018-05-01", None), ("222", "2020-01-01", None), ("333", "2012-01-01", None),
                  ("444", "2010-01-01", None), ("555", "2019-03-15", "2023-06-30")]


@pytest.mark.parametrize("form", ["xlsx", "xls", "iso-csv", "us-csv"])
def test_dates_of_a_resaved_export_are_read_as_dates_in_their_own_order(postcode_con, tmp_path, form):
    """Excel saves a date cell as a date and writes ISO or (in English) m/d/jjjj text: 01-05-2018
    stayed 1 May, not 5 January, and 30-06-2023 was not left empty. Without a pandas warning."""
    import csv
    import datetime as dt
    import io
    import warnings

    rows = _resaved_rows()
    if form in ("xlsx", "xls"):
        def typed(c: int, value: str) -> object:
            if c in (6, 7) and value:
                return dt.datetime.strptime(value, "%d-%m-%Y")
            return int(value) if c == 3 and value else value
        path = tmp_path / f"LRK_export_2024.{form}"
        if form == "xlsx":
            from openpyxl import Workbook

            book = Workbook()
            for row in [REAL_HEADER, *[[typed(c, v) for c, v in enumerate(r)] for r in rows]]:
                book.active.append(row)
            book.save(path)
        else:
            import xlwt

            book = xlwt.Workbook()
            sheet = book.add_sheet("LRK")
            date_style = xlwt.easyxf(num_format_str="DD-MM-YYYY")
            for r, row in enumerate([REAL_HEADER, *rows]):
                for c, value in enumerate(row):
                    value = typed(c, value) if r else value
                    if isinstance(value, dt.datetime):
                        sheet.write(r, c, value, date_style)
                    else:
                        sheet.write(r, c, value)
            book.save(str(path))
    else:
        def text(dutch: str) -> str:
            if not dutch:
                return ""
            day, month, year = dutch.split("-")
            return _iso(dutch) if form == "iso-csv" else f"{int(month)}/{int(day)}/{year}"
        out = io.StringIO()
        csv.writer(out, delimiter="," if form == "us-csv" else ";").writerows(
            [REAL_HEADER, *[[text(v) if c in (6, 7) else v for c, v in enumerate(r)] for r in rows]])
        path = tmp_path / "LRK_export_2024.csv"
        path.write_text(out.getvalue(), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = lrk.import_lrk_file(postcode_con, path)
    assert (result.locations, result.places, result.deregistered) == (4, 66, 1)
    assert _stored_dates(postcode_con) == EXPECTED_DATES


def test_a_date_that_cannot_be_read_is_refused_or_on_a_deregistered_location_left_empty(
        postcode_con, tmp_path):
    with pytest.raises(InputRefused) as refused:
        lrk.import_lrk_file(postcode_con, write(tmp_path, "111;KDV;A;48;x;1234AB;O;Ingeschreven;31-02-2019;;\n"
                                                          "222;KDV;B;8;x;1234AB;O;Ingeschreven;2019-05-01;mei 2020;\n"))
    assert refused.value.messages == [
        "Bestand lrk_export_2024.csv, rij 2, kolom inschrijfdatum: '31-02-2019' is geen datum "
        "(verwacht dd-mm-jjjj, bijvoorbeeld 01-05-2018).",
        "Bestand lrk_export_2024.csv, rij 3, kolom uitschrijfdatum: 'mei 2020' is geen datum "
        "(verwacht dd-mm-jjjj, bijvoorbeeld 01-05-2018).",
        "Er is niets opgeslagen."]
    # slashes whose order no date in the file shows (no part above 12) are not guessed
    with pytest.raises(InputRefused, match=r"rij 2, kolom inschrijfdatum: '5/1/2018' is geen datum "
                                           r"\(de volgorde van dag en maand"):
        lrk.import_lrk_file(postcode_con, write(tmp_path, "111;KDV;A;48;x;1234AB;O;Ingeschreven;5/1/2018;;\n"))
    assert postcode_con.execute("select count(*) from loads where dataset = 'lrk-locaties'").fetchone() == (0,)
    result = lrk.import_lrk_file(postcode_con, write(tmp_path, "111;KDV;A;48;x;1234AB;O;Ingeschreven;01-05-2018;;\n"
                                                               "222;KDV;B;8;x;1234AB;O;Uitgeschreven;??;00-00-0000;\n"))
    assert (result.locations, result.deregistered) == (1, 1)
    assert result.notes == [
        "kolom inschrijfdatum: 1 onleesbare datum(s) of jaren buiten 1990-2099 bij uitgeschreven "
        "locaties leeg gelaten (rij 3)",
        "kolom uitschrijfdatum: 1 onleesbare datum(s) of jaren buiten 1990-2099 bij uitgeschreven "
        "locaties leeg gelaten (rij 3)"]
    assert _stored_dates(postcode_con) == [("111", "2018-05-01", None), ("222", None, None)]


def test_a_date_of_year_9999_or_before_1990_is_refused_or_on_a_deregistered_location_left_empty(
        postcode_con, tmp_path):
    """31-12-9999 (another system's 'no end') read as a planned deregistration counted the
    location in every year; 01-01-0001 or 1899 as an inschrijfdatum passed as a date. Neither is
    a date of the register."""
    lines = ("111;KDV;A;48;x;1234AB;O;Ingeschreven;01-05-2018;31-12-9999;\n"
             "222;KDV;B;8;x;1234AB;O;Ingeschreven;0001-01-01;;\n"
             "333;BSO;C;20;x;1234AC;O;Ingeschreven;30-12-1899;;\n"
             "444;BSO;D;20;x;1234AC;O;Ingeschreven;01-01-1990;31-12-2099;\n")
    with pytest.raises(InputRefused) as refused:
        lrk.import_lrk_file(postcode_con, write(tmp_path, lines))
    assert refused.value.messages == [
        "Bestand lrk_export_2024.csv, rij 3, kolom inschrijfdatum: '0001-01-01' is geen datum van "
        "het register (het jaar 1 ligt niet tussen 1990 en 2099).",
        "Bestand lrk_export_2024.csv, rij 4, kolom inschrijfdatum: '30-12-1899' is geen datum van "
        "het register (het jaar 1899 ligt niet tussen 1990 en 2099).",
        "Bestand lrk_export_2024.csv, rij 2, kolom uitschrijfdatum: '31-12-9999' is geen datum van "
        "het register (het jaar 9999 ligt niet tussen 1990 en 2099). Heeft de locatie geen "
        "uitschrijfdatum, laat het vak dan leeg.",
        "Er is niets opgeslagen."]
    assert postcode_con.execute("select count(*) from loads where dataset = 'lrk-locaties'").fetchone() == (0,)
    # on a location that no longer counts it is left empty, with a note, as an unreadable date is
    result = lrk.import_lrk_file(postcode_con, write(
        tmp_path, "444;BSO;D;20;x;1234AC;O;Ingeschreven;01-01-1990;31-12-2099;\n"
                  "555;KDV;E;8;x;1234AB;O;Uitgeschreven;01-05-2018;31-12-9999;\n"))
    assert (result.locations, result.deregistered) == (1, 1)
    assert result.notes == [
        "kolom uitschrijfdatum: 1 onleesbare datum(s) of jaren buiten 1990-2099 bij uitgeschreven "
        "locaties leeg gelaten (rij 3)"]
    assert _stored_dates(postcode_con) == [("444", "1990-01-01", "2099-12-31"), ("555", "2018-05-01", None)]


def test_the_message_and_the_figures_count_a_planned_deregistration_alike(postcode_con, tmp_path):
    """'Ingeschreven' with an uitschrijfdatum after the export's year counts in that year (the
    location was registered all of it); one in or before the year does not. The import's message
    and stg_lrk__locations agree."""
    from transforms import build

    path = write(tmp_path, "111;KDV;A;48;x;1234AB;O;Ingeschreven;01-05-2018;31-12-2025;\n"
                           "222;BSO;B;20;x;1234AC;O;Ingeschreven;01-05-2018;30-06-2024;\n"
                           "333;BSO;C;10;x;1234AC;O;Ingeschreven;01-05-2018;;\n")
    result = lrk.import_lrk_file(postcode_con, path)
    build(postcode_con)
    counted = postcode_con.execute(
        "select count(*), sum(places), list(lrk_id order by lrk_id) from stg_lrk__locations").fetchone()
    assert (result.locations, result.places, result.deregistered) == (2, 58, 1)
    assert counted == (2, 58, ["111", "333"])


def test_a_location_registered_after_the_exports_year_does_not_count_in_it(postcode_con, tmp_path):
    """The register's export has no date of its own: its year is the one in the file name or
    given. A current export read as 2024 (--jaar 2024, or a name saying 2024) counted locations
    first registered in 2025 as places of 2024; now they do not count, in the message and the
    figures alike, and the note names the year the file shows."""
    from transforms import build

    path = write(tmp_path, "111;KDV;A;48;x;1234AB;O;Ingeschreven;01-05-2018;;\n"
                           "222;BSO;B;20;x;1234AC;O;Ingeschreven;31-12-2024;;\n"
                           "333;BSO;C;10;x;1234AC;O;Ingeschreven;03-02-2025;;\n")
    result = lrk.import_lrk_file(postcode_con, path)
    build(postcode_con)
    counted = postcode_con.execute(
        "select count(*), sum(places), list(lrk_id order by lrk_id) from stg_lrk__locations").fetchone()
    assert (result.locations, result.places, result.deregistered) == (2, 68, 0)
    assert counted == (2, 68, ["111", "222"])
    assert result.notes == [
        "1 locatie(s) zijn pas na 2024 ingeschreven (rij 4; de laatste op 03-02-2025): ze tellen "
        "niet mee in 2024. Is dit een export van 2025, lees hem dan in met dat jaar (--jaar 2025)"]
    # stored all the same, and read as the export of 2025 it counts there
    assert postcode_con.execute("select count(*) from raw_lrk__locations").fetchone() == (3,)
    result = lrk.import_lrk_file(postcode_con, path, year=2025)
    assert (result.locations, result.places, result.notes) == (3, 78, [])


@pytest.mark.parametrize(("name", "year"), [("LRK_export_20240501.csv", 2024), ("lrk_01052023.csv", 2023),
                                          ("lrk_export_2024-05-01.csv", 2024)])
def test_the_year_of_a_date_stamp_in_the_name_is_the_exports_year(postcode_con, tmp_path, name, year):
    """A date stamp without separators (20240501) was no year: the import asked for --jaar."""
    path = write(tmp_path, "111;KDV;A;48;x;1234AB;O;Ingeschreven;01-05-2018;;\n", name=name)
    assert lrk.import_lrk_file(postcode_con, path).year == year


def test_a_name_without_one_year_asks_for_it_saying_how(postcode_con, tmp_path):
    for name in ("LRK-export.csv", "lrk_2023_2024.csv", "lrk_12345678.csv"):
        path = write(tmp_path, "111;KDV;A;48;x;1234AB;O;Ingeschreven;01-05-2018;;\n", name=name)
        with pytest.raises(InputRefused, match=f"Bestand {name}: geef het jaar van de export op \\(--jaar\\)"):
            lrk.import_lrk_file(postcode_con, path)
    assert postcode_con.execute("select count(*) from loads").fetchone() == (1,)  # the postcodes


def test_unknown_status_values_are_refused_by_name_and_row(postcode_con, tmp_path):
    """'Actief' or 'Geregistreerd' were counted as uitgeschreven in the message and silently left
    out of the figures; a status Kindkaart does not know is refused, not guessed."""
    lrk.import_lrk_file(postcode_con, write(tmp_path, "111;KDV;A;48;x;1234AB;O;Ingeschreven;;;\n"))
    path = write(tmp_path, "111;KDV;A;48;x;1234AB;O;In behandeling;;;\n"
                           "222;BSO;B;20;x;1234AC;O;uitgeschreven;;;\n"
                           "333;BSO;C;20;x;1234AC;O;Gepauzeerd;;;\n"
                           "444;BSO;D;20;x;1234AC;O;In behandeling;;;\n")
    with pytest.raises(InputRefused) as refused:
        lrk.import_lrk_file(postcode_con, path)
    assert refused.value.messages == [
        "Bestand lrk_export_2024.csv, kolom status: onbekende status 'In behandeling' (rij 2, 5), "
        "'Gepauzeerd' (rij 4). Kindkaart kent Ingeschreven, Geregistreerd en Actief (telt mee) en "
        "Uitgeschreven, Afgemeld en Niet meer actief (telt niet mee); pas de status aan of laad de "
        "export zoals het register hem geeft.",
        "Er is niets opgeslagen."]
    assert postcode_con.execute("select count(*), sum(places) from raw_lrk__locations").fetchone() == (1, 48)


@pytest.mark.parametrize(("row", "column", "where"), [(65_535, 255, "rij 65536 en kolom IV"),
                                                       (1, 60, "rij 2 en kolom BI")])
def test_an_xls_reaching_beyond_an_export_is_refused_before_it_is_read(postcode_con, tmp_path, row,
                                                                        column, where):
    """An .xls holds at most 65,536 x 256 cells, but a 5 kB file with a cell at IV65536 took
    calamine 12 s and 1.6 GB: its BIFF records are checked first."""
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("LRK")
    for c, name in enumerate(["lrk_id", "type_oko", "aantal_kindplaatsen", "opvanglocatie_postcode"]):
        sheet.write(0, c, name)
    for c, value in enumerate(["555", "BSO", 44, "1234 AC"]):
        sheet.write(1, c, value)
    sheet.write(row, column, 1)
    path = tmp_path / "lrk_2024.xls"
    book.save(str(path))
    with pytest.raises(InputRefused, match=f"het werkblad loopt tot {where};"):
        lrk.import_lrk_file(postcode_con, path)
    assert postcode_con.execute("select count(*) from loads where dataset = 'lrk-locaties'").fetchone() == (0,)


def _compound_file_with_a_small_stream(name: str, stream: bytes) -> bytes:
    """An OLE2 compound file (512-byte sectors) whose one stream is smaller than 4096 bytes and
    so lies in the mini stream: FAT in sector 0, directory in 1, mini FAT in 2, mini stream after."""
    import struct

    free, end, fat_sector = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
    mini = stream + b"\0" * (-len(stream) % 64)
    mini_sectors = len(mini) // 64
    data_sectors = -(-len(mini) // 512)
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16
              + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\0" * 6
              + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, 2, 1, end, 0)
              + struct.pack("<109I", 0, *[free] * 108))
    fat = [fat_sector, end, end] + [3 + i + 1 for i in range(data_sectors - 1)] + [end]
    fat_bytes = struct.pack(f"<{len(fat)}I", *fat) + struct.pack("<I", free) * (128 - len(fat))

    def entry(entry_name: str, kind: int, start: int, size: int) -> bytes:
        encoded = (entry_name + "\0").encode("utf-16-le")
        return (encoded + b"\0" * (64 - len(encoded)) + struct.pack("<HBB", len(encoded), kind, 1)
                + struct.pack("<III", free, free, free) + b"\0" * 36 + struct.pack("<III", start, size, 0))

    directory = entry("Root Entry", 5, 3, len(mini)) + entry(name, 2, 0, len(stream)) + b"\0" * 256
    mini_fat = [i + 1 for i in range(mini_sectors - 1)] + [end]
    mini_fat_bytes = struct.pack(f"<{len(mini_fat)}I", *mini_fat) + struct.pack("<I", free) * (128 - len(mini_fat))
    return header + fat_bytes + directory + mini_fat_bytes + mini + b"\0" * (data_sectors * 512 - len(mini))


def test_an_xls_whose_workbook_lies_in_the_mini_stream_is_checked_too(postcode_con, tmp_path):
    import struct

    # BIFF NUMBER records: A1 and the last cell of the format, IV65536
    cells = b"".join(struct.pack("<HHHHHd", 0x0203, 14, row, column, 0, 1.0)
                     for row, column in ((0, 0), (65_535, 255)))
    path = tmp_path / "lrk_2024.xls"
    path.write_bytes(_compound_file_with_a_small_stream("Workbook", cells))
    with pytest.raises(InputRefused, match="het werkblad loopt tot rij 65536 en kolom IV;"):
        lrk.import_lrk_file(postcode_con, path)


def test_rich_text_in_a_cell_is_no_reason_to_refuse_a_workbook(postcode_con, tmp_path):
    """The cell-limit pattern also meets <color> of an inline rich-text run; only cells count."""
    import zipfile

    path = tmp_path / "lrk_2024.xlsx"
    _workbook_with_a_far_cell(path, 2, 5)
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = parts[sheet].replace(
        b'<c r="E2" t="n"><v>1</v></c>',
        b'<c r="E2" t="inlineStr"><is><r><rPr><color rgb="FFFF0000"/></rPr><t>nota bene</t></r></is></c>')
    assert b"<color" in parts[sheet]
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    result = lrk.import_lrk_file(postcode_con, path)
    assert (result.locations, result.places) == (1, 44)


# The layout of the register's open-data download (landelijkregisterkinderopvang.nl, 2025): a
# column opc and 've' for vve, the BAG id, the CBS code of the verantwoordelijke gemeente without
# 'GM', and no uitschrijfdatum (only registered locations are in it).
OPEN_DATA_HEADER = (
    "lrk_id;type_oko;opc;actuele_naam_oko;aantal_kindplaatsen;ve;status;inschrijfdatum;"
    "opvanglocatie_adres;opvanglocatie_postcode;opvanglocatie_woonplaats;bag_id;naam_houder;"
    "kvk_nummer_houder;vestigingsnummer_houder;rechtsvorm_houder;start_geschillencommissie;"
    "einde_geschillencommissie;houder_adres;houder_postcode;houder_woonplaats;houder_buitenland;"
    "correspondentie_adres;correspondentie_postcode;correspondentie_woonplaats;"
    "correspondentie_buitenland;contact_persoon;contact_telefoon;contact_emailadres;"
    "contact_website;cbs_code;verantwoordelijke_gemeente;gastouderbureau_1;gastouderbureau_2;lrk_url"
)


def _open_data_export(tmp_path, rows, gemeente: str, cbs_code: str):
    lines = [OPEN_DATA_HEADER]
    for lrk_id, kind, places, postcode in rows:
        fields = dict.fromkeys(OPEN_DATA_HEADER.split(";"), "")
        fields.update(lrk_id=str(lrk_id), type_oko=kind, opc="Nee", actuele_naam_oko=f"Locatie {lrk_id}",
                      aantal_kindplaatsen=str(places), ve="Nee", status="Ingeschreven",
                      inschrijfdatum="01-01-2020", opvanglocatie_postcode=postcode,
                      bag_id="0518010000492877", contact_telefoon="''", cbs_code=cbs_code,
                      verantwoordelijke_gemeente=gemeente,
                      lrk_url=f"https://www.landelijkregisterkinderopvang.nl/pp/#/inzien/oko/gegevens/{lrk_id}")
        lines.append(";".join(fields.values()))
    path = tmp_path / "LRK_open_data_2024.csv"
    path.write_bytes(("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8"))
    return path


def test_the_open_data_layout_loads_and_its_cbs_code_names_the_register_gemeente(two_gemeenten, tmp_path):
    """A register gemeente named otherwise than CBS names it, with its locations on both sides of
    the border (no majority by postcode), is known by the export's cbs_code."""
    rows = [(111, "KDV", 48, "1234AB"), (222, "BSO", 20, "1234AC"),
            (333, "KDV", 30, "9999ZZ"), (334, "VGO", 4, "9999ZY")]
    result = lrk.import_lrk_file(two_gemeenten, _open_data_export(tmp_path, rows, "Oord (Gld)", "0001"))
    assert (result.locations, result.places, result.covered) == (4, 102, ["GM0001"])
    assert two_gemeenten.execute(
        "select distinct register_gemeente_code from raw_lrk__locations").fetchall() == [("GM0001",)]
    assert _per_gemeente(two_gemeenten) == [("GM0001", 2, 68), ("GM0002", 2, 34)]


@pytest.mark.parametrize(("stated", "expected"), [("0518", "GM0518"), ("518", "GM0518"),
                                                  ("GM0518", "GM0518"), ("", None), ("0", None),
                                                  ("05180", None), ("Den Haag", None)])
def test_a_cbs_code_is_read_as_a_gemeente_code_only_when_it_is_one(stated, expected):
    assert lrk._code_of(stated) == expected


def test_a_location_whose_register_gemeente_changed_between_exports_counts_once(two_gemeenten, tmp_path):
    """An export whose verantwoordelijke_gemeente matches no gemeente ('Oud-Oord') ties its
    locations to none, and a corrected export of Oord does not replace that group: both stayed
    active and every location counted twice. A location counts once per year, from the newest
    export: also its word that it has closed; one that only the older export lists still counts."""
    con = two_gemeenten
    # half of them at a postcode not in the table: the postcodes do not point to one gemeente
    old_name = [(111, "KDV", 48, "1234AB", "Oud-Oord"), (222, "BSO", 20, "1234AC", "Oud-Oord"),
                (223, "BSO", 16, "8888XX", "Oud-Oord"), (224, "KDV", 12, "8888XY", "Oud-Oord")]
    lrk.import_lrk_file(con, _gemeente_export(tmp_path, "lrk_a_2024.csv", old_name))
    assert con.execute("select distinct register_gemeente_code from raw_lrk__locations").fetchall() == [(None,)]
    assert _per_gemeente(con) == [("GM0001", 2, 68), (None, 2, 28)]
    corrected = [(111, "KDV", 50, "1234AB", "Oord"), (222, "BSO", 20, "1234AC", "Oord")]
    lrk.import_lrk_file(con, _gemeente_export(tmp_path, "lrk_b_2024.csv", corrected))
    # 111 and 222 once, as the newer export has them (111 with 50 places); 223 and 224 from the
    # older export, the only one that lists them
    assert _per_gemeente(con) == [("GM0001", 2, 70), (None, 2, 28)]
    assert con.execute("select lrk_id, places from stg_lrk__locations order by 1").fetchall() == [
        ("111", 50), ("222", 20), ("223", 16), ("224", 12)]
    # the newest export says a location has closed: it no longer counts, though the older
    # export (still active for the locations tied to no gemeente) has it open
    closing = tmp_path / "lrk_c_2024.csv"
    closing.write_text(
        "lrk_id;type_oko;aantal_kindplaatsen;opvanglocatie_postcode;status;uitschrijfdatum;"
        "verantwoordelijke_gemeente\n"
        "111;KDV;50;1234AB;Uitgeschreven;01-03-2024;Oord\n222;BSO;20;1234AC;Ingeschreven;;Oord\n",
        encoding="utf-8")
    lrk.import_lrk_file(con, closing)
    assert _per_gemeente(con) == [("GM0001", 1, 20), (None, 2, 28)]
