"""The CBS loaders against the real CBS/PDOK material in ../shared/real_data (skipped when absent)."""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import REAL_DATA

from data_sources import store
from data_sources.cbs.formats import read_cbs_file
from data_sources.cbs.gemeenten import bundled
from data_sources.cbs.loading import store_kerncijfers
from data_sources.cbs.odata import read_table_dir
from data_sources.cbs.pipeline import store_geometries
from data_sources.errors import InputRefused

pytestmark = pytest.mark.skipif(not REAL_DATA.exists(), reason="../shared/real_data ontbreekt")
GEO = REAL_DATA / "geo"
KWB = REAL_DATA / "kwb2024_odata_85984NED"


def _features(name: str) -> list[dict]:
    return json.loads((GEO / name).read_text(encoding="utf-8"))["features"]


def test_all_gemeenten_and_wijken_geometries_load(con):
    features = (_features("gemeente_2024_wgs84_dissolved_from_wijken.geojson")
                + _features("wijk_2024_wgs84_cartomap.geojson"))
    load_ids = store_geometries(con, features, year=2024)
    assert len(load_ids) == 342  # one load per gemeente
    counts = dict(con.execute("select region_level, count(*) from geometries group by all"
                              ).fetchall())
    assert counts == {"gemeente": 342, "wijk": 3393}
    orphans = con.execute(
        "select count(*) from geometries w where w.region_level = 'wijk' and not exists"
        " (select 1 from geometries g where g.region_code = 'GM' || substr(w.region_code, 3, 4))"
    ).fetchone()[0]
    assert orphans == 0


def test_bundled_gemeente_list_matches_the_2024_indeling():
    codes = {f["properties"]["statcode"] for f in
             _features("gemeente_2024_wgs84_dissolved_from_wijken.geojson")}
    assert set(bundled()) == codes


def test_real_data_properties_resolve_every_stem_kindkaart_uses():
    props = json.loads((KWB / "DataProperties.json").read_text(encoding="utf-8"))
    topics = {p["Key"] for p in props if p.get("Type") == "Topic"}
    assert {"k_0Tot15Jaar_8", "JongerenMetJeugdzorgInNatura_98",
            "PercentageJongerenMetJeugdzorg_99", "AfstandTotKinderdagverblijf_119"} <= topics


def test_whole_country_kerncijfers_in_the_real_layout(tmp_path):
    # TableInfos and DataProperties are real; the rows are the real 2024 values per gemeente and
    # wijk, written back as a TypedDataSet with padded codes as OData sends them.
    directory = tmp_path / "85984NED"
    directory.mkdir()
    for name in ("TableInfos.json", "DataProperties.json"):
        shutil.copy(KWB / name, directory / name)
    values = json.loads((KWB / "stripped_filtered_data_2024.json").read_text(encoding="utf-8"))
    records = [{"ID": i, "WijkenEnBuurten": code.ljust(10), "Codering_3": code.ljust(10), **row}
               for i, (code, row) in enumerate(values.items())]
    (directory / "TypedDataSet.json").write_text(json.dumps(records), encoding="utf-8")
    table = read_table_dir(directory)
    con = store.connect(":memory:")
    with store.transaction(con):
        load_ids = store_kerncijfers(con, table)
    assert len(load_ids) == 342
    counts = dict(con.execute("select region_level, count(*) from regions where year = 2024"
                              " group by all").fetchall())
    assert counts == {"gemeente": 342, "wijk": 3393}
    inhabitants = con.execute(
        "select sum(value) from raw_cbs__kerncijfers where stem = 'AantalInwoners'"
        " and region_level = 'gemeente'").fetchone()[0]
    assert 17_000_000 < inhabitants < 19_000_000


def test_raw_odata_envelope_of_an_unknown_table_is_refused_in_dutch():
    with pytest.raises(InputRefused) as refused:
        read_cbs_file(REAL_DATA / "odata_raw_sample" / "84489NED_TypedDataSet_excerpt.json")
    assert "84489NED" in refused.value.messages[0] or "regiocodes" in refused.value.messages[0]


# Three gemeenten of different sizes: one wijk, sixteen, a hundred and ten.
THREE_SIZES = {"GM0088": "Schiermonnikoog", "GM0193": "Zwolle", "GM0363": "Amsterdam"}


def _real_kwb_workbook(path):
    """kwb-2024.xlsx in CBS's layout holding the real 2024 values of three gemeenten and their
    wijken (inwoners, mannen, vrouwen, woningvoorraad; no ages in this extract) and real names."""
    import openpyxl

    values = json.loads((KWB / "stripped_filtered_data_2024.json").read_text(encoding="utf-8"))
    names = {f["properties"]["statcode"]: f["properties"]["name"]
             for f in _features("wijk_2024_wgs84_cartomap.geojson")}
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["gwb_code_10", "gwb_code_8", "regio", "gm_naam", "recs", "gwb_code", "ind_wbi",
                  "a_inw", "a_man", "a_vrouw", "a_woning"])
    for code, row in values.items():
        gemeente = "GM" + code[2:6]
        if gemeente not in THREE_SIZES:
            continue
        level = "Gemeente" if code.startswith("GM") else "Wijk"
        short = code[2:].lstrip("0") if code[2:].isdigit() else code[2:]
        sheet.append([code, short, names.get(code, THREE_SIZES[gemeente]),
                      THREE_SIZES[gemeente], level, code, 1, row["AantalInwoners_5"], row["Mannen_6"],
                      row["Vrouwen_7"], row["Woningvoorraad_35"]])
    book.save(path)
    return path


def test_real_figures_of_three_gemeenten_reconcile_within_cbs_rounding(tmp_path, monkeypatch):
    from conftest import run_page_as_analist as run_page

    from data_sources.jobs import import_cbs_file as import_file

    path = tmp_path / "kindkaart.duckdb"
    con = store.connect(path)
    import_file(con, _real_kwb_workbook(tmp_path / "kwb-2024.xlsx"))
    rows = con.execute(
        "select gemeente_code, kwb_column, wijken_count, difference, within_rounding"
        " from kerncijfers_reconciliation order by 1, 2").fetchall()
    maps = dict(con.execute("select 'GM' || substr(region_code, 3, 4), count(*) from geometries"
                            " where region_level = 'wijk' group by 1").fetchall())
    con.close()
    assert {(g, c) for g, c, *_ in rows} == {(g, c) for g in THREE_SIZES
                                              for c in ("a_inw", "a_man", "a_vrouw", "a_woning")}
    assert all(within for *_, within in rows), rows  # CBS rounds wijken to fives: < 5 per wijk
    assert {g: n for g, _, n, *_ in rows} == {"GM0088": 1, "GM0193": 16, "GM0363": 110}
    assert maps == {"GM0088": 1, "GM0193": 16, "GM0363": 110}  # the bundled boundaries, offline
    monkeypatch.setenv("KINDKAART_DB", str(path))
    at = run_page()
    assert at.sidebar.selectbox[0].options == ["Amsterdam (GM0363)", "Schiermonnikoog (GM0088)",
                                               "Zwolle (GM0193)"]
    # no ages in this file: the page says what is missing and where to load it
    assert any("kolom a_00_14" in str(w.value) and "Gemeente laden" in str(w.value) for w in at.warning)
    at.switch_page("pages/kaart.py")
    at.run()
    assert not at.exception
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    wijken = next(layer for layer in spec["layers"] if layer["id"] == "wijken")
    assert len(wijken["data"]["features"]) == 110  # every wijk drawn
    labels = {row["name"] for layer in spec["layers"] if layer["id"] == "wijknamen" for row in layer["data"]}
    # 110 names would be a blur: the names that can be read at the first view, the largest wijken
    # first; the small ones of the centre are in their tooltips and the table
    assert {"Havens-West", "Waterland", "Middenmeer", "Zuidas"} <= labels and len(labels) < 20
    assert "Grachtengordel-West" not in labels
