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
