"""Inline-row tests of the continuum model marts: demand, supply, gap, signals, (v)so-BSO."""

from __future__ import annotations

import pandas as pd
import pytest

import transforms
from data_sources import store
from data_sources.registrations.schemas import REGISTRATION_TYPES, view_columns
from transforms import Model, model

POPULATION = pd.DataFrame(
    [
        ("GM0001", "WK000101", "Noord", 2024, "0-2", 100.0),
        ("GM0001", "WK000101", "Noord", 2024, "2-4", 200.0),
        ("GM0001", "WK000101", "Noord", 2024, "4-12", 1000.0),
        ("GM0001", "WK000102", "Zuid", 2024, "0-2", 50.0),
        ("GM0001", "WK000102", "Zuid", 2024, "2-4", 40.0),
        ("GM0001", "WK000102", "Zuid", 2024, "4-12", 300.0),
    ],
    columns=["gemeente_code", "wijk_code", "wijk_name", "year", "age_group", "children"],
).assign(population_source="brp", is_estimate=False)


def partner_rows(view: str, rows: list[dict]) -> pd.DataFrame:
    """A partner staging view's rows with every contract column (missing ones null)."""
    rtype = next(t for t in REGISTRATION_TYPES.values() if t.view_name == view)
    columns = dict(view_columns(rtype))
    frame = pd.DataFrame(rows, columns=list(columns))
    return frame.astype({c: ("Int64" if t == "integer" else "float64" if t == "double" else "object")
                         for c, t in columns.items()})


def build_inline(con, frames: dict[str, pd.DataFrame]) -> None:
    """Build every model, with the named models replaced by inline rows."""
    models = []
    for m in transforms.all_models():
        if m.name in frames:
            con.register("_inline", frames[m.name])
            con.execute(f"create or replace table inline_{m.name} as select * from _inline")
            con.unregister("_inline")
            m = Model(m.name, m.layer, f"select * from inline_{m.name}")
        models.append(m)
    transforms.build(con, models)


def add_lrk(con, rows: list[tuple], year: int = 2024) -> None:
    """LRK rows (lrk_id, type, places, wijk_code, status) as a stored load of GM0001."""
    load_id = store.new_load(con, source="lrk", dataset="lrk-locaties", year=year,
                             gemeente_code="GM0001")
    for number, (lrk_id, kind, places, wijk_code, status) in enumerate(rows, start=2):
        con.execute(
            "insert into raw_lrk__locations (year, lrk_id, provision_type, places, postcode,"
            " gemeente_code, wijk_code, registration_status, row_number, load_id)"
            " values (?, ?, ?, ?, '9901AA', 'GM0001', ?, ?, ?, ?)",
            [year, lrk_id, kind, places, wijk_code, status, number, load_id],
        )


def rows(con, sql: str, params=()) -> list[tuple]:
    return [tuple(r) for r in con.execute(sql, list(params)).fetchall()]


@pytest.fixture
def inline_con(con):
    build_inline(con, {"population_by_wijk_age": POPULATION})
    return con


def test_demand_applies_niveau_shares_to_the_age_group(inline_con):
    got = rows(inline_con, """
        select wijk_code, age_group, niveau, provision_type, round(children_low, 6),
               round(children_mid, 6), round(children_high, 6)
        from demand_by_wijk_niveau where wijk_code = 'WK000101' and age_group = '2-4'
        order by niveau""")
    assert got == [
        ("WK000101", "2-4", 1, "regulier", 160.0, 170.0, 180.0),
        ("WK000101", "2-4", 2, "regulier", 20.0, 30.0, 40.0),
        ("WK000101", "2-4", 3, "plusgroep", 2.0, 6.0, 10.0),
        ("WK000101", "2-4", 4, "kdc_mkd", 2.0, 3.0, 4.0),
    ]
    assert rows(inline_con, "select distinct perspective, denominator, figure_kind"
                            " from demand_by_wijk_niveau") == [("passend", "alle_kinderen", "model")]


def test_session_parameters_and_denominator_in_opvang(inline_con):
    parameters = model.default_parameters()
    row = parameters["name"] == "participation_2_4"
    parameters.loc[row, ["low", "value", "high"]] = [0.5, 0.6, 0.7]
    result = model.demand(inline_con, parameters, "inclusief", "in_opvang")
    niveau_3 = result[(result.wijk_code == "WK000101") & (result.age_group == "2-4")
                      & (result.niveau == 3)].iloc[0]
    # 200 children x participation (0.5 / 0.6 / 0.7) x share niveau 3 (0.01 / 0.03 / 0.05)
    assert niveau_3.children_low == pytest.approx(1.0)
    assert niveau_3.children_mid == pytest.approx(3.6)
    assert niveau_3.children_high == pytest.approx(7.0)
    assert niveau_3.provision_type == "regulier"  # inclusive: niveau 3 in regular groups
    # the shared mart keeps the defaults
    assert rows(inline_con, """select round(children_mid, 6) from demand_by_wijk_niveau
        where wijk_code = 'WK000101' and age_group = '2-4' and niveau = 3""") == [(6.0,)]


@pytest.mark.parametrize("target", ["demand_by_wijk_niveau", "gap_by_wijk_niveau"])
def test_mart_equals_session_evaluation_with_default_parameters(inline_con, target):
    # the pages read the mart while a session keeps the defaults (ui/continuum.py)
    mart = inline_con.execute(f"select * from {target}").df()
    session = model.evaluate(inline_con, target)
    keys = ["wijk_code", "age_group", "niveau", "provision_type"]
    pd.testing.assert_frame_equal(
        mart.sort_values(keys).reset_index(drop=True)[session.columns],
        session.sort_values(keys).reset_index(drop=True),
    )


def test_parameters_out_of_range_are_refused():
    parameters = model.default_parameters()
    parameters.loc[parameters["name"] == "share_niveau_3", "value"] = 0.2
    with pytest.raises(ValueError, match="share_niveau_3"):
        model.validate_parameters(parameters)
    with pytest.raises(ValueError, match="perspectief"):
        model.demand(None, None, "alles")


def test_supply_from_lrk_and_partner_groups(con):
    groups = partner_rows("stg_partner__groepsgrootte", [
        {"year": 2024, "gemeente_code": "GM0001", "wijk_code": "WK000101", "group_kind": "plusgroep",
         "age_group": "2-4", "places": 9},
        {"year": 2024, "gemeente_code": "GM0001", "wijk_code": "WK000101", "group_kind": "kdc",
         "age_group": None, "places": 12},
        {"year": 2024, "gemeente_code": "GM0001", "wijk_code": "WK000101", "group_kind": "regulier",
         "age_group": "0-2", "places": 16},
    ])
    add_lrk(con, [
        ("1", "KDV", 48, "WK000101", "Ingeschreven"),
        ("2", "BSO", 60, "WK000101", "Ingeschreven"),
        ("3", "VGO", 6, "WK000102", "Ingeschreven"),  # a gastouder's home: places
        ("4", "KDV", 32, "WK000102", "Uitgeschreven"),
        ("5", "GOB", None, "WK000102", "Ingeschreven"),  # a gastouderbureau: no places
        ("6", "PSZ", 16, "WK000102", "Ingeschreven"),  # older exports: peuteropvang
    ])
    build_inline(con, {"population_by_wijk_age": POPULATION,
                       "stg_partner__groepsgrootte": groups})
    assert rows(con, """select wijk_code, provision_type, provision_group, places, places_source
        from supply_by_wijk order by wijk_code, provision_type""") == [
        ("WK000101", "bso", "regulier", 60.0, "lrk"),
        ("WK000101", "dagopvang", "regulier", 48.0, "lrk"),
        ("WK000101", "kdc_mkd", "kdc_mkd", 12.0, "partner"),
        ("WK000101", "plusgroep", "plusgroep", 9.0, "partner"),
        ("WK000102", "dagopvang", "regulier", 16.0, "lrk"),
        ("WK000102", "gastouderopvang", "regulier", 6.0, "lrk"),
    ]

    gap = {(r[0], r[1], r[2]): r[3:] for r in rows(con, """
        select wijk_code, age_group, niveau, round(demand_mid, 6), round(places, 6),
               round(gap_mid, 6), plusgroups_needed_mid, supply_year
        from gap_by_wijk_niveau""")}
    # plus-group places serve niveau 3 of the toddlers: 6 expected, 9 places
    assert gap["WK000101", "2-4", 3] == (6.0, 9.0, -3.0, 0, 2024)
    # 12 KDC places for 0-4 split 100:200 over 0-2 and 2-4 -> 8 for the toddlers
    assert gap["WK000101", "2-4", 4] == (3.0, 8.0, -5.0, 0, 2024)
    assert gap["WK000101", "0-2", 4] == (1.5, 4.0, -2.5, 0, 2024)
    # 48 KDV places x 200/300 = 32 for toddlers, shared by niveau 1 and 2 as 170:30
    assert gap["WK000101", "2-4", 1] == (170.0, 27.2, 142.8, 0, 2024)
    assert gap["WK000101", "2-4", 2] == (30.0, 4.8, 25.2, 0, 2024)
    # no plus-group in Zuid: 1.2 toddlers on niveau 3 -> one plus-group of 9
    assert gap["WK000102", "2-4", 3] == (1.2, 0.0, 1.2, 1, 2024)
    # a gastouder's 6 places for 0-12 are shared by the children of every age group
    assert gap["WK000102", "4-12", 1][1] == pytest.approx(round(6 * 300 / 390 * 255 / 300, 6))


def test_gap_uses_the_latest_earlier_supply_year(con):
    add_lrk(con, [("1", "BSO", 40, "WK000101", "Ingeschreven")], year=2022)
    add_lrk(con, [("1", "BSO", 80, "WK000101", "Ingeschreven")], year=2025)
    build_inline(con, {"population_by_wijk_age": POPULATION})
    got = rows(con, """select supply_year, round(sum(places), 6) from gap_by_wijk_niveau
        where wijk_code = 'WK000101' and age_group = '4-12' group by supply_year""")
    assert got == [(2022, 40.0)]


def test_signals_rates_and_signal_adjusted_estimate(con):
    vve = partner_rows("stg_partner__vve_indicaties", [
        {"year": 2024, "gemeente_code": "GM0001", "wijk_code": "WK000101", "age_group": "2-4",
         "criterion": "taal/spraak", "children_count": 40},
        {"year": 2024, "gemeente_code": "GM0001", "wijk_code": "WK000102", "age_group": "2-4",
         "criterion": "SES", "children_count": 2},
    ])
    jeugdhulp = partner_rows("stg_partner__jeugdhulp", [
        {"year": 2024, "gemeente_code": "GM0001", "wijk_code": "WK000101", "children_count": 100},
        {"year": 2024, "gemeente_code": "GM0001", "wijk_code": "WK000102", "children_count": 5},
    ])
    build_inline(con, {"population_by_wijk_age": POPULATION,
                       "stg_partner__vve_indicaties": vve, "stg_partner__jeugdhulp": jeugdhulp})
    got = rows(con, """
        select wijk_code, signal_type, age_group, children_count, round(rate_per_100, 4),
               round(gemeente_rate_per_100, 4), used_in_index, figure_kind
        from signals_by_wijk order by signal_type, wijk_code""")
    assert got == [
        ("WK000101", "jeugdhulp", "alle", 100, round(100 * 100 / 1300, 4),
         round(100 * 105 / 1690, 4), True, "waargenomen"),
        ("WK000102", "jeugdhulp", "alle", 5, round(100 * 5 / 390, 4),
         round(100 * 105 / 1690, 4), True, "waargenomen"),
        ("WK000101", "vve_indicaties", "2-4", 40, 20.0, 17.5, True, "waargenomen"),
        # 2 children: below the smallest count, so not used to adjust the estimate
        ("WK000102", "vve_indicaties", "2-4", 2, 5.0, 17.5, False, "waargenomen"),
    ]
    adjusted = {(r[0], r[1]): r[2:] for r in rows(con, """
        select wijk_code, niveau, signal_index, signal_types, round(children_signal_adjusted, 6)
        from demand_by_wijk_niveau where age_group = '2-4'""")}
    # Noord: mean of vve ratio 20/17.5 = 1.143 and jeugdhulp ratio 7.69/6.21 = 1.238 -> 1.2
    assert adjusted["WK000101", 3] == (1.2, "jeugdhulp, vve_indicaties", 7.2)
    # Zuid: jeugdhulp ratio 0.206 -> 0.2; 1.2 x 0.2 = 0.24 is below the low estimate 0.4
    assert adjusted["WK000102", 3] == (0.2, "jeugdhulp", 0.4)
    # niveau 1 and 2 are never adjusted
    assert adjusted["WK000101", 1] == (None, None, 170.0)


def test_vso_bso_need_observed_beside_modelled(con):
    so = partner_rows("stg_partner__speciaal_onderwijs", [
        {"year": 2024, "gemeente_code": "GM0001", "wijk_code": "WK000101", "cluster": "4",
         "children_count": 10, "bso_needed_count": 3},
        {"year": 2024, "gemeente_code": "GM0001", "wijk_code": "WK000101", "cluster": "sbo",
         "children_count": 10, "bso_needed_count": None},
    ])
    build_inline(con, {"population_by_wijk_age": POPULATION, "stg_partner__speciaal_onderwijs": so})
    assert rows(con, """select wijk_code, pupils_count, bso_needed_observed_count,
        round(bso_need_modelled_low, 6), round(bso_need_modelled_mid, 6),
        round(bso_need_modelled_high, 6) from vso_bso_by_wijk""") == [
        ("WK000101", 20, 3, 6.0, 10.0, 14.0)
    ]


def test_model_builds_without_partner_data(con):
    build_inline(con, {"population_by_wijk_age": POPULATION})
    assert rows(con, "select count(*) from signals_by_wijk") == [(0,)]
    assert rows(con, "select count(*) from gap_by_wijk_niveau") == [(24,)]
    assert rows(con, "select count(*) from gap_by_wijk_niveau where supply_year is null") == [(24,)]
