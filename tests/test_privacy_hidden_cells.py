"""The eighth privacy review: what a hidden cell holds reaches no role, no view and no export.

Earlier reviews each tried one route (a padding upload, a rate times a population, a total minus
the cells of another page). This one tries them all at once, as an attacker who has every page,
chart spec, table, download and export: two databases that differ only inside hidden cells, with
every margin the same (a child moved from one hidden cell to another in two wijken and two kinds,
of five partner signals and of the gemeente's BRP), must send every role exactly the same.
Anything that differs (a plotly spec with more precision than shown, a share, a rate, an order, a
model figure, a pattern of hidden cells) would tell the attacker something about what a hidden
cell holds (README "Privacy")."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import pytest
from conftest import ROOT, add_account, app_copy, run_page
from test_brp_privacy import brp_workbook, hidden_in_the_model, import_brp
from test_privacy_sent import _capture_downloads, _download_text, _release_all_to, _sent

from data_sources import store
from data_sources.accounts import Account

ANALIST = Account("analist", "analist", None)
PARTNER = Account("vlinder", "partner", "Kinderopvang De Vlinder")
LEA = Account("zaal", "lea", None)

# Per registration type: (wijk, the payload of the row to change, what to change: a number is
# added, anything else replaces). Each moves children between hidden cells of two wijken and two
# kinds (or niveaus, or statuses), so that every total, every other breakdown (vve criterion,
# support need, support type, school) and every cell the pages show stay the same.
HIDDEN_SWAPS = {
    "vve-indicaties": [
        ("WK999902", {"criterion": "taal/spraak"}, {"children_count": -1}),
        ("WK999902", {"criterion": "SES"}, {"children_count": +1}),
        ("WK999906", {"criterion": "taal/spraak"}, {"children_count": +1}),
        ("WK999906", {"criterion": "SES"}, {"children_count": -1})],
    "jeugdhulp": [
        ("WK999904", {"youth_care_type": "pleegzorg", "age_group": "2-4"}, {"children_count": +1}),
        ("WK999910", {"youth_care_type": "pleegzorg", "age_group": "2-4"}, {"children_count": -1}),
        ("WK999904", {"youth_care_type": "jeugdbescherming", "age_group": "2-4"}, {"children_count": -1}),
        ("WK999910", {"youth_care_type": "jeugdbescherming", "age_group": "2-4"}, {"children_count": +1})],
    "extra-ondersteuning": [
        ("WK999901", {"age_group": "0-2", "support_need": "gedrag", "niveau": "2"}, {"niveau": "3"}),
        ("WK999903", {"age_group": "0-2", "support_need": "gedrag", "niveau": "3"}, {"niveau": "2"})],
    "speciaal-onderwijs": [
        ("WK999906", {"enrolment_status": "thuiszitter"}, {"children_count": -1}),
        ("WK999906", {"school": "SO De Wissel", "cluster": "4"}, {"children_count": +1}),
        ("WK999901", {"enrolment_status": "thuiszitter"}, {"children_count": +1}),
        ("WK999901", {"school": "SO De Wissel", "cluster": "4"}, {"children_count": -1})],
    # the children move, their trajectories and hours stay with their rows
    "ondersteuningstrajecten": [
        ("WK999902", {"support_type": "coaching pm'ers"}, {"children_count": +1}),
        ("WK999902", {"support_type": "logopedie"}, {"children_count": -1}),
        ("WK999903", {"support_type": "coaching pm'ers"}, {"children_count": -1}),
        ("WK999903", {"support_type": "logopedie"}, {"children_count": +1})],
}
# The cells (signal type, kind, age group, wijk) those moves change: each one hidden on the pages
SWAPPED_CELLS = [(signal_type, kind, age, wijk) for signal_type, kinds, age, wijken in (
    ("vve_indicaties", ("vve_taal_spraak", "vve_ses"), "2-4", ("WK999902", "WK999906")),
    ("jeugdhulp", ("jeugdhulp_pleegzorg", "jeugdhulp_jeugdbescherming"), "2-4", ("WK999904", "WK999910")),
    ("extra_ondersteuning", ("extra_ondersteuning_niveau_2", "extra_ondersteuning_niveau_3"), "0-2",
     ("WK999901", "WK999903")),
    ("speciaal_onderwijs", ("so_thuiszitter", "so_ingeschreven"), "4-12", ("WK999906", "WK999901")),
    ("ondersteuningstrajecten", ("ondersteuningstrajecten_niveau_2", "ondersteuningstrajecten_niveau_3"),
     "2-4", ("WK999902", "WK999903")),
) for kind in kinds for wijk in wijken]
# The gemeente's BRP (2024) with Kerkebuurt's and Buitengebied's 0-2 and 2-4 year olds (ages 0 and
# 2; 1 and 3 are none) small: 2 and 3 in one database, 3 and 2 in the other, 3 and 2 against 2 and 3
# in the other wijk, so that every wijk and age total stays the same
BRP_SMALL = {"before": {("WK999906", 0): 3, ("WK999906", 2): 2, ("WK999907", 0): 2, ("WK999907", 2): 3},
             "after": {("WK999906", 0): 2, ("WK999906", 2): 3, ("WK999907", 0): 3, ("WK999907", 2): 2}}
BRP_SWAPPED = {("WK999906", "0-2"), ("WK999906", "2-4"), ("WK999907", "0-2"), ("WK999907", "2-4")}
# An analist's assumptions set to isolate the so pupils: every pupil needs BSO (the modelled
# BSO need on Tekorten is then the pupils themselves)
ALL_PUPILS_NEED_BSO = {"w_param_vso_share_needing_bso_band": (100.0, 100.0),
                       "w_param_vso_share_needing_bso_mid": 100.0}


def _changed(sample_db, folder, swaps) -> object:
    """A copy of the sample whose partner rows are changed as `swaps` says, every model rebuilt."""
    import transforms

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "kindkaart.duckdb"
    shutil.copy(sample_db, path)
    con = store.connect(path)
    try:
        for registration_type, edits in swaps.items():
            rows = con.execute(
                "select load_id, row_number, wijk_code, payload from raw_partner__registration_rows"
                " join loads using (load_id) where status = 'active' and registration_type = ?"
                " order by load_id, row_number", [registration_type]).fetchall()
            for wijk, match, change in edits:
                load_id, number, data = next(
                    (load_id, number, json.loads(payload)) for load_id, number, code, payload in rows
                    if code == wijk and all(json.loads(payload).get(k) == v for k, v in match.items()))
                for key, value in change.items():
                    data[key] = data[key] + value if isinstance(value, int) else value
                con.execute("update raw_partner__registration_rows set payload = ? where load_id = ?"
                            " and row_number = ?", [json.dumps(data), load_id, number])
        transforms.build(con)
    finally:
        con.close()
    return path


def _with_brp(sample_db, folder, small: dict[tuple[str, int], int]):
    """A copy of the sample with the BRP extract of 2024, `small` the children of those wijken and
    ages (the other ages of their age groups none), delivered at a fixed moment (the moment of an
    upload is no secret, but it is not the same in two databases)."""
    folder.mkdir(parents=True)
    path = folder / "kindkaart.duckdb"
    shutil.copy(sample_db, path)
    children = {**{(wijk, age + 1): 0 for wijk, age in small}, **small}
    import_brp(path, brp_workbook(children))
    con = store.connect(path)
    try:
        con.execute("update loads set loaded_at = timestamp '2025-01-06 09:00:00',"
                    " status_changed_at = timestamp '2025-01-06 09:00:00' where source = 'brp'")
    finally:
        con.close()
    return path


@pytest.fixture(scope="module")
def base_db(sample_db, tmp_path_factory):
    """The sample with a BRP whose small cells are BRP_SMALL before."""
    return _with_brp(sample_db, tmp_path_factory.mktemp("base") / "brp", BRP_SMALL["before"])


@pytest.fixture(scope="module")
def swapped_db(sample_db, tmp_path_factory):
    """The sample with the BRP's small cells swapped (BRP_SMALL after) and HIDDEN_SWAPS made."""
    folder = tmp_path_factory.mktemp("swapped")
    return _changed(_with_brp(sample_db, folder / "brp", BRP_SMALL["after"]), folder, HIDDEN_SWAPS)


def _cells(db) -> dict[tuple, tuple[int, bool]]:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return {(t, k, a, w): (int(n), bool(h)) for t, k, a, w, n, h in con.execute(
            "select signal_type, signal_kind, age_group, wijk_code, s.children_count, p.cell_hidden"
            " from signals_by_wijk as s join signals_protection_by_wijk as p"
            " using (gemeente_code, year, signal_type, signal_kind, age_group, wijk_code)"
            " where year = 2024").fetchall()}
    finally:
        con.close()


def _brp_cells(db) -> dict[tuple[str, str], float]:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return {(wijk, age): children for wijk, age, children in con.execute(
            "select wijk_code, age_group, children from population_by_wijk_age where year = 2024").fetchall()}
    finally:
        con.close()


def test_the_swapped_cells_are_hidden_and_differ(base_db, swapped_db):
    before, after = _cells(base_db), _cells(swapped_db)
    for cell in SWAPPED_CELLS:
        assert before[cell][1] and after[cell][1], cell  # hidden in both
        assert before[cell][0] != after[cell][0], cell
    assert {cell for cell in before if before[cell] != after[cell]} <= set(SWAPPED_CELLS)
    # the BRP: the four cells differ, hidden in both (on Overzicht and in the model)
    before, after = _brp_cells(base_db), _brp_cells(swapped_db)
    assert {cell for cell in before if before[cell] != after[cell]} == BRP_SWAPPED
    assert BRP_SWAPPED <= hidden_in_the_model(base_db) & hidden_in_the_model(swapped_db)
    assert hidden_in_the_model(base_db) == hidden_in_the_model(swapped_db)


def _views(account, downloads, indicators) -> dict[str, list[str]]:
    """Everything `account` is sent (tests/test_privacy_sent.py `_sent`: tables, chart specs,
    widgets, every download) on every page it may open: the Kaart with each indicator and every
    wijkprofiel, Overzicht; for the analist also Continuüm and Tekorten per age group (with the
    default assumptions and with ALL_PUPILS_NEED_BSO), Trends per indicator, Analysevragen,
    Scenario's, Databronnen and every slide; for the LEA view every slide and Overzicht."""
    runs: dict[str, list[str]] = {}

    def keep(name, at) -> None:
        assert not at.exception, (name, at.exception)
        runs[name] = _sent(at, downloads)

    def slides() -> None:
        first = run_page("presentatie", account=account, params={"dia": "1"})
        count = int(re.search(r"Dia 1 van (\d+)", " ".join(m.value for m in first.markdown)).group(1))
        for number in range(1, count + 1):
            keep(f"dia {number}", run_page("presentatie", account=account, params={"dia": str(number)}))

    keep("overzicht", run_page("overzicht", account=account))
    if account.role == "lea":
        slides()
        return runs
    for key in indicators:
        keep(f"kaart {key}", run_page("kaart", account=account, params={"indicator": key}))
    at = run_page("kaart", account=account)
    for wijk in [code for code in at.selectbox(key="_profiel_wijk_choice").options if code]:
        at.selectbox(key="_profiel_wijk_choice").set_value(wijk).run()
        keep(f"wijkprofiel {wijk}", at)
    if account.role == "partner":
        return runs
    for settings_name, settings in (("", {}), (" alle leerlingen BSO", ALL_PUPILS_NEED_BSO)):
        for page, key, ages in (("continuum", "continuum_age", ("alle", "0-2", "2-4", "4-12")),
                                ("tekorten", "tekorten_age", ("0-2", "2-4", "4-12"))):
            for age in ages:
                at = run_page(page, account=account)
                for slider, value in settings.items():
                    at.slider(key=slider).set_value(value)
                at.run()
                (at.radio if page == "continuum" else at.selectbox)(key=key).set_value(age).run()
                keep(f"{page} {age}{settings_name}", at)
    for key in indicators:
        at = run_page("trends", account=account)
        at.selectbox(key="trend_indicator").set_value(key).run()
        keep(f"trends {key}", at)
    for page in ("analysevragen", "scenarios", "databronnen"):
        keep(page, run_page(page, account=account))
    slides()
    return runs


def _differences(first: dict[str, list[str]], second: dict[str, list[str]]) -> dict[str, list[str]]:
    assert first.keys() == second.keys()
    return {name: sorted(set(first[name]) ^ set(second[name]))[:4]
            for name in first if first[name] != second[name]}


def _indicators(population: bool = False) -> list[str]:
    # the distances of CBS come from no count; the children per age group only from the BRP
    from ui.map_indicators import INDICATORS

    return [key for key, indicator in INDICATORS.items()
            if (population or indicator.kind != "bevolking") and not key.startswith("nabijheid")]


@pytest.mark.parametrize("account", [ANALIST, PARTNER, LEA], ids=["analist", "partner", "lea"])
def test_no_role_is_sent_anything_of_what_hidden_cells_hold(account, base_db, swapped_db, tmp_path,
                                                           monkeypatch):
    """Every page, chart spec, table and download a role may open is the same whether the hidden
    cells hold the sample's children or the swapped ones; partners and the LEA view with every
    indicator released to them (what they see then is the most they can see)."""
    differing = _sent_differently(account, base_db, swapped_db, tmp_path, monkeypatch, population=True)
    assert not differing, differing


def _sent_differently(account, first_db, second_db, tmp_path, monkeypatch, population: bool = False) -> dict:
    """What `account` is sent (pages, chart specs, maps, downloads) that differs between a copy of
    each database, with every indicator released to its role (`population`: the indicators of the
    gemeente's own population register too)."""
    downloads = _capture_downloads(monkeypatch)
    sent = []
    for name, db in (("first", first_db), ("second", second_db)):
        (tmp_path / name).mkdir()
        path = app_copy(db, tmp_path / name, monkeypatch)
        add_account(path, account.login, account.role, account.organisation)
        if account.role != "analist":
            _release_all_to(path, account.role, True)
        sent.append(_views(account, downloads, _indicators(population=population)))
    assert len(sent[0]) > 3  # the views were seen at all
    return _differences(*sent)


def _exports(db, folder) -> dict[str, str]:
    """The CLI's workbook, csv, report and the factsheet of every wijk a swap touches, as text (the
    moment of writing left out)."""
    folder.mkdir()
    texts = {}
    wijken = sorted({wijk for edits in HIDDEN_SWAPS.values() for wijk, _, _ in edits}
                    | {wijk for wijk, _ in BRP_SWAPPED})
    for name, extra in [("werkboek.xlsx", []), ("tabellen.csv", []), ("rapport.html", []),
                        *((f"{wijk}.html", ["--wijk", wijk]) for wijk in wijken)]:
        out = folder / name
        subprocess.run([sys.executable, "-m", "data_sources", "export", "--db", str(db), "-o", str(out),
                        *extra], check=True, capture_output=True, cwd=ROOT)
        text = _download_text(out.read_bytes())
        texts[name] = re.sub(r"\d\d-\d\d-\d{4},? \d\d:\d\d(:\d\d)?", "<moment>", text)
    return texts


def test_no_export_tells_what_hidden_cells_hold(base_db, swapped_db, tmp_path):
    first, second = _exports(base_db, tmp_path / "sample"), _exports(swapped_db, tmp_path / "swapped")
    assert first.keys() == second.keys()
    differing = {name: sorted(set(first[name].splitlines()) ^ set(second[name].splitlines()))[:4]
                 for name in first if first[name] != second[name]}
    assert not differing, differing


def test_the_comparison_sees_a_child_in_a_shown_cell(sample_db, tmp_path, monkeypatch):
    """The comparison above can fail: one more vve-indicatie taal/spraak in Nieuwland (23, shown)
    changes what the Kaart sends."""
    shown = _changed(sample_db, tmp_path / "shown", {"vve-indicaties": [
        ("WK999904", {"criterion": "taal/spraak"}, {"children_count": +1})]})
    assert _cells(shown)[("vve_indicaties", "vve_taal_spraak", "2-4", "WK999904")] == (24, False)
    downloads = _capture_downloads(monkeypatch)
    sent = {}
    for name, db in (("sample", sample_db), ("shown", shown)):
        (tmp_path / f"app {name}").mkdir()
        path = app_copy(db, tmp_path / f"app {name}", monkeypatch)
        add_account(path, ANALIST.login, ANALIST.role)
        at = run_page("kaart", account=ANALIST, params={"indicator": "vve_taal_spraak_per_100"})
        sent[name] = {"kaart": _sent(at, downloads)}
    assert _differences(sent["sample"], sent["shown"])


# A child moved between the hidden vve cells of two wijken (taal/spraak, 2-4 year olds): the
# gemeente total of the kind stays, the two wijk totals (hidden on the Kaart) change, which is what
# a partner and the LEA view are shown of the signals
HIDDEN_WIJK_TOTALS = {"vve-indicaties": [
    ("WK999902", {"criterion": "taal/spraak"}, {"children_count": -1}),
    ("WK999906", {"criterion": "taal/spraak"}, {"children_count": +1})]}


@pytest.mark.parametrize("account", [PARTNER, LEA], ids=["partner", "lea"])
def test_no_role_is_sent_anything_of_what_hidden_wijk_totals_hold(account, sample_db, tmp_path, monkeypatch):
    moved = _changed(sample_db, tmp_path / "moved", HIDDEN_WIJK_TOTALS)
    before, after = _cells(sample_db), _cells(moved)
    assert {cell: (before[cell], after[cell]) for cell in before if before[cell] != after[cell]} == {
        ("vve_indicaties", "vve_taal_spraak", "2-4", "WK999902"): ((3, True), (2, True)),
        ("vve_indicaties", "vve_taal_spraak", "2-4", "WK999906"): ((3, True), (4, True))}
    downloads = _capture_downloads(monkeypatch)
    sent = {}
    for name, db in (("sample", sample_db), ("moved", moved)):
        (tmp_path / f"app {name}").mkdir()
        path = app_copy(db, tmp_path / f"app {name}", monkeypatch)
        add_account(path, account.login, account.role, account.organisation)
        _release_all_to(path, account.role, True)
        sent[name] = _views(account, downloads, _indicators())
    differing = _differences(sent["sample"], sent["moved"])
    assert not differing, differing
