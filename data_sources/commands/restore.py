"""`restore`: make an earlier upload of a registration the active version again."""

from __future__ import annotations

from data_sources import jobs, store

NAME = "restore"
HELP = "Zet een eerdere versie van een registratie terug (zie 'history' voor het nummer)."


def add_arguments(parser) -> None:
    parser.add_argument("upload_id", type=int, metavar="UPLOAD_ID",
                        help="nummer van de upload uit 'history'")


def run(args) -> int:
    con = store.connect(args.db, create=False)
    try:
        replaced = jobs.restore_upload(con, args.upload_id)
    finally:
        con.close()
    extra = f"; vervangt upload {', '.join(map(str, replaced))}" if replaced else ""
    print(f"Upload {args.upload_id} is weer de actieve versie{extra}.")
    return 0
