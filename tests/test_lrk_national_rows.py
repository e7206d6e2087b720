"""An analist of one gemeente reads the register's national export: the rows of other gemeenten
must not change how the gemeente's own rows are read (the decimal sign of the places) nor what
its notes say. Each export is the open-data download as published, built here."""

from __future__ import annotations

import pytest
from test_lrk_exports import _amsterdam, _open_data_export, _open_data_rows

from data_sources import lrk
from data_sources.errors import InputRefused

OTHER_GEMEENTE = ("1 locatie(s) van 1 andere gemeente(n) niet opgeslagen: alleen de locaties van "
                  "GM0001 horen bij uw account")


def _national(path, oord_places: str, amsterdam_places: str):
    """The download with Oord's first location at `oord_places` and one location of Amsterdam
    (row 7) at `amsterdam_places`."""
    rows = _open_data_rows()
    rows[0]["aantal_kindplaatsen"] = oord_places
    return _open_data_export(path, [*rows, _amsterdam(rows[1], aantal_kindplaatsen=amsterdam_places)])


@pytest.mark.parametrize("amsterdam", ["60.00", "48,5", "60"])
def test_a_decimal_point_in_a_row_of_another_gemeente_does_not_make_the_places_ambiguous(
        postcode_con, tmp_path, amsterdam):
    """'60.00' in a row of Amsterdam (an odd or damaged row) made Oord's '1.200' ambiguous ('de
    punt is in deze kolom het decimaalteken (zoals in '60.00' op rij 7)') and refused the export
    for an analist of Oord. Only Oord's rows say which sign is the decimal sign there."""
    path = _national(tmp_path / "export_opendata_lrk.csv", "1.200", amsterdam)
    result = lrk.import_lrk_file(postcode_con, path, year=2024, within={"GM0001"})
    assert (result.locations, result.places) == (5, 1260)
    assert result.notes == [
        "kolom aantal_kindplaatsen: '1.200' (rij 2) gelezen als 1200: een aantal kindplaatsen is "
        "een heel getal, dus de punt scheidt daar duizendtallen (en is nergens in de kolom een "
        "decimaalteken)", OTHER_GEMEENTE]
    assert postcode_con.execute("select places from raw_lrk__locations where lrk_id = '204857361'"
                                ).fetchone() == (1200,)


def test_a_decimal_point_in_a_row_of_another_gemeente_does_not_make_a_comma_a_thousands_sign(
        postcode_con, tmp_path):
    """The other way round: Oord's '1,200' in the register's CSV with ';' (whose decimal sign is
    the comma) is ambiguous; Amsterdam's '48.5' made it 1200 without a word of doubt. It is
    refused, naming Oord's row and column, and nothing is stored."""
    path = _national(tmp_path / "export_opendata_lrk.csv", "1,200", "48.5")
    with pytest.raises(InputRefused) as refused:
        lrk.import_lrk_file(postcode_con, path, year=2024, within={"GM0001"})
    assert refused.value.messages == [
        "Bestand export_opendata_lrk.csv, rij 2, kolom aantal_kindplaatsen: '1,200' is niet "
        "eenduidig: de komma is het decimaalteken van een CSV-bestand met ';' als scheidingsteken. "
        "Het kan 1200 kindplaatsen zijn of een getal met decimalen; schrijf het aantal zonder "
        "scheidingsteken (1200).", "Er is niets opgeslagen."]
    assert postcode_con.execute("select count(*) from raw_lrk__locations").fetchone() == (0,)


def test_places_of_another_gemeente_read_with_thousands_are_not_in_the_notes(postcode_con, tmp_path):
    """Amsterdam's '1.500' was named in Oord's note ('1.500' (rij 7) gelezen als 1500), a row
    that is not stored for Oord."""
    path = _national(tmp_path / "export_opendata_lrk.csv", "1.200", "1.500")
    result = lrk.import_lrk_file(postcode_con, path, year=2024, within={"GM0001"})
    assert result.notes[0] == (
        "kolom aantal_kindplaatsen: '1.200' (rij 2) gelezen als 1200: een aantal kindplaatsen is "
        "een heel getal, dus de punt scheidt daar duizendtallen (en is nergens in de kolom een "
        "decimaalteken)")


def test_gastouderopvang_of_another_gemeente_is_not_counted_in_the_note(postcode_con, tmp_path):
    """'Gastouderopvang' is read as VGO or GOB by its places, and the note counts the rows so read:
    a gastouder of Amsterdam made it '2 rij(en)' for Oord's one."""
    rows = _open_data_rows()
    rows[2]["type_oko"] = "Gastouderopvang"
    path = _open_data_export(tmp_path / "export_opendata_lrk.csv",
                             [*rows, _amsterdam(rows[2]), _amsterdam(rows[3], lrk_id="100000000010",
                                                                      type_oko="Gastouderopvang")])
    result = lrk.import_lrk_file(postcode_con, path, year=2024, within={"GM0001"})
    assert result.notes == [
        "kolom type_oko: 'Gastouderopvang' gelezen als VGO (het huis van de gastouder) in 1 rij(en) "
        "met kindplaatsen", "2 locatie(s) van 1 andere gemeente(n) niet opgeslagen: alleen de "
        "locaties van GM0001 horen bij uw account"]


def test_the_page_reads_oords_places_whatever_a_row_of_amsterdam_writes(app_db):
    """On Gemeente laden an analist of Voorbeeldstad reads the national download in which
    Voorbeeldstad writes '1.200' and Amsterdam '60.00': it was refused naming Amsterdam's row."""
    from conftest import add_account, run_page

    from data_sources.accounts import Account

    rows = _open_data_rows()[:2]
    for row, postcode in zip(rows, ("9901DM", "9901GP"), strict=True):
        row.update(opvanglocatie_postcode=postcode, opvanglocatie_woonplaats="Voorbeeldstad",
                   cbs_code="9999", verantwoordelijke_gemeente="Voorbeeldstad")
    rows[0]["aantal_kindplaatsen"] = "1.200"
    path = _open_data_export(app_db.parent / "export_opendata_lrk.csv",
                             [*rows, _amsterdam(rows[1], aantal_kindplaatsen="60.00")])
    add_account(app_db, "ana", "analist", gemeenten=["GM9999"])
    at = run_page("gemeente_laden", account=Account("ana", "analist"))
    at.file_uploader(key="laden_lrk").set_value(("export_opendata_lrk.csv", path.read_bytes(),
                                                 "text/csv"))
    at.number_input(key="laden_lrk_jaar").set_value(2024)
    at.run()
    next(b for b in at.button if b.label == "LRK-export inlezen").click()
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert [s.value for s in at.success] == [
        "export_opendata_lrk.csv is ingelezen: 2 ingeschreven locaties met samen 1240 kindplaatsen, "
        "jaar 2024."]
    assert ("Kolom aantal_kindplaatsen: '1.200' (rij 2) gelezen als 1200: een aantal kindplaatsen "
            "is een heel getal, dus de punt scheidt daar duizendtallen (en is nergens in de kolom "
            "een decimaalteken).") in [i.value for i in at.info]

