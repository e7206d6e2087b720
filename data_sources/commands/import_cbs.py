"""`import-cbs`: read a hand-downloaded CBS file (StatLine CSV, kwb, OData JSON, cbsodata map)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from data_sources import store
from data_sources.cbs.formats import read_cbs_file
from data_sources.cbs.jeugdzorg import store_jeugdzorg
from data_sources.cbs.loading import store_kerncijfers, store_population_by_age
from data_sources.cbs.pipeline import check_gemeenten
from data_sources.errors import InputRefused

NAME = "import-cbs"
HELP = "Een handmatig gedownload CBS-bestand inlezen (StatLine-CSV, kwb-xlsx/csv, OData-JSON)"

STORERS = {
    "kerncijfers": store_kerncijfers,
    "bevolking-leeftijd": store_population_by_age,
    "jeugdzorg-wijk": store_jeugdzorg,
}


def add_arguments(parser) -> None:
    """FILE, optional --gemeente (repeatable) and --jaar."""
    parser.add_argument("bestand", metavar="BESTAND", help="het CBS-bestand of de map")
    parser.add_argument("--gemeente", action="append", default=[], metavar="GMxxxx",
                        help="alleen deze gemeente(n) inlezen (standaard: alles in het bestand)")
    parser.add_argument("--jaar", type=int, metavar="JAAR",
                        help="het jaar van de cijfers, als het niet uit de bestandsnaam blijkt")


def import_file(con, path: str | Path, *, gemeenten: list[str] | None = None,
                year: int | None = None) -> tuple[str, list[int]]:
    """Read and store one CBS file in one transaction, then rebuild the models.
    Returns (kind, load ids). Nothing is stored when the file is refused."""
    from transforms import build

    path = Path(path)
    cbs_file = read_cbs_file(path, year=year)
    file_hash = store.file_sha256(path) if path.is_file() else None
    # The analyst downloaded the file by hand: its modification time is the retrieval date.
    retrieved = datetime.fromtimestamp(path.stat().st_mtime)
    with store.transaction(con):
        load_ids = STORERS[cbs_file.kind](
            con, cbs_file.table, gemeenten=gemeenten, file_name=path.name, file_hash=file_hash,
            retrieved_at=retrieved,
        )
        if not load_ids:
            raise InputRefused(f"Bestand {path.name}: geen gegevens voor de gekozen gemeente(n).")
    build(con)
    return cbs_file.kind, load_ids


def run(args) -> int:
    """Import and report what was stored."""
    gemeenten = check_gemeenten(args.gemeente) if args.gemeente else None
    con = store.connect(args.db)
    try:
        kind, load_ids = import_file(con, args.bestand, gemeenten=gemeenten, year=args.jaar)
        rows = con.execute(
            "select count(distinct gemeente_code), sum(row_count), min(table_id), min(year)"
            " from loads where load_id in (select unnest(?::integer[]))", [load_ids],
        ).fetchone()
    finally:
        con.close()
    print(f"{Path(args.bestand).name}: {kind} ({rows[2]}{', ' + str(rows[3]) if rows[3] else ''})"
          f" ingelezen voor {rows[0]} gemeente(n), {int(rows[1] or 0)} waarden.")
    return 0
