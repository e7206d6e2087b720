"""Kaart: a choropleth of the wijken of a gemeente (or of the whole country), by a chosen indicator."""

import streamlit as st

from data_sources.config import background_map
from ui import a11y, wijkprofiel
from ui.auth import all_gemeenten_allowed, indicator_allowed, partner_places_allowed
from ui.indicators import (
    lrk_year_note,
    missing_message,
    national_lrk_note,
    national_row_10_note,
    national_values,
    population_route_note,
    row_10_year_note,
)
from ui.map_indicators import INDICATORS, resolved
from ui.maps import MAP_HEIGHT, boundary_year_note, choropleth, legend_markdown, no_boundaries_message, prepared_shapes
from ui.maps import region_names as wijk_region_names
from ui.population import (
    model_hidden,
    secret_on_map,
    secret_wijk_codes,
    unranked_secret,
    unranked_secret_national,
)
from ui.safe import plain
from ui.state import current_loaded, gemeente_name, gemeenten, persistent_selectbox

NATIONAL = "nederland"
NATIONAL_LABEL = "Nederland (alle gemeenten)"

gemeente_code, year = current_loaded()

# The national view of all wijken exists once more than one gemeente is loaded, for accounts
# that see every gemeente (not for one tied to some: users set-gemeente).
scopes = ["gemeente", NATIONAL] if len(gemeenten()) > 1 and all_gemeenten_allowed() else ["gemeente"]
wanted_scope = st.session_state.get("gebied") or st.query_params.get("gebied")
st.session_state.gebied = wanted_scope if wanted_scope in scopes else "gemeente"
national = st.session_state.gebied == NATIONAL
st.title(f"Kaart {NATIONAL_LABEL if national else plain(gemeente_name(gemeente_code))} {year}")

keys = [key for key in INDICATORS if indicator_allowed(key)]  # partners: what the gemeente released
wanted = resolved(st.session_state.get("indicator") or st.query_params.get("indicator"))
st.session_state.indicator = wanted if wanted in keys else keys[0]
left, right = st.columns([2, 1]) if len(scopes) > 1 else (st.container(), None)
key = persistent_selectbox(left, "Indicator", keys, "indicator", format_func=lambda k: INDICATORS[k].label)
if right is not None:
    # the name as drawn now: the label is asked again outside this run (it must not change)
    scope_name = gemeente_name(gemeente_code)
    persistent_selectbox(right, "Gebied", scopes, "gebied",
                         format_func=lambda s: NATIONAL_LABEL if s == NATIONAL else scope_name)
    st.query_params["gebied"] = st.session_state.gebied
st.query_params["indicator"] = key
indicator = INDICATORS[key]

with st.expander("Kaartinstellingen"):
    show_names = st.toggle("Wijknamen op de kaart", value=True, key="kaart_wijknamen")
    background = st.toggle("Achtergrondkaart van PDOK (BRT-Achtergrondkaart grijs)",
                           value=background_map(), key="kaart_achtergrond")
    st.caption("Standaard uit: met de achtergrondkaart haalt uw browser kaarttegels op bij PDOK "
               "(service.pdok.nl), die dan ziet welk gebied u bekijkt; zonder internet blijft de "
               "achtergrond leeg. Standaard aan zetten kan met KINDKAART_ACHTERGRONDKAART=brt-grijs. "
               "Achtergrond: © Kadaster, CC BY 4.0.")

values = national_values(indicator, year) if national else indicator.load(gemeente_code, year)
shapes = prepared_shapes(None if national else gemeente_code, year)
# Names from the regions (kwb, dimension files): a wijk without population figures has one too
# (on the national map the secret wijk of a gemeente was labelled by its code).
region_names = wijk_region_names(None if national else gemeente_code)
if national:
    region_names.update(zip(values["wijk_code"], values["wijk_name"], strict=True))
    # a wijk of every gemeente is named with its gemeente, on the map, in its table and ranking
    # sentence and in the choice of a wijk profile: 'Centrum' is a wijk of twenty gemeenten (and
    # 'Wijk 00' of fifteen), which the national view listed under one name, twice or more
    region_names = {code: f"{name} ({gemeente_name('GM' + str(code)[2:6])})"
                    for code, name in region_names.items()}
    values = values.assign(wijk_name=[region_names.get(code, name) for code, name
                                      in zip(values["wijk_code"], values["wijk_name"], strict=True)])
# a figure made from the children has none where CBS keeps them secret: 'onbekend (CBS geheim)'
secret = secret_wijk_codes(None if national else gemeente_code, year) if indicator.needs_population else set()
deck, breaks = choropleth(values, shapes, indicator.label, decimals=indicator.decimals, background=background,
                          labels=show_names, names=region_names, secret=secret)

def figures_as_table() -> None:
    a11y.map_alternative(values, indicator.label, NATIONAL_LABEL if national else gemeente_name(gemeente_code),
                         decimals=indicator.decimals, national=national,
                         # a wijk whose children CBS keeps secret is unknown only for a figure
                         # made from the children (as on the map); else it simply has none
                         secret=0 if not indicator.needs_population
                         else unranked_secret_national(year, values["wijk_code"]) if national
                         else unranked_secret(gemeente_code, year, values["wijk_code"]))


if deck is None:
    st.warning(shapes.left_out_note(region_names) if shapes.left_out else no_boundaries_message(
        None if national else gemeente_code, NATIONAL_LABEL if national else plain(gemeente_name(gemeente_code)), year))
    if not values.empty:  # the figures are there without a map (a gemeente of before a herindeling)
        figures_as_table()
else:
    event = st.pydeck_chart(deck, height=MAP_HEIGHT, key="wijkkaart", on_select="rerun",
                            selection_mode="single-object")
    st.markdown(legend_markdown(breaks, indicator.decimals, values["value"].tolist()), unsafe_allow_html=True)
    figures_as_table()
    clicked = (event.selection.get("objects", {}) or {}).get("wijken") if event else None
    if clicked:
        st.session_state.profiel_wijk = clicked[0].get("properties", {}).get("wijk_code")
if deck is not None and shapes.left_out:
    st.warning(shapes.left_out_note(region_names))
if indicator.note:
    st.caption(indicator.shown_note())
if key == "kindplaatsen" and not partner_places_allowed():
    st.caption(wijkprofiel.PLACES_NOT_RELEASED)
if national and (lrk_note := national_lrk_note(indicator, year)):
    st.caption(lrk_note)
if national and (row_10_note := national_row_10_note(indicator, year)):
    st.caption(row_10_note)
if national and indicator.kind == "bevolking":
    st.caption("Per gemeente een telling (BRP) of een schatting uit CBS-cijfers; welke, staat op de "
               "kaart van de gemeente zelf.")
elif not national and (route := population_route_note(indicator, gemeente_code, year)):
    st.caption(route)
if not national and (lrk_year := lrk_year_note(indicator, gemeente_code, year)):
    st.caption(lrk_year)
if not national and (row_10_year := row_10_year_note(indicator, gemeente_code, year)):
    st.caption(row_10_year)
if not national and deck is not None and (other_year := boundary_year_note(gemeente_code, year)):
    st.caption(other_year)
if not national and values.empty:
    st.info(missing_message(indicator, gemeente_code, year, plain(gemeente_name(gemeente_code))))
elif not national and secret and (unknown := secret_on_map(gemeente_code, year, indicator.kind == "model")):
    st.caption(unknown)
if not national and indicator.kind == "model" and (hidden_note := model_hidden(gemeente_code, year)):
    st.caption(hidden_note)

# Wijk profile: a click on the map or a choice here
# without boundaries, the wijken with figures (a gemeente of before a herindeling)
wijken = {code: str(region_names.get(code, code))
          for code in shapes.geometry_text or ([] if national or "wijk_code" not in values
                                               else values["wijk_code"].tolist())}
options = [""] + sorted(wijken, key=lambda c: str(wijken[c]))
if st.session_state.get("profiel_wijk") not in options:
    st.session_state.profiel_wijk = ""
chosen = persistent_selectbox(st, "Wijkprofiel (of klik op een wijk)", options, "profiel_wijk",
                              format_func=lambda c: "kies een wijk" if not c else str(wijken.get(c, c)))
if chosen:
    # In the national view a wijk belongs to its own gemeente (codes WKggggww).
    wijkprofiel.wijk_profile("GM" + chosen[2:6] if national else gemeente_code, year, chosen)
