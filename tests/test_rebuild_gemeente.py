"""An upload rebuilds only its gemeente's rows of the stored models, and the marts equal a full build."""

from __future__ import annotations

import math
from pathlib import Path

import duckdb
import pytest
from conftest import private_connection, sample_and_synthetic

import transforms
from benchmarks.upload import workbook
from data_sources import jobs, store
from data_sources.errors import InputRefused
from data_sources.registrations.importing import import_workbook
from transforms import Model

ORGANISATION = "GGD Proef (JGZ)"


@pytest.fixture(scope="module")
def three_gemeenten_db(tmp_path_factory) -> Path:
    """Voorbeeldstad plus two synthetic gemeenten (GM0001, GM0002) with every registration type,
    loaded through the real loaders and fully built."""
    return sample_and_synthetic(tmp_path_factory.mktemp("rebuild"), 2)


@pytest.fixture
def db(three_gemeenten_db, tmp_path):
    """A private connection to a copy of the three gemeenten."""
    with private_connection(three_gemeenten_db, tmp_path) as con:
        yield con


# Columns that record how a stored model's rows were made, not what they say: the input_digest
# of population_protection_by_wijk names the pattern each table was protected beside, and is
# null where that protection published a new one. After an upload that corrected a BRP it is
# null; a build from scratch, beside the pattern the upload published, stores that one's digest.
BOOKKEEPING = {("population_protection_by_wijk", "input_digest")}


def _contents(con, models: list[Model]) -> dict[str, list[tuple]]:
    """Every stored model and every mart, all rows sorted: by the columns that are no doubles
    first (the keys), so that a last bit of a double never changes the order."""
    contents = {}
    for model in models:
        if model.materialization == "table" or model.layer == "marts":
            columns = [c for c in con.execute(f"describe {model.name}").fetchall()
                       if (model.name, c[0]) not in BOOKKEEPING]
            names = [f'"{c[0]}"' for c in columns]
            order = [f'"{c[0]}"' for c in columns if c[1] != "DOUBLE"]
            order += [f'"{c[0]}"' for c in columns if c[1] == "DOUBLE"]
            contents[model.name] = con.execute(
                f"select {', '.join(names)} from {model.name} order by {', '.join(order)}").fetchall()
    return contents


def _same(rows: list[tuple], others: list[tuple]) -> bool:
    # doubles within 1e-9 of each other: a sum's last bits depend on the order DuckDB adds in
    def same_value(a, b) -> bool:
        if isinstance(a, float) and isinstance(b, float):
            return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
        return a == b

    return len(rows) == len(others) and all(
        len(row) == len(other) and all(map(same_value, row, other))
        for row, other in zip(rows, others, strict=True))


def _assert_as_full_build(con, models: list[Model] | None = None) -> None:
    models = models if models is not None else transforms.all_models()
    rebuilt = _contents(con, models)
    con.begin()
    for model in models:
        if model.python:
            # from scratch: a full build would keep a Python model's rows of unchanged input
            con.execute(f"drop table {model.name}")
    transforms.build(con, models)
    full = _contents(con, models)
    con.rollback()
    assert [name for name in rebuilt if not _same(rebuilt[name], full[name])] == []


def _built_at(con):
    return con.execute(f"select built_at from {transforms.BUILD_STATE}").fetchone()[0]


def _vve_signals(con, gemeente: str) -> int:
    return con.execute("select sum(children_count) from signals_by_wijk where gemeente_code = ?"
                       " and signal_type = 'vve_indicaties'", [gemeente]).fetchone()[0]


def _upload(con, soort: str, gemeente: str, rows: int, organisation: str = ORGANISATION):
    data = workbook(con, soort, gemeente, rows, organisation=organisation)
    return jobs.import_registration(con, data, soort, organisation, "2024", f"{soort}.xlsx",
                                    gemeente_code=gemeente)


def test_the_rebuild_is_declared_in_a_line_of_its_own():
    assert Model("m", "marts", "-- rebuild: per gemeente\nselect 1").rebuild == "per gemeente"
    assert Model("m", "marts", "-- rebuild: whole (a national figure)\nselect 1").rebuild == "whole"
    assert Model("m", "marts", "select 1 -- rebuild: whole").rebuild is None
    assert Model("m", "marts", "select 1").rebuild is None


def test_every_stored_model_declares_how_an_upload_rebuilds_it():
    undeclared = [m.name for m in transforms.all_models()
                  if m.materialization == "table" and m.rebuild is None]
    assert undeclared == [], ("declare `-- rebuild: per gemeente` (a gemeente's rows read only "
                              "that gemeente's rows) or `-- rebuild: whole` in the model's SQL")


def test_a_model_rebuilt_per_gemeente_has_a_gemeente_code(sample_con):
    per_gemeente = transforms.rebuilt_per_gemeente(transforms.all_models())
    without = [name for name, yes in per_gemeente.items() if yes and not sample_con.execute(
        "select 1 from duckdb_columns() where table_name = ? and column_name = 'gemeente_code'",
        [name]).fetchone()]
    assert without == []


def test_a_model_that_reads_a_whole_model_is_rebuilt_whole():
    models = [
        Model("per_wijk", "marts", "-- rebuild: per gemeente\nselect 'GM1' as gemeente_code"),
        Model("national", "marts", "-- rebuild: whole\nselect count(*) as n from per_wijk"),
        Model("compared", "marts", "-- rebuild: per gemeente\n"
                                   "select p.gemeente_code, n.n from per_wijk as p, national as n"),
        Model("undeclared", "marts", "select gemeente_code from per_wijk"),
        Model("a_view", "staging", "select 1 as one"),
    ]
    assert transforms.rebuilt_per_gemeente(models) == {
        "per_wijk": True, "national": False, "compared": False, "undeclared": False}


def test_upload_replacement_and_restore_rebuild_one_gemeente_as_a_full_build_would(db):
    built_at = _built_at(db)
    before = _vve_signals(db, "GM0001"), _vve_signals(db, "GM0002"), _vve_signals(db, "GM9999")

    first = _upload(db, "vve-indicaties", "GM0001", 40)
    assert first.status == "imported" and first.superseded == []
    after = _vve_signals(db, "GM0001"), _vve_signals(db, "GM0002"), _vve_signals(db, "GM9999")
    assert after[0] > before[0] and after[1:] == before[1:]
    _assert_as_full_build(db)

    second = _upload(db, "vve-indicaties", "GM0001", 7)
    assert second.superseded == [first.load_id]
    _assert_as_full_build(db)

    assert jobs.restore_upload(db, first.load_id) == [second.load_id]
    _assert_as_full_build(db)
    # the per-gemeente path, not the full build, did all three
    assert _built_at(db) == built_at


def _protected_tables(monkeypatch) -> list[tuple]:
    """The (signal type, wijken) of every table the build protects from here on (a spy on the
    one protection function, which still runs)."""
    from transforms import partner_tables

    seen, real = [], partner_tables._cube

    def spy(whole, shares, stored, **options):
        seen.append((whole["signal_type"][0], len(set(whole["wijk_code"]))))
        return real(whole, shares, stored, **options)

    monkeypatch.setattr(partner_tables, "_cube", spy)
    return seen


def test_an_upload_protects_only_the_tables_its_rows_changed(db, monkeypatch):
    seen = _protected_tables(monkeypatch)
    _upload(db, "vve-indicaties", "GM0001", 40)
    # one table: vve of GM0001 in 2024; the gemeente's other types and years keep their rows
    assert [signal_type for signal_type, _ in seen] == ["vve_indicaties"]
    _assert_as_full_build(db)  # from scratch: the kept rows are what protecting again gives


def test_a_full_build_protects_again_only_what_other_code_made(db, monkeypatch):
    seen = _protected_tables(monkeypatch)
    transforms.build(db)
    assert seen == []  # same code, same input: every table kept
    db.execute(f"update {transforms.BUILD_STATE} set code_fingerprint = 'an older Kindkaart'")
    transforms.build(db)
    tables = db.execute("select count(distinct (gemeente_code, year, signal_type))"
                        " from signals_protection_by_wijk").fetchone()[0]
    assert len(seen) == tables > 20


def _protected_populations(monkeypatch) -> list[str]:
    """The gemeente of every BRP table population_protection_by_wijk protects from here on (a spy
    on protect_population, which still runs)."""
    from transforms import population

    seen, real = [], population.protect_population

    def spy(rows, *args, **options):
        rows = list(rows)
        seen.append("GM" + rows[0][0][2:6])  # WK000201 is a wijk of GM0002
        return real(rows, *args, **options)

    monkeypatch.setattr(population, "protect_population", spy)
    return seen


def _population_tables(con) -> int:
    return con.execute("select count(distinct (gemeente_code, year))"
                       " from population_protection_by_wijk").fetchone()[0]


def test_a_full_build_protects_only_the_populations_whose_input_changed(db, monkeypatch):
    # a table whose last protection published a new pattern carries no digest (the same input
    # beside that pattern might hide otherwise): this build protects it once more
    transforms.build(db)
    assert db.execute("select count(*) from population_protection_by_wijk"
                      " where input_digest is null").fetchone()[0] == 0
    seen = _protected_populations(monkeypatch)
    transforms.build(db)
    assert seen == []  # same code, same input: every table kept
    # one gemeente's BRP changes: its table alone is protected again, the others keep their rows,
    # and every row is what protecting all of them from scratch gives
    db.execute("update raw_brp__population set children = children + 3"
               " where region_code like 'BU0002%' and age = 1")
    transforms.build(db)
    assert seen == ["GM0002"] and _population_tables(db) == 3
    _assert_as_full_build(db)


def test_a_population_is_protected_again_when_the_pattern_beside_it_changed(db, monkeypatch):
    transforms.build(db)
    seen = _protected_populations(monkeypatch)
    # the pattern a table is protected beside is part of its input: a correction that published
    # another pattern (here: none, and a cell hidden that the build showed)
    db.execute("delete from published_population_patterns where gemeente_code = 'GM0001'")
    db.execute("update published_population_patterns set hidden = list_concat([true], hidden[2:])"
               " where gemeente_code = 'GM0002'")
    transforms.build(db)
    assert sorted(seen) == ["GM0001", "GM0002"]
    hidden = db.execute("select cell_hidden from population_protection_by_wijk"
                        " where gemeente_code = 'GM0002' order by wijk_code, age_group limit 1").fetchone()
    assert hidden == (True,)  # what was hidden stays hidden
    published = db.execute("select count(*) from published_population_patterns"
                           " where gemeente_code = 'GM0001'").fetchone()[0]
    assert published == 1  # published again


def test_a_brp_upload_protects_only_its_own_population(db, monkeypatch):
    seen = _protected_populations(monkeypatch)
    _upload(db, "bevolking", "GM0002", 30, organisation="Gemeente Proef")
    assert seen == ["GM0002"]
    _assert_as_full_build(db)


def test_a_brp_upload_rebuilds_the_population_and_what_follows_from_it(db):
    built_at = _built_at(db)
    population = db.execute("select sum(children) from population_by_wijk_age"
                            " where gemeente_code = 'GM0002' and year = 2024").fetchone()[0]
    result = _upload(db, "bevolking", "GM0002", 30, organisation="Gemeente Proef")
    assert result.status == "imported"
    assert db.execute("select sum(children) from population_by_wijk_age"
                      " where gemeente_code = 'GM0002' and year = 2024").fetchone()[0] != population
    _assert_as_full_build(db)
    assert _built_at(db) == built_at


def test_an_upload_of_the_sample_gemeente_beside_others(db):
    built_at = _built_at(db)
    _upload(db, "ondersteuningstrajecten", "GM9999", 25)
    _upload(db, "kinderopvang-bezetting", "GM9999", 12)
    _assert_as_full_build(db)
    assert _built_at(db) == built_at


def test_only_the_models_that_read_the_changed_view_are_rebuilt(db):
    db.begin()
    built = transforms.build(db, gemeente_code="GM0001", changed=["stg_partner__vve_indicaties"])
    db.rollback()
    # the tables beside a signal's table read its published pattern: built after it
    assert built == ["int_signals__partner_counts", "signals_by_wijk", "signals_protection_by_wijk",
                     "beside_protection_by_gemeente", "continuum_by_wijk_niveau"]
    with pytest.raises(ValueError, match="stg_partner__vve"):
        transforms.build(db, gemeente_code="GM0001", changed=["stg_partner__vve"])


def test_a_model_rebuilt_whole_follows_the_upload_too(db):
    national = Model("population_by_year", "marts",
                     "-- rebuild: whole\nselect year, sum(children) as children"
                     " from population_by_wijk_age group by year")
    models = [*transforms.all_models(), national]
    transforms.build(db, models)
    with store.transaction(db):
        db.execute("update loads set status = 'superseded' where source = 'brp'"
                   " and gemeente_code = 'GM0002'")
        built = transforms.build(db, models, gemeente_code="GM0002",
                                 changed=["stg_brp__population"])
    # signals_by_wijk reads population_unknown_by_wijk (a secret wijk's signals are kept)
    assert built == ["population_by_wijk_age", "population_protection_by_wijk",
                     "int_supply__children_per_place", "int_supply__by_wijk_age",
                     "population_unknown_by_wijk", "signals_by_wijk", "signals_protection_by_wijk",
                     "beside_protection_by_gemeente", "continuum_by_wijk_niveau", "population_by_year"]
    _assert_as_full_build(db, models)


def test_other_models_or_seeds_than_the_last_full_build_make_a_full_build(db, monkeypatch):
    models = transforms.all_models()
    monkeypatch.setenv("KINDKAART_MIN_COUNT", "3")
    db.begin()
    assert len(transforms.build(db, gemeente_code="GM0001")) == len(models)
    assert db.execute("select min_count from seed_model__settings").fetchone()[0] == 3
    db.rollback()
    monkeypatch.delenv("KINDKAART_MIN_COUNT")
    changed = [Model(m.name, m.layer, m.sql.replace("select * from final", "select * from final"
                                                     " where true"), m.path) for m in models]
    db.begin()
    assert len(transforms.build(db, changed, gemeente_code="GM0001")) == len(models)
    db.rollback()


def test_a_table_with_other_columns_makes_a_full_build(db):
    db.execute("alter table vso_bso_by_wijk drop column bso_need_modelled_high")
    built = transforms.build(db, gemeente_code="GM0001", changed=["stg_partner__speciaal_onderwijs"])
    assert len(built) == len(transforms.all_models())
    assert "bso_need_modelled_high" in {r[0] for r in db.execute("describe vso_bso_by_wijk").fetchall()}


def test_a_column_changed_after_an_upload_still_makes_a_full_build(db):
    # the columns checked for one upload are remembered; a table changed since is checked again
    changed = ["stg_partner__speciaal_onderwijs"]
    assert "vso_bso_by_wijk" in transforms.build(db, gemeente_code="GM0001", changed=changed)
    assert len(transforms.build(db, gemeente_code="GM0001", changed=changed)) < len(transforms.all_models())
    db.execute("alter table vso_bso_by_wijk drop column bso_need_modelled_high")
    assert len(transforms.build(db, gemeente_code="GM0001", changed=changed)) == len(transforms.all_models())


def test_two_periods_of_one_organisation_in_a_year_count_once(db):
    # An organisation that delivers '2024-Q1' and later '2024-Q3' (or '2024' beside a quarter)
    # is counted with its latest period only: added up, its children counted twice (and, as one
    # organisation, its cells escaped the contributor rule: second privacy review).
    def counted():
        return db.execute("select count(distinct load_id), sum(children_count)"
                          " from stg_partner__vve_indicaties where gemeente_code = 'GM0001'"
                          " and organisation = ?", [ORGANISATION]).fetchone()

    def upload(rows: int, period: str):
        data = workbook(db, "vve-indicaties", "GM0001", rows, organisation=ORGANISATION,
                        period=period)
        return jobs.import_registration(db, data, "vve-indicaties", ORGANISATION, period,
                                        f"vve-{period}.xlsx", gemeente_code="GM0001")

    q3 = upload(7, "2024-Q3")
    alone = counted()
    q1 = upload(40, "2024-Q1")  # uploaded later, but an earlier period
    assert q1.superseded == [] and counted() == alone
    whole_year = upload(12, "2024")  # the year ends on 31 December: after Q3
    assert counted()[0] == 1 and counted() != alone
    assert {r[0] for r in db.execute("select load_id from loads where status = 'active'"
                                     " and organisation = ? and gemeente_code = 'GM0001'",
                                     [ORGANISATION]).fetchall()} >= {q3.load_id, q1.load_id,
                                                                     whole_year.load_id}
    _assert_as_full_build(db)


def _upload_uncommitted(cursor, con, gemeente: str, organisation: str) -> None:
    data = workbook(con, "vve-indicaties", gemeente, 20, organisation=organisation)
    cursor.begin()
    import_workbook(cursor, data, "vve-indicaties", organisation, "2024", "vve.xlsx",
                    gemeente_code=gemeente)
    transforms.build(cursor, gemeente_code=gemeente, changed=["stg_partner__vve_indicaties"])


def test_uploads_for_two_gemeenten_at_once_both_land(db):
    first, second = db.cursor(), db.cursor()
    _upload_uncommitted(first, db, "GM0001", "GGD Een (JGZ)")
    _upload_uncommitted(second, db, "GM0002", "GGD Twee (JGZ)")
    second.commit()
    first.commit()
    assert db.execute("select gemeente_code from loads where status = 'active'"
                      " and organisation in ('GGD Een (JGZ)', 'GGD Twee (JGZ)')"
                      " order by 1").fetchall() == [("GM0001",), ("GM0002",)]
    _assert_as_full_build(db)


def test_uploads_for_one_gemeente_at_once_conflict_so_the_job_runs_again(db):
    # jobs.retrying runs the losing upload again: it deleted the same rows of the marts
    first, second = db.cursor(), db.cursor()
    _upload_uncommitted(first, db, "GM0001", "GGD Een (JGZ)")
    with pytest.raises(duckdb.TransactionException):
        _upload_uncommitted(second, db, "GM0001", "GGD Twee (JGZ)")
    second.rollback()
    first.commit()


def _uploads_at_once(db, uploads: list[tuple], monkeypatch) -> tuple[dict, list[str]]:
    """Run these uploads (soort, gemeente, data, organisation) from threads of their own, each
    with a connection of its own, all arriving while another job holds the write turn (as
    partners clicking 'Bevestigen en opslaan' while a save is under way); what each got, and the
    gemeenten of the rebuilds that ran."""
    import threading
    import time

    path = Path(db.execute("select path from duckdb_databases() where database_name = current_database()"
                           ).fetchone()[0])
    rebuilds: list[str] = []
    build = transforms.build

    def counted(con, *args, **kwargs):
        rebuilds.append(kwargs.get("gemeente_code"))
        return build(con, *args, **kwargs)

    monkeypatch.setattr(transforms, "build", counted)
    outcome: dict[int, object] = {}

    def upload(n: int, soort: str, gemeente: str, data: bytes, organisation: str) -> None:
        con = store.connect(path)
        try:
            outcome[n] = jobs.import_registration(con, data, soort, organisation, "2024",
                                                  f"{soort}-{n}.xlsx", gemeente_code=gemeente)
        except Exception as error:
            outcome[n] = error
        finally:
            con.close()

    assert jobs._write_turn.acquire(timeout=10)
    try:
        threads = [threading.Thread(target=upload, args=(n, *item)) for n, item in enumerate(uploads)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 30
        while len(jobs._waiting) < len(uploads) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(jobs._waiting) == len(uploads)
    finally:
        jobs._write_turn.release()
    for thread in threads:
        thread.join(timeout=120)
    assert jobs._waiting == [] and jobs._leading == set()
    return outcome, rebuilds


def test_uploads_arriving_together_are_stored_together_with_one_rebuild(db, monkeypatch):
    a, b, c = "GGD Proef (JGZ)", "Kinderopvang Proef", "Peuterwerk Proef"
    uploads = [("vve-indicaties", "GM0001", workbook(db, "vve-indicaties", "GM0001", 30, organisation=a), a),
               ("vve-indicaties", "GM0001", workbook(db, "vve-indicaties", "GM0001", 20, organisation=b), b),
               ("ondersteuningstrajecten", "GM0002",
                workbook(db, "ondersteuningstrajecten", "GM0002", 25, organisation=c), c)]
    audited = db.execute("select count(*) from audit_log").fetchone()[0]
    outcome, rebuilds = _uploads_at_once(db, uploads, monkeypatch)
    assert [outcome[n].status for n in range(3)] == ["imported"] * 3
    # one rebuild per gemeente for the three, not one per upload
    assert sorted(rebuilds) == ["GM0001", "GM0002"]
    active = db.execute("select organisation, gemeente_code from loads where status = 'active'"
                        " and load_id in (select unnest(?::integer[]))",
                        [[outcome[n].load_id for n in range(3)]]).fetchall()
    assert sorted(active) == [(a, "GM0001"), (b, "GM0001"), (c, "GM0002")]
    assert db.execute("select count(*) from audit_log").fetchone()[0] == audited + 3
    _assert_as_full_build(db)


def test_a_refused_upload_among_simultaneous_ones_is_refused_alone(db, monkeypatch):
    a, b = "GGD Proef (JGZ)", "Kinderopvang Proef"
    before = _vve_signals(db, "GM0001")
    uploads = [("vve-indicaties", "GM0001", workbook(db, "vve-indicaties", "GM0001", 30, organisation=a), a),
               ("vve-indicaties", "GM0001", b"geen werkmap", b)]
    outcome, rebuilds = _uploads_at_once(db, uploads, monkeypatch)
    assert outcome[0].status == "imported"
    assert isinstance(outcome[1], InputRefused)
    # the batch was rolled back whole, then each stored on its own: the good one once
    assert db.execute("select count(*) from loads where organisation = ?", [b]).fetchone()[0] == 0
    assert db.execute("select count(*) from loads where organisation = ? and status = 'active'",
                      [a]).fetchone()[0] == 1
    assert _vve_signals(db, "GM0001") != before
    _assert_as_full_build(db)


def _rebuilt_gemeente(con) -> str | None:
    return con.execute(f"select getvariable('{transforms.REBUILT_GEMEENTE}')").fetchone()[0]


def test_a_model_filtering_its_sources_to_the_rebuilt_gemeente_is_rebuilt_per_gemeente():
    # in_rebuilt_gemeente (macros.sql) keeps a source's rows of other gemeenten out only in the
    # rebuild of one gemeente: right only where that gemeente's rows need no other gemeente's
    per_gemeente = transforms.rebuilt_per_gemeente(transforms.all_models())
    using = [m.name for m in transforms.all_models() if "in_rebuilt_gemeente(" in m.sql]
    assert "signals_by_wijk" in using
    assert [name for name in using if not per_gemeente.get(name)] == []


def test_the_rebuild_of_one_gemeente_reads_that_gemeentes_sources_only(db):
    # signals_by_wijk reads its counts (a common table expression read four times) and the
    # populations beside them (left joins) with in_rebuilt_gemeente: the filter on its result
    # reached neither, and the rebuild of one gemeente grouped the rows of every gemeente
    body = next(m.sql for m in transforms.all_models() if m.name == "signals_by_wijk").strip().rstrip(";")
    def gemeenten_read() -> list[str]:
        return [code for (code,) in db.execute(
            f"select distinct gemeente_code from ({body}) order by 1").fetchall()]
    everywhere = gemeenten_read()
    assert everywhere == ["GM0001", "GM0002", "GM9999"]
    with transforms._rebuilding(db, "GM0002"):
        assert _rebuilt_gemeente(db) == "GM0002"
        assert gemeenten_read() == ["GM0002"]
        plan = db.execute(f"explain select * from ({body})").fetchall()[0][1]
        assert "gemeente_code='GM0002'" in plan.replace(" ", "")
    assert _rebuilt_gemeente(db) is None
    assert gemeenten_read() == everywhere


def test_the_rebuilt_gemeente_is_forgotten_after_a_build_also_one_that_failed(db, monkeypatch):
    _upload(db, "vve-indicaties", "GM0001", 30)  # a per-gemeente rebuild on this connection
    assert _rebuilt_gemeente(db) is None

    def failing(con, model, gemeente_code=None):
        assert _rebuilt_gemeente(con) == gemeente_code == "GM0001"
        raise RuntimeError("model failed")

    monkeypatch.setattr(transforms, "_store_python", failing)
    with pytest.raises(RuntimeError, match="model failed"):
        transforms.build(db, gemeente_code="GM0001", changed=["stg_partner__vve_indicaties"])
    assert _rebuilt_gemeente(db) is None
    monkeypatch.undo()
    # a full build on the same connection reads every gemeente again
    transforms.build(db)
    assert {code for (code,) in db.execute("select distinct gemeente_code from signals_by_wijk"
                                           ).fetchall()} == {"GM0001", "GM0002", "GM9999"}
