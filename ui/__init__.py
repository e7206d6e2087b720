"""Shared Streamlit helpers for the pages: data access, sidebar state, indicators, charts."""

from ui.router import ensure_routed

# Importing ui from a page that Streamlit ran without app.py (see ui.router) sends it back
# through app.py, so that the sidebar and navigation always run first.
ensure_routed()
