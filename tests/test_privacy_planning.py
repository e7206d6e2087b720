"""Red team of planvorming and a session's own assumptions: the plus-groups the gemeente needs.

Scenario's, the assumptions an analist sets on Continuüm and Tekorten, the gemeente report's
paragraph on the separate groups needed and the workbook's sheet 'Aparte groepen (passend)' are
arithmetic on the continuum model: children (the BRP, where the gemeente delivered it) times
shares, divided by children per place (rows 3 and 10) and group sizes. An analist chooses the
shares, children per place, group sizes and catchments, and so could set a figure to 100 %, a
place to one child or a catchment to one wijk, and solve for what goes in. Read as an attacker
with two databases that differ only in what the pages hide (a small BRP count; a small second
organisation's plus-group children, row 10; a small BSO's children, row 3), everything these
routes give must be the same (README "Privacy")."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from test_brp_privacy import brp_workbook, import_brp
from test_privacy_hidden_cells import BRP_SMALL
from test_privacy_routes import _export_texts, _plans

from data_sources import jobs, store

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "registrations"))
from support import filled_template  # noqa: E402

GEMEENTE = "GM9999"
# The sample's plus-groups (Kinderopvang Zonnestraal: 33 children on 20 places) get a second
# organisation's plus-group of 8 places; its children are hidden when 1 to 4 (contributor rule)
PLUS_GROUP = ["Kleine Zorg", "Centrum", "Plus De Kleine", "plusgroep", "2-4", 8, None, 2]
# A small BSO beside the sample's 1.188 BSO children (row 3); hidden when 1 to 4
SMALL_BSO = ["WK999904", "BSO De Kleine", "bso", "4-12", None, 4]
# The gap's support components carry row 7's raw counts; the pages show them through protect_gap
SUPPORT_COMPONENTS = ("ondersteuning_professionals", "specialistische_inzet")


def _database(sample_db: Path, folder: Path, brp: dict, plus_children: int, bso_children: int) -> Path:
    """The sample with the BRP of 2024 (`brp`: the small cells, as tests/test_privacy_hidden_cells),
    a second organisation's plus-group with `plus_children` and a small BSO with `bso_children`,
    each delivered at a fixed moment (a moment is no secret, but it differs between two copies)."""
    folder.mkdir(parents=True)
    path = folder / "kindkaart.duckdb"
    shutil.copy(sample_db, path)
    import_brp(path, brp_workbook({**{(wijk, age + 1): 0 for wijk, age in brp}, **brp}))
    con = store.connect(path)
    try:
        jobs.import_registration(con, filled_template("groepsgrootte", [
            [*PLUS_GROUP[:6], plus_children, PLUS_GROUP[7]]]), "groepsgrootte", PLUS_GROUP[0], "2024",
            "plusgroep.xlsx")
        jobs.import_registration(con, filled_template("kinderopvang-bezetting", [
            [*SMALL_BSO[:4], bso_children, SMALL_BSO[5]]]), "kinderopvang-bezetting", SMALL_BSO[1], "2024",
            "bso.xlsx")
        con.execute("update loads set loaded_at = timestamp '2025-01-06 09:00:00',"
                    " status_changed_at = timestamp '2025-01-06 09:00:00'"
                    " where source = 'brp' or file_name in ('plusgroep.xlsx', 'bso.xlsx')")
    finally:
        con.close()
    return path


@pytest.fixture(scope="module")
def two_dbs(sample_db, tmp_path_factory):
    """Two databases equal outside what the pages hide: the BRP's small cells swapped
    (BRP_SMALL), the second plus-group with 2 or 4 children, the small BSO with 3 or 1."""
    folder = tmp_path_factory.mktemp("planning")
    return (_database(sample_db, folder / "a", BRP_SMALL["before"], 2, 3),
            _database(sample_db, folder / "b", BRP_SMALL["after"], 4, 1))


@pytest.fixture(scope="module")
def shown_db(sample_db, tmp_path_factory):
    """As the first of two_dbs, with the second organisation's plus-group at 10 children: a share
    the pages may show (no small count, and not after the largest organisation's either)."""
    return _database(sample_db, tmp_path_factory.mktemp("planning-shown") / "a", BRP_SMALL["before"], 10, 3)


def _sources(db: Path) -> dict[str, str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return dict(con.execute("select provision_type, children_per_place_source from"
                                " int_supply__children_per_place where gemeente_code = ? and year = 2024",
                                [GEMEENTE]).fetchall())
    finally:
        con.close()


def _parameter_sets() -> dict[str, pd.DataFrame]:
    """The assumptions an analist can set (ui.continuum.parameter_expander): every parameter on
    its own at the low and the high end of its range, and all of them at once at either end;
    children per place and group sizes also at 1 (one child per place: the model's places needed
    are then its children) and shares at 100 % where the others leave room."""
    from transforms import model

    base = model.default_parameters()
    sets = {"standaard": base}
    for end in ("low", "high"):
        every = base.assign(value=base[end])
        try:
            sets[f"alle {end}"] = model.validate_parameters(every)
        except ValueError:
            pass  # niveau 2-4 together above all children: the page refuses them too
    for row in base.itertuples(index=False):
        values = [row.low, row.high]
        if str(row.name).startswith(model.DIVISORS):
            values.append(1.0)
        if row.unit == "aandeel":
            values.append(1.0)
        for value in values:
            candidate = base.copy()
            chosen = candidate["name"] == row.name
            candidate.loc[chosen, ["low", "value", "high"]] = [min(row.low, value), value, max(row.high, value)]
            try:
                sets[f"{row.name} {value:g}"] = model.validate_parameters(candidate)
            except ValueError:
                pass
    return sets


def _session_figures(db: Path, parameters: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Every figure of the model a session evaluates with each set of assumptions (Continuüm,
    Tekorten, the Kaart's model indicators): demand, the gap protected as the pages protect it
    (protect_gap: row 7's support, children per place), the groups per gemeente and niveau 4
    without the observed dagbehandeling (the pages show its protected gemeente cell)."""
    from transforms import model, partner_tables

    con = duckdb.connect(str(db), read_only=True)
    try:
        signals = con.execute(partner_tables.SIGNALS_SQL, [GEMEENTE, 2024]).df()
        contributions = con.execute(partner_tables.CONTRIBUTIONS_SQL.format(
            where="year = ? and gemeente_code = ?"), [2024, GEMEENTE]).df()
        hidden = partner_tables.provisions_hidden(con, GEMEENTE, 2024)
        published = partner_tables.read_published(con, GEMEENTE, 2024)
        figures = {}
        for name, values in parameters.items():
            for target, keys in (("demand_by_wijk_niveau", ["wijk_code", "age_group", "niveau"]),
                                 ("gap_by_wijk_niveau", ["wijk_code", "age_group", "niveau", "perspective",
                                                         "component"]),
                                 ("groups_by_gemeente", ["age_group"]),
                                 ("niveau4_by_gemeente", ["age_group"])):
                frame = model.evaluate(con, target, values, gemeente_code=GEMEENTE)
                frame = frame[frame["year"] == 2024]
                if target == "gap_by_wijk_niveau":
                    frame = partner_tables.protect_gap(frame, signals, contributions, hidden, published)
                if target == "niveau4_by_gemeente":
                    frame = frame.drop(columns=["dagbehandeling_count"])
                frame = frame.sort_values(keys).reset_index(drop=True)
                figures[f"{name}: {target}"] = frame.select_dtypes("number").round(6).fillna(-1)
        return figures
    finally:
        con.close()


def _differing(first: dict[str, pd.DataFrame], second: dict[str, pd.DataFrame]) -> list[str]:
    assert first.keys() == second.keys()
    return [name for name in first
            if first[name].shape != second[name].shape or not np.array_equal(first[name].to_numpy(),
                                                                             second[name].to_numpy())]


def test_the_two_databases_differ_only_inside_hidden_figures(two_dbs, shown_db):
    # the small shares are hidden (the model takes the parameter), the one of 10 is not
    for db in two_dbs:
        assert _sources(db)["plusgroep"] == "parameter"
        assert _sources(db)["bso"] == "parameter"
    assert _sources(shown_db)["plusgroep"] == "groepsgrootte"
    con = duckdb.connect(str(two_dbs[0]), read_only=True)
    try:
        hidden = set(con.execute("select wijk_code, age_group from population_protection_by_wijk"
                                 " where year = 2024 and cell_hidden").fetchall())
    finally:
        con.close()
    assert {(wijk, group) for wijk in ("WK999906", "WK999907") for group in ("0-2", "2-4")} <= hidden


def test_no_assumption_a_session_can_set_tells_what_hidden_figures_hold(two_dbs, shown_db):
    # With one child per place and every share at an end, the places needed are the children
    # themselves: a model that used a hidden BRP cell or the small organisation's children per
    # place would give them back (the plus-groups' children per place times the public places is
    # the pool's children, minus Zonnestraal's own 33 the other organisation's).
    parameters = _parameter_sets()
    assert len(parameters) >= 40
    first, second = (_session_figures(db, parameters) for db in two_dbs)
    assert not _differing(first, second)
    # the comparison sees a difference where the pages show one: a share of 10 children
    seen = {name.split(": ")[0] for name in _differing(first, _session_figures(shown_db, parameters))}
    assert seen == set(parameters)


def test_no_scenario_report_or_groups_sheet_tells_what_hidden_figures_hold(two_dbs, shown_db, tmp_path):
    # Scenario's with every choice of tests/test_privacy_routes.py (each wijk its own catchment,
    # 5 to 100 % in a separate group, every estimate, every parameter at each end), and every
    # export of the year and the year before: the workbook (with 'Aparte groepen (passend)'), the
    # csv and the gemeente report (with the separate groups the gemeente needs).
    plans, others = (_plans(db) for db in two_dbs)
    assert len(plans) == 36
    assert [name for name in plans if plans[name] != others[name]] == []
    first, second = (_export_texts(db, tmp_path / name, [2023, 2024]) for name, db in zip("ab", two_dbs,
                                                                                          strict=True))
    differing = {name: sorted(set(first[name].splitlines()) ^ set(second[name].splitlines()))[:4]
                 for name in first if first[name] != second[name]}
    assert not differing, differing
    # where the pages show the second organisation's share, its children reach the groups sheet,
    # the report and the plans whose existing plus-groups then hold more of niveau 3
    shown = _export_texts(shown_db, tmp_path / "shown", [2024])
    assert shown["2024.xlsx"] != first["2024.xlsx"]
    assert any("Aparte groepen (passend)" in line and line not in first["2024.xlsx"]
               for line in shown["2024.xlsx"].splitlines())
    shown_plans = _plans(shown_db)
    assert any(shown_plans[name] != plans[name] for name in plans)


# An analist's assumptions on Tekorten that make the places needed the children themselves: one
# child per place in plus-groups and in BSO, every child of the age group in childcare and the
# most of niveau 3 in a separate group (ui.continuum.parameter_expander's sliders)
ONE_CHILD_PER_PLACE = {"w_param_children_per_place_plusgroep_band": (1.0, 1.0),
                       "w_param_children_per_place_plusgroep_mid": 1.0,
                       "w_param_children_per_place_bso_band": (1.0, 1.0),
                       "w_param_children_per_place_bso_mid": 1.0,
                       "w_param_participation_4_12_band": (100.0, 100.0),
                       "w_param_participation_4_12_mid": 100.0,
                       "w_param_share_niveau_3_separate_band": (100.0, 100.0),
                       "w_param_share_niveau_3_separate_mid": 100.0}


def _role_views(account, downloads) -> dict[str, list[str]]:
    """What `account` is sent (tests/test_privacy_sent.py `_sent`) where the plus-groups, the
    children per place and the groups needed show: for the analist Tekorten per age group with the
    default assumptions and ONE_CHILD_PER_PLACE, Continuüm, Analysevragen (rows 3 and 10) and
    Scenario's; for a partner the Kaart with each model indicator and every wijk profile. (The LEA
    view is left out: its slides show the model for the whole gemeente only, and these databases
    have the same totals, so no protection removed would show there.)"""
    from conftest import run_page
    from test_privacy_hidden_cells import _indicators
    from test_privacy_sent import _sent

    from ui.map_indicators import INDICATORS

    runs: dict[str, list[str]] = {}

    def keep(name, at) -> None:
        assert not at.exception, (name, at.exception)
        runs[name] = _sent(at, downloads)

    if account.role == "partner":
        for key in _indicators():
            if INDICATORS[key].kind == "model":
                keep(f"kaart {key}", run_page("kaart", account=account, params={"indicator": key}))
        at = run_page("kaart", account=account)
        for wijk in [code for code in at.selectbox(key="_profiel_wijk_choice").options if code]:
            at.selectbox(key="_profiel_wijk_choice").set_value(wijk).run()
            keep(f"wijkprofiel {wijk}", at)
        return runs
    for settings_name, settings in (("", {}), (" een kind per plek", ONE_CHILD_PER_PLACE)):
        for page, key, age in (("tekorten", "tekorten_age", "2-4"), ("tekorten", "tekorten_age", "4-12"),
                               ("continuum", "continuum_age", "alle")):
            at = run_page(page, account=account)
            for slider, value in settings.items():
                at.slider(key=slider).set_value(value)
            at.run()
            (at.radio if page == "continuum" else at.selectbox)(key=key).set_value(age).run()
            keep(f"{page} {age}{settings_name}", at)
    for page in ("analysevragen", "scenarios"):
        keep(page, run_page(page, account=account))
    return runs


@pytest.mark.parametrize("account", ["analist", "partner"])
def test_no_role_is_sent_anything_of_what_hidden_supply_figures_hold(account, two_dbs, tmp_path, monkeypatch):
    """The analist with its own assumptions and a partner (every indicator released to it) are
    sent the same whichever children the hidden BRP cells, the small plus-group and the small BSO
    hold."""
    from conftest import add_account, app_copy
    from test_privacy_hidden_cells import ANALIST, PARTNER, _differences
    from test_privacy_sent import _capture_downloads, _release_all_to

    account = {"analist": ANALIST, "partner": PARTNER}[account]
    downloads = _capture_downloads(monkeypatch)
    sent = {}
    for name, db in zip("ab", two_dbs, strict=True):
        (tmp_path / name).mkdir()
        path = app_copy(db, tmp_path / name, monkeypatch)
        add_account(path, account.login, account.role, account.organisation)
        if account.role != "analist":
            _release_all_to(path, account.role, True)
        sent[name] = _role_views(account, downloads)
    assert len(sent["a"]) > 3
    differing = _differences(sent["a"], sent["b"])
    assert not differing, differing
