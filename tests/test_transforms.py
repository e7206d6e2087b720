"""Transforms: build order and the population mart on inline rows, invariants on the sample."""

import pytest

import transforms
from transforms import Model, build_order


def test_build_order_follows_references():
    models = [
        Model("mart_b", "marts", "select * from int_a"),
        Model("int_a", "intermediate", "select * from stg_x -- not mart_b"),
        Model("stg_x", "staging", "select 1 as one"),
    ]
    assert [m.name for m in build_order(models)] == ["stg_x", "int_a", "mart_b"]


def test_build_order_rejects_cycles():
    with pytest.raises(ValueError, match="circular"):
        build_order([Model("a", "staging", "select * from b"), Model("b", "staging", "select * from a")])


def test_the_year_rules_are_macros_of_the_build(con):
    # years 2020 and 2023 loaded: which one stands in for each wanted year
    transforms.build(con)
    rows = con.execute(
        "select wanted, latest_year_at_or_before(year, wanted), nearest_year(year, wanted)"
        " from (values (2020), (2023)) as c (year), (values (2019), (2020), (2022), (2024)) as w (wanted)"
        " group by wanted order by wanted"
    ).fetchall()
    assert rows == [(2019, None, 2020), (2020, 2020, 2020), (2022, 2020, 2020), (2024, 2023, 2023)]


# Pools of children per organisation (one number each) and whether the pool is small at a
# threshold of 5: a count of 1-4, a remainder of 1-4 after the largest share, a share of 1-4.
SMALL_POOLS = [
    ([], False), ([0], False), ([3], True), ([5], False), ([20, 0], False), ([5, 5], False),
    ([10, 3], True), ([10, 6], False), ([4, 4], True), ([12, 2, 2], True), ([9, 9, 9], False),
]


def test_the_small_pool_rule_is_one_macro_that_says_what_the_pages_say(con):
    """int_supply__children_per_place wrote the primary small-count rule twice (row 3 cells and
    the observed pools); it is the macro small_pool of sql/macros.sql, and it hides a pool where
    the pages' own rule (transforms.privacy.protect_contributions) hides the cell."""
    import numpy as np

    from transforms.privacy import protect_contributions

    transforms.build(con)
    sql = (transforms.SQL_DIR / "intermediate" / "int_supply__children_per_place.sql").read_text()
    assert sql.count("small_pool(") == 2 and "max(children_count)" not in sql
    for pool, small in SMALL_POOLS:
        rows = con.execute(
            "select small_pool(children_count, 5) from unnest(?::integer[]) as t (children_count)",
            [pool]).fetchone()[0]
        assert bool(rows) is small, pool
        if pool:
            _, mask = protect_contributions(np.array(pool, dtype=float).reshape(-1, 1, 1),
                                            threshold=5, row_totals=False, column_totals=False)
            assert bool(mask[0, 0]) is small, pool


def _tables_and_views(con):
    tables = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
    views = {r[0] for r in con.execute("select view_name from duckdb_views() where not internal").fetchall()}
    return tables, views


def test_marts_are_tables_and_staging_are_views(con):
    transforms.build(con)
    tables, views = _tables_and_views(con)
    for m in transforms.all_models():
        assert m.name in (tables if m.materialization == "table" else views), m.name
    assert {"population_by_wijk_age", "continuum_by_wijk_niveau", "signals_by_wijk"} <= tables
    assert "stg_cbs__kerncijfers" in views
    # demand and gap are stored once, in continuum_by_wijk_niveau; the marts are views on it
    assert {"demand_by_wijk_niveau", "gap_by_wijk_niveau"} <= views


def test_a_model_may_declare_its_materialization():
    assert Model("m", "marts", "select 1 as one").materialization == "table"
    assert Model("m", "marts", "-- materialized: view\nselect 1 as one").materialization == "view"
    assert Model("s", "staging", "-- materialized: table\nselect 1 as one").materialization == "table"
    assert Model("s", "staging", "select 1 as one -- materialized: table").materialization == "view"
    assert Model("m", "marts", "-- (not materialized: view)\nselect 1").materialization == "table"


def test_a_mart_stored_as_a_table_before_becomes_its_view(sample_db, tmp_path):
    # Databases built before demand and gap were views hold them as tables: a rebuild replaces
    # them by the views, with the same rows.
    import shutil

    from data_sources import store

    shutil.copy(sample_db, tmp_path / "copy.duckdb")
    con = store.connect(tmp_path / "copy.duckdb")
    rows = "select * from gap_by_wijk_niveau order by all"
    before = con.execute(rows).fetchall()
    con.execute("create or replace table _old as select * from gap_by_wijk_niveau")
    con.execute("drop view gap_by_wijk_niveau")
    con.execute("alter table _old rename to gap_by_wijk_niveau")
    assert "gap_by_wijk_niveau" in _tables_and_views(con)[0]
    transforms.build(con)
    tables, views = _tables_and_views(con)
    assert "gap_by_wijk_niveau" in views and "gap_by_wijk_niveau" not in tables
    after = con.execute(rows).fetchall()
    assert len(after) == len(before) > 0
    for new, old in zip(after, before, strict=True):  # sums in another order differ in the last bits
        for got, expected in zip(new, old, strict=True):
            assert got == (pytest.approx(expected, rel=1e-12) if isinstance(expected, float) else expected)
    con.close()


def _region(con, code, level, name, load_id=1, year=2024):
    wijk = "WK" + code[2:8] if level != "gemeente" else None
    con.execute("insert into regions values (?, ?, ?, ?, ?, ?, ?)",
                [year, code, level, name, "GM" + code[2:6], wijk, load_id])


def test_a_region_is_named_by_its_latest_known_name_else_its_code(con):
    con.execute("insert into loads (load_id, source, dataset) values (1, 'cbs', 'kerncijfers')")
    _region(con, "WK000101", "wijk", "Oud-Noord", year=2023)
    _region(con, "WK000101", "wijk", "Noord", year=2024)
    _region(con, "WK000101", "wijk", None, year=2025)
    _region(con, "WK000102", "wijk", None, year=2024)
    transforms.build(con)
    assert con.execute("select * from stg_region_names order by region_code").fetchall() == [
        ("WK000101", "wijk", "GM0001", "Noord"), ("WK000102", "wijk", "GM0001", "WK000102")]
    assert con.execute("select year, region_code, region_name from stg_regions order by all").fetchall() == [
        (2023, "WK000101", "Oud-Noord"), (2024, "WK000101", "Noord"), (2024, "WK000102", "WK000102"),
        (2025, "WK000101", "Noord")]


def test_estimate_spreads_gemeente_ages_by_wijk_share_of_young(con):
    con.execute("insert into loads (load_id, source, dataset) values (1, 'cbs', 'kerncijfers')")
    _region(con, "GM0001", "gemeente", "Testdorp")
    _region(con, "WK000101", "wijk", "Noord")
    _region(con, "WK000102", "wijk", "Zuid")
    con.execute("""insert into raw_cbs__kerncijfers values
        ('T', 2024, 'WK000101', 'wijk', 'k_0Tot15Jaar', 300, 1),
        ('T', 2024, 'WK000102', 'wijk', 'k_0Tot15Jaar', 100, 1)""")
    con.execute("""insert into raw_cbs__population_by_age values
        ('03759ned', 2024, 'GM0001', 0, 40, 1), ('03759ned', 2024, 'GM0001', 1, 40, 1),
        ('03759ned', 2024, 'GM0001', 2, 20, 1), ('03759ned', 2024, 'GM0001', 12, 99, 1)""")
    transforms.build(con)
    rows = con.execute("""select wijk_code, wijk_name, age_group, children, population_source
                          from population_by_wijk_age order by wijk_code, age_group""").fetchall()
    assert rows == [
        ("WK000101", "Noord", "0-2", 60.0, "cbs-schatting"),
        ("WK000101", "Noord", "2-4", 15.0, "cbs-schatting"),
        ("WK000102", "Zuid", "0-2", 20.0, "cbs-schatting"),
        ("WK000102", "Zuid", "2-4", 5.0, "cbs-schatting"),
    ]


def test_brp_replaces_estimate_for_its_wijk_only(con):
    con.execute("insert into loads (load_id, source, dataset) values (1, 'cbs', 'kerncijfers')")
    con.execute("insert into loads (load_id, source, dataset) values (2, 'brp', 'bevolking')")
    _region(con, "WK000101", "wijk", "Noord")
    _region(con, "WK000102", "wijk", "Zuid")
    _region(con, "BU00010101", "buurt", "Noord-Oost")
    con.execute("""insert into raw_cbs__kerncijfers values
        ('T', 2024, 'WK000101', 'wijk', 'k_0Tot15Jaar', 50, 1),
        ('T', 2024, 'WK000102', 'wijk', 'k_0Tot15Jaar', 50, 1)""")
    con.execute("insert into raw_cbs__population_by_age values ('03759ned', 2024, 'GM0001', 3, 10, 1)")
    con.execute("""insert into raw_brp__population values
        (2024, 'BU00010101', 3, 7, 2), (2024, 'BU00010101', 11, 4, 2), (2024, 'WK000101', 2, 1, 2)""")
    transforms.build(con)
    rows = con.execute("""select wijk_code, age_group, children, population_source, is_estimate
                          from population_by_wijk_age order by wijk_code, age_group""").fetchall()
    assert rows == [
        ("WK000101", "2-4", 8.0, "brp", False),
        ("WK000101", "4-12", 4.0, "brp", False),
        ("WK000102", "2-4", 5.0, "cbs-schatting", True),
    ]


def test_superseded_brp_upload_is_not_counted(con):
    con.execute("insert into loads (load_id, source, dataset, status) values (2, 'brp', 'bevolking', 'superseded')")
    con.execute("insert into raw_brp__population values (2024, 'WK000101', 2, 9, 2)")
    transforms.build(con)
    assert con.execute("select count(*) from population_by_wijk_age").fetchone()[0] == 0


def test_sample_mart_keys_unique_and_not_null(sample_con):
    dupes = sample_con.execute("""
        select count(*) from (select gemeente_code, wijk_code, year, age_group, count(*) n
        from population_by_wijk_age group by all having n > 1)""").fetchone()[0]
    nulls = sample_con.execute("""select count(*) from population_by_wijk_age
        where gemeente_code is null or wijk_code is null or year is null or age_group is null
           or children is null""").fetchone()[0]
    assert dupes == 0 and nulls == 0
    groups = {r[0] for r in sample_con.execute("select distinct age_group from population_by_wijk_age").fetchall()}
    assert groups == {"0-2", "2-4", "4-12"}


def test_sample_wijk_totals_sum_to_gemeente_totals(sample_con):
    # Wijken add up to the gemeente total of the source they come from: the register (BRP) where
    # the gemeente delivered it, else the CBS count per gemeente that the estimate spreads.
    rows = sample_con.execute("""
        with wijken as (
            select year, age_group, sum(children) as wijk_sum, min(population_source) as source
            from population_by_wijk_age group by all),
        by_age as (
            select year, age, sum(children_count) as children, 'brp' as source
            from stg_brp__population group by all
            union all
            select year, age, sum(persons_count), 'cbs-schatting' from stg_cbs__population_by_age group by all),
        gemeente as (
            select year, source,
                   case when age <= 1 then '0-2' when age <= 3 then '2-4' else '4-12' end as age_group,
                   sum(children) as gemeente_total
            from by_age where age <= 11 group by all)
        select w.year, w.age_group, w.source, w.wijk_sum, g.gemeente_total
        from wijken w join gemeente g using (year, age_group, source)""").fetchall()
    assert len(rows) == 15
    assert {source for _, _, source, _, _ in rows} == {"brp", "cbs-schatting"}
    for year, group, _source, wijk_sum, gemeente_total in rows:
        assert wijk_sum == pytest.approx(gemeente_total), (year, group)


def test_documented_mart_columns_exist(sample_con):
    columns = {c[0] for c in sample_con.execute("describe population_by_wijk_age").fetchall()}
    assert {"gemeente_code", "wijk_code", "wijk_name", "year", "age_group", "children"} <= columns


def test_a_failing_build_leaves_the_previous_marts_as_they_were(sample_db, tmp_path):
    import shutil

    from data_sources import store

    shutil.copy(sample_db, tmp_path / "copy.duckdb")
    con = store.connect(tmp_path / "copy.duckdb")
    totals = "select count(*), sum(children) from population_by_wijk_age"
    before = con.execute(totals).fetchone()
    assert before[0] > 0
    con.execute("delete from raw_brp__population")  # the next build would change the mart
    models = transforms.all_models()
    broken = Model("zz_broken_mart", "marts", "select * from population_by_wijk_age, no_such_table")
    with pytest.raises(Exception, match="no_such_table"):
        transforms.build(con, [*models, broken])
    assert con.execute(totals).fetchone() == before
    assert not con.execute("select 1 from duckdb_tables() where table_name = 'zz_broken_mart'").fetchall()
    # inside the caller's own transaction the build is part of it
    con.begin()
    transforms.build(con, models)
    assert con.execute(totals).fetchone() != before
    con.rollback()
    assert con.execute(totals).fetchone() == before
    transforms.build(con, models)
    assert con.execute(totals).fetchone() != before
    con.close()


def test_a_python_model_is_a_table_its_function_makes_and_never_part_of_a_session():
    from transforms.model import _chain

    python = Model("m", "marts", "-- python: transforms.partner_tables:cell_protection\nselect 1")
    assert python.python == "transforms.partner_tables:cell_protection"
    assert python.materialization == "table"
    assert Model("m", "marts", "select 1 -- python: a:b").python is None
    protection = next(m for m in transforms.all_models() if m.name == "signals_protection_by_wijk")
    assert protection.python == "transforms.partner_tables:protected_cells"
    # its state: the patterns as published, kept between builds
    assert protection.state == ("published_signal_patterns", ["gemeente_code", "year", "signal_type"])
    assert python.state is None
    # a session evaluates SQL: the chain from the settings to the estimate holds no Python model
    assert "signals_used_by_wijk" in {m.name for m in _chain("continuum_by_wijk_niveau")}
    assert all(not m.python for m in _chain("gap_by_wijk_niveau"))


def _operators(node: dict):
    yield node
    for child in node.get("children", []):
        yield from _operators(child)


def test_the_row_that_carries_a_signal_pattern_is_chosen_before_the_pattern_is_joined(sample_con):
    # A window over rows that already carry the pattern's lists (wijken, counts, hidden: the
    # pattern of a whole table on each of its 33,000 rows nationally) moved all of them through
    # its partitions: most of the model's time. Numbered first, the window reads the rows alone.
    import json

    model = next(m for m in transforms.all_models() if m.name == "beside_protection_by_gemeente")
    plan = json.loads(sample_con.execute(
        f"explain (format json) {model.sql.strip().rstrip(';')}").fetchall()[0][1])
    windows = [op for root in plan for op in _operators(root) if op["name"] == "WINDOW"]
    assert windows
    for window in windows:
        # the scans name their table with the database and schema: "sample.main.<table>"
        read = {str(op["extra_info"].get("Table")).rsplit(".", 1)[-1] for op in _operators(window)}
        assert "published_signal_patterns" not in read


def test_partner_rows_are_sorted_only_when_they_are_not_already():
    # protected_cells reads the rows in INPUT_ORDER; the model's SQL orders them, so _sorted
    # returns them as they are, and sorts rows in any other order (a null among them as well)
    import pyarrow as pa

    from transforms.partner_tables import _sorted

    names = ["gemeente_code", "year", "wijk_code"]
    rows = pa.table({"gemeente_code": ["GM1", "GM1", "GM2", "GM2", "GM1"],
                     "year": [2024, 2023, 2024, 2024, 2024],
                     "wijk_code": ["WK2", "WK9", "WK1", None, "WK1"], "n": [1, 2, 3, 4, 5]})
    expected = rows.sort_by([(name, "ascending") for name in names])
    assert _sorted(rows, names).equals(expected)
    last_key_only = pa.table({"gemeente_code": ["GM1", "GM1"], "year": [2024, 2024],
                              "wijk_code": ["WK2", "WK1"], "n": [1, 2]})
    assert _sorted(last_key_only, names)["wijk_code"].to_pylist() == ["WK1", "WK2"]
    presorted = expected.filter(pa.compute.is_valid(expected["wijk_code"]))
    assert _sorted(presorted, names) is presorted
    assert _sorted(rows.slice(0, 1), names).equals(rows.slice(0, 1))
