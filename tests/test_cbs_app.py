"""The Gemeente laden page: choose any gemeente, load it from (recorded) CBS, see it on the map."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from conftest import ROOT, run_page
from streamlit.testing.v1 import AppTest

from data_sources.cbs.gemeenten import bundled

FIXTURES = Path(__file__).parent / "fixtures" / "cbs"
_spec = importlib.util.spec_from_file_location("cbs_fixture_server", FIXTURES / "server.py")
_server_module = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_server_module)


@pytest.fixture
def recorded_cbs(monkeypatch):
    """CBS and PDOK answered by a local server with the recorded responses."""
    with _server_module.CbsServer() as server:
        endpoints = server.endpoints()
        monkeypatch.setenv("KINDKAART_CBS_V3_URL", endpoints.cbs_v3)
        monkeypatch.setenv("KINDKAART_CBS_V3_FEED_URL", endpoints.cbs_v3_feed)
        monkeypatch.setenv("KINDKAART_CBS_V4_URL", endpoints.cbs_v4)
        monkeypatch.setenv("KINDKAART_PDOK_WFS_URL", endpoints.pdok_wfs)
        yield server


def _page_text(at) -> str:
    return " ".join(str(e.value) for e in [*at.markdown, *at.info, *at.caption, *at.title,
                                            *at.success, *at.warning, *at.error])


def test_page_offers_every_gemeente_and_explains_the_estimate(app_db, analist):
    at = run_page("gemeente_laden", account=analist)
    assert not at.exception
    labels = at.selectbox(key="laden_gemeente").options
    codes = {re.search(r"GM\d{4}", label).group(0) for label in labels}
    assert set(bundled()) <= codes and len(bundled()) == 342
    assert "Voorbeeldstad (GM9999, fictief) ✓" in labels  # the loaded sample gemeente
    assert "Aalsmeer (GM0358)" in labels
    text = _page_text(at)
    assert "Schatting: het aantal kinderen per leeftijd in de hele gemeente (CBS" in text
    assert "0 tot 15 jaar" in text


def _load_utrecht_2024(analist):
    """Gemeente laden: Utrecht, 2024, fetched from the recorded CBS server."""
    at = run_page("gemeente_laden", account=analist)
    at.selectbox(key="laden_gemeente").set_value("GM0344")
    at.multiselect(key="laden_jaren").set_value([2024])
    at.run()
    next(b for b in at.button if b.label == "Laden").click()
    at.run(timeout=120)
    return at


def test_load_a_recorded_gemeente_and_show_it_on_the_map(app_db, recorded_cbs, analist):
    at = _load_utrecht_2024(analist)
    assert not at.exception
    assert any("is geladen" in str(s.value) for s in at.success), _page_text(at)
    assert not at.error
    dates = at.dataframe[0].value
    assert {"85984NED", "03759ned", "cbs-gebiedsindelingen"} <= set(dates["Tabel"])
    assert "Utrecht (GM0344) is geladen" in at.success[0].value
    assert dates["Gegevensdatum (opgehaald)"].notna().all()

    # The page offers a way to the map that selects the gemeente.
    next(b for b in at.button if b.label == "Bekijk op de kaart").click()
    at.run(timeout=60)
    assert not at.exception
    assert at.session_state["gemeente_code"] == "GM0344"
    assert at.title[0].value == "Kaart Utrecht 2024"  # the button switched to the map

    # On the next start Utrecht is in the sidebar's choice, and the Kaart page draws it.
    home = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    home.query_params["gemeente"] = "GM0344"
    home.session_state["kindkaart_account"] = analist
    home.run()
    sidebar_choice = next(s for s in home.selectbox if s.label == "Gemeente")
    assert "Utrecht (GM0344)" in sidebar_choice.options
    assert home.title[0].value == "Overzicht Utrecht 2024"
    home.switch_page("pages/kaart.py")
    home.run()
    assert not home.exception
    assert home.title[0].value == "Kaart Utrecht 2024"
    assert not any("nog geen wijkgrenzen" in str(w.value) for w in home.warning)
    assert home.get("deck_gl_json_chart"), "the map is drawn"


def test_unreachable_cbs_shows_dutch_message(app_db, recorded_cbs, analist, monkeypatch):
    from data_sources.cbs import http

    monkeypatch.setattr(http, "RETRY_BACKOFF_SECONDS", 0.0)  # retried as always, without waiting
    recorded_cbs.always_fail["/"] = 503
    at = run_page("gemeente_laden", account=analist)
    at.selectbox(key="laden_gemeente").set_value("GM0345")
    at.run()
    next(b for b in at.button if b.label == "Laden").click()
    at.run(timeout=120)
    assert not at.exception
    assert any("niet bereikbaar" in str(e.value) for e in at.error)


def test_a_damaged_copy_of_a_fetched_table_is_named_as_the_table_not_by_its_folder(
        app_db, recorded_cbs, analist):
    """The copy of a fetched table lives in a folder on the server (the cache beside the
    database): before, a copy without its data said 'Map /…/cbs_cache/cbs/85984NED/GM0344: geen
    TypedDataSet.json …' on the page."""
    at = _load_utrecht_2024(analist)
    assert any("is geladen" in str(s.value) for s in at.success), _page_text(at)
    copy = app_db.parent / "cbs_cache" / "cbs" / "85984NED" / "GM0344"
    (copy / "TypedDataSet.json").unlink()  # a copy cut short (a full disk, a cleanup)
    next(b for b in at.button if b.label == "Laden").click()  # from the copy, as it is there
    at.run(timeout=120)
    assert not at.exception
    said = [str(e.value) for e in [*at.warning, *at.error]]
    assert ("De opgeslagen kopie van CBS-tabel 85984NED: geen TypedDataSet.json of "
            "UntypedDataSet.json. Haal de tabel opnieuw op: Vernieuwen bij CBS op de pagina "
            "Gemeente laden, of met python -m data_sources load-cbs --vernieuw.") in said, said
    assert str(app_db.parent) not in _page_text(at) and "cbs_cache" not in _page_text(at)
