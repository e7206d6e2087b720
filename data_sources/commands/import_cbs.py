"""`import-cbs`: read a hand-downloaded CBS file (StatLine CSV, kwb, OData JSON, cbsodata map)."""

from __future__ import annotations

from data_sources import jobs, store
from data_sources.cbs.pipeline import check_gemeenten
from data_sources.commands._registration_args import year
from data_sources.errors import severity
from data_sources.text import given_path, is_cbs_table_id

NAME = "import-cbs"
HELP = ("Een handmatig gedownload CBS-bestand inlezen (StatLine-CSV, kwb-xlsx/csv, OData-JSON, "
        "zip van de CBS-open data, GeoJSON-grenzen, de wijk- en buurtkaart als GeoPackage, "
        "postcodebestand)")


# the unit of loads.row_count per dataset, as the command reports it
STORED_UNITS = {"geometrie": "grenzen", "postcodes": "postcodes"}
STORED_UNITS |= dict.fromkeys(("kerncijfers", "bevolking-leeftijd", "jeugdzorg-wijk", "nabijheid"),
                              "cijfers (gebied × kenmerk)")


def add_arguments(parser) -> None:
    """FILE, optional --gemeente (repeatable) and --jaar."""
    parser.add_argument("bestand", metavar="BESTAND", help="het CBS-bestand of de map")
    parser.add_argument("--gemeente", action="append", default=[], metavar="GEMEENTE",
                        help="alleen deze gemeente(n) inlezen, code of naam (standaard: alles in het bestand)")
    parser.add_argument("--jaar", type=year, metavar="JAAR",
                        help="het jaar van de cijfers, als het niet uit de bestandsnaam blijkt")
    parser.add_argument("--vervang", action="store_true",
                        help="ook vervangen als het bestand waarden leegmaakt die een eerdere "
                             "lading wel had (standaard geweigerd)")


def run(args) -> int:
    """Import and report what was stored."""
    gemeenten = check_gemeenten(args.gemeente) if args.gemeente else None
    con = store.connect(args.db)
    try:
        kind, load_ids, notes = jobs.import_cbs_file(con, args.bestand, gemeenten=gemeenten,
                                                     year=args.jaar, replace=args.vervang)
        rows = con.execute(
            "select min(table_id), min(year)"
            " from loads where load_id in (select unnest(?::integer[]))", [load_ids],
        ).fetchone()
        held = jobs.stored_gemeenten_phrase(con, load_ids)
        # what each load stored, in its own unit: a kwb file's rows are regions, its values are
        # what a load counts (row_count)
        stored = con.execute(
            "select dataset, sum(row_count) from loads where load_id in (select unnest(?::integer[]))"
            " group by dataset order by min(load_id)", [load_ids]).fetchall()
    finally:
        con.close()
    # the CBS table number and year; an id Kindkaart made up for a file without a number
    # (odata-2024 of an open-data download, statline-2023) is no name the user knows: the line
    # already starts with the name of the file or folder given
    table_id, table_year = rows
    source = ", ".join(str(part) for part in (table_id if is_cbs_table_id(table_id) else None,
                                              table_year) if part)
    amounts = ", ".join(f"{int(count or 0)} {STORED_UNITS.get(dataset, 'rijen')}" for dataset, count in stored)
    print(f"{given_path(args.bestand).name}: {kind}{f' ({source})' if source else ''} ingelezen voor {held}: "
          f"{amounts or 'niets opgeslagen'}.")
    # what to act on first, marked; then what only informs (data_sources.errors.Note)
    for note in sorted(notes, key=lambda note: severity(note) != "warning"):
        print(f"Let op: {note}" if severity(note) == "warning" else note)
    return 0
