"""Kaart: a choropleth of the wijken, coloured by a chosen indicator."""

import streamlit as st

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
    st.pydeck_chart(deck, height=560, key="wijkkaart")
    st.markdown(legend_markdown(breaks), unsafe_allow_html=True)
if indicator.note:
    st.caption(indicator.note)
