"""Real StatLine downloads, byte for byte (tests/fixtures/cbs/downloads): 03759ned and the
Kerncijfers wijken en buurten 2019 of 's-Gravenhage, and 03759ned of Amsterdam alone."""

from __future__ import annotations

import shutil

import pytest
from conftest import ROOT, app_db_with_files
from conftest import run_page_as_analist as run_page

from data_sources import store
from data_sources.cbs.formats import read_cbs_file
from data_sources.cbs.loading import KERNCIJFERS_TABLES
from data_sources.jobs import import_cbs_file as import_file

DOWNLOADS = ROOT / "tests" / "fixtures" / "cbs" / "downloads"
AGES_DEN_HAAG = "03759ned_UntypedDataSet_GM0518_2019.csv"
AGES_AMSTERDAM = "03759ned_UntypedDataSet_GM0363_2021.csv"
KWB_DEN_HAAG = "84583NED_UntypedDataSet_GM0518.csv"
# 's-Gravenhage on 1 January 2019, ages 0-14, as in the file (Totaal mannen en vrouwen, T001038)
DEN_HAAG_2019 = [6226, 6396, 6374, 6210, 6354, 6164, 6275, 6306, 6324, 6178, 6136, 5925, 5998,
                 5814, 5852]


def test_03759ned_with_keys_gives_the_persons_per_age(con):
    import_file(con, DOWNLOADS / AGES_DEN_HAAG)
    import_file(con, DOWNLOADS / AGES_AMSTERDAM)
    rows = con.execute("select gemeente_code, year, list(persons order by age)"
                       " from raw_cbs__population_by_age group by all order by 1").fetchall()
    assert rows == [
        ("GM0363", 2021, [9898, 9322, 8721, 8440, 8181, 8030, 7925, 7744, 7756, 7884, 8164, 8015,
                          7903, 7604, 7479]),
        ("GM0518", 2019, DEN_HAAG_2019),
    ]


def test_kwb_2019_with_keys_and_03759ned_make_every_wijk_with_its_name(con):
    import_file(con, DOWNLOADS / KWB_DEN_HAAG)
    import_file(con, DOWNLOADS / AGES_DEN_HAAG)
    wijken = con.execute(
        "select count(distinct wijk_code), sum(children), min(population_source),"
        " max(population_source) from population_by_wijk_age"
        " where gemeente_code = 'GM0518' and year = 2019").fetchone()
    # no secret wijk: the shares of a_00_14 add up to one, the children to the gemeente's 0-11
    assert wijken[0] == 44
    assert round(wijken[1]) == sum(DEN_HAAG_2019[:12]) == 74868
    assert wijken[2:] == ("cbs-schatting", "cbs-schatting")
    # Laakkwartier: 7.305 of the wijken's 92.515 children under 15, times 6.226 + 6.396 aged 0-1
    laak = con.execute("select wijk_name, round(children, 1) from population_by_wijk_age"
                       " where wijk_code = 'WK051838' and age_group = '0-2'").fetchone()
    assert laak == ("Wijk 38 Laakkwartier en Spoorwijk", 996.6)
    reconciled = dict(con.execute(
        "select kwb_column, (gemeente_value, wijken_sum, within_rounding)"
        " from kerncijfers_reconciliation where gemeente_code = 'GM0518'").fetchall())
    assert reconciled["a_00_14"] == (92532, 92515, True)
    assert reconciled["a_inw"] == (537833, 537680, True)


def test_a_gemeente_with_only_03759ned_offers_its_year_and_says_what_is_missing(tmp_path,
                                                                              monkeypatch):
    app_db_with_files(tmp_path, monkeypatch, DOWNLOADS / AGES_AMSTERDAM)
    at = run_page()
    assert not at.exception
    assert at.sidebar.selectbox[0].options == ["Amsterdam (GM0363)"]
    assert at.sidebar.selectbox[1].options == ["2021"]
    warnings = " ".join(str(w.value) for w in at.warning)
    assert "Voor Amsterdam in 2021 ontbreekt het aantal kinderen van 0 tot 15 jaar per wijk" in warnings
    assert "kwb-2021.xlsx" in warnings


@pytest.mark.parametrize(("year", "table_id"), sorted(KERNCIJFERS_TABLES.items()))
def test_a_statline_download_takes_its_year_from_the_table_id(tmp_path, year, table_id):
    # StatLine names a download after its table: 85039NED_UntypedDataSet_03122026_120000.csv
    path = tmp_path / f"{table_id}_UntypedDataSet_03122026_120000.csv"
    shutil.copy(DOWNLOADS / KWB_DEN_HAAG, path)
    cbs_file = read_cbs_file(path)
    assert (cbs_file.kind, cbs_file.table.period) == ("kerncijfers", str(year))


def _den_haag_2019(tmp_path, name: str, levels: tuple[str, ...]) -> object:
    """The real 2019 download of 's-Gravenhage with only the rows of these SoortRegio levels
    (StatLine's selection under 'Wijken en buurten')."""
    header, *rows = (DOWNLOADS / KWB_DEN_HAAG).read_text(encoding="utf-8-sig").splitlines()
    kept = [row for row in rows if row.split(";")[2].strip('"').strip() in levels]
    path = tmp_path / name
    path.write_text("\n".join([header, *kept]) + "\n", encoding="utf-8-sig")
    return path


def test_a_download_of_only_buurten_says_at_once_and_on_the_page_that_the_wijken_are_missing(
        tmp_path, monkeypatch):
    """A StatLine selection of the buurten alone was stored without a word, and every page then
    said to load kwb-2019.xlsx, as if nothing had been read."""
    path = _den_haag_2019(tmp_path, KWB_DEN_HAAG, ("Buurt",))
    connection = store.connect(app_db_with_files(tmp_path, monkeypatch))
    try:
        stored = import_file(connection, path)
        buurten = connection.execute("select count(distinct region_code) from raw_cbs__kerncijfers"
                                     " where region_level = 'buurt'").fetchone()[0]
    finally:
        connection.close()
    assert buurten > 100
    [note] = stored.notes
    assert note.startswith("Dit bestand heeft alleen buurten, geen wijken (GM0518, 2019)")
    assert "kwb-2019.xlsx" in note and "ook de wijken" in note
    at = run_page()
    assert not at.exception
    warnings = " ".join(str(w.value) for w in at.warning)
    assert f"Voor 's-Gravenhage in 2019 zijn alleen buurten geladen ({buurten}), geen wijken" in warnings


def test_a_download_of_only_the_gemeente_says_at_once_that_it_makes_no_children_per_wijk(con, tmp_path):
    stored = import_file(con, _den_haag_2019(tmp_path, KWB_DEN_HAAG, ("Gemeente",)))
    [note] = stored.notes
    assert note.startswith("Dit bestand heeft alleen gemeentecijfers, geen wijken (GM0518, 2019)")


def test_buurten_after_the_wijken_of_the_same_year_are_stored_without_a_note(con, tmp_path):
    import_file(con, _den_haag_2019(tmp_path, KWB_DEN_HAAG, ("Gemeente", "Wijk")))
    stored = import_file(con, _den_haag_2019(tmp_path, "84583NED_buurten.csv", ("Buurt",)))
    assert stored.notes == []
    assert con.execute("select count(distinct wijk_code) from population_by_wijk_age"
                       " where gemeente_code = 'GM0518' and year = 2019").fetchone()[0] == 44


@pytest.mark.parametrize("name", ["84583NED_UntypedDataSet_2024-05-01.csv",
                                  "kerncijfers_84583NED_download_2025.csv"])
def test_a_download_named_with_another_year_keeps_the_year_of_its_table(con, tmp_path, name):
    """A name with the day it was saved made the kwb of 2019 (84583NED) the kwb of 2024."""
    shutil.copy(DOWNLOADS / KWB_DEN_HAAG, tmp_path / name)
    import_file(con, tmp_path / name)
    assert con.execute("select distinct year from raw_cbs__kerncijfers").fetchall() == [(2019,)]


def test_the_untyped_odata_answer_of_a_kwb_is_read_as_data(con, tmp_path):
    """OData v3's UntypedDataSet (every figure as padded text), saved from the browser, was
    refused as a description file without figures."""
    import csv
    import json

    with (DOWNLOADS / KWB_DEN_HAAG).open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    name = "UntypedDataSet.json"
    (tmp_path / name).write_text(json.dumps({
        "odata.metadata": "https://opendata.cbs.nl/ODataApi/OData/84583NED/$metadata"
                          "#Cbs.OData.WebAPI.UntypedDataSet", "value": rows}), encoding="utf-8")
    children = ("select wijk_code, age_group, children from population_by_wijk_age"
                " where gemeente_code = 'GM0518' and year = 2019 order by all")
    import_file(con, tmp_path / name)
    from_json = con.execute(children).fetchall()
    # the same children per wijk as the StatLine CSV of the same table gives
    from_csv = store.connect(":memory:")
    try:
        import_file(from_csv, DOWNLOADS / KWB_DEN_HAAG)
        assert from_json == from_csv.execute(children).fetchall()
    finally:
        from_csv.close()
    assert len({wijk for wijk, *_ in from_json}) == 44
