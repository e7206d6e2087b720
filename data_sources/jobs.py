"""Jobs that load, then build: each load and the rebuild of the marts in one transaction.

The loaders only write raw tables; the CLI and the app call these jobs, so that a figure on a page
includes an upload exactly when the upload is active (killed halfway, nothing of it is stored).
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import random
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import NoReturn

import duckdb

import transforms
from data_sources import accounts, lrk, sample, store
from data_sources.cbs import files as cbs_files
from data_sources.cbs.pipeline import CbsLoader, LoadReport
from data_sources.config import SAMPLE_DIR, SAMPLE_GEMEENTE_CODE, db_path
from data_sources.errors import InputRefused, not_a_plain_file, unreadable_reason
from data_sources.registrations.history import restore
from data_sources.registrations.importing import ImportResult, import_workbook_detailed
from data_sources.registrations.schemas import registration_type
from data_sources.registrations.validate import CheckedUpload
from data_sources.text import file_name_shown, given_path
from transforms.labels import capitalised, on_the_pages
from transforms.partner_staging import staging_view
from transforms.population import (
    PROFILE_MISMATCH_MIN_CHILDREN,
    PROFILE_MISMATCH_SHARE,
    profile_mismatch_text,
)
from transforms.privacy import format_number

CONFLICT_ATTEMPTS = 5
BUSY_MESSAGE = ("Er werden op hetzelfde moment andere gegevens opgeslagen; uw gegevens zijn niet "
                "opgeslagen. Probeer het opnieuw.")
# One process at a time opens the database read-write (DuckDB), so every writer is in this
# process: its jobs take turns here instead of failing each other's commits ("Catalog write-write
# conflict" when two uploads rebuild the same marts). A job waits at most this long for its turn.
WRITE_TURN_SECONDS = 120.0
_write_turn = threading.Lock()
_log = logging.getLogger(__name__)


def retrying(con: duckdb.DuckDBPyConnection, work):
    """Run `work()` (one transaction on `con`) when no other job of this process is writing
    (jobs take turns), and again when DuckDB still refuses its commit because another session
    changed the same tables at the same time: the loser's transaction is rolled back whole, so
    running it again is safe. After CONFLICT_ATTEMPTS, or WRITE_TURN_SECONDS without a turn, a
    Dutch InputRefused. Inside a caller's transaction the caller decides (no turn, no retry)."""
    if store.in_transaction(con):
        return work()
    if not _write_turn.acquire(timeout=WRITE_TURN_SECONDS):
        raise InputRefused(BUSY_MESSAGE)
    try:
        for attempt in range(CONFLICT_ATTEMPTS):
            try:
                return work()
            except duckdb.TransactionException as exc:
                if (reason := store.write_failure_reason(exc)) is not None:
                    # the commit found the disk full or the folder not writable: rolled back
                    _log.error("Schrijven mislukt", exc_info=exc)
                    raise store.write_refused(reason) from None
                if not is_conflict(exc):
                    raise  # e.g. a transaction aborted by an earlier error: running it again fails again
                if attempt == CONFLICT_ATTEMPTS - 1:
                    raise InputRefused(BUSY_MESSAGE) from None
                # a write outside the jobs (an audit line, a note) has no event to await
                time.sleep(0.05 * 2 ** attempt * (1 + random.random()))
    finally:
        _write_turn.release()
    raise AssertionError("unreachable")


def is_conflict(error: Exception) -> bool:
    """Whether DuckDB refused a transaction because another session changed the same rows or
    catalog entries at the same time ("write-write conflict", "Conflict on update"): only then is
    running it again worth it."""
    return isinstance(error, duckdb.TransactionException) and "conflict" in str(error).lower()


def ensure_current_models(con: duckdb.DuckDBPyConnection, actor: str = "kindkaart") -> bool:
    """Rebuild every model when the database was built by another version of Kindkaart's models,
    macros or seeds (transforms.up_to_date): after an upgrade no page or export reads marts made by
    older rules, or misses a macro or view they need. One transaction, with an audit line; True
    when it rebuilt."""
    if transforms.up_to_date(con):
        return False

    def work() -> bool:
        with store.transaction(con):
            if transforms.up_to_date(con):  # another session rebuilt meanwhile
                return False
            transforms.build(con)
            accounts.audit(con, actor, "modellen bijgewerkt",
                           "alle tabellen opnieuw berekend met de regels van deze versie")
        return True

    return retrying(con, work)


def import_registration(
    con: duckdb.DuckDBPyConnection,
    data: bytes,
    soort: str,
    organisation: str,
    period: str,
    file_name: str,
    loaded_by: str | None = None,
    gemeente_code: str | None = None,
    actor: str = "opdrachtregel",
    checked: CheckedUpload | None = None,
) -> ImportResult:
    """Validate and store a partner workbook, rebuild the marts (the upload's gemeente only,
    transforms.build) and write the audit log, in one transaction. Raises InputRefused (Dutch
    messages) when refused; the database is then unchanged. A conflict with a simultaneous
    upload is retried (retrying). `checked`: the page's check of the same file, reused when
    still valid (importing.import_workbook_detailed).

    Uploads that arrive while another is being stored wait for it and are then stored together
    (_stored_together): one transaction and one rebuild of the marts for all of them."""
    upload = _Upload((data, soort, organisation, period, file_name, loaded_by, gemeente_code, checked),
                     actor, _database_of(con))
    if store.in_transaction(con):  # part of the caller's transaction: the caller decides
        return _store_uploads(con, [upload])[0]
    return _stored_together(con, upload)


@dataclasses.dataclass(eq=False)
class _Upload:
    """One import_registration call: its arguments, and what came of it once stored."""

    args: tuple
    actor: str
    database: object  # uploads to the same database file are stored together
    taken: bool = False  # a session is storing it
    done: bool = False
    result: ImportResult | None = None
    error: BaseException | None = None

    def outcome(self) -> ImportResult:
        if self.error is not None:
            raise self.error
        return self.result


# Group commit. Four partners saving at once each waited for the three before them, and each of
# those rebuilt the same marts (two thirds of an upload's time) only for the next one to rebuild
# them again. Now the session whose turn it is takes every upload waiting for the same database
# and stores them in one transaction with one rebuild: each upload is still active exactly when
# the figures include it (they commit together), and the marts are what storing them one by one
# would have made. When anything in such a batch is refused or fails, it is rolled back whole and
# each upload is stored on its own, so that one partner's refusal never becomes another's.
_uploads = threading.Condition()
_waiting: list[_Upload] = []
_leading: set[object] = set()  # databases a session is storing uploads for


def _database_of(con: duckdb.DuckDBPyConnection) -> object:
    """The database file `con` writes to; a new object (never shared) for one in memory."""
    path = con.execute("select path from duckdb_databases() where database_name = current_database()"
                       ).fetchall()[0][0]
    return str(Path(path).resolve()) if path else object()


def _stored_together(con: duckdb.DuckDBPyConnection, upload: _Upload) -> ImportResult:
    deadline = time.monotonic() + WRITE_TURN_SECONDS
    with _uploads:
        _waiting.append(upload)
        while not upload.done and (upload.taken or upload.database in _leading):
            remaining = deadline - time.monotonic()
            if remaining <= 0 and not upload.taken:
                _waiting.remove(upload)
                raise InputRefused(BUSY_MESSAGE)
            # once taken, it is being stored: waiting is all there is to do
            _uploads.wait(timeout=max(remaining, 1.0))
        if upload.done:
            return upload.outcome()
        _leading.add(upload.database)
    batch: list[_Upload] = []
    try:
        _store_batch(con, upload, batch)
    finally:
        with _uploads:
            _leading.discard(upload.database)
            if upload in _waiting:  # never taken (no turn): it leaves with this session
                _waiting.remove(upload)
            for other in batch:  # interrupted: what was not stored waits for the next session
                if not other.done and other is not upload:
                    other.taken = False
                    _waiting.append(other)
            _uploads.notify_all()
    return upload.outcome()


def _store_batch(con: duckdb.DuckDBPyConnection, upload: _Upload, batch: list[_Upload]) -> None:
    """Store `upload` and the others waiting for its database (filling `batch`), together when
    they can be."""
    database = upload.database
    def take() -> list[_Upload]:
        # on the first attempt, once this session has its turn: what arrived meanwhile comes too
        if not batch:
            with _uploads:
                batch.extend(u for u in _waiting if u.database == database)
                for u in batch:
                    _waiting.remove(u)
                    u.taken = True
        return batch

    try:
        results = retrying(con, lambda: _store_uploads(con, take()))
    except Exception as error:
        if len(batch) <= 1:  # alone, or refused its turn before taking anything
            for u in batch or [upload]:
                u.error, u.done = error, True
            return
        for u in batch:  # one by one, as if each had come alone
            try:
                u.result = retrying(con, lambda u=u: _store_uploads(con, [u]))[0]
            except Exception as alone:
                u.error = alone
            u.done = True
    else:
        for u, result in zip(batch, results, strict=True):
            u.result, u.done = result, True


def _store_uploads(con: duckdb.DuckDBPyConnection, batch: list[_Upload]) -> list[ImportResult]:
    """Store these uploads, rebuild the marts they change once, and write an audit line for each:
    one transaction."""
    with store.transaction(con):
        results = [import_workbook_detailed(con, *u.args) for u in batch]
        if loads := [r.load_id for r in results if r.status == "imported"]:
            _rebuild_for_uploads(con, loads)
        for u, result in zip(batch, results, strict=True):
            if result.status != "imported":
                continue
            soort, organisation, period, file_name = u.args[1:5]
            replaced = (f"; vervangt upload {', '.join(map(str, result.superseded))}"
                        if result.superseded else "")
            accounts.audit(con, u.actor, "vervanging" if result.superseded else "upload",
                           f"upload {result.load_id}: {soort}, {organisation}, {period}, "
                           f"{file_name_shown(file_name)}{replaced}",
                           _gemeenten_of(con, [result.load_id]))
    return results


def restore_upload(con: duckdb.DuckDBPyConnection, load_id: int, *, organisation: str | None = None,
                   actor: str = "opdrachtregel", shown_as: int | None = None,
                   gemeente_code: str | None = None) -> list[int]:
    """Make an earlier upload active again, rebuild the marts (its gemeente only) and write the
    audit log, in one transaction. With `organisation` (a partner) only a partner upload of that
    organisation (never a BRP extract); with `gemeente_code` (the gemeente the page shows, which the account may see)
    only an upload of that gemeente: whoever restores from a page restores only what that page
    listed, also if what the browser sends is forged. A refusal names the upload as `shown_as`
    (the number the reader knows it by, history.own_numbers) or else by its load_id; the audit
    log always has the load_id."""
    name = load_id if shown_as is None else shown_as
    def work() -> list[int]:
        with store.transaction(con):
            owner = con.execute("select organisation, gemeente_code, source from loads where load_id = ?",
                                [int(load_id)]).fetchone()
            # a partner's own are its deliveries: never the gemeente's BRP extract, also when the
            # beheerder delivered it under the partner's name (the gemeente as a partner)
            if organisation is not None and (owner is None or owner[0] != organisation
                                             or owner[2] != "partner"):
                raise InputRefused(f"Upload {name} bestaat niet of is niet van uw organisatie.")
            if gemeente_code is not None and (owner is None or owner[1] != gemeente_code):
                raise InputRefused(f"Upload {name} bestaat niet of hoort niet bij deze gemeente.")
            replaced = restore(con, load_id, shown_as=shown_as)
            _rebuild_for_upload(con, load_id)
            accounts.audit(con, actor, "terugzetten",
                           f"upload {load_id}" + (f"; vervangt {', '.join(map(str, replaced))}"
                                                   if replaced else ""), _gemeenten_of(con, [load_id]))
        return replaced

    return retrying(con, work)


def _gemeenten_of(con: duckdb.DuckDBPyConnection, load_ids: list[int]) -> list[str]:
    """The gemeenten of these loads, for the audit log (a beheerder tied to gemeenten sees its own)."""
    return [code for (code,) in con.execute(
        "select distinct gemeente_code from loads where load_id in (select unnest(?::integer[]))"
        " and regexp_matches(gemeente_code, '^GM[0-9]{4}$')", [[int(i) for i in load_ids]]).fetchall()]


def _rebuild_for_upload(con: duckdb.DuckDBPyConnection, load_id: int) -> None:
    _rebuild_for_uploads(con, [load_id])


def _rebuild_for_uploads(con: duckdb.DuckDBPyConnection, load_ids: list[int]) -> None:
    # An upload holds rows of its own gemeente only (validation places every row in it), and
    # what it replaces has the same gemeente and type: only that gemeente's rows of the marts
    # that read the type's staging view change. Once per gemeente for uploads stored together.
    changed: dict[str, set[str]] = {}
    for gemeente_code, dataset in con.execute(
            "select gemeente_code, dataset from loads where load_id in (select unnest(?::integer[]))",
            [[int(i) for i in load_ids]]).fetchall():
        changed.setdefault(gemeente_code, set()).add(staging_view(registration_type(dataset)))
    for gemeente_code, views in sorted(changed.items()):
        transforms.build(con, gemeente_code=gemeente_code, changed=sorted(views))


def import_lrk(con: duckdb.DuckDBPyConnection, path: str | Path, year: int | None = None,
               actor: str = "opdrachtregel", within: set[str] | None = None) -> lrk.LrkImport:
    """Store an LRK export and rebuild the marts, in one transaction (with the audit line). An
    error the readers did not foresee is a Dutch refusal too (refused_unforeseen). `within`: the
    gemeenten of the account that reads it (None: every gemeente, the command line); only the
    locations of those gemeenten are stored (the register's national export is one file), the
    others are named in a note, and an export with none of them is refused, nothing stored."""
    def work() -> lrk.LrkImport:
        with store.transaction(con):
            result = lrk.import_lrk_file(con, path, year=year, within=within)
            transforms.build(con)
            accounts.audit(con, actor, "lrk-lading", f"{Path(path).name}", result.covered)
        return result

    with refused_unforeseen(path):
        return retrying(con, work)


@contextlib.contextmanager
def refused_unforeseen(path: str | Path) -> Iterator[None]:
    """Turn an error the file readers did not foresee (a shape of file nobody thought of) into a
    Dutch InputRefused naming the file, with the traceback in the server's log only: a page shows
    no traceback or server path, and the transaction was rolled back, so nothing is stored. A
    refusal, a database that is damaged or in use and Ctrl-C pass unchanged."""
    try:
        yield
    except InputRefused:
        raise
    except duckdb.Error as error:
        store.raise_if_interrupted(error)  # Ctrl-C during a query: not the file's fault
        if store.is_damage(error):
            raise
        _refuse_unforeseen(path, error)
    except Exception as error:  # noqa: BLE001 - the safety net under every reader's own checks
        store.raise_if_interrupted(error)
        _refuse_unforeseen(path, error)


def _refuse_unforeseen(path: str | Path, error: Exception) -> NoReturn:
    if isinstance(error, PermissionError) and Path(str(error.filename)).name == Path(path).name:
        # the file itself, or a folder on its way, that this user may not read: not its shape
        raise InputRefused(f"Bestand {Path(path).name} kan niet worden gelezen: "
                           f"{unreadable_reason(error)}. Er is niets opgeslagen.") from None
    if (reason := store.write_failure_reason(error, read_file=path)) is not None:
        # a full disk or a folder without write rights: the file is not to blame
        _log.error("Schrijven mislukt bij het inlezen van %s", Path(path).name, exc_info=error)
        raise store.write_refused(reason) from None
    _refuse_unreadable(path, error)


def _refuse_unreadable(path: str | Path, error: Exception) -> NoReturn:
    _log.error("Onverwachte fout bij het inlezen van %s", Path(path).name, exc_info=error)
    raise InputRefused(f"Bestand {Path(path).name} is niet te lezen; er is niets opgeslagen. Het "
                       "bestand heeft een opbouw die Kindkaart niet kent (de beheerder vindt de "
                       f"details in het logboek van de server: {type(error).__name__}).") from None


def import_cbs_file(con: duckdb.DuckDBPyConnection, path: str | Path, *,
                    gemeenten: list[str] | None = None, year: int | None = None,
                    replace: bool = False, actor: str = "opdrachtregel",
                    within: set[str] | None = None) -> cbs_files.StoredFile:
    """Store a hand-downloaded CBS file (data_sources.cbs.files.store_file), rebuild the marts and
    write the audit line, in one transaction. Returns (kind, load ids, notes on what the file held
    but was not stored); raises InputRefused when refused (nothing stored). `within`: the
    gemeenten of the account that reads it (page Gemeente laden; None: every gemeente, as the
    command line of the server's administrator): nothing of another gemeente is stored."""
    path = given_path(path)  # '.' is named as the folder it stands for, in the audit and refusals

    def work() -> cbs_files.StoredFile:
        with store.transaction(con):
            stored = cbs_files.store_file(con, path, gemeenten=gemeenten, year=year,
                                          replace=replace, within=within)
            transforms.build(con)
            accounts.audit(con, actor, "cbs-lading", f"{Path(path).name}: {stored.kind}",
                           _gemeenten_of(con, stored.load_ids))
            return stored._replace(notes=[*stored.notes, *population_mismatch_notes(con, stored.load_ids)])

    with refused_unforeseen(path):
        return retrying(con, work)


# More gemeenten than this whose 03759ned and kwb disagree after one load get one note together
MISMATCH_NOTES_SHOWN = 3

# The gemeenten and years of some loads of the two tables of the route 'CBS 03759ned × kwb' whose
# children per wijk (some wijken at least) take that route, with the gemeente's name; only those
# that profile_mismatch_text may warn about, found for all of them at once (a national file holds
# hundreds, and asking each costs some 10 ms): 03759ned lacks an age of 0-11, or it has every age
# of 0-14 and its 0-14 year olds differ from the kwb's gemeente figure (else the sum of its
# wijken) by more than the least margin that function allows.
_ESTIMATED_BY_PROFILE_SQL = """
    with estimated as (
        select p.gemeente_code, p.year
        from population_by_wijk_age as p
        where p.population_source = 'cbs-schatting'
          and exists (select 1 from loads as l
                      where l.load_id in (select unnest(?::integer[]))
                        and l.dataset in ('kerncijfers', 'bevolking-leeftijd')
                        -- a 03759ned load holds every year of its gemeente (loads.year empty)
                        and l.gemeente_code = p.gemeente_code and coalesce(l.year, p.year) = p.year)
        group by p.gemeente_code, p.year
    ),
    ages as (
        select gemeente_code, year, sum(persons_count) as children,
               count(distinct age) filter (where age <= 11) as young_ages, count(distinct age) as all_ages
        from stg_cbs__population_by_age
        where age between 0 and 14 and persons_count is not null
          and (gemeente_code, year) in (select gemeente_code, year from estimated)
        group by gemeente_code, year
    ),
    kwb as (
        select region_code as gemeente_code, year, min(value) as children
        from stg_cbs__kerncijfers
        where region_level = 'gemeente' and stem = 'k_0Tot15Jaar' and value is not null
        group by region_code, year
    ),
    wijken as (
        select 'GM' || substr(region_code, 3, 4) as gemeente_code, year, sum(value) as children
        from stg_cbs__kerncijfers
        where region_level = 'wijk' and stem = 'k_0Tot15Jaar'
        group by 1, year
    )
    select e.gemeente_code, e.year,
           coalesce((select max(r.region_name) from regions as r
                     where r.region_code = e.gemeente_code and r.region_level = 'gemeente'), e.gemeente_code)
    from estimated as e
    join ages as a using (gemeente_code, year)
    left join kwb as k using (gemeente_code, year)
    left join wijken as w using (gemeente_code, year)
    where a.young_ages < 12
       or a.all_ages = 15 and abs(a.children - coalesce(nullif(k.children, 0), w.children)) > ?
    order by e.gemeente_code, e.year
"""


def population_mismatch_notes(con: duckdb.DuckDBPyConnection, load_ids: list[int]) -> list[str]:
    """Overzicht's warning that 03759ned and the kwb disagree on a gemeente's children
    (transforms.population profile_mismatch_text), for every gemeente and year of these loads
    whose children per wijk are estimated from the two, in plain text: the command and the page
    Gemeente laden say it right after the load that caused it, not only the pages later."""
    def run(sql: str, params: list) -> list[tuple]:
        return con.execute(sql, params).fetchall()

    found = [(name, year, text) for code, year, name in run(_ESTIMATED_BY_PROFILE_SQL,
                                                           [list(load_ids), PROFILE_MISMATCH_MIN_CHILDREN])
             if (text := profile_mismatch_text(run, code, year, name, where=on_the_pages))]
    if len(found) > MISMATCH_NOTES_SHOWN:
        # a national file of the wrong year or selection: one note naming them, not a wall of them
        listed = ", ".join(f"{name} ({year})" for name, year, _ in found[:10])
        more = f" en nog {len(found) - 10}" if len(found) > 10 else ""
        return [f"Voor {len(found)} gemeenten passen de twee CBS-tabellen van de schatting per wijk niet "
                "bij elkaar: hun kinderen van 0 tot en met 14 jaar in CBS-tabel 03759ned wijken meer dan "
                f"{format_number(PROFILE_MISMATCH_SHARE * 100)} % af van de Kerncijfers wijken en buurten "
                f"van hetzelfde jaar (kolom a_00_14): {listed}{more}. Controleer of 03759ned van die "
                "gemeenten en dat jaar is, gedownload met Geslacht 'Totaal mannen en vrouwen' en "
                "Burgerlijke staat 'Totaal burgerlijke staat', en of het kwb-bestand van dat jaar is. "
                "Databronnen en Overzicht van elke gemeente noemen beide totalen."]
    # the command says 'Let op:' before every warning, the page shows it as one
    return [capitalised(text.replace("**", "").removeprefix("Let op: ")) for _, _, text in found]


def stored_gemeenten_phrase(con: duckdb.DuckDBPyConnection, load_ids: list[int]) -> str:
    """What a CBS file's loads hold, as the command and the page say it: '1 gemeente(n)', with
    ' en Nederland' for the national age profile of 03759ned (NL01), which is no gemeente."""
    count, national = con.execute(
        "select count(distinct gemeente_code) filter (where gemeente_code like 'GM%'),"
        " coalesce(bool_or(gemeente_code like 'NL%'), false)"
        " from loads where load_id in (select unnest(?::integer[]))", [list(load_ids)],
    ).fetchone()
    return f"{count} gemeente(n)" + (" en Nederland" if national else "")


def fetch_cbs(gemeenten: list[str] | None, years: Iterable[int], *, cache_dir: str | Path,
              progress=None, refresh: bool = False, client=None, endpoints=None) -> LoadReport:
    """Fetch every CBS and PDOK table of a load into the offline copy (`cache_dir`) and check
    it by storing it in a scratch database in memory: the database itself is not opened, so that
    it is held only while storing (load_cbs), not while CBS and PDOK answer. The report says what
    was fetched (from_cache) and why a table is missing."""
    settings = {"client": client, "endpoints": endpoints, "progress": progress}
    scratch = store.connect(":memory:")
    try:
        return CbsLoader(scratch, cache_dir=Path(cache_dir), refresh=refresh,
                         **{name: value for name, value in settings.items() if value is not None}
                         ).run(gemeenten, list(years))
    except OSError as error:
        # the offline copy is the only file written here: a full disk or a folder without write
        # rights showed Python's OSError, with the server's path, on Gemeente laden
        if (reason := store.write_failure_reason(error)) is None:
            raise
        raise InputRefused(f"De opgehaalde CBS-tabellen konden niet worden bewaard in de map voor de "
                           f"opgeslagen kopieën: {reason}. Er is niets geladen; wat eerder geladen was, "
                           "blijft. Vraag de beheerder om daar ruimte te maken of schrijfrechten te geven "
                           "(KINDKAART_CBS_CACHE), en probeer het daarna opnieuw.") from None
    finally:
        scratch.close()


def load_cbs(loader: CbsLoader, gemeenten: list[str] | None, years: Iterable[int],
             actor: str = "opdrachtregel", fetched: LoadReport | None = None) -> LoadReport:
    """Load CBS and PDOK tables all or nothing: first fetch every table into the offline copy
    (fetch_cbs; `fetched`: the caller did, before opening the database), then store all of them
    from that copy, rebuild the marts and write the audit line in ONE transaction. Killed or
    failing at any point, the database holds the old load or the new one, never new kerncijfers
    beside old ages or boundaries. A table that cannot be stored (refused, missing) is a warning
    and the others are stored, as before."""
    years = list(years)
    storing = dataclasses.replace(loader, offline=True, refresh=False)
    if fetched is None and not loader.offline:
        # one progress bar (the page's) for both passes: fetching the first half, storing the second
        fetched = fetch_cbs(gemeenten, years, cache_dir=loader.cache_dir,
                            progress=lambda f, message: loader.progress(None if f is None else f / 2, message),
                            refresh=loader.refresh, client=loader.client, endpoints=loader.endpoints)
        storing.progress = lambda f, message: loader.progress(None if f is None else 0.5 + f / 2, message)
    storing.progress(None, "Opslaan in de database")

    mismatches: list[str] = []

    def work() -> LoadReport:
        with store.transaction(storing.con):
            report = storing.run(gemeenten, years)
            if report.loaded:
                storing.progress(1.0, "Modellen bijwerken")
                transforms.build(storing.con)
                accounts.audit(storing.con, actor, "cbs-lading",
                               f"{', '.join(gemeenten) if gemeenten else 'alle gemeenten'}; "
                               f"jaren {', '.join(map(str, years)) or 'standaard'}", gemeenten)
                mismatches[:] = population_mismatch_notes(
                    storing.con, [load_id for table in report.loaded for load_id in table.load_ids])
        return report

    report = retrying(storing.con, work)
    storing.progress(1.0, "Klaar")
    if fetched is None:
        return LoadReport(report.loaded, [*report.warnings, *mismatches])
    # the fetching pass knows what was downloaded and why a table is missing; the storing pass
    # adds what only the database shows (a table that would empty earlier values)
    downloaded = {(t.table_id, t.year) for t in fetched.loaded if not t.from_cache}
    loaded = [dataclasses.replace(t, from_cache=(t.table_id, t.year) not in downloaded)
              for t in report.loaded]
    extra = [w for w in report.warnings if w not in fetched.warnings
             and not any(missing in w for missing in storing.uncached)]
    return LoadReport(loaded, [*fetched.warnings, *extra, *mismatches])


def load_sample(con: duckdb.DuckDBPyConnection, sample_dir: Path = SAMPLE_DIR) -> dict[str, int]:
    """Load the sample gemeente, build the marts and add its two example scenarios (one per
    perspective), in one transaction."""
    with store.transaction(con):
        counts = sample.load_sample(con, sample_dir)
        transforms.build(con)
        seed_sample_scenarios(con)
    return counts


def seed_sample_scenarios(con: duckdb.DuckDBPyConnection) -> list[int]:
    """The sample gemeente's example scenarios for its latest year (none when it has scenarios)."""
    from transforms import scenarios

    year = con.execute("select max(year) from population_by_wijk_age where gemeente_code = ?",
                       [SAMPLE_GEMEENTE_CODE]).fetchone()[0]
    if year is None:
        return []
    return scenarios.seed_examples(con, SAMPLE_GEMEENTE_CODE, int(year))


def build_sample_database(path: str | Path | None = None, *, force: bool = False) -> Path:
    """Create the database file from sample_data/ if it is missing (or always with force). The new
    database is built beside the old one (in a file of this process's own) and takes its place
    only when complete: killed halfway, the old database is still there. With force, the old
    database is backed up first, and no other process can write to it between its backup and the
    swap (put_in_place). A path that cannot be replaced gives DatabaseRefused before any work."""
    target = db_path(path)
    store.check_path(target)
    # a file that holds nothing (a first command killed while creating it) is a missing database
    missing = not target.exists() or store.holds_nothing(target)
    if not missing and not force:
        return target
    target = store.through_link(target)  # the file a link leads to is replaced, not the link
    _check_replaceable(target)
    partial = _scratch_file(target, ".building")
    kept = None if missing else store.backup_name(target, "voor-force")
    try:
        con = store.connect(partial)
        try:
            load_sample(con)
            if kept is not None:  # in the new database, so it comes with the swap or not at all
                with store.transaction(con):
                    accounts.audit(con, "opdrachtregel", "database vervangen",
                                   f"init --sample --force: Voorbeeldstad ({SAMPLE_GEMEENTE_CODE}); "
                                   f"de vorige database staat in backups/{kept.name}")
            con.execute("checkpoint")
        finally:
            con.close()
        put_in_place(partial, target, "voor-force", kept)
    except store.DatabaseRefused as refused:
        refused.path = target  # the refusal names the path the user gave, not this scratch file
        raise
    except OSError as error:
        raise _not_replaced(target, error) from None
    finally:
        _remove_with_wal(partial)
    return target


def restore_backup(backup_file: str | Path, path: str | Path | None = None,
                   actor: str = "opdrachtregel") -> tuple[Path, Path | None, bool]:
    """Put a backup in the database's place; returns (database, backup of the old one, whether
    the accounts of the old one were kept). The accounts (and their gemeenten) stay those of the
    database it replaces: who may enter is not data (_put_accounts).

    The backup must be a complete Kindkaart database that reads back (store.verify_database, on
    the copy that will be put in place; the transactions of a .wal beside it are written into
    that copy first). The current database is backed up before, and no other process can write
    to it between that backup and the swap (put_in_place). The restored database's audit log
    (the backup's own) gets a line saying so, written into the copy before the swap: killed at
    any moment, the old database without it or the restored one with it."""
    source = Path(backup_file)
    target = store.through_link(db_path(path))  # the file a link leads to is replaced, not the link
    if (odd := not_a_plain_file(source)) is not None:
        raise InputRefused(f"De reservekopie {source} {odd}: kies een reservekopie (.duckdb). De "
                           "database is ongewijzigd.")
    try:
        found = source.is_file()
    except OSError as error:  # a folder on the way that this user may not enter
        raise InputRefused(f"De reservekopie {source} kan niet worden gelezen: "
                           f"{unreadable_reason(error)}. De database is ongewijzigd.") from None
    if not found:
        raise InputRefused(f"De reservekopie {source} bestaat niet (of is een map).")
    if source.name.endswith(store.COPYING):
        raise _backup_damaged(source, " (een .kopie-bestand is de kopie van een reservekopie die "
                                      "nog niet af was: afgebroken of nog bezig)")
    if target.exists() and source.resolve() == target.resolve():
        raise InputRefused("De reservekopie is de database zelf.")
    try:
        store.connect(source, read_only=True, create=False).close()  # not ours, empty, newer
    except store.DatabaseRefused as refused:
        if refused.messages == [store.DAMAGED_MESSAGE]:
            raise _backup_damaged(source) from None
        raise
    _check_replaceable(target)
    partial = _scratch_file(target, ".terugzetten")
    try:
        shutil.copyfile(source, partial)
        wal = source.with_name(source.name + ".wal")
        if wal.exists():  # its last writer was killed after a commit: the WAL holds that commit
            shutil.copyfile(wal, partial.with_name(partial.name + ".wal"))
            store.absorb_wal(partial)
        try:
            store.verify_database(partial)
        except store.DatabaseRefused as refused:
            raise _backup_damaged(source) from refused
        kept = store.backup_name(target, "voor-terugzetten") if target.exists() else None
        made = datetime.fromtimestamp(source.stat().st_mtime)
        accounts_kept = False

        def finish(current: duckdb.DuckDBPyConnection | None) -> None:
            # with the current database locked (put_in_place): its accounts as they are at the swap
            nonlocal accounts_kept
            rows = _accounts_of(current) if current is not None else None
            accounts_kept = rows is not None
            _audit_in_copy(partial, source, actor, "reservekopie teruggezet",
                           f"{source.name} (gemaakt {made:%d-%m-%Y %H:%M:%S}); "
                           + (f"de vorige database staat in backups/{kept.name}" if kept
                              else "er stond nog geen database")
                           + ("; de accounts zijn die van de vorige database" if accounts_kept else ""),
                           also=None if rows is None else lambda con: _put_accounts(con, rows))

        old = put_in_place(partial, target, "voor-terugzetten", kept, before_swap=finish)
    except OSError as error:
        raise _not_replaced(target, error) from None
    finally:
        _remove_with_wal(partial)
    return target, old, accounts_kept


# Who may enter is the server's, not data: a backup from before an account was disabled (a leaked
# password) or given a new password brought it back as it was, without a word. restore-backup keeps
# the accounts (and their gemeenten) of the database it replaces; those only the backup has stay.
_ACCOUNT_TABLES = ("accounts", "account_gemeenten")


def _accounts_of(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[list[str], list[tuple]]] | None:
    if not all(store.has_table(con, table) for table in _ACCOUNT_TABLES):
        return None
    found = {}
    for table in _ACCOUNT_TABLES:
        cursor = con.execute(f"select * from {table}")
        found[table] = ([column[0] for column in cursor.description], cursor.fetchall())
    return found


def _put_accounts(con: duckdb.DuckDBPyConnection, rows: dict[str, tuple[list[str], list[tuple]]]) -> None:
    # every account of the current database as it is; one only the backup has (restored onto a new
    # installation, or after init --sample --force) stays: there is no command that removes one
    columns, values = rows["accounts"]
    logins = [row[columns.index("login")].lower() for row in values]
    for table in reversed(_ACCOUNT_TABLES):
        con.execute(f"delete from {table} where lower(login) in (select unnest(?::varchar[]))", [logins])
    for table in _ACCOUNT_TABLES:
        columns, values = rows[table]
        if values:
            con.executemany(f"insert into {table} ({', '.join(columns)}) values "
                            f"({', '.join('?' for _ in columns)})", values)


def _audit_in_copy(copy: Path, source: Path, actor: str, action: str, detail: str,
                   also: Callable[[duckdb.DuckDBPyConnection], None] | None = None) -> None:
    # The copy is this process's own (no other checks, as absorb_wal). A backup of an older
    # version of Kindkaart gets the current schema here (its migrations; the backup itself is the
    # copy from before them), so that its audit log takes the line.
    try:
        con = duckdb.connect(str(copy), config=store.CONNECT_CONFIG)
        try:
            store.migrate(con)
            with store.transaction(con):
                if also is not None:
                    also(con)
                accounts.audit(con, actor, action, detail)
            con.execute("checkpoint")
        finally:
            con.close()
    except duckdb.Error as error:
        store.raise_if_interrupted(error)
        if (reason := store.write_failure_reason(error)) is not None:
            raise store.write_refused(reason) from None
        raise _backup_damaged(source) from error


def _backup_damaged(source: Path, why: str = ": niet alles erin is te lezen") -> store.DatabaseRefused:
    return store.DatabaseRefused(f"De reservekopie is beschadigd of onvolledig{why}. Hij is niet "
                                 "teruggezet; de database is ongewijzigd.", source)


def put_in_place(new: Path, target: Path, label: str, backup_to: Path | None = None,
                 before_swap: Callable[[duckdb.DuckDBPyConnection | None], None] | None = None
                 ) -> Path | None:
    """Replace the database at `target` by the file `new`, after backing it up (store.backup, to
    `backup_to` when given: a name the new database's audit line already gives); returns the
    backup (None when there was no database). The old database stays open here
    from before its backup until after the swap: DuckDB's lock keeps every other process (a
    click in the app) from writing to it in between, where its change would be in neither file.
    A damaged or foreign file is kept as it is, with a .wal beside it moved along (never deleted:
    it may be another program's). `before_swap(current)` runs right before the swap, with the
    current database open and locked (None when there is none, or it is damaged or foreign). A
    file that holds nothing (store.holds_nothing) is replaced without a backup when no
    `backup_to` is given: there is nothing in it to keep."""
    if not target.exists():
        if before_swap is not None:
            before_swap(None)
        os.replace(new, target)
        return None
    try:
        con = store.connect(target, create=False)
    except store.DatabaseInUse:
        raise  # never replace a database a running app or load is writing to
    except store.DatabaseRefused as refused:
        if backup_to is None and refused.messages == [store.EMPTY_MESSAGE]:
            if before_swap is not None:
                before_swap(None)
            # its .wal holds no commit (else the file would not hold nothing): not for the new file
            target.with_name(target.name + ".wal").unlink(missing_ok=True)
            os.replace(new, target)
            return None
        con = None
    try:
        old = store.backup(con, target, label, backup_to, verify=con is not None)
        if before_swap is not None:
            before_swap(con)
        wal = target.with_name(target.name + ".wal")
        if con is None and wal.exists():
            os.replace(wal, old.with_name(old.name + ".wal"))
        os.replace(new, target)
    finally:
        if con is not None:
            con.close()  # checkpointed by the backup: nothing is written to the old file
    return old


_SCRATCH_ENDINGS = (".building", ".terugzetten")


def _scratch_file(target: Path, ending: str) -> Path:
    # a file of this process only (two `init --force` at once must not share one), after removing
    # what killed runs of either command left
    for kind in _SCRATCH_ENDINGS:
        store.remove_leftovers(target.parent, kind, stem=target.name)
    return target.with_name(f"{target.name}.{os.getpid()}{ending}")


def _remove_with_wal(path: Path) -> None:
    for leftover in (path, path.with_name(path.name + ".wal")):
        leftover.unlink(missing_ok=True)


def _check_replaceable(target: Path) -> None:
    store.check_path(target)
    if target.is_dir():
        raise store.DatabaseRefused("Het opgegeven databasepad is een map, geen databasebestand. Er "
                                    "is niets veranderd.", target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise _not_replaced(target, error) from None
    # os.access also answers for an immutable file and a read-only mount, where root may not write
    if not os.access(target.parent, os.W_OK) or (target.exists() and not os.access(target, os.W_OK)):
        raise store.DatabaseRefused("De database is alleen te lezen (geen schrijfrechten) en kan niet "
                                    "worden vervangen. Er is niets veranderd.", target)


def _not_replaced(target: Path, error: OSError) -> store.DatabaseRefused:
    return store.DatabaseRefused(f"De database kon niet worden vervangen ({store.os_reason(error)}). "
                                 "De oude database is ongewijzigd.", target)
