"""Access to the DuckDB store for pages: a connection per script run, a cursor per query, cached results.

`query` gives a pandas frame, `rows` plain tuples: pandas is loaded only by pages that ask for
frames (DuckDB's `.df()` imports it), so the first page draws without it.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import secrets
import threading
import time
import weakref
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import streamlit as st

import transforms
from data_sources import config, store
from data_sources.config import db_path

if TYPE_CHECKING:
    import pandas as pd


# One connection per script run (a thread), closed when the run ends (app.py, the presentation's
# fragment and the downloads call release()). The runs of the process share one database instance,
# kept open until no run has used it for IDLE_SECONDS: consecutive clicks and simultaneous sessions
# reuse its catalog and buffer cache (opening a national database costs 40-60 ms, and closing it
# after a write checkpoints), while `python -m data_sources` gets the file within seconds of the
# app falling idle (DuckDB lets one process at a time open a file; the command waits up to
# store.LOCK_WAIT_SECONDS for it). While people keep clicking the app is never idle that long: a
# process that waits for the file says so (store.others_waiting), and then the app closes the
# instance as soon as the runs under way have ended; runs that start meanwhile wait until the
# other process has the file (then store.connect waits for it to let go), so a command gets its
# turn within the time the runs under way take, not only when everybody stops clicking.
IDLE_SECONDS = 2.0
_local = threading.local()
_lock = threading.RLock()  # a lease may end in the garbage collector, inside a locked section
_turn = threading.Condition(_lock)  # notified when the last run lets go of an instance
_shared: dict[Path, _Shared] = {}


class _Shared:
    """The process's open database instance for one path, and how many runs use it now."""

    def __init__(self, path: Path):
        self.path = path
        self.con, self.read_only = _open(path)
        self.identity = _identity(path)
        self.users = 0
        self.replaced = False  # the file on disk is another one now: close when the last run ends
        self.idle_since = 0  # which release() last left it unused (a newer one supersedes a timer)


def _identity(path: Path) -> tuple[int, int] | None:
    # A database put in place by `init --force` or `restore-backup` is a new file: never go on
    # reading the old one through an instance that was open before.
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


def _open(path: Path) -> tuple[duckdb.DuckDBPyConnection, bool]:
    # A missing database at the default place is built from the bundled sample gemeente (demo
    # mode: `make run` on a new machine). Anywhere else (KINDKAART_DB) a missing file is an error:
    # a mistyped path must not show the fictional Voorbeeldstad as if it were the real data.
    store.check_path(path)  # a folder this user may not enter: a Dutch refusal, not an OSError
    if not path.exists() and path == config.DEFAULT_DB_PATH:
        from data_sources import jobs  # the loaders take a third of a second to import

        jobs.build_sample_database(path)
    # A database this process may not write (a read-only copy for the LEA view, a file or folder
    # without write rights, a read-only mount) is opened read-only: every page reads it, and every
    # write is refused with store.READ_ONLY_MESSAGE (refusal), instead of every page refusing.
    read_only = path.exists() and not store.writable(path)
    try:
        con = store.connect(path, create=False, read_only=read_only)
    except store.DatabaseRefused as refused:
        # at the default place a file that holds nothing (a first command killed while creating
        # it) is the missing database it stands for
        if path != config.DEFAULT_DB_PATH or read_only or refused.messages != [store.EMPTY_MESSAGE]:
            raise
        from data_sources import jobs

        jobs.build_sample_database(path)
        con = store.connect(path, create=False)
    try:
        if read_only:
            if store.pending_migrations(con) or not transforms.up_to_date(con):
                raise store.DatabaseRefused(READ_ONLY_STALE)
        elif not transforms.up_to_date(con):  # one query; the loaders only when it is stale
            from data_sources import jobs

            jobs.ensure_current_models(con)
    except BaseException:
        con.close()
        raise
    return con, read_only


READ_ONLY_STALE = ("De database is alleen te lezen en gemaakt met een andere versie van Kindkaart: "
                   "de app moet hem eerst bijwerken, en dat kan alleen met schrijfrechten. Er is niets "
                   "gewijzigd. Open hem eenmaal met schrijfrechten (de app, of `python -m data_sources "
                   "init`) en maak daarna de alleen-lezen kopie opnieuw.")


# What a page that writes says on a read-only database, above the controls it disables.
READ_ONLY_NOTE = ("Deze database is alleen te lezen: u ziet alle cijfers, maar kunt hier niets opslaan "
                  "of wijzigen. Dat doet u in de Kindkaart met de database die wel te schrijven is.")


def read_only() -> bool:
    """Whether this run's database is opened read-only (every write is refused)."""
    connection()
    return _local.read_only


def _acquire(path: Path) -> tuple[_Shared, duckdb.DuckDBPyConnection]:
    with _lock:
        _give_way(path)
        shared = _shared.get(path)
        if shared is not None and shared.identity != _identity(path):
            if shared.users:
                # runs still read the old file (DuckDB would hand out the same instance for the
                # path anyway); the first run after the last of them opens the new one
                shared.replaced = True
            else:
                del _shared[path]
                shared.con.close()
                shared = None
        if shared is None:
            shared = _shared[path] = _Shared(path)
        shared.users += 1
        try:
            return shared, shared.con.cursor()
        except BaseException:
            shared.users -= 1
            raise


def _let_go(shared: _Shared) -> None:
    with _lock:
        shared.users -= 1
        if shared.users:
            return
        if shared.replaced or IDLE_SECONDS <= 0 or store.others_waiting(shared.path):
            del _shared[shared.path]
            shared.con.close()
            _turn.notify_all()
            return
        shared.idle_since += 1
        timer = threading.Timer(IDLE_SECONDS, _close_if_idle, (shared, shared.idle_since))
        timer.daemon = True
        timer.start()


def _give_way(path: Path) -> None:
    # Called with _lock held. While another process waits for the file: no new run on the open
    # instance; it is closed when its last run ends (_let_go), and the new run waits until the
    # other process has the file (its .wacht file is gone) or gave up, at most as long as a
    # command waits. Costs one listing of the database's folder when nobody waits.
    deadline = time.monotonic() + store.LOCK_WAIT_SECONDS
    while store.others_waiting(path) and time.monotonic() < deadline:
        shared = _shared.get(path)
        if shared is not None and shared.users == 0:
            del _shared[path]
            shared.con.close()
        # the waiter polls the lock (another process: no event to await); a run ending here
        # notifies at once
        _turn.wait(0.05)


def _close_if_idle(shared: _Shared, idle_since: int) -> None:
    with _lock:
        if shared.users == 0 and shared.idle_since == idle_since and _shared.get(shared.path) is shared:
            del _shared[shared.path]
            shared.con.close()


def close_idle() -> None:
    """Close every database instance no run uses now (tests; the command line gets the file)."""
    with _lock:
        for path, shared in list(_shared.items()):
            if shared.users == 0:
                del _shared[path]
                shared.con.close()


class _Lease:
    """A run's use of the shared instance. It ends with release(), or when its thread ends without
    one (AppTest runs a page file without app.py; a thread may die): then its finalizer gives the
    instance back, so that a forgotten release never keeps the database from the command line."""

    def __init__(self, shared: _Shared, con: duckdb.DuckDBPyConnection):
        self.con = con
        self.end = weakref.finalize(self, _let_go, shared)


def connection() -> duckdb.DuckDBPyConnection:
    """This run's connection (read-write: uploads and CBS loads write through it); raises
    store.DatabaseRefused (a Dutch message without paths) when the database cannot be used."""
    path = db_path()
    lease = getattr(_local, "lease", None)
    if lease is None or getattr(_local, "path", None) != path:
        release()
        shared, con = _acquire(path)
        lease = _local.lease = _Lease(shared, con)
        _local.path = path
        _local.read_only = shared.read_only
    return lease.con


# The upload page's work (checking a file, saving it, rebuilding the marts) runs at a lower
# processor priority than the pages being read: with four partners saving at once, the LEA's
# slide on the projector waited for their reruns (the five shared the interpreter and the cores
# evenly). A niceness of 10, as for batch work: an upload takes a little longer only while others
# are busy. Per thread (Linux); Streamlit runs each script run in a thread of its own session, so
# it stays with that session's run. Raising it back needs privileges a server does not have.
BACKGROUND_NICE = 10


def background_priority() -> None:
    """Lower this thread's processor priority to BACKGROUND_NICE (where the system allows it)."""
    with contextlib.suppress(OSError, AttributeError):
        thread = threading.get_native_id()
        current = os.getpriority(os.PRIO_PROCESS, thread)
        if current < BACKGROUND_NICE:
            os.setpriority(os.PRIO_PROCESS, thread, BACKGROUND_NICE)


def per_run(key: str, compute):
    """compute() once per script run: kept until release() ends the run (or forget(key))."""
    memo = _local.__dict__.setdefault("memo", {})
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def forget(key: str) -> None:
    """Drop what per_run keeps under `key` (its answer changed within this run)."""
    _local.__dict__.get("memo", {}).pop(key, None)


def release() -> None:
    """Close this thread's connection, if any, and forget what per_run kept: the end of a run."""
    _local.memo = {}
    lease = getattr(_local, "lease", None)
    _local.lease = None
    if lease is not None:
        try:
            lease.con.close()
        finally:
            lease.end()


def releasing(function):
    """Decorate a function that runs outside app.py's run (a fragment's own reruns, a download's
    data) so that it closes its connection when it ends."""
    @functools.wraps(function)
    def run(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        finally:
            release()
    return run


def refusal(error: BaseException) -> list[str] | None:
    """The Dutch sentences for an error that says the database cannot be used now: refused on
    open (in use past store.LOCK_WAIT_SECONDS, foreign, newer, unreadable), a write that found
    the disk full or the folder not writable, a damaged block that showed when a page read it, a
    write that lost to another session's write of the same rows. None for any other error (a
    bug: raised, not hidden). Without server paths or tracebacks."""
    if isinstance(error, store.DatabaseRefused):
        return list(error.messages)
    if isinstance(error, duckdb.TransactionException):
        from data_sources.jobs import BUSY_MESSAGE, is_conflict

        if is_conflict(error):
            # a page's own write (a scenario, a note, a release) lost to another session's write
            # of the same rows at the same moment: rolled back whole, so trying again is safe
            return [BUSY_MESSAGE]
    if isinstance(error, (duckdb.Error, OSError)):
        if (reason := store.write_failure_reason(error)) is not None:
            # the transaction was rolled back, so nothing is half stored
            return list(store.write_refused(reason).messages)
        if isinstance(error, duckdb.Error) and store.is_damage(error):
            return [store.DAMAGED_MESSAGE]
    if isinstance(error, Exception) and not isinstance(error, store.DatabaseRefused):
        # a table with other column types than the migrations make (changed by hand, by other
        # software): the page's error says nothing useful, this does (asked only after an error)
        try:
            differences = store.schema_differences(cursor())
        except Exception:  # noqa: BLE001 - the original error is the one to raise
            return None
        if differences:
            return list(store.schema_refused(differences).messages)
    return None


def unexpected(error: BaseException) -> list[str] | None:
    """The Dutch sentences for an error nobody foresaw (a bug), with an error number; the
    traceback goes to the server's log under that number, never to the page (it names server
    paths and code). None when tracebacks are asked for (config.tracebacks_shown): raise it."""
    if config.tracebacks_shown():
        return None
    number = secrets.token_hex(3).upper()
    moment = time.strftime("%d-%m-%Y %H:%M")
    logging.getLogger("kindkaart").error("Onverwachte fout %s op een pagina", number,
                                         exc_info=error)
    return [f"Er ging iets mis bij het tonen van deze pagina (foutnummer {number}, {moment}). "
            "Wat al was opgeslagen, blijft bewaard; wat niet bevestigd werd, is niet opgeslagen. "
            "Ververs de pagina om het opnieuw te proberen. Gaat het weer mis, geef dan het "
            "foutnummer door aan de beheerder: die vindt de details in het logboek van de server."]


def written(work):
    """Run a page's own write, `work()` (one transaction on a cursor() of its own, with its audit
    line), as the jobs run theirs (data_sources.jobs.retrying): taking turns with the uploads and
    imports of this process, and again when DuckDB refuses the commit because another session
    wrote the same rows at the same moment (two analysts confirming one scenario). Returns what
    `work()` returns (let it return something other than None), or None when it still cannot be
    stored or the disk or folder refuses it: then a Dutch error is on the page and nothing of it
    is stored (its transaction was rolled back)."""
    from data_sources.errors import InputRefused
    from data_sources.jobs import retrying

    try:
        return retrying(cursor(), work)
    except InputRefused as refused:
        messages = refused.messages
    except (duckdb.Error, OSError) as error:
        # a read-only database or folder, a full disk: the transaction was rolled back
        if (reason := store.write_failure_reason(error)) is None:
            raise
        messages = store.write_refused(reason).messages
    for message in messages:
        st.error(message)
    return None


def showing_refusals(function):
    """Decorate a fragment: its own reruns do not pass app.py's handling, so a database that
    cannot be used now (a command holding it longer than a click waits) is said in Dutch in the
    fragment (refusal) instead of a traceback, with a button that runs the fragment again; so is
    a bug (unexpected), with its error number."""
    @functools.wraps(function)
    def run(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except Exception as error:
            # a bug, too: a Dutch sentence with its number (unexpected), as app.py shows it
            messages = refusal(error) or unexpected(error)
            if messages is None:
                raise
            for message in messages:
                st.error(message)
            st.button("Opnieuw proberen", key=f"opnieuw_{function.__name__}")  # reruns the fragment
            return None
    return run


def cursor() -> duckdb.DuckDBPyConnection:
    """A fresh cursor on this run's connection; one per call (cursors are not shared)."""
    return connection().cursor()


def data_version() -> str:
    """Changes whenever data are loaded; part of every cached query's key. Asked once per run
    (pages ask it a dozen times per click); a load within the run calls clear_caches()."""
    return per_run("data_version", lambda: store.data_version(cursor()))


@st.cache_data(show_spinner=False, max_entries=512)
def _cached_query(sql: str, params: tuple, version: str, database: str, as_rows: bool
                  ) -> pd.DataFrame | list[tuple]:
    result = cursor().execute(sql, list(params))
    return result.fetchall() if as_rows else result.df()


def query(sql: str, params: tuple | list = ()) -> pd.DataFrame:
    """Run a select with bound parameters; cached until the data change."""
    return _cached_query(sql, tuple(params), data_version(), str(db_path()), False)


def rows(sql: str, params: tuple | list = ()) -> list[tuple]:
    """As query, as a list of tuples (without pandas)."""
    return _cached_query(sql, tuple(params), data_version(), str(db_path()), True)


def data_changed() -> None:
    """After a write that changed the data version (an upload, a restore: a row of `loads`):
    forget what this run kept (per_run: the version itself among it). The cached queries need no
    clearing, their key holds the version; clearing them (clear_caches) threw away what other
    sessions had read since, such as the LEA's slide, which then read it all again after every
    partner's save."""
    _local.memo = {}


def clear_caches() -> None:
    """Forget cached query results and everything per_run kept in this run (after a load: the
    data version, the gemeenten; in another run the version changes anyway)."""
    _cached_query.clear()
    _local.memo = {}
