"""On the Kaart and the map slide a wijk whose children CBS keeps secret ('.' in a_00_14) says
'onbekend (CBS geheim)', as Overzicht, the table under the map and the exports do; a wijk of the
boundaries without any figures still says 'geen gegevens'."""

from __future__ import annotations

import json
import re

import pytest
from conftest import run_page
from test_population_secret_wijk import ANALIST, _db, _kwb

from transforms.population import SECRET_LABEL

SECRET = "Wijk 52 Soestweteringlanden"


def _tooltips(at) -> dict[str, str]:
    """wijk name -> the text of the map's tooltip, read from the pydeck chart's spec."""
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    return {f["properties"]["wijk_name"]: f["properties"]["value_text"]
            for f in spec["layers"][0]["data"]["features"]}


@pytest.fixture
def secret_db(tmp_path, monkeypatch):
    return _db(tmp_path, monkeypatch, _kwb(gemeente_row=True))


@pytest.mark.parametrize("indicator", ["kinderen_4_12", "verwacht_niveau_3"])
def test_the_kaart_says_a_secret_wijk_is_unknown_and_a_wijk_without_figures_has_none(secret_db, indicator):
    at = run_page("kaart", 120, account=ANALIST,
                  params={"gemeente": "GM0193", "jaar": "2024", "indicator": indicator})
    assert not at.exception, at.exception
    shown = _tooltips(at)
    assert shown[SECRET] == SECRET_LABEL  # before: 'geen gegevens'
    assert shown["Wijk 22 Stadshagen"][0].isdigit()
    # the bundled boundaries hold every wijk of Zwolle; the kwb only four: the rest has no figures
    without = {name: text for name, text in shown.items()
               if name not in (SECRET, "Wijk 10 Binnenstad", "Wijk 11 Diezerpoort", "Wijk 22 Stadshagen")}
    assert without and set(without.values()) == {"geen gegevens"}
    [note] = [c.value for c in at.caption if c.value.startswith("Aantal kinderen onbekend voor")]
    assert note.startswith(f"Aantal kinderen onbekend voor {SECRET} (WK019352): CBS houdt")
    assert f"de kaart zegt daar '{SECRET_LABEL}'" in note
    assert ("het model heeft er geen aantal kinderen om mee te rekenen" in note) is (indicator == "verwacht_niveau_3")


def test_the_map_slide_says_a_secret_wijk_is_unknown(secret_db):
    at = run_page("presentatie", 120, account=ANALIST,
                  params={"gemeente": "GM0193", "jaar": "2024", "dia": "kaart", "indicator": "kinderen_4_12"})
    assert not at.exception, at.exception
    svg = next(m.value for m in at.markdown if "<svg" in m.value)
    assert f"{SECRET}: {SECRET_LABEL}" in svg  # before: 'geen gegevens'
    # a wijk of the boundaries that is not in the kwb (nor its name) has no figures
    assert re.search(r"<title>WK0193\d\d: geen gegevens</title>", svg)
    assert "Wijk 22 Stadshagen: geen gegevens" not in svg
    captions = [c.value for c in at.caption]
    assert any(SECRET in c and "geheim" in c for c in captions), captions


def test_the_national_map_says_a_secret_wijk_is_unknown(sample_db, tmp_path, monkeypatch):
    # Voorbeeldstad and the kwb-only Zwolle: on the map of Nederland, Wijk 52 as on Zwolle's own
    from conftest import app_copy, run_page_as_analist
    from kwb_files import write_kwb_xlsx

    from data_sources import store
    from data_sources.jobs import import_cbs_file

    db = app_copy(sample_db, tmp_path, monkeypatch)
    connection = store.connect(db)
    try:
        import_cbs_file(connection, write_kwb_xlsx(tmp_path / "kwb-2024.xlsx"))
    finally:
        connection.close()
    at = run_page_as_analist("kaart", 120, params={"gebied": "nederland", "indicator": "kinderen_0_12"})
    assert not at.exception, at.exception
    assert at.title[0].value.startswith("Kaart Nederland")
    shown = _tooltips(at)
    # before: 'geen gegevens', under its code WK019352 (the national map named only wijken with figures);
    # the map of every gemeente names a wijk with its gemeente
    assert shown[f"{SECRET} (Zwolle)"] == SECRET_LABEL
    assert shown["Wijk 22 Stadshagen (Zwolle)"][0].isdigit()
    # (a wijk whose name no file gave is shown by its code, as on the gemeente's own map)
    assert all(name.endswith((" (Zwolle)", " (Voorbeeldstad)")) or name.startswith("WK0193")
               for name in shown)
    assert "geen gegevens" in shown.values()  # wijken of Zwolle not in the kwb


def test_a_jeugdmonitor_cell_cbs_keeps_secret_is_unknown_not_without_figures(tmp_path, monkeypatch):
    # The Jeugdmonitor of Zwolle (85075NED, 2021) keeps the 0-4 year olds of Binnenstad secret
    # ('.'): the Kaart's tooltip, the table under it and the map slide say 'onbekend (CBS geheim)'
    # there, as for a secret wijk on the other maps; a wijk of the boundaries that is not in the
    # Jeugdmonitor at all has no figures ('geen gegevens'). Before: Binnenstad said 'geen gegevens'.
    from conftest import app_db_with_files, run_page_as_analist
    from kwb_files import write_kwb_xlsx
    from test_cbs_jeugdmonitor import write_jeugdmonitor

    app_db_with_files(tmp_path, monkeypatch, write_kwb_xlsx(tmp_path / "kwb-2021.xlsx"),
                      write_jeugdmonitor(tmp_path))
    at = run_page_as_analist("kaart", 120, params={"indicator": "jeugdmonitor_0_4"})
    assert not at.exception, at.exception
    shown = _tooltips(at)
    assert shown["Wijk 10 Binnenstad"] == SECRET_LABEL
    assert shown["Wijk 11 Diezerpoort"] == "50"
    others = {text for name, text in shown.items() if name not in ("Wijk 10 Binnenstad", "Wijk 11 Diezerpoort")}
    assert others == {"geen gegevens"}
    table = next(m.value for m in at.markdown if "<table" in m.value and "per wijk (" in m.value)
    assert re.search(rf"Wijk 10 Binnenstad</t[dh]>\s*<td[^>]*>{re.escape(SECRET_LABEL)}<", table), table
    summary = next(m.value for m in at.markdown if "<p class='kk-summary'" in m.value)
    assert "onbekend (CBS geheim), niet gerangschikt: 1 wijk" in summary, summary
    # the 4-12 year olds of Binnenstad are published: a figure, not unknown
    at = run_page_as_analist("kaart", 120, params={"indicator": "jeugdmonitor_4_12"})
    assert _tooltips(at)["Wijk 10 Binnenstad"] == "40"

    slide = run_page_as_analist("presentatie", 120, params={"dia": "kaart", "indicator": "jeugdmonitor_0_4"})
    assert not slide.exception, slide.exception
    svg = next(m.value for m in slide.markdown if "<svg" in m.value)
    assert f"Wijk 10 Binnenstad: {SECRET_LABEL}" in svg
    assert "Wijk 11 Diezerpoort: 50" in svg
    assert "onbekend (CBS geheim), niet gerangschikt: 1 wijk." in next(
        m.value for m in slide.markdown if "<p class='kk-summary'" in m.value)

    trends = run_page_as_analist("trends", 120)
    trends.selectbox(key="trend_indicator").set_value("jeugdmonitor_0_4").run()
    assert not trends.exception, trends.exception
    table = next(m.value for m in trends.markdown if "<table" in m.value and "per wijk en jaar" in m.value)
    assert re.search(rf"Wijk 10 Binnenstad</t[dh]>\s*<td[^>]*>{re.escape(SECRET_LABEL)}<", table), table
    summary = next(m.value for m in trends.markdown if "<p class='kk-summary'" in m.value)
    assert "onbekend (CBS geheim), niet gerangschikt: 1 wijk." in summary, summary
    # where the Jeugdmonitor has no secret cell nothing is unknown (Wijk 52, whose children the
    # kwb keeps secret, is not in it: no figures, not counted as secret)
    trends.selectbox(key="trend_indicator").set_value("jeugdmonitor_4_12").run()
    summary = next(m.value for m in trends.markdown if "<p class='kk-summary'" in m.value)
    assert "het hoogst in Wijk 11 Diezerpoort (140)" in summary and "onbekend" not in summary, summary


def test_the_national_map_says_a_secret_jeugdmonitor_cell_is_unknown(sample_db, tmp_path, monkeypatch):
    # Voorbeeldstad and Zwolle's Jeugdmonitor of 2021: the map of Nederland as a table says that
    # Binnenstad's secret 0-4 year olds are unknown too, not a wijk without figures (the map itself
    # draws one year's boundaries for the whole country, the sample's of 2021: Zwolle has none)
    from conftest import app_copy, run_page_as_analist
    from kwb_files import write_kwb_xlsx
    from test_cbs_jeugdmonitor import write_jeugdmonitor

    from data_sources import store
    from data_sources.jobs import import_cbs_file

    db = app_copy(sample_db, tmp_path, monkeypatch)
    connection = store.connect(db)
    try:
        import_cbs_file(connection, write_kwb_xlsx(tmp_path / "kwb-2021.xlsx"))
        import_cbs_file(connection, write_jeugdmonitor(tmp_path))
    finally:
        connection.close()
    at = run_page_as_analist("kaart", 120, params={"gebied": "nederland", "indicator": "jeugdmonitor_0_4",
                                                   "jaar": "2021"})
    assert not at.exception, at.exception
    assert at.title[0].value == "Kaart Nederland (alle gemeenten) 2021"
    table = next(m.value for m in at.markdown if "<table" in m.value and "hoogste waarde" in m.value
                 or "<table" in m.value and "per wijk (" in m.value)
    assert re.search(rf"Wijk 10 Binnenstad \(Zwolle\)</t[dh]>\s*<td[^>]*>{re.escape(SECRET_LABEL)}<", table), table
    assert re.search(r"Wijk 11 Diezerpoort \(Zwolle\)</t[dh]>\s*<td[^>]*>50<", table), table
    summary = next(m.value for m in at.markdown if "<p class='kk-summary'" in m.value)
    assert "onbekend (CBS geheim), niet gerangschikt: 1 wijk." in summary, summary
