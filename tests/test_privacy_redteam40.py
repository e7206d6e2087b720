"""The privacy review of session 40, as an attacker (README "Privacy"): routes the earlier reviews
did not try on Voorbeeldstad. Each test performs the attack on what a role is sent and asserts that
it recovers nothing; each is checked to see a difference where there is one to see."""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import add_account, app_copy, run_page
from test_privacy_hidden_cells import (
    ANALIST,
    HIDDEN_WIJK_TOTALS,
    LEA,
    PARTNER,
    _cells,
    _changed,
    _differences,
    _exports,
    _sent_differently,
)
from test_privacy_sent import _capture_downloads, _sent

from data_sources import store

# Whole waiting-list rows (a child or a few, with their own waiting weeks) moved between two
# wijken whose cells the pages hide, one row each way and each of another kind: every wijk total,
# every kind's total and every kind's waiting weeks (summed over its rows) stay the same; only the
# breakdown by kind inside the hidden wijken, and their own average waiting time, differ. The
# earlier reviews moved children of five signal types (test_privacy_hidden_cells), not of the two
# waiting lists, whose rows carry a second figure (weeks) that the pages average.
ROW_MOVES = {
    # (v)so waiting list: Centrum's so cluster 4 pupil and one sbo pupil of Molenwijk swap wijken
    "wachtlijst-so": [("WK999902", {"school_type": "so", "cluster": "4"}, "WK999903"),
                      ("WK999903", {"school_type": "sbo"}, "WK999902")],
    # waiting list for care: Centrum's child waiting for behandeling and Molenwijk's one for
    # kdc/mkd swap wijken
    "wachtlijst-zorg": [("WK999902", {"request_kind": "behandeling"}, "WK999903"),
                        ("WK999903", {"request_kind": "kdc/mkd"}, "WK999902")],
}
MOVED_WIJKEN = ("WK999902", "WK999903")


def _moved(sample_db, folder, moves=None):
    """A copy of the sample with `moves` (default ROW_MOVES) made (each row to a buurt of its new
    wijk), rebuilt."""
    import transforms

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "kindkaart.duckdb"
    shutil.copy(sample_db, path)
    con = store.connect(path)
    try:
        for registration_type, row_moves in (moves or ROW_MOVES).items():
            rows = con.execute(
                "select load_id, row_number, wijk_code, buurt_code, payload from raw_partner__registration_rows"
                " join loads using (load_id) where status = 'active' and registration_type = ?"
                " order by load_id, row_number", [registration_type]).fetchall()
            buurt = {wijk: buurt for _, _, wijk, buurt, _ in rows}
            for wijk, match, to in row_moves:
                load_id, number = next(
                    (load_id, number) for load_id, number, code, _, payload in rows
                    if code == wijk and all(json.loads(payload).get(k) == v for k, v in match.items()))
                con.execute("update raw_partner__registration_rows set wijk_code = ?, buurt_code = ?"
                            " where load_id = ? and row_number = ?", [to, buurt[to], load_id, number])
        transforms.build(con)
    finally:
        con.close()
    return path


@pytest.fixture(scope="module")
def moved_db(sample_db, tmp_path_factory):
    return _moved(sample_db, tmp_path_factory.mktemp("moved"))


def _waiting_rows(db, wijk: str) -> list[tuple]:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return sorted(json.dumps(json.loads(payload), sort_keys=True) for (payload,) in con.execute(
            "select payload from raw_partner__registration_rows join loads using (load_id)"
            " where status = 'active' and registration_type like 'wachtlijst%' and wijk_code = ?",
            [wijk]).fetchall())
    finally:
        con.close()


def test_the_moved_rows_change_only_hidden_cells(sample_db, moved_db):
    before, after = _cells(sample_db), _cells(moved_db)
    changed = {cell for cell in before if before[cell] != after[cell]}
    assert not changed  # the signal tables count children per wijk: every cell keeps its count
    for wijk in MOVED_WIJKEN:
        assert before[("wachtlijst_zorg", "wachtlijst_zorg", "2-4", wijk)][1]  # hidden
        assert _waiting_rows(sample_db, wijk) != _waiting_rows(moved_db, wijk)  # what the attack wants


def _exported_differently(first_db, second_db, tmp_path) -> dict:
    """The CLI exports that differ between the two databases, with a few of their differing lines."""
    first, second = _exports(first_db, tmp_path / "first"), _exports(second_db, tmp_path / "second")
    return {name: sorted(set(first[name].splitlines()) ^ set(second[name].splitlines()))[:4]
            for name in first if first[name] != second[name]}


@pytest.mark.parametrize("account", [ANALIST, PARTNER, LEA], ids=["analist", "partner", "lea"])
def test_no_role_is_sent_what_kinds_wait_in_hidden_wijken(account, sample_db, moved_db, tmp_path, monkeypatch):
    # Attack: the kind of care or school a child waits for, and its waiting weeks, inside a wijk
    # the pages hide (Tekorten's waiting time per wijk, the map, the wijk profile, the kinds of
    # rows 6 and 9 on Analysevragen, every slide and download). Nothing any role is sent may
    # differ between the two databases.
    differing = _sent_differently(account, sample_db, moved_db, tmp_path, monkeypatch)
    assert not differing, differing


def test_no_export_tells_what_kinds_wait_in_hidden_wijken(sample_db, moved_db, tmp_path):
    differing = _exported_differently(sample_db, moved_db, tmp_path)
    assert not differing, differing


def test_the_comparison_sees_rows_moved_between_shown_wijken(sample_db, tmp_path, monkeypatch):
    """The comparison above can fail: a row of two children each way between two wijken whose 5
    children waiting are shown changes the waiting time Tekorten shows for them (10,1 and 10,7
    weeks; 12,0 and 8,8 after)."""
    shown = _moved(sample_db, tmp_path / "shown", {"wachtlijst-zorg": [
        ("WK999901", {"request_kind": "ondersteuning in de opvang"}, "WK999905"),
        ("WK999905", {"request_kind": "kdc/mkd"}, "WK999901")]})
    before, after = _cells(sample_db), _cells(shown)
    for wijk in ("WK999901", "WK999905"):
        cell = ("wachtlijst_zorg", "wachtlijst_zorg", "2-4", wijk)
        assert not before[cell][1] and before[cell] == after[cell]
    downloads = _capture_downloads(monkeypatch)
    sent = {}
    for name, db in (("sample", sample_db), ("shown", shown)):
        (tmp_path / f"app {name}").mkdir()
        path = app_copy(db, tmp_path / f"app {name}", monkeypatch)
        add_account(path, ANALIST.login, ANALIST.role)
        at = run_page("tekorten", account=ANALIST)
        at.selectbox(key="tekorten_age").set_value("2-4").run()
        sent[name] = {"tekorten": _sent(at, downloads)}
    assert _differences(sent["sample"], sent["shown"])


# Children moved so that hidden totals change and every shown figure stays: one more pupil on the
# (v)so waiting list in Molenwijk (its gemeente total, 9, is hidden with every cell), and within
# one wijk a child from one kind to another (jeugdhulp of 4-12 year olds in Nieuwland, pleegzorg
# 14 to verblijf 7; extra ondersteuning of 0-2 year olds in Nieuwland, niveau 3 to unknown), so
# that the gemeente totals of those kinds (hidden) change while the wijk's totals stay. The swaps
# of test_privacy_hidden_cells keep every total; these test the hidden totals themselves: a
# gemeente rate per 100, a model figure or a ranking drawn from a hidden total would differ.
HIDDEN_MARGIN_CHANGES = {
    "wachtlijst-so": [("WK999903", {"school_type": "sbo"}, {"children_count": +1})],
    "jeugdhulp": [
        ("WK999904", {"youth_care_type": "pleegzorg", "age_group": "4-12"}, {"children_count": -1}),
        ("WK999904", {"youth_care_type": "verblijf", "age_group": "4-12"}, {"children_count": +1})],
    "extra-ondersteuning": [
        ("WK999904", {"age_group": "0-2", "support_need": "gedrag", "niveau": "3"}, {"niveau": None})],
}


@pytest.fixture(scope="module")
def margins_db(sample_db, tmp_path_factory):
    return _changed(sample_db, tmp_path_factory.mktemp("margins"), HIDDEN_MARGIN_CHANGES)


def _gemeente_cells(db) -> dict[tuple[str, str, str], tuple[int, bool]]:
    """Per signal type, kind and age group: the gemeente's children and whether the pages hide them."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return {(t, k, a): (int(n), bool(h)) for t, k, a, n, h in con.execute(
            "select signal_type, signal_kind, age_group, sum(s.children_count), bool_or(p.gemeente_cell_hidden)"
            " from signals_by_wijk as s join signals_protection_by_wijk as p"
            " using (gemeente_code, year, signal_type, signal_kind, age_group, wijk_code)"
            " where year = 2024 group by all").fetchall()}
    finally:
        con.close()


def _waiting_so_total(db) -> int:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return int(con.execute("select sum(children_count) from signals_by_wijk where year = 2024"
                               " and signal_type = 'wachtlijst_so'").fetchone()[0])
    finally:
        con.close()


def test_the_changes_touch_only_hidden_cells_and_hidden_totals(sample_db, margins_db):
    before, after = _cells(sample_db), _cells(margins_db)
    changed = {cell for cell in before if before[cell] != after[cell]}
    assert changed == {("jeugdhulp", "jeugdhulp_pleegzorg", "4-12", "WK999904"),
                       ("jeugdhulp", "jeugdhulp_verblijf", "4-12", "WK999904"),
                       ("extra_ondersteuning", "extra_ondersteuning_niveau_3", "0-2", "WK999904"),
                       ("extra_ondersteuning", "extra_ondersteuning_niveau_onbekend", "0-2", "WK999904")}
    assert all(before[cell][1] and after[cell][1] for cell in changed)
    before, after = _gemeente_cells(sample_db), _gemeente_cells(margins_db)
    changed = {cell for cell in before if before[cell][0] != after[cell][0]}
    assert len(changed) == 4  # the gemeente totals of the four kinds differ, hidden in both
    assert all(before[cell][1] and after[cell][1] for cell in changed), changed
    # the waiting list (v)so: its gemeente total, hidden on Tekorten, is 9 against 10
    assert (_waiting_so_total(sample_db), _waiting_so_total(margins_db)) == (9, 10)


@pytest.mark.parametrize("account", [ANALIST, PARTNER, LEA], ids=["analist", "partner", "lea"])
def test_no_role_is_sent_what_hidden_totals_hold(account, sample_db, margins_db, tmp_path, monkeypatch):
    # Attack: a hidden gemeente total (or a wijk's total over kinds) read from a view that takes
    # it from elsewhere: a gemeente rate per 100 times the children, the model's estimate with
    # signals, Analysevragen's kinds of the waiting lists, a ranking or a chart's range.
    differing = _sent_differently(account, sample_db, margins_db, tmp_path, monkeypatch)
    assert not differing, differing


def test_no_export_tells_what_hidden_totals_hold(sample_db, margins_db, tmp_path):
    differing = _exported_differently(sample_db, margins_db, tmp_path)
    assert not differing, differing


def test_the_analist_is_sent_nothing_of_what_hidden_wijk_totals_hold(sample_db, tmp_path, monkeypatch):
    # Attack: test_privacy_hidden_cells moves a vve child between two hidden wijk totals (Centrum 3
    # to 2, Kerkebuurt 3 to 4, taal/spraak) and compares what a partner and the LEA view get. The
    # analist sees more (Continuüm and Tekorten per age group, the model with local signals, Trends,
    # Analysevragen, Scenario's, every slide): a wijk's total over the criteria or a rate over it
    # on any of those would differ.
    moved = _changed(sample_db, tmp_path / "moved", HIDDEN_WIJK_TOTALS)
    differing = _sent_differently(ANALIST, sample_db, moved, tmp_path, monkeypatch)
    assert not differing, differing
