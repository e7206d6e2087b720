"""Small-number suppression: primary, secondary and rounding, with derivability checks."""


import numpy as np
import pandas as pd
import pytest

from transforms.privacy import (
    TOTAL_LABEL,
    bounds_from_margins,
    bounds_seen_by,
    format_number,
    protect_beside,
    protect_counts,
    protect_cube,
    round_estimate,
    suppress_array,
    suppress_table,
    unsafe_bounds,
)


def _frame(rows):
    return pd.DataFrame(rows, columns=["wijk", "a", "b", "c"])


def _lines_are_safe(table, value_columns):
    """No line (row with its total, column with its total) has exactly one hidden cell."""
    hidden = table.hidden[[*value_columns, TOTAL_LABEL]].to_numpy()
    for line in [*hidden, *hidden.T]:
        assert line.sum() != 1


def test_small_counts_hidden_and_protected_by_a_second_cell():
    table = suppress_table(_frame([["N", 3, 20, 30], ["Z", 10, 12, 40]]), ["a", "b", "c"], threshold=5)
    display = table.display()
    assert display.loc[0, "a"] == "afgeschermd"
    # a=3 alone in its row and column would be derivable: a second cell is hidden in each.
    assert table.hidden.loc[0, "b"]
    assert table.hidden.loc[1, "a"]
    _lines_are_safe(table, ["a", "b", "c"])
    assert display.loc[2, "wijk"] == TOTAL_LABEL


def test_zero_is_shown_and_large_counts_untouched():
    table = suppress_table(_frame([["N", 0, 20, 30], ["Z", 10, 12, 40]]), ["a", "b", "c"], threshold=5)
    assert table.hidden_count == 0
    assert table.display().loc[0, "a"] == "0"
    assert table.display().loc[2, TOTAL_LABEL] == "112"


def test_total_hidden_when_it_is_itself_small():
    table = suppress_table(_frame([["N", 1, 0, 2], ["Z", 10, 12, 40]]), ["a", "b", "c"], threshold=5)
    assert table.hidden.loc[0, TOTAL_LABEL]
    _lines_are_safe(table, ["a", "b", "c"])


@pytest.mark.parametrize("seed", range(40))
def test_random_tables_never_leave_a_lone_hidden_cell(seed):
    rng = np.random.default_rng(seed)
    counts = rng.choice([0, 1, 2, 3, 4, 6, 9, 15, 40, 120], size=(rng.integers(2, 9), 3))
    frame = pd.DataFrame(counts, columns=["a", "b", "c"]).assign(wijk="w")[["wijk", "a", "b", "c"]]
    table = suppress_table(frame, ["a", "b", "c"], threshold=5)
    visible = table.values[["a", "b", "c", TOTAL_LABEL]].to_numpy()
    hidden = table.hidden[["a", "b", "c", TOTAL_LABEL]].to_numpy()
    full = np.column_stack([counts, counts.sum(axis=1)])
    full = np.vstack([full, full.sum(axis=0)])
    # every primary small cell is hidden, and hidden values never leak into `values`
    assert (hidden[(full > 0) & (full < 5)]).all()
    assert np.isnan(visible[hidden]).all()
    _lines_are_safe(table, ["a", "b", "c"])


def test_threshold_comes_from_environment(monkeypatch):
    monkeypatch.setenv("KINDKAART_MIN_COUNT", "10")
    table = suppress_table(_frame([["N", 7, 20, 30], ["Z", 11, 12, 40]]), ["a", "b", "c"])
    assert table.display().loc[0, "a"] == "afgeschermd"


def test_estimates_are_rounded_not_hidden():
    frame = _frame([["N", 2.4, 130.2, 31.6], ["Z", 10.0, 12.0, 40.0]])
    table = protect_counts(frame, ["a", "b", "c"], estimate=True)
    assert table.hidden_count == 0
    assert table.values.loc[0, "a"] == 2
    assert table.values.loc[0, "b"] == 130
    assert round_estimate(132.6) == 135


def test_dutch_number_format():
    assert format_number(1234567) == "1.234.567"
    assert format_number(12.5, 1) == "12,5"
    assert format_number(float("nan")) == ""


@pytest.mark.parametrize("gap", [-0.4, -0.49, -0.5, -0.04, -0.0])
def test_a_figure_between_minus_one_and_zero_never_shows_as_minus_zero(gap):
    # A gap of -0,4 places rounds to 0: python keeps the sign ('-0'), which Continuum, Tekorten,
    # the slides, the report and the workbook showed as '-0'.
    import math
    import re

    from outputs import exports, plan
    from outputs.palette import class_labels
    from transforms.privacy import estimate_range, model_estimate_text, shown_estimate
    from ui.a11y import figure_text

    texts = [format_number(gap), format_number(gap / 10, 1), format_number(gap / 100, 2),
             model_estimate_text(gap), estimate_range(gap, 0.3), estimate_range(gap - 2, gap),
             figure_text(gap, False), plan.shown(gap, "children"), plan.shown(gap / 10, "fte"),
             *class_labels([gap, 3.0], [gap, 3.0])]
    assert not [text for text in texts if re.search(r"-0(,0+)?(?![,\d])", text)], texts
    assert estimate_range(gap - 2, gap) == "-2 tot 0"
    # the numbers behind charts and workbook cells: a positive zero (a cell of -0.0 reads '-0')
    numbers = [round_estimate(gap), shown_estimate(gap), plan.rounded(gap, "children"),
               plan.rounded(gap / 20, "fte"), plan.rounded(gap / 20, "other"), *exports._rounded(pd.Series([gap]))]
    assert [math.copysign(1, n) for n in numbers] == [1] * len(numbers), numbers
    # a real negative figure keeps its sign
    assert format_number(-1.4) == "-1" and round_estimate(-1.4) == -1 and format_number(-0.4, 1) == "-0,4"


# --- the line rule: zeros are shown, so a hidden cell is at least 1 ---------------------------

def _line_bounds_are_wide(counts, hidden, threshold=5):
    """In every row and column with a visible total, each hidden cell's bound from that line
    (its sum minus one for each other hidden cell) reaches the threshold."""
    for cells, mask in [*zip(counts, hidden, strict=True), *zip(counts.T, hidden.T, strict=True)]:
        if mask[-1] or not mask.any():
            continue
        k = int(mask[:-1].sum())
        assert cells[:-1][mask[:-1]].sum() - (k - 1) >= threshold, (cells, mask)


def test_k_ones_in_a_line_with_a_visible_total_get_more_hidden():
    # three wijken with 1 child each and a visible total of 3: each hidden 1 was recovered as 1
    # ('k hidden cells that add up to k'); a larger cell of the line is hidden with them
    counts, hidden = suppress_array(np.array([[1, 1, 1, 40], [20, 30, 25, 50]]), threshold=5)
    assert hidden[0, :3].all()
    assert hidden[0, 3] or hidden[0, 4]
    _line_bounds_are_wide(counts, hidden)


def test_two_hidden_cells_that_sum_to_little_get_a_third():
    # 2 and 2 hidden in a row whose total is visible: each is at most 3, below the threshold's
    # range, so the smallest visible cell (7) is hidden as well
    counts, hidden = suppress_array(np.array([[2, 2, 7, 90], [2, 2, 30, 60]]), threshold=5)
    assert hidden[0, 2] or hidden[0, 4]
    _line_bounds_are_wide(counts, hidden)


@pytest.mark.parametrize("seed", range(40))
def test_random_tables_leave_no_narrow_line(seed):
    rng = np.random.default_rng(seed)
    counts = rng.choice([0, 1, 1, 2, 3, 4, 6, 9, 15, 40], size=(rng.integers(2, 9), 4))
    full, hidden = suppress_array(counts, threshold=5)
    _line_bounds_are_wide(full, hidden)


# --- one table with all its margins (protect_cube) ---------------------------------------------

def test_cube_has_every_margin():
    rng = np.random.default_rng(1)
    cells = rng.integers(0, 30, size=(4, 3, 2)).astype(float)
    counts, hidden = protect_cube(cells[np.newaxis])
    assert counts.shape == (5, 4, 3)
    assert counts[:-1, :-1, :-1].tolist() == cells.tolist()
    assert counts[-1, :-1, :-1].tolist() == cells.sum(axis=0).tolist()  # gemeente x kind x age
    assert counts[:-1, -1, :-1].tolist() == cells.sum(axis=1).tolist()  # wijk x age
    assert counts[:-1, :-1, -1].tolist() == cells.sum(axis=2).tolist()  # wijk x kind
    assert counts[-1, -1, :-1].tolist() == cells.sum(axis=(0, 1)).tolist()  # per age
    assert counts[-1, :-1, -1].tolist() == cells.sum(axis=(0, 2)).tolist()  # per kind
    assert counts[:-1, -1, -1].tolist() == cells.sum(axis=(1, 2)).tolist()  # per wijk
    assert counts[-1, -1, -1] == cells.sum()


def _every_line(array):
    for axis in range(array.ndim):
        yield from np.moveaxis(array, axis, -1).reshape(-1, array.shape[axis])


def test_cube_margins_are_protected_with_the_cells():
    # the review's case: three wijken with one child each for a kind at 0-2, whose kind x age
    # margin (3) is also a cell of the kind's row over the age groups and of the age's column
    # over the kinds; a second 2-D protection of the kind x age table chose other cells
    cells = np.zeros((4, 3, 3))
    cells[:3, 0, 0] = 1  # kind 0, age 0: 1 in each of three wijken
    cells[:, 0, 1] = [3, 3, 2, 2]
    cells[:, 0, 2] = [20, 25, 22, 21]
    cells[:, 1, :] = [[6, 10, 30], [5, 8, 26], [7, 9, 31], [6, 12, 28]]
    cells[:, 2, :] = [[9, 11, 40], [8, 13, 35], [10, 7, 33], [12, 10, 30]]
    counts, hidden = protect_cube(cells[np.newaxis], threshold=5)
    assert hidden[:3, 0, 0].all() and hidden[-1, 0, 0]
    for line_counts, line_hidden in zip(_every_line(counts), _every_line(hidden), strict=True):
        assert line_hidden.sum() != 1
        if line_hidden.any() and not line_hidden[-1]:
            k = int(line_hidden.sum())
            assert line_counts[line_hidden].sum() >= k + 5 - 1
    low, high = bounds_from_margins(counts, hidden)
    assert not unsafe_bounds(counts, hidden, low, high, 5).any()
    # no hidden cell is pinned, and each small one may still be anything from 1 to 4
    small = hidden & (counts < 5)
    assert (high[hidden] > low[hidden]).all()
    assert (high[small] >= 4).all()


def test_bounds_from_margins_pins_what_an_attacker_pins():
    # the attacker's interval propagation itself: three hidden ones under a visible 3 are pinned
    counts = np.array([[1.0, 1.0, 1.0, 40.0, 43.0], [20.0, 30.0, 25.0, 50.0, 125.0],
                       [21.0, 31.0, 26.0, 90.0, 168.0]])
    hidden = (counts > 0) & (counts < 5)
    low, high = bounds_from_margins(counts, hidden)
    assert (low[0, :3] == 1).all() and (high[0, :3] == 1).all()
    assert unsafe_bounds(counts, hidden, low, high, 5)[0, :3].all()


@pytest.mark.parametrize("seed", range(30))
def test_random_cubes_leave_no_hidden_cell_narrowed(seed):
    rng = np.random.default_rng(seed)
    shape = (rng.integers(1, 3), rng.integers(2, 7), rng.integers(2, 5), rng.integers(2, 4))
    parts = rng.choice([0, 0, 1, 1, 2, 3, 5, 8, 20], size=shape).astype(float)
    counts, hidden = protect_cube(parts, threshold=5)
    assert (hidden[(counts > 0) & (counts < 5)]).all()
    low, high = bounds_from_margins(counts, hidden)
    assert not unsafe_bounds(counts, hidden, low, high, 5).any()
    small = hidden & (counts < 5)
    assert (high[small] >= 4).all() and (high[hidden] > low[hidden]).all()


@pytest.mark.parametrize("seed", range(20))
def test_a_one_dimensional_cube_is_protected_as_one_line(seed):
    # organisations x wijken only: the table is one line with its total (it raised before: the
    # one line sits at position (), which np.nonzero cannot give)
    rng = np.random.default_rng(seed)
    parts = rng.choice([0, 1, 2, 3, 8, 20, 40], size=(rng.integers(1, 4), rng.integers(2, 8)))
    counts, hidden = protect_cube(parts.astype(float), threshold=5)
    assert counts.tolist() == [*parts.sum(axis=0).tolist(), parts.sum()]
    assert hidden[(counts > 0) & (counts < 5)].all()
    assert hidden.sum() != 1
    low, high = bounds_from_margins(counts, hidden)
    assert not unsafe_bounds(counts, hidden, low, high, 5).any()


def test_the_line_rule_holds_for_a_table_with_column_totals_only():
    # one column with its gemeente total (Tekorten's BSO need): two ones and a visible total
    # pinned both at 1; the smallest other cell is hidden with them
    counts, hidden = suppress_array(np.array([[1], [1], [30], [12]]), threshold=5,
                                    row_totals=False)
    assert hidden[:2, 0].all() and hidden[3, 0]
    assert not hidden[-1, 0] and not hidden[2, 0]
    k = int(hidden[:-1, 0].sum())
    assert counts[:-1, 0][hidden[:-1, 0]].sum() - (k - 1) >= 5


def test_a_padding_organisation_sees_the_others_table_hidden_as_before():
    # An organisation knows its own share: padding every cell with 100 and subtracting would show
    # it the others' table. It must see that table hidden at least as before its upload, never a
    # second pattern to combine with the first (the second privacy review pinned 12 wijk cells so).
    rng = np.random.default_rng(7)
    for _ in range(25):
        others = rng.integers(0, 12, size=(6, 4, 3)).astype(float)
        others[rng.random(others.shape) < 0.3] = 0
        _, before = protect_cube(others[np.newaxis])
        _, after = protect_cube(np.stack([others, np.full(others.shape, 100.0)]))
        assert not (before & ~after).any()


@pytest.mark.parametrize("seed", range(25))
def test_a_school_named_in_anothers_upload_reads_no_small_count_of_the_others(seed):
    # One samenwerkingsverband delivers every row; each row names a school, which knows its own
    # pupils. Subtracting its share from what is shown, no school may read another's small
    # remainder, nor narrow a hidden one (protect_cube's knowers)
    rng = np.random.default_rng(seed)
    schools = rng.choice([0, 0, 1, 2, 3, 4, 6, 9], size=(3, rng.integers(3, 8), 2, 2)).astype(float)
    counts, hidden = protect_cube(schools.sum(axis=0)[np.newaxis], threshold=5, knowers=schools)
    for share in schools:
        for axis in range(1, share.ndim + 1):
            share = np.concatenate([share, share.sum(axis=axis - 1, keepdims=True)], axis=axis - 1)
        others = counts - share
        assert hidden[(others > 0) & (others < 5)].all()
        low, high = bounds_seen_by(counts, hidden, share)
        narrowed = unsafe_bounds(others, hidden & (others > 0), low, high, 5)
        assert not narrowed.any()


def _beside_the_cube(parts, threshold=5):
    """A signal table wijk x status (protect_cube) and a crosstab soort x status of the same
    children protected beside it (protect_beside), from parts organisations x wijk x soort x
    status."""
    cube_counts, cube_hidden = protect_cube(parts.sum(axis=2), threshold=threshold)
    low, high = bounds_from_margins(cube_counts, cube_hidden)
    views = []
    for share in parts.sum(axis=2):
        share = np.vstack([share, share.sum(axis=0)])
        share = np.column_stack([share, share.sum(axis=1)])
        view_low, view_high = bounds_seen_by(cube_counts, cube_hidden, share)
        views.append((view_low[-1], view_high[-1]))
    counts, hidden, breakdown = protect_beside(parts.sum(axis=1), cube_hidden[-1], low[-1],
                                               high[-1], views, threshold=threshold)
    return (cube_counts, cube_hidden), (counts, hidden), breakdown


def test_beside_a_table_the_shared_totals_are_its_own():
    # wijk x status: the thuiszitters' total 6 is shown by the signal; in the crosstab its only
    # soort would stand alone beside the 1 pupil of that soort: no breakdown is safe, only the
    # totals row, the signal's own
    parts = np.zeros((1, 2, 2, 2))
    parts[0, 0, 0, 0] = parts[0, 1, 0, 0] = 20  # sbo pupils in two wijken
    parts[0, 0, 1, 0], parts[0, 0, 1, 1] = 1, 6  # cluster 1: 1 pupil, 6 thuiszitters
    (cube_counts, cube_hidden), (counts, hidden), breakdown = _beside_the_cube(parts)
    assert not cube_hidden[-1].any()
    assert (counts[-1] == cube_counts[-1]).all() and not hidden[-1].any()
    assert not breakdown and hidden[:-1].all()
    # with more thuiszitters in a second soort the breakdown stands, hidden where needed
    parts[0, 1, 0, 1] = 7
    (cube_counts, cube_hidden), (counts, hidden), breakdown = _beside_the_cube(parts)
    assert breakdown and (counts[-1] == cube_counts[-1]).all()
    assert (hidden[-1] == cube_hidden[-1]).all() and hidden[1, 0]


@pytest.mark.parametrize("seed", range(30))
def test_random_crosstabs_beside_a_table_narrow_nothing_together(seed):
    """Both tables solved together by the attacker (interval propagation over each, the shared
    status totals exchanged until nothing changes) narrow no hidden cell of either."""
    rng = np.random.default_rng(seed)
    shape = (rng.integers(1, 3), rng.integers(2, 6), rng.integers(2, 5), rng.integers(2, 4))
    parts = rng.choice([0, 0, 1, 1, 2, 3, 5, 8, 20], size=shape).astype(float)
    (cube_counts, cube_hidden), (counts, hidden), breakdown = _beside_the_cube(parts)
    assert (counts[-1] == cube_counts[-1]).all() and (hidden[-1] == cube_hidden[-1]).all()
    assert hidden[(counts > 0) & (counts < 5)].all()
    tables = [(cube_counts, cube_hidden), *([(counts, hidden)] if breakdown else [])]
    bounds = [[np.where(h, 1.0, c), np.where(h, np.inf, c)] for c, h in tables]
    for _ in range(100):
        before = [b.copy() for pair in bounds for b in pair]
        for (c, h), pair in zip(tables, bounds, strict=True):
            pair[:] = bounds_from_margins(c, h, low=pair[0], high=pair[1])
        if len(bounds) == 2:  # the shared totals: what either says holds for both
            low = np.maximum(bounds[0][0][-1], bounds[1][0][-1])
            high = np.minimum(bounds[0][1][-1], bounds[1][1][-1])
            for pair in bounds:
                pair[0][-1], pair[1][-1] = low, high
        if all((a == b).all() for a, b in zip(before, [b for pair in bounds for b in pair],
                                               strict=True)):
            break
    for (c, h), (low, high) in zip(tables, bounds, strict=True):
        assert not unsafe_bounds(c, h, low, high, 5).any(), seed
