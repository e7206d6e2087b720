"""A database built by another version of Kindkaart (other models, macros or seeds) is rebuilt
when the app opens it, so that no page shows marts made by older rules or misses what they need."""

from __future__ import annotations

import duckdb
import pytest
from conftest import run_page

import transforms
from data_sources import store


def fetch(path, sql):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_the_sample_database_is_up_to_date_and_opening_it_rebuilds_nothing(app_db):
    con = store.connect(app_db)
    try:
        assert transforms.up_to_date(con)
    finally:
        con.close()
    at = run_page()
    assert not at.exception
    assert fetch(app_db, "select count(*) from audit_log where action = 'modellen bijgewerkt'") == [(0,)]


def test_a_database_of_an_older_version_is_rebuilt_when_the_app_opens_it(app_db):
    # as an older Kindkaart left it: other rules behind the marts, without the year macros that
    # the Kaart's queries use, and a mart with a figure the current rules do not give
    con = store.connect(app_db)
    try:
        built = con.execute("select round(sum(children), 6) from population_by_wijk_age").fetchall()
        con.execute(f"update {transforms.BUILD_STATE} set code_fingerprint = 'een oudere versie'")
        con.execute("drop macro nearest_year")
        con.execute("update population_by_wijk_age set children = children + 1000")
        assert not transforms.up_to_date(con)
    finally:
        con.close()
    at = run_page("kaart")
    assert not at.exception, at.exception
    assert not at.error
    assert fetch(app_db, "select round(sum(children), 6) from population_by_wijk_age") == built
    assert fetch(app_db, "select actor, action from audit_log where action = 'modellen bijgewerkt'") == [
        ("kindkaart", "modellen bijgewerkt")]
    con = store.connect(app_db)
    try:
        assert transforms.up_to_date(con)
    finally:
        con.close()


def test_a_mart_dropped_by_hand_is_built_again_when_the_app_opens_the_database(app_db):
    """A mart gone from the database (dropped by hand or by another program) counted as up to
    date: the Kaart failed on it with an error number. It is rebuilt as after an upgrade."""
    built = fetch(app_db, "select * from population_by_wijk_age order by all")
    con = store.connect(app_db)
    try:
        con.execute("drop table population_by_wijk_age")
    finally:
        con.close()
    at = run_page("kaart")
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert fetch(app_db, "select * from population_by_wijk_age order by all") == built
    assert fetch(app_db, "select action from audit_log where action = 'modellen bijgewerkt'") == [
        ("modellen bijgewerkt",)]


def test_another_smallest_count_is_another_build(app_db, monkeypatch):
    con = store.connect(app_db)
    try:
        assert transforms.up_to_date(con)
        monkeypatch.setenv("KINDKAART_MIN_COUNT", "10")
        assert not transforms.up_to_date(con)
    finally:
        con.close()


def test_a_database_migrated_but_never_built_is_built_when_the_app_opens_it(tmp_path, monkeypatch):
    # what an `init` killed between its migrations and its build leaves, or a refused import-cbs
    # on a new path: the schema, no build_state
    path = tmp_path / "kindkaart.duckdb"
    store.connect(path).close()
    monkeypatch.setenv("KINDKAART_DB", str(path))
    at = run_page()
    assert not at.exception, at.exception
    assert fetch(path, "select actor, action from audit_log where action = 'modellen bijgewerkt'") == [
        ("kindkaart", "modellen bijgewerkt")]
    con = store.connect(path, read_only=True)
    try:
        assert transforms.up_to_date(con)
    finally:
        con.close()


def test_a_build_state_from_before_the_code_fingerprint_is_rebuilt_when_the_app_opens_it(app_db):
    con = store.connect(app_db)
    try:
        con.execute(f"create or replace table {transforms.BUILD_STATE} as"
                    f" select fingerprint, built_at from {transforms.BUILD_STATE}")
        con.begin()
        assert not transforms.up_to_date(con)
        assert con.execute("select 1").fetchall() == [(1,)]  # the transaction is still usable
        con.rollback()
    finally:
        con.close()
    at = run_page("kaart")
    assert not at.exception, at.exception
    assert fetch(app_db, "select count(*) from audit_log where action = 'modellen bijgewerkt'") == [(1,)]


def test_only_a_real_conflict_is_tried_again(con):
    from data_sources import jobs

    calls = []

    def aborted():
        calls.append(1)
        raise duckdb.TransactionException("TransactionContext Error: Current transaction is aborted")

    with pytest.raises(duckdb.TransactionException):
        jobs.retrying(con, aborted)
    assert calls == [1]


def test_a_database_from_before_the_published_patterns_gets_them_when_the_app_opens_it(app_db):
    # as Kindkaart left it before migration 0080: no published_signal_patterns, marts of other
    # rules; opening it migrates (the table) and rebuilds (its patterns), so that the first
    # correction after the upgrade is already protected beside the pattern shown before it
    con = store.connect(app_db)
    try:
        tables = con.execute("select count(*) from published_signal_patterns").fetchone()[0]
        assert tables > 5
        con.execute("drop table published_signal_patterns")
        con.execute("delete from schema_migrations where version = 80")
        con.execute(f"update {transforms.BUILD_STATE} set code_fingerprint = 'een oudere versie'")
    finally:
        con.close()
    at = run_page("kaart")
    assert not at.exception, at.exception
    assert fetch(app_db, "select count(*) from published_signal_patterns"
                         " where threshold = 5 and len(counts) = len(hidden)") == [(tables,)]
    assert fetch(app_db, "select name from schema_migrations where version = 80") == [
        ("0080_published_signal_patterns",)]
