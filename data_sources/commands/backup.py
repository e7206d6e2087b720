"""`backup`: copy the database (complete, after a checkpoint) to a file or to backups/ beside it."""

from __future__ import annotations

import os
from pathlib import Path

from data_sources import accounts, store
from data_sources.config import db_path

NAME = "backup"
HELP = "Maak een reservekopie van de database (standaard in de map backups/ ernaast)."


def add_arguments(parser) -> None:
    parser.add_argument("-o", "--uitvoer", metavar="BESTAND",
                        help="waar de kopie komt (standaard backups/<naam>-<tijd>-handmatig.duckdb)")


def run(args) -> int:
    database = db_path(args.db)
    if args.uitvoer is not None:
        # a copy where none can be written is refused before the database is opened (and migrated)
        store.check_output(args.uitvoer, "Er is geen reservekopie gemaakt.", make_folder=True,
                           database_file=True)
    try:
        if database.is_file() and not os.access(database, os.W_OK):
            copy = _backup_read_only(database, args.uitvoer)
        else:
            con = store.connect(database, create=False)
            try:
                # the line is committed when the copy is complete and before it takes its name (the
                # copy does not hold it: a backup is the database as it was): killed in between, a
                # line without a copy, never a copy without its line. A read-only database
                # (_backup_read_only) takes no line.
                copy = store.backup(con, database, "handmatig", args.uitvoer,
                                    before_placing=lambda copy: _record(con, copy, database))
            finally:
                con.close()
    except OSError as error:
        raise store.DatabaseRefused(f"De reservekopie kon niet worden geschreven "
                                    f"({store.os_reason(error)}). De database is ongewijzigd.",
                                    database) from None
    print(f"Reservekopie gemaakt: {copy}")
    return 0


def _record(con, copy: Path, database: Path) -> None:
    with store.transaction(con):
        accounts.audit(con, "opdrachtregel", "reservekopie gemaakt", _where(copy, database))


def _backup_read_only(database, target):
    # Nothing to checkpoint through (a read-only file or mount), so nothing may wait in a .wal
    # beside it: then the file alone is complete. The copy is read back as any other.
    store.connect(database, read_only=True).close()  # the checks on open
    if database.with_name(database.name + ".wal").exists():
        raise store.DatabaseRefused("De database is alleen te lezen en er staat een .wal-bestand naast "
                                    "met wijzigingen die nog niet in het bestand zelf staan: een kopie "
                                    "zou die missen. Open hem eerst met schrijfrechten.", database)
    return store.backup(None, database, "handmatig", target)


def _where(copy, database) -> str:
    """The copy as the audit log names it: backups/<name> beside the database, else its path."""
    copy = Path(copy)
    if copy.resolve().parent == store.backup_dir(database).resolve():
        return f"backups/{copy.name}"
    return str(copy.resolve())
