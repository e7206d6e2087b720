"""Scenario's: from the gap to a plan; build, copy and compare scenarios side by side, export the plan."""

from datetime import date

import pandas as pd
import streamlit as st

from data_sources.store import transaction
from outputs import exports
from outputs import plan as plan_output
from transforms import scenarios
from transforms.planning import (
    BUILDING_BLOCKS,
    ESTIMATES,
    FINANCING_MODELS,
    GROUP_TYPES,
    HORIZONS,
    PERSPECTIVES,
    PRESETS,
    STREAMS,
    UNITS,
    Scenario,
    Tariff,
    default_parameters,
    default_separate_share,
)
from ui import scenarios as ui_scenarios
from ui.auth import actor, audited, record, where_to_load
from ui.data import READ_ONLY_NOTE, clear_caches, cursor, read_only, written
from ui.downloads import XLSX_MIME, chart_config, file_stem
from ui.population import nothing_loaded, secret_left_out
from ui.safe import plain, plotly_chart
from ui.state import current, gemeente_name

gemeente_code, year = current()
if gemeente_code is None:
    st.title("Scenario's")
    st.info(nothing_loaded())
    st.stop()

name = gemeente_name(gemeente_code)
st.title(f"Scenario's {plain(name)}")
st.write(
    "Van het tekort naar een plan (*Planvorming*, handreiking r. 602-1760): wat vraagt een keuze aan "
    "groepen, professionals, ruimte en geld? Een scenario is een bewaarde set keuzes: perspectief, "
    "horizon, verzorgingsgebieden (wijken die aanbod delen) en bouwstenen uit het keuzemenu van de "
    "handreiking. De handreiking kiest geen perspectief (r. 167): zet *passend* en *inclusief* naast "
    "elkaar."
)
st.caption(plan_output.ESTIMATE_NOTE + " Bedragen komen alleen uit tarieven die u zelf invoert, met "
           "eigenaar en datum.")
USER = actor()  # the signed-in login, named as the maker of a scenario and in the audit log



def population_missing(scenario_year: int) -> str | None:
    """What a plan of `scenario_year` lacks (children per wijk) and where to load it; None when
    it can be computed. A plan without them would be all zeros: it is not shown, seeded or saved."""
    return scenarios.population_missing(cursor(), gemeente_code, scenario_year, name,
                                        ui_scenarios.inputs(gemeente_code, scenario_year), where=where_to_load)


available = ui_scenarios.stored(gemeente_code)
locked = read_only()  # a read-only copy: scenarios show and compare, nothing is saved
if locked:
    st.info(READ_ONLY_NOTE, icon=":material/lock:")
missing_now = population_missing(year)
if missing_now:
    st.warning(plain(missing_now))
elif secret_note := secret_left_out(gemeente_code, year):
    st.info(secret_note)
if not available:
    st.info("Deze gemeente heeft nog geen scenario's. Begin met de twee voorbeelden (passend en "
            "inclusief, de hele gemeente als één verzorgingsgebied) of maak hieronder een eigen scenario.")
    if st.button("Voorbeeldscenario's maken", key="scenarios_seed", disabled=bool(missing_now) or locked):
        def seed() -> bool:
            with transaction(writer := cursor()):  # both examples with their log line, or nothing
                if seeded := scenarios.seed_examples(writer, gemeente_code, year, catchments={}):
                    record("scenario", f"voorbeeldscenario's {', '.join(map(str, seeded))} gemaakt",
                           con=writer)
            return True

        if written(seed):
            st.rerun()

fingerprint = scenarios.input_fingerprint(cursor(), gemeente_code)
by_id = {s.scenario_id: s for s in available}


def label(scenario: Scenario) -> str:
    return f"{scenario.scenario_id}. {scenario.name} ({scenario.perspective}, gegevens {scenario.year})"


# 1. Compare -------------------------------------------------------------------------------
if available:
    st.header("Vergelijken")
    if st.session_state.pop("_scenarios_compare_reset", False):
        st.session_state.pop("scenarios_compare", None)
    chosen = st.multiselect(
        f"Scenario's naast elkaar (hoogstens {ui_scenarios.MAX_COMPARED})", list(by_id),
        default=ui_scenarios.selected_ids(available), format_func=lambda i: label(by_id[i]),
        max_selections=ui_scenarios.MAX_COMPARED, key="scenarios_compare",
        placeholder="kies scenario's")
    st.session_state[ui_scenarios.SELECTED_KEY] = chosen
    st.query_params["scenarios"] = ",".join(map(str, chosen))
    # a scenario of a year without children per wijk: what is missing, not a plan of zeros
    computable = []
    for scenario in (by_id[i] for i in chosen):
        if scenario.year != year and (missing := population_missing(scenario.year)):
            st.warning(f"**{plain(scenario.name)}** is niet te berekenen. {plain(missing)}")
        elif scenario.year != year or not missing_now:
            computable.append(scenario)
    plans = [ui_scenarios.compute(scenario) for scenario in computable]
    for scenario in computable:
        state = scenarios.status(cursor(), scenario, fingerprint)
        if state == scenarios.CURRENT_LABEL:
            continue
        left, right = st.columns([4, 1], vertical_alignment="center")
        left.warning(f"**{plain(scenario.name)}** staat {state}: sinds de laatste berekening zijn gegevens "
                     "veranderd (een nieuwe levering, een nieuw CBS-jaar, andere aannames of tarieven). De cijfers "
                     "hieronder zijn al opnieuw berekend; bevestig ze om het scenario bij te werken.")
        if right.button("Opnieuw berekenen", key=f"scenario_recompute_{scenario.scenario_id}",
                        disabled=locked):
            def confirm(scenario: Scenario = scenario) -> bool:
                # the confirmed figures, which everyone now sees as current, with their log line
                with transaction(writer := cursor()):
                    scenarios.mark_computed(writer, ui_scenarios.compute(scenario))
                    record("scenario", f"scenario {scenario.scenario_id} ({scenario.name}) opnieuw "
                           "berekend", con=writer)
                return True

            if written(confirm):
                st.rerun()
    if plans:
        comparison = plan_output.comparison_frame(plans)
        st.dataframe(comparison, hide_index=True, width="stretch", key="scenarios_table",
                     height=35 * (len(comparison) + 1) + 3)
        if note := ui_scenarios.standard_assumptions_note():
            st.info(note)
        figure = ui_scenarios.comparison_chart(plans)
        plotly_chart(figure, width="stretch", key="scenarios_chart",
                        config=chart_config(f"scenario's {name}"))
        st.markdown(" ".join(ui_scenarios.comparison_sentences(plans, name=plain)))
        st.caption("Groepen per verzorgingsgebied, nooit per wijk naar boven afgerond: een tekort van "
                   "minder dan één groep vraagt geen nieuwe groep, die kinderen krijgen extra inzet in "
                   "de reguliere groep. Geen plusgroepen voor 0-2 jaar. Fte = personen op de groep × "
                   "openingsuren ÷ uren per fte (aparte groepen: alle groepen in het plan, ook bestaande; "
                   "reguliere groepen: alleen de extra inzet); m² = 3,5 m² binnenspeelruimte per nieuwe "
                   "plek (r. 1733).")
        for plan in plans:
            if plan.catchment_note:
                st.caption(plain(plan.catchment_note))
        for plan in plans:
            if plan_output.has_costs(plan) and plan.missing_tariffs:
                with st.expander(f"{plain(plan.scenario.name)}: {len(plan.missing_tariffs)} hoeveelheden zonder "
                                 "tarief (niet in de kosten)"):
                    st.dataframe(plan_output.missing_tariffs_frame(plan), hide_index=True, width="stretch")
        if not any(plan_output.has_costs(p) for p in plans):
            st.info("Nog geen kosten: voer onder *Tarieven* bedragen in (per financieringsstroom en "
                    "eenheid, met eigenaar en datum). Kindkaart vult zelf geen bedragen in.")

        st.subheader("Risico's naast elk scenario")
        for column, plan in zip(st.columns(len(plans)), plans, strict=True):
            column.markdown(f"**{plain(plan.scenario.name)}**")
            for risk, text in plan.risks:
                column.markdown(f"- **{risk.title}** ({risk.source}): {text}")

        st.subheader("Plan downloaden")
        gemeente_label = exports.gemeente_name(cursor(), gemeente_code)
        for plan in plans:
            scenario = plan.scenario
            state = scenarios.status(cursor(), scenario, fingerprint)
            stem = file_stem(f"plan {scenario.name} {year}")
            inputs = ui_scenarios.inputs(gemeente_code, scenario.year)
            tariffs = scenarios.list_tariffs(cursor(), gemeente_code)
            left, right = st.columns(2)
            left.download_button(
                f"{scenario.name}: werkboek (Excel)", key=f"plan_xlsx_{scenario.scenario_id}",
                data=audited(f"{stem}.xlsx", lambda p=plan, t=tariffs, i=inputs, s=state:
                             plan_output.plan_workbook(p, gemeente_label, t, i, s)),
                file_name=f"{stem}.xlsx", mime=XLSX_MIME, icon=":material/table:", on_click="ignore")
            right.download_button(
                f"{scenario.name}: afdrukbaar plan (HTML)", key=f"plan_html_{scenario.scenario_id}",
                data=audited(f"{stem}.html", lambda p=plan, t=tariffs, i=inputs, s=state:
                             plan_output.plan_html(p, gemeente_label, t, i, s)),
                file_name=f"{stem}.html", mime="text/html", icon=":material/description:",
                on_click="ignore")
        st.page_link("pages/presentatie.py", label="Naar de dia's voor het LEA-overleg",
                     icon=":material/slideshow:")

# 2. Build or change -------------------------------------------------------------------------
st.header("Scenario maken of aanpassen")
NEW = 0
if "_scenario_edit_next" in st.session_state:
    st.session_state.scenario_edit_choice = st.session_state.pop("_scenario_edit_next")
editing_id = st.selectbox("Scenario", [NEW, *by_id], key="scenario_edit_choice",
                          format_func=lambda i: "Nieuw scenario" if i == NEW else label(by_id[i]))
base = by_id.get(editing_id) or Scenario(name="", gemeente_code=gemeente_code, year=year,
                                         separate_share=default_separate_share())
wijken = exports.wijken(cursor(), gemeente_code, base.year)
suffix = str(editing_id)

if editing_id != NEW:
    left, middle, right = st.columns(3)
    if left.button("Kopiëren", key=f"scenario_copy_{suffix}", icon=":material/content_copy:",
                   disabled=locked):
        def copy() -> int:
            with transaction(writer := cursor()):  # the copy with its log line, or neither
                new_id = scenarios.copy_scenario(writer, editing_id, f"{base.name} (kopie)", USER)
                record("scenario", f"scenario {editing_id} gekopieerd als {new_id}", con=writer)
            return new_id

        if (new_id := written(copy)) is not None:
            st.session_state._scenario_edit_next = new_id
            st.rerun()
    if middle.button("Verwijderen", key=f"scenario_delete_{suffix}", icon=":material/delete:",
                     disabled=locked):
        def delete() -> bool:
            with transaction(writer := cursor()):
                scenarios.delete_scenario(writer, editing_id)
                record("scenario", f"scenario {editing_id} ({base.name}) verwijderd", con=writer)
            return True

        if written(delete):
            st.session_state._scenario_edit_next = NEW
            st.session_state._scenarios_compare_reset = True
            st.rerun()
    right.caption(f"Gemaakt door {plain(base.created_by or 'onbekend')} op {plan_output._when(base.created_at)}; "
                  f"gewijzigd {plan_output._when(base.updated_at)}.")

parameters = default_parameters()
with st.form(f"scenario_form_{suffix}"):
    scenario_name = st.text_input("Naam", value=base.name, key=f"scenario_name_{suffix}")
    perspective = st.radio("Perspectief", list(PERSPECTIVES), index=list(PERSPECTIVES).index(base.perspective),
                           format_func=lambda p: PERSPECTIVES[p], key=f"scenario_perspective_{suffix}")
    separate = st.slider("Deel van niveau 3 in een aparte groep (alleen bij passend; 0-2 jaar nooit)",
                         0, 100, int(round(100 * base.separate_share)), step=5, format="%d%%",
                         key=f"scenario_separate_{suffix}",
                         help="Handreiking r. 137-141: passend omvat integratie en segregatie. 50% is het "
                              "midden, geen advies (r. 167).")
    left, right = st.columns(2)
    horizon = left.selectbox("Horizon", list(HORIZONS), index=list(HORIZONS).index(base.horizon),
                             format_func=lambda h: HORIZONS[h], key=f"scenario_horizon_{suffix}")
    estimate = right.selectbox("Schatting uit het continuümmodel", list(ESTIMATES),
                               index=list(ESTIMATES).index(base.estimate), key=f"scenario_estimate_{suffix}")
    blocks = st.multiselect("Bouwstenen (keuzemenu, r. 656-740)", list(BUILDING_BLOCKS),
                            default=base.building_blocks, key=f"scenario_blocks_{suffix}",
                            placeholder="geen bouwstenen gekozen",
                            format_func=lambda b: f"{BUILDING_BLOCKS[b][0]} ({BUILDING_BLOCKS[b][1]})")
    left, right = st.columns(2)
    KEEP = "huidig"
    preset_plus = left.selectbox(
        "Peuterplusgroep volgens", [KEEP, *PRESETS["plusgroep"]], key=f"scenario_preset_plus_{suffix}",
        format_func=lambda k: "de waarden hieronder" if k == KEEP else
        f"{PRESETS['plusgroep'][k].label} ({PRESETS['plusgroep'][k].source})")
    preset_bso = right.selectbox(
        "BSO-plusgroep volgens", [KEEP, *PRESETS["bso_plus"]], key=f"scenario_preset_bso_{suffix}",
        format_func=lambda k: "de waarden hieronder" if k == KEEP else
        f"{PRESETS['bso_plus'][k].label} ({PRESETS['bso_plus'][k].source})")

    st.markdown("**Verzorgingsgebieden** (wijken die aanbod delen; leeg = de hele gemeente)")
    catchment_of = {c: area for area, codes in base.catchments.items() for c in codes}
    catchment_table = st.data_editor(
        pd.DataFrame({"Wijk": list(wijken.values()), "Code": list(wijken),
                      "Verzorgingsgebied": [catchment_of.get(c, "") for c in wijken]}),
        disabled=["Wijk", "Code"], hide_index=True, key=f"scenario_catchments_{suffix}", width="stretch")

    st.markdown("**Financiering per groepstype** (001: r. 1910-2001)")
    financing = {}
    for column, group_type in zip(st.columns(2) * 2, GROUP_TYPES, strict=True):
        options = list(FINANCING_MODELS)
        financing[group_type] = column.selectbox(
            GROUP_TYPES[group_type], options, index=options.index(base.financing.get(group_type, "alle")),
            key=f"scenario_financing_{group_type}_{suffix}",
            format_func=lambda m: FINANCING_MODELS[m].label + (f" ({FINANCING_MODELS[m].source})"
                                                               if FINANCING_MODELS[m].source else ""))

    with st.expander("Aannames (parameters met hun bron)"):
        parameter_table = st.data_editor(
            pd.DataFrame([{"Parameter": p.label, "Waarde": float(base.parameters.get(n, p.value)),
                           "Laag": p.low, "Hoog": p.high, "Eenheid": p.unit, "Bron": p.source, "Naam": n}
                          for n, p in parameters.items()]),
            disabled=["Parameter", "Laag", "Hoog", "Eenheid", "Bron", "Naam"], hide_index=True,
            key=f"scenario_parameters_{suffix}", width="stretch")
    note = st.text_area("Toelichting", value=base.note or "", key=f"scenario_note_{suffix}")
    base_missing = missing_now if base.year == year else population_missing(base.year)
    submitted = st.form_submit_button("Opslaan en berekenen", type="primary",
                                          disabled=bool(base_missing) or locked)
if base_missing and base.year != year:
    st.warning(plain(base_missing))

if submitted:
    catchments: dict[str, list[str]] = {}
    for code, area in zip(catchment_table["Code"], catchment_table["Verzorgingsgebied"], strict=True):
        if isinstance(area, str) and area.strip():
            catchments.setdefault(area.strip(), []).append(code)
    changed = {row.Naam: float(row.Waarde) for row in parameter_table.itertuples(index=False)
               if float(row.Waarde) != parameters[row.Naam].value}
    for kind, chosen_preset in (("plusgroep", preset_plus), ("bso_plus", preset_bso)):
        if chosen_preset != KEEP:
            changed.update({k: float(v) for k, v in PRESETS[kind][chosen_preset].values.items()
                            if float(v) != parameters[k].value or k in changed})
    edited = Scenario(
        name=scenario_name, gemeente_code=gemeente_code, year=base.year, perspective=perspective,
        separate_share=separate / 100 if perspective == "passend" else 0.0, horizon=horizon,
        estimate=estimate, catchments=catchments, building_blocks=blocks, parameters=changed,
        financing={k: v for k, v in financing.items() if v != "alle"}, note=note or None,
        scenario_id=base.scenario_id, created_by=base.created_by or USER)

    def save() -> int:
        # the scenario, its log line and its totals, or nothing (a kill or failure halfway)
        with transaction(writer := cursor()):
            saved_id = scenarios.save_scenario(writer, edited, list(wijken))
            record("scenario", f"scenario {saved_id} ({edited.name}) opgeslagen", con=writer)
            scenarios.mark_computed(writer, ui_scenarios.compute(edited))
        return saved_id

    try:
        saved_id = written(save)
    except ValueError as problem:
        st.error(plain(problem))
    else:
        if saved_id is not None:
            st.session_state._scenario_edit_next = saved_id
            compared = st.session_state.get(ui_scenarios.SELECTED_KEY) or []
            if saved_id not in compared:
                st.session_state[ui_scenarios.SELECTED_KEY] = [*compared, saved_id][-ui_scenarios.MAX_COMPARED:]
                st.session_state._scenarios_compare_reset = True
            st.rerun()

# 3. Tariffs ---------------------------------------------------------------------------------
st.header("Tarieven")
st.write("Bedragen in euro per eenheid en financieringsstroom (handreiking r. 915-1233), zoals de "
         "gemeente of een partner ze opgeeft: elk tarief heeft een eigenaar en een datum. Een tarief "
         "telt voor een groepstype als de gekozen financiering die stroom bevat. Kindkaart vult zelf "
         "geen bedragen in.")
with st.expander("Stromen, eenheden en financieringsmodellen"):
    st.dataframe(pd.DataFrame([{"Stroom": k, "Omschrijving": v.label, "Betaler": v.payer, "Bron": v.source}
                               for k, v in STREAMS.items()]), hide_index=True, width="stretch")
    st.dataframe(pd.DataFrame([{"Eenheid": k, "Omschrijving": v} for k, v in UNITS.items()]),
                 hide_index=True, width="stretch")
    st.dataframe(pd.DataFrame([{"Financiering": m.label, "Stromen": ", ".join(m.streams), "Bron": m.source}
                               for m in FINANCING_MODELS.values()]), hide_index=True, width="stretch")
stored_tariffs = scenarios.list_tariffs(cursor(), gemeente_code)
tariff_table = st.data_editor(
    pd.DataFrame([{"Stroom": t.stream, "Eenheid": t.unit, "Groepstype": t.group_type or "",
                   "Bedrag (€)": float(t.amount), "Eigenaar": t.owner,
                   "Datum": pd.Timestamp(t.tariff_date).date(), "Toelichting": t.note or ""}
                  for t in stored_tariffs],
                 columns=["Stroom", "Eenheid", "Groepstype", "Bedrag (€)", "Eigenaar", "Datum", "Toelichting"]),
    num_rows="dynamic", hide_index=True, key="scenario_tariffs", width="stretch",
    column_config={
        "Stroom": st.column_config.SelectboxColumn(options=list(STREAMS), required=True,
                                                   help="; ".join(f"{k}: {v.label} ({v.payer})"
                                                                  for k, v in STREAMS.items())),
        "Eenheid": st.column_config.SelectboxColumn(options=list(UNITS), required=True,
                                                    help="; ".join(f"{k}: {v}" for k, v in UNITS.items())),
        "Groepstype": st.column_config.SelectboxColumn(options=["", *GROUP_TYPES],
                                                       help="leeg: elk groepstype"),
        "Bedrag (€)": st.column_config.NumberColumn(min_value=0.0, format="%.2f", required=True),
        "Datum": st.column_config.DateColumn(default=date.today()),
    })
if st.button("Tarieven opslaan", key="scenario_tariffs_save", disabled=locked):
    entered = [Tariff(r["Stroom"], r["Eenheid"], r["Bedrag (€)"], r["Eigenaar"], r["Datum"],
                      r["Groepstype"] or None, note=r["Toelichting"] or None)
               for r in tariff_table.to_dict("records") if r.get("Stroom")]

    def store_tariffs() -> bool:
        with transaction(writer := cursor()):  # the tariffs with their log line, or neither
            scenarios.replace_tariffs(writer, gemeente_code, entered)
            record("tarieven", f"{len(entered)} tarieven opgeslagen voor {gemeente_code}", con=writer)
        return True

    try:
        stored_now = written(store_tariffs)
    except ValueError as problem:
        st.error(plain(problem))
    else:
        if stored_now:
            clear_caches()
            st.success(f"{len(entered)} tarieven opgeslagen.")
            st.rerun()
