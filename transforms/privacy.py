"""Small-number suppression: one mechanism for every count of children on screen or in an export.

Rules (after CBS and the lessons in DESIGN.md):
- an observed count from 1 up to the threshold (default 5, $KINDKAART_MIN_COUNT) is hidden and
  shown as "afgeschermd"; 0 is shown;
- totals are part of the table: within every line (a row with its row total, a column with its
  column total, the total row with the grand total) a hidden cell never stands alone, so that it
  cannot be recovered by subtraction; the next smallest visible non-zero cell of that line is
  hidden as well, until every line is safe (secondary suppression);
- a change between two periods is shown only when both periods are visible;
- model estimates are not counts of real children: they are rounded, not hidden;
- partner data (protect_contributions): a count made of several organisations' rows is hidden
  when what remains after removing the largest organisation's share is from 1 up to the
  threshold, so that no organisation learns another's small count by subtracting its own;
- margins are protected jointly: a table and all its totals are one protection (every view of
  the same counts, e.g. a wijk total on the map and the age groups elsewhere, takes its figures
  from that one protected table), and a rate is hidden wherever its count is;
- nothing tells a primary from a secondary hidden cell: both show the same "afgeschermd" (not
  "< 5", which would be untrue of a secondary cell).

The protection itself works on numpy arrays (protect_array); the pandas wrappers import pandas
when they are called, so a page that draws from plain arrays (Overzicht) never loads it.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from data_sources.config import min_count

if TYPE_CHECKING:
    import pandas as pd

TOTAL_LABEL = "Totaal"


# One label for every hidden cell: a small count and a second cell hidden so that the first
# cannot be recovered from a total look the same (nothing tells them apart), and "< 5" would be
# untrue of the second, which may be any size.
HIDDEN_LABEL = "afgeschermd"


def hidden_label() -> str:
    """The text shown instead of a hidden count."""
    return HIDDEN_LABEL


def hidden_rule(threshold: int | None = None) -> str:
    """The rule as one Dutch sentence, for captions and exports."""
    return (f"Aantallen van 1 tot {threshold or min_count()} kinderen staan als '{HIDDEN_LABEL}', en "
            "waar nodig ook een tweede cel, zodat een verborgen aantal niet uit een totaal kan "
            "worden teruggerekend.")


def is_small(value: float, threshold: int | None = None) -> bool:
    """True for an observed count that must be hidden on its own (1 .. threshold-1)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return False
    return 0 < value < (threshold or min_count())


@dataclass
class SuppressedTable:
    """A table of counts with its hidden cells; `values` keeps numbers for charts (NaN if hidden)."""

    values: pd.DataFrame
    hidden: pd.DataFrame
    threshold: int
    value_columns: list[str]

    def display(self, decimals: int = 0) -> pd.DataFrame:
        """The table as text: counts formatted Dutch-style, hidden cells as 'afgeschermd'."""
        label = hidden_label()
        shown = self.values.copy().astype(object)
        for column in self.value_columns:
            shown[column] = [
                label if hide else format_number(value, decimals)
                for value, hide in zip(self.values[column], self.hidden[column], strict=True)
            ]
        return shown

    @property
    def hidden_count(self) -> int:
        return int(self.hidden.to_numpy().sum())


def is_missing(value: object) -> bool:
    """None, NaN, or pandas' NA and NaT (looked for only once pandas is loaded: nothing else
    makes them)."""
    if value is None:
        return True
    if isinstance(value, float | np.floating):
        return math.isnan(value)
    pandas = sys.modules.get("pandas")
    return pandas is not None and pandas.api.types.is_scalar(value) and bool(pandas.isna(value))


def format_number(value: float, decimals: int = 0) -> str:
    """A number with a Dutch thousands separator ('1.234') and decimal comma; '' when missing."""
    if is_missing(value):
        return ""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")


def suppress_table(
    frame: pd.DataFrame,
    value_columns: list[str],
    *,
    threshold: int | None = None,
    row_totals: bool = True,
    column_totals: bool = True,
    total_label: str = TOTAL_LABEL,
) -> SuppressedTable:
    """Hide small counts in `frame[value_columns]` and protect them against subtraction.

    With `row_totals` a column `total_label` is added (sum per row); with `column_totals` a row
    labelled `total_label` is added (sum per column; in the first non-value column). Totals are
    protected like every other cell. Rows keep their order; other columns pass unchanged.
    """
    return protect_counts(frame, value_columns, estimate=False, threshold=threshold,
                          row_totals=row_totals, column_totals=column_totals, total_label=total_label)


def suppress_array(
    counts: np.ndarray,
    *,
    threshold: int | None = None,
    row_totals: bool = True,
    column_totals: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """The numeric core of suppress_table, for callers that protect many small tables at once
    (the national map: one table per gemeente). Returns (counts with the total column and row
    appended as asked, hidden mask of the same shape); NaN counts count as 0."""
    threshold = threshold or min_count()
    counts = np.nan_to_num(np.asarray(counts, dtype=float), nan=0.0)
    n_rows, n_cols = counts.shape
    if row_totals:
        counts = np.column_stack([counts, counts.sum(axis=1)])
    if column_totals:
        counts = np.vstack([counts, counts.sum(axis=0)])
    hidden = (counts > 0) & (counts < threshold)
    _secondary(counts, hidden, _lines(n_rows, n_cols, row_totals, column_totals))
    return counts, hidden


def protect_contributions(
    contributions: np.ndarray,
    *,
    threshold: int | None = None,
    row_totals: bool = True,
    column_totals: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """suppress_array for counts made of several organisations' deliveries: `contributions` is
    organisations x rows x columns; a cell (and every total) is the sum over organisations. Hidden
    first: a count from 1 to threshold-1, and (contributor rule) a count whose remainder after its
    largest organisation's share is from 1 to threshold-1 (a count of one organisation leaves 0:
    nothing of another to learn). Then secondary suppression over the table with its totals.
    Returns (counts with the totals appended as asked, hidden mask of the same shape)."""
    threshold = threshold or min_count()
    parts = np.nan_to_num(np.asarray(contributions, dtype=float), nan=0.0)
    if parts.ndim == 2:
        parts = parts[np.newaxis]
    _, n_rows, n_cols = parts.shape
    if row_totals:
        parts = np.concatenate([parts, parts.sum(axis=2, keepdims=True)], axis=2)
    if column_totals:
        parts = np.concatenate([parts, parts.sum(axis=1, keepdims=True)], axis=1)
    counts = parts.sum(axis=0)
    remainder = counts - parts.max(axis=0, initial=0.0)
    hidden = ((counts > 0) & (counts < threshold)) | ((remainder > 0) & (remainder < threshold))
    _secondary(counts, hidden, _lines(n_rows, n_cols, row_totals, column_totals))
    return counts, hidden


def _lines(n_rows: int, n_cols: int, row_totals: bool, column_totals: bool) -> list[list[tuple]]:
    """Each line: the cells whose sum is shown in the same table (cells plus their total)."""
    lines = []
    if row_totals:
        rows = range(n_rows + (1 if column_totals else 0))
        lines += [[(r, c) for c in range(n_cols + 1)] for r in rows]
    if column_totals:
        cols = range(n_cols + (1 if row_totals else 0))
        lines += [[(r, c) for r in range(n_rows + 1)] for c in cols]
    return lines


def _secondary(counts: np.ndarray, hidden: np.ndarray, lines: list[list[tuple]]) -> None:
    changed = True
    while changed:
        changed = False
        for line in lines:
            hidden_cells = [cell for cell in line if hidden[cell]]
            if len(hidden_cells) != 1:
                continue
            candidates = [cell for cell in line if not hidden[cell] and counts[cell] > 0]
            if not candidates:
                continue
            # Hide the smallest visible cell; the line's total only when nothing else is left.
            total_cell = line[-1]
            inner = [cell for cell in candidates if cell != total_cell]
            choice = min(inner or candidates, key=lambda cell: counts[cell])
            hidden[choice] = True
            changed = True


def round_estimate(value: float) -> float:
    """A model estimate rounded for display: whole numbers below 100, else to fives."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return float("nan")
    return float(round(value)) if abs(value) < 100 else float(5 * round(value / 5))


def protect_array(
    counts: np.ndarray,
    *,
    estimate: bool,
    threshold: int | None = None,
    row_totals: bool = True,
    column_totals: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """The numeric core of protect_counts: returns (values, hidden) with the totals appended as
    asked. Observed counts are suppressed (suppress_array) and are NaN where hidden. Model
    estimates are rounded (round_estimate), and hidden only below one child; their totals come
    from the unrounded estimates."""
    counts, hidden = suppress_array(counts, threshold=1 if estimate else threshold,
                                    row_totals=row_totals, column_totals=column_totals)
    values = np.where(hidden, np.nan, counts)
    if estimate:
        values = np.vectorize(round_estimate, otypes=[float])(values)
    return values, hidden


def protect_counts(
    frame: pd.DataFrame,
    value_columns: list[str],
    *,
    estimate: bool,
    threshold: int | None = None,
    row_totals: bool = True,
    column_totals: bool = True,
    total_label: str = TOTAL_LABEL,
    contributor: str | None = None,
) -> SuppressedTable:
    """The one entry point for a table of children per area: observed counts are suppressed,
    model estimates rounded (protect_array); labels, totals and order as in suppress_table.

    With `contributor` (the column naming each row's organisation) `frame` has one row per area
    and organisation: the counts are summed per area, in the order the areas first appear, and
    protected with the contributor rule as well (protect_contributions), so that a partner
    cannot learn another's small count by subtracting its own."""
    import pandas as pd

    threshold = threshold or min_count()
    if contributor is None:
        labels = [c for c in frame.columns if c not in value_columns]
        body = frame[labels].reset_index(drop=True)
        values, hidden = protect_array(frame[value_columns].astype(float).to_numpy(copy=True),
                                       estimate=estimate, threshold=threshold,
                                       row_totals=row_totals, column_totals=column_totals)
    else:
        if estimate:
            raise ValueError("the contributor rule is for observed counts")
        labels = [c for c in frame.columns if c not in value_columns and c != contributor]
        body = frame[labels].drop_duplicates().reset_index(drop=True)
        areas = pd.MultiIndex.from_frame(body)
        frame = frame.fillna({contributor: "", **{c: 0 for c in value_columns}})
        parts = np.stack([
            part.groupby(labels, sort=False)[value_columns].sum()
            .set_axis(pd.MultiIndex.from_frame(part.groupby(labels, sort=False)[labels].first()))
            .reindex(areas, fill_value=0).to_numpy(dtype=float)
            for _, part in frame.groupby(contributor, sort=True)])
        counts, hidden = protect_contributions(parts, threshold=threshold, row_totals=row_totals,
                                               column_totals=column_totals)
        values = np.where(hidden, np.nan, counts)
    columns = [*value_columns, *([total_label] if row_totals else [])]
    if column_totals:
        total_row = {c: (total_label if i == 0 else None) for i, c in enumerate(labels)}
        body = pd.concat([body, pd.DataFrame([total_row])], ignore_index=True)
    value_frame = pd.concat([body, pd.DataFrame(values, columns=columns)], axis=1)
    hidden_frame = pd.concat([body.assign(**{c: False for c in labels})[labels],
                              pd.DataFrame(hidden, columns=columns)], axis=1)
    return SuppressedTable(values=value_frame, hidden=hidden_frame, threshold=threshold,
                           value_columns=columns)


def estimate_range(low: float, high: float) -> str:
    """A modelled range in words: '12-20' (rounded; one number when both round the same)."""
    lo, hi = round_estimate(low), round_estimate(high)
    if lo == hi:
        return format_number(lo)
    if lo < 0:  # '-9 tot -3' reads better than '-9--3'
        return f"{format_number(lo)} tot {format_number(hi)}"
    return f"{format_number(lo)}-{format_number(hi)}"
