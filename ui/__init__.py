"""Shared Streamlit helpers for the pages: data access, sidebar state, indicators, charts."""
