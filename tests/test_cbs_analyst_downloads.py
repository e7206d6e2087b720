"""CBS downloads as a gemeente analyst has them after Excel, a browser or a filter touched them:
curly apostrophes in names, Dutch Excel's re-save, a kwb with a title row, one gemeente only."""

from __future__ import annotations

import pytest
from kwb_files import kwb_rows, write_kwb_xlsx
from test_cbs_statline_ages import TITLE_HEADER, title_rows, write

from data_sources.gemeentenamen import gemeente_code_for
from data_sources.jobs import import_cbs_file as import_file

DEN_BOSCH_WIJKEN = [("WK079601", "Wijk 01 Binnenstad", 13000, 1300),
                    ("WK079602", "Wijk 02 ’t Zand", 9000, 900)]


@pytest.mark.parametrize("apostrophe", ["\u2019", "\u2018", "\u02bc"])
def test_a_region_name_with_a_curly_apostrophe_is_the_gemeente(con, tmp_path, apostrophe):
    """03759ned with "’s-Hertogenbosch" (Excel's AutoCorrect, a browser's copy) stored only
    Nederland: the name was no gemeente, and only a note said so."""
    assert gemeente_code_for(f"{apostrophe}s-Gravenhage (gemeente)") == "GM0518"
    rows = title_rows(f"{apostrophe}s-Hertogenbosch (gemeente)") + title_rows("Nederland")
    kind, _, notes = import_file(con, write(tmp_path, TITLE_HEADER, rows, "03759ned_denbosch.csv"))
    assert kind == "bevolking-leeftijd" and notes == []
    assert con.execute("select gemeente_code, count(*) from raw_cbs__population_by_age"
                       " group by all order by 1").fetchall() == [("GM0796", 15), ("NL01", 15)]


def test_kwb_names_with_curly_apostrophes_are_stored_with_the_straight_one(con, tmp_path):
    rows = kwb_rows(("GM0796", "’s-Hertogenbosch"), DEN_BOSCH_WIJKEN)
    import_file(con, write_kwb_xlsx(tmp_path / "kwb-2024.xlsx", rows))
    names = dict(con.execute("select region_code, region_name from regions"
                             " where region_level in ('gemeente', 'wijk')").fetchall())
    assert names == {"GM0796": "'s-Hertogenbosch", "WK079601": "Wijk 01 Binnenstad",
                     "WK079602": "Wijk 02 't Zand"}



def _wijken_geojson(path, gemeente: str):
    import json

    from data_sources.offline_boundaries import bundled_features

    features = [f for f in bundled_features([gemeente]) if f["properties"]["statcode"].startswith("WK")]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path, len(features)


def test_a_geojson_named_with_its_gemeente_code_takes_the_year_not_the_code(con, tmp_path):
    """'GM1900_wijken_2024.geojson' (a QGIS export of Súdwest-Fryslân's wijken) was stored as the
    boundaries of 1900: the map of 2024 had none of them. 32 gemeenten have a code GM19xx."""
    path, count = _wijken_geojson(tmp_path / "GM1900_wijken_2024.geojson", "GM1900")
    kind, _, _ = import_file(con, path)
    assert kind == "geometrie"
    assert con.execute("select year, count(*) from geometries group by all").fetchall() == [(2024, count)]


def test_a_geojson_named_with_only_its_gemeente_code_asks_for_the_year(con, tmp_path):
    from data_sources.errors import InputRefused

    path, _ = _wijken_geojson(tmp_path / "wijken_GM1949.geojson", "GM1949")
    with pytest.raises(InputRefused) as refused:
        import_file(con, path)
    assert refused.value.messages == ["Bestand wijken_GM1949.geojson: het jaar van de grenzen is niet "
                                      "af te leiden uit de naam; geef het op met --jaar."]
    assert con.execute("select count(*) from geometries").fetchone() == (0,)
