"""No rate per 100 children over fewer children than the minimum base (KINDKAART_MIN_BASE): a
partner saw "0,0 per 100" for Buitengebied's 8 peuters; with 8 of 8 it would read "100 per 100"."""

from __future__ import annotations

import json
import re
from html import unescape

import duckdb
import pandas as pd
import pytest
from conftest import run_page

from data_sources import jobs
from data_sources.accounts import Account
from data_sources.config import min_base, min_count
from transforms.rates import BASE_TOO_SMALL_LABEL

BUITENGEBIED = "WK999907"


def _vve(counts: list[int], populations: list[float], signal_type: str = "vve_indicaties",
         signal_kind: str = "vve_taal_spraak") -> pd.DataFrame:
    """signals_by_wijk rows of one signal kind and age group (2-4) for three wijken."""
    gemeente_population = sum(populations)
    gemeente_rate = 100 * sum(counts) / gemeente_population
    return pd.DataFrame({
        "wijk_code": ["WK1", "WK2", "WK3"], "wijk_name": ["A", "B", "C"],
        "signal_type": signal_type, "signal_kind": signal_kind, "age_group": "2-4",
        "children_count": counts, "population_children": populations,
        "rate_per_100": [100 * c / p for c, p in zip(counts, populations, strict=True)],
        "gemeente_population_children": gemeente_population,
        "gemeente_rate_per_100": gemeente_rate,
        "ratio_to_gemeente": [100 * c / p / gemeente_rate for c, p in zip(counts, populations, strict=True)],
        "population_hidden": False, "gemeente_population_hidden": False})


def test_no_rate_over_a_base_below_the_minimum_but_the_gemeente_rate_stays():
    from ui.continuum import protected_signal

    # 8 of 8 peuters of A have the signal: its count is shown (the count rules), its rate is not
    shown = protected_signal(_vve([8, 10, 20], [8.0, 200.0, 400.0]))
    assert list(shown["children_count"]) == [8, 10, 20]
    assert list(shown["rate_base_too_small"]) == [True, False, False]
    assert shown["rate_hidden"].iloc[0] and not shown["rate_hidden"].iloc[1:].any()
    assert shown["rate_per_100"].isna().iloc[0] and shown["ratio_to_gemeente"].isna().iloc[0]
    assert shown["rate_per_100"].iloc[1] == pytest.approx(5.0)
    # the gemeente's 608 children are a large base: its rate is shown
    assert not shown["gemeente_rate_base_too_small"].any() and not shown["gemeente_rate_hidden"].any()
    assert shown["gemeente_rate_per_100"].iloc[0] == pytest.approx(100 * 38 / 608)


def test_the_minimum_base_is_a_setting(monkeypatch):
    from ui.continuum import protected_signal_totals

    whole = _vve([8, 10, 20], [8.0, 200.0, 400.0])
    assert list(protected_signal_totals(whole)["rate_base_too_small"]) == [True, False, False]
    monkeypatch.setenv("KINDKAART_MIN_BASE", "300")
    totals = protected_signal_totals(whole)
    assert list(totals["rate_base_too_small"]) == [True, True, False]
    assert totals["rate_per_100"].isna().tolist() == [True, True, False]
    monkeypatch.setenv("KINDKAART_MIN_BASE", "1")
    assert not protected_signal_totals(whole)["rate_base_too_small"].any()


def test_cbs_jeugdzorg_percentage_is_left_as_cbs_gives_it():
    from ui.continuum import protected_signal, protected_signal_totals

    whole = _vve([8, 10, 20], [10.0, 200.0, 400.0], "cbs_jeugdzorg", "cbs_jeugdzorg")
    shown = protected_signal(whole)
    assert not shown["rate_base_too_small"].any()
    assert shown["rate_per_100"].iloc[0] == pytest.approx(80.0)
    assert not protected_signal_totals(whole)["rate_base_too_small"].any()


def _table_row(at, caption: str, name: str) -> str:
    table = next(m.value for m in at.markdown if "<table" in m.value and caption in m.value)
    cells = [c for c in (unescape(c).strip() for c in re.sub(r"<[^>]+>", "|", table).split("|")) if c]
    return cells[cells.index(name) + 1]


def test_kaart_tooltip_table_and_wijkprofiel_say_basis_te_klein(app_db):
    """The sample's Buitengebied has 8 peuters (2-4): no vve rate on the Kaart (its tooltip and
    its table) nor in the wijkprofiel, 'basis te klein' instead; Centrum keeps its rate."""
    at = run_page("kaart", 90, account=None, params={"indicator": "vve_taal_spraak_per_100"})
    assert not at.exception, at.exception
    assert _table_row(at, "Vve-indicaties taal/spraak per 100", "Buitengebied") == BASE_TOO_SMALL_LABEL
    assert re.fullmatch(r"\d+,\d", _table_row(at, "Vve-indicaties taal/spraak per 100", "Centrum"))
    features = json.loads(at.get("deck_gl_json_chart")[0].proto.json)["layers"][0]["data"]["features"]
    tooltip = {f["properties"]["wijk_name"]: f["properties"]["value_text"] for f in features}
    assert tooltip["Buitengebied"] == BASE_TOO_SMALL_LABEL and tooltip["Centrum"] != BASE_TOO_SMALL_LABEL
    at.selectbox(key="_profiel_wijk_choice").set_value(BUITENGEBIED).run()
    assert not at.exception, at.exception
    vve = [line for m in at.markdown for line in m.value.splitlines() if line.startswith("- vve")]
    assert len(vve) == 3, vve
    for line in vve:
        rate, gemeente = line.split(";")
        assert rate.endswith(BASE_TOO_SMALL_LABEL), line
        assert re.search(r"gemeente \d+,\d per 100", gemeente), line  # 1.735 peuters: shown


def test_the_presentation_map_says_basis_te_klein(app_db):
    at = run_page("presentatie", 90, params={"gemeente": "GM9999", "dia": "kaart",
                                             "indicator": "vve_taal_spraak_per_100"})
    assert not at.exception, at.exception
    svg = next(m.value for m in at.markdown if "<svg" in m.value)
    assert f"Buitengebied: {BASE_TOO_SMALL_LABEL}<" in svg
    assert f"Centrum: {BASE_TOO_SMALL_LABEL}<" not in svg and "Centrum: " in svg


def test_continuum_table_says_basis_te_klein(app_db):
    at = run_page("continuum", 90, account=Account("analist", "analist", None))
    assert not at.exception, at.exception
    titles = [m.value for m in at.markdown if re.match(r"\*\*.+\*\* \(.+\); gemeente: ", m.value)]
    frames = [d.value for d in at.dataframe if any(str(c).startswith("Per 100") for c in d.value.columns)]
    assert len(titles) == len(frames) > 0
    checked = 0
    for title, frame in zip(titles, frames, strict=True):
        rate = next(c for c in frame.columns if str(c).startswith("Per 100"))
        shown = dict(zip(frame["Wijk"], frame[rate], strict=True))
        if title.startswith("**Vve") and "2-4" in title:
            assert shown["Buitengebied"] == BASE_TOO_SMALL_LABEL, (title, shown)
            assert BASE_TOO_SMALL_LABEL not in title  # the gemeente rate is over 1.735 peuters
            checked += 1
    assert checked == 3


def test_a_rate_over_a_small_base_adjusts_no_estimate(tmp_path, monkeypatch):
    """The model reads the same rule: a signal over fewer children than the minimum base does
    not adjust the estimate (its signal index times the gemeente rate would give the rate back).
    Vlietzoom's 6 vve taal/spraak indications over 98 peuters count with the default base of 20,
    not with a minimum base of 100."""
    sql = ("select u.used_in_index from signals_used_by_wijk as u join signals_by_wijk as s"
           " using (gemeente_code, wijk_code, year, signal_type, signal_kind, age_group)"
           " where s.wijk_name = 'Vlietzoom' and u.year = 2024 and u.signal_kind = 'vve_taal_spraak'")
    used = {}
    for base in ("20", "100"):
        monkeypatch.setenv("KINDKAART_MIN_BASE", base)
        path = tmp_path / f"base{base}.duckdb"
        jobs.build_sample_database(path)
        con = duckdb.connect(str(path), read_only=True)
        try:
            used[base] = con.execute(sql).fetchall()
        finally:
            con.close()
    assert used == {"20": [(True,)], "100": [(False,)]}


@pytest.mark.parametrize(("setting", "expected_count", "expected_base"),
                         [(None, 5, 20), ("12", 12, 12), ("0", 1, 1), ("-3", 1, 1),
                          ("vijf", 5, 20), ("", 5, 20)])
def test_a_setting_that_is_no_whole_number_or_below_one_falls_back(monkeypatch, setting,
                                                                   expected_count, expected_base):
    """KINDKAART_MIN_COUNT and KINDKAART_MIN_BASE read alike: a typo gives the default, a number
    below 1 gives 1 (no count shown unprotected by a setting of 0, no rate over 0 children)."""
    for variable in ("KINDKAART_MIN_COUNT", "KINDKAART_MIN_BASE"):
        if setting is None:
            monkeypatch.delenv(variable, raising=False)
        else:
            monkeypatch.setenv(variable, setting)
    assert (min_count(), min_base()) == (expected_count, expected_base)
