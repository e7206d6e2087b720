"""Make a deep link work on a fresh server: pages must run through app.py's st.navigation."""

from __future__ import annotations

import streamlit as st


def ensure_router() -> None:
    """Until some session has run app.py, Streamlit treats pages/ as an old-style page folder and runs
    a deep-linked page (e.g. /presentatie?dia=3) on its own, without the sidebar state
    (streamlit/streamlit#9624). Switch that mode off and rerun, so app.py routes to the same page
    (page hashes come from the URL path, so the page is kept)."""
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
