"""Small-number suppression: primary, secondary and rounding, with derivability checks."""


import numpy as np
import pandas as pd
import pytest

from transforms.privacy import (
    TOTAL_LABEL,
    format_number,
    protect_counts,
    round_estimate,
    suppress_table,
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
