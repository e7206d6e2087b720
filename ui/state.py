"""The shared sidebar: gemeente and jaar, kept in session state and in the URL query parameters."""

from __future__ import annotations

import re

import streamlit as st

from data_sources.config import SAMPLE_GEMEENTE_CODE
from data_sources.gemeentenamen import bundled_names, label
from data_sources.offline_boundaries import BUNDLED_YEAR
from transforms.labels import LoadHint
from transforms.population import LOADED_GEMEENTEN_SQL
from ui.auth import (
    all_gemeenten_allowed,
    allowed_gemeenten,
    gemeente_allowed,
    guard_page,
    not_tied_message,
    where_to_load,
)
from ui.data import per_run, rows
from ui.population import nothing_loaded
from ui.safe import plain

GEMEENTE_CODE = re.compile(r"^GM[0-9]{4}$")


def gemeenten() -> dict[str, str]:
    """Gemeenten with any loaded data (active loads, regions, population): code -> name, sorted
    by name. A gemeente loaded from kerncijfers alone is here too; its pages say what is missing.
    Worked out once per run (the sidebar and the page ask it about ten times per click)."""
    return dict(per_run("gemeenten", _gemeenten))


def _gemeenten() -> dict[str, str]:
    found = rows(
        f"""
        with loaded as ({LOADED_GEMEENTEN_SQL})
        select l.gemeente_code,
               coalesce(arg_max(r.region_name, r.year), l.gemeente_code) as gemeente_name
        from loaded as l
        left join regions as r
            on r.region_code = l.gemeente_code and r.region_level = 'gemeente'
            and r.region_name is not null and r.region_name <> r.region_code
        group by l.gemeente_code
        order by gemeente_name
        """
    )
    # A gemeente loaded without region names (OData without dimension files) is named from the
    # bundled list of 2024, not shown as a bare code.
    names = bundled_names()
    named = [(code, names.get(code) or name if name == code else name) for code, name in found]
    return allowed_gemeenten(dict(sorted(named, key=lambda item: item[1].lower())))


def years(gemeente_code: str) -> list[int]:
    """Years with any data for a gemeente (population, kerncijfers, loads of a year), newest first."""
    found = rows(
        """
        select distinct year from (
            select year from population_by_wijk_age where gemeente_code = ?
            union select year from regions where gemeente_code = ?
            -- 03759ned alone: its loads carry a period, its rows the years
            union select year from stg_cbs__population_by_age where gemeente_code = ?
            union select year from loads
            -- boundaries alone (the bundled 2024 ones) make no year to choose
            where gemeente_code = ? and status = 'active' and year is not null
              and dataset <> 'geometrie'
        )
        where year is not null
        order by year desc
        """,
        [gemeente_code] * 4,
    )
    return [int(year) for (year,) in found]


def former_gemeenten(codes: list[str]) -> dict[str, int]:
    """The loaded gemeenten that a herindeling merged away: not in the bundled list of 2024 and
    without figures of 2024 or later (a gemeente formed after 2024 is no former one). code -> the
    last year with figures. The sample gemeente is never one."""
    names = bundled_names()
    former = {}
    for code in codes:
        if code in names or code == SAMPLE_GEMEENTE_CODE:
            continue
        found = years(code)
        if found and max(found) < BUNDLED_YEAR:
            former[code] = max(found)
    return former


def _label(code: str, available: dict[str, str], former: dict[str, int]) -> str:
    # 'Beemster (GM0370, opgeheven; cijfers t/m 2021)': not to be taken for a gemeente of today
    if code not in former:
        return label(code, available)
    name = available.get(code, code)
    said = f"{code}, opgeheven; cijfers t/m {former[code]}"
    return f"{name} ({said})" if name != code else f"{code} (opgeheven; cijfers t/m {former[code]})"


def _current_year_fallback() -> int:
    # A gemeente with loads of no particular year (03759ned alone): the newest year of any data.
    [(year,)] = rows("select coalesce(max(year), year(current_date)) from loads where year is not null")
    return int(year)


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
    restricted = not all_gemeenten_allowed()
    if not available and (unbound := not_tied_message()):
        st.sidebar.warning(unbound)
        return None, None
    if not available:
        st.sidebar.warning("Voor uw account is (nog) geen gemeente geladen." if restricted
                           else "Er zijn nog geen gegevens geladen. " + where_to_load(LoadHint("uw gemeente")))
        return None, None
    codes = list(available)
    default = SAMPLE_GEMEENTE_CODE if SAMPLE_GEMEENTE_CODE in codes else codes[0]
    from_url = st.query_params.get("gemeente")
    wanted = st.session_state.get("gemeente_code") or from_url
    if wanted and wanted not in codes and restricted:
        # An account tied to gemeenten: one sentence for a gemeente outside them, loaded or not
        # (it says nothing about what else this installation holds), and nothing of it is shown.
        asked = "De gemeente uit de link" if wanted == from_url else "De gekozen gemeente"
        st.warning(f"{asked} hoort niet bij uw account; u ziet nu {plain(available[default])}.")
    elif wanted and wanted not in codes and wanted == from_url:
        # A shared link to a gemeente this installation has not loaded: say so, do not silently
        # show another gemeente as if it were the one asked for. The link is anyone's text: only a
        # gemeente code is repeated, anything else could put a foreign link or image in the notice.
        asked = f"Gemeente {wanted}" if GEMEENTE_CODE.match(str(wanted)) else "De gemeente"
        st.warning(f"{asked} uit de link is niet geladen; u ziet nu "
                   f"{plain(available[default])}. " + where_to_load(LoadHint("die gemeente")))
    st.session_state.gemeente_code = _choose(codes, wanted, default)
    former = former_gemeenten(codes)
    gemeente_code = persistent_selectbox(
        st.sidebar, "Gemeente", codes, "gemeente_code",
        format_func=lambda code: _label(code, available, former),
    )
    year_options = years(gemeente_code) or [_current_year_fallback()]
    wanted_year = st.session_state.get("year")
    year_from_url = wanted_year is None and st.query_params.get("jaar", "").isdecimal()
    if year_from_url:
        wanted_year = int(st.query_params["jaar"])
    st.session_state.year = _choose(year_options, wanted_year, year_options[0])
    if wanted_year is not None and wanted_year not in year_options and (year_from_url or gemeente_code in former):
        # a link or a chosen year the gemeente has no figures of: say which year is shown instead,
        # and for a gemeente merged away in a herindeling why (its later years are another code's)
        name = plain(available[gemeente_code])
        said = (f"{name} ({gemeente_code}) bestaat in {BUNDLED_YEAR} niet meer als gemeente (opgeheven bij "
                f"een gemeentelijke herindeling) en heeft geen cijfers van {wanted_year}; u ziet "
                f"{st.session_state.year}. Kies voor {wanted_year} de gemeente waarin {name} is "
                "opgegaan: haar kinderen staan vanaf de herindeling in die gemeente."
                if gemeente_code in former else
                f"Voor {name} ({gemeente_code}) is {wanted_year} niet geladen; u ziet {st.session_state.year}.")
        st.warning(said)
    year = persistent_selectbox(st.sidebar, "Jaar", year_options, "year")
    st.query_params["gemeente"] = gemeente_code
    st.query_params["jaar"] = str(year)
    return gemeente_code, year


def current() -> tuple[str | None, int | None]:
    """The gemeente and year chosen in the sidebar (drawn by app.py before the page runs). Every
    page asks this first, so it is also where a page stops for a session that may not open it."""
    guard_page()
    if unbound := not_tied_message():
        # a partner or LEA account not yet tied to a gemeente sees none (and no page of one)
        st.warning(unbound)
        st.stop()
    gemeente_code = st.session_state.get("gemeente_code")
    if gemeente_code is not None and not gemeente_allowed(gemeente_code):
        # a page run on its own (no sidebar before it) with a gemeente outside the account's
        st.error("Deze gemeente hoort niet bij uw account. Kies een gemeente in de zijbalk.")
        st.stop()
    return gemeente_code, st.session_state.get("year")


def current_loaded() -> tuple[str, int]:
    """current() for a page that shows one gemeente's figures: with none loaded yet it says where
    to load one (nothing_loaded) and stops the page."""
    gemeente_code, year = current()
    if gemeente_code is None:
        st.info(nothing_loaded())
        st.stop()
    return gemeente_code, year


def gemeente_name(gemeente_code: str) -> str:
    """The name of a loaded gemeente, or its code."""
    return gemeenten().get(gemeente_code, gemeente_code)
