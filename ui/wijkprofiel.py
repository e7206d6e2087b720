"""Model indicators for the map registry, and the wijk profile (all figures of one wijk)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from transforms.indeling import line_runs
from transforms.labels import (
    LRK_EXPORT,
    ROW_10_NOT_DELIVERED,
    lrk_missing_text,
    lrk_year_text,
    noemer_clause,
    noemer_words,
    regular_places_children,
)
from transforms.partner_tables import PARTNER_PROVISIONS, Rows, as_rows, group_index, take_rows
from transforms.population import SECRET_LABEL
from transforms.privacy import format_number, hidden_label, model_estimate_text, round_estimate, shown_figure_text
from transforms.rates import BASE_TOO_SMALL_LABEL
from ui import a11y, continuum, theme
from ui.auth import own_organisation, partner_places_allowed, signal_allowed, where_to_load
from ui.data import data_version, db_path, query
from ui.indeling import other_area_note, places_area_note, wijkindeling
from ui.indicators import Indicator
from ui.population import children_by_wijk
from ui.safe import plain, plotly_chart

# `unknown`: a rate of a wijk whose children CBS keeps secret (shown as SECRET_LABEL)
EMPTY = pd.DataFrame(columns=["wijk_code", "wijk_name", "value", "hidden", "unknown"])


# Where a place in the profile comes from (places_source): the public register, the partners'
# row 10, or a partner's own row 10 before the partners' places are released
PLACES_SOURCE_LABELS = {"lrk": "LRK", "partner": "partners (rij 10)", "eigen": "eigen aanlevering (rij 10)"}

def _estimate(frame: pd.DataFrame) -> pd.DataFrame:
    # Sums of the same figures in another order differ in the last bits; rounded to six decimals
    # first, the gemeente map and the national map show the same estimate for a wijk.
    # between 0 and 1 the value stays, for the map's text '<1' (transforms.privacy.shown_estimate)
    return frame.assign(value=lambda f: f["value"].astype(float).round(6).map(
        lambda v: v if 0 < v < 1 else round_estimate(v)), hidden=False)


def _model_loaders(target: str, column: str, niveau: int, component: str | None = None,
                   shortages_only: bool = False):
    """The map loaders of one model column at one niveau (and one component of the gap): per
    gemeente, and for the country. `shortages_only`: a gap as the sum of the shortages per age
    group (continuum.per_wijk)."""
    frame_of = {"demand_by_wijk_niveau": continuum.demand, "gap_by_wijk_niveau": continuum.gap}[target]

    def load(gemeente_code: str, year: int) -> pd.DataFrame:
        return _estimate(continuum.per_wijk(frame_of(gemeente_code, year), column, year, niveau,
                                            component, shortages_only))

    def load_national(year: int) -> pd.DataFrame:
        return _estimate(continuum.national_per_wijk(target, column, year, niveau, component,
                                                     shortages_only))

    return load, load_national


def _protected_signal(rows: Rows, signal_types: tuple[str, ...], rate: bool,
                      shares: Rows | None, published) -> Rows | None:
    """One gemeente's signal per wijk (summed over kinds and age groups; or only some kinds, such
    as so_ingeschreven: pupils, not thuiszitters), the wijk totals of the signal type's one
    protected table (continuum.signal_totals), as on its own map; None without such rows.
    `rows`: its rows of signals_by_wijk, `shares` of CONTRIBUTIONS_SQL (as_rows), `published`
    the patterns as published (continuum.published)."""
    signal_kinds = rows["signal_kind"].tolist()
    kinds = tuple(t for t in signal_types if t in set(signal_kinds))
    # the same child can be in several lists: one type per indicator
    types = set(signal_types) | {signal_type for signal_type, kind
                                 in zip(rows["signal_type"].tolist(), signal_kinds, strict=True)
                                 if kind in kinds}
    keep = np.isin(rows["signal_type"], list(types))
    if not keep.any():
        return None
    protected = continuum.signal_totals(take_rows(rows, keep), shares, kinds or None, published)
    value = protected["rate_per_100"] if rate else protected["children_count"]
    if not rate:
        return {"wijk_code": protected["wijk_code"], "wijk_name": protected["wijk_name"],
                "value": value, "hidden": protected["hidden"],
                "unknown": np.zeros(len(value), dtype=bool)}
    # a rate over fewer children than the minimum base: not hidden, its reason shown instead
    # ('basis te klein' on the map, its tooltip and table, the trend and the exports)
    too_small = protected["rate_base_too_small"]
    unknown = np.array([BASE_TOO_SMALL_LABEL if small else bool(flag) for small, flag
                        in zip(too_small, protected["rate_unknown"], strict=True)], dtype=object)
    return {"wijk_code": protected["wijk_code"], "wijk_name": protected["wijk_name"],
            "value": np.round(value, 1), "hidden": protected["rate_hidden"] & ~too_small,
            "unknown": unknown}


def _frame(parts: list[Rows | None]) -> pd.DataFrame:
    parts = [part for part in parts if part is not None]
    if not parts:
        return EMPTY.copy()
    return pd.DataFrame({name: np.concatenate([part[name] for part in parts]) for name in EMPTY})


def _upload_hint(soort: str, who: str) -> str:
    return (f"Dit cijfer komt uit de registratie {soort}, die {who} aanlevert op de pagina "
            "**Aanleveren**.")


def _signal(signal_types: tuple[str, ...], rate: bool):
    def load(gemeente_code: str, year: int) -> pd.DataFrame:
        shares = continuum.contributions(gemeente_code, year)
        return _frame([_protected_signal(as_rows(continuum.signals(gemeente_code, year)),
                                         signal_types, rate,
                                         None if shares.empty else as_rows(shares),
                                         continuum.published(gemeente_code, year))])
    return load


@st.cache_data(show_spinner=False, max_entries=16)
def _national_signal(signal_types: tuple[str, ...], rate: bool, year: int, version: str,
                     database: str) -> pd.DataFrame:
    # each gemeente protected on its own: two views must never reveal more than one
    # only the rows of the signal types it shows (other years and types cost a query's worth)
    rows = as_rows(continuum.national_signals(year, signal_types))
    shares = as_rows(continuum.national_contributions(year, signal_types))
    share_index = group_index(shares["gemeente_code"])
    published = continuum.national_published(year, signal_types)
    return _frame([_protected_signal(take_rows(rows, index), signal_types, rate,
                                     take_rows(shares, share_index[code])
                                     if code in share_index else None, published)
                   for code, index in sorted(group_index(rows["gemeente_code"]).items())])


def _signal_national(signal_types: tuple[str, ...], rate: bool):
    def load(year: int) -> pd.DataFrame:
        return _national_signal(signal_types, rate, year, data_version(), str(db_path()))
    return load


def shown_supply(gemeente_code: str, year: int) -> pd.DataFrame:
    """continuum.supply() as this account may see it: partners and the LEA view, until the
    gemeente released partner places (ui.auth.PARTNER_PLACES), only the places of the LRK (a
    public register) and, for a partner, its own delivered places ('eigen')."""
    supply = continuum.supply(gemeente_code, year)
    if partner_places_allowed():
        return supply
    public = supply[supply["places_source"] == "lrk"]
    organisation = own_organisation()
    if organisation is None:
        return public.reset_index(drop=True)
    own = continuum.own_partner_places(gemeente_code, year, organisation)
    names = dict(zip(supply["wijk_code"], supply["wijk_name"], strict=True))
    own = own.assign(wijk_name=own["wijk_code"].map(names).fillna(own["wijk_code"]),
                     places_source="eigen")
    return pd.concat([public, own], ignore_index=True).sort_values(
        ["wijk_code", "provision_type"], ignore_index=True)


def _places_per_wijk(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.groupby(["wijk_code", "wijk_name"], as_index=False)["places"].sum()
    return out.rename(columns={"places": "value"}).assign(hidden=False)


def _places(gemeente_code: str, year: int) -> pd.DataFrame:
    return _places_per_wijk(shown_supply(gemeente_code, year))


def _places_national(year: int) -> pd.DataFrame:
    supply = continuum.national_supply(year)
    if not partner_places_allowed():  # the national map: the LRK's places only
        supply = supply[supply["places_source"] == "lrk"]
    return _places_per_wijk(supply)


DEMAND_3, DEMAND_4 = (_model_loaders("demand_by_wijk_niveau", "children_mid", n) for n in (3, 4))
# A gap per wijk is the sum of the shortages per age group: room in one age group never cancels a
# shortage in another (a spare BSO place cannot take a baby); per age group on Tekorten.
GAP_REGULAR = _model_loaders("gap_by_wijk_niveau", "gap_mid", 1, "reguliere_plekken", True)
GAP_SEPARATE = _model_loaders("gap_by_wijk_niveau", "gap_mid", 3, "aparte_groep", True)
GAP_CAP = _model_loaders("gap_by_wijk_niveau", "gap_mid", 3, "opnamegrens", True)
PLACES_NOT_RELEASED = ("Alleen plekken uit het Landelijk Register Kinderopvang (openbaar) en, "
                       "voor een partner, de eigen aanleveringen: de plekken die partners "
                       "aanleverden (plusgroepen, KDC/MKD) en de cijfers die daarop rusten, ziet u "
                       "pas als de gemeente ze vrijgeeft.")
MODEL_NOTE = ("Schatting van het model (afgerond) met de aannames van deze sessie; zie de pagina "
              "Continuüm.")
SHORTAGE_NOTE = (" Opgeteld zijn alleen de tekorten per leeftijdsgroep: ruimte over in de ene "
                 "leeftijdsgroep telt niet mee voor een tekort in een andere (een BSO-plek past "
                 "geen baby); 0 is geen tekort in een leeftijdsgroep. Per leeftijdsgroep, met de "
                 "ruimte over, op de pagina Tekorten.")
# Vve-indicaties per criterion (000:L547: "afgegeven o.b.v. taal/spraak, sociaal-emotioneel en/of
# SES"): a child with an indicatie on two criteria counts under both (the template says so), so
# the criteria are never added up; each map figure is one criterion, as on Continuüm. SES says
# little about support in childcare (not in the signal index by default) and stands apart.
VVE_NOTE = ("Waargenomen (JGZ): kinderen met een vve-indicatie op dit criterium, per 100 kinderen "
            "van hun leeftijdsgroep (peuters: 2-4 jaar; voorschoolse educatie is voor 2,5 tot 4 "
            "jaar, handreiking r. 77). Een kind met een indicatie op meer criteria telt bij elk "
            "daarvan: de criteria staan elk apart en worden niet opgeteld. Kleine aantallen "
            "afgeschermd.")
VVE_INDICATORS = [
    Indicator(f"{kind}_per_100", f"Vve-indicaties {what} per 100 kinderen (waargenomen)",
              "per 100", "waargenomen", _signal((kind,), rate=True), VVE_NOTE + extra,
              _signal_national((kind,), rate=True),
              missing=_upload_hint("vve-indicaties", "de JGZ"))
    for kind, what, extra in [
        ("vve_taal_spraak", "taal/spraak", ""),
        ("vve_sociaal_emotioneel", "sociaal-emotioneel", ""),
        ("vve_ses", "SES (sociaaleconomisch)",
         " Een indicatie op SES zegt weinig over ondersteuning in de opvang: ze telt standaard "
         "niet mee in de schatting met lokale signalen (Continuüm)."),
    ]
]
# The model's and the partners' map indicators (ui.map_indicators lists every indicator).
MODEL_INDICATORS = [
    Indicator("tekort_reguliere_plekken",
              "Tekort reguliere plekken (gelijktijdig), niveau 1-3, beide perspectieven: som van "
              "de tekorten per leeftijdsgroep (0-2, 2-4 en 4-12 jaar)",
              "plekken", "model", GAP_REGULAR[0],
              MODEL_NOTE + f" Per leeftijdsgroep: {regular_places_children()} ÷ kinderen per "
              "plek, min de plekken in het LRK." + SHORTAGE_NOTE, GAP_REGULAR[1],
              needs_lrk=True),
    Indicator("verwacht_niveau_3",
              f"Verwachte kinderen op niveau 3 (schatting; noemer: {noemer_words(3)})", "kinderen",
              "model", DEMAND_3[0], MODEL_NOTE, DEMAND_3[1]),
    Indicator("verwacht_niveau_4",
              f"Verwachte kinderen op niveau 4 (schatting; noemer: {noemer_words(4)})", "kinderen",
              "model", DEMAND_4[0], MODEL_NOTE + " Niveau 4 is regionaal: de plekken staan per "
              "gemeente op de pagina Tekorten.", DEMAND_4[1]),
    Indicator("tekort_niveau_3_passend",
              "Tekort plekken in aparte groepen, niveau 3 (perspectief passend): som van de "
              "tekorten van 2-4 en 4-12 jaar", "plekken",
              "model", GAP_SEPARATE[0], MODEL_NOTE + " Plekken in plusgroepen van partners; "
              "groepen nodig staan per gemeente op de pagina Tekorten; 0-2 jaar krijgt geen "
              "aparte groep." + SHORTAGE_NOTE, GAP_SEPARATE[1], needs_row_10=True),
    Indicator("boven_opnamegrens_niveau_3",
              "Niveau 3 boven de opnamegrens van reguliere groepen (perspectief inclusief): som "
              "per leeftijdsgroep (0-2, 2-4 en 4-12 jaar)",
              "kinderen", "model", GAP_CAP[0], MODEL_NOTE + " Opnamegrens: kinderen van niveau 3 "
              "per reguliere groep." + SHORTAGE_NOTE, GAP_CAP[1], needs_lrk=True),
    *VVE_INDICATORS,
    Indicator("vso_leerlingen", "Leerlingen (v)so/sbo (waargenomen)", "kinderen", "waargenomen",
              _signal(("so_ingeschreven",), rate=False),
              "Waargenomen (samenwerkingsverband); kleine aantallen afgeschermd.",
              _signal_national(("so_ingeschreven",), rate=False),
              missing=_upload_hint("speciaal-onderwijs", "het samenwerkingsverband")),
    Indicator("wachtlijst_zorg", "Wachtlijst zorg en ondersteuning (waargenomen)", "kinderen",
              "waargenomen", _signal(("wachtlijst_zorg",), rate=False),
              "Waargenomen (zorgaanbieders); kleine aantallen afgeschermd.",
              _signal_national(("wachtlijst_zorg",), rate=False),
              missing=_upload_hint("wachtlijst-zorg", "zorgaanbieders")),
    Indicator("wachtlijst_so", "Wachtlijst (v)so (waargenomen)", "kinderen", "waargenomen",
              _signal(("wachtlijst_so",), rate=False),
              "Waargenomen (samenwerkingsverband); kleine aantallen afgeschermd.",
              _signal_national(("wachtlijst_so",), rate=False),
              missing=_upload_hint("wachtlijst-so", "het samenwerkingsverband")),
    Indicator("kindplaatsen", "Kindplaatsen, gelijktijdig (LRK en partners, waargenomen)",
              "plekken (gelijktijdig)", "waargenomen", _places, "Waargenomen: Landelijk Register Kinderopvang en "
              "partnerregistraties (plusgroepen, KDC/MKD).", _places_national,
              missing="Kindplaatsen komen uit een export van het Landelijk Register Kinderopvang "
                      "en uit de registratie groepsgrootte (plusgroepen en KDC/MKD), die de "
                      "kinderopvang aanlevert op de pagina **Aanleveren**.",
              missing_hints=(replace(LRK_EXPORT, command="python -m data_sources import-lrk "
                                                         "LRK-export.csv --jaar {year}"),)),
]


NOT_DELIVERED = "niet geleverd"


def _show(value: float, hidden: bool) -> str:
    # a count as it is, an estimate below one child as '<1' (as Overzicht)
    return hidden_label() if hidden else shown_figure_text(value)


def wijk_profile(gemeente_code: str, year: int, wijk_code: str) -> None:
    """Every figure of one wijk beside the gemeente, and the trend over the years."""
    demand = continuum.demand(gemeente_code)
    wijk_name = demand.loc[demand["wijk_code"] == wijk_code, "wijk_name"]
    if wijk_name.empty:
        # no estimate (CBS keeps the wijk's children secret): its name from the regions
        from ui.maps import region_names

        title = region_names(gemeente_code).get(wijk_code, wijk_code)
    else:
        title = wijk_name.iloc[0]
    st.header(f"Wijkprofiel {plain(title)}")

    table, is_estimate, _ = children_by_wijk(gemeente_code, year)
    values, hidden = table.values, table.hidden
    row = values.index[values["wijk_code"] == wijk_code]
    total = values.index[-1]
    if len(row):
        st.markdown("**Kinderen** (" + ("schatting" if is_estimate else "telling") + ")")
        st.dataframe(pd.DataFrame({
            "Leeftijd": ["0-2 jaar", "2-4 jaar", "4-12 jaar"],
            title: [_show(values.loc[row[0], g], hidden.loc[row[0], g])
                    for g in ("0-2", "2-4", "4-12")],
            "Gemeente": [_show(values.loc[total, g], hidden.loc[total, g])
                         for g in ("0-2", "2-4", "4-12")],
        }), hide_index=True)

    this_year = demand[demand["year"] == year]
    wijk = this_year[this_year["wijk_code"] == wijk_code].groupby("niveau")[
        ["children_low", "children_mid", "children_high", "population_children"]].sum()
    # the gemeente as a range too, as Continuüm shows it: a middle beside a range read as if the
    # gemeente's estimate were exact and the wijk's not
    gemeente = this_year.groupby("niveau")[["children_low", "children_high"]].sum()
    if not wijk.empty:
        st.markdown(f"**Verwachte kinderen per niveau** (schatting, alle leeftijden; {noemer_clause()})")
        st.dataframe(pd.DataFrame({
            "Niveau": wijk.index,
            f"{title} (laag-hoog)": [continuum.estimate_text(lo, hi) for lo, hi in
                                     zip(wijk["children_low"], wijk["children_high"],
                                         strict=True)],
            "Gemeente (laag-hoog)": [continuum.estimate_text(lo, hi) for lo, hi in
                                     zip(gemeente.loc[wijk.index, "children_low"],
                                         gemeente.loc[wijk.index, "children_high"], strict=True)],
        }), hide_index=True)

    supply = shown_supply(gemeente_code, year)
    supply = supply[supply["wijk_code"] == wijk_code]
    st.markdown("**Plekken** (gelijktijdig: een plek dient vaak meer kinderen; waargenomen)")
    places_released = partner_places_allowed()
    if not places_released:
        st.caption(PLACES_NOT_RELEASED)
    gap = continuum.protected_gap(gemeente_code, year)
    lrk_missing = bool(gap["supply_year"].isna().all())
    if lrk_missing:
        # no LRK export of the gemeente: its regular places are unknown, not 0; the places
        # needed stay below (as on Tekorten), where the regular balance is shown at all
        from ui.state import gemeente_name

        st.write(lrk_missing_text(plain(gemeente_name(gemeente_code)), where_to_load,
                                  needed_below=places_released))
    elif lrk_year := lrk_year_text(gap["supply_year"], year):
        st.caption(lrk_year)  # places of another year's export, as Tekorten says it
    if supply.empty:
        st.write("Geen plekken bekend in deze wijk.")
    else:
        st.dataframe(pd.DataFrame({
            "Soort": [continuum.SUPPLY_LABELS.get(t, t) for t in supply["provision_type"]],
            "Plekken (gelijktijdig)": [format_number(v) for v in supply["places"]],
            "Locaties": [format_number(v) for v in supply["locations_count"]],
            # in words, as Tekorten names them (the stored codes read as raw codes)
            "Bron": [PLACES_SOURCE_LABELS.get(v, v) for v in supply["places_source"]],
        }), hide_index=True)

    # the regular balance and the separate groups are built on partner places: under their release
    components = (["reguliere_plekken", "aparte_groep", "opnamegrens"] if places_released
                  else ["opnamegrens"])
    gap = gap[(gap["wijk_code"] == wijk_code) & gap["component"].isin(components)]
    if not gap.empty:
        st.markdown("**Vraag en aanbod** (schatting min waargenomen; passend en inclusief naast "
                    "elkaar; niveau 4 is regionaal, zie Tekorten)")
        st.markdown("\n".join(f"- {continuum.gap_sentence(r)}"
                              for r in gap.sort_values(["niveau", "age_group", "perspective"])
                              .itertuples(index=False)))

    signals = continuum.signals(gemeente_code, year)
    # partners and the LEA view: only the signal types released to them, also in whether this
    # part is drawn at all (it would say that a partner delivered something)
    withheld = {kind for kind in signals["signal_type"].unique() if not signal_allowed(kind)}
    signals = signals[~signals["signal_type"].isin(withheld)]
    if not signals.empty:
        st.markdown("**Signalen van partners** (waargenomen, per 100 kinderen)")
        lines = []
        shares = continuum.contributions(gemeente_code, year)
        for (signal_kind, group), part in signals.groupby(["signal_kind", "age_group"]):
            signal_type = part["signal_type"].iloc[0]
            protected = continuum.protected_signal(
                part, signals[signals["signal_type"] == signal_type], shares)
            mine = protected[protected["wijk_code"] == wijk_code]
            if mine.empty:
                continue
            item = mine.iloc[0]
            label = continuum.SIGNAL_KIND_LABELS.get(signal_kind, signal_kind)
            _, group_text = continuum.signal_population(signal_kind, group)
            # a wijk whose children CBS keeps secret: its (protected) count, as the map shows it;
            # its rate is over children nobody knows
            # CBS jeugdzorg that CBS keeps secret in the wijk: no count, no rate (it read ' per 100')
            rate = (SECRET_LABEL if item["count_unknown"]
                    else BASE_TOO_SMALL_LABEL if item["rate_base_too_small"]
                    else "afgeschermd" if item["rate_hidden"]
                    else f"{_show(item['children_count'], item['hidden'])} geteld, per 100 "
                         f"{a11y.figure_text(None, False, 1, True)}" if item["rate_unknown"]
                    else f"{format_number(item['rate_per_100'], 1)} per 100")
            gemeente = (BASE_TOO_SMALL_LABEL if item["gemeente_rate_base_too_small"]
                        else "afgeschermd" if item["gemeente_rate_hidden"]
                        else a11y.figure_text(None, False, 1, True) if item["gemeente_rate_unknown"]
                        else f"{format_number(item['gemeente_rate_per_100'], 1)} per 100")
            lines.append(f"- {label} ({group_text}): {rate}; gemeente {gemeente}")
        st.markdown("\n".join(lines) if lines else "Geen signalen voor deze wijk.")

    places = query(
        "select year, provision_type, places from supply_by_wijk"
        " where gemeente_code = ? and wijk_code = ?"
        + ("" if places_released else " and places_source = 'lrk'") + " order by year",
        [gemeente_code, wijk_code],
    )
    places_shown = places["year"].nunique() > 1
    # each year's LRK export counts in the wijken of the postcodes of its year (or the nearest
    # loaded): whether the columns of a wijk CBS re-bounded count two areas
    places_area = places_area_note(gemeente_code, wijk_code, places["year"].unique()) if places_shown else None

    # Trend: modelled niveau 3 and 4 over the years, with the places of plus-groups and KDC/MKD
    trend = demand[(demand["wijk_code"] == wijk_code) & (demand["niveau"] >= 3)].groupby(
        ["year", "niveau"], as_index=False)["children_mid"].sum()
    trend_shown = trend["year"].nunique() > 1
    if trend_shown:
        figure = go.Figure()
        indeling = wijkindeling(gemeente_code)
        for niveau in (3, 4):
            rows = trend[trend["niveau"] == niveau].sort_values("year")
            style = theme.NIVEAU_LINES[niveau]
            # a line per area of the wijk: not joined across the year CBS re-bounded it (as Trends)
            for number, run in enumerate(line_runs([indeling.series(wijk_code, int(y)) for y in rows["year"]])):
                part = rows.iloc[run]
                figure.add_scatter(x=part["year"], y=part["children_mid"].map(round_estimate),
                                   name=f"Niveau {niveau} (schatting)", legendgroup=f"niveau {niveau}",
                                   showlegend=number == 0, mode="lines+markers",
                                   line={"color": style.colour, "width": 3, "dash": style.dash},
                                   marker={"color": style.colour, "symbol": style.symbol, "size": 10})
        figure.update_layout(title=f"Trend {title}: verwachte kinderen op niveau 3 en 4 "
                                   "(alleen bevolkingseffect)",
                             xaxis={"dtick": 1}, yaxis_title="kinderen (schatting)",
                             font={"size": 16}, separators=",.", height=360)
        plotly_chart(figure, width="stretch", key=f"profile_trend_{wijk_code}")
        a11y.data_table(
            ["Jaar", "Niveau 3 (schatting)", "Niveau 4 (schatting)"],
            [[str(each), *(model_estimate_text(v) for v in
                           trend[trend["year"] == each].set_index("niveau")["children_mid"].reindex([3, 4]))]
             for each in sorted(trend["year"].unique())],
            f"Verwachte kinderen op niveau 3 en 4 in {title}, per jaar (schatting)")
        # one warning of the re-bounding for the trend and 'Plekken per jaar' below it: the lines
        # break, and (places_area_note) whether the table's columns count two areas
        if other_area := other_area_note(gemeente_code, "", wijk_code, title):
            st.warning(other_area + (f" {places_area[0]}" if places_area else ""))

    if places_shown:
        # long: one row per year and type -> wide: a row per type, a column per year
        wide = places.pivot_table(index="provision_type", columns="year", values="places",
                                  aggfunc="sum")
        # plus-group and KDC/MKD places come only from row 10: a year in which no partner
        # delivered it for the gemeente is 'niet geleverd', as on Tekorten, not 0 (gap_by_wijk_niveau)
        delivered = set(query("select distinct year from supply_by_wijk where gemeente_code = ?"
                              " and places_source = 'partner'", [gemeente_code])["year"])

        def cell(provision_type: str, each: int, value: float) -> str:
            if provision_type in PARTNER_PROVISIONS and each not in delivered:
                return NOT_DELIVERED
            return format_number(0 if pd.isna(value) else value)

        st.markdown("**Plekken per jaar** (gelijktijdig, waargenomen)")
        st.dataframe(pd.DataFrame({
            "Soort": [continuum.SUPPLY_LABELS.get(t, t) for t in wide.index],
            **{str(each): [cell(t, each, v) for t, v in zip(wide.index, wide[each], strict=True)]
               for each in wide.columns},
        }), hide_index=True)
        if (wide.index.isin(PARTNER_PROVISIONS)).any() and set(wide.columns) - delivered:
            st.caption(ROW_10_NOT_DELIVERED)
        # without the trend above (whose warning says it), the note of the re-bounding is here
        if places_area and not trend_shown:
            text, warns = places_area
            if warns:
                st.warning(f"{other_area_note(gemeente_code, '', wijk_code, title, lines=False)} {text}")
            else:
                changed = " en ".join(str(y) for y in wijkindeling(gemeente_code).breaks[wijk_code])
                st.caption(f"CBS bakende {plain(title)} ({wijk_code}) in {changed} anders af dan het "
                           f"jaar ervoor (kolom ind_wbi van de kwb). {text}")
