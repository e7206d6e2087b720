"""A gemeente's wijkindeling over the kwb years loaded, cached, and the notes the pages say of it."""

from __future__ import annotations

import streamlit as st

from transforms.indeling import (
    INDELING_SQL,
    LOADED_POSTCODE_YEARS_SQL,
    PLACES_POSTCODE_YEARS_SQL,
    Indeling,
    gemeente_note,
    indeling,
    indeling_note,
    places_note,
    wijk_note,
)
from ui.data import cursor, data_version, db_path, rows


@st.cache_data(show_spinner=False, max_entries=64)
def _wijkindeling(gemeente_code: str, version: str, database: str) -> Indeling:
    return indeling(cursor().execute(INDELING_SQL, [gemeente_code]).fetchall())


def wijkindeling(gemeente_code: str) -> Indeling:
    """How the wijkindeling of `gemeente_code` changed over the kwb years loaded
    (transforms.indeling); cached until the data change."""
    return _wijkindeling(gemeente_code, data_version(), str(db_path()))


def other_area_note(gemeente_code: str, gemeente_name: str, wijk_code: str | None = None,
                    wijk_name: str | None = None, lines: bool = True) -> str | None:
    """The warning beside a figure over the years where CBS marks the gemeente (or, with
    `wijk_code`, the wijk) as another area than the year before: the sentence of
    transforms.indeling that the report and the workbook say too; None where it did not change.
    `lines`: the figure is a chart whose lines break there (else a table)."""
    found = wijkindeling(gemeente_code)
    if wijk_code is not None:
        return wijk_note(found, wijk_code, wijk_name or wijk_code, lines)
    return gemeente_note(found, gemeente_name, lines)


def places_area_note(gemeente_code: str, wijk_code: str, years) -> tuple[str, bool] | None:
    """transforms.indeling.places_note of the wijk profile's 'Plekken per jaar' over `years` (its
    columns): which areas its columns count where CBS re-bounded the wijk, and whether to warn."""
    shown = {int(year) for year in years}
    placed = [(int(lrk_year), None if postcode_year is None else int(postcode_year))
              for lrk_year, postcode_year in rows(PLACES_POSTCODE_YEARS_SQL, [gemeente_code])
              if int(lrk_year) in shown]
    loaded = [int(year) for (year,) in rows(LOADED_POSTCODE_YEARS_SQL, [gemeente_code])]
    return places_note(wijkindeling(gemeente_code), wijk_code, placed, loaded)


def wijkindeling_note(gemeente_code: str, gemeente_name: str) -> str | None:
    """Trends' warning: how the wijken changed between the years loaded and, where CBS marks the
    gemeente itself as another area, other_area_note's sentence; None where nothing changed."""
    return indeling_note(wijkindeling(gemeente_code), gemeente_name)
