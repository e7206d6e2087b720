"""Children per wijk and age group for a gemeente and year, protected once for every view."""

from __future__ import annotations

import pandas as pd

from data_sources.config import AGE_GROUPS
from transforms.privacy import TOTAL_LABEL, SuppressedTable, protect_counts
from ui.data import query

AGE_GROUP_LABELS = list(AGE_GROUPS)


def children_by_wijk(gemeente_code: str, year: int) -> tuple[SuppressedTable, bool, str]:
    """Wijk x age group table with wijk totals and a gemeente total row, after suppression
    (observed counts) or rounding (estimates). Returns (table, is_estimate, source)."""
    long = query(
        """
        select wijk_code, wijk_name, age_group, children, is_estimate, population_source
        from population_by_wijk_age
        where gemeente_code = ? and year = ?
        order by wijk_code
        """,
        [gemeente_code, year],
    )
    # long: one row per wijk and age group -> wide: one row per wijk, a column per age group
    wide = (
        long.pivot_table(index=["wijk_code", "wijk_name"], columns="age_group",
                         values="children", aggfunc="sum")
        .reindex(columns=AGE_GROUP_LABELS)
        .fillna(0.0)
        .reset_index()
    )
    wide.columns.name = None
    is_estimate = bool(long["is_estimate"].any()) if not long.empty else False
    sources = sorted(set(long["population_source"])) if not long.empty else []
    table = protect_counts(wide, AGE_GROUP_LABELS, estimate=is_estimate)
    return table, is_estimate, ", ".join(sources)


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


__all__ = ["TOTAL_LABEL", "children_by_wijk", "indicator_frame", "source_note"]
