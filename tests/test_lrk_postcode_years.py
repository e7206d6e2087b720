"""Each LRK location keeps the year of the postcode file that placed it in its wijk: a postcode year
loaded after an export places again the locations for which it is now the nearest year (in the
transaction of the load and the marts' rebuild), and the wijk profile says the years stored."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import ROOT, app_db_with_files
from conftest import run_page_as_analist as run_page
from kwb_files import kwb_rows, write_kwb_xlsx
from test_herindeling_outputs import LRK_HEADER, WIJK_LINES_BREAK, WIJK_WARNING
from test_trends_indeling import WIJKEN_BEFORE, kwb_2024

from data_sources import jobs, postcodes, store
from data_sources.errors import severity

# per year, postcode -> (buurt, wijk) of Zwolle as CBS writes them (without prefix): in 2024
# Binnenstad (019310) takes Diezerpoort's 8011AB, which lies in 019311 in the other years
ZWOLLE = {
    2021: {"8011AA": ("01931000", "019310"), "8011AB": ("01931100", "019311")},
    2023: {"8011AA": ("01931000", "019310"), "8011AB": ("01931100", "019311")},
    2024: {"8011AA": ("01931000", "019310"), "8011AB": ("01931001", "019310")},
}


def write_postcodes(folder: Path, year: int, rows: dict[str, tuple[str, str]] | None = None) -> Path:
    """CBS's 'pc6hnr<jaar>0801_gwb.csv' of Zwolle: a row per address, codes without prefix."""
    path = folder / f"pc6hnr{year}0801_gwb.csv"
    lines = [f"PC6;Huisnummer;Buurt{year};Wijk{year};Gemeente{year}"]
    for pc6, (buurt, wijk) in (rows or ZWOLLE[year]).items():
        lines += [f"{pc6};{number};{buurt};{wijk};0193" for number in (1, 3)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_export(folder: Path, year: int, binnenstad_places: int = 40) -> Path:
    """An LRK export of Zwolle (the register's columns): a KDV at 8011AA and one at 8011AB (30)."""
    path = folder / f"lrk_export_GM0193_{year}.csv"
    path.write_text(LRK_HEADER + "\n" + "\n".join(
        f"{lrk_id};KDV;Kindcentrum {name};{places};J;Ingeschreven;01-05-2018;;Straat 1;{postcode};Zwolle;"
        "Zwolle;;;;;;;;;;" for lrk_id, name, places, postcode in
        ((100000001, "Binnenstad", binnenstad_places, "8011 AA"), (100000002, "Diezerpoort", 30, "8011 AB")))
        + "\n", encoding="utf-8")
    return path


def placement(con) -> list[tuple]:
    return con.execute("select year, lrk_id, wijk_code, buurt_code, postcode_year from raw_lrk__locations"
                       " order by year, lrk_id").fetchall()


def places_per_wijk(con, year: int) -> list[tuple]:
    return con.execute("select wijk_code, sum(places) from supply_by_wijk where year = ?"
                       " group by wijk_code order by wijk_code", [year]).fetchall()


def test_a_postcode_file_of_the_exports_own_year_loaded_later_places_its_locations_again(tmp_path):
    """The export of 2024 read while only the postcodes of 2023 were there kept 2023's wijken after
    the postcodes of 2024 were loaded: its places per wijk followed another wijkindeling than the
    rest of 2024's figures. Now that load places it again (and says so); a farther year does not."""
    con = store.connect(tmp_path / "kindkaart.duckdb")
    try:
        jobs.import_cbs_file(con, write_postcodes(tmp_path, 2023))
        jobs.import_lrk(con, write_export(tmp_path, 2024), year=2024)
        jobs.import_lrk(con, write_export(tmp_path, 2023), year=2023)
        assert placement(con) == [
            (2023, "100000001", "WK019310", "BU01931000", 2023), (2023, "100000002", "WK019311", "BU01931100", 2023),
            (2024, "100000001", "WK019310", "BU01931000", 2023), (2024, "100000002", "WK019311", "BU01931100", 2023)]
        assert places_per_wijk(con, 2024) == [("WK019310", 40), ("WK019311", 30)]

        stored = jobs.import_cbs_file(con, write_postcodes(tmp_path, 2024))
        placed_again = [note for note in stored.notes if "LRK-locatie" in note]
        assert placed_again == [
            "Nu de postcodes van 2024 zijn geladen, zijn 2 LRK-locatie(s) opnieuw in een wijk geplaatst "
            "(elke locatie volgens de postcodes van het jaar van haar export, of anders het "
            "dichtstbijzijnde geladen jaar): 2 van de export van 2024 (eerder met de postcodes van 2023; "
            "1 daarvan nu in een andere wijk)."]
        assert severity(placed_again[0]) == "info"
        # the export of 2023 keeps its own year's postcodes; 2024's follows 2024's wijken
        assert placement(con) == [
            (2023, "100000001", "WK019310", "BU01931000", 2023), (2023, "100000002", "WK019311", "BU01931100", 2023),
            (2024, "100000001", "WK019310", "BU01931000", 2024), (2024, "100000002", "WK019310", "BU01931001", 2024)]
        assert places_per_wijk(con, 2024) == [("WK019310", 70)]
        assert places_per_wijk(con, 2023) == [("WK019310", 40), ("WK019311", 30)]

        # a year farther from both exports than the ones that placed them changes nothing, and
        # neither does the same file read again
        for path in (write_postcodes(tmp_path, 2021, {"8011AA": ("01931100", "019311"),
                                                     "8011AB": ("01931100", "019311")}),
                     write_postcodes(tmp_path, 2024)):
            stored = jobs.import_cbs_file(con, path)
            assert not [note for note in stored.notes if "LRK-locatie" in note], stored.notes
        assert placement(con)[2:] == [(2024, "100000001", "WK019310", "BU01931000", 2024),
                                      (2024, "100000002", "WK019310", "BU01931001", 2024)]
    finally:
        con.close()


def test_an_export_of_a_year_without_postcodes_follows_a_nearer_year_loaded_later(tmp_path):
    """The export of 2025 placed by 2023's postcodes moves to 2024's, the nearer year, when that is
    loaded; a postcode missing from every file loaded before is placed once a file has it."""
    con = store.connect(tmp_path / "kindkaart.duckdb")
    try:
        jobs.import_cbs_file(con, write_postcodes(tmp_path, 2023, {"8011AA": ("01931000", "019310")}))
        jobs.import_lrk(con, write_export(tmp_path, 2025), year=2025)
        assert placement(con) == [(2025, "100000001", "WK019310", "BU01931000", 2023),
                                  (2025, "100000002", None, None, None)]
        stored = jobs.import_cbs_file(con, write_postcodes(tmp_path, 2024))
        assert [note for note in stored.notes if "LRK-locatie" in note] == [
            "Nu de postcodes van 2024 zijn geladen, zijn 2 LRK-locatie(s) opnieuw in een wijk geplaatst "
            "(elke locatie volgens de postcodes van het jaar van haar export, of anders het "
            "dichtstbijzijnde geladen jaar): 2 van de export van 2025 (eerder met de postcodes van 2023 "
            "of zonder wijk; 1 daarvan nu in een andere wijk)."]
        assert placement(con) == [(2025, "100000001", "WK019310", "BU01931000", 2024),
                                  (2025, "100000002", "WK019310", "BU01931001", 2024)]
        assert places_per_wijk(con, 2025) == [("WK019310", 70)]
    finally:
        con.close()


@pytest.fixture
def other_wijk(tmp_path, monkeypatch):
    """Zwolle in kwb-2023 and kwb-2024, where CBS marks Binnenstad (WK019310) as another area
    under the same code (as in tests/test_herindeling_outputs.py)."""
    return app_db_with_files(tmp_path, monkeypatch,
                             write_kwb_xlsx(tmp_path / "kwb-2023.xlsx", kwb_rows(wijken=WIJKEN_BEFORE)),
                             kwb_2024(tmp_path, other_area=("WK019310",)))


def _profile_warnings(wijk_code: str) -> str:
    at = run_page("kaart", params={"gemeente": "GM0193"})
    at.selectbox(key="_profiel_wijk_choice").set_value(wijk_code).run()
    assert not at.exception, at.exception
    return " ".join(str(w.value) for w in at.warning)


def _profile_places(wijk_code: str) -> list[str]:
    at = run_page("kaart", params={"gemeente": "GM0193"})
    at.selectbox(key="_profiel_wijk_choice").set_value(wijk_code).run()
    per_year = next(d.value for d in at.dataframe if "2023" in d.value.columns)
    return list(per_year[["2023", "2024"]].iloc[0])


def test_the_wijk_profile_follows_the_postcodes_loaded_after_the_exports(other_wijk, tmp_path):
    """Postcodes of 2023, the exports of 2023 and 2024, then the postcodes of 2024: Binnenstad's
    2024 column counts 2024's Binnenstad (with 8011AB), and the note names the years that placed
    each export."""
    con = store.connect(other_wijk)
    try:
        jobs.import_cbs_file(con, write_postcodes(tmp_path, 2023), gemeenten=["GM0193"])
        for year in (2023, 2024):
            jobs.import_lrk(con, write_export(tmp_path, year, {2023: 40, 2024: 56}[year]), year=year)
        jobs.import_cbs_file(con, write_postcodes(tmp_path, 2024), gemeenten=["GM0193"])
    finally:
        con.close()
    assert _profile_places("WK019310") == ["40", "86"]
    assert _profile_warnings("WK019310") == WIJK_WARNING + WIJK_LINES_BREAK + (
        " In *Plekken per jaar* telt elke LRK-export in de wijk volgens de postcodes van zijn eigen "
        "jaar of het dichtstbijzijnde geladen jaar (2023: postcodes van 2023; 2024: postcodes van "
        "2024): de kolommen vóór 2024 tellen de plekken van het andere gebied.")


def _as_before_migration_0090(database: Path) -> None:
    """The database as a Kindkaart without raw_lrk__locations.postcode_year left it."""
    con = store.connect(database)
    try:
        con.execute("alter table raw_lrk__locations drop column postcode_year")
        con.execute("delete from schema_migrations where version = 90")
    finally:
        con.close()


def _postcodes_stored_by_a_kindkaart_before_0090(database: Path, path: Path) -> None:
    """The postcode file at `path` loaded as a Kindkaart before migration 0090 loaded it (stored
    without placing any LRK location again), and the database as that Kindkaart left it."""
    con = store.connect(database)
    try:
        year, frame = postcodes.read_postcode_file(path)
        with store.transaction(con):
            postcodes.store_postcodes(con, frame, year=year)
    finally:
        con.close()
    _as_before_migration_0090(database)


def test_an_older_database_migrates_with_the_years_that_can_be_known(other_wijk, tmp_path):
    """A database of before the postcode year was stored: each location gets the year the loader's
    rule took over the postcodes loaded before its export, unless the postcodes of a year the rule
    would have taken were loaded again since (then 'onbekend', said in the wijk profile, where the
    rule worked out again from today's postcodes named 2024). Reading that year's postcodes again
    places those locations and makes the year known."""
    con = store.connect(other_wijk)
    try:
        jobs.import_cbs_file(con, write_postcodes(tmp_path, 2023), gemeenten=["GM0193"])
        jobs.import_cbs_file(con, write_postcodes(tmp_path, 2024, ZWOLLE[2023]), gemeenten=["GM0193"])
        for year in (2023, 2024):
            jobs.import_lrk(con, write_export(tmp_path, year, {2023: 40, 2024: 56}[year]), year=year)
    finally:
        con.close()
    # the postcodes of 2024 loaded again as an older Kindkaart did: without placing anything
    _postcodes_stored_by_a_kindkaart_before_0090(other_wijk, write_postcodes(tmp_path, 2024, ZWOLLE[2023]))

    con = store.connect(other_wijk)  # migrates
    try:
        assert con.execute("select max(version) from schema_migrations").fetchone() == (90,)
        assert placement(con) == [
            (2023, "100000001", "WK019310", "BU01931000", 2023), (2023, "100000002", "WK019311", "BU01931100", 2023),
            (2024, "100000001", "WK019310", "BU01931000", None), (2024, "100000002", "WK019311", "BU01931100", None)]
    finally:
        con.close()
    warnings = _profile_warnings("WK019310")
    assert ("(2023: postcodes van 2023; 2024: postcodes van een onbekend jaar). Met welk postcodejaar (een "
            "deel van) de locaties van 2024 in een wijk is geplaatst, is onbekend") in warnings, warnings
    assert "de kolommen vóór 2024 tellen" not in warnings

    con = store.connect(other_wijk)
    try:
        stored = jobs.import_cbs_file(con, write_postcodes(tmp_path, 2024), gemeenten=["GM0193"])
        assert [note for note in stored.notes if "LRK-locatie" in note] == [
            "Nu de postcodes van 2024 zijn geladen, zijn 2 LRK-locatie(s) opnieuw in een wijk geplaatst "
            "(elke locatie volgens de postcodes van het jaar van haar export, of anders het "
            "dichtstbijzijnde geladen jaar): 2 van de export van 2024 (eerder met postcodes van een "
            "onbekend jaar; 1 daarvan nu in een andere wijk)."]
    finally:
        con.close()
    assert _profile_places("WK019310") == ["40", "86"]
    assert "2024: postcodes van 2024): de kolommen vóór 2024 tellen" in _profile_warnings("WK019310")


def test_the_migration_keeps_the_year_where_it_can_be_known(tmp_path):
    """The common old database: postcodes loaded once before the exports (the year is the rule's),
    and a nearer year loaded after an export without placing it again (the year stays the one that
    placed it, not the nearer one)."""
    database = tmp_path / "kindkaart.duckdb"
    con = store.connect(database)
    try:
        jobs.import_cbs_file(con, write_postcodes(tmp_path, 2023))
        jobs.import_lrk(con, write_export(tmp_path, 2024), year=2024)
    finally:
        con.close()
    _postcodes_stored_by_a_kindkaart_before_0090(database, write_postcodes(tmp_path, 2024))
    con = store.connect(database)
    try:
        assert placement(con) == [(2024, "100000001", "WK019310", "BU01931000", 2023),
                                  (2024, "100000002", "WK019311", "BU01931100", 2023)]
    finally:
        con.close()


def _sample_postcodes_of_2023(folder: Path) -> Path:
    """The sample's postcode file as a file of 2023 in which CBS put the postcodes 9901D.. of wijk
    999901 in 999902: the sample's LRK exports of 2022 and 2023 (placed by 2024's postcodes, the
    only ones) then lie nearer to it."""
    text = (ROOT / "sample_data" / "postcodes" / "pc6hnr20240801_gwb.csv").read_text(encoding="utf-8")
    lines = text.replace("2024", "2023").splitlines()
    moved = [";".join([pc6, number, "99990201", "999902", gemeente]) if pc6.startswith("9901D") else line
             for line in lines for pc6, number, _, _, gemeente in [(line.split(";"))]]
    assert moved != lines
    path = folder / "pc6hnr20230801_gwb.csv"
    path.write_text("\n".join(moved) + "\n", encoding="utf-8")
    return path


def test_a_killed_postcode_load_leaves_the_old_placement_or_the_new(sample_db, tmp_path):
    """Killed with kill -9 at random moments, `import-cbs` of a postcode year that places LRK
    locations again leaves the postcodes, the placement and the marts of before, or all of after."""
    from test_kill import _command
    from test_kill_loads import kill_at_random, whole_state

    path = tmp_path / "db" / "kindkaart.duckdb"
    path.parent.mkdir()
    command = _command("import-cbs", str(_sample_postcodes_of_2023(tmp_path)), "--db", str(path))

    def fresh() -> None:
        path.with_name(path.name + ".wal").unlink(missing_ok=True)
        shutil.copy(sample_db, path)

    def state() -> tuple:
        loads, audit = whole_state(path)  # every mart as a full build of the raw tables makes it
        con = store.connect(path, read_only=True)
        try:
            return (loads, audit, placement(con),
                    con.execute("select year, wijk_code, sum(places) from supply_by_wijk"
                                " group by all order by all").fetchall())
        finally:
            con.close()

    fresh()
    before = state()
    assert {row[4] for row in before[2] if row[2] is not None} == {2024}
    outcomes = kill_at_random(command, fresh, state, "import-cbs postcodes 2023")
    after = state()
    # the exports of 2022 and 2023 follow 2023's postcodes now, the export of 2024 its own
    assert {(row[0], row[4]) for row in after[2] if row[2] is not None} == {(2022, 2023), (2023, 2023),
                                                                            (2024, 2024)}
    assert after[3] != before[3]
    assert "old" in outcomes


def lrk_note(con, year: int) -> str | None:
    return con.execute("select note from loads where dataset = 'lrk-locaties' and year = ?", [year]).fetchone()[0]


def test_the_note_of_an_export_placed_again_counts_the_postcodes_still_missing(tmp_path):
    """An export read while the postcode table lacked 8011AB kept '1 postcode(s) niet in de
    postcodetabel' in its load's note after a postcode year placed that location: the note now
    counts what is missing after each placement (and says it again when a file drops a postcode)."""
    con = store.connect(tmp_path / "kindkaart.duckdb")
    try:
        jobs.import_cbs_file(con, write_postcodes(tmp_path, 2023, {"8011AA": ("01931000", "019310")}))
        export = write_export(tmp_path, 2024)
        # a deregistered location too, so that the note holds another part beside the count
        export.write_text(export.read_text(encoding="utf-8")
                          + "100000003;KDV;Kindcentrum Oud;12;J;Uitgeschreven;01-05-2010;01-01-2020;Straat 2;"
                          "8011 AA;Zwolle;Zwolle;;;;;;;;;;\n", encoding="utf-8")
        result = jobs.import_lrk(con, export, year=2024)
        assert result.unmapped_postcodes == ["8011AB"]
        assert lrk_note(con, 2024) == ("1 postcode(s) niet in de postcodetabel; "
                                       "1 uitgeschreven locatie(s), niet meegeteld")

        jobs.import_cbs_file(con, write_postcodes(tmp_path, 2024))
        assert placement(con)[1] == (2024, "100000002", "WK019310", "BU01931001", 2024)
        assert lrk_note(con, 2024) == "1 uitgeschreven locatie(s), niet meegeteld"

        # the postcodes of 2024 loaded again without 8011AB: 2023's lack it too, so it is unplaced
        jobs.import_cbs_file(con, write_postcodes(tmp_path, 2024, {"8011AA": ("01931000", "019310")}))
        assert placement(con)[1] == (2024, "100000002", None, None, None)
        assert lrk_note(con, 2024) == ("1 postcode(s) niet in de postcodetabel; "
                                       "1 uitgeschreven locatie(s), niet meegeteld")
    finally:
        con.close()



def test_the_wijk_profile_says_the_stored_year_where_todays_postcodes_would_say_another(other_wijk, tmp_path):
    """Exports of 2023 and 2024 placed by the postcodes of 2023; those of 2024 loaded after them by
    a Kindkaart that did not place locations again (the migration keeps 2023, the year that placed
    them). The placement rule worked out from today's postcodes says 2024 for the export of 2024,
    and the note said so: that the columns before 2024 count another area, while every column
    counts 2023's Binnenstad. And it called 2023's file 'het enige geladen postcodebestand' with
    2024's loaded too. The note follows the stored year, and names the file loaded but not used."""
    con = store.connect(other_wijk)
    try:
        jobs.import_cbs_file(con, write_postcodes(tmp_path, 2023), gemeenten=["GM0193"])
        for year in (2023, 2024):
            jobs.import_lrk(con, write_export(tmp_path, year, {2023: 40, 2024: 56}[year]), year=year)
    finally:
        con.close()
    _postcodes_stored_by_a_kindkaart_before_0090(other_wijk, write_postcodes(tmp_path, 2024))
    con = store.connect(other_wijk)  # migrates, and builds the marts over the stored placement
    try:
        assert [row[-1] for row in placement(con)] == [2023] * 4
        # the rule over today's postcodes: 2024 for the export of 2024
        assert con.execute("select distinct p.year from raw_lrk__locations as l inner join postcodes"
                           " as p on p.pc6 = l.postcode where l.year = 2024 and p.year = 2024").fetchall()
    finally:
        con.close()
    assert _profile_places("WK019310") == ["40", "56"]  # Diezerpoort's 8011AB in neither column
    warnings = _profile_warnings("WK019310")
    assert warnings == WIJK_WARNING + WIJK_LINES_BREAK + (
        " In *Plekken per jaar* tellen alle jaren de plekken in de wijk volgens het postcodebestand "
        "van 2023: één afbakening over de hele rij, geen ander gebied. Welke plekken in de "
        "afbakening van 2024 of later lagen, is niet te zien: de postcodes van 2024 zijn geladen, "
        "maar geen LRK-export is ermee geplaatst."), warnings

    con = store.connect(other_wijk)
    try:  # read again, the postcodes of 2024 place the export of 2024, and the note follows
        jobs.import_cbs_file(con, write_postcodes(tmp_path, 2024), gemeenten=["GM0193"])
    finally:
        con.close()
    assert _profile_places("WK019310") == ["40", "86"]
    assert "(2023: postcodes van 2023; 2024: postcodes van 2024): de kolommen vóór 2024 tellen" in (
        _profile_warnings("WK019310"))
