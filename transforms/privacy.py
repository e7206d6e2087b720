"""Small-number suppression: one mechanism for every count of children on screen or in an export.

Rules (after CBS and the lessons in DESIGN.md):
- an observed count from 1 up to the threshold (default 5, $KINDKAART_MIN_COUNT) is hidden and
  shown as "afgeschermd"; 0 is shown;
- totals are part of the table: a line is the cells along one dimension with their published
  total (a row with its row total, a column with its column total, the total row with the
  grand total; in a table of more dimensions, e.g. wijk x kind x age with all its margins, the
  cells along any one dimension at every position of the others, margins included). Secondary
  suppression hides further cells (the smallest visible non-zero cell of the line; its total
  only when nothing else is left) until every line is safe:
  - a hidden cell never stands alone in a line, so that it cannot be recovered by subtraction;
  - since 0 is shown, every hidden cell is at least 1: in a line whose total is visible, the k
    hidden cells must add up to at least k + threshold - 1, so that the line's bound on each
    (its sum minus one for each other hidden cell) reaches the threshold and says no more than
    "hidden" (k hidden cells that add up to k would all be 1);
  - lines bound each other (a margin is at least as many as its hidden non-zero cells, and that
    bound enters the next line): in a table with all its margins (protect_cube) what all lines
    together say of every hidden cell must leave it an interval at least as wide as the hidden
    range 1..threshold-1 and reaching threshold-1, and a small cell of the table itself must not
    be told apart from 1 (unsafe_bounds); further cells are hidden until it does. Whoever knows
    the rule knows that a second hidden cell is at most the smallest cell its line still shows:
    the line-by-line check counts that bound too (choice_caps). What the
    lines say is checked one line at a time (bounds_from_margins: interval propagation) and
    then with all lines solved together (linear_bounds: a linear program, as an attacker with
    a solver: two hidden row totals whose sum is told, written out in their rows, bound their
    cells together; in a table of many hidden cells a box of hidden cells along which the table
    shifts proves most cells wide enough first, and small tables of a few wijken around a cell,
    the other wijken fixed or lumped together, decide most others: cube_reach, _decided_nearby,
    solved_unsafe). The cell hidden next is the smallest visible one in the lines through the
    narrowed cell, or where those are all
    hidden, in the lines of the hidden cells that bound it (a margin only where nothing else is
    left), or for a cell only the solved lines narrow, the cell that widens most (in a large
    table: the corners of a box that alone makes it wide enough); each round hides one more, so
    it ends;
- a change between two periods is shown only when both periods are visible;
- estimates are not counts of real children: they are rounded (round_estimate), never hidden
  and never a reason for secondary suppression, and shown as "<1" between 0 and 1
  (shown_estimate). This holds for the continuum model's expected children (protect_array with
  model=True) and for the population estimates of a gemeente without BRP (the CBS routes of
  population_by_wijk_age: a wijk's 0-15 year olds from the kerncijfers times public age
  profiles), which follow from public CBS figures alone and so protect no count. In a table of
  BRP counts and estimates (protect_observed_and_estimated) the counts keep their full
  protection, and a total that holds a count stays hidden where that protection hides it;
- partner data (protect_contributions): a count made of several organisations' rows is hidden
  when what remains after removing the largest organisation's share is from 1 up to the
  threshold, so that no organisation learns another's small count by subtracting its own, and
  when one organisation's share in it is from 1 up to the threshold, so that no one who knows
  all the other shares (a beheerder delivering for every known organisation) learns it either;
- margins are protected jointly: a table and all its totals are one protection (protect_cube).
  Every view of the same counts takes its cells and margins from that one protected table,
  hidden where it is hidden: the partner signals of a type are ONE table wijk x kind x age
  with every margin (transforms.partner_tables.joint_cube), from which the signal pages, the
  map, Tekorten, Analysevragen and the exports all read. A rate is hidden wherever its count
  is, and is only ever computed from a visible cell of that protection. A table of the same
  children by another breakdown (the so crosstab of Analysevragen row 5, the waiting lists by
  kind of rows 6 and 9) counts the same rows,
  takes the margins it shares from that table, hidden where they are hidden, and is protected
  beside it (protect_beside) so that together they narrow no hidden cell or margin, checked
  as protect_cube's: one line at a time, then all lines solved together (linear_bounds, the
  shared totals capped by what the other table says of them);
- versions: a partner table corrected (a new upload, a restore) is protected beside its pattern
  as published before (protect_cube's `previous`): what was hidden stays hidden, also when it is
  0 now (shown as 0, the old total minus the new gave its old count) unless shown zeros tell it
  (_carried; then the total of each line through it that changed by nothing unseen besides is
  hidden, as the old total minus the new one would give its old count: _told_totals), and a
  cell shown before with the same count is known and never a second hidden cell; a 0 is hidden
  only so, never in a first version;
  so is a table protected beside it (protect_beside's `previous`: the so crosstab, the waiting
  lists by kind; protect_cube's for the BSO need per wijk), its pattern published beside the
  table's; and so is a gemeente's BRP population (a corrected extract of the same year:
  protect_observed_and_estimated's `previous`, published_population_patterns);
- nothing tells a primary from a secondary hidden cell: both show the same "afgeschermd" (not
  "< 5", which would be untrue of a secondary cell).

The protection itself works on numpy arrays (protect_array); the pandas wrappers import pandas
when they are called, so a page that draws from plain arrays (Overzicht) never loads it.
"""

from __future__ import annotations

import functools
import itertools
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
            "waar nodig ook andere cellen, zodat een verborgen aantal niet uit de totalen kan "
            "worden teruggerekend of afgebakend.")


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
    # pure model estimates (protect_array with model=True): between 0 and 1 shown as '<1'
    model: bool = False
    # holds estimates (population estimates, already rounded where they are not between 0 and
    # 1): a value between 0 and 1 is shown as '<1', as a model estimate
    estimate: bool = False

    def display(self, decimals: int = 0) -> pd.DataFrame:
        """The table as text: counts formatted Dutch-style, hidden cells as 'afgeschermd'."""
        label = hidden_label()
        shown = self.values.copy().astype(object)
        if self.model:
            text = model_estimate_text
        elif self.estimate:
            text = shown_figure_text
        else:
            def text(value):
                return format_number(value, decimals)
        for column in self.value_columns:
            shown[column] = [
                label if hide else text(value)
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
    if "pandas" not in sys.modules:
        return False
    import pandas  # a real import: waits while another thread is still initialising pandas

    return pandas.api.types.is_scalar(value) and bool(pandas.isna(value))


def format_number(value: float, decimals: int = 0) -> str:
    """A number with a Dutch thousands separator ('1.234') and decimal comma; '' when missing."""
    if is_missing(value):
        return ""
    text = f"{value:,.{decimals}f}"
    if text.startswith("-") and not text.strip("-0.,"):
        text = text[1:]  # a gap of -0,4 rounds to 0, never '-0' (python keeps the sign of a zero)
    return text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")


# Deliveries whose rows are about children: a partner may deliver one row per child (the
# children_count left empty), so the row count of such a file can be the number of children in it,
# a total the tables may hide (the waiting list (v)so of the sample gemeente: 9 rows, 9 children).
CHILD_ROW_SOURCES = frozenset({"partner", "brp"})
ROW_COUNT_NOTE = ("Bij aanleveringen van partners en de BRP staat het aantal rijen er niet: bij één "
                  "rij per kind is het een telling van kinderen (alleen de organisatie die leverde "
                  "ziet het bij haar eigen aanleveringen).")


def without_child_row_counts(frame: pd.DataFrame, own_organisation: str | None = None,
                             count_column: str = "row_count") -> pd.DataFrame:
    """`frame` (rows of the table loads) with the row count left empty (None) for deliveries about
    children (`source` in CHILD_ROW_SOURCES; without a `source` column every row is one), except
    those of `own_organisation`: its own rows are no one else's count."""
    import pandas as pd

    frame = frame.copy()
    about_children = (frame["source"].isin(CHILD_ROW_SOURCES) if "source" in frame
                      else pd.Series(True, index=frame.index))
    own = (frame["organisation"] == own_organisation) if own_organisation else False
    keep = ~about_children | own
    frame[count_column] = [int(count) if shown and not is_missing(count) else None
                           for count, shown in zip(frame[count_column], keep, strict=True)]
    return frame


def format_moment(moment) -> str:
    """A moment as every table shows it, 'dd-mm-jjjj uu:mm', or an empty cell where there is none
    (a grid showed NaT, or 'None', and ISO timestamps with microseconds)."""
    return "" if is_missing(moment) else f"{moment:%d-%m-%Y %H:%M}"


def empty_or_count(count) -> str:
    """A row count of without_child_row_counts as a table shows it: '1.234', or an empty cell
    where it is left out (a table showed None)."""
    return "" if is_missing(count) else format_number(count)


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


def protect_contributions(
    contributions: np.ndarray,
    *,
    threshold: int | None = None,
    row_totals: bool = True,
    column_totals: bool = True,
    previous: tuple[np.ndarray, np.ndarray] | None = None,
    known_zero: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The numeric core of suppress_table, for callers that protect many small tables at once
    (the national map: one table per gemeente), also for counts made of several organisations'
    deliveries: `contributions` is rows x columns (one organisation, suppress_array) or
    organisations x rows x columns; a cell (and every total) is the sum over organisations, and
    NaN counts count as 0. Hidden first: a count from 1 to threshold-1, and (contributor rule) a
    count whose remainder after its largest organisation's share is from 1 to threshold-1 (a
    count of one organisation leaves 0: nothing of another to learn) or that holds a share of
    one organisation from 1 to threshold-1 (what delivering as all the others tells). Then
    secondary suppression over the table with its totals, and, as in protect_cube, over each
    organisation's view (the others' table: its own share subtracted) and, with three or more
    organisations, over each one's own share (what all the others together see), so that no
    second hidden cell is one an attacker can fill in itself.
    `previous` and `known_zero` (with both totals only): protect_cube's.
    Returns (counts with the totals appended as asked, hidden mask of the same shape)."""
    parts = np.nan_to_num(np.asarray(contributions, dtype=float), nan=0.0)
    if parts.ndim == 2:
        parts = parts[np.newaxis]
    if row_totals and column_totals:
        return protect_cube(parts, threshold=threshold, previous=previous, known_zero=known_zero)
    if previous is not None:
        raise ValueError("a previous version is protected beside a table with both totals")
    threshold = threshold or min_count()
    _, n_rows, n_cols = parts.shape
    if row_totals:
        parts = np.concatenate([parts, parts.sum(axis=2, keepdims=True)], axis=2)
    if column_totals:
        parts = np.concatenate([parts, parts.sum(axis=1, keepdims=True)], axis=1)
    counts, hidden = _primary(parts, threshold)
    lines = _lines(n_rows, n_cols, row_totals, column_totals)
    _secondary(counts, hidden, lines, threshold)
    if threshold > 1 and len(parts) > 1:
        # as protect_cube: each organisation sees the others' table (its own share subtracted),
        # which is protected as if published alone; otherwise the second cell hidden beside a
        # small one may be the organisation's own, which it knows (a review read another
        # school's 2 children needing BSO from the total that way)
        for others in _views_of_others(counts, parts):
            seen = (others > 0) & (others < threshold)
            _secondary(others, seen, lines, threshold)
            hidden |= seen
        _secondary(counts, hidden, lines, threshold)
    return counts, hidden


# One table's counts (rows x columns) are the contributions of one organisation: the same call.
suppress_array = protect_contributions


def protect_cube(contributions: np.ndarray, *, threshold: int | None = None,
                 unshown: np.ndarray | None = None,
                 previous: tuple[np.ndarray, np.ndarray] | None = None,
                 known_zero: np.ndarray | None = None,
                 knowers: np.ndarray | None = None
                 ) -> tuple[np.ndarray, np.ndarray]:
    """One protection of an N-dimensional table with ALL its margins, e.g. wijk x kind x age:
    `contributions` is organisations x n1 x ... x nd. Along every axis a total is appended (the
    last index), so the result of shape (n1+1, ..., nd+1) holds the cells, the 2-D margins (wijk
    x kind, wijk x age, kind x age), the 1-D margins (per wijk, per kind, per age) and the grand
    total. Primary suppression with the contributor rule as protect_contributions; secondary over
    every line of the table: the cells along one axis with their total, for every position
    (totals included) of the other axes. `unshown` (n1 x ... x nd) marks cells a view leaves out
    for its own reasons while its totals still hold them: they count as hidden (where not 0).

    `previous` is the pattern of this table as published before (counts, hidden: the result's
    shape, a cell absent then counted as 0): whoever kept that version knows its shown cells, so
    every cell hidden then stays hidden (an unchanged one would be read directly, a changed one
    given back by the difference of its lines' totals), also when it is 0 now (shown as 0, the
    old totals minus the new gave its old count) unless shown zeros tell it is 0 (a line total
    shown as 0, or a total whose cells in a line are all shown as 0: _carried; then the total of
    each line through it that changed by nothing unseen besides is hidden, as old total minus new
    would give its old count: a kind no longer delivered, whose total was shown, is 0 everywhere
    now: _told_totals), and a cell shown
    then with the same count now is known whatever this version does: it is never chosen as a
    second hidden cell, and lines and bounds count it as shown (hiding it would protect nothing).
    `known_zero` (n1 x ... x nd, with `previous`) marks cells that everyone knows to be 0 now
    whatever is shown (a wijk no longer in a corrected BRP: its figure is a CBS estimate, or it
    is listed as unknown, outside the totals): a cell hidden before is then told as by shown
    zeros, never carried, and the totals that would give its old count back are hidden.
    `knowers` (k x n1 x ... x nd) is what other parties know of the cells besides the
    organisations that delivered them: a school or aanbieder named in the rows of another's
    upload knows its own children there (with what it delivered itself). For each the contributor
    rule holds: a cell whose remainder after its share is from 1 to threshold-1 is hidden, and its
    view (the cells minus its share) is protected as an organisation's. (A small share of one
    school is not hidden for that alone: only all the other schools together would read it.)
    Returns (counts, hidden) of that shape."""
    threshold = threshold or min_count()
    parts = _with_totals(contributions)
    counts, hidden = _primary(parts, threshold)
    known_parts = None
    if knowers is not None and len(knowers) and threshold > 1:
        known_parts = _with_totals(knowers)
        remainder = counts - known_parts
        hidden |= ((remainder > 0) & (remainder < threshold)).any(axis=0)
    left_out = np.zeros(counts.shape, dtype=bool)
    if unshown is not None:
        left_out[tuple(slice(0, n) for n in np.shape(unshown))] = np.asarray(unshown, dtype=bool)
        left_out &= counts > 0
        hidden |= left_out
    known = None
    if previous is not None:
        before_counts, before_hidden = (np.asarray(a) for a in previous)
        # a cell known to be 0 now is a shown 0, whatever this table shows of it
        told_zero = np.zeros(counts.shape, dtype=bool)
        if known_zero is not None:
            told_zero[tuple(slice(0, n) for n in np.shape(known_zero))] = np.asarray(known_zero, bool)
        # also a cell now 0: shown as 0, its old count was the old total minus the new one.
        # Hidden, it is protected like a small count (never alone in a line, the bounds of a
        # hidden 0 starting at 0), so that nothing tells it is 0 now
        carried = _carried(counts, before_hidden.astype(bool) & ~(told_zero & (counts == 0)))
        hidden |= carried
        known = ~carried & (before_counts == counts)
        # a cell hidden before that shown zeros now tell is 0 (a kind no longer delivered, whose
        # total was shown): each line through it whose total was shown in both versions would
        # give its old count as the old total minus the new one, so that total is hidden
        told = before_hidden.astype(bool) & ~carried
        hidden |= (_told_totals(told, counts, before_counts, before_hidden.astype(bool), hidden)
                   & (counts > 0) & ~known)
        # a known cell that a rule of this version hides (its shares changed) stays hidden on
        # screen, but protects nothing and needs no protection: it counts as shown below
        shown_known = hidden & known
        hidden &= ~known
    for _ in range(counts.size):
        _protect_lines(counts, hidden, threshold, known)
        if threshold > 1 and len(parts) > 1:
            # An organisation knows its own share of every cell: what it sees is the table of
            # the others (counts minus its share), with the same margins. Each such table is
            # protected as if it were published alone, and every cell hidden in any of them is
            # hidden. Hiding more only takes knowledge away, so each organisation's view stays
            # as safe as its own protection; and an organisation that pads every cell (a new,
            # largest contributor) sees the others' table hidden as it was before its upload,
            # not a second pattern to combine with the first.
            for others in _views_of_others(counts, parts):
                seen = ((others > 0) & (others < threshold)) | (left_out & (others > 0))
                if known is not None:
                    seen &= ~known
                _protect_lines(others, seen, threshold, known)
                hidden |= seen
        if threshold > 1 and (len(parts) > 1 or known_parts is not None):
            # a school or aanbieder named in the rows sees the cells minus its own children
            for share in [] if known_parts is None else known_parts:
                if not share.any():
                    continue
                others = counts - share
                seen = ((others > 0) & (others < threshold)) | (left_out & (others > 0))
                if known is not None:
                    seen &= ~known
                _protect_lines(others, seen, threshold, known)
                hidden |= seen
            _secondary_cube(counts, hidden, threshold, known)
        if known is None:
            break
        # a cell shown before and hidden now with another count (a kind or age group that
        # arrives, a 0 corrected to a small count, or a second cell chosen beside one): its
        # count now is its old one plus the change of a line's total shown in both versions,
        # where nothing else in the line changed unseen. Such a total is hidden as for a told
        # cell, and the lines through it protected in turn
        fresh = hidden & ~before_hidden.astype(bool) & (counts != before_counts)
        more = (_told_totals(told | fresh, counts, before_counts, before_hidden.astype(bool), hidden)
                & (counts > 0) & ~known & ~hidden)
        if not more.any():
            break
        hidden |= more
    if known is not None:
        hidden |= shown_known
    return counts, hidden


def _with_totals(contributions: np.ndarray) -> np.ndarray:
    # parties x n1 x ... x nd with a total appended along every axis of the cells
    parts = np.nan_to_num(np.asarray(contributions, dtype=float), nan=0.0)
    for axis in range(1, parts.ndim):
        parts = np.concatenate([parts, parts.sum(axis=axis, keepdims=True)], axis=axis)
    return parts


def _carried(counts: np.ndarray, before_hidden: np.ndarray,
             hidden_totals: np.ndarray | None = None) -> np.ndarray:
    # The cells hidden in the version before that stay hidden: all, but a 0 that shown zeros
    # tell anyway (a line total shown as 0: every cell of its line is 0; a total whose cells in
    # a line are all shown as 0). Hiding it protects nothing, and as zeros are never hidden as
    # second cells, no second hidden cell could widen it: an audit would hide the line's other
    # totals in vain, up to the grand total. `hidden_totals`: cells hidden for another reason
    carried = before_hidden.copy()
    zero = counts == 0
    while True:
        shown_zero = zero & ~carried
        if hidden_totals is not None:
            shown_zero &= ~hidden_totals
        told = np.zeros(counts.shape, dtype=bool)
        for axis in range(counts.ndim):
            n = counts.shape[axis] - 1
            # the line's total shown as 0 tells its cells
            told |= np.broadcast_to(np.take(shown_zero, [n], axis=axis), counts.shape)
            # the line's cells all shown as 0 tell its total
            cells_zero = np.take(shown_zero, range(n), axis=axis).all(axis=axis, keepdims=True)
            at_total = np.zeros(counts.shape, dtype=bool)
            index = [slice(None)] * counts.ndim
            index[axis] = slice(n, n + 1)
            at_total[tuple(index)] = cells_zero
            told |= at_total
        drop = carried & zero & told
        if not drop.any():
            return carried
        carried &= ~drop


def _told_totals(told: np.ndarray, counts: np.ndarray, before_counts: np.ndarray,
                 before_hidden: np.ndarray, hidden: np.ndarray) -> np.ndarray:
    # The margins that would give back the count of a `told` cell (hidden before, 0 now and
    # told so by shown zeros, or known 0; or shown before and hidden now with another count:
    # its change is its count now minus a known one), in a table with a total at the last index
    # of every axis: every margin that holds it (a line total, and the totals of totals above
    # it, up to the grand total) whose change is only that of told cells, i.e. no inner cell
    # under it changed unseen besides (hidden in either version, and not itself told): the
    # change of a margin is the sum of the changes of its cells, so old total minus new gives
    # the change of the told cells, all of them together known. Not a margin whose change the
    # figures shown in both versions tell anyway: the total of a line whose cells are all such
    inner = tuple(slice(0, n - 1) for n in told.shape)
    unseen = (counts != before_counts) & (before_hidden | hidden) & ~told
    margin = _margins(told.shape)
    seen = ~hidden & ~before_hidden
    told_anyway = np.zeros(told.shape, dtype=bool)
    for axis in range(told.ndim):
        n = told.shape[axis] - 1
        index = [slice(None)] * told.ndim
        index[axis] = slice(n, n + 1)
        told_anyway[tuple(index)] |= np.take(seen, range(n), axis=axis).all(axis=axis, keepdims=True)
    return (_under(told[inner], told.shape) & ~_under(unseen[inner], told.shape) & margin
            & ~told_anyway)


def _under(cells: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    # For every figure of a table with a total at the last index of every axis (`shape`):
    # whether any of the inner `cells` it adds up is set (a cell: itself)
    under = np.zeros(shape, dtype=bool)
    for totals in itertools.product((False, True), repeat=len(shape)):
        axes = tuple(axis for axis, total in enumerate(totals) if total)
        index = tuple(slice(n - 1, n) if total else slice(0, n - 1)
                      for total, n in zip(totals, shape, strict=True))
        under[index] = cells.any(axis=axes, keepdims=True) if axes else cells
    return under


def _views_of_others(counts: np.ndarray, parts: np.ndarray):
    """What attackers who know some organisations' shares see of the rest: for each organisation
    the others' table (counts minus its own share) and, with three or more, its own share alone,
    which is what whoever delivers as all the other organisations sees (a beheerder may deliver
    for every known organisation: padding as two of them left a third one's small counts shown,
    the padded cell's remainder after the largest share being the other padding). With two
    organisations the one view is the other's. Organisations without a share are skipped."""
    present = [share for share in parts if share.any()]
    for share in present:
        yield counts - share
    if len(present) > 2:
        yield from present


# The audit with all lines solved together first looks for a proof of each hidden cell's freedom
# that needs no program (cube_reach: a box of hidden cells along which the table can shift), and
# solves linear programs (linear_bounds with `enough`) only for the cells without one. Measured on
# random cubes wijk x kind x age (2 cores): with 60-100 wijken (700-2,200 hidden cells) all or
# all but a few cells have a proof, and a whole protection takes 0.2-3 s (9-14 s for 99-150
# wijken of almost only small counts from two organisations, mostly the simplex's phase one);
# solving every cell took 12 s for 1,345 hidden cells, which is why a table of more than 400 was
# audited one line at a time before. Every table of protect_cube is now audited with all lines
# together.
# A table protected beside another (protect_beside) has no box proofs (its shared totals are
# capped by the other table): up to this many hidden cells it is solved with all lines together,
# above it one line at a time (its tables are crosstabs of a few kinds, far below it).
BESIDE_SOLVED_MAX_HIDDEN = 400
# Up to this many hidden cells, a cell that only all lines together narrow is widened by trying
# the cells that could be hidden for it, each with linear programs (_widen_solved: the one cell
# that widens most); above it, where that takes minutes, by a box of hidden cells around it
# (_widen_by_boxes), which may hide a few more cells but needs no program.
WIDEN_BY_TRIAL_MAX_HIDDEN = 400
# Box proofs (cube_reach) cost some 0.3 ms per hidden cell; in a table of up to this many hidden
# cells the programs' own tables settle the cells faster (the whole national build: 12 s of
# protection without box proofs, 24 s with them for these tables)
BOX_PROOF_MIN_HIDDEN = 400


def _solved_audit_fits(hidden: np.ndarray) -> bool:
    """Whether a table protected beside another has few enough hidden cells to solve all its
    lines together."""
    return int(hidden.sum()) <= BESIDE_SOLVED_MAX_HIDDEN


def _margins(shape: tuple[int, ...]) -> np.ndarray:
    """The margins of a table with a total at the last index of every axis: every figure with a
    total's index on some axis (the rest are the table's own cells)."""
    margin = np.ones(shape, dtype=bool)
    margin[tuple(slice(0, n - 1) for n in shape)] = False
    return margin


@functools.lru_cache(maxsize=8192)
def _boxes(cell: tuple, shape: tuple[int, ...]):
    """The boxes of a table with all its margins through `cell` (cube_reach), one per choice of
    another position q on every axis (shape (n1-1, ..., nd-1)): for each of the box's 2^d corners
    which axes take q's index, the index of that corner in every box (for fancy indexing) and its
    sign in every box (an array that broadcasts to their shape); and per axis the positions q
    takes. Kept for the next audit of a table of the same shape: only `hidden` changes."""
    others = [np.delete(np.arange(n), c) for c, n in zip(cell, shape, strict=True)]
    grids = np.ix_(*others)
    # per axis, the sign of taking q's index instead of c's
    flips = [np.where((q < n - 1) & (c < n - 1), -1.0, 1.0).reshape(grid.shape)
             for q, c, n, grid in zip(others, cell, shape, grids, strict=True)]
    box_shape = tuple(len(q) for q in others)
    corners = []
    for corner in itertools.product((False, True), repeat=len(shape)):
        index = tuple(grid if at_q else c for at_q, grid, c in zip(corner, grids, cell, strict=True))
        sign = np.ones([1] * len(shape))
        for at_q, flip in zip(corner, flips, strict=True):
            if at_q:
                sign = sign * flip
        corners.append((corner, index, sign))
    return box_shape, tuple(corners), others


def _box_rooms(slack: np.ndarray, open_cells: np.ndarray, cell: tuple):
    # for every box through `cell`: whether all its corners are `open_cells`, how far `cell` can
    # go up (the least `slack`, count minus floor, of the -1 corners) and down (of the +1
    # corners) along it, and the corners themselves
    box_shape, corners, others = _boxes(tuple(int(c) for c in cell), slack.shape)
    valid = np.ones(box_shape, dtype=bool)
    rise, fall = np.full(box_shape, np.inf), np.full(box_shape, np.inf)
    for _, index, sign in corners:
        valid &= open_cells[index]
        room = np.broadcast_to(slack[index], box_shape)
        np.minimum(rise, np.where(sign < 0, room, np.inf), out=rise)
        np.minimum(fall, np.where(sign > 0, room, np.inf), out=fall)
    return valid, rise, fall, (corners, others)


def cube_reach(counts: np.ndarray, hidden: np.ndarray, cells: np.ndarray | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
    """How far each hidden cell (of `cells`) can provably go up and down while every line of a
    table with all its margins (a total at the last index of every axis) still adds up and every
    visible cell stays as shown: for a cell c and any other position q on every axis, the 2^d
    cells with c's or q's index on each axis form a box; if all are hidden, adding t to the box's
    cells with sign +1 and taking t from those with -1 keeps every line's sum (a line through
    the box holds two of its cells: two cells of the line with opposite signs, or a cell and
    its total with the same sign). The sign of a box cell is the product over the axes where it
    takes q's index: -1 when c's and q's index are both cells (not the total), else +1. c can go
    up by the least slack (count minus its floor: 1, or 0 for a hidden 0) of the -1 cells, and
    down by that of the +1 cells (itself included). Each box is a table an attacker cannot rule
    out, so these are part of linear_bounds' interval (never more): a cell they already show wide
    enough needs no program. Returns (up, down), 0 where no box or not asked."""
    up, down = np.zeros(counts.shape), np.zeros(counts.shape)
    wanted = hidden if cells is None else hidden & cells
    slack = counts - np.minimum(counts, 1.0)
    for cell in zip(*np.nonzero(wanted), strict=True):
        valid, rise, fall, _ = _box_rooms(slack, hidden, cell)
        if valid.any():
            up[cell], down[cell] = rise[valid].max(), fall[valid].max()
    return up, down


def _widen_by_boxes(counts: np.ndarray, hidden: np.ndarray, unsafe: np.ndarray, threshold: int,
                    fixed: np.ndarray | None = None) -> bool:
    """For a table of many hidden cells, where trying cells one by one with linear programs
    (_widen_solved) takes minutes: give each `unsafe` cell a box (cube_reach) that alone shows it
    wide enough, hiding the box's corners that are shown (non-zero, never a `fixed` one): the
    box with the fewest of them (then the fewest margins, then the least count hidden). The
    cell is then safe whatever else the lines say; the cells hidden for it are audited in the
    next round. False when no unsafe cell has such a box."""
    closed = np.zeros(counts.shape, dtype=bool) if fixed is None else fixed
    open_cells = hidden | (~closed & (counts > 0))
    margin = _margins(counts.shape)
    slack = counts - np.minimum(counts, 1.0)
    changed = False
    for cell in zip(*np.nonzero(unsafe & hidden), strict=True):
        valid, rise, fall, (corners, others) = _box_rooms(slack, open_cells, cell)
        count = counts[cell]
        enough = (valid & (rise + fall >= threshold - 2) & (count + rise >= threshold - 1))
        if count < threshold and not margin[cell]:
            enough &= count - fall <= 1
        if not enough.any():
            continue
        new = np.zeros(valid.shape)
        new_margins = np.zeros(valid.shape)
        new_count = np.zeros(valid.shape)
        for _, index, _ in corners:
            shown = np.broadcast_to(~hidden[index], valid.shape)
            new += shown
            new_margins += shown & np.broadcast_to(margin[index], valid.shape)
            new_count += np.where(shown, np.broadcast_to(counts[index], valid.shape), 0.0)
        candidates = np.flatnonzero(enough.reshape(-1))
        order = np.lexsort((new_count.reshape(-1)[candidates], new_margins.reshape(-1)[candidates],
                            new.reshape(-1)[candidates]))
        best = np.unravel_index(candidates[order[0]], valid.shape)
        for at_q, _, _ in corners:
            corner = tuple(int(q[b]) if q_here else c for q_here, q, b, c in
                           zip(at_q, others, best, cell, strict=True))
            if not hidden[corner]:
                hidden[corner] = True
                changed = True
    return changed


def solved_unsafe(counts: np.ndarray, hidden: np.ndarray, threshold: int,
                  cells: np.ndarray | None = None) -> np.ndarray:
    """The hidden cells (of `cells`) that all lines of a table with all its margins solved
    together narrow below 'hidden' (unsafe_bounds of linear_bounds), exactly: a cell that a box
    of hidden cells (cube_reach) shows wide enough is not narrowed, as linear_bounds' interval
    holds the box's; in a table of more than NEARBY_MIN_HIDDEN hidden cells, small tables
    around a cell (_decided_nearby) bound the whole table's interval from inside and outside
    and decide most of the rest; linear programs of the whole table are solved only for the
    cells left, and only in a table of up to WHOLE_PROGRAM_MAX_HIDDEN hidden cells: above it, or
    where rounding spoils the program (UnsolvedProgram), a cell left counts as narrowed (more is
    hidden, never less). A table of up to BOX_PROOF_MIN_HIDDEN hidden cells goes to the
    programs directly: there the tables the first program passes through settle nearly every
    cell, faster than looking for boxes."""
    cells = hidden.copy() if cells is None else hidden & cells
    rest = cells
    unsafe = np.zeros(counts.shape, dtype=bool)
    if hidden.sum() > BOX_PROOF_MIN_HIDDEN:
        up, down = cube_reach(counts, hidden, cells)
        rest = cells & unsafe_bounds(counts, hidden, counts - down, counts + up, threshold)
        if rest.any() and hidden.sum() > NEARBY_MIN_HIDDEN:
            safe, unsafe = _decided_nearby(counts, hidden, threshold, rest)
            rest = rest & ~safe & ~unsafe
    if not rest.any():
        return unsafe
    if hidden.sum() > WHOLE_PROGRAM_MAX_HIDDEN:
        return unsafe | rest
    try:
        low, high = linear_bounds(counts, hidden, cells=rest, enough=lambda low, high: ~unsafe_bounds(
            counts, hidden, low, high, threshold))
    except UnsolvedProgram:
        return unsafe | rest
    return unsafe | (unsafe_bounds(counts, hidden, low, high, threshold) & rest)


# The sizes of the neighbourhoods (positions along a table's longest axis: wijken) in which
# _decided_nearby settles a cell, in turn, before the programs of the whole table, and the
# tables where that pays: in random tables of 30-150 wijken it saved 30-75 % of the protection's
# time above some 1,000 hidden cells and cost up to 0.5 s more below (where the whole table's
# programs take well under a second)
NEARBY_SIZES = (4, 16, 64)
NEARBY_MIN_HIDDEN = 1000
# Above this many hidden cells the whole table's program is not solved: its dense tableau (1,500
# rows by 4,000 columns for 150 wijken) took 25 s to 3 minutes, and rounding over its thousands of
# pivots once left a table that no longer added up (UnsolvedProgram). A cell that no box and no
# small table decides there counts as narrowed: it gets a box of hidden cells where there is one
# (_widen_by_boxes), else one more hidden cell in its lines, so the table is protected more,
# never less. Below it, a program that rounding spoils
# (UnsolvedProgram) counts its cells as narrowed too
WHOLE_PROGRAM_MAX_HIDDEN = 2000


def _nearby_table(counts: np.ndarray, hidden: np.ndarray, floor: np.ndarray, axis: int,
                  keep: np.ndarray, lumped: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    # The table of the positions `keep` along `axis` (some wijken), one position that lumps
    # all the others together (their sums: every line of theirs adds up, so the lump's do), and
    # the total: (counts, hidden, floor). The lump is hidden where any of its cells is (`lumped`:
    # its figure then only at least its cells' floors) or shown (the others' hidden cells fixed
    # at their counts)
    moved = [np.moveaxis(a, axis, 0) for a in (counts, hidden, floor)]
    others = np.setdiff1d(np.arange(counts.shape[axis] - 1), keep)
    c, h, f = moved
    lump = (c[others].sum(axis=0),
            h[others].any(axis=0) if lumped else np.zeros(c.shape[1:], dtype=bool),
            np.where(h[others], f[others], c[others]).sum(axis=0))
    return tuple(np.moveaxis(np.concatenate([a[keep], part[None], a[-1:]]), 0, axis)
                 for a, part in zip(moved, lump, strict=True))


def _decided_nearby(counts: np.ndarray, hidden: np.ndarray, threshold: int, cells: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Of the hidden `cells` of a table with all its margins, those that small tables around
    them already decide as linear_bounds of the whole table would: (safe, unsafe). Around a cell
    in wijk w (along the table's longest axis; a cell of the total wijk is near the wijken hidden
    where it is), take w and the wijken hidden at most of the same places, the others lumped into
    one wijk, and the total:
    - with the other wijken's hidden cells fixed at their counts (the lump shown), every table
      the small one allows is one the whole table allows: a cell that is wide enough there is
      wide enough (an inner bound);
    - with the lump hidden, every table the whole one allows gives one the small table allows
      (the lump's figures are sums of the others' cells, and each of its lines adds up): a cell
      narrowed there is narrowed (an outer bound).
    The small tables grow (NEARBY_SIZES) until a cell is decided. A table of 150 wijken with
    2,700 hidden cells: 1-3 s for 300-370 cells that box proofs leave, against 15-40 s of the
    whole table's programs."""
    axis = int(np.argmax(counts.shape))
    n = counts.shape[axis]
    floor = np.where(hidden, np.minimum(counts, 1.0), counts)
    safe, unsafe = np.zeros(counts.shape, dtype=bool), np.zeros(counts.shape, dtype=bool)
    along = np.moveaxis(hidden, axis, 0).reshape(n, -1)

    def enough(sub_counts, sub_hidden):
        return lambda low, high: ~unsafe_bounds(sub_counts, sub_hidden, low, high, threshold)

    for size in NEARBY_SIZES:
        if size >= n - 1:
            break
        todo = cells & ~safe & ~unsafe
        while todo.any():
            wanted = np.moveaxis(todo, axis, 0)
            home = int(np.flatnonzero(wanted.reshape(n, -1).any(axis=1))[0])
            shared = (along[:-1] & along[home]).sum(axis=1).astype(float)
            if home < n - 1:
                shared[home] = np.inf
            keep = np.sort(np.argsort(-shared, kind="stable")[:size])
            rows = np.r_[keep, n - 1]
            asked = np.zeros(wanted.shape, dtype=bool)
            asked[rows] = wanted[rows]
            for lumped in (False, True):
                sub_counts, sub_hidden, sub_floor = _nearby_table(
                    counts, hidden, floor, axis, keep, lumped)
                # the small table's positions: keep, the lump (never asked), the total
                sub_asked = np.moveaxis(np.insert(asked[rows], len(keep), False, axis=0), 0, axis)
                try:
                    low, high = linear_bounds(sub_counts, sub_hidden, low=sub_floor,
                                              cells=sub_asked, enough=enough(sub_counts, sub_hidden))
                except UnsolvedProgram:
                    break  # this small table decides nothing; a larger one or the whole may
                narrowed = np.moveaxis(unsafe_bounds(sub_counts, sub_hidden, low, high, threshold),
                                       axis, 0)
                found = np.zeros(wanted.shape, dtype=bool)
                found[rows] = np.delete(narrowed, len(keep), axis=0)
                # the inner bound: what it leaves wide enough is safe; the outer: what it
                # narrows is unsafe
                decided = asked & (found if lumped else ~found)
                if lumped:
                    unsafe |= np.moveaxis(decided, 0, axis)
                else:
                    safe |= np.moveaxis(decided, 0, axis)
                asked &= ~decided
                if not asked.any():
                    break
            done = np.zeros(wanted.shape, dtype=bool)
            done[rows] = True
            todo &= ~np.moveaxis(done, 0, axis)
    return safe, unsafe


def _protect_lines(counts: np.ndarray, hidden: np.ndarray, threshold: int,
                   fixed: np.ndarray | None = None) -> None:
    """Secondary suppression over every line of a table with all its margins (_secondary_cube),
    then the bounds audit, in place: hide more until what all lines together say about every
    hidden cell is no narrower than 'hidden'. Lines bound each other (a margin is at least as
    many as its hidden non-zero cells, and that bound enters the next line); once one line at a
    time narrows nothing, all lines solved together (linear_bounds) must narrow nothing either.
    A `fixed` cell (known from a previous version) is never chosen. Each round hides at least
    one more cell, so the loop ends: safe, or with every line it can reach hidden."""
    _secondary_cube(counts, hidden, threshold, fixed)
    if threshold <= 1 or not hidden.any():
        return
    for _ in range(counts.size):
        low, high = bounds_from_margins(counts, hidden, high=choice_caps(counts, hidden, threshold, fixed))
        unsafe = unsafe_bounds(counts, hidden, low, high, threshold)
        if not unsafe.any():
            unsafe = solved_unsafe(counts, hidden, threshold)
            widen = (_widen_solved if hidden.sum() <= WIDEN_BY_TRIAL_MAX_HIDDEN else _widen_by_boxes)
            if unsafe.any() and widen(counts, hidden, unsafe, threshold, fixed):
                _secondary_cube(counts, hidden, threshold, fixed)
                continue
        if not unsafe.any() or not _widen(counts, hidden, unsafe, fixed):
            break
        _secondary_cube(counts, hidden, threshold, fixed)


def choice_caps(counts: np.ndarray, hidden: np.ndarray, threshold: int,
                fixed: np.ndarray | None = None) -> np.ndarray:
    """What the rule that chooses the second hidden cells tells whoever knows it (README
    "Privacy"): a cell is hidden as a small count (at most threshold-1) or as the smallest
    visible non-zero cell of a line, so it is at most the smallest cell still shown in one of the
    lines it is a cell of (cells only become hidden). In the line 4, 20, 21 with its total 45 the
    two hidden cells add up to 24 and the second is at most 21: the small one is 3 or 4, not 1
    to the threshold. Returns an upper bound for every figure as bounds_from_margins takes it:
    the count of a shown one, and for a hidden one the larger of threshold-1 and the largest of
    those smallest shown cells (infinite where a line through it shows none); also infinite
    where the count is above that (hidden by another rule, the contributor rule or a version
    before), as the bound would not hold there. A `fixed` cell was never a candidate: it is not
    counted as shown here."""
    best = np.full(counts.shape, -np.inf)
    candidate = ~hidden & (counts > 0) if fixed is None else ~hidden & ~fixed & (counts > 0)
    for axis in range(counts.ndim):
        n = counts.shape[axis] - 1
        line_counts = np.moveaxis(counts, axis, -1)
        shown = np.where(np.moveaxis(candidate, axis, -1)[..., :n], line_counts[..., :n], np.inf)
        # for each cell of a line, the smallest shown one among the others (itself is hidden)
        smallest = np.full(line_counts.shape, -np.inf)
        smallest[..., :n] = shown.min(axis=-1, keepdims=True)
        best = np.maximum(best, np.moveaxis(smallest, -1, axis))
    cap = np.maximum(best, threshold - 1.0)
    cap = np.where(np.isneginf(best) | (counts > cap), np.inf, cap)
    return np.where(hidden, cap, counts)


def protect_beside(contributions: np.ndarray, margin_hidden: np.ndarray, margin_low: np.ndarray,
                   margin_high: np.ndarray, views: list[tuple[np.ndarray, np.ndarray]] | None = None,
                   *, threshold: int | None = None, known: np.ndarray | None = None,
                   previous: tuple[np.ndarray, np.ndarray] | None = None
                   ) -> tuple[np.ndarray, np.ndarray, bool]:
    """A rows x columns table of counts whose column totals and grand total are margins another
    protected table publishes as well (the so crosstab of Analysevragen row 5: its status totals
    are the gemeente totals of the signal speciaal_onderwijs). `contributions` is organisations x
    rows x columns, of the same children as that table. The result has the totals appended (a
    total column, then a total row); the total row is the other table's: hidden exactly where
    `margin_hidden` says, never chosen as a second cell. `margin_low` and `margin_high` are what
    the other table's visible cells say of those totals (bounds_from_margins there), and `views`
    the same for each organisation (its own share subtracted), in the order of `contributions`,
    or of `known` when given: what each attacker knows of the cells (organisations x rows x
    columns; an organisation's own share, or every share but one).

    Primary suppression with the contributor rule, secondary over every row and column, and a
    bounds audit of both tables together (one line at a time, then all lines solved together,
    as protect_cube's): besides leaving every hidden cell of this table as
    wide as protect_cube does, this table may not narrow a hidden shared total below what the
    other table says of it (so that nothing flows back into the other table's cells). Each
    organisation's view is protected the same way and its hidden cells hidden too.

    `previous` is this table as published before (counts, hidden: the result's shape, a cell
    absent then counted as 0), as protect_cube's: every cell hidden then stays hidden (also a 0
    that no shown zeros tell),
    and a cell shown then with the same count is known, never chosen as a second
    hidden cell and counted as shown (otherwise a correction of one cell moved the second hidden
    cell beside a small one onto a cell shown before, and the two versions together gave the
    small one back). Returns (counts, hidden, breakdown): `breakdown` False when no choice of
    cells makes the table safe beside the other; only the totals row may then be shown."""
    threshold = threshold or min_count()
    parts = np.nan_to_num(np.asarray(contributions, dtype=float), nan=0.0)
    for axis in (2, 1):
        parts = np.concatenate([parts, parts.sum(axis=axis, keepdims=True)], axis=axis)
    counts, hidden = _primary(parts, threshold)
    fixed = np.zeros(counts.shape, dtype=bool)
    fixed[-1] = True
    hidden[-1] = margin_hidden
    shown_known = np.zeros(counts.shape, dtype=bool)
    if previous is not None:
        before_counts, before_hidden = (np.asarray(a) for a in previous)
        body = ~fixed
        # as in protect_cube: hidden stays hidden (also a cell now 0), and a cell shown before
        # with the same count is known: never a second hidden cell
        carried = _carried(counts, before_hidden.astype(bool) & body, hidden & fixed)
        hidden |= carried
        unchanged = ~carried & (before_counts == counts) & body
        # a total through a cell hidden before that shown zeros now tell is 0: hidden
        told = before_hidden.astype(bool) & body & ~carried
        hidden |= (_told_totals(told, counts, before_counts, before_hidden.astype(bool) & body, hidden)
                   & (counts > 0) & ~unchanged & ~fixed)
        shown_known = hidden & unchanged
        hidden &= ~unchanged
        fixed |= unchanged
    safe = _protect_beside(counts, hidden, fixed, margin_low, margin_high, 1.0, threshold)
    if safe and threshold > 1 and len(parts) > 1:
        # as protect_cube: what each organisation sees is the others' table (its own share
        # subtracted), beside what it sees of the other table
        knowledge = parts
        if known is not None:
            knowledge = np.nan_to_num(np.asarray(known, dtype=float), nan=0.0)
            for axis in (2, 1):
                knowledge = np.concatenate([knowledge, knowledge.sum(axis=axis, keepdims=True)],
                                           axis=axis)
        for share, (low, high) in zip(knowledge, views or [], strict=True):
            if not share.any():
                continue
            others = counts - share
            seen = (others > 0) & (others < threshold) & ~fixed
            seen[-1] = margin_hidden
            # a hidden cell is at least 1; of the others' part only where this share is 0
            floor = np.where(share > 0, 0.0, 1.0)
            safe = safe and _protect_beside(others, seen, fixed, low, high, floor, threshold)
            hidden |= seen
        safe = safe and _protect_beside(counts, hidden, fixed, margin_low, margin_high, 1.0,
                                        threshold)
    if not safe:
        hidden[:-1] = True
    return counts, hidden | shown_known, safe


def _protect_beside(counts: np.ndarray, hidden: np.ndarray, fixed: np.ndarray,
                    margin_low: np.ndarray, margin_high: np.ndarray, floor: np.ndarray | float,
                    threshold: int) -> bool:
    """protect_beside's secondary suppression and audit of one 2-D table in place (`floor`: what
    a hidden cell is at least); False when nothing is left to hide."""
    lines = _lines(counts.shape[0] - 1, counts.shape[1] - 1, True, True)
    lines = [line for line in lines if not fixed.reshape(-1)[line].all()]
    for _ in range(counts.size + 1):
        flat_counts, flat_hidden = counts.reshape(-1), hidden.reshape(-1).copy()
        closed = (hidden | fixed).reshape(-1)
        changed = True
        while changed:
            changed = False
            for line in lines:
                mask = flat_hidden[line]
                while _unsafe(flat_counts[line], mask, threshold):
                    choice = _next_cell(flat_counts[line], mask | closed[line])
                    if choice is None:
                        return False
                    mask[choice] = True
                    flat_hidden[line[choice]] = closed[line[choice]] = True
                    changed = True
        hidden[...] = flat_hidden.reshape(counts.shape)
        if threshold <= 1:
            return True
        unsafe = _narrowed_beside(counts, hidden, fixed, margin_low, margin_high, floor,
                                  threshold)
        if not unsafe.any() and (min(counts.shape) <= 2 or not _solved_audit_fits(hidden)):
            # one row or one column of cells: its lines say one sum (and that a cell is its
            # line's total), where one line at a time tells all that all lines together do
            return True
        if not unsafe.any():
            # then all lines solved together, as protect_cube's audit (one line at a time left
            # three cells of LINE_BY_LINE in tests/test_privacy_exact.py at 1..2), the shared
            # totals capped by what the other table says of them
            def audit(trial, cells):
                return _narrowed_beside(counts, trial, fixed, margin_low, margin_high, floor,
                                        threshold, cells)
            unsafe = audit(hidden, np.ones(counts.shape, dtype=bool))
            if not unsafe.any():
                return True
            if _widen_solved(counts, hidden, unsafe, threshold, fixed, audit):
                continue
        if not _widen(counts, hidden, unsafe, fixed):
            return False
    return False


def _narrowed_beside(counts: np.ndarray, hidden: np.ndarray, fixed: np.ndarray,
                     margin_low: np.ndarray, margin_high: np.ndarray, floor: np.ndarray | float,
                     threshold: int, solved: np.ndarray | None = None) -> np.ndarray:
    """The hidden cells of a table protected beside another (_protect_beside) that its lines
    narrow below 'hidden', and the hidden shared totals (the last row) they narrow below what
    the other table says of them (that would narrow the other table's cells in turn): one line
    at a time (bounds_from_margins), or, with `solved` (a mask of the cells to solve for), all
    lines together (linear_bounds)."""
    low = np.where(hidden, np.minimum(floor, counts), counts)  # a hidden 0 (carried) at 0
    high = np.where(hidden, np.inf, counts)
    low[-1] = np.where(hidden[-1], np.maximum(low[-1], margin_low), low[-1])
    high[-1] = np.where(hidden[-1], margin_high, high[-1])
    shared_low = low[-1].copy()

    def narrowed(low, high):
        unsafe = unsafe_bounds(counts, hidden, low, high, threshold) & ~fixed
        unsafe[-1] = hidden[-1] & ((low[-1] > shared_low) | (high[-1] < margin_high))
        return unsafe

    if solved is None:
        return narrowed(*bounds_from_margins(counts, hidden, low=low, high=high))
    try:
        return solved & narrowed(*linear_bounds(counts, hidden, low=low, high=high,
                                                cells=solved & hidden,
                                                enough=lambda low, high: ~narrowed(low, high)))
    except UnsolvedProgram:
        # not known: narrowed, so that more is hidden, never less
        unsafe = hidden & ~fixed
        unsafe[-1] = hidden[-1]
        return solved & unsafe


def bounds_from_margins(counts: np.ndarray, hidden: np.ndarray, iterations: int = 1000,
                        low: np.ndarray | None = None, high: np.ndarray | None = None
                        ) -> tuple[np.ndarray, np.ndarray]:
    """What an attacker learns of every cell of a protected table with all its margins (as from
    protect_cube: a total at the last index of every axis) from the visible cells and the rule
    that 0 is shown: each line's cells add up to its total and every hidden cell is at least 1
    (but a hidden 0: a cell hidden in the version before stays hidden when it is 0 now, and the
    protection, which knows it, starts that one at 0; an attacker knows less, as he cannot tell
    it from a hidden 1). Interval propagation over all lines until nothing changes. `low` and `high` start the
    propagation where more is known (what another table says of a shared margin). Returns (low,
    high) arrays; a visible cell has low == high == its count."""
    low = (np.where(hidden, np.minimum(counts, 1.0), counts) if low is None
           else np.array(low, dtype=float))
    high = np.where(hidden, np.inf, counts) if high is None else np.array(high, dtype=float)
    for _ in range(iterations):
        before_low, before_high = low.copy(), high.copy()
        for axis in range(counts.ndim):
            n = counts.shape[axis] - 1
            inner = [slice(None)] * counts.ndim
            inner[axis] = slice(0, n)
            inner = tuple(inner)
            total = [slice(None)] * counts.ndim
            total[axis] = slice(n, n + 1)
            total = tuple(total)
            cell_low, cell_high = low[inner], high[inner]
            sum_low = cell_low.sum(axis=axis, keepdims=True)
            unbounded = np.isinf(cell_high)
            finite_high = np.where(unbounded, 0.0, cell_high)
            finite_sum = finite_high.sum(axis=axis, keepdims=True)
            n_unbounded = unbounded.sum(axis=axis, keepdims=True)
            low[total] = np.maximum(low[total], sum_low)
            high[total] = np.minimum(high[total], np.where(n_unbounded > 0, np.inf, finite_sum))
            # the other cells of the line: their lows, and their highs (unbounded if any is)
            others_low = sum_low - cell_low
            others_high = np.where(n_unbounded - unbounded > 0, np.inf, finite_sum - finite_high)
            high[inner] = np.minimum(cell_high, high[total] - others_low)
            low[inner] = np.maximum(cell_low, low[total] - others_high)
        if (low == before_low).all() and (high == before_high).all():
            break
    return low, high


def linear_bounds(counts: np.ndarray, hidden: np.ndarray, low: np.ndarray | None = None,
                  cells: np.ndarray | None = None, high: np.ndarray | None = None,
                  enough=None) -> tuple[np.ndarray, np.ndarray]:
    """What an attacker who solves all lines of a table with all its margins together learns of
    every hidden cell (a linear program: the least and greatest value of each hidden cell over
    all tables that show the visible cells, with every line adding up and every hidden cell at
    least its `low`, by default 1, or 0 for a hidden 0), rounded inward to whole numbers.
    Stronger than bounds_from_margins, which takes one line at a time: two hidden row totals
    whose sum the other lines tell, written out in their rows, bound the cells in those rows
    together. Returns (low, high) as bounds_from_margins; high is infinite where unbounded.
    With `cells` (a mask) only those hidden cells are solved for; another hidden cell is given
    as its floor up to infinity. `high` (where finite) caps a hidden figure: what another table
    says of a shared margin (protect_beside).
    With `enough` (a function of whole (low, high) arrays giving the cells whose interval is
    wide enough, such that a wider interval stays wide enough: ~unsafe_bounds) the answer is only
    as exact as that question needs: a cell's interval is exact where it is not wide enough, and
    elsewhere a part of the exact one that is already wide enough (every table the solver passes
    through shows the attacker's freedom: a cell seen at 1 and at 4 in two of them ranges at
    least from 1 to 4, and needs no program of its own)."""
    counts = np.ascontiguousarray(counts, dtype=float)  # flat indices below are in C order
    floor = np.ascontiguousarray(np.where(hidden, np.minimum(counts, 1.0), counts) if low is None
                                 else low, dtype=float)
    variables = np.flatnonzero(hidden)
    result_low, result_high = counts.copy(), counts.copy()
    if variables.size == 0:
        return result_low, result_high
    column = np.full(counts.size, -1)
    column[variables] = np.arange(variables.size)
    flat = np.arange(counts.size).reshape(counts.shape)
    flat_counts, flat_floor = counts.reshape(-1), floor.reshape(-1)
    rows, rhs = [], []
    for axis in range(counts.ndim):
        for line in np.moveaxis(flat, axis, -1).reshape(-1, counts.shape[axis]):
            in_line = column[line] >= 0
            if not in_line.any():
                continue
            signs = np.ones(line.size)
            signs[-1] = -1.0
            row = np.zeros(variables.size)
            row[column[line[in_line]]] = signs[in_line]
            # the hidden figures, each its floor plus a part z >= 0, against the shown ones
            rows.append(row)
            rhs.append(-(signs * np.where(in_line, flat_floor[line], flat_counts[line])).sum())
    caps = np.full(variables.size, np.inf)
    if high is not None:
        caps = np.ascontiguousarray(high, dtype=float).reshape(-1)[variables] - flat_floor[variables]
    solved = range(variables.size) if cells is None else np.flatnonzero(
        np.asarray(cells, dtype=bool).reshape(-1)[variables])
    def rounded(lows, highs):
        result_low.reshape(-1)[variables] = np.ceil(flat_floor[variables] + lows - 1e-7)
        result_high.reshape(-1)[variables] = np.floor(flat_floor[variables] + highs + 1e-7)
        return result_low, result_high

    settled = None if enough is None else (
        lambda lows, highs: np.asarray(enough(*rounded(lows, highs)), dtype=bool).reshape(-1)[
            variables])
    return rounded(*_solve_bounds(np.array(rows), np.array(rhs), caps, solved, settled))


def _solve_bounds(rows: np.ndarray, rhs: np.ndarray, caps: np.ndarray, solved, settled=None
                  ) -> tuple[np.ndarray, np.ndarray]:
    # the least and greatest value of each `solved` variable z over rows @ z = rhs, 0 <= z <=
    # caps (a finite cap: one more equation with a slack variable of its own); with `settled`
    # (lows, highs -> the variables whose range is wide enough) a variable's programs are skipped
    # once the least and greatest value seen at the vertices passed so far settle it, and its
    # range is then those seen values
    n = rows.shape[1]
    capped = np.flatnonzero(np.isfinite(caps))
    if capped.size:
        rows = np.vstack([np.hstack([rows, np.zeros((len(rows), capped.size))]),
                          np.hstack([np.eye(n)[capped], np.eye(capped.size)])])
        rhs = np.r_[rhs, caps[capped]]
    tableau, basis = _feasible_basis(rows, rhs)
    equations = _Equations(rows, rhs)
    equations.check(_vertex(tableau, basis))
    lows, highs = np.zeros(n), np.full(n, np.inf)
    if settled is None:
        for j in solved:
            objective = np.zeros(rows.shape[1])
            objective[j] = 1.0
            for sign, found in ((1.0, lows), (-1.0, highs)):
                reached, at = tableau.copy(), basis.copy()
                found[j] = sign * _minimise(reached, at, sign * objective)
                equations.check(_vertex(reached, at))
        return lows, highs
    seen = _Seen(tableau, basis, n, equations)
    outside = np.ones(n, dtype=bool)
    outside[list(solved)] = False
    unbounded = np.zeros(n, dtype=bool)

    def bounds():
        # every vertex the simplex reached was seen, the optimal ones too: what is seen of a
        # variable whose programs ran is its exact range
        return (np.where(outside, 0.0, seen.low),
                np.where(outside | unbounded, np.inf, seen.high))

    wide = settled(*bounds())  # asked again only after a program ran (seen changes only then)
    for j in np.flatnonzero(~outside):
        if wide[j]:
            continue
        objective = np.zeros(rows.shape[1])
        objective[j] = 1.0
        seen.watch, seen.enough = j, lambda j=j: settled(*bounds())[j]
        if seen.low[j] > 1e-9:
            _minimise(tableau, basis, objective, seen)  # from the vertex reached last
        if not seen.enough():
            unbounded[j] = _minimise(tableau, basis, -objective, seen) == -np.inf
        wide = settled(*bounds())
    return bounds()


class _Seen:
    # the least and greatest value of each variable at the vertices (basic solutions) the
    # simplex passed through: each is a table an attacker could not rule out, once it is checked
    # to add up (`equations`): a vertex that widens what is seen is checked, so that no table
    # spoiled by rounding on the way widens an interval (UnsolvedProgram)
    def __init__(self, tableau: np.ndarray, basis: np.ndarray, n: int, equations: _Equations):
        self.n = n
        self.equations = equations
        self.low, self.high = np.full(n, np.inf), np.full(n, -np.inf)
        # the variable of the program running, and () -> whether that program may stop (asked
        # only when what is seen of that variable changed)
        self.watch, self.enough = None, None
        self(tableau, basis)

    def __call__(self, tableau: np.ndarray, basis: np.ndarray) -> bool:
        values = _vertex(tableau, basis)
        seen = values[:self.n]
        if (seen < self.low).any() or (seen > self.high).any():
            self.equations.check(values)
        j = self.watch
        before = None if j is None else (self.low[j], self.high[j])
        np.minimum(self.low, seen, out=self.low)
        np.maximum(self.high, seen, out=self.high)
        return (self.enough is not None and (self.low[j], self.high[j]) != before
                and self.enough())


def _pivot(tableau: np.ndarray, basis: np.ndarray, row: int, column: int) -> None:
    # the tableau of a table's lines is sparse (a pivot touches some 20 rows and 50 columns of
    # 180 x 400): only the rows and columns where the pivot's row and column are not zero
    tableau[row] /= tableau[row, column]
    pivot_row = tableau[row]
    columns = np.flatnonzero(pivot_row)
    rows = np.flatnonzero(tableau[:, column])
    rows = rows[rows != row]
    if rows.size and columns.size * 4 > tableau.shape[1]:
        # a pivot row filled in: whole rows, which numpy updates faster than scattered cells
        updated = tableau[rows] - np.outer(tableau[rows, column], pivot_row)
        updated[np.abs(updated) < 1e-12] = 0.0  # rounding left over from a cancellation
        tableau[rows] = updated
    elif rows.size:
        block = np.ix_(rows, columns)
        updated = tableau[block] - np.outer(tableau[rows, column], pivot_row[columns])
        updated[np.abs(updated) < 1e-12] = 0.0
        tableau[block] = updated
    basis[row] = column


_STALLED = 50  # steps without gain before _minimise takes Bland's rule


def _minimise(tableau: np.ndarray, basis: np.ndarray, objective: np.ndarray, seen=None,
              artificial: int | None = None) -> float:
    # the simplex method on a tableau in canonical form for `basis` (its last column the
    # right-hand side, at least 0): the least value of objective @ z, -inf when unbounded.
    # `seen` is told every vertex reached, and stops the method (nan) when it answers True;
    # columns from `artificial` on (phase one's artificial variables) are emptied when they
    # leave the basis, as they never enter again.
    # The column entering is the one with the most negative reduced cost (Dantzig's rule: far
    # fewer steps than the first one), and after STALLED steps that gained nothing in a row
    # the first one (Bland's rule, which cannot cycle) until a step gains again: a gain can
    # never be undone, so no basis comes back and the method ends.
    n = tableau.shape[1] - 1
    reduced = objective - objective[basis] @ tableau[:, :n]
    stalled = 0
    while True:
        entering = np.flatnonzero(reduced < -1e-9)
        if entering.size == 0:
            return float(objective[basis] @ tableau[:, -1])
        column = int(entering[0] if stalled >= _STALLED else entering[
            np.argmin(reduced[entering])])
        rising = tableau[:, column] > 1e-9
        if not rising.any():
            return -np.inf
        ratios = np.where(rising, tableau[:, -1] / np.where(rising, tableau[:, column], 1.0), np.inf)
        ties = np.flatnonzero(ratios <= ratios.min() + 1e-9)
        row = int(ties[np.argmin(basis[ties])])
        stalled = stalled + 1 if ratios[row] <= 1e-9 else 0
        leaving = int(basis[row])
        _pivot(tableau, basis, row, column)
        if artificial is not None and leaving >= artificial:
            tableau[:, leaving] = 0.0  # its reduced cost stays 0: it never enters again
        reduced = reduced - reduced[column] * tableau[row, :n]
        if seen is not None and seen(tableau, basis):
            return np.nan  # far enough: stopped before the optimum


class UnsolvedProgram(ValueError):
    """The simplex did not solve a table's program to its tolerance: in a tableau of a thousand
    rows and more, rounding over thousands of pivots can leave a basis whose table no longer
    adds up (_Equations.check). What the program would say is then unknown; the audit counts
    its cells as narrowed (solved_unsafe), so that the table is protected more, never less."""


class _Equations:
    # rows @ z = rhs kept sparse (a line holds a few of the table's cells): whether the table at
    # a vertex still adds up costs a pass over the non-zero entries, not over the dense rows
    def __init__(self, rows: np.ndarray, rhs: np.ndarray):
        self.row, self.column = np.nonzero(rows)
        self.weight = rows[self.row, self.column]
        self.rhs = rhs
        self.tolerance = 1e-6 * max(1.0, float(np.abs(rhs).max(initial=0.0)))

    def check(self, values: np.ndarray) -> None:
        # the table at a vertex must still add up and be at least its floors
        sums = np.bincount(self.row, weights=self.weight * values[self.column],
                           minlength=self.rhs.size)
        if (values.min(initial=0.0) < -self.tolerance
                or np.abs(sums - self.rhs).max(initial=0.0) > self.tolerance):
            raise UnsolvedProgram("the simplex's table no longer adds up (rounding)")


def _vertex(tableau: np.ndarray, basis: np.ndarray) -> np.ndarray:
    # the basic solution of a tableau: its variables' values at this vertex
    values = np.zeros(tableau.shape[1] - 1)
    values[basis] = tableau[:, -1]
    return values


def _feasible_basis(rows: np.ndarray, rhs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    # phase one: a basis of rows @ z = rhs, z >= 0, without artificial variables (a row that
    # holds only artificial ones says what the other rows say: dropped)
    m, n = rows.shape
    flip = np.where(rhs < 0, -1.0, 1.0)
    tableau = np.hstack([rows * flip[:, None], np.eye(m), (rhs * flip)[:, None]])
    basis = np.arange(n, n + m)
    artificial = np.r_[np.zeros(n), np.ones(m)]
    if _minimise(tableau, basis, artificial, artificial=n) > 1e-6:
        # a table made from its counts always adds up: rounding in a large tableau
        raise UnsolvedProgram("the shown figures do not add up, or the simplex lost its way")
    keep = []
    for row in range(m):
        if basis[row] >= n:
            candidates = np.flatnonzero(np.abs(tableau[row, :n]) > 1e-9)
            if candidates.size == 0:
                continue
            _pivot(tableau, basis, row, int(candidates[0]))
        keep.append(row)
    tableau = np.hstack([tableau[keep, :n], tableau[keep, -1:]])
    return tableau, basis[keep]


def bounds_from_equations(low: np.ndarray, high: np.ndarray,
                          equations: list[tuple[np.ndarray, np.ndarray]],
                          iterations: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    """bounds_from_margins for figures that are no one table: interval propagation over
    `equations` on a flat vector of figures, each (indices, signs) saying that the figures at
    `indices`, times their `signs` (+1 or -1), add up to 0 (a line: its cells +1, its total -1;
    two views of the same count: +1 and -1). `low` and `high` are what is known to begin with (a
    visible figure: its value twice; a hidden one: at least 1, at most infinity). Returns the
    narrowed (low, high)."""
    low, high = np.array(low, dtype=float), np.array(high, dtype=float)
    for _ in range(iterations):
        changed = False
        for indices, signs in equations:
            # the term of each figure is sign * figure; its bounds
            term_low = np.where(signs > 0, low[indices], -high[indices])
            term_high = np.where(signs > 0, high[indices], -low[indices])
            low_inf, high_inf = np.isinf(term_low), np.isinf(term_high)
            low_sum = np.where(low_inf, 0.0, term_low).sum()
            high_sum = np.where(high_inf, 0.0, term_high).sum()
            # the other terms of the equation: their sums, infinite if any other term is
            others_low = np.where(low_inf.sum() - low_inf > 0, -np.inf,
                                  low_sum - np.where(low_inf, 0.0, term_low))
            others_high = np.where(high_inf.sum() - high_inf > 0, np.inf,
                                   high_sum - np.where(high_inf, 0.0, term_high))
            # sign * figure == -(the others)
            new_low = np.where(signs > 0, -others_high, others_low)
            new_high = np.where(signs > 0, -others_low, others_high)
            narrowed_low = np.maximum(low[indices], new_low)
            narrowed_high = np.minimum(high[indices], new_high)
            if (narrowed_low != low[indices]).any() or (narrowed_high != high[indices]).any():
                low[indices], high[indices] = narrowed_low, narrowed_high
                changed = True
        if not changed:
            break
    return low, high


def bounds_seen_by(counts: np.ndarray, hidden: np.ndarray, share: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray]:
    """bounds_from_margins of the others' part of a protected table with all its margins, as an
    organisation that knows its own `share` (same shape: its cells with their margins) sees it:
    the visible cells minus its share, and a hidden cell at least 1 of the others only where its
    share is 0."""
    others = counts - share
    floor = np.minimum(np.where(share > 0, 0.0, 1.0), others)  # a hidden 0 (carried) at 0
    return bounds_from_margins(others, hidden, low=np.where(hidden, floor, others),
                               high=np.where(hidden, np.inf, others))


def unsafe_bounds(counts: np.ndarray, hidden: np.ndarray, low: np.ndarray, high: np.ndarray,
                  threshold: int) -> np.ndarray:
    """The hidden cells that the bounds (bounds_from_margins) narrow below 'hidden': an interval
    narrower than the whole hidden range 1..threshold-1 (so a small count is never pinned, nor
    told apart from its neighbours), an upper bound below threshold-1, and, for a small cell
    of the table itself (no margin, which may add up several hidden cells), a lower bound above
    1."""
    inner = ~_margins(counts.shape)
    small = (counts > 0) & (counts < threshold)
    return hidden & ((high - low < threshold - 2) | (high < threshold - 1)
                     | (inner & small & (low > 1)))


def _widen(counts: np.ndarray, hidden: np.ndarray, unsafe: np.ndarray,
           fixed: np.ndarray | None = None) -> bool:
    """Hide one more cell for each unsafe cell: the smallest visible non-zero cell in the lines
    through it (a cell of the table before a margin), never a `fixed` one. Only when none of
    those lines holds one (the bound comes through a chain of hidden cells): the nearest such
    cell in the lines of the hidden cells that bound it (breadth first over lines of hidden
    cells; a margin only where nothing else is left). False when every line reached is hidden
    or fixed."""
    closed = hidden if fixed is None else hidden | fixed
    for through_chain in (False, True):
        changed = 0
        # the cells whose chain of hidden cells was searched in vain since the last cell hidden:
        # a cell of that chain would search the same lines (a table of 1,700 hidden cells of
        # which 166 were narrowed: 19 s of searching the same chain again)
        searched = set()
        for cell in zip(*np.nonzero(unsafe), strict=True):
            cell = tuple(int(i) for i in cell)
            if cell in searched:
                continue
            target = _nearest_to_hide(counts, hidden, closed, cell, through_chain,
                                      searched if through_chain else None)
            if target is not None and not hidden[target]:
                hidden[target] = True
                changed += 1
                searched = set()
        if changed:
            return True
    return False


def _widen_solved(counts: np.ndarray, hidden: np.ndarray, unsafe: np.ndarray, threshold: int,
                  fixed: np.ndarray | None = None, audit=None) -> bool:
    """For cells that only all lines solved together narrow (linear_bounds): hide the one cell
    that widens most of them, trying the visible non-zero cells in the lines of the hidden cells
    (a cell of the table before a margin, the smallest first) and solving again. A sum told by
    lines far from the narrowed cell (two hidden wijk totals told by the other wijken) is undone
    by hiding a cell of those lines, not by hiding the narrowed cell's own line ever further.
    False when no single cell widens any (_widen then). `audit` (hidden, cells) gives the cells
    of `cells` still unsafe with those hidden (by default linear_bounds and unsafe_bounds;
    protect_beside's with the shared totals)."""
    if audit is None:
        def audit(trial, cells):
            return solved_unsafe(counts, trial, threshold, cells)
    closed = hidden if fixed is None else hidden | fixed
    reach = np.zeros(counts.shape, dtype=bool)
    for axis in range(counts.ndim):
        reach |= np.moveaxis(np.moveaxis(hidden, axis, -1).any(axis=-1, keepdims=True)
                             & np.ones(np.moveaxis(hidden, axis, -1).shape, bool), -1, axis)
    candidates = reach & ~closed & (counts > 0)
    margin = _margins(counts.shape)
    order = sorted(zip(*np.nonzero(candidates), strict=True),
                   key=lambda cell: (margin[cell], counts[cell], cell))
    # The candidates are tried a group at a time: hiding more only widens what the lines say
    # of every cell (a hidden cell can still be its count), so when the group's cells hidden
    # together leave as many unsafe as the best so far, none of them alone does better and the
    # group is passed over (the same cell is chosen as one by one, with far fewer programs)
    best, best_left = None, int(unsafe.sum())
    for start in range(0, len(order), _WIDEN_GROUP):
        group = []
        for cell in order[start:start + _WIDEN_GROUP]:
            trial = hidden.copy()
            trial[cell] = True
            _secondary_cube(counts, trial, threshold, fixed)
            group.append((cell, trial))
        if len(group) > 1 and int(audit(np.logical_or.reduce([trial for _, trial in group]),
                                        unsafe).sum()) >= best_left:
            continue
        for cell, trial in group:
            left = int(audit(trial, unsafe).sum())
            if left < best_left:
                best, best_left = cell, left
                if left == 0:
                    hidden[best] = True
                    return True
    if best is None:
        return False
    hidden[best] = True
    return True


_WIDEN_GROUP = 8  # candidate cells _widen_solved tries together before one by one


def _nearest_to_hide(counts: np.ndarray, hidden: np.ndarray, closed: np.ndarray,
                     cell: tuple, through_chain: bool, searched: set | None = None) -> tuple | None:
    # breadth first from `cell` over the lines of hidden cells (only its own lines unless
    # `through_chain`): the first ring of lines that holds a visible non-zero cell gives its
    # smallest (a line's total last)
    reached, ring = {cell}, [cell]
    while ring:
        best, next_ring = None, []
        for at in ring:
            for axis in range(counts.ndim):
                line = list(at)
                line[axis] = slice(None)
                line_counts, line_closed = counts[tuple(line)], closed[tuple(line)]
                position = _next_cell(line_counts, line_closed)
                if position is not None:
                    key = (position == len(line_counts) - 1, line_counts[position])
                    if best is None or key < best[0]:
                        target = list(at)
                        target[axis] = position
                        best = (key, tuple(target))
                for other in np.flatnonzero(hidden[tuple(line)]):
                    neighbour = list(at)
                    neighbour[axis] = int(other)
                    neighbour = tuple(neighbour)
                    if neighbour not in reached:
                        reached.add(neighbour)
                        next_ring.append(neighbour)
        if best is not None:
            return best[1]
        ring = next_ring if through_chain else []
    if searched is not None:
        searched.update(reached)  # every cell of the chain: its search would find nothing either
    return None


def _primary(parts: np.ndarray, threshold: int) -> tuple[np.ndarray, np.ndarray]:
    # the counts (summed over organisations) and their primary hidden cells: small counts,
    # counts whose remainder after the largest organisation's share is small (contributor rule),
    # and counts holding a small share of one organisation: whoever knows all the other shares
    # (a beheerder delivering as every other organisation) would read it off the count
    counts = parts.sum(axis=0)
    remainder = counts - parts.max(axis=0, initial=0.0)
    small_share = ((parts > 0) & (parts < threshold)).any(axis=0)
    hidden = (((counts > 0) & (counts < threshold)) | ((remainder > 0) & (remainder < threshold))
              | small_share)
    return counts, hidden


def _secondary_cube(counts: np.ndarray, hidden: np.ndarray, threshold: int,
                    fixed: np.ndarray | None = None) -> None:
    """_secondary over every line of a table with a total at the last index of every axis (along
    each axis, at every position of the others), in place, never choosing a `fixed` cell. The
    lines are checked all at once per axis; only unsafe ones are walked."""
    changed = True
    while changed:
        changed = False
        for axis in range(counts.ndim):
            line_counts = np.moveaxis(counts, axis, -1)
            line_hidden = np.moveaxis(hidden, axis, -1)  # a view: hiding here hides in `hidden`
            line_fixed = None if fixed is None else np.moveaxis(fixed, axis, -1)
            n_hidden = line_hidden.sum(axis=-1)
            unsafe = n_hidden == 1
            if threshold > 1:
                hidden_sum = np.where(line_hidden, line_counts, 0.0).sum(axis=-1)
                unsafe |= ((n_hidden > 1) & ~line_hidden[..., -1]
                           & (hidden_sum < n_hidden + threshold - 1))
            # argwhere, not nonzero: in a 1-D table the one line sits at position ()
            for position in map(tuple, np.argwhere(unsafe)):
                cells, mask = line_counts[position], line_hidden[position]
                closed = mask if line_fixed is None else line_fixed[position]
                while _unsafe(cells, mask, threshold):
                    choice = _next_cell(cells, mask | closed)
                    if choice is None:
                        break
                    mask[choice] = True
                    changed = True


def _next_cell(cells: np.ndarray, mask: np.ndarray) -> int | None:
    # the smallest visible non-zero cell of a line; its total (last) only when nothing else is left
    candidates = ~mask & (cells > 0)
    inner = candidates.copy()
    inner[-1] = False
    pool = np.flatnonzero(inner if inner.any() else candidates)
    return None if pool.size == 0 else int(pool[np.argmin(cells[pool])])


def _lines(n_rows: int, n_cols: int, row_totals: bool, column_totals: bool) -> list[np.ndarray]:
    """Each line: the cells whose sum is shown in the same table (cells plus their total), as
    flat indices of the table with its totals."""
    width = n_cols + (1 if row_totals else 0)
    lines = []
    if row_totals:
        rows = range(n_rows + (1 if column_totals else 0))
        lines += [np.array([r * width + c for c in range(n_cols + 1)]) for r in rows]
    if column_totals:
        cols = range(n_cols + (1 if row_totals else 0))
        lines += [np.array([r * width + c for r in range(n_rows + 1)]) for c in cols]
    return lines


def _unsafe(counts: np.ndarray, hidden: np.ndarray, threshold: int) -> bool:
    """Whether one line (its cells, the total last) gives a hidden cell away: a hidden cell
    alone in it (recovered by subtraction), or, with the total visible, hidden cells that sum to
    less than their number + threshold - 1. Zeros are shown, so every hidden cell is at least
    1; the line then bounds each at its sum minus one for each other hidden cell, and that bound
    must reach the threshold (else k hidden cells that sum to k are all 1)."""
    n_hidden = int(hidden.sum())
    if n_hidden == 0:
        return False
    if n_hidden == 1:
        return True
    if hidden[-1] or threshold <= 1:
        return False
    return counts[hidden].sum() < n_hidden + threshold - 1


def _secondary(counts: np.ndarray, hidden: np.ndarray, lines: list[np.ndarray],
               threshold: int) -> None:
    """Secondary suppression in place: hide further cells until no line is _unsafe; in an unsafe
    line the smallest visible non-zero cell, the line's total only when nothing else is left.
    A threshold of 1 asks only that no hidden cell stands alone."""
    flat_counts = counts.reshape(-1)
    flat_hidden = hidden.reshape(-1).copy()
    changed = True
    while changed:
        changed = False
        for line in lines:
            line_hidden = flat_hidden[line]
            if not line_hidden.any():
                continue
            line_counts = flat_counts[line]
            while _unsafe(line_counts, line_hidden, threshold):
                choice = _next_cell(line_counts, line_hidden)
                if choice is None:
                    break
                line_hidden[choice] = True
                flat_hidden[line[choice]] = True
                changed = True
    hidden[...] = flat_hidden.reshape(hidden.shape)


def round_estimate(value: float) -> float:
    """A model estimate rounded for display: whole numbers below 100, else to fives."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return float("nan")
    # + 0.0: -0.4 rounds to -0.0, which a workbook or chart would show as '-0'
    return (float(round(value)) if abs(value) < 100 else float(5 * round(value / 5))) + 0.0


BELOW_ONE = "<1"


def shown_estimate(value: float) -> float | str:
    """A pure model estimate as every page, map, slide and export shows it: '<1' between 0 and
    1, else rounded (round_estimate). One rule, so that Buitengebied's 0,9 children on niveau 3
    is never '<1' on Continuüm and '1' on the Kaart, the slides or 0 in the workbook."""
    if not is_missing(value) and 0 < value < 1:
        return BELOW_ONE
    return round_estimate(value)


def shown_figure(value: float) -> float | str:
    """A figure of a table of counts and estimates as it is shown, given the value the protection
    returns (a count as it is, an estimate rounded or, between 0 and 1, kept): '<1' between 0 and
    1 (only an estimate can be there: a count is whole), else the value. For the exports, which
    keep numbers as numbers."""
    if isinstance(value, str) or is_missing(value):
        return value
    return BELOW_ONE if 0 < value < 1 else value


def shown_figure_text(value: float) -> str:
    """shown_figure as text: '<1', '1.234', or '' when missing."""
    shown = shown_figure(value)
    return shown if isinstance(shown, str) else format_number(shown)


def model_estimate_text(value: float) -> str:
    """A pure model estimate as shown (shown_estimate), as text (a model figure, not a count of
    children: never hidden)."""
    if is_missing(value):
        return ""
    shown = shown_estimate(value)
    return shown if isinstance(shown, str) else format_number(shown)


def protect_array(
    counts: np.ndarray,
    *,
    estimate: bool,
    threshold: int | None = None,
    row_totals: bool = True,
    column_totals: bool = True,
    model: bool = False,
    previous: tuple[np.ndarray, np.ndarray] | None = None,
    known_zero: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The numeric core of protect_counts: returns (values, hidden) with the totals appended as
    asked. `previous`, `known_zero`: observed counts as published before and the cells known to
    be 0 now (suppress_array's). Observed counts
    are suppressed (suppress_array) and are NaN where hidden. Estimates
    (`estimate`: the continuum model's expected children, `model`, or a population estimate
    from public CBS figures) are no count of children: never hidden, rounded (round_estimate),
    kept unrounded between 0 and 1 so that they can be shown as '<1' (shown_estimate); their
    totals come from the unrounded estimates."""
    if model and not estimate:
        raise ValueError("a model estimate is an estimate")
    if estimate:
        values = np.nan_to_num(np.asarray(counts, dtype=float), nan=0.0)
        if row_totals:
            values = np.column_stack([values, values.sum(axis=1)])
        if column_totals:
            values = np.vstack([values, values.sum(axis=0)])
        return _rounded_estimates(values), np.zeros(values.shape, bool)
    counts, hidden = suppress_array(counts, threshold=threshold, row_totals=row_totals,
                                    column_totals=column_totals, previous=previous,
                                    known_zero=known_zero)
    return np.where(hidden, np.nan, counts), hidden


def _rounded_estimates(values: np.ndarray) -> np.ndarray:
    # round_estimate, except between 0 and 1: kept, for '<1' (shown_estimate)
    rounded = np.vectorize(round_estimate, otypes=[float])(values)
    return np.where((values > 0) & (values < 1), values, rounded)


def protect_observed_and_estimated(
    observed: np.ndarray,
    estimated: np.ndarray,
    *,
    threshold: int | None = None,
    previous: tuple[np.ndarray, np.ndarray] | None = None,
    known_zero: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """protect_array for a table whose cells are partly counts and partly estimates derived from
    public figures (a gemeente's BRP for some wijken, CBS estimates for the others): decided per
    cell, not per table. `observed` and `estimated` have the same shape (wijken x age groups);
    a cell is their sum (usually one of them is 0). Returns (values, hidden) with the row and
    column totals appended, as protect_array.

    The counts are protected as observed counts (the threshold and secondary suppression, with
    the bounds audit), in a table in which every estimated cell is 0: an estimate follows from
    public CBS figures, so an attacker can subtract it from any total, and hiding it would not
    protect a count (it is never chosen as a second hidden cell). Every total that includes a
    count is hidden where that protection hides it. The estimates themselves are never hidden
    and cause no secondary suppression (protect_array with estimate=True). A cell or total that
    holds an estimate is rounded (round_estimate; between 0 and 1 kept, for '<1'); a pure count
    is shown as it is. Without estimates this is protect_array(estimate=False), with only
    estimates protect_array(estimate=True).

    `previous` is the counts' table as published before (the counts with their totals, an
    estimated cell 0, and hidden: protect_cube's `previous`), so that a corrected BRP of the
    same year gives back no count hidden in the version before. A cell that holds an estimate
    has a count known to be 0 (protect_cube's `known_zero`), as has a cell of `known_zero` (a
    wijk the version before counted that is now left out, unknown): hidden before, it is not
    hidden now (it protects nothing), but the totals that would give its old count back (the old
    total minus the new one) are."""
    observed = np.nan_to_num(np.asarray(observed, dtype=float), nan=0.0)
    estimated = np.nan_to_num(np.asarray(estimated, dtype=float), nan=0.0)
    holds_estimate = estimated != 0
    # the count of a cell that is an estimate now (its wijk no longer in the BRP) is a known 0
    known_zero = holds_estimate | (False if known_zero is None else np.asarray(known_zero, bool))
    if not holds_estimate.any():
        return protect_array(observed, estimate=False, threshold=threshold, previous=previous,
                             known_zero=known_zero)
    if not observed.any():
        return protect_array(estimated, estimate=True)
    counts_part, hidden = suppress_array(observed, threshold=threshold, previous=previous,
                                         known_zero=known_zero)
    estimate_part = np.column_stack([estimated, estimated.sum(axis=1)])
    estimate_part = np.vstack([estimate_part, estimate_part.sum(axis=0)])
    # which cells and totals hold an estimate (the same layout: a total column, then a total row)
    holds_estimate = np.column_stack([holds_estimate, holds_estimate.any(axis=1)])
    holds_estimate = np.vstack([holds_estimate, holds_estimate.any(axis=0)])
    values = np.where(hidden, np.nan, counts_part + estimate_part)
    return np.where(holds_estimate, _rounded_estimates(values), values), hidden


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
    model: bool = False,
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
                                       row_totals=row_totals, column_totals=column_totals,
                                       model=model)
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
                           value_columns=columns, model=model, estimate=estimate and not model)


def estimate_range(low: float, high: float) -> str:
    """A modelled range in words, each end as a single estimate is shown (model_estimate_text):
    '12-20', '<1-2', '<1' when both ends lie between 0 and 1 (never '0' or '0-0' beside a single
    estimate's '<1'), one number when both round the same. Also for shortages, which can be
    negative and where 0 is balance: '-9 tot -3', '-2 tot 0', '0 tot <1' ('tot' where a '-' or
    '<' would run into the hyphen)."""
    lo, hi = model_estimate_text(low), model_estimate_text(high)
    if lo == hi:
        return lo
    if round_estimate(low) < 0 or hi == BELOW_ONE:
        return f"{lo} tot {hi}"
    return f"{lo}-{hi}"
