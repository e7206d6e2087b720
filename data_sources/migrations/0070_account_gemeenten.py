"""Accounts tied to gemeenten, and releases per gemeente.

One installation can hold several gemeenten (a regio, the national CBS load). A partner or LEA
account sees only the gemeenten in account_gemeenten (an account without rows there sees every
loaded gemeente: beheerder and analist, and an account set to --alle), and an indicator released
for one gemeente is no longer released for the others.

Nothing that was visible disappears and nothing new becomes visible: every partner and LEA account
that exists now is tied to the gemeenten loaded now (what it saw), and every release is copied to
each of them (a release held for every gemeente).
"""

from __future__ import annotations

import duckdb


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return con.execute("select count(*) from duckdb_tables() where database_name = current_database()"
                       " and schema_name = 'main' and table_name = ?", [name]).fetchall()[0][0] > 0


def _loaded_gemeenten(con: duckdb.DuckDBPyConnection) -> list[str]:
    # as transforms.population.LOADED_GEMEENTEN_SQL at the time of this migration; the mart
    # population_by_wijk_age exists only once the models were built
    parts = ["select gemeente_code from loads where status = 'active'"
             " and regexp_matches(gemeente_code, '^GM[0-9]{4}$')",
             "select gemeente_code from regions where gemeente_code is not null"]
    if _has_table(con, "population_by_wijk_age"):
        parts.append("select gemeente_code from population_by_wijk_age")
    return [code for (code,) in con.execute(
        "select distinct gemeente_code from (" + " union ".join(parts) + ") order by 1").fetchall()]


def migrate(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("""
        create table account_gemeenten (
            login varchar not null,
            gemeente_code varchar not null,
            primary key (login, gemeente_code)
        )""")
    con.execute("""
        create table indicator_releases_per_gemeente (
            gemeente_code varchar not null,
            indicator_key varchar not null,
            audience varchar not null check (audience in ('partner', 'lea')),
            released_by varchar not null,
            released_at timestamp not null default current_timestamp,
            primary key (gemeente_code, indicator_key, audience)
        )""")
    loaded = _loaded_gemeenten(con)
    for code in loaded:
        con.execute("insert into account_gemeenten select login, ? from accounts"
                    " where role in ('partner', 'lea')", [code])
        con.execute("insert into indicator_releases_per_gemeente"
                    " select ?, indicator_key, audience, released_by, released_at from indicator_releases",
                    [code])
    con.execute("drop table indicator_releases")
    con.execute("alter table indicator_releases_per_gemeente rename to indicator_releases")
