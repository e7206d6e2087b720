"""The first version of a table with all its margins, attacked exactly: what every equation the
table publishes says of each hidden cell, found by a small exact search (no interval shortcut),
in random dense tables (wijk x age, wijk x kind x age), must leave it the interval the rule asks."""

import numpy as np
import pytest

from transforms.privacy import (
    bounds_from_margins,
    linear_bounds,
    protect_beside,
    protect_cube,
    unsafe_bounds,
)


def _equations(shape: tuple[int, ...]) -> list[tuple[list[int], int]]:
    # every line of a table with a total at the last index of every axis: (its cells, its total),
    # as flat indices
    index = np.arange(int(np.prod(shape))).reshape(shape)
    equations = []
    for axis, n in enumerate(shape):
        moved = np.moveaxis(index, axis, -1).reshape(-1, n)
        equations += [([int(i) for i in line[:-1]], int(line[-1])) for line in moved]
    return equations

def _propagate(low: list[int], high: list[int], equations) -> bool:
    # narrows low/high in place to what the equations allow; False when nothing is left
    changed = True
    while changed:
        changed = False
        for cells, total in equations:
            sum_low = sum(low[c] for c in cells)
            sum_high = sum(high[c] for c in cells)
            new = (max(low[total], sum_low), min(high[total], sum_high))
            if new != (low[total], high[total]):
                low[total], high[total] = new
                changed = True
            if low[total] > high[total]:
                return False
            for c in cells:
                new = (max(low[c], low[total] - (sum_high - high[c])),
                       min(high[c], high[total] - (sum_low - low[c])))
                if new != (low[c], high[c]):
                    sum_low += new[0] - low[c]
                    sum_high += new[1] - high[c]
                    low[c], high[c] = new
                    changed = True
                if low[c] > high[c]:
                    return False
    return True

def _feasible(low: list[int], high: list[int], equations) -> bool:
    # whether whole numbers within low..high satisfy every equation (propagate, then split the
    # narrowest domain not yet one value in two and search both halves)
    low, high = list(low), list(high)
    if not _propagate(low, high, equations):
        return False
    open_domains = [i for i in range(len(low)) if high[i] > low[i]]
    if not open_domains:
        return True
    widest = min(open_domains, key=lambda i: high[i] - low[i])
    middle = (low[widest] + high[widest]) // 2
    left_high = list(high)
    left_high[widest] = middle
    right_low = list(low)
    right_low[widest] = middle + 1
    return _feasible(low, left_high, equations) or _feasible(right_low, high, equations)

def _exact_bounds(counts: np.ndarray, hidden: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The exact least and greatest value of every figure over all whole-number tables that show
    what this one shows (0 is shown, so a hidden figure is at least 1). Every figure is searched
    up to a ceiling above the largest count (a hidden grand total could be more): the ceiling
    only leaves tables out, so the bounds found are no wider than an attacker's, never a false
    pass."""
    low, high = _exact_bounds_of(counts.reshape(-1), hidden.reshape(-1), _equations(counts.shape))
    return low.reshape(counts.shape), high.reshape(counts.shape)

def _exact_bounds_of(flat: np.ndarray, flat_hidden: np.ndarray, equations
                     ) -> tuple[np.ndarray, np.ndarray]:
    # _exact_bounds of figures that are no one table: a flat vector and its equations (cells,
    # total) as flat indices (two tables that share their totals: the shared figures once)
    ceiling = int(2 * flat.max()) + 20
    low = [1 if h else int(v) for v, h in zip(flat, flat_hidden, strict=True)]
    high = [ceiling if h else int(v) for v, h in zip(flat, flat_hidden, strict=True)]
    assert _feasible(low, high, equations)  # the table itself
    exact_low, exact_high = np.array(flat, dtype=float), np.array(flat, dtype=float)
    for i in np.flatnonzero(flat_hidden):
        def fits(lo, hi, i=i):
            bounded_low, bounded_high = list(low), list(high)
            bounded_low[i], bounded_high[i] = lo, hi
            return _feasible(bounded_low, bounded_high, equations)
        lo, hi = 1, int(flat[i])  # the least value: at most the true one
        while lo < hi:
            middle = (lo + hi) // 2
            lo, hi = (lo, middle) if fits(1, middle) else (middle + 1, hi)
        exact_low[i] = lo
        lo, hi = int(flat[i]), ceiling  # the greatest value: at least the true one
        while lo < hi:
            middle = (lo + hi + 1) // 2
            lo, hi = (middle, hi) if fits(middle, ceiling) else (lo, middle - 1)
        exact_high[i] = lo
    return exact_low, exact_high

def test_the_exact_attacker_pins_what_the_equations_pin():
    # three hidden ones under a visible 3 (and their column totals hidden with them): pinned at 1
    counts = np.array([[1.0, 1.0, 1.0, 40.0, 43.0], [20.0, 30.0, 25.0, 50.0, 125.0],
                       [21.0, 31.0, 26.0, 90.0, 168.0]])
    hidden = (counts > 0) & (counts < 5)
    low, high = _exact_bounds(counts, hidden)
    assert low[0, :3].tolist() == [1, 1, 1] and high[0, :3].tolist() == [1, 1, 1]
    # a 2 x 2 block hidden in a larger table: each cell moves with the others over a range
    counts = np.array([[2.0, 3.0, 10.0, 15.0], [4.0, 6.0, 12.0, 22.0], [6.0, 9.0, 22.0, 37.0]])
    hidden = np.zeros(counts.shape, dtype=bool)
    hidden[:2, :2] = True
    low, high = _exact_bounds(counts, hidden)
    # a + b = 5, a + c = 6, b + d = 9: a from 1 to 4 (b at least 1), d = 4 + a
    assert (low[0, 0], high[0, 0]) == (1, 4) and (low[1, 1], high[1, 1]) == (5, 8)

def test_a_bound_through_a_chain_of_hidden_lines_is_widened_elsewhere():
    # wijk x kind x age: Zuid's 2 at kind 0, age 0 was told from 1 (at least 2) through the
    # lines of other hidden cells, while every line through it was hidden already: the audit
    # gave up. It now hides a cell in the lines of the hidden cells that bound it
    cells = np.array([[[4, 1, 12], [0, 2, 1]], [[4, 3, 1], [0, 6, 1]],
                      [[2, 20, 4], [12, 9, 1]]], dtype=float)
    counts, hidden = protect_cube(cells[np.newaxis], threshold=5)
    assert hidden[2, 0, 0]
    low, high = bounds_from_margins(counts, hidden)
    assert not unsafe_bounds(counts, hidden, low, high, 5).any()
    exact_low, exact_high = _exact_bounds(counts, hidden)
    assert not unsafe_bounds(counts, hidden, exact_low, exact_high, 5).any()
    assert exact_low[2, 0, 0] == 1


# wijk x age, as protected when the audit took one line at a time: the shown row totals (25 and
# 21) and the grand total (62) tell that the two hidden row totals add up to 16, and the first
# column that its two hidden cells add up to 12; written out in their rows, the other three hidden
# cells of those rows (2, 1 and 1) add up to 4: each is 1 or 2
LINE_BY_LINE = np.array([[3, 0, 1, 4], [9, 2, 1, 12], [12, 4, 9, 25], [9, 6, 6, 21],
                         [33, 12, 17, 62]], dtype=float)
LINE_BY_LINE_HIDDEN = np.array([[1, 0, 1, 1], [1, 1, 1, 1], [0, 1, 1, 0], [0, 1, 1, 0],
                                [0, 0, 0, 0]], dtype=bool)


def test_all_lines_together_tell_more_than_one_line_at_a_time():
    low, high = bounds_from_margins(LINE_BY_LINE, LINE_BY_LINE_HIDDEN)
    assert not unsafe_bounds(LINE_BY_LINE, LINE_BY_LINE_HIDDEN, low, high, 5).any()
    low, high = linear_bounds(LINE_BY_LINE, LINE_BY_LINE_HIDDEN)
    exact_low, exact_high = _exact_bounds(LINE_BY_LINE, LINE_BY_LINE_HIDDEN)
    assert (low == exact_low).all() and (high == exact_high).all()
    assert [(low[cell], high[cell]) for cell in ((0, 2), (1, 1), (1, 2))] == [(1, 2)] * 3
    assert unsafe_bounds(LINE_BY_LINE, LINE_BY_LINE_HIDDEN, low, high, 5)[[0, 1, 1], [2, 1, 2]].all()


def test_the_audit_solves_all_lines_together():
    counts, hidden = protect_cube(LINE_BY_LINE[np.newaxis, :-1, :-1], threshold=5)
    assert (hidden | ~LINE_BY_LINE_HIDDEN).all() and (hidden & ~LINE_BY_LINE_HIDDEN).any()  # and more
    exact_low, exact_high = _exact_bounds(counts, hidden)
    assert not unsafe_bounds(counts, hidden, exact_low, exact_high, 5).any()


def test_a_cell_narrowed_by_all_lines_together_costs_one_more_hidden_cell():
    # the sample's vve-indicaties of toddlers (wijk x criterion: SES, sociaal-emotioneel,
    # taal/spraak): the shown wijk totals and criterion totals told that SES and
    # sociaal-emotioneel of Oude Haven and Kerkebuurt (the second and sixth wijk) added up to 6.
    # Hiding De Horst's taal/spraak (5) undoes it; widening along their own lines hid all of
    # SES and sociaal-emotioneel with their totals (24 more cells)
    ses = [6, 2, 6, 18, 4, 2, 0, 5, 21, 19]
    sociaal_emotioneel = [3, 1, 3, 10, 2, 1, 0, 3, 12, 11]
    taal_spraak = [7, 3, 7, 23, 5, 3, 0, 6, 27, 25]
    cells = np.array([ses, sociaal_emotioneel, taal_spraak], dtype=float).T[:, :, np.newaxis]
    counts, hidden = protect_cube(cells[np.newaxis], threshold=5)
    assert hidden[4, 2, 0]
    assert not hidden[3, :, 0].any() and not hidden[8:, :, 0].any()  # shown as before
    assert not hidden[-1, :, 0].any()  # and the criterion totals
    low, high = linear_bounds(counts, hidden)
    assert not unsafe_bounds(counts, hidden, low, high, 5).any()


def test_a_table_of_small_counts_only_ends_with_everything_hidden():
    counts, hidden = protect_cube(np.ones((1, 2, 2, 2)), threshold=5)
    assert hidden.all()
    exact_low, exact_high = _exact_bounds(counts, hidden)
    assert not unsafe_bounds(counts, hidden, exact_low, exact_high, 5).any()


SHAPES = [(4, 3), (5, 3), (3, 2, 3), (4, 2, 3), (3, 3, 2)]

@pytest.mark.parametrize("threshold", [5, 10])
@pytest.mark.parametrize("shape", SHAPES, ids=lambda shape: "x".join(map(str, shape)))
@pytest.mark.parametrize("seed", range(8))
def test_no_attacker_narrows_a_hidden_cell_of_a_random_dense_table(threshold, shape, seed):
    rng = np.random.default_rng([threshold, *shape, seed])
    cells = rng.choice([0, 1, 2, 3, 4, 6, 9, 12, 20], size=shape).astype(float)
    counts, hidden = protect_cube(cells[np.newaxis], threshold=threshold)
    assert hidden[(counts > 0) & (counts < threshold)].all()
    low, high = bounds_from_margins(counts, hidden)
    assert not unsafe_bounds(counts, hidden, low, high, threshold).any()
    exact_low, exact_high = _exact_bounds(counts, hidden)
    unsafe = unsafe_bounds(counts, hidden, exact_low, exact_high, threshold)
    assert not unsafe.any(), [(tuple(map(int, cell)), counts[cell], exact_low[cell], exact_high[cell])
                              for cell in zip(*np.nonzero(unsafe), strict=True)]


def test_a_table_protected_beside_another_solves_all_lines_together():
    # LINE_BY_LINE's cells as a crosstab whose column totals another table shows
    # (protect_beside): one line at a time it was left as LINE_BY_LINE_HIDDEN, three cells 1..2
    cells, totals = LINE_BY_LINE[:-1, :-1], LINE_BY_LINE[-1]
    counts, hidden, breakdown = protect_beside(cells[np.newaxis], np.zeros(4, dtype=bool), totals,
                                               totals, threshold=5)
    assert breakdown and (hidden | ~LINE_BY_LINE_HIDDEN).all()
    assert (hidden & ~LINE_BY_LINE_HIDDEN).any() and not hidden[-1].any()
    exact_low, exact_high = _exact_bounds(counts, hidden)
    assert not unsafe_bounds(counts, hidden, exact_low, exact_high, 5).any()


def test_linear_bounds_keep_a_hidden_figure_under_its_cap():
    # one row of two cells, all hidden with its totals: unbounded; the grand total capped at 6
    # by another table: each cell 1..5, the total 2..6
    counts = np.array([[2.0, 4.0, 6.0], [2.0, 4.0, 6.0]])
    hidden = np.ones(counts.shape, dtype=bool)
    low, high = linear_bounds(counts, hidden)
    assert (high == np.inf).all()
    cap = np.full(counts.shape, np.inf)
    cap[-1, -1] = 6
    low, high = linear_bounds(counts, hidden, high=cap)
    assert low[0].tolist() == [1, 1, 2] and high[0].tolist() == [5, 5, 6]


@pytest.mark.parametrize("seed", range(6))
def test_linear_bounds_asked_only_enough_decide_the_same_cells(seed):
    # the audit asks linear_bounds only as much as unsafe_bounds needs (`enough`): a cell is
    # exact where it is unsafe, and elsewhere a part of its exact interval that is already wide
    # enough; on tables with many hidden cells, cut from random cubes, it decides every cell
    # as the full program does, and skips most programs
    from transforms import privacy

    rng = np.random.default_rng(seed)
    parts = rng.poisson(rng.choice([2, 4, 6]), size=(2, rng.integers(6, 14), 4, 3)).astype(float)
    counts, hidden = protect_cube(parts, threshold=5)
    secondary = hidden & ((counts == 0) | (counts >= 5))
    hidden &= ~(secondary & (rng.random(counts.shape) < 0.3))  # less than it hides: some unsafe
    low, high = linear_bounds(counts, hidden)
    exact = unsafe_bounds(counts, hidden, low, high, 5)
    solved = []
    minimise = privacy._minimise
    privacy._minimise = lambda *args, **kwargs: solved.append(1) or minimise(*args, **kwargs)
    try:
        enough_low, enough_high = linear_bounds(
            counts, hidden, enough=lambda lo, hi: ~unsafe_bounds(counts, hidden, lo, hi, 5))
    finally:
        privacy._minimise = minimise
    assert exact.any() and (~exact & hidden).any()
    assert (unsafe_bounds(counts, hidden, enough_low, enough_high, 5) == exact).all()
    assert (enough_low[exact] == low[exact]).all() and (enough_high[exact] == high[exact]).all()
    assert (enough_low >= low).all() and (enough_high <= high).all()
    assert len(solved) < hidden.sum()  # two programs per hidden cell without `enough`


def test_trying_cells_a_group_at_a_time_hides_the_same_cell_as_one_by_one(monkeypatch):
    # _widen_solved passes over a group of candidates when hiding them all together leaves as
    # many cells unsafe as the best so far: random cubes where only all lines solved together
    # narrowed a cell end with the same pattern as trying every cell alone, in fewer programs
    from transforms import privacy

    audits = []
    linear = privacy.linear_bounds
    monkeypatch.setattr(privacy, "linear_bounds",
                        lambda *args, **kwargs: audits.append(1) or linear(*args, **kwargs))
    patterns, programs = {}, {}
    for group in (1, privacy._WIDEN_GROUP):
        monkeypatch.setattr(privacy, "_WIDEN_GROUP", group)
        audits.clear()
        for wijken, seed in [(6, 7), (10, 4), (10, 6), (12, 0), (12, 6)]:
            rng = np.random.default_rng([wijken, seed])
            kinds, mean = int(rng.integers(3, 7)), float(rng.choice([2, 4, 6]))
            parts = rng.poisson(mean, size=(2, wijken, kinds, 3)).astype(float)
            patterns[group, wijken, seed] = protect_cube(parts, threshold=5)[1]
        programs[group] = len(audits)
    for (_, wijken, seed), hidden in patterns.items():
        assert (hidden == patterns[1, wijken, seed]).all(), (wijken, seed)
    assert programs[privacy._WIDEN_GROUP] < programs[1]


def test_the_simplex_does_not_cycle_on_a_degenerate_program():
    # Beale's example: the most negative reduced cost with the lowest leaving index cycles
    # through six bases forever; after privacy._STALLED steps without gain the first column
    # enters (Bland's rule) and the least value, -5/4, is reached
    from transforms import privacy

    rows = np.array([[1, 0, 0, 0.25, -8, -1, 9], [0, 1, 0, 0.5, -12, -0.5, 3],
                     [0, 0, 1, 0, 0, 1, 0]])
    tableau = np.hstack([rows, np.array([[0.0], [0.0], [1.0]])])
    objective = np.array([0, 0, 0, -0.75, 20, -0.5, 6])
    assert privacy._minimise(tableau, np.array([0, 1, 2]), objective) == pytest.approx(-1.25)


def _beside(cube_counts: np.ndarray, cube_hidden: np.ndarray, counts: np.ndarray,
            hidden: np.ndarray, shared: list[int]):
    # a signal's table (with all its margins) and a crosstab (soorten x statuses with their
    # totals) whose total row is the signal's figures at the flat indices `shared`: the figures
    # once, flat (the signal's, then the crosstab's rows above its total row), and every line of
    # both as equations
    n_columns, n_soorten = counts.shape[1], counts.shape[0] - 1
    equations = _equations(cube_counts.shape)

    def x(t, k):  # a figure of the crosstab
        return shared[k] if t == n_soorten else cube_counts.size + t * n_columns + k

    for t in range(n_soorten):
        equations.append(([x(t, k) for k in range(n_columns - 1)], x(t, n_columns - 1)))
    for k in range(n_columns):
        equations.append(([x(t, k) for t in range(n_soorten)], x(n_soorten, k)))
    flat = np.concatenate([cube_counts.reshape(-1), counts[:-1].reshape(-1)])
    flat_hidden = np.concatenate([cube_hidden.reshape(-1), hidden[:-1].reshape(-1)])
    return flat, flat_hidden, equations


def _unsafe_beside(cube_counts: np.ndarray, cube_hidden: np.ndarray, counts: np.ndarray,
                   hidden: np.ndarray, shared: list[int], threshold: int) -> np.ndarray:
    """The exact attacker of both tables together: the crosstab's hidden cells it narrows below
    the rule; and it may narrow no figure of the signal's table more than that table alone."""
    flat, flat_hidden, equations = _beside(cube_counts, cube_hidden, counts, hidden, shared)
    exact_low, exact_high = _exact_bounds_of(flat, flat_hidden, equations)
    cube_low, cube_high = _exact_bounds(cube_counts, cube_hidden)
    assert (exact_low[:cube_counts.size] == cube_low.reshape(-1)).all()
    assert (exact_high[:cube_counts.size] == cube_high.reshape(-1)).all()
    crosstab_low = np.vstack([exact_low[cube_counts.size:].reshape(-1, counts.shape[1]),
                              exact_low[shared][np.newaxis]])
    crosstab_high = np.vstack([exact_high[cube_counts.size:].reshape(-1, counts.shape[1]),
                               exact_high[shared][np.newaxis]])
    unsafe = unsafe_bounds(counts, hidden, crosstab_low, crosstab_high, threshold)
    unsafe[-1] = False  # the signal's own figures, above
    return unsafe


@pytest.mark.parametrize("threshold", [5, 10])
@pytest.mark.parametrize("shape", [(4, 3), (5, 3), (5, 4), (6, 3), (6, 1), (1, 4)],
                         ids=lambda shape: "x".join(map(str, shape)))
@pytest.mark.parametrize("seed", range(8))
def test_no_attacker_narrows_a_hidden_cell_beside_another_table(threshold, shape, seed):
    # a random dense crosstab soort x status beside a signal's table wijk x status of the same
    # children (two wijken): both solved together by the exact attacker narrow no hidden cell of
    # the crosstab, and no cell of the signal's table more than that table alone does
    rng = np.random.default_rng([threshold, *shape, seed, 1])
    cells = rng.choice([0, 1, 2, 3, 4, 6, 9, 12, 20], size=shape).astype(float)
    in_first = np.minimum(cells, rng.integers(0, 21, size=shape))
    wijken = np.stack([in_first.sum(axis=0), (cells - in_first).sum(axis=0)])
    cube_counts, cube_hidden = protect_cube(wijken[np.newaxis], threshold=threshold)
    low, high = bounds_from_margins(cube_counts, cube_hidden)
    counts, hidden, breakdown = protect_beside(cells[np.newaxis], cube_hidden[-1], low[-1],
                                               high[-1], threshold=threshold)
    assert (counts[-1] == cube_counts[-1]).all() and (hidden[-1] == cube_hidden[-1]).all()
    if not breakdown:
        return
    shared = [int(i) for i in np.ravel_multi_index(
        (np.full(counts.shape[1], -1) % cube_counts.shape[0], np.arange(counts.shape[1])),
        cube_counts.shape)]
    unsafe = _unsafe_beside(cube_counts, cube_hidden, counts, hidden, shared, threshold)
    assert not unsafe.any(), [(tuple(map(int, cell)), counts[cell])
                              for cell in zip(*np.nonzero(unsafe), strict=True)]


def test_the_samples_so_crosstab_beside_its_signal_narrows_nothing(sample_con):
    # Analysevragen row 5 of the sample (pupils per soort and status, protected beside the
    # signal speciaal_onderwijs: wijk x status x age) against the exact attacker of both tables,
    # as the build protected it (beside_protection_by_gemeente: the counts behind hidden cells)
    from data_sources.config import min_count
    from transforms.analysis import SO_TYPE, _signal_rows, so_by_type_and_status
    from transforms.partner_tables import joint_cube

    cube = joint_cube(*_signal_rows(sample_con, "GM9999", 2024, SO_TYPE))
    rows = sample_con.execute(
        "select soort, signal_kind, children_count, hidden from beside_protection_by_gemeente"
        " where gemeente_code = 'GM9999' and year = 2024 and table_key = ?", [SO_TYPE]).df()
    soorten = sorted(set(rows["soort"]) - {"Totaal"}) + ["Totaal"]
    kinds = sorted(set(rows["signal_kind"]) - {"Totaal"}) + ["Totaal"]
    table = rows.pivot(index="soort", columns="signal_kind").loc[soorten]
    counts = table["children_count"][kinds].to_numpy(dtype=float)
    hidden = table["hidden"][kinds].to_numpy(dtype=bool)
    assert hidden[:-1].any() and len(soorten) > 2  # a breakdown with hidden cells to attack
    shown = so_by_type_and_status(sample_con, "GM9999", 2024)  # what Analysevragen shows
    assert shown.hidden[shown.value_columns].to_numpy().sum() == hidden.sum()
    shared = [int(np.ravel_multi_index(
        (-1 % cube.counts.shape[0], cube.kinds.index(kind) if kind != "Totaal" else -1
         % cube.counts.shape[1], -1 % cube.counts.shape[2]), cube.counts.shape)) for kind in kinds]
    assert (counts[-1] == cube.counts.reshape(-1)[shared]).all()
    assert not _unsafe_beside(cube.counts, cube.hidden, counts, hidden, shared, min_count()).any()


def _city_table(seed: int) -> tuple[np.ndarray, int]:
    # a partner table of a city of 60-100 wijken, wijk x kind x age, mostly larger counts
    rng = np.random.default_rng([seed, 9])
    wijken, kinds = int(rng.integers(60, 100)), int(rng.integers(4, 7))
    threshold = int(rng.choice([5, 10]))
    parts = rng.choice([0, 1, 2, 3, 4, 6, 9, 12, 20, 30, 50], size=(1, wijken, kinds, 3),
                       p=[.1, .06, .06, .05, .05, .1, .12, .14, .14, .1, .08]).astype(float)
    return parts, threshold


@pytest.mark.parametrize("seed", [3, 14])
def test_a_table_with_many_hidden_cells_is_safe_against_all_lines_solved_together(monkeypatch, seed):
    # 700-1,000 hidden cells. Up to session 27 a table of more than 400 was audited one line at a
    # time (all lines together took 12 s): in these two an attacker who solves all lines together
    # narrowed 2 and 3 hidden cells. Box proofs (cube_reach) now settle nearly every cell without a
    # program, and an unsafe one gets a box of hidden cells (_widen_by_boxes)
    from transforms import privacy

    parts, threshold = _city_table(seed)
    boxes, real_boxes = [], privacy._widen_by_boxes
    monkeypatch.setattr(privacy, "_widen_by_boxes", lambda *args: boxes.append(1) or real_boxes(*args))
    monkeypatch.setattr(privacy, "_widen_solved", None)  # trying cells with programs: minutes
    counts, hidden = protect_cube(parts, threshold=threshold)
    assert hidden.sum() > 700 and boxes
    low, high = linear_bounds(counts, hidden)
    assert not unsafe_bounds(counts, hidden, low, high, threshold).any()

    def line_by_line(counts, hidden, threshold, cells=None):
        return np.zeros(counts.shape, dtype=bool)

    monkeypatch.setattr(privacy, "solved_unsafe", line_by_line)
    old_counts, old_hidden = protect_cube(parts, threshold=threshold)
    low, high = linear_bounds(old_counts, old_hidden)
    assert unsafe_bounds(old_counts, old_hidden, low, high, threshold).sum() in (2, 3)
    assert (hidden >= old_hidden).all() and hidden.sum() - old_hidden.sum() <= 5  # a few more


@pytest.mark.parametrize("seed", range(40))
def test_box_proofs_lie_inside_the_exact_bounds_and_the_audit_decides_as_all_programs(seed):
    # cube_reach's boxes are tables an attacker cannot rule out: never wider than linear_bounds.
    # solved_unsafe, which solves programs only for cells without a box proof, finds exactly the
    # cells that solving every cell finds (random tables with random extra hidden cells)
    from transforms.privacy import cube_reach, solved_unsafe

    rng = np.random.default_rng([seed, 5])
    shape = tuple(int(n) for n in rng.integers(2, 6, size=int(rng.integers(2, 4))))
    counts = rng.choice([0, 1, 2, 3, 4, 6, 9, 12], size=shape).astype(float)
    for axis in range(counts.ndim):
        counts = np.concatenate([counts, counts.sum(axis=axis, keepdims=True)], axis=axis)
    hidden = ((counts > 0) & (counts < 5)) | ((rng.random(counts.shape) < 0.3) & (counts > 0))
    low, high = linear_bounds(counts, hidden)
    up, down = cube_reach(counts, hidden)
    assert ((counts + up <= high + 1e-9) & (counts - down >= low - 1e-9))[hidden].all()
    assert (solved_unsafe(counts, hidden, 5) == unsafe_bounds(counts, hidden, low, high, 5)).all()


def test_a_box_moves_the_table_without_changing_a_shown_figure():
    # the box of (0,0) and (1,2) in a 2x3 table with its totals: +t at (0,0) and (1,2), -t at
    # (0,2) and (1,0), so every line adds up; with a total in the box, a cell and its total move
    # together (the same sign)
    from transforms.privacy import cube_reach

    counts = np.array([[3.0, 9.0, 2.0, 14.0], [4.0, 9.0, 3.0, 16.0], [7.0, 18.0, 5.0, 30.0]])
    hidden = np.zeros(counts.shape, dtype=bool)
    hidden[np.ix_([0, 1], [0, 2])] = True
    up, down = cube_reach(counts, hidden)
    # up: until (0,2) = 2 or (1,0) = 4 reaches 1; down: until (0,0) = 3 or (1,2) = 3 does
    assert (up[0, 0], down[0, 0]) == (1.0, 2.0)
    low, high = linear_bounds(counts, hidden)
    assert (low[0, 0], high[0, 0]) == (1.0, 4.0)
    # with its row total, its column total and the grand total: (0,0) rises with all three freely
    hidden[0, 3] = hidden[2, 0] = hidden[2, 3] = True
    up, _ = cube_reach(counts, hidden)
    assert up[0, 0] == up[2, 3] == np.inf
    assert linear_bounds(counts, hidden)[1][0, 0] == np.inf


def test_a_chain_of_hidden_cells_searched_in_vain_is_not_searched_again(monkeypatch):
    # every shown cell is known from a version before (fixed): nothing can be hidden for the
    # narrowed cells, and one search of their chain says so for all of them (a national table of
    # 1,700 hidden cells of which 166 were narrowed searched the same chain 166 times: 19 s)
    from transforms import privacy

    counts = np.arange(1.0, 31.0).reshape(5, 6)
    hidden = np.zeros(counts.shape, dtype=bool)
    hidden[:3, :4] = True
    searches = []
    real = privacy._nearest_to_hide
    monkeypatch.setattr(privacy, "_nearest_to_hide",
                        lambda *args: searches.append(args[4]) or real(*args))
    assert not privacy._widen(counts, hidden, hidden.copy(), fixed=~hidden)
    assert searches.count(False) == 12 and searches.count(True) == 1
    assert hidden.sum() == 12


def _random_table(rng, threshold: int) -> tuple[np.ndarray, np.ndarray]:
    # a table of 4-9 wijken (the longest axis) by 2-4 kinds (and 2-3 ages), with its margins and
    # small counts hidden, plus random other hidden cells
    shape = (int(rng.integers(4, 10)),) + tuple(int(n) for n in rng.integers(2, 5, size=int(
        rng.integers(1, 3))))
    counts = rng.choice([0, 1, 2, 3, 4, 6, 9, 12], size=shape).astype(float)
    for axis in range(counts.ndim):
        counts = np.concatenate([counts, counts.sum(axis=axis, keepdims=True)], axis=axis)
    hidden = (((counts > 0) & (counts < threshold))
              | ((rng.random(counts.shape) < 0.35) & (counts > 0)))
    return counts, hidden


@pytest.mark.parametrize("seed", range(40))
def test_small_tables_around_a_cell_decide_as_the_whole_table(monkeypatch, seed):
    # _decided_nearby: a cell the small table with the other wijken fixed leaves wide enough is
    # wide enough in the whole table; a cell the small table with the others lumped narrows is
    # narrowed there. Never the other way round, whatever the neighbourhood
    from transforms import privacy

    rng = np.random.default_rng([seed, 29])
    threshold = int(rng.choice([5, 10]))
    counts, hidden = _random_table(rng, threshold)
    monkeypatch.setattr(privacy, "NEARBY_SIZES", (1, 2, 3))
    unsafe = unsafe_bounds(counts, hidden, *linear_bounds(counts, hidden), threshold)
    safe, narrowed = privacy._decided_nearby(counts, hidden, threshold, hidden)
    assert not (safe & unsafe).any() and not (narrowed & ~unsafe).any()
    assert not (safe & narrowed).any() and not ((safe | narrowed) & ~hidden).any()


def test_small_tables_around_the_cells_decide_most_of_them():
    # over the random tables above, the small tables decide most hidden cells (the test above
    # would pass if they decided none)
    from transforms import privacy

    decided = asked = narrowed = 0
    for seed in range(40):
        rng = np.random.default_rng([seed, 29])
        threshold = int(rng.choice([5, 10]))
        counts, hidden = _random_table(rng, threshold)
        safe, unsafe = privacy._decided_nearby(counts, hidden, threshold, hidden)
        decided += int((safe | unsafe).sum())
        narrowed += int(unsafe.sum())
        asked += int(hidden.sum())
    assert decided > 0.6 * asked and narrowed > 0


def test_a_box_across_two_wijken_is_seen_once_both_are_in_the_small_table(monkeypatch):
    # wijk 0 and 1 share a box of hidden cells (ages 0 and 1): alone, with wijk 1 fixed at its
    # counts, wijk 0's cells are pinned (the inner bound decides nothing); with wijk 1 lumped in
    # with wijk 2 the box is there (the outer bound narrows nothing); with both wijken in the
    # small table the box shows the cells wide enough. Wijk 3's two hidden cells add up to a
    # shown total less the shown cell: 1 and 1, narrowed by its own small table
    from transforms import privacy

    cells = np.array([[6.0, 7.0, 9.0], [8.0, 6.0, 9.0], [9.0, 9.0, 9.0], [1.0, 1.0, 9.0]])
    counts = np.vstack([cells, cells.sum(axis=0)])
    counts = np.hstack([counts, counts.sum(axis=1, keepdims=True)])
    hidden = np.zeros(counts.shape, dtype=bool)
    hidden[np.ix_([0, 1], [0, 1])] = True
    hidden[3, [0, 1]] = True
    monkeypatch.setattr(privacy, "NEARBY_SIZES", (1,))
    safe, unsafe = privacy._decided_nearby(counts, hidden, 5, hidden)
    assert not safe[0, 0] and not unsafe[0, 0]
    assert unsafe[3, 0] and unsafe[3, 1]
    monkeypatch.setattr(privacy, "NEARBY_SIZES", (1, 2))
    safe, unsafe = privacy._decided_nearby(counts, hidden, 5, hidden)
    assert safe[0, 0] and safe[1, 1] and unsafe[3, 0]
    low, high = linear_bounds(counts, hidden)
    assert (low[0, 0], high[0, 0]) == (1.0, 12.0) and (low[3, 0], high[3, 0]) == (1.0, 1.0)


@pytest.mark.parametrize("seed", range(20))
def test_the_audit_with_small_tables_decides_as_all_programs(monkeypatch, seed):
    # solved_unsafe with box proofs and small tables around the cells, made to run on small
    # tables, finds exactly the cells that solving every cell finds
    from transforms import privacy

    rng = np.random.default_rng([seed, 31])
    threshold = int(rng.choice([5, 10]))
    counts, hidden = _random_table(rng, threshold)
    monkeypatch.setattr(privacy, "BOX_PROOF_MIN_HIDDEN", 0)
    monkeypatch.setattr(privacy, "NEARBY_MIN_HIDDEN", 0)
    monkeypatch.setattr(privacy, "NEARBY_SIZES", (1, 2))
    low, high = linear_bounds(counts, hidden)
    assert (privacy.solved_unsafe(counts, hidden, threshold)
            == unsafe_bounds(counts, hidden, low, high, threshold)).all()


def test_a_hidden_zero_among_the_lumped_wijken_adds_nothing_to_their_floor(monkeypatch):
    # three wijken, one kind: wijk 0's 2 and wijk 2's 0 (hidden in a version before) are hidden
    # with their wijk totals, wijk 1's 9 and the totals (11) are shown. All lines together: the
    # two add up to 2, so the 2 is 1..2 (wide enough for a threshold of 3) and the 0 is 0..1
    # (narrowed). Lumped with wijk 1, the hidden 0 adds 0 to the lump's floor (9), not 1: with
    # a floor of 10 the small table pinned the 2 at 1 and called it narrowed (more hidden than
    # the whole table asks, against solved_unsafe's exactness)
    from transforms import privacy

    counts = np.array([[2.0, 2.0], [9.0, 9.0], [0.0, 0.0], [11.0, 11.0]])
    hidden = np.array([[1, 1], [0, 0], [1, 1], [0, 0]], dtype=bool)
    low, high = linear_bounds(counts, hidden)
    assert (low[0, 0], high[0, 0]) == (1.0, 2.0) and (low[2, 0], high[2, 0]) == (0.0, 1.0)
    exact = unsafe_bounds(counts, hidden, low, high, 3)
    assert not exact[0, 0] and exact[2, 0]
    monkeypatch.setattr(privacy, "NEARBY_SIZES", (1,))
    safe, unsafe = privacy._decided_nearby(counts, hidden, 3, hidden)
    assert not unsafe[0, 0] and not (safe & exact).any() and not (unsafe & ~exact).any()
    monkeypatch.setattr(privacy, "BOX_PROOF_MIN_HIDDEN", 0)
    monkeypatch.setattr(privacy, "NEARBY_MIN_HIDDEN", 0)
    assert (privacy.solved_unsafe(counts, hidden, 3) == exact).all()


def _random_table_with_hidden_zeros(rng) -> tuple[np.ndarray, np.ndarray, int]:
    # as _random_table, with hidden zeros (a cell hidden in a version before stays hidden at 0:
    # its floor is 0), hidden margins here and there, and the wijken along any axis
    wijken = int(rng.integers(3, 8))
    shape = [wijken] + [int(n) for n in rng.integers(1, 4, size=int(rng.integers(1, 3)))]
    rng.shuffle(shape)
    threshold = int(rng.choice([3, 5]))
    counts = rng.choice([0, 0, 1, 2, 3, 6, 9], size=tuple(shape)).astype(float)
    for axis in range(counts.ndim):
        counts = np.concatenate([counts, counts.sum(axis=axis, keepdims=True)], axis=axis)
    hidden = (((counts > 0) & (counts < threshold))
              | ((rng.random(counts.shape) < 0.3) & (counts > 0))
              | ((rng.random(counts.shape) < 0.4) & (counts == 0)))
    return counts, hidden, threshold


@pytest.mark.parametrize("seed", range(40))
def test_small_tables_decide_as_the_whole_table_with_hidden_zeros(monkeypatch, seed):
    # _decided_nearby and solved_unsafe (boxes and small tables forced on, some cells asked)
    # where hidden zeros lie in the wijk of the cell, in the lumped wijken and in the totals:
    # the same decisions as the whole table's program. A floor of 1 for a hidden 0, in the
    # lump or in the small table, narrowed cells the whole table leaves wide enough
    from transforms import privacy

    rng = np.random.default_rng([seed, 37])
    counts, hidden, threshold = _random_table_with_hidden_zeros(rng)
    unsafe = unsafe_bounds(counts, hidden, *linear_bounds(counts, hidden), threshold)
    monkeypatch.setattr(privacy, "NEARBY_SIZES", (1, 2))
    safe, narrowed = privacy._decided_nearby(counts, hidden, threshold, hidden)
    assert not (safe & unsafe).any() and not (narrowed & ~unsafe).any()
    monkeypatch.setattr(privacy, "BOX_PROOF_MIN_HIDDEN", 0)
    monkeypatch.setattr(privacy, "NEARBY_MIN_HIDDEN", 0)
    cells = rng.random(counts.shape) < 0.7
    assert (privacy.solved_unsafe(counts, hidden, threshold, cells) == (unsafe & cells)).all()


def test_a_program_that_rounding_spoils_counts_its_cells_as_narrowed(monkeypatch):
    # UnsolvedProgram: the simplex ended on a table that no longer adds up. The audit does not
    # know what the program would say: its cells count as narrowed, the table gets more hidden
    # cells, and what it publishes is safe against the exact programs
    from transforms import privacy

    rng = np.random.default_rng([7, 29])
    counts, hidden = _random_table(rng, 5)
    real = privacy._feasible_basis

    def spoiled(rows, rhs):
        raise privacy.UnsolvedProgram("rounding")

    monkeypatch.setattr(privacy, "_feasible_basis", spoiled)
    assert (privacy.solved_unsafe(counts, hidden, 5) == hidden).all()
    parts = rng.choice([0, 1, 2, 3, 6, 9], size=(1, 6, 3, 3)).astype(float)
    spoiled_counts, spoiled_hidden = protect_cube(parts, threshold=5)
    monkeypatch.setattr(privacy, "_feasible_basis", real)
    low, high = linear_bounds(spoiled_counts, spoiled_hidden)
    assert not unsafe_bounds(spoiled_counts, spoiled_hidden, low, high, 5).any()
    _, exact_hidden = protect_cube(parts, threshold=5)
    assert (spoiled_hidden >= exact_hidden).all()


def test_a_vertex_whose_table_no_longer_adds_up_is_refused():
    # x + y = 4 at the vertex x = 4, y = 0, and the same tableau drifted (x = 3.5): refused when
    # checked, and when it would widen what the simplex has seen on its way (_Seen), so that no
    # spoiled table on the way widens an interval; a drifted vertex that widens nothing is not
    # looked at (it tells the attacker's freedom nothing new)
    from transforms import privacy

    rows, rhs = np.array([[1.0, 1.0]]), np.array([4.0])
    tableau, basis = privacy._feasible_basis(rows, rhs)
    equations = privacy._Equations(rows, rhs)
    equations.check(privacy._vertex(tableau, basis))
    seen = privacy._Seen(tableau, basis, 2, equations)
    drifted = tableau.copy()
    drifted[0, -1] = 3.5
    with pytest.raises(privacy.UnsolvedProgram):
        equations.check(privacy._vertex(drifted, basis))
    with pytest.raises(privacy.UnsolvedProgram):
        seen(drifted, basis)
    # the other vertex, y = 4: x is seen from 0 to 4, y too
    other_tableau, other_basis = tableau.copy(), basis.copy()
    privacy._pivot(other_tableau, other_basis, 0, 1 - int(basis[0]))
    assert not seen(other_tableau, other_basis)
    assert (list(seen.low), list(seen.high)) == ([0.0, 0.0], [4.0, 4.0])
    inside = tableau.copy()
    inside[0, -1] = 2.0  # x = 2, y = 0 adds up to 2, not 4: spoiled, but it widens nothing
    assert not seen(inside, basis)
    assert (list(seen.low), list(seen.high)) == ([0.0, 0.0], [4.0, 4.0])


def test_above_the_whole_programs_limit_an_undecided_cell_counts_as_narrowed(monkeypatch):
    # a table of more than WHOLE_PROGRAM_MAX_HIDDEN hidden cells: what boxes and small tables do
    # not decide is narrowed, never passed as safe (a superset of the exact decision)
    from transforms import privacy

    monkeypatch.setattr(privacy, "BOX_PROOF_MIN_HIDDEN", 0)
    monkeypatch.setattr(privacy, "NEARBY_MIN_HIDDEN", 0)
    monkeypatch.setattr(privacy, "NEARBY_SIZES", (1,))
    monkeypatch.setattr(privacy, "WHOLE_PROGRAM_MAX_HIDDEN", 0)
    undecided = 0
    for seed in range(20):
        rng = np.random.default_rng([seed, 31])
        counts, hidden = _random_table(rng, 5)
        exact = unsafe_bounds(counts, hidden, *linear_bounds(counts, hidden), 5)
        found = privacy.solved_unsafe(counts, hidden, 5)
        assert (found >= exact).all()
        undecided += int((found & ~exact).sum())
    assert undecided > 0


def test_a_table_of_150_wijken_of_small_counts_is_protected_without_the_whole_program():
    # two organisations, 150 wijken x 6 kinds x 3 ages of Poisson(3) counts: 3,154 hidden cells.
    # The whole table's program ended on a table that did not add up (phase one at 15, entries of
    # 166,691 in the tableau after 4,336 pivots) and the build raised; it now takes some 8 s
    parts = np.random.default_rng(6).poisson(3, size=(2, 150, 6, 3)).astype(float)
    counts, hidden = protect_cube(parts, threshold=5)
    assert hidden.sum() > 3000
    assert not unsafe_bounds(counts, hidden, *bounds_from_margins(counts, hidden), 5).any()
