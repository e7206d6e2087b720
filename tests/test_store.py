"""The store: migrations, transactions, provenance and data versions on real DuckDB."""

import duckdb
import pytest

from data_sources import store


def test_migrations_apply_once_and_record_versions(tmp_path):
    path = tmp_path / "k.duckdb"
    first = store.connect(path)
    versions = [v for v, _ in store.migration_files()]
    assert store.schema_version(first) == max(versions)
    first.close()
    again = store.connect(path)
    assert store.migrate(again) == []
    assert again.execute("select count(*) from schema_migrations").fetchone()[0] == len(versions)


def test_transaction_rolls_back_everything_on_error(con):
    with pytest.raises(RuntimeError):
        with store.transaction(con):
            store.new_load(con, source="partner", dataset="vve-indicaties", row_count=3)
            raise RuntimeError("boom")
    assert con.execute("select count(*) from loads").fetchone()[0] == 0


def test_supersede_keeps_history_and_changes_data_version(con):
    first = store.new_load(con, source="cbs", dataset="kerncijfers", gemeente_code="GM0001", year=2024)
    before = store.data_version(con)
    second = store.new_load(con, source="cbs", dataset="kerncijfers", gemeente_code="GM0001", year=2024)
    other = store.new_load(con, source="cbs", dataset="kerncijfers", gemeente_code="GM0002", year=2024)
    assert store.supersede(con, keep_load_id=second, dataset="kerncijfers", gemeente_code="GM0001",
                           year=2024) == 1
    statuses = dict(con.execute("select load_id, status from loads").fetchall())
    assert statuses == {first: "superseded", second: "active", other: "active"}
    assert store.data_version(con) != before


def test_supersede_refuses_unknown_keys(con):
    with pytest.raises(ValueError):
        store.supersede(con, keep_load_id=1, **{"1=1; drop table loads; --": "x"})


def test_read_only_connect_to_missing_file_is_refused_in_dutch(tmp_path):
    from data_sources.errors import InputRefused

    with pytest.raises(InputRefused, match="bestaat nog niet"):
        store.connect(tmp_path / "nope.duckdb", read_only=True)


def test_file_hash_is_sha256(tmp_path):
    path = tmp_path / "f.bin"
    path.write_bytes(b"kindkaart")
    assert store.file_sha256(path) == store.file_sha256(b"kindkaart")
    assert len(store.file_sha256(path)) == 64


def test_raw_tables_carry_load_id(con):
    raw_tables = [
        name for (name,) in con.execute(
            "select table_name from duckdb_tables() where table_name like 'raw_%'").fetchall()
    ]
    assert raw_tables
    for name in raw_tables:
        columns = [c[0] for c in con.execute(f"describe {name}").fetchall()]
        assert "load_id" in columns, name


def test_connect_memory_is_isolated():
    a, b = store.connect(":memory:"), store.connect(":memory:")
    store.new_load(a, source="cbs", dataset="x")
    assert b.execute("select count(*) from loads").fetchone()[0] == 0
    assert isinstance(a, duckdb.DuckDBPyConnection)


def test_insert_frame_inserts_named_columns_in_one_statement(con):
    import pandas as pd

    con.execute("insert into loads (load_id, source, dataset) values (7, 'test', 'x')")
    frame = pd.DataFrame({"year": [2024, 2024], "region_code": ["BU1", "WK1"], "age": [0, 12],
                          "children": [3, 4], "load_id": 7, "unused": ["a", "b"]})
    count = store.insert_frame(con, "raw_brp__population", frame,
                               ["year", "region_code", "age", "children", "load_id"])
    assert count == 2
    assert con.execute("select region_code, age, children from raw_brp__population order by 1"
                       ).fetchall() == [("BU1", 0, 3), ("WK1", 12, 4)]
    assert store.insert_frame(con, "raw_brp__population", frame.iloc[:0]) == 0


def test_in_transaction_tells_an_open_transaction_from_autocommit(con):
    assert not store.in_transaction(con)
    with store.transaction(con):
        assert store.in_transaction(con)
    assert not store.in_transaction(con)


def test_a_second_connection_in_the_process_keeps_the_database_locked(tmp_path, sample_db):
    # closing any descriptor of the file in this process would end DuckDB's lock on it, so the
    # second open must not read the file's first bytes again
    import shutil
    import subprocess
    import sys

    from conftest import ROOT

    path = tmp_path / "kindkaart.duckdb"
    shutil.copy(sample_db, path)
    first = store.connect(path)
    second = store.connect(path)
    try:
        other = subprocess.run(
            [sys.executable, "-c", f"from data_sources import store; store.connect({str(path)!r}, wait=0.2)"],
            cwd=ROOT, capture_output=True, text=True)
        assert "DatabaseInUse" in other.stderr
    finally:
        second.close()
        first.close()


def test_a_file_put_in_place_of_one_opened_before_is_checked_again(tmp_path, sample_db):
    import os
    import shutil

    path = tmp_path / "kindkaart.duckdb"
    shutil.copy(sample_db, path)
    earlier = store.connect(path)
    earlier.close()  # closed, but the object lives on
    cut = tmp_path / "afgekapt.duckdb"
    data = sample_db.read_bytes()
    cut.write_bytes(data[:len(data) * 9 // 10])
    os.replace(cut, path)
    with pytest.raises(store.DatabaseRefused) as refused:
        store.connect(path)
    assert refused.value.messages == [store.DAMAGED_MESSAGE]
    assert earlier is not None
