"""`backup`: copy the database (complete, after a checkpoint) to a file or to backups/ beside it."""

from __future__ import annotations

from data_sources import store
from data_sources.config import db_path

NAME = "backup"
HELP = "Maak een reservekopie van de database (standaard in de map backups/ ernaast)."


def add_arguments(parser) -> None:
    parser.add_argument("-o", "--uitvoer", metavar="BESTAND",
                        help="waar de kopie komt (standaard backups/<naam>-<tijd>-handmatig.duckdb)")


def run(args) -> int:
    database = db_path(args.db)
    con = store.connect(database, create=False)
    try:
        copy = store.backup(con, database, "handmatig", args.uitvoer)
    finally:
        con.close()
    print(f"Reservekopie gemaakt: {copy}")
    return 0
