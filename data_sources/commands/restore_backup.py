"""`restore-backup`: put a backup in the database's place (the current one is backed up first)."""

from __future__ import annotations

from data_sources import jobs

NAME = "restore-backup"
HELP = ("Zet een reservekopie terug als database; de huidige database wordt eerst zelf bewaard "
        "in backups/.")


def add_arguments(parser) -> None:
    parser.add_argument("bestand", metavar="BESTAND", help="de reservekopie (.duckdb)")


def run(args) -> int:
    database, old, accounts_kept = jobs.restore_backup(args.bestand, args.db)
    kept = f" De vorige database staat in {old}." if old else ""
    same = (" De accounts zijn die van de vorige database (uitgeschakeld blijft uitgeschakeld, een "
            "nieuw wachtwoord blijft gelden)." if accounts_kept else "")
    print(f"Reservekopie {args.bestand} is teruggezet als {database}.{kept}{same}")
    return 0
