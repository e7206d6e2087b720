"""Tekorten: modelled demand against observed places per wijk, niveau and age group, ranked."""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from transforms import model
from transforms.privacy import format_number, hidden_label, protect_counts, round_estimate
from ui import continuum, theme
from ui.data import query
from ui.downloads import chart_config, chart_downloads, table_downloads
from ui.state import current, gemeente_name

gemeente_code, year = current()
if gemeente_code is None:
    st.info("Laad eerst gegevens: zie de pagina Databronnen.")
    st.stop()

name = gemeente_name(gemeente_code)
st.title(f"Tekorten {name} {year}")
st.write(
    "De vraag uit het model (**schatting**) naast de plekken die er zijn (**waargenomen**: het "
    "Landelijk Register Kinderopvang en partnerregistraties van plusgroepen en KDC/MKD). "
    "Tekort = verwachte kinderen min plekken; een negatief tekort is ruimte over."
)
perspective, denominator = continuum.choice_controls()
continuum.parameter_expander()

left, right = st.columns(2)
niveau = left.selectbox("Niveau", [3, 4, 2, 1], key="tekorten_niveau",
                        format_func=lambda n: f"Niveau {n}: {model.NIVEAU_NAMES[n]}")
age_group = right.selectbox("Leeftijdsgroep", ["2-4", "0-2", "4-12"], key="tekorten_age",
                            format_func=lambda a: continuum.AGE_NOUNS[a])

gap = continuum.gap(gemeente_code)
rows = gap[(gap["year"] == year) & (gap["niveau"] == niveau) & (gap["age_group"] == age_group)]
if rows.empty:
    st.warning("Voor dit jaar zijn geen bevolkingscijfers per wijk geladen.")
    st.stop()
if rows["supply_year"].isna().all():
    st.warning("Er is geen export van het Landelijk Register Kinderopvang geladen: alle plekken "
               "staan op 0. Laad een export met `python -m data_sources import-lrk`.")
elif int(rows["supply_year"].iloc[0]) != year:
    st.info(f"Plekken uit de LRK-export van {int(rows['supply_year'].iloc[0])}: de dichtstbijzijnde "
            f"export bij {year}.")
provision = rows["provision_type"].iloc[0]
if provision in ("plusgroep", "kdc_mkd") and rows["provision_places"].sum() == 0:
    st.info(f"Geen partner heeft plekken in {continuum.PROVISION_LABELS[provision]} geregistreerd "
            "(registratie groepsgrootte): die plekken staan op 0.")

if niveau <= 2 and denominator == "alle_kinderen":
    st.info("Let op: met alle kinderen als noemer telt ook mee wie geen kinderopvang gebruikt. "
            "Voor niveau 1 en 2 (reguliere plekken) geeft 'Kinderen in de kinderopvang' een "
            "eerlijker beeld.")

ranked = rows.sort_values(["gap_mid", "wijk_name"], ascending=[False, True])

# The handreiking's first question, answered for the gemeente and per wijk
st.subheader("Wat zeggen de cijfers?")
total = ranked[["demand_low", "demand_mid", "demand_high", "places"]].sum()
noun = continuum.AGE_NOUNS_SHORT[age_group]
places_total = round_estimate(total.places)
st.markdown(
    f"**Gemeente {name}:** naar schatting {continuum.estimate_text(total.demand_low, total.demand_high)}"
    f" {noun} op niveau {niveau} (midden {format_number(round_estimate(total.demand_mid))}); er zijn "
    f"{format_number(places_total)} plekken in {continuum.PROVISION_LABELS[provision]}"
    + (" (naar rato toegedeeld aan dit niveau)." if provision == "regulier" else ".")
)
sentences = [continuum.gap_sentence(r) for r in ranked.head(5).itertuples(index=False)]
st.markdown("\n".join(f"- {s}" for s in sentences))
shortage = ranked["gap_mid"].clip(lower=0).sum()
if provision == "plusgroep" and round_estimate(shortage) > 0:
    parameters = continuum.session_parameters().set_index("name")["value"]
    size = parameters["plusgroup_size_bso" if age_group == "4-12" else "plusgroup_size_0_4"]
    st.markdown(
        f"Bij de middenschatting komen de wijken met een tekort samen "
        f"**{format_number(round_estimate(shortage))} plekken** tekort: ongeveer "
        f"**{format_number(-(-round_estimate(shortage) // size))} plusgroepen** van "
        f"{format_number(size)} kinderen (wijken kunnen een groep delen)."
    )

# Ranked chart of the gap with low-high error bars
figure = go.Figure()
figure.add_bar(
    y=ranked["wijk_name"],
    x=ranked["gap_mid"],
    orientation="h",
    marker_color=[theme.NIVEAU_COLOURS[4] if g > 0 else theme.NIVEAU_COLOURS[1]
                  for g in ranked["gap_mid"]],
    error_x={"type": "data", "symmetric": False,
             "array": ranked["gap_high"] - ranked["gap_mid"],
             "arrayminus": ranked["gap_mid"] - ranked["gap_low"],
             "color": "#333333", "thickness": 1.5},
    hovertemplate="%{y}: tekort %{x:,.0f}<extra>schatting min plekken</extra>",
    name="Tekort",
)
figure.update_layout(
    title=f"Tekort aan plekken per wijk, niveau {niveau}, {continuum.AGE_NOUNS[age_group]}",
    xaxis_title="tekort (verwachte kinderen min plekken; strepen: laag-hoog)",
    yaxis={"autorange": "reversed"},
    font={"size": 16},
    separators=",.",
    height=120 + 42 * len(ranked),
    margin={"t": 60, "l": 10},
    showlegend=False,
)
st.plotly_chart(figure, width="stretch", key="tekorten_chart", config=chart_config(f"tekorten {name} {year}"))
chart_downloads(figure, f"Tekorten {name} {year}")

# Ranked table
table = pd.DataFrame({
    "Rang": range(1, len(ranked) + 1),
    "Wijk": ranked["wijk_name"],
    "Verwacht (laag-hoog)": [continuum.estimate_text(lo, hi) for lo, hi in
                             zip(ranked["demand_low"], ranked["demand_high"], strict=True)],
    "Verwacht met signalen": [format_number(round_estimate(v))
                              for v in ranked["demand_signal_adjusted"]],
    "Plekken": [format_number(round_estimate(v)) for v in ranked["places"]],
    "Tekort (midden)": [format_number(round_estimate(v)) for v in ranked["gap_mid"]],
    "Tekort (laag-hoog)": [continuum.estimate_text(lo, hi) for lo, hi in
                           zip(ranked["gap_low"], ranked["gap_high"], strict=True)],
})
if provision == "plusgroep":
    table["Plusgroepen nodig"] = ranked["plusgroups_needed_mid"].astype(int).to_numpy()
st.dataframe(table, hide_index=True, width="stretch")
table_downloads(table, f"Tekorten {name} {year} niveau {niveau} {age_group}")
st.caption(
    "Verwacht en tekort: schatting van het model, afgerond. Plekken: waargenomen (LRK, partners); "
    "plekken die meer leeftijdsgroepen of niveaus bedienen zijn naar rato verdeeld. "
    f"{model.PERSPECTIVES[perspective]}; vraag over {continuum.DENOMINATOR_PHRASES[denominator]}."
)

# Observed evidence of the gap: waiting lists (suppressed counts)
st.subheader("Wachtlijsten (waargenomen)")
signals = continuum.signals(gemeente_code, year)
waiting = signals[signals["evidence_kind"] == "wachtlijst"]
if waiting.empty:
    st.info("Er zijn voor dit jaar geen wachtlijsten geleverd (registraties wachtlijst-so en "
            "wachtlijst-zorg).")
else:
    shares = continuum.contributions(gemeente_code, year)
    for (signal_type, group), part in waiting.groupby(["signal_type", "age_group"]):
        protected = continuum.protected_signal(part, waiting[waiting["signal_type"] == signal_type],
                                               shares)
        label = continuum.SIGNAL_LABELS.get(signal_type, signal_type)
        group_text = "alle leeftijden" if group == "alle" else f"{group} jaar"
        st.markdown(f"**{label.capitalize()}** ({group_text}), gemeente: "
                    + (hidden_label() if protected["gemeente_hidden"].iloc[0]
                       else format_number(protected["gemeente_count"].iloc[0]))
                    + " kinderen")
        st.dataframe(pd.DataFrame({
            "Wijk": protected["wijk_name"],
            "Kinderen op de wachtlijst": [hidden_label() if h else format_number(v) for v, h in
                                          zip(protected["children_count"], protected["hidden"],
                                              strict=True)],
            "Gemiddelde wachttijd (weken)": [
                "" if h or pd.isna(w) else format_number(w, 1)
                for w, h in zip(protected["waiting_weeks"], protected["hidden"], strict=True)],
        }), hide_index=True, width="stretch")
    st.caption(f"Waargenomen aantallen van partners; aantallen van 1 tot {continuum.min_count()} "
               f"zijn getoond als '{hidden_label()}'.")

# (v)so pupils and BSO: a gap of its own
vso = query("select * from vso_bso_by_wijk where gemeente_code = ? and year = ?",
            [gemeente_code, year])
if not vso.empty and age_group == "4-12":
    st.subheader("BSO voor leerlingen van (v)so en sbo")
    st.write("Scholen voor (voortgezet) speciaal onderwijs hoeven geen BSO te regelen; daardoor "
             "ontbreekt BSO voor deze leerlingen vaak.")
    vso = vso.merge(rows[["wijk_code", "wijk_name"]], on="wijk_code", how="left")
    vso["wijk_name"] = vso["wijk_name"].fillna(vso["wijk_code"])
    vso = vso.sort_values("wijk_name").reset_index(drop=True)
    delivered = vso["bso_needed_observed_count"].notna().any()
    counts = ["pupils_count", *(["bso_needed_observed_count"] if delivered else [])]
    # pupils and their observed BSO need are protected together, with the gemeente total row
    table = protect_counts(vso[["wijk_name", *counts]].fillna({c: 0 for c in counts}), counts,
                           estimate=False, row_totals=False, column_totals=True)
    shown = table.display()
    pupils_hidden = table.hidden["pupils_count"].iloc[:-1].to_numpy()
    modelled = [
        "" if hidden else continuum.estimate_text(lo, hi) for lo, hi, hidden in
        zip(vso["bso_need_modelled_low"], vso["bso_need_modelled_high"], pupils_hidden,
            strict=True)
    ]
    total = vso[["bso_need_modelled_low", "bso_need_modelled_high"]].sum()
    total_hidden = bool(table.hidden["pupils_count"].iloc[-1])
    modelled.append("" if total_hidden else continuum.estimate_text(total.iloc[0], total.iloc[1]))
    result = pd.DataFrame({"Wijk": [*vso["wijk_name"], f"Gemeente {name}"],
                           "Leerlingen (waargenomen)": shown["pupils_count"]})
    if delivered:
        result["BSO nodig volgens partner (waargenomen)"] = shown["bso_needed_observed_count"]
    result["BSO nodig (schatting, laag-hoog)"] = modelled
    st.dataframe(result, hide_index=True, width="stretch")
    st.caption("Schatting: leerlingen × het aandeel (v)so-leerlingen dat BSO nodig heeft (zie de "
               f"aannames). Waargenomen aantallen van 1 tot {continuum.min_count()} zijn getoond "
               f"als '{hidden_label()}'.")
