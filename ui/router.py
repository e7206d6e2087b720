"""Make every page run through app.py, also when a deep link is the server's first request.

Streamlit decides once per process whether an app uses the legacy `pages/` folder: until app.py
has called st.navigation, a request for /kaart runs pages/kaart.py on its own, without app.py and
its sidebar, and the process stays in that mode. A page that finds itself in that mode switches
it off and reruns, which runs app.py with the requested page.
"""

from __future__ import annotations

import streamlit as st


def ensure_routed() -> None:
    """Rerun through app.py when Streamlit is still in the legacy pages-folder mode."""
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    if PagesManager.uses_pages_directory and get_script_run_ctx() is not None:
        PagesManager.uses_pages_directory = False
        st.rerun()
