"""The protected population table (transforms.population): plain rows in, the same protection as
pandas' pivot through protect_counts out, for observed counts and for estimates."""

import random

import duckdb
import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from transforms.labels import on_the_pages
from transforms.population import (
    AGE_GROUP_LABELS,
    COLUMNS,
    POPULATION_SQL,
    protect_population,
    source_note,
)
from transforms.privacy import TOTAL_LABEL, protect_counts

ROW_COLUMNS = ["wijk_code", "wijk_name", "age_group", "children", "is_estimate", "population_source"]


def _through_pandas(rows):
    """The oracle: the pivot and protection the pages used before population_table (pandas)."""
    long = pd.DataFrame(rows, columns=ROW_COLUMNS)
    wide = (
        long.pivot_table(index=["wijk_code", "wijk_name"], columns="age_group", values="children",
                         aggfunc="sum")
        .reindex(columns=AGE_GROUP_LABELS)
        .fillna(0.0)
        .reset_index()
    )
    wide.columns.name = None
    return protect_counts(wide, AGE_GROUP_LABELS, estimate=bool(long["is_estimate"].any()))


def _assert_same(rows):
    table = protect_population(rows)
    expected = _through_pandas(rows)
    got = table.suppressed_table()
    assert_frame_equal(got.values, expected.values, check_dtype=False)
    assert_frame_equal(got.hidden, expected.hidden, check_dtype=False)
    assert got.value_columns == expected.value_columns == COLUMNS
    assert got.threshold == expected.threshold
    return table


def _random_rows(rng: random.Random, estimate: bool):
    rows = []
    for _ in range(rng.randint(1, 12)):
        code, name = f"WK{rng.randint(0, 99):04d}", rng.choice(["Noord", "Zuid", "Oost", "West", "Centrum"])
        for group in AGE_GROUP_LABELS:
            if rng.random() < 0.15:
                continue  # an age group without a row counts as 0
            small = rng.random() < 0.4
            children = rng.uniform(0, 6) if estimate else (rng.randint(0, 6) if small else rng.randint(0, 400))
            rows.append((code, name, group, children, estimate, "cbs-schatting" if estimate else "brp"))
            if rng.random() < 0.1:  # the same wijk and age group twice: added up
                rows.append((code, name, group, rng.randint(0, 3), estimate, "brp"))
    rng.shuffle(rows)
    return rows


@pytest.mark.parametrize("seed", range(60))
def test_same_protection_as_the_pandas_pivot_on_random_tables(seed):
    rng = random.Random(seed)
    _assert_same(_random_rows(rng, estimate=seed % 3 == 0))


def test_sample_gemeente_every_year(sample_db):
    con = duckdb.connect(str(sample_db), read_only=True)
    years = [y for (y,) in con.execute("select distinct year from population_by_wijk_age where "
                                       "gemeente_code = 'GM9999' order by year").fetchall()]
    assert len(years) >= 3
    sources = set()
    for year in years:
        rows = con.execute(POPULATION_SQL, ["GM9999", year]).fetchall()
        table = _assert_same(rows)
        assert len(table.wijk_codes) == 10
        assert table.is_estimate == (table.source == "cbs-schatting")
        sources.add(table.source)
        if not table.is_estimate:  # the gemeente total is every count (large enough to be shown)
            assert table.values[-1, -1] == sum(r[3] for r in rows)
    con.close()
    assert sources == {"brp", "cbs-schatting"}  # the sample has counted and estimated years


def test_hidden_cells_are_nan_and_shown_as_the_label():
    rows = [("WK01", "A", "0-2", 3, False, "brp"), ("WK01", "A", "2-4", 40, False, "brp"),
            ("WK01", "A", "4-12", 200, False, "brp"), ("WK02", "B", "0-2", 50, False, "brp"),
            ("WK02", "B", "2-4", 60, False, "brp"), ("WK02", "B", "4-12", 300, False, "brp")]
    table = _assert_same(rows)
    assert table.hidden[0, 0] and np.isnan(table.values[0, 0])
    assert table.text(0, 0) == "afgeschermd"
    assert table.hidden[0].sum() >= 2 and table.hidden[:, 0].sum() >= 2  # never alone in a line
    assert table.text(1, 2) == "300"
    assert table.text(2, 3) == "653"  # gemeente total, all wijken and ages


def test_estimates_are_rounded_not_hidden():
    rows = [("WK01", "A", "0-2", 2.4, True, "cbs-schatting"), ("WK01", "A", "2-4", 123.6, True, "cbs-schatting"),
            ("WK02", "B", "4-12", 1.2, True, "cbs-schatting")]
    table = _assert_same(rows)
    assert table.is_estimate
    assert not table.hidden.any()
    assert table.values[0, 0] == 2.0 and table.values[0, 1] == 125.0  # whole below 100, fives above
    assert table.threshold == 5  # the threshold the page names, not the 1 used for estimates


def test_other_age_groups_missing_counts_and_no_rows():
    rows = [("WK01", "A", "0-2", 10, False, "brp"), ("WK01", "A", "12-18", 99, False, "brp"),
            ("WK02", "B", "0-2", None, False, None)]
    table = protect_population(rows)
    assert table.wijk_codes == ("WK01", "WK02")  # a wijk with only a missing count stays, as 0
    assert table.values[-1, -1] == 10  # the 12-18 row is not one of the age groups
    assert table.source == "brp"
    empty = protect_population([])
    assert empty.wijk_codes == () and empty.values.shape == (1, len(COLUMNS))
    assert empty.values[-1, -1] == 0 and empty.source == "" and not empty.is_estimate


def test_rows_sorted_by_wijk_code_then_name_with_the_total_last():
    rows = [("WK02", "B", "0-2", 10, False, "brp"), ("WK01", "Z", "0-2", 10, False, "brp"),
            ("WK01", "A", "0-2", 10, False, "brp")]
    table = _assert_same(rows)
    assert list(zip(table.wijk_codes, table.wijk_names, strict=True)) == [("WK01", "A"), ("WK01", "Z"), ("WK02", "B")]
    frame = table.suppressed_table().values
    assert frame["wijk_code"].iloc[-1] == TOTAL_LABEL and frame[TOTAL_LABEL].iloc[-1] == 30


def test_source_note_names_each_source_once():
    assert source_note("brp", on_the_pages).startswith("Bron: basisregistratie personen")
    both = source_note("brp, cbs-schatting", on_the_pages)
    assert "BRP" in both and "03759ned" in both
    assert source_note("", on_the_pages) == ""
    assert source_note("eigen telling", on_the_pages) == "eigen telling"


def test_source_note_leaves_where_to_load_to_its_caller():
    # the app says where to load per account (ui.auth.where_to_load), the command line as is
    asked = []
    note = source_note("kwb-gelijk-verdeeld", lambda *hints: asked.extend(hints) or "Vraag het.")
    assert note.endswith("Met 03759ned (van de gemeente met de leeftijden 0 tot en met 14 jaar, of van Nederland) "
                         "wordt de verdeling beter. Vraag het.")
    assert [hint.what for hint in asked] == ["03759ned"]
    assert source_note("kwb-gelijk-verdeeld", on_the_pages).endswith(
        "Laad 03759ned op de pagina **Gemeente laden** (CBS-bestand inlezen, of van CBS) of met "
        "`python -m data_sources import-cbs 03759ned.csv`.")
