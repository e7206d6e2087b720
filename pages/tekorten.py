"""Tekorten: modelled demand against observed places per wijk, niveau and age group, ranked."""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from transforms import analysis, model
from transforms.labels import (
    CAPACITY_UNKNOWN,
    GAP_ROUNDING_NOTE,
    NOEMER_RULE,
    PLUS_PLACES_NOT_DELIVERED,
    REGULAR_PLACES_UNKNOWN,
    SEPARATE_SHARE_WORDS,
    SUPPORT_HIDDEN,
    SUPPORT_NOT_DELIVERED,
    WAITING_WITHOUT_WIJK,
    capacity_text,
    capitalised,
    lrk_missing_text,
    lrk_year_text,
    places_text,
    regular_places_children,
    row_10_missing_text,
)
from transforms.partner_tables import joint_cube
from transforms.privacy import (
    format_number,
    hidden_label,
    hidden_rule,
    model_estimate_text,
    round_estimate,
)
from ui import a11y, continuum, theme
from ui.auth import where_to_load
from ui.data import cursor, query
from ui.downloads import chart_config, chart_downloads, table_downloads
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

name = gemeente_name(gemeente_code)
st.title(f"Tekorten {plain(name)} {year}")
st.write(
    "De vraag uit het model (**schatting**) naast het aanbod dat er is (**waargenomen**), in de "
    "eenheid van elk niveau: reguliere plekken (gelijktijdig) voor niveau 1-3, ondersteuning van "
    "professionals voor niveau 2, specialistische inzet of een aparte groep voor niveau 3, "
    "behandelplekken voor niveau 4 (regionaal). Tekort = nodig min aanwezig; negatief is ruimte "
    "over. De handreiking kiest geen perspectief (r. 167): *passend* en *inclusief* staan naast "
    "elkaar. " + GAP_ROUNDING_NOTE
)
st.markdown(NOEMER_RULE + " " + model_children_note(gemeente_code, year))
continuum.parameter_expander()

age_group = st.selectbox("Leeftijdsgroep", ["2-4", "0-2", "4-12"], key="tekorten_age",
                         format_func=lambda a: continuum.AGE_NOUNS[a])
noun = continuum.AGE_NOUNS_SHORT[age_group]

gap = continuum.protected_gap(gemeente_code, year)
rows = gap[gap["age_group"] == age_group]
if rows.empty:
    st.warning(population_missing(gemeente_code, year, plain(gemeente_name(gemeente_code))))
    st.stop()
if secret_note := secret_left_out(gemeente_code, year):
    st.info(secret_note)
if hidden_note := model_hidden(gemeente_code, year):
    st.info(hidden_note)
# Without an LRK export the regular places are unknown, not 0: no shortage of the whole demand.
places_unknown = bool(rows["supply_year"].isna().all())
if places_unknown:
    st.warning(lrk_missing_text(plain(name), where_to_load))
elif lrk_year := lrk_year_text(rows["supply_year"], year):
    st.info(lrk_year)
# Plus-group and KDC/MKD places come only from partners (row 10, groepsgrootte): where none
# delivered it for the gemeente and year, the model has no places and no shortage (null), not 0.
partner_places_missing = bool(gap.loc[gap["component"] == "aparte_groep", "supply"].isna().all())
NOT_DELIVERED = "niet geleverd"


def row_10_missing(what: str) -> str:
    return (row_10_missing_text(plain(name), what)
            + " Aanleveren kan op de pagina **Aanleveren** (soort groepsgrootte).")


def delivered_range(frame: pd.DataFrame, prefix: str, supply: str) -> list[str]:
    """A range of places or shortage; 'niet geleverd' where the places (row 10) were not."""
    return [NOT_DELIVERED if pd.isna(s) else continuum.estimate_text(lo, hi) for lo, hi, s in
            zip(frame[f"{prefix}_low"], frame[f"{prefix}_high"], frame[supply], strict=True)]


def component(key: str, perspective: str | None = None) -> pd.DataFrame:
    part = rows[rows["component"] == key]
    if perspective is not None:
        part = part[part["perspective"] == perspective]
    # niveau 3 is ranked by the signal-adjusted estimate (the model where no signals exist)
    order = "gap_signal_adjusted" if (part["niveau"] == 3).all() else "gap_mid"
    return part.sort_values([order, "wijk_name"], ascending=[False, True])


def range_column(frame: pd.DataFrame, prefix: str) -> list[str]:
    return [continuum.estimate_text(lo, hi) for lo, hi in
            zip(frame[f"{prefix}_low"], frame[f"{prefix}_high"], strict=True)]


def gemeente_sentence(frame: pd.DataFrame, what: str, unit: str, capacity: bool = False,
                      regular_places: bool = False) -> str:
    """The gemeente's figures of one component; `capacity`: the supply is how many children the
    regular groups can take (opnamegrens), not children present; `regular_places`: the supply is
    the LRK's regular places (unknown without an export)."""
    total = frame[["demand_low", "demand_high", "need_low", "need_high", "supply"]].sum(min_count=1)
    text = (f"**Gemeente {name}:** naar schatting "
            f"{continuum.estimate_text(total.demand_low, total.demand_high)} {noun} {what}")
    supply = total.supply
    if frame["gemeente_supply"].notna().any():
        # row 7 support: the protected gemeente total, never the sum of the wijken shown
        if frame["gemeente_supply_hidden"].iloc[0]:
            return text + f"; {SUPPORT_HIDDEN}."
        supply = frame["gemeente_supply"].iloc[0]
    if unit == "plekken" and places_unknown and regular_places:
        return (text + f", {continuum.estimate_text(total.need_low, total.need_high)} plekken "
                f"(gelijktijdig) nodig; {REGULAR_PLACES_UNKNOWN}.")
    if capacity and places_unknown:
        return text + f"; {CAPACITY_UNKNOWN}."
    if unit == "plekken" and not regular_places and partner_places_missing:
        return (text + f", {continuum.estimate_text(total.need_low, total.need_high)} plekken "
                f"(gelijktijdig) nodig; {PLUS_PLACES_NOT_DELIVERED}.")
    if unit == "plekken":
        text += (f", {continuum.estimate_text(total.need_low, total.need_high)} plekken "
                 f"(gelijktijdig) nodig; {places_text(supply)}.")
    elif pd.isna(supply):
        return text + f"; {SUPPORT_NOT_DELIVERED}."
    elif capacity:
        text += f"; {capacity_text(supply)}."
    else:
        text += f"; aanwezig: {format_number(round_estimate(supply))} {unit}."
    balance = continuum.estimate_text(total.need_low - supply, total.need_high - supply)
    return text + f" Saldo over de wijken: {balance} {unit} tekort (negatief: ruimte over)."


def support_columns(frame: pd.DataFrame, reached: str) -> dict[str, list[str]]:
    """Children reached, trajecten, hours and gap of row 7 support, hidden as one cell."""
    hidden = frame["supply_hidden"].tolist()

    def shown(values, decimals: int = 0, label: str = hidden_label()) -> list[str]:
        return [label if hide else "" if pd.isna(v) else format_number(v, decimals)
                for v, hide in zip(values, hidden, strict=True)]

    return {
        reached: shown(frame["supply"]),
        "Trajecten": shown(frame["trajectories_count"]),
        "Uren": shown(frame["support_hours"], label="afgeschermd"),
        "Tekort in kinderen (laag-hoog)": [
            "afgeschermd" if hide else text
            for text, hide in zip(range_column(frame, "gap"), hidden, strict=True)],
    }


# 1. Regular places, once, for every child who uses or seeks childcare
st.header("Reguliere plekken (niveau 1-3, beide perspectieven)")
regular = component("reguliere_plekken")
source = regular["children_per_place_source"].dropna()
st.markdown(gemeente_sentence(regular, "gebruiken of zoeken reguliere opvang", "plekken",
                              regular_places=True))


def places_needed_table() -> None:
    """Without an LRK export: the places needed per wijk, no places and no shortage."""
    needed = regular.sort_values(["need_mid", "wijk_name"], ascending=[False, True])
    a11y.summary([a11y.ranking_sentence(
        [(wijk, need, model_estimate_text(need)) for wijk, need in
         needed[["wijk_name", "need_mid"]].itertuples(index=False)],
        subject=f"Reguliere plekken nodig voor {continuum.AGE_NOUNS[age_group]} (schatting, midden)",
        unknown=len(population_table(gemeente_code, year).unknown_wijken))])
    table = pd.DataFrame({
        "Wijk": needed["wijk_name"],
        "Kinderen in of op zoek naar opvang (laag-hoog)": range_column(needed, "demand"),
        "Kinderen per plek": [continuum.children_per_place_text(r) for r in needed.itertuples(index=False)],
        "Plekken nodig, gelijktijdig (laag-hoog)": range_column(needed, "need"),
        "Plekken, gelijktijdig (LRK)": ["niet geladen"] * len(needed),
    })
    st.dataframe(table, hide_index=True, width="stretch")
    table_downloads(table, f"Reguliere plekken {name} {year} {age_group}")


if places_unknown:
    places_needed_table()
else:
    st.markdown("\n".join(f"- {continuum.gap_sentence(r)}"
                          for r in regular.head(3).itertuples(index=False)))
    figure = go.Figure()
    figure.add_bar(
        y=regular["wijk_name"],
        x=regular["gap_mid"],
        orientation="h",
        marker_color=[theme.NIVEAU_COLOURS[4] if g > 0 else theme.NIVEAU_COLOURS[1]
                      for g in regular["gap_mid"]],
        error_x={"type": "data", "symmetric": False,
                 "array": regular["gap_high"] - regular["gap_mid"],
                 "arrayminus": regular["gap_mid"] - regular["gap_low"],
                 "color": "#333333", "thickness": 1.5},
        # as the sentence and the table show them (rounded to fives above 100, '<1')
        customdata=[[model_estimate_text(mid), continuum.estimate_text(low, high)] for mid, low, high
                    in zip(regular["gap_mid"], regular["gap_low"], regular["gap_high"], strict=True)],
        hovertemplate="%{y}: tekort %{customdata[0]} plekken (%{customdata[1]})"
                      "<extra>schatting min plekken</extra>",
        name="Tekort",
    )
    figure.update_layout(
        title=f"Tekort aan reguliere plekken (gelijktijdig) per wijk, {continuum.AGE_NOUNS[age_group]}",
        # three short lines: one long line ran off the chart on a narrow screen (WCAG 1.4.10)
        xaxis_title="tekort in plekken<br>(nodig min aanwezig;<br>strepen: laag-hoog)",
        yaxis={"autorange": "reversed"},
        font={"size": 16},
        separators=",.",
        height=120 + 42 * len(regular),
        margin={"t": 60, "l": 10},
        showlegend=False,
    )
    plotly_chart(figure, width="stretch", key="tekorten_chart", config=chart_config(f"tekorten {name} {year}"))
    chart_downloads(figure, f"Tekorten {name} {year}")
    a11y.summary([
        # one age group's shortage, as the workbook's row (the Kaart's figure is the sum over them)
        a11y.ranking_sentence([(wijk, gap_mid, model_estimate_text(gap_mid)) for wijk, gap_mid in
                               regular[["wijk_name", "gap_mid"]].itertuples(index=False)],
                              subject=f"Tekort aan reguliere plekken voor {continuum.AGE_NOUNS[age_group]} "
                                      "(schatting, midden)",
                              unknown=len(population_table(gemeente_code, year).unknown_wijken)),
        "De tabel hieronder geeft per wijk de vraag, de plekken en het tekort met bandbreedte.",
    ])
    regular_table = pd.DataFrame({
        "Wijk": regular["wijk_name"],
        "Kinderen in of op zoek naar opvang (laag-hoog)": range_column(regular, "demand"),
        "Kinderen per plek": [continuum.children_per_place_text(r)
                              for r in regular.itertuples(index=False)],
        "Plekken nodig, gelijktijdig (laag-hoog)": range_column(regular, "need"),
        "Plekken, gelijktijdig (LRK)": [format_number(round_estimate(v)) for v in regular["supply"]],
        "Tekort in plekken (laag-hoog)": range_column(regular, "gap"),
    })
    st.dataframe(regular_table, hide_index=True, width="stretch")
    table_downloads(regular_table, f"Reguliere plekken {name} {year} {age_group}")
st.caption(
    f"Kinderen: schatting (model; noemer: {regular_places_children()}). Kinderen per plek: "
    + ", ".join(sorted({continuum.CPP_SOURCES.get(t.strip(), t) for v in source
                        for t in str(v).split(",")}))
    + (". Plekken: niet geladen (geen LRK-export)." if places_unknown else
       ". Plekken: waargenomen (LRK); plekken voor meer leeftijdsgroepen naar rato verdeeld.")
)

# 2. Niveau 2: support to the professionals
st.header("Niveau 2: ondersteuning van professionals (beide perspectieven)")
support = component("ondersteuning_professionals")
st.markdown(gemeente_sentence(support, "op niveau 2", "kinderen"))
if (support["supply"].notna() | support["supply_hidden"]).any():
    st.dataframe(pd.DataFrame({
        "Wijk": support["wijk_name"],
        "Niveau 2 (laag-hoog)": range_column(support, "demand"),
        **support_columns(support, "Kinderen bereikt met coaching (rij 7)"),
    }), hide_index=True, width="stretch")
    st.caption("Bereikt, trajecten en uren: waargenomen (zorgaanbieders, soort 'coaching pm'ers'); "
               "niveau 2: schatting. Waar het aantal bereikte kinderen is afgeschermd, zijn ook "
               "trajecten, uren en tekort afgeschermd.")

# 3. Niveau 3: both perspectives side by side
st.header("Niveau 3: passend en inclusief naast elkaar")
left, right = st.columns(2)
with left:
    st.markdown("**Passend** — " + model.PERSPECTIVES["passend"].split(": ", 1)[1])
    separate = component("aparte_groep", "passend")
    if separate.empty:
        st.write("Voor 0-2 jaar geen aparte groepen: de aparte groepen in de handreiking en de "
                 "praktijkvoorbeelden zijn voor peuters (PeuterPlus, 2,5 tot 5 jaar, r. 1298) en de "
                 "bso; voor baby's noemt geen bron er een.")
    else:
        st.markdown(gemeente_sentence(separate, SEPARATE_SHARE_WORDS, "plekken"))
        groups = continuum.groups(gemeente_code)
        group = groups[(groups["year"] == year) & (groups["age_group"] == age_group)]
        if not group.empty and pd.notna(group.iloc[0].groups_needed_mid):
            g = group.iloc[0]
            st.markdown(
                f"Aparte groepen nodig in de gemeente (wijken delen een groep): "
                f"**{format_number(g.groups_needed_mid)}** bij de middenschatting "
                f"({format_number(g.groups_needed_low)}-{format_number(g.groups_needed_high)}), "
                f"groepen van {format_number(g.group_size)} plekken; een tekort van minder dan "
                "één groep vraagt geen groep.")
        st.dataframe(pd.DataFrame({
            "Wijk": separate["wijk_name"],
            "Kinderen (laag-hoog)": range_column(separate, "demand"),
            "Plekken nodig (laag-hoog)": range_column(separate, "need"),
            "Plekken plusgroep": [NOT_DELIVERED if pd.isna(v) else format_number(round_estimate(v))
                                  for v in separate["supply"]],
            "Tekort plekken (laag-hoog)": delivered_range(separate, "gap", "supply"),
            # the figure the rows are ranked by (component): before, an order without a figure
            "Tekort met signalen (midden)": [NOT_DELIVERED if pd.isna(s) else model_estimate_text(v) for v, s in
                                             zip(separate["gap_signal_adjusted"], separate["supply"], strict=True)],
        }), hide_index=True, width="stretch")
        if partner_places_missing:
            st.caption(row_10_missing("plusgroepen"))
    inzet = component("specialistische_inzet", "passend")
    st.markdown(gemeente_sentence(inzet, "van niveau 3 in de reguliere groep", "kinderen"))
with right:
    st.markdown("**Inclusief** — " + model.PERSPECTIVES["inclusief"].split(": ", 1)[1])
    cap = component("opnamegrens", "inclusief")
    st.markdown(gemeente_sentence(cap, "op niveau 3, allemaal in reguliere groepen", "kinderen",
                                  capacity=True))
    st.dataframe(pd.DataFrame({
        "Wijk": cap["wijk_name"],
        "Niveau 3 (laag-hoog)": range_column(cap, "demand"),
        # without an LRK export the opnamegrens (regular places / group size) is unknown, not 0
        "Opnamegrens reguliere groepen": (["niet geladen"] * len(cap) if places_unknown else
                                          [format_number(round_estimate(v)) for v in cap["supply"]]),
        "Boven de grens (laag-hoog)": (["niet geladen"] * len(cap) if places_unknown else
                                       range_column(cap, "gap")),
        "Bestaande aparte groepen (plekken)": [NOT_DELIVERED if partner_places_missing
                                                else format_number(round_estimate(v))
                                                for v in cap["separate_group_places"]],
        "Boven de grens met signalen (midden)": (["niet geladen"] * len(cap) if places_unknown else
                                                 [model_estimate_text(v) for v in cap["gap_signal_adjusted"]]),
    }), hide_index=True, width="stretch")
    inzet = component("specialistische_inzet", "inclusief")
    st.markdown(gemeente_sentence(inzet, "op niveau 3 met specialistische inzet", "kinderen"))
st.caption(
    "Schatting (model) min waargenomen. Passend: 'deel van niveau 3 in een aparte groep' is een "
    "parameter (0-100%); inclusief: de opnamegrens is kinderen van niveau 3 per reguliere groep "
    "(plekken ÷ groepsgrootte). Aparte groepen zijn moeilijk af te schalen (handreiking r. 157). "
    "Volgorde van de wijken: het midden met signalen (de schatting met lokale signalen van "
    "Continuüm; zonder signalen het midden van het model), het grootste tekort bovenaan."
)

# 4. Niveau 4: regional
st.header("Niveau 4: behandeling (regionaal, hele gemeente)")
niveau_4 = continuum.niveau4(gemeente_code)
niveau_4 = niveau_4[(niveau_4["year"] == year)]
if not niveau_4.empty:
    # the protected gemeente cells of jeugdhulp dagbehandeling, as on Continuüm and the Kaart
    cells = continuum.gemeente_cells("jeugdhulp", "jeugdhulp_dagbehandeling", gemeente_code, year)

    def observed(value, age: str) -> str:
        if pd.isna(value):
            return "niet geleverd"
        count, hidden = cells.get(age, (0.0, False))
        return hidden_label() if hidden else format_number(count)

    # children and places in one table: the conversion (children per place, row 10) beside them
    cpp_hidden = "kdc_mkd" in continuum.hidden_provisions(gemeente_code, year)
    niveau_4 = niveau_4.assign(need_low=niveau_4["demand_low"] / niveau_4["children_per_place"],
                               need_high=niveau_4["demand_high"] / niveau_4["children_per_place"])
    st.dataframe(pd.DataFrame({
        "Leeftijd": [f"{a} jaar" for a in niveau_4["age_group"]],
        "Niveau 4, alle kinderen (laag-hoog)": range_column(niveau_4, "demand"),
        "Kinderen per plek": ["afgeschermd" if cpp_hidden else format_number(v, 2)
                              for v in niveau_4["children_per_place"]],
        "Plekken nodig, gelijktijdig (laag-hoog)": range_column(niveau_4, "need"),
        "Plekken KDC/MKD (gelijktijdig)": [NOT_DELIVERED if pd.isna(v)
                                           else format_number(round_estimate(v))
                                           for v in niveau_4["places"]],
        "Tekort plekken (laag-hoog)": delivered_range(niveau_4, "gap", "places"),
        "Jeugdhulp dagbehandeling (waargenomen)": [
            observed(v, age) for v, age in zip(niveau_4["dagbehandeling_count"],
                                               niveau_4["age_group"], strict=True)],
    }), hide_index=True, width="stretch")
    st.caption("Een KDC of MKD bedient meer wijken: niveau 4 staat per gemeente, niet per wijk. "
               "Niveau 4: schatting over alle kinderen; plekken nodig = kinderen ÷ kinderen per "
               "plek (rij 10, anders een aanname); tekort = plekken nodig min plekken KDC/MKD; "
               "plekken: partners (rij 10); "
               "dagbehandeling: waargenomen (rij 8), kleine aantallen afgeschermd.")
    if niveau_4["places"].isna().all():
        st.caption(row_10_missing("KDC's en MKD's"))

# Observed evidence of the gap: waiting lists (suppressed counts)
st.header("Wachtlijsten (waargenomen)")
signals = continuum.signals(gemeente_code, year)
waiting = signals[signals["evidence_kind"] == "wachtlijst"]
waiting_delivered, rows_outside = analysis.waiting_delivered(cursor(), gemeente_code, year)
if waiting.empty:
    st.info(WAITING_WITHOUT_WIJK if waiting_delivered
            else "Er zijn voor dit jaar geen wachtlijsten geleverd (registraties wachtlijst-so en "
                 "wachtlijst-zorg).")
else:
    shares = continuum.contributions(gemeente_code, year)
    for (signal_type, group), part in waiting.groupby(["signal_type", "age_group"]):
        protected = continuum.protected_signal(part, waiting[waiting["signal_type"] == signal_type],
                                               shares)
        label = continuum.SIGNAL_LABELS.get(signal_type, signal_type)
        group_text = "alle leeftijden" if group == "alle" else f"{group} jaar"
        # 'gemeente: afgeschermd', not 'afgeschermd kinderen'
        st.markdown(f"**{capitalised(label)}** ({group_text}), gemeente: "
                    + (hidden_label() if protected["gemeente_hidden"].iloc[0]
                       else f"{format_number(protected['gemeente_count'].iloc[0])} kinderen"))
        st.dataframe(pd.DataFrame({
            "Wijk": protected["wijk_name"],
            "Kinderen op de wachtlijst": [hidden_label() if h else format_number(v) for v, h in
                                          zip(protected["children_count"], protected["hidden"],
                                              strict=True)],
            "Gemiddelde wachttijd (weken)": [
                "" if h or pd.isna(w) else format_number(w, 1)
                for w, h in zip(protected["waiting_weeks"], protected["hidden"], strict=True)],
        }), hide_index=True, width="stretch")
    st.caption(f"Waargenomen aantallen van partners. {hidden_rule(continuum.min_count())}"
               + (" Een deel van de geleverde rijen van een wachtlijst noemt geen wijk die deze "
                  "gemeente in dit jaar heeft en telt hier niet mee (zie Databronnen)."
                  if rows_outside else ""))

# (v)so pupils and BSO: a gap of its own
vso = query("select * from vso_bso_by_wijk where gemeente_code = ? and year = ?",
            [gemeente_code, year])
if not vso.empty and age_group == "4-12":
    st.header("BSO voor leerlingen van so en sbo (4-12 jaar)")
    st.write("Scholen voor speciaal (basis)onderwijs hoeven geen BSO te regelen; daardoor "
             "ontbreekt BSO voor deze leerlingen vaak. Alleen ingeschreven leerlingen van 4-12 "
             "jaar: vso-leerlingen (vanaf 12) vallen buiten de BSO, thuiszitters en niet-bereikte "
             "kinderen zijn geen leerlingen (zie Analysevragen).")
    vso = vso.merge(rows[["wijk_code", "wijk_name"]].drop_duplicates(), on="wijk_code", how="left")
    vso["wijk_name"] = vso["wijk_name"].fillna(vso["wijk_code"])
    vso = vso.sort_values(["wijk_name", "organisation"]).reset_index(drop=True)
    delivered = vso["bso_needed_observed_count"].notna().any()
    per_wijk = vso.groupby(["wijk_code", "wijk_name"], sort=False)[
        ["bso_need_modelled_low", "bso_need_modelled_high"]].sum().reset_index()
    need_published = analysis.read_beside(cursor(), gemeente_code, year).get(analysis.BSO_NEED_KEY)
    names = dict(zip(rows["wijk_code"], rows["wijk_name"], strict=True))
    # the pupils are the cells so_ingeschreven 4-12 of the one protected table of the signal
    # speciaal_onderwijs (the same figures as Continuüm and the Kaart, hidden where it hides
    # them; with the contributor rule); a wijk not in it is hidden
    signals = continuum.signals(gemeente_code, year)
    so = signals[signals["signal_type"] == "speciaal_onderwijs"]
    part = so[(so["signal_kind"] == "so_ingeschreven") & (so["age_group"] == "4-12")]
    if part.empty:
        pupils = pd.DataFrame(columns=["hidden", "children_count"])
        total_hidden, total_pupils = True, float("nan")
    else:
        protected = continuum.protected_signal(part, so, continuum.contributions(gemeente_code, year))
        pupils = protected.set_index("wijk_code")[["hidden", "children_count"]]
        total_hidden = bool(protected["gemeente_hidden"].iloc[0])
        total_pupils = float(protected["gemeente_count"].iloc[0])
        # a wijk whose pupils the table hides keeps its row when they are gone (hidden before,
        # 0 now: still hidden): a missing row would say it has none, and a total shown before
        # and after (row 5 on Analysevragen) minus its new value would give its hidden pupils back
        hidden_pupils = [code for code in protected.loc[protected["hidden"].astype(bool), "wijk_code"]
                         if code not in set(per_wijk["wijk_code"])]
        per_wijk = pd.concat([per_wijk, pd.DataFrame({
            "wijk_code": hidden_pupils, "wijk_name": [names.get(code, code) for code in hidden_pupils],
            "bso_need_modelled_low": 0.0, "bso_need_modelled_high": 0.0})], ignore_index=True)
    if delivered:
        # a wijk whose need was hidden before keeps its row when its pupils are gone (0)
        gone = [code for code in analysis.bso_need_wijken(per_wijk["wijk_code"], need_published)
                if code not in set(per_wijk["wijk_code"])]
        per_wijk = pd.concat([per_wijk, pd.DataFrame({
            "wijk_code": gone, "wijk_name": [names.get(code, code) for code in gone],
            "bso_need_modelled_low": 0.0, "bso_need_modelled_high": 0.0})], ignore_index=True)
    # by name, the kept wijken among the others: at the end they would be told apart
    per_wijk = per_wijk.sort_values("wijk_name", kind="stable").reset_index(drop=True)
    pupils = pupils.reindex(per_wijk["wijk_code"])
    pupils_hidden = pupils["hidden"].fillna(True).astype(bool).to_numpy()
    pupils_shown = [hidden_label() if hide else format_number(value)
                    for value, hide in zip(pupils["children_count"], pupils_hidden, strict=True)]
    pupils_shown.append(hidden_label() if total_hidden else format_number(total_pupils))
    modelled = [
        "" if hidden else continuum.estimate_text(lo, hi) for lo, hi, hidden in
        zip(per_wijk["bso_need_modelled_low"], per_wijk["bso_need_modelled_high"], pupils_hidden,
            strict=True)
    ]
    total = per_wijk[["bso_need_modelled_low", "bso_need_modelled_high"]].sum()
    modelled.append("" if total_hidden else continuum.estimate_text(total.iloc[0], total.iloc[1]))
    result = pd.DataFrame({"Wijk": [*per_wijk["wijk_name"], f"Gemeente {name}"],
                           "Leerlingen (waargenomen)": pupils_shown})
    if delivered:
        # the observed BSO need is a count of its own: protected with its gemeente total row and
        # the contributor rule (a school subtracting its own pupils learns no other school's
        # small count), hidden where the pupils are, beside the table as the build published it
        # (a corrected upload moves no second hidden wijk onto one shown before)
        wijken = analysis.bso_need_wijken(per_wijk["wijk_code"])
        cube = joint_cube(so, continuum.contributions(gemeente_code, year),
                          continuum.published_of(so)) if not so.empty else None
        need_counts, need_hidden = analysis.bso_need_table(
            cube, wijken, vso[["wijk_code", "organisation", "named_organisation",
                               "bso_needed_observed_count"]],
            need_published)
        order = [*(wijken.index(code) for code in per_wijk["wijk_code"]), len(wijken)]
        result["BSO nodig volgens partner (waargenomen)"] = [
            hidden_label() if need_hidden[i, 0] else format_number(need_counts[i, 0]) for i in order]
    result["BSO nodig (schatting, laag-hoog)"] = modelled
    st.dataframe(result, hide_index=True, width="stretch")
    st.caption("Schatting: leerlingen × het aandeel so- en sbo-leerlingen dat BSO nodig heeft (zie de "
               "aannames). Waargenomen aantallen: " + hidden_rule(continuum.min_count()))
