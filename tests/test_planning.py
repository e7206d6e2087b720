"""Planvorming: the plan arithmetic with inline rows, stored scenarios, tariffs and stale inputs."""

from __future__ import annotations

import io
import math

import pytest

from transforms import scenarios
from transforms.planning import (
    PRESETS,
    Scenario,
    Tariff,
    WijkInput,
    compute_plan,
    default_parameters,
    validate,
)


def wijk(code, age_group, n3, *, n2=0.0, regular=320.0, plus=0.0, cpp=1.0):
    return WijkInput(code, f"wijk {code}", age_group, n3 * 0.5, n3, n3 * 1.5, n2 * 0.5, n2, n2 * 1.5,
                     regular_places=regular, plus_places=plus, plus_children_per_place=cpp)


def scenario(**choices):
    defaults = {"name": "test", "gemeente_code": "GM0001", "year": 2024}
    return Scenario(**{**defaults, **choices})


def row(plan, group_type, age_group, catchment=None):
    found = [r for r in plan.rows if r.group_type == group_type and r.age_group == age_group
             and (catchment is None or r.catchment == catchment)]
    assert len(found) == 1, (group_type, age_group, found)
    return found[0]


def test_passend_groups_fte_and_m2_for_one_catchment():
    # two wijken, 20 + 14 = 34 peuters at niveau 3; half in a separate group: 17 children at one
    # child per place = 17 places; groups of 10: one whole group (a rest of 7 places is no group)
    plan = compute_plan(scenario(perspective="passend", separate_share=0.5),
                        [wijk("WK01", "2-4", 20), wijk("WK02", "2-4", 14)])
    plus = row(plan, "plusgroep", "2-4")
    assert (plus.groups_new, plus.places, plus.children) == (1, 10, 10)
    # two professionals on a group open 20 of 36 hours a week
    assert plus.fte_pm == pytest.approx(2 * 20 / 36)
    assert plus.m2_new == pytest.approx(10 * 3.5)
    # 34 - 10 = 24 children in the regular group, two per group (absorption cap): 12 groups, each with
    # an extra professional 0,3 of 50 hours and two hours of coaching a week
    regular = row(plan, "regulier_extra", "2-4")
    assert (regular.children, regular.groups, regular.groups_new) == (24, 12, 0)
    assert regular.fte_pm == pytest.approx(12 * 0.3 * 50 / 36)
    assert regular.fte_hbo == pytest.approx(12 * 2 / 36)
    totals = plan.totals()
    assert totals["plusgroepen_nieuw"] == 1
    assert totals["fte"] == pytest.approx(2 * 20 / 36 + 12 * 0.3 * 50 / 36 + 12 * 2 / 36)
    assert totals["m2_nieuw"] == pytest.approx(35)


def test_groups_are_counted_per_catchment_never_rounded_up_per_wijk():
    wijken = [wijk("WK01", "2-4", 12), wijk("WK02", "2-4", 12)]  # 6 places each, 12 together
    apart = compute_plan(scenario(separate_share=0.5, catchments={"A": ["WK01"], "B": ["WK02"]}), wijken)
    together = compute_plan(scenario(separate_share=0.5), wijken)
    assert apart.totals()["plusgroepen_nieuw"] == 0
    assert together.totals()["plusgroepen_nieuw"] == 1
    assert list(together.catchments) == ["Hele gemeente"]


def test_existing_plus_places_count_first_and_a_shortage_below_one_group_needs_none():
    # 30 children at niveau 3, half separate: 15 places needed, 6 there, 9 short: no new group
    plan = compute_plan(scenario(separate_share=0.5), [wijk("WK01", "2-4", 30, plus=6)])
    plus = row(plan, "plusgroep", "2-4")
    assert (plus.groups_new, plus.places, plus.places_new, plus.m2_new) == (0, 6, 0, 0)
    assert row(plan, "regulier_extra", "2-4").children == pytest.approx(24)


def test_no_plusgroepen_for_0_2():
    plan = compute_plan(scenario(separate_share=1.0), [wijk("WK01", "0-2", 50)])
    assert not [r for r in plan.rows if r.group_type in ("plusgroep", "bso_plus")]
    assert row(plan, "regulier_extra", "0-2").children == 50


def test_inclusief_adds_no_separate_group_and_warns_above_the_absorption_cap():
    # 4-12: 45 children at niveau 3, 3 regular BSO groups (60 places / 20), existing BSO-plus 4 places
    plan = compute_plan(scenario(perspective="inclusief", separate_share=0.5),
                        [wijk("WK01", "4-12", 45, regular=60, plus=4)])
    bso = row(plan, "bso_plus", "4-12")
    assert (bso.groups_new, bso.places, bso.children) == (0, 4, 4)
    regular = row(plan, "regulier_extra", "4-12")
    # 41 children, two per group: 21 groups with extra inzet, 18 more than the 3 regular groups
    assert regular.groups == 21
    assert regular.places_new == 18 * 20 and regular.groups_new == 18
    assert regular.m2_new == pytest.approx(18 * 20 * 3.5)
    assert plan.warnings and "opnamegrens" in {risk.key for risk, _ in plan.risks}


def test_both_perspectives_start_from_the_children_in_plus_groups_today():
    # WK01 has a plus group of 10 places at 1,65 children per place (16,5 children) but only 6
    # niveau-3 peuters: today it serves 6 (in_plus_groups); WK02 has 30 and no group
    wijken = [WijkInput("WK01", "wijk WK01", "2-4", 3.0, 6.0, 9.0, regular_places=160.0,
                        plus_places=10.0, plus_children_per_place=1.65, in_plus_groups=6.0),
              wijk("WK02", "2-4", 30)]
    inclusief = compute_plan(scenario(perspective="inclusief", separate_share=0.5), wijken)
    # the existing group as it is: its 6 children, not the 16,5 it could take
    assert row(inclusief, "plusgroep", "2-4").children == pytest.approx(6)
    assert row(inclusief, "regulier_extra", "2-4").children == pytest.approx(30)
    passend = compute_plan(scenario(perspective="passend", separate_share=0.5), wijken)
    # half of 36 apart, at most the 16,5 the group can take (no new group below one group)
    assert row(passend, "plusgroep", "2-4").children == pytest.approx(16.5)
    # a share below today's keeps today's children apart: never fewer than inclusief
    few = compute_plan(scenario(perspective="passend", separate_share=0.1), wijken)
    assert row(few, "plusgroep", "2-4").children == pytest.approx(6)
    # the low estimate: at most the wijk's niveau 3 (3 of the 6 today)
    low = compute_plan(scenario(perspective="inclusief", estimate="laag"), wijken)
    assert row(low, "plusgroep", "2-4").children == pytest.approx(3)


def test_estimate_choice_and_parameter_change():
    wijken = [wijk("WK01", "4-12", 40)]  # low 20, mid 40, high 60
    high = compute_plan(scenario(estimate="hoog", separate_share=1.0), wijken)
    # 60 children, 60 places, groups of 14: 4 groups (56 places), 4 children stay in a regular group
    assert row(high, "bso_plus", "4-12").groups_new == 4
    smaller = compute_plan(scenario(estimate="hoog", separate_share=1.0,
                                    parameters=PRESETS["bso_plus"]["zorg_bso"].values), wijken)
    assert row(smaller, "bso_plus", "4-12").groups_new == 7  # groups of 8
    assert dict((p.name, changed) for p, changed in smaller.parameters)["plusgroup_size_bso"]


def test_building_blocks_drive_fte():
    wijken = [wijk("WK01", "0-2", 10)]
    none = compute_plan(scenario(building_blocks=[]), wijken)
    assert none.totals()["fte"] == 0
    specialist = compute_plan(scenario(building_blocks=["specialist_op_groep", "minder_kinderen"]), wijken)
    regular = row(specialist, "regulier_extra", "0-2")
    # 5 groups with a specialist 0,1 of 50 hours; each group 4 children smaller (16 -> 12): 20 places
    assert regular.fte_specialist == pytest.approx(5 * 0.1 * 50 / 36)
    assert regular.places_new == 20 and regular.m2_new == pytest.approx(70)
    assert regular.fte_pm == pytest.approx(20 / 16 * 2 * 50 / 36)
    assert "bkr" in {risk.key for risk, _ in specialist.risks}


def test_costs_follow_the_financing_model_and_every_amount_is_entered():
    wijken = [wijk("WK01", "2-4", 20, n2=100)]
    tariffs = [Tariff("kot", "plek", 100.0, "Test", "2025-01-01", "plusgroep"),
               Tariff("jeugdwet", "fte_pm", 1000.0, "Test", "2025-01-01"),
               Tariff("gemeentefonds", "kind", 10.0, "Test", "2025-01-01", "coaching_niveau2")]
    plan = compute_plan(scenario(separate_share=0.5, building_blocks=["plusgroepen", "extra_medewerker"],
                                 financing={"plusgroep": "kot_jeugdwet", "regulier_extra": "kot_oab"}),
                        wijken, tariffs)
    plus = row(plan, "plusgroep", "2-4")
    by_unit = {(c.group_type, c.unit): c for c in plan.costs}
    assert by_unit[("plusgroep", "plek")].cost == pytest.approx(10 * 100)
    assert by_unit[("plusgroep", "fte_pm")].cost == pytest.approx(plus.fte_pm * 1000)
    # the regular group's extra professional is financed with OAB: no OAB tariff, so no cost, and
    # the missing tariff is named instead of guessed
    assert ("regulier_extra", "fte_pm") not in by_unit
    assert ("regulier_extra", "fte_pm") in plan.missing_tariffs
    assert by_unit[("coaching_niveau2", "kind")].cost == pytest.approx(100 * 10)
    totals = plan.totals()
    assert totals["kosten_KOT/ouders"] == pytest.approx(1000)
    assert totals["kosten_gemeente"] == pytest.approx(plus.fte_pm * 1000 + 1000)
    assert totals["kosten"] == pytest.approx(totals["kosten_KOT/ouders"] + totals["kosten_gemeente"])
    assert "zorgindicatie" in {risk.key for risk, _ in plan.risks}


def test_every_parameter_has_a_source_and_the_risks_of_the_handreiking_are_shown():
    for parameter in default_parameters().values():
        assert parameter.source and parameter.low <= parameter.value <= parameter.high, parameter
    plan = compute_plan(scenario(), [wijk("WK01", "2-4", 20)])
    keys = {risk.key for risk, _ in plan.risks}
    assert {"afschalen", "aanzuigende_werking", "apart_onderwijs", "personeelskrapte"} <= keys
    assert {risk.source for risk, _ in plan.risks} >= {"000:L157", "000:L1644", "000:L893"}


def test_validation_messages_are_dutch():
    problems = validate(scenario(catchments={"A": ["WK01"], "B": ["WK01"]}, perspective="beide",
                                 parameters={"plusgroup_size_0_4": 30}))
    text = " ".join(problems)
    assert "twee verzorgingsgebieden" in text and "passend of inclusief" in text and "tussen" in text


# --- stored scenarios on the sample -----------------------------------------------------------

@pytest.fixture
def sample_rw(app_db):
    from data_sources import store

    connection = store.connect(app_db)
    yield connection
    connection.close()


def test_sample_has_one_example_per_perspective_with_literal_figures(sample_rw):
    stored = scenarios.list_scenarios(sample_rw, "GM9999")
    assert [s.perspective for s in stored] == ["passend", "inclusief"]
    passend, inclusief = (scenarios.compute(sample_rw, s) for s in stored)
    t = passend.totals()
    # row 10: 1,65 children per plus-group place, so 19,5 peuters apart need 11,8 of the 20 places
    # there are, and the 29,5 children of 4-12 apart 17,9 places over two catchments: below a
    # BSO-plus group of 14 in each, so they get extra inzet in regular groups
    assert (t["plusgroepen_nieuw"], t["bso_plus_nieuw"], t["groepen_extra_inzet"]) == (0, 0, 56)
    assert round(t["fte"], 1) == 19.9 and round(t["m2_nieuw"]) == 0
    assert t["kinderen_niveau3_apart"] == pytest.approx(19.52, abs=0.01)
    t = inclusief.totals()
    # the existing plusgroepen as they are: the 8,75 niveau-3 peuters they serve today (Tekorten's
    # in_plus_groups; before: 20 x 1,65 = 33, more apart than passend), so more regular groups
    # with extra inzet than passend (60 against 56; before 49)
    assert t["kinderen_niveau3_apart"] == pytest.approx(8.75, abs=0.01)
    assert (t["plusgroepen_nieuw"], t["bso_plus_nieuw"], t["groepen_extra_inzet"]) == (0, 0, 60)
    assert round(t["fte"], 1) == 27.2 and round(t["m2_nieuw"]) == 0
    assert all(scenarios.status(sample_rw, s) == scenarios.CURRENT_LABEL for s in stored)


def test_one_catchment_gives_the_groups_of_the_gap_mart(sample_rw):
    example = scenarios.list_scenarios(sample_rw, "GM9999")[0]
    example.catchments = {}
    plan = scenarios.compute(sample_rw, example)
    expected = dict(sample_rw.execute(
        "select age_group, groups_needed_mid from groups_by_gemeente where gemeente_code = 'GM9999'"
        " and year = ?", [example.year]).fetchall())
    assert plan.totals()["plusgroepen_nieuw"] == expected["2-4"]
    assert plan.totals()["bso_plus_nieuw"] == expected["4-12"]


def test_scenarios_survive_a_rebuild_and_a_new_upload_marks_them_stale(sample_rw):
    import openpyxl

    import transforms
    from data_sources import jobs, store
    from data_sources.config import SAMPLE_DIR

    transforms.build(sample_rw)
    stored = scenarios.list_scenarios(sample_rw, "GM9999")
    assert len(stored) == 2
    assert scenarios.status(sample_rw, stored[0]) == scenarios.CURRENT_LABEL
    # the partner delivers again: one more child in a group
    workbook = openpyxl.load_workbook(SAMPLE_DIR / "registrations" / "groepsgrootte.xlsx")
    workbook["Gegevens"]["G2"] = workbook["Gegevens"]["G2"].value + 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = jobs.import_registration(sample_rw, buffer.getvalue(), "groepsgrootte",
                                      "Kinderopvang Zonnestraal", "2024", "groepsgrootte.xlsx")
    assert result.status == "imported"
    assert scenarios.status(sample_rw, stored[0]) == scenarios.STALE_LABEL
    # computing again records the new inputs
    scenarios.mark_computed(sample_rw, scenarios.compute(sample_rw, stored[0]))
    assert scenarios.status(sample_rw, scenarios.load_scenario(sample_rw, stored[0].scenario_id)) \
        == scenarios.CURRENT_LABEL
    # another tariff too: the stored totals hold the costs (it kept saying 'actueel')
    scenarios.add_tariff(sample_rw, "GM9999", Tariff("kot", "plek", 12.5, "gemeente", "2025-01-01"))
    assert scenarios.status(sample_rw, stored[0]) == scenarios.STALE_LABEL
    scenarios.mark_computed(sample_rw, scenarios.compute(sample_rw, stored[0]))
    assert scenarios.status(sample_rw, stored[0]) == scenarios.CURRENT_LABEL
    # a new CBS year is a new input too
    store.new_load(sample_rw, source="cbs", dataset="kerncijfers", gemeente_code="GM9999", year=2025)
    assert scenarios.status(sample_rw, stored[0]) == scenarios.STALE_LABEL


def test_copy_and_tariffs_need_owner_and_date(sample_rw):
    new_id = scenarios.copy_scenario(sample_rw, 1, "Mijn variant", "analist")
    copy = scenarios.load_scenario(sample_rw, new_id)
    assert copy.name == "Mijn variant" and copy.perspective == "passend" and copy.created_by == "analist"
    with pytest.raises(ValueError, match="eigenaar"):
        scenarios.add_tariff(sample_rw, "GM9999", Tariff("kot", "plek", 10.0, "", "2025-01-01"))
    scenarios.add_tariff(sample_rw, "GM9999", Tariff("kot", "plek", 10.0, "Gemeente", "2025-01-01"))
    plan = scenarios.compute(sample_rw, copy)
    places = sum(r.places for r in plan.rows)
    assert math.isclose(plan.totals()["kosten"], places * 10.0)


def test_every_plan_parameter_vocabulary_and_risk_is_documented():
    from pathlib import Path

    from transforms.planning import BUILDING_BLOCKS, FINANCING_MODELS, RISKS, STREAMS

    doc = (Path(__file__).resolve().parent.parent / "docs" / "planvorming.md").read_text(encoding="utf-8")
    for name, parameter in default_parameters().items():
        assert f"| `{name}` |" in doc and parameter.source in doc, name
    for key in [*BUILDING_BLOCKS, *FINANCING_MODELS, *RISKS, *STREAMS]:
        assert f"| `{key}` |" in doc, key


def test_tariffs_are_replaced_as_a_table_and_refused_whole(sample_rw):
    good = Tariff("jeugdwet", "fte_specialist", 1.0, "Team jeugd", "2025-02-01", "regulier_extra")
    scenarios.replace_tariffs(sample_rw, "GM9999", [good])
    assert [(t.stream, t.owner, str(t.tariff_date)) for t in scenarios.list_tariffs(sample_rw, "GM9999")] \
        == [("jeugdwet", "Team jeugd", "2025-02-01")]
    with pytest.raises(ValueError, match="Tarief 2: .*datum"):
        scenarios.replace_tariffs(sample_rw, "GM9999", [good, Tariff("kot", "plek", 1.0, "X", None)])
    assert len(scenarios.list_tariffs(sample_rw, "GM9999")) == 1  # nothing stored from a refused table


def test_plan_children_are_shown_as_every_model_estimate():
    # the plan wrote '< 1', Continuüm and the slides '<1': one rule for a model estimate
    from outputs import plan
    from transforms.privacy import model_estimate_text

    for value in (0.4, 0.5, 1.4, 99.6, 212.0):
        assert plan.shown(value, "children") == model_estimate_text(value)
    assert plan.shown(0.4, "children") == "<1"
