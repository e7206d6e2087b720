"""The Scenario's page in AppTest: compare the examples, build and copy a scenario, the slides."""

from __future__ import annotations

import html
import json
import re
import time
from pathlib import Path

import duckdb
from conftest import run_page
from streamlit.testing.v1 import AppTest

from data_sources import store
from transforms import scenarios

ROOT = Path(__file__).resolve().parent.parent


def _open(page: str, params: dict[str, str] | None = None) -> AppTest:
    at = run_page(page, 120, params=params)
    assert not at.exception, at.exception
    return at


def _text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_page_compares_the_two_examples_with_risks_and_downloads(app_db):
    at = _open("scenarios")
    assert at.title[0].value == "Scenario's Voorbeeldstad"
    assert at.multiselect(key="scenarios_compare").value == [1, 2]
    table = at.dataframe[0].value.set_index("Grootheid")
    assert list(table.columns) == [f"{area} · {scenario}" for area in ("Noord en Midden", "Zuid", "Gemeente")
                                   for scenario in ("Voorbeeld passend (passend)",
                                                    "Voorbeeld inclusief (inclusief)")]
    # no catchment reaches a BSO-plus group (tests/test_planning.py)
    assert table.loc["Nieuwe BSO-plusgroepen"].tolist() == ["0", "0", "0", "0", "0", "0"]
    assert table.loc["Fte totaal"].tolist()[-2:] == ["19,9", "27,2"]
    # inclusief keeps the existing groups as they are: fewer children apart than passend, more
    # regular groups with extra inzet (before: 33 against 20, and 49 against 56)
    apart = next(label for label in table.index if "met een plek in een aparte groep" in label)
    assert table.loc[apart].tolist()[-2:] == ["20", "9"]
    assert table.loc["Reguliere groepen met extra inzet"].tolist()[-2:] == ["56", "60"]
    assert table.loc["Nieuwe binnenspeelruimte (m²)"].tolist()[-2:] == ["0", "0"]
    text = _text(at)
    assert "000:L157" in text and "000:L1644" in text and "000:L159" in text and "000:L893" in text
    assert "Voorbeeld passend (passend): 0 nieuwe peuterplusgroepen, 0 nieuwe BSO-plusgroepen" in text
    assert any("voer onder *Tarieven*" in i.body for i in at.info)
    chart = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert {trace["name"] for trace in chart["data"]} == {"Voorbeeld passend", "Voorbeeld inclusief"}
    assert at.query_params["scenarios"] == "1,2"


def test_the_scenario_says_how_many_groups_tekorten_counts_for_the_whole_gemeente(app_db):
    """Passend, midden, 2024: Tekorten, the gap slide and the workbook count 1 BSO-plusgroep for
    the gemeente (one catchment); Voorbeeld passend, with two verzorgingsgebieden each short of
    less than a group, showed 0 in its column 'Gemeente' without a word on why the two differ.
    The page, the plan and `scenario show` now give the one-catchment count beside it."""
    import duckdb

    from outputs import plan as plan_output

    at = run_page("tekorten", 120)
    at.selectbox(key="tekorten_age").set_value("4-12").run()
    assert not at.exception, at.exception
    assert any("**1** bij de middenschatting" in m.value for m in at.markdown
               if "Aparte groepen nodig in de gemeente" in m.value)
    at = _open("scenarios")
    table = at.dataframe[0].value.set_index("Grootheid")
    assert table.loc["Nieuwe BSO-plusgroepen", "Gemeente · Voorbeeld passend (passend)"] == "0"
    said = ("Voorbeeld passend: met de hele gemeente als één verzorgingsgebied (zo telt Tekorten de "
            "aparte groepen; hier met de aannames van dit scenario) zijn het 0 nieuwe "
            "peuterplusgroepen en 1 nieuwe BSO-plusgroep; in dit scenario 0 en 0")
    assert any(said in c.value for c in at.caption)
    assert not any("Voorbeeld inclusief: met de hele gemeente" in c.value for c in at.caption)
    con = duckdb.connect(str(app_db), read_only=True)
    try:
        plan = scenarios.compute(con, scenarios.load_scenario(con, 1))
    finally:
        con.close()
    assert said in plan_output.plan_html(plan, "Voorbeeldstad")
    assert any(said in line for line in plan_output.summary_lines(plan))
    # the comparison slide, shown after the gap slide's '1 voor 4-12 jaar'
    slide = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    slide.query_params["dia"] = "scenarios"
    slide.run()
    slide.switch_page("pages/presentatie.py")
    slide.run()
    assert not slide.exception, slide.exception
    assert any(said in m.value for m in slide.markdown)


def test_scenarios_beside_a_sessions_own_assumptions_say_they_use_the_standard_ones(app_db):
    """Niveau 3 at 4 % on Continuüm: 170 children there, while the scenarios (the shared marts,
    the standard assumptions) showed 125 children on niveau 3 without a word, on the page and on
    the slide after the continuum slide."""
    at = run_page("continuum", 120)
    at.slider(key="w_param_share_niveau_3_mid").set_value(4.0).run()
    assert {m.label: m.value for m in at.metric}["Niveau 3"] == "170"
    at.switch_page("pages/scenarios.py")
    at.run()
    assert not at.exception, at.exception
    table = at.dataframe[0].value.set_index("Grootheid")
    assert table.loc["Kinderen niveau 3 (schatting)"].tolist()[-2:] == ["125", "125"]
    said = "De scenario's rekenen met de standaardaannames van het continuümmodel"
    assert any(said in i.value for i in at.info)
    at.query_params["dia"] = "scenarios"
    at.switch_page("pages/presentatie.py")
    at.run()
    assert not at.exception, at.exception
    assert any(said in html.unescape(m.value) for m in at.markdown)
    # with the standard assumptions nothing to say
    assert not any(said in i.value for i in _open("scenarios").info)


def test_build_a_scenario_and_copy_it(app_db):
    at = _open("scenarios")
    at.text_input(key="scenario_name_0").input("Inclusief met coaching")
    at.radio(key="scenario_perspective_0").set_value("inclusief")
    at.multiselect(key="scenario_blocks_0").set_value(["coaching_advies"])
    at.button[[b.label for b in at.button].index("Opslaan en berekenen")].click().run()
    assert not at.exception, at.exception
    con = store.connect(app_db)
    try:
        new = scenarios.list_scenarios(con, "GM9999")[-1]
        assert (new.name, new.perspective, new.building_blocks) == ("Inclusief met coaching", "inclusief",
                                                                    ["coaching_advies"])
        assert new.separate_share == 0 and new.created_by == "demo"  # the signed-in login (demo mode)
        assert scenarios.status(con, new) == scenarios.CURRENT_LABEL
    finally:
        con.close()
    # the new scenario is compared beside the examples, and can be copied
    assert at.multiselect(key="scenarios_compare").value == [1, 2, new.scenario_id]
    at.button(key=f"scenario_copy_{new.scenario_id}").click().run()
    assert not at.exception, at.exception
    con = store.connect(app_db)
    try:
        copy = scenarios.list_scenarios(con, "GM9999")[-1]
        assert copy.name == "Inclusief met coaching (kopie)"
        # saving and copying are in the audit log, in the name of the signed-in login
        assert con.execute("select actor, detail from audit_log where action = 'scenario'"
                           " order by event_id").fetchall() == [
            ("demo", f"scenario {new.scenario_id} (Inclusief met coaching) opgeslagen"),
            ("demo", f"scenario {new.scenario_id} gekopieerd als {copy.scenario_id}")]
    finally:
        con.close()


def test_a_changed_input_shows_the_scenario_as_stale(app_db):
    con = store.connect(app_db)
    store.new_load(con, source="cbs", dataset="kerncijfers", gemeente_code="GM9999", year=2025)
    con.close()
    at = _open("scenarios")
    assert any("op oude gegevens" in w.body for w in at.warning)
    at.button(key="scenario_recompute_1").click().run()
    assert not any("Voorbeeld passend** staat" in w.body for w in at.warning)


def test_confirming_new_figures_and_saving_tariffs_are_in_the_audit_log(app_db):
    # both change what everyone sees (a scenario's stored totals and status, the costs)
    from transforms.planning import Tariff

    con = store.connect(app_db)
    store.new_load(con, source="cbs", dataset="kerncijfers", gemeente_code="GM9999", year=2025)
    scenarios.add_tariff(con, "GM9999", Tariff("gemeentefonds", "fte_pm", 1000.0, "Team onderwijs",
                                               "2025-03-01", "regulier_extra"))
    con.close()
    at = _open("scenarios")
    at.button(key="scenario_recompute_1").click().run()
    assert not at.exception, at.exception
    at.button(key="scenario_tariffs_save").click().run()
    assert not at.exception, at.exception
    con = store.connect(app_db)
    try:
        assert con.execute("select actor, action, detail, gemeenten from audit_log"
                           " where action in ('scenario', 'tarieven') order by event_id").fetchall() == [
            ("demo", "scenario", "scenario 1 (Voorbeeld passend) opnieuw berekend", ["GM9999"]),
            ("demo", "tarieven", "1 tarieven opgeslagen voor GM9999", ["GM9999"])]
        assert scenarios.status(con, scenarios.load_scenario(con, 1)) == scenarios.CURRENT_LABEL
    finally:
        con.close()


def test_the_comparison_is_on_the_slides(app_db):
    at = _open("presentatie", {"dia": "scenarios"})
    assert at.main.title[-1].value == "Scenario's naast elkaar"
    figure = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert figure["layout"]["font"]["size"] >= 20
    assert "Voorbeeld inclusief (inclusief)" in _text(at)
    # the room reads which line of the handreiking, not the project's code for it ('000:L1644')
    at = _open("presentatie", {"dia": "scenario_risicos"})
    assert "Aanbod creëert vraag</b> (handreiking r. 1644)" in _text(at)
    assert "handreiking r. 159, 318" in _text(at)
    assert "000:L" not in _text(at)


def test_a_line_reference_reads_as_words():
    from transforms.labels import cited

    assert cited("000:L157") == "handreiking r. 157"
    assert cited("000:L159; 000:L318") == "handreiking r. 159, 318"
    assert cited("000:L137-141, L165") == "handreiking r. 137-141, 165"
    assert cited("001:L805-807; 000:L893") == "inspiratiedocument Waarborgfonds/NJi r. 805-807; handreiking r. 893"
    assert cited("CBS 03759ned") == "CBS 03759ned"  # not a line reference: as it is


def test_costs_appear_once_a_tariff_is_entered(app_db):
    from transforms.planning import Tariff

    con = store.connect(app_db)
    scenarios.add_tariff(con, "GM9999", Tariff("gemeentefonds", "fte_pm", 1000.0, "Team onderwijs",
                                               "2025-03-01", "regulier_extra"))
    con.close()
    at = _open("scenarios")
    table = at.dataframe[0].value.set_index("Grootheid")
    assert "Kosten per jaar (€, uit ingevoerde tarieven)" in table.index
    assert "waarvan gemeente (€)" in table.index
    assert not any("voer onder *Tarieven*" in i.body for i in at.info)


def test_the_examples_are_made_both_with_their_totals_and_log_line_or_not_at_all(app_db, monkeypatch):
    # Once each example and its totals were a write of their own: stopped after the first (a
    # failure, the server killed), the gemeente kept one example and the button that makes them
    # was gone for good (it shows only without scenarios).
    con = store.connect(app_db)
    con.execute("delete from scenarios")
    con.close()
    at = _open("scenarios")
    computed = scenarios.mark_computed

    def stopped_at_the_second(con, plan):
        if plan.scenario.perspective == "inclusief":
            raise RuntimeError("stopped here")  # as a kill: nothing after this point runs
        computed(con, plan)

    with monkeypatch.context() as patched:
        patched.setattr(scenarios, "mark_computed", stopped_at_the_second)
        at.button(key="scenarios_seed").click().run(timeout=120)
    assert [e.value for e in at.exception] == ["stopped here"]
    con = store.connect(app_db)
    try:
        assert scenarios.list_scenarios(con, "GM9999") == []
        assert con.execute("select count(*) from audit_log where action = 'scenario'").fetchone()[0] == 0
    finally:
        con.close()
    at = _open("scenarios")
    at.button(key="scenarios_seed").click().run(timeout=120)
    assert not at.exception, at.exception
    con = store.connect(app_db)
    try:
        made = scenarios.list_scenarios(con, "GM9999")
        assert [s.perspective for s in made] == ["passend", "inclusief"]
        assert all(scenarios.status(con, s) == scenarios.CURRENT_LABEL for s in made)
        assert con.execute("select actor, detail from audit_log where action = 'scenario'").fetchall() == [
            ("demo", f"voorbeeldscenario's {made[0].scenario_id}, {made[1].scenario_id} gemaakt")]
    finally:
        con.close()



def _stale_scenarios(app_db):
    """The Scenario's page with both examples stale (a new CBS load), and a connection of
    'another session' to the same database."""
    con = store.connect(app_db)
    store.new_load(con, source="cbs", dataset="kerncijfers", gemeente_code="GM9999", year=2025)
    return _open("scenarios"), con


def test_a_confirmation_that_keeps_losing_to_another_sessions_write_is_said_in_dutch(app_db):
    # Another session changes the same scenario and keeps its transaction open: DuckDB refuses the
    # page's update each time ("Conflict on update"). After its retries the page says so in Dutch,
    # without a traceback, and nothing of the click is stored; a later click succeeds.
    from data_sources.jobs import BUSY_MESSAGE

    at, con = _stale_scenarios(app_db)
    con.execute("begin transaction")
    con.execute("update scenarios set computed_at = current_timestamp where scenario_id = 1")
    try:
        at.button(key="scenario_recompute_1").click().run()
        assert not at.exception, at.exception
        assert [e.value for e in at.error] == [BUSY_MESSAGE]
    finally:
        con.execute("rollback")
    try:
        assert con.execute("select count(*) from audit_log where action = 'scenario'").fetchone() == (0,)
        assert scenarios.status(con, scenarios.load_scenario(con, 1)) != scenarios.CURRENT_LABEL
    finally:
        con.close()
    at.button(key="scenario_recompute_1").click().run()
    assert not at.exception and not at.error, (at.exception, [e.value for e in at.error])
    con = store.connect(app_db)
    try:
        assert scenarios.status(con, scenarios.load_scenario(con, 1)) == scenarios.CURRENT_LABEL
    finally:
        con.close()


def test_a_confirmation_that_meets_another_sessions_write_lands_once_that_one_is_done(app_db,
                                                                                     monkeypatch):
    # The other session commits while the page waits to try again (its first pause): the page's
    # second attempt lands, with its audit line, and the user sees no error.
    from data_sources import jobs

    at, con = _stale_scenarios(app_db)
    con.execute("begin transaction")
    con.execute("update scenarios set computed_at = timestamp '2020-01-01' where scenario_id = 1")
    pauses = []

    class Clock:
        """jobs' clock, whose pause before the next attempt is when the other session commits."""

        @staticmethod
        def sleep(seconds):
            pauses.append(seconds)
            if len(pauses) == 1:
                con.execute("commit")

        def __getattr__(self, name):
            return getattr(time, name)

    monkeypatch.setattr(jobs, "time", Clock())
    try:
        at.button(key="scenario_recompute_1").click().run()
    finally:
        if len(pauses) == 0:
            con.execute("rollback")
    assert len(pauses) == 1  # it did meet the other write, once
    assert not at.exception and not at.error, (at.exception, [e.value for e in at.error])
    try:
        # the page's write came after the other's: its moment, not 2020
        assert con.execute("select year(computed_at) from scenarios where scenario_id = 1").fetchone()[0] > 2020
        assert scenarios.status(con, scenarios.load_scenario(con, 1)) == scenarios.CURRENT_LABEL
        assert con.execute("select detail from audit_log where action = 'scenario'").fetchall() == [
            ("scenario 1 (Voorbeeld passend) opnieuw berekend",)]
    finally:
        con.close()


def _tekorten_sentence(age_group: str) -> re.Match:
    at = _open("tekorten")
    next(s for s in at.selectbox if s.label == "Leeftijdsgroep").set_value(age_group).run()
    assert not at.exception, at.exception
    found = re.search(r"\*\*Gemeente [^*]+:\*\* naar schatting (\S+) (?:peuters|kinderen van 4-12 jaar) "
                      r"(van niveau 3 in een aparte groep)[,;]", _text(at))
    assert found, _text(at)
    return found


def test_scenarios_and_tekorten_mean_one_figure_by_niveau_3_in_een_aparte_groep(app_db):
    """Tekorten says '49' (19,5 peuters and 29,5 kinderen van 4-12 jaar, each as a range) 'van
    niveau 3 in een aparte groep': the passend share of niveau 3. Scenario's showed 'waarvan in
    aparte groepen' 20 for Voorbeeld passend: the children its plus groups take (no BSO-plus
    place in either catchment), the same words for another figure. Every children figure of
    Scenario's that speaks of aparte groepen without saying it counts places must be Tekorten's."""
    from outputs.plan import FIGURES
    from transforms.privacy import model_estimate_text
    from ui.continuum import estimate_text

    con = duckdb.connect(str(app_db), read_only=True)
    try:
        demand = dict(((age, (low, mid, high)) for age, low, mid, high in con.execute(
            "select age_group, sum(demand_low), sum(demand_mid), sum(demand_high) from gap_by_wijk_niveau"
            " where gemeente_code = 'GM9999' and year = 2024 and component = 'aparte_groep'"
            " group by all").fetchall()))
    finally:
        con.close()
    assert set(demand) == {"2-4", "4-12"}
    words = set()
    for age_group, (low, _, high) in demand.items():
        sentence = _tekorten_sentence(age_group)
        assert sentence.group(1) == estimate_text(low, high)  # Tekorten states the mart's share
        words.add(sentence.group(2))

    at = _open("scenarios")
    table = at.dataframe[0].value.set_index("Grootheid")
    children = {f.label for f in FIGURES if f.kind == "children"}
    same_words = [label for label in table.index if label in children and "aparte groep" in label.lower()
                  and "plek" not in label.lower()]
    assert same_words, list(table.index)
    expected = model_estimate_text(sum(mid for _, mid, _ in demand.values()))
    for label in same_words:
        assert table.loc[label, "Gemeente · Voorbeeld passend (passend)"] == expected, (label, expected)
        assert all(w in label for w in words), (label, words)  # in the same words
    # the children the plan's plus groups take are there too, in words that say so
    placed = next(label for label in table.index if "met een plek in een aparte groep" in label)
    assert table.loc[placed].tolist()[-2:] == ["20", "9"]


def test_the_kaart_says_who_the_regular_places_are_for_as_tekorten_does(app_db):
    """Tekorten's caption of the regular-place shortage says the children in an existing plus
    group are not counted again ('zonder wie in een bestaande plusgroep zit'); the Kaart's caption
    of the same figure ('tekort reguliere plekken', the sum of Tekorten's rows) did not."""
    tekorten = _open("tekorten")
    noemer = next(re.search(r"Kinderen: schatting \(model; noemer: (.+?)\)\. Kinderen per plek", c.value)
                  for c in tekorten.caption if c.value.startswith("Kinderen: schatting (model; noemer:"))
    assert "bestaande plusgroep" in noemer.group(1)
    kaart = _open("kaart")
    kaart.selectbox(key="_indicator_choice").set_value("tekort_reguliere_plekken").run()
    assert not kaart.exception, kaart.exception
    assert any(noemer.group(1) in c.value for c in kaart.caption), [c.value for c in kaart.caption]
