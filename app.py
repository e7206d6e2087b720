"""Kindkaart: the Streamlit entry point; a router over pages/ with the shared sidebar."""

from pathlib import Path

import streamlit as st

HERE = Path(__file__).parent

# The icon is a file of our own: a material icon as page icon is fetched from Google's font servers
# on every visit (no third party sees who opens Kindkaart, and it works offline).
st.set_page_config(page_title="Kindkaart", page_icon=str(HERE / "ui" / "static" / "favicon.png"),
                   layout="wide")

PAGES = {
    "Analyse": [
        st.Page(HERE / "pages" / "overzicht.py", title="Overzicht", icon=":material/bar_chart:", default=True),
        st.Page(HERE / "pages" / "kaart.py", title="Kaart", icon=":material/map:"),
        st.Page(HERE / "pages" / "continuum.py", title="Continuüm", icon=":material/stacked_bar_chart:"),
        st.Page(HERE / "pages" / "tekorten.py", title="Tekorten", icon=":material/trending_down:"),
        st.Page(HERE / "pages" / "trends.py", title="Trends", icon=":material/show_chart:"),
        st.Page(HERE / "pages" / "analysevragen.py", title="Analysevragen", icon=":material/quiz:"),
        st.Page(HERE / "pages" / "presentatie.py", title="Presentatie", icon=":material/slideshow:"),
    ],
    "Planvorming": [
        st.Page(HERE / "pages" / "scenarios.py", title="Scenario's", icon=":material/compare:"),
    ],
    "Gegevens": [
        st.Page(HERE / "pages" / "databronnen.py", title="Databronnen", icon=":material/database:"),
        st.Page(HERE / "pages" / "aanleveren.py", title="Aanleveren", icon=":material/upload_file:"),
        st.Page(HERE / "pages" / "gemeente_laden.py", title="Gemeente laden", icon=":material/download:"),
    ],
}

navigation = st.navigation(PAGES)
st.sidebar.title("Kindkaart")

# Imported once the navigation is on its way: ui.state brings DuckDB (and numpy), a few tenths of a
# second on a fresh server, which the browser spends drawing the navigation instead of waiting.
from ui.state import sidebar  # noqa: E402

sidebar()
navigation.run()
