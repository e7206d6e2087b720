"""The handreiking table on Databronnen: who delivered each row, for which wijken, what is missing."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "registrations"))
from conftest import run_page  # noqa: E402
from support import filled_template, small_gemeente  # noqa: E402

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
    assert (vve["geleverd_door"], vve["periode"], vve["wijken"]) == ("GGD, JGZ Noord", "2024",
                                                                     "3 van 4")
    assert vve["ontbreekt"] == "geen rijen voor 1 wijk: Zuid-Éind (op de pagina's 0)"
    assert status.loc["jeugdhulp", "ontbreekt"] == (
        "niets voor 2024; geen rijen voor 3 wijken: Bloemhof, Oude Haven, Zuid-Éind")
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
    assert status.loc["wachtlijst-zorg", "wijken"] == "2 van 4 (1 met 0 gemeld)"
    assert status.loc["wachtlijst-zorg", "ontbreekt"] == (
        "geen rijen voor 2 wijken: Oude Haven, Zuid-Éind (op de pagina's 0)")


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
