"""`load-cbs`: fetch CBS kerncijfers, ages, Jeugdmonitor and PDOK boundaries for gemeenten."""

from __future__ import annotations

import contextlib
import sys

from data_sources import jobs, store
from data_sources.cbs.loading import KERNCIJFERS_TABLES
from data_sources.cbs.pipeline import CbsLoader, check_gemeenten, default_cache_dir
from data_sources.commands._registration_args import year
from data_sources.config import db_path
from data_sources.errors import InputRefused

NAME = "load-cbs"
HELP = "CBS-cijfers en wijkgrenzen ophalen voor een of meer gemeenten (of alle) en bewaren"


def add_arguments(parser) -> None:
    """--gemeente (repeatable) or --alle, --jaar (repeatable), --vernieuw, --offline."""
    parser.add_argument("--gemeente", action="append", default=[], metavar="GEMEENTE",
                        help="gemeentecode of -naam, bijvoorbeeld GM0344 of Utrecht (mag vaker)")
    parser.add_argument("--alle", action="store_true", help="alle gemeenten van Nederland")
    parser.add_argument("--jaar", action="append", type=year, default=[], metavar="JAAR",
                        help=f"jaar (mag vaker; standaard {max(KERNCIJFERS_TABLES)})")
    parser.add_argument("--vernieuw", action="store_true",
                        help="opnieuw ophalen, ook als er al een opgeslagen kopie is")
    parser.add_argument("--offline", action="store_true",
                        help="alleen de opgeslagen kopie gebruiken, geen netwerk")
    parser.add_argument("--cache", metavar="MAP", help="map voor de opgeslagen kopieen")


def _print_progress(fraction: float | None, message: str) -> None:
    percent = f"{fraction * 100:3.0f}%" if fraction is not None else "   "
    # only for whoever watches: a stderr that takes nothing (`2>> log` on a full disk, a closed
    # reader) made the load fail as if the database could not be written
    with contextlib.suppress(OSError, ValueError):
        print(f"[{percent}] {message}", file=sys.stderr, flush=True)


def run(args) -> int:
    """Load, print what was stored with its data date, and any warnings."""
    if args.alle and args.gemeente:
        raise InputRefused("Kies --gemeente of --alle, niet allebei.")
    if not args.alle and not args.gemeente:
        raise InputRefused("Geef een gemeente op met --gemeente GM0344, of gebruik --alle.")
    gemeenten = None if args.alle else check_gemeenten(args.gemeente)
    years = sorted(set(args.jaar)) or [max(KERNCIJFERS_TABLES)]
    if unknown := [str(y) for y in years if y not in KERNCIJFERS_TABLES]:
        # the loader skips such a year with a warning: asked for alone, the command ended 'gelukt'
        # (exit 0) with nothing fetched or stored
        raise InputRefused(f"Voor {', '.join(unknown)} kent Kindkaart geen tabel Kerncijfers wijken en "
                           f"buurten van CBS (wel voor {min(KERNCIJFERS_TABLES)} tot en met "
                           f"{max(KERNCIJFERS_TABLES)}). Er is niets opgehaald of opgeslagen.")
    cache = args.cache or default_cache_dir(args.db)
    # Before minutes of fetching: a database that takes no load (read-only, foreign, in use) and a
    # cache folder that takes no file (a file at its place, /proc: a traceback after the first
    # table) are refused first.
    store.connect(args.db).close()
    database = db_path(args.db)
    if not store.writable(database) and not database.with_name(database.name + ".wal").exists():
        # a folder that takes no file (no write rights, chattr +i): DuckDB opens the file, and only
        # the first write, after the fetching, fails when it makes the .wal beside it
        raise store.write_refused("geen schrijfrechten in de map van de database")
    fetched = None
    if not args.offline:
        store.check_folder(cache, "De map voor de opgeslagen kopieën", "Er is niets opgehaald of opgeslagen.")
        # Fetch everything first into the offline copy, so that the database is held only while
        # storing, not while CBS and PDOK answer: a running app (or a scheduled refresh at night)
        # waits seconds instead of minutes. Then all tables in one transaction (jobs.load_cbs).
        fetched = jobs.fetch_cbs(gemeenten, years, cache_dir=cache, progress=_print_progress,
                                 refresh=args.vernieuw)
    con = store.connect(args.db)
    try:
        loader = CbsLoader(con, cache_dir=cache, progress=_print_progress, offline=True)
        report = jobs.load_cbs(loader, gemeenten, years, fetched=fetched)
    finally:
        con.close()
    for table in report.loaded:
        date = table.retrieved_at.strftime("%Y-%m-%d %H:%M") if table.retrieved_at else "onbekend"
        origin = "opgeslagen kopie" if table.from_cache else "opgehaald"
        print(f"{table.table_id} {table.year}: {len(table.load_ids)} gemeente(n), "
              f"gegevens van {date} ({origin})")
    for warning in report.warnings:
        print(f"Let op: {warning}")
    return 0
