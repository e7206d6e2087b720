"""The national wijk map: offered once several gemeenten are loaded, protected per gemeente."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import add_account, app_copy, run_page, sample_and_synthetic

from data_sources.accounts import Account


@pytest.fixture(scope="module")
def national_db(tmp_path_factory) -> Path:
    """Voorbeeldstad plus three synthetic gemeenten, loaded through the real loaders."""
    return sample_and_synthetic(tmp_path_factory.mktemp("national"), 3)


@pytest.fixture
def national_app_db(national_db, tmp_path, monkeypatch) -> Path:
    return app_copy(national_db, tmp_path, monkeypatch)


@pytest.fixture
def analist_national(national_app_db):
    """Signed in as an analist: without accounts (demo mode) only Voorbeeldstad is shown."""
    add_account(national_app_db, "analist", "analist")
    return Account("analist", "analist", None)


def _deck_json(at) -> str:
    charts = at.get("deck_gl_json_chart")
    assert charts, "geen kaart getekend"
    return charts[0].proto.json


def test_national_choice_draws_every_wijk(national_db, analist_national):
    import duckdb

    at = run_page("kaart", account=analist_national)
    assert not at.exception
    gebied = at.selectbox(key="_gebied_choice")
    assert gebied.options == ["Voorbeeldstad", "Nederland (alle gemeenten)"]
    gemeente_features = _deck_json(at).count('"type":"Feature"')
    gebied.set_value("nederland")
    at.run()
    assert not at.exception
    assert "Kaart Nederland (alle gemeenten) 2024" in [t.value for t in at.title]
    con = duckdb.connect(str(national_db), read_only=True)  # the app holds its copy open
    wijken = con.execute("select count(distinct wijk_code) from population_by_wijk_age"
                         " where year = 2024").fetchone()[0]
    con.close()
    assert _deck_json(at).count('"type":"Feature"') == wijken > gemeente_features
    assert at.query_params["gebied"] == "nederland"


def test_national_view_offered_only_with_several_gemeenten(app_db):
    at = run_page("kaart")
    assert not at.exception
    assert "_gebied_choice" not in [s.key for s in at.selectbox]


def _national_equals_one_by_one(model_only: bool = False) -> list[str]:
    from ui.indicators import national_values
    from ui.map_indicators import INDICATORS
    from ui.state import gemeenten

    checked = []
    for indicator in INDICATORS.values():
        if model_only and indicator.kind != "model":
            continue
        assert indicator.load_national is not None, f"{indicator.key} has no national loader"
        national = national_values(indicator, 2024)
        one_by_one = pd.concat([indicator.load(code, 2024) for code in gemeenten()],
                               ignore_index=True)
        one_by_one = one_by_one[one_by_one["wijk_code"].astype(str).str.startswith("WK")]
        merged = national.merge(one_by_one, on="wijk_code", suffixes=("", "_own"), validate="1:1")
        assert len(merged) == len(national) == len(one_by_one)
        assert (merged["hidden"] == merged["hidden_own"]).all()
        pd.testing.assert_series_equal(merged["value"].astype(float), merged["value_own"].astype(float),
                                       check_names=False)
        checked.append(indicator.key)
    return checked


@pytest.fixture
def signed_in_here(analist_national, monkeypatch):
    """This process's own (bare) session signed in as the analist: the gemeenten offered, and so
    the national values, are those of the signed-in account."""
    import streamlit as st

    from ui.data import release

    monkeypatch.setitem(st.session_state, "kindkaart_account", analist_national)
    release()
    yield analist_national
    release()


def test_national_values_are_each_gemeente_protected_on_its_own(signed_in_here):
    checked = _national_equals_one_by_one()
    assert {"kinderen_0_12", "tekort_reguliere_plekken", "vve_taal_spraak_per_100", "kindplaatsen"} <= set(checked)


def test_national_model_values_follow_the_session_parameters(signed_in_here):
    import streamlit as st

    from ui import continuum

    before = continuum.national_per_wijk("gap_by_wijk_niveau", "gap_mid", 2024, 3, "aparte_groep")
    stored = dict(continuum._stored())
    name, (low, value, high) = next(
        (n, v) for n, v in stored.items() if n.startswith("share_niveau_3"))
    st.session_state[continuum.PARAMS_KEY] = {**stored, name: (low, high, high)}
    try:
        assert continuum.parameters_changed()
        assert _national_equals_one_by_one(model_only=True)
        after = continuum.national_per_wijk("gap_by_wijk_niveau", "gap_mid", 2024, 3, "aparte_groep")
        assert after["value"].sum() > before["value"].sum()
    finally:
        st.session_state[continuum.PARAMS_KEY] = stored


def test_simplified_map_keeps_every_wijk_and_fewer_points(national_app_db):
    from ui.maps import shapes_from_frame, wijk_geometries

    frame = wijk_geometries(None, 2024)
    shapes = shapes_from_frame(frame)
    assert list(shapes.geometry_text) == list(frame["wijk_code"])
    assert sum(map(len, shapes.geometry_text.values())) < frame["geometry_json"].str.len().sum() / 2
    west, south, east, north = shapes.bounds
    assert west < east and south < north


def test_positions_per_gemeente_of_some_rows_and_of_none():
    import numpy as np

    from transforms.partner_tables import group_index

    found = group_index(np.array(["GM0002", "GM0001", "GM0002"], dtype=object))
    assert {code: index.tolist() for code, index in found.items()} == {"GM0001": [1], "GM0002": [0, 2]}
    assert group_index(np.array([], dtype=object)) == {}


def test_a_national_signal_map_of_a_year_without_signals_is_empty(analist_national):
    from ui.map_indicators import INDICATORS

    frame = INDICATORS["vve_taal_spraak_per_100"].load_national(1999)
    assert frame.empty and list(frame.columns) == ["wijk_code", "wijk_name", "value", "hidden", "unknown"]
