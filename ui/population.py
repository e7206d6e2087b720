"""Children per wijk and age group for a gemeente and year, protected once for every view.

population_table needs no pandas (Overzicht draws from it); the frames for the other pages and
the national map import pandas when they are asked for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import streamlit as st

from data_sources.config import db_path
from transforms.labels import LoadHint
from transforms.population import (
    AGE_GROUP_LABELS,
    COLUMNS,
    MODEL_HIDDEN_SQL,
    POPULATION_SQL,
    PUBLISHED_SQL,
    PUBLISHED_YEAR_SQL,
    SECRET_LABEL,
    UNKNOWN_SQL,
    PopulationTable,
    model_hidden_note,
    population_missing_text,
    profile_mismatch_text,
    protect_beside_published,
    protect_population,
    source_kind,
)
from transforms.population import source_note as _source_note
from transforms.privacy import TOTAL_LABEL, SuppressedTable
from ui.auth import where_to_load
from ui.data import data_version, per_run, query, rows

if TYPE_CHECKING:
    import pandas as pd


def population_table(gemeente_code: str, year: int) -> PopulationTable:
    """The protected wijk x age group table of a gemeente and year, with wijk totals and the
    gemeente total as last row: the same query and protection as the exports, beside the
    pattern the build published (so the cells the model hides). Made once per run (the Kaart
    asks it for the map and again for the note on unknown wijken)."""
    return per_run(f"population_table {gemeente_code} {year}", lambda: protect_population(
        rows(POPULATION_SQL, [gemeente_code, year]), rows(UNKNOWN_SQL, [gemeente_code, year]),
        rows(PUBLISHED_SQL, [gemeente_code, year])))


def model_children_note(gemeente_code: str, year: int) -> str:
    """The children a model figure rests on, counted or estimated and from what: 'Het model rekent
    met de kinderen van 2024: telling (BRP).' The one sentence of every place that shows model
    figures (the Kaart, Continuüm, Tekorten, the model slides); '' without children."""
    source = population_table(gemeente_code, year).source
    return f"Het model rekent met de kinderen van {year}: {source_kind(source)}." if source else ""


def model_hidden(gemeente_code: str, year: int) -> str:
    """The note on wijken and age groups the model leaves out (their BRP count is hidden), for
    every page that shows model figures; '' when there are none."""
    return model_hidden_note(rows(MODEL_HIDDEN_SQL, [gemeente_code, year]))


def secret_left_out(gemeente_code: str, year: int) -> str:
    """The note for every page that leaves out the wijken whose children CBS keeps secret
    (a_00_14 '.': no count, so no model figure, signal rate or plan input; their partner signals
    are counted): names them, says why
    and where a count can come from; '' when there are none."""
    unknown = population_table(gemeente_code, year).unknown_wijken
    if not unknown:
        return ""
    names = ", ".join(f"{name} ({code})" for code, name in unknown)
    return (f"Niet op deze pagina: {names}. CBS houdt het aantal kinderen van 0 tot 15 jaar van "
            f"{'deze wijk' if len(unknown) == 1 else f'deze {len(unknown)} wijken'} geheim ('.' in "
            "de kerncijfers: kwb-kolom a_00_14, in StatLine '0 tot 15 jaar'), dus er is geen "
            "aantal om mee te rekenen; de "
            "gemeentetotalen van kinderen en modelcijfers tellen ze niet mee. Signalen van partners "
            "uit die wijk tellen wel, als aantal; hun aantal per 100 kinderen is onbekend. "
            "Lever de BRP-telling per wijk aan op de pagina "
            "**Aanleveren** (soort bevolking) om ze mee te nemen.")


def unranked_secret(gemeente_code: str, year: int, ranked_codes) -> int:
    """How many wijken whose children CBS keeps secret are not among `ranked_codes` (the wijken
    of a ranking or map): a ranking sentence counts them as not ranked (a11y.ranking_sentence)."""
    ranked = set(ranked_codes)
    return sum(code not in ranked for code, _ in population_table(gemeente_code, year).unknown_wijken)


def unranked_secret_national(year: int, ranked_codes) -> int:
    """unranked_secret for the national map: the wijken of every gemeente whose children CBS keeps
    secret in `year` and that are not among `ranked_codes`."""
    return len(secret_wijk_codes(None, year) - set(ranked_codes))


def secret_wijk_codes(gemeente_code: str | None, year: int) -> set[str]:
    """The wijken whose children CBS keeps secret, of a gemeente (None: of every gemeente, the
    national map): a map of a figure made from the children says 'onbekend (CBS geheim)' there."""
    if gemeente_code is not None:
        return {code for code, _ in population_table(gemeente_code, year).unknown_wijken}
    return set(query("select distinct wijk_code from population_unknown_by_wijk where year = ?",
                     [year])["wijk_code"].tolist())


def secret_on_map(gemeente_code: str, year: int, model: bool = False) -> str:
    """The note under a map of a figure made from the children (`model`: the model's figures over
    them) naming the wijken it shows as 'onbekend (CBS geheim)', and why; '' when there are none."""
    unknown = population_table(gemeente_code, year).unknown_wijken
    if not unknown:
        return ""
    names = ", ".join(f"{name} ({code})" for code, name in unknown)
    return (f"Aantal kinderen onbekend voor {names}: CBS houdt het aantal kinderen van 0 tot 15 jaar "
            f"van {'deze wijk' if len(unknown) == 1 else 'deze wijken'} geheim ('.' in de kerncijfers), "
            f"dus de kaart zegt daar '{SECRET_LABEL}'"
            + (" (het model heeft er geen aantal kinderen om mee te rekenen)" if model else "")
            + ". Hun kinderen zijn niet over de andere wijken verdeeld. Lever BRP-cijfers aan "
            "(pagina Aanleveren, soort bevolking) om ze te tellen.")


def nothing_loaded() -> str:
    """What a page says when no gemeente is loaded at all, and where to load one (for this account)."""
    return "Er zijn nog geen gegevens geladen. " + where_to_load(LoadHint(
        "een gemeente", "van CBS, of uit gedownloade bestanden", "python -m data_sources import-cbs kwb-2024.xlsx"))


def population_missing(gemeente_code: str, year: int, name: str | None = None) -> str:
    """What is missing to count or estimate the children of a gemeente and year, and where to
    load it (Dutch, for this account); the pages say this instead of a generic 'load data first'."""
    return population_missing_text(rows, gemeente_code, year, name, where=where_to_load)


def profile_mismatch(gemeente_code: str, year: int, name: str | None = None) -> str:
    """The warning when the gemeente's 03759ned and kwb totals of 0-15 year olds disagree
    (transforms.population profile_mismatch_text), for this account; '' when they agree."""
    return profile_mismatch_text(rows, gemeente_code, year, name, where=where_to_load)


def source_note(source: str) -> str:
    """Where the population figures come from and how they were made (transforms.population
    source_note), with what would make them better said for this account."""
    return _source_note(source, where_to_load)


def children_by_wijk(gemeente_code: str, year: int) -> tuple[SuppressedTable, bool, str]:
    """population_table as pandas frames: (table, is_estimate, source)."""
    table = population_table(gemeente_code, year)
    return table.suppressed_table(), table.is_estimate, table.source


def indicator_frame(gemeente_code: str, year: int, column: str) -> pd.DataFrame:
    """One column of the protected table per wijk: wijk_code, wijk_name, value, hidden."""
    import pandas as pd

    table = population_table(gemeente_code, year)
    wijken, index = len(table.wijk_codes), COLUMNS.index(column)  # the last row is the gemeente total
    return pd.DataFrame({
        "wijk_code": pd.Series(table.wijk_codes, dtype=object),
        "wijk_name": pd.Series(table.wijk_names, dtype=object),
        "value": table.values[:wijken, index],
        "hidden": table.hidden[:wijken, index],
    })


@st.cache_data(show_spinner=False, max_entries=8)
def _national_children(year: int, version: str, database: str) -> pd.DataFrame:
    import pandas as pd

    long = query(
        """
        select gemeente_code, wijk_code, wijk_name, age_group, children, is_estimate
        from population_by_wijk_age
        where year = ?
        order by gemeente_code, wijk_code
        """,
        [year],
    )
    # long: one row per wijk and age group -> wide: one row per wijk, a column per age group, the
    # BRP counts and the CBS estimates apart (decided per cell, as population_table does)
    long = long.assign(counted=long["children"].where(~long["is_estimate"].astype(bool), 0.0),
                       estimated=long["children"].where(long["is_estimate"].astype(bool), 0.0))
    wide = (
        long.pivot_table(index=["gemeente_code", "wijk_code", "wijk_name"], columns="age_group",
                         values=["counted", "estimated"], aggfunc="sum")
        .reindex(columns=pd.MultiIndex.from_product([["counted", "estimated"], AGE_GROUP_LABELS]))
        .fillna(0.0)
    )
    counted = wide["counted"].to_numpy(dtype=float)
    estimated = wide["estimated"].to_numpy(dtype=float)
    wide = wide.index.to_frame(index=False)
    gemeente_codes = wide["gemeente_code"].to_numpy()
    wijk_codes = wide["wijk_code"].tolist()
    published = {code: pattern for code, *pattern in rows(PUBLISHED_YEAR_SQL, [year])}
    # Each gemeente is protected on its own, exactly as population_table does for its own page
    # (protect_beside_published, beside its published pattern): protecting the country as
    # one table would hide other cells and so reveal the gemeente's. Rows are sorted by gemeente.
    starts = np.flatnonzero(np.r_[True, gemeente_codes[1:] != gemeente_codes[:-1]])
    ends = np.r_[starts[1:], len(wide)]
    values = np.empty((len(wide), len(COLUMNS)))
    hidden = np.zeros((len(wide), len(COLUMNS)), dtype=bool)
    for start, end in zip(starts, ends, strict=True):
        pattern = published.get(gemeente_codes[start])
        shown, mask = protect_beside_published(counted[start:end], estimated[start:end],
                                               wijk_codes[start:end], [] if pattern is None else [pattern])
        # the last row is the gemeente total
        values[start:end], hidden[start:end] = shown[:-1], mask[:-1]
    frame = wide[["wijk_code", "wijk_name"]].reset_index(drop=True)
    for i, column in enumerate(COLUMNS):
        frame[column] = values[:, i]
        frame[f"hidden:{column}"] = hidden[:, i]
    return frame


def national_indicator_frame(year: int, column: str) -> pd.DataFrame:
    """indicator_frame for every wijk of every gemeente (each gemeente protected as on its own)."""
    import pandas as pd

    frame = _national_children(year, data_version(), str(db_path()))
    return pd.DataFrame({
        "wijk_code": frame["wijk_code"],
        "wijk_name": frame["wijk_name"],
        "value": frame[column],
        "hidden": frame[f"hidden:{column}"].astype(bool),
    })


__all__ = ["AGE_GROUP_LABELS", "nothing_loaded", "population_missing", "secret_left_out",
           "TOTAL_LABEL", "children_by_wijk", "indicator_frame", "national_indicator_frame",
           "population_table", "profile_mismatch", "secret_on_map", "secret_wijk_codes", "source_note"]
