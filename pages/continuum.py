"""Continuüm: expected children per niveau of support and wijk (model), with its assumptions."""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from transforms import analysis, model
from transforms.indeling import line_runs
from transforms.labels import NOEMER_RULE, as_sentence, capitalised, noemer_clause, noemer_words
from transforms.population import SECRET_LABEL, figure_kind, shown_children_text
from transforms.privacy import (
    TOTAL_LABEL,
    format_number,
    hidden_label,
    model_estimate_text,
    protect_counts,
)
from transforms.rates import BASE_TOO_SMALL_LABEL
from ui import a11y, continuum, theme
from ui.data import cursor
from ui.downloads import chart_config, chart_downloads, table_downloads
from ui.indeling import other_area_note, wijkindeling
from ui.population import (
    model_children_note,
    model_hidden,
    population_missing,
    population_table,
    secret_left_out,
)
from ui.safe import plain, plotly_chart
from ui.state import current_loaded, gemeente_name

gemeente_code, year = current_loaded()

st.title(f"Continuüm van ondersteuning {plain(gemeente_name(gemeente_code))} {year}")
st.write(
    "Hoeveel kinderen hebben naar verwachting welke ondersteuning nodig? Het model vermenigvuldigt "
    "per wijk en leeftijdsgroep het aantal kinderen met het aandeel per niveau uit de handreiking "
    "*Op weg naar inclusieve kinderopvang* (regels 192-212). Alle getallen op deze pagina zijn "
    "**schattingen van het model**, geen tellingen; ze zijn afgerond."
)
st.table(pd.DataFrame({
    "Niveau": ["1", "2", "3", "4"],
    "Ondersteuning": [n.capitalize() for n in model.NIVEAU_NAMES.values()],
    "Aandeel (handreiking)": ["de rest: 80,5% (ca. 80-90%, r. 194)", "ca. 10-20% (r. 200)",
                              "ca. 1-5% (r. 204)", "ca. 1-2% (r. 210)"],
    "Noemer": [noemer_words(niveau) for niveau in (1, 2, 3, 4)],
    "Aanbod (eigen eenheid)": [
        "reguliere plekken (gelijktijdig)", "coaching van professionals (trajecten, uren)",
        "specialistische inzet in de groep, of plekken in een aparte groep",
        "KDC, MKD, DJK, MOC (geïndiceerde zorg; regionaal)"],
}), hide_index=True)  # a static table: its text wraps (the grid cut off the last column)
st.markdown(NOEMER_RULE)
continuum.parameter_expander()

demand = continuum.demand(gemeente_code)
this_year = demand[demand["year"] == year]
if this_year.empty:
    st.warning(population_missing(gemeente_code, year, plain(gemeente_name(gemeente_code))))
    st.stop()
if hidden_note := model_hidden(gemeente_code, year):
    st.info(hidden_note)
if secret_note := secret_left_out(gemeente_code, year):
    st.info(secret_note)

age_options = ["alle", "0-2", "2-4", "4-12"]
age_group = st.radio(
    "Leeftijdsgroep", age_options, horizontal=True, key="continuum_age",
    format_func=lambda a: "Alle (0-12 jaar)" if a == "alle" else f"{a} jaar",
)
st.caption(
    "Leeftijd: de handreiking geeft één aandeel per niveau voor alle kinderen, niet per leeftijd. "
    "Kindkaart gebruikt dat aandeel voor 0-2, 2-4 en 4-12 jaar (een aanname), tenzij een aandeel "
    "per leeftijdsgroep is ingesteld (parameter share_niveau_N_0_2 enzovoort). Peuters: 2 tot 4 "
    "jaar; voorschoolse educatie is voor 2,5 tot 4 jaar (handreiking r. 77)."
    + (" In deze gegevens is een aandeel per leeftijdsgroep ingesteld."
       if this_year["share_per_age"].any() else "")
)
selected = this_year if age_group == "alle" else this_year[this_year["age_group"] == age_group]
per_wijk = (
    selected.groupby(["wijk_code", "wijk_name", "niveau"], as_index=False)
    [["children_low", "children_mid", "children_high", "children_signal_adjusted"]].sum()
)
# one row per wijk and age group carries the children: summed once per wijk, not per niveau
children = (selected[selected["niveau"] == 1].groupby(["wijk_code", "wijk_name"], as_index=False)
            .agg(population_children=("population_children", "sum"),
                 population_source=("population_source", lambda s: tuple(s.fillna("")))))

# Gemeente total per niveau; with the children outside childcare they add up to all children
st.header("Gemeente totaal")
totals = per_wijk.groupby("niveau")[["children_low", "children_mid", "children_high"]].sum()
all_children = children["population_children"].sum()
all_sources = [source for sources in children["population_source"] for source in sources]
# the children as Overzicht names them ('telling', 'schatting', 'telling en schatting'; before,
# an estimate of CBS figures read 'middenschatting', the word for the model's own middle)
population = population_table(gemeente_code, year)
children_kind = figure_kind(population.is_estimate, population.source)
outside = all_children - totals["children_mid"].sum()
columns = st.columns(5)
for column, niveau in zip(columns, [1, 2, 3, 4], strict=False):
    row = totals.loc[niveau]
    column.metric(
        f"Niveau {niveau}",
        model_estimate_text(row.children_mid),
        help=f"Bandbreedte {continuum.estimate_text(row.children_low, row.children_high)} "
             "kinderen (schatting).",
    )
    column.caption(f"{continuum.estimate_text(row.children_low, row.children_high)} kinderen; "
                   + ("alle kinderen" if niveau == 4 else "van wie opvang gebruikt of zoekt"))
columns[4].metric("Geen kinderopvang", model_estimate_text(outside),
                  help="Kinderen die geen kinderopvang gebruiken of zoeken en niet op niveau 4 "
                       "zijn (de rest van alle kinderen).")
columns[4].caption("rest van alle kinderen")
st.caption(
    f"Niveau 1 tot en met 4 en 'geen kinderopvang' zijn samen, vóór afronding, alle "
    f"{shown_children_text(all_children, all_sources)} kinderen ({children_kind}); geen "
    "niveau wordt dubbel geteld. Boven 100 is op vijftallen afgerond, dus de getoonde delen "
    "kunnen een paar kinderen van het getoonde totaal verschillen. Bandbreedtes per niveau zijn "
    "los: de lage (of hoge) waarden tellen niet op tot een geheel. "
    + model_children_note(gemeente_code, year)
)

# Stacked bar per wijk: the stack never exceeds the wijk's children
show_all = st.checkbox("Toon ook niveau 1 en de kinderen zonder opvang (de stapel is dan alle "
                       "kinderen)", value=False, key="continuum_niveau_1")
niveaus = [1, 2, 3, 4] if show_all else [2, 3, 4]
order = (per_wijk[per_wijk["niveau"].isin(niveaus)].groupby("wijk_name")["children_mid"].sum()
         .sort_values(ascending=False).index.tolist())
figure = go.Figure()
for niveau in niveaus:
    rows = per_wijk[per_wijk["niveau"] == niveau].set_index("wijk_name").reindex(order)
    figure.add_bar(
        name=f"Niveau {niveau}",
        x=order,
        y=rows["children_mid"],
        marker_color=theme.NIVEAU_COLOURS[niveau],
        # the figures as the table below shows them (rounded to fives above 100, '<1'): the
        # chart's own ',.0f' read Zuiderpark's 157,7 as 158 beside the table's 160
        customdata=[[model_estimate_text(mid), continuum.estimate_text(low, high)] for mid, low, high
                    in zip(rows["children_mid"], rows["children_low"], rows["children_high"], strict=True)],
        hovertemplate="%{x}<br>%{fullData.name}: %{customdata[0]} (%{customdata[1]})<extra>schatting</extra>",
    )
if show_all:
    mids = per_wijk.groupby("wijk_name")["children_mid"].sum()
    rest = children.set_index("wijk_name")["population_children"] - mids
    figure.add_bar(name="Geen kinderopvang", x=order, y=rest.reindex(order),
                   marker_color="#DDDDDD",
                   customdata=[[model_estimate_text(value)] for value in rest.reindex(order)],
                   hovertemplate="%{x}<br>geen kinderopvang: %{customdata[0]}<extra>schatting</extra>")
figure.update_layout(
    barmode="stack",
    title="Verwachte kinderen per niveau en wijk (schatting, midden)",
    yaxis_title="kinderen (schatting)",
    xaxis_title=None,
    legend_title_text="Niveau",
    font={"size": 16},
    separators=",.",
    height=500,
    margin={"t": 60, "b": 40},
)
plotly_chart(figure, width="stretch", key="continuum_chart", config=chart_config("continuum per wijk"))
chart_downloads(figure, f"Continuum per wijk {gemeente_name(gemeente_code)} {year}")
a11y.summary([
    a11y.ranking_sentence(
        [(wijk, mid, model_estimate_text(mid)) for wijk, mid in
         per_wijk[per_wijk["niveau"] == niveau][["wijk_name", "children_mid"]].itertuples(index=False)],
        noun=f"kinderen op niveau {niveau} (schatting)",
        unknown=len(population_table(gemeente_code, year).unknown_wijken))
    for niveau in niveaus
] + ["De tabel Per wijk hieronder geeft de middenschatting van elke wijk en elk niveau."])

# Table: wijk x niveau (mid), rounded estimates; the row total is the wijk's children
st.header("Per wijk (middenschatting, afgerond)")
wide = (per_wijk.pivot_table(index=["wijk_code", "wijk_name"], columns="niveau",
                             values="children_mid", aggfunc="sum")
        .reindex(columns=[1, 2, 3, 4]).fillna(0.0).reset_index())
wide.columns = ["wijk_code", "wijk_name", "Niveau 1", "Niveau 2", "Niveau 3", "Niveau 4"]
wide = wide.merge(children.drop(columns="population_source"), on=["wijk_code", "wijk_name"],
                  how="left")
wide["Geen kinderopvang"] = wide.pop("population_children") - wide[
    ["Niveau 1", "Niveau 2", "Niveau 3", "Niveau 4"]].sum(axis=1)
value_columns = ["Niveau 1", "Niveau 2", "Niveau 3", "Niveau 4", "Geen kinderopvang"]
# pure model estimates, no count of children behind them: rounded, '<1' below one, never hidden
table = protect_counts(wide, value_columns, estimate=True, model=True)
shown = table.display().rename(columns={"wijk_code": "Wijkcode", "wijk_name": "Wijk",
                                        TOTAL_LABEL: "Alle kinderen"})
shown.loc[shown.index[-1], "Wijk"] = f"Gemeente {gemeente_name(gemeente_code)}"
# the row total is the children, shown as on Overzicht: a count as it is, an estimate rounded
# (protect_counts rounds it as a model estimate: Oude Haven's 308 children read 310)
children_of = {code: (count, sources) for code, count, sources in zip(
    children["wijk_code"], children["population_children"], children["population_source"], strict=True)}
shown["Alle kinderen"] = [
    shown_children_text(*children_of.get(code, (all_children, all_sources)))
    for code in table.values["wijk_code"]]
st.dataframe(shown, hide_index=True, width="stretch", height=36 * (len(shown) + 1) + 4)
table_downloads(shown, f"Continuum per wijk {gemeente_name(gemeente_code)} {year}")
st.caption(
    "Schatting (model), geen perspectief nodig: de vraag per niveau is in beide perspectieven "
    f"gelijk. {as_sentence(noemer_clause())} 'Alle kinderen' is de som van de rij, vóór afronding. "
    "Getallen onder 100 afgerond op hele "
    "kinderen, daarboven op vijftallen; tussen 0 en 1 staat '<1'. Een modelschatting is geen "
    "telling van kinderen en wordt niet afgeschermd."
)

# Row 2 of the handreiking's table: what childcare organisations registered themselves
observed = analysis.niveau_observed(cursor(), gemeente_code, year)
if observed is not None:
    st.header("Waargenomen naast het model: extra ondersteuning (rij 2)")
    st.write("Kinderen die kinderopvangorganisaties zelf registreerden met een extra "
             "ondersteuningsbehoefte, naar het niveau dat zij gaven. Dit telt alleen de "
             "organisaties die leverden (zie Databronnen); het model schat voor alle kinderen die "
             "opvang gebruiken of zoeken.")
    shown_observed = observed.display().rename(columns={"niveau": "Niveau (partner)",
                                                        TOTAL_LABEL: "Totaal"})
    st.dataframe(shown_observed, hide_index=True, width="stretch")
    # the model over the ages the partners registered (row 2 is childcare: often 0-4 only); a
    # row of unknown age could be any age, so then all ages. Before, the model of 0-12 year olds
    # stood beside a count of 0-4 year olds.
    observed_ages = [c for c in observed.value_columns if c != TOTAL_LABEL]
    modelled = set(this_year["age_group"])
    ages = observed_ages if set(observed_ages) <= modelled else sorted(modelled)
    all_ages = set(ages) == modelled
    model_rows = this_year[this_year["niveau"].between(2, 4) & this_year["age_group"].isin(ages)
                           ].groupby("niveau")[["children_low", "children_high"]].sum()
    st.caption(
        ("Model voor de hele gemeente (alle leeftijden): " if all_ages else
         f"Model voor de hele gemeente, dezelfde leeftijden als de registratie "
         f"({' en '.join(ages)} jaar): ")
        + "; ".join(f"niveau {n}: {continuum.estimate_text(r.children_low, r.children_high)}"
                    for n, r in model_rows.iterrows())
        + ". Waargenomen: telling, kleine aantallen afgeschermd.")

# Signal-adjusted estimate for niveau 3 and 4
st.header("Schatting met lokale signalen (niveau 3 en 4)")
st.markdown(continuum.SIGNAL_METHOD_NL.format(min=continuum.min_count()))
signals = continuum.signals(gemeente_code, year)
continuum.signal_kind_control(sorted(set(signals["signal_kind"])) if not signals.empty else [])
demand = continuum.demand(gemeente_code)
this_year = demand[demand["year"] == year]
selected = this_year if age_group == "alle" else this_year[this_year["age_group"] == age_group]
per_wijk = (
    selected.groupby(["wijk_code", "wijk_name", "niveau"], as_index=False)
    [["children_low", "children_mid", "children_high", "children_signal_adjusted"]].sum()
)
adjusted = per_wijk[per_wijk["niveau"] >= 3]
if this_year["signal_index"].notna().any():
    signal_rows = this_year[this_year["niveau"] >= 3]
    if age_group != "alle":
        signal_rows = signal_rows[signal_rows["age_group"] == age_group]
    used = (signal_rows.groupby("wijk_name")["signal_types"]
            .agg(lambda s: ", ".join(sorted({t for v in s.dropna() for t in v.split(", ")}))))
    view = adjusted.pivot_table(index="wijk_name", columns="niveau",
                                values=["children_low", "children_high",
                                        "children_signal_adjusted"], aggfunc="sum")
    # ranked by the adjusted estimate of niveau 3: where signals exist, they order the wijken
    view = view.sort_values(("children_signal_adjusted", 3), ascending=False)
    result = pd.DataFrame({
        "Wijk": view.index,
        **{f"Niveau {n}: model (laag-hoog)": [
            continuum.estimate_text(lo, hi) for lo, hi in
            zip(view[("children_low", n)], view[("children_high", n)], strict=True)]
           for n in (3, 4)},
        # as the table Per wijk shows the same estimate: '<1' between 0 and 1, not '0'
        **{f"Niveau {n}: met signalen": [model_estimate_text(v)
                                         for v in view[("children_signal_adjusted", n)]]
           for n in (3, 4)},
        "Gebruikte signalen": [", ".join(continuum.SIGNAL_KIND_LABELS.get(t, t)
                                         for t in used.get(w, "").split(", ") if t) or "geen"
                               for w in view.index],
    })
    st.dataframe(result, hide_index=True, width="stretch")
    st.caption("Schatting met signalen: model, bijgesteld met waargenomen partnergegevens.")
    with st.expander("De signalen per wijk (waargenomen, per 100 kinderen; CBS-jeugdzorg per 100 "
                     "jongeren tot 23 jaar)"):
        shares = continuum.contributions(gemeente_code, year)
        for (signal_kind, group), part in signals.groupby(["signal_kind", "age_group"]):
            protected = continuum.protected_signal(
                part, signals[signals["signal_type"] == part["signal_type"].iloc[0]], shares)
            label = continuum.SIGNAL_KIND_LABELS.get(signal_kind, signal_kind)
            # CBS jeugdzorg counts young people up to 23, per 100 of them (CBS's own percentage)
            who, group_text = continuum.signal_population(signal_kind, group)
            per = "per 100 " + (group_text if who != "Kinderen" else "kinderen")
            gemeente_rate = (BASE_TOO_SMALL_LABEL if protected["gemeente_rate_base_too_small"].iloc[0]
                             else "afgeschermd" if protected["gemeente_rate_hidden"].iloc[0] else
                             a11y.figure_text(None, False, 1, True)
                             if protected["gemeente_rate_unknown"].iloc[0] else
                             f"{format_number(protected['gemeente_rate_per_100'].iloc[0], 1)} {per}")
            st.markdown(f"**{capitalised(label)}** ({group_text}); gemeente: {gemeente_rate}")
            st.dataframe(pd.DataFrame({
                "Wijk": protected["wijk_name"],
                # CBS jeugdzorg that CBS keeps secret in a wijk is unknown, not 0
                who: [hidden_label() if h else SECRET_LABEL if u else format_number(v) for v, h, u in
                      zip(protected["children_count"], protected["hidden"],
                          protected["count_unknown"], strict=True)],
                # no rate where the count is hidden; 'afgeschermd' where only the population
                # it divides by is (a hidden BRP cell: count / rate would give it back);
                # 'onbekend (CBS geheim)' where CBS keeps the wijk's children secret
                # 'basis te klein' over fewer children than the minimum base (transforms.rates)
                per.capitalize(): ["" if h else SECRET_LABEL if secret else BASE_TOO_SMALL_LABEL if small
                                   else a11y.figure_text(v, r, 1, u)
                                   for v, h, r, u, small, secret in zip(
                                       protected["rate_per_100"], protected["hidden"],
                                       protected["rate_hidden"], protected["rate_unknown"],
                                       protected["rate_base_too_small"], protected["count_unknown"],
                                       strict=True)],
            }), hide_index=True, width="stretch")
else:
    st.info("Er zijn (nog) geen partnergegevens over signalen voor dit jaar geleverd: de schatting "
            "met lokale signalen is gelijk aan de middenschatting van het model.")

# Trend over the years: gemeente total per niveau
st.header("Trend")
selected_all = demand if age_group == "alle" else demand[demand["age_group"] == age_group]
trend = selected_all.groupby(["year", "niveau"], as_index=False)[
    ["children_low", "children_mid", "children_high"]].sum()
trend_figure = go.Figure()
indeling = wijkindeling(gemeente_code)
for niveau in (2, 3, 4):
    rows = trend[trend["niveau"] == niveau].sort_values("year")
    # a line's colour with 3:1 on white, and a dash and marker of its own (theme.NIVEAU_LINES)
    style = theme.NIVEAU_LINES[niveau]
    # a line per area of the gemeente: not joined across a herindeling (Purmerend 2021 -> 2022 with
    # Beemster), as the slide "Ontwikkeling" and the report draw it
    for number, run in enumerate(line_runs([indeling.gemeente_series(int(y)) for y in rows["year"]])):
        part = rows.iloc[run]
        trend_figure.add_scatter(
            x=part["year"], y=part["children_mid"], name=f"Niveau {niveau}", legendgroup=f"niveau {niveau}",
            showlegend=number == 0, mode="lines+markers",
            line={"color": style.colour, "width": 3, "dash": style.dash},
            marker={"color": style.colour, "symbol": style.symbol, "size": 10},
            error_y={"type": "data", "symmetric": False, "color": style.colour,
                     "array": part["children_high"] - part["children_mid"],
                     "arrayminus": part["children_mid"] - part["children_low"]},
            customdata=[[model_estimate_text(mid), continuum.estimate_text(low, high)] for mid, low, high
                        in zip(part["children_mid"], part["children_low"], part["children_high"], strict=True)],
            hovertemplate="%{x}<br>%{fullData.name}: %{customdata[0]} (%{customdata[1]})<extra>schatting</extra>",
        )
trend_figure.update_layout(
    title="Verwachte kinderen per niveau in de gemeente, per jaar (schatting; alleen "
          "bevolkingseffect)",
    # only the years that have figures on the axis, as on Trends (one year showed 2023 and 2025)
    yaxis_title="kinderen (schatting)",
    xaxis={"tickvals": sorted(int(y) for y in trend["year"].unique()), "tickformat": "d"}, font={"size": 16},
    separators=",.", height=420,
)
plotly_chart(trend_figure, width="stretch", key="continuum_trend", config=chart_config("continuum per jaar"))
st.caption("Alleen bevolkingseffect: het model gebruikt elk jaar dezelfde aandelen, dus deze lijn "
           "volgt het aantal kinderen. Een waargenomen verandering in de vraag staat bij de "
           "signalen van partners (pagina Trends).")
if herindeling := other_area_note(gemeente_code, gemeente_name(gemeente_code)):
    st.warning(herindeling)
chart_downloads(trend_figure, f"Continuum per jaar {gemeente_name(gemeente_code)}")
a11y.data_table(
    ["Jaar", *(f"Niveau {n}: midden (laag-hoog)" for n in (2, 3, 4))],
    [[str(each), *(f"{model_estimate_text(r.children_mid)} "
                   f"({continuum.estimate_text(r.children_low, r.children_high)})"
                   for r in trend[trend["year"] == each].sort_values("niveau").itertuples()
                   if r.niveau in (2, 3, 4))]
     for each in sorted(trend["year"].unique())],
    f"Verwachte kinderen per niveau in {gemeente_name(gemeente_code)}, per jaar (schatting)")

with st.expander("Overzicht van de gebruikte aannames"):
    st.dataframe(continuum.parameter_table(), hide_index=True, width="stretch")
