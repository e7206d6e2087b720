"""The handreiking table on Databronnen: who delivered each row, for which wijken, what is missing."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "registrations"))
from conftest import run_page  # noqa: E402
from support import filled_template, small_gemeente  # noqa: E402

import transforms  # noqa: E402
from data_sources.registrations.importing import import_workbook  # noqa: E402
from transforms.deliveries import delivery_status  # noqa: E402


def test_status_names_deliverers_coverage_and_gaps(con):
    small_gemeente(con)
    import_workbook(con, filled_template("vve-indicaties", [
        ["Centrum", "2-4", "SES", 4], ["Bloemhof", "2-4", "SES", 9]]),
        "vve-indicaties", "GGD", "2024", "vve.xlsx")
    import_workbook(con, filled_template("vve-indicaties", [["Oude Haven", "2-4", "SES", 3]]),
                    "vve-indicaties", "JGZ Noord", "2024", "vve2.xlsx")
    import_workbook(con, filled_template("jeugdhulp", [["Centrum", None, "ambulant", "4-12", 3]]),
                    "jeugdhulp", "Gemeente", "2023", "jh.xlsx")
    status = delivery_status(con, "GM9999", 2024).set_index("soort")
    assert list(status["rij"]) == list(range(1, 11))
    vve = status.loc["vve-indicaties"]
    assert (vve["geleverd_door"], vve["periode"], vve["wijken"]) == (
        "GGD, JGZ Noord", "2024", "3 van 4; geen rijen voor 1 wijk: Zuid-Éind (op de pagina's 0)")
    assert vve["ontbreekt"] == "niets"
    assert status.loc["jeugdhulp", "wijken"] == (
        "1 van 4; geen rijen voor 3 wijken: Bloemhof, Oude Haven, Zuid-Éind")
    assert status.loc["jeugdhulp", "ontbreekt"] == "niets voor 2024"
    # who provides a missing registration (the handreiking's supplier), so the LEA knows whom to ask
    assert status.loc["groepsgrootte", "ontbreekt"] == "nog niet aangeleverd (levert: kinderopvang)"
    assert status.loc["speciaal-onderwijs", "ontbreekt"] == (
        "nog niet aangeleverd (levert: samenwerkingsverband, scholen, leerplicht)")
    assert status.loc["groepsgrootte", "wijken"] == ""
    assert (vve["organisaties"], status.loc["groepsgrootte", "organisaties"]) == ("2", "0")


def test_status_tells_zero_reported_from_not_delivered(con):
    small_gemeente(con)
    import_workbook(con, filled_template("wachtlijst-zorg", [
        ["Centrum", None, "kdc/mkd", "0-2", 0, None, None],
        ["Bloemhof", None, "kdc/mkd", "0-2", 6, 12, None]]),
        "wachtlijst-zorg", "De Linde", "2024", "wl.xlsx")
    status = delivery_status(con, "GM9999", 2024).set_index("soort")
    # Centrum reported 0 waiting; Oude Haven and Zuid-Éind have no rows, which the pages read as
    # 0 (no one on the list), not as 'niet geleverd' (a row nobody delivered for the year)
    assert status.loc["wachtlijst-zorg", "wijken"] == (
        "2 van 4 (1 met 0 gemeld); geen rijen voor 2 wijken: Oude Haven, Zuid-Éind (op de pagina's 0)")
    assert status.loc["wachtlijst-zorg", "ontbreekt"] == "niets"


def test_a_delivery_without_rows_for_a_wijk_is_complete(con):
    """Rows 2, 7 and 9 delivered for 2024 with nothing to report for Zuid-Éind were counted as
    incomplete ('Rijen compleet'): a wijk without rows in a delivery is 0 on the pages, not
    'niet geleverd'. A row is owed when nobody delivered it, or nothing for the year."""
    small_gemeente(con)
    transforms.build(con)  # row 2 names the LRK's locations beside its own (stg_lrk__locations)
    delivered = {
        "extra-ondersteuning": [["Centrum", "Zon", "2-4", "gedrag", None, 3],
                                ["Oude Haven", None, "0-2", "taal/spraak", None, 2],
                                ["Bloemhof", None, "2-4", "gedrag", None, 0]],
        "ondersteuningstrajecten": [["Centrum", "De Linde", "logopedie", "2-4", 5, 7, 120],
                                    ["Oude Haven", "De Linde", "logopedie", "2-4", 2, 2, 30],
                                    ["Bloemhof", "De Linde", "logopedie", "0-2", 1, 1, 10]],
        "wachtlijst-zorg": [["Centrum", None, "kdc/mkd", "0-2", 4, 12, None],
                            ["Oude Haven", None, "kdc/mkd", "2-4", 2, 8, None],
                            ["Bloemhof", None, "kdc/mkd", "0-2", 6, 12, None]],
    }
    for soort, rows in delivered.items():
        import_workbook(con, filled_template(soort, rows), soort, "De Linde", "2024", f"{soort}.xlsx")
    # and one delivered only for another year: still owed for 2024
    import_workbook(con, filled_template("jeugdhulp", [["Centrum", None, "ambulant", "4-12", 3]]),
                    "jeugdhulp", "Gemeente", "2023", "jh.xlsx")
    status = delivery_status(con, "GM9999", 2024).set_index("soort")
    for soort in delivered:
        assert status.loc[soort, "ontbreekt"] == "niets", status.loc[soort]
        assert status.loc[soort, "wijken"].startswith("3 van 4"), status.loc[soort]
        assert "Zuid-Éind" in status.loc[soort, "wijken"]
    assert status.loc["jeugdhulp", "ontbreekt"] == "niets voor 2024"
    complete = status[status["ontbreekt"] == "niets"]
    assert sorted(complete["rij"]) == [2, 7, 9]


def test_databronnen_counts_rows_delivered_without_rows_for_some_wijken_as_complete(app_db):
    # the sample delivered every row for 2024; rows 2, 6, 7 and 9 have no rows for some wijken
    # (Buitengebied, ...), which the page named under 'Ontbreekt' and counted as incomplete
    at = run_page("databronnen")
    assert not at.exception, at.exception
    table = at.dataframe[0].value.set_index("Rij")
    for row in (2, 6, 7, 9):
        assert "Buitengebied" in table.loc[row, "Wijken"], table.loc[row]
        assert "(op de pagina's 0)" in table.loc[row, "Wijken"]
    owed = table[table["Ontbreekt"] != "niets"]
    assert owed.empty, owed
    metric = [m for m in at.metric if m.label == "Rijen compleet"][0]
    assert metric.value == f"{len(table)} van {len(table)}"


def test_databronnen_page_shows_the_handreiking_table(app_db):
    at = run_page("databronnen")
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table["Rij"]) == list(range(1, 11))
    assert table.set_index("Soort").loc["vve-indicaties", "Geleverd door"] == (
        "GGD Voorbeeldregio (JGZ)")
    # a childcare delivery names how much of the gemeente's LRK it covers: the 46 registered
    # locations with places the supply counts (17 KDV, 15 BSO, 14 VGO), not the 4 deregistered ones
    assert table.set_index("Soort").loc["kinderopvang-bezetting", "Organisaties"] == (
        "1 (10 locaties; het LRK telt er 46)")
