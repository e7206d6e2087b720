"""The shared sidebar: gemeente and jaar, kept in session state and in the URL query parameters."""

from __future__ import annotations

import streamlit as st

from data_sources.config import SAMPLE_GEMEENTE_CODE
from ui.auth import allowed_gemeenten, guard_page
from ui.data import rows


def gemeenten() -> dict[str, str]:
    """Loaded gemeenten with population figures: code -> name (sorted by name)."""
    found = rows(
        """
        select p.gemeente_code, coalesce(max(r.region_name), p.gemeente_code) as gemeente_name
        from (select distinct gemeente_code from population_by_wijk_age) as p
        left join regions as r
            on r.region_code = p.gemeente_code and r.region_level = 'gemeente'
        group by p.gemeente_code
        order by gemeente_name
        """
    )
    return allowed_gemeenten(dict(found))


def years(gemeente_code: str) -> list[int]:
    """Years with population figures for a gemeente, newest first."""
    found = rows(
        "select distinct year from population_by_wijk_age where gemeente_code = ? order by year desc",
        [gemeente_code],
    )
    return [int(year) for (year,) in found]


def _choose(options: list, wanted, fallback):
    return wanted if wanted in options else fallback


def _remember(permanent: str, widget: str) -> None:
    st.session_state[permanent] = st.session_state[widget]


def persistent_selectbox(container, label: str, options: list, permanent: str, **kwargs):
    """A selectbox whose value lives in a session-state key of its own: widget state is dropped
    when the page changes, the permanent key is not."""
    widget = f"_{permanent}_choice"
    st.session_state[widget] = st.session_state[permanent]
    return container.selectbox(label, options, key=widget, on_change=_remember,
                               args=(permanent, widget), **kwargs)


def sidebar() -> tuple[str | None, int | None]:
    """Draw the gemeente and jaar choice; returns (gemeente_code, year) and keeps the URL in step."""
    available = gemeenten()
    if not available:
        st.sidebar.warning("Er zijn nog geen gegevens geladen.")
        return None, None
    codes = list(available)
    default = SAMPLE_GEMEENTE_CODE if SAMPLE_GEMEENTE_CODE in codes else codes[0]
    wanted = st.session_state.get("gemeente_code") or st.query_params.get("gemeente")
    st.session_state.gemeente_code = _choose(codes, wanted, default)
    gemeente_code = persistent_selectbox(
        st.sidebar, "Gemeente", codes, "gemeente_code",
        format_func=lambda code: f"{available[code]} ({code})",
    )
    year_options = years(gemeente_code)
    wanted_year = st.session_state.get("year")
    if wanted_year is None and st.query_params.get("jaar", "").isdigit():
        wanted_year = int(st.query_params["jaar"])
    st.session_state.year = _choose(year_options, wanted_year, year_options[0])
    year = persistent_selectbox(st.sidebar, "Jaar", year_options, "year")
    st.query_params["gemeente"] = gemeente_code
    st.query_params["jaar"] = str(year)
    return gemeente_code, year


def current() -> tuple[str | None, int | None]:
    """The gemeente and year chosen in the sidebar (drawn by app.py before the page runs). Every
    page asks this first, so it is also where a page stops for a session that may not open it."""
    guard_page()
    return st.session_state.get("gemeente_code"), st.session_state.get("year")


def gemeente_name(gemeente_code: str) -> str:
    """The name of a loaded gemeente, or its code."""
    return gemeenten().get(gemeente_code, gemeente_code)
