"""The privacy review of session 43, as an attacker (README "Privacy"): the choices an analist
makes in a session that the earlier reviews left at their defaults, on Voorbeeldstad.

The earlier comparisons (tests/test_privacy_hidden_cells.py) read every page with the model's
default signal kinds and Continuüm's stack without niveau 1. An analist may choose any signal
kind to adjust the estimate (vve op SES, pleegzorg, jeugdbescherming, extra ondersteuning niveau
2: kinds whose hidden cells the swaps move children between), one kind alone so that the adjusted
estimate of a wijk is that kind's signal and nothing else, and may show the stack of all children
(niveau 1 and the children without childcare: the wijk's children minus the model). Read with two
databases that differ only inside hidden cells, each choice must send the same."""

from __future__ import annotations

from conftest import ROOT, add_account, app_copy
from test_privacy_hidden_cells import (  # noqa: F401 (module fixtures)
    ANALIST,
    SWAPPED_CELLS,
    _differences,
    base_db,
    swapped_db,
)
from test_privacy_redteam2 import tiny_dbs  # noqa: F401 (a module fixture)
from test_privacy_sent import _capture_downloads, _sent

# The kinds whose hidden cells the swaps change, each chosen alone, and all of them together
SWAPPED_KINDS = sorted({kind for _, kind, _, _ in SWAPPED_CELLS})


def _page(page: str, kinds: tuple[str, ...], params: dict[str, str] | None = None, timeout: int = 120):
    """`page` as the analist of $KINDKAART_DB is sent it with `kinds` adjusting the estimate
    (the session's choice on Continuüm, ui.continuum.signal_kinds)."""
    from streamlit.testing.v1 import AppTest

    from ui.continuum import SIGNAL_KINDS_KEY

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    at.session_state["kindkaart_account"] = ANALIST
    at.session_state[SIGNAL_KINDS_KEY] = kinds
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    at.switch_page(f"pages/{page}.py")
    at.run()
    assert not at.exception, at.exception
    return at


def _continuum(kinds: tuple[str, ...], age: str):
    """Continuüm with `kinds` adjusting the estimate and the stack of all children, for `age`."""
    at = _page("continuum", kinds)
    at.checkbox(key="continuum_niveau_1").check().run()
    at.radio(key="continuum_age").set_value(age).run()
    assert not at.exception, at.exception
    assert tuple(at.multiselect(key="w_signal_kinds").value) == kinds
    return at


def _tekorten(kinds: tuple[str, ...], age: str):
    at = _page("tekorten", kinds)
    at.selectbox(key="tekorten_age").set_value(age).run()
    assert not at.exception, at.exception
    return at


def _slides(kinds: tuple[str, ...], downloads) -> dict[str, list[str]]:
    """Every slide with `kinds` adjusting the estimate."""
    import re

    first = _page("presentatie", kinds, {"dia": "1"})
    count = int(re.search(r"Dia 1 van (\d+)", " ".join(m.value for m in first.markdown)).group(1))
    return {f"dia {number}": _sent(_page("presentatie", kinds, {"dia": str(number)}), downloads)
            for number in range(1, count + 1)}


def _choices():
    """(name, kinds, page, age): every swapped kind alone on Continuüm (all ages at once and the
    age of its cells) and on Tekorten (that age), and all of them together on every age."""
    ages = {kind: age for _, kind, age, _ in SWAPPED_CELLS}
    for kind in SWAPPED_KINDS:
        for age in ("alle", ages[kind]):
            yield f"continuum {kind} {age}", (kind,), "continuum", age
        if ages[kind] != "alle":
            yield f"tekorten {kind} {ages[kind]}", (kind,), "tekorten", ages[kind]
    for age in ("alle", "0-2", "2-4", "4-12"):
        yield f"continuum alle soorten {age}", tuple(SWAPPED_KINDS), "continuum", age
    for age in ("0-2", "2-4", "4-12"):
        yield f"tekorten alle soorten {age}", tuple(SWAPPED_KINDS), "tekorten", age


def _chosen_views(downloads) -> dict[str, list[str]]:
    return {**{name: _sent((_continuum if page == "continuum" else _tekorten)(kinds, age), downloads)
               for name, kinds, page, age in _choices()},
            **_slides(tuple(SWAPPED_KINDS), downloads)}


def test_no_signal_kind_an_analist_chooses_tells_what_hidden_cells_hold(base_db, swapped_db,  # noqa: F811
                                                                        tmp_path, monkeypatch):
    sent = _seen((base_db, swapped_db), _chosen_views, tmp_path, monkeypatch)
    assert len(sent[0]) > 20
    differing = _differences(*sent)
    assert not differing, differing


def _seen(dbs, views, tmp_path, monkeypatch) -> list[dict[str, list[str]]]:
    """What `views` (downloads -> {name: sent}) gives the analist on a copy of each database."""
    downloads = _capture_downloads(monkeypatch)
    sent = []
    for index, db in enumerate(dbs):
        folder = tmp_path / f"db {index}"
        folder.mkdir()
        path = app_copy(db, folder, monkeypatch)
        add_account(path, ANALIST.login, ANALIST.role)
        sent.append(views(downloads))
    return sent


def test_the_comparison_sees_a_shown_signal_a_kind_alone_adjusts_with(sample_db, tmp_path, monkeypatch):
    """The comparison above can fail: one more vve-indicatie taal/spraak in Nieuwland (23, shown),
    taal/spraak chosen alone, changes Continuüm's estimate with signals."""
    from test_privacy_hidden_cells import _cells, _changed

    shown = _changed(sample_db, tmp_path / "shown", {"vve-indicaties": [
        ("WK999904", {"criterion": "taal/spraak"}, {"children_count": +1})]})
    assert _cells(shown)[("vve_indicaties", "vve_taal_spraak", "2-4", "WK999904")] == (24, False)
    first, second = _seen((sample_db, shown), lambda downloads: {
        "continuum": _sent(_continuum(("vve_taal_spraak",), "2-4"), downloads)}, tmp_path, monkeypatch)
    assert _differences(first, second)


def test_the_stack_of_all_children_tells_nothing_of_hidden_wijk_totals_of_the_brp(tiny_dbs, tmp_path,  # noqa: F811
                                                                                  monkeypatch):
    """The stack with niveau 1 and the children without childcare draws a wijk's children minus
    the model, in full precision in the chart's spec: of Buitengebied and Kerkebuurt, whose BRP
    children (3 and 4, or 4 and 3) are hidden with every cell, it must draw nothing that differs."""
    first, second = _seen(tiny_dbs, lambda downloads: {
        f"continuum {age}": _sent(_continuum(tuple(SWAPPED_KINDS), age), downloads)
        for age in ("alle", "0-2", "2-4", "4-12")}, tmp_path, monkeypatch)
    differing = _differences(first, second)
    assert not differing, differing
