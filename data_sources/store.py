"""The DuckDB store: connection, versioned migrations, transactions and load provenance."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import importlib.util
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from data_sources.config import LOAD_HINT, db_path
from data_sources.errors import InputRefused

if TYPE_CHECKING:
    import pandas as pd

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.(sql|py)$")


# Never fetch or load code from the internet because of a file's contents (a SQLite file made
# DuckDB try to download its sqlite extension): extensions are neither installed nor autoloaded.
CONNECT_CONFIG = {"autoload_known_extensions": False, "autoinstall_known_extensions": False}
LOCK_WAIT_SECONDS = 10.0
_SQLITE_MAGIC = b"SQLite format 3\x00"
_DUCKDB_MAGIC = b"DUCK"


DAMAGED_MESSAGE = ("De database is beschadigd: een deel van de gegevens is niet te lezen. Er is niets "
                   "in geschreven; zet een reservekopie terug ('restore-backup').")


# What DuckDB says when a file's blocks cannot be read as written: a block failed its checksum,
# the file ends before a block it lists (cut off), or what was read is not what was written.
_DAMAGE_WORDS = ("corrupt database file", "could not read enough bytes", "failed to deserialize",
                 "checksum")
# A DuckDB file starts with three header blocks of 4 KiB; the data blocks follow.
_HEADER_BYTES = 3 * 4096


def os_reason(error: OSError) -> str:
    """Why a file could not be written, in Dutch (for a message; no path)."""
    if isinstance(error, PermissionError) or error.errno == errno.EROFS:
        return "geen schrijfrechten"
    if error.errno in _WRITE_ERRNOS:
        return _WRITE_ERRNOS[error.errno]
    if error.errno in (errno.EEXIST, errno.ENOTDIR):  # e.g. a file 'backups' beside the database
        return "er staat een bestand waar een map hoort"
    return "het bestand kon niet worden geschreven"


# Why a write failed, from the OS error or the words DuckDB puts around it ('Could not write file
# "…": No space left on device'): the disk or the folder is at fault, not the file being read.
_WRITE_ERRNOS = {errno.ENOSPC: "de schijf is vol", errno.EDQUOT: "de schijfruimte (quotum) is op",
                 errno.EROFS: "de schijf is alleen-lezen", errno.EFBIG: "het bestand is te groot voor de schijf"}
_WRITE_WORDS = {"no space left on device": "de schijf is vol",
                "disk quota exceeded": "de schijfruimte (quotum) is op",
                "read-only file system": "de schijf is alleen-lezen",
                "file too large": "het bestand is te groot voor de schijf",
                "permission denied": "geen schrijfrechten",
                # a statement that writes, on a database opened read-only (ui.data: no rights)
                "attached in read-only mode": "de database is alleen te lezen",
                # EPERM: an immutable folder (chattr +i), some network and FUSE file systems
                "operation not permitted": "geen schrijfrechten"}


def write_failure_reason(error: BaseException, read_file: str | Path | None = None) -> str | None:
    """Why writing failed, in Dutch, when `error` (or what caused it) says the disk is full, the
    folder is not writable or read-only; None for any other error. `read_file`: a file being read
    (an upload); a permission error on that file is the file's fault, not a write failure."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, OSError):
            if error.errno in _WRITE_ERRNOS:
                return _WRITE_ERRNOS[error.errno]
            if error.errno in (errno.EACCES, errno.EPERM):
                if read_file is not None and error.filename is not None and \
                        Path(str(error.filename)).name == Path(read_file).name:
                    return None
                return "geen schrijfrechten"
        elif isinstance(error, duckdb.Error):
            text = str(error).lower()
            for words, reason in _WRITE_WORDS.items():
                if words in text:
                    return reason
        error = error.__cause__ or error.__context__
    return None


READ_ONLY_REASON = "de database is alleen te lezen"
# What a write on a read-only database gets (a copy the gemeente put there read-only on purpose,
# for the LEA view, or a file or folder without write rights): one sentence for every write.
READ_ONLY_MESSAGE = (
    "Kindkaart kon niet schrijven: de database is alleen te lezen. Hier kunt u alle cijfers bekijken, "
    "maar niets opslaan of wijzigen (geen upload, terugzetting, aanname, scenario, notitie, CBS- of "
    "LRK-lading, vrijgave of account). Er is niets gewijzigd. Doe dit in de Kindkaart met de "
    "database die wel te schrijven is, of vraag de beheerder om schrijfrechten.")


def writable(target: str | Path) -> bool:
    """Whether this process may write the database file and the folder it is in (DuckDB writes
    its .wal beside the file). False for a file or folder without write rights, an immutable
    file (chattr +i) or a read-only mount, also for root (os.access asks the kernel)."""
    target = Path(target)
    return os.access(target, os.W_OK) and os.access(target.parent, os.W_OK | os.X_OK)


def pending_migrations(con: duckdb.DuckDBPyConnection) -> list[int]:
    """The versions of the migrations this code has that the database has not applied yet."""
    applied = ({row[0] for row in con.execute("select version from schema_migrations").fetchall()}
               if has_table(con, "schema_migrations") else set())
    return [version for version, _ in migration_files() if version not in applied]


def write_refused(reason: str) -> DatabaseRefused:
    """The Dutch refusal for a write that failed on the disk or folder (no path, no traceback)."""
    if reason == READ_ONLY_REASON:
        return DatabaseRefused(READ_ONLY_MESSAGE)
    return DatabaseRefused(
        f"Kindkaart kon niet schrijven: {reason}. Er is niets gewijzigd: de gegevens van vóór deze "
        "opdracht zijn bewaard. Vraag de beheerder om ruimte te maken of schrijfrechten te geven "
        "in de map van de database, en probeer het daarna opnieuw.")


def is_interrupt(error: BaseException) -> bool:
    """Whether `error` is Ctrl-C (SIGINT): Python's KeyboardInterrupt, or how DuckDB says it when
    the signal comes during a query (InterruptException) or while it hands over rows
    (RuntimeError 'Query interrupted'). Never the fault of a file or of the database."""
    return isinstance(error, (KeyboardInterrupt, duckdb.InterruptException)) or (
        isinstance(error, RuntimeError) and "interrupted" in str(error).lower())


def raise_if_interrupted(error: BaseException) -> None:
    """Raise KeyboardInterrupt when `error` is Ctrl-C (is_interrupt): a handler that turns DuckDB's
    errors into a refusal ("beschadigd", "niet te lezen") must not blame a file for it."""
    if is_interrupt(error):
        raise KeyboardInterrupt from None


def is_damage(error: Exception) -> bool:
    """Whether a DuckDB error says the file is damaged (a block failed its checksum, the file is
    cut off, a block does not read back as what was written)."""
    if isinstance(error, duckdb.SerializationException):
        return True
    return isinstance(error, duckdb.Error) and any(word in str(error).lower()
                                                   for word in _DAMAGE_WORDS)


class DatabaseRefused(InputRefused):
    """A database file Kindkaart does not open or write (foreign, newer, damaged, unreadable,
    missing, in use). The messages name no server path (they are shown in the app); `path` is
    for the command line."""

    def __init__(self, messages: str | list[str], path: Path | None = None):
        super().__init__(messages)
        self.path = path


class DatabaseInUse(DatabaseRefused):
    """Another process holds the database (the app during and shortly after a click, a load)."""


def connect(path: str | Path | None = None, *, read_only: bool = False, create: bool = True,
            wait: float = LOCK_WAIT_SECONDS) -> duckdb.DuckDBPyConnection:
    """Open the Kindkaart database, checked first; ':memory:' gives a fresh in-memory store.

    A missing file, or a DuckDB file that holds nothing, is created (and migrated) only with
    `create` (never read-only). A file that is not a DuckDB database, a DuckDB file that is not
    recognisably Kindkaart's (check_schema), a newer schema, a file shorter than its blocks
    (check_complete), a damaged or unreadable file raise DatabaseRefused and are never written
    to. Before pending migrations run on a database with data, a backup is made (backup()).
    When another process holds the database, the open is retried for `wait` seconds (the app
    holds it only during a click)."""
    target = ":memory:" if str(path) == ":memory:" else db_path(path)
    shared = target != ":memory:" and _open_here(target)
    if target != ":memory:":
        _check_file(target, read_only=read_only, create=create, read_head=not shared)
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists() or target.stat().st_size == 0:
            _create_whole(target)
    con = _open(target, read_only, wait)
    try:
        if target != ":memory:" and not shared:
            check_complete(con, target)
            _remember(target, con)
            # the .wacht files of waiters killed meanwhile (they count for nothing, but pile up)
            with contextlib.suppress(OSError):  # a read-only folder keeps them
                _remove_stale_waiters(target)
                if not read_only:  # a writer, as the next start of the app or a command
                    _remove_killed_backups(target)
        check_schema(con, target, new_allowed=target == ":memory:" or (create and not read_only))
        if not read_only:
            migrate(con, backup_of=None if target == ":memory:" else target)
    except BaseException:
        con.close()
        raise
    return con


# The connections this process opened, per file. While one lives, DuckDB gives a new connect the
# same open database instance, so two checks were done when that instance was opened and must not
# be done again: reading the file's first bytes (closing any descriptor of the file in this
# process ends DuckDB's lock on it: POSIX record locks belong to the process and the file) and
# comparing its size with its blocks (the instance may count blocks another connection is still
# writing).
# Keyed by the file itself (path, device, inode): a file put in place of it is another file.
_opened: dict[tuple[str, int, int], weakref.WeakSet] = {}
_opened_lock = threading.Lock()


def _file_key(target: Path) -> tuple[str, int, int] | None:
    try:
        stat = target.stat()
    except OSError:
        return None
    return str(target.resolve()), stat.st_dev, stat.st_ino


def _open_here(target: Path) -> bool:
    key = _file_key(target)
    with _opened_lock:
        return key is not None and bool(_opened.get(key))


def _remember(target: Path, con: duckdb.DuckDBPyConnection) -> None:
    key = _file_key(target)
    if key is None:
        return
    with _opened_lock:
        for stale in [k for k, cons in _opened.items() if not cons]:
            del _opened[stale]
        _opened.setdefault(key, weakref.WeakSet()).add(con)


# DuckDB opens no path with bytes that are no UTF-8 (it failed with "std::bad_cast")
NOT_UTF8_MESSAGE = ("Het pad van de database bevat tekens die geen UTF-8 zijn (bytes uit een andere "
                    "tekenset), en zo'n bestand kan DuckDB niet openen. Er is niets veranderd; geef het "
                    "bestand en de mappen erboven een naam met gewone tekens.")


def not_utf8(target: str | Path) -> bool:
    """Whether a path holds bytes that are no UTF-8 (kept by Python as lone surrogates)."""
    try:
        str(target).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def check_path(target: str | Path) -> None:
    """Refuse (DatabaseRefused) a database path that leads to no plain file or folder: a symlink
    that loops back to itself or points to nothing (a file made through it, or the link replaced
    by one, is not the database anyone meant), a named pipe or device (reading its first bytes
    would wait forever). Nothing is read or written."""
    target = Path(target)
    if not_utf8(target):
        raise DatabaseRefused(NOT_UTF8_MESSAGE, target)
    try:
        mode = os.stat(target).st_mode
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise DatabaseRefused("Het opgegeven databasepad is een koppeling (symlink) die via "
                                  "koppelingen naar zichzelf terugwijst: er is geen database. Er is "
                                  "niets veranderd; controleer de koppeling of het pad (KINDKAART_DB "
                                  "of --db).", target) from None
        if error.errno == errno.ENAMETOOLONG:
            raise DatabaseRefused("Het opgegeven databasepad is te lang (of een naam erin is te lang) "
                                  "voor het bestandssysteem. Er is niets veranderd; kies een korter "
                                  "pad (KINDKAART_DB of --db).", target) from None
        if error.errno == errno.ENOTDIR:
            raise DatabaseRefused("Het opgegeven databasepad is onbruikbaar: een deel ervan is een "
                                  "bestand, geen map. Er is niets veranderd; controleer het pad "
                                  "(KINDKAART_DB of --db).", target) from None
        if error.errno in (errno.EACCES, errno.EPERM):
            # a folder on the way that this user may not enter: neither missing nor a write failure
            raise DatabaseRefused("De database kan niet worden gelezen: de map waarin hij staat is "
                                  "voor deze gebruiker niet te openen (geen toegang). Er is niets "
                                  "veranderd; vraag de beheerder om toegang, of controleer het pad "
                                  "(KINDKAART_DB of --db).", target) from None
        if target.is_symlink():
            raise DatabaseRefused("Het opgegeven databasepad is een koppeling (symlink) naar een "
                                  "bestand dat niet bestaat. Er is niets veranderd; controleer de "
                                  "koppeling of het pad (KINDKAART_DB of --db).", target) from None
        return  # missing (the callers say so)
    if not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
        raise DatabaseRefused("Het opgegeven databasepad is geen gewoon bestand (maar bijvoorbeeld "
                              "een pipe of een apparaat), dus geen database. Er is niets in "
                              "geschreven.", target)


def _check_wal(target: Path) -> None:
    """Refuse a .wal beside the database that is a link (or a folder, device or pipe): DuckDB
    writes its log through a link, over the file it leads to (someone who may write in the data
    folder could so have Kindkaart overwrite any file its user may write), and reads the log from
    there. Beside the file a link at the database path leads to as well: DuckDB keeps its log there."""
    for database in {target, through_link(target)}:
        wal = database.with_name(database.name + ".wal")
        try:
            odd = wal.is_symlink() or (wal.exists() and not wal.is_file())
        except OSError:
            continue  # check_path named a folder this user may not enter
        if odd:
            raise DatabaseRefused(
                f"Naast de database staat een .wal-bestand dat een koppeling (symlink) is, of een map "
                f"of apparaat ({wal.name}): DuckDB zou zijn logboek daardoorheen schrijven, in een "
                "ander bestand. Er is niets geschreven. Haal het weg (bekijk eerst waar het naar "
                "wijst) en probeer het opnieuw.", target)


def _check_file(target: Path, *, read_only: bool, create: bool, read_head: bool = True) -> None:
    check_path(target)
    _check_wal(target)
    if target.is_dir():
        raise DatabaseRefused("Het opgegeven databasepad is een map, geen databasebestand.", target)
    if not target.exists():
        if any(parent.exists() and not parent.is_dir() for parent in target.parents):
            raise DatabaseRefused("Het opgegeven databasepad is onbruikbaar: een deel ervan is een "
                                  "bestand, geen map.", target)
        if read_only or not create:
            raise DatabaseRefused("De database bestaat nog niet. Controleer het pad (KINDKAART_DB of "
                                  f"--db). {LOAD_HINT}", target)
        return
    if not read_head:
        head = b"\0" * 8 + _DUCKDB_MAGIC  # open in this process, as a DuckDB database
    else:
        try:
            with open(target, "rb") as handle:
                head = handle.read(16)
        except OSError:
            raise DatabaseRefused("De database kan niet worden gelezen (geen toegang).", target) from None
    if head == b"":  # e.g. left by a creation killed in an earlier version
        if read_only or not create:
            raise DatabaseRefused(EMPTY_MESSAGE, target)
        return  # connect() makes it a database, as it does a missing file
    if head.startswith(_SQLITE_MAGIC):
        raise DatabaseRefused("Dit is een SQLite-bestand, geen Kindkaart-database (DuckDB). Er is "
                              "niets in geschreven.", target)
    if len(head) < 12 or head[8:12] != _DUCKDB_MAGIC:
        raise DatabaseRefused("Dit bestand is geen DuckDB-database, of het is beschadigd. Er is niets "
                              "in geschreven; zet zo nodig een reservekopie terug ('restore-backup').",
                              target)
    if not read_only and not os.access(target, os.W_OK):
        raise DatabaseRefused("De database is alleen te lezen (geen schrijfrechten): deze opdracht "
                              "schrijft en is niet uitgevoerd. Er is niets gewijzigd. Opdrachten die "
                              "alleen lezen (history, export, users list, template, scenario list) "
                              "werken wel.", target)


# A process that waits for the database says so with an empty file beside it, named with its
# process id (kindkaart.duckdb.<pid>.wacht), for as long as it waits. The app (ui.data) keeps the
# database open between clicks while people use it; when another process waits it lets go as soon
# as the runs under way end, and opens the file again only after the waiter got it, so that a
# command gets its turn however busy the app is.
_WAITING = ".wacht"


def _waiting_name(target: Path, pid: int) -> Path:
    return target.with_name(f"{target.name}.{pid}{_WAITING}")


# A waiter holds a lock (flock) on its .wacht file for as long as it waits; the lock ends with the
# process, also with kill -9. A running process with the number in the name is not enough: process
# numbers come back (soon in a container that restarts), and the app then gave way after every
# click to a command killed long ago, each next click waiting 10 seconds for it.
_WAITER_HELD: dict[Path, int] = {}
_JUST_MADE = 1.0  # seconds: a file between its creation and its waiter's lock counts as waiting


def _waiter_waits(waiting: Path, pid: int) -> bool:
    """Whether the process that made the .wacht file `waiting` still waits: it runs and holds the
    file's lock (or made the file a moment ago). False for a file another process left."""
    if not _running(pid):
        return False
    try:
        fd = os.open(waiting, os.O_RDONLY)
    except OSError:
        return False  # removed meanwhile: it stopped waiting
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        except OSError:
            return True  # a file system without locks: the process number is all there is
        fcntl.flock(fd, fcntl.LOCK_UN)
        return time.time() - os.fstat(fd).st_mtime < _JUST_MADE
    finally:
        os.close(fd)


def _remove_stale_waiters(target: Path) -> None:
    """Remove the .wacht files beside the database of waiters that no longer wait (killed), and the
    scratch name of a creation killed right after the file took its place (_create_whole): a
    second name of the database file itself, which no later creation would come to remove."""
    prefix = f"{target.name}."
    for name in os.listdir(target.parent):
        if name.startswith(prefix) and name.endswith(_CREATING):
            pid = name[len(prefix):-len(_CREATING)]
            if pid.isdecimal() and not _running(int(pid)):
                (target.parent / name).unlink(missing_ok=True)
        elif name.startswith(prefix) and name.endswith(_WAITING):
            pid = name[len(prefix):-len(_WAITING)]
            if pid.isdecimal() and int(pid) != os.getpid() and not _waiter_waits(
                    target.parent / name, int(pid)):
                (target.parent / name).unlink(missing_ok=True)


# A new database file is made beside the target (kindkaart.duckdb.<pid>.nieuw) and put in place
# only once DuckDB has written its headers: a process killed while DuckDB creates the file must not
# leave a file of a few bytes under the database's name, which every command would then refuse as
# damaged. What a killed creation left is removed by the next one.
_CREATING = ".nieuw"


def _create_whole(target: Path) -> None:
    with contextlib.suppress(OSError):
        remove_leftovers(target.parent, _CREATING, stem=target.name)
    scratch = target.with_name(f"{target.name}.{os.getpid()}{_CREATING}")
    scratch.unlink(missing_ok=True)
    try:
        duckdb.connect(str(scratch), config=CONNECT_CONFIG).close()
        try:
            os.link(scratch, target)  # never over a file another process made meanwhile
        except FileExistsError:
            if target.stat().st_size == 0:
                os.replace(scratch, target)
        except OSError:  # a file system without hard links
            if not target.exists() or target.stat().st_size == 0:
                os.replace(scratch, target)
    except duckdb.Error as exc:
        if (reason := write_failure_reason(exc)) is not None:
            raise write_refused(reason) from None
        if isinstance(exc, duckdb.IOException):
            # a folder where no file can be made although it is there (/proc, some mounts)
            raise DatabaseRefused("De database kan op deze plaats niet worden gemaakt: in die map kan "
                                  "geen bestand worden aangemaakt. Er is niets veranderd; kies een "
                                  "ander pad (KINDKAART_DB of --db).", target) from None
        raise
    finally:
        for leftover in (scratch, scratch.with_name(scratch.name + ".wal")):
            with contextlib.suppress(OSError):
                leftover.unlink(missing_ok=True)


def holds_nothing(path: str | Path) -> bool:
    """Whether the file at `path` is a DuckDB file (or an empty file) with nothing in it: what a
    command killed while it created the database leaves (the file comes first, then all
    migrations in one transaction). It stands for a missing database. False for a missing file, a
    database, and a file refused for any other reason (also one another process holds: asked
    once, without waiting for it)."""
    try:
        connect(path, read_only=True, create=False, wait=0).close()
    except DatabaseRefused as refused:
        return refused.messages == [EMPTY_MESSAGE]
    return False


def others_waiting(target: str | Path) -> bool:
    """Whether another running process waits to open the database `target` (its .wacht file
    beside it). Costs one listing of the folder; a waiter killed meanwhile does not count."""
    target = Path(target)
    prefix = f"{target.name}."
    try:
        names = os.listdir(target.parent)
    except OSError:
        return False
    for name in names:
        if name.startswith(prefix) and name.endswith(_WAITING):
            pid = name[len(prefix):-len(_WAITING)]
            if pid.isdecimal() and int(pid) != os.getpid() and _waiter_waits(
                    target.parent / name, int(pid)):
                return True
    return False


def _open(target, read_only: bool, wait: float) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + wait
    delay = 0.05
    waiting = None  # this process's .wacht file while it waits
    try:
        while True:
            try:
                return duckdb.connect(str(target), read_only=read_only, config=CONNECT_CONFIG)
            except duckdb.Error as exc:
                message = str(exc).lower()
                # another process holds the lock, or in this process the last connection to the
                # file is closing (DuckDB shuts the database down) while another thread opens it
                in_use = "could not set lock" in message or "unique file handle conflict" in message
                if in_use and time.monotonic() < deadline:
                    if waiting is None and target != ":memory:":
                        waiting = _say_waiting(target)
                    time.sleep(delay)  # the other process has no event to await: poll, backing off
                    delay = min(delay * 2, 0.2)
                    continue
                if (reason := write_failure_reason(exc)) is not None:
                    # a new file on a full disk or in a folder that takes none: not the file's fault
                    raise write_refused(reason) from None
                if in_use:
                    raise DatabaseInUse(
                        "De database is in gebruik door een ander programma (bijvoorbeeld een "
                        "opdracht die gegevens laadt). Probeer het over een minuut opnieuw.",
                        target) from None
                if target != ":memory:" and target.with_name(target.name + ".wal").exists():
                    # most often a .wal of another copy of the database beside this one
                    raise DatabaseRefused(
                        "De database kan niet worden geopend samen met het .wal-bestand ernaast: dat "
                        "is beschadigd of hoort bij een ander bestand. Er is niets in geschreven; "
                        "haal het .wal-bestand weg (bewaar het) of zet een reservekopie terug "
                        "('restore-backup').", target) from None
                if (storage := _storage_version_refusal(str(exc))) is not None:
                    raise DatabaseRefused(storage, target) from None
                raise DatabaseRefused(
                    "De database kan niet worden geopend: het bestand is beschadigd of gemaakt met "
                    "een andere versie van DuckDB. Er is niets in geschreven.", target) from None
    finally:
        if waiting:
            waiting.unlink(missing_ok=True)
            if (held := _WAITER_HELD.pop(waiting, None)) is not None:
                os.close(held)


# DuckDB names the storage version of a file it cannot read: "Trying to read a database file with
# storage version number 51, but we can only read storage versions between 64 and 69. The
# database file was created with DuckDB version v0.8.0 or v0.8.1."
_STORAGE_VERSION = re.compile(r"storage version number (\d+), but we can only read storage versions "
                              r"between (\d+) and (\d+)")
_MADE_WITH = re.compile(r"created with DuckDB version (v\d+(?:\.\d+)*(?: or v\d+(?:\.\d+)*)?)")


def _storage_version_refusal(error: str) -> str | None:
    """The Dutch refusal for a file of a DuckDB storage version this DuckDB does not read (older
    or newer), with what to do; None for any other error."""
    found = _STORAGE_VERSION.search(error)
    if found is None:
        return None
    version, lowest, highest = map(int, found.groups())
    made = _MADE_WITH.search(error)
    by = f" ({made.group(1).replace(' or ', ' of ')})" if made else ""
    if version < lowest:
        return (f"De database is gemaakt met een oude versie van DuckDB{by}, die deze Kindkaart niet "
                "meer kan lezen. Er is niets in geschreven. Zet een reservekopie terug die met deze "
                "versie is gemaakt ('restore-backup'), of maak de database opnieuw ('init') en laad de "
                "gegevens opnieuw; de oude gegevens haalt u eruit met die oude DuckDB-versie "
                "(EXPORT DATABASE).")
    return (f"De database is gemaakt met een nieuwere versie van DuckDB (opslagversie {version}; deze "
            f"Kindkaart leest {lowest} tot en met {highest}). Er is niets in geschreven. Werk Kindkaart "
            "bij (`pip install -r requirements.txt` met de nieuwe versie), of gebruik de Kindkaart "
            "die de database maakte.")


def _say_waiting(target: Path) -> Path | bool:
    """Put this process's .wacht file beside the database; False where the folder takes no file
    (read-only, full: then the app lets go only when it has been idle for a moment)."""
    waiting = _waiting_name(target, os.getpid())
    try:
        fd = os.open(waiting, os.O_WRONLY | os.O_CREAT, 0o644)
    except OSError:
        return False
    with contextlib.suppress(OSError):  # without locks, the process number alone tells
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    _WAITER_HELD[waiting] = fd  # the lock lasts while the file is open (_open closes it)
    return waiting


def check_complete(con: duckdb.DuckDBPyConnection, target=None) -> None:
    """Refuse (DatabaseRefused) a database file shorter than the blocks in use need (a copy cut
    off, a full disk): DuckDB opens it, and fails only where a page reads a missing block. Free
    blocks at the end may be cut off by DuckDB itself, so only the used ones count: a cut shorter
    than the free blocks goes unnoticed here (verify_database reads everything). Costs one catalog
    query (well under a millisecond), so every open can afford it."""
    try:
        used_blocks, block_size = con.execute(
            "select used_blocks, block_size from pragma_database_size()"
            " where database_name = current_database()").fetchall()[0]
        size = Path(target).stat().st_size
    except (duckdb.Error, OSError, IndexError) as error:
        raise_if_interrupted(error)
        raise DatabaseRefused(DAMAGED_MESSAGE, target) from None
    if size < _HEADER_BYTES + used_blocks * block_size:
        raise DatabaseRefused(DAMAGED_MESSAGE, target)


# schema_migrations as migrate() makes it: how a Kindkaart database is recognised
_MIGRATIONS_SHAPE = [("version", "INTEGER"), ("name", "VARCHAR"), ("applied_at", "TIMESTAMP")]
FOREIGN_MESSAGE = ("Dit DuckDB-bestand is geen Kindkaart-database (het bevat andere gegevens). Er is "
                   "niets in geschreven.")
EMPTY_MESSAGE = ("Dit DuckDB-bestand is leeg: er staat nog geen Kindkaart-database in. Maak hem met "
                 "'init'. Er is niets in geschreven.")


def check_schema(con: duckdb.DuckDBPyConnection, target=None, *, new_allowed: bool = True) -> None:
    """Refuse (DatabaseRefused) a DuckDB file that is not recognisably Kindkaart's (no
    schema_migrations of its shape in main, whatever else it holds: tables in any schema, views,
    sequences, macros, types), and a schema newer than this code knows; neither is written to. A
    DuckDB file that holds nothing at all is a new database where `new_allowed` (a command that
    may create one), else refused too."""
    try:
        shape = ([(column[0], str(column[1])) for column in con.execute(
                     "select * from main.schema_migrations limit 0").description]
                 if has_table(con, "schema_migrations") else [])
        if shape != _MIGRATIONS_SHAPE:
            if shape or _holds_anything(con):
                raise DatabaseRefused(FOREIGN_MESSAGE, target)
            if not new_allowed:
                raise DatabaseRefused(EMPTY_MESSAGE, target)
            return
        applied = {v for (v,) in con.execute("select version from schema_migrations").fetchall()}
    except duckdb.Error as error:
        raise_if_interrupted(error)
        raise DatabaseRefused(DAMAGED_MESSAGE, target) from None
    known = {version for version, _ in migration_files()}
    unknown = sorted(applied - known)
    if unknown:
        raise DatabaseRefused(
            f"De database heeft een nieuwere schemaversie ({max(applied)}) dan deze versie van "
            f"Kindkaart kent ({max(known)}): werk Kindkaart bij. Er is niets in geschreven.", target)


# The tables and column types the migrations make, worked out once per process (in memory) and
# only when something went wrong: see schema_differences.
_migrated_columns: dict[tuple[str, str], str] = {}


def _columns(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], str]:
    return {(table, column): kind for table, column, kind in con.execute(
        "select table_name, column_name, data_type from duckdb_columns()"
        " where database_name = current_database() and schema_name = 'main'").fetchall()}


def schema_differences(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The columns of the tables the migrations make whose type in this database is another
    ('loads.row_count: VARCHAR in plaats van INTEGER'), and the tables and columns of the
    migrations that are gone ('accounts: ontbreekt'): a Kindkaart database changed by hand or by
    other software, which pages cannot read as theirs. Empty when they agree. For after an error
    (migrating a fresh in-memory store takes a few tenths of a second, once per process)."""
    with _opened_lock:
        if not _migrated_columns:
            fresh = duckdb.connect(":memory:", config=CONNECT_CONFIG)
            try:
                migrate(fresh)
                _migrated_columns.update(_columns(fresh))
            finally:
                fresh.close()
    found = _columns(con)
    tables = {table for table, _ in found}
    # a table of the migrations that is gone (dropped by hand or by another program), and a column
    # gone from a table that is there: pages and commands read them as surely as the types. Not
    # in a database whose migrations are pending (a read-only copy of an older version): those
    # tables come with them.
    if pending_migrations(con):
        return [f"{table}.{column}: {found[(table, column)]} in plaats van {kind}"
                for (table, column), kind in sorted(_migrated_columns.items())
                if (table, column) in found and found[(table, column)] != kind]
    gone = sorted({table for table, _ in _migrated_columns} - tables)
    return [f"{table}: ontbreekt" for table in gone] + [
        f"{table}.{column}: {found[(table, column)]} in plaats van {kind}"
        if (table, column) in found else f"{table}.{column}: ontbreekt"
        for (table, column), kind in sorted(_migrated_columns.items())
        if table in tables and found.get((table, column)) != kind]


def schema_refused(differences: list[str]) -> DatabaseRefused:
    """The Dutch refusal for a database whose tables have other column types (schema_differences)."""
    shown = "; ".join(differences[:3]) + (f" (en nog {len(differences) - 3})" if len(differences) > 3 else "")
    return DatabaseRefused(
        f"De database heeft tabellen met andere kolommen dan Kindkaart ze maakt ({shown}): hij is met de "
        "hand of door een ander programma gewijzigd, of beschadigd. Er is niets in geschreven. Zet een "
        "reservekopie terug ('restore-backup') of maak de database opnieuw ('init').")


def mark_models_stale(con: duckdb.DuckDBPyConnection) -> None:
    """Record, in the caller's transaction, that it stores data the marts do not show yet (their
    rebuild follows in another transaction): until a full build writes build_state again, the
    models count as not up to date (transforms.up_to_date), so that the app on opening and
    `export` rebuild them when the process was killed in between."""
    if con.execute("select count(*) from duckdb_columns() where database_name = current_database()"
                   " and schema_name = 'main' and table_name = 'build_state'"
                   " and column_name = 'code_fingerprint'").fetchall()[0][0]:
        con.execute("update build_state set code_fingerprint = null where code_fingerprint is not null")


def refuse_other_spelling(con: duckdb.DuckDBPyConnection, organisation: str | None) -> None:
    """Refuse (InputRefused) an organisation written otherwise (capitals, accents, punctuation) than
    one Kindkaart knows (of an account or an upload): uploads replace each other by the name as
    written, so 'GGD voorbeeldregio' beside 'GGD Voorbeeldregio' stood as a second organisation,
    and the figures counted both of their uploads for the same period."""
    if not organisation:
        return
    from data_sources.text import normalise

    known = [name for (name,) in con.execute(
        "select organisation from accounts where organisation is not null union"
        " select organisation from loads where source in ('partner', 'brp') and organisation is not null"
    ).fetchall()] if has_table(con, "accounts") else []
    if organisation in known:
        return
    key = normalise(organisation)
    same = sorted(name for name in known if normalise(name) == key)
    if same:
        raise InputRefused(
            f"De organisatie '{organisation}' is in Kindkaart al bekend als '{same[0]}'. Gebruik die "
            "schrijfwijze (met dezelfde hoofdletters, accenten en leestekens): Kindkaart houdt "
            "organisaties uit elkaar op hun naam zoals die geschreven is, en zou de aanleveringen "
            "van beide anders allebei meetellen.")


def has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether the database of `con` has the table `name` in schema main (asked of the catalog: a
    failed select would abort the caller's transaction)."""
    return con.execute("select count(*) from duckdb_tables() where database_name = current_database()"
                       " and schema_name = 'main' and table_name = ?", [name]).fetchall()[0][0] > 0


def _holds_anything(con: duckdb.DuckDBPyConnection) -> bool:
    return con.execute(
        "select (select count(*) from duckdb_tables() where database_name = current_database())"
        " + (select count(*) from duckdb_views() where database_name = current_database()"
        "    and not internal)"
        " + (select count(*) from duckdb_sequences() where database_name = current_database())"
        " + (select count(*) from duckdb_functions() where database_name = current_database()"
        "    and not internal)"
        " + (select count(*) from duckdb_types() where database_name = current_database()"
        "    and not internal)"
        " + (select count(*) from duckdb_schemas() where database_name = current_database()"
        "    and not internal)").fetchall()[0][0] > 0


def migration_files() -> list[tuple[int, Path]]:
    """All migrations shipped with the code, in version order."""
    found = []
    for path in MIGRATIONS_DIR.iterdir():
        match = _MIGRATION_NAME.match(path.name)
        if match:
            found.append((int(match.group(1)), path))
    versions = [v for v, _ in found]
    if len(versions) != len(set(versions)):
        raise RuntimeError(f"duplicate migration versions in {MIGRATIONS_DIR}")
    return sorted(found)


def migrate(con: duckdb.DuckDBPyConnection, backup_of: Path | None = None) -> list[str]:
    """Apply every migration not yet applied, all in one transaction (killed midway, the
    database keeps its old schema whole, never a schema part of the way); returns their names.
    Nothing is written when none is pending (the app opens the database on every click). With
    `backup_of` (the file of `con`), a database with data is backed up first."""
    applied = ({row[0] for row in con.execute("select version from schema_migrations").fetchall()}
               if has_table(con, "schema_migrations") else set())
    pending = [(version, path) for version, path in migration_files() if version not in applied]
    if not pending:
        return []
    if applied and backup_of is not None:
        backup(con, backup_of, f"voor-migratie-{pending[0][0]:04d}")
    done = []
    with transaction(con):
        con.execute(
            "create table if not exists schema_migrations ("
            " version integer primary key, name varchar not null,"
            " applied_at timestamp not null default current_timestamp)"
        )
        for version, path in pending:
            if path.suffix == ".sql":
                con.execute(path.read_text(encoding="utf-8"))
            else:
                _run_python_migration(con, path)
            con.execute(
                "insert into schema_migrations (version, name) values (?, ?)", [version, path.stem]
            )
            done.append(path.stem)
    return done


def _run_python_migration(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    spec = importlib.util.spec_from_file_location(f"kindkaart_migration_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.migrate(con)


def refuse_special_output(target: str | Path, nothing_done: str) -> None:
    """Refuse (InputRefused) a file to write that exists and is no regular file: a device such as
    /dev/null or /dev/stdout, a pipe or a folder (also behind a link). A file is written beside its
    target and then renamed into its place, and a rename replaces what is there: run as root,
    `export -o /dev/null` put a regular file in the place of /dev/null for every program after it.
    `nothing_done` ends the sentence (what did not happen)."""
    target = Path(target)
    try:
        mode = target.stat().st_mode
    except OSError:
        return  # a new name (or one a link leads nowhere from): the write says what fails
    if not stat.S_ISREG(mode):
        raise InputRefused(f"{target} is geen gewoon bestand (maar een apparaat, pipe of map): "
                           f"Kindkaart zou het vervangen door een bestand. Kies een bestandsnaam. "
                           f"{nothing_done}")


def check_output(target: str | Path, nothing_done: str, *, database: str | Path | None = None,
                 make_folder: bool = False, database_file: bool = False) -> None:
    """Refuse (InputRefused), before any work, a file to write where none can be written: a name
    that ends in a slash (a folder), a device, pipe or folder at the path (refuse_special_output),
    the database itself or its .wal (with `database`), a folder that does not exist (unless
    `make_folder`: then the nearest folder that does), a part of the path that is a file, and a
    folder that takes no file (no write rights, a read-only or full disk, /proc), and with
    `database_file` (a copy DuckDB reads back) a name DuckDB cannot open (not_utf8). It tries: a
    scratch file made and removed beside the target (named as outputs.files.write_whole names its
    own, so that the next write removes one a kill left), because only the kernel knows (root
    passes every permission check, yet writes nothing in /proc or an immutable folder). For the
    command line: the message names the path the user gave. `nothing_done` ends it."""
    if str(target).endswith(("/", os.sep)):
        raise InputRefused(f"{target} is een map, geen bestandsnaam. Kies een bestandsnaam. {nothing_done}")
    if database_file and not_utf8(target):
        raise InputRefused(f"{target} bevat tekens die geen UTF-8 zijn (bytes uit een andere tekenset), "
                           f"en zo'n bestand kan DuckDB niet openen. Kies een naam met gewone tekens. "
                           f"{nothing_done}")
    target = Path(target)
    refuse_special_output(target, nothing_done)
    if database is not None and _same_file(target, Path(database), with_wal=True):
        raise InputRefused(f"{target} is de database zelf (of het .wal-bestand ernaast): die zou "
                           f"overschreven worden. Kies een andere naam. {nothing_done}")
    try:
        kept = target.is_file() and not os.access(target, os.W_OK)
    except OSError:  # a name too long: the write below says so
        kept = False
    if kept:
        # an immutable file (chattr +i, binds root too) is not replaced: the export was made and
        # its audit line written before the rename failed; a read-only file is someone's to keep
        raise InputRefused(f"{target} bestaat al en is alleen te lezen: Kindkaart vervangt het niet. "
                           f"Kies een andere naam, of maak het bestand eerst schrijfbaar. {nothing_done}")
    if (error := _try_writing_in(target.parent, target.name, walk_up=make_folder)) is not None:
        raise InputRefused(output_refused(target, error, nothing_done))


def check_folder(folder: str | Path, what: str, nothing_done: str) -> None:
    """Refuse (InputRefused), before any work, a folder to write files in (made when missing) where
    none can be written: a file at its place or on the way, no write rights, /proc. `what` names
    it ('De map voor de opgeslagen kopieën'); the message names the path the user gave."""
    folder = Path(folder)
    if (error := _try_writing_in(folder, ".kindkaart")) is not None:
        raise InputRefused(f"{what} ({folder}) kan niet worden gebruikt: "
                           f"{_place_reason(folder / '.kindkaart', error)}. Kies een andere map. "
                           f"{nothing_done}")


def _try_writing_in(folder: Path, name: str, *, walk_up: bool = True) -> OSError | None:
    """Make and remove a scratch file `.<name>.<pid>.deel` in `folder` (with `walk_up`, where it
    is missing, in the nearest folder above it that is there); the error when that fails."""
    while walk_up and not folder.exists() and not folder.is_symlink() and folder != folder.parent:
        folder = folder.parent
    probe = folder / f".{name}.{os.getpid()}.deel"
    with contextlib.suppress(OSError):  # what a run killed between making and removing left
        remove_leftovers(folder, ".deel", stem=f".{name}")
    try:
        try:
            handle = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # left by a killed process with this process's number
            probe.unlink()
            handle = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(handle)
        probe.unlink()
    except OSError as error:
        return error
    return None


def output_refused(target: str | Path, error: OSError, nothing_done: str) -> str:
    """The Dutch refusal of a file `target` that could not be written (`error`), naming the path
    as the user gave it and why, without Python's English."""
    return (f"{target} kan niet worden geschreven: {_place_reason(Path(target), error)}. Kies een "
            f"andere plaats of naam. {nothing_done}")


def _place_reason(target: Path, error: OSError) -> str:
    # the folder the file was tried in: the error's own path (a scratch file beside the target,
    # or in the nearest folder above a missing one), else the target's
    folder = Path(error.filename).parent if isinstance(error.filename, str) else target.parent
    number = error.errno
    if number == errno.ENAMETOOLONG:
        reason = "de naam is te lang"
    elif number == errno.ENOTDIR or any(part.exists() and not part.is_dir() for part in target.parents):
        reason = "een deel van het pad is een bestand, geen map"
    elif number == errno.ENOENT and not folder.exists():
        reason = f"de map {folder} bestaat niet"
    elif number == errno.ENOENT:
        reason = f"in de map {folder} kan geen bestand worden gemaakt"
    elif number == errno.EISDIR:
        reason = "het is een map"
    elif number in (errno.EACCES, errno.EPERM):
        reason = f"geen schrijfrechten in de map {folder}"
    elif number in _WRITE_ERRNOS:
        reason = _WRITE_ERRNOS[number]
    else:
        reason = "het bestand kon daar niet worden gemaakt"
    return reason


def _same_file(a: Path, b: Path, *, with_wal: bool = False) -> bool:
    """Whether `a` is the file `b` (or a link to it), or with `with_wal` the .wal beside `b`."""
    def same(x: Path, y: Path) -> bool:
        try:
            return x.resolve() == y.resolve() or (x.exists() and y.exists() and x.samefile(y))
        except OSError:
            return False

    return same(a, b) or (with_wal and same(a, b.with_name(b.name + ".wal")))


def _refuse_backup_over_the_database(target: Path, database: Path) -> None:
    """A copy named as the database itself (or a link to it), or as the .wal beside it: the first
    put the copy in the database's place and called that a backup; the second gave the database a
    log that is a whole database, which the next open took for its own and removed."""
    if _same_file(target, Path(database), with_wal=True):
        raise InputRefused(f"{target} is de database zelf (of het .wal-bestand ernaast): een "
                           "reservekopie hoort in een ander bestand. Kies een andere naam, of laat "
                           "-o weg (dan komt hij in backups/ naast de database). Er is geen "
                           "reservekopie gemaakt.")


def through_link(database: str | Path) -> Path:
    """The file a link at the database path leads to (a database kept on another disk), else the
    path itself: what replacing the database replaces, and what its backups lie beside. Replacing
    the link itself left the real database as it was and everything after in a file beside the
    link."""
    database = Path(database)
    return Path(os.path.realpath(database)) if database.is_symlink() else database


def backup_dir(database: Path) -> Path:
    """Where backups of a database go: a folder 'backups' beside it (beside the file a link at its
    path leads to)."""
    return through_link(database).parent / "backups"


def backup_name(database: str | Path, label: str) -> Path:
    """Where a backup made now goes: backups/<name>-<time>-<label>.duckdb beside the database."""
    database = through_link(database)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    return backup_dir(database) / f"{database.stem}-{stamp}-{label}{database.suffix}"


def backup(con: duckdb.DuckDBPyConnection | None, database: str | Path, label: str = "handmatig",
           target: str | Path | None = None, *, verify: bool = True,
           before_placing: Callable[[Path], None] | None = None) -> Path:
    """Copy the database file (after a checkpoint through `con`, so the copy is complete) to
    `target` or backups/<name>-<time>-<label>.duckdb beside it; returns the copy's path. With
    `verify` the copy must read back whole (verify_database) before it gets its name; a damaged
    database gives DatabaseRefused and no backup. Without, the bytes as they are (a damaged or
    foreign file kept before it is replaced). `before_placing(name)` runs when the copy is
    complete (and read back), before it takes its name (the audit line of `backup`: killed in
    between, a line without a copy, never a copy without its line; an error there leaves none)."""
    database = Path(database)
    if target is not None:
        _refuse_backup_over_the_database(Path(target), database)
        refuse_special_output(target, "Er is geen reservekopie gemaakt.")
    if con is not None:
        con.execute("checkpoint")
    target = Path(target) if target is not None else backup_name(database, label)
    with new_folders(target) as (folder, place):
        if folder == target.parent:
            # what killed backups left: in backups/ those of this database, elsewhere this name's
            in_backups = target.parent == backup_dir(database)
            remove_leftovers(target.parent, COPYING,
                             stem=f"{database.stem}-" if in_backups else target.name)
        partial = folder / f"{target.name}.{os.getpid()}{COPYING}"
        try:
            if con is not None:
                _copy_in_child(database, partial)
            else:
                shutil.copyfile(database, partial)
            if verify:
                verify_database(partial)
            if before_placing is not None:
                before_placing(target)
            place(partial)
        finally:
            partial.unlink(missing_ok=True)
    return target


@contextmanager
def new_folders(target: Path) -> Iterator[tuple[Path, Callable[[Path], None]]]:
    """Where to write the file `target` whose folder may not be there yet: yields (folder, place).
    Write it in `folder` under a scratch name, then place(scratch) puts it at `target`. Folders
    that are not there yet (backups/ of a first backup, a new folder of -o) are made under a name of
    this process (<top>.<pid>.kopie beside the outermost one) and take their name with the file in
    them, in one step: killed at any moment, there is no new folder without the whole file (an
    empty backups/ suggested a backup that is not there). What a killed run left the next one into
    the same folder removes (also when the folder was made meanwhile), and the next one into the
    folder beside it once OTHERS_LEFT_FOR old (remove_dead_staging); a run that fails removes its
    own."""
    missing = _missing_folders(target.parent)
    # what killed runs left: those making a folder on the way to this file (still missing, or made
    # since by hand or by another run), and those making another folder beside it
    for on_the_way in Path(os.path.abspath(target)).parents:
        if on_the_way.name:
            _remove_stale_staging(on_the_way.parent, on_the_way.name)
    remove_dead_staging(missing[-1].parent if missing else target.parent, OTHERS_LEFT_FOR)
    if not missing:
        target.parent.mkdir(parents=True, exist_ok=True)  # a file in its place fails here
        yield target.parent, lambda done: os.replace(done, target)
        return
    top = missing[-1]
    staged = top.with_name(f"{top.name}.{os.getpid()}{COPYING}")
    folder = staged / target.parent.relative_to(top)

    def place(done: Path) -> None:
        os.replace(done, folder / target.name)
        _place_staged(staged, top, folder / target.name, target)

    try:
        folder.mkdir(parents=True, exist_ok=True)
        yield folder, place
    finally:
        shutil.rmtree(staged, ignore_errors=True)


# The ending of a backup's scratch copy (<name>.<pid>.kopie) and of the folder it is made in when
# its folder is new (<folder>.<pid>.kopie). Such a copy is never a backup (restore-backup refuses
# it): it was not read back, and it may be still being written or its process killed.
COPYING = ".kopie"


def _missing_folders(folder: Path) -> list[Path]:
    """The folders that making `folder` would create, innermost first."""
    missing = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    return missing


def _remove_killed_backups(database: Path) -> None:
    """Remove what backups of the database killed midway left (kill -9 runs no clean-up): their
    scratch copies in backups/ and the new backups/ folder they were copying into. Neither is a
    backup; the next start removes them, as the next backup does."""
    folder = backup_dir(database)
    _remove_stale_staging(folder.parent, folder.name)
    remove_leftovers(folder, COPYING, stem=f"{through_link(database).stem}-")


def _place_staged(staged: Path, top: Path, copy: Path, target: Path) -> None:
    try:
        os.rename(staged, top)  # the new folder with the copy in it, in one step
    except OSError as error:
        if error.errno not in (errno.EEXIST, errno.ENOTEMPTY):
            raise
        # another process made the folder meanwhile: the copy alone goes into it
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(copy, target)


def _remove_stale_staging(folder: Path, name: str) -> None:
    """Remove the folders <name>.<pid>.kopie in `folder` of backups killed (processes that no longer
    run) while they copied into a folder of their own making."""
    _remove_staging(folder, re.escape(name), min_age=0)


def remove_dead_staging(folder: Path, min_age: float) -> None:
    """Remove the folders <any name>.<pid>.kopie in `folder` that a run killed while it wrote into a
    new folder left (new_folders), once its process is gone and nothing in it was written for
    `min_age` seconds: a folder shared over the network may hold another computer's run, whose
    process this one cannot see."""
    _remove_staging(folder, r".+", min_age)


def _remove_staging(folder: Path, name: str, min_age: float) -> None:
    try:
        entries = list(folder.iterdir())
    except OSError:
        return
    now = time.time()
    for entry in entries:
        marked = re.fullmatch(rf"{name}\.(\d+){re.escape(COPYING)}", entry.name)
        if not marked or _running(int(marked.group(1))):
            continue
        with contextlib.suppress(OSError):  # gone already, or not ours to look into
            written = _staging_written(entry)
            if written is not None and now - written >= min_age:
                shutil.rmtree(entry, ignore_errors=True)


def _staging_written(staged: Path) -> float | None:
    """When the folder new_folders made was last written: it holds one chain of folders with at
    most one file at its end (the copy or scratch file). None for anything else (a link, a folder
    with more in it): not such a folder, so never removed."""
    newest, entry = 0.0, staged
    while True:
        info = entry.lstat()
        newest = max(newest, info.st_mtime)
        if entry is not staged and stat.S_ISREG(info.st_mode):
            return newest
        if not stat.S_ISDIR(info.st_mode):
            return None
        inside = list(entry.iterdir())
        if len(inside) > 1:
            return None
        if not inside:
            return newest
        entry = inside[0]


# How long a scratch file or folder of another name, whose process is not running here, is left
# alone: on a network folder it may be another computer's export or backup being written (seconds,
# not minutes)
OTHERS_LEFT_FOR = 10 * 60


_COPY_CHILD = """\
import os, sys
parent = int(sys.argv[3])  # given, not read here: the parent may be gone by now
try:
    with open(sys.argv[1], "rb", buffering=0) as source, open(sys.argv[2], "wb") as copy:
        while piece := source.read(8 << 20):
            if os.getppid() != parent:  # the backup was killed: nothing waits for this copy
                copy.close()
                os.unlink(sys.argv[2])
                sys.exit(4)
            copy.write(piece)
except OSError as error:
    print(error.errno or 0)
    sys.exit(3)
"""


def _copy_in_child(source: Path, target: Path) -> None:
    # Not in this process: closing any descriptor of the database file here ends DuckDB's lock
    # on it (POSIX record locks belong to the process and the file, and every close releases
    # them), and another process could then write to the database while this one migrates it
    # or puts another file in its place.
    # The child reports the OS error number, so that a full disk is told as one (os_reason). It
    # copies in pieces and stops, removing its copy, once its parent is gone: a backup killed
    # with kill -9 would otherwise leave it writing a copy nobody waits for (of a national
    # database: hundreds of MB, beside the next run's own copy).
    copied = subprocess.run([sys.executable, "-I", "-S", "-c", _COPY_CHILD, str(source), str(target),
                             str(os.getpid())], capture_output=True, text=True)
    if copied.returncode:
        number = copied.stdout.strip()
        if copied.returncode == 3 and number.isdigit() and int(number):
            raise OSError(int(number), os.strerror(int(number)))
        lines = copied.stderr.strip().splitlines()
        raise OSError(f"copy failed: {lines[-1] if lines else copied.returncode}")


def verify_database(path: str | Path) -> None:
    """Check that the file is a complete Kindkaart database that reads back: the checks on open
    (not empty, not foreign, not newer, not cut off) and then every table read whole, each
    column's values hashed (about 0.3 s on a national database: for backups, not for a click).
    Raises DatabaseRefused; reads only (no WAL is made)."""
    con = connect(path, read_only=True, create=False)
    try:
        tables = con.execute("select schema_name, table_name from duckdb_tables()"
                             " where database_name = current_database()").fetchall()
        for schema, table in tables:
            con.execute(f'select count(*), bit_xor(hash(columns(*))) from "{schema}"."{table}"'
                        ).fetchall()
    except duckdb.Error as error:
        raise_if_interrupted(error)
        raise DatabaseRefused(DAMAGED_MESSAGE, Path(path)) from None
    finally:
        con.close()


def absorb_wal(path: str | Path) -> None:
    """Write the transactions of the .wal beside a copy of a database into the copy itself
    (checkpoint), so that the file holds them. Only for a private copy: it is opened read-write
    without any other check (DatabaseRefused when it does not open)."""
    try:
        con = duckdb.connect(str(path), config=CONNECT_CONFIG)
        try:
            con.execute("checkpoint")
        finally:
            con.close()
    except duckdb.Error as error:
        raise_if_interrupted(error)
        raise DatabaseRefused(DAMAGED_MESSAGE, Path(path)) from None


def remove_leftovers(folder: Path, ending: str, stem: str = "") -> None:
    """Remove the scratch files a killed process left in `folder`: names starting with `stem`
    and ending in `ending`, optionally followed by .wal, each marked with its process id
    (<stem>...<pid><ending>, scratch_name) or unmarked (older versions). Those of processes that
    still run stay."""
    if not folder.is_dir():
        return
    for leftover in folder.iterdir():
        name = leftover.name.removesuffix(".wal")
        if not (name.startswith(stem) and name.endswith(ending)):
            continue
        marked = re.search(r"[.-](\d+)$", name[len(stem):len(name) - len(ending)])
        if marked and _running(int(marked.group(1))):
            continue
        leftover.unlink(missing_ok=True)


def remove_dead_scratch(folder: Path, ending: str, min_age: float) -> None:
    """Remove the scratch files of any name in `folder`, `.<name>.<pid><ending>` (as an export
    writes them), whose process is gone and that were last written more than `min_age` seconds
    ago: what a killed run (kill -9) left beside another target. A process still running keeps
    its file (it may be writing it), and so does a recent one: a folder shared over the network
    may hold the file of a run on another computer, whose process this one cannot see."""
    if not folder.is_dir():
        return
    now = time.time()
    for leftover in folder.iterdir():
        marked = re.fullmatch(rf"\..+\.(\d+){re.escape(ending)}", leftover.name)
        if not marked or _running(int(marked.group(1))):
            continue
        with contextlib.suppress(OSError):  # gone already, or not ours to remove
            written = leftover.lstat()
            if stat.S_ISREG(written.st_mode) and now - written.st_mtime > min_age:
                leftover.unlink()


SCRATCH_PREFIX = "kindkaart-"


@contextmanager
def scratch_folder() -> Iterator[Path]:
    """A temporary folder (removed afterwards) for an upload or what a zip unpacks: a GeoPackage
    is hundreds of MB. Its name carries this process's id, so that the folders of a killed
    process (kill -9 runs no clean-up) are removed by the next one that makes such a folder."""
    base = Path(tempfile.gettempdir())
    remove_scratch_folders(base)
    with tempfile.TemporaryDirectory(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-", dir=base) as folder:
        yield Path(folder)


def remove_scratch_folders(base: Path) -> None:
    """Remove the scratch_folder()s in `base` of processes that no longer run."""
    try:
        entries = list(base.iterdir())
    except OSError:
        return
    for entry in entries:
        marked = re.fullmatch(rf"{SCRATCH_PREFIX}(\d+)-.*", entry.name)
        if marked and not _running(int(marked.group(1))) and entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):  # none, or a number no process can have
        return False
    except OSError:
        return True  # exists, another user's
    return True


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """Highest applied migration version (0 for an empty database)."""
    return con.execute("select coalesce(max(version), 0) from schema_migrations").fetchone()[0]


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """Run a block in one transaction: everything is stored, or nothing. Inside a transaction the
    caller opened, the block is part of that one (the caller commits or rolls back)."""
    if in_transaction(con):
        yield con
        return
    con.execute("begin transaction")
    try:
        yield con
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")


def in_transaction(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether `con` is inside an explicit transaction (begin ... commit). Outside one, DuckDB
    gives every statement a transaction of its own, so two statements see different ids."""
    # fetchall, not fetchone: an unfinished result would block the next register() call.
    first = con.execute("select current_transaction_id()").fetchall()[0][0]
    return con.execute("select current_transaction_id()").fetchall()[0][0] == first


def file_sha256(data: bytes | str | Path) -> str:
    """SHA-256 of a file's bytes (a path) or of bytes, as hex."""
    if isinstance(data, (str, Path)):
        data = Path(data).read_bytes()
    return hashlib.sha256(data).hexdigest()


def new_load(
    con: duckdb.DuckDBPyConnection,
    *,
    source: str,
    dataset: str,
    row_count: int = 0,
    table_id: str | None = None,
    gemeente_code: str | None = None,
    organisation: str | None = None,
    period: str | None = None,
    year: int | None = None,
    file_name: str | None = None,
    file_hash: str | None = None,
    loaded_by: str | None = None,
    retrieved_at=None,
    note: str | None = None,
) -> int:
    """Record where a batch of rows came from; returns the load_id the rows must carry. Names from
    the command line (a file name with bytes that are no UTF-8) are stored as text.storable makes
    them: DuckDB refuses Python's lone surrogates."""
    from data_sources.text import storable

    file_name, organisation, loaded_by, period, note = (
        None if value is None else storable(value)
        for value in (file_name, organisation, loaded_by, period, note))
    return con.execute(
        """
        insert into loads (source, dataset, row_count, table_id, gemeente_code, organisation,
                           period, year, file_name, file_hash, loaded_by, retrieved_at, note)
        values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        returning load_id
        """,
        [source, dataset, row_count, table_id, gemeente_code, organisation, period, year,
         file_name, file_hash, loaded_by, retrieved_at, note],
    ).fetchone()[0]


def insert_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame,
                 columns: list[str] | None = None) -> int:
    """Insert the rows of `frame` into `table` in one statement (named columns, by default all of
    the frame's); far faster than executemany, which DuckDB runs row by row. Returns the count."""
    names = list(frame.columns) if columns is None else columns
    if frame.empty:
        return 0
    view = f"_insert_{table}"
    listed = ", ".join(names)
    con.register(view, frame)
    try:
        con.execute(f"insert into {table} ({listed}) select {listed} from {view}")
    finally:
        con.unregister(view)
    return len(frame)


def supersede(con: duckdb.DuckDBPyConnection, *, keep_load_id: int, **same: object) -> int:
    """Mark earlier active loads with the same provenance keys (e.g. dataset, gemeente_code, year)
    as superseded, so that only `keep_load_id` counts in the views. Returns how many were marked."""
    return len(superseded_loads(con, keep_load_id=keep_load_id, **same))


def superseded_loads(con: duckdb.DuckDBPyConnection, *, keep_load_id: int, **same: object) -> list[int]:
    """supersede, returning the loads it marked."""
    allowed = {"source", "dataset", "table_id", "gemeente_code", "organisation", "period", "year"}
    unknown = set(same) - allowed
    if unknown:
        raise ValueError(f"cannot supersede by {sorted(unknown)}")
    where = " and ".join(f"{key} is not distinct from ?" for key in same)
    marked = con.execute(
        "update loads set status = 'superseded', status_changed_at = current_timestamp"
        f" where status = 'active' and load_id <> ? and {where} returning load_id",
        [keep_load_id, *same.values()],
    ).fetchall()
    return [load_id for (load_id,) in marked]


# Raw tables whose rows carry the load that stored them (supersede_emptied checks them).
LOAD_TABLES = ("raw_cbs__kerncijfers", "geometries", "raw_cbs__population_by_age")


def supersede_emptied(con: duckdb.DuckDBPyConnection, load_ids: dict[str, int], table: str,
                      **same: object) -> None:
    """Supersede the earlier active loads of those gemeenten (with the same keys) that no longer
    hold a row in `table`: a load is replaced where its rows were replaced, and stays active while
    rows of it remain (gemeente outlines do not replace wijk boundaries, a gemeente-only file does
    not replace the wijken of an earlier one)."""
    if table not in LOAD_TABLES:
        raise ValueError(f"unknown load table {table}")
    allowed = {"source", "dataset", "table_id", "year"}
    unknown = set(same) - allowed
    if unknown:
        raise ValueError(f"cannot supersede by {sorted(unknown)}")
    where = "".join(f" and {key} is not distinct from ?" for key in same)
    con.execute(
        "update loads set status = 'superseded', status_changed_at = current_timestamp"
        f" where status = 'active'{where}"
        " and gemeente_code in (select unnest(?::varchar[]))"
        " and load_id not in (select unnest(?::integer[]))"
        f" and load_id not in (select distinct load_id from {table} where load_id is not null)",
        [*same.values(), list(load_ids), list(load_ids.values())],
    )


def data_version(con: duckdb.DuckDBPyConnection) -> str:
    """A token that changes whenever data are loaded, superseded or rebuilt (for page caches)."""
    row = con.execute(
        "select count(*), coalesce(max(load_id), 0), coalesce(max(changed_at), timestamp '1970-01-01')"
        " from (select load_id, coalesce(status_changed_at, loaded_at) as changed_at from loads)"
    ).fetchone()
    return f"{row[0]}-{row[1]}-{row[2]}"
