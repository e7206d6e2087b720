"""Kaart: a choropleth of the wijken, coloured by a chosen indicator."""

import streamlit as st

import ui.wijkprofiel  # noqa: F401  (registers the model indicators)
from ui.data import query
from ui.indicators import INDICATORS
from ui.maps import choropleth, legend_markdown, wijk_geometries
from ui.state import current, gemeente_name, persistent_selectbox

gemeente_code, year = current()
if gemeente_code is None:
    st.info("Laad eerst gegevens: zie de pagina Databronnen.")
    st.stop()

st.title(f"Kaart {gemeente_name(gemeente_code)} {year}")
keys = list(INDICATORS)
wanted = st.session_state.get("indicator") or st.query_params.get("indicator")
st.session_state.indicator = wanted if wanted in keys else keys[0]
key = persistent_selectbox(st, "Indicator", keys, "indicator", format_func=lambda k: INDICATORS[k].label)
st.query_params["indicator"] = key
indicator = INDICATORS[key]

values = indicator.load(gemeente_code, year)
geometries = wijk_geometries(gemeente_code, year)
deck, breaks = choropleth(values, geometries, indicator.label)
if deck is None:
    st.warning("Voor deze gemeente zijn nog geen wijkgrenzen geladen.")
else:
    event = st.pydeck_chart(deck, height=560, key="wijkkaart", on_select="rerun",
                            selection_mode="single-object")
    st.markdown(legend_markdown(breaks), unsafe_allow_html=True)
    clicked = (event.selection.get("objects", {}) or {}).get("wijken") if event else None
    if clicked:
        st.session_state.profiel_wijk = clicked[0].get("properties", {}).get("wijk_code")
if indicator.note:
    st.caption(indicator.note)

# Wijk profile: a click on the map or a choice here
names = query("select wijk_code, any_value(wijk_name) as wijk_name from population_by_wijk_age"
              " where gemeente_code = ? group by wijk_code", [gemeente_code])
names = dict(zip(names["wijk_code"], names["wijk_name"], strict=True))
wijken = {code: str(names.get(code, code)) for code in geometries["wijk_code"]}
options = [""] + sorted(wijken, key=lambda c: str(wijken[c]))
if st.session_state.get("profiel_wijk") not in options:
    st.session_state.profiel_wijk = ""
chosen = persistent_selectbox(st, "Wijkprofiel (of klik op een wijk)", options, "profiel_wijk",
                              format_func=lambda c: "kies een wijk" if not c else str(wijken.get(c, c)))
if chosen:
    ui.wijkprofiel.wijk_profile(gemeente_code, year, chosen)
