"""`init`: create the database (schema and marts), optionally filled with the sample gemeente."""

from __future__ import annotations

import transforms
from data_sources import accounts, jobs, store
from data_sources.config import db_path

NAME = "init"
HELP = "Maak de database aan (schema en tabellen); met --sample gevuld met Voorbeeldstad."


def add_arguments(parser) -> None:
    parser.add_argument("--sample", action="store_true",
                        help="vul de database met de voorbeeldgemeente uit sample_data/")
    parser.add_argument("--force", action="store_true",
                        help="met --sample: bouw opnieuw, ook als de database al bestaat")
    parser.add_argument("--if-missing", action="store_true",
                        help="met --sample: doe niets als de database al bestaat")


def run(args) -> int:
    target = db_path(args.db)
    store.check_path(target)  # a named pipe "exists" too, but is no database
    if args.sample:
        # a file that holds nothing (a first command killed while creating it) is no database yet
        exists = target.exists() and not store.holds_nothing(target)
        if exists and not (args.force or args.if_missing):
            print(f"De database {target} bestaat al. Gebruik --force om hem opnieuw te bouwen "
                  "uit de voorbeeldgegevens (alle geladen gegevens gaan dan verloren).")
            return 1
        if exists and not args.force:
            # --if-missing on a database of a real gemeente (make run with KINDKAART_DB): it is
            # left as it is, and holds no Voorbeeldstad unless someone put her there
            print(f"Database {target} bestaat al; die blijft zoals hij is (niet gevuld met de "
                  "voorbeeldgemeente).")
            return 0
        jobs.build_sample_database(target, force=args.force)
        print(f"Database {target} gebouwd met de voorbeeldgemeente Voorbeeldstad (GM9999).")
        return 0
    existed = target.is_file() and target.stat().st_size > 0
    con = store.connect(target)
    try:
        # on a database that was there: the models built again, with the line the app writes when
        # it does so itself (jobs.ensure_current_models), in the same transaction
        with store.transaction(con):
            transforms.build(con)
            if existed:
                accounts.audit(con, "opdrachtregel", "modellen bijgewerkt",
                               "init: alle tabellen opnieuw berekend met de regels van deze versie")
        version = store.schema_version(con)
    finally:
        con.close()
    print(f"Database {target} is klaar (schemaversie {version}).")
    return 0
