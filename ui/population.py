"""Children per wijk and age group for a gemeente and year, protected once for every view."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from data_sources.config import AGE_GROUPS, db_path
from transforms.exports import POPULATION_SQL, protect_population
from transforms.privacy import (
    TOTAL_LABEL,
    SuppressedTable,
    round_estimate,
    suppress_array,
)
from ui.data import data_version, query

AGE_GROUP_LABELS = list(AGE_GROUPS)


def children_by_wijk(gemeente_code: str, year: int) -> tuple[SuppressedTable, bool, str]:
    """Wijk x age group table with wijk totals and a gemeente total row, after suppression
    (observed counts) or rounding (estimates). Returns (table, is_estimate, source). The same
    query and protection as the exports (transforms.exports), cached for the pages."""
    return protect_population(query(POPULATION_SQL, [gemeente_code, year]))


def indicator_frame(gemeente_code: str, year: int, column: str) -> pd.DataFrame:
    """One column of the protected table per wijk: wijk_code, wijk_name, value, hidden."""
    table, _, _ = children_by_wijk(gemeente_code, year)
    rows = table.values.index[:-1]  # the last row is the gemeente total
    return pd.DataFrame({
        "wijk_code": table.values.loc[rows, "wijk_code"],
        "wijk_name": table.values.loc[rows, "wijk_name"],
        "value": table.values.loc[rows, column],
        "hidden": table.hidden.loc[rows, column],
    }).reset_index(drop=True)


@st.cache_data(show_spinner=False, max_entries=8)
def _national_children(year: int, version: str, database: str) -> pd.DataFrame:
    long = query(
        """
        select gemeente_code, wijk_code, wijk_name, age_group, children, is_estimate
        from population_by_wijk_age
        where year = ?
        order by gemeente_code, wijk_code
        """,
        [year],
    )
    # long: one row per wijk and age group -> wide: one row per wijk, a column per age group
    wide = (
        long.pivot_table(index=["gemeente_code", "wijk_code", "wijk_name"], columns="age_group",
                         values="children", aggfunc="sum")
        .reindex(columns=AGE_GROUP_LABELS)
        .fillna(0.0)
        .reset_index()
    )
    wide.columns.name = None
    estimates = long.groupby("gemeente_code")["is_estimate"].any()
    columns = [*AGE_GROUP_LABELS, TOTAL_LABEL]
    counts = wide[AGE_GROUP_LABELS].to_numpy(dtype=float)
    gemeente_codes = wide["gemeente_code"].to_numpy()
    # Each gemeente is protected on its own, exactly as children_by_wijk does for its own page
    # (protect_counts -> suppress_table -> suppress_array): protecting the country as one table
    # would hide other cells and so reveal the gemeente's. Rows are sorted by gemeente.
    starts = np.flatnonzero(np.r_[True, gemeente_codes[1:] != gemeente_codes[:-1]])
    ends = np.r_[starts[1:], len(wide)]
    values = np.empty((len(wide), len(columns)))
    hidden = np.zeros((len(wide), len(columns)), dtype=bool)
    for start, end in zip(starts, ends, strict=True):
        estimate = bool(estimates[gemeente_codes[start]])
        # Estimates are rounded, not hidden (protect_counts: threshold 1, then round_estimate).
        with_totals, mask = suppress_array(counts[start:end], threshold=1 if estimate else None)
        body, body_hidden = with_totals[:-1], mask[:-1]  # the last row is the gemeente total
        shown = np.where(body_hidden, np.nan, body)
        if estimate:
            shown = np.vectorize(round_estimate, otypes=[float])(shown)
        values[start:end], hidden[start:end] = shown, body_hidden
    frame = wide[["wijk_code", "wijk_name"]].reset_index(drop=True)
    for i, column in enumerate(columns):
        frame[column] = values[:, i]
        frame[f"hidden:{column}"] = hidden[:, i]
    return frame


def national_indicator_frame(year: int, column: str) -> pd.DataFrame:
    """indicator_frame for every wijk of every gemeente (each gemeente protected as on its own)."""
    frame = _national_children(year, data_version(), str(db_path()))
    return pd.DataFrame({
        "wijk_code": frame["wijk_code"],
        "wijk_name": frame["wijk_name"],
        "value": frame[column],
        "hidden": frame[f"hidden:{column}"].astype(bool),
    })


SOURCE_NOTES = {
    "brp": "Bron: basisregistratie personen (BRP) van de gemeente; kleine aantallen zijn "
           "afgeschermd.",
    "cbs-schatting": "Schatting: het aantal kinderen per leeftijd in de hele gemeente (CBS, "
                     "tabel 03759ned) is over de wijken verdeeld naar het aandeel van elke wijk "
                     "in de kinderen van 0 tot 15 jaar (CBS Kerncijfers wijken en buurten). "
                     "Afgerond; geen telling.",
}


def source_note(source: str) -> str:
    """A Dutch sentence on where the population figures come from and how they were made."""
    return " ".join(SOURCE_NOTES.get(part.strip(), part) for part in source.split(","))


__all__ = ["TOTAL_LABEL", "children_by_wijk", "indicator_frame", "national_indicator_frame", "source_note"]
