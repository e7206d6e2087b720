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


# row 10 delivered for GM0001 2024: one plus-group in Noord with 0 places ('0 gemeld')
ZERO_PLUS_GROUP = partner_rows("stg_partner__groepsgrootte", [
    {"year": 2024, "gemeente_code": "GM0001", "wijk_code": "WK000101", "group_kind": "plusgroep",
     "age_group": "2-4", "places": 0},
])


@pytest.fixture
def inline_con(con):
    build_inline(con, {"population_by_wijk_age": POPULATION})
    return con


def test_demand_partitions_the_children_with_niveau_1_as_the_remainder(inline_con):
    got = rows(inline_con, """
        select niveau, noemer, round(base_children_mid, 6), round(children_low, 6),
               round(children_mid, 6), round(children_high, 6)
        from demand_by_wijk_niveau where wijk_code = 'WK000101' and age_group = '2-4'
        order by niveau""")
    # 200 toddlers; 75 % (65-85 %) use or seek childcare: 150 (130-170) is the noemer of 1-3
    assert got == [
        (1, "in_opvang", 150.0, 104.0, 120.75, 153.0),  # 1 - 15 % - 3 % - 1.5 % = 80.5 %
        (2, "in_opvang", 150.0, 13.0, 22.5, 34.0),
        (3, "in_opvang", 150.0, 1.3, 4.5, 8.5),
        (4, "alle_kinderen", 200.0, 2.0, 3.0, 4.0),
    ]
    assert rows(inline_con, "select distinct figure_kind from demand_by_wijk_niveau") == [("model",)]


def test_the_niveaus_never_add_up_to_more_than_the_children(inline_con):
    got = rows(inline_con, """
        select wijk_code, age_group, round(sum(children_mid), 6), any_value(population_children)
        from demand_by_wijk_niveau group by all order by all""")
    assert got == [
        # 0-2: 55 of 100 in childcare x 98.5 % + 1.5 % of 100
        ("WK000101", "0-2", 55.675, 100.0),
        ("WK000101", "2-4", 150.75, 200.0),
        ("WK000101", "4-12", 310.5, 1000.0),
        ("WK000102", "0-2", 27.8375, 50.0),
        ("WK000102", "2-4", 30.15, 40.0),
        ("WK000102", "4-12", 93.15, 300.0),
    ]


def test_niveau_4_is_over_all_children_whatever_the_participation(inline_con):
    parameters = model.default_parameters()
    row = parameters["name"] == "participation_2_4"
    parameters.loc[row, ["low", "value", "high"]] = [0.5, 0.6, 0.7]
    result = model.demand(inline_con, parameters)
    toddlers = result[(result.wijk_code == "WK000101") & (result.age_group == "2-4")]
    by_niveau = toddlers.set_index("niveau")
    # niveau 3: 200 x 0.6 x 3 % = 3.6; niveau 4 stays 200 x 1.5 % = 3
    assert by_niveau.loc[3, "children_mid"] == pytest.approx(3.6)
    assert by_niveau.loc[4, "children_mid"] == pytest.approx(3.0)
    assert by_niveau.loc[4, "noemer"] == "alle_kinderen"
    # the shared mart keeps the defaults
    assert rows(inline_con, """select round(children_mid, 6) from demand_by_wijk_niveau
        where wijk_code = 'WK000101' and age_group = '2-4' and niveau = 3""") == [(4.5,)]


def test_an_age_group_can_have_its_own_share(inline_con):
    parameters = pd.concat([model.default_parameters(), pd.DataFrame([{
        "name": "share_niveau_4_0_2", "value": 0.01, "low": 0.005, "high": 0.015,
        "unit": "aandeel", "label_nl": "Niveau 4, 0-2 jaar", "source": "test"}])])
    result = model.demand(inline_con, parameters)
    noord = result[result.wijk_code == "WK000101"].set_index(["age_group", "niveau"])
    assert noord.loc[("0-2", 4), "children_mid"] == pytest.approx(1.0)
    assert bool(noord.loc[("0-2", 4), "share_per_age"]) is True
    # niveau 1 of 0-2 is the remainder 1 - 15 % - 3 % - 1 % = 81 % of 55 children in childcare
    assert noord.loc[("0-2", 1), "children_mid"] == pytest.approx(44.55)
    assert noord.loc[("2-4", 4), "children_mid"] == pytest.approx(3.0)


@pytest.mark.parametrize("target", ["demand_by_wijk_niveau", "gap_by_wijk_niveau"])
def test_mart_equals_session_evaluation_with_default_parameters(inline_con, target):
    # the pages read the mart while a session keeps the defaults (ui/continuum.py)
    mart = inline_con.execute(f"select * from {target}").df()
    session = model.evaluate(inline_con, target)
    keys = [k for k in ("wijk_code", "age_group", "niveau", "perspective", "component")
            if k in mart.columns]
    pd.testing.assert_frame_equal(
        mart.sort_values(keys).reset_index(drop=True)[session.columns],
        session.sort_values(keys).reset_index(drop=True),
    )


def test_parameters_out_of_range_are_refused():
    parameters = model.default_parameters()
    parameters.loc[parameters["name"] == "share_niveau_3", "value"] = 0.2
    with pytest.raises(ValueError, match="share_niveau_3"):
        model.validate_parameters(parameters)
    too_much = model.default_parameters()
    too_much.loc[too_much["name"] == "share_niveau_2", ["value", "high"]] = [0.99, 0.99]
    with pytest.raises(ValueError, match="meer dan 100%"):
        model.validate_parameters(too_much)


def test_supply_counts_vgo_places_and_never_a_gastouderbureau(con):
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
        ("4", "GOB", 30, "WK000102", "Ingeschreven"),  # a gastouderbureau: never places
        ("5", "KDV", 32, "WK000102", "Uitgeschreven"),
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
        # the PSZ counts as dagopvang; the gastouder's home (VGO) has 6 places, the bureau (GOB) none
        ("WK000102", "dagopvang", "regulier", 16.0, "lrk"),
        ("WK000102", "gastouderopvang", "regulier", 6.0, "lrk"),
    ]
    gap = {(r[0], r[1], r[2], r[3]): r[4:] for r in rows(con, """
        select wijk_code, age_group, perspective, component, supply_unit, round(demand_mid, 6),
               round(children_per_place, 6), round(need_mid, 6), round(supply, 6),
               round(gap_mid, 6), supply_year
        from gap_by_wijk_niveau""")}
    # niveau 1-3 in childcare 150 x 98.5 % = 147.75, less 4.5 niveau-3 toddlers the plus-group
    # serves; 48 KDV places for 0-4 shared 100:200 -> 32 for toddlers, 1.5 children per place
    assert gap["WK000101", "2-4", "beide", "reguliere_plekken"] == (
        "plekken (gelijktijdig)", 143.25, 1.5, 95.5, 32.0, 63.5, 2024)
    # passend: half of niveau 3 (2.25) in a separate group at 1.7 children per place, 9 places
    assert gap["WK000101", "2-4", "passend", "aparte_groep"] == (
        "plekken (gelijktijdig)", 2.25, 1.7, round(2.25 / 1.7, 6), 9.0, round(2.25 / 1.7 - 9, 6),
        2024)
    # inclusief: all 4.5 in regular groups, 2 per group of 16 places: 32 places take 4 children
    assert gap["WK000101", "2-4", "inclusief", "opnamegrens"] == (
        "kinderen", 4.5, None, 4.5, 4.0, 0.5, 2024)
    # no support delivered (row 7): the supply is unknown, not 0
    assert gap["WK000101", "2-4", "inclusief", "specialistische_inzet"][4:6] == (None, None)
    # no plus-groups for 0-2: niveau 3 of babies is in the regular group
    assert ("WK000101", "0-2", "passend", "aparte_groep") not in gap
    assert gap["WK000101", "0-2", "passend", "specialistische_inzet"][1] == 1.65
    # the gastouder's 6 places for 0-12 are shared by the children of every age group
    assert gap["WK000102", "4-12", "beide", "reguliere_plekken"][4] == round(6 * 300 / 390, 6)

    niveau_4 = rows(con, """select age_group, round(demand_mid, 6), places, children_per_place,
        round(gap_mid, 6), dagbehandeling_count from niveau4_by_gemeente order by age_group""")
    # regional: 12 KDC places for 0-4 shared 100:200 in Noord; no jeugdhulp delivered
    assert niveau_4 == [("0-2", 2.25, 4.0, 1.0, -1.75, None), ("2-4", 3.6, 8.0, 1.0, -4.4, None),
                        ("4-12", 19.5, 0.0, 1.0, 19.5, None)]


def test_children_per_place_from_row_3_where_delivered(con):
    bezetting = partner_rows("stg_partner__kinderopvang_bezetting", [
        {"year": 2024, "gemeente_code": "GM0001", "wijk_code": "WK000101", "care_type": "bso",
         "age_group": "4-12", "children_count": 90, "places": 50},
    ])
    add_lrk(con, [("2", "BSO", 60, "WK000101", "Ingeschreven")])
    build_inline(con, {"population_by_wijk_age": POPULATION,
                       "stg_partner__kinderopvang_bezetting": bezetting})
    assert rows(con, """select provision_type, children_per_place, children_per_place_source
        from int_supply__children_per_place where provision_type in ('bso', 'dagopvang')
        order by 1""") == [("bso", 1.8, "kinderopvang-bezetting"), ("dagopvang", 1.5, "parameter")]
    assert rows(con, """select round(need_mid, 6), supply from gap_by_wijk_niveau
        where wijk_code = 'WK000101' and age_group = '4-12' and component = 'reguliere_plekken'
        """) == [(round(300 * 0.985 / 1.8, 6), 60.0)]


def test_groups_per_gemeente_never_a_group_for_less_than_one_group(con):
    # row 10 delivered, with a plus-group of 0 places ('0 gemeld'): no places, counted
    build_inline(con, {"population_by_wijk_age": POPULATION,
                       "stg_partner__groepsgrootte": ZERO_PLUS_GROUP})
    inline_con = con
    # 4-12: 9 and 2.7 children on niveau 3, half in a separate group: 2.6 and 0.8 places short in
    # the two wijken, 3.4 in the gemeente: less than one BSO-plus group of 14, so no group
    assert rows(inline_con, """select age_group, round(shortage_places_mid, 6), groups_needed_mid
        from groups_by_gemeente order by age_group""") == [
        ("2-4", round((4.5 + 0.9) * 0.5 / 1.7, 6), 0),
        ("4-12", round((9 + 2.7) * 0.5 / 1.7, 6), 0),
    ]
    parameters = model.default_parameters().set_index("name")
    parameters.loc["share_niveau_3_separate", ["low", "value", "high"]] = [0.0, 1.0, 1.0]
    parameters.loc["share_niveau_3", "value"] = 0.05
    parameters.loc["plusgroup_size_bso", ["low", "value"]] = [8.0, 8.0]
    groups = model.evaluate(inline_con, "groups_by_gemeente", parameters.reset_index())
    bso = groups[groups.age_group == "4-12"].iloc[0]
    # 15 + 4.5 children in separate groups: 8.8 + 2.6 = 11.5 places short in the gemeente, one
    # whole group of 8 (rounding up per wijk would have made 2 + 1 = 3 groups)
    assert bso.shortage_places_mid == pytest.approx(19.5 / 1.7)
    assert bso.groups_needed_mid == 1


def test_plus_group_and_kdc_places_not_delivered_are_null_not_zero(inline_con):
    """No partner delivered row 10 (groepsgrootte): the places in plus-groups and KDC/MKD are not
    known, so supply, gap and groups needed are null ('niet geleverd'); the need stays. Before
    they were 0 and the shortage the whole need, as if counted."""
    separate = rows(inline_con, """select age_group, round(need_mid, 6), supply, gap_low, gap_mid,
        gap_high, gap_signal_adjusted from gap_by_wijk_niveau
        where component = 'aparte_groep' and wijk_code = 'WK000101' order by age_group""")
    assert separate == [("2-4", round(2.25 / 1.7, 6), None, None, None, None, None),
                        ("4-12", round(4.5 / 1.7, 6), None, None, None, None, None)]
    # the regular places and the absorption cap do not rest on row 10
    assert rows(inline_con, """select count(*) from gap_by_wijk_niveau
        where component in ('reguliere_plekken', 'opnamegrens') and supply is null""") == [(0,)]
    assert rows(inline_con, """select age_group, round(places_needed_mid, 6), places,
        shortage_places_mid, groups_needed_low, groups_needed_mid, groups_needed_high
        from groups_by_gemeente order by age_group""") == [
        ("2-4", round((4.5 + 0.9) * 0.5 / 1.7, 6), None, None, None, None, None),
        ("4-12", round((9 + 2.7) * 0.5 / 1.7, 6), None, None, None, None, None)]
    niveau_4 = rows(inline_con, """select age_group, round(demand_mid, 6), children_per_place,
        places, gap_low, gap_mid, gap_high from niveau4_by_gemeente order by age_group""")
    assert niveau_4 == [("0-2", 2.25, 1.0, None, None, None, None),
                        ("2-4", 3.6, 1.0, None, None, None, None),
                        ("4-12", 19.5, 1.0, None, None, None, None)]


def test_plus_group_places_delivered_for_another_wijk_are_zero_here(con):
    # row 10 delivered for Noord only: Zuid has 0 plus-group places ('0 gemeld'), no KDC places
    build_inline(con, {"population_by_wijk_age": POPULATION,
                       "stg_partner__groepsgrootte": ZERO_PLUS_GROUP})
    assert rows(con, """select wijk_code, age_group, supply, round(gap_mid, 6)
        from gap_by_wijk_niveau where component = 'aparte_groep' order by 1, 2""") == [
        ("WK000101", "2-4", 0.0, round(2.25 / 1.7, 6)),
        ("WK000101", "4-12", 0.0, round(4.5 / 1.7, 6)),
        ("WK000102", "2-4", 0.0, round(0.45 / 1.7, 6)),
        ("WK000102", "4-12", 0.0, round(1.35 / 1.7, 6)),
    ]
    assert rows(con, "select age_group, places, round(gap_mid, 6) from niveau4_by_gemeente"
                     " order by 1") == [("0-2", 0.0, 2.25), ("2-4", 0.0, 3.6), ("4-12", 0.0, 19.5)]


def test_gap_uses_the_latest_earlier_supply_year(con):
    add_lrk(con, [("1", "BSO", 40, "WK000101", "Ingeschreven")], year=2022)
    add_lrk(con, [("1", "BSO", 80, "WK000101", "Ingeschreven")], year=2025)
    build_inline(con, {"population_by_wijk_age": POPULATION})
    got = rows(con, """select supply_year, round(supply, 6) from gap_by_wijk_niveau
        where wijk_code = 'WK000101' and age_group = '4-12' and component = 'reguliere_plekken'""")
    assert got == [(2022, 40.0)]


def test_signals_rates_kinds_and_signal_adjusted_estimate(con):
    vve = partner_rows("stg_partner__vve_indicaties", [
        {"year": 2024, "gemeente_code": "GM0001", "wijk_code": "WK000101", "age_group": "2-4",
         "criterion": "taal/spraak", "children_count": 40},
        {"year": 2024, "gemeente_code": "GM0001", "wijk_code": "WK000102", "age_group": "2-4",
         "criterion": "SES", "children_count": 30},
    ])
    jeugdhulp = partner_rows("stg_partner__jeugdhulp", [
        {"year": 2024, "gemeente_code": "GM0001", "wijk_code": "WK000101",
         "youth_care_type": "ambulant", "children_count": 100},
        {"year": 2024, "gemeente_code": "GM0001", "wijk_code": "WK000102",
         "youth_care_type": "ambulant", "children_count": 5},
        {"year": 2024, "gemeente_code": "GM0001", "wijk_code": "WK000102",
         "youth_care_type": "pleegzorg", "children_count": 20},
    ])
    build_inline(con, {"population_by_wijk_age": POPULATION,
                       "stg_partner__vve_indicaties": vve, "stg_partner__jeugdhulp": jeugdhulp})
    got = rows(con, """
        select s.wijk_code, s.signal_kind, s.age_group, s.children_count, round(s.rate_per_100, 4),
               round(s.gemeente_rate_per_100, 4), u.used_in_index, s.figure_kind
        from signals_by_wijk as s
        join signals_used_by_wijk as u using (gemeente_code, year, signal_type, signal_kind, age_group, wijk_code)
        order by s.signal_kind, s.wijk_code""")
    assert got == [
        ("WK000101", "jeugdhulp_ambulant", "alle", 100, round(100 * 100 / 1300, 4),
         round(100 * 105 / 1690, 4), True, "waargenomen"),
        ("WK000102", "jeugdhulp_ambulant", "alle", 5, round(100 * 5 / 390, 4),
         round(100 * 105 / 1690, 4), True, "waargenomen"),
        # pleegzorg and SES-based vve are no support need in childcare: not used by default
        ("WK000101", "jeugdhulp_pleegzorg", "alle", 0, 0.0, round(100 * 20 / 1690, 4), False,
         "waargenomen"),
        ("WK000102", "jeugdhulp_pleegzorg", "alle", 20, round(100 * 20 / 390, 4),
         round(100 * 20 / 1690, 4), False, "waargenomen"),
        ("WK000101", "vve_ses", "2-4", 0, 0.0, 12.5, False, "waargenomen"),
        ("WK000102", "vve_ses", "2-4", 30, 75.0, 12.5, False, "waargenomen"),
        ("WK000101", "vve_taal_spraak", "2-4", 40, 20.0, round(100 * 40 / 240, 4), True,
         "waargenomen"),
        # no children: below the smallest count, so not used to adjust the estimate
        ("WK000102", "vve_taal_spraak", "2-4", 0, 0.0, round(100 * 40 / 240, 4), False,
         "waargenomen"),
    ]
    adjusted = {(r[0], r[1]): r[2:] for r in rows(con, """
        select wijk_code, niveau, signal_index, signal_types, round(children_signal_adjusted, 6)
        from demand_by_wijk_niveau where age_group = '2-4'""")}
    # Noord: mean of vve ratio 20/16.67 = 1.2 and jeugdhulp ratio 7.69/6.21 = 1.238 -> 1.2
    assert adjusted["WK000101", 3] == (1.2, "jeugdhulp_ambulant, vve_taal_spraak", 5.4)
    # Zuid: jeugdhulp ratio 0.206 -> 0.2; 0.9 x 0.2 = 0.18 is below the low estimate 0.26
    assert adjusted["WK000102", 3] == (0.2, "jeugdhulp_ambulant", 0.26)
    # niveau 1 and 2 are never adjusted
    assert adjusted["WK000101", 1] == (None, None, 120.75)
    # a session may choose other kinds: with SES-based vve only, Zuid's 75 per 100 counts
    chosen = model.evaluate(con, "demand_by_wijk_niveau", signal_kinds=("vve_ses",))
    zuid = chosen[(chosen.wijk_code == "WK000102") & (chosen.age_group == "2-4")
                  & (chosen.niveau == 3)].iloc[0]
    assert zuid.signal_index == 6.0 and zuid.signal_types == "vve_ses"


def test_a_signal_the_pages_hide_adjusts_no_estimate(con):
    """Zuid's 40 children with ambulant jeugdhulp are at least the threshold, but the pages hide
    them: Noord's 3 is hidden, and alone in the line 3 + 40 = 43 it could be subtracted, so 40 is
    hidden with it (secondary suppression). The estimate must not use 40 either, or "Gebruikte
    signalen" would tell the hidden cell from Noord's small one (at least the threshold) and the
    adjusted estimate would carry its ratio to the gemeente."""
    jeugdhulp = partner_rows("stg_partner__jeugdhulp", [
        {"year": 2024, "gemeente_code": "GM0001", "wijk_code": "WK000101", "organisation": "Zorg",
         "youth_care_type": "ambulant", "children_count": 3},
        {"year": 2024, "gemeente_code": "GM0001", "wijk_code": "WK000102", "organisation": "Zorg",
         "youth_care_type": "ambulant", "children_count": 40},
    ])
    build_inline(con, {"population_by_wijk_age": POPULATION, "stg_partner__jeugdhulp": jeugdhulp})
    assert rows(con, """select distinct wijk_code, signal_index, signal_types from continuum_by_wijk_niveau
        where niveau >= 3 order by wijk_code""") == [("WK000101", None, None), ("WK000102", None, None)]
    assert rows(con, """select wijk_code, children_count, cell_hidden, gemeente_cell_hidden,
        used_in_index from signals_used_by_wijk order by wijk_code""") == [
        ("WK000101", 3, True, False, False), ("WK000102", 40, True, False, False)]


def test_signals_of_a_wijk_whose_children_cbs_keeps_secret_are_counted_with_an_unknown_rate(con):
    """Oost's 0-15 year olds are secret (kwb '.'), so it has no population: its delivered
    signals still count, for the wijk and in the gemeente total; only its rate is unknown."""
    from transforms.partner_tables import SIGNALS_SQL, joint_cube

    regions = pd.DataFrame(
        [(2024, code, "wijk", name, "GM0001", code, 1)
         for code, name in [("WK000101", "Noord"), ("WK000102", "Zuid"), ("WK000103", "Oost")]],
        columns=["year", "region_code", "region_level", "region_name", "gemeente_code",
                 "wijk_code", "load_id"])
    kerncijfers = pd.DataFrame(
        [("85984NED", 2024, "WK000101", "wijk", "k_0Tot15Jaar", 1400.0, 1),
         ("85984NED", 2024, "WK000102", "wijk", "k_0Tot15Jaar", 400.0, 1),
         ("85984NED", 2024, "WK000103", "wijk", "k_0Tot15Jaar", None, 1)],
        columns=["table_id", "year", "region_code", "region_level", "stem", "value", "load_id"])
    jeugdhulp = partner_rows("stg_partner__jeugdhulp", [
        {"year": 2024, "gemeente_code": "GM0001", "wijk_code": code, "organisation": "Zorg",
         "youth_care_type": "ambulant", "age_group": "2-4", "children_count": count}
        for code, count in [("WK000101", 40), ("WK000102", 20), ("WK000103", 25)]])
    build_inline(con, {"population_by_wijk_age": POPULATION, "stg_regions": regions,
                       "stg_cbs__kerncijfers": kerncijfers, "stg_partner__jeugdhulp": jeugdhulp})
    assert rows(con, """select wijk_code, wijk_name, children_count, population_children,
        rate_per_100, population_unknown, gemeente_children_count from signals_by_wijk
        order by wijk_code""") == [
        ("WK000101", "Noord", 40, 200.0, 20.0, False, 85),
        ("WK000102", "Zuid", 20, 40.0, 50.0, False, 85),
        ("WK000103", "Oost", 25, None, None, True, 85)]
    # the gemeente rate the model compares wijken with: over the wijken whose children are known
    assert rows(con, "select distinct gemeente_rate_per_100 from signals_by_wijk") == [(25.0,)]
    # no rate, so it adjusts no estimate
    assert rows(con, """select wijk_code, used_in_index from signals_used_by_wijk
        order by wijk_code""") == [("WK000101", True), ("WK000102", True), ("WK000103", False)]
    # the protected table every page and export reads: Oost's 25 in the wijk and gemeente totals
    cube = joint_cube(con.execute(SIGNALS_SQL, ["GM0001", 2024]).df(), None)
    assert cube.counts[cube.row_of["WK000103"], -1, -1] == 25
    assert cube.counts[-1, -1, -1] == 85 and not cube.hidden.any()


def test_cbs_jeugdzorg_is_the_fallback_where_partners_gave_no_signal(con):
    columns = ["table_id", "year", "region_code", "region_level", "stem", "value", "load_id"]
    counts = [("85984NED", 2024, "WK000101", "wijk", "JongerenMetJeugdzorgInNatura", 60.0, 1),
              ("85984NED", 2024, "WK000102", "wijk", "JongerenMetJeugdzorgInNatura", 10.0, 1)]
    regions = pd.DataFrame(
        [(2024, "WK000101", "wijk", "Noord", "GM0001", "WK000101", 1),
         (2024, "WK000102", "wijk", "Zuid", "GM0001", "WK000102", 1)],
        columns=["year", "region_code", "region_level", "region_name", "gemeente_code",
                 "wijk_code", "load_id"])
    # the count is of young people up to 23 (a_jz_tn): without CBS's percentage (p_jz_tn) there
    # is no population to compare it with (children 0-12 are not), so no adjustment
    build_inline(con, {"population_by_wijk_age": POPULATION, "stg_regions": regions,
                       "stg_cbs__kerncijfers": pd.DataFrame(counts, columns=columns)})
    assert rows(con, """select wijk_code, signal_index from demand_by_wijk_niveau
        where niveau = 3 and age_group = '2-4' order by wijk_code""") == [
        ("WK000101", None), ("WK000102", None)]
    kerncijfers = pd.DataFrame(counts + [
        ("85984NED", 2024, "WK000101", "wijk", "PercentageJongerenMetJeugdzorg", 5.0, 1),
        ("85984NED", 2024, "WK000102", "wijk", "PercentageJongerenMetJeugdzorg", 2.5, 1)],
        columns=columns)
    frames = {"population_by_wijk_age": POPULATION, "stg_cbs__kerncijfers": kerncijfers,
              "stg_regions": regions}
    build_inline(con, frames)
    assert rows(con, """select wijk_code, rate_per_100, population_children,
        gemeente_rate_per_100 from signals_by_wijk order by wijk_code""") == [
        # 60 at 5 % are 1,200 young people, 10 at 2,5 % 400: the gemeente 70 of 1,600
        ("WK000101", 5.0, 1200.0, 4.375), ("WK000102", 2.5, 400.0, 4.375)]
    assert rows(con, """select wijk_code, signal_index from demand_by_wijk_niveau
        where niveau = 3 and age_group = '2-4' order by wijk_code""") == [
        # ratios 5 / 4,375 = 1.14 and 2,5 / 4,375 = 0.57 (per 100 children 0-12 they were
        # 60 of 1,300 and 10 of 390 against 70 of 1,690: 1.11 and 0.62)
        ("WK000101", 1.1), ("WK000102", 0.6)]
    jeugdhulp = partner_rows("stg_partner__jeugdhulp", [
        {"year": 2024, "gemeente_code": "GM0001", "wijk_code": "WK000101",
         "youth_care_type": "dagbehandeling", "children_count": 10},
    ])
    build_inline(con, {**frames, "stg_partner__jeugdhulp": jeugdhulp})
    assert rows(con, """select signal_kind, bool_or(used_in_index) from signals_used_by_wijk
        group by all order by 1""") == [("cbs_jeugdzorg", False), ("jeugdhulp_dagbehandeling", True)]


def test_vso_bso_need_observed_beside_modelled(con):
    so = partner_rows("stg_partner__speciaal_onderwijs", [
        {"year": 2024, "gemeente_code": "GM0001", "wijk_code": "WK000101", "school_type": "so",
         "cluster": "4", "children_count": 10, "bso_needed_count": 3},
        {"year": 2024, "gemeente_code": "GM0001", "wijk_code": "WK000101", "school_type": "sbo",
         "children_count": 10, "bso_needed_count": None},
        # thuiszitters are no pupils, vso pupils are past BSO age: neither is in the BSO gap
        {"year": 2024, "gemeente_code": "GM0001", "wijk_code": "WK000101", "school_type": "so",
         "cluster": "4", "enrolment_status": "thuiszitter", "children_count": 4},
        {"year": 2024, "gemeente_code": "GM0001", "wijk_code": "WK000101", "school_type": "vso",
         "cluster": "3", "children_count": 12},
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
    # per wijk: niveau 1, 2, 3 passend (in the group), 3 inclusief (cap, inzet) for three age
    # groups, and the separate group for 2-4 and 4-12
    assert rows(con, "select count(*) from gap_by_wijk_niveau") == [(34,)]
    assert rows(con, "select count(*) from gap_by_wijk_niveau where supply_year is null") == [(34,)]


def test_migration_keeps_old_speciaal_onderwijs_uploads_in_the_new_shape(con):
    from data_sources.store import MIGRATIONS_DIR

    load_id = store.new_load(con, source="partner", dataset="speciaal-onderwijs", year=2024,
                             gemeente_code="GM0001")
    old = ['{"cluster": "sbo", "children_count": 7}', '{"cluster": "vso", "children_count": 3}',
           '{"cluster": "4", "children_count": 5}']
    for number, payload in enumerate(old, start=1):
        con.execute("insert into raw_partner__registration_rows (load_id, registration_type,"
                    " row_number, gemeente_code, wijk_code, payload)"
                    " values (?, 'speciaal-onderwijs', ?, 'GM0001', 'WK000101', ?)",
                    [load_id, number, payload])
    con.execute((MIGRATIONS_DIR / "0055_so_school_type.sql").read_text(encoding="utf-8"))
    got = sorted(rows(con, """select json_extract_string(payload, '$.school_type'),
        json_extract_string(payload, '$.cluster'), json_extract_string(payload, '$.children_count')
        from raw_partner__registration_rows"""), key=str)
    assert got == [("sbo", None, "7"), ("so", "4", "5"), ("vso", None, "3")]


def test_support_in_its_own_unit_and_not_delivered_is_not_zero(con):
    support = partner_rows("stg_partner__ondersteuningstrajecten", [
        {"year": 2024, "gemeente_code": "GM0001", "wijk_code": "WK000101", "age_group": "2-4",
         "support_type": "coaching pm'ers", "children_count": 10, "trajectories_count": 4,
         "support_hours": 80.0},
        {"year": 2024, "gemeente_code": "GM0001", "wijk_code": "WK000101", "age_group": "2-4",
         "support_type": "ondersteuning in de groep", "children_count": 3},
    ])
    build_inline(con, {"population_by_wijk_age": POPULATION,
                       "stg_partner__ondersteuningstrajecten": support})
    got = rows(con, """select wijk_code, age_group, perspective, component, supply,
        trajectories_count, support_hours, round(gap_mid, 6) from gap_by_wijk_niveau
        where niveau = 2 or component = 'specialistische_inzet' order by all""")
    assert got == [
        # no row 7 for 0-2 or 4-12: unknown, not 0
        ("WK000101", "0-2", "beide", "ondersteuning_professionals", None, None, None, None),
        ("WK000101", "0-2", "inclusief", "specialistische_inzet", None, None, None, None),
        ("WK000101", "0-2", "passend", "specialistische_inzet", None, None, None, None),
        # 22.5 toddlers on niveau 2, 10 reached with coaching (4 trajecten, 80 hours)
        ("WK000101", "2-4", "beide", "ondersteuning_professionals", 10.0, 4, 80.0, 12.5),
        # rows that leave the optional trajecten and hours empty: not given, not 0
        ("WK000101", "2-4", "inclusief", "specialistische_inzet", 3.0, None, None, 1.5),
        ("WK000101", "2-4", "passend", "specialistische_inzet", 3.0, None, None, -0.75),
        ("WK000101", "4-12", "beide", "ondersteuning_professionals", None, None, None, None),
        ("WK000101", "4-12", "inclusief", "specialistische_inzet", None, None, None, None),
        ("WK000101", "4-12", "passend", "specialistische_inzet", None, None, None, None),
        ("WK000102", "0-2", "beide", "ondersteuning_professionals", None, None, None, None),
        ("WK000102", "0-2", "inclusief", "specialistische_inzet", None, None, None, None),
        ("WK000102", "0-2", "passend", "specialistische_inzet", None, None, None, None),
        # delivered for toddlers, nothing in Zuid: 0 children, and so 0 trajecten and 0 hours
        # (before: 0 children beside empty trajecten and hours, which read as 'not given')
        ("WK000102", "2-4", "beide", "ondersteuning_professionals", 0.0, 0, 0.0, 4.5),
        ("WK000102", "2-4", "inclusief", "specialistische_inzet", 0.0, 0, 0.0, 0.9),
        ("WK000102", "2-4", "passend", "specialistische_inzet", 0.0, 0, 0.0, 0.45),
        ("WK000102", "4-12", "beide", "ondersteuning_professionals", None, None, None, None),
        ("WK000102", "4-12", "inclusief", "specialistische_inzet", None, None, None, None),
        ("WK000102", "4-12", "passend", "specialistische_inzet", None, None, None, None),
    ]
